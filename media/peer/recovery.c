/* Loss recovery of a PeerConnection: a history of what we send answers the remote's NACKs
 * (RTX when negotiated), loss detection on what we receive sends NACKs and, when repair fails,
 * keyframe requests; both sides feed RTCP reports and slowlink events. */
#include "media/peer/peer_internal.h"

#include "core/metrics.h"

/* The floor of prism_peer_resend_interval_us. */
#define MIN_RESEND_INTERVAL_US 10000u

#include "core/ids.h"
#include "core/log.h"
#include "media/rtcp/feedback.h"

#include <errno.h>
#include <string.h>

#define VIDEO_HISTORY_PACKETS 512
#define AUDIO_HISTORY_PACKETS 128
#define RESEND_BATCH 16

static void create_history(struct peer_media *media)
{
    struct prism_nack_rtx_map map = {media->send_pt, media->rtx_pt};
    struct prism_nack_rtx_config rtx = {
        .ssrc = media->local_rtx_ssrc,
        .first_seq = (uint16_t)prism_random_id(),
        .map = &map,
        .map_count = 1,
    };
    struct prism_nack_history_config config = {
        .ssrc = media->local_ssrc,
        .capacity = media->kind == PRISM_SDP_MEDIA_VIDEO ? VIDEO_HISTORY_PACKETS
                                                         : AUDIO_HISTORY_PACKETS,
        .slot_size = PEER_BUFFER_SIZE - PRISM_SRTP_MAX_RTP_OVERHEAD - 2,
        .rtx = media->rtx_pt ? &rtx : NULL,
    };
    if (prism_nack_history_create(&config, &media->history) < 0)
        prism_warn("peer", "no retransmission history for mid %s", media->mid);
}

static void destroy_layer_receivers(struct peer_media *media)
{
    for (unsigned l = 0; l < PEER_MAX_LAYERS; l++) {
        prism_nack_receiver_destroy(media->layer_receivers[l]);
        media->layer_receivers[l] = NULL;
    }
}

void peer_recovery_setup(struct prism_peer *peer)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        struct peer_media *media = &peer->media[i];
        prism_nack_history_destroy(media->history);
        media->history = NULL;
        prism_nack_receiver_destroy(media->receiver);
        media->receiver = NULL;
        destroy_layer_receivers(media);
        if (media->active && media->sends && (media->feedback & PRISM_SDP_FB_NACK) &&
            !media->nack_owner)
            create_history(media);
    }
}

void peer_recovery_free(struct prism_peer *peer)
{
    for (unsigned i = 0; i < peer->media_capacity; i++) {
        prism_nack_history_destroy(peer->media[i].history);
        prism_nack_receiver_destroy(peer->media[i].receiver);
        peer->media[i].history = NULL;
        peer->media[i].receiver = NULL;
        destroy_layer_receivers(&peer->media[i]);
    }
}

void peer_recovery_on_send(struct peer_media *media, const uint8_t *data, size_t len, uint64_t now)
{
    if (media->history)
        prism_nack_history_store(media->history, data, len, now);
}

/* A receiver for the remote's stream `ssrc` into *slot, made when first needed. */
static struct prism_nack_receiver *make_receiver(struct prism_peer *peer, struct peer_media *media,
                                                 uint32_t ssrc, struct prism_nack_receiver **slot)
{
    if (!*slot && ssrc && media->clock_rate) {
        struct prism_nack_receiver_config config = {
            .ssrc = ssrc,
            .sender_ssrc = peer_reporting_ssrc(peer),
            .clock_rate = media->clock_rate,
        };
        if (prism_nack_receiver_create(&config, slot) < 0)
            return NULL;
        prism_nack_receiver_set_rtt(*slot, (uint64_t)peer->stats.rtt_ms * 1000u);
    }
    return *slot;
}

/* The receiver of the packet's stream: the m-line's primary SSRC, or a simulcast layer's. */
static struct prism_nack_receiver *receiver_for(struct prism_peer *peer, struct peer_media *media,
                                                uint32_t ssrc)
{
    if (ssrc == media->remote_ssrc)
        return make_receiver(peer, media, ssrc, &media->receiver);
    int layer = peer_simulcast_layer_of(media, ssrc);
    if (layer <= 0 || media->simulcast.ssrcs[layer] != ssrc)
        return NULL; /* not a media SSRC of ours (an RTX one: unwrapped before) */
    return make_receiver(peer, media, ssrc, &media->layer_receivers[layer]);
}

