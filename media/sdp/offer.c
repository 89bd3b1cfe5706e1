/* The SFU as offerer (subscribers): builds an offer from the caller's streams and checks the
 * remote answer against it. */
#include "media/sdp/internal.h"
#include "media/sdp/negotiate.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#define BAD_ARG(err, ...) sdp_fail(err, 0, PRISM_SDP_ERR_INVALID_ARGUMENT, EINVAL, __VA_ARGS__)
#define MISMATCH(err, ...) sdp_fail(err, 0, PRISM_SDP_ERR_MISMATCH, EINVAL, __VA_ARGS__)

static int offer_codecs(const struct prism_sdp_offer_media *om, struct prism_sdp_media *m,
                        struct prism_sdp_error *err)
{
    for (size_t i = 0; i < om->codec_count; i++) {
        struct prism_sdp_codec c = om->codecs[i];
        if (!memchr(c.name, 0, sizeof(c.name)) || !sdp_view_is_token(sdp_view_of(c.name)) ||
            strchr(c.name, '/') || c.clock_rate == 0 || !memchr(c.fmtp, 0, sizeof(c.fmtp)))
            return BAD_ARG(err, "mid %s: codec %zu needs a name and a clock rate", om->mid, i);
        c.id = prism_sdp_codec_id_from_name(c.name);
        int rc = sdp_media_add_codec(m, &c);
        if (rc == -E2BIG)
            return sdp_fail(err, 0, PRISM_SDP_ERR_LIMIT, E2BIG, "mid %s: too many codecs", om->mid);
        if (rc < 0)
            return BAD_ARG(err, "mid %s: payload type %u invalid or repeated", om->mid, c.pt);
    }
    if (m->codec_count == 0 && !om->rejected)
        return BAD_ARG(err, "mid %s: an RTP m-line needs a codec", om->mid);
    if (m->codec_count == 0)
        m->codec_count = 1; /* a rejected slot still needs one format: payload type 0 */
    return 0;
}

/* The m-line's extensions; every accepted m-line of our offer is in one BUNDLE group, so an id
 * must keep the URI it has on the earlier m-lines. */
static int offer_extmaps(const struct prism_sdp_offer_media *om, struct prism_sdp *sdp,
                         unsigned index, struct prism_sdp_error *err)
{
    struct prism_sdp_media *m = &sdp->media[index];
    for (size_t i = 0; i < om->extmap_count; i++) {
        const struct prism_sdp_extmap *e = &om->extmaps[i];
        if (!memchr(e->uri, 0, sizeof(e->uri)) || !e->uri[0] || strchr(e->uri, ' ') ||
            (unsigned)e->direction > PRISM_SDP_INACTIVE)
            return BAD_ARG(err, "mid %s: extmap %zu invalid", om->mid, i);
        int rc = sdp_media_add_extmap(m, e);
        if (rc == -E2BIG)
            return sdp_fail(err, 0, PRISM_SDP_ERR_LIMIT, E2BIG, "mid %s: too many extmaps",
                            om->mid);
        if (rc < 0)
            return BAD_ARG(err, "mid %s: extmap id %u invalid or repeated", om->mid, e->id);
        const struct prism_sdp_media *other = sdp_extmap_clash(sdp, index, e);
        if (other)
            return BAD_ARG(err,
                           "mid %s: extmap id %u names another URI on mid %s; one BUNDLE "
                           "group needs one URI per id",
                           om->mid, e->id, other->mid);
    }
    return 0;
}

