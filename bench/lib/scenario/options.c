/* Defaults and names of the bench options. */
#include "bench/lib/scenario/options.h"

#include "bench/lib/stats/decrypt_sampler.h"

#include <errno.h>
#include <string.h>

static const char *const scenario_names[] = {
    [BENCH_SCENARIO_API] = "api",     [BENCH_SCENARIO_ECHO] = "echo",
    [BENCH_SCENARIO_ROOM] = "room",   [BENCH_SCENARIO_BROADCAST] = "broadcast",
    [BENCH_SCENARIO_CHURN] = "churn",
};

void bench_options_defaults(struct bench_options *options)
{
    *options = (struct bench_options){
        .scenario = BENCH_SCENARIO_ECHO,
        .url = "ws://127.0.0.1:8188/",
        .target = "prism",
        .count = 2,
        .duration_s = 10,
        .ramp_per_s = 20,
        .warmup_s = 1,
        .sockets = 1,
        .churn_rate = 2,
        .churn_stay_s = 5,
        .room_size = 4,
        .audio = true,
        .video = true,
        .audio_bytes = 80,
        .video_bitrate = 500000,
        .video_fps = 30,
        .video_mtu = 1100,
        .pli_interval_s = 3,
        .decrypt_every = BENCH_SAMPLER_DEFAULT_EVERY,
        .threads = 1,
        .max_loss_pct = 0.5,
        .max_p99_ms = 100,
    };
}

const char *bench_scenario_name(enum bench_scenario_kind kind)
{
    return (unsigned)kind < sizeof(scenario_names) / sizeof(scenario_names[0])
               ? scenario_names[kind]
               : "unknown";
}

int bench_scenario_from_name(const char *name, enum bench_scenario_kind *out)
{
    for (size_t i = 0; i < sizeof(scenario_names) / sizeof(scenario_names[0]); i++) {
        if (strcmp(name, scenario_names[i]) == 0) {
            *out = (enum bench_scenario_kind)i;
            return 0;
        }
    }
    return -EINVAL;
}
