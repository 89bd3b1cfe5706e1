/* The API engine over time: timeouts, transports closing, claim, shutdown,
 * and reply/event order with real worker threads. */
#include "api_harness.h"

#include "signaling/api/errors.h"

#include <errno.h>

static json_t *send_keepalive(struct harness *h, struct prism_event_sink *sink, uint64_t session)
{
    char text[160];
    g_snprintf(text, sizeof(text),
               "{\"janus\":\"keepalive\",\"transaction\":\"k\",\"session_id\":%" G_GUINT64_FORMAT
               "}",
               session);
    return harness_send_from(h, sink, text, strlen(text));
}

static void test_api_session_times_out_without_activity(void)
{
    struct harness h;
    harness_start(&h); /* 60 s timeout */
    uint64_t session = harness_create_session(&h);
    harness_attach(&h, session);
    h.now_us += 59 * 1000000ull;
    prism_api_tick(h.api, h.now_us);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    json_decref(send_keepalive(&h, &h.sink.sink, session)); /* activity resets the clock */
    h.now_us += 59 * 1000000ull;
    prism_api_tick(h.api, h.now_us);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    h.now_us += 2 * 1000000ull;
    prism_api_tick(h.api, h.now_us);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 0);
    g_assert_cmpuint(prism_api_handle_count(h.api), ==, 0);
    json_t *first = g_ptr_array_index(h.sink.events, 0);
    g_assert_cmpstr(reply_kind(first), ==, "timeout");
    g_assert_cmpuint(json_integer_value(json_object_get(first, "session_id")), ==, session);
    g_assert_cmpuint(h.sink.events->len, ==, 1); /* no "detached": as Janus */
    g_assert_cmpuint(h.sink.gone->len, ==, 1);
    assert_error_and_free(send_keepalive(&h, &h.sink.sink, session),
                          PRISM_API_ERROR_SESSION_NOT_FOUND);
    harness_stop(&h);
}

static void test_api_long_poll_counts_as_activity(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    for (int i = 0; i < 5; i++) {
        h.now_us += 30 * 1000000ull;
        g_assert_cmpint(prism_api_session_poll(h.api, session, &h.sink.sink, h.now_us), ==, 0);
        prism_api_tick(h.api, h.now_us);
    }
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    g_assert_cmpint(prism_api_session_poll(h.api, session + 1, &h.sink.sink, h.now_us), ==,
                    -ENOENT);
    harness_stop(&h);
}

/* As in Janus, where the HTTP transport long-polls only the sessions it created or claimed:
 * a poll from another transport is refused (-EPERM), though, like the keepalive Janus sends
 * for it, it still counts as activity. */
static void test_api_long_poll_is_for_the_owning_transport_only(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    struct recording_sink other;
    recording_sink_init(&other);
    for (int i = 0; i < 3; i++) {
        h.now_us += 30 * 1000000ull;
        g_assert_cmpint(prism_api_session_poll(h.api, session, &other.sink, h.now_us), ==, -EPERM);
        prism_api_tick(h.api, h.now_us);
    }
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    g_assert_cmpuint(other.events->len, ==, 0);
    harness_stop(&h);
    prism_event_sink_unref(&other.sink);
    recording_sink_clear(&other);
}

static void test_api_zero_timeout_never_expires(void)
{
    struct harness h;
    struct prism_api_config config = {.session_timeout_s = 0};
    harness_start_with(&h, &config);
    harness_create_session(&h);
    h.now_us += 3600 * 1000000ull;
    prism_api_tick(h.api, h.now_us);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    harness_stop(&h);
}

static void test_api_closed_transport_destroys_its_sessions_only(void)
{
    struct harness h;
    harness_start(&h);
    struct recording_sink other;
    recording_sink_init(&other);
    uint64_t mine = harness_create_session(&h);
    json_t *reply = harness_send_from(&h, &other.sink,
                                      "{\"janus\":\"create\",\"transaction\":\"o\"}",
                                      strlen("{\"janus\":\"create\",\"transaction\":\"o\"}"));
    uint64_t theirs = reply_data_id(reply);
    json_decref(reply);
    prism_api_sink_closed(h.api, &other.sink, h.now_us);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    assert_error_and_free(send_keepalive(&h, &h.sink.sink, theirs),
                          PRISM_API_ERROR_SESSION_NOT_FOUND);
    json_t *ack = send_keepalive(&h, &h.sink.sink, mine);
    g_assert_cmpstr(reply_kind(ack), ==, "ack");
    json_decref(ack);
    prism_event_sink_unref(&other.sink);
    g_assert_true(other.destroyed);
    recording_sink_clear(&other);
    harness_stop(&h);
}

