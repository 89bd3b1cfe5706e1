/* The WebSocket transport: the libwebsockets context, its service thread and
 * the protocol callback that turns socket events into API requests, and
 * queued replies and events back into frames. Clients' sockets reach it
 * through the edges (edge.h), which check their frames are masked. */
#include "signaling/ws/ws.h"

#include "core/ids.h"
#include "core/log.h"
#include "signaling/api/api.h"
#include "signaling/api/errors.h"
#include "signaling/limits/rejections.h"
#include "signaling/ws/address.h"
#include "signaling/ws/client.h"
#include "signaling/ws/edge.h"

#include <errno.h>
#include <libwebsockets.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The transport. Fields above `pending_lock` are set by start and read-only
 * until stop; the rest are guarded as noted. */
struct prism_ws {
    struct prism_api *api;       /* not owned */
    struct lws_context *context; /* created by start, destroyed by stop */
    struct prism_ws_address address;
    uint16_t port;
    bool tls; /* the listening vhost terminates TLS (edge.h) */
    size_t max_message_size;
    size_t max_queued_bytes;
    bool admin; /* the Admin API on "janus-admin-protocol" */
    GThread *thread;
    atomic_bool draining;                 /* stop began: flush every client, then close it */
    atomic_bool quit;                     /* leave the service loop now */
    bool stopped;                         /* controlling thread only */
    struct prism_log_limit too_large_log; /* service thread: oversized messages */

    GMutex pending_lock; /* guards `pending` */
    GPtrArray *pending;  /* clients with new output, one sink reference each */
    GPtrArray *ready;    /* service thread: the batch taken from `pending` */

    GMutex exit_lock; /* guards `exited` */
    GCond exit_cond;
    bool exited; /* the service loop returned */

    /* Service thread only (the controlling thread once it has joined it). */
    struct prism_ws_client *clients; /* open connections */
    unsigned client_count;
    unsigned long connections;   /* accepted so far, numbers clients in logs */
    struct prism_ws_edges edges; /* the client sockets in front of them (edge.h) */
};

/* Per-connection memory lws allocates and frees; the client outlives it. */
struct connection {
    struct prism_ws_client *client; /* the connection's reference */
};

static const struct prism_transport_info transport_info = {
    .package = "janus.transport.websockets",
    .name = "Prism WebSockets transport",
    .description = "Janus API over WebSockets (libwebsockets)",
    .author = "Prism",
    .version = 1,
    .version_string = PRISM_VERSION_STRING,
};

/* lws logs through this once started: errors and warnings only, as Prism's. */
static void lws_log_cb(int level, const char *line)
{
    int length = (int)strlen(line);
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
        length--;
    if (level & LLL_ERR)
        prism_error("lws", "%.*s", length, line);
    else
        prism_warn("lws", "%.*s", length, line);
}

static void link_client(struct prism_ws *ws, struct prism_ws_client *client)
{
    client->prev = NULL;
    client->next = ws->clients;
    if (ws->clients)
        ws->clients->prev = client;
    ws->clients = client;
    ws->client_count++;
}

static void unlink_client(struct prism_ws *ws, struct prism_ws_client *client)
{
    if (client->prev)
        client->prev->next = client->next;
    else
        ws->clients = client->next;
    if (client->next)
        client->next->prev = client->prev;
    client->prev = client->next = NULL;
    ws->client_count--;
}

void prism_ws_wake(struct prism_ws *ws, struct prism_ws_client *client)
{
    g_mutex_lock(&ws->pending_lock);
    /* One wake-up per batch: the service thread takes the whole list. */
    bool first = ws->pending->len == 0;
    g_ptr_array_add(ws->pending, prism_event_sink_ref(&client->sink));
    g_mutex_unlock(&ws->pending_lock);
    if (first)
        lws_cancel_service(ws->context);
}

struct prism_ws_edges *prism_ws_edges_of(struct lws_context *context)
{
    return &((struct prism_ws *)lws_context_user(context))->edges;
}

