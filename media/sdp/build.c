/* Helpers for building descriptions: adding codecs and extensions with bound checks, writing
 * our transport into every m-line, the BUNDLE group and the source lines. */
#include "media/sdp/internal.h"

#include <errno.h>
#include <string.h>

int sdp_media_add_codec(struct prism_sdp_media *m, const struct prism_sdp_codec *codec)
{
    if (codec->pt > 127 || prism_sdp_media_codec(m, codec->pt))
        return -EINVAL;
    if (m->codec_count == PRISM_SDP_MAX_CODECS)
        return -E2BIG;
    m->codecs[m->codec_count++] = *codec;
    return 0;
}

int sdp_media_add_extmap(struct prism_sdp_media *m, const struct prism_sdp_extmap *ext)
{
    if (ext->id == 0)
        return -EINVAL;
    for (uint8_t i = 0; i < m->extmap_count; i++) {
        if (m->extmaps[i].id == ext->id)
            return -EINVAL;
    }
    if (m->extmap_count == PRISM_SDP_MAX_EXTMAPS)
        return -E2BIG;
    m->extmaps[m->extmap_count++] = *ext;
    return 0;
}

const struct prism_sdp_media *sdp_extmap_clash(const struct prism_sdp *sdp, unsigned before,
                                               const struct prism_sdp_extmap *ext)
{
    for (unsigned i = 0; i < before && i < sdp->media_count; i++) {
        const struct prism_sdp_media *m = &sdp->media[i];
        if (prism_sdp_media_is_rejected(m))
            continue;
        for (uint8_t e = 0; e < m->extmap_count; e++) {
            if (m->extmaps[e].id == ext->id && strcmp(m->extmaps[e].uri, ext->uri) != 0)
                return m;
        }
    }
    return NULL;
}

#define BAD_ARG(err, ...) sdp_fail(err, 0, PRISM_SDP_ERR_INVALID_ARGUMENT, EINVAL, __VA_ARGS__)

/* Checks and converts our transport once, so that every m-line gets the same copy. */
static int local_transport(const struct prism_sdp_local_transport *t, enum prism_sdp_setup setup,
                           struct prism_sdp_transport *out, struct prism_sdp_error *err)
{
    struct sdp_view ufrag = sdp_view_of(t->ice_ufrag), pwd = sdp_view_of(t->ice_pwd);
    memset(out, 0, sizeof(*out));
    if (!sdp_view_is_ice_chars(ufrag) || ufrag.len < 4 || ufrag.len > PRISM_SDP_ICE_CRED_LEN)
        return BAD_ARG(err, "local ice-ufrag must be 4-256 ICE characters");
    if (!sdp_view_is_ice_chars(pwd) || pwd.len < 22 || pwd.len > PRISM_SDP_ICE_CRED_LEN)
        return BAD_ARG(err, "local ice-pwd must be 22-256 ICE characters");
    const struct prism_sdp_fingerprint *fp = &t->fingerprint;
    size_t expected = fp->algorithm[0] && memchr(fp->algorithm, 0, sizeof(fp->algorithm))
                          ? sdp_fingerprint_hash_length(fp->algorithm)
                          : 0;
    if (!expected || fp->length != expected)
        return BAD_ARG(err, "local fingerprint needs a known hash and its digest length");
    memcpy(out->ice_ufrag, ufrag.ptr, ufrag.len);
    memcpy(out->ice_pwd, pwd.ptr, pwd.len);
    out->ice_trickle = true;
    out->fingerprint_count = 1;
    out->fingerprints[0] = *fp;
    out->setup = setup;
    return 0;
}

