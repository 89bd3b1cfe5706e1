/* The bench report: JSON files that read back exactly and refuse malformed input with a reason,
 * the summary table, the comparison of two runs, the gnuplot plot and the progress line. */
#include "bench/lib/report/report.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct bench_percentiles percentiles(double base)
{
    return (struct bench_percentiles){.count = (uint64_t)(base * 100),
                                      .p50_ms = base + 0.25,
                                      .p95_ms = base + 1.5,
                                      .p99_ms = base + 2.125,
                                      .max_ms = base + 9.75,
                                      .mean_ms = base + 0.5};
}

/* Every field distinct and non-zero, so a field lost or swapped in the file shows. */
static struct bench_step_result media_step(unsigned load, double scale)
{
    return (struct bench_step_result){
        .load = load,
        .duration_s = 10.5 * scale,
        .packets_sent = (uint64_t)(1001 * scale),
        .bytes_sent = 5000000003ull,
        .packets_received = (uint64_t)(2003 * scale),
        .bytes_received = 7000000011ull,
        .send_pps = 100.125 * scale,
        .send_bps = 1.5e6 * scale,
        .recv_pps = 200.375 * scale,
        .recv_bps = 3.25e6 * scale,
        .expected = 2010,
        .lost = 7,
        .reordered = 3,
        .duplicates = 2,
        .loss_pct = 0.348 * scale,
        .jitter_ms = 1.0 / 3.0,
        .latency = percentiles(1 * scale),
        .join = percentiles(20 * scale),
        .keyframe = percentiles(30 * scale),
        .joined = load,
        .join_failures = 1,
        .errors = 4,
        .requests = 55,
        .requests_per_s = 5.5,
        .request_latency = percentiles(0.1 * scale),
        .server_cpu = 0.42 * scale,
        .bench_cpu = 0.61 * scale,
        .server_rss_mb = 12.5 * scale,
        .bench_rss_mb = 30.75 * scale,
        .server_pps_per_cpu = 477.1 * scale,
        .bench_saturated = scale > 1,
        .held = scale <= 1,
    };
}

static void two_step_run(struct bench_run *run)
{
    bench_run_init(run);
    g_strlcpy(run->scenario, "echo", sizeof(run->scenario));
    g_strlcpy(run->target, "prism", sizeof(run->target));
    g_strlcpy(run->url, "ws://127.0.0.1:8188/", sizeof(run->url));
    g_strlcpy(run->command, "prism-bench echo --count 10 \"quoted\"", sizeof(run->command));
    g_strlcpy(run->commit, "f92e17e", sizeof(run->commit));
    g_strlcpy(run->machine, "Some CPU @ 2.0GHz, 2 cores", sizeof(run->machine));
    g_strlcpy(run->started_at, "2024-05-01T10:00:00Z", sizeof(run->started_at));
    run->max_loss_pct = 0.5;
    run->max_p99_ms = 100;
    struct bench_step_result first = media_step(10, 1), second = media_step(20, 2);
    g_assert_cmpint(bench_run_add_step(run, &first), ==, 0);
    g_assert_cmpint(bench_run_add_step(run, &second), ==, 0);
    run->max_held_step = 0;
}

static void assert_percentiles_equal(const struct bench_percentiles *a,
                                     const struct bench_percentiles *b)
{
    g_assert_cmpuint(a->count, ==, b->count);
    g_assert_cmpfloat(a->p50_ms, ==, b->p50_ms);
    g_assert_cmpfloat(a->p95_ms, ==, b->p95_ms);
    g_assert_cmpfloat(a->p99_ms, ==, b->p99_ms);
    g_assert_cmpfloat(a->max_ms, ==, b->max_ms);
    g_assert_cmpfloat(a->mean_ms, ==, b->mean_ms);
}

