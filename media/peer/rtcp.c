/* RTCP of a PeerConnection: feedback from the remote (keyframe requests, REMB, NACK, reports)
 * and our own periodic reports (SR for what we send, SDES CNAME, REMB). */
#include "media/peer/peer_internal.h"

#include "core/metrics.h"

#include "core/ids.h"
#include "media/rtcp/feedback.h"
#include "media/rtcp/rtcp.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static struct peer_media *media_by_local_ssrc(struct prism_peer *peer, uint32_t ssrc)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        if (peer->media[i].sends && peer->media[i].local_ssrc == ssrc)
            return &peer->media[i];
    }
    return NULL;
}

static void report_feedback(struct prism_peer *peer, enum prism_peer_feedback_kind kind,
                            struct peer_media *media, uint64_t bitrate)
{
    if (!peer->callbacks.feedback_cb)
        return;
    struct prism_peer_feedback feedback = {
        .kind = kind,
        .media_index = media ? (unsigned)(media - peer->media) : 0,
        .bitrate = bitrate,
    };
    peer->callbacks.feedback_cb(peer->owner, &feedback);
}

static void handle_psfb(struct prism_peer *peer, const struct prism_rtcp_packet *packet)
{
    struct prism_rtcp_fb fb;
    if (prism_rtcp_fb_parse(packet, &fb) < 0)
        return;
    if (fb.fmt == PRISM_RTCP_PSFB_PLI) {
        peer->stats.plis_in++;
        prism_metrics_add(PRISM_COUNTER_PLIS_IN, 1);
        struct peer_media *media = media_by_local_ssrc(peer, fb.media_ssrc);
        if (media) {
            media->counters.plis_in++;
            report_feedback(peer, PRISM_PEER_FEEDBACK_KEYFRAME, media, 0);
        }
    } else if (fb.fmt == PRISM_RTCP_PSFB_FIR) {
        struct prism_rtcp_fir fir;
        struct prism_rtcp_fir_entry entry;
        if (prism_rtcp_fir_parse(packet, &fir) < 0)
            return;
        peer->stats.firs_in++;
        prism_metrics_add(PRISM_COUNTER_FIRS_IN, 1);
        for (size_t i = 0; i < fir.count && prism_rtcp_fir_get(&fir, i, &entry) == 0; i++) {
            struct peer_media *media = media_by_local_ssrc(peer, entry.ssrc);
            if (media)
                report_feedback(peer, PRISM_PEER_FEEDBACK_KEYFRAME, media, 0);
        }
    } else if (fb.fmt == PRISM_RTCP_PSFB_AFB) {
        struct prism_rtcp_remb remb;
        if (prism_rtcp_remb_parse(packet, &remb) == 0)
            report_feedback(peer, PRISM_PEER_FEEDBACK_REMB, NULL, remb.bitrate);
    }
}

/* Round-trip time from a report block about one of our streams (RFC 3550 section 6.4.1). */
static void update_rtt(struct prism_peer *peer, const struct prism_rtcp_reports *reports)
{
    struct prism_rtcp_report_block block;
    for (unsigned i = 0; i < reports->count; i++) {
        if (prism_rtcp_report_get(reports, i, &block) < 0 || !block.last_sr ||
            !media_by_local_ssrc(peer, block.ssrc))
            continue;
        struct timespec wall;
        clock_gettime(CLOCK_REALTIME, &wall);
        uint64_t unix_us = (uint64_t)wall.tv_sec * 1000000u + (uint64_t)wall.tv_nsec / 1000u;
        uint32_t now = prism_rtcp_ntp_compact(prism_rtcp_ntp_from_unix_us(unix_us));
        uint32_t rtt = now - block.last_sr - block.delay_since_last_sr; /* 1/65536 s */
        if (rtt < 65536u * 10u) {
            peer->stats.rtt_ms = (uint32_t)(((uint64_t)rtt * 1000u) >> 16);
            peer_recovery_set_rtt(peer, ((uint64_t)rtt * 1000000u) >> 16);
        }
    }
}