int sdp_apply_local_transport(struct prism_sdp *sdp, const struct prism_sdp_local_transport *t,
                              enum prism_sdp_setup setup, struct prism_sdp_error *err)
{
    struct prism_sdp_transport transport;
    int rc = local_transport(t, setup, &transport, err);
    if (rc < 0)
        return rc;
    if (t->candidate_count > PRISM_SDP_MAX_CANDIDATES)
        return sdp_fail(err, 0, PRISM_SDP_ERR_LIMIT, E2BIG, "more than %d local candidates",
                        PRISM_SDP_MAX_CANDIDATES);
    if (t->candidate_count > 0 && !t->candidates)
        return BAD_ARG(err, "candidate_count without candidates");
    sdp->ice_lite = t->ice_lite;
    bool first = true;
    for (unsigned i = 0; i < sdp->media_count; i++) {
        struct prism_sdp_media *m = &sdp->media[i];
        /* Rejected m-lines too: they need none, but aiortc refuses a whole description when
         * any m-line lacks ICE credentials or a=setup. */
        m->transport = transport;
        if (!first || prism_sdp_media_is_rejected(m))
            continue;
        /* With BUNDLE the candidates belong to the first (tagged) m-line only. */
        first = false;
        for (size_t c = 0; c < t->candidate_count; c++) {
            const char *line = t->candidates[c];
            if (!line || prism_sdp_candidate_parse(line, strlen(line), &m->candidates[c]) < 0)
                return BAD_ARG(err, "local candidate %zu is malformed", c);
        }
        m->candidate_count = (uint8_t)t->candidate_count;
        m->end_of_candidates = t->end_of_candidates;
    }
    return 0;
}

int sdp_add_bundle_group(struct prism_sdp *sdp)
{
    struct prism_sdp_group *g = &sdp->groups[0];
    memset(g, 0, sizeof(*g));
    memcpy(g->semantics, "BUNDLE", 7);
    for (unsigned i = 0; i < sdp->media_count; i++) {
        if (!prism_sdp_media_is_rejected(&sdp->media[i]))
            memcpy(g->mids[g->count++], sdp->media[i].mid, sizeof(g->mids[0]));
    }
    sdp->group_count = g->count ? 1 : 0;
    return 0;
}

static int add_source_ssrc(struct prism_sdp_media *m, uint32_t ssrc,
                           const struct prism_sdp_source *src)
{
    if (m->ssrc_count == PRISM_SDP_MAX_SSRCS)
        return -E2BIG;
    struct prism_sdp_ssrc *s = &m->ssrcs[m->ssrc_count++];
    memset(s, 0, sizeof(*s));
    s->ssrc = ssrc;
    memcpy(s->cname, src->cname, strlen(src->cname) + 1);
    memcpy(s->stream_id, m->stream_id, sizeof(s->stream_id));
    memcpy(s->track_id, m->track_id, sizeof(s->track_id));
    return 0;
}

int prism_sdp_set_source(struct prism_sdp *sdp, const char *mid, const struct prism_sdp_source *src)
{
    struct prism_sdp_media *m = (struct prism_sdp_media *)prism_sdp_find_media(sdp, mid);
    if (!sdp || !src)
        return -EINVAL;
    if (!m)
        return -ENOENT;
    if (!strstr(m->proto, "RTP/"))
        return -EINVAL; /* SSRCs belong to RTP m-lines only */
    const char *stream = src->stream_id ? src->stream_id : "-";
    if (src->ssrc == 0 || src->rtx_ssrc == src->ssrc || !src->cname || !src->track_id ||
        !sdp_view_is_visible(sdp_view_of(src->cname)) ||
        !sdp_view_is_visible(sdp_view_of(src->track_id)) ||
        !sdp_view_is_visible(sdp_view_of(stream)))
        return -EINVAL;
    if (strlen(src->cname) > PRISM_SDP_TOKEN_LEN || strlen(stream) > PRISM_SDP_TOKEN_LEN ||
        strlen(src->track_id) > PRISM_SDP_TOKEN_LEN)
        return -E2BIG;
    memcpy(m->stream_id, stream, strlen(stream) + 1);
    memcpy(m->track_id, src->track_id, strlen(src->track_id) + 1);
    m->has_msid = true;
    m->ssrc_count = 0;
    m->ssrc_group_count = 0;
    add_source_ssrc(m, src->ssrc, src);
    if (src->rtx_ssrc) {
        add_source_ssrc(m, src->rtx_ssrc, src);
        struct prism_sdp_ssrc_group *g = &m->ssrc_groups[m->ssrc_group_count++];
        memset(g, 0, sizeof(*g));
        memcpy(g->semantics, "FID", 4);
        g->count = 2;
        g->ssrcs[0] = src->ssrc;
        g->ssrcs[1] = src->rtx_ssrc;
    }
    return 0;
}
