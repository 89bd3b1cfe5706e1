/* The Janus client connection on its GMainContext: parses the URL, owns the transactions
 * engine, drains the link's inbox when the service thread wakes the context, runs the
 * engine's timers from one GSource, and calls the owner's callbacks. */
#include "bench/lib/janus/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A connection; touched only on its context's thread. `refs` keeps it alive while a callback
 * it made runs (the callback may close it). */
struct bench_janus {
    struct janus_link *link; /* a reference */
    struct bench_janus_tx *tx;
    GMainContext *context;
    GSource *wake;  /* the link's inbox has input */
    GSource *timer; /* ready at the engine's deadline */
    bench_janus_event_cb event_cb;
    bench_janus_state_cb state_cb;
    void *owner;
    int refs;
    bool failed; /* the connection failed or was closed by the server */
    bool closed; /* bench_janus_close was called: no callback any more */
};

static uint64_t now_us(void)
{
    return (uint64_t)g_get_monotonic_time();
}

static void janus_unref(struct bench_janus *janus)
{
    if (--janus->refs > 0)
        return;
    bench_janus_tx_destroy(janus->tx);
    janus_link_unref(janus->link);
    g_main_context_unref(janus->context);
    g_free(janus);
}

/* Hands the engine's output to the service thread and re-arms the timer. */
static void flush_output(struct bench_janus *janus)
{
    struct bench_janus_output output;
    bool any = false;
    g_mutex_lock(&janus->link->lock);
    while (bench_janus_tx_next_output(janus->tx, &output)) {
        g_queue_push_tail(&janus->link->outbox, g_memdup2(&output, sizeof(output)));
        any = true;
    }
    g_mutex_unlock(&janus->link->lock);
    if (any)
        janus_service_schedule(janus->link);
    uint64_t deadline = bench_janus_tx_deadline(janus->tx);
    g_source_set_ready_time(janus->timer, deadline == UINT64_MAX ? -1 : (gint64)deadline);
}

/* Calls back for every delivery; stops as soon as the connection is closed. */
static void deliver(struct bench_janus *janus)
{
    struct bench_janus_delivery delivery;
    while (!janus->closed && bench_janus_tx_next_delivery(janus->tx, &delivery)) {
        if (delivery.cb)
            delivery.cb(delivery.owner, delivery.message);
        else if (janus->event_cb)
            janus->event_cb(janus->owner, delivery.message);
        bench_janus_delivery_clear(&delivery);
        if (!janus->closed)
            flush_output(janus);
    }
}

static void on_state(struct bench_janus *janus, int error)
{
    if (error < 0) {
        if (janus->failed)
            return;
        janus->failed = true;
        bench_janus_tx_fail_all(janus->tx);
    }
    if (janus->state_cb)
        janus->state_cb(janus->owner, error);
}

static void handle_input(struct bench_janus *janus, const struct janus_input *input)
{
    uint64_t now = now_us();
    switch (input->kind) {
    case INPUT_OPENED:
    case INPUT_CLOSED:
        on_state(janus, input->error);
        break;
    case INPUT_MESSAGE:
        bench_janus_tx_receive(janus->tx, input->text, input->length, now);
        break;
    case INPUT_POST_DONE:
        bench_janus_tx_post_done(janus->tx, input->transaction, input->status, input->text,
                                 input->length, now);
        break;
    case INPUT_POLL_DONE:
        bench_janus_tx_poll_done(janus->tx, input->poll_session, input->status, input->text,
                                 input->length, now);
        break;
    }
}

/* A source that knows its connection (which outlives it: close destroys the sources). */
struct janus_source {
    GSource base;
    struct bench_janus *janus;
};

static gboolean wake_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    struct bench_janus *janus = ((struct janus_source *)source)->janus;
    /* Before draining: input pushed from now on makes the source ready again. */
    g_source_set_ready_time(source, -1);
    g_mutex_lock(&janus->link->lock);
    GQueue inbox = janus->link->inbox;
    g_queue_init(&janus->link->inbox);
    g_mutex_unlock(&janus->link->lock);
    janus->refs++;
    struct janus_input *input;
    while ((input = g_queue_pop_head(&inbox))) {
        if (!janus->closed) {
            handle_input(janus, input);
            deliver(janus);
        }
        janus_input_free(input);
    }
    if (!janus->closed)
        flush_output(janus);
    janus_unref(janus);
    return G_SOURCE_CONTINUE;
}

static gboolean timer_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    struct bench_janus *janus = ((struct janus_source *)source)->janus;
    g_source_set_ready_time(source, -1);
    janus->refs++;
    bench_janus_tx_tick(janus->tx, now_us());
    deliver(janus);
    if (!janus->closed)
        flush_output(janus);
    janus_unref(janus);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs wake_funcs = {NULL, NULL, wake_dispatch, NULL, NULL, NULL};
static GSourceFuncs timer_funcs = {NULL, NULL, timer_dispatch, NULL, NULL, NULL};

