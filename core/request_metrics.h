/* Counts of API requests by transport, verb and status, and their latency, for the metrics
 * page. Recorded by the signaling threads (HTTP, WebSocket), never by workers: a mutex around
 * a small table is fine here. */
#ifndef PRISM_CORE_REQUEST_METRICS_H
#define PRISM_CORE_REQUEST_METRICS_H

#include "core/metrics.h"

#include <stddef.h>
#include <stdint.h>

/* `transport` "http" or "websocket"; `verb` an HTTP method or a Janus request ("create",
 * "message", ...); `status` the HTTP status, or "success"/"error". Unknown verbs should be
 * folded into "other" by the caller so that clients cannot grow the table. */
void prism_request_metrics_record(const char *transport, const char *verb, const char *status,
                                  uint64_t elapsed_us);

struct prism_request_count {
    char transport[16];
    char verb[24];
    char status[16];
    uint64_t count;
};

/* Copies up to `max` entries in a stable order; returns how many. */
size_t prism_request_metrics_read(struct prism_request_count *out, size_t max);

/* Latency of every recorded request, per transport (index 0 http, 1 websocket). */
const struct prism_latency_histogram *prism_request_metrics_latency(const char *transport);

/* Forgets everything (unit tests). */
void prism_request_metrics_reset(void);

#endif
