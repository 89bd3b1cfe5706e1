/* Per-worker counters and the latency histogram (see core/metrics.h). */
#include "core/metrics.h"

static _Thread_local struct prism_worker_metrics *thread_metrics;
static _Thread_local struct prism_worker_metrics private_metrics;

void prism_metrics_bind_thread(struct prism_worker_metrics *metrics)
{
    thread_metrics = metrics;
}

struct prism_worker_metrics *prism_metrics_current(void)
{
    return thread_metrics ? thread_metrics : &private_metrics;
}

void prism_metrics_peers_add(struct prism_worker_metrics *metrics, int64_t delta)
{
    atomic_fetch_add_explicit(&metrics->peers, delta, memory_order_relaxed);
}

void prism_metrics_read(const struct prism_worker_metrics *metrics,
                        uint64_t counters[PRISM_COUNTER_COUNT], int64_t *peers)
{
    for (int i = 0; i < PRISM_COUNTER_COUNT; i++)
        counters[i] = atomic_load_explicit(&metrics->counters[i], memory_order_relaxed);
    *peers = atomic_load_explicit(&metrics->peers, memory_order_relaxed);
}

static const struct {
    const char *name;
    const char *help;
} counter_info[PRISM_COUNTER_COUNT] = {
    [PRISM_COUNTER_RTP_PACKETS_IN] = {"rtp_packets_received_total", "RTP packets received"},
    [PRISM_COUNTER_RTP_BYTES_IN] = {"rtp_bytes_received_total", "RTP bytes received (SRTP)"},
    [PRISM_COUNTER_RTP_PACKETS_OUT] = {"rtp_packets_sent_total", "RTP packets sent"},
    [PRISM_COUNTER_RTP_BYTES_OUT] = {"rtp_bytes_sent_total", "RTP bytes sent (SRTP)"},
    [PRISM_COUNTER_RTCP_PACKETS_IN] = {"rtcp_packets_received_total", "RTCP packets received"},
    [PRISM_COUNTER_RTCP_PACKETS_OUT] = {"rtcp_packets_sent_total", "RTCP packets sent"},
    [PRISM_COUNTER_FORWARDED] = {"forwarded_packets_total",
                                 "Copies of publishers' packets sent to subscribers"},
    [PRISM_COUNTER_SRTP_ERRORS] = {"srtp_errors_total", "Packets that failed to unprotect"},
    [PRISM_COUNTER_NACKS_IN] = {"nacks_received_total", "NACK feedback messages received"},
    [PRISM_COUNTER_NACKS_OUT] = {"nacks_sent_total", "NACK feedback messages sent"},
    [PRISM_COUNTER_RETRANSMISSIONS] = {"retransmissions_total", "Packets resent to answer NACKs"},
    [PRISM_COUNTER_PLIS_IN] = {"plis_received_total", "PLI messages received"},
    [PRISM_COUNTER_PLIS_OUT] = {"plis_sent_total", "PLI messages sent"},
    [PRISM_COUNTER_FIRS_IN] = {"firs_received_total", "FIR messages received"},
    [PRISM_COUNTER_KEYFRAME_REQUESTS] = {"keyframe_requests_total",
                                         "Keyframe requests sent to publishers"},
    [PRISM_COUNTER_BUSY_US] = {"busy_seconds_total",
                               "Time the worker loop spent awake (rate = busy fraction)"},
};

const char *prism_metrics_counter_name(enum prism_worker_counter counter)
{
    return counter_info[counter].name;
}

const char *prism_metrics_counter_help(enum prism_worker_counter counter)
{
    return counter_info[counter].help;
}

const double prism_latency_bounds[PRISM_LATENCY_BOUNDS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

void prism_latency_observe(struct prism_latency_histogram *histogram, uint64_t elapsed_us)
{
    double seconds = (double)elapsed_us / 1e6;
    size_t bucket = 0;
    while (bucket < PRISM_LATENCY_BOUNDS && seconds > prism_latency_bounds[bucket])
        bucket++;
    atomic_fetch_add_explicit(&histogram->buckets[bucket], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&histogram->sum_us, elapsed_us, memory_order_relaxed);
}

void prism_latency_read(const struct prism_latency_histogram *histogram,
                        uint64_t buckets[PRISM_LATENCY_BOUNDS + 1], double *sum_seconds)
{
    for (size_t i = 0; i <= PRISM_LATENCY_BOUNDS; i++)
        buckets[i] = atomic_load_explicit(&histogram->buckets[i], memory_order_relaxed);
    *sum_seconds = (double)atomic_load_explicit(&histogram->sum_us, memory_order_relaxed) / 1e6;
}
