/* The client-facing side of the WebSocket transport, there to enforce RFC 6455 section 5.1
 * ("The server MUST close the connection upon receiving a frame that is not masked"), which
 * libwebsockets 4.1 does not, nor does it say whether a frame was masked.
 *
 * libwebsockets accepts each TCP connection as a raw socket (an "edge"). What the client
 * sends goes through the mask check (mask_check.h) and on into a socket pair, whose other
 * end libwebsockets serves as the WebSocket connection (handshake, frames, pings, close)
 * with the transport's usual protocol callback; what that end writes goes back to the
 * client. On an unmasked frame nothing more is passed on and the WebSocket connection is
 * closed with 1002 (protocol error), or at once if it was not established yet; frames the
 * client sent just before it may go unanswered.
 *
 * Flow: the client is not read while 256 KiB of its bytes wait for the WebSocket end (as
 * TCP would hold it back); the WebSocket end is always read, and a client that leaves more
 * than the transport's max_queued_bytes of it unread is cut off.
 *
 * WSS: lws terminates TLS on the client's socket (the listening vhost has the certificate), so
 * the mask check reads decrypted bytes and the pair stays plain; what goes back to the client
 * is written through lws, which encrypts it.
 *
 * Cost: two more descriptors and one more copy each way per connection, on the service
 * thread; signaling traffic only. Threads: everything here runs on the service thread. */
#ifndef PRISM_SIGNALING_WS_EDGE_H
#define PRISM_SIGNALING_WS_EDGE_H

#include "core/log_limit.h"

#include <glib.h>
#include <libwebsockets.h>
#include <stdatomic.h>
#include <stdbool.h>

struct prism_ws_client;
struct ws_edge;

/* The lws protocol of the client sockets and of our ends of the pairs. */
#define PRISM_WS_EDGE_PROTOCOL "prism-ws-edge"

/* The edges of one transport. */
struct prism_ws_edges {
    struct lws_vhost *inner_vhost; /* serves the WebSocket ends of the pairs; set by ws.c */
    const atomic_bool *draining;   /* the transport is stopping: accept nobody new */
    size_t max_queued_bytes;       /* output a client may leave unread (0 = no limit) */
    bool tls;                      /* lws ends TLS on the client sockets (WSS) */
    struct ws_edge *list;          /* open edges, owned */
    unsigned count;
    struct ws_edge *adopting; /* the edge whose end of a pair is being adopted */
    /* Concurrent connections one client address may hold (0 = no limit); more are closed as
     * they are accepted. `per_address`: address key (owned) -> open edges (GUINT_TO_POINTER). */
    unsigned max_per_address;
    GHashTable *per_address;
    struct prism_log_limit refused_log; /* one line per interval about refused connections */
};

/* The protocol callback of PRISM_WS_EDGE_PROTOCOL. */
int prism_ws_edge_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len);

/* Implemented by ws.c: the edges of the transport that owns `context`. */
struct prism_ws_edges *prism_ws_edges_of(struct lws_context *context);

/* The WebSocket connection `wsi` (the inner end of an edge's pair) was established for
 * `client`: links the two, copies the client's address ("203.0.113.5") to `peer` and its
 * address key to client->address. False when `wsi` came by no edge. */
bool prism_ws_edge_attach(struct lws *wsi, struct prism_ws_client *client, char *peer,
                          size_t peer_size);

/* The client's WebSocket connection closed: unlinks it from its edge. */
void prism_ws_edge_detach(struct prism_ws_client *client);

/* Stop began: closes the connections that never became WebSocket connections (the others
 * close through the transport, their last frames flushed to the client). */
void prism_ws_edges_drain(struct prism_ws_edges *edges);

/* Frees the edges still open (after lws_context_destroy closed their sockets). */
void prism_ws_edges_free_all(struct prism_ws_edges *edges);

#endif
