/* Requests about sessions: info, ping, create, keepalive, destroy, claim. */
#include "signaling/api/engine_internal.h"

#include "core/events.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/log_limit.h"
#include "signaling/api/errors.h"
#include "signaling/limits/rejections.h"

#include <stdio.h>
#include <stdlib.h>

void api_request_info(struct api_call *call)
{
    api_reply(call, prism_api_server_info(call->api, call->transaction));
}

void api_request_ping(struct api_call *call)
{
    api_reply(call, api_reply_base("pong", 0, call->transaction));
}

void api_request_keepalive(struct api_call *call)
{
    api_reply(call, api_reply_base("ack", call->session_id, call->transaction));
}

static const struct prism_param create_params[] = {
    {"id", PRISM_PARAM_INTEGER, PRISM_PARAM_POSITIVE},
};

/* insert_session_locked's result when the client's address holds max_sessions_per_address
 * sessions: answered with 472 as well, with its own reason. */
#define SESSIONS_PER_ADDRESS_REACHED (-1)

/* Picks the session id (the client's, or a fresh random one) and inserts the
 * session, counted against the client's address. Returns 0, or the error code when the id
 * is taken or too many sessions exist. Must hold api->lock. */
static int insert_session_locked(struct prism_api *api, uint64_t wanted, uint64_t *out_id,
                                 struct prism_event_sink *sink, const char *address,
                                 uint64_t now_us)
{
    if (api->config.max_sessions && g_hash_table_size(api->sessions) >= api->config.max_sessions)
        return PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS;
    uint64_t id = wanted;
    if (id && g_hash_table_contains(api->sessions, &id))
        return PRISM_API_ERROR_SESSION_CONFLICT;
    if (!api_address_reserve_locked(api, address))
        return SESSIONS_PER_ADDRESS_REACHED;
    while (!id || g_hash_table_contains(api->sessions, &id))
        id = prism_random_id();
    uint64_t *key = malloc(sizeof(*key));
    struct prism_session *session = key ? prism_session_new(id, sink, now_us) : NULL;
    if (!session) {
        free(key);
        api_address_release_locked(api, address);
        return PRISM_API_ERROR_UNKNOWN;
    }
    prism_session_set_client_address(session, address);
    *key = id;
    g_hash_table_insert(api->sessions, key, session);
    *out_id = id;
    return 0;
}

/* Janus has no per-address limit; 472 is its code for "no new session for you now", which
 * janus.js and janode report as a failed create. The log line is rate-limited: a client that
 * loops on create must not flood the log. */
static void reply_too_many_sessions(const struct api_call *call)
{
    static GMutex log_lock;
    static struct prism_log_limit log_limit;
    prism_rejection_count(PRISM_REJECT_SESSIONS_PER_ADDRESS);
    uint64_t suppressed = 0;
    g_mutex_lock(&log_lock);
    bool log = prism_log_limit_allow(&log_limit, call->now_us, &suppressed);
    g_mutex_unlock(&log_lock);
    if (log)
        prism_warn("limits",
                   "%s: already holds %u sessions (max_sessions_per_address), refusing a "
                   "create; %" G_GUINT64_FORMAT " more refused since the last line",
                   call->request->client_address, call->api->config.max_sessions_per_address,
                   suppressed);
    api_reply_error(call, PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS, "%s",
                    PRISM_API_REASON_TOO_MANY_SESSIONS);
}

void api_request_create(struct api_call *call)
{
    struct prism_api *api = call->api;
    /* Janus's order: not accepting (472), then the credentials (403), then
     * the request's own fields. */
    if (!atomic_load(&api->accepting)) {
        /* Janus's own text for it: "Currently not accepting new sessions". */
        api_reply_error(call, PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS, "%s",
                        prism_api_error_text(PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS));
        return;
    }
    if (!api_check_credentials(call))
        return;
    if (!api_check_params(call, call->root, create_params, PRISM_PARAMS_COUNT(create_params)))
        return;
    json_int_t wanted = json_integer_value(json_object_get(call->root, "id"));
    if ((uint64_t)wanted > PRISM_ID_MAX) {
        api_reply_error(call, PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
                        "Invalid element type (id should be a positive integer below 2^53)");
        return;
    }
    if (!call->request->sink) {
        api_reply_error(call, PRISM_API_ERROR_TRANSPORT_SPECIFIC, "Transport cannot carry events");
        return;
    }
    uint64_t id = 0;
    g_mutex_lock(&api->lock);
    int code = insert_session_locked(api, (uint64_t)wanted, &id, call->request->sink,
                                     call->request->client_address, call->now_us);
    g_mutex_unlock(&api->lock);
    if (code == SESSIONS_PER_ADDRESS_REACHED) {
        reply_too_many_sessions(call);
        return;
    }
    if (code == PRISM_API_ERROR_SESSION_CONFLICT) {
        api_reply_error(call, code, "Session ID already in use");
        return;
    }
    if (code) {
        api_reply_error(call, code,
                        code == PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS
                            ? "Maximum number of sessions reached"
                            : "Could not create the session");
        return;
    }
    json_t *reply = api_reply_base("success", 0, call->transaction);
    json_object_set_new(reply, "data", json_pack("{s:I}", "id", (json_int_t)id));
    prism_verbose("api", "session %" G_GUINT64_FORMAT " created", id);
    if (prism_events_wanted(PRISM_EVENT_SESSION)) {
        char instance[32];
        snprintf(instance, sizeof(instance), "%p", (void *)call->request->sink);
        const char *transport = call->request->sink->transport;
        prism_events_session(
            id, "created",
            json_pack("{s:s, s:s}", "transport", transport ? transport : "", "id", instance));
    }
    api_reply(call, reply);
}

/* The destroy reply is sent once every handle has been detached, so the
 * client sees the "detached" events first. */
struct destroy_reply {
    struct prism_reply_target *target;
    json_t *reply;
};

static void destroy_done_cb(void *data)
{
    struct destroy_reply *pending = data;
    pending->target->deliver(pending->target, pending->reply);
    free(pending);
}

void api_request_destroy(struct api_call *call)
{
    struct prism_session *session = api_remove_session(call->api, call->session_id);
    if (!session) {
        api_reply_error(call, PRISM_API_ERROR_SESSION_NOT_FOUND,
                        "No such session %" G_GUINT64_FORMAT, call->session_id);
        return;
    }
    struct destroy_reply *pending = malloc(sizeof(*pending));
    if (!pending)
        abort();
    pending->target = call->request->reply;
    pending->reply = api_reply_base("success", call->session_id, call->transaction);
    prism_verbose("api", "session %" G_GUINT64_FORMAT " destroyed", call->session_id);
    api_end_session(call->api, session, false, destroy_done_cb, pending);
}

void api_request_claim(struct api_call *call)
{
    if (!call->request->sink) {
        api_reply_error(call, PRISM_API_ERROR_TRANSPORT_SPECIFIC, "Transport cannot carry events");
        return;
    }
    prism_session_set_sink(call->session, call->request->sink);
    api_reply(call, api_reply_base("success", call->session_id, call->transaction));
}
