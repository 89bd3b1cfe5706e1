/* The VideoRoom's room state machine through the API engine, without sockets or media: joins,
 * leaves, the events the room hears, and the error codes of each step. */
#include "api_harness.h"

#include "plugins/videoroom/room.h"
#include "plugins/videoroom/videoroom.h"

#include <stdio.h>

struct room_client {
    struct harness *h;
    uint64_t session;
};

static uint64_t attach_videoroom(struct harness *h, uint64_t session)
{
    char text[256];
    g_snprintf(text, sizeof(text),
               "{\"janus\":\"attach\",\"transaction\":\"a\",\"session_id\":%" G_GUINT64_FORMAT
               ",\"plugin\":\"janus.plugin.videoroom\"}",
               session);
    json_t *reply = harness_send(h, text);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    uint64_t id = reply_data_id(reply);
    json_decref(reply);
    return id;
}

/* Sends a VideoRoom body; returns the reply (caller frees). */
static json_t *message(struct harness *h, uint64_t session, uint64_t handle, const char *body)
{
    char *text = g_strdup_printf(
        "{\"janus\":\"message\",\"transaction\":\"m\",\"session_id\":%" G_GUINT64_FORMAT
        ",\"handle_id\":%" G_GUINT64_FORMAT ",\"body\":%s}",
        session, handle, body);
    json_t *reply = harness_send(h, text);
    g_free(text);
    return reply;
}

static json_t *plugin_data(json_t *message)
{
    return json_object_get(json_object_get(message, "plugindata"), "data");
}

/* The last event pushed to `handle`, or NULL. */
static json_t *last_event_for(struct harness *h, uint64_t handle)
{
    for (guint i = h->sink.events->len; i > 0; i--) {
        json_t *event = g_ptr_array_index(h->sink.events, i - 1);
        if ((uint64_t)json_integer_value(json_object_get(event, "sender")) == handle)
            return event;
    }
    return NULL;
}

static int event_error(struct harness *h, uint64_t handle)
{
    json_t *event = last_event_for(h, handle);
    return event ? (int)json_integer_value(json_object_get(plugin_data(event), "error_code")) : 0;
}

static void start(struct harness *h)
{
    harness_start(h);
    vr_rooms_init();
    vr_rooms_set_workers(h->workers);
}

/* Rooms hold their worker: they go after the handles and before the pool, as in main. */
static void stop(struct harness *h)
{
    prism_api_destroy(h->api);
    vr_rooms_shutdown();
    vr_rooms_set_workers(NULL);
    prism_worker_pool_destroy(h->workers);
    prism_event_sink_unref(&h->sink.sink);
    g_assert_true(h->sink.destroyed);
    recording_sink_clear(&h->sink);
}

static uint64_t create_room(struct harness *h, uint64_t session, uint64_t handle, const char *extra)
{
    char *body = g_strdup_printf("{\"request\":\"create\"%s%s}", extra ? "," : "",
                                 extra ? extra : "");
    json_t *reply = message(h, session, handle, body);
    g_free(body);
    json_t *data = plugin_data(reply);
    g_assert_cmpstr(json_string_value(json_object_get(data, "videoroom")), ==, "created");
    uint64_t room = (uint64_t)json_integer_value(json_object_get(data, "room"));
    json_decref(reply);
    return room;
}

