/* The Admin API engine: Janus's order of checks (info and ping open, then
 * the admin secret before any lookup), every request and its errors. */
#include "api_harness.h"

#include "core/log.h"
#include "signaling/api/errors.h"

#include <stdio.h>

#define ADMIN_SECRET "overlord"
#define SECRET_MEMBER "\"admin_secret\":\"" ADMIN_SECRET "\""

static void start(struct harness *h, bool token_auth)
{
    struct prism_api_config config = {
        .server_name = "test",
        .session_timeout_s = 60,
        .admin_secret = ADMIN_SECRET,
        .auth = {.token_auth = token_auth},
    };
    harness_start_with(h, &config);
}

/* Sends an admin request `{"janus": verb, "transaction": "t", <extra>}`,
 * with the ids in the path as the HTTP transport gives them (0 = none). */
static json_t *admin_path(struct harness *h, uint64_t session_id, uint64_t handle_id,
                          const char *verb, const char *extra)
{
    char text[1024];
    snprintf(text, sizeof(text), "{\"janus\":\"%s\",\"transaction\":\"t\"%s%s}", verb,
             extra ? "," : "", extra ? extra : "");
    struct recording_reply rec = {{recording_deliver, NULL}, NULL, 0};
    struct prism_api_request request = {.body = text,
                                        .length = strlen(text),
                                        .from_path = true,
                                        .path_session_id = session_id,
                                        .path_handle_id = handle_id,
                                        .reply = &rec.target};
    prism_api_handle_admin(h->api, &request, h->now_us);
    g_assert_cmpint(rec.deliveries, ==, 1);
    return rec.reply;
}

static json_t *admin(struct harness *h, const char *verb, const char *extra)
{
    return admin_path(h, 0, 0, verb, extra);
}

static void assert_success_and_free(json_t *reply)
{
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
}

static void test_admin_info_and_ping_are_open(void)
{
    struct harness h;
    start(&h, false);
    json_t *info = admin(&h, "info", NULL);
    g_assert_cmpstr(reply_kind(info), ==, "server_info");
    json_decref(info);
    json_t *pong = admin(&h, "ping", NULL);
    g_assert_cmpstr(reply_kind(pong), ==, "pong");
    json_decref(pong);
    harness_stop(&h);
}