static int offer_media(const struct prism_sdp_offer_options *o, size_t index, struct prism_sdp *sdp,
                       struct prism_sdp_error *err)
{
    const struct prism_sdp_offer_media *om = &o->media[index];
    struct prism_sdp_media *m = sdp_add_media(sdp);
    if (!m)
        return -ENOMEM;
    static const char *const kinds[] = {"audio", "video", "application"};
    if ((unsigned)om->kind > PRISM_SDP_MEDIA_APPLICATION)
        return BAD_ARG(err, "m-line %zu: kind must be audio, video or application", index);
    if (!om->mid || !sdp_view_is_token(sdp_view_of(om->mid)) ||
        sdp_copy_string(om->mid, m->mid, sizeof(m->mid)) < 0 ||
        prism_sdp_find_media(sdp, om->mid) != m)
        return BAD_ARG(err, "m-line %zu: mid missing, too long or repeated", index);
    if ((unsigned)om->direction > PRISM_SDP_INACTIVE)
        return BAD_ARG(err, "mid %s: invalid direction", om->mid);
    m->kind = om->kind;
    memcpy(m->kind_name, kinds[om->kind], strlen(kinds[om->kind]) + 1);
    m->port = om->rejected ? 0 : 9;
    if (om->kind == PRISM_SDP_MEDIA_APPLICATION) {
        memcpy(m->proto, "UDP/DTLS/SCTP", 14);
        memcpy(m->formats, "webrtc-datachannel", 19);
        m->sctp_port = o->sctp_port ? o->sctp_port : 5000;
        m->max_message_size = o->max_message_size ? o->max_message_size : 262144;
        return 0;
    }
    memcpy(m->proto, "UDP/TLS/RTP/SAVPF", 18);
    m->direction = om->rejected ? PRISM_SDP_INACTIVE : om->direction;
    m->rtcp_mux = true;
    m->rtcp_rsize = true;
    int rc = offer_codecs(om, m, err);
    if (rc == 0 && !om->rejected)
        rc = offer_extmaps(om, sdp, (unsigned)index, err);
    for (uint8_t i = 0; i < m->extmap_count; i++)
        sdp->extmap_allow_mixed |= m->extmaps[i].id > 14; /* two-byte header ids */
    sdp->extmap_allow_mixed |= om->extmap_allow_mixed && !om->rejected;
    if (rc == 0 && om->source && !om->rejected) {
        rc = prism_sdp_set_source(sdp, om->mid, om->source);
        if (rc < 0)
            return BAD_ARG(err, "mid %s: invalid source (ssrc, cname, msid)", om->mid);
    }
    return rc;
}

int prism_sdp_offer_create(const struct prism_sdp_offer_options *options, struct prism_sdp **offer,
                           struct prism_sdp_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!options || !offer || !options->media || options->media_count == 0)
        return BAD_ARG(err, "an offer needs at least one m-line");
    if (options->media_count > PRISM_SDP_MAX_MEDIA)
        return sdp_fail(err, 0, PRISM_SDP_ERR_LIMIT, E2BIG, "more than %d m-lines",
                        PRISM_SDP_MAX_MEDIA);
    struct prism_sdp *sdp;
    int rc = prism_sdp_new(&sdp);
    if (rc < 0)
        return rc;
    sdp->session_id = options->session_id;
    sdp->session_version = options->session_version;
    sdp->has_msid_semantic = true;
    memcpy(sdp->msid_semantic, "WMS *", 6);
    for (size_t i = 0; i < options->media_count && rc == 0; i++)
        rc = offer_media(options, i, sdp, err);
    if (rc == 0) {
        sdp_add_bundle_group(sdp);
        rc = sdp_apply_local_transport(sdp, &options->transport, PRISM_SDP_SETUP_ACTPASS, err);
    }
    if (rc < 0) {
        prism_sdp_free(sdp);
        return rc;
    }
    *offer = sdp;
    return 0;
}

/* --- The remote answer --------------------------------------------------------------------- */

