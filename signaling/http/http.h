/* The HTTP transport of the Janus API on libmicrohttpd: REST requests
 * (POST {base}[/{session}[/{handle}]]), server info (GET {base}/info) and
 * event long-polls (GET {base}/{session}?maxev=N), with CORS; and the files of
 * a static folder (the demo pages) on every other path.
 *
 * Threads: MHD runs one internal epoll thread; a small sweeper thread answers
 * long-polls whose time is up. Replies and events may arrive from any thread.
 * start, stop and destroy are called from one control thread. */
#ifndef PRISM_SIGNALING_HTTP_H
#define PRISM_SIGNALING_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_api;
struct prism_http;
struct prism_whip;

/* Zero or NULL fields take the default shown. Strings are copied. */
struct prism_http_config {
    const char *interface;        /* IPv4 or IPv6 address to bind: "127.0.0.1" */
    uint16_t port;                /* 0 picks a free port (see prism_http_port) */
    const char *base_path;        /* "/janus" */
    size_t max_body_size;         /* bytes: 1 MiB */
    unsigned long_poll_timeout_s; /* a long-poll without events answers a keepalive: 30 */
    unsigned max_connections;     /* concurrent connections MHD accepts: 1024 */
    /* Concurrent connections from one IP address (MHD_OPTION_PER_IP_CONNECTION_LIMIT); MHD
     * closes more at once, without an answer. 0: unlimited. */
    unsigned max_connections_per_address;
    const char *cors_allow_origin; /* "*" echoes the request's Origin */
    /* Folder whose files are served on the paths the API does not use; NULL or
     * "": none. A relative path is taken from the current directory, once, at
     * start. A folder that cannot be opened is logged and left out. */
    const char *static_dir;
    /* Serve the Admin API (Janus's admin protocol) instead: POSTs go to
     * prism_api_handle_admin, there is no long-poll, and the base path
     * defaults to "/admin". The transport is then not listed in "info". */
    bool admin;
    /* HTTPS: PEM files of the certificate (chain) and its private key, read once at start.
     * NULL or "": plain HTTP. `cert_pwd` decrypts an encrypted key (NULL or "": none). */
    const char *cert_pem;
    const char *cert_key;
    const char *cert_pwd;
    /* GET /metrics: the Prometheus page this returns (a g_malloc'ed string the transport
     * frees), on the transport's thread. NULL: no /metrics path. */
    char *(*metrics_page_cb)(void *data);
    void *metrics_data;
    /* WHIP ingest served on /whip (see signaling/whip/whip.h); NULL: not served. Must
     * outlive the transport. */
    struct prism_whip *whip;
};

/* Counters, for tests and metrics. */
struct prism_http_stats {
    unsigned waiting_polls;   /* long-polls parked for events */
    unsigned queued_sessions; /* sessions with queued events or waiters */
    unsigned pending_replies; /* requests waiting for the engine's reply */
};

/* Binds the address, lists the transport in the engine's "info" and starts
 * serving. Returns 0 or -errno and logs why ("cannot listen on
 * 127.0.0.1:8088: Address already in use"). `api` must outlive the transport. */
int prism_http_start(struct prism_http **out, const struct prism_http_config *config,
                     struct prism_api *api);

/* True when the transport serves HTTPS. */
bool prism_http_is_tls(const struct prism_http *http);

/* The port actually bound (useful after asking for port 0). */
uint16_t prism_http_port(const struct prism_http *http);

void prism_http_stats(struct prism_http *http, struct prism_http_stats *out);

/* Stops accepting, answers every waiting long-poll with what is queued (or a
 * keepalive) and every request still waiting for the engine with 503, gives
 * the answers up to two seconds to go out, then closes every connection.
 * Idempotent. */
void prism_http_stop(struct prism_http *http);

/* Stops if needed and frees the transport. Sessions may still hold its event
 * sink; it is freed with the last of them. */
void prism_http_destroy(struct prism_http *http);

#endif