static void assert_steps_equal(const struct bench_step_result *a, const struct bench_step_result *b)
{
    g_assert_cmpuint(a->load, ==, b->load);
    g_assert_cmpfloat(a->duration_s, ==, b->duration_s);
    g_assert_cmpuint(a->packets_sent, ==, b->packets_sent);
    g_assert_cmpuint(a->bytes_sent, ==, b->bytes_sent);
    g_assert_cmpuint(a->packets_received, ==, b->packets_received);
    g_assert_cmpuint(a->bytes_received, ==, b->bytes_received);
    g_assert_cmpfloat(a->send_pps, ==, b->send_pps);
    g_assert_cmpfloat(a->send_bps, ==, b->send_bps);
    g_assert_cmpfloat(a->recv_pps, ==, b->recv_pps);
    g_assert_cmpfloat(a->recv_bps, ==, b->recv_bps);
    g_assert_cmpuint(a->expected, ==, b->expected);
    g_assert_cmpuint(a->lost, ==, b->lost);
    g_assert_cmpuint(a->reordered, ==, b->reordered);
    g_assert_cmpuint(a->duplicates, ==, b->duplicates);
    g_assert_cmpfloat(a->loss_pct, ==, b->loss_pct);
    g_assert_cmpfloat(a->jitter_ms, ==, b->jitter_ms);
    assert_percentiles_equal(&a->latency, &b->latency);
    assert_percentiles_equal(&a->join, &b->join);
    assert_percentiles_equal(&a->keyframe, &b->keyframe);
    g_assert_cmpuint(a->joined, ==, b->joined);
    g_assert_cmpuint(a->join_failures, ==, b->join_failures);
    g_assert_cmpuint(a->errors, ==, b->errors);
    g_assert_cmpuint(a->requests, ==, b->requests);
    g_assert_cmpfloat(a->requests_per_s, ==, b->requests_per_s);
    assert_percentiles_equal(&a->request_latency, &b->request_latency);
    g_assert_cmpfloat(a->server_cpu, ==, b->server_cpu);
    g_assert_cmpfloat(a->bench_cpu, ==, b->bench_cpu);
    g_assert_cmpfloat(a->server_rss_mb, ==, b->server_rss_mb);
    g_assert_cmpfloat(a->bench_rss_mb, ==, b->bench_rss_mb);
    g_assert_cmpfloat(a->server_pps_per_cpu, ==, b->server_pps_per_cpu);
    g_assert_true(a->bench_saturated == b->bench_saturated);
    g_assert_true(a->held == b->held);
}

static char *temp_dir(void)
{
    char *dir = g_dir_make_tmp("bench-report-XXXXXX", NULL);
    g_assert_nonnull(dir);
    return dir;
}

/* Removes a directory tree the tests made (a few levels, a few files). */
static void remove_tree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    if (dir) {
        const char *name;
        while ((name = g_dir_read_name(dir))) {
            char *child = g_build_filename(path, name, NULL);
            remove_tree(child);
            g_free(child);
        }
        g_dir_close(dir);
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

static void test_report_json_round_trip_keeps_every_field(void)
{
    struct bench_run run, back;
    two_step_run(&run);
    char *dir = temp_dir();
    char *path = g_build_filename(dir, "nested", "deeper", "run.json", NULL);
    g_assert_cmpint(bench_report_write_json(&run, path), ==, 0);

    char error[256] = "";
    g_assert_cmpint(bench_report_read_json(&back, path, error, sizeof(error)), ==, 0);
    g_assert_cmpstr(back.scenario, ==, run.scenario);
    g_assert_cmpstr(back.target, ==, run.target);
    g_assert_cmpstr(back.url, ==, run.url);
    g_assert_cmpstr(back.command, ==, run.command);
    g_assert_cmpstr(back.commit, ==, run.commit);
    g_assert_cmpstr(back.machine, ==, run.machine);
    g_assert_cmpstr(back.started_at, ==, run.started_at);
    g_assert_cmpfloat(back.max_loss_pct, ==, run.max_loss_pct);
    g_assert_cmpfloat(back.max_p99_ms, ==, run.max_p99_ms);
    g_assert_cmpint(back.max_held_step, ==, 0);
    g_assert_cmpuint(back.step_count, ==, 2);
    for (size_t i = 0; i < 2; i++)
        assert_steps_equal(&back.steps[i], &run.steps[i]);

    /* The file is self-describing and the atomic write left no temporary file beside it. */
    char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "\"format\": \"prism-bench-1\""));
    g_assert_nonnull(strstr(text, "\"p99_ms\""));
    char *parent = g_path_get_dirname(path);
    GDir *listing = g_dir_open(parent, 0, NULL);
    g_assert_cmpstr(g_dir_read_name(listing), ==, "run.json");
    g_assert_null(g_dir_read_name(listing));
    g_dir_close(listing);

    g_free(parent);
    g_free(text);
    bench_run_free(&back);
    bench_run_free(&run);
    remove_tree(dir);
    g_free(path);
    g_free(dir);
}

