/* The relay's rings, wake-ups and end-of-turn publication. See relay.h. */
#include "media/relay/relay.h"

#include "core/log.h"
#include "core/spsc.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* A ring publishes at once when this many messages wait in it, so that a long turn neither
 * fills the ring with staged messages nor holds them back too long. */
#define PUBLISH_EARLY 256

struct relay_message {
    prism_relay_cb cb;
    void *target;
    struct prism_relay_buffer *buffer; /* one reference, or NULL */
    uint64_t arg;
};

/* One worker's side of the relay. Its fields belong to that worker's thread once the relay
 * is running (counters aside). */
struct relay_worker {
    struct prism_relay *relay;
    struct prism_worker *worker;
    unsigned index;
    int wake_fd;                    /* eventfd watched by the worker's loop: "messages for you" */
    struct prism_timer flush_timer; /* due at once when something is staged: end of turn */
    struct prism_relay_pool *pool;  /* buffers this worker fills */
    atomic_uint_fast64_t sent, delivered, dropped, wakeups;
};

struct prism_relay {
    unsigned count; /* workers; 0 for an empty relay */
    struct relay_worker *workers;
    struct prism_spsc **rings; /* [from * count + to], NULL on the diagonal */
};

static struct prism_spsc *ring_between(struct prism_relay *relay, unsigned from, unsigned to)
{
    return relay->rings[from * relay->count + to];
}

static struct relay_worker *relay_worker_of(struct prism_relay *relay,
                                            const struct prism_worker *worker)
{
    unsigned index = prism_worker_index(worker);
    if (index >= relay->count || relay->workers[index].worker != worker)
        return NULL;
    return &relay->workers[index];
}

static void wake(struct relay_worker *destination, struct relay_worker *source)
{
    uint64_t one = 1;
    ssize_t ignored = write(destination->wake_fd, &one, sizeof(one));
    (void)ignored;
    atomic_fetch_add_explicit(&source->wakeups, 1, memory_order_relaxed);
}

static void publish(struct relay_worker *source, unsigned to)
{
    struct prism_relay *relay = source->relay;
    if (prism_spsc_publish(ring_between(relay, source->index, to)))
        wake(&relay->workers[to], source);
}

void prism_relay_flush(struct prism_relay *relay, const struct prism_worker *from)
{
    struct relay_worker *source = relay_worker_of(relay, from);
    if (!source)
        return;
    for (unsigned to = 0; to < relay->count; to++) {
        if (to != source->index)
            publish(source, to);
    }
    if (prism_worker_loop(source->worker))
        prism_loop_timer_cancel(prism_worker_loop(source->worker), &source->flush_timer);
}

static void flush_timer_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct relay_worker *source = data;
    prism_relay_flush(source->relay, source->worker);
}

int prism_relay_send(struct prism_relay *relay, const struct prism_worker *from,
                     const struct prism_worker *to, prism_relay_cb cb, void *target,
                     struct prism_relay_buffer *buffer, uint64_t arg)
{
    struct relay_worker *source = relay_worker_of(relay, from);
    struct relay_worker *destination = relay_worker_of(relay, to);
    if (!source || !destination || source == destination)
        return -EINVAL;
    struct prism_spsc *ring = ring_between(relay, source->index, destination->index);
    struct relay_message *slot = prism_spsc_stage(ring);
    if (!slot) {
        atomic_fetch_add_explicit(&source->dropped, 1, memory_order_relaxed);
        return -ENOBUFS;
    }
    *slot = (struct relay_message){cb, target, buffer ? prism_relay_buffer_ref(buffer) : NULL, arg};
    atomic_fetch_add_explicit(&source->sent, 1, memory_order_relaxed);
    struct prism_loop *loop = prism_worker_loop(source->worker);
    if (prism_spsc_staged(ring) >= PUBLISH_EARLY || !loop)
        publish(source, destination->index);
    else if (!prism_timer_is_armed(&source->flush_timer))
        prism_loop_timer_arm(loop, &source->flush_timer, prism_loop_now_us(loop));
    return 0;
}

/* Delivers every published message for `destination`, oldest first per source. */
static void drain_incoming(struct relay_worker *destination, uint64_t now_us)
{
    struct prism_relay *relay = destination->relay;
    struct relay_message message;
    for (unsigned from = 0; from < relay->count; from++) {
        if (from == destination->index)
            continue;
        struct prism_spsc *ring = ring_between(relay, from, destination->index);
        while (prism_spsc_pop(ring, &message)) {
            atomic_fetch_add_explicit(&destination->delivered, 1, memory_order_relaxed);
            message.cb(message.target, message.buffer, message.arg, now_us);
            prism_relay_buffer_unref(message.buffer);
        }
    }
}

static void wake_fd_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us,
                       void *data)
{
    uint64_t count;
    /* Read the kick before draining: a batch published after the drain kicks again. */
    ssize_t ignored = read(fd, &count, sizeof(count));
    (void)ignored;
    drain_incoming(data, now_us);
}

struct post_after_job {
    struct relay_worker *destination;
    prism_worker_job_cb job;
    void *data;
};

static void post_after_cb(void *data)
{
    struct post_after_job *after = data;
    struct prism_loop *loop = prism_worker_loop(after->destination->worker);
    drain_incoming(after->destination, loop ? prism_loop_now_us(loop) : prism_loop_clock_us());
    after->job(after->data);
    free(after);
}

