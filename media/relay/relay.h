/* Cross-worker relay: how one worker hands packets (and small requests) to the others
 * without locks, for a broadcast fanned out on every core.
 *
 * Between every ordered pair of workers there is one single-producer, single-consumer ring
 * (core/spsc.h) of messages: "on your thread, call cb(target, buffer, arg)". A message holds a
 * reference to an immutable packet buffer (media/relay/buffer.h) or none. Messages a worker
 * sends during one turn of its loop are published together at the end of that turn (a timer
 * due at once, which the loop runs after the ready descriptors) and each destination that
 * needs it is woken once through its eventfd, which its loop watches: one wake-up per batch,
 * not one per packet. Order is kept per pair of workers, hence per stream.
 *
 * Lifetime of targets: a target may be freed by its owner on the destination worker only once
 * no message naming it can still arrive. The sender stops sending to it, then calls
 * prism_relay_post_after, whose job runs on the destination after every message sent before.
 *
 * Generic on purpose: VideoRoom subscriber groups (plugins/videoroom/relay_group.c) and
 * streaming viewer groups (plugins/streaming/relay.c) relay the same way, each receiving
 * worker keeping the recent buffers for NACKs in a media/relay/history.h. */
#ifndef PRISM_MEDIA_RELAY_RELAY_H
#define PRISM_MEDIA_RELAY_RELAY_H

#include "core/worker.h"
#include "media/relay/buffer.h"

#include <stddef.h>
#include <stdint.h>

struct prism_relay;

/* Runs on the destination worker. `buffer` (may be NULL) is borrowed: take a reference to
 * keep it. `now_us` is the time of the destination loop's wake-up. */
typedef void (*prism_relay_cb)(void *target, struct prism_relay_buffer *buffer, uint64_t arg,
                               uint64_t now_us);

/* Default ring size per pair of workers, in messages: at 100 packets per publisher per
 * 10 ms turn this leaves room for many publishers' batches. */
#define PRISM_RELAY_RING_CAPACITY 4096

/* Rings between every pair of `pool`'s workers, each destination's eventfd registered in its
 * loop (the call waits for every worker to do so: not from a worker). `ring_capacity` is a
 * power of two (0: the default). An inline pool or a single worker has nothing to relay
 * between and gets an empty relay. Returns 0 or -errno. */
int prism_relay_create(struct prism_relay **out, struct prism_worker_pool *pool,
                       size_t ring_capacity);
/* Delivers what is still queued, unregisters from the loops (waiting for them) and frees
 * everything. Every buffer must be back by then (targets freed). Not from a worker. */
void prism_relay_destroy(struct prism_relay *relay);

/* From the main thread when the plugin stops: lets chains of jobs between `pool`'s workers
 * (unregistering, detaching, releases posted after messages) run out, a few rounds of one
 * synchronous job on every worker, then destroys the relay. NULL: nothing to do. */
void prism_relay_drain_and_destroy(struct prism_relay *relay, struct prism_worker_pool *pool);

/* The buffer pool of `worker`, for that worker's thread only. */
struct prism_relay_pool *prism_relay_pool(struct prism_relay *relay,
                                          const struct prism_worker *worker);

/* On `from`'s thread: queues cb(target, buffer, arg) for `to` (another worker), taking a
 * reference to `buffer` (may be NULL). Published at the end of the current turn. Returns 0,
 * -EINVAL (same worker, unknown worker) or -ENOBUFS when `to` is a whole ring behind (the
 * message is dropped and counted). */
int prism_relay_send(struct prism_relay *relay, const struct prism_worker *from,
                     const struct prism_worker *to, prism_relay_cb cb, void *target,
                     struct prism_relay_buffer *buffer, uint64_t arg);

/* On `from`'s thread: publishes what it queued, now rather than at the end of the turn. */
void prism_relay_flush(struct prism_relay *relay, const struct prism_worker *from);

/* On `from`'s thread: runs job(data) on `to` after every message `from` queued for `to` so
 * far was delivered there. From another thread than `from`'s, or with from == to, it is a
 * plain prism_worker_post. */
void prism_relay_post_after(struct prism_relay *relay, const struct prism_worker *from,
                            struct prism_worker *to, prism_worker_job_cb job, void *data);

/* Counters since creation (any thread, approximate while running). */
struct prism_relay_stats {
    uint64_t sent;      /* messages queued */
    uint64_t delivered; /* messages whose callback ran */
    uint64_t dropped;   /* refused with -ENOBUFS */
    uint64_t wakeups;   /* eventfd writes: at most one per destination per batch */
};
void prism_relay_get_stats(const struct prism_relay *relay, struct prism_relay_stats *stats);

#endif
