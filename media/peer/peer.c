/* PeerConnection lifecycle and negotiation: offer in, answer out, candidates both ways. */
#include "media/peer/peer_internal.h"

#include "core/ids.h"
#include "core/log.h"
#include "media/udp/worker_socket.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void local_candidate_cb(void *owner, const char *candidate)
{
    struct prism_peer *peer = owner;
    if (peer->callbacks.local_candidate_cb && !peer->closed && peer->description_sent)
        peer->callbacks.local_candidate_cb(peer->owner, candidate);
}

static void gathering_done_cb(void *owner)
{
    struct prism_peer *peer = owner;
    if (peer->callbacks.gathering_done_cb && !peer->closed && peer->description_sent &&
        !peer->end_of_candidates_sent)
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
    peer->loop = params->loop;
    peer->callbacks = *params->callbacks;
    peer->owner = params->owner;
    peer->controlling = params->controlling;
    struct prism_udp_port *udp_port = NULL;
    if (params->env->ice->lite) {
        int rc = params->env->udp_hub ? prism_udp_hub_port(params->env->udp_hub, params->loop,
                                                           params->worker_index, &udp_port)
                                      : -EINVAL;
        if (rc < 0) {
            free(peer);
            return rc;
        }
    }
    struct prism_ice_params ice = {
        .context = params->context,
        .udp_port = udp_port,
        .loop = params->loop,
        .settings = params->env->ice,
        .controlling = params->controlling,
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
    peer_data_stop(peer);
    if (peer->dtls && prism_dtls_state(peer->dtls) == PRISM_DTLS_STATE_CONNECTED) {
        prism_dtls_close(peer->dtls);
        peer_flush_dtls(peer); /* close_notify, so the remote ends at once */
    }
    prism_ice_destroy(peer->ice);
    peer_recovery_free(peer);
    peer_congestion_free(peer);
    prism_dtls_free(peer->dtls);
    prism_srtp_free(peer->srtp);
    prism_sdp_free(peer->remote);
    prism_sdp_free(peer->local_offer);
    free(peer->media);
    free(peer);
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
    return peer && media_index < peer->media_count && peer->media[media_index].active &&
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

static const char *dtls_state_name(enum prism_dtls_state state)
{
    switch (state) {
    case PRISM_DTLS_STATE_NEW:
        return "new";
    case PRISM_DTLS_STATE_CONNECTING:
        return "connecting";
    case PRISM_DTLS_STATE_CONNECTED:
        return "connected";
    case PRISM_DTLS_STATE_FAILED:
        return "failed";
    case PRISM_DTLS_STATE_CLOSED:
        return "closed";
    }
    return NULL;
}

void prism_peer_get_transport_info(struct prism_peer *peer, struct prism_peer_transport_info *out)
{
    memset(out, 0, sizeof(*out));
    if (peer->ice) {
        out->ice_state = prism_ice_state_name(prism_ice_get_state(peer->ice));
        if (prism_ice_get_selected_pair(peer->ice, out->local, sizeof(out->local), out->remote,
                                        sizeof(out->remote)) < 0)
            out->local[0] = out->remote[0] = '\0';
    }
    if (peer->dtls) {
        out->dtls_state = dtls_state_name(prism_dtls_state(peer->dtls));
        out->dtls_role = peer->dtls_role == PRISM_DTLS_ROLE_CLIENT ? "client" : "server";
        out->dtls_cipher = prism_dtls_cipher(peer->dtls);
    }
    if (peer->srtp)
        out->srtp_profile = prism_srtp_profile_name(peer->srtp_profile);
}

int prism_peer_media_info(const struct prism_peer *peer, unsigned media_index,
                          struct prism_peer_media_info *out)
{
    if (media_index >= peer->media_count)
        return -ENOENT;
    const struct peer_media *media = &peer->media[media_index];
    *out = (struct prism_peer_media_info){
        .mid = media->mid,
        .kind = media->kind,
        .active = media->active,
        .sends = media->sends,
        .receives = media->receives,
        .codec = media->codec,
        .rtx_payload_type = media->rtx_pt,
        .red_payload_type = media->red_pt,
        .remote_ssrc = media->remote_ssrc,
        .simulcast_layers = media->simulcast.layer_count,
        .extmap_count = media->extmap_count,
        .extmap_allow_mixed = media->extmap_allow_mixed,
    };
    memcpy(out->layer_ssrcs, media->simulcast.ssrcs, sizeof(out->layer_ssrcs));
    memcpy(out->extmaps, media->extmaps, sizeof(out->extmaps[0]) * media->extmap_count);
    return 0;
}
