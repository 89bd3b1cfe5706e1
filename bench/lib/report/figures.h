/* Private to the report module: the figures a table or a comparison shows, one row each, in
 * the order they are printed. */
#ifndef PRISM_BENCH_REPORT_FIGURES_H
#define PRISM_BENCH_REPORT_FIGURES_H

#include "bench/lib/report/result.h"

#include <stdbool.h>
#include <stddef.h>

enum bench_figure_id {
    BENCH_FIGURE_LOAD,
    BENCH_FIGURE_SEND_PPS,
    BENCH_FIGURE_SEND_MBPS,
    BENCH_FIGURE_RECV_PPS,
    BENCH_FIGURE_RECV_MBPS,
    BENCH_FIGURE_LOSS,
    BENCH_FIGURE_REORDERED,
    BENCH_FIGURE_JITTER,
    BENCH_FIGURE_LATENCY_P50,
    BENCH_FIGURE_LATENCY_P95,
    BENCH_FIGURE_LATENCY_P99,
    BENCH_FIGURE_JOIN_P50,
    BENCH_FIGURE_JOIN_P99,
    BENCH_FIGURE_JOIN_FAILURES,
    BENCH_FIGURE_KEYFRAME_P50,
    BENCH_FIGURE_KEYFRAME_P99,
    BENCH_FIGURE_LAYER_SWITCHES,
    BENCH_FIGURE_LAYER_SWITCH_P50,
    BENCH_FIGURE_LAYER_SWITCH_P99,
    BENCH_FIGURE_LAYER_KEYFRAMES_OTHER,
    BENCH_FIGURE_REQUESTS_PER_S,
    BENCH_FIGURE_REQUEST_P50,
    BENCH_FIGURE_REQUEST_P99,
    BENCH_FIGURE_ERRORS,
    BENCH_FIGURE_SERVER_CPU,
    BENCH_FIGURE_SERVER_RSS,
    BENCH_FIGURE_BENCH_CPU,
    BENCH_FIGURE_SERVER_PPS_PER_CPU,
    BENCH_FIGURE_HELD,
    BENCH_FIGURE_COUNT
};

struct bench_figure {
    enum bench_figure_id id;
    const char *label;
    int decimals;
    bool always; /* shown even when zero at every step */
    bool yes_no; /* a flag, printed as yes/no */
};

/* All figures, indexed by their id. */
extern const struct bench_figure bench_figures[BENCH_FIGURE_COUNT];

/* The figure's value at one step (flags: 1 or 0). */
double bench_figure_value(const struct bench_figure *figure, const struct bench_step_result *step);
/* Formats the figure's value at one step into text. */
void bench_figure_format(const struct bench_figure *figure, const struct bench_step_result *step,
                         char *text, size_t size);
/* Whether a row is worth printing: the figure is always shown or some step has it non-zero. */
bool bench_figure_shown(const struct bench_figure *figure, const struct bench_step_result *steps,
                        size_t count);

#endif
