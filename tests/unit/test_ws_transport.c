/* The WebSocket transport end to end: real engine, real sockets on
 * 127.0.0.1, libwebsockets clients speaking the Janus API. */
#include "ws_harness.h"

#include "signaling/api/errors.h"

#include <stdio.h>

static uint64_t create_session(struct ws_harness *h, struct test_client *client)
{
    json_t *reply = ws_client_request(h, client, "{\"janus\":\"create\",\"transaction\":\"c\"}");
    g_assert_cmpstr(message_kind(reply), ==, "success");
    g_assert_cmpstr(message_transaction(reply), ==, "c");
    uint64_t id = message_data_id(reply);
    g_assert_cmpuint(id, >, 0);
    return id;
}

static uint64_t attach_echotest(struct ws_harness *h, struct test_client *client, uint64_t session)
{
    char text[200];
    snprintf(text, sizeof(text),
             "{\"janus\":\"attach\",\"transaction\":\"a\",\"session_id\":%" G_GUINT64_FORMAT
             ",\"plugin\":\"janus.plugin.echotest\"}",
             session);
    json_t *reply = ws_client_request(h, client, text);
    g_assert_cmpstr(message_kind(reply), ==, "success");
    g_assert_cmpuint(message_u64(reply, "session_id"), ==, session);
    return message_data_id(reply);
}

static void wait_for_session_count(struct ws_harness *h, unsigned count)
{
    WS_PUMP_UNTIL(h, prism_api_session_count(h->api) == count);
}

static void test_ws_answers_core_requests_in_janus_shape(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *client = ws_client_connect(&h, "janus-protocol");

    json_t *pong = ws_client_request(&h, client, "{\"janus\":\"ping\",\"transaction\":\"p1\"}");
    g_assert_cmpstr(message_kind(pong), ==, "pong");
    g_assert_cmpstr(message_transaction(pong), ==, "p1");

    json_t *info = ws_client_request(&h, client, "{\"janus\":\"info\",\"transaction\":\"i\"}");
    g_assert_cmpstr(message_kind(info), ==, "server_info");
    json_t *transport = json_object_get(json_object_get(info, "transports"),
                                        "janus.transport.websockets");
    g_assert_nonnull(transport);
    g_assert_cmpstr(json_string_value(json_object_get(transport, "name")), ==,
                    "Prism WebSockets transport");

    uint64_t session = create_session(&h, client);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    char text[160];
    snprintf(text, sizeof(text),
             "{\"janus\":\"keepalive\",\"transaction\":\"k\",\"session_id\":%" G_GUINT64_FORMAT "}",
             session);
    json_t *ack = ws_client_request(&h, client, text);
    g_assert_cmpstr(message_kind(ack), ==, "ack");
    g_assert_cmpstr(message_transaction(ack), ==, "k");
    snprintf(text, sizeof(text),
             "{\"janus\":\"destroy\",\"transaction\":\"d\",\"session_id\":%" G_GUINT64_FORMAT "}",
             session);
    json_t *destroyed = ws_client_request(&h, client, text);
    g_assert_cmpstr(message_kind(destroyed), ==, "success");
    g_assert_cmpuint(message_u64(destroyed, "session_id"), ==, session);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 0);
    json_t *gone = ws_client_request(&h, client, text);
    g_assert_cmpstr(message_kind(gone), ==, "error");
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(gone, "error"), "code")), ==,
                    PRISM_API_ERROR_SESSION_NOT_FOUND);
    ws_harness_stop(&h);
}

static void test_ws_reports_invalid_json_and_keeps_the_socket(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *client = ws_client_connect(&h, "janus-protocol");
    json_t *error = ws_client_request(&h, client, "{\"janus\":\"ping\",");
    g_assert_cmpstr(message_kind(error), ==, "error");
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(error, "error"), "code")),
                    ==, PRISM_API_ERROR_INVALID_JSON);
    json_t *pong = ws_client_request(&h, client, "{\"janus\":\"ping\",\"transaction\":\"p\"}");
    g_assert_cmpstr(message_kind(pong), ==, "pong");
    g_assert_false(client->closed);
    ws_harness_stop(&h);
}

