/* A GMainContext nested under the epoll loop (libnice needs one).
 *
 * GLib's own loop costs O(sources) per wake-up: prepare and check visit every
 * source and poll() every descriptor. Here the context is iterated (check,
 * dispatch, then prepare and query for the next wait) only when GLib has
 * something to do: one of its descriptors is ready, its earliest timeout
 * passed, a source reported itself ready in prepare, or its wake-up
 * descriptor was signalled. Wake-ups that only concern the loop's own
 * descriptors, timers and mailbox never touch the context.
 *
 * The poll set GLib returns from query is kept registered in epoll and
 * changed by difference after each query. Three things make that exact:
 * - a source attached, a descriptor added or a ready time changed signals
 *   GLib's wake-up descriptor (attaching from the owner thread does too
 *   because the context is made with G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING),
 *   which is in the poll set, so changes made by the loop's own callbacks
 *   wake GLib up like they would in g_main_loop_run;
 * - a descriptor number in both the old and the new set may be a new socket
 *   (closed and reopened between two queries): the kernel dropped the old
 *   registration with the old socket. That needs a new source (a new socket
 *   gets a new GSocket source), so when a source was attached since the last
 *   sync (see sources_attached), every registration is re-issued (MOD, or ADD
 *   when the kernel forgot it); otherwise only the difference is applied.
 *   GLib's wake-up descriptor alone cannot tell: dispatching a source removes
 *   and re-adds its descriptors (blocking against recursion), which signals it
 *   on every dispatch. A descriptor added to an already attached source with
 *   g_source_add_unix_fd after a close is not detected: no user does that.
 * - priorities: when prepare finds a source ready, query lists only the
 *   descriptors of that priority or better. That reduced set is not synced
 *   into epoll (that would churn registrations); it is polled once with a zero
 *   timeout, checked and dispatched, and the next full query restores the wait. */
#include "core/loop_internal.h"

#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

struct loop_glib {
    GMainContext *context;
    GPollFD *fds; /* the last query's set, passed back to check */
    int count, capacity;
    GPollFD *synced; /* the set last registered in epoll */
    int synced_count, synced_capacity;
    uint64_t pass; /* sync passes, to mark the descriptors of the current set */
    gint max_priority;
    bool ready;     /* prepare found a source ready: iterate without waiting */
    bool due;       /* a descriptor fired or the timeout passed */
    bool attached;  /* a source was attached since the last full sync */
    guint probe_id; /* id of the last probe source (see sources_attached) */
    int wakeup_fd;  /* GLib's wake-up descriptor, -1 when unknown */
    struct prism_timer timeout;
    uint64_t iterations;
};

static uint32_t epoll_events_from_glib(gushort events)
{
    uint32_t out = 0;
    if (events & G_IO_IN)
        out |= EPOLLIN;
    if (events & G_IO_OUT)
        out |= EPOLLOUT;
    if (events & G_IO_PRI)
        out |= EPOLLPRI;
    return out;
}

static gushort glib_events_from_epoll(uint32_t events)
{
    gushort out = 0;
    if (events & EPOLLIN)
        out |= G_IO_IN;
    if (events & EPOLLOUT)
        out |= G_IO_OUT;
    if (events & EPOLLPRI)
        out |= G_IO_PRI;
    if (events & EPOLLERR)
        out |= G_IO_ERR;
    if (events & EPOLLHUP)
        out |= G_IO_HUP;
    return out;
}

static int ensure_capacity(GPollFD **fds, int *capacity, int needed)
{
    if (needed <= *capacity)
        return 0;
    int grown = *capacity ? *capacity : 16;
    while (grown < needed)
        grown *= 2;
    GPollFD *more = realloc(*fds, (size_t)grown * sizeof(**fds));
    if (!more)
        return -ENOMEM;
    *fds = more;
    *capacity = grown;
    return 0;
}

