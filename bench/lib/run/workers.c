/* Bench workers: Prism's worker pool plus, on each, a meter and a media tick. */
#include "bench/lib/run/workers.h"

#include "bench/lib/peer/endpoint.h"
#include "core/ids.h"

#include <errno.h>

#define TICK_MS 5

struct bench_workers {
    struct prism_worker_pool *pool;
    unsigned count;
    struct bench_worker *workers;
};

static gboolean tick_cb(gpointer data)
{
    struct bench_worker *worker = data;
    uint64_t now = prism_now_us();
    for (unsigned i = 0; i < worker->endpoints->len; i++)
        bench_endpoint_tick(g_ptr_array_index(worker->endpoints, i), now);
    return G_SOURCE_CONTINUE;
}

static void start_tick_job(void *data)
{
    struct bench_worker *worker = data;
    worker->tick = g_timeout_source_new(TICK_MS);
    g_source_set_priority(worker->tick, G_PRIORITY_HIGH);
    g_source_set_callback(worker->tick, tick_cb, worker, NULL);
    g_source_attach(worker->tick, worker->context);
}

static void stop_tick_job(void *data)
{
    struct bench_worker *worker = data;
    if (worker->tick) {
        g_source_destroy(worker->tick);
        g_source_unref(worker->tick);
        worker->tick = NULL;
    }
}

int bench_workers_create(struct bench_workers **out, unsigned threads)
{
    struct bench_workers *workers = g_new0(struct bench_workers, 1);
    workers->count = threads ? threads : 1;
    int rc = prism_worker_pool_create(&workers->pool, workers->count);
    if (rc < 0) {
        g_free(workers);
        return rc;
    }
    workers->workers = g_new0(struct bench_worker, workers->count);
    for (unsigned i = 0; i < workers->count; i++) {
        struct bench_worker *worker = &workers->workers[i];
        /* Acquire spreads the pool's threads: one each while none is loaded. */
        worker->worker = prism_worker_pool_acquire(workers->pool);
        worker->context = prism_worker_context(worker->worker);
        worker->index = i;
        worker->endpoints = g_ptr_array_new();
        bench_meter_init(&worker->meter);
        prism_worker_run_sync(worker->worker, start_tick_job, worker);
    }
    *out = workers;
    return 0;
}

void bench_workers_destroy(struct bench_workers *workers)
{
    if (!workers)
        return;
    for (unsigned i = 0; i < workers->count; i++)
        prism_worker_run_sync(workers->workers[i].worker, stop_tick_job, &workers->workers[i]);
    for (unsigned i = 0; i < workers->count; i++)
        prism_worker_release(workers->workers[i].worker);
    prism_worker_pool_destroy(workers->pool);
    for (unsigned i = 0; i < workers->count; i++)
        g_ptr_array_free(workers->workers[i].endpoints, TRUE);
    g_free(workers->workers);
    g_free(workers);
}

unsigned bench_workers_count(const struct bench_workers *workers)
{
    return workers->count;
}

struct bench_worker *bench_workers_get(struct bench_workers *workers, unsigned index)
{
    return &workers->workers[index % workers->count];
}

void bench_worker_post(struct bench_worker *worker, prism_worker_job_cb job, void *data)
{
    prism_worker_post(worker->worker, job, data);
}

static void reset_job(void *data)
{
    struct bench_worker *worker = data;
    bench_meter_reset_interval(&worker->meter);
    for (unsigned i = 0; i < worker->endpoints->len; i++)
        bench_endpoint_reset_interval(g_ptr_array_index(worker->endpoints, i));
}

void bench_workers_reset_interval(struct bench_workers *workers)
{
    for (unsigned i = 0; i < workers->count; i++)
        prism_worker_run_sync(workers->workers[i].worker, reset_job, &workers->workers[i]);
}

struct collect_job {
    struct bench_worker *worker;
    struct bench_meter *total;
};

static void collect_job(void *data)
{
    struct collect_job *job = data;
    bench_meter_merge(job->total, &job->worker->meter);
    for (unsigned i = 0; i < job->worker->endpoints->len; i++)
        bench_endpoint_collect(g_ptr_array_index(job->worker->endpoints, i), job->total);
}

void bench_workers_collect(struct bench_workers *workers, struct bench_meter *total)
{
    bench_meter_init(total);
    for (unsigned i = 0; i < workers->count; i++) {
        struct collect_job job = {.worker = &workers->workers[i], .total = total};
        prism_worker_run_sync(workers->workers[i].worker, collect_job, &job);
    }
}

void bench_worker_add_endpoint(struct bench_worker *worker, struct bench_endpoint *endpoint)
{
    g_ptr_array_add(worker->endpoints, endpoint);
}

void bench_worker_remove_endpoint(struct bench_worker *worker, struct bench_endpoint *endpoint)
{
    g_ptr_array_remove_fast(worker->endpoints, endpoint);
}
