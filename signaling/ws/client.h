/* One WebSocket connection as the rest of Prism sees it: an event sink for
 * its sessions and the target of its requests' replies. Private to the
 * transport (ws.c owns the socket side).
 *
 * Lifetime: refcounted through the embedded sink. The connection holds one
 * reference until the socket closes; each session bound to the client, each
 * reply still to come and each pending wake-up holds another. Once closed,
 * everything pushed to the client is dropped. */
#ifndef PRISM_SIGNALING_WS_CLIENT_H
#define PRISM_SIGNALING_WS_CLIENT_H

#include "core/sink.h"
#include "signaling/ws/assembler.h"
#include "signaling/ws/outqueue.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

struct lws;
struct prism_ws;
struct ws_edge;

struct prism_ws_client {
    struct prism_event_sink sink; /* first member: the engine only sees this */

    GMutex lock;         /* guards the fields down to `out` */
    struct prism_ws *ws; /* the transport; followed only while `open` */
    bool open;           /* false once the socket closed or the transport stopped */
    bool scheduled;      /* waiting in the transport's wake-up list */
    bool overflowed;     /* the output cap was hit: close instead of writing */
    struct prism_ws_outqueue out;

    char peer[64]; /* "address #n" for log lines; written before the client is shared */
    /* The client's address key for the per-address limits (signaling/limits/client_address.h),
     * "" when unknown; written before the client is shared. */
    char address[48];

    /* Service thread only. */
    struct lws *wsi;                     /* NULL once closed */
    bool closing;                        /* we asked lws to close it: say nothing more */
    bool protocol_error;                 /* the client broke RFC 6455: close with 1002 */
    struct ws_edge *edge;                /* its client-facing socket (edge.h), or NULL */
    struct prism_ws_assembler in;        /* the request being received */
    struct prism_ws_client *prev, *next; /* the transport's live clients */
};

/* Creates an open client with one reference (the connection's). Returns 0 or
 * -ENOMEM. */
int prism_ws_client_new(struct prism_ws_client **out, struct prism_ws *ws, struct lws *wsi,
                        size_t max_message_size, size_t max_queued_bytes);

/* Serialises `message` (reference stolen) onto the client's queue and wakes
 * the service thread to write it. Dropped when the client is closed. Any
 * thread. */
void prism_ws_client_queue(struct prism_ws_client *client, json_t *message);

/* A one-shot reply target for a request from this client; it holds a
 * reference until delivered. NULL when out of memory. */
struct prism_reply_target *prism_ws_client_reply_target(struct prism_ws_client *client);

/* Closes the client for pushes: nothing is queued after this and the
 * transport is no longer touched. Drops what was still queued. */
void prism_ws_client_mark_closed(struct prism_ws_client *client);

/* Takes the next message to write. Sets *more when others remain after it and
 * *overflowed when the client must be closed instead. Service thread. */
struct prism_ws_message *prism_ws_client_next(struct prism_ws_client *client, bool *more,
                                              bool *overflowed);

/* Clears the wake-up mark once the service thread took the client from the
 * transport's list, so the next queued message wakes it again. */
void prism_ws_client_unschedule(struct prism_ws_client *client);

static inline struct prism_ws_client *prism_ws_client_from_sink(struct prism_event_sink *sink)
{
    return (struct prism_ws_client *)sink;
}

/* Implemented by ws.c: queues the client (locked by the caller, open) for a
 * writable callback and wakes the service thread. */
void prism_ws_wake(struct prism_ws *ws, struct prism_ws_client *client);

#endif
