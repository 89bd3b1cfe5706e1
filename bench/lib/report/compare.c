/* Two runs side by side, matched by load: the reference a (typically Janus) and b (typically
 * Prism), with b/a for each figure and a headline on the figure that matters most, the packets
 * the server forwards per CPU-second. */
#include "bench/lib/report/figures.h"
#include "bench/lib/report/report.h"

#include <string.h>

#define LABEL_WIDTH 24
#define VALUE_WIDTH 14

static const struct bench_step_result *step_at_load(const struct bench_run *run, unsigned load)
{
    for (size_t i = 0; i < run->step_count; i++) {
        if (run->steps[i].load == load)
            return &run->steps[i];
    }
    return NULL;
}

static const char *label(const struct bench_run *run, const char *fallback)
{
    return run->target[0] ? run->target : fallback;
}

static void format_ratio(double a, double b, char *text, size_t size)
{
    if (a == 0)
        snprintf(text, size, "-");
    else
        snprintf(text, size, "%.2f", b / a);
}

static void print_headline(FILE *out, const struct bench_run *a, const struct bench_run *b)
{
    const char *name_a = label(a, "a"), *name_b = label(b, "b");
    fprintf(out, "server packets per CPU-second, %s/%s:\n", name_b, name_a);
    for (size_t i = 0; i < a->step_count; i++) {
        const struct bench_step_result *step_a = &a->steps[i];
        const struct bench_step_result *step_b = step_at_load(b, step_a->load);
        if (!step_b)
            continue;
        char ratio[32];
        format_ratio(step_a->server_pps_per_cpu, step_b->server_pps_per_cpu, ratio, sizeof(ratio));
        fprintf(out, "  load %u: %s (loss %s %.3f %%, %s %.3f %%)\n", step_a->load, ratio, name_a,
                step_a->loss_pct, name_b, step_b->loss_pct);
    }
}

static void print_load(FILE *out, const struct bench_step_result *step_a,
                       const struct bench_step_result *step_b, const struct bench_run *a,
                       const struct bench_run *b)
{
    char ratio_title[2 * sizeof(a->target)];
    snprintf(ratio_title, sizeof(ratio_title), "%s/%s", label(b, "b"), label(a, "a"));
    fprintf(out, "\nload %-*u %*.*s %*.*s %*s\n", LABEL_WIDTH - 5, step_a->load, VALUE_WIDTH,
            VALUE_WIDTH, label(a, "a"), VALUE_WIDTH, VALUE_WIDTH, label(b, "b"), VALUE_WIDTH,
            strlen(ratio_title) <= VALUE_WIDTH ? ratio_title : "ratio");
    const struct bench_step_result pair[2] = {*step_a, *step_b};
    for (size_t f = BENCH_FIGURE_LOAD + 1; f < BENCH_FIGURE_COUNT; f++) {
        const struct bench_figure *figure = &bench_figures[f];
        if (!bench_figure_shown(figure, pair, 2))
            continue;
        char text_a[32], text_b[32], ratio[32] = "-";
        bench_figure_format(figure, step_a, text_a, sizeof(text_a));
        bench_figure_format(figure, step_b, text_b, sizeof(text_b));
        if (!figure->yes_no)
            format_ratio(bench_figure_value(figure, step_a), bench_figure_value(figure, step_b),
                         ratio, sizeof(ratio));
        fprintf(out, "  %-*s %*s %*s %*s\n", LABEL_WIDTH - 2, figure->label, VALUE_WIDTH, text_a,
                VALUE_WIDTH, text_b, VALUE_WIDTH, ratio);
    }
}

void bench_report_print_compare(FILE *out, const struct bench_run *a, const struct bench_run *b)
{
    fprintf(out, "%s: %s (a) against %s (b)\n", a->scenario[0] ? a->scenario : "run", label(a, "a"),
            label(b, "b"));
    if (strcmp(a->scenario, b->scenario) != 0)
        fprintf(out, "warning: different scenarios (%s and %s): the figures may not compare\n",
                a->scenario, b->scenario);
    print_headline(out, a, b);
    for (size_t i = 0; i < a->step_count; i++) {
        const struct bench_step_result *step_b = step_at_load(b, a->steps[i].load);
        if (step_b)
            print_load(out, &a->steps[i], step_b, a, b);
        else
            fprintf(out, "\nload %u: only in %s\n", a->steps[i].load, label(a, "a"));
    }
    for (size_t i = 0; i < b->step_count; i++) {
        if (!step_at_load(a, b->steps[i].load))
            fprintf(out, "\nload %u: only in %s\n", b->steps[i].load, label(b, "b"));
    }
}
