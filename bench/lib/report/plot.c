/* Plots of one or two runs with gnuplot: received packets/s, loss and latency p99 against load,
 * one panel each, one line per run. The script and data go to a temporary directory; gnuplot is
 * run without a shell. */
#include "bench/lib/report/report.h"

#include "core/log.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

enum image_kind { IMAGE_SVG, IMAGE_PNG };

static int image_kind_of(const char *path, enum image_kind *kind)
{
    if (g_str_has_suffix(path, ".svg") || g_str_has_suffix(path, ".SVG"))
        *kind = IMAGE_SVG;
    else if (g_str_has_suffix(path, ".png") || g_str_has_suffix(path, ".PNG"))
        *kind = IMAGE_PNG;
    else
        return -EINVAL;
    return 0;
}

/* Writes text as a gnuplot single-quoted string, where only the quote itself needs escaping
 * (doubled); control characters have no place in a label or a path and become spaces. */
static void put_quoted(FILE *script, const char *text)
{
    fputc('\'', script);
    for (const char *c = text; *c; c++) {
        if (*c == '\'')
            fputs("''", script);
        else
            fputc((unsigned char)*c < 0x20 ? ' ' : *c, script);
    }
    fputc('\'', script);
}

static int write_data(const char *path, const struct bench_run *run)
{
    FILE *data = fopen(path, "w");
    if (!data)
        return -errno;
    fprintf(data, "# load received_pps loss_pct latency_p99_ms\n");
    for (size_t i = 0; i < run->step_count; i++) {
        const struct bench_step_result *step = &run->steps[i];
        fprintf(data, "%u %.6g %.6g %.6g\n", step->load, step->recv_pps, step->loss_pct,
                step->latency.p99_ms);
    }
    return fclose(data) == 0 ? 0 : -EIO;
}

static void put_panel(FILE *script, const char *title, const char *ylabel, int column,
                      char *const data[2], char *const labels[2])
{
    fprintf(script, "set title '%s'\nset ylabel '%s'\nplot ", title, ylabel);
    bool first = true;
    for (int r = 0; r < 2; r++) {
        if (!data[r])
            continue;
        fputs(first ? "" : ", ", script);
        put_quoted(script, data[r]);
        fprintf(script, " using 1:%d with linespoints title ", column);
        put_quoted(script, labels[r]);
        first = false;
    }
    fputc('\n', script);
}

static int write_script(const char *script_path, const char *image_path, enum image_kind kind,
                        char *const data[2], char *const labels[2])
{
    FILE *script = fopen(script_path, "w");
    if (!script)
        return -errno;
    if (kind == IMAGE_SVG)
        fputs("set terminal svg size 800,1000 dynamic background rgb 'white'\n", script);
    else /* pngcairo draws better; plain png (libgd) is the fallback on builds without cairo */
        fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
              "    set terminal pngcairo size 800,1000\n"
              "} else {\n"
              "    set terminal png size 800,1000\n"
              "}\n",
              script);
    fputs("set output ", script);
    put_quoted(script, image_path);
    fputs("\n"
          "set grid\n"
          "set offsets graph 0.02, graph 0.02, 0, 0\n"
          "set key top left\n"
          "set xlabel 'load'\n"
          "set yrange [0:*]\n"
          "set multiplot layout 3,1\n",
          script);
    put_panel(script, "Throughput", "received packets/s", 2, data, labels);
    put_panel(script, "Loss", "loss %", 3, data, labels);
    put_panel(script, "Latency", "latency p99 ms", 4, data, labels);
    fputs("unset multiplot\nunset output\n", script);
    return fclose(script) == 0 ? 0 : -EIO;
}

static int run_gnuplot(const char *gnuplot, const char *script_path)
{
    const char *argv[] = {gnuplot, script_path, NULL};
    char *errors = NULL;
    int status = 0;
    GError *gerror = NULL;
    int result = 0;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                      &errors, &status, &gerror)) {
        prism_warn("bench", "cannot run gnuplot: %s", gerror->message);
        g_error_free(gerror);
        result = -EIO;
    } else if (!g_spawn_check_wait_status(status, NULL)) {
        prism_warn("bench", "gnuplot failed: %s", errors ? errors : "");
        result = -EIO;
    }
    g_free(errors);
    return result;
}

/* Labels are the targets; two runs of the same target are told apart by a suffix. */
static void make_labels(const struct bench_run *runs[2], char *labels[2])
{
    for (int r = 0; r < 2; r++) {
        const char *target = runs[r] && runs[r]->target[0] ? runs[r]->target : (r ? "b" : "a");
        labels[r] = g_strdup(target);
    }
    if (strcmp(labels[0], labels[1]) == 0) {
        for (int r = 0; r < 2; r++) {
            char *old = labels[r];
            labels[r] = g_strdup_printf("%s (%s)", old, r ? "b" : "a");
            g_free(old);
        }
    }
}

static int plot_in(const char *gnuplot, const char *directory, const char *path,
                   enum image_kind kind, const struct bench_run *runs[2])
{
    char *data[2] = {NULL, NULL}, *labels[2];
    char *script = g_build_filename(directory, "plot.gp", NULL);
    make_labels(runs, labels);
    int result = 0;
    for (int r = 0; r < 2 && result == 0; r++) {
        if (!runs[r] || runs[r]->step_count == 0)
            continue;
        data[r] = g_build_filename(directory, r ? "b.dat" : "a.dat", NULL);
        result = write_data(data[r], runs[r]);
    }
    if (result == 0 && !data[0] && !data[1])
        result = -EINVAL; /* nothing to draw */
    if (result == 0)
        result = write_script(script, path, kind, data, labels);
    /* An old image at path must not pass for the new one if gnuplot fails. */
    g_unlink(path);
    if (result == 0)
        result = run_gnuplot(gnuplot, script);
    GStatBuf info;
    if (result == 0 && (g_stat(path, &info) != 0 || info.st_size == 0))
        result = -EIO;
    for (int r = 0; r < 2; r++) {
        if (data[r])
            g_unlink(data[r]);
        g_free(data[r]);
        g_free(labels[r]);
    }
    g_unlink(script);
    g_free(script);
    return result;
}

int bench_report_plot(const char *path, const struct bench_run *a, const struct bench_run *b)
{
    enum image_kind kind;
    if (image_kind_of(path, &kind) != 0)
        return -EINVAL;
    char *gnuplot = g_find_program_in_path("gnuplot");
    if (!gnuplot)
        return -ENOENT;
    char *parent = g_path_get_dirname(path);
    char *directory = NULL;
    int result = 0;
    if (g_mkdir_with_parents(parent, 0755) != 0) {
        result = -errno;
        goto out;
    }
    GError *gerror = NULL;
    directory = g_dir_make_tmp("prism-bench-plot-XXXXXX", &gerror);
    if (!directory) {
        prism_warn("bench", "no temporary directory for the plot: %s", gerror->message);
        g_error_free(gerror);
        result = -EIO;
        goto out;
    }
    const struct bench_run *runs[2] = {a, b};
    result = plot_in(gnuplot, directory, path, kind, runs);
    g_rmdir(directory);
out:
    g_free(directory);
    g_free(parent);
    g_free(gnuplot);
    return result;
}
