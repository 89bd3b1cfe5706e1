/* Test harness for the API engine: an inline worker pool (jobs run at once),
 * an event sink and reply targets that record what they get, and a clock the
 * test moves by hand. Header-only so each test executable includes it. */
#ifndef PRISM_TESTS_API_HARNESS_H
#define PRISM_TESTS_API_HARNESS_H

#include "core/worker.h"
#include "plugins/builtin.h"
#include "signaling/api/api.h"

#include <glib.h>
#include <string.h>

struct recording_sink {
    struct prism_event_sink sink; /* first member */
    GPtrArray *events;            /* json_t *, in arrival order */
    GPtrArray *gone;              /* session ids told gone (as pointers to uint64) */
    bool destroyed;
};

static void recording_push(struct prism_event_sink *sink, uint64_t session_id, json_t *event)
{
    g_ptr_array_add(((struct recording_sink *)sink)->events, event);
}

static void recording_gone(struct prism_event_sink *sink, uint64_t session_id)
{
    uint64_t *copy = g_new(uint64_t, 1);
    *copy = session_id;
    g_ptr_array_add(((struct recording_sink *)sink)->gone, copy);
}

static void recording_destroy(struct prism_event_sink *sink)
{
    ((struct recording_sink *)sink)->destroyed = true;
}

static const struct prism_event_sink_ops recording_ops = {recording_push, recording_gone,
                                                          recording_destroy};

static inline void recording_sink_init(struct recording_sink *rec)
{
    prism_event_sink_init(&rec->sink, &recording_ops, "test");
    rec->events = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
    rec->gone = g_ptr_array_new_with_free_func(g_free);
    rec->destroyed = false;
}

static inline void recording_sink_clear(struct recording_sink *rec)
{
    g_ptr_array_free(rec->events, TRUE);
    g_ptr_array_free(rec->gone, TRUE);
}

struct recording_reply {
    struct prism_reply_target target; /* first member */
    json_t *reply;
    int deliveries;
};

static void recording_deliver(struct prism_reply_target *target, json_t *reply)
{
    struct recording_reply *rec = (struct recording_reply *)target;
    json_decref(rec->reply);
    rec->reply = reply;
    rec->deliveries++;
}

struct harness {
    struct prism_worker_pool *workers;
    struct prism_api *api;
    struct recording_sink sink;
    uint64_t now_us;
};

static inline void harness_start_with(struct harness *h, const struct prism_api_config *config)
{
    memset(h, 0, sizeof(*h));
    g_assert_cmpint(prism_worker_pool_create(&h->workers, 0), ==, 0);
    size_t count = 0;
    const struct prism_plugin *const *plugins = prism_builtin_plugins(&count);
    g_assert_cmpint(prism_api_create(&h->api, config, plugins, count, h->workers), ==, 0);
    recording_sink_init(&h->sink);
    h->now_us = 1000000;
}

static inline void harness_start(struct harness *h)
{
    struct prism_api_config config = {.server_name = "test", .session_timeout_s = 60};
    harness_start_with(h, &config);
}

static inline void harness_stop(struct harness *h)
{
    prism_api_destroy(h->api);
    prism_worker_pool_destroy(h->workers);
    prism_event_sink_unref(&h->sink.sink);
    g_assert_true(h->sink.destroyed);
    recording_sink_clear(&h->sink);
}

/* Sends `text` over a path-less transport (like WebSocket) from `sink`;
 * returns the reply (caller frees) after checking exactly one arrived. */
static inline json_t *harness_send_from(struct harness *h, struct prism_event_sink *sink,
                                        const char *text, size_t length)
{
    struct recording_reply rec = {{recording_deliver, NULL}, NULL, 0};
    struct prism_api_request request = {
        .body = text, .length = length, .sink = sink, .reply = &rec.target};
    prism_api_handle(h->api, &request, h->now_us);
    g_assert_cmpint(rec.deliveries, ==, 1);
    return rec.reply;
}

static inline json_t *harness_send(struct harness *h, const char *text)
{
    return harness_send_from(h, &h->sink.sink, text, strlen(text));
}

/* Sends over a path transport (like HTTP): ids come from the path. */
static inline json_t *harness_send_path(struct harness *h, uint64_t session_id, uint64_t handle_id,
                                        const char *text)
{
    struct recording_reply rec = {{recording_deliver, NULL}, NULL, 0};
    struct prism_api_request request = {.body = text,
                                        .length = strlen(text),
                                        .from_path = true,
                                        .path_session_id = session_id,
                                        .path_handle_id = handle_id,
                                        .sink = &h->sink.sink,
                                        .reply = &rec.target};
    prism_api_handle(h->api, &request, h->now_us);
    g_assert_cmpint(rec.deliveries, ==, 1);
    return rec.reply;
}

static inline const char *reply_kind(const json_t *reply)
{
    return json_string_value(json_object_get(reply, "janus"));
}

static inline int reply_error_code(const json_t *reply)
{
    return (int)json_integer_value(json_object_get(json_object_get(reply, "error"), "code"));
}

static inline uint64_t reply_data_id(const json_t *reply)
{
    return (uint64_t)json_integer_value(json_object_get(json_object_get(reply, "data"), "id"));
}

/* Asserts the reply is an error with `code`, then frees it. */
static inline void assert_error_and_free(json_t *reply, int code)
{
    g_assert_nonnull(reply);
    g_assert_cmpstr(reply_kind(reply), ==, "error");
    g_assert_cmpint(reply_error_code(reply), ==, code);
    g_assert_nonnull(json_string_value(json_object_get(json_object_get(reply, "error"), "reason")));
    json_decref(reply);
}

static inline uint64_t harness_create_session(struct harness *h)
{
    json_t *reply = harness_send(h, "{\"janus\":\"create\",\"transaction\":\"c\"}");
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    uint64_t id = reply_data_id(reply);
    json_decref(reply);
    return id;
}

static inline uint64_t harness_attach(struct harness *h, uint64_t session_id)
{
    char text[256];
    g_snprintf(text, sizeof(text),
               "{\"janus\":\"attach\",\"transaction\":\"a\",\"session_id\":%" G_GUINT64_FORMAT
               ",\"plugin\":\"janus.plugin.echotest\"}",
               session_id);
    json_t *reply = harness_send(h, text);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    uint64_t id = reply_data_id(reply);
    json_decref(reply);
    return id;
}

#endif