static void test_ws_accepts_client_without_subprotocol(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *client = ws_client_connect(&h, NULL);
    json_t *pong = ws_client_request(&h, client, "{\"janus\":\"ping\",\"transaction\":\"np\"}");
    g_assert_cmpstr(message_kind(pong), ==, "pong");
    g_assert_cmpstr(message_transaction(pong), ==, "np");
    ws_harness_stop(&h);
}

static void test_ws_refuses_unknown_subprotocol(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *client = ws_client_open(&h, "mqtt");
    WS_PUMP_UNTIL(&h, client->closed);
    g_assert_false(client->established);
    ws_harness_stop(&h);
}

static void test_ws_reassembles_fragmented_message(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *client = ws_client_connect(&h, "janus-protocol");
    const char *text = "{\"janus\":\"create\",\"transaction\":\"in-seven-byte-pieces\"}";
    ws_client_send_fragmented(client, text, strlen(text), 7);
    json_t *reply = ws_client_next(&h, client);
    g_assert_cmpstr(message_kind(reply), ==, "success");
    g_assert_cmpstr(message_transaction(reply), ==, "in-seven-byte-pieces");
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    ws_harness_stop(&h);
}

/* A ping padded with spaces to `length` bytes: valid JSON of an exact size. */
static char *padded_ping(size_t length)
{
    const char *ping = "{\"janus\":\"ping\",\"transaction\":\"big\"}";
    char *text = g_malloc(length + 1);
    memset(text, ' ', length);
    memcpy(text, ping, strlen(ping));
    text[length] = '\0';
    return text;
}

static void test_ws_closes_only_the_client_sending_an_oversize_message(void)
{
    struct ws_harness h;
    struct prism_ws_config config = {.interface = "127.0.0.1", .max_message_size = 1000};
    ws_harness_start_with(&h, &config);
    struct test_client *whole = ws_client_connect(&h, "janus-protocol");
    struct test_client *pieces = ws_client_connect(&h, "janus-protocol");
    struct test_client *bystander = ws_client_connect(&h, "janus-protocol");

    /* Exactly the limit still goes through. */
    char *fits = padded_ping(1000);
    ws_client_send(whole, fits);
    g_assert_cmpstr(message_kind(ws_client_next(&h, whole)), ==, "pong");
    g_free(fits);

    char *big = padded_ping(1001);
    ws_client_send(whole, big);
    ws_client_send_fragmented(pieces, big, strlen(big), 100);
    g_free(big);
    WS_PUMP_UNTIL(&h, whole->closed && pieces->closed);
    g_assert_cmpint(whole->close_code, ==, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);
    g_assert_cmpint(pieces->close_code, ==, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);
    g_assert_cmpuint(whole->received->len, ==, 1);
    g_assert_cmpuint(pieces->received->len, ==, 0);

    json_t *pong = ws_client_request(&h, bystander, "{\"janus\":\"ping\",\"transaction\":\"b\"}");
    g_assert_cmpstr(message_kind(pong), ==, "pong");
    g_assert_false(bystander->closed);
    ws_harness_stop(&h);
}

/* Messages far larger than the socket buffers cross the client-facing relay (edge.h) in
 * both directions, whole, and in order with the small ones around them. */