/* Runs query until the set fits; returns GLib's timeout in milliseconds. */
static int query(struct loop_glib *glib)
{
    int timeout = -1;
    for (;;) {
        int count = g_main_context_query(glib->context, glib->max_priority, &timeout, glib->fds,
                                         glib->capacity);
        if (count <= glib->capacity) {
            glib->count = count;
            return timeout;
        }
        if (ensure_capacity(&glib->fds, &glib->capacity, count) < 0)
            abort(); /* GLib itself aborts when it runs out of memory */
    }
}

static GSourceFuncs probe_funcs; /* no prepare, check or dispatch: never ready */

/* Whether any source was attached since the last call. Source ids are handed
 * out in sequence, so attaching and destroying a probe source tells: its id is
 * the previous probe's plus one exactly when nothing was attached between.
 * Attaching signals GLib's wake-up (ownerless polling), which is consumed
 * here: the prepare and query that follow see every change it announced. */
static bool sources_attached(struct loop_glib *glib)
{
    GSource *probe = g_source_new(&probe_funcs, sizeof(GSource));
    guint id = g_source_attach(probe, glib->context);
    g_source_destroy(probe);
    g_source_unref(probe);
    bool attached = glib->probe_id == 0 || id != glib->probe_id + 1;
    glib->probe_id = id;
    if (glib->wakeup_fd >= 0) {
        char drain[64]; /* an eventfd, or a pipe on old kernels */
        while (read(glib->wakeup_fd, drain, sizeof(drain)) > 0)
            ;
    }
    return attached;
}

/* Registers the new poll set in epoll by difference with the previous one. */
static void sync_poll_set(struct prism_loop *loop)
{
    struct loop_glib *glib = loop->glib;
    bool reissue = glib->attached || glib->wakeup_fd < 0;
    glib->attached = false;
    uint64_t pass = ++glib->pass;
    for (int i = 0; i < glib->count; i++) {
        struct loop_fd *slot = loop_fd_slot(loop, glib->fds[i].fd, true);
        if (!slot)
            abort();
        uint32_t events = epoll_events_from_glib(glib->fds[i].events);
        if (slot->glib_pass == pass)
            events |= slot->glib_events; /* listed twice: poll for both */
        slot->glib_pass = pass;
        slot->in_glib = true;
        slot->glib_events = events;
    }
    for (int i = 0; i < glib->synced_count; i++) {
        struct loop_fd *slot = loop_fd_slot(loop, glib->synced[i].fd, false);
        if (slot && slot->in_glib && slot->glib_pass != pass) {
            slot->in_glib = false;
            loop_fd_sync(loop, glib->synced[i].fd, false);
        }
    }
    for (int i = 0; i < glib->count; i++)
        loop_fd_sync(loop, glib->fds[i].fd, reissue);
    if (ensure_capacity(&glib->synced, &glib->synced_capacity, glib->count) < 0)
        abort();
    memcpy(glib->synced, glib->fds, (size_t)glib->count * sizeof(*glib->fds));
    glib->synced_count = glib->count;
}

/* Prepares the next wait: prepare, query, then either iterate again at once
 * (a source is ready) or register the poll set and arm GLib's timeout. */
static void prepare_wait(struct prism_loop *loop)
{
    struct loop_glib *glib = loop->glib;
    if (sources_attached(glib))
        glib->attached = true;
    glib->ready = g_main_context_prepare(glib->context, &glib->max_priority);
    int timeout = query(glib);
    if (glib->ready)
        return;
    sync_poll_set(loop);
    if (timeout < 0)
        prism_timer_heap_cancel(&loop->timers, &glib->timeout);
    else
        prism_timer_heap_arm(&loop->timers, &glib->timeout,
                             prism_loop_clock_us() + (uint64_t)timeout * 1000u);
}

