/* The Admin API (Janus's admin protocol): dispatch in Janus's order, and the
 * requests at the root. "info" and "ping" are open; everything else needs
 * the admin secret (403) before any session or handle is looked up. */
#include "signaling/api/engine_internal.h"

#include "core/log.h"
#include "core/plugin.h"
#include "signaling/api/errors.h"
#include "signaling/auth/compare.h"

#include <strings.h>

struct admin_verb {
    const char *name;
    void (*handle)(struct api_call *call);
};

static const struct admin_verb root_verbs[] = {
    {"get_status", api_admin_get_status},
    {"set_log_level", api_admin_set_log_level},
    {"accept_new_sessions", api_admin_accept_new_sessions},
    {"list_sessions", api_admin_list_sessions},
    {"message_plugin", api_admin_message_plugin},
    {"add_token", api_admin_add_token},
    {"list_tokens", api_admin_list_tokens},
    {"allow_token", api_admin_allow_token},
    {"disallow_token", api_admin_disallow_token},
    {"remove_token", api_admin_remove_token},
};

static const struct admin_verb session_verbs[] = {
    {"destroy_session", api_admin_destroy_session},
    {"list_handles", api_admin_list_handles},
};

static const struct admin_verb handle_verbs[] = {
    {"detach_handle", api_admin_detach_handle},
    {"hangup_webrtc", api_admin_hangup_webrtc},
    {"handle_info", api_admin_handle_info},
};

static void run_verb(struct api_call *call, const struct admin_verb *verbs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (strcasecmp(verbs[i].name, call->verb) == 0) {
            verbs[i].handle(call);
            return;
        }
    }
    api_reply_error(call, PRISM_API_ERROR_INVALID_REQUEST_PATH,
                    "Unhandled request '%s' at this path", call->verb);
}

/* The admin secret, when one is set. Replies 403 and returns false when the
 * request does not carry it. */
static bool check_admin_secret(const struct api_call *call)
{
    if (!call->api->admin_secret)
        return true;
    const char *given = json_string_value(json_object_get(call->root, "admin_secret"));
    if (prism_secret_equal(given, call->api->admin_secret))
        return true;
    prism_debug("admin", "unauthorized '%s' request", call->verb);
    api_reply_error(call, PRISM_API_ERROR_UNAUTHORIZED, "%s",
                    prism_api_error_text(PRISM_API_ERROR_UNAUTHORIZED));
    return false;
}

static void dispatch_root(struct api_call *call)
{
    if (strcasecmp(call->verb, "info") == 0) {
        api_reply(call, prism_api_server_info(call->api, call->transaction));
        return;
    }
    if (strcasecmp(call->verb, "ping") == 0) {
        api_reply(call, api_reply_base("pong", 0, call->transaction));
        return;
    }
    if (check_admin_secret(call))
        run_verb(call, root_verbs, G_N_ELEMENTS(root_verbs));
}

/* Below the root, in Janus's order: a missing session id is 458, then the
 * secret, then the session (458) and handle (459) lookups. */
static void dispatch_targets(struct api_call *call)
{
    if (call->session_id == 0) {
        api_reply_error(call, PRISM_API_ERROR_SESSION_NOT_FOUND, "Invalid session");
        return;
    }
    if (!check_admin_secret(call))
        return;
    call->session = api_find_session(call->api, call->session_id);
    if (!call->session) {
        api_reply_error(call, PRISM_API_ERROR_SESSION_NOT_FOUND,
                        "No such session %" G_GUINT64_FORMAT, call->session_id);
        return;
    }
    if (call->handle_id == 0) {
        run_verb(call, session_verbs, G_N_ELEMENTS(session_verbs));
        return;
    }
    call->handle = prism_session_find_handle(call->session, call->handle_id);
    if (!call->handle) {
        api_reply_error(call, PRISM_API_ERROR_HANDLE_NOT_FOUND,
                        "No such handle %" G_GUINT64_FORMAT " in session %" G_GUINT64_FORMAT,
                        call->handle_id, call->session_id);
        return;
    }
    run_verb(call, handle_verbs, G_N_ELEMENTS(handle_verbs));
}

static void route_admin(struct api_call *call)
{
    call->request->reply->verb = "admin";
    if (call->session_id == 0 && call->handle_id == 0)
        dispatch_root(call);
    else
        dispatch_targets(call);
}

void prism_api_handle_admin(struct prism_api *api, const struct prism_api_request *request,
                            uint64_t now_us)
{
    api_handle_request(api, request, now_us, route_admin);
}

/* Janus's log levels (0 none ... 4 info, 5 verbose, 6 huge, 7 debug) and
 * Prism's (fatal ... debug). Janus has no "none": 0 keeps fatal errors. */
