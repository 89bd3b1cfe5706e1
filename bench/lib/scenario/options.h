/* What a prism-bench run was asked to do: parsed from the command line by bench/main.c and
 * read by every scenario. */
#ifndef PRISM_BENCH_SCENARIO_OPTIONS_H
#define PRISM_BENCH_SCENARIO_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum bench_scenario_kind {
    BENCH_SCENARIO_API,
    BENCH_SCENARIO_ECHO,
    BENCH_SCENARIO_ROOM,
    BENCH_SCENARIO_BROADCAST,
    BENCH_SCENARIO_CHURN,
};

struct bench_options {
    enum bench_scenario_kind scenario;
    const char *url;        /* Janus API: ws://... or http://... (default ws://127.0.0.1:8188/) */
    const char *target;     /* a name for the server in reports ("prism", "janus") */
    unsigned count;         /* sessions / participants / viewers (scenario's load) */
    double duration_s;      /* measured time after everyone joined (default 10) */
    double ramp_per_s;      /* joins per second during ramp-up (default 20) */
    double warmup_s;        /* media time before measuring (default 1) */
    unsigned sockets;       /* api: connections the requests are spread over (default 1) */
    double churn_rate;      /* churn: joins (and as many leaves) per second (default 2) */
    double churn_stay_s;    /* churn: how long each participant stays (default 5) */
    unsigned room_size;     /* churn: participants kept in the room (default 4) */
    bool audio, video;      /* which media publishers send (default both) */
    uint32_t audio_bytes;   /* Opus payload size (default 80) */
    uint32_t video_bitrate; /* bits per second (default 500000) */
    unsigned video_fps;     /* default 30 */
    uint32_t video_mtu;     /* max RTP payload (default 1100) */
    double pli_interval_s;  /* subscribers ask for a keyframe this often (default 3; 0 = never) */
    bool data_channel;      /* echo: also negotiate a data channel and echo messages */
    unsigned decrypt_every; /* receivers decrypt 1 packet in N per stream (default 16; 1 = all) */
    uint64_t room_id;       /* 0 = the bench creates (and destroys) a room of its own */
    /* broadcast: viewers watch this Streaming mountpoint (fed by an outside RTP source)
     * instead of a room's publisher; 0 = the room. */
    uint64_t mountpoint_id;
    unsigned threads; /* bench worker threads (default 1) */
    pid_t server_pid; /* sampled for CPU/RSS; 0 = found from the URL's port; -1 = none */
    const char *cpus; /* pin the bench to these CPUs (taskset list), NULL = not pinned */
    /* Sweep. */
    bool sweep;
    const unsigned *sweep_steps; /* loads to try, in order */
    size_t sweep_step_count;
    double max_loss_pct; /* default 0.5 */
    double max_p99_ms;   /* default 100 */
    /* Output. */
    const char *json_path;    /* default bench/results/<scenario>-<target>-<time>.json */
    const char *plot_path;    /* sweep plot (svg or png by extension); NULL = beside the JSON */
    bool quiet;               /* no progress line even on a terminal */
    const char *command_line; /* recorded in the result */
};

void bench_options_defaults(struct bench_options *options);
const char *bench_scenario_name(enum bench_scenario_kind kind);
int bench_scenario_from_name(const char *name, enum bench_scenario_kind *out);

#endif
