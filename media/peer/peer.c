/* PeerConnection lifecycle and negotiation: offer in, answer out, candidates both ways. */
#include "media/peer/peer_internal.h"

#include "core/ids.h"
#include "core/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void local_candidate_cb(void *owner, const char *candidate)
{
    struct prism_peer *peer = owner;
    if (peer->callbacks.local_candidate_cb && !peer->closed)
        peer->callbacks.local_candidate_cb(peer->owner, candidate);
}

static void gathering_done_cb(void *owner)
{
    struct prism_peer *peer = owner;
    if (peer->callbacks.gathering_done_cb && !peer->closed)
        peer->callbacks.gathering_done_cb(peer->owner);
}

static const struct prism_ice_callbacks ice_callbacks = {
    .local_candidate_cb = local_candidate_cb,
    .gathering_done_cb = gathering_done_cb,
    .state_cb = peer_ice_state_cb,
    .receive_cb = peer_receive_cb,
};

int prism_peer_env_init(struct prism_peer_env *env, const struct prism_ice_settings *ice,
                        struct prism_dtls_context *dtls, const struct prism_dtls_cert *cert)
{
    const struct prism_dtls_fingerprint *own = prism_dtls_cert_fingerprint(cert);
    if (!env || !ice || !dtls || !own || own->len > sizeof(env->fingerprint.bytes))
        return -EINVAL;
    memset(env, 0, sizeof(*env));
    env->ice = ice;
    env->dtls = dtls;
    g_strlcpy(env->fingerprint.algorithm, own->algorithm, sizeof(env->fingerprint.algorithm));
    memcpy(env->fingerprint.bytes, own->bytes, own->len);
    env->fingerprint.length = (uint8_t)own->len;
    return 0;
}

int prism_peer_create(struct prism_peer **out, const struct prism_peer_params *params)
{
    if (!out || !params || !params->env || !params->env->ice || !params->env->dtls ||
        !params->callbacks)
        return -EINVAL;
    if (prism_srtp_init() < 0)
        return -EIO;
    struct prism_peer *peer = calloc(1, sizeof(*peer));
    if (!peer)
        return -ENOMEM;
    peer->env = params->env;
    peer->context = params->context;
    peer->callbacks = *params->callbacks;
    peer->owner = params->owner;
    struct prism_ice_params ice = {
        .context = params->context,
        .settings = params->env->ice,
        .controlling = false,
        .callbacks = &ice_callbacks,
        .owner = peer,
    };
    int rc = prism_ice_create(&peer->ice, &ice);
    if (rc < 0) {
        free(peer);
        return rc;
    }
    snprintf(peer->cname, sizeof(peer->cname), "prism-%012" PRIx64,
             prism_random_id() & 0xffffffffffffu);
    peer->sdp_session_id = prism_random_id();
    peer_timer_start(peer);
    *out = peer;
    return 0;
}

void prism_peer_destroy(struct prism_peer *peer)
{
    if (!peer)
        return;
    peer->closed = true;
    peer_timer_stop(peer);
    if (peer->dtls && prism_dtls_state(peer->dtls) == PRISM_DTLS_STATE_CONNECTED) {
        prism_dtls_close(peer->dtls);
        peer_flush_dtls(peer); /* close_notify, so the remote ends at once */
    }
    prism_ice_destroy(peer->ice);
    prism_dtls_free(peer->dtls);
    prism_srtp_free(peer->srtp);
    prism_sdp_free(peer->remote);
    free(peer);
}

/* Picks the fingerprint to check the remote certificate against: sha-256 when offered. */
static const struct prism_sdp_fingerprint *pick_fingerprint(const struct prism_sdp_transport *t)
{
    for (unsigned i = 0; i < t->fingerprint_count; i++) {
        if (strcasecmp(t->fingerprints[i].algorithm, "sha-256") == 0)
            return &t->fingerprints[i];
    }
    return t->fingerprint_count ? &t->fingerprints[0] : NULL;
}

/* The transport of the BUNDLE group: that of the first active m-line. */
static const struct prism_sdp_transport *bundle_transport(const struct prism_sdp *sdp)
{
    for (unsigned i = 0; i < sdp->media_count; i++) {
        if (!prism_sdp_media_is_rejected(&sdp->media[i]))
            return prism_sdp_media_transport(sdp, &sdp->media[i]);
    }
    return NULL;
}

static void set_error(struct prism_sdp_error *err, enum prism_sdp_error_code code,
                      const char *message)
{
    if (!err)
        return;
    err->code = code;
    err->line = 0;
    snprintf(err->message, sizeof(err->message), "%s", message);
}

/* Creates the DTLS engine on the first offer: RFC 8842, an offerer's actpass or active makes
 * us the passive side (DTLS server), passive makes us the client. */