static void test_api_claim_moves_events_to_new_transport(void)
{
    struct harness h;
    struct prism_api_config config = {.session_timeout_s = 60, .reclaim_timeout_s = 10};
    harness_start_with(&h, &config);
    uint64_t session = harness_create_session(&h);
    uint64_t handle = harness_attach(&h, session);
    prism_api_sink_closed(h.api, &h.sink.sink, h.now_us);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1); /* waiting for a claim */

    struct recording_sink other;
    recording_sink_init(&other);
    char text[200];
    g_snprintf(text, sizeof(text),
               "{\"janus\":\"claim\",\"transaction\":\"c\",\"session_id\":%" G_GUINT64_FORMAT "}",
               session);
    json_t *reply = harness_send_from(&h, &other.sink, text, strlen(text));
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
    g_assert_cmpuint(h.sink.gone->len, ==, 1); /* the old transport let go */
    g_snprintf(text, sizeof(text),
               "{\"janus\":\"message\",\"transaction\":\"m\",\"session_id\":%" G_GUINT64_FORMAT
               ",\"handle_id\":%" G_GUINT64_FORMAT ",\"body\":{}}",
               session, handle);
    json_decref(harness_send_from(&h, &other.sink, text, strlen(text)));
    g_assert_cmpuint(other.events->len, ==, 1);
    g_assert_cmpuint(h.sink.events->len, ==, 0);
    /* Claimed: the reclaim deadline no longer applies. */
    h.now_us += 20 * 1000000ull;
    prism_api_tick(h.api, h.now_us);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    prism_api_destroy(h.api);
    h.api = NULL;
    prism_event_sink_unref(&other.sink);
    recording_sink_clear(&other);
    prism_worker_pool_destroy(h.workers);
    prism_event_sink_unref(&h.sink.sink);
    recording_sink_clear(&h.sink);
}

static void test_api_unclaimed_orphan_is_reclaimed(void)
{
    struct harness h;
    struct prism_api_config config = {.session_timeout_s = 600, .reclaim_timeout_s = 5};
    harness_start_with(&h, &config);
    harness_create_session(&h);
    prism_api_sink_closed(h.api, &h.sink.sink, h.now_us);
    h.now_us += 4 * 1000000ull;
    prism_api_tick(h.api, h.now_us);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 1);
    h.now_us += 2 * 1000000ull;
    prism_api_tick(h.api, h.now_us);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 0);
    harness_stop(&h);
}

static void test_api_shutdown_detaches_everything_and_refuses_create(void)
{
    struct harness h;
    harness_start(&h);
    uint64_t session = harness_create_session(&h);
    harness_attach(&h, session);
    harness_attach(&h, session);
    prism_api_shutdown(h.api);
    g_assert_cmpuint(prism_api_session_count(h.api), ==, 0);
    g_assert_cmpuint(h.sink.events->len, ==, 2);
    for (guint i = 0; i < 2; i++)
        g_assert_cmpstr(reply_kind(g_ptr_array_index(h.sink.events, i)), ==, "detached");
    assert_error_and_free(harness_send(&h, "{\"janus\":\"create\",\"transaction\":\"x\"}"),
                          PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS);
    harness_stop(&h);
}

/* With real threads: replies come from workers, and a plugin's event pushed
 * while handling a message never overtakes the "ack". */
struct ordered_log {
    struct prism_event_sink sink; /* first member */
    struct prism_reply_target target;
    GMutex lock;
    GCond cond;
    GPtrArray *items; /* replies and events in arrival order */
};

static void ordered_push(struct prism_event_sink *sink, uint64_t session_id, json_t *event)
{
    struct ordered_log *log = (struct ordered_log *)sink;
    g_mutex_lock(&log->lock);
    g_ptr_array_add(log->items, event);
    g_cond_broadcast(&log->cond);
    g_mutex_unlock(&log->lock);
}

static void ordered_deliver(struct prism_reply_target *target, json_t *reply)
{
    ordered_push((struct prism_event_sink *)((char *)target - offsetof(struct ordered_log, target)),
                 0, reply);
}

