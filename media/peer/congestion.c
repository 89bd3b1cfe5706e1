/* Transport-wide congestion control of a PeerConnection.
 *
 * Receive side: when the remote sends us media with the transport-wide-cc extension and
 * transport-cc feedback was negotiated, every packet's transport sequence number and arrival
 * time are recorded and reported back in RTPFB/15 feedback every PRISM_TWCC_FEEDBACK_INTERVAL_US,
 * so the remote's send-side bandwidth estimation (GoogCC in browsers) gets what it needs, as
 * with Janus.
 *
 * Send side: when we send on an m-line with transport-cc negotiated, every RTP packet we send
 * carries our own transport-wide sequence number (one sequence for the whole PeerConnection,
 * whatever the packet carried from its publisher), and the remote's feedback drives a
 * bandwidth estimator (media/bwe) whose estimate the owner reads. When the owner wants more than
 * the estimate (prism_peer_want_bandwidth), the estimator's probe clusters go out as padding-only
 * RTP packets on a video m-line's RTX stream (media/peer/probe.c). */
#include "media/peer/peer_internal.h"

#include "core/log.h"
#include "media/rtcp/feedback.h"
#include "media/rtp/extension.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The transport-wide-cc id of an m-line the remote sends on with transport-cc feedback. */
static uint8_t receive_twcc_id(const struct peer_media *media)
{
    if (!media->active || !media->receives || !(media->feedback & PRISM_SDP_FB_TRANSPORT_CC))
        return 0;
    for (unsigned e = 0; e < media->extmap_count; e++) {
        if (strcmp(media->extmaps[e].uri, PRISM_SDP_EXT_TWCC) == 0)
            return media->extmaps[e].id;
    }
    return 0;
}

/* The transport-wide-cc id of an m-line we send on with transport-cc feedback. */
static uint8_t send_twcc_id(const struct peer_media *media)
{
    if (!media->active || !media->sends || !(media->feedback & PRISM_SDP_FB_TRANSPORT_CC))
        return 0;
    for (unsigned e = 0; e < media->extmap_count; e++) {
        if (strcmp(media->extmaps[e].uri, PRISM_SDP_EXT_TWCC) == 0)
            return media->extmaps[e].id;
    }
    return 0;
}

static void setup_send_side(struct prism_peer *peer)
{
    uint8_t id = 0;
    for (unsigned i = 0; i < peer->media_count && !id; i++)
        id = send_twcc_id(&peer->media[i]);
    peer->twcc_send_id = id;
    if (!id || peer->bwe)
        return;
    if (prism_bwe_create(NULL, &peer->bwe) < 0) {
        prism_warn("peer", "no memory for bandwidth estimation");
        peer->twcc_send_id = 0;
    }
}

void peer_congestion_setup(struct prism_peer *peer)
{
    setup_send_side(peer);
    uint8_t id = 0;
    for (unsigned i = 0; i < peer->media_count && !id; i++)
        id = receive_twcc_id(&peer->media[i]);
    peer->twcc_receive_id = id;
    if (!id || peer->twcc_receiver)
        return;
    peer->twcc_receiver = malloc(sizeof(*peer->twcc_receiver));
    if (!peer->twcc_receiver) {
        prism_warn("peer", "no memory for transport-wide CC feedback");
        peer->twcc_receive_id = 0;
        return;
    }
    prism_twcc_receiver_init(peer->twcc_receiver);
}

void peer_congestion_free(struct prism_peer *peer)
{
    free(peer->twcc_receiver);
    peer->twcc_receiver = NULL;
    prism_bwe_destroy(peer->bwe);
    peer->bwe = NULL;
}

size_t peer_congestion_on_send(struct prism_peer *peer, uint8_t *data, size_t len, size_t cap,
                               uint64_t now)
{
    if (!peer->twcc_send_id)
        return len;
    int out = prism_rtp_ext_set_u16(data, len, cap, peer->twcc_send_id, peer->twcc_send_seq);
    if (out < 0)
        return len; /* sent without: the estimator never hears of it */
    prism_bwe_on_packet_sent(peer->bwe, peer->twcc_send_seq++, (size_t)out, now);
    return (size_t)out;
}

int peer_congestion_stamp_probe(struct prism_peer *peer, uint8_t *data, size_t len, size_t cap,
                                uint64_t now)
{
    if (!peer->twcc_send_id)
        return -ENOENT;
    int out = prism_rtp_ext_set_u16(data, len, cap, peer->twcc_send_id, peer->twcc_send_seq);
    if (out < 0)
        return out;
    prism_bwe_on_probe_sent(peer->bwe, peer->twcc_send_seq++, (size_t)out, now);
    return out;
}

