/* The transport under a PeerConnection: datagrams from ICE to DTLS or SRTP, keying SRTP when
 * DTLS completes, and protected sends. */
#include "media/peer/peer_internal.h"

#include "core/metrics.h"

#include "core/ids.h"
#include "core/log.h"
#include "media/demux.h"
#include "media/rtp/header.h"

#include <errno.h>
#include <string.h>

void peer_close(struct prism_peer *peer, const char *reason)
{
    if (peer->closed)
        return;
    peer->closed = true;
    prism_info("peer", "PeerConnection closed: %s", reason);
    if (peer->callbacks.closed_cb)
        peer->callbacks.closed_cb(peer->owner, reason);
}

static bool ice_can_send(const struct prism_peer *peer)
{
    enum prism_ice_state state = prism_ice_get_state(peer->ice);
    return state == PRISM_ICE_CONNECTED || state == PRISM_ICE_COMPLETED;
}

/* Sends every datagram the DTLS engine has queued. Until ICE has a pair to send on, they stay
 * queued in the engine: the remote's ClientHello can arrive while our side is still checking,
 * and dropping our reply would cost a whole DTLS retransmission timeout. */
void peer_flush_dtls(struct prism_peer *peer)
{
    if (!ice_can_send(peer))
        return;
    int len;
    while ((len = prism_dtls_poll_output(peer->dtls, peer->tx, sizeof(peer->tx))) > 0)
        prism_ice_send(peer->ice, peer->tx, (size_t)len);
}

int peer_start_dtls(struct prism_peer *peer)
{
    int rc = prism_dtls_start(peer->dtls, prism_now_us());
    peer_flush_dtls(peer);
    peer_timer_rearm(peer);
    return rc;
}

void peer_ice_state_cb(void *owner, enum prism_ice_state state)
{
    struct prism_peer *peer = owner;
    prism_debug("peer", "ICE %s", prism_ice_state_name(state));
    if (state == PRISM_ICE_FAILED) {
        peer_close(peer, "ICE failed");
        return;
    }
    if ((state != PRISM_ICE_CONNECTED && state != PRISM_ICE_COMPLETED) || !peer->dtls)
        return;
    /* The client side of DTLS speaks first, once a pair works; a server may have a reply
     * waiting for that pair. */
    if (peer->dtls_role == PRISM_DTLS_ROLE_CLIENT &&
        prism_dtls_state(peer->dtls) == PRISM_DTLS_STATE_NEW)
        peer_start_dtls(peer);
    else
        peer_flush_dtls(peer);
}

static void key_srtp(struct prism_peer *peer)
{
    struct prism_srtp_keys keys;
    struct prism_srtp_config config = {
        .replay_window = peer->env->srtp_replay_window ? peer->env->srtp_replay_window : 1024,
    };
    if (prism_dtls_srtp_keys(peer->dtls, &keys) < 0 ||
        prism_srtp_new(&peer->srtp, &keys, &config) < 0) {
        peer_close(peer, "SRTP keying failed");
        return;
    }
    peer->srtp_profile = keys.profile;
    peer->connected = true;
    peer_data_start(peer);
    prism_info("peer", "DTLS up (%s, %s)", prism_dtls_cipher(peer->dtls),
               prism_srtp_profile_name(keys.profile));
    if (peer->callbacks.connected_cb)
        peer->callbacks.connected_cb(peer->owner);
}

static void receive_dtls(struct prism_peer *peer, const uint8_t *data, size_t len, uint64_t now)
{
    if (!peer->dtls)
        return;
    if (prism_dtls_state(peer->dtls) == PRISM_DTLS_STATE_NEW)
        prism_dtls_start(peer->dtls, now); /* server: the ClientHello arrived */
    prism_dtls_receive(peer->dtls, data, len, now);
    peer_flush_dtls(peer);
    enum prism_dtls_state state = prism_dtls_state(peer->dtls);
    if (state == PRISM_DTLS_STATE_CONNECTED) {
        if (!peer->srtp)
            key_srtp(peer);
        peer_data_receive(peer);
    } else if (state == PRISM_DTLS_STATE_FAILED)
        peer_close(peer, prism_dtls_failure_reason(peer->dtls));
    else if (state == PRISM_DTLS_STATE_CLOSED)
        peer_close(peer, "DTLS closed by the remote");
    peer_timer_rearm(peer);
}

/* A retransmission in RTX form becomes the original packet again, in place. */
static bool unwrap_rtx(struct peer_media *media, struct prism_peer_rtp *packet, int layer)
{
    uint32_t ssrc = layer >= 0 ? media->simulcast.ssrcs[layer] : media->remote_ssrc;
    if (!ssrc)
        return false;
    int len = prism_rtp_rtx_unwrap(packet->data, &packet->header, media->recv_pt, ssrc);
    if (len <= 0)
        return false;
    packet->len = (size_t)len;
    return prism_rtp_parse(packet->data, packet->len, &packet->header) == 0;
}