static int check_transport(const struct prism_sdp *answer, const struct prism_sdp_media *am,
                           struct prism_sdp_error *err)
{
    const struct prism_sdp_transport *t = prism_sdp_media_transport(answer, am);
    if (strlen(t->ice_ufrag) < 4 || strlen(t->ice_pwd) < 22)
        return sdp_fail(err, 0, PRISM_SDP_ERR_NO_ICE, EINVAL,
                        "answer mid %s lacks ICE "
                        "credentials",
                        am->mid);
    if (t->fingerprint_count == 0)
        return sdp_fail(err, 0, PRISM_SDP_ERR_NO_FINGERPRINT, EINVAL,
                        "answer mid %s lacks a fingerprint", am->mid);
    if (t->setup != PRISM_SDP_SETUP_ACTIVE && t->setup != PRISM_SDP_SETUP_PASSIVE)
        return sdp_fail(err, 0, PRISM_SDP_ERR_BAD_SETUP, EINVAL,
                        "answer mid %s: a=setup must be active or passive", am->mid);
    return 0;
}

/* Everything the answer selected must have been offered, with the same meaning. */
static int check_selection(const struct prism_sdp_media *om, const struct prism_sdp_media *am,
                           struct prism_sdp_error *err)
{
    for (uint8_t i = 0; i < am->codec_count; i++) {
        const struct prism_sdp_codec *offered = prism_sdp_media_codec(om, am->codecs[i].pt);
        if (!offered || strcasecmp(offered->name, am->codecs[i].name) != 0)
            return MISMATCH(err, "answer mid %s: payload type %u was not offered as %s", am->mid,
                            am->codecs[i].pt, am->codecs[i].name);
    }
    for (uint8_t i = 0; i < am->extmap_count; i++) {
        bool offered = false;
        for (uint8_t j = 0; j < om->extmap_count; j++)
            offered |= om->extmaps[j].id == am->extmaps[i].id &&
                       strcmp(om->extmaps[j].uri, am->extmaps[i].uri) == 0;
        if (!offered)
            return MISMATCH(err, "answer mid %s: extmap %u was not offered", am->mid,
                            am->extmaps[i].id);
    }
    bool rtp = strstr(am->proto, "RTP/") != NULL;
    if (rtp && sdp_answer_direction(om->direction, am->direction) != am->direction)
        return MISMATCH(err, "answer mid %s: direction %s does not fit the offer", am->mid,
                        sdp_direction_name(am->direction));
    return 0;
}

static int check_media(const struct prism_sdp *answer, const struct prism_sdp_media *om,
                       const struct prism_sdp_media *am, struct prism_sdp_error *err)
{
    if (strcmp(om->kind_name, am->kind_name) != 0 || strcmp(om->mid, am->mid) != 0)
        return MISMATCH(err, "answer m-line %s does not match offered %s %s", am->mid,
                        om->kind_name, om->mid);
    if (prism_sdp_media_is_rejected(am))
        return 0;
    if (prism_sdp_media_is_rejected(om))
        return MISMATCH(err, "answer accepts mid %s that the offer rejected", am->mid);
    if (!prism_sdp_bundle_contains(answer, am->mid))
        return sdp_fail(err, 0, PRISM_SDP_ERR_NO_BUNDLE, EINVAL,
                        "answer mid %s outside the BUNDLE group", am->mid);
    if (strstr(am->proto, "RTP/") && !am->rtcp_mux)
        return sdp_fail(err, 0, PRISM_SDP_ERR_NO_RTCP_MUX, EINVAL,
                        "rtcp-mux required (answer mid %s)", am->mid);
    int rc = check_transport(answer, am, err);
    return rc < 0 ? rc : check_selection(om, am, err);
}

int prism_sdp_validate_answer(const struct prism_sdp *offer, const struct prism_sdp *answer,
                              struct prism_sdp_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!offer || !answer)
        return BAD_ARG(err, "no offer or answer");
    if (offer->media_count != answer->media_count)
        return MISMATCH(err, "answer has %u m-lines, the offer %u", answer->media_count,
                        offer->media_count);
    for (unsigned i = 0; i < answer->media_count; i++) {
        int rc = check_media(answer, &offer->media[i], &answer->media[i], err);
        if (rc < 0)
            return rc;
    }
    return 0;
}
