/* Request dispatch: parse, validate the envelope, find the session and
 * handle, then call the verb's handler from a table. */
#include "signaling/api/engine_internal.h"

#include "core/log.h"
#include "signaling/api/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

/* Where a verb may be sent: at the root (no session), to a session, or to a
 * handle. Sending it elsewhere is Janus error 457. */
enum verb_scope {
    SCOPE_ROOT = 1 << 0,
    SCOPE_SESSION = 1 << 1,
    SCOPE_HANDLE = 1 << 2,
};

struct verb {
    const char *name;
    unsigned scopes;
    void (*handle)(struct api_call *call);
};

static const struct verb verbs[] = {
    {"info", SCOPE_ROOT, api_request_info},
    {"ping", SCOPE_ROOT, api_request_ping},
    {"create", SCOPE_ROOT, api_request_create},
    {"keepalive", SCOPE_SESSION | SCOPE_HANDLE, api_request_keepalive},
    {"attach", SCOPE_SESSION, api_request_attach},
    {"destroy", SCOPE_SESSION, api_request_destroy},
    {"claim", SCOPE_SESSION, api_request_claim},
    {"detach", SCOPE_HANDLE, api_request_detach},
    {"hangup", SCOPE_HANDLE, api_request_hangup},
    {"message", SCOPE_HANDLE, api_request_message},
    {"trickle", SCOPE_HANDLE, api_request_trickle},
};

json_t *api_reply_base(const char *kind, uint64_t session_id, const char *transaction)
{
    json_t *reply = json_pack("{s:s}", "janus", kind);
    if (session_id)
        json_object_set_new(reply, "session_id", json_integer((json_int_t)session_id));
    if (transaction)
        json_object_set_new(reply, "transaction", json_string(transaction));
    return reply;
}

void api_reply(const struct api_call *call, json_t *reply)
{
    call->request->reply->deliver(call->request->reply, reply);
}

void api_reply_error(const struct api_call *call, int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    api_reply(call,
              prism_api_error_replyv(call->session_id, call->transaction, code, format, args));
    va_end(args);
}

bool api_check_params(const struct api_call *call, const json_t *object,
                      const struct prism_param *params, size_t count)
{
    static const struct prism_param_codes codes = {
        .missing = PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT,
        .invalid_type = PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
    };
    char reason[256];
    int code = prism_params_validate(object, params, count, &codes, reason, sizeof(reason));
    if (code == 0)
        return true;
    api_reply_error(call, code, "%s", reason);
    return false;
}

static const struct verb *find_verb(const char *name)
{
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        if (strcasecmp(verbs[i].name, name) == 0)
            return &verbs[i];
    }
    return NULL;
}

