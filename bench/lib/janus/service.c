/* The process-wide libwebsockets service thread of the Janus client: one client context for
 * every connection, a to-do list of links that have output or want closing (filled from any
 * thread, taken on LWS_CALLBACK_EVENT_WAIT_CANCELLED), and the links' reference counting. */
#include "bench/lib/janus/internal.h"

#include "core/log.h"

#include <errno.h>
#include <limits.h>
#include <libwebsockets.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>

/* lws_lookup and the poll table are sized by this; enough for 100k sockets. */
#define SERVICE_MAX_FDS (128 * 1024)
#define SERVICE_HTTP_WAIT_S 75

/* The service. `lock` guards everything but `quit`; the context is touched by the service
 * thread only, except at start and (once the thread is joined) at shutdown. */
static struct {
    GMutex lock;
    struct lws_context *context;
    GThread *thread;
    atomic_bool quit;
    GPtrArray *todo;  /* links, one reference each */
    GPtrArray *batch; /* service thread: the list being worked through */
} service;

void janus_input_free(struct janus_input *input)
{
    if (!input)
        return;
    g_free(input->text);
    g_free(input->transaction);
    g_free(input);
}

struct janus_link *janus_link_ref(struct janus_link *link)
{
    g_atomic_ref_count_inc(&link->refs);
    return link;
}

void janus_link_unref(struct janus_link *link)
{
    if (!link || !g_atomic_ref_count_dec(&link->refs))
        return;
    g_queue_clear_full(&link->outbox, (GDestroyNotify)bench_janus_output_free);
    g_queue_clear_full(&link->inbox, (GDestroyNotify)janus_input_free);
    if (link->partial)
        g_string_free(link->partial, TRUE);
    g_mutex_clear(&link->lock);
    g_free(link->host);
    g_free(link->path);
    g_free(link->host_header);
    g_free(link);
}

void janus_link_push(struct janus_link *link, struct janus_input *input)
{
    g_mutex_lock(&link->lock);
    if (!link->wake) {
        g_mutex_unlock(&link->lock);
        janus_input_free(input);
        return;
    }
    g_queue_push_tail(&link->inbox, input);
    /* Thread-safe in GLib: wakes the context, whose dispatch drains the whole inbox. */
    if (link->inbox.length == 1)
        g_source_set_ready_time(link->wake, 0);
    g_mutex_unlock(&link->lock);
}

int bench_janus_raise_fd_limit(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) < 0)
        return -errno;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) < 0)
            return -errno;
    }
    return limit.rlim_cur > INT_MAX ? INT_MAX : (int)limit.rlim_cur;
}

void janus_service_schedule(struct janus_link *link)
{
    g_mutex_lock(&link->lock);
    bool first = !link->scheduled;
    link->scheduled = true;
    g_mutex_unlock(&link->lock);
    if (!first)
        return;
    g_mutex_lock(&service.lock);
    bool wake = service.todo->len == 0;
    g_ptr_array_add(service.todo, janus_link_ref(link));
    struct lws_context *context = service.context;
    g_mutex_unlock(&service.lock);
    /* One wake-up per batch: the service thread takes the whole list. */
    if (wake && context)
        lws_cancel_service(context);
}

void janus_service_run_todo(void)
{
    g_mutex_lock(&service.lock);
    GPtrArray *batch = service.todo;
    service.todo = service.batch;
    service.batch = batch;
    g_mutex_unlock(&service.lock);
    for (guint i = 0; i < batch->len; i++) {
        struct janus_link *link = g_ptr_array_index(batch, i);
        /* Cleared first: output queued from now on schedules the link again. */
        g_mutex_lock(&link->lock);
        link->scheduled = false;
        g_mutex_unlock(&link->lock);
        if (link->http)
            janus_http_turn(service.context, link);
        else
            janus_ws_turn(service.context, link);
        janus_link_unref(link);
    }
    g_ptr_array_set_size(batch, 0);
}

/* Both protocols' callback: routes by what the socket's user pointer is. */
static int socket_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len)
{
    if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
        janus_service_run_todo();
        return 0;
    }
    if (!user)
        return 0;
    switch (*(const uint32_t *)user) {
    case JANUS_SOCKET_LINK:
        return janus_ws_cb(wsi, reason, user, in, len);
    case JANUS_SOCKET_EXCHANGE:
        return janus_http_cb(wsi, reason, user, in, len);
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    {"janus-protocol", socket_cb, 0, 64 * 1024, 0, NULL, 0},
    {"bench-janus-http", socket_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static gpointer service_thread(gpointer data)
{
    while (!atomic_load(&service.quit)) {
        if (lws_service(service.context, 0) < 0) {
            prism_error("bench", "the libwebsockets client loop failed");
            break;
        }
    }
    return NULL;
}

static int create_context(void)
{
    int limit = bench_janus_raise_fd_limit();
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.uid = -1;
    info.gid = -1;
    info.fd_limit_per_thread = limit > 0 ? (unsigned)MIN(limit, SERVICE_MAX_FDS) : 0;
    /* lws waits this long for an HTTP answer: past the 30 s a long-poll may wait (Prism's and
     * Janus's default), so a quiet long-poll is answered, not killed. */
    info.timeout_secs = SERVICE_HTTP_WAIT_S;
    /* Only errors and warnings; keeps a log function someone else set (Prism's, in tests). */
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    service.context = lws_create_context(&info);
    return service.context ? 0 : -ENOMEM;
}

int janus_service_start(void)
{
    int rc = 0;
    g_mutex_lock(&service.lock);
    if (service.thread)
        goto out;
    if (!service.todo) {
        service.todo = g_ptr_array_new();
        service.batch = g_ptr_array_new();
    }
    rc = create_context();
    if (rc < 0)
        goto out;
    atomic_store(&service.quit, false);
    GError *error = NULL;
    service.thread = g_thread_try_new("bench-janus", service_thread, NULL, &error);
    if (!service.thread) {
        prism_error("bench", "cannot start the libwebsockets client thread: %s", error->message);
        g_error_free(error);
        lws_context_destroy(service.context);
        service.context = NULL;
        rc = -EAGAIN;
    }
out:
    g_mutex_unlock(&service.lock);
    return rc;
}

void bench_janus_shutdown(void)
{
    g_mutex_lock(&service.lock);
    GThread *thread = service.thread;
    struct lws_context *context = service.context;
    service.thread = NULL;
    g_mutex_unlock(&service.lock);
    if (!thread)
        return;
    atomic_store(&service.quit, true);
    lws_cancel_service(context);
    g_thread_join(thread);
    /* Closes what is left; the sockets' callbacks run here, releasing their links. */
    janus_service_run_todo();
    lws_context_destroy(context);
    g_mutex_lock(&service.lock);
    service.context = NULL;
    for (guint i = 0; i < service.todo->len; i++)
        janus_link_unref(g_ptr_array_index(service.todo, i));
    g_ptr_array_set_size(service.todo, 0);
    g_mutex_unlock(&service.lock);
}
