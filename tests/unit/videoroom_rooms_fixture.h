/* Helpers for the VideoRoom room tests: a registry with an inline worker pool per test, and
 * requests written as JSON text. */
#ifndef PRISM_TESTS_VIDEOROOM_ROOMS_FIXTURE_H
#define PRISM_TESTS_VIDEOROOM_ROOMS_FIXTURE_H

#include "core/worker.h"
#include "plugins/videoroom/room.h"
#include "plugins/videoroom/room_requests.h"

#include <glib.h>
#include <jansson.h>

struct rooms_fixture {
    struct prism_worker_pool *pool;
};

static inline void rooms_setup(struct rooms_fixture *fixture, gconstpointer unused)
{
    g_assert_cmpint(prism_worker_pool_create(&fixture->pool, 0), ==, 0);
    vr_rooms_init();
    vr_rooms_set_workers(fixture->pool);
}

static inline void rooms_teardown(struct rooms_fixture *fixture, gconstpointer unused)
{
    vr_rooms_shutdown();
    vr_rooms_set_workers(NULL);
    prism_worker_pool_destroy(fixture->pool);
}

typedef json_t *(*room_request_fn)(struct prism_handle *handle, json_t *body);

/* Runs one request given as JSON text; returns the reply (caller frees). */
static inline json_t *room_call(room_request_fn request, const char *text)
{
    json_error_t error;
    json_t *body = json_loads(text, 0, &error);
    if (!body)
        g_error("bad test JSON %s: %s", text, error.text);
    json_t *reply = request(NULL, body);
    json_decref(body);
    g_assert_nonnull(reply);
    return reply;
}

/* Asserts a Janus error event with this code and a reason containing `text`; frees it. */
static inline void assert_room_error(json_t *reply, int code, const char *text)
{
    g_assert_cmpstr(json_string_value(json_object_get(reply, "videoroom")), ==, "event");
    g_assert_cmpint(json_integer_value(json_object_get(reply, "error_code")), ==, code);
    const char *reason = json_string_value(json_object_get(reply, "error"));
    g_assert_nonnull(reason);
    if (!g_strstr_len(reason, -1, text))
        g_error("error \"%s\" does not contain \"%s\"", reason, text);
    json_decref(reply);
}

/* Asserts `reply` equals the JSON `expected` exactly; frees it. */
static inline void assert_room_reply(json_t *reply, const char *expected)
{
    json_t *want = json_loads(expected, 0, NULL);
    g_assert_nonnull(want);
    if (!json_equal(reply, want)) {
        char *got = json_dumps(reply, JSON_SORT_KEYS);
        g_error("reply %s, expected %s", got, expected);
    }
    json_decref(want);
    json_decref(reply);
}

#endif
