/* prism-bench's scenario options, parsed by GLib's option parser. */
#include "bench/cli/cli.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Strings GOptionContext allocates; freed at exit so LeakSanitizer stays quiet. */
static struct {
    gchar *url, *target, *cpus, *json, *plot, *steps, *ingest, *viewers, *http_url, *token, *ice;
} owned;

static void free_owned(void)
{
    g_free(owned.url);
    g_free(owned.target);
    g_free(owned.cpus);
    g_free(owned.json);
    g_free(owned.plot);
    g_free(owned.steps);
    g_free(owned.ingest);
    g_free(owned.viewers);
    g_free(owned.http_url);
    g_free(owned.token);
    g_free(owned.ice);
}

/* The default sweep of each scenario: loads a small machine holds, then past it. */
static const char *default_steps(enum bench_scenario_kind kind)
{
    switch (kind) {
    case BENCH_SCENARIO_API:
        return "1,2,4,8,16,32,64";
    case BENCH_SCENARIO_ECHO:
        return "1,5,10,25,50,100,200,400";
    case BENCH_SCENARIO_ROOM:
        return "2,4,6,8,10,12,16,20,24,32";
    case BENCH_SCENARIO_BROADCAST:
        return "10,50,100,200,500,1000,2000";
    case BENCH_SCENARIO_CHURN:
        return "1,2,4,8,16";
    }
    return "1";
}

static int parse_steps(const char *text, unsigned **out, size_t *count)
{
    gchar **parts = g_strsplit(text, ",", -1);
    size_t n = g_strv_length(parts);
    unsigned *steps = g_new0(unsigned, n ? n : 1);
    int rc = n ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        guint64 value;
        if (!g_ascii_string_to_unsigned(g_strstrip(parts[i]), 10, 1, 100000, &value, NULL))
            rc = -1;
        steps[i] = (unsigned)value;
    }
    g_strfreev(parts);
    if (rc < 0) {
        g_free(steps);
        return rc;
    }
    *out = steps;
    *count = n;
    return 0;
}

#define ENTRY_COUNT 44 /* room for the table below */

/* Option values before they are checked and copied into struct bench_options: GLib's parser
 * writes ints and gbooleans. */
struct raw_values {
    int count, threads, sockets, audio_bytes, video_bitrate, fps, mtu, server_pid, decrypt_every;
    gint64 room, mountpoint;
    gboolean no_audio, no_video, sweep, quiet, data, simulcast;
};