static void test_ws_carries_large_messages_both_ways(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *client = ws_client_connect(&h, "janus-protocol");
    const size_t size = 900 * 1024;
    char *transaction = g_malloc(size + 1);
    for (size_t i = 0; i < size; i++)
        transaction[i] = (char)('a' + i % 26);
    transaction[size] = '\0';
    char *big = g_strdup_printf("{\"janus\":\"ping\",\"transaction\":\"%s\"}", transaction);
    ws_client_send(client, "{\"janus\":\"ping\",\"transaction\":\"before\"}");
    ws_client_send(client, big);
    ws_client_send(client, "{\"janus\":\"ping\",\"transaction\":\"after\"}");
    g_assert_cmpstr(message_transaction(ws_client_next(&h, client)), ==, "before");
    json_t *pong = ws_client_next(&h, client);
    g_assert_cmpstr(message_kind(pong), ==, "pong");
    g_assert_cmpstr(message_transaction(pong), ==, transaction);
    g_assert_cmpstr(message_transaction(ws_client_next(&h, client)), ==, "after");
    g_free(big);
    g_free(transaction);
    ws_harness_stop(&h);
}

/* Attaches the echotest and sends it a request: the reply is an ack and the
 * result comes as an event, both from the worker thread. */
static void echotest_roundtrip(struct ws_harness *h, struct test_client *client, uint64_t session,
                               uint64_t handle, const char *transaction)
{
    char text[300];
    snprintf(text, sizeof(text),
             "{\"janus\":\"message\",\"transaction\":\"%s\",\"session_id\":%" G_GUINT64_FORMAT
             ",\"handle_id\":%" G_GUINT64_FORMAT ",\"body\":{\"audio\":false}}",
             transaction, session, handle);
    ws_client_send(client, text);
}

static void assert_echotest_event(struct ws_harness *h, struct test_client *client,
                                  uint64_t session, uint64_t handle, const char *transaction)
{
    json_t *ack = ws_client_next(h, client);
    g_assert_cmpstr(message_kind(ack), ==, "ack");
    g_assert_cmpstr(message_transaction(ack), ==, transaction);
    json_t *event = ws_client_next(h, client);
    g_assert_cmpstr(message_kind(event), ==, "event");
    g_assert_cmpstr(message_transaction(event), ==, transaction);
    g_assert_cmpuint(message_u64(event, "session_id"), ==, session);
    g_assert_cmpuint(message_u64(event, "sender"), ==, handle);
    json_t *data = json_object_get(json_object_get(event, "plugindata"), "data");
    g_assert_cmpstr(json_string_value(json_object_get(data, "result")), ==, "ok");
}

static void test_ws_events_never_cross_between_clients(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *alice = ws_client_connect(&h, "janus-protocol");
    struct test_client *bob = ws_client_connect(&h, "janus-protocol");
    uint64_t alice_session = create_session(&h, alice);
    uint64_t bob_session = create_session(&h, bob);
    g_assert_cmpuint(alice_session, !=, bob_session);
    uint64_t alice_handle = attach_echotest(&h, alice, alice_session);
    uint64_t bob_handle = attach_echotest(&h, bob, bob_session);

    for (int round = 0; round < 5; round++) {
        echotest_roundtrip(&h, alice, alice_session, alice_handle, "alice");
        echotest_roundtrip(&h, bob, bob_session, bob_handle, "bob");
    }
    for (int round = 0; round < 5; round++) {
        assert_echotest_event(&h, alice, alice_session, alice_handle, "alice");
        assert_echotest_event(&h, bob, bob_session, bob_handle, "bob");
    }
    /* Nothing else turns up on either socket. */
    ws_harness_pump_for(&h, 100);
    g_assert_cmpuint(alice->received->len, ==, alice->consumed);
    g_assert_cmpuint(bob->received->len, ==, bob->consumed);
    ws_harness_stop(&h);
}

