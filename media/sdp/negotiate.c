/* The SFU answerer: validates a remote offer and answers it m-line by m-line, choosing one codec
 * (and its RTX) from the caller's preferences and the header extensions of the allow-list. */
#include "media/sdp/internal.h"
#include "media/sdp/negotiate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *const prism_sdp_default_extensions[] = {
    PRISM_SDP_EXT_MID,
    PRISM_SDP_EXT_RID,
    PRISM_SDP_EXT_REPAIRED_RID,
    PRISM_SDP_EXT_ABS_SEND_TIME,
    PRISM_SDP_EXT_TWCC,
    PRISM_SDP_EXT_AUDIO_LEVEL,
    PRISM_SDP_EXT_VIDEO_ORIENTATION,
    PRISM_SDP_EXT_PLAYOUT_DELAY,
    PRISM_SDP_EXT_DEPENDENCY_DESCRIPTOR,
    PRISM_SDP_EXT_ABS_CAPTURE_TIME,
    PRISM_SDP_EXT_FRAME_MARKING,
};
const size_t prism_sdp_default_extension_count = sizeof(prism_sdp_default_extensions) /
                                                 sizeof(prism_sdp_default_extensions[0]);

static const struct prism_sdp_codec_pref default_audio[] = {{PRISM_SDP_CODEC_OPUS, NULL}};
static const struct prism_sdp_codec_pref default_video[] = {
    {PRISM_SDP_CODEC_VP8, NULL},
    {PRISM_SDP_CODEC_VP9, "0"},
    {PRISM_SDP_CODEC_H264, "42e01f"},
    {PRISM_SDP_CODEC_AV1, "0"},
};

#define REJECT(err, code, ...) sdp_fail(err, 0, code, EINVAL, __VA_ARGS__)

void prism_sdp_answer_options_init(struct prism_sdp_answer_options *o)
{
    memset(o, 0, sizeof(*o));
    o->video_feedback = PRISM_SDP_FB_NACK | PRISM_SDP_FB_NACK_PLI | PRISM_SDP_FB_CCM_FIR |
                        PRISM_SDP_FB_GOOG_REMB | PRISM_SDP_FB_TRANSPORT_CC;
    o->audio_feedback = PRISM_SDP_FB_TRANSPORT_CC;
    o->use_rtx = true;
    o->accept_simulcast = true;
    o->local_direction = PRISM_SDP_SENDRECV;
    o->accept_data_channels = true;
    o->sctp_port = 5000;
    o->sctp_streams = 1024;
    o->max_message_size = 262144;
}

static bool is_rtp(const struct prism_sdp_media *m)
{
    return strstr(m->proto, "RTP/") != NULL;
}

/* DTLS-SRTP with feedback: UDP/TLS/RTP/SAVPF, TCP/DTLS/RTP/SAVPF or the legacy RTP/SAVPF. Plain
 * RTP/AVP and friends cannot be secured, so such m-lines are refused. */
static bool is_secure_rtp(const struct prism_sdp_media *m)
{
    size_t n = strlen(m->proto);
    return n >= 9 && strcmp(m->proto + n - 9, "RTP/SAVPF") == 0;
}

static int validate_media(const struct prism_sdp *offer, unsigned index,
                          struct prism_sdp_error *err)
{
    const struct prism_sdp_media *m = &offer->media[index];
    if (!m->mid[0])
        return REJECT(err, PRISM_SDP_ERR_NO_MID, "m-line %u has no a=mid", index);
    if (prism_sdp_find_media(offer, m->mid) != m)
        return REJECT(err, PRISM_SDP_ERR_NO_MID, "mid %s used twice", m->mid);
    if (!prism_sdp_bundle_contains(offer, m->mid))
        return REJECT(err, PRISM_SDP_ERR_NO_BUNDLE, "offer without BUNDLE for mid %s", m->mid);
    if (is_rtp(m) && !m->rtcp_mux)
        return REJECT(err, PRISM_SDP_ERR_NO_RTCP_MUX, "rtcp-mux required (mid %s)", m->mid);
    const struct prism_sdp_transport *t = prism_sdp_media_transport(offer, m);
    if (strlen(t->ice_ufrag) < 4 || strlen(t->ice_pwd) < 22)
        return REJECT(err, PRISM_SDP_ERR_NO_ICE, "missing or short ice-ufrag/ice-pwd (mid %s)",
                      m->mid);
    if (t->fingerprint_count == 0)
        return REJECT(err, PRISM_SDP_ERR_NO_FINGERPRINT, "missing fingerprint (mid %s)", m->mid);
    if (t->setup == PRISM_SDP_SETUP_HOLDCONN)
        return REJECT(err, PRISM_SDP_ERR_BAD_SETUP, "a=setup:holdconn (mid %s)", m->mid);
    return 0;
}

