/* The HTTP transport's lifetime: the listening socket, the MHD daemon, the
 * sweeper thread that times long-polls out, and the shutdown drain. */
#include "signaling/http/internal.h"

#include "core/ids.h"
#include "core/log.h"
#include "signaling/api/api.h"
#include "signaling/api/errors.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct prism_transport_info transport_info = {
    .package = "janus.transport.http",
    .name = "Prism REST (HTTP) transport",
    .description = "Janus API over HTTP REST with event long-polls, on libmicrohttpd",
    .author = "Prism",
    .version = 1,
    .version_string = PRISM_VERSION_STRING,
};

/* libmicrohttpd's lines, each kind (its format string, a literal in MHD) at most once per
 * interval: a client can make MHD repeat one ("Server reached connection limit") per
 * connection it opens. */
__attribute__((format(printf, 2, 0))) static void mhd_log_cb(void *cls, const char *format,
                                                             va_list args)
{
    struct prism_http *http = cls;
    uint64_t suppressed = 0;
    g_mutex_lock(&http->mhd_log_lock);
    size_t slot = 0;
    while (slot < HTTP_MHD_LOG_KINDS && http->mhd_log[slot].format &&
           http->mhd_log[slot].format != format)
        slot++;
    if (slot == HTTP_MHD_LOG_KINDS)
        slot = HTTP_MHD_LOG_KINDS - 1; /* more kinds than slots: the last slot is shared */
    http->mhd_log[slot].format = format;
    bool allowed = prism_log_limit_allow(&http->mhd_log[slot].limit, prism_now_us(), &suppressed);
    g_mutex_unlock(&http->mhd_log_lock);
    if (!allowed)
        return;
    char line[512];
    vsnprintf(line, sizeof(line), format, args);
    size_t length = strlen(line);
    while (length > 0 && line[length - 1] == '\n')
        line[--length] = '\0';
    if (suppressed)
        prism_warn("http", "libmicrohttpd: %s (%" G_GUINT64_FORMAT " more since the last line)",
                   line, suppressed);
    else
        prism_warn("http", "libmicrohttpd: %s", line);
}

