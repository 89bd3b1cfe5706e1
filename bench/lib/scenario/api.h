/* The `api` scenario: Janus API requests per second with no media. Each of `count` virtual
 * clients loops create -> attach (echotest) -> message (a plugin request, answered by an event)
 * -> detach -> destroy, spread over `sockets` connections, for `duration_s`. Counts every
 * request and its latency (sent to answer). */
#ifndef PRISM_BENCH_SCENARIO_API_H
#define PRISM_BENCH_SCENARIO_API_H

#include "bench/lib/report/result.h"
#include "bench/lib/scenario/options.h"

/* Runs one step with `load` concurrent clients. Returns 0 or -errno (nothing could connect). */
int bench_api_run(const struct bench_options *options, unsigned load,
                  struct bench_step_result *out);

#endif
