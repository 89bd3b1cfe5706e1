/* The event queue of the webhook and the Janus-shaped events it carries. */
#include "core/events.h"

#include <glib.h>
#include <string.h>

static void test_event_mask_parses_janus_lists(void)
{
    uint32_t mask = 0;
    g_assert_cmpint(prism_event_mask_parse("all", &mask), ==, 0);
    g_assert_cmpuint(mask, ==, PRISM_EVENT_ALL);
    g_assert_cmpint(prism_event_mask_parse("none", &mask), ==, 0);
    g_assert_cmpuint(mask, ==, 0);
    g_assert_cmpint(prism_event_mask_parse(" Sessions, webrtc ,plugins", &mask), ==, 0);
    g_assert_cmpuint(mask, ==, PRISM_EVENT_SESSION | PRISM_EVENT_WEBRTC | PRISM_EVENT_PLUGIN);
}

static void test_event_mask_rejects_bad_lists(void)
{
    const char *bad[] = {"", "sessions,", "sessions,bogus", "all,sessions", ",", "媒体", NULL};
    for (size_t i = 0; bad[i]; i++) {
        uint32_t mask = 7;
        g_assert_cmpint(prism_event_mask_parse(bad[i], &mask), ==, -EINVAL);
        g_assert_cmpuint(mask, ==, 7);
    }
    uint32_t mask = 7;
    g_assert_cmpint(prism_event_mask_parse(NULL, &mask), ==, -EINVAL);
}

static void test_event_url_accepts_http_only(void)
{
    g_assert_true(prism_event_url_valid("http://127.0.0.1:8080/events"));
    g_assert_true(prism_event_url_valid("https://hooks.example.org/x?token=1"));
    g_assert_false(prism_event_url_valid("ftp://example.org/"));
    g_assert_false(prism_event_url_valid("http://"));
    g_assert_false(prism_event_url_valid("http:///path"));
    g_assert_false(prism_event_url_valid("http://a b/"));
    g_assert_false(prism_event_url_valid(""));
    g_assert_false(prism_event_url_valid(NULL));
}

static void test_queue_drops_and_counts_beyond_capacity(void)
{
    struct prism_event_queue *queue = NULL;
    g_assert_cmpint(prism_event_queue_create(&queue, 3, PRISM_EVENT_ALL, "test"), ==, 0);
    prism_events_install(queue);
    for (int i = 1; i <= 5; i++)
        prism_events_session((uint64_t)i, "created", NULL);
    g_assert_cmpuint(prism_event_queue_dropped(queue), ==, 2);
    json_t *events[8];
    g_assert_cmpuint(prism_event_queue_pop(queue, events, 2, 0), ==, 2);
    /* Oldest first: sessions 1 and 2 were kept, 4 and 5 dropped. */
    g_assert_cmpint(json_integer_value(json_object_get(events[0], "session_id")), ==, 1);
    g_assert_cmpint(json_integer_value(json_object_get(events[1], "session_id")), ==, 2);
    json_decref(events[0]);
    json_decref(events[1]);
    g_assert_cmpuint(prism_event_queue_pop(queue, events, 8, 0), ==, 1);
    json_decref(events[0]);
    g_assert_cmpuint(prism_event_queue_pop(queue, events, 8, 1000), ==, 0); /* times out */
    prism_events_install(NULL);
    prism_event_queue_destroy(queue);
}