static void test_report_json_missing_fields_default_to_zero(void)
{
    const char *text = "{\"format\": \"prism-bench-1\", \"target\": \"janus\","
                       " \"steps\": [{\"load\": 5, \"latency\": {\"p99_ms\": 7.5}}]}";
    struct bench_run run;
    char error[128] = "";
    g_assert_cmpint(bench_report_parse_json(&run, text, strlen(text), error, sizeof(error)), ==, 0);
    g_assert_cmpstr(run.target, ==, "janus");
    g_assert_cmpstr(run.scenario, ==, "");
    g_assert_cmpint(run.max_held_step, ==, -1);
    g_assert_cmpuint(run.step_count, ==, 1);
    g_assert_cmpuint(run.steps[0].load, ==, 5);
    g_assert_cmpfloat(run.steps[0].latency.p99_ms, ==, 7.5);
    g_assert_cmpfloat(run.steps[0].latency.p50_ms, ==, 0);
    g_assert_cmpfloat(run.steps[0].recv_pps, ==, 0);
    g_assert_false(run.steps[0].held);
    bench_run_free(&run);
}

static void test_report_json_rejects_malformed_files(void)
{
    static const struct {
        const char *text, *reason;
    } cases[] = {
        {"this is not JSON", "not valid JSON"},
        {"[{\"format\": \"prism-bench-1\"}]", "not a JSON object"},
        {"{\"format\": \"prism-bench-2\", \"steps\": []}", "prism-bench-1"},
        {"{\"steps\": []}", "format"},
        {"{\"format\": \"prism-bench-1\", \"steps\": [{\"recv_pps\": \"fast\"}]}",
         "steps[0]: recv_pps: expected a number"},
        {"{\"format\": \"prism-bench-1\", \"steps\": [{}, {\"load\": -3}]}",
         "steps[1]: load: -3 is out of range"},
        {"{\"format\": \"prism-bench-1\", \"steps\": [{\"latency\": {\"p99_ms\": []}}]}",
         "steps[0].latency: p99_ms"},
        {"{\"format\": \"prism-bench-1\", \"steps\": [{\"held\": 1}]}", "held"},
        {"{\"format\": \"prism-bench-1\", \"steps\": {}}", "steps: expected an array"},
        {"{\"format\": \"prism-bench-1\", \"steps\": [3]}", "steps[0]: expected an object"},
        {"{\"format\": \"prism-bench-1\", \"target\": 7}", "target: expected a string"},
        {"{\"format\": \"prism-bench-1\", \"max_held_step\": 1, \"steps\": [{}]}", "max_held_step"},
    };
    char *dir = temp_dir();
    char *path = g_build_filename(dir, "bad.json", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_true(g_file_set_contents(path, cases[i].text, -1, NULL));
        struct bench_run run = {.step_count = 99}; /* untouched on failure */
        char error[256] = "";
        g_assert_cmpint(bench_report_read_json(&run, path, error, sizeof(error)), ==, -EINVAL);
        if (!strstr(error, cases[i].reason))
            g_error("case %zu: reason \"%s\" lacks \"%s\"", i, error, cases[i].reason);
        g_assert_cmpuint(run.step_count, ==, 99);
    }
    remove_tree(dir);
    g_free(path);
    g_free(dir);
}

