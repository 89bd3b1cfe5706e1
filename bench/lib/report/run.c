/* A run's step list: the one allocation a bench_run owns. */
#include "bench/lib/report/result.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void bench_run_init(struct bench_run *run)
{
    memset(run, 0, sizeof(*run));
    run->max_held_step = -1;
}

int bench_run_add_step(struct bench_run *run, const struct bench_step_result *step)
{
    /* A sweep has tens of steps at most, so growing by one each time costs nothing. */
    if (run->step_count >= SIZE_MAX / sizeof(*run->steps) - 1)
        return -ENOMEM;
    struct bench_step_result *steps = realloc(run->steps,
                                              (run->step_count + 1) * sizeof(*run->steps));
    if (!steps)
        return -ENOMEM;
    steps[run->step_count] = *step;
    run->steps = steps;
    run->step_count++;
    return 0;
}

void bench_run_free(struct bench_run *run)
{
    free(run->steps);
    run->steps = NULL;
    run->step_count = 0;
    run->max_held_step = -1;
}
