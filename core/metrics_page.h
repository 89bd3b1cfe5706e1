/* The Prometheus page (text format 0.0.4) of a running Prism, written from a snapshot the
 * glue collects (process figures, API objects, plugin gauges, each worker's counters) plus
 * the request counters. Pure: the same snapshot always gives the same page. */
#ifndef PRISM_CORE_METRICS_PAGE_H
#define PRISM_CORE_METRICS_PAGE_H

#include "core/metrics.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

struct prism_process_figures {
    double cpu_seconds; /* user + system */
    uint64_t resident_bytes;
    uint64_t virtual_bytes;
    uint64_t open_fds;
    uint64_t max_fds;
    double start_time_seconds; /* Unix time */
};

/* A value a plugin or the API engine reports, e.g. prism_videoroom_rooms. `type` is "gauge"
 * or "counter" (NULL: gauge); `label_name` may be NULL. Samples of one name must be
 * consecutive in the array and share type and help text. */
struct prism_metrics_gauge {
    const char *name;
    const char *help;
    const char *label_name;
    const char *label_value;
    double value;
    const char *type;
};

/* A growing list of them; label values are copied, names and help must be static. */
struct prism_metrics_gauges {
    GArray *items;     /* struct prism_metrics_gauge */
    GPtrArray *copies; /* label values, freed with the list */
};

void prism_metrics_gauges_init(struct prism_metrics_gauges *list);
void prism_metrics_gauges_clear(struct prism_metrics_gauges *list);
void prism_metrics_gauges_add(struct prism_metrics_gauges *list, const char *name, const char *help,
                              const char *label_name, const char *label_value, double value);
void prism_metrics_counters_add(struct prism_metrics_gauges *list, const char *name,
                                const char *help, double value);

struct prism_metrics_worker_figures {
    uint64_t counters[PRISM_COUNTER_COUNT];
    int64_t peers;
};

struct prism_metrics_snapshot {
    struct prism_process_figures process;
    const struct prism_metrics_gauge *gauges;
    size_t gauge_count;
    const struct prism_metrics_worker_figures *workers;
    size_t worker_count;
};

/* Appends the whole page, the request counters and latencies included. */
void prism_metrics_page_write(GString *out, const struct prism_metrics_snapshot *snapshot);

/* Reads this process's figures from getrusage, /proc/self and getrlimit. `start_time_seconds`
 * is when the process started (recorded by main). Returns 0 or -errno. */
int prism_process_figures_read(struct prism_process_figures *out, double start_time_seconds);

#endif
