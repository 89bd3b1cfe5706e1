/* The remote side of a PeerConnection's transport: ICE credentials and candidates, the DTLS
 * role and fingerprint, from a remote offer or answer or from trickle. */
#include "media/peer/peer_internal.h"

#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

void peer_set_error(struct prism_sdp_error *err, enum prism_sdp_error_code code,
                    const char *message)
{
    if (!err)
        return;
    err->code = code;
    err->line = 0;
    snprintf(err->message, sizeof(err->message), "%s", message);
}

/* Creates the DTLS engine on the first exchange (RFC 8842): when the remote is passive we are
 * the DTLS client, otherwise (active, or actpass in an offer) we are the server. */
static int setup_dtls(struct prism_peer *peer, const struct prism_sdp_transport *transport,
                      const struct prism_sdp_fingerprint *fingerprint, struct prism_sdp_error *err)
{
    if (peer->dtls) {
        if (memcmp(fingerprint, &peer->remote_fingerprint, sizeof(*fingerprint)) != 0) {
            peer_set_error(err, PRISM_SDP_ERR_MISMATCH, "the DTLS fingerprint changed");
            return -EINVAL;
        }
        return 0;
    }
    struct prism_dtls_fingerprint expected;
    if (fingerprint->length > sizeof(expected.bytes)) {
        peer_set_error(err, PRISM_SDP_ERR_NO_FINGERPRINT, "unsupported DTLS fingerprint");
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
        peer_set_error(err, PRISM_SDP_ERR_NO_FINGERPRINT, "unsupported DTLS fingerprint");
    return rc;
}

/* Feeds the description's candidates (every bundled m-line may carry some) to ICE. */
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

int peer_apply_remote_transport(struct prism_peer *peer, const struct prism_sdp *remote,
                                struct prism_sdp_error *err)
{
    const struct prism_sdp_transport *transport = bundle_transport(remote);
    const struct prism_sdp_fingerprint *fingerprint = transport ? pick_fingerprint(transport)
                                                                : NULL;
    if (!fingerprint) {
        peer_set_error(err, PRISM_SDP_ERR_NO_FINGERPRINT, "no DTLS fingerprint");
        return -EINVAL;
    }
    int rc = setup_dtls(peer, transport, fingerprint, err);
    if (rc < 0)
        return rc;
    rc = prism_ice_set_remote_credentials(peer->ice, transport->ice_ufrag, transport->ice_pwd);
    if (rc < 0) {
        peer_set_error(err, PRISM_SDP_ERR_NO_ICE, "invalid ICE credentials");
        return rc;
    }
    if (rc == 1) {
        prism_info("peer", "ICE restart requested by the remote");
        peer->description_sent = false; /* the new candidates go into the next answer */
    }
    if (!peer->ice_gathering) {
        rc = prism_ice_gather(peer->ice);
        if (rc < 0) {
            peer_set_error(err, PRISM_SDP_ERR_INVALID_ARGUMENT, "cannot gather ICE candidates");
            return rc;
        }
        peer->ice_gathering = true;
    }
    add_sdp_candidates(peer, remote);
    return 0;
}

static void collect_candidate_cb(void *data, const char *candidate)
{
    g_ptr_array_add(data, g_strdup(candidate));
}

void peer_local_transport(struct prism_peer *peer, GPtrArray *candidates,
                          struct prism_sdp_local_transport *out)
{
    prism_ice_foreach_local_candidate(peer->ice, collect_candidate_cb, candidates);
    *out = (struct prism_sdp_local_transport){
        .ice_ufrag = prism_ice_local_ufrag(peer->ice),
        .ice_pwd = prism_ice_local_pwd(peer->ice),
        .fingerprint = peer->env->fingerprint,
        .candidates = (const char *const *)candidates->pdata,
        .candidate_count = candidates->len,
        .end_of_candidates = prism_ice_gathering_done(peer->ice),
        .ice_lite = prism_ice_is_lite(peer->ice),
    };
}

void peer_description_sent(struct prism_peer *peer,
                           const struct prism_sdp_local_transport *transport)
{
    peer->description_sent = true;
    peer->end_of_candidates_sent = transport->end_of_candidates;
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