static void test_admin_secret_comes_before_everything_else(void)
{
    struct harness h;
    start(&h, false);
    assert_error_and_free(admin(&h, "get_status", NULL), PRISM_API_ERROR_UNAUTHORIZED);
    assert_error_and_free(admin(&h, "get_status", "\"admin_secret\":\"overlor\""),
                          PRISM_API_ERROR_UNAUTHORIZED);
    assert_error_and_free(admin(&h, "get_status", "\"admin_secret\":1"),
                          PRISM_API_ERROR_UNAUTHORIZED);
    /* Unknown verbs too: the secret is checked first. */
    assert_error_and_free(admin(&h, "no_such_request", NULL), PRISM_API_ERROR_UNAUTHORIZED);
    assert_error_and_free(admin(&h, "no_such_request", SECRET_MEMBER),
                          PRISM_API_ERROR_INVALID_REQUEST_PATH);
    /* Below the root: an unknown session is 403 without the secret. */
    assert_error_and_free(admin_path(&h, 777, 0, "list_handles", NULL),
                          PRISM_API_ERROR_UNAUTHORIZED);
    assert_error_and_free(admin_path(&h, 777, 0, "list_handles", SECRET_MEMBER),
                          PRISM_API_ERROR_SESSION_NOT_FOUND);
    /* A handle without a session is 458 before the secret, as in Janus. */
    assert_error_and_free(admin(&h, "handle_info", "\"handle_id\":5"),
                          PRISM_API_ERROR_SESSION_NOT_FOUND);
    /* The envelope is checked first of all. */
    assert_error_and_free(admin(&h, "get_status", "\"transaction\":5"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    harness_stop(&h);
}

static void test_admin_get_status_and_set_log_level(void)
{
    struct harness h;
    start(&h, true);
    json_t *reply = admin(&h, "get_status", SECRET_MEMBER);
    json_t *status = json_object_get(reply, "status");
    g_assert_true(json_is_true(json_object_get(status, "token_auth")));
    g_assert_cmpint(json_integer_value(json_object_get(status, "session_timeout")), ==, 60);
    json_decref(reply);

    enum prism_log_level before = prism_log_get_level();
    assert_error_and_free(admin(&h, "set_log_level", SECRET_MEMBER),
                          PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT);
    assert_error_and_free(admin(&h, "set_log_level", SECRET_MEMBER ",\"level\":8"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    assert_error_and_free(admin(&h, "set_log_level", SECRET_MEMBER ",\"level\":-1"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    assert_error_and_free(admin(&h, "set_log_level", SECRET_MEMBER ",\"level\":\"7\""),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    reply = admin(&h, "set_log_level", SECRET_MEMBER ",\"level\":2");
    g_assert_cmpint(json_integer_value(json_object_get(reply, "level")), ==, 2);
    json_decref(reply);
    g_assert_cmpint(prism_log_get_level(), ==, PRISM_LOG_ERROR);
    prism_log_set_level(before);
    harness_stop(&h);
}

static void test_admin_accept_new_sessions(void)
{
    struct harness h;
    start(&h, false);
    assert_error_and_free(admin(&h, "accept_new_sessions", SECRET_MEMBER ",\"accept\":1"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    json_t *reply = admin(&h, "accept_new_sessions", SECRET_MEMBER ",\"accept\":false");
    g_assert_true(json_is_false(json_object_get(reply, "accept")));
    json_decref(reply);
    assert_error_and_free(harness_send(&h, "{\"janus\":\"create\",\"transaction\":\"c\"}"),
                          PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS);
    assert_success_and_free(admin(&h, "accept_new_sessions", SECRET_MEMBER ",\"accept\":true"));
    g_assert_cmpuint(harness_create_session(&h), !=, 0);
    harness_stop(&h);
}

static bool array_has(const json_t *array, uint64_t id)
{
    size_t i;
    json_t *entry;
    json_array_foreach(array, i, entry)
    {
        if ((uint64_t)json_integer_value(entry) == id)
            return true;
    }
    return false;
}

static void test_admin_sessions_and_handles(void)
{
    struct harness h;
    start(&h, false);
    uint64_t session = harness_create_session(&h);
    uint64_t handle = harness_attach(&h, session);
    uint64_t other = harness_attach(&h, session);

    json_t *reply = admin(&h, "list_sessions", SECRET_MEMBER);
    g_assert_true(array_has(json_object_get(reply, "sessions"), session));
    json_decref(reply);
    reply = admin_path(&h, session, 0, "list_handles", SECRET_MEMBER);
    g_assert_cmpint((int)json_array_size(json_object_get(reply, "handles")), ==, 2);
    g_assert_true(array_has(json_object_get(reply, "handles"), handle));
    json_decref(reply);
    /* Handle verbs on a session and session verbs on a handle are 457. */
    assert_error_and_free(admin_path(&h, session, 0, "handle_info", SECRET_MEMBER),
                          PRISM_API_ERROR_INVALID_REQUEST_PATH);
    assert_error_and_free(admin_path(&h, session, handle, "list_handles", SECRET_MEMBER),
                          PRISM_API_ERROR_INVALID_REQUEST_PATH);
    assert_error_and_free(admin_path(&h, session, 999, "handle_info", SECRET_MEMBER),
                          PRISM_API_ERROR_HANDLE_NOT_FOUND);

    reply = admin_path(&h, session, handle, "handle_info", SECRET_MEMBER);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    g_assert_cmpuint((uint64_t)json_integer_value(json_object_get(reply, "handle_id")), ==, handle);
    json_t *info = json_object_get(reply, "info");
    g_assert_cmpstr(json_string_value(json_object_get(info, "plugin")), ==,
                    "janus.plugin.echotest");
    g_assert_cmpuint((uint64_t)json_integer_value(json_object_get(info, "session_id")), ==,
                     session);
    g_assert_true(json_is_object(json_object_get(info, "plugin_specific")));
    json_decref(reply);

    assert_success_and_free(admin_path(&h, session, handle, "hangup_webrtc", SECRET_MEMBER));
    size_t events_before = h.sink.events->len;
    assert_success_and_free(admin_path(&h, session, handle, "detach_handle", SECRET_MEMBER));
    /* The client hears of it as after its own detach. */
    g_assert_cmpuint(h.sink.events->len, >, events_before);
    json_t *last = g_ptr_array_index(h.sink.events, h.sink.events->len - 1);
    g_assert_cmpstr(reply_kind(last), ==, "detached");
    reply = admin_path(&h, session, 0, "list_handles", SECRET_MEMBER);
    g_assert_false(array_has(json_object_get(reply, "handles"), handle));
    g_assert_true(array_has(json_object_get(reply, "handles"), other));
    json_decref(reply);

    assert_success_and_free(admin_path(&h, session, 0, "destroy_session", SECRET_MEMBER));
    reply = admin(&h, "list_sessions", SECRET_MEMBER);
    g_assert_false(array_has(json_object_get(reply, "sessions"), session));
    json_decref(reply);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 0);
    g_assert_cmpuint(prism_api_handle_count(h.api), ==, 0);
    harness_stop(&h);
}

static void test_admin_message_plugin(void)
{
    struct harness h;
    start(&h, false);
    assert_error_and_free(admin(&h, "message_plugin", SECRET_MEMBER),
                          PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT);
    assert_error_and_free(
        admin(&h, "message_plugin", SECRET_MEMBER ",\"plugin\":\"janus.plugin.nope\""),
        PRISM_API_ERROR_PLUGIN_NOT_FOUND);
    /* The echotest has no admin hook: 490, as Janus for such plugins. */
    assert_error_and_free(
        admin(&h, "message_plugin", SECRET_MEMBER ",\"plugin\":\"janus.plugin.echotest\""),
        PRISM_API_ERROR_UNKNOWN);
    assert_error_and_free(admin(&h, "message_plugin",
                                SECRET_MEMBER ",\"plugin\":\"janus.plugin.videoroom\","
                                              "\"request\":[]"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    /* The VideoRoom answers; its own errors come back inside "response". */
    json_t *reply = admin(&h, "message_plugin",
                          SECRET_MEMBER ",\"plugin\":\"janus.plugin.videoroom\","
                                        "\"request\":{\"request\":\"exists\",\"room\":4242}");
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_t *response = json_object_get(reply, "response");
    g_assert_cmpstr(json_string_value(json_object_get(response, "videoroom")), ==, "success");
    g_assert_true(json_is_false(json_object_get(response, "exists")));
    json_decref(reply);
    reply = admin(&h, "message_plugin", SECRET_MEMBER ",\"plugin\":\"janus.plugin.videoroom\"");
    g_assert_cmpint(
        json_integer_value(json_object_get(json_object_get(reply, "response"), "error_code")), ==,
        429);
    json_decref(reply);
    harness_stop(&h);
}

static void test_admin_tokens_need_stored_mode(void)
{
    struct harness h;
    start(&h, false);
    static const char *const verbs[] = {"add_token", "list_tokens", "allow_token", "disallow_token",
                                        "remove_token"};
    for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++)
        assert_error_and_free(admin(&h, verbs[i], SECRET_MEMBER ",\"token\":\"x\""),
                              PRISM_API_ERROR_UNKNOWN);
    harness_stop(&h);
}

static json_t *plugins_of(json_t *reply)
{
    return json_object_get(json_object_get(reply, "data"), "plugins");
}

static void test_admin_token_requests(void)
{
    struct harness h;
    start(&h, true);
    assert_error_and_free(admin(&h, "add_token", SECRET_MEMBER),
                          PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT);
    /* No plugins named: every plugin. */
    json_t *reply = admin(&h, "add_token", SECRET_MEMBER ",\"token\":\"all\"");
    g_assert_cmpint((int)json_array_size(plugins_of(reply)), >=, 2);
    json_decref(reply);
    /* Unknown plugins are skipped when adding. */
    reply = admin(&h, "add_token",
                  SECRET_MEMBER ",\"token\":\"echo\",\"plugins\":[\"janus.plugin.echotest\","
                                "\"janus.plugin.nope\",5]");
    g_assert_cmpint((int)json_array_size(plugins_of(reply)), ==, 1);
    json_decref(reply);

    /* The new tokens open the Janus API. */
    assert_error_and_free(harness_send(&h, "{\"janus\":\"create\",\"transaction\":\"c\"}"),
                          PRISM_API_ERROR_UNAUTHORIZED);
    json_t *created = harness_send(
        &h, "{\"janus\":\"create\",\"transaction\":\"c\",\"token\":\"echo\"}");
    g_assert_cmpstr(reply_kind(created), ==, "success");
    json_decref(created);

    reply = admin(&h, "list_tokens", SECRET_MEMBER);
    g_assert_cmpint((int)json_array_size(json_object_get(json_object_get(reply, "data"), "tokens")),
                    ==, 2);
    json_decref(reply);

    assert_error_and_free(admin(&h, "allow_token", SECRET_MEMBER ",\"token\":\"echo\""),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    assert_error_and_free(
        admin(&h, "allow_token", SECRET_MEMBER ",\"token\":\"nope\",\"plugins\":[\"x\"]"),
        PRISM_API_ERROR_TOKEN_NOT_FOUND);
    assert_error_and_free(admin(&h, "allow_token",
                                SECRET_MEMBER ",\"token\":\"echo\",\"plugins\":[\"janus.plugin."
                                              "videoroom\",\"janus.plugin.nope\"]"),
                          PRISM_API_ERROR_INVALID_ELEMENT_TYPE);
    reply = admin(&h, "allow_token",
                  SECRET_MEMBER ",\"token\":\"echo\",\"plugins\":[\"janus.plugin.videoroom\"]");
    g_assert_cmpint((int)json_array_size(plugins_of(reply)), ==, 2);
    json_decref(reply);
    reply = admin(&h, "disallow_token",
                  SECRET_MEMBER ",\"token\":\"echo\",\"plugins\":[\"janus.plugin.echotest\","
                                "\"janus.plugin.videoroom\"]");
    g_assert_cmpint((int)json_array_size(plugins_of(reply)), ==, 0);
    json_decref(reply);
    /* A token that may attach to nothing is not listed, as in Janus. */
    reply = admin(&h, "list_tokens", SECRET_MEMBER);
    g_assert_cmpint((int)json_array_size(json_object_get(json_object_get(reply, "data"), "tokens")),
                    ==, 1);
    json_decref(reply);

    assert_success_and_free(admin(&h, "remove_token", SECRET_MEMBER ",\"token\":\"echo\""));
    assert_error_and_free(admin(&h, "remove_token", SECRET_MEMBER ",\"token\":\"echo\""),
                          PRISM_API_ERROR_UNKNOWN);
    assert_error_and_free(
        harness_send(&h, "{\"janus\":\"create\",\"transaction\":\"c\",\"token\":\"echo\"}"),
        PRISM_API_ERROR_UNAUTHORIZED);
    harness_stop(&h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/api/admin/info_and_ping_are_open", test_admin_info_and_ping_are_open);
    g_test_add_func("/api/admin/secret_comes_before_everything_else",
                    test_admin_secret_comes_before_everything_else);
    g_test_add_func("/api/admin/get_status_and_set_log_level",
                    test_admin_get_status_and_set_log_level);
    g_test_add_func("/api/admin/accept_new_sessions", test_admin_accept_new_sessions);
    g_test_add_func("/api/admin/sessions_and_handles", test_admin_sessions_and_handles);
    g_test_add_func("/api/admin/message_plugin", test_admin_message_plugin);
    g_test_add_func("/api/admin/tokens_need_stored_mode", test_admin_tokens_need_stored_mode);
    g_test_add_func("/api/admin/token_requests", test_admin_token_requests);
    return g_test_run();
}
