/* Answering a remote offer: apply it, then write our answer with the transport filled in. */
#include "media/peer/peer_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int prism_peer_apply_offer(struct prism_peer *peer, const char *sdp, size_t len,
                           struct prism_sdp_error *err)
{
    if (peer->closed) {
        peer_set_error(err, PRISM_SDP_ERR_INVALID_ARGUMENT, "the PeerConnection is closed");
        return -EINVAL;
    }
    struct prism_sdp *offer = NULL;
    int rc = prism_sdp_parse(sdp, len, &offer, err);
    if (rc < 0)
        return -EINVAL;
    rc = prism_sdp_validate_offer(offer, err);
    if (rc == 0)
        rc = peer_apply_remote_transport(peer, offer, err);
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

/* Declares what we send on each sending m-line: SSRC, RTX SSRC, CNAME, msid. */
int peer_add_sources(struct prism_peer *peer, struct prism_sdp *sdp)
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
        int rc = prism_sdp_set_source(sdp, media->mid, &source);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int write_answer(struct prism_peer *peer, struct prism_sdp *answer, char **sdp_out,
                        struct prism_sdp_error *err)
{
    int rc = peer_streams_from_exchange(peer, peer->remote, answer, true);
    if (rc == 0) {
        peer_recovery_setup(peer);
        peer_congestion_setup(peer);
        peer_data_from_description(peer, peer->remote);
    }
    if (rc == 0)
        rc = peer_add_sources(peer, answer);
    size_t length = 0;
    if (rc == 0)
        rc = prism_sdp_write_alloc(answer, sdp_out, &length);
    if (rc < 0)
        peer_set_error(err, PRISM_SDP_ERR_LIMIT, "cannot write the answer");
    return rc;
}

int prism_peer_answer(struct prism_peer *peer, struct prism_sdp_answer_options *options,
                      char **sdp_out, struct prism_sdp_error *err)
{
    if (!peer->remote || peer->closed) {
        peer_set_error(err, PRISM_SDP_ERR_INVALID_ARGUMENT, "no remote offer to answer");
        return -EINVAL;
    }
    GPtrArray *candidates = g_ptr_array_new_with_free_func(g_free);
    options->session_id = peer->sdp_session_id;
    options->session_version = ++peer->sdp_version;
    peer_local_transport(peer, candidates, &options->transport);
    struct prism_sdp *answer = NULL;
    int rc = prism_sdp_answer_create(peer->remote, options, &answer, err);
    if (rc == 0) {
        peer_description_sent(peer, &options->transport);
        rc = write_answer(peer, answer, sdp_out, err);
    }
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