static int setup_dtls(struct prism_peer *peer, const struct prism_sdp_transport *transport,
                      const struct prism_sdp_fingerprint *fingerprint, struct prism_sdp_error *err)
{
    if (peer->dtls) {
        if (memcmp(fingerprint, &peer->remote_fingerprint, sizeof(*fingerprint)) != 0) {
            set_error(err, PRISM_SDP_ERR_MISMATCH, "the DTLS fingerprint changed");
            return -EINVAL;
        }
        return 0;
    }
    struct prism_dtls_fingerprint expected;
    if (fingerprint->length > sizeof(expected.bytes)) {
        set_error(err, PRISM_SDP_ERR_NO_FINGERPRINT, "unsupported DTLS fingerprint");
        return -EINVAL;
    }
    g_strlcpy(expected.algorithm, fingerprint->algorithm, sizeof(expected.algorithm));
    for (char *c = expected.algorithm; *c; c++)
        *c = g_ascii_tolower(*c);
    memcpy(expected.bytes, fingerprint->bytes, fingerprint->length);
    expected.len = fingerprint->length;
    peer->remote_fingerprint = *fingerprint;
    peer->dtls_role = transport->setup == PRISM_SDP_SETUP_PASSIVE ? PRISM_DTLS_ROLE_CLIENT
                                                                  : PRISM_DTLS_ROLE_SERVER;
    int rc = prism_dtls_new(&peer->dtls, peer->env->dtls, peer->dtls_role, &expected);
    if (rc < 0)
        set_error(err, PRISM_SDP_ERR_NO_FINGERPRINT, "unsupported DTLS fingerprint");
    return rc;
}

/* Feeds the offer's candidates (every bundled m-line may carry some) to ICE. */
static void add_sdp_candidates(struct prism_peer *peer, const struct prism_sdp *sdp)
{
    char text[256];
    bool ended = false;
    for (unsigned i = 0; i < sdp->media_count; i++) {
        const struct prism_sdp_media *media = &sdp->media[i];
        for (unsigned c = 0; c < media->candidate_count; c++) {
            int len = prism_sdp_candidate_write(&media->candidates[c], text, sizeof(text));
            if (len > 0)
                prism_ice_add_remote_candidate(peer->ice, text, (size_t)len);
        }
        ended = ended || media->end_of_candidates;
    }
    if (ended)
        prism_ice_remote_gathering_done(peer->ice);
}

static int apply_transport(struct prism_peer *peer, const struct prism_sdp *offer,
                           struct prism_sdp_error *err)
{
    const struct prism_sdp_transport *transport = bundle_transport(offer);
    const struct prism_sdp_fingerprint *fingerprint = transport ? pick_fingerprint(transport)
                                                                : NULL;
    if (!fingerprint) {
        set_error(err, PRISM_SDP_ERR_NO_FINGERPRINT, "no DTLS fingerprint");
        return -EINVAL;
    }
    int rc = setup_dtls(peer, transport, fingerprint, err);
    if (rc < 0)
        return rc;
    rc = prism_ice_set_remote_credentials(peer->ice, transport->ice_ufrag, transport->ice_pwd);
    if (rc < 0) {
        set_error(err, PRISM_SDP_ERR_NO_ICE, "invalid ICE credentials");
        return rc;
    }
    if (rc == 1)
        prism_info("peer", "ICE restart requested by the remote");
    if (!peer->ice_gathering) {
        rc = prism_ice_gather(peer->ice);
        if (rc < 0) {
            set_error(err, PRISM_SDP_ERR_INVALID_ARGUMENT, "cannot gather ICE candidates");
            return rc;
        }
        peer->ice_gathering = true;
    }
    add_sdp_candidates(peer, offer);
    return 0;
}

int prism_peer_apply_offer(struct prism_peer *peer, const char *sdp, size_t len,
                           struct prism_sdp_error *err)
{
    if (peer->closed) {
        set_error(err, PRISM_SDP_ERR_INVALID_ARGUMENT, "the PeerConnection is closed");
        return -EINVAL;
    }
    struct prism_sdp *offer = NULL;
    int rc = prism_sdp_parse(sdp, len, &offer, err);
    if (rc < 0)
        return -EINVAL;
    rc = prism_sdp_validate_offer(offer, err);
    if (rc == 0)
        rc = apply_transport(peer, offer, err);
    if (rc < 0) {
        prism_sdp_free(offer);
        return -EINVAL;
    }
    prism_sdp_free(peer->remote);
    peer->remote = offer;
    return 0;
}

const struct prism_sdp *prism_peer_remote_description(const struct prism_peer *peer)
{
    return peer->remote;
}

/* Collects the local candidates gathered so far, for the SDP. */
static void collect_candidate_cb(void *data, const char *candidate)
{
    g_ptr_array_add(data, g_strdup(candidate));
}