static void test_report_read_missing_file_returns_enoent(void)
{
    struct bench_run run;
    char error[256] = "";
    g_assert_cmpint(
        bench_report_read_json(&run, "/nonexistent-prism/run.json", error, sizeof(error)), ==,
        -ENOENT);
    g_assert_cmpstr(error, !=, "");
}

static void test_report_reads_checked_in_result(void)
{
    struct bench_run run;
    char error[256] = "";
    g_assert_cmpint(bench_report_read_json(&run,
                                           PRISM_TEST_DATA_DIR "/bench_report/room_sweep.json",
                                           error, sizeof(error)),
                    ==, 0);
    g_assert_cmpstr(run.scenario, ==, "room");
    g_assert_cmpuint(run.step_count, ==, 2);
    g_assert_cmpint(run.max_held_step, ==, 0);
    g_assert_cmpuint(run.steps[1].load, ==, 8);
    g_assert_cmpfloat(run.steps[1].latency.p99_ms, ==, 140.5);
    g_assert_cmpuint(run.steps[1].packets_received, ==, 160000);
    g_assert_true(run.steps[1].bench_saturated);
    bench_run_free(&run);
}

/* Runs a printer into a memory stream and returns what it wrote. */
static char *capture_table(const struct bench_run *run)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    g_assert_nonnull(out);
    bench_report_print_table(out, run);
    fclose(out);
    return text;
}

static void test_report_table_shows_media_rows_and_notes(void)
{
    struct bench_run run;
    two_step_run(&run);
    for (size_t i = 0; i < run.step_count; i++) {
        run.steps[i].requests_per_s = 0;
        run.steps[i].request_latency = (struct bench_percentiles){0};
    }
    char *text = capture_table(&run);
    g_assert_nonnull(strstr(text, "echo against prism"));
    g_assert_nonnull(strstr(text, "received packets/s"));
    g_assert_nonnull(strstr(text, "loss %"));
    g_assert_nonnull(strstr(text, "latency p99 ms"));
    g_assert_nonnull(strstr(text, "server packets/CPU-s"));
    g_assert_null(strstr(text, "requests/s"));
    g_assert_null(strstr(text, "request p99 ms"));
    /* The load row lists both steps; figures carry their units' precision. */
    g_assert_true(g_regex_match_simple("^load +10 +20$", text, G_REGEX_MULTILINE, 0));
    g_assert_true(
        g_regex_match_simple("^received packets/s +200 +401$", text, G_REGEX_MULTILINE, 0));
    g_assert_true(g_regex_match_simple("^held +yes +no$", text, G_REGEX_MULTILINE, 0));
    g_assert_nonnull(strstr(text, "largest load within the limits"));
    g_assert_true(g_regex_match_simple("within the limits .*: 10$", text, G_REGEX_MULTILINE, 0));
    g_assert_nonnull(strstr(text, "warning: the bench used nearly all its CPU at load 20"));
    free(text);
    bench_run_free(&run);
}

static void test_report_table_of_api_run_omits_media_rows(void)
{
    struct bench_run run;
    bench_run_init(&run);
    g_strlcpy(run.scenario, "api", sizeof(run.scenario));
    struct bench_step_result step = {.load = 50,
                                     .requests = 20000,
                                     .requests_per_s = 2000,
                                     .request_latency = percentiles(3),
                                     .server_cpu = 0.8,
                                     .server_rss_mb = 20,
                                     .held = true};
    g_assert_cmpint(bench_run_add_step(&run, &step), ==, 0);
    char *text = capture_table(&run);
    g_assert_true(g_regex_match_simple("^requests/s +2000$", text, G_REGEX_MULTILINE, 0));
    g_assert_true(g_regex_match_simple("^request p99 ms +5.12$", text, G_REGEX_MULTILINE, 0));
    g_assert_nonnull(strstr(text, "server CPU (cores)"));
    g_assert_null(strstr(text, "received packets/s"));
    g_assert_null(strstr(text, "loss %"));
    g_assert_null(strstr(text, "latency p99"));
    g_assert_null(strstr(text, "jitter"));
    g_assert_null(strstr(text, "warning"));
    g_assert_nonnull(strstr(text, "no load within the limits"));
    free(text);
    bench_run_free(&run);
}

