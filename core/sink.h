/* Where API output goes: replies to one request (prism_reply_target) and the
 * asynchronous events of a session (prism_event_sink). Transports implement
 * both; the API engine and plugins only call through these tables, so the
 * engine never knows whether a client speaks HTTP or WebSocket. */
#ifndef PRISM_CORE_SINK_H
#define PRISM_CORE_SINK_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>

struct prism_event_sink;

struct prism_event_sink_ops {
    /* Queues `event` (reference stolen) for the client that owns session
     * `session_id`. Called from any thread; must not block on the network. */
    void (*push)(struct prism_event_sink *sink, uint64_t session_id, json_t *event);
    /* The session ended (destroyed, timed out, or claimed by another sink):
     * the sink may drop what it keeps for it once queued events are out. */
    void (*session_gone)(struct prism_event_sink *sink, uint64_t session_id);
    /* Frees the sink; called when the last reference goes. */
    void (*destroy)(struct prism_event_sink *sink);
};

/* Embedded as the first member of a transport's client object. Refcounted:
 * each session holds one reference to its sink. */
struct prism_event_sink {
    const struct prism_event_sink_ops *ops;
    atomic_int refs;
    const char *transport; /* package name, e.g. "janus.transport.websockets" */
};

void prism_event_sink_init(struct prism_event_sink *sink, const struct prism_event_sink_ops *ops,
                           const char *transport);
struct prism_event_sink *prism_event_sink_ref(struct prism_event_sink *sink);
void prism_event_sink_unref(struct prism_event_sink *sink);

/* Receives the reply to one request, exactly once, from any thread (the
 * engine replies from a worker when a plugin had to run). `reply` is stolen.
 * The target stays valid until deliver has been called. */
struct prism_reply_target {
    void (*deliver)(struct prism_reply_target *target, json_t *reply);
    /* Set by the engine once it read the request: the Janus verb as a static string
     * ("other" for unknown ones), for the request counters. NULL: never parsed. */
    const char *verb;
};

#endif