void prism_relay_post_after(struct prism_relay *relay, const struct prism_worker *from,
                            struct prism_worker *to, prism_worker_job_cb job, void *data)
{
    struct relay_worker *source = relay_worker_of(relay, from);
    struct relay_worker *destination = relay_worker_of(relay, to);
    struct post_after_job *after = malloc(sizeof(*after));
    if (!source || !destination || source == destination || !prism_worker_is_current(from) ||
        !after) {
        free(after);
        prism_worker_post(to, job, data);
        return;
    }
    publish(source, destination->index);
    *after = (struct post_after_job){destination, job, data};
    prism_worker_post(to, post_after_cb, after);
}

static void nothing_cb(void *data)
{
}

void prism_relay_drain_and_destroy(struct prism_relay *relay, struct prism_worker_pool *pool)
{
    if (!relay)
        return;
    for (int round = 0; round < 4; round++) {
        for (unsigned i = 0; i < prism_worker_pool_size(pool); i++)
            prism_worker_run_sync(prism_worker_pool_get(pool, i), nothing_cb, NULL);
    }
    prism_relay_destroy(relay);
}

struct prism_relay_pool *prism_relay_pool(struct prism_relay *relay,
                                          const struct prism_worker *worker)
{
    struct relay_worker *self = relay_worker_of(relay, worker);
    return self ? self->pool : NULL;
}

void prism_relay_get_stats(const struct prism_relay *relay, struct prism_relay_stats *stats)
{
    *stats = (struct prism_relay_stats){0};
    for (unsigned i = 0; i < relay->count; i++) {
        struct relay_worker *self = &relay->workers[i];
        stats->sent += atomic_load_explicit(&self->sent, memory_order_relaxed);
        stats->delivered += atomic_load_explicit(&self->delivered, memory_order_relaxed);
        stats->dropped += atomic_load_explicit(&self->dropped, memory_order_relaxed);
        stats->wakeups += atomic_load_explicit(&self->wakeups, memory_order_relaxed);
    }
}

/* Set-up and tear-down, on each worker's own thread. */
static void register_cb(void *data)
{
    struct relay_worker *self = data;
    struct prism_loop *loop = prism_worker_loop(self->worker);
    if (loop && prism_loop_add_fd(loop, self->wake_fd, EPOLLIN, wake_fd_cb, self) < 0)
        prism_error("relay", "worker %u cannot watch its relay eventfd", self->index);
}

static void flush_cb(void *data)
{
    struct relay_worker *self = data;
    prism_relay_flush(self->relay, self->worker);
}

static void unregister_cb(void *data)
{
    struct relay_worker *self = data;
    struct prism_loop *loop = prism_worker_loop(self->worker);
    drain_incoming(self, loop ? prism_loop_now_us(loop) : prism_loop_clock_us());
    if (loop)
        prism_loop_remove_fd(loop, self->wake_fd);
}

static void free_relay(struct prism_relay *relay)
{
    for (unsigned i = 0; i < relay->count * relay->count; i++)
        prism_spsc_destroy(relay->rings[i]);
    for (unsigned i = 0; i < relay->count; i++) {
        struct relay_worker *self = &relay->workers[i];
        if (self->wake_fd >= 0)
            close(self->wake_fd);
        prism_relay_pool_destroy(self->pool);
    }
    free(relay->rings);
    free(relay->workers);
    free(relay);
}

static int setup_worker(struct prism_relay *relay, struct prism_worker_pool *pool, unsigned i)
{
    struct relay_worker *self = &relay->workers[i];
    self->relay = relay;
    self->index = i;
    self->worker = prism_worker_pool_get(pool, i);
    prism_timer_init(&self->flush_timer, flush_timer_cb, self);
    self->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (self->wake_fd < 0)
        return -errno;
    return prism_relay_pool_create(&self->pool);
}

int prism_relay_create(struct prism_relay **out, struct prism_worker_pool *pool,
                       size_t ring_capacity)
{
    struct prism_relay *relay = calloc(1, sizeof(*relay));
    if (!relay)
        return -ENOMEM;
    unsigned count = prism_worker_pool_size(pool);
    bool threaded = prism_worker_loop(prism_worker_pool_get(pool, 0)) != NULL;
    if (count < 2 || !threaded) {
        *out = relay; /* nothing to relay between */
        return 0;
    }
    relay->count = count;
    relay->workers = calloc(count, sizeof(*relay->workers));
    relay->rings = calloc((size_t)count * count, sizeof(*relay->rings));
    int rc = relay->workers && relay->rings ? 0 : -ENOMEM;
    for (unsigned i = 0; rc == 0 && i < count; i++)
        relay->workers[i].wake_fd = -1;
    for (unsigned i = 0; rc == 0 && i < count; i++)
        rc = setup_worker(relay, pool, i);
    for (unsigned i = 0; rc == 0 && i < count * count; i++) {
        if (i / count != i % count)
            rc = prism_spsc_create(&relay->rings[i],
                                   ring_capacity ? ring_capacity : PRISM_RELAY_RING_CAPACITY,
                                   sizeof(struct relay_message));
    }
    if (rc < 0) {
        if (!relay->workers || !relay->rings)
            relay->count = 0;
        free_relay(relay);
        return rc;
    }
    for (unsigned i = 0; i < count; i++)
        prism_worker_run_sync(relay->workers[i].worker, register_cb, &relay->workers[i]);
    *out = relay;
    return 0;
}

void prism_relay_destroy(struct prism_relay *relay)
{
    if (!relay)
        return;
    for (unsigned i = 0; i < relay->count; i++)
        prism_worker_run_sync(relay->workers[i].worker, flush_cb, &relay->workers[i]);
    for (unsigned i = 0; i < relay->count; i++)
        prism_worker_run_sync(relay->workers[i].worker, unregister_cb, &relay->workers[i]);
    free_relay(relay);
}
