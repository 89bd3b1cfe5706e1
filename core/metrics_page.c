/* The Prometheus page (see core/metrics_page.h). Every family is prefixed prism_, except the
 * process_* ones, which follow the names Prometheus's client libraries use. */
#include "core/metrics_page.h"

#include "core/prom_text.h"
#include "core/request_metrics.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void write_process(GString *out, const struct prism_process_figures *process)
{
    prism_prom_family(out, "process_cpu_seconds_total", "counter",
                      "User and system CPU time spent in seconds.");
    prism_prom_sample(out, "process_cpu_seconds_total", NULL, 0, process->cpu_seconds);
    prism_prom_family(out, "process_resident_memory_bytes", "gauge",
                      "Resident memory size in bytes.");
    prism_prom_sample_u64(out, "process_resident_memory_bytes", NULL, 0, process->resident_bytes);
    prism_prom_family(out, "process_virtual_memory_bytes", "gauge",
                      "Virtual memory size in bytes.");
    prism_prom_sample_u64(out, "process_virtual_memory_bytes", NULL, 0, process->virtual_bytes);
    prism_prom_family(out, "process_open_fds", "gauge", "Number of open file descriptors.");
    prism_prom_sample_u64(out, "process_open_fds", NULL, 0, process->open_fds);
    prism_prom_family(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
    prism_prom_sample_u64(out, "process_max_fds", NULL, 0, process->max_fds);
    prism_prom_family(out, "process_start_time_seconds", "gauge",
                      "Start time of the process since unix epoch in seconds.");
    prism_prom_sample(out, "process_start_time_seconds", NULL, 0, process->start_time_seconds);
}

static void write_gauges(GString *out, const struct prism_metrics_gauge *gauges, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct prism_metrics_gauge *gauge = &gauges[i];
        if (i == 0 || strcmp(gauges[i - 1].name, gauge->name) != 0)
            prism_prom_family(out, gauge->name, gauge->type ? gauge->type : "gauge", gauge->help);
        struct prism_prom_label label = {gauge->label_name, gauge->label_value};
        prism_prom_sample(out, gauge->name, &label, gauge->label_name ? 1 : 0, gauge->value);
    }
}

static void write_workers(GString *out, const struct prism_metrics_worker_figures *workers,
                          size_t count)
{
    char name[96], index[24];
    for (int c = 0; c < PRISM_COUNTER_COUNT; c++) {
        snprintf(name, sizeof(name), "prism_worker_%s", prism_metrics_counter_name(c));
        prism_prom_family(out, name, "counter", prism_metrics_counter_help(c));
        for (size_t w = 0; w < count; w++) {
            snprintf(index, sizeof(index), "%zu", w);
            struct prism_prom_label label = {"worker", index};
            if (c == PRISM_COUNTER_BUSY_US)
                prism_prom_sample(out, name, &label, 1, (double)workers[w].counters[c] / 1e6);
            else
                prism_prom_sample_u64(out, name, &label, 1, workers[w].counters[c]);
        }
    }
    prism_prom_family(out, "prism_worker_peers", "gauge", "PeerConnections living on the worker");
    for (size_t w = 0; w < count; w++) {
        snprintf(index, sizeof(index), "%zu", w);
        struct prism_prom_label label = {"worker", index};
        prism_prom_sample(out, "prism_worker_peers", &label, 1, (double)workers[w].peers);
    }
}

#define MAX_REQUEST_ROWS 256

static void write_requests(GString *out)
{
    static const char *const transports[] = {"http", "websocket"};
    struct prism_request_count *rows = g_new(struct prism_request_count, MAX_REQUEST_ROWS);
    size_t count = prism_request_metrics_read(rows, MAX_REQUEST_ROWS);
    prism_prom_family(out, "prism_api_requests_total", "counter",
                      "API requests by transport, verb and status");
    for (size_t i = 0; i < count; i++) {
        struct prism_prom_label labels[] = {
            {"transport", rows[i].transport}, {"verb", rows[i].verb}, {"status", rows[i].status}};
        prism_prom_sample_u64(out, "prism_api_requests_total", labels, 3, rows[i].count);
    }
    g_free(rows);
    prism_prom_family(out, "prism_api_request_duration_seconds", "histogram",
                      "Time from a request's arrival to its reply");
    for (size_t t = 0; t < G_N_ELEMENTS(transports); t++) {
        uint64_t buckets[PRISM_LATENCY_BOUNDS + 1];
        double sum;
        prism_latency_read(prism_request_metrics_latency(transports[t]), buckets, &sum);
        struct prism_prom_label label = {"transport", transports[t]};
        prism_prom_histogram(out, "prism_api_request_duration_seconds", &label, 1,
                             prism_latency_bounds, PRISM_LATENCY_BOUNDS, buckets, sum);
    }
}

void prism_metrics_gauges_init(struct prism_metrics_gauges *list)
{
    list->items = g_array_new(FALSE, TRUE, sizeof(struct prism_metrics_gauge));
    list->copies = g_ptr_array_new_with_free_func(g_free);
}

void prism_metrics_gauges_clear(struct prism_metrics_gauges *list)
{
    g_array_free(list->items, TRUE);
    g_ptr_array_free(list->copies, TRUE);
}

void prism_metrics_gauges_add(struct prism_metrics_gauges *list, const char *name, const char *help,
                              const char *label_name, const char *label_value, double value)
{
    char *copy = label_value ? g_strdup(label_value) : NULL;
    if (copy)
        g_ptr_array_add(list->copies, copy);
    struct prism_metrics_gauge gauge = {name, help, label_name, copy, value, NULL};
    g_array_append_val(list->items, gauge);
}

void prism_metrics_counters_add(struct prism_metrics_gauges *list, const char *name,
                                const char *help, double value)
{
    struct prism_metrics_gauge counter = {name, help, NULL, NULL, value, "counter"};
    g_array_append_val(list->items, counter);
}

void prism_metrics_page_write(GString *out, const struct prism_metrics_snapshot *snapshot)
{
    write_process(out, &snapshot->process);
    write_gauges(out, snapshot->gauges, snapshot->gauge_count);
    write_workers(out, snapshot->workers, snapshot->worker_count);
    write_requests(out);
}

static uint64_t count_open_fds(void)
{
    GDir *dir = g_dir_open("/proc/self/fd", 0, NULL);
    if (!dir)
        return 0;
    uint64_t count = 0;
    while (g_dir_read_name(dir))
        count++;
    g_dir_close(dir);
    return count > 0 ? count - 1 : 0; /* the directory's own descriptor */
}

int prism_process_figures_read(struct prism_process_figures *out, double start_time_seconds)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return -errno;
    unsigned long pages_total = 0, pages_resident = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (!statm)
        return -errno;
    int fields = fscanf(statm, "%lu %lu", &pages_total, &pages_resident);
    fclose(statm);
    if (fields != 2)
        return -EINVAL;
    struct rlimit limit = {0};
    getrlimit(RLIMIT_NOFILE, &limit);
    long page = sysconf(_SC_PAGESIZE);
    *out = (struct prism_process_figures){
        .cpu_seconds = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
                       (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6,
        .resident_bytes = (uint64_t)pages_resident * (uint64_t)page,
        .virtual_bytes = (uint64_t)pages_total * (uint64_t)page,
        .open_fds = count_open_fds(),
        .max_fds = (uint64_t)limit.rlim_cur,
        .start_time_seconds = start_time_seconds,
    };
    return 0;
}