static void add_load(struct bench_run *run, unsigned load, double pps_per_cpu, double loss)
{
    struct bench_step_result step = {
        .load = load, .recv_pps = 1000, .server_pps_per_cpu = pps_per_cpu, .loss_pct = loss};
    g_assert_cmpint(bench_run_add_step(run, &step), ==, 0);
}

static void test_report_compare_prints_ratio_of_matching_loads(void)
{
    struct bench_run janus, prism;
    bench_run_init(&janus);
    bench_run_init(&prism);
    g_strlcpy(janus.target, "janus", sizeof(janus.target));
    g_strlcpy(prism.target, "prism", sizeof(prism.target));
    add_load(&janus, 10, 2000, 0.25);
    add_load(&janus, 30, 0, 0);
    add_load(&prism, 20, 9000, 0);
    add_load(&prism, 10, 10000, 0);
    add_load(&prism, 30, 500, 0);

    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    bench_report_print_compare(out, &janus, &prism);
    fclose(out);
    g_assert_nonnull(strstr(text, "server packets per CPU-second, prism/janus:"));
    g_assert_nonnull(strstr(text, "load 10: 5.00 (loss janus 0.250 %, prism 0.000 %)"));
    g_assert_nonnull(strstr(text, "load 30: - "));
    g_assert_true(g_regex_match_simple("^  server packets/CPU-s +2000 +10000 +5.00$", text,
                                       G_REGEX_MULTILINE, 0));
    g_assert_true(g_regex_match_simple("^  received packets/s +1000 +1000 +1.00$", text,
                                       G_REGEX_MULTILINE, 0));
    g_assert_nonnull(strstr(text, "load 20: only in prism"));
    free(text);
    bench_run_free(&janus);
    bench_run_free(&prism);
}

static char *plot_path(const char *dir, const char *name)
{
    return g_build_filename(dir, "plots", name, NULL);
}

static void test_report_plot_writes_svg_and_png(void)
{
    char *gnuplot = g_find_program_in_path("gnuplot");
    if (!gnuplot) {
        g_test_skip("gnuplot is not installed");
        return;
    }
    g_free(gnuplot);
    struct bench_run janus, prism;
    two_step_run(&prism);
    two_step_run(&janus);
    g_strlcpy(janus.target, "janus's", sizeof(janus.target)); /* a quote in a label */
    char *dir = temp_dir();
    char *svg = plot_path(dir, "sweep.svg"), *png = plot_path(dir, "sweep.png");

    g_assert_cmpint(bench_report_plot(svg, &janus, &prism), ==, 0);
    char *text = NULL;
    gsize length = 0;
    g_assert_true(g_file_get_contents(svg, &text, &length, NULL));
    g_assert_cmpuint(length, >, 100);
    g_assert_true(g_str_has_prefix(text, "<?xml") || g_str_has_prefix(text, "<svg"));
    g_assert_nonnull(strstr(text, "janus's")); /* the quote survived gnuplot's quoting */
    g_assert_nonnull(strstr(text, "prism"));
    g_free(text);

    g_assert_cmpint(bench_report_plot(png, &prism, NULL), ==, 0);
    g_assert_true(g_file_get_contents(png, &text, &length, NULL));
    g_assert_cmpuint(length, >, 8);
    g_assert_cmpint(memcmp(text, "\x89PNG", 4), ==, 0);
    g_free(text);

    char *other = plot_path(dir, "sweep.txt");
    g_assert_cmpint(bench_report_plot(other, &prism, NULL), ==, -EINVAL);
    g_assert_false(g_file_test(other, G_FILE_TEST_EXISTS));
    g_free(other);

    bench_run_free(&janus);
    bench_run_free(&prism);
    remove_tree(dir);
    g_free(svg);
    g_free(png);
    g_free(dir);
}