static void test_events_have_janus_shapes(void)
{
    struct prism_event_queue *queue = NULL;
    g_assert_cmpint(prism_event_queue_create(&queue, 16, PRISM_EVENT_ALL, "Prism"), ==, 0);
    prism_events_install(queue);
    prism_events_session(11, "created", json_pack("{s:s}", "transport", "janus.transport.http"));
    prism_events_handle(11, 22, "attached", "janus.plugin.echotest", "opaque-1");
    prism_events_jsep(11, 22, NULL, "remote", "offer", "v=0");
    prism_events_handle_body(PRISM_EVENT_WEBRTC, 11, 22, NULL,
                             json_pack("{s:s}", "connection", "webrtcup"));
    prism_events_plugin(11, 22, NULL, "janus.plugin.videoroom",
                        json_pack("{s:s}", "event", "joined"));
    prism_events_core(json_pack("{s:s}", "status", "started"));
    json_t *events[8];
    g_assert_cmpuint(prism_event_queue_pop(queue, events, 8, 0), ==, 6);
    const int types[] = {1, 2, 8, 16, 64, 256};
    for (int i = 0; i < 6; i++) {
        g_assert_cmpint(json_integer_value(json_object_get(events[i], "type")), ==, types[i]);
        g_assert_cmpstr(json_string_value(json_object_get(events[i], "emitter")), ==, "Prism");
        g_assert_true(json_integer_value(json_object_get(events[i], "timestamp")) > 0);
    }
    g_assert_cmpstr(
        json_string_value(json_object_get(
            json_object_get(json_object_get(events[0], "event"), "transport"), "transport")),
        ==, "janus.transport.http");
    g_assert_cmpstr(json_string_value(json_object_get(events[1], "opaque_id")), ==, "opaque-1");
    g_assert_cmpint(json_integer_value(json_object_get(events[1], "handle_id")), ==, 22);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(json_object_get(events[2], "event"), "jsep"), "type")),
                    ==, "offer");
    g_assert_cmpstr(
        json_string_value(json_object_get(json_object_get(events[4], "event"), "plugin")), ==,
        "janus.plugin.videoroom");
    g_assert_null(json_object_get(events[5], "session_id")); /* core events have none */
    for (int i = 0; i < 6; i++)
        json_decref(events[i]);
    prism_events_install(NULL);
    prism_event_queue_destroy(queue);
}

static void test_unwanted_events_are_not_queued(void)
{
    g_assert_false(prism_events_wanted(PRISM_EVENT_SESSION)); /* nothing installed */
    prism_events_session(1, "created", json_object());        /* freed, not leaked */
    struct prism_event_queue *queue = NULL;
    g_assert_cmpint(prism_event_queue_create(&queue, 4, PRISM_EVENT_HANDLE, NULL), ==, 0);
    prism_events_install(queue);
    g_assert_false(prism_events_wanted(PRISM_EVENT_SESSION));
    g_assert_true(prism_events_wanted(PRISM_EVENT_HANDLE));
    prism_events_session(1, "created", json_object());
    prism_events_plugin(1, 2, NULL, "x", json_object());
    prism_events_handle(1, 2, "attached", "x", NULL);
    json_t *events[4];
    g_assert_cmpuint(prism_event_queue_pop(queue, events, 4, 0), ==, 1);
    g_assert_null(json_object_get(events[0], "emitter"));
    json_decref(events[0]);
    prism_events_install(NULL);
    prism_event_queue_destroy(queue);
}

static gpointer close_later(gpointer data)
{
    g_usleep(20000);
    prism_event_queue_close(data);
    return NULL;
}

static void test_close_wakes_the_sender_and_refuses_more(void)
{
    struct prism_event_queue *queue = NULL;
    g_assert_cmpint(prism_event_queue_create(&queue, 4, PRISM_EVENT_ALL, NULL), ==, 0);
    GThread *closer = g_thread_new("closer", close_later, queue);
    json_t *events[4];
    /* Waits far longer than the closer takes: returns once the queue is closed. */
    g_assert_cmpuint(prism_event_queue_pop(queue, events, 4, 60 * G_USEC_PER_SEC), ==, 0);
    g_thread_join(closer);
    prism_events_install(queue);
    prism_events_session(1, "created", NULL);
    g_assert_cmpuint(prism_event_queue_dropped(queue), ==, 1);
    prism_events_install(NULL);
    prism_event_queue_destroy(queue);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/events/mask-parses-janus-lists", test_event_mask_parses_janus_lists);
    g_test_add_func("/events/mask-rejects-bad-lists", test_event_mask_rejects_bad_lists);
    g_test_add_func("/events/url-accepts-http-only", test_event_url_accepts_http_only);
    g_test_add_func("/events/queue-drops-and-counts-beyond-capacity",
                    test_queue_drops_and_counts_beyond_capacity);
    g_test_add_func("/events/have-janus-shapes", test_events_have_janus_shapes);
    g_test_add_func("/events/unwanted-are-not-queued", test_unwanted_events_are_not_queued);
    g_test_add_func("/events/close-wakes-the-sender", test_close_wakes_the_sender_and_refuses_more);
    return g_test_run();
}