static void handle_reports(struct prism_peer *peer, const struct prism_rtcp_reports *reports)
{
    update_rtt(peer, reports);
    peer_recovery_on_reports(peer, reports);
}

/* The remote's clock for one of the streams it sends us, to the owner. */
static void report_sender(struct prism_peer *peer, const struct prism_rtcp_sender_info *info,
                          uint64_t now)
{
    for (unsigned i = 0; peer->callbacks.feedback_cb && i < peer->media_count; i++) {
        if (!peer->media[i].receives || peer->media[i].remote_ssrc != info->ssrc)
            continue;
        struct prism_peer_feedback feedback = {
            .kind = PRISM_PEER_FEEDBACK_SENDER_REPORT,
            .media_index = i,
            .sender = info,
            .arrival_us = now,
        };
        peer->callbacks.feedback_cb(peer->owner, &feedback);
        return;
    }
}

void peer_handle_rtcp(struct prism_peer *peer, uint8_t *data, size_t len)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet packet;
    prism_rtcp_iter_init(&it, data, len);
    while (prism_rtcp_next(&it, &packet) == 1) {
        if (packet.type == PRISM_RTCP_PSFB) {
            handle_psfb(peer, &packet);
        } else if (packet.type == PRISM_RTCP_RTPFB && packet.count == PRISM_RTCP_RTPFB_NACK) {
            peer_recovery_answer_nack(peer, &packet);
        } else if (packet.type == PRISM_RTCP_RR) {
            struct prism_rtcp_rr rr;
            if (prism_rtcp_rr_parse(&packet, &rr) == 0)
                handle_reports(peer, &rr.reports);
        } else if (packet.type == PRISM_RTCP_SR) {
            struct prism_rtcp_sr sr;
            if (prism_rtcp_sr_parse(&packet, &sr) == 0) {
                uint64_t now = prism_now_us();
                peer_recovery_on_sender_report(peer, &sr, now);
                report_sender(peer, &sr.info, now);
                handle_reports(peer, &sr.reports);
            }
        }
    }
}

/* The SSRC our RTCP comes from: that of the first stream we send, or a fixed one. */
uint32_t peer_reporting_ssrc(const struct prism_peer *peer)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        if (peer->media[i].active && peer->media[i].sends)
            return peer->media[i].local_ssrc;
    }
    return peer->media_count ? peer->media[0].local_ssrc : 1;
}

/* Microseconds as NTP's 32.32 fixed point seconds. */
static uint64_t ntp_span(uint64_t us)
{
    return ((us / 1000000u) << 32) + ((us % 1000000u) << 32) / 1000000u;
}

/* The NTP and RTP times of an SR sent at `now`: the sender clock the owner gave, extrapolated,
 * or our wall clock and the timestamp of the last packet we sent, advanced by the time since. */
static void sender_clock_now(const struct peer_media *media, uint64_t now, uint64_t unix_us,
                             struct prism_rtcp_sender_info *info)
{
    const struct prism_peer_sender_clock *clock = &media->sender_clock;
    uint64_t base_us = media->has_sender_clock ? clock->at_us : media->last_rtp_time_us;
    uint64_t elapsed = now > base_us ? now - base_us : 0;
    uint32_t ticks = (uint32_t)(elapsed * media->clock_rate / 1000000u);
    if (media->has_sender_clock) {
        info->ntp = clock->ntp + ntp_span(elapsed);
        info->rtp_timestamp = clock->rtp_timestamp + ticks;
    } else {
        info->ntp = prism_rtcp_ntp_from_unix_us(unix_us);
        info->rtp_timestamp = media->last_rtp_timestamp + ticks;
    }
}

/* SRs for the streams we send, the first carrying the reception report blocks; an RR with
 * them when we send nothing. */
