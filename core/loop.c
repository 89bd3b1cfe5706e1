/* The epoll loop: descriptor table, timerfd over the timer heap, eventfd
 * mailbox, and the turn that ties them together. The nested GMainContext is
 * in core/loop_glib.c. */
#include "core/loop_internal.h"
#include "core/metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define EVENTS_PER_WAIT 256
#define ALWAYS_REPORTED (EPOLLERR | EPOLLHUP)

uint64_t prism_loop_clock_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
}

uint64_t prism_loop_now_us(const struct prism_loop *loop)
{
    return loop->now_us;
}

bool prism_loop_in_turn(const struct prism_loop *loop)
{
    return loop->in_turn;
}

void prism_loop_deferred_init(struct prism_loop_deferred *deferred, prism_loop_deferred_cb callback,
                              void *data)
{
    *deferred = (struct prism_loop_deferred){.callback = callback, .data = data};
}

void prism_loop_defer(struct prism_loop *loop, struct prism_loop_deferred *deferred)
{
    if (deferred->queued)
        return;
    deferred->queued = true;
    deferred->next = NULL;
    *loop->deferred_tail = deferred;
    loop->deferred_tail = &deferred->next;
}

void prism_loop_defer_cancel(struct prism_loop *loop, struct prism_loop_deferred *deferred)
{
    if (!deferred->queued)
        return;
    struct prism_loop_deferred **link = &loop->deferred_head;
    while (*link != deferred)
        link = &(*link)->next;
    *link = deferred->next;
    if (loop->deferred_tail == &deferred->next)
        loop->deferred_tail = link;
    deferred->queued = false;
    deferred->next = NULL;
}

/* Runs the queue until it is empty, work queued meanwhile included. */
static void run_deferred(struct prism_loop *loop)
{
    while (loop->deferred_head) {
        struct prism_loop_deferred *deferred = loop->deferred_head;
        loop->deferred_head = deferred->next;
        if (!loop->deferred_head)
            loop->deferred_tail = &loop->deferred_head;
        deferred->queued = false;
        deferred->next = NULL;
        deferred->callback(deferred, deferred->data);
    }
}

struct loop_fd *loop_fd_slot(struct prism_loop *loop, int fd, bool grow)
{
    if (fd < 0)
        return NULL;
    if ((size_t)fd < loop->fd_slots)
        return &loop->fds[fd];
    if (!grow)
        return NULL;
    size_t slots = loop->fd_slots ? loop->fd_slots : 64;
    while (slots <= (size_t)fd)
        slots *= 2;
    struct loop_fd *fds = realloc(loop->fds, slots * sizeof(*fds));
    if (!fds)
        return NULL;
    memset(fds + loop->fd_slots, 0, (slots - loop->fd_slots) * sizeof(*fds));
    loop->fds = fds;
    loop->fd_slots = slots;
    return &fds[fd];
}

int loop_fd_sync(struct prism_loop *loop, int fd, bool force)
{
    struct loop_fd *slot = loop_fd_slot(loop, fd, false);
    if (!slot)
        return -ENOENT;
    bool wanted = slot->callback || slot->in_glib;
    uint32_t events = (slot->callback ? slot->user_events : 0) |
                      (slot->in_glib ? slot->glib_events : 0);
    if (!wanted) {
        if (slot->registered)
            epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, fd, NULL); /* gone already if closed */
        slot->registered = false;
        return 0;
    }
    if (slot->registered && slot->registered_events == events && !force)
        return 0;
    struct epoll_event event = {.events = events, .data.fd = fd};
    int op = slot->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    int rc = epoll_ctl(loop->epoll_fd, op, fd, &event);
    if (rc < 0 && errno == ENOENT && op == EPOLL_CTL_MOD)
        rc = epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &event);
    else if (rc < 0 && errno == EEXIST && op == EPOLL_CTL_ADD)
        rc = epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, fd, &event);
    if (rc < 0) {
        slot->registered = false;
        return -errno;
    }
    slot->registered = true;
    slot->registered_events = events;
    return 0;
}

int prism_loop_add_fd(struct prism_loop *loop, int fd, uint32_t events, prism_loop_fd_cb callback,
                      void *data)
{
    if (fd < 0 || !callback)
        return -EINVAL;
    struct loop_fd *slot = loop_fd_slot(loop, fd, true);
    if (!slot)
        return -ENOMEM;
    if (slot->callback)
        return -EEXIST;
    slot->callback = callback;
    slot->data = data;
    slot->user_events = events;
    int rc = loop_fd_sync(loop, fd, true);
    if (rc < 0) {
        slot->callback = NULL;
        loop_fd_sync(loop, fd, false);
    }
    return rc;
}

