/* Worker threads: each runs one event loop (core/loop.h: epoll, a timer heap,
 * a mailbox and a nested GMainContext for libnice) and owns the rooms and
 * handles placed on it, so their media and timers run without locks. Other
 * threads talk to a worker only through its mailbox (prism_worker_post).
 *
 * A pool created with zero threads is "inline": posted jobs run at once in the
 * caller's thread. Unit tests use it to drive engines deterministically. */
#ifndef PRISM_CORE_WORKER_H
#define PRISM_CORE_WORKER_H

#include "core/loop.h"
#include "core/metrics.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct prism_worker;
struct prism_worker_pool;

typedef void (*prism_worker_job_cb)(void *data);

/* Starts `threads` workers (0 = inline pool). Returns 0 or -errno. */
int prism_worker_pool_create(struct prism_worker_pool **out, unsigned threads);

/* Runs every job already posted, stops the threads and frees the pool. */
void prism_worker_pool_destroy(struct prism_worker_pool *pool);

unsigned prism_worker_pool_size(const struct prism_worker_pool *pool);
/* The worker of that index (< prism_worker_pool_size). Any thread. */
struct prism_worker *prism_worker_pool_get(struct prism_worker_pool *pool, unsigned index);
/* The least-loaded worker, without counting anything on it. Any thread. */
struct prism_worker *prism_worker_pool_least_loaded(struct prism_worker_pool *pool);

/* Picks the worker with the fewest placed objects and counts one more on it.
 * Every acquire is paired with one prism_worker_release. Any thread. */
struct prism_worker *prism_worker_pool_acquire(struct prism_worker_pool *pool);
void prism_worker_release(struct prism_worker *worker);
/* Counts one more object placed on this particular worker (see prism_handle_set_worker). */
void prism_worker_acquire(struct prism_worker *worker);
/* How many placed objects were released on all workers so far (it only grows): memory was
 * freed when it moved. Any thread. */
uint64_t prism_worker_pool_releases(const struct prism_worker_pool *pool);

/* Queues `job(data)` to run on the worker's thread, in posting order. Any
 * thread; never blocks on the worker. Jobs posted after the pool stopped are
 * run in the caller so that cleanup work is never lost. */
void prism_worker_post(struct prism_worker *worker, prism_worker_job_cb job, void *data);

/* Posts a job and waits until it has run (not from the worker itself). */
void prism_worker_run_sync(struct prism_worker *worker, prism_worker_job_cb job, void *data);

/* The worker's main context (NULL for an inline pool): libnice agents and
 * timers of objects on this worker attach here. */
GMainContext *prism_worker_context(const struct prism_worker *worker);

/* The worker's event loop (NULL for an inline pool): sockets and timers of
 * objects on this worker register here, from the worker's thread. */
struct prism_loop *prism_worker_loop(const struct prism_worker *worker);

unsigned prism_worker_index(const struct prism_worker *worker);

/* The worker's counters (core/metrics.h): its thread writes them, a scrape reads them. */
struct prism_worker_metrics *prism_worker_metrics(struct prism_worker *worker);
unsigned prism_worker_load(const struct prism_worker *worker);

/* True when called on the worker's own thread (always true inline). */
bool prism_worker_is_current(const struct prism_worker *worker);

#endif
