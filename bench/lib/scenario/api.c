/* The `api` scenario: virtual clients looping create -> attach (echotest) -> message -> detach
 * -> destroy over a few shared Janus connections, counting answered requests and their
 * latency inside the measured window.
 *
 * Threads: runs on the calling thread, which iterates a GMainContext of its own until every
 * client has finished; the Janus client's service thread does the socket work. */
#include "bench/lib/scenario/api.h"

#include "bench/lib/janus/janus_client.h"
#include "bench/lib/stats/histogram.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

/* How long connections get to open before the run starts without the slow ones. */
#define API_OPEN_TIMEOUT_US (10 * G_USEC_PER_SEC)
/* After the window, clients finish their loop (destroying their session); past this, the
 * run ends anyway (a request times out after 15 s). */
#define API_DRAIN_TIMEOUT_US (20 * G_USEC_PER_SEC)

enum api_step { STEP_CREATE, STEP_ATTACH, STEP_MESSAGE, STEP_DETACH, STEP_DESTROY };

struct api_run;

/* One virtual client: one request in flight at a time. */
struct api_client {
    struct api_run *run;
    struct bench_janus *janus; /* shared, owned by the run */
    enum api_step step;
    json_int_t session_id, handle_id;
    gint64 sent_at_us;
    bool done;
};

/* One connection and what its state callback said (1 until it spoke). */
struct api_connection {
    struct api_run *run;
    struct bench_janus *janus;
    int state;
};

struct api_run {
    GMainContext *context;
    struct api_connection *connections;
    unsigned connection_count;
    unsigned undecided; /* connections whose state callback has not come */
    struct api_client *clients;
    unsigned client_count;
    unsigned running; /* clients not done */
    gint64 measure_from_us, measure_until_us;
    bool stopping; /* the window is over: clients wind down */
    uint64_t requests;
    unsigned errors;
    struct bench_histogram latency;
};

static void connection_state_cb(void *owner, int error)
{
    struct api_connection *connection = owner;
    if (connection->state == 1)
        connection->run->undecided--;
    connection->state = error;
}

static json_t *build_request(const struct api_client *client)
{
    switch (client->step) {
    case STEP_CREATE:
        return json_pack("{s:s}", "janus", "create");
    case STEP_ATTACH:
        return json_pack("{s:s, s:I, s:s}", "janus", "attach", "session_id", client->session_id,
                         "plugin", "janus.plugin.echotest");
    case STEP_MESSAGE:
        return json_pack("{s:s, s:I, s:I, s:{s:b}}", "janus", "message", "session_id",
                         client->session_id, "handle_id", client->handle_id, "body", "audio", 1);
    case STEP_DETACH:
        return json_pack("{s:s, s:I, s:I}", "janus", "detach", "session_id", client->session_id,
                         "handle_id", client->handle_id);
    case STEP_DESTROY:
        return json_pack("{s:s, s:I}", "janus", "destroy", "session_id", client->session_id);
    }
    return NULL;
}

static void client_finish(struct api_client *client)
{
    if (client->done)
        return;
    client->done = true;
    client->run->running--;
}

static void client_reply_cb(void *owner, json_t *reply);

static void client_send(struct api_client *client)
{
    client->sent_at_us = g_get_monotonic_time();
    if (bench_janus_send(client->janus, build_request(client), client_reply_cb, client) < 0) {
        client->run->errors++;
        client_finish(client);
    }
}

/* Whether `reply` is the success the step waits for: "success", or the echotest "event"
 * (without an error of the plugin) for the message. */
static bool reply_ok(const struct api_client *client, const json_t *reply)
{
    const char *kind = json_string_value(json_object_get(reply, "janus"));
    if (!kind)
        return false;
    if (client->step != STEP_MESSAGE)
        return strcmp(kind, "success") == 0;
    json_t *data = json_object_get(json_object_get(reply, "plugindata"), "data");
    return strcmp(kind, "event") == 0 && !json_object_get(data, "error");
}

static json_int_t reply_id(const json_t *reply)
{
    return json_integer_value(json_object_get(json_object_get(reply, "data"), "id"));
}

/* The step after a successful one. */
static void advance(struct api_client *client, const json_t *reply)
{
    switch (client->step) {
    case STEP_CREATE:
        client->session_id = reply_id(reply);
        client->step = client->session_id > 0 ? STEP_ATTACH : STEP_CREATE;
        break;
    case STEP_ATTACH:
        client->handle_id = reply_id(reply);
        client->step = client->handle_id > 0 ? STEP_MESSAGE : STEP_DESTROY;
        break;
    case STEP_MESSAGE:
        client->step = STEP_DETACH;
        break;
    case STEP_DETACH:
        client->step = STEP_DESTROY;
        break;
    case STEP_DESTROY:
        client->session_id = 0;
        client->step = STEP_CREATE;
        break;
    }
}

static void client_reply_cb(void *owner, json_t *reply)
{
    struct api_client *client = owner;
    struct api_run *run = client->run;
    gint64 now = g_get_monotonic_time();
    bool ok = reply && reply_ok(client, reply);
    if (now >= run->measure_from_us && now < run->measure_until_us) {
        run->requests++;
        if (ok)
            bench_histogram_record(&run->latency, (uint64_t)(now - client->sent_at_us));
        else
            run->errors++;
    }
    if (ok) {
        advance(client, reply);
    } else {
        /* Start over; a session that may still exist is destroyed first (once). */
        bool destroy = client->session_id > 0 && client->step != STEP_DESTROY;
        if (!destroy)
            client->session_id = 0;
        client->step = destroy ? STEP_DESTROY : STEP_CREATE;
    }
    if (run->stopping) {
        if (client->session_id == 0) {
            client_finish(client);
            return;
        }
        client->step = STEP_DESTROY; /* destroying the session detaches its handle */
    }
    client_send(client);
}