int prism_sdp_validate_offer(const struct prism_sdp *offer, struct prism_sdp_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!offer)
        return REJECT(err, PRISM_SDP_ERR_INVALID_ARGUMENT, "no offer");
    if (offer->media_count == 0)
        return REJECT(err, PRISM_SDP_ERR_NO_MEDIA, "offer has no m-line");
    for (unsigned i = 0; i < offer->media_count; i++) {
        if (prism_sdp_media_is_rejected(&offer->media[i]))
            continue;
        int rc = validate_media(offer, i, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* --- Codec choice -------------------------------------------------------------------------- */

static bool has_clock(const struct prism_sdp_codec *c)
{
    switch (c->id) {
    case PRISM_SDP_CODEC_OPUS:
        return c->clock_rate == 48000 && c->channels == 2;
    case PRISM_SDP_CODEC_PCMU:
    case PRISM_SDP_CODEC_PCMA:
    case PRISM_SDP_CODEC_G722:
        return c->clock_rate == 8000 && c->channels <= 1;
    default:
        return c->clock_rate == 90000;
    }
}

/* H.264: packetization-mode 1 only, profile matched per RFC 6184; the answer's fmtp carries the
 * negotiated profile-level-id. */
static bool match_h264(const struct prism_sdp_codec *c, const char *profile, char *fmtp)
{
    char mode[4] = "0", plid[8], answer[7], asym[4];
    prism_sdp_fmtp_get(c->fmtp, "packetization-mode", mode, sizeof(mode));
    if (strcmp(mode, "1") != 0)
        return false;
    bool has_plid = prism_sdp_fmtp_get(c->fmtp, "profile-level-id", plid, sizeof(plid));
    if (!profile) {
        snprintf(fmtp, PRISM_SDP_FMTP_LEN + 1, "%s", c->fmtp);
        return true;
    }
    if (!prism_sdp_h264_profile_match(has_plid ? plid : NULL, profile, answer))
        return false;
    bool asymmetric = prism_sdp_fmtp_get(c->fmtp, "level-asymmetry-allowed", asym, sizeof(asym)) &&
                      strcmp(asym, "1") == 0;
    snprintf(fmtp, PRISM_SDP_FMTP_LEN + 1, "%spacketization-mode=1;profile-level-id=%s",
             asymmetric ? "level-asymmetry-allowed=1;" : "", answer);
    return true;
}

/* Opus: the offer's parameters without useinbandfec and usedtx, then those two as the options
 * ask. Parameters that would not fit are dropped whole. */
static void answer_opus_fmtp(const struct prism_sdp_codec *c,
                             const struct prism_sdp_answer_options *o, char *fmtp)
{
    const size_t size = PRISM_SDP_FMTP_LEN + 1;
    struct sdp_view rest = sdp_view_of(c->fmtp), param;
    size_t used = 0;
    fmtp[0] = '\0';
    while (sdp_view_split(&rest, ';', &param)) {
        param = sdp_view_trim(param);
        struct sdp_view value = param, name;
        if (param.len == 0 || !sdp_view_split(&value, '=', &name))
            continue;
        name = sdp_view_trim(name);
        if (sdp_view_ieq(name, "useinbandfec") || sdp_view_ieq(name, "usedtx"))
            continue;
        int n = snprintf(fmtp + used, size - used, "%s%.*s", used ? ";" : "", (int)param.len,
                         param.ptr);
        if (n < 0 || (size_t)n >= size - used) {
            fmtp[used] = '\0';
            continue;
        }
        used += (size_t)n;
    }
    const char *extra[] = {o->opus_fec ? "useinbandfec=1" : NULL, o->opus_dtx ? "usedtx=1" : NULL};
    for (size_t i = 0; i < 2; i++) {
        if (!extra[i])
            continue;
        int n = snprintf(fmtp + used, size - used, "%s%s", used ? ";" : "", extra[i]);
        if (n < 0 || (size_t)n >= size - used) {
            fmtp[used] = '\0';
            continue;
        }
        used += (size_t)n;
    }
}

static bool match_codec(const struct prism_sdp_codec_pref *pref, const struct prism_sdp_codec *c,
                        const struct prism_sdp_answer_options *o, char *fmtp)
{
    char value[16];
    if (c->id != pref->id || !has_clock(c))
        return false;
    if (c->id == PRISM_SDP_CODEC_H264)
        return match_h264(c, pref->profile, fmtp);
    if (c->id == PRISM_SDP_CODEC_OPUS && o->opus_override) {
        answer_opus_fmtp(c, o, fmtp);
        return true;
    }
    const char *key = c->id == PRISM_SDP_CODEC_VP9   ? "profile-id"
                      : c->id == PRISM_SDP_CODEC_AV1 ? "profile"
                                                     : NULL;
    if (key && pref->profile) {
        if (!prism_sdp_fmtp_get(c->fmtp, key, value, sizeof(value)))
            snprintf(value, sizeof(value), "0"); /* both codecs default to profile 0 */
        if (strcmp(value, pref->profile) != 0)
            return false;
    }
    snprintf(fmtp, PRISM_SDP_FMTP_LEN + 1, "%s", c->fmtp);
    return true;
}

/* The offered codec of the first preference the offer can satisfy, or NULL. */
static const struct prism_sdp_codec *choose_codec(const struct prism_sdp_media *om, unsigned index,
                                                  const struct prism_sdp_answer_options *o,
                                                  char *fmtp)
{
    bool video = om->kind == PRISM_SDP_MEDIA_VIDEO;
    const struct prism_sdp_codec_pref *prefs = video ? o->video_codecs : o->audio_codecs;
    size_t count = video ? o->video_codec_count : o->audio_codec_count;
    if (o->media_codecs && index < o->media_codec_count) {
        prefs = &o->media_codecs[index];
        count = prefs->id == PRISM_SDP_CODEC_UNKNOWN ? 0 : 1;
    } else if (!prefs) {
        prefs = video ? default_video : default_audio;
        count = video ? sizeof(default_video) / sizeof(default_video[0])
                      : sizeof(default_audio) / sizeof(default_audio[0]);
    }
    for (size_t p = 0; p < count; p++) {
        for (uint8_t i = 0; i < om->codec_count; i++) {
            if (match_codec(&prefs[p], &om->codecs[i], o, fmtp))
                return &om->codecs[i];
        }
    }
    return NULL;
}

/* --- One m-line ---------------------------------------------------------------------------- */

enum prism_sdp_direction sdp_answer_direction(enum prism_sdp_direction offered,
                                              enum prism_sdp_direction local)
{
    /* As bits: 1 = the answerer sends, 2 = the answerer receives. */
    static const unsigned offer_bits[] = {3, 2, 1, 0}; /* sendrecv, sendonly, recvonly, inactive */
    static const unsigned local_bits[] = {3, 1, 2, 0};
    static const enum prism_sdp_direction from_bits[] = {PRISM_SDP_INACTIVE, PRISM_SDP_SENDONLY,
                                                         PRISM_SDP_RECVONLY, PRISM_SDP_SENDRECV};
    if ((unsigned)offered > PRISM_SDP_INACTIVE || (unsigned)local > PRISM_SDP_INACTIVE)
        return PRISM_SDP_INACTIVE;
    return from_bits[offer_bits[offered] & local_bits[local]];
}

/* Port 0 with one format. An RTP m-line keeps the rtpmap of its first offered codec and
 * rtcp-mux: aiortc refuses a description with an audio or video m-line, rejected or not, that has
 * no codec it knows or no rtcp-mux. */
static void reject_media(const struct prism_sdp_media *om, struct prism_sdp_media *am)
{
    am->port = 0;
    am->direction = PRISM_SDP_INACTIVE;
    am->rtcp_mux = is_rtp(om);
    if (om->codec_count > 0) {
        am->codec_count = 1;
        am->codecs[0] = om->codecs[0];
        am->codecs[0].fmtp[0] = '\0';
        am->codecs[0].feedback = 0;
    }
    memcpy(am->formats, om->formats, sizeof(am->formats));
}

static bool allowed_extension(const char *uri, const struct prism_sdp_answer_options *o)
{
    const char *const *list = o->extensions ? o->extensions : prism_sdp_default_extensions;
    size_t count = o->extensions ? o->extension_count : prism_sdp_default_extension_count;
    for (size_t i = 0; i < count; i++) {
        if (list[i] && strcmp(list[i], uri) == 0)
            return true;
    }
    return false;
}

/* The allowed extensions of the offered m-line, except those whose id an earlier accepted
 * m-line of the answer (all in one BUNDLE group) already gave to another URI: aiortc offers
 * audio-level and abs-send-time both as id 2 on different m-lines. */
static void answer_extensions(const struct prism_sdp_media *om, struct prism_sdp *a, unsigned index,
                              const struct prism_sdp_answer_options *o)
{
    static const enum prism_sdp_direction mirrored[] = {PRISM_SDP_SENDRECV, PRISM_SDP_RECVONLY,
                                                        PRISM_SDP_SENDONLY, PRISM_SDP_INACTIVE};
    struct prism_sdp_media *am = &a->media[index];
    for (uint8_t i = 0; i < om->extmap_count; i++) {
        struct prism_sdp_extmap ext = om->extmaps[i];
        if (!allowed_extension(ext.uri, o) || sdp_extmap_clash(a, index, &ext))
            continue;
        if (ext.has_direction)
            ext.direction = mirrored[ext.direction];
        am->extmaps[am->extmap_count++] = ext; /* fewer than offered: always fits */
    }
}

/* Receiving the offerer's rid simulcast: each offered send rid becomes a recv rid. */
static void answer_simulcast(const struct prism_sdp_media *om, struct prism_sdp_media *am)
{
    if (!om->simulcast_send.count || !prism_sdp_media_extmap_id(am, PRISM_SDP_EXT_RID) ||
        (am->direction != PRISM_SDP_RECVONLY && am->direction != PRISM_SDP_SENDRECV))
        return;
    for (uint8_t i = 0; i < om->rid_count; i++) {
        if (!om->rids[i].send)
            continue;
        struct prism_sdp_rid *rid = &am->rids[am->rid_count++];
        memcpy(rid->id, om->rids[i].id, sizeof(rid->id));
        rid->send = false; /* restrictions dropped: they may name payload types we refused */
    }
    am->simulcast_recv = om->simulcast_send;
}

static void answer_rtp(const struct prism_sdp_media *om, struct prism_sdp *a, unsigned index,
                       const struct prism_sdp_answer_options *o)
{
    struct prism_sdp_media *am = &a->media[index];
    char fmtp[PRISM_SDP_FMTP_LEN + 1] = "";
    const struct prism_sdp_codec *chosen = choose_codec(om, index, o, fmtp);
    if (!chosen || (om->kind != PRISM_SDP_MEDIA_AUDIO && om->kind != PRISM_SDP_MEDIA_VIDEO)) {
        reject_media(om, am);
        return;
    }
    answer_extensions(om, a, index, o);
    uint32_t feedback = om->kind == PRISM_SDP_MEDIA_VIDEO ? o->video_feedback : o->audio_feedback;
    if (!prism_sdp_media_extmap_id(am, PRISM_SDP_EXT_TWCC))
        feedback &= ~(uint32_t)PRISM_SDP_FB_TRANSPORT_CC;
    /* RED goes first: libwebrtc sends it only when it comes before the codec it carries. */
    const struct prism_sdp_codec *red = o->accept_audio_red && om->kind == PRISM_SDP_MEDIA_AUDIO
                                            ? prism_sdp_media_red_for(om, chosen)
                                            : NULL;
    if (red) {
        am->codecs[am->codec_count] = *red;
        am->codecs[am->codec_count++].feedback = 0;
    }
    struct prism_sdp_codec *c = &am->codecs[am->codec_count++];
    *c = *chosen;
    memcpy(c->fmtp, fmtp, sizeof(c->fmtp));
    c->feedback &= feedback;
    const struct prism_sdp_codec *rtx = o->use_rtx ? prism_sdp_media_rtx_for(om, chosen->pt) : NULL;
    if (rtx && rtx->clock_rate == chosen->clock_rate) {
        am->codecs[am->codec_count] = *rtx;
        am->codecs[am->codec_count++].feedback = 0;
    }
    am->port = 9;
    am->direction = sdp_answer_direction(om->direction, o->local_direction);
    am->rtcp_mux = true;
    am->rtcp_rsize = om->rtcp_rsize;
    am->extmap_allow_mixed = om->extmap_allow_mixed;
    if (o->accept_simulcast)
        answer_simulcast(om, am);
}

/* RFC 8841 names UDP/DTLS/SCTP and TCP/DTLS/SCTP; the legacy draft names DTLS/SCTP. */
static bool is_sctp(const struct prism_sdp_media *m)
{
    return strcmp(m->proto, "UDP/DTLS/SCTP") == 0 || strcmp(m->proto, "TCP/DTLS/SCTP") == 0 ||
           strcmp(m->proto, "DTLS/SCTP") == 0;
}

/* Data channels are answered in the syntax they were offered in: "webrtc-datachannel" and
 * a=sctp-port, or the legacy numeric format and a=sctpmap (which old endpoints need back). */
static void answer_application(const struct prism_sdp_media *om, struct prism_sdp_media *am,
                               const struct prism_sdp_answer_options *o)
{
    bool datachannel = om->sctpmap ? strcmp(om->sctpmap_protocol, "webrtc-datachannel") == 0
                                   : strcmp(om->formats, "webrtc-datachannel") == 0;
    if (!o->accept_data_channels || !is_sctp(om) || !datachannel) {
        reject_media(om, am);
        return;
    }
    am->port = 9;
    am->sctp_port = o->sctp_port ? o->sctp_port : 5000;
    am->max_message_size = o->max_message_size;
    if (!om->sctpmap) {
        memcpy(am->formats, om->formats, sizeof(am->formats));
        return;
    }
    am->sctpmap = true;
    am->sctpmap_streams = o->sctp_streams ? o->sctp_streams : 1024;
    memcpy(am->sctpmap_protocol, "webrtc-datachannel", sizeof("webrtc-datachannel"));
    snprintf(am->formats, sizeof(am->formats), "%u", am->sctp_port);
}

static void answer_media(const struct prism_sdp_media *om, struct prism_sdp *a, unsigned index,
                         const struct prism_sdp_answer_options *o)
{
    struct prism_sdp_media *am = &a->media[index];
    memset(am, 0, sizeof(*am));
    am->kind = om->kind;
    memcpy(am->kind_name, om->kind_name, sizeof(am->kind_name));
    memcpy(am->proto, om->proto, sizeof(am->proto));
    memcpy(am->mid, om->mid, sizeof(am->mid));
    if (prism_sdp_media_is_rejected(om) || om->kind == PRISM_SDP_MEDIA_OTHER)
        reject_media(om, am);
    else if (om->kind == PRISM_SDP_MEDIA_APPLICATION)
        answer_application(om, am, o);
    else if (is_secure_rtp(om))
        answer_rtp(om, a, index, o);
    else
        reject_media(om, am);
}

/* RFC 8842: we take the role the offer leaves us, the DTLS server whenever we may. */
static enum prism_sdp_setup answer_setup(const struct prism_sdp *offer)
{
    for (unsigned i = 0; i < offer->media_count; i++) {
        if (!prism_sdp_media_is_rejected(&offer->media[i]))
            return prism_sdp_media_transport(offer, &offer->media[i])->setup ==
                           PRISM_SDP_SETUP_PASSIVE
                       ? PRISM_SDP_SETUP_ACTIVE
                       : PRISM_SDP_SETUP_PASSIVE;
    }
    return PRISM_SDP_SETUP_PASSIVE;
}

int prism_sdp_answer_create(const struct prism_sdp *offer,
                            const struct prism_sdp_answer_options *options,
                            struct prism_sdp **answer, struct prism_sdp_error *err)
{
    if (!options || !answer)
        return REJECT(err, PRISM_SDP_ERR_INVALID_ARGUMENT, "no options or answer pointer");
    int rc = prism_sdp_validate_offer(offer, err);
    if (rc < 0)
        return rc;
    struct prism_sdp *a;
    rc = prism_sdp_new(&a);
    if (rc < 0)
        return rc;
    a->session_id = options->session_id;
    a->session_version = options->session_version;
    a->extmap_allow_mixed = offer->extmap_allow_mixed;
    a->has_msid_semantic = true;
    memcpy(a->msid_semantic, "WMS *", 6);
    for (unsigned i = 0; i < offer->media_count; i++) {
        if (!sdp_add_media(a)) {
            prism_sdp_free(a);
            return -ENOMEM;
        }
        answer_media(&offer->media[i], a, i, options);
    }
    sdp_add_bundle_group(a);
    rc = sdp_apply_local_transport(a, &options->transport, answer_setup(offer), err);
    if (rc < 0) {
        prism_sdp_free(a);
        return rc;
    }
    *answer = a;
    return 0;
}