/* The option table, pointing into `raw`, `options` (doubles taken as they are) and owned. */
static void fill_entries(GOptionEntry *e, struct raw_values *raw, struct bench_options *options,
                         char **server_cpus)
{
    const GOptionEntry entries[] = {
        {"url", 'u', 0, G_OPTION_ARG_STRING, &owned.url, "Janus API URL (ws://... or http://...)",
         "URL"},
        {"target", 't', 0, G_OPTION_ARG_STRING, &owned.target,
         "Server name in reports (prism, janus)", "NAME"},
        {"count", 'n', 0, G_OPTION_ARG_INT, &raw->count,
         "Sessions / participants / viewers (default 2)", "N"},
        {"duration", 'd', 0, G_OPTION_ARG_DOUBLE, &options->duration_s,
         "Measured seconds (default 10)", "S"},
        {"ramp", 0, 0, G_OPTION_ARG_DOUBLE, &options->ramp_per_s,
         "Joins per second while ramping up (default 20)", "R"},
        {"warmup", 0, 0, G_OPTION_ARG_DOUBLE, &options->warmup_s,
         "Seconds of media before measuring (default 1)", "S"},
        {"sockets", 0, 0, G_OPTION_ARG_INT, &raw->sockets,
         "api: connections to spread requests over (default 1)", "N"},
        {"rate", 0, 0, G_OPTION_ARG_DOUBLE, &options->churn_rate,
         "churn: joins per second (default 2)", "R"},
        {"stay", 0, 0, G_OPTION_ARG_DOUBLE, &options->churn_stay_s,
         "churn: seconds each participant stays (default 5)", "S"},
        {"no-audio", 0, 0, G_OPTION_ARG_NONE, &raw->no_audio, "Publish no audio", NULL},
        {"no-video", 0, 0, G_OPTION_ARG_NONE, &raw->no_video, "Publish no video", NULL},
        {"audio-bytes", 0, 0, G_OPTION_ARG_INT, &raw->audio_bytes,
         "Opus payload bytes per 20 ms (default 80)", "B"},
        {"video-bitrate", 0, 0, G_OPTION_ARG_INT, &raw->video_bitrate,
         "Video bits per second (default 500000)", "BPS"},
        {"fps", 0, 0, G_OPTION_ARG_INT, &raw->fps, "Video frames per second (default 30)", "N"},
        {"mtu", 0, 0, G_OPTION_ARG_INT, &raw->mtu, "Largest video RTP payload (default 1100)", "B"},
        {"pli-interval", 0, 0, G_OPTION_ARG_DOUBLE, &options->pli_interval_s,
         "Seconds between keyframe requests of the measuring subscribers (default 3, 0 = none)",
         "S"},
        {"simulcast", 0, 0, G_OPTION_ARG_NONE, &raw->simulcast,
         "VideoRoom: publishers send three rid layers (l/m/h: 320x180 at a quarter, 640x360 at "
         "half, 1280x720 at the full video bitrate) with VP8 temporal layers; subscribers ask "
         "for layer (their index mod 3)",
         NULL},
        {"switch-interval", 0, 0, G_OPTION_ARG_DOUBLE, &options->switch_interval_s,
         "With --simulcast: subscribers move to the next layer every S seconds (default 0 = "
         "never)",
         "S"},
        {"data", 0, 0, G_OPTION_ARG_NONE, &raw->data, "echo: negotiate a data channel too", NULL},
        {"decrypt-every", 0, 0, G_OPTION_ARG_INT, &raw->decrypt_every,
         "Decrypt 1 received packet in N per stream, plus frame starts while a keyframe is "
         "awaited (default 16; 1 = all)",
         "N"},
        {"room", 0, 0, G_OPTION_ARG_INT64, &raw->room,
         "Use this existing room (default: create one)", "ID"},
        {"ingest", 0, 0, G_OPTION_ARG_STRING, &owned.ingest,
         "broadcast: videoroom (Janus API publisher, default), whip, or rtp (plain RTP to a "
         "streaming mountpoint)",
         "HOW"},
        {"viewers", 0, 0, G_OPTION_ARG_STRING, &owned.viewers,
         "broadcast: janus (Janus API, default) or whep", "HOW"},
        {"mountpoint", 0, 0, G_OPTION_ARG_INT64, &raw->mountpoint,
         "rtp ingest: use this existing mountpoint (default: create one)", "ID"},
        {"http-url", 0, 0, G_OPTION_ARG_STRING, &owned.http_url,
         "WHIP/WHEP base URL (default: from --url, port 8088 for ws://)", "URL"},
        {"token", 0, 0, G_OPTION_ARG_STRING, &owned.token,
         "The room's or mountpoint's pin: WHIP/WHEP bearer token, pin of joins and watch", "TOKEN"},
        {"ice", 0, 0, G_OPTION_ARG_STRING, &owned.ice,
         "Participants' ICE: light (one socket each on the worker's epoll loop, default) or "
         "libnice (a libnice agent each, on the worker's GMainContext)",
         "MODE"},
        {"threads", 0, 0, G_OPTION_ARG_INT, &raw->threads, "Bench worker threads (default 1)", "N"},
        {"server-pid", 0, 0, G_OPTION_ARG_INT, &raw->server_pid,
         "Server process to sample (default: the one listening on the URL's port; -1 none)", "PID"},
        {"cpus", 0, 0, G_OPTION_ARG_STRING, &owned.cpus,
         "Pin the bench to these CPUs (taskset list)", "LIST"},
        {"server-cpus", 0, 0, G_OPTION_ARG_STRING, server_cpus,
         "Pin the server's threads to these CPUs", "LIST"},
        {"sweep", 0, 0, G_OPTION_ARG_NONE, &raw->sweep,
         "Raise the load step by step and report the largest held", NULL},
        {"steps", 0, 0, G_OPTION_ARG_STRING, &owned.steps,
         "Sweep loads, e.g. 2,4,6 (default per scenario)", "LIST"},
        {"max-loss", 0, 0, G_OPTION_ARG_DOUBLE, &options->max_loss_pct,
         "Sweep limit: loss % (default 0.5)", "PCT"},
        {"max-p99", 0, 0, G_OPTION_ARG_DOUBLE, &options->max_p99_ms,
         "Sweep limit: latency p99 ms (default 100)", "MS"},
        {"json", 'o', 0, G_OPTION_ARG_FILENAME, &owned.json,
         "Result file (default bench/results/...)", "FILE"},
        {"plot", 0, 0, G_OPTION_ARG_FILENAME, &owned.plot,
         "Sweep plot, .svg or .png (default beside the JSON)", "FILE"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &raw->quiet, "No progress line", NULL},
        {0}};
    _Static_assert(sizeof(entries) <= ENTRY_COUNT * sizeof(GOptionEntry), "ENTRY_COUNT");
    memcpy(e, entries, sizeof(entries));
}

/* Checks the parsed values and copies them into options; false when one is out of range. Times
 * and rates are checked too: they are converted to integers later. */
