/* The summary table of one run: a row per figure that is not zero everywhere, a column per
 * step, then the notes a reader needs to trust the numbers. */
#include "bench/lib/report/figures.h"
#include "bench/lib/report/report.h"

#define LABEL_WIDTH 24
#define VALUE_WIDTH 12

static void print_row(FILE *out, const struct bench_figure *figure, const struct bench_run *run)
{
    fprintf(out, "%-*s", LABEL_WIDTH, figure->label);
    for (size_t i = 0; i < run->step_count; i++) {
        char text[32];
        bench_figure_format(figure, &run->steps[i], text, sizeof(text));
        fprintf(out, " %*s", VALUE_WIDTH, text);
    }
    fputc('\n', out);
}

static void print_rule(FILE *out, size_t columns)
{
    size_t width = LABEL_WIDTH + columns * (VALUE_WIDTH + 1);
    for (size_t i = 0; i < width; i++)
        fputc('-', out);
    fputc('\n', out);
}

static void print_notes(FILE *out, const struct bench_run *run)
{
    if (run->max_held_step >= 0 && (size_t)run->max_held_step < run->step_count)
        fprintf(out, "largest load within the limits (loss <= %.2f %%, p99 <= %.0f ms): %u\n",
                run->max_loss_pct, run->max_p99_ms, run->steps[run->max_held_step].load);
    else
        fprintf(out, "no load within the limits (loss <= %.2f %%, p99 <= %.0f ms)\n",
                run->max_loss_pct, run->max_p99_ms);

    for (size_t i = 0; i < run->step_count; i++) {
        const struct bench_step_result *step = &run->steps[i];
        if (step->server_workers < 2)
            continue;
        fprintf(out, "server worker threads at load %u, CPU s:", step->load);
        for (unsigned w = 0; w < step->server_workers && w < BENCH_RESULT_MAX_WORKERS; w++)
            fprintf(out, " prism-w%u %.2f", w, step->worker_cpu_s[w]);
        fprintf(out, " (busiest %.1f %% of their sum)\n", step->worker_share_max_pct);
    }

    bool saturated = false;
    for (size_t i = 0; i < run->step_count; i++) {
        if (!run->steps[i].bench_saturated)
            continue;
        fprintf(out, "%s %u",
                saturated ? "," : "warning: the bench used nearly all its CPU at load",
                run->steps[i].load);
        saturated = true;
    }
    if (saturated)
        fprintf(out, ": figures there are a floor of what the server can do, not its limit\n");
}

void bench_report_print_table(FILE *out, const struct bench_run *run)
{
    fprintf(out, "%s against %s", run->scenario[0] ? run->scenario : "run",
            run->target[0] ? run->target : "unknown target");
    if (run->commit[0])
        fprintf(out, " (commit %s)", run->commit);
    if (run->started_at[0])
        fprintf(out, ", %s", run->started_at);
    fputc('\n', out);
    if (run->machine[0])
        fprintf(out, "machine: %s\n", run->machine);
    if (run->step_count == 0) {
        fprintf(out, "no measured step\n");
        return;
    }
    print_row(out, &bench_figures[BENCH_FIGURE_LOAD], run);
    print_rule(out, run->step_count);
    for (size_t f = BENCH_FIGURE_LOAD + 1; f < BENCH_FIGURE_COUNT; f++) {
        if (bench_figure_shown(&bench_figures[f], run->steps, run->step_count))
            print_row(out, &bench_figures[f], run);
    }
    print_notes(out, run);
}
