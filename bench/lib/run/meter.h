/* What the simulated participants of one bench worker measured: counters and histograms
 * written by that worker's thread only, read by the controller through a job on the worker
 * (bench_workers_collect), reset at the start of each measured interval. Per-stream loss lives
 * in the endpoints; an endpoint that goes away folds its streams into `retired_*` first. */
#ifndef PRISM_BENCH_RUN_METER_H
#define PRISM_BENCH_RUN_METER_H

#include "bench/lib/report/result.h"
#include "bench/lib/stats/histogram.h"

#include <stdint.h>

struct bench_meter {
    uint64_t packets_sent, bytes_sent, packets_received, bytes_received;
    uint64_t expected, lost, reordered, duplicates; /* of streams already gone */
    double jitter_ms_sum;                           /* over streams, for the mean */
    uint64_t jitter_streams;
    struct bench_histogram latency;         /* one-way (echo: round trip) */
    struct bench_histogram join;            /* start to first media packet; not reset */
    struct bench_histogram keyframe;        /* PLI to keyframe */
    unsigned joined, join_failures, errors; /* not reset */
    unsigned plis_sent, keyframes_received;
    /* Simulcast (--simulcast): layer changes the server announced ("substream" events), the
     * delay from a configure to the first keyframe of the asked layer's size on a stream, and
     * the keyframes that arrived at the asked size or, with no switch pending, another. */
    unsigned layer_switches, layer_keyframes_asked, layer_keyframes_other;
    struct bench_histogram layer_switch;
};

void bench_meter_init(struct bench_meter *meter);
/* Starts a new measured interval: counters and the latency/keyframe histograms restart. */
void bench_meter_reset_interval(struct bench_meter *meter);
/* Adds `from` into `into` (both whole meters). */
void bench_meter_merge(struct bench_meter *into, const struct bench_meter *from);
/* Fills the media figures of `out` from a merged meter over `seconds`. */
void bench_meter_to_result(const struct bench_meter *meter, double seconds,
                           struct bench_step_result *out);
void bench_percentiles_from(struct bench_percentiles *out, const struct bench_histogram *h);

#endif