void peer_congestion_on_feedback(struct prism_peer *peer, const struct prism_rtcp_packet *packet,
                                 uint64_t now)
{
    struct prism_rtcp_twcc twcc;
    if (!peer->bwe || prism_rtcp_twcc_parse(packet, &twcc) < 0)
        return;
    struct prism_rtcp_twcc_iter it;
    struct prism_rtcp_twcc_status status;
    prism_rtcp_twcc_iter_init(&it, &twcc);
    unsigned statuses = 0;
    while (prism_rtcp_twcc_next(&it, &status) == 1) {
        prism_bwe_on_feedback_status(peer->bwe, status.seq, status.received, status.arrival_us);
        statuses++;
    }
    prism_bwe_on_feedback_end(peer->bwe, now);
    peer->stats.twcc_feedback_in++;
    if (prism_log_get_level() >= PRISM_LOG_DEBUG) {
        struct prism_bwe_state st;
        prism_bwe_get_state(peer->bwe, &st);
        prism_debug("bwe",
                    "peer %p: estimate %" PRIu64 " delay %" PRIu64 " loss %" PRIu64
                    " acked %" PRIu64 " signal %d trend %.1f/%.1f samples %u statuses %u loss %.2f",
                    (void *)peer, prism_bwe_estimate(peer->bwe), st.delay_based_bps,
                    st.loss_based_bps, st.acknowledged_bps, (int)st.signal, st.trend,
                    st.threshold_ms, st.delay_samples, statuses, st.loss_fraction);
    }
}

uint64_t prism_peer_bandwidth_estimate(const struct prism_peer *peer)
{
    return peer->bwe && peer->stats.twcc_feedback_in ? prism_bwe_estimate(peer->bwe) : 0;
}

uint64_t prism_peer_feedback_count(const struct prism_peer *peer)
{
    return peer->stats.twcc_feedback_in;
}

uint64_t prism_peer_last_loss_sent_us(const struct prism_peer *peer)
{
    return peer->bwe ? prism_bwe_last_loss_sent_us(peer->bwe) : 0;
}

int prism_peer_bandwidth_state(const struct prism_peer *peer, struct prism_bwe_state *out)
{
    if (!peer->bwe || !peer->stats.twcc_feedback_in)
        return -ENOENT;
    prism_bwe_get_state(peer->bwe, out);
    return 0;
}

void peer_congestion_set_rtt(struct prism_peer *peer, uint64_t rtt_us)
{
    if (peer->bwe && rtt_us)
        prism_bwe_set_rtt(peer->bwe, rtt_us);
}

void peer_congestion_on_receive(struct prism_peer *peer, const struct prism_rtp_header *header,
                                uint64_t now)
{
    struct prism_rtp_ext ext;
    uint16_t seq;
    if (!peer->twcc_receive_id || prism_rtp_ext_find(header, peer->twcc_receive_id, &ext) < 0 ||
        prism_rtp_transport_cc_read(&ext, &seq) < 0)
        return;
    prism_twcc_receiver_on_packet(peer->twcc_receiver, seq, now);
    if (!peer->next_twcc_feedback_us) {
        peer->next_twcc_feedback_us = now + PRISM_TWCC_FEEDBACK_INTERVAL_US;
        peer_timer_rearm(peer);
    }
}

/* The SSRC the feedback names as its media source: the first one the remote sends us (libwebrtc
 * reads none; Janus names the video one). */
static uint32_t feedback_media_ssrc(const struct prism_peer *peer)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        if (peer->media[i].receives && peer->media[i].remote_ssrc)
            return peer->media[i].remote_ssrc;
    }
    return 0;
}

void peer_congestion_poll(struct prism_peer *peer, uint64_t now)
{
    peer_probe_send_due(peer, now);
    if (!peer->twcc_receiver || !peer->next_twcc_feedback_us || now < peer->next_twcc_feedback_us)
        return;
    peer->next_twcc_feedback_us = 0; /* re-armed by the next packet */
    uint8_t *buf = peer->tx;
    size_t cap = sizeof(peer->tx) - PRISM_SRTP_MAX_RTCP_OVERHEAD;
    uint32_t sender = peer_reporting_ssrc(peer), media = feedback_media_ssrc(peer);
    while (prism_twcc_receiver_pending(peer->twcc_receiver)) {
        int len = prism_twcc_receiver_build(peer->twcc_receiver, buf, cap, sender, media);
        if (len <= 0 || peer_send_rtcp(peer, buf, (size_t)len) < 0)
            break;
        peer->stats.twcc_feedback_out++;
    }
}

uint64_t peer_congestion_next_deadline(const struct prism_peer *peer)
{
    uint64_t feedback = peer->next_twcc_feedback_us ? peer->next_twcc_feedback_us : UINT64_MAX;
    uint64_t probe = peer->bwe ? prism_bwe_probe_deadline(peer->bwe) : UINT64_MAX;
    return probe < feedback ? probe : feedback;
}
