/* Worker threads, each running one prism_loop (epoll, one timer heap, an eventfd mailbox and a
 * nested GMainContext for libnice): a wake-up costs what is ready, not what is registered. */
#include "core/worker.h"

#include "core/log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

/* A worker. Everything is set before the thread starts and read-only afterwards, but `load`. */
struct prism_worker {
    unsigned index;
    struct prism_loop *loop; /* NULL in an inline pool */
    GMainContext *context;   /* the loop's nested context (NULL inline) */
    GThread *thread;
    GThread *self; /* the worker's own thread, set before its loop runs */
    atomic_uint load;
    atomic_uint_fast64_t releases;       /* prism_worker_release calls so far */
    struct prism_worker_metrics metrics; /* written by the worker's thread only */
};

struct prism_worker_pool {
    unsigned count;
    bool is_inline;
    struct prism_worker *workers;
};

static gpointer worker_main(gpointer data)
{
    struct prism_worker *worker = data;
    worker->self = g_thread_self();
    prism_metrics_bind_thread(&worker->metrics);
    int rc = prism_loop_run(worker->loop);
    if (rc < 0)
        prism_error("worker", "worker %u stopped: epoll failed (%d)", worker->index, rc);
    return NULL;
}

static int start_worker(struct prism_worker *worker, unsigned index)
{
    worker->index = index;
    int rc = prism_loop_create(&worker->loop);
    if (rc < 0)
        return rc;
    worker->context = prism_loop_glib_context(worker->loop);
    char name[16];
    g_snprintf(name, sizeof(name), "prism-w%u", index);
    worker->thread = g_thread_new(name, worker_main, worker);
    return 0;
}

static void quit_cb(void *data)
{
    prism_loop_stop(data);
}

static void stop_worker(struct prism_worker *worker)
{
    if (!worker->loop)
        return;
    if (worker->thread) {
        prism_worker_post(worker, quit_cb, worker->loop);
        g_thread_join(worker->thread);
    }
    /* Jobs posted from now on run in the poster; those left run in destroy. */
    prism_loop_close_mailbox(worker->loop);
    prism_loop_destroy(worker->loop);
}

int prism_worker_pool_create(struct prism_worker_pool **out, unsigned threads)
{
    struct prism_worker_pool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return -ENOMEM;
    pool->is_inline = threads == 0;
    pool->count = threads ? threads : 1;
    pool->workers = calloc(pool->count, sizeof(*pool->workers));
    if (!pool->workers) {
        free(pool);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < pool->count; i++) {
        if (pool->is_inline) {
            pool->workers[i].index = i;
            continue;
        }
        int rc = start_worker(&pool->workers[i], i);
        if (rc < 0) {
            pool->count = i + 1;
            prism_worker_pool_destroy(pool);
            return rc;
        }
    }
    *out = pool;
    return 0;
}

void prism_worker_pool_destroy(struct prism_worker_pool *pool)
{
    if (!pool)
        return;
    for (unsigned i = 0; i < pool->count; i++)
        stop_worker(&pool->workers[i]);
    free(pool->workers);
    free(pool);
}

unsigned prism_worker_pool_size(const struct prism_worker_pool *pool)
{
    return pool->count;
}

struct prism_worker *prism_worker_pool_get(struct prism_worker_pool *pool, unsigned index)
{
    return index < pool->count ? &pool->workers[index] : NULL;
}

struct prism_worker *prism_worker_pool_least_loaded(struct prism_worker_pool *pool)
{
    struct prism_worker *best = &pool->workers[0];
    for (unsigned i = 1; i < pool->count; i++) {
        if (atomic_load(&pool->workers[i].load) < atomic_load(&best->load))
            best = &pool->workers[i];
    }
    return best;
}

struct prism_worker *prism_worker_pool_acquire(struct prism_worker_pool *pool)
{
    struct prism_worker *best = prism_worker_pool_least_loaded(pool);
    atomic_fetch_add(&best->load, 1);
    return best;
}

void prism_worker_acquire(struct prism_worker *worker)
{
    atomic_fetch_add(&worker->load, 1);
}

void prism_worker_release(struct prism_worker *worker)
{
    atomic_fetch_sub(&worker->load, 1);
    atomic_fetch_add(&worker->releases, 1);
}

uint64_t prism_worker_pool_releases(const struct prism_worker_pool *pool)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < pool->count; i++)
        total += atomic_load(&pool->workers[i].releases);
    return total;
}

void prism_worker_post(struct prism_worker *worker, prism_worker_job_cb run, void *data)
{
    if (!worker->loop) {
        run(data);
        return;
    }
    prism_loop_post(worker->loop, run, data);
}

struct sync_job {
    prism_worker_job_cb run;
    void *data;
    GMutex lock;
    GCond done_cond;
    bool done;
};

static void sync_job_cb(void *data)
{
    struct sync_job *sync = data;
    sync->run(sync->data);
    g_mutex_lock(&sync->lock);
    sync->done = true;
    g_cond_signal(&sync->done_cond);
    g_mutex_unlock(&sync->lock);
}

void prism_worker_run_sync(struct prism_worker *worker, prism_worker_job_cb run, void *data)
{
    if (prism_worker_is_current(worker)) {
        run(data);
        return;
    }
    struct sync_job sync = {.run = run, .data = data};
    g_mutex_init(&sync.lock);
    g_cond_init(&sync.done_cond);
    prism_worker_post(worker, sync_job_cb, &sync);
    g_mutex_lock(&sync.lock);
    while (!sync.done)
        g_cond_wait(&sync.done_cond, &sync.lock);
    g_mutex_unlock(&sync.lock);
    g_mutex_clear(&sync.lock);
    g_cond_clear(&sync.done_cond);
}

GMainContext *prism_worker_context(const struct prism_worker *worker)
{
    return worker->context;
}

struct prism_loop *prism_worker_loop(const struct prism_worker *worker)
{
    return worker->loop;
}

unsigned prism_worker_index(const struct prism_worker *worker)
{
    return worker->index;
}

unsigned prism_worker_load(const struct prism_worker *worker)
{
    return atomic_load(&((struct prism_worker *)worker)->load);
}

bool prism_worker_is_current(const struct prism_worker *worker)
{
    if (!worker->loop)
        return true;
    return g_thread_self() == worker->self;
}

struct prism_worker_metrics *prism_worker_metrics(struct prism_worker *worker)
{
    return &worker->metrics;
}