bool peer_recovery_on_receive(struct prism_peer *peer, struct peer_media *media,
                              const struct prism_rtp_header *header, bool retransmission,
                              uint64_t now)
{
    struct prism_nack_receiver *receiver = receiver_for(peer, media, header->ssrc);
    if (!receiver)
        return true;
    enum prism_nack_packet_kind kind = prism_nack_receiver_on_packet(
        receiver, header->seq, header->timestamp, retransmission, now);
    /* A retransmission of a packet that is not missing is dropped: libwebrtc senders pad with
     * RTX copies of packets already sent (to probe their own bandwidth). Forwarded, each would
     * be a duplicate that the subscriber's SRTP replay check discards after it took one of our
     * transport-wide sequence numbers, which the subscriber's feedback then reports lost: the
     * loss-based estimate would fall for losses that never happened. */
    if (retransmission && kind == PRISM_NACK_PACKET_LATE)
        return false;
    return kind != PRISM_NACK_PACKET_PROBATION;
}

static struct peer_media *media_sending(struct prism_peer *peer, uint32_t ssrc)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        if (peer->media[i].sends && peer->media[i].local_ssrc == ssrc)
            return &peer->media[i];
    }
    return NULL;
}

void peer_recovery_answer_nack(struct prism_peer *peer, const struct prism_rtcp_packet *packet)
{
    struct prism_rtcp_nack nack;
    if (prism_rtcp_nack_parse(packet, &nack) < 0)
        return;
    peer->stats.nacks_in++;
    prism_metrics_add(PRISM_COUNTER_NACKS_IN, 1);
    struct peer_media *media = media_sending(peer, nack.media_ssrc);
    if (media)
        media->counters.nacks_in++;
    if (media && media->nack_owner && peer->callbacks.feedback_cb) {
        struct prism_peer_feedback feedback = {
            .kind = PRISM_PEER_FEEDBACK_NACK,
            .media_index = (unsigned)(media - peer->media),
            .nack = &nack,
        };
        peer->callbacks.feedback_cb(peer->owner, &feedback);
        return;
    }
    if (!media || !media->history)
        return;
    static _Thread_local uint8_t storage[RESEND_BATCH][PEER_BUFFER_SIZE];
    struct prism_nack_resend_buffer buffers[RESEND_BATCH];
    for (unsigned i = 0; i < RESEND_BATCH; i++)
        buffers[i] = (struct prism_nack_resend_buffer){
            storage[i], PEER_BUFFER_SIZE - PRISM_SRTP_MAX_RTP_OVERHEAD, 0};
    int count = prism_nack_history_answer(media->history, &nack, prism_now_us(), buffers,
                                          RESEND_BATCH, NULL);
    for (int i = 0; i < count; i++) {
        size_t protected_len;
        if (prism_srtp_protect_rtp(peer->srtp, buffers[i].data, buffers[i].len, PEER_BUFFER_SIZE,
                                   &protected_len) == PRISM_SRTP_OK &&
            prism_ice_send(peer->ice, buffers[i].data, protected_len) >= 0) {
            peer->stats.retransmissions_out++;
            media->counters.retransmissions_out++;
            prism_metrics_add(PRISM_COUNTER_RETRANSMISSIONS, 1);
        }
    }
}

/* Sends the NACK of one receiver of m-line `index` when one is due. */
static void poll_receiver(struct prism_peer *peer, unsigned index,
                          struct prism_nack_receiver *receiver, uint64_t now)
{
    struct peer_media *media = &peer->media[index];
    if (!receiver || prism_nack_receiver_next_deadline(receiver) > now)
        return;
    struct prism_nack_poll poll = {0};
    size_t cap = sizeof(peer->tx) - PRISM_SRTP_MAX_RTCP_OVERHEAD;
    if (prism_nack_receiver_poll(receiver, now, peer->tx, cap, &poll) < 0)
        return;
    if (poll.len > 0 && peer_send_rtcp(peer, peer->tx, poll.len) == 0) {
        peer->stats.nacks_out++;
        media->counters.nacks_out++;
        prism_metrics_add(PRISM_COUNTER_NACKS_OUT, 1);
    }
    if (poll.keyframe_needed)
        prism_peer_request_keyframe(peer, index);
}

void peer_recovery_poll(struct prism_peer *peer, uint64_t now)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        if (!(peer->media[i].feedback & PRISM_SDP_FB_NACK))
            continue;
        poll_receiver(peer, i, peer->media[i].receiver, now);
        for (unsigned l = 1; l < PEER_MAX_LAYERS; l++)
            poll_receiver(peer, i, peer->media[i].layer_receivers[l], now);
    }
}

