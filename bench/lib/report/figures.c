/* The figures of the summary table and the comparison, and how each is read from a step. */
#include "bench/lib/report/figures.h"

#include <stdio.h>

const struct bench_figure bench_figures[BENCH_FIGURE_COUNT] = {
    {BENCH_FIGURE_LOAD, "load", 0, true, false},
    {BENCH_FIGURE_SEND_PPS, "sent packets/s", 0, false, false},
    {BENCH_FIGURE_SEND_MBPS, "sent Mbit/s", 2, false, false},
    {BENCH_FIGURE_RECV_PPS, "received packets/s", 0, false, false},
    {BENCH_FIGURE_RECV_MBPS, "received Mbit/s", 2, false, false},
    {BENCH_FIGURE_LOSS, "loss %", 3, false, false},
    {BENCH_FIGURE_REORDERED, "reordered", 0, false, false},
    {BENCH_FIGURE_JITTER, "jitter ms", 2, false, false},
    {BENCH_FIGURE_LATENCY_P50, "latency p50 ms", 2, false, false},
    {BENCH_FIGURE_LATENCY_P95, "latency p95 ms", 2, false, false},
    {BENCH_FIGURE_LATENCY_P99, "latency p99 ms", 2, false, false},
    {BENCH_FIGURE_JOIN_P50, "join p50 ms", 1, false, false},
    {BENCH_FIGURE_JOIN_P99, "join p99 ms", 1, false, false},
    {BENCH_FIGURE_JOIN_FAILURES, "join failures", 0, false, false},
    {BENCH_FIGURE_KEYFRAME_P50, "keyframe delay p50 ms", 1, false, false},
    {BENCH_FIGURE_KEYFRAME_P99, "keyframe delay p99 ms", 1, false, false},
    {BENCH_FIGURE_LAYER_SWITCHES, "layer switches", 0, false, false},
    {BENCH_FIGURE_LAYER_SWITCH_P50, "switch keyframe p50 ms", 1, false, false},
    {BENCH_FIGURE_LAYER_SWITCH_P99, "switch keyframe p99 ms", 1, false, false},
    {BENCH_FIGURE_LAYER_KEYFRAMES_OTHER, "keyframes, other layer", 0, false, false},
    {BENCH_FIGURE_REQUESTS_PER_S, "requests/s", 0, false, false},
    {BENCH_FIGURE_REQUEST_P50, "request p50 ms", 2, false, false},
    {BENCH_FIGURE_REQUEST_P99, "request p99 ms", 2, false, false},
    {BENCH_FIGURE_ERRORS, "errors", 0, false, false},
    {BENCH_FIGURE_SERVER_CPU, "server CPU (cores)", 2, false, false},
    {BENCH_FIGURE_SERVER_RSS, "server RSS MB", 1, false, false},
    {BENCH_FIGURE_BENCH_CPU, "bench CPU (cores)", 2, false, false},
    {BENCH_FIGURE_SERVER_PPS_PER_CPU, "server packets/CPU-s", 0, false, false},
    {BENCH_FIGURE_HELD, "held", 0, true, true},
};

double bench_figure_value(const struct bench_figure *figure, const struct bench_step_result *step)
{
    switch (figure->id) {
    case BENCH_FIGURE_LOAD:
        return step->load;
    case BENCH_FIGURE_SEND_PPS:
        return step->send_pps;
    case BENCH_FIGURE_SEND_MBPS:
        return step->send_bps / 1e6;
    case BENCH_FIGURE_RECV_PPS:
        return step->recv_pps;
    case BENCH_FIGURE_RECV_MBPS:
        return step->recv_bps / 1e6;
    case BENCH_FIGURE_LOSS:
        return step->loss_pct;
    case BENCH_FIGURE_REORDERED:
        return (double)step->reordered;
    case BENCH_FIGURE_JITTER:
        return step->jitter_ms;
    case BENCH_FIGURE_LATENCY_P50:
        return step->latency.p50_ms;
    case BENCH_FIGURE_LATENCY_P95:
        return step->latency.p95_ms;
    case BENCH_FIGURE_LATENCY_P99:
        return step->latency.p99_ms;
    case BENCH_FIGURE_JOIN_P50:
        return step->join.p50_ms;
    case BENCH_FIGURE_JOIN_P99:
        return step->join.p99_ms;
    case BENCH_FIGURE_JOIN_FAILURES:
        return step->join_failures;
    case BENCH_FIGURE_KEYFRAME_P50:
        return step->keyframe.p50_ms;
    case BENCH_FIGURE_KEYFRAME_P99:
        return step->keyframe.p99_ms;
    case BENCH_FIGURE_LAYER_SWITCHES:
        return step->layer_switches;
    case BENCH_FIGURE_LAYER_SWITCH_P50:
        return step->layer_switch.p50_ms;
    case BENCH_FIGURE_LAYER_SWITCH_P99:
        return step->layer_switch.p99_ms;
    case BENCH_FIGURE_LAYER_KEYFRAMES_OTHER:
        return step->layer_keyframes_other;
    case BENCH_FIGURE_REQUESTS_PER_S:
        return step->requests_per_s;
    case BENCH_FIGURE_REQUEST_P50:
        return step->request_latency.p50_ms;
    case BENCH_FIGURE_REQUEST_P99:
        return step->request_latency.p99_ms;
    case BENCH_FIGURE_ERRORS:
        return step->errors;
    case BENCH_FIGURE_SERVER_CPU:
        return step->server_cpu;
    case BENCH_FIGURE_SERVER_RSS:
        return step->server_rss_mb;
    case BENCH_FIGURE_BENCH_CPU:
        return step->bench_cpu;
    case BENCH_FIGURE_SERVER_PPS_PER_CPU:
        return step->server_pps_per_cpu;
    case BENCH_FIGURE_HELD:
        return step->held ? 1 : 0;
    case BENCH_FIGURE_COUNT:
        break;
    }
    return 0;
}

void bench_figure_format(const struct bench_figure *figure, const struct bench_step_result *step,
                         char *text, size_t size)
{
    double value = bench_figure_value(figure, step);
    if (figure->yes_no)
        snprintf(text, size, "%s", value != 0 ? "yes" : "no");
    else
        snprintf(text, size, "%.*f", figure->decimals, value);
}

bool bench_figure_shown(const struct bench_figure *figure, const struct bench_step_result *steps,
                        size_t count)
{
    if (figure->always)
        return true;
    for (size_t i = 0; i < count; i++) {
        if (bench_figure_value(figure, &steps[i]) != 0)
            return true;
    }
    return false;
}
