/* The HTTP transport end to end on 127.0.0.1 with the real API engine, the
 * echotest plugin and a worker thread, through plain sockets. */
#include "http_client.h"

#include "core/worker.h"
#include "plugins/builtin.h"
#include "signaling/api/api.h"
#include "signaling/http/http.h"

#include <errno.h>
#include <glib.h>

struct server {
    struct prism_worker_pool *workers;
    struct prism_api *api;
    struct prism_http *http;
    uint16_t port;
};

static void server_start_with(struct server *s, const struct prism_http_config *config)
{
    memset(s, 0, sizeof(*s));
    g_assert_cmpint(prism_worker_pool_create(&s->workers, 1), ==, 0);
    size_t count = 0;
    const struct prism_plugin *const *plugins = prism_builtin_plugins(&count);
    struct prism_api_config api_config = {.server_name = "http-test", .session_timeout_s = 60};
    g_assert_cmpint(prism_api_create(&s->api, &api_config, plugins, count, s->workers), ==, 0);
    g_assert_cmpint(prism_http_start(&s->http, config, s->api), ==, 0);
    s->port = prism_http_port(s->http);
    g_assert_cmpuint(s->port, >, 0);
}

static void server_start(struct server *s)
{
    struct prism_http_config config = {.max_body_size = 4096, .long_poll_timeout_s = 30};
    server_start_with(s, &config);
}

/* Shutdown order: sessions end (final events out), the transport drains and
 * closes, the workers run what is still posted, then the engine goes. The
 * pool is drained before prism_api_destroy because an attach job posted
 * before shutdown still reads the engine when it runs. */
static void server_stop(struct server *s)
{
    prism_api_shutdown(s->api);
    prism_http_stop(s->http);
    prism_worker_pool_destroy(s->workers);
    prism_api_destroy(s->api);
    prism_http_destroy(s->http);
}

static json_t *post(struct server *s, const char *path, const char *body)
{
    struct http_reply reply = http_client_request(s->port, "POST", path, NULL, body);
    g_assert_cmpint(reply.status, ==, 200);
    json_t *json = http_reply_json(&reply);
    http_reply_clear(&reply);
    return json;
}

static const char *kind(const json_t *message)
{
    return json_string_value(json_object_get(message, "janus"));
}

static uint64_t create_session(struct server *s)
{
    json_t *reply = post(s, "/janus", "{\"janus\":\"create\",\"transaction\":\"c\"}");
    g_assert_cmpstr(kind(reply), ==, "success");
    json_t *data = json_object_get(reply, "data");
    uint64_t id = (uint64_t)json_integer_value(json_object_get(data, "id"));
    json_decref(reply);
    g_assert_cmpuint(id, >, 0);
    return id;
}

static uint64_t attach_echotest(struct server *s, uint64_t session)
{
    char *path = g_strdup_printf("/janus/%" G_GUINT64_FORMAT, session);
    json_t *reply = post(s, path,
                         "{\"janus\":\"attach\",\"plugin\":\"janus.plugin.echotest\","
                         "\"transaction\":\"a\"}");
    g_free(path);
    g_assert_cmpstr(kind(reply), ==, "success");
    json_t *data = json_object_get(reply, "data");
    uint64_t id = (uint64_t)json_integer_value(json_object_get(data, "id"));
    json_decref(reply);
    return id;
}

static void send_message(struct server *s, uint64_t session, uint64_t handle)
{
    char *path = g_strdup_printf("/janus/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, session,
                                 handle);
    json_t *reply = post(s, path,
                         "{\"janus\":\"message\",\"body\":{\"audio\":true},"
                         "\"transaction\":\"m\"}");
    g_free(path);
    g_assert_cmpstr(kind(reply), ==, "ack");
    json_decref(reply);
}

static int start_poll(struct server *s, uint64_t session, const char *query)
{
    char *path = g_strdup_printf("/janus/%" G_GUINT64_FORMAT "%s", session, query);
    int fd = http_client_connect(s->port);
    http_client_send(fd, "GET", path, NULL, NULL);
    g_free(path);
    return fd;
}

