/* The prism process: flags and configuration, start-up in dependency order,
 * the main loop (signals and the API clock), and an orderly shutdown. */
#include "core/config.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/memory.h"
#include "core/portcheck.h"
#include "core/worker.h"
#include "media/peer/env.h"
#include "media/srtp/library.h"
#include "plugins/builtin.h"
#include "signaling/api/api.h"
#include "signaling/http/http.h"
#include "signaling/metrics/collect.h"
#include "signaling/webhook/webhook.h"
#include "signaling/whip/whip.h"
#include "signaling/ws/ws.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* Everything the process starts, in start order; stopped in reverse. */
struct prism_process {
    struct prism_config *config;
    const struct prism_plugin *const *plugins;
    size_t plugin_count;
    size_t plugins_started;
    struct prism_media *media;
    struct prism_worker_pool *workers;
    struct prism_api *api;
    struct prism_http *http;
    struct prism_whip *whip;
    struct prism_ws *ws;
    struct prism_webhook *webhook;
    struct prism_metrics_sources metrics; /* what GET /metrics reads */
    struct prism_http *admin_http;
    struct prism_ws *admin_ws;
    double start_time_seconds; /* Unix time, for process_start_time_seconds */
    GMainLoop *loop;
    struct prism_memory_trim_policy trim; /* main thread only */
    /* The graceful stop (general.drain_timeout); main thread only. */
    unsigned drain_timeout_s;
    bool draining;
    uint64_t drain_deadline_us;
};

static void print_usage(FILE *out)
{
    fprintf(out,
            "Usage: prism [options]\n\n"
            "Prism, a WebRTC SFU speaking the Janus API.\n\n"
            "  -h, --help             show this help and exit\n"
            "  -V, --version          show the version and exit\n"
            "  -c, --config-dir DIR   read the .jcfg files from DIR\n"
            "                         (default %s, if it exists)\n"
            "      --print-config     print every setting and where it came from, then exit\n\n"
            "Every setting can also be given as an environment variable\n"
            "PRISM_<SECTION>_<KEY>; flags override the environment, which overrides the\n"
            "files. Flags:\n\n",
            PRISM_DEFAULT_CONFIG_DIR);
    prism_config_print_flags(out);
}

/* The directory named by -c/--config-dir, or NULL. Exits on a missing value. */
static const char *find_config_dir(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--config-dir=", 13) == 0)
            return arg + 13;
        if (strcmp(arg, "-c") == 0 || strcmp(arg, "--config-dir") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "prism: %s needs a directory\n", arg);
                exit(2);
            }
            return argv[i + 1];
        }
    }
    return NULL;
}

/* Applies the flags to the configuration; exits on a bad one. Returns true
 * when --print-config was asked for. */
static bool apply_flags(struct prism_config *config, int argc, char **argv)
{
    bool print_config = false;
    char error[512];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-c") == 0 || strcmp(arg, "--config-dir") == 0) {
            i++;
            continue;
        }
        if (strncmp(arg, "--config-dir=", 13) == 0)
            continue;
        if (strcmp(arg, "--print-config") == 0) {
            print_config = true;
            continue;
        }
        int rc = prism_config_take_flag(config, argc, argv, &i, error, sizeof(error));
        if (rc == -ENOENT) {
            fprintf(stderr, "prism: unknown option '%s' (see prism --help)\n", arg);
            exit(2);
        }
        if (rc < 0) {
            fprintf(stderr, "prism: %s\n", error);
            exit(2);
        }
    }
    return print_config;
}

static struct prism_config *load_config(int argc, char **argv, bool *print_config)
{
    const char *dir = find_config_dir(argc, argv);
    if (!dir && g_file_test(PRISM_DEFAULT_CONFIG_DIR, G_FILE_TEST_IS_DIR))
        dir = PRISM_DEFAULT_CONFIG_DIR;
    struct prism_config *config = NULL;
    char error[512];
    if (prism_config_load(&config, dir, environ, error, sizeof(error)) < 0) {
        fprintf(stderr, "prism: configuration error: %s\n", error);
        exit(2);
    }
    *print_config = apply_flags(config, argc, argv);
    return config;
}

