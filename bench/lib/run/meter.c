/* Per-worker measurements and how they become a step result. */
#include "bench/lib/run/meter.h"

#include <string.h>

void bench_meter_init(struct bench_meter *meter)
{
    memset(meter, 0, sizeof(*meter));
    bench_histogram_init(&meter->latency);
    bench_histogram_init(&meter->join);
    bench_histogram_init(&meter->keyframe);
    bench_histogram_init(&meter->layer_switch);
}

void bench_meter_reset_interval(struct bench_meter *meter)
{
    struct bench_histogram join = meter->join;
    unsigned joined = meter->joined, failures = meter->join_failures, errors = meter->errors;
    bench_meter_init(meter);
    meter->join = join;
    meter->joined = joined;
    meter->join_failures = failures;
    meter->errors = errors;
}

void bench_meter_merge(struct bench_meter *into, const struct bench_meter *from)
{
    into->packets_sent += from->packets_sent;
    into->bytes_sent += from->bytes_sent;
    into->packets_received += from->packets_received;
    into->bytes_received += from->bytes_received;
    into->expected += from->expected;
    into->lost += from->lost;
    into->reordered += from->reordered;
    into->duplicates += from->duplicates;
    into->jitter_ms_sum += from->jitter_ms_sum;
    into->jitter_streams += from->jitter_streams;
    bench_histogram_merge(&into->latency, &from->latency);
    bench_histogram_merge(&into->join, &from->join);
    bench_histogram_merge(&into->keyframe, &from->keyframe);
    into->joined += from->joined;
    into->join_failures += from->join_failures;
    into->errors += from->errors;
    into->plis_sent += from->plis_sent;
    into->keyframes_received += from->keyframes_received;
    into->layer_switches += from->layer_switches;
    into->layer_keyframes_asked += from->layer_keyframes_asked;
    into->layer_keyframes_other += from->layer_keyframes_other;
    bench_histogram_merge(&into->layer_switch, &from->layer_switch);
}

void bench_percentiles_from(struct bench_percentiles *out, const struct bench_histogram *h)
{
    out->count = h->count;
    out->p50_ms = (double)bench_histogram_percentile(h, 50) / 1000.0;
    out->p95_ms = (double)bench_histogram_percentile(h, 95) / 1000.0;
    out->p99_ms = (double)bench_histogram_percentile(h, 99) / 1000.0;
    out->max_ms = h->count ? (double)h->max_us / 1000.0 : 0;
    out->mean_ms = bench_histogram_mean(h) / 1000.0;
}

void bench_meter_to_result(const struct bench_meter *meter, double seconds,
                           struct bench_step_result *out)
{
    double s = seconds > 0 ? seconds : 1;
    out->duration_s = seconds;
    out->packets_sent = meter->packets_sent;
    out->bytes_sent = meter->bytes_sent;
    out->packets_received = meter->packets_received;
    out->bytes_received = meter->bytes_received;
    out->send_pps = (double)meter->packets_sent / s;
    out->send_bps = (double)meter->bytes_sent * 8 / s;
    out->recv_pps = (double)meter->packets_received / s;
    out->recv_bps = (double)meter->bytes_received * 8 / s;
    out->expected = meter->expected;
    out->lost = meter->lost;
    out->reordered = meter->reordered;
    out->duplicates = meter->duplicates;
    out->loss_pct = meter->expected ? 100.0 * (double)meter->lost / (double)meter->expected : 0;
    out->jitter_ms = meter->jitter_streams ? meter->jitter_ms_sum / meter->jitter_streams : 0;
    bench_percentiles_from(&out->latency, &meter->latency);
    bench_percentiles_from(&out->join, &meter->join);
    bench_percentiles_from(&out->keyframe, &meter->keyframe);
    out->joined = meter->joined;
    out->join_failures = meter->join_failures;
    out->errors = meter->errors;
    out->layer_switches = meter->layer_switches;
    out->layer_keyframes_asked = meter->layer_keyframes_asked;
    out->layer_keyframes_other = meter->layer_keyframes_other;
    bench_percentiles_from(&out->layer_switch, &meter->layer_switch);
}
