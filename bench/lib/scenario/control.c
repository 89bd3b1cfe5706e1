/* The controller's blocking Janus API connection (room create/destroy). */
#include "bench/lib/scenario/control.h"

#include "bench/lib/janus/janus_client.h"
#include "bench/lib/scenario/mountpoint_reply.h"
#include "core/ids.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

struct bench_control {
    GMainContext *context;
    struct bench_janus *janus;
    uint64_t session_id, handle_id;
    uint64_t streaming_handle; /* attached on first use */
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
static json_t *call_on(struct bench_control *control, uint64_t handle, json_t *request)
{
    if (control->session_id)
        json_object_set_new(request, "session_id", json_integer((json_int_t)control->session_id));
    if (handle)
        json_object_set_new(request, "handle_id", json_integer((json_int_t)handle));
    struct wait wait = {0};
    if (bench_janus_send(control->janus, request, reply_cb, &wait) < 0)
        return NULL;
    while (!wait.done)
        g_main_context_iteration(control->context, TRUE);
    return wait.reply;
}

static json_t *call(struct bench_control *control, json_t *request)
{
    return call_on(control, control->handle_id, request);
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

/* The plugin data of an answer, or NULL (with the answer in `error`) when it is an error. */
static json_t *plugin_data(json_t *reply, const char *what, char *error, size_t error_size)
{
    json_t *data = json_object_get(json_object_get(reply, "plugindata"), "data");
    if (json_is_object(data) && !json_object_get(data, "error_code") &&
        !json_object_get(data, "error"))
        return data;
    char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
    g_snprintf(error, error_size, "%s failed: %s", what, text ? text : "no answer");
    free(text);
    return NULL;
}

int bench_control_first_publisher(struct bench_control *control, uint64_t room_id, uint64_t *feed)
{
    json_t *reply = message(control, json_pack("{s:s,s:I}", "request", "listparticipants", "room",
                                               (json_int_t)room_id));
    json_t *participants = json_object_get(
        json_object_get(json_object_get(reply, "plugindata"), "data"), "participants");
    int rc = -ENOENT;
    size_t i;
    json_t *entry;
    json_array_foreach(participants, i, entry)
    {
        json_t *id = json_object_get(entry, "id");
        if (json_is_true(json_object_get(entry, "publisher")) && json_is_integer(id)) {
            *feed = (uint64_t)json_integer_value(id);
            rc = 0;
            break;
        }
    }
    json_decref(reply);
    return rc;
}

static uint64_t streaming_handle(struct bench_control *control)
{
    if (!control->streaming_handle) {
        json_t *reply = call_on(
            control, 0,
            json_pack("{s:s,s:s}", "janus", "attach", "plugin", "janus.plugin.streaming"));
        control->streaming_handle = reply_id(reply);
        json_decref(reply);
    }
    return control->streaming_handle;
}

static json_t *streaming_message(struct bench_control *control, json_t *body)
{
    uint64_t handle = streaming_handle(control);
    if (!handle) {
        json_decref(body);
        return NULL;
    }
    return call_on(control, handle, json_pack("{s:s,s:o}", "janus", "message", "body", body));
}

int bench_control_create_mountpoint(struct bench_control *control, bool audio, bool video,
                                    uint64_t *id, uint16_t *audio_port, uint16_t *video_port,
                                    char *error, size_t error_size)
{
    uint64_t new_id = 1000000 + (prism_random_id() % 1000000000u);
    json_t *reply = streaming_message(control, bench_mountpoint_create_body(new_id, audio, video));
    json_t *data = plugin_data(reply, "mountpoint create", error, error_size);
    int rc = data ? 0 : -EIO;
    if (data && bench_mountpoint_ports(data, audio_port, video_port) < 0) {
        g_snprintf(error, error_size, "the created mountpoint's answer has no ports");
        rc = -EPROTO;
    }
    json_decref(reply);
    if (rc == 0)
        *id = new_id;
    else if (data)
        bench_control_destroy_mountpoint(control, new_id);
    return rc;
}

int bench_control_mountpoint_ports(struct bench_control *control, uint64_t id, uint16_t *audio_port,
                                   uint16_t *video_port, char *error, size_t error_size)
{
    json_t *reply = streaming_message(
        control, json_pack("{s:s,s:I}", "request", "info", "id", (json_int_t)id));
    json_t *data = plugin_data(reply, "mountpoint info", error, error_size);
    int rc = data ? 0 : -ENOENT;
    if (data && bench_mountpoint_ports(data, audio_port, video_port) < 0) {
        g_snprintf(error, error_size,
                   "mountpoint %" G_GUINT64_FORMAT " shows no RTP ports (it has a secret?)", id);
        rc = -EPROTO;
    }
    json_decref(reply);
    return rc;
}

int bench_control_destroy_mountpoint(struct bench_control *control, uint64_t id)
{
    json_t *reply = streaming_message(control, json_pack("{s:s,s:I,s:b}", "request", "destroy",
                                                         "id", (json_int_t)id, "permanent", 0));
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
