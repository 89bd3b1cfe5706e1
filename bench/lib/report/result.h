/* What one measured step of a run produced (one load level), and a whole run (one step, or
 * the steps of a sweep) with what is needed to reproduce it. Filled by the scenarios, written
 * as JSON, printed as a table and plotted by the report module. */
#ifndef PRISM_BENCH_REPORT_RESULT_H
#define PRISM_BENCH_REPORT_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench_percentiles {
    uint64_t count;
    double p50_ms, p95_ms, p99_ms, max_ms, mean_ms;
};

#define BENCH_RESULT_MAX_WORKERS 16

struct bench_step_result {
    unsigned load;     /* participants, viewers or sessions at this step */
    double duration_s; /* measured interval */
    /* Media, summed over every participant of the bench. */
    uint64_t packets_sent, bytes_sent, packets_received, bytes_received;
    double send_pps, send_bps, recv_pps, recv_bps;
    uint64_t expected, lost, reordered, duplicates;
    double loss_pct;                   /* lost / expected */
    double jitter_ms;                  /* mean over received streams */
    struct bench_percentiles latency;  /* one-way, publisher to subscriber through the server */
    struct bench_percentiles join;     /* attach to first media packet */
    struct bench_percentiles keyframe; /* PLI sent to keyframe received */
    unsigned joined, join_failures, errors;
    /* Simulcast: "substream" events, keyframes at the asked layer's size and at another (no
     * switch pending), configure to the asked layer's first keyframe. */
    unsigned layer_switches, layer_keyframes_asked, layer_keyframes_other;
    struct bench_percentiles layer_switch;
    /* API scenario. */
    uint64_t requests;
    double requests_per_s;
    struct bench_percentiles request_latency;
    /* Both processes: CPU in cores over the measured interval, RSS at its end. */
    double server_cpu, bench_cpu;
    double server_rss_mb, bench_rss_mb;
    double server_pps_per_cpu; /* packets the server sent per CPU-second (recv_pps/server_cpu) */
    /* The server's worker threads (prism-wN, from /proc/PID/task): CPU seconds of each over the
     * measured interval, and the busiest one's share of their sum (50 % = an even split of
     * two). 0 workers when the server has no such threads or is not sampled. */
    unsigned server_workers;
    double worker_cpu_s[BENCH_RESULT_MAX_WORKERS];
    double worker_share_max_pct;
    bool bench_saturated; /* the bench used nearly all its cores: figures are a floor */
    bool held;            /* within the sweep limits */
};

struct bench_run {
    char scenario[16];
    char target[32];
    char url[128];
    char command[512];
    char commit[48];
    char machine[128];   /* CPU model and core count */
    char started_at[32]; /* ISO 8601 UTC */
    double max_loss_pct, max_p99_ms;
    struct bench_step_result *steps;
    size_t step_count;
    int max_held_step; /* index of the largest load within limits, -1 = none */
};

void bench_run_init(struct bench_run *run);
/* Appends a copy of step; returns 0 or -ENOMEM. */
int bench_run_add_step(struct bench_run *run, const struct bench_step_result *step);
void bench_run_free(struct bench_run *run);

#endif