static bool apply_values(const struct raw_values *raw, struct bench_options *options)
{
    if (raw->count < 1 || raw->threads < 1 || raw->decrypt_every < 1 || raw->sockets < 1 ||
        raw->fps < 1 || raw->mtu < 200 || raw->mtu > 1400 || raw->audio_bytes < 10 ||
        raw->audio_bytes > 1000 || raw->video_bitrate < 10000 ||
        !(options->duration_s > 0 && options->duration_s < 1e6) ||
        !(options->ramp_per_s >= 0 && options->ramp_per_s < 1e6) ||
        !(options->warmup_s >= 0 && options->warmup_s < 1e6) ||
        !(options->churn_rate > 0 && options->churn_rate < 1e6) ||
        !(options->churn_stay_s >= 0 && options->churn_stay_s < 1e6) ||
        !(options->pli_interval_s >= 0 && options->pli_interval_s < 1e6) ||
        !(options->switch_interval_s >= 0 && options->switch_interval_s < 1e6) || raw->room < 0 ||
        raw->mountpoint < 0)
        return false;
    if ((owned.ingest && bench_ingest_from_name(owned.ingest, &options->ingest) < 0) ||
        (owned.viewers && bench_viewers_from_name(owned.viewers, &options->viewers) < 0))
        return false;
    /* The paths are the broadcast's: another scenario ignoring them would mislead. */
    if (options->scenario != BENCH_SCENARIO_BROADCAST &&
        (options->ingest != BENCH_INGEST_VIDEOROOM || options->viewers != BENCH_VIEWERS_JANUS ||
         raw->mountpoint))
        return false;
    /* Simulcast is the VideoRoom's, through the Janus API, with video. */
    if ((raw->simulcast || options->switch_interval_s > 0) &&
        (!raw->simulcast || raw->no_video || options->scenario == BENCH_SCENARIO_API ||
         options->scenario == BENCH_SCENARIO_ECHO || options->ingest != BENCH_INGEST_VIDEOROOM ||
         options->viewers != BENCH_VIEWERS_JANUS))
        return false;
    options->simulcast = raw->simulcast;
    if (owned.ice && strcmp(owned.ice, "light") != 0 && strcmp(owned.ice, "libnice") != 0)
        return false;
    options->libnice_ice = owned.ice && strcmp(owned.ice, "libnice") == 0;
    options->mountpoint_id = (uint64_t)raw->mountpoint;
    options->http_url = owned.http_url;
    options->token = owned.token;
    options->count = (unsigned)raw->count;
    options->threads = (unsigned)raw->threads;
    options->decrypt_every = (unsigned)raw->decrypt_every;
    options->sockets = (unsigned)raw->sockets;
    options->audio_bytes = (uint32_t)raw->audio_bytes;
    options->video_bitrate = (uint32_t)raw->video_bitrate;
    options->video_fps = (unsigned)raw->fps;
    options->video_mtu = (uint32_t)raw->mtu;
    options->server_pid = raw->server_pid;
    options->room_id = (uint64_t)raw->room;
    options->audio = !raw->no_audio;
    options->video = !raw->no_video;
    options->data_channel = raw->data;
    options->sweep = raw->sweep;
    options->quiet = raw->quiet;
    if (owned.url)
        options->url = owned.url;
    if (owned.target)
        options->target = owned.target;
    options->cpus = owned.cpus;
    options->json_path = owned.json;
    options->plot_path = owned.plot;
    return true;
}

int bench_cli_parse(int argc, char **argv, struct bench_options *options, unsigned **steps,
                    char **server_cpus)
{
    bench_options_defaults(options);
    if (bench_scenario_from_name(argv[0], &options->scenario) < 0) {
        fprintf(stderr, "prism-bench: unknown scenario '%s' (api, echo, room, broadcast, churn)\n",
                argv[0]);
        return 2;
    }
    atexit(free_owned);
    struct raw_values raw = {.count = (int)options->count,
                             .threads = (int)options->threads,
                             .sockets = (int)options->sockets,
                             .audio_bytes = (int)options->audio_bytes,
                             .video_bitrate = (int)options->video_bitrate,
                             .fps = (int)options->video_fps,
                             .mtu = (int)options->video_mtu,
                             .decrypt_every = (int)options->decrypt_every};
    GOptionEntry entries[ENTRY_COUNT];
    fill_entries(entries, &raw, options, server_cpus);
    GOptionContext *context = g_option_context_new("- run a prism-bench scenario");
    g_option_context_add_main_entries(context, entries, NULL);
    GError *error = NULL;
    gboolean ok = g_option_context_parse(context, &argc, &argv, &error);
    g_option_context_free(context);
    if (!ok) {
        fprintf(stderr, "prism-bench: %s\n", error->message);
        g_error_free(error);
        return 2;
    }
    if (!apply_values(&raw, options)) {
        fprintf(stderr, "prism-bench: a count, time, rate or size is out of range, or --ingest "
                        "or --viewers is not one of its names or not for this scenario (see "
                        "--help)\n");
        return 2;
    }
    const char *step_text = owned.steps ? owned.steps : default_steps(options->scenario);
    if (parse_steps(step_text, steps, &options->sweep_step_count) < 0) {
        fprintf(stderr, "prism-bench: --steps wants a list of positive numbers like 2,4,6\n");
        return 2;
    }
    options->sweep_steps = *steps;
    return 0;
}
