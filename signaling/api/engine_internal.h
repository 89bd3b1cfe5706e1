/* Private parts of the API engine, shared by its files. */
#ifndef PRISM_SIGNALING_API_ENGINE_INTERNAL_H
#define PRISM_SIGNALING_API_ENGINE_INTERNAL_H

#include "core/params.h"
#include "core/session.h"
#include "signaling/api/api.h"

#include <glib.h>
#include <stdatomic.h>

/* The engine. `sessions` is guarded by `lock`, never held while calling a
 * plugin, a sink or a reply target. */
struct prism_api {
    struct prism_api_config config;
    char *server_name;
    const struct prism_plugin **plugins;
    size_t plugin_count;
    struct prism_worker_pool *workers;
    struct prism_auth *auth; /* owned */
    char *admin_secret;      /* owned; NULL = the Admin API asks for none */
    GPtrArray *transports;   /* const struct prism_transport_info * */
    GMutex lock;
    GHashTable *sessions; /* uint64 id -> struct prism_session * (one reference) */
    /* Sessions per client address: address key (owned) -> count (GUINT_TO_POINTER); an entry
     * goes with its last session. Guarded by `lock`. */
    GHashTable *address_sessions;
    GMutex rates_lock;              /* guards `rates` */
    struct prism_rate_table *rates; /* requests per second per address; owned */
    atomic_bool accepting;
    atomic_uint handle_count;
    /* Worker jobs and session ends still running that reference the
     * engine; destroy waits until there are none. Guarded by jobs_lock. */
    GMutex jobs_lock;
    GCond jobs_done;
    unsigned jobs_in_flight;
};

/* Counts a job that will touch the engine later (posted to a worker);
 * api_job_end is the job's last access to the engine. */
void api_job_begin(struct prism_api *api);
void api_job_end(struct prism_api *api);

/* One request being answered. Core requests answer from the stack; requests
 * that run plugin code copy what they need into their worker job. */
struct api_call {
    struct prism_api *api;
    const struct prism_api_request *request;
    json_t *root;            /* the parsed request, borrowed */
    const char *verb;        /* root.janus */
    const char *transaction; /* root.transaction */
    uint64_t session_id;
    uint64_t handle_id;
    struct prism_session *session; /* reference, or NULL at the root path */
    struct prism_handle *handle;   /* reference, or NULL */
    uint64_t now_us;
};

/* Replies (stealing `reply`) to the request the call is answering. */
void api_reply(const struct api_call *call, json_t *reply);
void api_reply_error(const struct api_call *call, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* {"janus": kind, "session_id"?, "transaction"} */
json_t *api_reply_base(const char *kind, uint64_t session_id, const char *transaction);

/* Validates `call->root` against a parameter table with the core's codes
 * (456/467); replies with the error and returns false when invalid. */
bool api_check_params(const struct api_call *call, const json_t *object,
                      const struct prism_param *params, size_t count);

/* Parses the request body; replies and returns NULL when it is not a JSON
 * object. */
json_t *api_parse_body(const struct api_call *call);

/* The envelope every request has: transaction, janus, and the optional ids. */
#define API_ENVELOPE_PARAM_COUNT 4
extern const struct prism_param api_envelope_params[API_ENVELOPE_PARAM_COUNT];

/* Fills call->session_id and handle_id from the path and the body (a body id
 * that differs from the path's is 457). False when it replied. */
bool api_fill_ids(struct api_call *call);
/* Parses a request, checks its envelope and fills the call's ids, then hands the call to
 * `route_call`; frees what the call holds afterwards. Shared by the Janus and Admin APIs. */
void api_handle_request(struct prism_api *api, const struct prism_api_request *request,
                        uint64_t now_us, void (*route_call)(struct api_call *call));

/* The plugin with that package name, or NULL. */
const struct prism_plugin *api_find_plugin(struct prism_api *api, const char *package);

/* Janus's janus_request_check_secret on the call's "apisecret" and "token";
 * replies 403 and returns false when they do not pass. */
bool api_check_credentials(const struct api_call *call);

/* Request handlers, one per verb. */
void api_request_info(struct api_call *call);
void api_request_ping(struct api_call *call);
void api_request_create(struct api_call *call);
void api_request_keepalive(struct api_call *call);
void api_request_destroy(struct api_call *call);
void api_request_claim(struct api_call *call);
void api_request_attach(struct api_call *call);
void api_request_detach(struct api_call *call);
void api_request_hangup(struct api_call *call);
void api_request_message(struct api_call *call);
void api_request_trickle(struct api_call *call);

/* Admin API requests (admin*.c), one per verb. At the root: */
void api_admin_get_status(struct api_call *call);
void api_admin_set_log_level(struct api_call *call);
void api_admin_accept_new_sessions(struct api_call *call);
void api_admin_list_sessions(struct api_call *call);
void api_admin_message_plugin(struct api_call *call);
void api_admin_add_token(struct api_call *call);
void api_admin_list_tokens(struct api_call *call);
void api_admin_allow_token(struct api_call *call);
void api_admin_disallow_token(struct api_call *call);
void api_admin_remove_token(struct api_call *call);
/* On a session: */
void api_admin_destroy_session(struct api_call *call);
void api_admin_list_handles(struct api_call *call);
/* On a handle: */
void api_admin_detach_handle(struct api_call *call);
void api_admin_hangup_webrtc(struct api_call *call);
void api_admin_handle_info(struct api_call *call);

/* limits.c: per-address session counts, with api->lock held. `reserve` is false (and counts
 * nothing) when the address is at max_sessions_per_address. NULL or "" is never counted. */
bool api_address_reserve_locked(struct prism_api *api, const char *address);
void api_address_release_locked(struct prism_api *api, const char *address);
int api_limits_create(struct prism_api *api);
void api_limits_destroy(struct prism_api *api);

/* Registry. */
struct prism_session *api_find_session(struct prism_api *api, uint64_t id); /* new reference */
/* Removes the session from the registry; returns the registry's reference. */
struct prism_session *api_remove_session(struct prism_api *api, uint64_t id);

/* Ends a session already removed from the registry: every handle is detached
 * on its worker, then `done(data)` runs (on the worker of the last handle, or
 * at once when there were none) and the session's sink is told the session is
 * gone. Takes over `session`'s reference. Janus sends no "detached" events
 * when a session is destroyed or times out; Prism sends them only when the
 * server shuts down (`notify_detached`), so clients learn why handles end. */
typedef void (*api_done_cb)(void *data);
void api_end_session(struct prism_api *api, struct prism_session *session, bool notify_detached,
                     api_done_cb done, void *data);

/* Detaches one handle removed from its session: plugin destroy_session on
 * the worker, then the "detached" event if `notify`. Takes over `handle`'s
 * reference; `done` (may be NULL) runs after, on the worker. With
 * `reply_first`, `done` (a detach request's reply) leaves before the event. */
void api_detach_handle(struct prism_api *api, struct prism_handle *handle, bool notify,
                       bool reply_first, api_done_cb done, void *data);

#endif