static int on_established(struct prism_ws *ws, struct lws *wsi, struct connection *connection)
{
    if (atomic_load(&ws->draining))
        return -1;
    struct prism_ws_client *client;
    if (prism_ws_client_new(&client, ws, wsi, ws->max_message_size, ws->max_queued_bytes) < 0) {
        prism_error("ws", "out of memory accepting a connection");
        return -1;
    }
    char address[PRISM_WS_ADDRESS_MAX] = "";
    if (!prism_ws_edge_attach(wsi, client, address, sizeof(address)))
        lws_get_peer_simple(wsi, address, sizeof(address));
    snprintf(client->peer, sizeof(client->peer), "%s #%lu", address, ++ws->connections);
    connection->client = client;
    link_client(ws, client);
    prism_verbose("ws", "%s: connected", client->peer);
    return 0;
}

/* The socket is gone: no more output for it, its sessions are the engine's
 * to orphan, and the connection's reference goes. */
static void close_client(struct prism_ws *ws, struct prism_ws_client *client)
{
    prism_ws_client_mark_closed(client);
    client->wsi = NULL;
    prism_ws_edge_detach(client);
    prism_ws_assembler_free(&client->in);
    unlink_client(ws, client);
    prism_verbose("ws", "%s: closed", client->peer);
    prism_api_sink_closed(ws->api, &client->sink, prism_now_us());
    prism_event_sink_unref(&client->sink);
}

/* Starts closing with a status for the peer. lws may still call back for the
 * connection while the close completes; `closing` keeps those calls quiet. */
static int close_with(struct prism_ws_client *client, enum lws_close_status status,
                      const char *reason)
{
    client->closing = true;
    lws_close_reason(client->wsi, status, (unsigned char *)reason, strlen(reason));
    return -1;
}

