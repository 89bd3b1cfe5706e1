/* Defaults and names of the bench options. */
#include "bench/lib/scenario/options.h"

#include "bench/lib/stats/decrypt_sampler.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

static const char *const scenario_names[] = {
    [BENCH_SCENARIO_API] = "api",     [BENCH_SCENARIO_ECHO] = "echo",
    [BENCH_SCENARIO_ROOM] = "room",   [BENCH_SCENARIO_BROADCAST] = "broadcast",
    [BENCH_SCENARIO_CHURN] = "churn",
};

static const char *const ingest_names[] = {
    [BENCH_INGEST_VIDEOROOM] = "videoroom",
    [BENCH_INGEST_WHIP] = "whip",
    [BENCH_INGEST_RTP] = "rtp",
};

static const char *const viewers_names[] = {
    [BENCH_VIEWERS_JANUS] = "janus",
    [BENCH_VIEWERS_WHEP] = "whep",
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

static int index_of(const char *const *names, size_t count, const char *name)
{
    for (size_t i = 0; name && i < count; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -EINVAL;
}

const char *bench_ingest_name(enum bench_ingest ingest)
{
    return (unsigned)ingest < G_N_ELEMENTS(ingest_names) ? ingest_names[ingest] : "unknown";
}

int bench_ingest_from_name(const char *name, enum bench_ingest *out)
{
    int index = index_of(ingest_names, G_N_ELEMENTS(ingest_names), name);
    if (index < 0)
        return index;
    *out = (enum bench_ingest)index;
    return 0;
}

const char *bench_viewers_name(enum bench_viewers viewers)
{
    return (unsigned)viewers < G_N_ELEMENTS(viewers_names) ? viewers_names[viewers] : "unknown";
}

int bench_viewers_from_name(const char *name, enum bench_viewers *out)
{
    int index = index_of(viewers_names, G_N_ELEMENTS(viewers_names), name);
    if (index < 0)
        return index;
    *out = (enum bench_viewers)index;
    return 0;
}

/* "scheme://authority" of a URL (the authority up to the first '/'), or NULL. */
static char *origin_of(const char *url, const char **scheme_end)
{
    const char *sep = url ? strstr(url, "://") : NULL;
    if (!sep || sep == url)
        return NULL;
    const char *authority = sep + 3;
    size_t length = strcspn(authority, "/?#");
    if (length == 0)
        return NULL;
    *scheme_end = sep;
    return g_strndup(url, (gsize)(authority + length - url));
}

char *bench_options_http_base(const struct bench_options *options)
{
    if (options->http_url && options->http_url[0]) {
        char *base = g_strdup(options->http_url);
        size_t length = strlen(base);
        while (length > 0 && base[length - 1] == '/')
            base[--length] = '\0';
        return base;
    }
    const char *scheme_end = NULL;
    char *origin = origin_of(options->url, &scheme_end);
    if (!origin)
        return g_strdup("http://127.0.0.1:8088");
    if (g_str_has_prefix(origin, "http://") || g_str_has_prefix(origin, "https://"))
        return origin;
    /* ws://host:port: the HTTP server is on Janus's and Prism's default HTTP port. */
    const char *host = scheme_end + 3;
    size_t host_length = strcspn(host, ":");
    if (host[0] == '[')
        host_length = strcspn(host, "]") + 1;
    char *base = g_strdup_printf("%s://%.*s:8088",
                                 g_str_has_prefix(origin, "wss") ? "https" : "http",
                                 (int)host_length, host);
    g_free(origin);
    return base;
}
