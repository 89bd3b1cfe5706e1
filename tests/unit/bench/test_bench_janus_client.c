/* The Janus client against Prism's own API engine, WebSocket and HTTP transports started in
 * this process on 127.0.0.1: every request kind of the api scenario, events (the echotest
 * event and "detached", over a long-poll for HTTP), errors, and closing with requests in
 * flight. Each test runs over both transports. */
#include "bench/lib/janus/janus_client.h"

#include "core/worker.h"
#include "plugins/builtin.h"
#include "signaling/api/api.h"
#include "signaling/http/http.h"
#include "signaling/ws/ws.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WAIT_US (5 * G_USEC_PER_SEC)

struct server {
    struct prism_worker_pool *workers;
    struct prism_api *api;
    struct prism_http *http;
    struct prism_ws *ws;
};

static void server_start(struct server *s)
{
    memset(s, 0, sizeof(*s));
    g_assert_cmpint(prism_worker_pool_create(&s->workers, 1), ==, 0);
    size_t count = 0;
    const struct prism_plugin *const *plugins = prism_builtin_plugins(&count);
    struct prism_api_config api_config = {.server_name = "bench-test", .session_timeout_s = 60};
    g_assert_cmpint(prism_api_create(&s->api, &api_config, plugins, count, s->workers), ==, 0);
    struct prism_http_config http_config = {.interface = "127.0.0.1", .long_poll_timeout_s = 30};
    g_assert_cmpint(prism_http_start(&s->http, &http_config, s->api), ==, 0);
    struct prism_ws_config ws_config = {.interface = "127.0.0.1"};
    g_assert_cmpint(prism_ws_start(&s->ws, &ws_config, s->api), ==, 0);
}

static void server_stop(struct server *s)
{
    prism_api_shutdown(s->api);
    prism_http_stop(s->http);
    prism_ws_stop(s->ws);
    prism_worker_pool_destroy(s->workers);
    prism_api_destroy(s->api);
    prism_http_destroy(s->http);
    prism_ws_destroy(s->ws);
}

/* What the client under test reported, on the test's own GMainContext. */
struct fixture {
    struct server server;
    GMainContext *context;
    struct bench_janus *janus;
    int state; /* 1 until the state callback */
    int state_calls;
    GPtrArray *events; /* json_t *, references */
    json_t *reply;     /* the last reply, a reference */
    int replies;
    bool http;
};

static void state_cb(void *owner, int error)
{
    struct fixture *f = owner;
    f->state = error;
    f->state_calls++;
}

static void event_cb(void *owner, json_t *event)
{
    struct fixture *f = owner;
    g_ptr_array_add(f->events, json_incref(event));
}

static void reply_cb(void *owner, json_t *reply)
{
    struct fixture *f = owner;
    json_decref(f->reply);
    f->reply = json_incref(reply);
    f->replies++;
}

#define PUMP_UNTIL(f, condition)                                   \
    do {                                                           \
        gint64 deadline_ = g_get_monotonic_time() + WAIT_US;       \
        while (!(condition)) {                                     \
            g_assert_cmpint(g_get_monotonic_time(), <, deadline_); \
            if (!g_main_context_iteration((f)->context, FALSE))    \
                g_usleep(200);                                     \
        }                                                          \
    } while (0)

static void pump_for(struct fixture *f, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
    while (g_get_monotonic_time() < end)
        if (!g_main_context_iteration(f->context, FALSE))
            g_usleep(200);
}

static char *url_of(struct fixture *f)
{
    if (f->http)
        return g_strdup_printf("http://127.0.0.1:%u/janus", prism_http_port(f->server.http));
    return g_strdup_printf("ws://127.0.0.1:%u/", prism_ws_port(f->server.ws));
}

static struct bench_janus *open_url(struct fixture *f, const char *url, unsigned timeout_ms)
{
    struct bench_janus_params params = {.url = url,
                                        .context = f->context,
                                        .event_cb = event_cb,
                                        .state_cb = state_cb,
                                        .owner = f,
                                        .timeout_ms = timeout_ms};
    struct bench_janus *janus = NULL;
    g_assert_cmpint(bench_janus_open(&janus, &params), ==, 0);
    return janus;
}

static void fixture_setup(struct fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    f->http = GPOINTER_TO_INT(data);
    server_start(&f->server);
    f->context = g_main_context_new();
    f->events = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
    f->state = 1;
    char *url = url_of(f);
    f->janus = open_url(f, url, 0);
    g_free(url);
    PUMP_UNTIL(f, f->state != 1);
    g_assert_cmpint(f->state, ==, 0);
}

static void fixture_teardown(struct fixture *f, gconstpointer data)
{
    bench_janus_close(f->janus);
    bench_janus_shutdown();
    server_stop(&f->server);
    /* Nothing of the client is left on the context. */
    while (g_main_context_iteration(f->context, FALSE))
        ;
    g_main_context_unref(f->context);
    g_ptr_array_free(f->events, TRUE);
    json_decref(f->reply);
}