static void wait_for_polls(struct server *s, unsigned count)
{
    struct prism_http_stats stats;
    for (int i = 0; i < 500; i++) {
        prism_http_stats(s->http, &stats);
        if (stats.waiting_polls == count)
            return;
        g_usleep(10000);
    }
    g_error("%u long-polls waiting, expected %u", stats.waiting_polls, count);
}

static void test_http_serves_info_listing_itself(void)
{
    struct server s;
    server_start(&s);
    struct http_reply reply = http_client_request(s.port, "GET", "/janus/info", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 200);
    char *type = http_reply_header(&reply, "Content-Type");
    g_assert_cmpstr(type, ==, "application/json");
    g_free(type);
    json_t *info = http_reply_json(&reply);
    g_assert_cmpstr(kind(info), ==, "server_info");
    json_t *transports = json_object_get(info, "transports");
    g_assert_nonnull(json_object_get(transports, "janus.transport.http"));
    json_decref(info);
    http_reply_clear(&reply);
    server_stop(&s);
}

static void test_http_message_event_reaches_a_later_poll(void)
{
    struct server s;
    server_start(&s);
    uint64_t session = create_session(&s);
    uint64_t handle = attach_echotest(&s, session);
    send_message(&s, session, handle);
    struct http_reply reply = http_client_read(start_poll(&s, session, ""));
    g_assert_cmpint(reply.status, ==, 200);
    json_t *event = http_reply_json(&reply);
    g_assert_cmpstr(kind(event), ==, "event");
    g_assert_cmpstr(json_string_value(json_object_get(event, "transaction")), ==, "m");
    g_assert_cmpuint(json_integer_value(json_object_get(event, "sender")), ==, handle);
    json_decref(event);
    http_reply_clear(&reply);
    server_stop(&s);
}

static void test_http_waiting_poll_is_answered_by_an_event(void)
{
    struct server s;
    server_start(&s);
    uint64_t session = create_session(&s);
    uint64_t handle = attach_echotest(&s, session);
    int fd = start_poll(&s, session, "?maxev=5");
    wait_for_polls(&s, 1);
    send_message(&s, session, handle);
    struct http_reply reply = http_client_read(fd);
    g_assert_cmpint(reply.status, ==, 200);
    json_t *events = http_reply_json(&reply);
    g_assert_true(json_is_array(events));
    g_assert_cmpuint(json_array_size(events), ==, 1);
    g_assert_cmpstr(kind(json_array_get(events, 0)), ==, "event");
    json_decref(events);
    http_reply_clear(&reply);
    wait_for_polls(&s, 0);
    server_stop(&s);
}

static void test_http_idle_poll_answers_keepalive_after_timeout(void)
{
    struct server s;
    struct prism_http_config config = {.long_poll_timeout_s = 1};
    server_start_with(&s, &config);
    uint64_t session = create_session(&s);
    gint64 start = g_get_monotonic_time();
    int single = start_poll(&s, session, "");
    int many = start_poll(&s, session, "?maxev=3");
    struct http_reply one = http_client_read(single);
    struct http_reply list = http_client_read(many);
    gint64 waited = g_get_monotonic_time() - start;
    g_assert_cmpint(waited, >=, 900000);
    g_assert_cmpint(waited, <, 5000000);
    g_assert_cmpint(one.status, ==, 200);
    g_assert_cmpstr(one.body, ==, "{\"janus\":\"keepalive\"}");
    g_assert_cmpstr(list.body, ==, "[{\"janus\":\"keepalive\"}]");
    http_reply_clear(&one);
    http_reply_clear(&list);
    server_stop(&s);
}

static void test_http_poll_on_unknown_session_is_404_with_458(void)
{
    struct server s;
    server_start(&s);
    struct http_reply reply = http_client_request(s.port, "GET", "/janus/123456", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 404);
    json_t *error = http_reply_json(&reply);
    g_assert_cmpstr(kind(error), ==, "error");
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(error, "error"), "code")),
                    ==, 458);
    json_decref(error);
    http_reply_clear(&reply);
    server_stop(&s);
}

/* A sink standing for another transport (a WebSocket connection): it keeps what it gets. */
struct other_transport {
    struct prism_event_sink sink; /* first member */
    unsigned events;
};