/* Counted per m-line, so that every stream (video too, not only the busier audio) loses
 * exactly one packet in N. */
static bool lost_by_simulation(const struct prism_peer *peer, struct peer_media *media)
{
    return peer->env->simulate_loss_in && ++media->loss_in_count % peer->env->simulate_loss_in == 0;
}

/* A packet of `media` (simulcast `layer`, or -1) whose header is known (decrypted, or clear
 * header only), which arrived at `now`: RTX unwrap, loss detection, activity, then the owner. */
static void accept_rtp(struct prism_peer *peer, struct peer_media *media, int layer,
                       struct prism_peer_rtp *packet, uint64_t now)
{
    bool retransmission = media && media->rtx_pt && packet->header.payload_type == media->rtx_pt;
    size_t received_len = packet->len; /* before an RTX unwrap */
    if (media)
        peer_congestion_on_receive(peer, &packet->header, now);
    if (!media || (retransmission && !unwrap_rtx(media, packet, layer)) ||
        !peer_recovery_on_receive(peer, media, &packet->header, retransmission, now)) {
        peer->stats.dropped_packets++;
        return;
    }
    peer->stats.rtp_packets_in++;
    peer->stats.rtp_bytes_in += received_len;
    media->counters.packets_in++;
    media->counters.bytes_in += received_len;
    prism_metrics_add(PRISM_COUNTER_RTP_PACKETS_IN, 1);
    prism_metrics_add(PRISM_COUNTER_RTP_BYTES_IN, received_len);
    media->last_packet_us = now;
    if (!media->receiving) {
        media->receiving = true;
        if (peer->callbacks.media_cb)
            peer->callbacks.media_cb(peer->owner, media->mid, media->kind == PRISM_SDP_MEDIA_VIDEO,
                                     true);
    }
    packet->arrival_us = now;
    packet->layer = layer;
    packet->media_index = (unsigned)(media - peer->media);
    packet->mid = media->mid;
    packet->video = media->kind == PRISM_SDP_MEDIA_VIDEO;
    if (peer->callbacks.rtp_cb && !peer->closed)
        peer->callbacks.rtp_cb(peer->owner, packet);
}

/* Unprotects the SRTP packet of `len` bytes in peer->rx and accepts it. */
static void decrypt_rtp(struct prism_peer *peer, size_t len, bool simulate_loss, uint64_t now)
{
    size_t plain_len;
    if (prism_srtp_unprotect_rtp(peer->srtp, peer->rx, len, &plain_len) != PRISM_SRTP_OK) {
        peer->stats.srtp_errors++;
        prism_metrics_add(PRISM_COUNTER_SRTP_ERRORS, 1);
        return;
    }
    struct prism_peer_rtp packet = {.data = peer->rx, .len = plain_len, .cap = sizeof(peer->rx)};
    if (prism_rtp_parse(peer->rx, plain_len, &packet.header) < 0) {
        peer->stats.dropped_packets++;
        return;
    }
    int layer;
    struct peer_media *media = peer_media_for_packet(peer, &packet.header, &layer);
    if (simulate_loss && media && lost_by_simulation(peer, media))
        return;
    accept_rtp(peer, media, layer, &packet, now);
}

#define RTP_PADDING_BIT 0x20

/* With a decrypt filter (the bench): the clear header of the SRTP packet in peer->rx decides
 * whether it is decrypted; a declined packet is accepted from its header alone. */
static void receive_rtp_filtered(struct prism_peer *peer, size_t len, uint64_t now)
{
    size_t tag = prism_srtp_rtp_overhead(peer->srtp);
    struct prism_peer_rtp packet = {
        .data = peer->rx, .len = len - tag, .cap = sizeof(peer->rx), .payload_encrypted = true};
    /* Padding: the count is the last byte of the encrypted payload. */
    if (len <= tag || (peer->rx[0] & RTP_PADDING_BIT) ||
        prism_rtp_parse(peer->rx, packet.len, &packet.header) < 0) {
        decrypt_rtp(peer, len, true, now); /* SRTP judges it */
        return;
    }
    int layer;
    struct peer_media *media = peer_media_for_packet(peer, &packet.header, &layer);
    if (!media) {
        decrypt_rtp(peer, len, true, now);
        return;
    }
    if (lost_by_simulation(peer, media))
        return;
    packet.media_index = (unsigned)(media - peer->media);
    packet.mid = media->mid;
    packet.video = media->kind == PRISM_SDP_MEDIA_VIDEO;
    bool retransmission = media->rtx_pt && packet.header.payload_type == media->rtx_pt;
    if (retransmission || peer->callbacks.decrypt_filter_cb(peer->owner, &packet)) {
        decrypt_rtp(peer, len, false, now);
        return;
    }
    peer->stats.rtp_packets_undecrypted++;
    accept_rtp(peer, media, layer, &packet, now);
}