/* Sends `request` and waits for its reply (borrowed until the next request). */
static json_t *request(struct fixture *f, json_t *request)
{
    int before = f->replies;
    g_assert_cmpint(bench_janus_send(f->janus, request, reply_cb, f), ==, 0);
    PUMP_UNTIL(f, f->replies > before);
    g_assert_cmpint(f->replies, ==, before + 1);
    return f->reply;
}

static const char *kind(const json_t *message)
{
    return json_string_value(json_object_get(message, "janus"));
}

static json_int_t data_id(const json_t *reply)
{
    return json_integer_value(json_object_get(json_object_get(reply, "data"), "id"));
}

static void test_client_runs_the_api_loop(struct fixture *f, gconstpointer data)
{
    json_t *reply = request(f, json_pack("{s:s}", "janus", "create"));
    g_assert_cmpstr(kind(reply), ==, "success");
    json_int_t session = data_id(reply);
    g_assert_cmpint(session, >, 0);

    reply = request(f, json_pack("{s:s, s:I, s:s}", "janus", "attach", "session_id", session,
                                 "plugin", "janus.plugin.echotest"));
    g_assert_cmpstr(kind(reply), ==, "success");
    json_int_t handle = data_id(reply);
    g_assert_cmpint(handle, >, 0);

    /* A message is answered by the plugin's event, past the ack. */
    reply = request(f, json_pack("{s:s, s:I, s:I, s:{s:b}}", "janus", "message", "session_id",
                                 session, "handle_id", handle, "body", "audio", 1));
    g_assert_cmpstr(kind(reply), ==, "event");
    json_t *result = json_object_get(json_object_get(json_object_get(reply, "plugindata"), "data"),
                                     "result");
    g_assert_cmpstr(json_string_value(result), ==, "ok");
    g_assert_cmpuint(bench_janus_pending(f->janus), ==, 0);

    reply = request(f, json_pack("{s:s, s:I, s:I}", "janus", "detach", "session_id", session,
                                 "handle_id", handle));
    g_assert_cmpstr(kind(reply), ==, "success");
    /* "detached" has no transaction: an event (over the long-poll with HTTP). */
    PUMP_UNTIL(f, f->events->len > 0);
    json_t *event = g_ptr_array_index(f->events, 0);
    g_assert_cmpstr(kind(event), ==, "detached");
    g_assert_cmpint(json_integer_value(json_object_get(event, "sender")), ==, handle);

    reply = request(f, json_pack("{s:s, s:I}", "janus", "destroy", "session_id", session));
    g_assert_cmpstr(kind(reply), ==, "success");
    g_assert_cmpint(f->state_calls, ==, 1);
}

static void test_client_reports_missing_session(struct fixture *f, gconstpointer data)
{
    json_t *reply = request(f, json_pack("{s:s, s:I, s:s}", "janus", "attach", "session_id",
                                         (json_int_t)987654321, "plugin", "janus.plugin.echotest"));
    g_assert_cmpstr(kind(reply), ==, "error");
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(reply, "error"), "code")),
                    ==, 458);
}

static void test_client_sends_large_requests(struct fixture *f, gconstpointer data)
{
    json_t *reply = request(f, json_pack("{s:s}", "janus", "create"));
    json_int_t session = data_id(reply);
    reply = request(f, json_pack("{s:s, s:I, s:s}", "janus", "attach", "session_id", session,
                                 "plugin", "janus.plugin.echotest"));
    json_int_t handle = data_id(reply);
    /* 600 kB: many frames and many socket writes. */
    char *padding = g_malloc(600 * 1024 + 1);
    memset(padding, 'a', 600 * 1024);
    padding[600 * 1024] = '\0';
    reply = request(f, json_pack("{s:s, s:I, s:I, s:{s:b, s:s}}", "janus", "message", "session_id",
                                 session, "handle_id", handle, "body", "audio", 1, "padding",
                                 padding));
    g_assert_cmpstr(kind(reply), ==, "event");
    g_free(padding);
    reply = request(f, json_pack("{s:s, s:I}", "janus", "destroy", "session_id", session));
    g_assert_cmpstr(kind(reply), ==, "success");
}

static void test_client_close_with_requests_in_flight_calls_nothing(struct fixture *f,
                                                                    gconstpointer data)
{
    for (int i = 0; i < 20; i++)
        g_assert_cmpint(
            bench_janus_send(f->janus, json_pack("{s:s}", "janus", "create"), reply_cb, f), ==, 0);
    g_assert_cmpuint(bench_janus_pending(f->janus), ==, 20);
    /* Let some of them reach the server and come back to the service thread. */
    g_usleep(20000);
    bench_janus_close(f->janus);
    f->janus = NULL;
    pump_for(f, 300);
    g_assert_cmpint(f->replies, ==, 0);
    g_assert_cmpint(f->state_calls, ==, 1);
}

