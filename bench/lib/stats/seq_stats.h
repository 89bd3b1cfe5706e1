/* Receive statistics of one RTP stream, from the clear RTP header only: packets and bytes,
 * loss (expected minus distinct packets received, RFC 3550 A.3 with 16-bit sequence numbers
 * extended by a cycle count), reordering (arrived after a later sequence number), duplicates
 * (a sequence number seen twice within the last 1024) and interarrival jitter (RFC 3550 A.8).
 * Sans-IO: the caller passes the arrival time. */
#ifndef PRISM_BENCH_STATS_SEQ_STATS_H
#define PRISM_BENCH_STATS_SEQ_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_SEQ_WINDOW 1024

struct bench_seq_stats {
    uint32_t clock_rate; /* RTP timestamp units per second, for jitter */
    bool started;
    uint32_t base_seq;    /* extended sequence number of the first packet */
    uint32_t max_seq;     /* highest extended sequence number seen */
    uint64_t received;    /* distinct packets */
    uint64_t bytes;       /* of the distinct packets, as given */
    uint64_t reordered;   /* arrived with a sequence number below max_seq */
    uint64_t duplicates;  /* seen again within the window; not counted in received */
    double jitter;        /* RFC 3550 estimate, timestamp units */
    int64_t last_transit; /* arrival (timestamp units) minus RTP timestamp */
    bool have_transit;
    uint64_t window[BENCH_SEQ_WINDOW / 64]; /* bit per sequence number mod the window */
};

void bench_seq_stats_init(struct bench_seq_stats *stats, uint32_t clock_rate);

/* Accounts one packet. A jump of more than 3000 sequence numbers either way restarts the
 * stream (RFC 3550 probation is not needed here: the sender is ours). */
void bench_seq_stats_update(struct bench_seq_stats *stats, uint16_t seq, uint32_t rtp_timestamp,
                            uint64_t arrival_us, size_t bytes);

/* Packets the sender sent in the range seen so far (max - base + 1), 0 before the first. */
uint64_t bench_seq_stats_expected(const struct bench_seq_stats *stats);
/* expected - received, never negative. */
uint64_t bench_seq_stats_lost(const struct bench_seq_stats *stats);
double bench_seq_stats_jitter_ms(const struct bench_seq_stats *stats);

#endif