/* Parses the interface address; writes "host:port" ("[v6]:port") for logs. */
static int make_address(const char *interface, uint16_t port, struct sockaddr_storage *address,
                        socklen_t *length, char *endpoint, size_t endpoint_size)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)address;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)address;
    memset(address, 0, sizeof(*address));
    if (inet_pton(AF_INET, interface, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        *length = sizeof(*v4);
        snprintf(endpoint, endpoint_size, "%s:%u", interface, port);
        return 0;
    }
    if (inet_pton(AF_INET6, interface, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        *length = sizeof(*v6);
        snprintf(endpoint, endpoint_size, "[%s]:%u", interface, port);
        return 0;
    }
    prism_error("http", "interface '%s' is not an IPv4 or IPv6 address", interface);
    return -EINVAL;
}

/* Binds and listens ourselves (rather than through MHD) to report why it
 * failed, and to learn the port when port 0 was asked for. */
static int open_listen_socket(struct prism_http *http, uint16_t port)
{
    struct sockaddr_storage address;
    socklen_t length = 0;
    char endpoint[INET6_ADDRSTRLEN + 16];
    int rc = make_address(http->interface, port, &address, &length, endpoint, sizeof(endpoint));
    if (rc < 0)
        return rc;
    int fd = socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        rc = -errno;
        goto fail;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (address.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&address, length) < 0 || listen(fd, SOMAXCONN) < 0 ||
        getsockname(fd, (struct sockaddr *)&address, &length) < 0) {
        rc = -errno;
        goto fail;
    }
    http->listen_fd = fd;
    http->port = ntohs(address.ss_family == AF_INET ? ((struct sockaddr_in *)&address)->sin_port
                                                    : ((struct sockaddr_in6 *)&address)->sin6_port);
    return 0;
fail:
    prism_error("http", "cannot listen on %s: %s", endpoint, strerror(-rc));
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Answers long-polls whose deadline passed and forgets ended sessions whose
 * grace time ran out, sleeping until the next deadline. */
static gpointer sweeper_main(gpointer data)
{
    struct http_hub *hub = data;
    GPtrArray *answered = g_ptr_array_new();
    g_mutex_lock(&hub->lock);
    while (!hub->sweeper_quit) {
        uint64_t now = prism_now_us();
        prism_http_queue_expire(hub->queue, now, answered);
        http_hub_resume_answered_locked(hub, answered);
        uint64_t next = prism_http_queue_next_deadline(hub->queue);
        if (next == UINT64_MAX)
            g_cond_wait(&hub->changed, &hub->lock);
        else if (next > now)
            g_cond_wait_until(&hub->changed, &hub->lock,
                              g_get_monotonic_time() + (gint64)(next - now));
    }
    g_mutex_unlock(&hub->lock);
    g_ptr_array_free(answered, TRUE);
    return NULL;
}

static int copy_config(struct prism_http *http, const struct prism_http_config *config)
{
    const char *base = config->base_path ? config->base_path : config->admin ? "/admin" : "/janus";
    http->admin = config->admin;
    if (base[0] != '/') {
        prism_error("http", "base path '%s' must start with '/'", base);
        return -EINVAL;
    }
    size_t base_length = strlen(base);
    while (base_length > 0 && base[base_length - 1] == '/')
        base_length--; /* "/janus/" is "/janus"; "/" becomes "", every path */
    http->base_path = g_strndup(base, base_length);
    http->interface = g_strdup(config->interface ? config->interface : "127.0.0.1");
    http->cors_allow_origin = g_strdup(config->cors_allow_origin ? config->cors_allow_origin : "*");
    http->max_body_size = config->max_body_size ? config->max_body_size : 1024 * 1024;
    http->long_poll_timeout_s = config->long_poll_timeout_s ? config->long_poll_timeout_s : 30;
    http->max_connections = config->max_connections ? config->max_connections : 1024;
    http->max_connections_per_address = config->max_connections_per_address;
    return 0;
}

static void free_http(struct prism_http *http)
{
    g_mutex_clear(&http->mhd_log_lock);
    http_tls_free(http);
    http_static_close(http);
    http_hub_unref(http->hub);
    g_free(http->base_path);
    g_free(http->interface);
    g_free(http->cors_allow_origin);
    free(http);
}

static int start_daemon(struct prism_http *http)
{
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem tls[4];
    size_t tls_count = http_tls_options(http, tls, sizeof(tls) / sizeof(tls[0]) - 1);
    if (tls_count > 0)
        flags |= MHD_USE_TLS;
    tls[tls_count] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    /* A plain-HTTP client on the HTTPS port fails its TLS handshake: MHD logs it and closes
     * that connection only. */
    http->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, http_access_cb, http, MHD_OPTION_EXTERNAL_LOGGER, mhd_log_cb, http,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)http->listen_fd, MHD_OPTION_CONNECTION_LIMIT,
        http->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        http->max_connections_per_address, MHD_OPTION_CONNECTION_TIMEOUT, HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_URI_LOG_CALLBACK, http_uri_cb, http, MHD_OPTION_NOTIFY_COMPLETED,
        http_completed_cb, http, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (!http->daemon) {
        /* The socket is not closed here: MHD may already have closed it on its
         * failure path, and a double close could hit another thread's fd. */
        prism_error("http", "cannot start libmicrohttpd on %s port %u", http->interface,
                    http->port);
        return -EIO;
    }
    GError *error = NULL;
    http->sweeper = g_thread_try_new("http-sweeper", sweeper_main, http->hub, &error);
    if (!http->sweeper) {
        prism_error("http", "cannot start the long-poll timer: %s", error->message);
        g_error_free(error);
        MHD_stop_daemon(http->daemon);
        http->daemon = NULL;
        return -EAGAIN;
    }
    return 0;
}

