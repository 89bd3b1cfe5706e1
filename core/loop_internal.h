/* Private to core/loop.c and core/loop_glib.c: the loop's state and the
 * descriptor table both of them register in epoll. */
#ifndef PRISM_CORE_LOOP_INTERNAL_H
#define PRISM_CORE_LOOP_INTERNAL_H

#include "core/loop.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

/* One slot per descriptor number. A descriptor can be watched by the loop's
 * user, be in the nested GMainContext's poll set, or both; epoll holds one
 * registration for the union of what they want. */
struct loop_fd {
    prism_loop_fd_cb callback; /* NULL when the user does not watch it */
    void *data;
    uint32_t user_events;
    uint32_t glib_events;    /* epoll events GLib polls for, when in_glib */
    uint32_t glib_revents;   /* what epoll reported in turn glib_seen_turn */
    uint64_t glib_seen_turn; /* turn number of glib_revents */
    uint64_t glib_pass;      /* last poll-set sync that listed it */
    uint32_t registered_events;
    bool in_glib;
    bool registered;
};

struct loop_job {
    prism_loop_job_cb run;
    void *data;
};

struct loop_glib;

/* The fields under "mailbox" are guarded by mailbox_lock; stop_requested is
 * atomic; everything else belongs to the loop's thread. */
struct prism_loop {
    int epoll_fd;
    int timer_fd;
    int mailbox_fd;
    struct loop_fd *fds; /* indexed by descriptor number */
    size_t fd_slots;
    struct prism_timer_heap timers;
    uint64_t timer_fd_deadline; /* what the timerfd is armed for, 0 = disarmed */
    uint64_t now_us;
    uint64_t turn; /* wake-ups so far */
    bool in_turn;
    /* Deferred work queued for the end of the turn, first to run first. */
    struct prism_loop_deferred *deferred_head;
    struct prism_loop_deferred **deferred_tail;
    atomic_bool stop_requested;
    struct loop_glib *glib; /* NULL until prism_loop_glib_context */

    /* mailbox */
    pthread_mutex_t mailbox_lock;
    struct loop_job *pending;
    size_t pending_count, pending_capacity;
    bool mailbox_closed;
    /* the batch being run, swapped with `pending` under the lock */
    struct loop_job *draining;
    size_t draining_capacity;
};

/* The slot for `fd`, growing the table when `grow` is set; NULL when out of
 * range (and not growing) or out of memory. */
struct loop_fd *loop_fd_slot(struct prism_loop *loop, int fd, bool grow);

/* Brings epoll's registration of `fd` in line with its slot. `force` re-issues
 * it even when unchanged: the descriptor may have been closed and its number
 * reused, in which case the kernel dropped the old registration. */
int loop_fd_sync(struct prism_loop *loop, int fd, bool force);

/* core/loop_glib.c */
int loop_glib_create(struct prism_loop *loop);
void loop_glib_destroy(struct prism_loop *loop);
GMainContext *loop_glib_context(const struct prism_loop *loop);
/* Acquires the context for the running thread and prepares its first wait. */
int loop_glib_begin(struct prism_loop *loop);
void loop_glib_end(struct prism_loop *loop);
/* True when GLib has a source ready now: the loop must not sleep. */
bool loop_glib_ready(const struct prism_loop *loop);
/* epoll reported `events` on `fd`, a descriptor in GLib's poll set. */
void loop_glib_note_event(struct prism_loop *loop, int fd, uint32_t events);
/* At the end of a turn: check and dispatch when something of GLib's is due. */
void loop_glib_after_turn(struct prism_loop *loop);
uint64_t loop_glib_iterations(const struct prism_loop *loop);

#endif
