/* WebSocket clients: the event sink and reply targets of one connection, and
 * its outbound queue shared between producer threads and the service thread. */
#include "signaling/ws/client.h"

#include "core/ids.h"
#include "core/log.h"
#include "core/request_metrics.h"

#include <errno.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

/* The reply to one request: keeps the client alive until it is delivered. */
struct ws_reply {
    struct prism_reply_target target; /* first member */
    struct prism_ws_client *client;   /* one reference */
    uint64_t started_us;              /* for the latency histogram */
};

static void client_push_cb(struct prism_event_sink *sink, uint64_t session_id, json_t *event)
{
    prism_ws_client_queue(prism_ws_client_from_sink(sink), event);
}

/* Nothing is kept per session: events already queued still go out, and the
 * engine stops pushing for a session once it is gone. */
static void client_session_gone_cb(struct prism_event_sink *sink, uint64_t session_id)
{
}

static void client_destroy_cb(struct prism_event_sink *sink)
{
    struct prism_ws_client *client = prism_ws_client_from_sink(sink);
    prism_ws_outqueue_clear(&client->out);
    prism_ws_assembler_free(&client->in);
    g_mutex_clear(&client->lock);
    free(client);
}

static const struct prism_event_sink_ops client_sink_ops = {
    .push = client_push_cb,
    .session_gone = client_session_gone_cb,
    .destroy = client_destroy_cb,
};

int prism_ws_client_new(struct prism_ws_client **out, struct prism_ws *ws, struct lws *wsi,
                        size_t max_message_size, size_t max_queued_bytes)
{
    struct prism_ws_client *client = calloc(1, sizeof(*client));
    if (!client)
        return -ENOMEM;
    prism_event_sink_init(&client->sink, &client_sink_ops, "janus.transport.websockets");
    g_mutex_init(&client->lock);
    client->ws = ws;
    client->open = true;
    prism_ws_outqueue_init(&client->out, LWS_PRE, max_queued_bytes);
    client->wsi = wsi;
    prism_ws_assembler_init(&client->in, max_message_size);
    *out = client;
    return 0;
}

/* Appends `text` and wakes the writer; the caller holds the lock. */
static void enqueue_locked(struct prism_ws_client *client, const char *text, size_t length)
{
    if (!client->open || client->overflowed)
        return;
    int rc = prism_ws_outqueue_push(&client->out, text, length);
    if (rc == -ENOBUFS) {
        /* A client that does not read its replies: cut it off rather than
         * drop one message and leave it with an inconsistent view. */
        client->overflowed = true;
        prism_ws_outqueue_clear(&client->out);
    } else if (rc < 0) {
        prism_error("ws", "%s: out of memory queueing %zu bytes", client->peer, length);
        return;
    }
    if (!client->scheduled) {
        client->scheduled = true;
        prism_ws_wake(client->ws, client);
    }
}

void prism_ws_client_queue(struct prism_ws_client *client, json_t *message)
{
    char *text = json_dumps(message, JSON_COMPACT);
    json_decref(message);
    if (!text) {
        prism_error("ws", "%s: cannot serialise a message", client->peer);
        return;
    }
    g_mutex_lock(&client->lock);
    enqueue_locked(client, text, strlen(text));
    bool overflowed = client->overflowed;
    g_mutex_unlock(&client->lock);
    free(text);
    if (overflowed)
        prism_debug("ws", "%s: output queue full, message dropped", client->peer);
}

/* The reply's kind ("success", "error", "ack", ...) as the request's status; kinds outside
 * Janus's list are "other", so the counters stay bounded. */
static const char *reply_status(json_t *reply)
{
    static const char *const kinds[] = {"success", "error", "ack", "server_info", "pong"};
    const char *kind = json_string_value(json_object_get(reply, "janus"));
    for (size_t i = 0; kind && i < G_N_ELEMENTS(kinds); i++) {
        if (strcmp(kind, kinds[i]) == 0)
            return kinds[i];
    }
    return "other";
}

static void reply_deliver_cb(struct prism_reply_target *target, json_t *reply)
{
    struct ws_reply *ws_reply = (struct ws_reply *)target;
    prism_request_metrics_record("websocket", target->verb ? target->verb : "invalid",
                                 reply_status(reply), prism_now_us() - ws_reply->started_us);
    prism_ws_client_queue(ws_reply->client, reply);
    prism_event_sink_unref(&ws_reply->client->sink);
    free(ws_reply);
}

struct prism_reply_target *prism_ws_client_reply_target(struct prism_ws_client *client)
{
    struct ws_reply *reply = malloc(sizeof(*reply));
    if (!reply)
        return NULL;
    reply->target.deliver = reply_deliver_cb;
    reply->target.verb = NULL;
    reply->started_us = prism_now_us();
    reply->client = client;
    prism_event_sink_ref(&client->sink);
    return &reply->target;
}

void prism_ws_client_mark_closed(struct prism_ws_client *client)
{
    g_mutex_lock(&client->lock);
    client->open = false;
    client->ws = NULL;
    prism_ws_outqueue_clear(&client->out);
    g_mutex_unlock(&client->lock);
}

struct prism_ws_message *prism_ws_client_next(struct prism_ws_client *client, bool *more,
                                              bool *overflowed)
{
    g_mutex_lock(&client->lock);
    *overflowed = client->overflowed;
    struct prism_ws_message *message = NULL;
    if (!client->overflowed)
        message = prism_ws_outqueue_pop(&client->out);
    *more = client->out.count > 0;
    g_mutex_unlock(&client->lock);
    return message;
}

void prism_ws_client_unschedule(struct prism_ws_client *client)
{
    g_mutex_lock(&client->lock);
    client->scheduled = false;
    g_mutex_unlock(&client->lock);
}