/* A socket that listens and never answers: the kernel completes the TCP handshake. */
static int silent_listener(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&address, sizeof(address)), ==, 0);
    g_assert_cmpint(listen(fd, 16), ==, 0);
    socklen_t length = sizeof(address);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&address, &length), ==, 0);
    *port = ntohs(address.sin_port);
    return fd;
}

static void test_client_times_out_without_answer(void)
{
    uint16_t port;
    int fd = silent_listener(&port);
    struct fixture f = {.context = g_main_context_new()};
    f.events = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
    for (int http = 0; http <= 1; http++) {
        char *url = http ? g_strdup_printf("http://127.0.0.1:%u/janus", port)
                         : g_strdup_printf("ws://127.0.0.1:%u/", port);
        f.replies = 0;
        f.janus = open_url(&f, url, 200);
        g_free(url);
        gint64 start = g_get_monotonic_time();
        g_assert_cmpint(
            bench_janus_send(f.janus, json_pack("{s:s}", "janus", "create"), reply_cb, &f), ==, 0);
        PUMP_UNTIL(&f, f.replies == 1);
        g_assert_cmpint(g_get_monotonic_time() - start, >=, 200 * 1000);
        g_assert_null(f.reply);
        g_assert_cmpuint(bench_janus_pending(f.janus), ==, 0);
        bench_janus_close(f.janus);
    }
    bench_janus_shutdown();
    close(fd);
    g_ptr_array_free(f.events, TRUE);
    g_main_context_unref(f.context);
}

static void test_client_reports_refused_connection(void)
{
    GMainContext *context = g_main_context_new();
    struct fixture f = {.context = context, .state = 1};
    f.events = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
    /* Port 1 on loopback: nothing listens there. */
    const char *urls[] = {"ws://127.0.0.1:1/", "http://127.0.0.1:1/janus"};
    for (size_t i = 0; i < G_N_ELEMENTS(urls); i++) {
        f.state = 1;
        f.replies = 0;
        f.janus = open_url(&f, urls[i], 0);
        int rc = bench_janus_send(f.janus, json_pack("{s:s}", "janus", "info"), reply_cb, &f);
        g_assert_cmpint(rc, ==, 0);
        PUMP_UNTIL(&f, f.state != 1 && f.replies == 1);
        g_assert_cmpint(f.state, ==, -ECONNREFUSED);
        g_assert_null(f.reply);
        g_assert_cmpint(
            bench_janus_send(f.janus, json_pack("{s:s}", "janus", "info"), reply_cb, &f), ==,
            -ENOTCONN);
        bench_janus_close(f.janus);
    }
    bench_janus_shutdown();
    g_ptr_array_free(f.events, TRUE);
    g_main_context_unref(context);
}

static void test_client_rejects_bad_urls(void)
{
    GMainContext *context = g_main_context_new();
    const char *urls[] = {"", "ftp://127.0.0.1/", "ws://", "127.0.0.1:8188", "wss://x/"};
    for (size_t i = 0; i < G_N_ELEMENTS(urls); i++) {
        struct bench_janus_params params = {.url = urls[i], .context = context};
        struct bench_janus *janus = NULL;
        g_assert_cmpint(bench_janus_open(&janus, &params), ==, -EINVAL);
        g_assert_null(janus);
    }
    struct bench_janus_params params = {.url = "ws://127.0.0.1:1/"};
    struct bench_janus *janus = NULL;
    g_assert_cmpint(bench_janus_open(&janus, &params), ==, -EINVAL);
    g_main_context_unref(context);
}

static void add_both(const char *name, void (*test)(struct fixture *, gconstpointer))
{
    char *ws = g_strdup_printf("/bench/janus_client/ws/%s", name);
    char *http = g_strdup_printf("/bench/janus_client/http/%s", name);
    g_test_add(ws, struct fixture, GINT_TO_POINTER(0), fixture_setup, test, fixture_teardown);
    g_test_add(http, struct fixture, GINT_TO_POINTER(1), fixture_setup, test, fixture_teardown);
    g_free(ws);
    g_free(http);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    add_both("runs_the_api_loop", test_client_runs_the_api_loop);
    add_both("reports_missing_session", test_client_reports_missing_session);
    add_both("sends_large_requests", test_client_sends_large_requests);
    add_both("close_with_requests_in_flight",
             test_client_close_with_requests_in_flight_calls_nothing);
    g_test_add_func("/bench/janus_client/reports_refused_connection",
                    test_client_reports_refused_connection);
    g_test_add_func("/bench/janus_client/rejects_bad_urls", test_client_rejects_bad_urls);
    g_test_add_func("/bench/janus_client/times_out_without_answer",
                    test_client_times_out_without_answer);
    return g_test_run();
}
