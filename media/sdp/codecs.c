/* Codec knowledge: names, static payload types, fmtp parameters and H.264 profile matching
 * (RFC 6184 section 8.1 and its profile-level-id table). */
#include "media/sdp/internal.h"
#include "media/sdp/negotiate.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    enum prism_sdp_codec_id id;
    const char *name;
} codec_names[] = {
    {PRISM_SDP_CODEC_OPUS, "opus"},     {PRISM_SDP_CODEC_G722, "G722"},
    {PRISM_SDP_CODEC_PCMU, "PCMU"},     {PRISM_SDP_CODEC_PCMA, "PCMA"},
    {PRISM_SDP_CODEC_VP8, "VP8"},       {PRISM_SDP_CODEC_VP9, "VP9"},
    {PRISM_SDP_CODEC_H264, "H264"},     {PRISM_SDP_CODEC_AV1, "AV1"},
    {PRISM_SDP_CODEC_RTX, "rtx"},       {PRISM_SDP_CODEC_RED, "red"},
    {PRISM_SDP_CODEC_ULPFEC, "ulpfec"},
};

enum prism_sdp_codec_id prism_sdp_codec_id_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof(codec_names) / sizeof(codec_names[0]); i++) {
        if (strcasecmp(name, codec_names[i].name) == 0)
            return codec_names[i].id;
    }
    return PRISM_SDP_CODEC_UNKNOWN;
}

const char *sdp_codec_canonical_name(enum prism_sdp_codec_id id)
{
    for (size_t i = 0; i < sizeof(codec_names) / sizeof(codec_names[0]); i++) {
        if (codec_names[i].id == id)
            return codec_names[i].name;
    }
    return NULL;
}

/* The static assignments of RFC 3551 that WebRTC endpoints still list without an rtpmap. */
bool sdp_static_payload(uint8_t pt, struct prism_sdp_codec *codec)
{
    static const struct {
        uint8_t pt;
        const char *name;
        uint32_t clock;
    } statics[] = {{0, "PCMU", 8000}, {8, "PCMA", 8000}, {9, "G722", 8000}, {13, "CN", 8000}};
    for (size_t i = 0; i < sizeof(statics) / sizeof(statics[0]); i++) {
        if (statics[i].pt != pt)
            continue;
        if (codec) {
            snprintf(codec->name, sizeof(codec->name), "%s", statics[i].name);
            codec->clock_rate = statics[i].clock;
            codec->channels = 0;
        }
        return true;
    }
    return false;
}

bool sdp_codec_is_media(const struct prism_sdp_codec *codec)
{
    switch (codec->id) {
    case PRISM_SDP_CODEC_RTX:
    case PRISM_SDP_CODEC_RED:
    case PRISM_SDP_CODEC_ULPFEC:
        return false;
    default:
        return strcasecmp(codec->name, "flexfec-03") != 0 &&
               strcasecmp(codec->name, "telephone-event") != 0 && strcasecmp(codec->name, "CN");
    }
}

bool prism_sdp_fmtp_get(const char *fmtp, const char *key, char *value, size_t size)
{
    struct sdp_view rest = sdp_view_of(fmtp), param, name;
    if (!key || !value || size == 0)
        return false;
    while (sdp_view_split(&rest, ';', &param)) {
        param = sdp_view_trim(param);
        if (!sdp_view_split(&param, '=', &name) || !sdp_view_eq(sdp_view_trim(name), key))
            continue;
        return sdp_view_copy(sdp_view_trim(param), value, size) == 0;
    }
    return false;
}

int prism_sdp_codec_apt(const struct prism_sdp_codec *codec)
{
    char text[8];
    uint32_t apt;
    if (!codec || codec->id != PRISM_SDP_CODEC_RTX ||
        !prism_sdp_fmtp_get(codec->fmtp, "apt", text, sizeof(text)) ||
        !sdp_view_u32(sdp_view_of(text), 127, &apt))
        return -1;
    return (int)apt;
}

const struct prism_sdp_codec *prism_sdp_media_red_for(const struct prism_sdp_media *om,
                                                      const struct prism_sdp_codec *chosen)
{
    for (uint8_t i = 0; om && chosen && i < om->codec_count; i++) {
        const struct prism_sdp_codec *c = &om->codecs[i];
        if (c->id != PRISM_SDP_CODEC_RED || c->clock_rate != chosen->clock_rate ||
            c->channels != chosen->channels || !c->fmtp[0])
            continue;
        struct sdp_view rest = sdp_view_of(c->fmtp), block;
        bool all_chosen = true;
        uint32_t pt;
        while (all_chosen && sdp_view_split(&rest, '/', &block))
            all_chosen = sdp_view_u32(sdp_view_trim(block), 127, &pt) && pt == chosen->pt;
        if (all_chosen)
            return c;
    }
    return NULL;
}

