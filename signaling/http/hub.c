/* The HTTP transport's event sink: one for all HTTP clients, keyed by session
 * id. Events go to the session's long-poll queue and wake its waiters. */
#include "signaling/http/internal.h"

#include "core/ids.h"
#include "core/log.h"

#include <errno.h>
#include <stdlib.h>

static struct http_hub *hub_of(struct prism_event_sink *sink)
{
    return (struct http_hub *)sink;
}

void http_hub_ready_locked(struct http_hub *hub, struct http_request *request, json_t *answer,
                           unsigned status)
{
    bool suspended = request->state == REQUEST_WAITING;
    request->answer = answer;
    request->answer_status = status;
    request->state = REQUEST_READY;
    if (suspended)
        MHD_resume_connection(request->connection);
}

bool http_handoff_begin(struct http_request *request)
{
    struct http_hub *hub = request->hub;
    g_mutex_lock(&hub->lock);
    bool stopping = hub->stopping;
    if (!stopping)
        request->state = REQUEST_HANDLING;
    g_mutex_unlock(&hub->lock);
    return !stopping;
}

bool http_handoff_answered_locked(struct http_request *request)
{
    if (request->state == REQUEST_WAITING) {
        g_queue_unlink(&request->hub->pending, &request->pending_link);
        request->pending_link.data = NULL;
    }
    return request->state == REQUEST_HANDLING || request->state == REQUEST_WAITING;
}

enum http_handoff http_handoff_wait(struct http_request *request)
{
    struct http_hub *hub = request->hub;
    enum http_handoff outcome = HTTP_HANDOFF_PARKED;
    g_mutex_lock(&hub->lock);
    if (request->state == REQUEST_READY) {
        outcome = HTTP_HANDOFF_READY;
        request->state = REQUEST_DONE;
    } else if (hub->stopping) {
        /* Shutdown went by while the engine had it: nobody resumes us now. */
        outcome = HTTP_HANDOFF_STOPPING;
        request->state = REQUEST_DONE;
    } else {
        request->state = REQUEST_WAITING;
        request->pending_link = (GList){.data = request};
        g_queue_push_tail_link(&hub->pending, &request->pending_link);
        MHD_suspend_connection(request->connection);
    }
    g_mutex_unlock(&hub->lock);
    return outcome;
}

void http_hub_resume_answered_locked(struct http_hub *hub, GPtrArray *answered)
{
    for (guint i = 0; i < answered->len; i++) {
        struct prism_http_waiter *waiter = g_ptr_array_index(answered, i);
        struct http_request *request = (struct http_request *)((char *)waiter -
                                                               offsetof(struct http_request,
                                                                        waiter));
        json_t *answer = waiter->answer;
        waiter->answer = NULL;
        http_hub_ready_locked(hub, request, answer, 200);
    }
    g_ptr_array_set_size(answered, 0);
}

static void push_cb(struct prism_event_sink *sink, uint64_t session_id, json_t *event)
{
    struct http_hub *hub = hub_of(sink);
    GPtrArray *answered = g_ptr_array_new();
    g_mutex_lock(&hub->lock);
    bool kept = prism_http_queue_push(hub->queue, session_id, event, answered);
    http_hub_resume_answered_locked(hub, answered);
    /* A client that never polls makes one drop per event: one line per interval. */
    uint64_t suppressed = 0;
    bool log = !kept && prism_log_limit_allow(&hub->dropped_log, prism_now_us(), &suppressed);
    g_mutex_unlock(&hub->lock);
    g_ptr_array_free(answered, TRUE);
    if (log)
        prism_warn("http",
                   "session %" G_GUINT64_FORMAT
                   " has %u unread events: dropping one (%" G_GUINT64_FORMAT
                   " more dropped since the last line)",
                   session_id, HTTP_MAX_QUEUED_EVENTS, suppressed);
}

static void session_gone_cb(struct prism_event_sink *sink, uint64_t session_id)
{
    struct http_hub *hub = hub_of(sink);
    GPtrArray *answered = g_ptr_array_new();
    g_mutex_lock(&hub->lock);
    prism_http_queue_session_gone(hub->queue, session_id, prism_now_us(), answered);
    http_hub_resume_answered_locked(hub, answered);
    /* The sweeper may have a grace time to watch now. */
    g_cond_broadcast(&hub->changed);
    g_mutex_unlock(&hub->lock);
    g_ptr_array_free(answered, TRUE);
}

static void destroy_cb(struct prism_event_sink *sink)
{
    struct http_hub *hub = hub_of(sink);
    prism_http_queue_destroy(hub->queue);
    g_mutex_clear(&hub->lock);
    g_cond_clear(&hub->changed);
    free(hub);
}

static const struct prism_event_sink_ops hub_ops = {push_cb, session_gone_cb, destroy_cb};

int http_hub_create(struct http_hub **out)
{
    struct http_hub *hub = calloc(1, sizeof(*hub));
    if (!hub)
        return -ENOMEM;
    /* A long-poll comes back within milliseconds of its answer, so a minute
     * is plenty for the last events of an ended session. */
    int rc = prism_http_queue_create(&hub->queue, HTTP_MAX_QUEUED_EVENTS, 60u * 1000000u);
    if (rc < 0) {
        free(hub);
        return rc;
    }
    prism_event_sink_init(&hub->sink, &hub_ops, "janus.transport.http");
    g_mutex_init(&hub->lock);
    g_cond_init(&hub->changed);
    g_queue_init(&hub->pending);
    *out = hub;
    return 0;
}

struct http_hub *http_hub_ref(struct http_hub *hub)
{
    prism_event_sink_ref(&hub->sink);
    return hub;
}

void http_hub_unref(struct http_hub *hub)
{
    if (hub)
        prism_event_sink_unref(&hub->sink);
}