/* Declares what we send on each sending m-line: SSRC, RTX SSRC, CNAME, msid. */
static int add_sources(struct prism_peer *peer, struct prism_sdp *answer)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        struct peer_media *media = &peer->media[i];
        if (!media->active || !media->sends || media->kind == PRISM_SDP_MEDIA_APPLICATION)
            continue;
        char track[PRISM_SDP_MID_LEN + 16];
        snprintf(track, sizeof(track), "prism-%s", media->mid);
        struct prism_sdp_source source = {
            .ssrc = media->local_ssrc,
            .rtx_ssrc = media->rtx_pt ? media->local_rtx_ssrc : 0,
            .cname = peer->cname,
            .stream_id = "prism",
            .track_id = track,
        };
        int rc = prism_sdp_set_source(answer, media->mid, &source);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int write_answer(struct prism_peer *peer, struct prism_sdp *answer, char **sdp_out,
                        struct prism_sdp_error *err)
{
    int rc = peer_streams_from_answer(peer, peer->remote, answer);
    if (rc == 0)
        rc = add_sources(peer, answer);
    size_t length = 0;
    if (rc == 0)
        rc = prism_sdp_write_alloc(answer, sdp_out, &length);
    if (rc < 0)
        set_error(err, PRISM_SDP_ERR_LIMIT, "cannot write the answer");
    return rc;
}

int prism_peer_answer(struct prism_peer *peer, struct prism_sdp_answer_options *options,
                      char **sdp_out, struct prism_sdp_error *err)
{
    if (!peer->remote || peer->closed) {
        set_error(err, PRISM_SDP_ERR_INVALID_ARGUMENT, "no remote offer to answer");
        return -EINVAL;
    }
    GPtrArray *candidates = g_ptr_array_new_with_free_func(g_free);
    prism_ice_foreach_local_candidate(peer->ice, collect_candidate_cb, candidates);
    options->session_id = peer->sdp_session_id;
    options->session_version = ++peer->sdp_version;
    options->transport = (struct prism_sdp_local_transport){
        .ice_ufrag = prism_ice_local_ufrag(peer->ice),
        .ice_pwd = prism_ice_local_pwd(peer->ice),
        .fingerprint = peer->env->fingerprint,
        .candidates = (const char *const *)candidates->pdata,
        .candidate_count = candidates->len,
        .end_of_candidates = prism_ice_gathering_done(peer->ice),
    };
    struct prism_sdp *answer = NULL;
    int rc = prism_sdp_answer_create(peer->remote, options, &answer, err);
    if (rc == 0)
        rc = write_answer(peer, answer, sdp_out, err);
    prism_sdp_free(answer);
    g_ptr_array_free(candidates, TRUE);
    if (rc == 0) {
        /* Everything the transport needs is in the media table now; a full description is
         * large, so it is not kept. */
        prism_sdp_free(peer->remote);
        peer->remote = NULL;
    }
    if (rc == 0 && peer->dtls_role == PRISM_DTLS_ROLE_CLIENT &&
        prism_dtls_state(peer->dtls) == PRISM_DTLS_STATE_NEW &&
        prism_ice_get_state(peer->ice) >= PRISM_ICE_CONNECTED)
        peer_start_dtls(peer);
    return rc;
}

int prism_peer_add_remote_candidate(struct prism_peer *peer, const char *candidate)
{
    if (peer->closed)
        return 0;
    if (!candidate) {
        prism_ice_remote_gathering_done(peer->ice);
        return 0;
    }
    enum prism_ice_candidate_result result = prism_ice_add_remote_candidate(peer->ice, candidate,
                                                                            strlen(candidate));
    return result == PRISM_ICE_CANDIDATE_MALFORMED ? -EINVAL : 0;
}

bool prism_peer_is_connected(const struct prism_peer *peer)
{
    return peer->connected && !peer->closed;
}

unsigned prism_peer_media_count(const struct prism_peer *peer)
{
    return peer->media_count;
}

bool prism_peer_media_is_video(const struct prism_peer *peer, unsigned media_index)
{
    return media_index < peer->media_count &&
           peer->media[media_index].kind == PRISM_SDP_MEDIA_VIDEO;
}

bool prism_peer_media_sends(const struct prism_peer *peer, unsigned media_index)
{
    return media_index < peer->media_count && peer->media[media_index].active &&
           peer->media[media_index].sends;
}

uint32_t prism_peer_local_ssrc(const struct prism_peer *peer, unsigned media_index)
{
    return prism_peer_media_sends(peer, media_index) ? peer->media[media_index].local_ssrc : 0;
}

int prism_peer_send_payload_type(const struct prism_peer *peer, unsigned media_index)
{
    return prism_peer_media_sends(peer, media_index) ? peer->media[media_index].send_pt : -ENOENT;
}

void prism_peer_get_stats(const struct prism_peer *peer, struct prism_peer_stats *out)
{
    *out = peer->stats;
}