static int append_reports(struct prism_peer *peer, uint8_t *buf, size_t cap, uint64_t now)
{
    struct prism_rtcp_report_block blocks[PEER_MAX_MEDIA];
    size_t block_count = peer_recovery_report_blocks(peer, now, blocks, PEER_MAX_MEDIA);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    uint64_t unix_us = (uint64_t)wall.tv_sec * 1000000u + (uint64_t)wall.tv_nsec / 1000u;
    size_t len = 0;
    for (unsigned i = 0; i < peer->media_count; i++) {
        struct peer_media *media = &peer->media[i];
        if (!media->active || !media->sends || !media->packets_sent || !media->clock_rate)
            continue;
        struct prism_rtcp_sender_info info = {
            .ssrc = media->local_ssrc,
            .packet_count = media->packets_sent,
            .octet_count = media->octets_sent,
        };
        sender_clock_now(media, now, unix_us, &info);
        int n = prism_rtcp_build_sr(buf + len, cap - len, &info, blocks, block_count);
        if (n < 0)
            return n;
        len += (size_t)n;
        block_count = 0;
    }
    if (len == 0) {
        int n = prism_rtcp_build_rr(buf, cap, peer_reporting_ssrc(peer), blocks, block_count);
        return n;
    }
    return (int)len;
}

static int append_remb(struct prism_peer *peer, uint8_t *buf, size_t cap)
{
    uint32_t ssrcs[PEER_MAX_MEDIA];
    size_t count = 0;
    for (unsigned i = 0; i < peer->media_count; i++) {
        if (peer->media[i].receives && peer->media[i].remote_ssrc)
            ssrcs[count++] = peer->media[i].remote_ssrc;
    }
    if (!peer->bitrate_cap || count == 0)
        return 0;
    return prism_rtcp_build_remb(buf, cap, peer_reporting_ssrc(peer), peer->bitrate_cap, ssrcs,
                                 count);
}

void peer_send_reports(struct prism_peer *peer, uint64_t now)
{
    uint8_t *buf = peer->tx;
    size_t cap = sizeof(peer->tx) - PRISM_SRTP_MAX_RTCP_OVERHEAD;
    int len = append_reports(peer, buf, cap, now);
    if (len <= 0)
        return;
    peer_recovery_check_slowlink(peer);
    int n = prism_rtcp_build_sdes_cname(buf + len, cap - (size_t)len, peer_reporting_ssrc(peer),
                                        peer->cname, strlen(peer->cname));
    if (n > 0)
        len += n;
    n = append_remb(peer, buf + len, cap - (size_t)len);
    if (n > 0)
        len += n;
    peer_send_rtcp(peer, buf, (size_t)len);
}

int prism_peer_request_keyframe(struct prism_peer *peer, unsigned media_index)
{
    if (!peer || media_index >= peer->media_count)
        return -ENOENT;
    struct peer_media *media = &peer->media[media_index];
    if (!media->remote_ssrc)
        return -ENOENT;
    uint8_t *buf = peer->tx;
    size_t cap = sizeof(peer->tx) - PRISM_SRTP_MAX_RTCP_OVERHEAD;
    int len;
    if ((media->feedback & PRISM_SDP_FB_NACK_PLI) || !(media->feedback & PRISM_SDP_FB_CCM_FIR)) {
        len = prism_rtcp_build_pli(buf, cap, peer_reporting_ssrc(peer), media->remote_ssrc);
        peer->stats.plis_out++;
        media->counters.plis_out++;
        prism_metrics_add(PRISM_COUNTER_PLIS_OUT, 1);
    } else {
        struct prism_rtcp_fir_entry entry = {media->remote_ssrc, ++media->fir_seq};
        len = prism_rtcp_build_fir(buf, cap, peer_reporting_ssrc(peer), &entry, 1);
    }
    return len < 0 ? len : peer_send_rtcp(peer, buf, (size_t)len);
}

void prism_peer_set_bitrate_cap(struct prism_peer *peer, uint64_t bitrate)
{
    peer->bitrate_cap = bitrate;
    int len = append_remb(peer, peer->tx, sizeof(peer->tx) - PRISM_SRTP_MAX_RTCP_OVERHEAD);
    if (len > 0 && peer->connected)
        peer_send_rtcp(peer, peer->tx, (size_t)len);
}