/* --- H.264 profile-level-id ---------------------------------------------------------------- */

enum h264_profile {
    H264_UNKNOWN = 0,
    H264_CONSTRAINED_BASELINE,
    H264_BASELINE,
    H264_MAIN,
    H264_EXTENDED,
    H264_HIGH,
    H264_CONSTRAINED_HIGH,
    H264_HIGH_10,
    H264_HIGH_422,
    H264_HIGH_444,
};

/* profile_idc and a pattern over profile-iop (constraint_set0..5 and two reserved bits, most
 * significant first; 'x' = either), as tabled in RFC 6184 and H.264 Annex A. */
static const struct {
    uint8_t profile_idc;
    const char *iop_pattern;
    enum h264_profile profile;
} h264_profiles[] = {
    {0x42, "x1xx0000", H264_CONSTRAINED_BASELINE},
    {0x4d, "1xxx0000", H264_CONSTRAINED_BASELINE},
    {0x58, "11xx0000", H264_CONSTRAINED_BASELINE},
    {0x42, "x0xx0000", H264_BASELINE},
    {0x58, "10xx0000", H264_BASELINE},
    {0x58, "0xxx0000", H264_EXTENDED},
    {0x4d, "0x0x0000", H264_MAIN},
    {0x64, "00000000", H264_HIGH},
    {0x64, "00001100", H264_CONSTRAINED_HIGH},
    {0x6e, "00000000", H264_HIGH_10},
    {0x7a, "00000000", H264_HIGH_422},
    {0xf4, "00000000", H264_HIGH_444},
};

struct h264_plid {
    uint8_t profile_idc, iop, level_idc;
    enum h264_profile profile;
};

static bool iop_matches(uint8_t iop, const char *pattern)
{
    for (int bit = 0; bit < 8; bit++) {
        char want = pattern[bit];
        bool set = (iop >> (7 - bit)) & 1;
        if (want != 'x' && (want == '1') != set)
            return false;
    }
    return true;
}

static bool parse_plid(const char *text, struct h264_plid *out)
{
    uint8_t bytes[3];
    if (!text)
        text = "42000a"; /* RFC 6184: Baseline profile, level 1, when absent */
    if (strlen(text) != 6)
        return false;
    for (int i = 0; i < 3; i++) {
        int hi = g_ascii_xdigit_value(text[2 * i]), lo = g_ascii_xdigit_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    out->profile_idc = bytes[0];
    out->iop = bytes[1];
    out->level_idc = bytes[2];
    out->profile = H264_UNKNOWN;
    for (size_t i = 0; i < sizeof(h264_profiles) / sizeof(h264_profiles[0]); i++) {
        if (h264_profiles[i].profile_idc == bytes[0] &&
            iop_matches(bytes[1], h264_profiles[i].iop_pattern)) {
            out->profile = h264_profiles[i].profile;
            break;
        }
    }
    return out->profile != H264_UNKNOWN;
}

static bool baseline_family(uint8_t profile_idc)
{
    return profile_idc == 0x42 || profile_idc == 0x4d || profile_idc == 0x58;
}

/* Level 1b is level_idc 11 with constraint_set3 in the Baseline family, or level_idc 9. */
static bool is_level_1b(const struct h264_plid *p)
{
    return p->level_idc == 9 ||
           (p->level_idc == 11 && baseline_family(p->profile_idc) && (p->iop & 0x10));
}

/* Orders levels with 1b between 1 (10) and 1.1 (11). */
static unsigned level_rank(const struct h264_plid *p)
{
    return is_level_1b(p) ? 21 : p->level_idc * 2u;
}

bool prism_sdp_h264_profile_match(const char *offered, const char *local, char answer[7])
{
    struct h264_plid o, l;
    if (!parse_plid(offered, &o) || !parse_plid(local, &l) || o.profile != l.profile)
        return false;
    uint8_t iop = o.iop, level = o.level_idc;
    if (level_rank(&l) < level_rank(&o)) {
        /* Our level is lower: keep the offer's profile bytes, take our level. */
        level = l.level_idc;
        if (baseline_family(o.profile_idc)) {
            iop &= (uint8_t)~0x10;
            if (is_level_1b(&l)) {
                iop |= 0x10;
                level = 11;
            }
        } else if (is_level_1b(&l)) {
            level = 9;
        }
    }
    if (answer)
        snprintf(answer, 7, "%02x%02x%02x", o.profile_idc, iop, level);
    return true;
}