int prism_loop_modify_fd(struct prism_loop *loop, int fd, uint32_t events)
{
    struct loop_fd *slot = loop_fd_slot(loop, fd, false);
    if (!slot || !slot->callback)
        return -ENOENT;
    slot->user_events = events;
    return loop_fd_sync(loop, fd, false);
}

int prism_loop_remove_fd(struct prism_loop *loop, int fd)
{
    struct loop_fd *slot = loop_fd_slot(loop, fd, false);
    if (!slot || !slot->callback)
        return -ENOENT;
    slot->callback = NULL;
    slot->data = NULL;
    slot->user_events = 0;
    loop_fd_sync(loop, fd, false);
    return 0;
}

int prism_loop_timer_arm(struct prism_loop *loop, struct prism_timer *timer, uint64_t deadline_us)
{
    return prism_timer_heap_arm(&loop->timers, timer, deadline_us);
}

void prism_loop_timer_cancel(struct prism_loop *loop, struct prism_timer *timer)
{
    prism_timer_heap_cancel(&loop->timers, timer);
}

/* Arms the timerfd for the earliest timer, with one syscall only when that changed. */
static void sync_timer_fd(struct prism_loop *loop)
{
    struct prism_timer *first = prism_timer_heap_first(&loop->timers);
    uint64_t deadline = first ? first->deadline_us : 0;
    if (first && deadline == 0)
        deadline = 1; /* 0 would disarm */
    if (deadline == loop->timer_fd_deadline)
        return;
    struct itimerspec spec = {
        .it_value = {.tv_sec = (time_t)(deadline / 1000000u),
                     .tv_nsec = (long)(deadline % 1000000u) * 1000},
    };
    if (timerfd_settime(loop->timer_fd, TFD_TIMER_ABSTIME, &spec, NULL) == 0)
        loop->timer_fd_deadline = deadline;
}

static void timer_fd_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us,
                        void *data)
{
    uint64_t expirations;
    ssize_t ignored = read(fd, &expirations, sizeof(expirations));
    (void)ignored;
    /* A one-shot timerfd is disarmed once it fired: arm it again next turn. */
    loop->timer_fd_deadline = 0;
}

static void drain_mailbox(struct prism_loop *loop)
{
    pthread_mutex_lock(&loop->mailbox_lock);
    struct loop_job *batch = loop->pending;
    size_t count = loop->pending_count;
    size_t capacity = loop->pending_capacity;
    loop->pending = loop->draining;
    loop->pending_capacity = loop->draining_capacity;
    loop->pending_count = 0;
    loop->draining = batch;
    loop->draining_capacity = capacity;
    pthread_mutex_unlock(&loop->mailbox_lock);
    /* Jobs posted by these jobs land in the other array and run next turn. */
    for (size_t i = 0; i < count; i++)
        batch[i].run(batch[i].data);
}

static void mailbox_fd_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us,
                          void *data)
{
    uint64_t count;
    ssize_t ignored = read(fd, &count, sizeof(count));
    (void)ignored;
    drain_mailbox(loop);
}

void prism_loop_post(struct prism_loop *loop, prism_loop_job_cb job, void *data)
{
    pthread_mutex_lock(&loop->mailbox_lock);
    if (loop->mailbox_closed) {
        pthread_mutex_unlock(&loop->mailbox_lock);
        job(data);
        return;
    }
    if (loop->pending_count == loop->pending_capacity) {
        size_t capacity = loop->pending_capacity ? loop->pending_capacity * 2 : 64;
        struct loop_job *jobs = realloc(loop->pending, capacity * sizeof(*jobs));
        if (!jobs) {
            fprintf(stderr, "prism: out of memory posting a job to a loop\n");
            abort();
        }
        loop->pending = jobs;
        loop->pending_capacity = capacity;
    }
    loop->pending[loop->pending_count++] = (struct loop_job){job, data};
    bool first_of_batch = loop->pending_count == 1;
    pthread_mutex_unlock(&loop->mailbox_lock);
    /* One wake-up per batch: later posters see a non-empty mailbox that the
     * loop has not taken yet, and the loop takes all of it at once. */
    if (first_of_batch) {
        uint64_t one = 1;
        ssize_t ignored = write(loop->mailbox_fd, &one, sizeof(one));
        (void)ignored;
    }
}

void prism_loop_close_mailbox(struct prism_loop *loop)
{
    pthread_mutex_lock(&loop->mailbox_lock);
    loop->mailbox_closed = true;
    pthread_mutex_unlock(&loop->mailbox_lock);
}

