/* What an HTTP request to the Janus API asks for, decided from its method,
 * path and headers alone (sans-IO): path ids, the action and its status code,
 * long-poll `maxev`, and whether the body is over the size limit. */
#ifndef PRISM_SIGNALING_HTTP_ROUTE_H
#define PRISM_SIGNALING_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest maxev honoured; larger values are clamped. */
#define PRISM_HTTP_MAXEV_LIMIT 1000u

enum prism_http_path_kind {
    PRISM_HTTP_PATH_ROOT,    /* {base} or {base}/ */
    PRISM_HTTP_PATH_INFO,    /* {base}/info */
    PRISM_HTTP_PATH_SESSION, /* {base}/{session} */
    PRISM_HTTP_PATH_HANDLE,  /* {base}/{session}/{handle} */
    PRISM_HTTP_PATH_INVALID, /* non-numeric or out-of-range id, empty or extra parts */
};

struct prism_http_path {
    enum prism_http_path_kind kind;
    uint64_t session_id; /* 0 when absent */
    uint64_t handle_id;  /* 0 when absent */
};

/* The part of `url` after `prefix` ("" or starting with '/'), or NULL when
 * `url` is not `prefix` itself nor below it ("/janusx" is not below
 * "/janus"). A prefix of "/" or "" matches every path. */
const char *prism_http_strip_prefix(const char *prefix, const char *url);

/* Parses what follows the base path. Ids are decimal, 1 to 2^53-1 (what a
 * JavaScript number holds); one trailing slash is accepted. */
void prism_http_parse_path(const char *rest, struct prism_http_path *out);

enum prism_http_action {
    PRISM_HTTP_ACTION_PREFLIGHT,      /* OPTIONS: CORS answer, 200 */
    PRISM_HTTP_ACTION_API,            /* POST: the body goes to the engine */
    PRISM_HTTP_ACTION_INFO,           /* GET {base}/info: server_info */
    PRISM_HTTP_ACTION_POLL,           /* GET {base}/{session}: long-poll */
    PRISM_HTTP_ACTION_REDIRECT,       /* GET {base}/{session}/{handle}: 302 to the session */
    PRISM_HTTP_ACTION_ERROR,          /* answer `status` with Janus error `code` */
    PRISM_HTTP_ACTION_UNKNOWN_METHOD, /* not a method HTTP defines: `status` 501, no Janus body */
};

struct prism_http_decision {
    enum prism_http_action action;
    unsigned status;    /* HTTP status for ACTION_ERROR */
    int code;           /* Janus error code for ACTION_ERROR */
    const char *reason; /* static text for ACTION_ERROR */
};

/* Decides what a request to the Janus API path asks for. Method names are
 * case-sensitive (RFC 9110 section 9.1): "post" is not POST. */
void prism_http_decide(const char *method, const struct prism_http_path *path,
                       struct prism_http_decision *out);

/* The `maxev` query argument: a decimal count, clamped to
 * PRISM_HTTP_MAXEV_LIMIT; absent, zero or malformed means 1 (as Janus). */
unsigned prism_http_parse_maxev(const char *text);

/* True when the Content-Length header text announces more than `max` bytes
 * (a malformed header is MHD's to refuse, so it is not "too large"). */
bool prism_http_declared_too_large(const char *content_length, size_t max);

/* True when `received` bytes already kept plus a `chunk` would exceed `max`. */
bool prism_http_chunk_too_large(size_t received, size_t chunk, size_t max);

/* An upload over the limit (chunked, so not refused up front) is read and
 * dropped to its end to answer 413; true when `discarded` bytes are enough
 * (over PRISM_HTTP_DISCARD_FACTOR times `max`) to cut the connection instead. */
#define PRISM_HTTP_DISCARD_FACTOR 4u
bool prism_http_discard_exhausted(size_t discarded, size_t max);

#endif