static void other_push(struct prism_event_sink *sink, uint64_t session_id, json_t *event)
{
    ((struct other_transport *)sink)->events++;
    json_decref(event);
}

static void other_gone(struct prism_event_sink *sink, uint64_t session_id)
{
}

static void other_destroy(struct prism_event_sink *sink)
{
}

static const struct prism_event_sink_ops other_ops = {other_push, other_gone, other_destroy};

struct captured_reply {
    struct prism_reply_target target; /* first member */
    json_t *reply;
};

static void capture_reply(struct prism_reply_target *target, json_t *reply)
{
    ((struct captured_reply *)target)->reply = reply;
}

/* Janus binds a session to the transport that created it: the HTTP transport only knows
 * (and long-polls) its own, so a poll on a WebSocket session is a 404 at once, as for an
 * unknown one, instead of waiting for events that go to the socket. */
static void test_http_poll_on_a_session_of_another_transport_is_404(void)
{
    struct server s;
    struct prism_http_config config = {.long_poll_timeout_s = 3};
    server_start_with(&s, &config);
    struct other_transport other = {.events = 0};
    prism_event_sink_init(&other.sink, &other_ops, "janus.transport.websockets");
    const char *create = "{\"janus\":\"create\",\"transaction\":\"w\"}";
    struct captured_reply created = {{capture_reply, NULL}, NULL};
    struct prism_api_request request = {
        .body = create, .length = strlen(create), .sink = &other.sink, .reply = &created.target};
    prism_api_handle(s.api, &request, 1);
    g_assert_cmpstr(kind(created.reply), ==, "success");
    uint64_t session = (uint64_t)json_integer_value(
        json_object_get(json_object_get(created.reply, "data"), "id"));
    json_decref(created.reply);

    gint64 start = g_get_monotonic_time();
    struct http_reply reply = http_client_read(start_poll(&s, session, ""));
    g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
    g_assert_cmpint(reply.status, ==, 404);
    json_t *error = http_reply_json(&reply);
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(error, "error"), "code")),
                    ==, 458);
    json_decref(error);
    http_reply_clear(&reply);
    /* The session itself is untouched and still the other transport's. */
    g_assert_cmpuint(prism_api_session_count(s.api), ==, 1);
    server_stop(&s);
    prism_event_sink_unref(&other.sink);
}

/* RFC 9110 section 9.1: method names are case-sensitive. "post" is no method this server
 * knows: 501, and no Janus reply (the body never reaches the engine). */
static void test_http_methods_are_case_sensitive(void)
{
    struct server s;
    server_start(&s);
    const char *methods[] = {"post", "Post", "get", "options"};
    for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
        struct http_reply reply = http_client_request(
            s.port, methods[i], "/janus", NULL, "{\"janus\":\"create\",\"transaction\":\"c\"}");
        g_assert_cmpint(reply.status, ==, 501);
        g_assert_null(strstr(reply.body, "janus"));
        http_reply_clear(&reply);
    }
    g_assert_cmpuint(prism_api_session_count(s.api), ==, 0);
    server_stop(&s);
}

static void assert_error(struct server *s, const char *method, const char *path, int status,
                         int code)
{
    struct http_reply reply = http_client_request(
        s->port, method, path, NULL,
        g_str_equal(method, "POST") ? "{\"janus\":\"ping\",\"transaction\":\"p\"}" : NULL);
    g_assert_cmpint(reply.status, ==, status);
    json_t *error = http_reply_json(&reply);
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(error, "error"), "code")),
                    ==, code);
    json_decref(error);
    http_reply_clear(&reply);
}

static void test_http_rejects_bad_paths(void)
{
    struct server s;
    server_start(&s);
    assert_error(&s, "POST", "/janus/abc", 404, 457);
    assert_error(&s, "POST", "/janus/1/2/3", 404, 457);
    assert_error(&s, "POST", "/janus/99999999999999999999", 404, 457);
    assert_error(&s, "GET", "/janus", 404, 457);
    assert_error(&s, "POST", "/janus/info", 400, 450);
    assert_error(&s, "PUT", "/janus", 200, 450);
    assert_error(&s, "POST", "/elsewhere", 404, 457);
    assert_error(&s, "GET", "/janusx/1", 404, 457);
    /* The engine answers ids it does not know. */
    assert_error(&s, "POST", "/janus/42", 200, 458);
    json_t *pong = post(&s, "/janus/", "{\"janus\":\"ping\",\"transaction\":\"p\"}");
    g_assert_cmpstr(kind(pong), ==, "pong");
    json_decref(pong);
    server_stop(&s);
}

