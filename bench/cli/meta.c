/* What a result records about where it came from: commit, machine, time and command. */
#include "bench/cli/cli.h"

#include "bench/lib/floor/machine.h"

#include <glib.h>
#include <string.h>
#include <unistd.h>

static void commit_of_source(char *out, size_t size)
{
    gchar *stdout_text = NULL;
    gchar *argv[] = {"git", "-C", PRISM_SOURCE_DIR, "rev-parse", "--short=12", "HEAD", NULL};
    gint status = 1;
    g_strlcpy(out, "unknown", size);
    if (g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &stdout_text, NULL, &status, NULL) &&
        status == 0 && stdout_text)
        g_strlcpy(out, g_strstrip(stdout_text), size);
    g_free(stdout_text);
}

void bench_cli_describe_run(struct bench_run *run, const struct bench_options *options)
{
    g_strlcpy(run->scenario, bench_scenario_name(options->scenario), sizeof(run->scenario));
    g_strlcpy(run->target, options->target, sizeof(run->target));
    g_strlcpy(run->url, options->url, sizeof(run->url));
    g_strlcpy(run->command, options->command_line ? options->command_line : "",
              sizeof(run->command));
    commit_of_source(run->commit, sizeof(run->commit));
    struct bench_machine machine;
    bench_machine_read(&machine);
    bench_machine_format(&machine, run->machine, sizeof(run->machine));
    GDateTime *now = g_date_time_new_now_utc();
    gchar *text = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
    g_strlcpy(run->started_at, text, sizeof(run->started_at));
    g_free(text);
    g_date_time_unref(now);
    run->max_loss_pct = options->max_loss_pct;
    run->max_p99_ms = options->max_p99_ms;
}
