/* Test harness for the WebSocket transport: the real API engine on a
 * one-thread worker pool (so replies to plugin requests come from another
 * thread, as in production), the transport on 127.0.0.1 with an ephemeral
 * port, and WebSocket clients built on libwebsockets' client API, serviced by
 * the test's own thread. Header-only so each test executable includes it. */
#ifndef PRISM_TESTS_WS_HARNESS_H
#define PRISM_TESTS_WS_HARNESS_H

#include "core/worker.h"
#include "plugins/builtin.h"
#include "signaling/api/api.h"
#include "signaling/ws/ws.h"

#include <glib.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <string.h>

/* Every wait in these tests gives up (and fails) after this long. */
#define WS_TEST_TIMEOUT_US (5 * G_USEC_PER_SEC)

struct ws_harness {
    struct prism_worker_pool *workers;
    struct prism_api *api;
    struct prism_ws *ws;
    struct lws_context *client_context;
    GPtrArray *clients; /* struct test_client *, freed by ws_harness_stop */
};

/* A message the test client still has to send, cut in frames of `fragment`
 * bytes (0: one frame). */
struct test_outgoing {
    char *text;
    size_t length;
    size_t sent;
    size_t fragment;
};

/* One client connection. Touched only on the test thread. */
struct test_client {
    struct lws *wsi; /* NULL once closed */
    bool established;
    bool closed;
    bool close_requested;
    int close_code;      /* status of the server's close frame; 0 if none came */
    GString *partial;    /* the message being received */
    GPtrArray *received; /* json_t *, in arrival order */
    guint consumed;      /* received messages already returned by ws_client_next */
    GQueue outgoing;     /* struct test_outgoing * */
};

static inline void test_client_on_receive(struct test_client *client, struct lws *wsi,
                                          const void *in, size_t len)
{
    g_string_append_len(client->partial, in, (gssize)len);
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
        return;
    json_error_t error;
    json_t *message = json_loadb(client->partial->str, client->partial->len, 0, &error);
    g_assert_nonnull(message);
    g_ptr_array_add(client->received, message);
    g_string_truncate(client->partial, 0);
}

/* Sends the next frame of the head message, or the close the test asked for. */
static inline int test_client_on_writeable(struct test_client *client, struct lws *wsi)
{
    if (client->close_requested) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)"bye", 3);
        return -1;
    }
    struct test_outgoing *out = g_queue_peek_head(&client->outgoing);
    if (!out)
        return 0;
    size_t left = out->length - out->sent;
    size_t chunk = out->fragment && out->fragment < left ? out->fragment : left;
    bool first = out->sent == 0;
    bool last = chunk == left;
    int flags = first ? LWS_WRITE_TEXT : LWS_WRITE_CONTINUATION;
    if (!last)
        flags |= LWS_WRITE_NO_FIN;
    unsigned char *buffer = g_malloc(LWS_PRE + chunk + 1);
    memcpy(buffer + LWS_PRE, out->text + out->sent, chunk);
    int written = lws_write(wsi, buffer + LWS_PRE, chunk, (enum lws_write_protocol)flags);
    g_free(buffer);
    g_assert_cmpint(written, >=, 0);
    out->sent += chunk;
    if (last) {
        g_queue_pop_head(&client->outgoing);
        g_free(out->text);
        g_free(out);
    }
    if (!g_queue_is_empty(&client->outgoing))
        lws_callback_on_writable(wsi);
    return 0;
}

