/* The live progress line on stderr: rewritten in place (carriage return, then erase to the end
 * of the line) when stderr is a terminal, silent otherwise so logs and pipes stay clean. */
#include "bench/lib/report/report.h"

#include <unistd.h>

void bench_progress_init(struct bench_progress *progress, bool quiet)
{
    progress->enabled = !quiet && isatty(STDERR_FILENO);
}

void bench_progress_update(struct bench_progress *progress, const char *phase, double elapsed_s,
                           const struct bench_step_result *so_far)
{
    if (!progress->enabled)
        return;
    fprintf(stderr, "\r\033[K%s %.1f s", phase ? phase : "", elapsed_s);
    if (so_far)
        fprintf(stderr, "  recv %.0f pps  loss %.2f %%  p99 %.1f ms  server CPU %.2f",
                so_far->recv_pps, so_far->loss_pct, so_far->latency.p99_ms, so_far->server_cpu);
    fflush(stderr);
}

void bench_progress_end(struct bench_progress *progress)
{
    if (!progress->enabled)
        return;
    fputc('\n', stderr);
    fflush(stderr);
}
