/* The `floor` and `report` subcommands. */
#include "bench/cli/cli.h"

#include "bench/lib/floor/floor.h"
#include "bench/lib/report/report.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

int bench_cli_floor(int argc, char **argv)
{
    int size = 1200;
    double seconds = 3;
    gchar *json = NULL;
    GOptionEntry entries[] = {
        {"size", 0, 0, G_OPTION_ARG_INT, &size, "RTP packet bytes (default 1200)", "B"},
        {"seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Measuring time in all (default 3)", "S"},
        {"json", 'o', 0, G_OPTION_ARG_FILENAME, &json, "Also write the result here", "FILE"},
        {0}};
    GOptionContext *context = g_option_context_new("- this machine's per-packet floor");
    g_option_context_add_main_entries(context, entries, NULL);
    GError *error = NULL;
    gboolean ok = g_option_context_parse(context, &argc, &argv, &error);
    g_option_context_free(context);
    if (!ok || size < 64 || size > 1400 || seconds <= 0) {
        fprintf(stderr, "prism-bench floor: %s\n",
                error ? error->message : "bad --size or --seconds");
        g_clear_error(&error);
        g_free(json);
        return 2;
    }
    struct bench_floor floor;
    int rc = bench_floor_measure(&floor, (size_t)size, seconds);
    if (rc == 0) {
        bench_floor_print(stdout, &floor);
        if (json)
            rc = bench_floor_write_json(&floor, json);
    }
    if (rc < 0)
        fprintf(stderr, "prism-bench floor: %s\n", g_strerror(-rc));
    g_free(json);
    return rc < 0 ? 1 : 0;
}

static int load(struct bench_run *run, const char *path)
{
    char error[256] = "";
    int rc = bench_report_read_json(run, path, error, sizeof(error));
    if (rc < 0)
        fprintf(stderr, "prism-bench report: %s: %s\n", path, error[0] ? error : g_strerror(-rc));
    return rc;
}

int bench_cli_report(int argc, char **argv)
{
    gchar **compare = NULL, *plot = NULL;
    GOptionEntry entries[] = {
        {"compare", 0, 0, G_OPTION_ARG_NONE, NULL, NULL, NULL},
        {"plot", 0, 0, G_OPTION_ARG_FILENAME, &plot, "Also plot to this .svg/.png", "FILE"},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &compare, NULL, "FILES"},
        {0}};
    gboolean comparing = FALSE;
    entries[0].arg_data = &comparing;
    entries[0].description = "Compare two result files: A (baseline) and B";
    GOptionContext *context = g_option_context_new("- print or compare result files");
    g_option_context_add_main_entries(context, entries, NULL);
    GError *error = NULL;
    gboolean ok = g_option_context_parse(context, &argc, &argv, &error);
    g_option_context_free(context);
    guint files = compare ? g_strv_length(compare) : 0;
    int rc = 2;
    if (!ok || files != (comparing ? 2u : 1u)) {
        fprintf(stderr, "prism-bench report: %s\n",
                error ? error->message : "give one result file, or --compare A.json B.json");
        goto out;
    }
    struct bench_run a, b;
    bench_run_init(&a);
    bench_run_init(&b);
    rc = 1;
    if (load(&a, compare[0]) == 0 && (!comparing || load(&b, compare[1]) == 0)) {
        if (comparing)
            bench_report_print_compare(stdout, &a, &b);
        else
            bench_report_print_table(stdout, &a);
        rc = 0;
        if (plot && bench_report_plot(plot, &a, comparing ? &b : NULL) < 0) {
            fprintf(stderr, "prism-bench report: cannot plot to %s (is gnuplot installed?)\n",
                    plot);
            rc = 1;
        }
    }
    bench_run_free(&a);
    bench_run_free(&b);
out:
    g_clear_error(&error);
    g_strfreev(compare);
    g_free(plot);
    return rc;
}