/* Fills in revents of the queried set from what epoll reported this turn. */
static void collect_revents(struct prism_loop *loop)
{
    struct loop_glib *glib = loop->glib;
    for (int i = 0; i < glib->count; i++) {
        GPollFD *fd = &glib->fds[i];
        struct loop_fd *slot = loop_fd_slot(loop, fd->fd, false);
        fd->revents = 0;
        if (slot && slot->glib_seen_turn == loop->turn)
            fd->revents = glib_events_from_epoll(slot->glib_revents) &
                          (fd->events | G_IO_ERR | G_IO_HUP | G_IO_NVAL);
    }
}

static void iterate(struct prism_loop *loop)
{
    struct loop_glib *glib = loop->glib;
    if (glib->ready) {
        g_poll(glib->fds, (guint)glib->count, 0); /* the reduced set, see above */
    } else {
        collect_revents(loop);
    }
    glib->ready = false;
    glib->due = false;
    glib->iterations++;
    if (g_main_context_check(glib->context, glib->max_priority, glib->fds, glib->count))
        g_main_context_dispatch(glib->context);
    prepare_wait(loop);
}

void loop_glib_note_event(struct prism_loop *loop, int fd, uint32_t events)
{
    struct loop_fd *slot = loop_fd_slot(loop, fd, false);
    slot->glib_revents = events;
    slot->glib_seen_turn = loop->turn;
    loop->glib->due = true;
}

void loop_glib_after_turn(struct prism_loop *loop)
{
    if (loop->glib->ready || loop->glib->due)
        iterate(loop);
}

bool loop_glib_ready(const struct prism_loop *loop)
{
    return loop->glib->ready;
}

static void timeout_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct loop_glib *glib = data;
    glib->due = true;
}

int loop_glib_begin(struct prism_loop *loop)
{
    if (!g_main_context_acquire(loop->glib->context))
        return -EBUSY; /* another thread iterates it */
    g_main_context_push_thread_default(loop->glib->context);
    prepare_wait(loop);
    return 0;
}

void loop_glib_end(struct prism_loop *loop)
{
    g_main_context_pop_thread_default(loop->glib->context);
    g_main_context_release(loop->glib->context);
}

/* A fresh context polls exactly one descriptor: its wake-up. */
static int find_wakeup_fd(struct loop_glib *glib)
{
    int fd = -1;
    if (!g_main_context_acquire(glib->context))
        return -1;
    g_main_context_prepare(glib->context, &glib->max_priority);
    query(glib);
    if (glib->count == 1)
        fd = glib->fds[0].fd;
    for (int i = 0; i < glib->count; i++)
        glib->fds[i].revents = 0;
    g_main_context_check(glib->context, glib->max_priority, glib->fds, glib->count);
    g_main_context_release(glib->context);
    glib->count = 0;
    return fd;
}

int loop_glib_create(struct prism_loop *loop)
{
    struct loop_glib *glib = calloc(1, sizeof(*glib));
    if (!glib)
        return -ENOMEM;
    glib->context = g_main_context_new_with_flags(G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING);
    prism_timer_init(&glib->timeout, timeout_cb, glib);
    glib->wakeup_fd = find_wakeup_fd(glib);
    loop->glib = glib;
    return 0;
}

void loop_glib_destroy(struct prism_loop *loop)
{
    struct loop_glib *glib = loop->glib;
    prism_timer_heap_cancel(&loop->timers, &glib->timeout);
    for (int i = 0; i < glib->synced_count; i++) {
        struct loop_fd *slot = loop_fd_slot(loop, glib->synced[i].fd, false);
        if (slot && slot->in_glib) {
            slot->in_glib = false;
            loop_fd_sync(loop, glib->synced[i].fd, false);
        }
    }
    g_main_context_unref(glib->context);
    free(glib->fds);
    free(glib->synced);
    free(glib);
    loop->glib = NULL;
}

GMainContext *loop_glib_context(const struct prism_loop *loop)
{
    return loop->glib->context;
}

uint64_t loop_glib_iterations(const struct prism_loop *loop)
{
    return loop->glib->iterations;
}