static void test_report_plot_without_gnuplot_returns_enoent(void)
{
    struct bench_run run;
    two_step_run(&run);
    char *dir = temp_dir();
    char *svg = plot_path(dir, "sweep.svg");
    char *saved = g_strdup(g_getenv("PATH"));
    g_setenv("PATH", dir, TRUE); /* an empty directory: no gnuplot there */
    int result = bench_report_plot(svg, &run, NULL);
    g_setenv("PATH", saved, TRUE);
    g_assert_cmpint(result, ==, -ENOENT);
    g_assert_false(g_file_test(svg, G_FILE_TEST_EXISTS));
    g_free(saved);
    bench_run_free(&run);
    remove_tree(dir);
    g_free(svg);
    g_free(dir);
}

/* Runs the progress calls with stderr sent to a file and returns what reached it. */
static char *capture_progress(bool enabled)
{
    char *dir = temp_dir();
    char *path = g_build_filename(dir, "stderr", NULL);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *sink = fopen(path, "w");
    g_assert_nonnull(sink);
    dup2(fileno(sink), STDERR_FILENO);

    struct bench_progress progress;
    bench_progress_init(&progress, true);
    g_assert_false(progress.enabled); /* quiet wins over a terminal */
    progress.enabled = enabled;
    struct bench_step_result so_far = {
        .recv_pps = 1234, .loss_pct = 0.5, .latency = percentiles(10), .server_cpu = 0.75};
    bench_progress_update(&progress, "ramp", 2.5, &so_far);
    bench_progress_update(&progress, "measure", 3.0, &so_far);
    bench_progress_end(&progress);

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(sink);
    char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    remove_tree(dir);
    g_free(path);
    g_free(dir);
    return text;
}

static void test_report_progress_disabled_writes_nothing(void)
{
    char *text = capture_progress(false);
    g_assert_cmpstr(text, ==, "");
    g_free(text);
}

static void test_report_progress_rewrites_one_line(void)
{
    char *text = capture_progress(true);
    g_assert_cmpstr(text, ==,
                    "\r\033[Kramp 2.5 s  recv 1234 pps  loss 0.50 %  p99 12.1 ms  server CPU 0.75"
                    "\r\033[Kmeasure 3.0 s  recv 1234 pps  loss 0.50 %  p99 12.1 ms  server CPU "
                    "0.75\n");
    g_free(text);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bench/report/json_round_trip_keeps_every_field",
                    test_report_json_round_trip_keeps_every_field);
    g_test_add_func("/bench/report/json_missing_fields_default_to_zero",
                    test_report_json_missing_fields_default_to_zero);
    g_test_add_func("/bench/report/json_rejects_malformed_files",
                    test_report_json_rejects_malformed_files);
    g_test_add_func("/bench/report/read_missing_file_returns_enoent",
                    test_report_read_missing_file_returns_enoent);
    g_test_add_func("/bench/report/reads_checked_in_result", test_report_reads_checked_in_result);
    g_test_add_func("/bench/report/table_shows_media_rows_and_notes",
                    test_report_table_shows_media_rows_and_notes);
    g_test_add_func("/bench/report/table_of_api_run_omits_media_rows",
                    test_report_table_of_api_run_omits_media_rows);
    g_test_add_func("/bench/report/compare_prints_ratio_of_matching_loads",
                    test_report_compare_prints_ratio_of_matching_loads);
    g_test_add_func("/bench/report/plot_writes_svg_and_png", test_report_plot_writes_svg_and_png);
    g_test_add_func("/bench/report/plot_without_gnuplot_returns_enoent",
                    test_report_plot_without_gnuplot_returns_enoent);
    g_test_add_func("/bench/report/progress_disabled_writes_nothing",
                    test_report_progress_disabled_writes_nothing);
    g_test_add_func("/bench/report/progress_rewrites_one_line",
                    test_report_progress_rewrites_one_line);
    return g_test_run();
}
