/* The API secret and tokens in the API engine, in Janus's order of checks:
 * the envelope, a missing session id (458), then the credentials (403), and
 * only then the session and handle lookups; "info" and "ping" stay open and
 * "create" refuses with 472 before asking for credentials. */
#include "api_harness.h"

#include "signaling/api/errors.h"
#include "signaling/auth/signed_token.h"
#include "signaling/auth/token_store.h"

#include <stdio.h>

#define SECRET "s3cret"
#define TOKEN_SECRET "prism-test-secret"
#define ECHO "janus.plugin.echotest"
#define VIDEOROOM "janus.plugin.videoroom"

static int64_t fake_wall_clock = 1800000000;

static int64_t fake_clock_s(void)
{
    return fake_wall_clock;
}

static void start(struct harness *h, const char *api_secret, bool token_auth,
                  const char *token_secret)
{
    struct prism_api_config config = {
        .server_name = "test",
        .session_timeout_s = 60,
        .auth = {.api_secret = api_secret,
                 .token_auth = token_auth,
                 .token_auth_secret = token_secret,
                 .wall_clock_s = fake_clock_s},
    };
    harness_start_with(h, &config);
}

/* Sends `{"janus": verb, "transaction": "t", <extra>}`. */
static json_t *send_verb(struct harness *h, const char *verb, const char *extra)
{
    char text[1024];
    snprintf(text, sizeof(text), "{\"janus\":\"%s\",\"transaction\":\"t\"%s%s}", verb,
             extra ? "," : "", extra ? extra : "");
    return harness_send(h, text);
}

static uint64_t create_with(struct harness *h, const char *credentials)
{
    json_t *reply = send_verb(h, "create", credentials);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    uint64_t id = reply_data_id(reply);
    json_decref(reply);
    return id;
}

static json_t *send_to_session(struct harness *h, const char *verb, uint64_t session_id,
                               const char *extra)
{
    char members[768];
    snprintf(members, sizeof(members), "\"session_id\":%" G_GUINT64_FORMAT "%s%s", session_id,
             extra ? "," : "", extra ? extra : "");
    return send_verb(h, verb, members);
}

static void assert_unauthorized(json_t *reply)
{
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(reply, "error"), "reason")),
                    ==, "Unauthorized request (wrong or missing secret/token)");
    assert_error_and_free(reply, PRISM_API_ERROR_UNAUTHORIZED);
}

static void test_api_auth_open_without_settings(void)
{
    struct harness h;
    start(&h, NULL, false, NULL);
    uint64_t session = create_with(&h, NULL);
    json_decref(send_to_session(&h, "keepalive", session, "\"apisecret\":\"anything\""));
    g_assert_true(prism_api_check_credentials(h.api, NULL, NULL));
    json_t *info = send_verb(&h, "info", NULL);
    g_assert_true(json_is_false(json_object_get(info, "api_secret")));
    g_assert_true(json_is_false(json_object_get(info, "auth_token")));
    json_decref(info);
    harness_stop(&h);
}

static void test_api_auth_secret_required(void)
{
    struct harness h;
    start(&h, SECRET, false, NULL);
    /* Open: info (which says a secret is needed) and ping. */
    json_t *info = send_verb(&h, "info", NULL);
    g_assert_cmpstr(reply_kind(info), ==, "server_info");
    g_assert_true(json_is_true(json_object_get(info, "api_secret")));
    g_assert_true(json_is_false(json_object_get(info, "auth_token")));
    json_decref(info);
    json_t *pong = send_verb(&h, "ping", NULL);
    g_assert_cmpstr(reply_kind(pong), ==, "pong");
    json_decref(pong);

    assert_unauthorized(send_verb(&h, "create", NULL));
    assert_unauthorized(send_verb(&h, "create", "\"apisecret\":\"wrong\""));
    assert_unauthorized(send_verb(&h, "create", "\"apisecret\":\"s3cre\""));
    assert_unauthorized(send_verb(&h, "create", "\"apisecret\":\"s3cret \""));
    assert_unauthorized(send_verb(&h, "create", "\"apisecret\":7"));
    /* A token is no use when token auth is off. */
    assert_unauthorized(send_verb(&h, "create", "\"token\":\"s3cret\""));
    uint64_t session = create_with(&h, "\"apisecret\":\"s3cret\"");
    g_assert_cmpuint(session, !=, 0);

    assert_unauthorized(send_to_session(&h, "keepalive", session, NULL));
    json_t *ack = send_to_session(&h, "keepalive", session, "\"apisecret\":\"s3cret\"");
    g_assert_cmpstr(reply_kind(ack), ==, "ack");
    json_decref(ack);
    g_assert_false(prism_api_check_credentials(h.api, NULL, NULL));
    g_assert_false(prism_api_check_credentials(h.api, "wrong", NULL));
    g_assert_true(prism_api_check_credentials(h.api, SECRET, NULL));
    harness_stop(&h);
}

