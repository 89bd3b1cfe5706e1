/* Private structures of the HTTP transport, shared by its files:
 * server.c (start/stop, sweeper thread), hub.c (event sink and the lock every
 * thread meets at), request.c (MHD glue, responses), janus_route.c (the
 * Janus API paths) and static.c (files of the static folder). */
#ifndef PRISM_SIGNALING_HTTP_INTERNAL_H
#define PRISM_SIGNALING_HTTP_INTERNAL_H

#include "core/log_limit.h"
#include "core/sink.h"
#include "signaling/http/http.h"
#include "signaling/http/queue.h"
#include "signaling/http/route.h"
#include "signaling/limits/client_address.h"

#include <glib.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* Events kept per session for a client that does not poll. */
#define HTTP_MAX_QUEUED_EVENTS 1024u
/* How long shutdown waits for answers to reach their clients. */
#define HTTP_DRAIN_TIMEOUT_US (2u * 1000000u)
/* Idle keep-alive connections are closed after this (suspended ones never). */
#define HTTP_IDLE_TIMEOUT_S 60u
/* Path prefixes served: the Janus API and static files now; /admin, /whip,
 * /whep and /metrics take further slots (before the static route, which
 * matches every path and so comes last). */
#define HTTP_MAX_ROUTES 8u
/* Kinds of libmicrohttpd log lines rate-limited apart. */
#define HTTP_MHD_LOG_KINDS 16u

/* What the transport's threads share: the event sink sessions push to, the
 * long-poll queues, and the state of every request. Refcounted through the
 * sink (sessions, requests and the transport each hold a reference), so a
 * late push or reply after prism_http_destroy still finds a valid lock.
 * Every field below `sink` and every request's `state`, `answer` and
 * `answer_status` are guarded by `lock`. MHD_suspend_connection and
 * MHD_resume_connection are called with `lock` held, so a request is resumed
 * only after it was suspended, and exactly once. */
struct http_hub {
    struct prism_event_sink sink; /* first member */
    GMutex lock;
    GCond changed; /* wakes the sweeper and shutdown's drain */
    struct prism_http_queue *queue;
    GQueue pending;     /* struct http_request waiting for the engine (pending_link) */
    unsigned in_flight; /* requests MHD has not completed yet */
    bool stopping;      /* no more suspending: everything is answered at once */
    struct prism_log_limit dropped_log; /* events dropped for clients that do not poll */
    bool sweeper_quit;
};

enum http_request_state {
    REQUEST_NEW,      /* headers or body being received */
    REQUEST_HANDLING, /* inside prism_api_handle: a reply may arrive synchronously */
    REQUEST_WAITING,  /* suspended until a reply, an event or a deadline */
    REQUEST_READY,    /* `answer` set; resumed (or about to be sent) */
    REQUEST_DONE,     /* response queued, or abandoned at shutdown */
};

struct http_route;

/* One HTTP request (MHD's per-request context). Two references: MHD's,
 * dropped when MHD completes the request, and the engine's, held from
 * prism_api_handle until the reply target is delivered. `connection` and the
 * fields without a lock note are touched only on MHD's thread. */
struct http_request {
    struct prism_reply_target target; /* the engine delivers here */
    atomic_int refs;
    struct http_hub *hub; /* one reference */
    struct MHD_Connection *connection;
    const struct http_route *route;
    bool begun;       /* the headers are in and a route was chosen */
    char *raw_target; /* the request target as sent (still percent-encoded); owned */
    /* Where MHD's copy of the target ends, kept only to compare with the version's address
     * (never read), and whether that comparison showed a NUL byte cutting the target. */
    const char *raw_target_end;
    bool target_has_nul;
    const char *method;  /* MHD's strings, valid until completion */
    const char *rest;    /* the url after the route's prefix */
    uint64_t started_us; /* when the request line came, for the latency histogram */
    char client_address[PRISM_CLIENT_ADDRESS_MAX]; /* the peer's key, "" when unknown */
    unsigned retry_after_s; /* refused by the request-rate limit: seconds until it may retry */
    unsigned queued_status; /* the status of the response queued (0: none yet) */
    struct prism_http_path path;
    struct prism_http_decision decision;
    GByteArray *body;
    bool body_too_large;
    size_t body_discarded;
    enum http_request_state state; /* hub->lock */
    json_t *answer;                /* hub->lock until DONE */
    unsigned answer_status;        /* hub->lock until DONE */
    struct prism_http_waiter waiter;
    struct prism_whip_result *whip_result; /* hub->lock until DONE; a WHIP answer */
    uint64_t whip_id;                      /* the room or resource of a /whip path */
    int whip_path_kind;                    /* enum prism_whip_path_kind */
    bool whip_playback;                    /* a /whep path */
    GList pending_link;                    /* in hub->pending while waiting for the engine */
};

/* A path prefix and what serves it. `begin` runs when the headers are in
 * (it may answer early); `serve` runs once the whole request is in. */
struct http_route {
    const char *prefix;
    void (*begin)(struct prism_http *http, struct http_request *request);
    enum MHD_Result (*serve)(struct prism_http *http, struct http_request *request);
};