static int on_receive(struct prism_ws *ws, struct lws *wsi, struct prism_ws_client *client,
                      const void *piece, size_t size)
{
    bool final = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
    const char *message;
    size_t length;
    int rc = prism_ws_assembler_feed(&client->in, piece, size, final, &message, &length);
    if (rc == -EMSGSIZE) {
        prism_rejection_count(PRISM_REJECT_WS_MESSAGE_SIZE);
        uint64_t suppressed = 0;
        if (prism_log_limit_allow(&ws->too_large_log, prism_now_us(), &suppressed))
            prism_warn("ws",
                       "%s: message over %zu bytes, closing (1009); %" G_GUINT64_FORMAT
                       " more since the last line",
                       client->peer, ws->max_message_size, suppressed);
        return close_with(client, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too big");
    }
    if (rc < 0) {
        prism_error("ws", "%s: out of memory receiving a message, closing", client->peer);
        return close_with(client, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "out of memory");
    }
    if (rc == PRISM_WS_ASSEMBLER_MORE)
        return 0;
    struct prism_api_request request = {
        .body = message,
        .length = length,
        .from_path = false,
        .sink = &client->sink,
        .reply = prism_ws_client_reply_target(client),
        .client_address = client->address,
    };
    if (!request.reply) {
        prism_error("ws", "%s: out of memory handling a request, closing", client->peer);
        return close_with(client, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "out of memory");
    }
    /* Over the address's request rate: a Janus error reply (code 429, as the HTTP status)
     * carrying the request's transaction; the connection stays open. */
    if (!ws->admin &&
        !prism_api_admit(ws->api, client->address, "websocket", prism_now_us(), NULL)) {
        prism_api_refuse(&request, PRISM_API_ERROR_TOO_MANY_REQUESTS,
                         "Too many requests from this address");
        return 0;
    }
    if (ws->admin)
        prism_api_handle_admin(ws->api, &request, prism_now_us());
    else
        prism_api_handle(ws->api, &request, prism_now_us());
    return 0;
}

/* Writes one queued message; lws calls again when the socket can take more. */
static int on_writeable(struct prism_ws *ws, struct lws *wsi, struct prism_ws_client *client)
{
    if (client->protocol_error)
        return close_with(client, LWS_CLOSE_STATUS_PROTOCOL_ERR, "unmasked frame");
    bool more, overflowed;
    struct prism_ws_message *message = prism_ws_client_next(client, &more, &overflowed);
    if (overflowed) {
        prism_warn("ws", "%s: over %zu bytes of output unread, closing (1008)", client->peer,
                   ws->max_queued_bytes);
        return close_with(client, LWS_CLOSE_STATUS_POLICY_VIOLATION, "output queue full");
    }
    if (!message) {
        if (atomic_load(&ws->draining))
            return close_with(client, LWS_CLOSE_STATUS_GOINGAWAY, "server stopping");
        return 0;
    }
    /* lws keeps whatever the kernel does not take and holds back the next
     * writable callback until it is out, so a short write is not an error. */
    int written = lws_write(wsi, message->payload, message->length, LWS_WRITE_TEXT);
    prism_ws_message_free(message);
    if (written < 0) {
        prism_verbose("ws", "%s: write failed, closing", client->peer);
        return -1;
    }
    if (more || atomic_load(&ws->draining))
        lws_callback_on_writable(wsi);
    return 0;
}

/* Another thread queued output (or stop began): ask for writable callbacks. */
static void on_wait_cancelled(struct prism_ws *ws)
{
    g_mutex_lock(&ws->pending_lock);
    GPtrArray *batch = ws->pending;
    ws->pending = ws->ready;
    ws->ready = batch;
    g_mutex_unlock(&ws->pending_lock);
    for (guint i = 0; i < batch->len; i++) {
        struct prism_ws_client *client = g_ptr_array_index(batch, i);
        prism_ws_client_unschedule(client);
        if (client->wsi)
            lws_callback_on_writable(client->wsi);
        prism_event_sink_unref(&client->sink);
    }
    g_ptr_array_set_size(batch, 0);
    if (atomic_load(&ws->draining)) {
        for (struct prism_ws_client *client = ws->clients; client; client = client->next)
            lws_callback_on_writable(client->wsi);
        prism_ws_edges_drain(&ws->edges);
    }
}

static int protocol_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len)
{
    struct prism_ws *ws = lws_context_user(lws_get_context(wsi));
    struct connection *connection = user;
    struct prism_ws_client *client = connection ? connection->client : NULL;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        return connection ? on_established(ws, wsi, connection) : -1;
    case LWS_CALLBACK_RECEIVE:
        if (!client || client->closing)
            return -1;
        return on_receive(ws, wsi, client, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (!client)
            return 0;
        return client->closing ? -1 : on_writeable(ws, wsi, client);
    case LWS_CALLBACK_CLOSED:
        if (client) {
            connection->client = NULL;
            close_client(ws, client);
        }
        return 0;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        on_wait_cancelled(ws);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

/* The first protocol is also the one lws picks for clients that request no
 * subprotocol. The Admin API listens on a port of its own, as in Janus. */
static const struct lws_protocols protocols[] = {
    {"janus-protocol", protocol_cb, sizeof(struct connection), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};
static const struct lws_protocols admin_protocols[] = {
    {"janus-admin-protocol", protocol_cb, sizeof(struct connection), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* The listening vhost's: clients' sockets and our ends of the pairs, raw (edge.h). */
static const struct lws_protocols edge_protocols[] = {
    {PRISM_WS_EDGE_PROTOCOL, prism_ws_edge_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static gpointer service_thread(gpointer data)
{
    struct prism_ws *ws = data;
    while (!atomic_load(&ws->quit)) {
        if (lws_service(ws->context, 0) < 0) {
            prism_error("ws", "the libwebsockets service loop failed; WebSocket transport down");
            break;
        }
        if (atomic_load(&ws->draining) && ws->client_count == 0 && ws->edges.count == 0)
            break;
    }
    g_mutex_lock(&ws->exit_lock);
    ws->exited = true;
    g_cond_signal(&ws->exit_cond);
    g_mutex_unlock(&ws->exit_lock);
    return NULL;
}

/* Where TLS ends for WSS: on the listening vhost, that is on the edge's client socket. lws
 * decrypts there and hands the edge plain bytes, so the mask check (edge.h) reads the frames as
 * it does without TLS, and the socket pair to the WebSocket end stays plain, inside the
 * process. Ending TLS at the WebSocket end instead would leave the edge only ciphertext to
 * look at; a TLS layer of our own in the edge would duplicate what lws already does. */
static bool set_tls(struct lws_context_creation_info *info, const struct prism_ws_config *config)
{
    if (!config->cert_pem || !config->cert_pem[0])
        return false;
    /* lws reads this option from the vhost's info too: without it the vhost stays plain. */
    info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info->ssl_cert_filepath = config->cert_pem;
    info->ssl_private_key_filepath = config->cert_key;
    if (config->cert_pwd && config->cert_pwd[0])
        info->ssl_private_key_password = config->cert_pwd;
    return true;
}

/* Says which file is missing before lws tries, as lws only logs a generic failure. */
static bool tls_files_readable(const struct prism_ws_config *config)
{
    if (!config->cert_key || !config->cert_key[0]) {
        prism_error("ws", "WSS needs both cert_pem and cert_key");
        return false;
    }
    const char *const files[] = {config->cert_pem, config->cert_key};
    for (size_t i = 0; i < 2; i++) {
        if (access(files[i], R_OK) != 0) {
            prism_error("ws", "%s: cannot read %s: %s", i == 0 ? "cert_pem" : "cert_key", files[i],
                        strerror(errno));
            return false;
        }
    }
    return true;
}

/* Creates the context, the vhost that serves WebSocket connections on the ends of the
 * edges' pairs (listening nowhere) and the listening vhost that takes clients as raw
 * sockets (edge.h), over TLS when a certificate is configured. Returns 0 or -errno, logged. */
static int open_listener(struct prism_ws *ws, const struct prism_ws_config *config)
{
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (config->cert_pem && config->cert_pem[0])
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.user = ws;
    info.uid = -1;
    info.gid = -1;
    ws->context = lws_create_context(&info);
    if (!ws->context) {
        prism_error("ws", "cannot create the libwebsockets context");
        return -ENOMEM;
    }
    memset(&info, 0, sizeof(info));
    info.vhost_name = "prism-ws";
    info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
    info.protocols = ws->admin ? admin_protocols : protocols;
    ws->edges.inner_vhost = lws_create_vhost(ws->context, &info);
    if (!ws->edges.inner_vhost) {
        prism_error("ws", "cannot create the libwebsockets vhost");
        return -ENOMEM;
    }
    memset(&info, 0, sizeof(info));
    info.vhost_name = "prism-ws-edge";
    info.iface = ws->address.numeric;
    info.port = config->port;
    info.protocols = edge_protocols;
    info.options = LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG |
                   (ws->address.ipv6 ? 0 : LWS_SERVER_OPTION_DISABLE_IPV6);
    info.listen_accept_role = "raw-skt";
    info.listen_accept_protocol = PRISM_WS_EDGE_PROTOCOL;
    ws->tls = set_tls(&info, config);
    ws->edges.tls = ws->tls;
    if (ws->tls && !tls_files_readable(config))
        return -EINVAL;
    errno = 0;
    struct lws_vhost *vhost = lws_create_vhost(ws->context, &info);
    int bound = vhost ? lws_get_vhost_listen_port(vhost) : 0;
    if (bound <= 0) {
        /* lws 4.1 reports a failed bind only in its log; it leaves bind()'s
         * errno in place, which is the best cause there is. */
        int error = errno ? errno : EADDRINUSE;
        if (ws->tls && !vhost) {
            prism_error("ws", "cannot set up WSS on port %u (certificate or key refused?)",
                        config->port);
            return -EINVAL;
        }
        prism_error("ws", "cannot listen on %s port %u: %s", ws->address.numeric, config->port,
                    strerror(error));
        return -error;
    }
    ws->port = (uint16_t)bound;
    return 0;
}

static struct prism_ws *ws_new(const struct prism_ws_config *config, struct prism_api *api)
{
    struct prism_ws *ws = calloc(1, sizeof(*ws));
    if (!ws)
        return NULL;
    ws->api = api;
    ws->admin = config->admin;
    ws->max_message_size = config->max_message_size ? config->max_message_size
                                                    : PRISM_WS_DEFAULT_MAX_MESSAGE_SIZE;
    ws->max_queued_bytes = config->max_queued_bytes ? config->max_queued_bytes
                                                    : PRISM_WS_DEFAULT_MAX_QUEUED_BYTES;
    atomic_init(&ws->draining, false);
    atomic_init(&ws->quit, false);
    g_mutex_init(&ws->pending_lock);
    g_mutex_init(&ws->exit_lock);
    g_cond_init(&ws->exit_cond);
    ws->pending = g_ptr_array_new();
    ws->ready = g_ptr_array_new();
    ws->edges.draining = &ws->draining;
    ws->edges.max_queued_bytes = ws->max_queued_bytes;
    ws->edges.max_per_address = config->max_connections_per_address;
    return ws;
}

static void ws_free(struct prism_ws *ws)
{
    if (ws->context)
        lws_context_destroy(ws->context);
    g_ptr_array_free(ws->pending, TRUE);
    g_ptr_array_free(ws->ready, TRUE);
    g_mutex_clear(&ws->pending_lock);
    g_mutex_clear(&ws->exit_lock);
    g_cond_clear(&ws->exit_cond);
    free(ws);
}

int prism_ws_start(struct prism_ws **out, const struct prism_ws_config *config,
                   struct prism_api *api)
{
    if (!out || !config || !api)
        return -EINVAL;
    const char *interface =
        config->interface && *config->interface ? config->interface : PRISM_WS_DEFAULT_INTERFACE;
    struct prism_ws *ws = ws_new(config, api);
    if (!ws)
        return -ENOMEM;
    GError *error = NULL;
    int rc = prism_ws_address_resolve(interface, &ws->address);
    if (rc < 0) {
        prism_error("ws", "cannot listen on \"%s\": %s", interface,
                    rc == -ENODEV ? "no such interface with an IPv4 address" : strerror(-rc));
        goto fail;
    }
    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_cb);
    rc = open_listener(ws, config);
    if (rc < 0)
        goto fail;
    ws->thread = g_thread_try_new("prism-ws", service_thread, ws, &error);
    if (!ws->thread) {
        prism_error("ws", "cannot start the service thread: %s", error->message);
        g_error_free(error);
        rc = -EAGAIN;
        goto fail;
    }
    /* Listed only once it works, so a failed start leaves the engine as it
     * was. An "info" racing with this line may miss the entry; nothing else
     * depends on it (the engine guards the list with its lock). */
    if (!ws->admin)
        prism_api_add_transport(api, &transport_info);
    prism_info("ws", "%s on %s://%s%s%s:%u/", ws->admin ? "Admin API" : "Janus API",
               ws->tls ? "wss" : "ws", ws->address.ipv6 ? "[" : "", ws->address.numeric,
               ws->address.ipv6 ? "]" : "", ws->port);
    *out = ws;
    return 0;
fail:
    ws_free(ws);
    return rc;
}

bool prism_ws_is_tls(const struct prism_ws *ws)
{
    return ws->tls;
}

uint16_t prism_ws_port(const struct prism_ws *ws)
{
    return ws->port;
}

/* Gives the service thread up to the drain timeout to flush and close every
 * client, then tells it to leave regardless and joins it. */
static void stop_service_thread(struct prism_ws *ws)
{
    atomic_store(&ws->draining, true);
    lws_cancel_service(ws->context);
    gint64 deadline = g_get_monotonic_time() + PRISM_WS_DRAIN_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&ws->exit_lock);
    while (!ws->exited)
        if (!g_cond_wait_until(&ws->exit_cond, &ws->exit_lock, deadline))
            break;
    g_mutex_unlock(&ws->exit_lock);
    atomic_store(&ws->quit, true);
    lws_cancel_service(ws->context);
    g_thread_join(ws->thread);
    ws->thread = NULL;
}

void prism_ws_stop(struct prism_ws *ws)
{
    if (!ws || ws->stopped)
        return;
    ws->stopped = true;
    if (!ws->admin)
        prism_api_remove_transport(ws->api, &transport_info);
    stop_service_thread(ws);
    /* From here on no producer may wake the loop: the context is going. A
     * producer holding a client's lock finishes its wake-up first. */
    for (struct prism_ws_client *client = ws->clients; client; client = client->next)
        prism_ws_client_mark_closed(client);
    /* Closes the remaining sockets; their CLOSED callbacks run here. */
    lws_context_destroy(ws->context);
    ws->context = NULL;
    /* lws 4.1 delivers CLOSED for every connection it tears down; this only
     * guards the engine against a library that would not. */
    while (ws->clients)
        close_client(ws, ws->clients);
    prism_ws_edges_free_all(&ws->edges);
    for (guint i = 0; i < ws->pending->len; i++)
        prism_event_sink_unref(g_ptr_array_index(ws->pending, i));
    g_ptr_array_set_size(ws->pending, 0);
    prism_info("ws", "WebSocket transport stopped");
}

void prism_ws_destroy(struct prism_ws *ws)
{
    if (!ws)
        return;
    prism_ws_stop(ws);
    ws_free(ws);
}
