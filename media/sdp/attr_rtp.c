/* RTP attributes of an m-line: a=rtpmap, a=fmtp and a=rtcp-fb fold into the codec list built
 * from the m= format list; a=extmap into the extension list. */
#include "media/sdp/internal.h"

#include <errno.h>
#include <string.h>

#define SYNTAX(err, ...) sdp_fail(err, 0, PRISM_SDP_ERR_SYNTAX, EINVAL, __VA_ARGS__)
#define LIMIT(err, ...) sdp_fail(err, 0, PRISM_SDP_ERR_LIMIT, E2BIG, __VA_ARGS__)

/* Reads "<pt> " and finds the codec; *codec is NULL for a payload type not on the m= line,
 * which the caller ignores (only the m= line defines the formats). */
static int take_payload_type(struct prism_sdp_media *m, struct sdp_view *v,
                             struct prism_sdp_codec **codec, struct prism_sdp_error *err)
{
    struct sdp_view pt_text;
    uint32_t pt;
    if (!sdp_view_token(v, &pt_text) || !sdp_view_u32(pt_text, 127, &pt))
        return SYNTAX(err, "payload type is not 0-127");
    *codec = (struct prism_sdp_codec *)prism_sdp_media_codec(m, (uint8_t)pt);
    return 0;
}

int sdp_parse_rtpmap(struct prism_sdp_media *m, struct sdp_view value, struct prism_sdp_error *err)
{
    struct prism_sdp_codec *c;
    struct sdp_view encoding, name, clock = {0};
    uint32_t clock_rate, channel_count = 0;
    int rc = take_payload_type(m, &value, &c, err);
    if (rc < 0)
        return rc;
    if (!sdp_view_token(&value, &encoding) || sdp_view_trim(value).len != 0)
        return SYNTAX(err, "a=rtpmap is not <pt> <name>/<clock>[/<channels>]");
    /* "<name>/<clock>[/<channels>]": without a slash the second split finds nothing. */
    sdp_view_split(&encoding, '/', &name);
    if (!sdp_view_split(&encoding, '/', &clock) || !sdp_view_is_token(name) ||
        !sdp_view_u32(clock, UINT32_MAX, &clock_rate) || clock_rate == 0)
        return SYNTAX(err, "a=rtpmap name or clock rate invalid");
    if (encoding.len > 0 && (!sdp_view_u32(encoding, 255, &channel_count) || channel_count == 0))
        return SYNTAX(err, "a=rtpmap channel count is not 1-255");
    if (!c)
        return 0;
    if (c->clock_rate && !sdp_static_payload(c->pt, NULL))
        return SYNTAX(err, "a=rtpmap repeated for payload type %u", c->pt);
    if (sdp_view_copy(name, c->name, sizeof(c->name)) < 0)
        return LIMIT(err, "a=rtpmap encoding name too long");
    c->id = prism_sdp_codec_id_from_name(c->name);
    c->clock_rate = clock_rate;
    c->channels = (uint8_t)channel_count;
    return 0;
}

int sdp_parse_fmtp(struct prism_sdp_media *m, struct sdp_view value, struct prism_sdp_error *err)
{
    struct prism_sdp_codec *c;
    if (!strstr(m->proto, "RTP/"))
        return 0; /* e.g. legacy "a=fmtp:webrtc-datachannel ..." */
    int rc = take_payload_type(m, &value, &c, err);
    if (rc < 0 || !c)
        return rc;
    if (c->fmtp[0])
        return SYNTAX(err, "a=fmtp repeated for payload type %u", c->pt);
    if (sdp_view_copy(sdp_view_trim(value), c->fmtp, sizeof(c->fmtp)) < 0)
        return LIMIT(err, "a=fmtp longer than %d bytes", PRISM_SDP_FMTP_LEN);
    return 0;
}

static uint32_t feedback_bit(struct sdp_view type, struct sdp_view param)
{
    if (sdp_view_eq(type, "nack"))
        return param.len == 0 ? PRISM_SDP_FB_NACK
                              : (sdp_view_eq(param, "pli") ? PRISM_SDP_FB_NACK_PLI : 0);
    if (sdp_view_eq(type, "ccm"))
        return sdp_view_eq(param, "fir") ? PRISM_SDP_FB_CCM_FIR : 0;
    if (param.len > 0)
        return 0;
    if (sdp_view_eq(type, "goog-remb"))
        return PRISM_SDP_FB_GOOG_REMB;
    if (sdp_view_eq(type, "transport-cc"))
        return PRISM_SDP_FB_TRANSPORT_CC;
    return 0;
}

int sdp_parse_rtcp_fb(struct prism_sdp_media *m, struct sdp_view value, uint32_t *wildcard,
                      struct prism_sdp_error *err)
{
    struct sdp_view pt_text = {0}, type = {0}, param = {0};
    struct sdp_view rest = value;
    if (!sdp_view_token(&rest, &pt_text) || !sdp_view_token(&rest, &type))
        return SYNTAX(err, "a=rtcp-fb is not <pt> <type> [<param>]");
    sdp_view_token(&rest, &param);
    uint32_t bit = feedback_bit(type, param);
    if (sdp_view_eq(pt_text, "*")) {
        *wildcard |= bit;
        return 0;
    }
    struct prism_sdp_codec *c;
    int rc = take_payload_type(m, &value, &c, err);
    if (rc == 0 && c)
        c->feedback |= bit;
    return rc;
}

int sdp_parse_extmap(struct prism_sdp_extmap *list, uint8_t *count, struct sdp_view value,
                     struct prism_sdp_error *err)
{
    struct sdp_view id_dir, id_text, uri;
    struct prism_sdp_extmap ext;
    uint32_t id;
    memset(&ext, 0, sizeof(ext));
    if (!sdp_view_token(&value, &id_dir) || !sdp_view_token(&value, &uri))
        return SYNTAX(err, "a=extmap is not <id>[/<direction>] <uri>");
    sdp_view_split(&id_dir, '/', &id_text);
    if (!sdp_view_u32(id_text, 255, &id) || id == 0)
        return SYNTAX(err, "a=extmap id is not 1-255");
    if (id_dir.len > 0) {
        if (!sdp_direction_from_name(id_dir, &ext.direction))
            return SYNTAX(err, "a=extmap direction invalid");
        ext.has_direction = true;
    }
    ext.id = (uint8_t)id;
    if (sdp_view_copy(uri, ext.uri, sizeof(ext.uri)) < 0)
        return LIMIT(err, "a=extmap URI longer than %d bytes", PRISM_SDP_URI_LEN);
    for (uint8_t i = 0; i < *count; i++) {
        if (list[i].id == ext.id)
            return SYNTAX(err, "a=extmap id %u used twice", ext.id);
    }
    if (*count == PRISM_SDP_MAX_EXTMAPS)
        return LIMIT(err, "more than %d a=extmap lines", PRISM_SDP_MAX_EXTMAPS);
    list[(*count)++] = ext;
    return 0;
}