struct prism_http {
    char *interface;
    char *base_path;
    bool admin; /* the Admin API, not the Janus API */
    char *cors_allow_origin;
    size_t max_body_size;
    unsigned long_poll_timeout_s;
    unsigned max_connections;
    unsigned max_connections_per_address;
    struct prism_api *api;
    struct prism_whip *whip;              /* NULL: no /whip route */
    struct http_hub *hub;                 /* one reference */
    char *(*metrics_page_cb)(void *data); /* GET /metrics; NULL: not served */
    void *metrics_data;
    struct http_route routes[HTTP_MAX_ROUTES]; /* first match wins */
    size_t route_count;
    char *static_root;  /* real path of the static folder; NULL: none served */
    int static_root_fd; /* that folder, opened O_PATH; -1 when none */
    struct MHD_Daemon *daemon;
    char *tls_cert; /* PEM text of the certificate; NULL: plain HTTP */
    char *tls_key;  /* PEM text of its key; wiped before it is freed */
    char *tls_key_password;
    int listen_fd;
    bool listen_fd_ours; /* MHD hands the socket back when quiesced */
    uint16_t port;
    GThread *sweeper;
    bool stopped;
    /* libmicrohttpd's log lines, rate-limited per kind (server.c). */
    GMutex mhd_log_lock;
    struct {
        const char *format;
        struct prism_log_limit limit;
    } mhd_log[HTTP_MHD_LOG_KINDS];
};

/* hub.c */
int http_hub_create(struct http_hub **out);
struct http_hub *http_hub_ref(struct http_hub *hub);
void http_hub_unref(struct http_hub *hub);
/* With hub->lock held: stores the answer and resumes the suspended request. */
void http_hub_ready_locked(struct http_hub *hub, struct http_request *request, json_t *answer,
                           unsigned status);
/* With hub->lock held: hands each answered long-poll to its connection. */
void http_hub_resume_answered_locked(struct http_hub *hub, GPtrArray *answered);

/* Handing a request to an engine that answers from any thread (the Janus API, WHIP):
 * http_handoff_begin() before (false: shutdown began, answer 503), the engine's callback
 * takes hub->lock and calls http_handoff_answered_locked() (true: the request still wants
 * this answer; store it with http_hub_ready_locked()), and http_handoff_wait() after. */
enum http_handoff {
    HTTP_HANDOFF_READY,    /* answered already: the answer is the request's now (state DONE) */
    HTTP_HANDOFF_STOPPING, /* shutdown went by: answer 503 (state DONE) */
    HTTP_HANDOFF_PARKED,   /* suspended in hub->pending until the callback resumes it */
};
bool http_handoff_begin(struct http_request *request);
bool http_handoff_answered_locked(struct http_request *request);
enum http_handoff http_handoff_wait(struct http_request *request);

/* tls.c */
/* Reads the certificate and key when the config names them. Returns 0 (also when HTTPS is
 * off) or -errno, logged. */
int http_tls_load(struct prism_http *http, const struct prism_http_config *config);
void http_tls_free(struct prism_http *http);
/* Writes MHD's TLS options (none for plain HTTP) to `items`; returns how many. */
size_t http_tls_options(const struct prism_http *http, struct MHD_OptionItem *items, size_t room);

/* request.c */
void *http_uri_cb(void *cls, const char *uri, struct MHD_Connection *connection);
enum MHD_Result http_access_cb(void *cls, struct MHD_Connection *connection, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **context);
void http_completed_cb(void *cls, struct MHD_Connection *connection, void **context,
                       enum MHD_RequestTerminationCode code);
void http_request_unref(struct http_request *request);
/* Queues `body` (stolen; NULL for none) as the response, with CORS headers. */
/* Queues `response` with `status`, remembered for the request counters (every response
 * goes through here). */
enum MHD_Result http_queue_response(struct http_request *request, unsigned status,
                                    struct MHD_Response *response);
enum MHD_Result http_respond(struct prism_http *http, struct http_request *request, unsigned status,
                             json_t *body);
enum MHD_Result http_respond_error(struct prism_http *http, struct http_request *request,
                                   unsigned status, int code, const char *reason);
enum MHD_Result http_respond_preflight(struct prism_http *http, struct http_request *request);
enum MHD_Result http_respond_redirect(struct prism_http *http, struct http_request *request,
                                      const char *location);
/* The request-rate limit (prism_api_admit) for the request's client address: true when it
 * may go on; false when it must be answered with http_respond_too_many: 429 with Retry-After
 * and a JSON error body (a Janus error, or WHIP's {"error","code"} shape with `whip`). */
bool http_admit(struct prism_http *http, struct http_request *request);
enum MHD_Result http_respond_too_many(struct prism_http *http, struct http_request *request,
                                      bool whip);

/* The CORS headers every response carries. */
void http_add_cors_headers(struct prism_http *http, struct http_request *request,
                           struct MHD_Response *response);

/* whip_route.c: POST /whip/endpoint/{room}, PATCH and DELETE /whip/resource/{id}, and the
 * same under /whep for viewers. */
struct prism_whip_result;
void http_whip_route_init(struct http_route *route);
void http_whep_route_init(struct http_route *route);
/* Queues a WHIP answer (`result` is freed). */
enum MHD_Result http_whip_respond(struct prism_http *http, struct http_request *request,
                                  struct prism_whip_result *result);

/* janus_route.c */
void http_janus_route_init(struct http_route *route, const char *base_path);
/* metrics_route.c */
void http_metrics_route_init(struct http_route *route);

/* static.c: opens the configured folder (a warning, not a failure, when it
 * cannot be opened: the API is served without it); the route serves it. */
void http_static_open(struct prism_http *http, const char *dir);
void http_static_close(struct prism_http *http);
void http_static_route_init(struct http_route *route);

#endif