/* Exits when the log file cannot be opened: an operator who asked for one must not find it
 * silently empty. */
static void configure_logging(const struct prism_config *config)
{
    enum prism_log_level level = PRISM_LOG_INFO;
    prism_log_parse_level(prism_config_get_string(config, "general", "log_level"), &level);
    prism_log_configure(level, prism_config_get_bool(config, "general", "log_json"));
    const char *log_file = prism_config_get_string(config, "general", "log_file");
    if (log_file[0]) {
        int rc = prism_log_open_file(log_file);
        if (rc < 0) {
            fprintf(stderr, "prism: general.log_file: cannot open %s: %s\n", log_file,
                    g_strerror(-rc));
            exit(2);
        }
    }
}

/* Refuses to start when a configured port cannot be bound, before any port
 * is opened, so a half-started server never lingers. */
static bool ports_usable(const struct prism_config *config)
{
    static const char *const sections[] = {"http", "websockets"};
    bool usable = true;
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        if (!prism_config_get_bool(config, sections[i], "enabled"))
            continue;
        const char *interface = prism_config_get_string(config, sections[i], "interface");
        int port = prism_config_get_int(config, sections[i], "port");
        char reason[256];
        if (prism_port_check_tcp(interface, (uint16_t)port, reason, sizeof(reason)) < 0) {
            prism_error("main", "%s.port: cannot listen on %s:%d: %s", sections[i], interface, port,
                        reason);
            usable = false;
        }
    }
    return usable;
}

static int start_workers(struct prism_process *process)
{
    int workers = prism_config_get_int(process->config, "general", "workers");
    if (workers == 0)
        workers = (int)g_get_num_processors();
    return prism_worker_pool_create(&process->workers, (unsigned)workers);
}

static int start_plugins(struct prism_process *process)
{
    process->plugins = prism_builtin_plugins(&process->plugin_count);
    for (size_t i = 0; i < process->plugin_count; i++) {
        const struct prism_plugin *plugin = process->plugins[i];
        int rc = plugin->init(process->config, process->workers);
        if (rc < 0) {
            prism_error("main", "plugin %s failed to start: %s", plugin->package, g_strerror(-rc));
            return rc;
        }
        process->plugins_started++;
    }
    return 0;
}

static int start_media(struct prism_process *process)
{
    char error[512];
    int rc = prism_media_start(&process->media, process->config, error, sizeof(error));
    if (rc < 0)
        prism_error("main", "media: %s", error);
    return rc;
}

static int start_api(struct prism_process *process)
{
    const struct prism_config *config = process->config;
    struct prism_api_config api_config = {
        .server_name = prism_config_get_string(config, "general", "server_name"),
        .session_timeout_s = (unsigned)prism_config_get_int(config, "general", "session_timeout"),
        .reclaim_timeout_s = (unsigned)prism_config_get_int(config, "general",
                                                            "reclaim_session_timeout"),
        .max_sessions = (unsigned)prism_config_get_int(config, "general", "max_sessions"),
        .max_handles_per_session = (unsigned)prism_config_get_int(config, "general",
                                                                  "max_handles_per_session"),
        .max_sessions_per_address = (unsigned)prism_config_get_int(config, "general",
                                                                   "max_sessions_per_address"),
        .requests_per_second = (unsigned)prism_config_get_int(config, "general",
                                                              "requests_per_second"),
        .request_burst = (unsigned)prism_config_get_int(config, "general", "request_burst"),
        .auth =
            {
                .api_secret = prism_config_get_string(config, "general", "api_secret"),
                .token_auth = prism_config_get_bool(config, "general", "token_auth"),
                .token_auth_secret = prism_config_get_string(config, "general",
                                                             "token_auth_secret"),
            },
        .admin_secret = prism_config_get_string(config, "general", "admin_secret"),
    };
    return prism_api_create(&process->api, &api_config, process->plugins, process->plugin_count,
                            process->workers);
}

