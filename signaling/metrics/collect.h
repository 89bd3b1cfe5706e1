/* The running server's Prometheus page: gathers the process figures, the API's sessions and
 * handles, PeerConnections by state, each plugin's figures, the webhook's counts and every
 * worker's counters, and writes them with core/metrics_page.h. Called by the HTTP transport
 * for GET /metrics, on its thread; nothing it reads is written under a lock on the packet
 * path (worker counters are single-writer atomics). */
#ifndef PRISM_SIGNALING_METRICS_COLLECT_H
#define PRISM_SIGNALING_METRICS_COLLECT_H

#include <stddef.h>

struct prism_api;
struct prism_plugin;
struct prism_webhook;
struct prism_worker_pool;

struct prism_metrics_sources {
    struct prism_api *api;
    struct prism_worker_pool *workers;
    const struct prism_plugin *const *plugins;
    size_t plugin_count;
    struct prism_webhook *webhook; /* NULL: none configured */
    double start_time_seconds;     /* Unix time the process started */
};

/* A prism_http_config.metrics_page_cb: `sources` is a struct prism_metrics_sources. */
char *prism_metrics_collect_page(void *sources);

#endif
