/* Receive statistics of one RTP stream: loss, reordering, duplicates and RFC 3550 jitter. */
#include "bench/lib/stats/seq_stats.h"

#include <string.h>

#include "media/rtp/seq.h"

/* Extended sequence numbers start in cycle 1, so a packet reordered from before the very first
 * one (even across a wrap) still has a value at or above zero. */
#define FIRST_CYCLE 0x10000u
#define RESTART_JUMP 3000

static bool window_test(const struct bench_seq_stats *stats, uint32_t ext)
{
    uint32_t bit = ext % BENCH_SEQ_WINDOW;
    return (stats->window[bit / 64] >> (bit % 64)) & 1u;
}

static void window_set(struct bench_seq_stats *stats, uint32_t ext)
{
    uint32_t bit = ext % BENCH_SEQ_WINDOW;
    stats->window[bit / 64] |= UINT64_C(1) << (bit % 64);
}

static void window_clear(struct bench_seq_stats *stats, uint32_t ext)
{
    uint32_t bit = ext % BENCH_SEQ_WINDOW;
    stats->window[bit / 64] &= ~(UINT64_C(1) << (bit % 64));
}

/* Moves max_seq forward to ext, forgetting the window slots that now stand for the new numbers. */
static void advance(struct bench_seq_stats *stats, uint32_t ext)
{
    if (ext - stats->max_seq >= BENCH_SEQ_WINDOW) {
        memset(stats->window, 0, sizeof(stats->window));
    } else {
        for (uint32_t s = stats->max_seq + 1; s != ext + 1; s++)
            window_clear(stats, s);
    }
    stats->max_seq = ext;
}

/* A sender restart: the new numbers continue right after max_seq, so the jump itself is neither
 * loss nor reordering, and the loss counted so far is kept by moving base_seq by the jump. */
static uint32_t restart(struct bench_seq_stats *stats, uint16_t seq)
{
    uint32_t next = stats->max_seq + 1;
    uint32_t ext = next + (uint16_t)(seq - (uint16_t)next);
    stats->base_seq += ext - next;
    memset(stats->window, 0, sizeof(stats->window));
    stats->have_transit = false;
    return ext;
}

/* RFC 3550 A.8, with the arrival time converted to RTP timestamp units. The difference of
 * transits is taken modulo 2^32 so a timestamp wrap does not count as a delay. */
static void update_jitter(struct bench_seq_stats *stats, uint32_t rtp_timestamp,
                          uint64_t arrival_us)
{
    uint64_t arrival = (arrival_us * stats->clock_rate + 500000) / 1000000;
    int64_t transit = (int64_t)(uint32_t)((uint32_t)arrival - rtp_timestamp);
    if (stats->have_transit) {
        int32_t d = (int32_t)(uint32_t)(transit - stats->last_transit);
        double abs_d = d < 0 ? -(double)d : (double)d;
        stats->jitter += (abs_d - stats->jitter) / 16.0;
    }
    stats->last_transit = transit;
    stats->have_transit = true;
}

void bench_seq_stats_init(struct bench_seq_stats *stats, uint32_t clock_rate)
{
    memset(stats, 0, sizeof(*stats));
    stats->clock_rate = clock_rate;
}

void bench_seq_stats_update(struct bench_seq_stats *stats, uint16_t seq, uint32_t rtp_timestamp,
                            uint64_t arrival_us, size_t bytes)
{
    uint32_t ext;
    if (!stats->started) {
        stats->started = true;
        ext = FIRST_CYCLE + seq;
        stats->base_seq = ext;
        stats->max_seq = ext;
    } else {
        int16_t diff = prism_rtp_seq_diff(seq, (uint16_t)stats->max_seq);
        if (diff > RESTART_JUMP || diff < -RESTART_JUMP) {
            ext = restart(stats, seq);
            advance(stats, ext);
        } else if (diff > 0) {
            ext = stats->max_seq + (uint32_t)diff;
            advance(stats, ext);
        } else {
            ext = stats->max_seq - (uint32_t)-diff;
            bool in_window = stats->max_seq - ext < BENCH_SEQ_WINDOW;
            if (in_window && window_test(stats, ext)) {
                stats->duplicates++;
                return;
            }
            stats->reordered++;
            if (ext < stats->base_seq)
                stats->base_seq = ext;
        }
    }
    window_set(stats, ext);
    stats->received++;
    stats->bytes += bytes;
    update_jitter(stats, rtp_timestamp, arrival_us);
}

uint64_t bench_seq_stats_expected(const struct bench_seq_stats *stats)
{
    if (!stats->started)
        return 0;
    return (uint64_t)(stats->max_seq - stats->base_seq) + 1;
}

uint64_t bench_seq_stats_lost(const struct bench_seq_stats *stats)
{
    uint64_t expected = bench_seq_stats_expected(stats);
    return expected > stats->received ? expected - stats->received : 0;
}

double bench_seq_stats_jitter_ms(const struct bench_seq_stats *stats)
{
    if (stats->clock_rate == 0)
        return 0.0;
    return stats->jitter * 1000.0 / stats->clock_rate;
}