/* The Admin API's listeners, each on a port of its own. */
static int start_admin_transports(struct prism_process *process)
{
    const struct prism_config *config = process->config;
    if (prism_config_get_bool(config, "admin_http", "enabled")) {
        struct prism_http_config http = {
            .interface = prism_config_get_string(config, "admin_http", "interface"),
            .port = (uint16_t)prism_config_get_int(config, "admin_http", "port"),
            .base_path = prism_config_get_string(config, "admin_http", "base_path"),
            .max_body_size = (size_t)prism_config_get_int(config, "http", "max_body_size"),
            .cors_allow_origin = prism_config_get_string(config, "cors", "allow_origin"),
            .admin = true,
            .metrics_page_cb = prism_metrics_collect_page,
            .metrics_data = &process->metrics,
        };
        process->metrics = (struct prism_metrics_sources){
            .api = process->api,
            .workers = process->workers,
            .plugins = process->plugins,
            .plugin_count = process->plugin_count,
            .webhook = process->webhook,
            .start_time_seconds = process->start_time_seconds,
        };
        int rc = prism_http_start(&process->admin_http, &http, process->api);
        if (rc < 0)
            return rc;
    }
    if (prism_config_get_bool(config, "admin_ws", "enabled")) {
        struct prism_ws_config ws = {
            .interface = prism_config_get_string(config, "admin_ws", "interface"),
            .port = (uint16_t)prism_config_get_int(config, "admin_ws", "port"),
            .max_message_size = (size_t)prism_config_get_int(config, "websockets",
                                                             "max_message_size"),
            .admin = true,
        };
        int rc = prism_ws_start(&process->admin_ws, &ws, process->api);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A relative static_dir is looked for in the working directory (a checkout: "web"), then in
 * the data folder `cmake --install` fills (share/prism under the install prefix). */
static const char *find_static_dir(const char *dir, char *path, size_t size)
{
    if (!dir || !dir[0] || g_path_is_absolute(dir) || g_file_test(dir, G_FILE_TEST_IS_DIR))
        return dir;
    snprintf(path, size, "%s/%s", PRISM_DEFAULT_DATA_DIR, dir);
    return g_file_test(path, G_FILE_TEST_IS_DIR) ? path : dir;
}

static int start_transports(struct prism_process *process)
{
    const struct prism_config *config = process->config;
    if (prism_config_get_bool(config, "http", "enabled") &&
        prism_config_get_bool(config, "whip", "enabled")) {
        struct prism_whip_config whip = {
            .ice_timeout_s = (unsigned)prism_config_get_int(config, "whip", "ice_timeout"),
        };
        int rc = prism_whip_create(&process->whip, &whip, process->api);
        if (rc < 0)
            return rc;
    }
    if (prism_config_get_bool(config, "http", "enabled")) {
        char static_path[4096];
        struct prism_http_config http = {
            .interface = prism_config_get_string(config, "http", "interface"),
            .port = (uint16_t)prism_config_get_int(config, "http", "port"),
            .base_path = prism_config_get_string(config, "http", "base_path"),
            .max_body_size = (size_t)prism_config_get_int(config, "http", "max_body_size"),
            .long_poll_timeout_s = (unsigned)prism_config_get_int(config, "http",
                                                                  "long_poll_timeout"),
            .max_connections = (unsigned)prism_config_get_int(config, "http", "max_connections"),
            .max_connections_per_address = (unsigned)prism_config_get_int(
                config, "http", "max_connections_per_address"),
            .cors_allow_origin = prism_config_get_string(config, "cors", "allow_origin"),
            .static_dir = prism_config_get_bool(config, "http", "static_enabled")
                              ? find_static_dir(
                                    prism_config_get_string(config, "http", "static_dir"),
                                    static_path, sizeof(static_path))
                              : NULL,
            .cert_pem = prism_config_get_string(config, "http", "cert_pem"),
            .cert_key = prism_config_get_string(config, "http", "cert_key"),
            .cert_pwd = prism_config_get_string(config, "http", "cert_pwd"),
            .whip = process->whip,
        };
        int rc = prism_http_start(&process->http, &http, process->api);
        if (rc < 0)
            return rc;
    }
    if (prism_config_get_bool(config, "websockets", "enabled")) {
        struct prism_ws_config ws = {
            .interface = prism_config_get_string(config, "websockets", "interface"),
            .port = (uint16_t)prism_config_get_int(config, "websockets", "port"),
            .max_message_size = (size_t)prism_config_get_int(config, "websockets",
                                                             "max_message_size"),
            .max_connections_per_address = (unsigned)prism_config_get_int(
                config, "websockets", "max_connections_per_address"),
            .cert_pem = prism_config_get_string(config, "websockets", "cert_pem"),
            .cert_key = prism_config_get_string(config, "websockets", "cert_key"),
            .cert_pwd = prism_config_get_string(config, "websockets", "cert_pwd"),
        };
        int rc = prism_ws_start(&process->ws, &ws, process->api);
        if (rc < 0)
            return rc;
    }
    return start_admin_transports(process);
}

static void print_urls(const struct prism_process *process)
{
    const struct prism_config *config = process->config;
    if (process->http) {
        const char *scheme = prism_http_is_tls(process->http) ? "https" : "http";
        const char *interface = prism_config_get_string(config, "http", "interface");
        const char *base_path = prism_config_get_string(config, "http", "base_path");
        unsigned port = prism_http_port(process->http);
        prism_info("main", "Janus API over HTTP: %s://%s:%u%s (info: %s://%s:%u%s/info)", scheme,
                   interface, port, base_path, scheme, interface, port, base_path);
    }
    if (process->ws)
        prism_info("main", "Janus API over WebSocket: %s://%s:%u (subprotocol janus-protocol)",
                   prism_ws_is_tls(process->ws) ? "wss" : "ws",
                   prism_config_get_string(config, "websockets", "interface"),
                   prism_ws_port(process->ws));
}

/* Stops everything that started, in reverse order. Clients first get the
 * final "hangup"/"detached" events, then their connections close. */
static void stop_process(struct prism_process *process)
{
    if (process->api)
        prism_api_shutdown(process->api);
    if (process->admin_ws) {
        prism_ws_stop(process->admin_ws);
        prism_ws_destroy(process->admin_ws);
    }
    if (process->admin_http) {
        prism_http_stop(process->admin_http);
        prism_http_destroy(process->admin_http);
    }
    if (process->ws) {
        prism_ws_stop(process->ws);
        prism_ws_destroy(process->ws);
    }
    if (process->http) {
        prism_http_stop(process->http);
        prism_http_destroy(process->http);
    }
    prism_whip_destroy(process->whip);
    prism_api_destroy(process->api);
    /* Plugins free what they pinned to workers (rooms) while the pool still exists. */
    for (size_t i = process->plugins_started; i > 0; i--)
        process->plugins[i - 1]->destroy();
    prism_worker_pool_destroy(process->workers);
    /* After the workers: nothing emits events any more. */
    prism_webhook_shutdown(process->webhook);
    prism_media_stop(process->media);
    if (process->loop)
        g_main_loop_unref(process->loop);
    prism_config_free(process->config);
}

static void quit(struct prism_process *process, const char *why)
{
    prism_info("main", "stopping: %s", why);
    g_main_loop_quit(process->loop);
}

/* New sessions are refused (472) from here; the existing ones go on until they end or the
 * deadline passes (checked by the tick). */
static void start_drain(struct prism_process *process, unsigned sessions)
{
    process->draining = true;
    process->drain_deadline_us = prism_now_us() + (uint64_t)process->drain_timeout_s * 1000000u;
    prism_api_set_accepting(process->api, false);
    prism_info("main", "draining: refusing new sessions; %u open session(s) have up to %u s",
               sessions, process->drain_timeout_s);
}

/* SIGTERM or SIGINT: a drain when one is configured and sessions are open, else (or on the
 * second signal) a stop at once. */
static gboolean stop_signal_cb(gpointer data)
{
    struct prism_process *process = data;
    unsigned sessions = prism_api_session_count(process->api);
    if (process->draining)
        quit(process, "second stop signal during the drain");
    else if (process->drain_timeout_s == 0)
        quit(process, "stop signal");
    else if (sessions == 0)
        quit(process, "stop signal, no session to drain");
    else
        start_drain(process, sessions);
    return G_SOURCE_CONTINUE;
}

static void check_drain(struct prism_process *process, uint64_t now_us)
{
    if (!process->draining)
        return;
    if (prism_api_session_count(process->api) == 0)
        quit(process, "drained, the last session ended");
    else if (now_us >= process->drain_deadline_us)
        quit(process, "drain timeout reached, ending the remaining sessions");
}

/* SIGHUP: logrotate renamed the log file; write to a new one under the configured name. */
static gboolean reopen_log_cb(gpointer data)
{
    int rc = prism_log_reopen();
    if (rc == 0)
        prism_info("main", "SIGHUP: log file reopened");
    else if (rc == 1)
        prism_info("main", "SIGHUP: logging to stderr, no log file to reopen");
    else
        prism_error("main", "SIGHUP: cannot reopen the log file: %s", g_strerror(-rc));
    return G_SOURCE_CONTINUE;
}

/* Gives memory back after churn. On the main thread, so no worker spends its time on it; a
 * worker allocating meanwhile may wait for the lock of the one arena being walked. */
static void trim_memory_if_due(struct prism_process *process, uint64_t now_us)
{
    uint64_t releases = prism_worker_pool_releases(process->workers);
    if (!prism_memory_trim_due(&process->trim, releases, now_us))
        return;
    prism_memory_trim();
    prism_debug("main", "gave free memory back to the kernel in %" G_GUINT64_FORMAT " us",
                prism_now_us() - now_us);
}

static gboolean api_tick_cb(gpointer data)
{
    struct prism_process *process = data;
    uint64_t now_us = prism_now_us();
    prism_api_tick(process->api, now_us);
    check_drain(process, now_us);
    if (process->whip)
        prism_whip_tick(process->whip, now_us);
    trim_memory_if_due(process, now_us);
    return G_SOURCE_CONTINUE;
}

static void run_main_loop(struct prism_process *process)
{
    process->loop = g_main_loop_new(NULL, FALSE);
    prism_memory_trim_policy_init(&process->trim, prism_now_us());
    process->drain_timeout_s = (unsigned)prism_config_get_int(process->config, "general",
                                                              "drain_timeout");
    guint sigint = g_unix_signal_add(SIGINT, stop_signal_cb, process);
    guint sigterm = g_unix_signal_add(SIGTERM, stop_signal_cb, process);
    guint sighup = g_unix_signal_add(SIGHUP, reopen_log_cb, process);
    guint tick = g_timeout_add_seconds(1, api_tick_cb, process);
    g_main_loop_run(process->loop);
    g_source_remove(sigint);
    g_source_remove(sigterm);
    g_source_remove(sighup);
    g_source_remove(tick);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            print_usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
            char srtp[160];
            prism_srtp_library_describe(srtp, sizeof(srtp));
            printf("prism %s\n%s\n", PRISM_VERSION_STRING, srtp);
            return 0;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN); /* until the main loop reopens the log on it */
    prism_memory_configure();
    struct prism_process process = {.start_time_seconds = (double)g_get_real_time() / 1e6};
    bool print_config = false;
    process.config = load_config(argc, argv, &print_config);
    if (print_config) {
        prism_config_print(process.config, stdout);
        prism_config_free(process.config);
        return 0;
    }
    configure_logging(process.config);
    if (!ports_usable(process.config)) {
        prism_config_free(process.config);
        return 1;
    }
    prism_info("main", "Prism %s starting", PRISM_VERSION_STRING);
    prism_srtp_log_library();
    if (prism_webhook_start_from_config(&process.webhook, process.config) < 0 ||
        start_workers(&process) < 0 || start_plugins(&process) < 0 || start_media(&process) < 0 ||
        start_api(&process) < 0 || start_transports(&process) < 0) {
        prism_error("main", "start-up failed");
        stop_process(&process);
        return 1;
    }
    print_urls(&process);
    run_main_loop(&process);
    stop_process(&process);
    prism_info("main", "stopped");
    return 0;
}