static void test_api_auth_checks_before_session_lookup(void)
{
    struct harness h;
    start(&h, SECRET, false, NULL);
    /* Without credentials an unknown session is 403, not 458: nothing is
     * learnt about which sessions exist. */
    assert_unauthorized(send_to_session(&h, "keepalive", 12345, NULL));
    assert_error_and_free(send_to_session(&h, "keepalive", 12345, "\"apisecret\":\"s3cret\""),
                          PRISM_API_ERROR_SESSION_NOT_FOUND);
    uint64_t session = create_with(&h, "\"apisecret\":\"s3cret\"");
    char handle_member[64];
    snprintf(handle_member, sizeof(handle_member), "\"handle_id\":%d", 999);
    assert_unauthorized(send_to_session(&h, "detach", session, handle_member));
    /* Over a path transport the same order holds. */
    assert_unauthorized(
        harness_send_path(&h, 12345, 0, "{\"janus\":\"keepalive\",\"transaction\":\"t\"}"));
    /* Before the credentials: the envelope (456), a handle without a
     * session (458) and root verbs in the wrong place (457). */
    assert_error_and_free(harness_send(&h, "{\"janus\":\"create\"}"),
                          PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT);
    assert_error_and_free(send_verb(&h, "keepalive", "\"handle_id\":5"),
                          PRISM_API_ERROR_SESSION_NOT_FOUND);
    assert_error_and_free(send_verb(&h, "keepalive", NULL), PRISM_API_ERROR_INVALID_REQUEST_PATH);
    harness_stop(&h);
}

static void test_api_auth_not_accepting_comes_before_credentials(void)
{
    struct harness h;
    start(&h, SECRET, false, NULL);
    prism_api_shutdown(h.api);
    assert_error_and_free(send_verb(&h, "create", NULL), PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS);
    harness_stop(&h);
}

static void test_api_auth_stored_tokens(void)
{
    struct harness h;
    start(&h, NULL, true, NULL);
    struct prism_token_store *store = prism_auth_token_store(prism_api_auth(h.api));
    g_assert_nonnull(store);
    static const char *const echo_only[] = {ECHO};
    g_assert_cmpint(prism_token_store_add(store, "tok-1", echo_only, 1), ==, 0);

    json_t *info = send_verb(&h, "info", NULL);
    g_assert_true(json_is_false(json_object_get(info, "api_secret")));
    g_assert_true(json_is_true(json_object_get(info, "auth_token")));
    json_decref(info);

    assert_unauthorized(send_verb(&h, "create", NULL));
    assert_unauthorized(send_verb(&h, "create", "\"token\":\"tok-2\""));
    assert_unauthorized(send_verb(&h, "create", "\"apisecret\":\"tok-1\""));
    uint64_t session = create_with(&h, "\"token\":\"tok-1\"");
    json_t *reply = send_to_session(&h, "attach", session,
                                    "\"token\":\"tok-1\",\"plugin\":\"" ECHO "\"");
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
    reply = send_to_session(&h, "attach", session,
                            "\"token\":\"tok-1\",\"plugin\":\"" VIDEOROOM "\"");
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(reply, "error"), "reason")),
                    ==, "Provided token can't access plugin '" VIDEOROOM "'");
    assert_error_and_free(reply, PRISM_API_ERROR_UNAUTHORIZED_PLUGIN);
    /* An unknown plugin is 460 before the plugin check. */
    assert_error_and_free(send_to_session(&h, "attach", session,
                                          "\"token\":\"tok-1\",\"plugin\":\"janus.plugin.nope\""),
                          PRISM_API_ERROR_PLUGIN_NOT_FOUND);

    g_assert_cmpint(prism_token_store_allow(store, "tok-1", VIDEOROOM), ==, 0);
    reply = send_to_session(&h, "attach", session,
                            "\"token\":\"tok-1\",\"plugin\":\"" VIDEOROOM "\"");
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);

    g_assert_true(prism_api_check_credentials(h.api, NULL, "tok-1"));
    g_assert_cmpint(prism_token_store_remove(store, "tok-1"), ==, 0);
    assert_unauthorized(send_to_session(&h, "keepalive", session, "\"token\":\"tok-1\""));
    g_assert_false(prism_api_check_credentials(h.api, NULL, "tok-1"));
    harness_stop(&h);
}

