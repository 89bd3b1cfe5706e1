/* The bench's worker threads (Prism's own worker pool): each runs a GMainContext with the
 * simulated participants placed on it, their PeerConnections, a 5 ms media tick that paces
 * every sending endpoint, and a meter. The controller (main thread) talks to a worker only
 * through prism_worker_post / run_sync. */
#ifndef PRISM_BENCH_RUN_WORKERS_H
#define PRISM_BENCH_RUN_WORKERS_H

#include "bench/lib/run/meter.h"
#include "core/worker.h"

#include <glib.h>

struct bench_endpoint;

/* Owned by the pool; every field after `context` belongs to the worker's thread. */
struct bench_worker {
    struct prism_worker *worker;
    GMainContext *context;
    unsigned index;
    struct bench_meter meter;
    GPtrArray *endpoints; /* struct bench_endpoint *, not owned */
    GSource *tick;
};

struct bench_workers;

/* Starts `threads` workers (at least 1) with their media tick. Returns 0 or -errno. */
int bench_workers_create(struct bench_workers **out, unsigned threads);
/* Stops the workers; every endpoint must be gone. */
void bench_workers_destroy(struct bench_workers *workers);

unsigned bench_workers_count(const struct bench_workers *workers);
struct bench_worker *bench_workers_get(struct bench_workers *workers, unsigned index);

void bench_worker_post(struct bench_worker *worker, prism_worker_job_cb job, void *data);

/* Starts a measured interval on every worker (meters and stream statistics restart). */
void bench_workers_reset_interval(struct bench_workers *workers);
/* Adds every worker's meter and live stream statistics into `total` (initialised first). */
void bench_workers_collect(struct bench_workers *workers, struct bench_meter *total);

/* For endpoints: join and leave the worker's tick and statistics. Worker thread only. */
void bench_worker_add_endpoint(struct bench_worker *worker, struct bench_endpoint *endpoint);
void bench_worker_remove_endpoint(struct bench_worker *worker, struct bench_endpoint *endpoint);

#endif