static uint64_t earliest(uint64_t next, const struct prism_nack_receiver *receiver)
{
    uint64_t deadline = receiver ? prism_nack_receiver_next_deadline(receiver) : UINT64_MAX;
    return deadline < next ? deadline : next;
}

uint64_t peer_recovery_next_deadline(const struct prism_peer *peer)
{
    uint64_t next = UINT64_MAX;
    for (unsigned i = 0; i < peer->media_count; i++) {
        const struct peer_media *media = &peer->media[i];
        if (!(media->feedback & PRISM_SDP_FB_NACK))
            continue;
        next = earliest(next, media->receiver);
        for (unsigned l = 1; l < PEER_MAX_LAYERS; l++)
            next = earliest(next, media->layer_receivers[l]);
    }
    return next;
}

size_t peer_recovery_report_blocks(struct prism_peer *peer, uint64_t now,
                                   struct prism_rtcp_report_block *blocks, size_t cap)
{
    size_t count = 0;
    for (unsigned i = 0; i < peer->media_count && count < cap; i++) {
        if (peer->media[i].receiver &&
            prism_nack_receiver_report(peer->media[i].receiver, now, &blocks[count]) == 0)
            count++;
        for (unsigned l = 1; l < PEER_MAX_LAYERS && count < cap; l++) {
            struct prism_nack_receiver *layer = peer->media[i].layer_receivers[l];
            if (layer && prism_nack_receiver_report(layer, now, &blocks[count]) == 0)
                count++;
        }
    }
    return count;
}

void peer_recovery_on_sender_report(struct prism_peer *peer, const struct prism_rtcp_sr *sr,
                                    uint64_t now)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        struct peer_media *media = &peer->media[i];
        if (media->receiver && media->remote_ssrc == sr->info.ssrc)
            prism_nack_receiver_on_sr(media->receiver, sr->info.ntp, now);
        int layer = peer_simulcast_layer_of(media, sr->info.ssrc);
        if (layer > 0 && media->layer_receivers[layer])
            prism_nack_receiver_on_sr(media->layer_receivers[layer], sr->info.ntp, now);
    }
}

/* What the remote says of our streams: its loss of them, for downlink slowlink. */
void peer_recovery_on_reports(struct prism_peer *peer, const struct prism_rtcp_reports *reports)
{
    struct prism_rtcp_report_block block;
    for (unsigned i = 0; i < reports->count; i++) {
        if (prism_rtcp_report_get(reports, i, &block) < 0)
            continue;
        struct peer_media *media = media_sending(peer, block.ssrc);
        if (!media)
            continue;
        int64_t fresh = block.cumulative_lost - media->remote_lost_reported;
        media->remote_lost_reported = block.cumulative_lost;
        if (peer->env->slowlink_threshold && fresh >= (int64_t)peer->env->slowlink_threshold &&
            peer->callbacks.slowlink_cb)
            peer->callbacks.slowlink_cb(peer->owner, media->mid,
                                        media->kind == PRISM_SDP_MEDIA_VIDEO, false,
                                        (unsigned)fresh);
    }
}

void peer_recovery_set_rtt(struct prism_peer *peer, uint64_t rtt_us)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        if (peer->media[i].history)
            prism_nack_history_set_rtt(peer->media[i].history, rtt_us);
        if (peer->media[i].receiver)
            prism_nack_receiver_set_rtt(peer->media[i].receiver, rtt_us);
        for (unsigned l = 1; l < PEER_MAX_LAYERS; l++) {
            if (peer->media[i].layer_receivers[l])
                prism_nack_receiver_set_rtt(peer->media[i].layer_receivers[l], rtt_us);
        }
    }
}

/* Called once per report interval: loss on what the remote sends us (uplink). */
void peer_recovery_check_slowlink(struct prism_peer *peer)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < peer->media_count; i++) {
        struct peer_media *media = &peer->media[i];
        if (!media->receiver)
            continue;
        int64_t lost = prism_nack_stats_lost(prism_nack_receiver_stats(media->receiver));
        uint64_t now_lost = lost > 0 ? (uint64_t)lost : 0;
        uint64_t fresh = now_lost > media->lost_reported ? now_lost - media->lost_reported : 0;
        media->lost_reported = now_lost;
        total += now_lost;
        if (peer->env->slowlink_threshold && fresh >= peer->env->slowlink_threshold &&
            peer->callbacks.slowlink_cb)
            peer->callbacks.slowlink_cb(peer->owner, media->mid,
                                        media->kind == PRISM_SDP_MEDIA_VIDEO, true,
                                        (unsigned)fresh);
        peer->stats.jitter_ms = prism_nack_stats_jitter_value(
                                    prism_nack_receiver_stats(media->receiver)) *
                                1000u / media->clock_rate;
    }
    peer->stats.lost_packets = total;
}