static GSource *attach_source(GSourceFuncs *funcs, struct bench_janus *janus, const char *name)
{
    GSource *source = g_source_new(funcs, sizeof(struct janus_source));
    ((struct janus_source *)source)->janus = janus;
    g_source_set_name(source, name);
    g_source_set_ready_time(source, -1);
    g_source_attach(source, janus->context);
    return source;
}

/* Splits "ws://host:port/path" or "http://host:port/base" into a new link. */
static int parse_url(const char *url, struct janus_link **out)
{
    GUri *uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
    if (!uri)
        return -EINVAL;
    const char *scheme = g_uri_get_scheme(uri);
    const char *host = g_uri_get_host(uri);
    const char *path = g_uri_get_path(uri);
    bool ws = scheme && g_ascii_strcasecmp(scheme, "ws") == 0;
    bool http = scheme && g_ascii_strcasecmp(scheme, "http") == 0;
    int port = g_uri_get_port(uri);
    if ((!ws && !http) || !host || !*host || port == 0 || port > 65535 ||
        strlen(path) >= BENCH_JANUS_PATH_MAX - 40) {
        g_uri_unref(uri);
        return -EINVAL;
    }
    struct janus_link *link = g_new0(struct janus_link, 1);
    link->socket_owner = JANUS_SOCKET_LINK;
    g_atomic_ref_count_init(&link->refs);
    g_mutex_init(&link->lock);
    link->http = http;
    link->host = g_strdup(host);
    link->port = port > 0 ? port : 80;
    link->path = g_strdup(*path ? path : http ? "/janus" : "/");
    link->host_header = strchr(host, ':') ? g_strdup_printf("[%s]:%d", host, link->port)
                                          : g_strdup_printf("%s:%d", host, link->port);
    g_uri_unref(uri);
    *out = link;
    return 0;
}

/* HTTP has no connection to open: a GET of <base>/info tells whether the server is there. */
static void queue_probe(struct janus_link *link)
{
    struct bench_janus_output *probe = g_new0(struct bench_janus_output, 1);
    snprintf(probe->path, sizeof(probe->path), "%s%sinfo", link->path,
             g_str_has_suffix(link->path, "/") ? "" : "/");
    g_mutex_lock(&link->lock);
    g_queue_push_tail(&link->outbox, probe);
    g_mutex_unlock(&link->lock);
}

int bench_janus_open(struct bench_janus **out, const struct bench_janus_params *params)
{
    if (!out || !params || !params->url || !params->context)
        return -EINVAL;
    struct janus_link *link;
    int rc = parse_url(params->url, &link);
    if (rc < 0)
        return rc;
    struct bench_janus_tx_config config = {
        .http = link->http,
        .base_path = link->path,
        .timeout_us = (uint64_t)params->timeout_ms * 1000,
    };
    struct bench_janus_tx *tx = NULL;
    rc = bench_janus_tx_create(&tx, &config);
    if (rc == 0)
        rc = janus_service_start();
    if (rc < 0)
        goto fail;
    struct bench_janus *janus = g_new0(struct bench_janus, 1);
    janus->link = link;
    janus->tx = tx;
    janus->context = g_main_context_ref(params->context);
    janus->event_cb = params->event_cb;
    janus->state_cb = params->state_cb;
    janus->owner = params->owner;
    janus->refs = 1;
    janus->wake = attach_source(&wake_funcs, janus, "bench-janus-wake");
    janus->timer = attach_source(&timer_funcs, janus, "bench-janus-timer");
    link->wake = g_source_ref(janus->wake);
    if (link->http)
        queue_probe(link);
    janus_service_schedule(link);
    *out = janus;
    return 0;
fail:
    bench_janus_tx_destroy(tx);
    janus_link_unref(link);
    return rc;
}

void bench_janus_close(struct bench_janus *janus)
{
    if (!janus || janus->closed)
        return;
    janus->closed = true;
    struct janus_link *link = janus->link;
    g_mutex_lock(&link->lock);
    GSource *wake = link->wake;
    link->wake = NULL;
    link->close_requested = true;
    g_mutex_unlock(&link->lock);
    g_source_unref(wake);
    g_source_destroy(janus->wake);
    g_source_unref(janus->wake);
    g_source_destroy(janus->timer);
    g_source_unref(janus->timer);
    janus->wake = janus->timer = NULL;
    janus_service_schedule(link);
    janus_unref(janus);
}

int bench_janus_send(struct bench_janus *janus, json_t *request, bench_janus_reply_cb cb,
                     void *owner)
{
    if (!janus || janus->closed || janus->failed) {
        json_decref(request);
        return -ENOTCONN;
    }
    int rc = bench_janus_tx_send(janus->tx, request, cb, owner, now_us());
    if (rc == 0)
        flush_output(janus);
    return rc;
}

unsigned bench_janus_pending(const struct bench_janus *janus)
{
    return janus ? bench_janus_tx_pending(janus->tx) : 0;
}
