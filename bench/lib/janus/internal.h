/* What the two halves of the Janus client share: the link between a connection's GMainContext
 * (client.c: protocol state, callbacks) and the process-wide libwebsockets service thread
 * (service.c: sockets). Private to bench/lib/janus. */
#ifndef PRISM_BENCH_JANUS_INTERNAL_H
#define PRISM_BENCH_JANUS_INTERNAL_H

#include "bench/lib/janus/transactions.h"

#include <glib.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>

/* Largest message or HTTP body accepted; a bigger one closes the connection (or fails the
 * HTTP request). SDP bodies are at most about 1 MB. */
#define JANUS_MAX_MESSAGE (16 * 1024 * 1024)

enum janus_input_kind {
    INPUT_OPENED,    /* `error`: 0, or why the connection (or the HTTP probe) failed */
    INPUT_CLOSED,    /* WebSocket gone: `error` -ECONNRESET (or -ECONNREFUSED) */
    INPUT_MESSAGE,   /* WebSocket message `text` */
    INPUT_POST_DONE, /* HTTP POST answered: `transaction`, `status` (0: none), `text` */
    INPUT_POLL_DONE, /* HTTP long-poll answered: `poll_session`, `status`, `text` */
};

/* One thing the service thread hands to the connection's context; owned by whoever holds it. */
struct janus_input {
    enum janus_input_kind kind;
    int error;
    int status;
    char *text; /* NUL-terminated */
    size_t length;
    char *transaction;
    uint64_t poll_session;
};

void janus_input_free(struct janus_input *input);

/* The shared part of a connection, refcounted: the connection holds one reference, the
 * service thread one per socket and one while the link is on its to-do list. Fields marked
 * "service" are touched by the service thread only. */
/* The first member of what a socket's user pointer points at: lws calls some callbacks of an
 * HTTP client socket (LWS_CALLBACK_WSI_DESTROY) on the vhost's first protocol, not the one the
 * socket is bound to, so the callback tells a link from an exchange by this tag. */
enum janus_socket_owner { JANUS_SOCKET_LINK = 0x4c696e6b, JANUS_SOCKET_EXCHANGE = 0x45786368 };

struct janus_link {
    uint32_t socket_owner; /* JANUS_SOCKET_LINK */
    gatomicrefcount refs;
    /* Set at creation, then read-only. */
    bool http;
    char *host; /* numeric or name, for connect */
    int port;
    char *path;        /* WebSocket: request path; HTTP: the API's base path */
    char *host_header; /* "host:port" */

    GMutex lock;          /* guards the fields down to `scheduled` */
    GQueue outbox;        /* struct bench_janus_output *, to send */
    GQueue inbox;         /* struct janus_input *, for the context */
    GSource *wake;        /* made ready when the inbox fills; NULL once the connection closed */
    bool close_requested; /* the connection closed: drop the sockets */
    bool scheduled;       /* on the service's to-do list */

    /* Service. */
    struct lws *wsi; /* WebSocket */
    bool connecting, established, dead;
    bool socket_ref;  /* the WebSocket holds a reference (until LWS_CALLBACK_WSI_DESTROY) */
    GString *partial; /* the WebSocket message being assembled */
    GQueue exchanges; /* HTTP requests in flight (struct janus_exchange *) */
};

/* Takes a reference on the link. */
struct janus_link *janus_link_ref(struct janus_link *link);
void janus_link_unref(struct janus_link *link);

/* Starts the service thread if needed. Returns 0 or -errno. */
int janus_service_start(void);
/* Asks the service thread to look at the link (new output, or close). Any thread. */
void janus_service_schedule(struct janus_link *link);
/* Service thread: hands `input` to the link's context (dropped once the connection closed). */
void janus_link_push(struct janus_link *link, struct janus_input *input);

/* Service thread side, shared by service.c, ws_link.c and http_link.c. */
int janus_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                size_t len);
int janus_http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                  size_t len);
/* Takes the to-do list and gives each link its turn (from EVENT_WAIT_CANCELLED). */
void janus_service_run_todo(void);
/* A link's turn: connect, write, start HTTP requests, or close everything. */
void janus_ws_turn(struct lws_context *context, struct janus_link *link);
void janus_http_turn(struct lws_context *context, struct janus_link *link);

#endif