#define JANUS_LOG_MAX 7
static const enum prism_log_level janus_to_prism_level[JANUS_LOG_MAX + 1] = {
    PRISM_LOG_FATAL, PRISM_LOG_FATAL,   PRISM_LOG_ERROR,   PRISM_LOG_WARN,
    PRISM_LOG_INFO,  PRISM_LOG_VERBOSE, PRISM_LOG_VERBOSE, PRISM_LOG_DEBUG,
};

static int janus_level_of(enum prism_log_level level)
{
    static const int janus_levels[] = {1, 2, 3, 4, 5, 7};
    return janus_levels[level];
}

void api_admin_get_status(struct api_call *call)
{
    struct prism_api *api = call->api;
    json_t *status = json_pack(
        "{s:b, s:i, s:i, s:i, s:b}", "token_auth", prism_auth_token_needed(api->auth),
        "session_timeout", (int)api->config.session_timeout_s, "reclaim_session_timeout",
        (int)api->config.reclaim_timeout_s, "log_level", janus_level_of(prism_log_get_level()),
        "accepting_new_sessions", atomic_load(&api->accepting));
    json_t *reply = api_reply_base("success", 0, call->transaction);
    json_object_set_new(reply, "status", status);
    api_reply(call, reply);
}

static const struct prism_param level_params[] = {
    {"level", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED},
};

void api_admin_set_log_level(struct api_call *call)
{
    if (!api_check_params(call, call->root, level_params, PRISM_PARAMS_COUNT(level_params)))
        return;
    json_int_t level = json_integer_value(json_object_get(call->root, "level"));
    if (level < 0 || level > JANUS_LOG_MAX) {
        api_reply_error(call, PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
                        "Invalid element type (level should be between %d and %d)", 0,
                        JANUS_LOG_MAX);
        return;
    }
    enum prism_log_level prism_level = janus_to_prism_level[level];
    prism_log_set_level(prism_level);
    prism_info("admin", "log level set to %s", prism_log_level_name(prism_level));
    json_t *reply = api_reply_base("success", 0, call->transaction);
    json_object_set_new(reply, "level", json_integer(janus_level_of(prism_level)));
    api_reply(call, reply);
}

static const struct prism_param accept_params[] = {
    {"accept", PRISM_PARAM_BOOLEAN, PRISM_PARAM_REQUIRED},
};

void api_admin_accept_new_sessions(struct api_call *call)
{
    if (!api_check_params(call, call->root, accept_params, PRISM_PARAMS_COUNT(accept_params)))
        return;
    bool accept = json_is_true(json_object_get(call->root, "accept"));
    atomic_store(&call->api->accepting, accept);
    prism_info("admin", "%s new sessions", accept ? "accepting" : "not accepting");
    json_t *reply = api_reply_base("success", 0, call->transaction);
    json_object_set_new(reply, "accept", json_boolean(accept));
    api_reply(call, reply);
}

void api_admin_list_sessions(struct api_call *call)
{
    struct prism_api *api = call->api;
    json_t *list = json_array();
    g_mutex_lock(&api->lock);
    GHashTableIter iter;
    gpointer key;
    g_hash_table_iter_init(&iter, api->sessions);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        json_array_append_new(list, json_integer((json_int_t) * (const uint64_t *)key));
    g_mutex_unlock(&api->lock);
    json_t *reply = api_reply_base("success", 0, call->transaction);
    json_object_set_new(reply, "sessions", list);
    api_reply(call, reply);
}

static const struct prism_param message_plugin_params[] = {
    {"plugin", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"request", PRISM_PARAM_OBJECT, 0},
};

/* The plugin's answer goes back as "response"; a plugin without the hook is
 * error 490, as in Janus. */
void api_admin_message_plugin(struct api_call *call)
{
    if (!api_check_params(call, call->root, message_plugin_params,
                          PRISM_PARAMS_COUNT(message_plugin_params)))
        return;
    const char *package = json_string_value(json_object_get(call->root, "plugin"));
    const struct prism_plugin *plugin = api_find_plugin(call->api, package);
    if (!plugin) {
        api_reply_error(call, PRISM_API_ERROR_PLUGIN_NOT_FOUND, "Invalid plugin");
        return;
    }
    if (!plugin->handle_admin_message) {
        api_reply_error(call, PRISM_API_ERROR_UNKNOWN, "Plugin doesn't support Admin API messages");
        return;
    }
    json_t *request = json_object_get(call->root, "request");
    json_t *empty = request ? NULL : json_object();
    json_t *response = plugin->handle_admin_message(request ? request : empty);
    json_decref(empty);
    json_t *reply = api_reply_base("success", 0, call->transaction);
    json_object_set_new(reply, "response", response ? response : json_object());
    api_reply(call, reply);
}