static void test_api_auth_secret_or_token(void)
{
    struct harness h;
    start(&h, SECRET, true, NULL);
    struct prism_token_store *store = prism_auth_token_store(prism_api_auth(h.api));
    static const char *const echo_only[] = {ECHO};
    g_assert_cmpint(prism_token_store_add(store, "tok-1", echo_only, 1), ==, 0);
    /* Either is enough; a wrong one next to a right one does not matter. */
    uint64_t by_secret = create_with(&h, "\"apisecret\":\"s3cret\",\"token\":\"bad\"");
    uint64_t by_token = create_with(&h, "\"apisecret\":\"bad\",\"token\":\"tok-1\"");
    assert_unauthorized(send_verb(&h, "create", "\"apisecret\":\"bad\",\"token\":\"bad\""));
    g_assert_true(prism_api_check_credentials(h.api, SECRET, "bad"));
    g_assert_true(prism_api_check_credentials(h.api, "bad", "tok-1"));
    g_assert_false(prism_api_check_credentials(h.api, "bad", "bad"));

    /* The secret alone attaches to anything... */
    json_t *reply = send_to_session(&h, "attach", by_secret,
                                    "\"apisecret\":\"s3cret\",\"plugin\":\"" VIDEOROOM "\"");
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
    /* ...but a token carried with it must allow the plugin, as in Janus. */
    assert_error_and_free(
        send_to_session(&h, "attach", by_secret,
                        "\"apisecret\":\"s3cret\",\"token\":\"bad\",\"plugin\":\"" ECHO "\""),
        PRISM_API_ERROR_UNAUTHORIZED_PLUGIN);
    assert_error_and_free(
        send_to_session(&h, "attach", by_token, "\"token\":\"tok-1\",\"plugin\":\"" VIDEOROOM "\""),
        PRISM_API_ERROR_UNAUTHORIZED_PLUGIN);
    harness_stop(&h);
}

static void test_api_auth_signed_tokens(void)
{
    struct harness h;
    start(&h, NULL, true, TOKEN_SECRET);
    g_assert_null(prism_auth_token_store(prism_api_auth(h.api)));
    fake_wall_clock = 1800000000;
    char echo_token[256], bare_token[256], member[400];
    g_assert_cmpint(prism_signed_token_sign(TOKEN_SECRET, fake_wall_clock + 60, "janus", ECHO,
                                            echo_token, sizeof(echo_token)),
                    >, 0);
    g_assert_cmpint(prism_signed_token_sign(TOKEN_SECRET, fake_wall_clock + 60, "janus", NULL,
                                            bare_token, sizeof(bare_token)),
                    >, 0);
    snprintf(member, sizeof(member), "\"token\":\"%s\"", echo_token);
    uint64_t session = create_with(&h, member);

    char attach[512];
    snprintf(attach, sizeof(attach), "\"token\":\"%s\",\"plugin\":\"" ECHO "\"", echo_token);
    json_t *reply = send_to_session(&h, "attach", session, attach);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
    snprintf(attach, sizeof(attach), "\"token\":\"%s\",\"plugin\":\"" VIDEOROOM "\"", echo_token);
    assert_error_and_free(send_to_session(&h, "attach", session, attach),
                          PRISM_API_ERROR_UNAUTHORIZED_PLUGIN);
    snprintf(attach, sizeof(attach), "\"token\":\"%s\",\"plugin\":\"" ECHO "\"", bare_token);
    assert_error_and_free(send_to_session(&h, "attach", session, attach),
                          PRISM_API_ERROR_UNAUTHORIZED_PLUGIN);

    /* Tampered: the expiry moved on without a new signature. */
    char tampered[256];
    g_strlcpy(tampered, echo_token, sizeof(tampered));
    tampered[0] = tampered[0] == '9' ? '8' : '9';
    snprintf(member, sizeof(member), "\"token\":\"%s\"", tampered);
    assert_unauthorized(send_verb(&h, "create", member));
    /* Garbage. */
    assert_unauthorized(send_verb(&h, "create", "\"token\":\"not-a-token\""));
    assert_unauthorized(send_verb(&h, "create", "\"token\":\":\""));

    /* Expired: one second past the expiry. */
    fake_wall_clock += 61;
    snprintf(member, sizeof(member), "\"token\":\"%s\"", echo_token);
    assert_unauthorized(send_to_session(&h, "keepalive", session, member));
    assert_unauthorized(send_verb(&h, "create", member));
    g_assert_false(prism_api_check_credentials(h.api, NULL, echo_token));
    harness_stop(&h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/api/auth/open_without_settings", test_api_auth_open_without_settings);
    g_test_add_func("/api/auth/secret_required", test_api_auth_secret_required);
    g_test_add_func("/api/auth/checks_before_session_lookup",
                    test_api_auth_checks_before_session_lookup);
    g_test_add_func("/api/auth/not_accepting_comes_before_credentials",
                    test_api_auth_not_accepting_comes_before_credentials);
    g_test_add_func("/api/auth/stored_tokens", test_api_auth_stored_tokens);
    g_test_add_func("/api/auth/secret_or_token", test_api_auth_secret_or_token);
    g_test_add_func("/api/auth/signed_tokens", test_api_auth_signed_tokens);
    return g_test_run();
}