void prism_loop_stop(struct prism_loop *loop)
{
    atomic_store(&loop->stop_requested, true);
    uint64_t one = 1; /* wakes the loop when called from another thread */
    ssize_t ignored = write(loop->mailbox_fd, &one, sizeof(one));
    (void)ignored;
}

static void dispatch_event(struct prism_loop *loop, int fd, uint32_t events)
{
    /* No slot pointer is kept across a callback: it may grow the table. */
    struct loop_fd *slot = loop_fd_slot(loop, fd, false);
    if (!slot)
        return;
    if (slot->in_glib && (events & (slot->glib_events | ALWAYS_REPORTED)))
        loop_glib_note_event(loop, fd, events);
    if (slot->callback) {
        uint32_t reported = events & (slot->user_events | ALWAYS_REPORTED);
        if (reported)
            slot->callback(loop, fd, reported, loop->now_us, slot->data);
    }
}

/* One wake-up: wait, read the clock, run ready callbacks, due timers, GLib, then the deferred
 * work (batched sends) before the next wait. */
static int turn(struct prism_loop *loop)
{
    struct epoll_event events[EVENTS_PER_WAIT];
    int timeout = loop->glib && loop_glib_ready(loop) ? 0 : -1;
    sync_timer_fd(loop);
    int count = epoll_wait(loop->epoll_fd, events, EVENTS_PER_WAIT, timeout);
    if (count < 0)
        return errno == EINTR ? 0 : -errno;
    loop->turn++;
    loop->now_us = prism_loop_clock_us();
    loop->in_turn = true;
    for (int i = 0; i < count; i++)
        dispatch_event(loop, events[i].data.fd, events[i].events);
    prism_timer_heap_run_due(&loop->timers, loop->now_us);
    if (loop->glib)
        loop_glib_after_turn(loop);
    run_deferred(loop);
    loop->in_turn = false;
    /* The busy fraction on the metrics page: one more clock read per wake-up. */
    prism_metrics_add(PRISM_COUNTER_BUSY_US, prism_loop_clock_us() - loop->now_us);
    return 0;
}

int prism_loop_run(struct prism_loop *loop)
{
    int rc = loop->glib ? loop_glib_begin(loop) : 0;
    if (rc < 0)
        return rc;
    while (rc == 0 && !atomic_load(&loop->stop_requested))
        rc = turn(loop);
    atomic_store(&loop->stop_requested, false);
    if (loop->glib)
        loop_glib_end(loop);
    return rc;
}

GMainContext *prism_loop_glib_context(struct prism_loop *loop)
{
    if (!loop->glib && loop_glib_create(loop) < 0)
        return NULL;
    return loop_glib_context(loop);
}

uint64_t prism_loop_glib_iterations(const struct prism_loop *loop)
{
    return loop->glib ? loop_glib_iterations(loop) : 0;
}

int prism_loop_create(struct prism_loop **out)
{
    struct prism_loop *loop = calloc(1, sizeof(*loop));
    if (!loop)
        return -ENOMEM;
    pthread_mutex_init(&loop->mailbox_lock, NULL);
    loop->deferred_tail = &loop->deferred_head;
    prism_timer_heap_init(&loop->timers);
    atomic_init(&loop->stop_requested, false);
    loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    loop->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    loop->mailbox_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int rc = 0;
    if (loop->epoll_fd < 0 || loop->timer_fd < 0 || loop->mailbox_fd < 0)
        rc = -errno;
    if (rc == 0)
        rc = prism_loop_add_fd(loop, loop->timer_fd, EPOLLIN, timer_fd_cb, NULL);
    if (rc == 0)
        rc = prism_loop_add_fd(loop, loop->mailbox_fd, EPOLLIN, mailbox_fd_cb, NULL);
    if (rc < 0) {
        prism_loop_destroy(loop);
        return rc;
    }
    loop->now_us = prism_loop_clock_us();
    *out = loop;
    return 0;
}

void prism_loop_destroy(struct prism_loop *loop)
{
    if (!loop)
        return;
    prism_loop_close_mailbox(loop);
    drain_mailbox(loop);
    run_deferred(loop);
    if (loop->glib)
        loop_glib_destroy(loop);
    prism_timer_heap_deinit(&loop->timers);
    if (loop->epoll_fd >= 0)
        close(loop->epoll_fd);
    if (loop->timer_fd >= 0)
        close(loop->timer_fd);
    if (loop->mailbox_fd >= 0)
        close(loop->mailbox_fd);
    pthread_mutex_destroy(&loop->mailbox_lock);
    free(loop->pending);
    free(loop->draining);
    free(loop->fds);
    free(loop);
}