static void test_videoroom_publisher_join_and_leave(void)
{
    struct harness h;
    start(&h);
    uint64_t session = harness_create_session(&h);
    uint64_t admin = attach_videoroom(&h, session);
    uint64_t room = create_room(&h, session, admin, "\"notify_joining\":true");
    uint64_t first = attach_videoroom(&h, session);
    uint64_t second = attach_videoroom(&h, session);
    char body[256];
    g_snprintf(body, sizeof(body),
               "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":%" G_GUINT64_FORMAT
               ",\"display\":\"ann\",\"id\":7}",
               room);
    json_t *reply = message(&h, session, first, body);
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    json_decref(reply);
    json_t *joined = plugin_data(last_event_for(&h, first));
    g_assert_cmpstr(json_string_value(json_object_get(joined, "videoroom")), ==, "joined");
    g_assert_cmpint(json_integer_value(json_object_get(joined, "id")), ==, 7);
    g_assert_cmpuint(json_array_size(json_object_get(joined, "publishers")), ==, 0);

    /* The same id again: 436; the same handle again: 425. */
    json_decref(message(&h, session, second, body));
    g_assert_cmpint(event_error(&h, second), ==, PRISM_VIDEOROOM_ERROR_ID_EXISTS);
    json_decref(message(&h, session, first, body));
    g_assert_cmpint(event_error(&h, first), ==, PRISM_VIDEOROOM_ERROR_ALREADY_JOINED);

    /* A second publisher: the first hears "joining" (notify_joining). */
    g_snprintf(body, sizeof(body),
               "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":%" G_GUINT64_FORMAT
               ",\"display\":\"bob\"}",
               room);
    json_decref(message(&h, session, second, body));
    json_t *joining = plugin_data(last_event_for(&h, first));
    g_assert_cmpstr(
        json_string_value(json_object_get(json_object_get(joining, "joining"), "display")), ==,
        "bob");
    uint64_t bob = (uint64_t)json_integer_value(
        json_object_get(plugin_data(last_event_for(&h, second)), "id"));

    /* listparticipants sees both; after "leave" the other hears "leaving". */
    g_snprintf(body, sizeof(body),
               "{\"request\":\"listparticipants\",\"room\":%" G_GUINT64_FORMAT "}", room);
    reply = message(&h, session, admin, body);
    g_assert_cmpuint(json_array_size(json_object_get(plugin_data(reply), "participants")), ==, 2);
    json_decref(reply);
    json_decref(message(&h, session, second, "{\"request\":\"leave\"}"));
    json_t *leaving = plugin_data(last_event_for(&h, first));
    g_assert_cmpuint(json_integer_value(json_object_get(leaving, "leaving")), ==, bob);
    reply = message(&h, session, admin, body);
    g_assert_cmpuint(json_array_size(json_object_get(plugin_data(reply), "participants")), ==, 1);
    json_decref(reply);
    stop(&h);
}

