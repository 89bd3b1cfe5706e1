/* A worker's event loop: its cost per wake-up is O(ready), not O(registered).
 *
 * - epoll over registered file descriptors, level-triggered: a callback may
 *   read a bounded batch (one recvmmsg) and leave the rest for the next turn
 *   without starving other sockets or losing readiness, and GLib's sources,
 *   nested below, expect poll()'s level semantics.
 * - one timer heap (core/timer_heap.h) for every deadline of the worker and one
 *   timerfd armed to the earliest of them, at microsecond resolution.
 * - a mailbox for jobs from other threads, woken by one eventfd: FIFO,
 *   drained in batches, one eventfd write per batch, never blocking the poster.
 * - optionally a nested GMainContext (libnice needs one), iterated only when
 *   one of its own descriptors is ready, its deadline passed or its sources
 *   changed; see core/loop_glib.c.
 *
 * - deferred work run once at the end of a turn, before the loop waits again:
 *   a batch of datagrams queued by the turn's callbacks is sent there.
 *
 * The clock is read once per wake-up; callbacks get that time as `now_us`
 * (CLOCK_MONOTONIC in microseconds, the same clock as g_get_monotonic_time),
 * and code below them takes it from prism_loop_now_us instead of reading the
 * clock again.
 *
 * A loop belongs to the thread that runs it: every function here except
 * prism_loop_post and prism_loop_stop is for that thread only (or for any one
 * thread before the loop first runs and after it returned). */
#ifndef PRISM_CORE_LOOP_H
#define PRISM_CORE_LOOP_H

#include "core/timer_heap.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct prism_loop;

/* `events` are EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, ... as reported. A
 * callback may add, modify or remove any descriptor, itself included.
 * Readiness can be spurious (a descriptor removed and another opened with the
 * same number during one turn): descriptors must be non-blocking. */
typedef void (*prism_loop_fd_cb)(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us,
                                 void *data);
typedef void (*prism_loop_job_cb)(void *data);

struct prism_loop_deferred;
typedef void (*prism_loop_deferred_cb)(struct prism_loop_deferred *deferred, void *data);

/* Work to run once at the end of a turn. Embedded in its owner, which keeps it
 * alive while queued (or cancels it); loop thread only. */
struct prism_loop_deferred {
    prism_loop_deferred_cb callback;
    void *data;
    struct prism_loop_deferred *next; /* in the loop's queue */
    bool queued;
};

/* Returns 0 or -errno. */
int prism_loop_create(struct prism_loop **out);

/* Runs every job still in the mailbox and every queued deferred work (in the
 * caller's thread), then frees the loop. Timers still armed are disarmed;
 * descriptors are not closed. */
void prism_loop_destroy(struct prism_loop *loop);

/* Watches `fd` for `events` (EPOLLIN and/or EPOLLOUT; errors and hang-ups are
 * always reported). Returns 0, -EEXIST when it is already watched, or -errno. */
int prism_loop_add_fd(struct prism_loop *loop, int fd, uint32_t events, prism_loop_fd_cb callback,
                      void *data);
/* Changes the events watched on `fd`. Returns 0, -ENOENT or -errno. */
int prism_loop_modify_fd(struct prism_loop *loop, int fd, uint32_t events);
/* Stops watching `fd` (before it is closed). Returns 0 or -ENOENT. */
int prism_loop_remove_fd(struct prism_loop *loop, int fd);

/* Arms (or moves) an embedded timer to the absolute `deadline_us`; see
 * prism_timer_init. Returns 0 or -ENOMEM. */
int prism_loop_timer_arm(struct prism_loop *loop, struct prism_timer *timer, uint64_t deadline_us);
void prism_loop_timer_cancel(struct prism_loop *loop, struct prism_timer *timer);

/* The time of the current wake-up (or of the last one). */
uint64_t prism_loop_now_us(const struct prism_loop *loop);

/* True while the loop runs a turn (its callbacks, timers, GLib and deferred
 * work): deferred work queued now runs before the loop waits again. */
bool prism_loop_in_turn(const struct prism_loop *loop);

void prism_loop_deferred_init(struct prism_loop_deferred *deferred, prism_loop_deferred_cb callback,
                              void *data);

/* Queues `deferred` to run once at the end of the current turn, after every
 * callback, timer and GLib dispatch of it (outside a turn: at the end of the
 * next one, or in prism_loop_destroy). Queuing it again before it ran does
 * nothing; deferred work may queue more, which runs in the same turn. */
void prism_loop_defer(struct prism_loop *loop, struct prism_loop_deferred *deferred);

/* Takes `deferred` off the queue if it is there. */
void prism_loop_defer_cancel(struct prism_loop *loop, struct prism_loop_deferred *deferred);

/* Reads CLOCK_MONOTONIC, in microseconds. */
uint64_t prism_loop_clock_us(void);

/* Queues `job(data)` to run on the loop's thread, after every job posted
 * before it. Any thread; never waits for the loop. After
 * prism_loop_close_mailbox, the job runs at once in the caller instead, so
 * that cleanup work is never lost. Aborts when memory runs out. */
void prism_loop_post(struct prism_loop *loop, prism_loop_job_cb job, void *data);

/* From now on jobs run in the posting thread (a stopped worker). Any thread. */
void prism_loop_close_mailbox(struct prism_loop *loop);

/* Runs the loop in the calling thread until prism_loop_stop. Returns 0, or
 * -errno when epoll fails. The nested GMainContext, if any, is acquired and
 * made the thread-default context while it runs. */
int prism_loop_run(struct prism_loop *loop);

/* Makes prism_loop_run return after the current turn. Any thread. */
void prism_loop_stop(struct prism_loop *loop);

/* The GMainContext nested in this loop, created on first call (before the
 * loop runs). It is made with G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING, so that
 * attaching a source from the loop's own thread signals GLib's wake-up
 * descriptor and the loop notices. Owned by the loop. */
GMainContext *prism_loop_glib_context(struct prism_loop *loop);

/* How many times the loop iterated its GMainContext (check + dispatch). */
uint64_t prism_loop_glib_iterations(const struct prism_loop *loop);

#endif