static void ordered_gone(struct prism_event_sink *sink, uint64_t session_id)
{
}
static void ordered_destroy(struct prism_event_sink *sink)
{
}
static const struct prism_event_sink_ops ordered_ops = {ordered_push, ordered_gone,
                                                        ordered_destroy};

static json_t *ordered_wait(struct ordered_log *log, guint index)
{
    g_mutex_lock(&log->lock);
    gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
    while (log->items->len <= index)
        g_assert_true(g_cond_wait_until(&log->cond, &log->lock, deadline));
    json_t *item = g_ptr_array_index(log->items, index);
    g_mutex_unlock(&log->lock);
    return item;
}

static void ordered_send(struct prism_api *api, struct ordered_log *log, const char *text)
{
    struct prism_api_request request = {
        .body = text, .length = strlen(text), .sink = &log->sink, .reply = &log->target};
    prism_api_handle(api, &request, 1);
}

static void test_api_ack_precedes_event_with_worker_threads(void)
{
    struct prism_worker_pool *workers;
    g_assert_cmpint(prism_worker_pool_create(&workers, 2), ==, 0);
    size_t count;
    const struct prism_plugin *const *plugins = prism_builtin_plugins(&count);
    struct prism_api_config config = {.session_timeout_s = 60};
    struct prism_api *api;
    g_assert_cmpint(prism_api_create(&api, &config, plugins, count, workers), ==, 0);
    struct ordered_log log = {.target = {ordered_deliver, NULL}};
    prism_event_sink_init(&log.sink, &ordered_ops, "test");
    g_mutex_init(&log.lock);
    g_cond_init(&log.cond);
    log.items = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);

    ordered_send(api, &log, "{\"janus\":\"create\",\"transaction\":\"c\"}");
    uint64_t session = reply_data_id(ordered_wait(&log, 0));
    char text[256];
    g_snprintf(text, sizeof(text),
               "{\"janus\":\"attach\",\"transaction\":\"a\",\"session_id\":%" G_GUINT64_FORMAT
               ",\"plugin\":\"janus.plugin.echotest\"}",
               session);
    ordered_send(api, &log, text);
    uint64_t handle = reply_data_id(ordered_wait(&log, 1));
    g_assert_cmpuint(handle, >, 0);
    for (int i = 0; i < 20; i++) {
        g_snprintf(text, sizeof(text),
                   "{\"janus\":\"message\",\"transaction\":\"m\","
                   "\"session_id\":%" G_GUINT64_FORMAT ",\"handle_id\":%" G_GUINT64_FORMAT
                   ",\"body\":{\"audio\":true}}",
                   session, handle);
        ordered_send(api, &log, text);
        g_assert_cmpstr(reply_kind(ordered_wait(&log, 2 + 2 * i)), ==, "ack");
        g_assert_cmpstr(reply_kind(ordered_wait(&log, 3 + 2 * i)), ==, "event");
    }
    prism_api_destroy(api);
    prism_worker_pool_destroy(workers);
    g_ptr_array_free(log.items, TRUE);
    g_mutex_clear(&log.lock);
    g_cond_clear(&log.cond);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/api/session-times-out-without-activity",
                    test_api_session_times_out_without_activity);
    g_test_add_func("/api/long-poll-is-for-the-owning-transport-only",
                    test_api_long_poll_is_for_the_owning_transport_only);
    g_test_add_func("/api/long-poll-counts-as-activity", test_api_long_poll_counts_as_activity);
    g_test_add_func("/api/zero-timeout-never-expires", test_api_zero_timeout_never_expires);
    g_test_add_func("/api/closed-transport-destroys-its-sessions-only",
                    test_api_closed_transport_destroys_its_sessions_only);
    g_test_add_func("/api/claim-moves-events-to-new-transport",
                    test_api_claim_moves_events_to_new_transport);
    g_test_add_func("/api/unclaimed-orphan-is-reclaimed", test_api_unclaimed_orphan_is_reclaimed);
    g_test_add_func("/api/shutdown-detaches-everything-and-refuses-create",
                    test_api_shutdown_detaches_everything_and_refuses_create);
    g_test_add_func("/api/ack-precedes-event-with-worker-threads",
                    test_api_ack_precedes_event_with_worker_threads);
    return g_test_run();
}
