/* Wrap-aware RTP sequence number and timestamp arithmetic (serial number arithmetic, RFC 1982),
 * and unwrapping to 64-bit counters for the NACK buffer, statistics and reports.
 * Header-only: these run several times per packet. */
#ifndef PRISM_MEDIA_RTP_SEQ_H
#define PRISM_MEDIA_RTP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/* Signed distance from b to a, in -32768..32767 (a - b modulo 2^16). */
static inline int16_t prism_rtp_seq_diff(uint16_t a, uint16_t b)
{
    return (int16_t)(uint16_t)(a - b);
}

/* True when a comes after b. Exactly half the circle apart counts as neither newer nor older. */
static inline bool prism_rtp_seq_newer(uint16_t a, uint16_t b)
{
    return prism_rtp_seq_diff(a, b) > 0;
}

/* Signed distance from b to a for 32-bit RTP timestamps. */
static inline int32_t prism_rtp_ts_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static inline bool prism_rtp_ts_newer(uint32_t a, uint32_t b)
{
    return prism_rtp_ts_diff(a, b) > 0;
}

/* Extends 16-bit sequence numbers to a 64-bit count (cycles << 16 | seq, as RFC 3550 A.1 does)
 * relative to the highest value seen. Zero-initialise it; owned by one stream, one thread. */
struct prism_rtp_seq_unwrapper {
    int64_t highest;
    bool started;
};

/* Returns the extended value of seq: the one closest to the highest seen so far. The first value
 * is seq itself; packets reordered from before the very first one come out negative. */
static inline int64_t prism_rtp_seq_unwrap(struct prism_rtp_seq_unwrapper *u, uint16_t seq)
{
    if (!u->started) {
        u->started = true;
        u->highest = seq;
        return seq;
    }
    int64_t value = u->highest + prism_rtp_seq_diff(seq, (uint16_t)u->highest);
    if (value > u->highest)
        u->highest = value;
    return value;
}

/* The same for 32-bit RTP timestamps. */
struct prism_rtp_ts_unwrapper {
    int64_t highest;
    bool started;
};

static inline int64_t prism_rtp_ts_unwrap(struct prism_rtp_ts_unwrapper *u, uint32_t ts)
{
    if (!u->started) {
        u->started = true;
        u->highest = ts;
        return ts;
    }
    int64_t value = u->highest + prism_rtp_ts_diff(ts, (uint32_t)u->highest);
    if (value > u->highest)
        u->highest = value;
    return value;
}

#endif
