/* One measured step of a media scenario (echo, room, broadcast, churn) at a given load: bench
 * workers, the room (created for the run unless one was given), participants ramped up at
 * options->ramp_per_s, a warm-up, the measured interval with server and bench CPU sampled,
 * then everyone leaves and the room goes. Runs on the calling (controller) thread. */
#ifndef PRISM_BENCH_SCENARIO_MEDIA_RUN_H
#define PRISM_BENCH_SCENARIO_MEDIA_RUN_H

#include "bench/lib/peer/env.h"
#include "bench/lib/report/report.h"
#include "bench/lib/scenario/options.h"

/* Returns 0 (figures in out, failures counted there) or -errno when the run could not start
 * (server unreachable, room not created) with a reason in error. */
int bench_media_run(const struct bench_options *options, const struct bench_env *env, unsigned load,
                    struct bench_progress *progress, struct bench_step_result *out, char *error,
                    size_t error_size);

#endif
