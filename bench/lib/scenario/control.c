/* The controller's blocking Janus API connection (room create/destroy). */
#include "bench/lib/scenario/control.h"

#include "bench/lib/janus/janus_client.h"
#include "core/ids.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

struct bench_control {
    GMainContext *context;
    struct bench_janus *janus;
    uint64_t session_id, handle_id;
};

struct wait {
    bool done;
    json_t *reply;
};

static void reply_cb(void *owner, json_t *reply)
{
    struct wait *wait = owner;
    wait->done = true;
    wait->reply = reply ? json_incref(reply) : NULL;
}

static gboolean set_flag_cb(gpointer data)
{
    *(bool *)data = true;
    return G_SOURCE_REMOVE;
}

void bench_control_pump(struct bench_control *control, unsigned ms)
{
    /* Sleeps in the context's poll until the timer or an event of the connection wakes it. */
    bool done = false;
    GSource *timer = g_timeout_source_new(ms);
    g_source_set_callback(timer, set_flag_cb, &done, NULL);
    g_source_attach(timer, control->context);
    while (!done)
        g_main_context_iteration(control->context, TRUE);
    g_source_unref(timer);
}

/* Sends and waits for the answer (the client times out by itself). Returns it or NULL. */
static json_t *call(struct bench_control *control, json_t *request)
{
    if (control->session_id)
        json_object_set_new(request, "session_id", json_integer((json_int_t)control->session_id));
    if (control->handle_id)
        json_object_set_new(request, "handle_id", json_integer((json_int_t)control->handle_id));
    struct wait wait = {0};
    if (bench_janus_send(control->janus, request, reply_cb, &wait) < 0)
        return NULL;
    while (!wait.done)
        g_main_context_iteration(control->context, TRUE);
    return wait.reply;
}

static uint64_t reply_id(json_t *reply)
{
    json_t *id = json_object_get(json_object_get(reply, "data"), "id");
    return json_is_integer(id) ? (uint64_t)json_integer_value(id) : 0;
}

int bench_control_open(struct bench_control **out, const char *url, char *error, size_t error_size)
{
    struct bench_control *control = g_new0(struct bench_control, 1);
    control->context = g_main_context_new();
    struct bench_janus_params params = {.url = url, .context = control->context};
    if (bench_janus_open(&control->janus, &params) < 0) {
        g_snprintf(error, error_size, "bad server URL %s", url);
        bench_control_close(control);
        return -EINVAL;
    }
    json_t *reply = call(control, json_pack("{s:s}", "janus", "create"));
    control->session_id = reply_id(reply);
    json_decref(reply);
    if (control->session_id) {
        reply = call(control,
                     json_pack("{s:s,s:s}", "janus", "attach", "plugin", "janus.plugin.videoroom"));
        control->handle_id = reply_id(reply);
        json_decref(reply);
    }
    if (!control->handle_id) {
        g_snprintf(error, error_size, "%s does not answer the Janus API (create/attach failed)",
                   url);
        bench_control_close(control);
        return -ECONNREFUSED;
    }
    *out = control;
    return 0;
}

static json_t *message(struct bench_control *control, json_t *body)
{
    return call(control, json_pack("{s:s,s:o}", "janus", "message", "body", body));
}

int bench_control_create_room(struct bench_control *control, unsigned publishers, uint64_t *room_id,
                              char *error, size_t error_size)
{
    uint64_t id = 1000000 + (prism_random_id() % 1000000000u);
    json_t *reply = message(
        control, json_pack("{s:s,s:I,s:s,s:i,s:i,s:i,s:b,s:s,s:s,s:b}", "request", "create", "room",
                           (json_int_t)id, "description", "prism-bench", "publishers",
                           (int)publishers, "bitrate", 0, "fir_freq", 0, "audiolevel_ext", 1,
                           "audiocodec", "opus", "videocodec", "vp8", "permanent", 0));
    json_t *data = json_object_get(json_object_get(reply, "plugindata"), "data");
    const char *result = json_string_value(json_object_get(data, "videoroom"));
    int rc = result && strcmp(result, "created") == 0 ? 0 : -EIO;
    if (rc < 0) {
        char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
        g_snprintf(error, error_size, "room create failed: %s", text ? text : "no answer");
        free(text);
    } else {
        *room_id = id;
    }
    json_decref(reply);
    return rc;
}

int bench_control_destroy_room(struct bench_control *control, uint64_t room_id)
{
    json_t *reply = message(
        control, json_pack("{s:s,s:I}", "request", "destroy", "room", (json_int_t)room_id));
    int rc = reply ? 0 : -EIO;
    json_decref(reply);
    return rc;
}

void bench_control_close(struct bench_control *control)
{
    if (!control)
        return;
    if (control->janus) {
        control->handle_id = 0; /* "destroy" is a session request */
        if (control->session_id)
            json_decref(call(control, json_pack("{s:s}", "janus", "destroy")));
        bench_janus_close(control->janus);
    }
    /* Let sources released by the connection go before the context does. */
    while (g_main_context_iteration(control->context, FALSE))
        ;
    g_main_context_unref(control->context);
    g_free(control);
}