static void test_ws_keeps_replies_and_events_in_queued_order(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *client = ws_client_connect(&h, "janus-protocol");
    uint64_t session = create_session(&h, client);
    uint64_t handle = attach_echotest(&h, client, session);
    /* Pipelined: the pongs are queued by the service thread as each ping is
     * read, then each message's ack and event by the worker, in that order. */
    char text[200];
    for (int i = 0; i < 20; i++) {
        snprintf(text, sizeof(text), "{\"janus\":\"ping\",\"transaction\":\"p%d\"}", i);
        ws_client_send(client, text);
    }
    for (int i = 0; i < 4; i++) {
        snprintf(text, sizeof(text), "m%d", i);
        echotest_roundtrip(&h, client, session, handle, text);
    }
    for (int i = 0; i < 20; i++) {
        snprintf(text, sizeof(text), "p%d", i);
        json_t *pong = ws_client_next(&h, client);
        g_assert_cmpstr(message_kind(pong), ==, "pong");
        g_assert_cmpstr(message_transaction(pong), ==, text);
    }
    for (int i = 0; i < 4; i++) {
        snprintf(text, sizeof(text), "m%d", i);
        assert_echotest_event(&h, client, session, handle, text);
    }
    ws_harness_stop(&h);
}

static void test_ws_closed_socket_ends_its_sessions_only(void)
{
    struct ws_harness h;
    ws_harness_start(&h); /* reclaim timeout 0: sessions go with the socket */
    struct test_client *leaving = ws_client_connect(&h, "janus-protocol");
    struct test_client *staying = ws_client_connect(&h, "janus-protocol");
    uint64_t leaving_session = create_session(&h, leaving);
    attach_echotest(&h, leaving, leaving_session);
    uint64_t staying_session = create_session(&h, staying);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 2);

    ws_client_close(&h, leaving);
    wait_for_session_count(&h, 1);
    /* The session leaves the registry first; its handles detach on the worker after. */
    WS_PUMP_UNTIL(&h, prism_api_handle_count(h.api) == 0);
    g_assert_cmpuint(prism_api_handle_count(h.api), ==, 0);
    char text[160];
    snprintf(text, sizeof(text),
             "{\"janus\":\"keepalive\",\"transaction\":\"k\",\"session_id\":%" G_GUINT64_FORMAT "}",
             staying_session);
    g_assert_cmpstr(message_kind(ws_client_request(&h, staying, text)), ==, "ack");
    ws_harness_pump_for(&h, 50);
    g_assert_cmpuint(staying->received->len, ==, staying->consumed);
    ws_harness_stop(&h);
}

static void test_ws_claimed_session_sends_its_events_to_the_new_socket(void)
{
    struct ws_harness h;
    struct prism_ws_config config = {.interface = "127.0.0.1"};
    struct prism_api_config api_config = {.session_timeout_s = 60, .reclaim_timeout_s = 30};
    ws_harness_start_full(&h, &config, &api_config);
    struct test_client *first = ws_client_connect(&h, "janus-protocol");
    uint64_t session = create_session(&h, first);
    uint64_t handle = attach_echotest(&h, first, session);
    ws_client_close(&h, first);
    ws_harness_pump_for(&h, 50);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1); /* waiting to be claimed */

    struct test_client *second = ws_client_connect(&h, "janus-protocol");
    char text[160];
    snprintf(text, sizeof(text),
             "{\"janus\":\"claim\",\"transaction\":\"cl\",\"session_id\":%" G_GUINT64_FORMAT "}",
             session);
    json_t *claimed = ws_client_request(&h, second, text);
    g_assert_cmpstr(message_kind(claimed), ==, "success");
    echotest_roundtrip(&h, second, session, handle, "after-claim");
    assert_echotest_event(&h, second, session, handle, "after-claim");
    /* Closing the new socket orphans the session again rather than ending it. */
    ws_client_close(&h, second);
    ws_harness_pump_for(&h, 50);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    ws_harness_stop(&h);
}

struct stop_call {
    struct prism_api *api;
    struct prism_ws *ws;
};

static gpointer shutdown_thread(gpointer data)
{
    struct stop_call *call = data;
    prism_api_shutdown(call->api);
    prism_ws_stop(call->ws);
    return NULL;
}