static void test_http_poll_on_handle_path_redirects_to_session(void)
{
    struct server s;
    server_start(&s);
    struct http_reply reply = http_client_request(s.port, "GET", "/janus/12/34", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 302);
    char *location = http_reply_header(&reply, "Location");
    g_assert_cmpstr(location, ==, "/janus/12");
    g_free(location);
    http_reply_clear(&reply);
    server_stop(&s);
}

static void test_http_refuses_declared_oversized_body_with_413(void)
{
    struct server s;
    server_start(&s);
    char *body = g_strnfill(5000, 'x');
    struct http_reply reply = http_client_request(s.port, "POST", "/janus", NULL, body);
    g_assert_cmpint(reply.status, ==, 413);
    json_t *error = http_reply_json(&reply);
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(error, "error"), "code")),
                    ==, 450);
    json_decref(error);
    http_reply_clear(&reply);
    g_free(body);
    server_stop(&s);
}

static void send_chunked(int fd, size_t total)
{
    http_client_send(fd, "POST", "/janus", "Transfer-Encoding: chunked\r\n", NULL);
    char *chunk = g_strnfill(1000, 'y');
    for (size_t sent = 0; sent < total; sent += 1000) {
        http_client_write(fd, "3e8\r\n", 5);
        http_client_write(fd, chunk, 1000);
        http_client_write(fd, "\r\n", 2);
    }
    http_client_write(fd, "0\r\n\r\n", 5);
    g_free(chunk);
}

static void test_http_refuses_chunked_oversized_body_with_413(void)
{
    struct server s;
    server_start(&s);
    int fd = http_client_connect(s.port);
    send_chunked(fd, 6000);
    struct http_reply reply = http_client_read(fd);
    g_assert_cmpint(reply.status, ==, 413);
    http_reply_clear(&reply);
    /* Far past the limit the upload is cut off without reading it all. */
    fd = http_client_connect(s.port);
    send_chunked(fd, 200000);
    reply = http_client_read(fd);
    g_assert_cmpint(reply.status, !=, 200);
    http_reply_clear(&reply);
    server_stop(&s);
}

