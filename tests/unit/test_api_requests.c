/* The API engine, request by request, with every Janus error code. */
#include "api_harness.h"

#include "core/ids.h"
#include "signaling/api/errors.h"

#include <stdio.h>

static char *request_text(const char *verb, uint64_t session_id, uint64_t handle_id,
                          const char *extra)
{
    GString *text = g_string_new(NULL);
    g_string_append_printf(text, "{\"janus\":\"%s\",\"transaction\":\"t-%s\"", verb, verb);
    if (session_id)
        g_string_append_printf(text, ",\"session_id\":%" G_GUINT64_FORMAT, session_id);
    if (handle_id)
        g_string_append_printf(text, ",\"handle_id\":%" G_GUINT64_FORMAT, handle_id);
    if (extra)
        g_string_append_printf(text, ",%s", extra);
    g_string_append(text, "}");
    return g_string_free(text, FALSE);
}

static json_t *send_request(struct harness *h, const char *verb, uint64_t session_id,
                            uint64_t handle_id, const char *extra)
{
    char *text = request_text(verb, session_id, handle_id, extra);
    json_t *reply = harness_send(h, text);
    g_free(text);
    return reply;
}

static void test_api_ping_answers_pong_with_transaction(void)
{
    struct harness h;
    harness_start(&h);
    json_t *reply = send_request(&h, "ping", 0, 0, NULL);
    g_assert_cmpstr(reply_kind(reply), ==, "pong");
    g_assert_cmpstr(json_string_value(json_object_get(reply, "transaction")), ==, "t-ping");
    json_decref(reply);
    harness_stop(&h);
}

static void test_api_info_lists_plugins(void)
{
    struct harness h;
    harness_start(&h);
    json_t *reply = send_request(&h, "info", 0, 0, NULL);
    g_assert_cmpstr(reply_kind(reply), ==, "server_info");
    json_t *plugins = json_object_get(reply, "plugins");
    g_assert_nonnull(json_object_get(plugins, "janus.plugin.echotest"));
    g_assert_cmpint(json_integer_value(json_object_get(reply, "session-timeout")), ==, 60);
    json_decref(reply);
    harness_stop(&h);
}

static void test_api_create_gives_id_below_2_pow_53(void)
{
    struct harness h;
    harness_start(&h);
    for (int i = 0; i < 50; i++) {
        uint64_t id = harness_create_session(&h);
        g_assert_cmpuint(id, >, 0);
        g_assert_cmpuint(id, <=, PRISM_ID_MAX);
    }
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 50);
    harness_stop(&h);
}

