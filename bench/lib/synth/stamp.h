/* The send stamp the bench's publishers put at the start of every media payload (after the
 * codec's own headers) so a receiver can measure one-way latency through the server, and
 * where to find it again. All on the same machine, so CLOCK_MONOTONIC (prism_now_us) is
 * shared by sender and receiver. */
#ifndef PRISM_BENCH_SYNTH_STAMP_H
#define PRISM_BENCH_SYNTH_STAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_STAMP_MAGIC 0x50524253u /* "PRBS" */
#define BENCH_STAMP_LEN 16            /* magic, send time (us), publisher tag */

struct bench_stamp {
    uint64_t send_us;
    uint32_t publisher; /* the sending participant's tag */
};

/* Writes the stamp at buf (cap >= BENCH_STAMP_LEN); returns BENCH_STAMP_LEN or -ENOSPC. */
int bench_stamp_write(uint8_t *buf, size_t cap, const struct bench_stamp *stamp);

/* Finds the stamp in a decrypted RTP payload of ours: after the VP8 payload descriptor and,
 * on the first packet of a frame, the VP8 payload header (video), or after the Opus TOC byte
 * (audio). Returns 0, or -EINVAL when the payload is not one of ours (never reads past len). */
int bench_stamp_read(const uint8_t *payload, size_t len, bool video, struct bench_stamp *out);

/* What a receiver saw of one stream's stamps, to tell a replay from transit: a server that
 * keeps a keyframe for new viewers (a streaming mountpoint) sends it again under a new RTP
 * timestamp with the payload, stamp included, as it was, so its stamp says how old the kept
 * keyframe is, not how long the packet took. A retransmission keeps its RTP timestamp. */
struct bench_stamp_order {
    bool started;
    uint64_t newest_send_us;
    uint32_t newest_timestamp;
};

/* Feeds a stamped packet; false when it is a replay (its RTP timestamp is not older than any
 * seen but its stamp is older than the newest): no latency sample. */
bool bench_stamp_order_fresh(struct bench_stamp_order *order, uint64_t send_us,
                             uint32_t rtp_timestamp);

#endif