static void test_http_preflight_echoes_origin_and_headers(void)
{
    struct server s;
    server_start(&s);
    struct http_reply reply = http_client_request(
        s.port, "OPTIONS", "/janus/1",
        "Origin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n"
        "Access-Control-Request-Headers: content-type, x-custom\r\n",
        NULL);
    g_assert_cmpint(reply.status, ==, 200);
    const char *expected[][2] = {{"Access-Control-Allow-Origin", "https://app.example"},
                                 {"Access-Control-Allow-Credentials", "true"},
                                 {"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                                 {"Access-Control-Allow-Headers", "content-type, x-custom"}};
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        char *value = http_reply_header(&reply, expected[i][0]);
        g_assert_cmpstr(value, ==, expected[i][1]);
        g_free(value);
    }
    http_reply_clear(&reply);
    reply = http_client_request(s.port, "GET", "/janus/info", NULL, NULL);
    char *origin = http_reply_header(&reply, "Access-Control-Allow-Origin");
    g_assert_cmpstr(origin, ==, "*");
    g_free(origin);
    http_reply_clear(&reply);
    server_stop(&s);
}

static void test_http_sends_configured_origin(void)
{
    struct server s;
    struct prism_http_config config = {.cors_allow_origin = "https://only.example"};
    server_start_with(&s, &config);
    struct http_reply reply = http_client_request(s.port, "GET", "/janus/77",
                                                  "Origin: https://x.example\r\n", NULL);
    g_assert_cmpint(reply.status, ==, 404); /* even errors carry CORS headers */
    char *origin = http_reply_header(&reply, "Access-Control-Allow-Origin");
    g_assert_cmpstr(origin, ==, "https://only.example");
    g_free(origin);
    http_reply_clear(&reply);
    server_stop(&s);
}

static void test_http_start_fails_when_port_is_taken(void)
{
    struct server s;
    server_start(&s);
    struct prism_http_config config = {.port = s.port};
    struct prism_http *second = NULL;
    g_assert_cmpint(prism_http_start(&second, &config, s.api), ==, -EADDRINUSE);
    g_assert_null(second);
    config = (struct prism_http_config){.interface = "localhost"};
    g_assert_cmpint(prism_http_start(&second, &config, s.api), ==, -EINVAL);
    config = (struct prism_http_config){.base_path = "janus"};
    g_assert_cmpint(prism_http_start(&second, &config, s.api), ==, -EINVAL);
    server_stop(&s);
}

static void test_http_shutdown_sends_final_events_to_waiting_polls(void)
{
    struct server s;
    server_start(&s);
    uint64_t session = create_session(&s);
    uint64_t handle = attach_echotest(&s, session);
    int fd = start_poll(&s, session, "?maxev=10");
    wait_for_polls(&s, 1);
    prism_api_shutdown(s.api);
    struct http_reply reply = http_client_read(fd);
    g_assert_cmpint(reply.status, ==, 200);
    json_t *events = http_reply_json(&reply);
    g_assert_cmpstr(kind(json_array_get(events, 0)), ==, "detached");
    g_assert_cmpuint(json_integer_value(json_object_get(json_array_get(events, 0), "sender")), ==,
                     handle);
    json_decref(events);
    http_reply_clear(&reply);
    server_stop(&s);
}

static void test_http_stop_answers_every_waiting_poll(void)
{
    struct server s;
    server_start(&s);
    enum { POLLS = 200 };
    int fds[POLLS];
    uint64_t session = create_session(&s);
    for (int i = 0; i < POLLS; i++)
        fds[i] = start_poll(&s, session, "");
    wait_for_polls(&s, POLLS);
    prism_http_stop(s.http);
    for (int i = 0; i < POLLS; i++) {
        struct http_reply reply = http_client_read(fds[i]);
        g_assert_cmpint(reply.status, ==, 200);
        g_assert_cmpstr(reply.body, ==, "{\"janus\":\"keepalive\"}");
        http_reply_clear(&reply);
    }
    server_stop(&s);
}

/* A job that holds the worker until the test opens the gate. */
struct gate {
    GMutex lock;
    GCond cond;
    bool entered, open;
};

static void gate_job(void *data)
{
    struct gate *gate = data;
    g_mutex_lock(&gate->lock);
    gate->entered = true;
    g_cond_broadcast(&gate->cond);
    while (!gate->open)
        g_cond_wait(&gate->cond, &gate->lock);
    g_mutex_unlock(&gate->lock);
}

static void test_http_stop_answers_requests_the_engine_holds_with_503(void)
{
    struct server s;
    server_start(&s);
    uint64_t session = create_session(&s);
    struct gate gate = {0};
    struct prism_worker *worker = prism_worker_pool_acquire(s.workers);
    prism_worker_post(worker, gate_job, &gate);
    prism_worker_release(worker);
    g_mutex_lock(&gate.lock);
    while (!gate.entered)
        g_cond_wait(&gate.cond, &gate.lock);
    g_mutex_unlock(&gate.lock);

    char *path = g_strdup_printf("/janus/%" G_GUINT64_FORMAT, session);
    int fd = http_client_connect(s.port);
    http_client_send(fd, "POST", path, NULL,
                     "{\"janus\":\"attach\",\"plugin\":\"janus.plugin.echotest\","
                     "\"transaction\":\"a\"}");
    g_free(path);
    struct prism_http_stats stats = {0};
    for (int i = 0; i < 500 && stats.pending_replies == 0; i++) {
        g_usleep(10000);
        prism_http_stats(s.http, &stats);
    }
    g_assert_cmpuint(stats.pending_replies, ==, 1);
    prism_http_stop(s.http);
    struct http_reply reply = http_client_read(fd);
    g_assert_cmpint(reply.status, ==, 503);
    http_reply_clear(&reply);

    /* The engine's late reply finds the request answered and is dropped. */
    g_mutex_lock(&gate.lock);
    gate.open = true;
    g_cond_broadcast(&gate.cond);
    g_mutex_unlock(&gate.lock);
    server_stop(&s);
}

static void test_http_forgets_ended_sessions_once_polled(void)
{
    struct server s;
    server_start(&s);
    uint64_t session = create_session(&s);
    uint64_t handle = attach_echotest(&s, session);
    char *path = g_strdup_printf("/janus/%" G_GUINT64_FORMAT, session);
    char *handle_path = g_strdup_printf("%s/%" G_GUINT64_FORMAT, path, handle);
    json_t *reply = post(&s, handle_path,
                         "{\"janus\":\"message\",\"transaction\":\"m\",\"body\":{\"audio\":true}}");
    json_decref(reply);
    g_free(handle_path);
    reply = post(&s, path, "{\"janus\":\"destroy\",\"transaction\":\"d\"}");
    g_assert_cmpstr(kind(reply), ==, "success");
    json_decref(reply);
    struct prism_http_stats stats;
    prism_http_stats(s.http, &stats);
    g_assert_cmpuint(stats.queued_sessions, ==, 1); /* the echotest's event, never polled */
    struct http_reply last = http_client_read(start_poll(&s, session, ""));
    g_assert_cmpint(last.status, ==, 200);
    json_t *event = http_reply_json(&last);
    g_assert_cmpstr(kind(event), ==, "event");
    json_decref(event);
    http_reply_clear(&last);
    prism_http_stats(s.http, &stats);
    g_assert_cmpuint(stats.queued_sessions, ==, 0);
    struct http_reply gone = http_client_request(s.port, "GET", path, NULL, NULL);
    g_assert_cmpint(gone.status, ==, 404);
    http_reply_clear(&gone);
    g_free(path);
    server_stop(&s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/http-server/serves-info-listing-itself",
                    test_http_serves_info_listing_itself);
    g_test_add_func("/http-server/message-event-reaches-a-later-poll",
                    test_http_message_event_reaches_a_later_poll);
    g_test_add_func("/http-server/waiting-poll-is-answered-by-an-event",
                    test_http_waiting_poll_is_answered_by_an_event);
    g_test_add_func("/http-server/idle-poll-answers-keepalive-after-timeout",
                    test_http_idle_poll_answers_keepalive_after_timeout);
    g_test_add_func("/http-server/poll-on-unknown-session-is-404-with-458",
                    test_http_poll_on_unknown_session_is_404_with_458);
    g_test_add_func("/http-server/poll-on-a-session-of-another-transport-is-404",
                    test_http_poll_on_a_session_of_another_transport_is_404);
    g_test_add_func("/http-server/methods-are-case-sensitive",
                    test_http_methods_are_case_sensitive);
    g_test_add_func("/http-server/rejects-bad-paths", test_http_rejects_bad_paths);
    g_test_add_func("/http-server/poll-on-handle-path-redirects-to-session",
                    test_http_poll_on_handle_path_redirects_to_session);
    g_test_add_func("/http-server/refuses-declared-oversized-body-with-413",
                    test_http_refuses_declared_oversized_body_with_413);
    g_test_add_func("/http-server/refuses-chunked-oversized-body-with-413",
                    test_http_refuses_chunked_oversized_body_with_413);
    g_test_add_func("/http-server/preflight-echoes-origin-and-headers",
                    test_http_preflight_echoes_origin_and_headers);
    g_test_add_func("/http-server/sends-configured-origin", test_http_sends_configured_origin);
    g_test_add_func("/http-server/start-fails-when-port-is-taken",
                    test_http_start_fails_when_port_is_taken);
    g_test_add_func("/http-server/shutdown-sends-final-events-to-waiting-polls",
                    test_http_shutdown_sends_final_events_to_waiting_polls);
    g_test_add_func("/http-server/stop-answers-every-waiting-poll",
                    test_http_stop_answers_every_waiting_poll);
    g_test_add_func("/http-server/stop-answers-requests-the-engine-holds-with-503",
                    test_http_stop_answers_requests_the_engine_holds_with_503);
    g_test_add_func("/http-server/forgets-ended-sessions-once-polled",
                    test_http_forgets_ended_sessions_once_polled);
    return g_test_run();
}
