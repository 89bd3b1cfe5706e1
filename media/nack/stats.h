/* RFC 3550 reception statistics of one incoming RTP stream: packets expected and lost
 * (appendix A.3), interarrival jitter (appendix A.8) and the last SR echo, turned into a
 * report block for an RR. The loss detector (media/nack/receiver.h) decides which packets
 * count and feeds them in; this file only does the arithmetic. Sans-IO, no allocation. */
#ifndef PRISM_MEDIA_NACK_STATS_H
#define PRISM_MEDIA_NACK_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "media/rtcp/rtcp.h"

/* Sequence numbers are extended (64-bit, as media/rtp/seq.h unwraps them). Embedded in its
 * stream's receiver; one thread. */
struct prism_nack_stats {
    uint32_t clock_rate; /* RTP timestamp units per second */
    bool started;
    int64_t base_seq; /* first packet since the start or the last restart */
    int64_t highest_seq;
    uint64_t received;
    uint64_t expected_prior; /* at the previous report, for the fraction lost */
    uint64_t received_prior;
    uint64_t jitter_q4; /* jitter in timestamp units, times 16 (A.8's scaled form) */
    uint32_t last_transit;
    bool have_transit;
    uint32_t last_sr; /* middle 32 bits of the last SR's NTP time */
    uint64_t last_sr_at_us;
    bool have_sr;
};

void prism_nack_stats_init(struct prism_nack_stats *s, uint32_t clock_rate);

/* Starts (or restarts, RFC 3550 A.1 init_seq) counting at ext_seq, which is then received. */
void prism_nack_stats_start(struct prism_nack_stats *s, int64_t ext_seq);

/* Counts one received packet; ext_seq beyond the highest raises it. */
void prism_nack_stats_received(struct prism_nack_stats *s, int64_t ext_seq);

/* Feeds one packet's RTP timestamp and arrival time into the jitter estimate. Leave out packets
 * whose transit time says nothing about the network path (retransmissions). */
void prism_nack_stats_jitter(struct prism_nack_stats *s, uint32_t rtp_timestamp,
                             uint64_t arrival_us);

/* Remembers an SR from the stream's sender (its NTP time) for LSR/DLSR. */
void prism_nack_stats_on_sr(struct prism_nack_stats *s, uint64_t ntp, uint64_t now_us);

/* Packets expected since the start, and lost (expected - received, negative with duplicates). */
uint64_t prism_nack_stats_expected(const struct prism_nack_stats *s);
int64_t prism_nack_stats_lost(const struct prism_nack_stats *s);

/* The current interarrival jitter in timestamp units. */
uint32_t prism_nack_stats_jitter_value(const struct prism_nack_stats *s);

/* Fills a report block about ssrc and starts a new interval for the fraction lost. Returns 0, or
 * -ENODATA when no packet has been counted yet (RFC 3550 reports only on sources heard). */
int prism_nack_stats_report(struct prism_nack_stats *s, uint32_t ssrc, uint64_t now_us,
                            struct prism_rtcp_report_block *out);

#endif