static void test_api_create_with_chosen_id_and_conflict(void)
{
    struct harness h;
    harness_start(&h);
    json_t *reply = send_request(&h, "create", 0, 0, "\"id\":12345");
    g_assert_cmpuint(reply_data_id(reply), ==, 12345);
    json_decref(reply);
    assert_error_and_free(send_request(&h, "create", 0, 0, "\"id\":12345"),
                          PRISM_API_ERROR_SESSION_CONFLICT);
    assert_error_and_free(send_request(&h, "create", 0, 0, "\"id\":\"x\""),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    assert_error_and_free(send_request(&h, "create", 0, 0, "\"id\":9007199254740993"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    harness_stop(&h);
}

static void test_api_keepalive_acks(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    json_t *reply = send_request(&h, "keepalive", session, 0, NULL);
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    g_assert_cmpuint(json_integer_value(json_object_get(reply, "session_id")), ==, session);
    json_decref(reply);
    harness_stop(&h);
}

static void test_api_attach_message_detach_flow(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    uint64_t handle = harness_attach(&h, session);
    g_assert_cmpuint(handle, >, 0);
    g_assert_cmpuint(prism_api_handle_count(h.api), ==, 1);

    json_t *reply = send_request(&h, "message", session, handle, "\"body\":{\"audio\":true}");
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    json_decref(reply);
    g_assert_cmpuint(h.sink.events->len, ==, 1);
    json_t *event = g_ptr_array_index(h.sink.events, 0);
    g_assert_cmpstr(reply_kind(event), ==, "event");
    g_assert_cmpuint(json_integer_value(json_object_get(event, "sender")), ==, handle);
    g_assert_cmpstr(json_string_value(json_object_get(event, "transaction")), ==, "t-message");
    json_t *data = json_object_get(json_object_get(event, "plugindata"), "data");
    g_assert_cmpstr(json_string_value(json_object_get(data, "result")), ==, "ok");

    reply = send_request(&h, "detach", session, handle, NULL);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
    event = g_ptr_array_index(h.sink.events, 1);
    g_assert_cmpstr(reply_kind(event), ==, "detached");
    g_assert_cmpuint(prism_api_handle_count(h.api), ==, 0);
    assert_error_and_free(send_request(&h, "message", session, handle, "\"body\":{}"),
                          PRISM_API_ERROR_HANDLE_NOT_FOUND);
    harness_stop(&h);
}

static void test_api_echotest_refuses_message_without_known_attribute(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    uint64_t handle = harness_attach(&h, session);
    json_decref(send_request(&h, "message", session, handle, "\"body\":{\"colour\":\"red\"}"));
    json_t *event = g_ptr_array_index(h.sink.events, 0);
    json_t *data = json_object_get(json_object_get(event, "plugindata"), "data");
    g_assert_cmpint(json_integer_value(json_object_get(data, "error_code")), ==, 413);
    harness_stop(&h);
}

static void test_api_plugin_validation_error_is_an_event(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    uint64_t handle = harness_attach(&h, session);
    json_t *reply = send_request(&h, "message", session, handle, "\"body\":{\"bitrate\":\"x\"}");
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    json_decref(reply);
    json_t *event = g_ptr_array_index(h.sink.events, 0);
    json_t *data = json_object_get(json_object_get(event, "plugindata"), "data");
    g_assert_cmpint(json_integer_value(json_object_get(data, "error_code")), ==, 413);
    harness_stop(&h);
}

static void test_api_hangup_and_trickle(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    uint64_t handle = harness_attach(&h, session);
    json_t *reply = send_request(&h, "hangup", session, handle, NULL);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
    reply = send_request(&h, "trickle", session, handle,
                         "\"candidate\":{\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 9 typ "
                         "host\",\"sdpMid\":\"0\"}");
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    json_decref(reply);
    reply = send_request(&h, "trickle", session, handle, "\"candidate\":{\"completed\":true}");
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    json_decref(reply);
    reply = send_request(&h, "trickle", session, handle, "\"candidates\":[]");
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    json_decref(reply);
    assert_error_and_free(send_request(&h, "trickle", session, handle, NULL),
                          PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT);
    assert_error_and_free(send_request(&h, "trickle", session, handle, "\"candidate\":3"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    harness_stop(&h);
}

static void test_api_destroy_frees_handles_then_replies(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    harness_attach(&h, session);
    harness_attach(&h, session);
    json_t *reply = send_request(&h, "destroy", session, 0, NULL);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
    /* Janus sends no "detached" events for a destroyed session. */
    g_assert_cmpuint(h.sink.events->len, ==, 0);
    g_assert_cmpuint(h.sink.gone->len, ==, 1);
    g_assert_cmpuint(*(uint64_t *)g_ptr_array_index(h.sink.gone, 0), ==, session);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 0);
    g_assert_cmpuint(prism_api_handle_count(h.api), ==, 0);
    assert_error_and_free(send_request(&h, "keepalive", session, 0, NULL),
                          PRISM_API_ERROR_SESSION_NOT_FOUND);
    harness_stop(&h);
}

static void test_api_rejects_bad_json(void)
{
    struct harness h;
    harness_start(&h);
    assert_error_and_free(harness_send(&h, "{\"janus\":\"ping\",\"transaction\":"),
                          PRISM_API_ERROR_INVALID_JSON);
    assert_error_and_free(harness_send(&h, "not json"), PRISM_API_ERROR_INVALID_JSON);
    assert_error_and_free(harness_send(&h, "[{\"janus\":\"ping\"}]"),
                          PRISM_API_ERROR_INVALID_JSON_OBJECT);
    assert_error_and_free(harness_send(&h, "42"), PRISM_API_ERROR_INVALID_JSON_OBJECT);
    assert_error_and_free(harness_send_from(&h, &h.sink.sink, "", 0),
                          PRISM_API_ERROR_MISSING_REQUEST);
    /* An embedded NUL ends nothing: the length decides, and it is invalid. */
    assert_error_and_free(harness_send_from(&h, &h.sink.sink, "{\"a\":1}\0{", 9),
                          PRISM_API_ERROR_INVALID_JSON);
    harness_stop(&h);
}

static void test_api_rejects_deep_nesting_and_huge_numbers(void)
{
    struct harness h;
    harness_start(&h);
    GString *deep = g_string_new("{\"janus\":\"ping\",\"transaction\":\"d\",\"x\":");
    for (int i = 0; i < 100000; i++)
        g_string_append_c(deep, '[');
    assert_error_and_free(harness_send(&h, deep->str), PRISM_API_ERROR_INVALID_JSON);
    g_string_free(deep, TRUE);
    assert_error_and_free(
        harness_send(&h, "{\"janus\":\"keepalive\",\"transaction\":\"h\",\"session_id\":"
                         "99999999999999999999999999}"),
        PRISM_API_ERROR_INVALID_JSON);
    assert_error_and_free(
        harness_send(&h, "{\"janus\":\"keepalive\",\"transaction\":\"h\",\"session_id\":1e300}"),
        PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    assert_error_and_free(
        harness_send(&h, "{\"janus\":\"keepalive\",\"transaction\":\"h\",\"session_id\":-5}"),
        PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    harness_stop(&h);
}

static void test_api_rejects_missing_and_mistyped_envelope(void)
{
    struct harness h;
    harness_start(&h);
    assert_error_and_free(harness_send(&h, "{\"transaction\":\"x\"}"),
                          PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT);
    assert_error_and_free(harness_send(&h, "{\"janus\":\"ping\"}"),
                          PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT);
    assert_error_and_free(harness_send(&h, "{\"janus\":5,\"transaction\":\"x\"}"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    assert_error_and_free(harness_send(&h, "{\"janus\":\"ping\",\"transaction\":7}"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    assert_error_and_free(
        harness_send(&h, "{\"janus\":\"keepalive\",\"transaction\":\"x\",\"session_id\":\"1\"}"),
        PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    /* Unknown fields are ignored, as Janus does. */
    json_t *reply = harness_send(&h, "{\"janus\":\"ping\",\"transaction\":\"x\",\"extra\":[1,2]}");
    g_assert_cmpstr(reply_kind(reply), ==, "pong");
    json_decref(reply);
    harness_stop(&h);
}

static void test_api_error_replies_echo_transaction(void)
{
    struct harness h;
    harness_start(&h);
    json_t *reply = send_request(&h, "keepalive", 777, 0, NULL);
    g_assert_cmpstr(json_string_value(json_object_get(reply, "transaction")), ==, "t-keepalive");
    assert_error_and_free(reply, PRISM_API_ERROR_SESSION_NOT_FOUND);
    harness_stop(&h);
}

static void test_api_rejects_unknown_request_and_wrong_path(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    uint64_t handle = harness_attach(&h, session);
    assert_error_and_free(send_request(&h, "dance", session, 0, NULL),
                          PRISM_API_ERROR_UNKNOWN_REQUEST);
    assert_error_and_free(send_request(&h, "dance", 0, 0, NULL),
                          PRISM_API_ERROR_INVALID_REQUEST_PATH);
    assert_error_and_free(send_request(&h, "attach", 0, 0, "\"plugin\":\"janus.plugin.echotest\""),
                          PRISM_API_ERROR_INVALID_REQUEST_PATH);
    assert_error_and_free(send_request(&h, "message", session, 0, "\"body\":{}"),
                          PRISM_API_ERROR_INVALID_REQUEST_PATH);
    assert_error_and_free(send_request(&h, "create", session, 0, NULL),
                          PRISM_API_ERROR_UNKNOWN_REQUEST);
    assert_error_and_free(send_request(&h, "ping", session, handle, NULL),
                          PRISM_API_ERROR_UNKNOWN_REQUEST);
    assert_error_and_free(
        send_request(&h, "attach", session, handle, "\"plugin\":\"janus.plugin.echotest\""),
        PRISM_API_ERROR_INVALID_REQUEST_PATH);
    assert_error_and_free(send_request(&h, "destroy", session, handle, NULL),
                          PRISM_API_ERROR_INVALID_REQUEST_PATH);
    harness_stop(&h);
}

static void test_api_rejects_unknown_session_handle_plugin(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    assert_error_and_free(send_request(&h, "keepalive", session + 1, 0, NULL),
                          PRISM_API_ERROR_SESSION_NOT_FOUND);
    assert_error_and_free(send_request(&h, "detach", 0, 5, NULL),
                          PRISM_API_ERROR_SESSION_NOT_FOUND);
    assert_error_and_free(send_request(&h, "message", session, 5, "\"body\":{}"),
                          PRISM_API_ERROR_HANDLE_NOT_FOUND);
    assert_error_and_free(
        send_request(&h, "attach", session, 0, "\"plugin\":\"janus.plugin.nope\""),
        PRISM_API_ERROR_PLUGIN_NOT_FOUND);
    assert_error_and_free(send_request(&h, "attach", session, 0, NULL),
                          PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT);
    assert_error_and_free(send_request(&h, "attach", session, 0, "\"plugin\":7"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    harness_stop(&h);
}

static void test_api_message_checks_body_and_jsep(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    uint64_t handle = harness_attach(&h, session);
    assert_error_and_free(send_request(&h, "message", session, handle, NULL),
                          PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT);
    assert_error_and_free(send_request(&h, "message", session, handle, "\"body\":[]"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    assert_error_and_free(
        send_request(&h, "message", session, handle, "\"body\":{},\"jsep\":{\"type\":\"offer\"}"),
        PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT);
    assert_error_and_free(
        send_request(&h, "message", session, handle,
                     "\"body\":{},\"jsep\":{\"type\":\"pranswer\",\"sdp\":\"v=0\"}"),
        PRISM_API_ERROR_JSEP_UNKNOWN_TYPE);
    assert_error_and_free(
        send_request(&h, "message", session, handle, "\"body\":{},\"jsep\":\"x\""),
        PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    g_assert_cmpuint(h.sink.events->len, ==, 0);
    harness_stop(&h);
}

/* Asserts the reply is Janus's 457 for ids that differ between the path and
 * the body (janus_http.c), then frees it. */
static void assert_conflict_and_free(json_t *reply, const char *what)
{
    g_assert_cmpstr(reply_kind(reply), ==, "error");
    g_assert_cmpint(reply_error_code(reply), ==, PRISM_API_ERROR_INVALID_REQUEST_PATH);
    char *reason = g_strdup_printf("Conflicting %s ID (payload and path)", what);
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(reply, "error"), "reason")),
                    ==, reason);
    g_free(reason);
    g_assert_null(json_object_get(reply, "session_id"));
    json_decref(reply);
}

static void test_api_body_session_id_must_match_the_path(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    assert_conflict_and_free(harness_send_path(&h, session, 0,
                                               "{\"janus\":\"keepalive\",\"transaction\":\"p\","
                                               "\"session_id\":1}"),
                             "session");
    /* The same id twice is no conflict. */
    char *same = g_strdup_printf("{\"janus\":\"keepalive\",\"transaction\":\"p\","
                                 "\"session_id\":%" G_GUINT64_FORMAT "}",
                                 session);
    json_t *reply = harness_send_path(&h, session, 0, same);
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    json_decref(reply);
    /* Only in the body (POST to the root path): used, as Janus does. */
    reply = harness_send_path(&h, 0, 0, same);
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    json_decref(reply);
    g_free(same);
    assert_error_and_free(harness_send_path(&h, 0, 0,
                                            "{\"janus\":\"attach\",\"transaction\":\"p\","
                                            "\"plugin\":\"janus.plugin.echotest\"}"),
                          PRISM_API_ERROR_INVALID_REQUEST_PATH);
    harness_stop(&h);
}

static void test_api_body_handle_id_must_match_the_path(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    uint64_t handle = harness_attach(&h, session);
    char *other = g_strdup_printf("{\"janus\":\"hangup\",\"transaction\":\"p\","
                                  "\"handle_id\":%" G_GUINT64_FORMAT "}",
                                  handle + 1);
    assert_conflict_and_free(harness_send_path(&h, session, handle, other), "handle");
    g_free(other);
    /* A handle id only in the body of a request to the session path is used. */
    char *in_body = g_strdup_printf("{\"janus\":\"hangup\",\"transaction\":\"p\","
                                    "\"handle_id\":%" G_GUINT64_FORMAT "}",
                                    handle);
    json_t *reply = harness_send_path(&h, session, 0, in_body);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
    g_free(in_body);
    assert_error_and_free(
        harness_send_path(&h, session, 99, "{\"janus\":\"hangup\",\"transaction\":\"p\"}"),
        PRISM_API_ERROR_HANDLE_NOT_FOUND);
    harness_stop(&h);
}

static void test_api_limits_sessions_and_handles(void)
{
    struct harness h;
    struct prism_api_config config = {
        .session_timeout_s = 60, .max_sessions = 2, .max_handles_per_session = 1};
    harness_start_with(&h, &config);
    uint64_t session = harness_create_session(&h);
    harness_create_session(&h);
    assert_error_and_free(send_request(&h, "create", 0, 0, NULL),
                          PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS);
    harness_attach(&h, session);
    assert_error_and_free(
        send_request(&h, "attach", session, 0, "\"plugin\":\"janus.plugin.echotest\""),
        PRISM_API_ERROR_PLUGIN_ATTACH);
    g_assert_cmpuint(prism_api_handle_count(h.api), ==, 1);
    harness_stop(&h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/api/ping-answers-pong-with-transaction",
                    test_api_ping_answers_pong_with_transaction);
    g_test_add_func("/api/info-lists-plugins", test_api_info_lists_plugins);
    g_test_add_func("/api/create-gives-id-below-2-pow-53", test_api_create_gives_id_below_2_pow_53);
    g_test_add_func("/api/create-with-chosen-id-and-conflict",
                    test_api_create_with_chosen_id_and_conflict);
    g_test_add_func("/api/keepalive-acks", test_api_keepalive_acks);
    g_test_add_func("/api/attach-message-detach-flow", test_api_attach_message_detach_flow);
    g_test_add_func("/api/echotest-refuses-message-without-known-attribute",
                    test_api_echotest_refuses_message_without_known_attribute);
    g_test_add_func("/api/plugin-validation-error-is-an-event",
                    test_api_plugin_validation_error_is_an_event);
    g_test_add_func("/api/hangup-and-trickle", test_api_hangup_and_trickle);
    g_test_add_func("/api/destroy-frees-handles-then-replies",
                    test_api_destroy_frees_handles_then_replies);
    g_test_add_func("/api/rejects-bad-json", test_api_rejects_bad_json);
    g_test_add_func("/api/rejects-deep-nesting-and-huge-numbers",
                    test_api_rejects_deep_nesting_and_huge_numbers);
    g_test_add_func("/api/rejects-missing-and-mistyped-envelope",
                    test_api_rejects_missing_and_mistyped_envelope);
    g_test_add_func("/api/error-replies-echo-transaction", test_api_error_replies_echo_transaction);
    g_test_add_func("/api/rejects-unknown-request-and-wrong-path",
                    test_api_rejects_unknown_request_and_wrong_path);
    g_test_add_func("/api/rejects-unknown-session-handle-plugin",
                    test_api_rejects_unknown_session_handle_plugin);
    g_test_add_func("/api/message-checks-body-and-jsep", test_api_message_checks_body_and_jsep);
    g_test_add_func("/api/body-session-id-must-match-the-path",
                    test_api_body_session_id_must_match_the_path);
    g_test_add_func("/api/body-handle-id-must-match-the-path",
                    test_api_body_handle_id_must_match_the_path);
    g_test_add_func("/api/limits-sessions-and-handles", test_api_limits_sessions_and_handles);
    return g_test_run();
}