static void test_videoroom_refuses_what_janus_refuses(void)
{
    struct harness h;
    start(&h);
    uint64_t session = harness_create_session(&h);
    uint64_t handle = attach_videoroom(&h, session);
    uint64_t room = create_room(&h, session, handle, "\"pin\":\"1234\",\"secret\":\"s\"");
    char body[256];
    /* 426: no such room. */
    json_decref(message(&h, session, handle,
                        "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":424242}"));
    g_assert_cmpint(event_error(&h, handle), ==, PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM);
    /* 433: wrong pin. */
    g_snprintf(body, sizeof(body),
               "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":%" G_GUINT64_FORMAT
               ",\"pin\":\"0000\"}",
               room);
    json_decref(message(&h, session, handle, body));
    g_assert_cmpint(event_error(&h, handle), ==, PRISM_VIDEOROOM_ERROR_UNAUTHORIZED);
    /* 429 and 430: a join without ptype, a bad ptype. */
    g_snprintf(body, sizeof(body), "{\"request\":\"join\",\"room\":%" G_GUINT64_FORMAT "}", room);
    json_decref(message(&h, session, handle, body));
    g_assert_cmpint(event_error(&h, handle), ==, PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT);
    g_snprintf(body, sizeof(body),
               "{\"request\":\"join\",\"ptype\":\"pilot\",\"room\":%" G_GUINT64_FORMAT "}", room);
    json_decref(message(&h, session, handle, body));
    g_assert_cmpint(event_error(&h, handle), ==, PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT);
    /* 424: configure before joining; 423: an unknown request (answered at once). */
    json_decref(message(&h, session, handle, "{\"request\":\"configure\"}"));
    g_assert_cmpint(event_error(&h, handle), ==, PRISM_VIDEOROOM_ERROR_JOIN_FIRST);
    json_t *reply = message(&h, session, handle, "{\"request\":\"fly\"}");
    g_assert_cmpint(json_integer_value(json_object_get(plugin_data(reply), "error_code")), ==,
                    PRISM_VIDEOROOM_ERROR_INVALID_REQUEST);
    json_decref(reply);
    /* 428: a subscriber to a feed that is not publishing; 429 without streams. */
    g_snprintf(body, sizeof(body),
               "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":%" G_GUINT64_FORMAT
               ",\"pin\":\"1234\",\"streams\":[{\"feed\":99}]}",
               room);
    json_decref(message(&h, session, handle, body));
    g_assert_cmpint(event_error(&h, handle), ==, PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED);
    g_snprintf(body, sizeof(body),
               "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":%" G_GUINT64_FORMAT
               ",\"pin\":\"1234\"}",
               room);
    json_decref(message(&h, session, handle, body));
    g_assert_cmpint(event_error(&h, handle), ==, PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT);
    /* 433: kick with a wrong secret; 428: kick of nobody. */
    g_snprintf(body, sizeof(body),
               "{\"request\":\"kick\",\"room\":%" G_GUINT64_FORMAT ",\"secret\":\"x\",\"id\":5}",
               room);
    reply = message(&h, session, handle, body);
    g_assert_cmpint(json_integer_value(json_object_get(plugin_data(reply), "error_code")), ==,
                    PRISM_VIDEOROOM_ERROR_UNAUTHORIZED);
    json_decref(reply);
    g_snprintf(body, sizeof(body),
               "{\"request\":\"kick\",\"room\":%" G_GUINT64_FORMAT ",\"secret\":\"s\",\"id\":5}",
               room);
    reply = message(&h, session, handle, body);
    g_assert_cmpint(json_integer_value(json_object_get(plugin_data(reply), "error_code")), ==,
                    PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED);
    json_decref(reply);
    stop(&h);
}

static void test_videoroom_destroy_evicts_and_detach_cleans_up(void)
{
    struct harness h;
    start(&h);
    uint64_t session = harness_create_session(&h);
    uint64_t admin = attach_videoroom(&h, session);
    uint64_t room = create_room(&h, session, admin, NULL);
    uint64_t member = attach_videoroom(&h, session);
    char body[256];
    g_snprintf(body, sizeof(body),
               "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":%" G_GUINT64_FORMAT "}",
               room);
    json_decref(message(&h, session, member, body));
    g_snprintf(body, sizeof(body), "{\"request\":\"destroy\",\"room\":%" G_GUINT64_FORMAT "}",
               room);
    json_t *reply = message(&h, session, admin, body);
    g_assert_cmpstr(json_string_value(json_object_get(plugin_data(reply), "videoroom")), ==,
                    "destroyed");
    json_decref(reply);
    json_t *told = plugin_data(last_event_for(&h, member));
    g_assert_cmpstr(json_string_value(json_object_get(told, "videoroom")), ==, "destroyed");
    /* The member is out: it may join another room; the destroyed one is gone. */
    g_snprintf(body, sizeof(body),
               "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":%" G_GUINT64_FORMAT "}",
               room);
    json_decref(message(&h, session, member, body));
    g_assert_cmpint(event_error(&h, member), ==, PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM);
    stop(&h); /* detaching every handle with rooms still around leaks nothing (ASan) */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/publisher-join-and-leave", test_videoroom_publisher_join_and_leave);
    g_test_add_func("/videoroom/refuses-what-janus-refuses",
                    test_videoroom_refuses_what_janus_refuses);
    g_test_add_func("/videoroom/destroy-evicts-and-detach-cleans-up",
                    test_videoroom_destroy_evicts_and_detach_cleans_up);
    return g_test_run();
}
