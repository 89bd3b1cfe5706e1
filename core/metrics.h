/* Counters that cost nothing on the packet path: each worker thread owns one block and is
 * its only writer, so an increment is a relaxed load and store (no lock, no locked
 * instruction); a scrape on another thread reads the blocks with relaxed loads and sums
 * them. Threads that are not workers (unit tests, the bench, an inline pool) count into a
 * private block of their own that nobody reads.
 *
 * Also a latency histogram for the signaling threads (several writers: atomic adds, off the
 * packet path). */
#ifndef PRISM_CORE_METRICS_H
#define PRISM_CORE_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum prism_worker_counter {
    PRISM_COUNTER_RTP_PACKETS_IN,
    PRISM_COUNTER_RTP_BYTES_IN,
    PRISM_COUNTER_RTP_PACKETS_OUT,
    PRISM_COUNTER_RTP_BYTES_OUT,
    PRISM_COUNTER_RTCP_PACKETS_IN,
    PRISM_COUNTER_RTCP_PACKETS_OUT,
    PRISM_COUNTER_FORWARDED,       /* subscriber copies made of publishers' packets */
    PRISM_COUNTER_SRTP_ERRORS,     /* packets that failed to unprotect */
    PRISM_COUNTER_NACKS_IN,        /* NACK feedback messages received */
    PRISM_COUNTER_NACKS_OUT,       /* NACK feedback messages sent */
    PRISM_COUNTER_RETRANSMISSIONS, /* packets resent to answer NACKs */
    PRISM_COUNTER_PLIS_IN,
    PRISM_COUNTER_PLIS_OUT,
    PRISM_COUNTER_FIRS_IN,
    PRISM_COUNTER_KEYFRAME_REQUESTS, /* PLI/FIR sent to publishers on subscribers' behalf */
    PRISM_COUNTER_BUSY_US,           /* microseconds the worker loop spent awake */
    PRISM_COUNTER_COUNT
};

/* One worker's block. `peers` is a gauge (PeerConnections living on the worker). */
struct prism_worker_metrics {
    _Atomic uint64_t counters[PRISM_COUNTER_COUNT];
    _Atomic int64_t peers;
};

/* Makes `metrics` the calling thread's block (a worker, once at start; NULL to unbind). */
void prism_metrics_bind_thread(struct prism_worker_metrics *metrics);

/* The calling thread's block: its worker's, or a private one. Never NULL. */
struct prism_worker_metrics *prism_metrics_current(void);

/* Adds `amount` to the calling thread's counter. Only the owner thread writes a block. */
static inline void prism_metrics_add(enum prism_worker_counter counter, uint64_t amount)
{
    _Atomic uint64_t *cell = &prism_metrics_current()->counters[counter];
    atomic_store_explicit(cell, atomic_load_explicit(cell, memory_order_relaxed) + amount,
                          memory_order_relaxed);
}

/* The peers gauge changes on whatever thread creates or frees a PeerConnection. */
void prism_metrics_peers_add(struct prism_worker_metrics *metrics, int64_t delta);

/* Relaxed snapshot of a block, for a scrape on any thread. */
void prism_metrics_read(const struct prism_worker_metrics *metrics,
                        uint64_t counters[PRISM_COUNTER_COUNT], int64_t *peers);

/* The metric name suffix and help text of a counter, for the exposition page. */
const char *prism_metrics_counter_name(enum prism_worker_counter counter);
const char *prism_metrics_counter_help(enum prism_worker_counter counter);

/* A latency histogram with fixed bounds in seconds; any thread may observe. */
#define PRISM_LATENCY_BOUNDS 12
struct prism_latency_histogram {
    _Atomic uint64_t buckets[PRISM_LATENCY_BOUNDS + 1];
    _Atomic uint64_t sum_us;
};
extern const double prism_latency_bounds[PRISM_LATENCY_BOUNDS];

void prism_latency_observe(struct prism_latency_histogram *histogram, uint64_t elapsed_us);
/* Reads the per-bucket counts (PRISM_LATENCY_BOUNDS + 1 of them) and the sum in seconds. */
void prism_latency_read(const struct prism_latency_histogram *histogram,
                        uint64_t buckets[PRISM_LATENCY_BOUNDS + 1], double *sum_seconds);

#endif
