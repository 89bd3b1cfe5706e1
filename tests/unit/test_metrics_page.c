/* The Prometheus exposition writer, the per-worker counters and the metrics page. */
#include "core/metrics.h"
#include "core/metrics_page.h"
#include "core/prom_text.h"
#include "core/request_metrics.h"
#include "core/worker.h"

#include <glib.h>
#include <string.h>
#include <unistd.h>

static void test_prom_escapes_help_and_label_values(void)
{
    GString *out = g_string_new(NULL);
    prism_prom_family(out, "x_total", "counter", "a \\ b\nc \"q\"");
    struct prism_prom_label label = {"name", "a\"b\\c\nd"};
    prism_prom_sample_u64(out, "x_total", &label, 1, 42);
    g_assert_cmpstr(out->str, ==,
                    "# HELP x_total a \\\\ b\\nc \"q\"\n# TYPE x_total counter\n"
                    "x_total{name=\"a\\\"b\\\\c\\nd\"} 42\n");
    g_string_free(out, TRUE);
}

static void test_prom_writes_special_values(void)
{
    GString *out = g_string_new(NULL);
    prism_prom_sample(out, "g", NULL, 0, 1.0 / 0.0);
    prism_prom_sample(out, "g", NULL, 0, 0.25);
    prism_prom_sample(out, "g", NULL, 0, 0.0 / 0.0);
    g_assert_cmpstr(out->str, ==, "g +Inf\ng 0.25\ng NaN\n");
    g_string_free(out, TRUE);
}

static void test_prom_histogram_is_cumulative(void)
{
    GString *out = g_string_new(NULL);
    const double bounds[] = {0.5, 1};
    const uint64_t counts[] = {2, 3, 1};
    struct prism_prom_label label = {"t", "http"};
    prism_prom_histogram(out, "h", &label, 1, bounds, 2, counts, 4.5);
    g_assert_cmpstr(out->str, ==,
                    "h_bucket{t=\"http\",le=\"0.5\"} 2\nh_bucket{t=\"http\",le=\"1\"} 5\n"
                    "h_bucket{t=\"http\",le=\"+Inf\"} 6\nh_sum{t=\"http\"} 4.5\n"
                    "h_count{t=\"http\"} 6\n");
    g_string_free(out, TRUE);
}

static void test_prom_rejects_bad_names(void)
{
    g_assert_true(prism_prom_name_valid("prism_worker:x_1"));
    g_assert_false(prism_prom_name_valid("1abc"));
    g_assert_false(prism_prom_name_valid("a-b"));
    g_assert_false(prism_prom_name_valid(""));
    g_assert_false(prism_prom_name_valid(NULL));
}

static void test_metric_names_are_valid(void)
{
    for (int c = 0; c < PRISM_COUNTER_COUNT; c++) {
        g_assert_true(prism_prom_name_valid(prism_metrics_counter_name(c)));
        g_assert_nonnull(prism_metrics_counter_help(c));
    }
}

#define INCREMENTS 200000

static gpointer count_on_worker(gpointer data)
{
    prism_metrics_bind_thread(data);
    for (int i = 0; i < INCREMENTS; i++)
        prism_metrics_add(PRISM_COUNTER_FORWARDED, 1);
    prism_metrics_add(PRISM_COUNTER_RTP_BYTES_OUT, 1200);
    prism_metrics_bind_thread(NULL);
    /* Unbound, the thread counts privately: the worker's block no longer changes. */
    prism_metrics_add(PRISM_COUNTER_FORWARDED, 5);
    return NULL;
}

static void test_worker_counters_are_summed_by_reader(void)
{
    struct prism_worker_metrics metrics[2] = {0};
    GThread *threads[2];
    for (int i = 0; i < 2; i++)
        threads[i] = g_thread_new("worker", count_on_worker, &metrics[i]);
    for (int i = 0; i < 2; i++)
        g_thread_join(threads[i]);
    prism_metrics_peers_add(&metrics[1], 3);
    uint64_t total = 0;
    for (int i = 0; i < 2; i++) {
        uint64_t counters[PRISM_COUNTER_COUNT];
        int64_t peers;
        prism_metrics_read(&metrics[i], counters, &peers);
        g_assert_cmpuint(counters[PRISM_COUNTER_RTP_BYTES_OUT], ==, 1200);
        g_assert_cmpint(peers, ==, i == 1 ? 3 : 0);
        total += counters[PRISM_COUNTER_FORWARDED];
    }
    g_assert_cmpuint(total, ==, 2 * INCREMENTS);
}

/* Prometheus's own linter (Debian's prometheus package, installed by scripts/install-deps)
 * must find nothing to say about the page. */
static void assert_promtool_accepts(const char *page)
{
    char *path = NULL;
    int fd = g_file_open_tmp("prism-metrics-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path, page, -1, NULL));
    char *command = g_strdup_printf("promtool check metrics < '%s'", path);
    char *argv[] = {"/bin/sh", "-c", command, NULL};
    char *out = NULL, *err = NULL;
    int status = -1;
    g_assert_true(
        g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL) || (err && *err) || (out && *out))
        g_error("promtool check metrics: %s%s", out ? out : "", err ? err : "");
    unlink(path);
    g_free(out);
    g_free(err);
    g_free(command);
    g_free(path);
}

static void spin_and_count_cb(void *data)
{
    (void)data;
    gint64 until = g_get_monotonic_time() + 3000;
    while (g_get_monotonic_time() < until)
        ;
    prism_metrics_add(PRISM_COUNTER_FORWARDED, 5);
}