static gboolean stop_cb(gpointer data)
{
    struct api_run *run = data;
    run->stopping = true;
    return G_SOURCE_REMOVE;
}

static gboolean drain_expired_cb(gpointer data)
{
    bool *expired = data;
    *expired = true;
    return G_SOURCE_REMOVE;
}

/* Adds a one-shot timeout at monotonic `when_us` to the run's context. */
static GSource *add_timeout_at(struct api_run *run, gint64 when_us, GSourceFunc func, gpointer data)
{
    gint64 delay_ms = MAX(0, (when_us - g_get_monotonic_time()) / 1000);
    GSource *source = g_timeout_source_new((guint)delay_ms);
    g_source_set_callback(source, func, data, NULL);
    g_source_attach(source, run->context);
    return source;
}

/* Opens the connections and waits until each opened or failed. Returns how many opened. */
static unsigned open_connections(struct api_run *run, const struct bench_options *options)
{
    for (unsigned i = 0; i < run->connection_count; i++) {
        struct api_connection *connection = &run->connections[i];
        connection->run = run;
        connection->state = 1;
        struct bench_janus_params params = {.url = options->url,
                                            .context = run->context,
                                            .state_cb = connection_state_cb,
                                            .owner = connection};
        if (bench_janus_open(&connection->janus, &params) < 0)
            connection->state = -EINVAL;
        else
            run->undecided++;
    }
    bool expired = false;
    GSource *timeout = add_timeout_at(run, g_get_monotonic_time() + API_OPEN_TIMEOUT_US,
                                      drain_expired_cb, &expired);
    while (run->undecided > 0 && !expired)
        g_main_context_iteration(run->context, TRUE);
    g_source_destroy(timeout);
    g_source_unref(timeout);
    unsigned opened = 0;
    for (unsigned i = 0; i < run->connection_count; i++)
        opened += run->connections[i].state == 0;
    return opened;
}

/* Hands the clients to the open connections round-robin and sends their first requests. */
static void start_clients(struct api_run *run)
{
    unsigned next = 0;
    for (unsigned i = 0; i < run->client_count; i++) {
        while (run->connections[next].state != 0)
            next = (next + 1) % run->connection_count;
        struct api_client *client = &run->clients[i];
        client->run = run;
        client->janus = run->connections[next].janus;
        client->step = STEP_CREATE;
        run->running++;
        next = (next + 1) % run->connection_count;
    }
    for (unsigned i = 0; i < run->client_count; i++)
        client_send(&run->clients[i]);
}

static void fill_percentiles(const struct bench_histogram *histogram, struct bench_percentiles *out)
{
    out->count = histogram->count;
    out->p50_ms = (double)bench_histogram_percentile(histogram, 50) / 1000.0;
    out->p95_ms = (double)bench_histogram_percentile(histogram, 95) / 1000.0;
    out->p99_ms = (double)bench_histogram_percentile(histogram, 99) / 1000.0;
    out->max_ms = (double)histogram->max_us / 1000.0;
    out->mean_ms = bench_histogram_mean(histogram) / 1000.0;
}

static void run_window(struct api_run *run, const struct bench_options *options)
{
    gint64 start = g_get_monotonic_time();
    run->measure_from_us = start + (gint64)(options->warmup_s * G_USEC_PER_SEC);
    run->measure_until_us = run->measure_from_us + (gint64)(options->duration_s * G_USEC_PER_SEC);
    GSource *stop = add_timeout_at(run, run->measure_until_us, stop_cb, run);
    bool expired = false;
    GSource *drain = add_timeout_at(run, run->measure_until_us + API_DRAIN_TIMEOUT_US,
                                    drain_expired_cb, &expired);
    start_clients(run);
    while (run->running > 0 && !expired)
        g_main_context_iteration(run->context, TRUE);
    g_source_destroy(stop);
    g_source_unref(stop);
    g_source_destroy(drain);
    g_source_unref(drain);
}

int bench_api_run(const struct bench_options *options, unsigned load, struct bench_step_result *out)
{
    if (!options || !out || load == 0 || !options->url || options->duration_s <= 0)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->load = load;
    struct api_run run = {0};
    bench_histogram_init(&run.latency);
    run.context = g_main_context_new();
    run.connection_count = MAX(1, MIN(options->sockets, load));
    run.connections = g_new0(struct api_connection, run.connection_count);
    run.client_count = load;
    run.clients = g_new0(struct api_client, load);
    int rc = 0;
    unsigned opened = open_connections(&run, options);
    if (opened == 0) {
        rc = -ECONNREFUSED;
        goto out;
    }
    run_window(&run, options);
    out->duration_s = options->duration_s;
    out->requests = run.requests;
    out->requests_per_s = (double)run.requests / options->duration_s;
    out->errors = run.errors;
    fill_percentiles(&run.latency, &out->request_latency);
out:
    for (unsigned i = 0; i < run.connection_count; i++)
        bench_janus_close(run.connections[i].janus);
    g_free(run.connections);
    g_free(run.clients);
    g_main_context_unref(run.context);
    return rc;
}