const struct prism_param api_envelope_params[] = {
    {"transaction", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"janus", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"session_id", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"handle_id", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
};

json_t *api_parse_body(const struct api_call *call)
{
    json_error_t error;
    json_t *root = json_loadb(call->request->body, call->request->length, JSON_DECODE_ANY, &error);
    if (!root) {
        api_reply_error(call, PRISM_API_ERROR_INVALID_JSON, "JSON error: on line %d: %s",
                        error.line, error.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        api_reply_error(call, PRISM_API_ERROR_INVALID_JSON_OBJECT, "JSON error: not an object");
        return NULL;
    }
    return root;
}

/* One id of a request that came with a path, as janus_http.c takes it: the path's, unless
 * the path has none and the body has one. Both present and different is Janus error 457.
 * False when it replied. */
static bool merge_path_id(const struct api_call *call, uint64_t path_id, const char *member,
                          const char *what, uint64_t *id)
{
    uint64_t body_id = (uint64_t)json_integer_value(json_object_get(call->root, member));
    if (path_id && body_id && path_id != body_id) {
        api_reply(call, prism_api_error_reply(0, call->transaction,
                                              PRISM_API_ERROR_INVALID_REQUEST_PATH, what));
        return false;
    }
    *id = path_id ? path_id : body_id;
    return true;
}

bool api_fill_ids(struct api_call *call)
{
    const struct prism_api_request *request = call->request;
    if (request->from_path)
        return merge_path_id(call, request->path_session_id, "session_id",
                             "Conflicting session ID (payload and path)", &call->session_id) &&
               merge_path_id(call, request->path_handle_id, "handle_id",
                             "Conflicting handle ID (payload and path)", &call->handle_id);
    call->session_id = (uint64_t)json_integer_value(json_object_get(call->root, "session_id"));
    call->handle_id = (uint64_t)json_integer_value(json_object_get(call->root, "handle_id"));
    return true;
}

bool api_check_credentials(const struct api_call *call)
{
    const char *apisecret = json_string_value(json_object_get(call->root, "apisecret"));
    const char *token = json_string_value(json_object_get(call->root, "token"));
    if (prism_auth_check_request(call->api->auth, apisecret, token))
        return true;
    /* Neither the secret nor the token goes to the log. */
    prism_debug("api", "unauthorized '%s' request", call->verb);
    api_reply_error(call, PRISM_API_ERROR_UNAUTHORIZED, "%s",
                    prism_api_error_text(PRISM_API_ERROR_UNAUTHORIZED));
    return false;
}

/* Below the root, in Janus's order: a missing session id is 458, then the
 * credentials (403) are checked before the session and handle are looked up,
 * so that an unauthorized client learns nothing about which ids exist.
 * False when it replied. */
static bool resolve_targets(struct api_call *call)
{
    if (call->session_id == 0) {
        api_reply_error(call, PRISM_API_ERROR_SESSION_NOT_FOUND, "Invalid session");
        return false;
    }
    if (!api_check_credentials(call))
        return false;
    call->session = api_find_session(call->api, call->session_id);
    if (!call->session) {
        api_reply_error(call, PRISM_API_ERROR_SESSION_NOT_FOUND,
                        "No such session %" G_GUINT64_FORMAT, call->session_id);
        return false;
    }
    prism_session_touch(call->session, call->now_us);
    if (call->handle_id == 0)
        return true;
    call->handle = prism_session_find_handle(call->session, call->handle_id);
    if (!call->handle) {
        api_reply_error(call, PRISM_API_ERROR_HANDLE_NOT_FOUND,
                        "No such handle %" G_GUINT64_FORMAT " in session %" G_GUINT64_FORMAT,
                        call->handle_id, call->session_id);
        return false;
    }
    return true;
}

static void route(struct api_call *call)
{
    const struct verb *verb = find_verb(call->verb);
    unsigned scope = call->handle ? SCOPE_HANDLE : call->session ? SCOPE_SESSION : SCOPE_ROOT;
    /* As in Janus: below the root, the root's own verbs are unknown (453),
     * while a session or handle verb in the wrong place is a path error. */
    if (verb && verb->scopes == SCOPE_ROOT && scope != SCOPE_ROOT)
        verb = NULL;
    if (!verb && scope != SCOPE_ROOT) {
        api_reply_error(call, PRISM_API_ERROR_UNKNOWN_REQUEST, "Unknown request '%s'", call->verb);
        return;
    }
    if (!verb || !(verb->scopes & scope)) {
        api_reply_error(call, PRISM_API_ERROR_INVALID_REQUEST_PATH,
                        "Unhandled request '%s' at this path", call->verb);
        return;
    }
    verb->handle(call);
}

void api_handle_request(struct prism_api *api, const struct prism_api_request *request,
                        uint64_t now_us, void (*route_call)(struct api_call *call))
{
    struct api_call call = {.api = api, .request = request, .now_us = now_us};
    if (!request->body || request->length == 0) {
        api_reply_error(&call, PRISM_API_ERROR_MISSING_REQUEST, "Missing request");
        return;
    }
    call.root = api_parse_body(&call);
    if (!call.root)
        return;
    json_t *transaction = json_object_get(call.root, "transaction");
    call.transaction = json_is_string(transaction) ? json_string_value(transaction) : NULL;
    if (api_check_params(&call, call.root, api_envelope_params, API_ENVELOPE_PARAM_COUNT) &&
        api_fill_ids(&call)) {
        call.verb = json_string_value(json_object_get(call.root, "janus"));
        route_call(&call);
    }
    if (call.handle)
        prism_handle_unref(call.handle);
    if (call.session)
        prism_session_unref(call.session);
    json_decref(call.root);
}

static void route_janus(struct api_call *call)
{
    const struct verb *known = find_verb(call->verb);
    call->request->reply->verb = known ? known->name : "other";
    /* At the root, "info" and "ping" are open and "create" checks the
     * credentials itself (after refusing when not accepting sessions). */
    bool at_root = call->session_id == 0 && call->handle_id == 0;
    if (at_root || resolve_targets(call))
        route(call);
}

void prism_api_handle(struct prism_api *api, const struct prism_api_request *request,
                      uint64_t now_us)
{
    api_handle_request(api, request, now_us, route_janus);
}