static void nothing_cb(void *data)
{
    (void)data;
}

/* A worker's thread counts into the worker's block, and its loop's awake time is counted. */
static void test_worker_thread_counts_into_its_block(void)
{
    struct prism_worker_pool *pool = NULL;
    g_assert_cmpint(prism_worker_pool_create(&pool, 1), ==, 0);
    struct prism_worker *worker = prism_worker_pool_acquire(pool);
    prism_worker_run_sync(worker, spin_and_count_cb, NULL);
    uint64_t counters[PRISM_COUNTER_COUNT];
    int64_t peers;
    prism_metrics_read(prism_worker_metrics(worker), counters, &peers);
    g_assert_cmpuint(counters[PRISM_COUNTER_FORWARDED], ==, 5);
    /* A wake-up's busy time is added when it ends, after the job returned: wake the worker
     * again until it has been. */
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (counters[PRISM_COUNTER_BUSY_US] < 3000 && g_get_monotonic_time() < deadline) {
        prism_worker_run_sync(worker, nothing_cb, NULL);
        prism_metrics_read(prism_worker_metrics(worker), counters, &peers);
    }
    g_assert_cmpuint(counters[PRISM_COUNTER_BUSY_US], >=, 3000);
    prism_worker_release(worker);
    prism_worker_pool_destroy(pool);
}

static void test_page_lists_workers_gauges_and_requests(void)
{
    prism_request_metrics_reset();
    prism_request_metrics_record("http", "POST", "200", 700);
    prism_request_metrics_record("http", "POST", "200", 3000000);
    prism_request_metrics_record("websocket", "message", "success", 100);
    struct prism_metrics_worker_figures workers[2] = {0};
    workers[0].counters[PRISM_COUNTER_FORWARDED] = 7;
    workers[1].counters[PRISM_COUNTER_BUSY_US] = 1500000;
    workers[1].peers = 4;
    const struct prism_metrics_gauge gauges[] = {
        {"prism_sessions", "Janus API sessions", NULL, NULL, 2, NULL},
        {"prism_peers", "PeerConnections by state", "state", "connected", 3, NULL},
        {"prism_peers", "PeerConnections by state", "state", "new", 1, NULL},
        {"prism_drops_total", "Drops", NULL, NULL, 5, "counter"},
    };
    struct prism_metrics_snapshot snapshot = {
        .process = {.cpu_seconds = 1.5, .resident_bytes = 4096, .start_time_seconds = 10},
        .gauges = gauges,
        .gauge_count = G_N_ELEMENTS(gauges),
        .workers = workers,
        .worker_count = 2,
    };
    GString *page = g_string_new(NULL);
    prism_metrics_page_write(page, &snapshot);
    const char *expected[] = {
        "process_resident_memory_bytes 4096\n",
        "prism_sessions 2\n",
        "# TYPE prism_drops_total counter\nprism_drops_total 5\n",
        ("# TYPE prism_peers gauge\nprism_peers{state=\"connected\"} 3\n"
         "prism_peers{state=\"new\"} 1\n"),
        "prism_worker_forwarded_packets_total{worker=\"0\"} 7\n",
        "prism_worker_busy_seconds_total{worker=\"1\"} 1.5\n",
        "prism_worker_peers{worker=\"1\"} 4\n",
        "prism_api_requests_total{transport=\"http\",verb=\"POST\",status=\"200\"} 2\n",
        "prism_api_request_duration_seconds_bucket{transport=\"http\",le=\"0.001\"} 1\n",
        "prism_api_request_duration_seconds_bucket{transport=\"http\",le=\"+Inf\"} 2\n",
        "prism_api_request_duration_seconds_count{transport=\"websocket\"} 1\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        if (!strstr(page->str, expected[i]))
            g_error("missing from the page: %s\n%s", expected[i], page->str);
    }
    /* One HELP per family, however many samples it has. */
    g_assert_null(strstr(strstr(page->str, "# HELP prism_peers") + 1, "# HELP prism_peers "));
    assert_promtool_accepts(page->str);
    g_string_free(page, TRUE);
    prism_request_metrics_reset();
}

static void test_process_figures_are_read(void)
{
    struct prism_process_figures figures;
    g_assert_cmpint(prism_process_figures_read(&figures, 123), ==, 0);
    g_assert_cmpuint(figures.resident_bytes, >, 0);
    g_assert_cmpuint(figures.open_fds, >=, 3);
    g_assert_cmpuint(figures.max_fds, >=, figures.open_fds);
    g_assert_cmpfloat(figures.start_time_seconds, ==, 123);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/prom/escapes-help-and-label-values", test_prom_escapes_help_and_label_values);
    g_test_add_func("/prom/writes-special-values", test_prom_writes_special_values);
    g_test_add_func("/prom/histogram-is-cumulative", test_prom_histogram_is_cumulative);
    g_test_add_func("/prom/rejects-bad-names", test_prom_rejects_bad_names);
    g_test_add_func("/metrics/names-are-valid", test_metric_names_are_valid);
    g_test_add_func("/metrics/worker-counters-are-summed-by-reader",
                    test_worker_counters_are_summed_by_reader);
    g_test_add_func("/metrics/worker-thread-counts-into-its-block",
                    test_worker_thread_counts_into_its_block);
    g_test_add_func("/metrics/page-lists-workers-gauges-and-requests",
                    test_page_lists_workers_gauges_and_requests);
    g_test_add_func("/metrics/process-figures-are-read", test_process_figures_are_read);
    return g_test_run();
}
