/* Output of runs: JSON files (written and read back, so bench/compare can combine two runs),
 * the human summary table, the live progress line and gnuplot plots. */
#ifndef PRISM_BENCH_REPORT_REPORT_H
#define PRISM_BENCH_REPORT_REPORT_H

#include "bench/lib/report/result.h"

#include <stdbool.h>
#include <stdio.h>

/* Writes run as JSON to path (directories created). Returns 0 or -errno. */
int bench_report_write_json(const struct bench_run *run, const char *path);
/* Reads a file written by bench_report_write_json. Returns 0, -errno or -EINVAL with a reason
 * in error. On success run (which need not be initialised) is replaced; free it with
 * bench_run_free. On failure run is untouched. */
int bench_report_read_json(struct bench_run *run, const char *path, char *error, size_t size);
/* The same from the text of such a file (length bytes, not necessarily NUL-terminated). */
int bench_report_parse_json(struct bench_run *run, const char *text, size_t length, char *error,
                            size_t size);

/* The summary table of a run: one column per step (a single step: one column). */
void bench_report_print_table(FILE *out, const struct bench_run *run);
/* Two runs of the same scenario side by side (steps matched by load), with the ratio b/a for
 * every figure (a is the reference, typically Janus; b typically Prism). */
void bench_report_print_compare(FILE *out, const struct bench_run *a, const struct bench_run *b);

/* Plots throughput (received pps), loss and latency p99 against load for one or two runs (two:
 * both curves on each graph) with gnuplot; SVG or PNG by path's extension. Returns 0, or
 * -ENOENT when gnuplot is missing, or -EIO. */
int bench_report_plot(const char *path, const struct bench_run *a, const struct bench_run *b);

/* The live line: rewritten in place on a terminal, nothing otherwise. */
struct bench_progress {
    bool enabled;
};
void bench_progress_init(struct bench_progress *progress, bool quiet);
void bench_progress_update(struct bench_progress *progress, const char *phase, double elapsed_s,
                           const struct bench_step_result *so_far);
void bench_progress_end(struct bench_progress *progress);

#endif