int prism_http_start(struct prism_http **out, const struct prism_http_config *config,
                     struct prism_api *api)
{
    if (!out || !config || !api)
        return -EINVAL;
    struct prism_http *http = calloc(1, sizeof(*http));
    if (!http)
        return -ENOMEM;
    http->api = api;
    g_mutex_init(&http->mhd_log_lock);
    http->listen_fd = -1;
    http->static_root_fd = -1;
    int rc = copy_config(http, config);
    if (rc == 0)
        rc = http_tls_load(http, config);
    if (rc == 0)
        rc = http_hub_create(&http->hub);
    if (rc < 0)
        goto fail;
    http->metrics_page_cb = config->metrics_page_cb;
    http->metrics_data = config->metrics_data;
    if (http->metrics_page_cb)
        http_metrics_route_init(&http->routes[http->route_count++]);
    http_janus_route_init(&http->routes[http->route_count++], http->base_path);
    http->whip = config->whip;
    if (http->whip) {
        http_whip_route_init(&http->routes[http->route_count++]);
        http_whep_route_init(&http->routes[http->route_count++]);
    }
    if (config->static_dir && config->static_dir[0])
        http_static_open(http, config->static_dir);
    if (http->static_root)
        http_static_route_init(&http->routes[http->route_count++]);
    rc = open_listen_socket(http, config->port);
    if (rc == 0)
        rc = start_daemon(http);
    if (rc < 0)
        goto fail;
    if (!http->admin)
        prism_api_add_transport(api, &transport_info);
    const char *scheme = http->tls_cert ? "https" : "http";
    prism_info("http", "%s on %s://%s:%u%s", http->admin ? "Admin API" : "Janus API", scheme,
               http->interface, http->port, http->base_path[0] ? http->base_path : "/");
    if (http->static_root)
        prism_info("http", "files of %s on %s://%s:%u/", http->static_root, scheme, http->interface,
                   http->port);
    *out = http;
    return 0;
fail:
    free_http(http);
    return rc;
}

bool prism_http_is_tls(const struct prism_http *http)
{
    return http->tls_cert != NULL;
}

uint16_t prism_http_port(const struct prism_http *http)
{
    return http->port;
}

void prism_http_stats(struct prism_http *http, struct prism_http_stats *out)
{
    struct http_hub *hub = http->hub;
    g_mutex_lock(&hub->lock);
    out->waiting_polls = (unsigned)prism_http_queue_waiter_count(hub->queue);
    out->queued_sessions = (unsigned)prism_http_queue_session_count(hub->queue);
    out->pending_replies = g_queue_get_length(&hub->pending);
    g_mutex_unlock(&hub->lock);
}

/* With the lock held: answers every long-poll and every request still
 * waiting for the engine, and stops anything from waiting again. */
static void answer_everyone_locked(struct http_hub *hub)
{
    hub->stopping = true;
    hub->sweeper_quit = true;
    GPtrArray *answered = g_ptr_array_new();
    prism_http_queue_answer_all(hub->queue, answered);
    http_hub_resume_answered_locked(hub, answered);
    g_ptr_array_free(answered, TRUE);
    GList *link;
    while ((link = g_queue_pop_head_link(&hub->pending))) {
        struct http_request *request = link->data;
        link->data = NULL;
        http_hub_ready_locked(
            hub, request,
            prism_api_error_reply(0, NULL, PRISM_API_ERROR_TRANSPORT_SPECIFIC, "Shutting down"),
            MHD_HTTP_SERVICE_UNAVAILABLE);
    }
    g_cond_broadcast(&hub->changed);
}

void prism_http_stop(struct prism_http *http)
{
    if (!http || http->stopped)
        return;
    http->stopped = true;
    if (!http->admin)
        prism_api_remove_transport(http->api, &transport_info);
    struct http_hub *hub = http->hub;
    /* No new connections from here; those open may still send requests,
     * which are answered at once. */
    http->listen_fd_ours = MHD_quiesce_daemon(http->daemon) != MHD_INVALID_SOCKET;
    g_mutex_lock(&hub->lock);
    answer_everyone_locked(hub);
    g_mutex_unlock(&hub->lock);
    g_thread_join(http->sweeper);
    http->sweeper = NULL;

    /* Let the answers reach their clients before the sockets close. */
    gint64 deadline = g_get_monotonic_time() + HTTP_DRAIN_TIMEOUT_US;
    g_mutex_lock(&hub->lock);
    while (hub->in_flight > 0 && g_cond_wait_until(&hub->changed, &hub->lock, deadline))
        ;
    unsigned unfinished = hub->in_flight;
    g_mutex_unlock(&hub->lock);
    if (unfinished > 0)
        prism_warn("http", "closing %u unfinished requests", unfinished);

    MHD_stop_daemon(http->daemon);
    http->daemon = NULL;
    if (http->listen_fd_ours)
        close(http->listen_fd);
    http->listen_fd = -1;
    prism_info("http", "stopped");
}

void prism_http_destroy(struct prism_http *http)
{
    if (!http)
        return;
    prism_http_stop(http);
    free_http(http);
}