static void receive_rtp(struct prism_peer *peer, const uint8_t *data, size_t len, uint64_t now)
{
    if (!peer->srtp || len > sizeof(peer->rx))
        return;
    memcpy(peer->rx, data, len);
    if (peer->callbacks.decrypt_filter_cb)
        receive_rtp_filtered(peer, len, now);
    else
        decrypt_rtp(peer, len, true, now);
}

static void receive_rtcp(struct prism_peer *peer, const uint8_t *data, size_t len)
{
    if (!peer->srtp || len > sizeof(peer->rx))
        return;
    memcpy(peer->rx, data, len);
    size_t plain_len;
    if (prism_srtp_unprotect_rtcp(peer->srtp, peer->rx, len, &plain_len) != PRISM_SRTP_OK) {
        peer->stats.srtp_errors++;
        prism_metrics_add(PRISM_COUNTER_SRTP_ERRORS, 1);
        return;
    }
    peer->stats.rtcp_packets_in++;
    prism_metrics_add(PRISM_COUNTER_RTCP_PACKETS_IN, 1);
    peer_handle_rtcp(peer, peer->rx, plain_len);
}

/* The hot path: one call per datagram, from the ICE transport, with its arrival time. */
void peer_receive_cb(void *owner, const uint8_t *data, size_t len, uint64_t now_us)
{
    struct prism_peer *peer = owner;
    if (peer->closed)
        return;
    switch (prism_demux_classify(data, len)) {
    case PRISM_DEMUX_RTP:
        receive_rtp(peer, data, len, now_us);
        break;
    case PRISM_DEMUX_RTCP:
        receive_rtcp(peer, data, len);
        break;
    case PRISM_DEMUX_DTLS:
        receive_dtls(peer, data, len, now_us);
        break;
    default:
        peer->stats.dropped_packets++;
        break;
    }
}

/* Header length of a packet the caller built (for the SR octet count). */
static size_t rtp_header_length(const uint8_t *data, size_t len)
{
    size_t header = PRISM_RTP_FIXED_HEADER_LEN + 4u * (data[0] & 0x0F);
    if ((data[0] & 0x10) && header + 4 <= len)
        header += 4 + 4u * prism_read_be16(data + header + 2);
    return header < len ? header : len;
}

int prism_peer_send_rtp(struct prism_peer *peer, unsigned media_index, uint8_t *data, size_t len,
                        size_t cap)
{
    if (!peer->connected || peer->closed)
        return -ENOTCONN;
    if (media_index >= peer->media_count)
        return -ENOENT;
    struct peer_media *media = &peer->media[media_index];
    uint64_t now = peer_now(peer); /* the wake-up's time: no clock read per copy */
    if (cap >= PRISM_SRTP_MAX_RTP_OVERHEAD)
        len = peer_congestion_on_send(peer, data, len, cap - PRISM_SRTP_MAX_RTP_OVERHEAD, now);
    peer_recovery_on_send(media, data, len, now);
    size_t protected_len;
    if (prism_srtp_protect_rtp(peer->srtp, data, len, cap, &protected_len) != PRISM_SRTP_OK) {
        peer->stats.dropped_packets++;
        return -EINVAL;
    }
    bool simulated_loss = peer->env->simulate_loss_out &&
                          ++media->loss_out_count % peer->env->simulate_loss_out == 0;
    int sent = simulated_loss ? (int)protected_len : prism_ice_send(peer->ice, data, protected_len);
    if (sent < 0)
        return sent;
    peer->stats.rtp_packets_out++;
    peer->stats.rtp_bytes_out += len;
    prism_metrics_add(PRISM_COUNTER_RTP_PACKETS_OUT, 1);
    prism_metrics_add(PRISM_COUNTER_RTP_BYTES_OUT, len);
    media->counters.packets_out++;
    media->counters.bytes_out += len;
    media->packets_sent++;
    media->octets_sent += (uint32_t)(len - rtp_header_length(data, len));
    media->last_rtp_timestamp = prism_read_be32(data + 4);
    media->last_rtp_time_us = now;
    return 0;
}

int peer_send_rtcp(struct prism_peer *peer, uint8_t *data, size_t len)
{
    if (!peer->connected || peer->closed)
        return -ENOTCONN;
    size_t protected_len;
    if (prism_srtp_protect_rtcp(peer->srtp, data, len, PEER_BUFFER_SIZE, &protected_len) !=
        PRISM_SRTP_OK)
        return -EINVAL;
    int sent = prism_ice_send(peer->ice, data, protected_len);
    if (sent >= 0) {
        peer->stats.rtcp_packets_out++;
        prism_metrics_add(PRISM_COUNTER_RTCP_PACKETS_OUT, 1);
    }
    return sent < 0 ? sent : 0;
}

int prism_peer_send_rtcp(struct prism_peer *peer, const uint8_t *data, size_t len)
{
    if (len > sizeof(peer->tx) - PRISM_SRTP_MAX_RTCP_OVERHEAD)
        return -EMSGSIZE;
    memcpy(peer->tx, data, len);
    return peer_send_rtcp(peer, peer->tx, len);
}
