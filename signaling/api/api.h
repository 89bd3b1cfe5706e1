/* The Janus JSON API engine: takes request text plus the ids from the path,
 * answers through a reply target and routes plugin work to the handle's
 * worker. It owns the session registry and the timeouts. It does no I/O:
 * transports feed it requests and the current time, and deliver what it
 * replies and pushes (see core/sink.h).
 *
 * Threads: every function may be called from any thread. Replies come either
 * inside prism_api_handle (core requests) or later from a worker thread
 * (attach, message, detach, hangup: they run plugin code). */
#ifndef PRISM_SIGNALING_API_H
#define PRISM_SIGNALING_API_H

#include "core/sink.h"
#include "signaling/auth/auth.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_api;
struct prism_plugin;
struct prism_worker_pool;

struct prism_api_config {
    const char *server_name;    /* shown by "info" */
    unsigned session_timeout_s; /* no request nor long-poll for this long: "timeout"; 0 = never */
    unsigned reclaim_timeout_s; /* a session whose transport closed waits this long for
                                   "claim" before it is destroyed; 0 = destroyed at once */
    unsigned max_sessions;      /* 0 = unlimited */
    unsigned max_handles_per_session; /* 0 = unlimited */
    /* Sessions one client address may hold at once (see prism_api_request.client_address);
     * more "create"s get error 472 "Too many sessions from this address". 0 = unlimited. */
    unsigned max_sessions_per_address;
    /* Requests a second one client address may send (a token bucket of `request_burst`
     * tokens; 0 = `requests_per_second`); the transports ask prism_api_admit. 0 = unlimited. */
    unsigned requests_per_second;
    unsigned request_burst;
    struct prism_auth_config auth; /* API secret and tokens; all off when zeroed */
    const char *admin_secret;      /* the Admin API's "admin_secret"; NULL or "" = none */
};

/* What a transport tells "info" about itself. Static strings. */
struct prism_transport_info {
    const char *package; /* "janus.transport.http" */
    const char *name;
    const char *description;
    const char *author;
    int version;
    const char *version_string;
};

/* One request as a transport received it. */
struct prism_api_request {
    const char *body; /* raw JSON text, not necessarily NUL-terminated */
    size_t length;
    /* HTTP carries the session and handle in the path: from_path is true and
     * the ids are the path's (0 = absent). As in Janus, a body id where the
     * path has none is used, and one that differs from the path's is error
     * 457. WebSocket: from_path false, the ids are the body's. */
    bool from_path;
    uint64_t path_session_id;
    uint64_t path_handle_id;
    /* Where the client's session events go (a "create" or "claim" binds the
     * session to it). One reference is taken by each session bound to it. */
    struct prism_event_sink *sink;
    /* Gets exactly one reply. */
    struct prism_reply_target *reply;
    /* The client's address key (signaling/limits/client_address.h) a "create" counts against
     * max_sessions_per_address; NULL or "": not counted (requests Prism makes itself). */
    const char *client_address;
};

/* Creates the engine with the plugins (each already initialised) and the
 * worker pool handles are placed on. Returns 0 or -errno. */
int prism_api_create(struct prism_api **out, const struct prism_api_config *config,
                     const struct prism_plugin *const *plugins, size_t plugin_count,
                     struct prism_worker_pool *workers);

/* Destroys every remaining session (plugins' destroy_session runs on the
 * workers, which must still be running) and frees the engine. */
void prism_api_destroy(struct prism_api *api);

/* Lists a transport in "info". Call before requests arrive. */
void prism_api_add_transport(struct prism_api *api, const struct prism_transport_info *info);

/* Removes a transport from "info" (when it stops). */
void prism_api_remove_transport(struct prism_api *api, const struct prism_transport_info *info);

/* Handles one request; the reply goes to request->reply exactly once. */
void prism_api_handle(struct prism_api *api, const struct prism_api_request *request,
                      uint64_t now_us);

/* Handles one Admin API request (Janus's admin protocol: info, ping,
 * get_status, set_log_level, accept_new_sessions, list_sessions,
 * list_handles, handle_info, destroy_session, detach_handle, hangup_webrtc,
 * message_plugin and the token requests); the reply goes to request->reply
 * exactly once. request->sink is not used. */
void prism_api_handle_admin(struct prism_api *api, const struct prism_api_request *request,
                            uint64_t now_us);

/* The "server_info" object (what GET /janus/info answers); new reference.
 * `transaction` may be NULL. */
json_t *prism_api_server_info(struct prism_api *api, const char *transaction);

/* Janus's credentials check for what does not go through prism_api_handle
 * (the HTTP long-poll GET): true when nothing is required, or `apisecret` is
 * right, or `token` is valid. Either may be NULL. */
bool prism_api_check_credentials(struct prism_api *api, const char *apisecret, const char *token);

/* The secret and token policy, for the Admin API's token requests. */
struct prism_auth *prism_api_auth(struct prism_api *api);

/* A long-poll arrived from `sink`'s transport for the session: counts as
 * activity (as the keepalive Janus sends for it). Returns 0, -ENOENT when
 * there is no such session, or -EPERM when the session's events go to
 * another sink: Janus binds a session to the transport that created or
 * claimed it, and its HTTP transport polls only its own. */
int prism_api_session_poll(struct prism_api *api, uint64_t session_id,
                           const struct prism_event_sink *sink, uint64_t now_us);

/* Times out idle sessions (event "timeout") and orphans whose reclaim time
 * ran out. Call about once a second. */
void prism_api_tick(struct prism_api *api, uint64_t now_us);

/* A client's transport closed: its sessions become orphans (reclaim) or are
 * destroyed at once when reclaim_timeout_s is 0. */
void prism_api_sink_closed(struct prism_api *api, struct prism_event_sink *sink, uint64_t now_us);

/* Whether "create" makes new sessions; when off it answers error 472 ("Currently not
 * accepting new sessions") while existing sessions go on. For the drain on SIGTERM and the
 * Admin API's accept_new_sessions. Any thread. */
void prism_api_set_accepting(struct prism_api *api, bool accepting);
bool prism_api_is_accepting(struct prism_api *api);

/* Live sessions and handles, for the metrics page. Any thread. */
void prism_api_counts(struct prism_api *api, unsigned *sessions, unsigned *handles);

/* Shutdown: refuse new sessions (error 472), then end every session, sending
 * "hangup" (where media was up) and "detached" for each handle. */
void prism_api_shutdown(struct prism_api *api);

/* The request-rate limit: true when a request from `client_address` (NULL or "": never
 * limited) may go on now. When refused, *retry_after_us (may be NULL) is how long until it
 * may, and one warning per address per ten seconds says so, naming `transport`. Any thread. */
bool prism_api_admit(struct prism_api *api, const char *client_address, const char *transport,
                     uint64_t now_us, uint64_t *retry_after_us);

/* Answers `request` with an error without handling it (e.g. refused by prism_api_admit): the
 * request's "transaction" is copied into the reply when its body has one. */
void prism_api_refuse(const struct prism_api_request *request, int code, const char *reason);

/* Sessions counted against `client_address` now, for tests. */
unsigned prism_api_sessions_of_address(struct prism_api *api, const char *client_address);

/* Live counts, for tests, metrics and the admin API. */
unsigned prism_api_session_count(struct prism_api *api);
unsigned prism_api_handle_count(struct prism_api *api);

#endif