int prism_peer_set_sender_clock(struct prism_peer *peer, unsigned media_index,
                                const struct prism_peer_sender_clock *clock)
{
    if (!peer || media_index >= peer->media_count)
        return -ENOENT;
    struct peer_media *media = &peer->media[media_index];
    media->has_sender_clock = clock != NULL;
    if (clock)
        media->sender_clock = *clock;
    return 0;
}

int prism_peer_media_stats(const struct prism_peer *peer, unsigned media_index,
                           struct prism_peer_stream_stats *out)
{
    if (media_index >= peer->media_count)
        return -ENOENT;
    const struct peer_media *media = &peer->media[media_index];
    *out = media->counters;
    if (media->receiver) {
        const struct prism_nack_stats *stats = prism_nack_receiver_stats(media->receiver);
        int64_t lost = prism_nack_stats_lost(stats);
        out->lost = lost > 0 ? (uint64_t)lost : 0;
        if (media->clock_rate)
            out->jitter_ms = prism_nack_stats_jitter_value(stats) * 1000u / media->clock_rate;
    }
    return 0;
}

int prism_peer_set_nack_owner(struct prism_peer *peer, unsigned media_index, bool owner_answers)
{
    if (!peer || media_index >= PEER_MAX_MEDIA || peer_media_reserve(peer, media_index + 1) < 0)
        return -ENOENT;
    struct peer_media *media = &peer->media[media_index];
    media->nack_owner = owner_answers;
    if (owner_answers) {
        prism_nack_history_destroy(media->history);
        media->history = NULL;
    }
    return 0;
}

/* The RTX version of a packet (RFC 4588 section 4) in out, or -EINVAL. */
static int wrap_rtx(struct peer_media *media, const uint8_t *data, size_t len, uint8_t *out,
                    size_t cap)
{
    struct prism_rtp_header header;
    if (prism_rtp_parse(data, len, &header) < 0 || header.payload_type != media->send_pt)
        return -EINVAL;
    int rtx_len = prism_rtp_rtx_wrap(out, cap, &header, media->rtx_pt, media->local_rtx_ssrc,
                                     media->rtx_seq);
    if (rtx_len < 0)
        return -EINVAL;
    media->rtx_seq++;
    return rtx_len;
}

int prism_peer_resend_rtp(struct prism_peer *peer, unsigned media_index, uint8_t *data, size_t len,
                          size_t cap)
{
    if (!peer->connected || peer->closed)
        return -ENOTCONN;
    if (media_index >= peer->media_count || !peer->media[media_index].sends)
        return -ENOENT;
    if (len < PRISM_RTP_FIXED_HEADER_LEN || cap < len + PRISM_SRTP_MAX_RTP_OVERHEAD)
        return -EINVAL;
    struct peer_media *media = &peer->media[media_index];
    static _Thread_local uint8_t rtx[PEER_BUFFER_SIZE];
    uint8_t *packet = data;
    size_t packet_cap = cap;
    if (media->rtx_pt) {
        int rtx_len = wrap_rtx(media, data, len, rtx, sizeof(rtx) - PRISM_SRTP_MAX_RTP_OVERHEAD);
        if (rtx_len < 0)
            return rtx_len;
        packet = rtx;
        len = (size_t)rtx_len;
        packet_cap = sizeof(rtx);
    }
    /* A retransmission is a packet on the path like any other: it gets its own transport-wide
     * sequence number, so the remote's feedback counts it. */
    len = peer_congestion_on_send(peer, packet, len, packet_cap - PRISM_SRTP_MAX_RTP_OVERHEAD,
                                  peer_now(peer));
    size_t protected_len;
    if (prism_srtp_protect_rtp(peer->srtp, packet, len, packet_cap, &protected_len) !=
        PRISM_SRTP_OK)
        return -EINVAL;
    int sent = prism_ice_send(peer->ice, packet, protected_len);
    if (sent < 0)
        return sent;
    peer->stats.retransmissions_out++;
    media->counters.retransmissions_out++;
    prism_metrics_add(PRISM_COUNTER_RETRANSMISSIONS, 1);
    return 0;
}

uint64_t prism_peer_resend_interval_us(const struct prism_peer *peer)
{
    struct prism_peer_stats stats;
    prism_peer_get_stats(peer, &stats);
    uint64_t interval = (uint64_t)stats.rtt_ms * 1000u;
    return interval < MIN_RESEND_INTERVAL_US ? MIN_RESEND_INTERVAL_US : interval;
}