static inline int test_client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                                 void *in, size_t len)
{
    struct test_client *client = user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        client->established = true;
        if (!g_queue_is_empty(&client->outgoing))
            lws_callback_on_writable(wsi);
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        test_client_on_receive(client, wsi, in, len);
        return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return test_client_on_writeable(client, wsi);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
        const unsigned char *payload = in;
        if (len >= 2)
            client->close_code = payload[0] << 8 | payload[1];
        return 0;
    }
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (client) {
            client->closed = true;
            client->wsi = NULL;
        }
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols test_client_protocols[] = {
    {"test-client", test_client_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static inline void ws_harness_start_full(struct ws_harness *h, const struct prism_ws_config *config,
                                         const struct prism_api_config *api_config)
{
    memset(h, 0, sizeof(*h));
    g_assert_cmpint(prism_worker_pool_create(&h->workers, 1), ==, 0);
    size_t count = 0;
    const struct prism_plugin *const *plugins = prism_builtin_plugins(&count);
    g_assert_cmpint(prism_api_create(&h->api, api_config, plugins, count, h->workers), ==, 0);
    g_assert_cmpint(prism_ws_start(&h->ws, config, h->api), ==, 0);
    g_assert_cmpuint(prism_ws_port(h->ws), >, 0);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = test_client_protocols;
    info.uid = -1;
    info.gid = -1;
    h->client_context = lws_create_context(&info);
    g_assert_nonnull(h->client_context);
    h->clients = g_ptr_array_new();
}

/* The engine with a 60 s session timeout and no reclaim: a closed socket's
 * sessions end at once. */
static inline void ws_harness_start_with(struct ws_harness *h, const struct prism_ws_config *config)
{
    struct prism_api_config api_config = {.server_name = "ws-test", .session_timeout_s = 60};
    ws_harness_start_full(h, config, &api_config);
}

static inline void ws_harness_start(struct ws_harness *h)
{
    struct prism_ws_config config = {.interface = "127.0.0.1", .port = 0};
    ws_harness_start_with(h, &config);
}

/* One non-blocking turn of the clients' event loop. */
static inline void ws_harness_pump(struct ws_harness *h)
{
    lws_service(h->client_context, -1);
    g_usleep(200);
}

/* Services the clients until `condition` holds; fails the test on timeout. */
#define WS_PUMP_UNTIL(h, condition)                                     \
    do {                                                                \
        gint64 deadline_ = g_get_monotonic_time() + WS_TEST_TIMEOUT_US; \
        while (!(condition)) {                                          \
            g_assert_cmpint(g_get_monotonic_time(), <, deadline_);      \
            ws_harness_pump(h);                                         \
        }                                                               \
    } while (0)

/* Services the clients for `ms` milliseconds, to see that nothing else comes. */
static inline void ws_harness_pump_for(struct ws_harness *h, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
    while (g_get_monotonic_time() < end)
        ws_harness_pump(h);
}

/* Starts a connection asking for `subprotocol` (NULL: none) without waiting. */
static inline struct test_client *ws_client_open(struct ws_harness *h, const char *subprotocol)
{
    struct test_client *client = g_new0(struct test_client, 1);
    client->partial = g_string_new(NULL);
    client->received = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
    g_queue_init(&client->outgoing);
    g_ptr_array_add(h->clients, client);

    struct lws_client_connect_info info;
    memset(&info, 0, sizeof(info));
    info.context = h->client_context;
    info.address = "127.0.0.1";
    info.port = prism_ws_port(h->ws);
    info.path = "/";
    info.host = "127.0.0.1";
    info.origin = "127.0.0.1";
    info.protocol = subprotocol;
    info.userdata = client;
    info.pwsi = &client->wsi;
    lws_client_connect_via_info(&info);
    return client;
}

/* Connects and waits until the WebSocket handshake is done. */
static inline struct test_client *ws_client_connect(struct ws_harness *h, const char *subprotocol)
{
    struct test_client *client = ws_client_open(h, subprotocol);
    WS_PUMP_UNTIL(h, client->established || client->closed);
    g_assert_true(client->established);
    return client;
}

static inline void ws_client_send_fragmented(struct test_client *client, const char *text,
                                             size_t length, size_t fragment)
{
    struct test_outgoing *out = g_new0(struct test_outgoing, 1);
    out->text = g_memdup2(text, length);
    out->length = length;
    out->fragment = fragment;
    g_queue_push_tail(&client->outgoing, out);
    if (client->wsi && client->established)
        lws_callback_on_writable(client->wsi);
}

static inline void ws_client_send(struct test_client *client, const char *text)
{
    ws_client_send_fragmented(client, text, strlen(text), 0);
}

/* Waits for the next message the client has not looked at yet (borrowed). */
static inline json_t *ws_client_next(struct ws_harness *h, struct test_client *client)
{
    WS_PUMP_UNTIL(h, client->received->len > client->consumed || client->closed);
    g_assert_cmpuint(client->received->len, >, client->consumed);
    return g_ptr_array_index(client->received, client->consumed++);
}

/* Sends `text` and returns the next message (borrowed). */
static inline json_t *ws_client_request(struct ws_harness *h, struct test_client *client,
                                        const char *text)
{
    ws_client_send(client, text);
    return ws_client_next(h, client);
}

/* Closes the client's socket (status 1000) and waits until it is closed. */
static inline void ws_client_close(struct ws_harness *h, struct test_client *client)
{
    client->close_requested = true;
    lws_callback_on_writable(client->wsi);
    WS_PUMP_UNTIL(h, client->closed);
}

static inline void test_client_free(struct test_client *client)
{
    struct test_outgoing *out;
    while ((out = g_queue_pop_head(&client->outgoing))) {
        g_free(out->text);
        g_free(out);
    }
    g_string_free(client->partial, TRUE);
    g_ptr_array_free(client->received, TRUE);
    g_free(client);
}

static inline void ws_harness_noop_job(void *data)
{
}

/* Closes the clients, then the transport, the engine and the workers, in the
 * order the process does, and frees everything. */
static inline void ws_harness_stop(struct ws_harness *h)
{
    lws_context_destroy(h->client_context);
    prism_ws_destroy(h->ws);
    /* Closed sockets end their sessions through detach jobs on the worker,
     * and prism_api_destroy does not wait for those (they would touch the
     * freed engine): let the one worker run them first. */
    struct prism_worker *worker = prism_worker_pool_acquire(h->workers);
    prism_worker_run_sync(worker, ws_harness_noop_job, NULL);
    prism_worker_release(worker);
    prism_api_destroy(h->api);
    prism_worker_pool_destroy(h->workers);
    for (guint i = 0; i < h->clients->len; i++)
        test_client_free(g_ptr_array_index(h->clients, i));
    g_ptr_array_free(h->clients, TRUE);
}

static inline const char *message_kind(const json_t *message)
{
    return json_string_value(json_object_get(message, "janus"));
}

static inline const char *message_transaction(const json_t *message)
{
    return json_string_value(json_object_get(message, "transaction"));
}

static inline uint64_t message_data_id(const json_t *message)
{
    return (uint64_t)json_integer_value(json_object_get(json_object_get(message, "data"), "id"));
}

static inline uint64_t message_u64(const json_t *message, const char *key)
{
    return (uint64_t)json_integer_value(json_object_get(message, key));
}

#endif
