/* Receive-side loss detection for one incoming RTP stream: tracks the highest sequence number,
 * remembers the gaps (a bounded list), emits generic NACKs (RFC 4585) when their time comes,
 * gives up after a number of tries and then hints that a keyframe is needed. Also keeps the
 * stream's RFC 3550 reception statistics for receiver reports.
 *
 * Sans-IO: feed it packets with the current time (microseconds, any monotonic origin), call
 * prism_nack_receiver_poll() when prism_nack_receiver_next_deadline() comes, and send what it
 * writes. It never reads a clock, logs or touches a socket. */
#ifndef PRISM_MEDIA_NACK_RECEIVER_H
#define PRISM_MEDIA_NACK_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/nack/stats.h"
#include "media/rtcp/rtcp.h"

#define PRISM_NACK_RECEIVER_DEFAULT_MAX_MISSING 256
#define PRISM_NACK_RECEIVER_MAX_MISSING 4096
#define PRISM_NACK_RECEIVER_DEFAULT_REORDER_US 10000
#define PRISM_NACK_RECEIVER_DEFAULT_RETRY_US 20000
#define PRISM_NACK_RECEIVER_DEFAULT_MAX_NACKS 10
#define PRISM_NACK_RECEIVER_DEFAULT_RTT_US 100000
/* A sequence number this far from the highest one (either way) is not loss or reordering but
 * a jump: it is only believed when the next packet follows it (RFC 3550 A.1's MAX_DROPOUT). */
#define PRISM_NACK_RECEIVER_MAX_DROPOUT 3000

struct prism_nack_receiver_config {
    uint32_t ssrc;             /* the media source whose packets these are */
    uint32_t sender_ssrc;      /* ours, written as the NACK's sender SSRC */
    uint32_t clock_rate;       /* RTP timestamp rate, for the jitter; required */
    size_t max_missing;        /* gaps remembered, 1..4096; a bigger jump resets; 0 = default */
    uint64_t reorder_delay_us; /* wait before the first NACK; 0 = default */
    uint64_t min_retry_interval_us; /* retries every max(RTT, this); 0 = default */
    unsigned max_nacks;             /* NACKs per packet before giving up; 0 = default */
    uint64_t initial_rtt_us;        /* RTT until prism_nack_receiver_set_rtt(); 0 = default */
};

/* What a packet was to the stream. */
enum prism_nack_packet_kind {
    PRISM_NACK_PACKET_NEW,       /* newer than every packet before; gaps it opens are tracked */
    PRISM_NACK_PACKET_RECOVERED, /* filled a gap that was missing */
    PRISM_NACK_PACKET_LATE,      /* older and not missing: a duplicate, or given up on */
    PRISM_NACK_PACKET_PROBATION, /* a jump of MAX_DROPOUT or more: ignored unless confirmed */
    PRISM_NACK_PACKET_RESTARTED, /* the packet after a jump followed it: the stream restarted */
};

/* The outcome of one poll. */
struct prism_nack_poll {
    size_t len;           /* bytes of RTCP NACK written to the buffer, 0 if none was due */
    size_t nacked;        /* sequence numbers in it */
    size_t given_up;      /* packets abandoned by this poll (they stay counted as lost) */
    bool keyframe_needed; /* losses could not be repaired: ask the sender for a keyframe */
};

/* Lifetime counters. */
struct prism_nack_receiver_counters {
    uint64_t missing;     /* now in the list */
    uint64_t nacks_sent;  /* NACK packets written */
    uint64_t seqs_nacked; /* sequence numbers asked for, retries included */
    uint64_t recovered;
    uint64_t given_up;   /* after max_nacks, or pushed out of a full list */
    uint64_t duplicates; /* PRISM_NACK_PACKET_LATE */
    uint64_t resets;     /* jumps bigger than max_missing */
    uint64_t restarts;
};

/* One incoming stream. Owned by the worker thread that receives it; not thread-safe. Memory:
 * about 26 bytes per max_missing entry, allocated by prism_nack_receiver_create(). */
struct prism_nack_receiver;

/* Creates a receiver from cfg (which need not outlive the call): 0 and *out, -EINVAL for a bad
 * configuration or -ENOMEM. */
int prism_nack_receiver_create(const struct prism_nack_receiver_config *cfg,
                               struct prism_nack_receiver **out);

void prism_nack_receiver_destroy(struct prism_nack_receiver *r);

/* The round-trip time to the sender, which paces the NACK retries. */
void prism_nack_receiver_set_rtt(struct prism_nack_receiver *r, uint64_t rtt_us);

/* Accounts for one received packet of the stream. retransmission is true for packets known to
 * be resent (RTX the caller unwrapped): they fill gaps but do not feed the jitter. */
enum prism_nack_packet_kind prism_nack_receiver_on_packet(struct prism_nack_receiver *r,
                                                          uint16_t seq, uint32_t rtp_timestamp,
                                                          bool retransmission, uint64_t now_us);

/* Records an SR from the stream's sender (its NTP time), for the LSR/DLSR of our reports. */
void prism_nack_receiver_on_sr(struct prism_nack_receiver *r, uint64_t ntp, uint64_t now_us);

/* Writes one generic NACK for every missing packet whose time has come, as many as fit in cap
 * (the rest stay due), reschedules them, gives up on those out of tries, and reports in *out.
 * Returns 0 (nothing may be due: then out->len is 0), or -EINVAL / -ENOSPC (cap under 16 bytes,
 * nothing changed). */
int prism_nack_receiver_poll(struct prism_nack_receiver *r, uint64_t now_us, uint8_t *buf,
                             size_t cap, struct prism_nack_poll *out);

/* When prism_nack_receiver_poll() has something to do next: 0 for right away, UINT64_MAX for
 * nothing scheduled. Bounded by max_missing. */
uint64_t prism_nack_receiver_next_deadline(const struct prism_nack_receiver *r);

/* Fills the report block about this stream for an RR or SR and starts a new fraction-lost
 * interval. 0, or -ENODATA before the first packet. */
int prism_nack_receiver_report(struct prism_nack_receiver *r, uint64_t now_us,
                               struct prism_rtcp_report_block *out);

/* The reception statistics (read-only view) and the loss detector's counters. */
const struct prism_nack_stats *prism_nack_receiver_stats(const struct prism_nack_receiver *r);
void prism_nack_receiver_get_counters(const struct prism_nack_receiver *r,
                                      struct prism_nack_receiver_counters *out);

#endif
