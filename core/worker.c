/* Worker threads with a GMainContext each and an eventfd-woken mailbox. */
#include "core/worker.h"

#include "core/log.h"

#include <errno.h>
#include <glib-unix.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct job {
    prism_worker_job_cb run;
    void *data;
};

/* A worker. `mailbox` and `stopping` are guarded by `lock`; everything else is
 * set before the thread starts and read-only afterwards. */
struct prism_worker {
    unsigned index;
    GMainContext *context; /* NULL in an inline pool */
    GMainLoop *loop;
    GThread *thread;
    GThread *self; /* the worker's own thread, set before its loop runs */
    GSource *wakeup_source;
    int wakeup_fd;
    GMutex lock;
    GQueue mailbox;
    bool stopping;
    atomic_uint load;
    atomic_uint_fast64_t releases; /* prism_worker_release calls so far */
};

struct prism_worker_pool {
    unsigned count;
    bool is_inline;
    struct prism_worker *workers;
};

static void drain_mailbox(struct prism_worker *worker)
{
    for (;;) {
        g_mutex_lock(&worker->lock);
        struct job *job = g_queue_pop_head(&worker->mailbox);
        g_mutex_unlock(&worker->lock);
        if (!job)
            return;
        job->run(job->data);
        free(job);
    }
}

static gboolean wakeup_cb(gint fd, GIOCondition condition, gpointer user_data)
{
    uint64_t count;
    ssize_t ignored = read(fd, &count, sizeof(count));
    (void)ignored;
    drain_mailbox(user_data);
    return G_SOURCE_CONTINUE;
}

static gpointer worker_main(gpointer data)
{
    struct prism_worker *worker = data;
    worker->self = g_thread_self();
    g_main_context_push_thread_default(worker->context);
    g_main_loop_run(worker->loop);
    drain_mailbox(worker);
    g_main_context_pop_thread_default(worker->context);
    return NULL;
}

static int start_worker(struct prism_worker *worker, unsigned index)
{
    worker->index = index;
    g_mutex_init(&worker->lock);
    g_queue_init(&worker->mailbox);
    worker->wakeup_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (worker->wakeup_fd < 0)
        return -errno;
    worker->context = g_main_context_new();
    worker->loop = g_main_loop_new(worker->context, FALSE);
    worker->wakeup_source = g_unix_fd_source_new(worker->wakeup_fd, G_IO_IN);
    g_source_set_callback(worker->wakeup_source, G_SOURCE_FUNC(wakeup_cb), worker, NULL);
    g_source_attach(worker->wakeup_source, worker->context);
    char name[16];
    g_snprintf(name, sizeof(name), "prism-w%u", index);
    worker->thread = g_thread_new(name, worker_main, worker);
    return 0;
}

static void quit_cb(void *data)
{
    struct prism_worker *worker = data;
    g_main_loop_quit(worker->loop);
}

static void stop_worker(struct prism_worker *worker)
{
    if (worker->thread) {
        prism_worker_post(worker, quit_cb, worker);
        g_thread_join(worker->thread);
        g_mutex_lock(&worker->lock);
        worker->stopping = true;
        g_mutex_unlock(&worker->lock);
        drain_mailbox(worker);
    }
    if (worker->wakeup_source) {
        g_source_destroy(worker->wakeup_source);
        g_source_unref(worker->wakeup_source);
    }
    if (worker->loop)
        g_main_loop_unref(worker->loop);
    if (worker->context)
        g_main_context_unref(worker->context);
    if (worker->wakeup_fd >= 0)
        close(worker->wakeup_fd);
    g_mutex_clear(&worker->lock);
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
        pool->workers[i].wakeup_fd = -1;
        if (pool->is_inline) {
            pool->workers[i].index = i;
            g_mutex_init(&pool->workers[i].lock);
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

struct prism_worker *prism_worker_pool_acquire(struct prism_worker_pool *pool)
{
    struct prism_worker *best = &pool->workers[0];
    for (unsigned i = 1; i < pool->count; i++) {
        if (atomic_load(&pool->workers[i].load) < atomic_load(&best->load))
            best = &pool->workers[i];
    }
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
    if (!worker->context) {
        run(data);
        return;
    }
    struct job *job = malloc(sizeof(*job));
    if (!job) {
        prism_error("worker", "out of memory posting a job to worker %u", worker->index);
        abort();
    }
    job->run = run;
    job->data = data;
    g_mutex_lock(&worker->lock);
    bool stopped = worker->stopping;
    if (!stopped)
        g_queue_push_tail(&worker->mailbox, job);
    g_mutex_unlock(&worker->lock);
    if (stopped) {
        free(job);
        run(data);
        return;
    }
    uint64_t one = 1;
    ssize_t ignored = write(worker->wakeup_fd, &one, sizeof(one));
    (void)ignored;
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
    if (!worker->context)
        return true;
    return g_thread_self() == worker->self;
}
