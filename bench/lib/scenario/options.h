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

/* Broadcast: how the broadcaster's media reaches the server. */
enum bench_ingest {
    BENCH_INGEST_VIDEOROOM, /* a VideoRoom publisher through the Janus API (default) */
    BENCH_INGEST_WHIP,      /* a WHIP client (RFC 9725) publishing into the room */
    BENCH_INGEST_RTP,       /* plain RTP by UDP to a streaming mountpoint's ports */
};

/* Broadcast: how the viewers get it. */
enum bench_viewers {
    BENCH_VIEWERS_JANUS, /* Janus API: VideoRoom subscribers, or janus.plugin.streaming watch */
    BENCH_VIEWERS_WHEP,  /* WHEP clients: /whep/endpoint/{room} or /whep/mountpoint/{id} */
};

struct bench_options {
    enum bench_scenario_kind scenario;
    const char *url;          /* Janus API: ws://... or http://... (default ws://127.0.0.1:8188/) */
    const char *target;       /* a name for the server in reports ("prism", "janus") */
    unsigned count;           /* sessions / participants / viewers (scenario's load) */
    double duration_s;        /* measured time after everyone joined (default 10) */
    double ramp_per_s;        /* joins per second during ramp-up (default 20) */
    double warmup_s;          /* media time before measuring (default 1) */
    unsigned sockets;         /* api: connections the requests are spread over (default 1) */
    double churn_rate;        /* churn: joins (and as many leaves) per second (default 2) */
    double churn_stay_s;      /* churn: how long each participant stays (default 5) */
    unsigned room_size;       /* churn: participants kept in the room (default 4) */
    bool audio, video;        /* which media publishers send (default both) */
    uint32_t audio_bytes;     /* Opus payload size (default 80) */
    uint32_t video_bitrate;   /* bits per second (default 500000) */
    unsigned video_fps;       /* default 30 */
    uint32_t video_mtu;       /* max RTP payload (default 1100) */
    double pli_interval_s;    /* subscribers ask for a keyframe this often (default 3; 0 = never) */
    bool data_channel;        /* echo: also negotiate a data channel and echo messages */
    bool simulcast;           /* VideoRoom publishers send three rid layers (endpoint.c) */
    double switch_interval_s; /* simulcast subscribers change layer this often (0 = never) */
    unsigned decrypt_every;   /* receivers decrypt 1 packet in N per stream (default 16; 1 = all) */
    uint64_t room_id;         /* 0 = the bench creates (and destroys) a room of its own */
    enum bench_ingest ingest;
    enum bench_viewers viewers;
    uint64_t mountpoint_id; /* rtp ingest: 0 = the bench creates (and destroys) a mountpoint */
    const char *http_url;   /* WHIP/WHEP base, e.g. http://127.0.0.1:8088 (default: from url) */
    const char *token;      /* the room's (mountpoint's) pin: WHIP/WHEP "Authorization: Bearer",
                               "pin" of Janus API joins and watch; NULL = none */
    unsigned threads;       /* bench worker threads (default 1) */
    bool libnice_ice;       /* --ice libnice: a libnice agent per participant instead of the
                               light client mode (media/iceclient), the default */
    pid_t server_pid;       /* sampled for CPU/RSS; 0 = found from the URL's port; -1 = none */
    const char *cpus;       /* pin the bench to these CPUs (taskset list), NULL = not pinned */
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
const char *bench_ingest_name(enum bench_ingest ingest);
int bench_ingest_from_name(const char *name, enum bench_ingest *out);
const char *bench_viewers_name(enum bench_viewers viewers);
int bench_viewers_from_name(const char *name, enum bench_viewers *out);
/* The WHIP/WHEP base URL: options->http_url, else the scheme, host and port of an http(s)
 * options->url, else http://<host of a ws url>:8088. A string to g_free. */
char *bench_options_http_base(const struct bench_options *options);

#endif