static void test_ws_stop_flushes_queued_events_then_says_going_away(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *client = ws_client_connect(&h, "janus-protocol");
    uint64_t session = create_session(&h, client);
    uint64_t handle = attach_echotest(&h, client, session);

    /* The process's shutdown order: the engine ends the sessions (a
     * "detached" event per handle), then the transport flushes and closes.
     * It runs on another thread so this one can keep the client reading. */
    struct stop_call call = {h.api, h.ws};
    GThread *thread = g_thread_new("stop", shutdown_thread, &call);
    WS_PUMP_UNTIL(&h, client->closed);
    g_thread_join(thread);
    g_assert_cmpint(client->close_code, ==, LWS_CLOSE_STATUS_GOINGAWAY);
    json_t *detached = ws_client_next(&h, client);
    g_assert_cmpstr(message_kind(detached), ==, "detached");
    g_assert_cmpuint(message_u64(detached, "sender"), ==, handle);

    /* Stopped: new connections are refused. */
    struct test_client *late = ws_client_open(&h, "janus-protocol");
    WS_PUMP_UNTIL(&h, late->closed);
    g_assert_false(late->established);
    ws_harness_stop(&h);
}

static void test_ws_stop_is_bounded_when_a_client_stalls(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *client = ws_client_connect(&h, "janus-protocol");
    create_session(&h, client);
    /* The client is not serviced while the transport stops, so it never
     * answers the close: stop gives up after the drain timeout, closes the
     * socket anyway and still reports the client gone to the engine. */
    gint64 start = g_get_monotonic_time();
    prism_ws_stop(h.ws);
    gint64 elapsed_ms = (g_get_monotonic_time() - start) / G_TIME_SPAN_MILLISECOND;
    g_assert_cmpint(elapsed_ms, <, PRISM_WS_DRAIN_TIMEOUT_MS + 500);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 0);
    prism_ws_stop(h.ws); /* idempotent */
    WS_PUMP_UNTIL(&h, client->closed);
    ws_harness_stop(&h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ws/transport/answers-core-requests-in-janus-shape",
                    test_ws_answers_core_requests_in_janus_shape);
    g_test_add_func("/ws/transport/reports-invalid-json-and-keeps-the-socket",
                    test_ws_reports_invalid_json_and_keeps_the_socket);
    g_test_add_func("/ws/transport/accepts-client-without-subprotocol",
                    test_ws_accepts_client_without_subprotocol);
    g_test_add_func("/ws/transport/refuses-unknown-subprotocol",
                    test_ws_refuses_unknown_subprotocol);
    g_test_add_func("/ws/transport/reassembles-fragmented-message",
                    test_ws_reassembles_fragmented_message);
    g_test_add_func("/ws/transport/closes-only-the-client-sending-an-oversize-message",
                    test_ws_closes_only_the_client_sending_an_oversize_message);
    g_test_add_func("/ws/transport/carries-large-messages-both-ways",
                    test_ws_carries_large_messages_both_ways);
    g_test_add_func("/ws/transport/events-never-cross-between-clients",
                    test_ws_events_never_cross_between_clients);
    g_test_add_func("/ws/transport/keeps-replies-and-events-in-queued-order",
                    test_ws_keeps_replies_and_events_in_queued_order);
    g_test_add_func("/ws/transport/closed-socket-ends-its-sessions-only",
                    test_ws_closed_socket_ends_its_sessions_only);
    g_test_add_func("/ws/transport/claimed-session-sends-its-events-to-the-new-socket",
                    test_ws_claimed_session_sends_its_events_to_the_new_socket);
    g_test_add_func("/ws/transport/stop-flushes-queued-events-then-says-going-away",
                    test_ws_stop_flushes_queued_events_then_says_going_away);
    g_test_add_func("/ws/transport/stop-is-bounded-when-a-client-stalls",
                    test_ws_stop_is_bounded_when_a_client_stalls);
    return g_test_run();
}
