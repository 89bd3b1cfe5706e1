/* Running a scenario from the command line: one step, or a sweep that stops at the first load
 * past the limits; then the table, the JSON file and, for sweeps, the plot. */
#include "bench/cli/cli.h"

#include "bench/lib/peer/env.h"
#include "bench/lib/proc/proc_stats.h"
#include "bench/lib/report/report.h"
#include "bench/lib/scenario/api.h"
#include "bench/lib/scenario/media_run.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The server's pid: given, or whoever listens on the URL's port on this machine. */
static pid_t find_server(const struct bench_options *options)
{
    if (options->server_pid != 0)
        return options->server_pid > 0 ? options->server_pid : 0;
    GUri *uri = g_uri_parse(options->url, G_URI_FLAGS_NONE, NULL);
    if (!uri)
        return 0;
    int port = g_uri_get_port(uri);
    if (port < 0)
        port = 80;
    g_uri_unref(uri);
    pid_t pid = bench_proc_find_listener((uint16_t)port);
    return pid > 0 ? pid : 0;
}

static bool within_limits(const struct bench_options *options, const struct bench_step_result *r)
{
    if (options->scenario == BENCH_SCENARIO_API)
        return r->errors == 0 && r->requests > 0 &&
               r->request_latency.p99_ms <= options->max_p99_ms;
    return r->join_failures == 0 && r->packets_received > 0 &&
           r->loss_pct <= options->max_loss_pct && r->latency.p99_ms <= options->max_p99_ms;
}

/* The api scenario runs on this thread; CPU is sampled around all of it (warm-up and the
 * sessions' teardown included, a few percent of the run). */
static int run_api_step(const struct bench_options *options, unsigned load,
                        struct bench_step_result *out)
{
    struct bench_proc_sample server_from = {0}, server_to = {0}, bench_from, bench_to;
    if (options->server_pid > 0)
        bench_proc_sample(options->server_pid, &server_from);
    bench_proc_sample(0, &bench_from);
    int rc = bench_api_run(options, load, out);
    if (options->server_pid > 0 && bench_proc_sample(options->server_pid, &server_to) == 0 &&
        server_from.wall_us) {
        out->server_cpu = bench_proc_cores(&server_from, &server_to);
        out->server_rss_mb = (double)server_to.rss_bytes / (1024.0 * 1024.0);
    }
    bench_proc_sample(0, &bench_to);
    out->bench_cpu = bench_proc_cores(&bench_from, &bench_to);
    out->bench_rss_mb = (double)bench_to.rss_bytes / (1024.0 * 1024.0);
    out->bench_saturated = out->bench_cpu >= 0.85;
    return rc;
}

static int run_step(const struct bench_options *options, const struct bench_env *env, unsigned load,
                    struct bench_progress *progress, struct bench_step_result *out)
{
    char error[512] = "";
    int rc;
    if (options->scenario == BENCH_SCENARIO_API) {
        rc = run_api_step(options, load, out);
        g_strlcpy(error, "the server does not answer", sizeof(error));
    } else {
        struct bench_options step = *options;
        if (options->scenario == BENCH_SCENARIO_CHURN && options->sweep)
            step.churn_rate = load;
        rc = bench_media_run(&step, env, load, progress, out, error, sizeof(error));
    }
    bench_progress_end(progress);
    if (rc < 0)
        fprintf(stderr, "prism-bench: %s\n", error);
    return rc;
}

static void default_paths(const struct bench_options *options, const struct bench_run *run,
                          char **json, char **plot)
{
    GDateTime *now = g_date_time_new_now_utc();
    gchar *stamp = g_date_time_format(now, "%Y%m%d-%H%M%S");
    g_date_time_unref(now);
    *json = options->json_path
                ? g_strdup(options->json_path)
                : g_strdup_printf("bench/results/%s-%s-%s.json", run->scenario, run->target, stamp);
    if (options->plot_path) {
        *plot = g_strdup(options->plot_path);
    } else {
        gchar *base = g_str_has_suffix(*json, ".json")
                          ? g_strndup(*json, strlen(*json) - strlen(".json"))
                          : g_strdup(*json);
        *plot = g_strconcat(base, ".svg", NULL);
        g_free(base);
    }
    g_free(stamp);
}

static int output(const struct bench_options *options, struct bench_run *run)
{
    char *json, *plot;
    default_paths(options, run, &json, &plot);
    bench_report_print_table(stdout, run);
    int rc = bench_report_write_json(run, json);
    if (rc < 0)
        fprintf(stderr, "prism-bench: cannot write %s: %s\n", json, g_strerror(-rc));
    else
        printf("result: %s\n", json);
    if (options->sweep && run->step_count > 1) {
        int plotted = bench_report_plot(plot, run, NULL);
        if (plotted == 0)
            printf("plot: %s\n", plot);
        else
            fprintf(stderr, "prism-bench: no plot (%s)\n",
                    plotted == -ENOENT ? "gnuplot is not installed" : "gnuplot failed");
    }
    g_free(json);
    g_free(plot);
    return rc;
}

int bench_cli_run(const struct bench_options *options_in, const char *server_cpus)
{
    struct bench_options options = *options_in;
    options.server_pid = find_server(options_in);
    if (server_cpus && options.server_pid > 0 &&
        bench_cli_pin_server(options.server_pid, server_cpus) < 0)
        return 1;
    struct bench_env env;
    char error[256];
    if (options.scenario != BENCH_SCENARIO_API &&
        bench_env_init(&env, !options.libnice_ice, error, sizeof(error)) < 0) {
        fprintf(stderr, "prism-bench: %s\n", error);
        return 1;
    }
    struct bench_run run;
    bench_run_init(&run);
    bench_cli_describe_run(&run, &options);
    struct bench_progress progress;
    bench_progress_init(&progress, options.quiet);
    size_t steps = options.sweep ? options.sweep_step_count : 1;
    int failed = 0;
    for (size_t i = 0; i < steps; i++) {
        unsigned load = options.sweep ? options.sweep_steps[i] : options.count;
        if (options.scenario == BENCH_SCENARIO_CHURN && !options.sweep)
            load = (unsigned)(options.churn_rate + 0.5);
        struct bench_step_result step;
        if (run_step(&options, &env, load, &progress, &step) < 0) {
            failed = 1;
            break;
        }
        step.held = within_limits(&options, &step);
        bench_run_add_step(&run, &step);
        if (step.held)
            run.max_held_step = (int)run.step_count - 1;
        if (step.bench_saturated)
            fprintf(stderr,
                    "prism-bench: warning: the bench used %.2f cores at load %u: it may "
                    "be the bottleneck (use --threads or more CPUs in --cpus)\n",
                    step.bench_cpu, load);
        if (options.sweep && !step.held)
            break;
    }
    int rc = run.step_count ? output(&options, &run) : -1;
    bench_run_free(&run);
    if (options.scenario != BENCH_SCENARIO_API)
        bench_env_clear(&env);
    return failed || rc < 0 ? 1 : 0;
}
