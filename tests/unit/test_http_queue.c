/* The HTTP long-poll queues without sockets: push, poll, maxev, deadlines,
 * ended sessions and shutdown. */
#include "signaling/http/queue.h"

#include <glib.h>
#include <string.h>

#define GRACE_US 60000000u

struct fixture {
    struct prism_http_queue *queue;
    GPtrArray *answered;
};

static void setup(struct fixture *f, size_t max_queued)
{
    g_assert_cmpint(prism_http_queue_create(&f->queue, max_queued, GRACE_US), ==, 0);
    f->answered = g_ptr_array_new();
}

static void teardown(struct fixture *f)
{
    g_assert_cmpuint(prism_http_queue_waiter_count(f->queue), ==, 0);
    prism_http_queue_destroy(f->queue);
    g_ptr_array_free(f->answered, TRUE);
}

static json_t *event(const char *kind, int n)
{
    return json_pack("{s:s, s:i}", "janus", kind, "n", n);
}

static struct prism_http_waiter waiter(uint64_t session, unsigned max_events, uint64_t deadline)
{
    return (struct prism_http_waiter){
        .session_id = session, .max_events = max_events, .deadline_us = deadline};
}

/* Checks the answer is `kind` (with number `n` when n >= 0) and frees it. */
static void assert_event(json_t *answer, const char *kind, int n)
{
    g_assert_nonnull(answer);
    g_assert_true(json_is_object(answer));
    g_assert_cmpstr(json_string_value(json_object_get(answer, "janus")), ==, kind);
    if (n >= 0)
        g_assert_cmpint(json_integer_value(json_object_get(answer, "n")), ==, n);
    json_decref(answer);
}

static void test_http_queue_poll_takes_one_event_by_default(void)
{
    struct fixture f;
    setup(&f, 16);
    g_assert_true(prism_http_queue_push(f.queue, 7, event("event", 1), f.answered));
    g_assert_true(prism_http_queue_push(f.queue, 7, event("event", 2), f.answered));
    g_assert_cmpuint(f.answered->len, ==, 0);
    struct prism_http_waiter w = waiter(7, 1, 100);
    g_assert_cmpint(prism_http_queue_poll(f.queue, &w, true, true), ==, PRISM_HTTP_POLL_ANSWERED);
    assert_event(w.answer, "event", 1);
    g_assert_cmpuint(prism_http_queue_event_count(f.queue, 7), ==, 1);
    w = waiter(7, 1, 100);
    g_assert_cmpint(prism_http_queue_poll(f.queue, &w, true, true), ==, PRISM_HTTP_POLL_ANSWERED);
    assert_event(w.answer, "event", 2);
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 0);
    teardown(&f);
}

static void test_http_queue_maxev_returns_an_array_of_up_to_n(void)
{
    struct fixture f;
    setup(&f, 16);
    for (int i = 1; i <= 5; i++)
        prism_http_queue_push(f.queue, 7, event("event", i), f.answered);
    struct prism_http_waiter w = waiter(7, 3, 100);
    g_assert_cmpint(prism_http_queue_poll(f.queue, &w, true, true), ==, PRISM_HTTP_POLL_ANSWERED);
    g_assert_true(json_is_array(w.answer));
    g_assert_cmpuint(json_array_size(w.answer), ==, 3);
    for (int i = 0; i < 3; i++)
        g_assert_cmpint(json_integer_value(json_object_get(json_array_get(w.answer, i), "n")), ==,
                        i + 1);
    json_decref(w.answer);
    w = waiter(7, 10, 100);
    g_assert_cmpint(prism_http_queue_poll(f.queue, &w, true, true), ==, PRISM_HTTP_POLL_ANSWERED);
    g_assert_cmpuint(json_array_size(w.answer), ==, 2);
    json_decref(w.answer);
    teardown(&f);
}

static void test_http_queue_parks_until_an_event_arrives(void)
{
    struct fixture f;
    setup(&f, 16);
    struct prism_http_waiter w = waiter(7, 1, 100);
    g_assert_cmpint(prism_http_queue_poll(f.queue, &w, true, true), ==, PRISM_HTTP_POLL_WAITING);
    g_assert_null(w.answer);
    g_assert_cmpuint(prism_http_queue_waiter_count(f.queue), ==, 1);
    prism_http_queue_push(f.queue, 8, event("event", 9), f.answered);
    g_assert_cmpuint(f.answered->len, ==, 0);
    prism_http_queue_push(f.queue, 7, event("event", 1), f.answered);
    g_assert_cmpuint(f.answered->len, ==, 1);
    g_assert_true(g_ptr_array_index(f.answered, 0) == &w);
    assert_event(w.answer, "event", 1);
    g_assert_cmpuint(prism_http_queue_event_count(f.queue, 7), ==, 0);
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 1); /* session 8's event */
    teardown(&f);
}

static void test_http_queue_event_answers_every_waiter_oldest_first(void)
{
    struct fixture f;
    setup(&f, 16);
    struct prism_http_waiter first = waiter(7, 1, 100), second = waiter(7, 2, 100);
    prism_http_queue_poll(f.queue, &first, true, true);
    prism_http_queue_poll(f.queue, &second, true, true);
    prism_http_queue_push(f.queue, 7, event("event", 1), f.answered);
    g_assert_cmpuint(f.answered->len, ==, 2);
    assert_event(first.answer, "event", 1);
    /* The second gets what Janus gives it: a keepalive, in its maxev shape. */
    g_assert_true(json_is_array(second.answer));
    assert_event(json_incref(json_array_get(second.answer, 0)), "keepalive", -1);
    json_decref(second.answer);
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 0);
    teardown(&f);
}

static void test_http_queue_deadline_answers_keepalive(void)
{
    struct fixture f;
    setup(&f, 16);
    struct prism_http_waiter early = waiter(7, 1, 1000), late = waiter(8, 4, 5000);
    prism_http_queue_poll(f.queue, &late, true, true);
    prism_http_queue_poll(f.queue, &early, true, true);
    g_assert_cmpuint(prism_http_queue_next_deadline(f.queue), ==, 1000);
    prism_http_queue_expire(f.queue, 999, f.answered);
    g_assert_cmpuint(f.answered->len, ==, 0);
    prism_http_queue_expire(f.queue, 1000, f.answered);
    g_assert_cmpuint(f.answered->len, ==, 1);
    assert_event(early.answer, "keepalive", -1);
    g_assert_cmpuint(prism_http_queue_next_deadline(f.queue), ==, 5000);
    prism_http_queue_expire(f.queue, 9000, f.answered);
    g_assert_cmpuint(f.answered->len, ==, 2);
    char *text = json_dumps(late.answer, JSON_COMPACT);
    g_assert_cmpstr(text, ==, "[{\"janus\":\"keepalive\"}]");
    free(text);
    json_decref(late.answer);
    g_assert_cmpuint(prism_http_queue_next_deadline(f.queue), ==, UINT64_MAX);
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 0);
    teardown(&f);
}

static void test_http_queue_unknown_session_without_events_is_not_found(void)
{
    struct fixture f;
    setup(&f, 16);
    struct prism_http_waiter w = waiter(7, 1, 100);
    g_assert_cmpint(prism_http_queue_poll(f.queue, &w, false, true), ==,
                    PRISM_HTTP_POLL_NO_SESSION);
    g_assert_null(w.answer);
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 0);
    teardown(&f);
}

static void test_http_queue_delivers_final_events_after_session_gone(void)
{
    struct fixture f;
    setup(&f, 16);
    prism_http_queue_push(f.queue, 7, event("timeout", 1), f.answered);
    prism_http_queue_push(f.queue, 7, event("detached", 2), f.answered);
    prism_http_queue_session_gone(f.queue, 7, 1000, f.answered);
    g_assert_cmpuint(prism_http_queue_next_deadline(f.queue), ==, 1000 + GRACE_US);
    /* The engine no longer knows the session, yet its last events go out. */
    struct prism_http_waiter w = waiter(7, 5, 100);
    g_assert_cmpint(prism_http_queue_poll(f.queue, &w, false, true), ==, PRISM_HTTP_POLL_ANSWERED);
    g_assert_cmpuint(json_array_size(w.answer), ==, 2);
    json_decref(w.answer);
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 0);
    w = waiter(7, 5, 100);
    g_assert_cmpint(prism_http_queue_poll(f.queue, &w, false, true), ==,
                    PRISM_HTTP_POLL_NO_SESSION);
    g_assert_cmpuint(prism_http_queue_next_deadline(f.queue), ==, UINT64_MAX);
    teardown(&f);
}

static void test_http_queue_frees_unpolled_ended_sessions_after_grace(void)
{
    struct fixture f;
    setup(&f, 16);
    prism_http_queue_push(f.queue, 7, event("detached", 1), f.answered);
    prism_http_queue_push(f.queue, 8, event("event", 1), f.answered);
    prism_http_queue_session_gone(f.queue, 7, 1000, f.answered);
    prism_http_queue_session_gone(f.queue, 9, 1000, f.answered); /* never had a queue */
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 2);
    prism_http_queue_expire(f.queue, 1000 + GRACE_US - 1, f.answered);
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 2);
    prism_http_queue_expire(f.queue, 1000 + GRACE_US, f.answered);
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 1);
    g_assert_cmpuint(prism_http_queue_event_count(f.queue, 7), ==, 0);
    g_assert_cmpuint(prism_http_queue_event_count(f.queue, 8), ==, 1);
    g_assert_cmpuint(f.answered->len, ==, 0);
    teardown(&f);
}

static void test_http_queue_session_gone_answers_waiters(void)
{
    struct fixture f;
    setup(&f, 16);
    struct prism_http_waiter w = waiter(7, 1, 100);
    prism_http_queue_poll(f.queue, &w, true, true);
    prism_http_queue_session_gone(f.queue, 7, 50, f.answered);
    g_assert_cmpuint(f.answered->len, ==, 1);
    assert_event(w.answer, "keepalive", -1);
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 0);
    teardown(&f);
}

static void test_http_queue_claimed_back_session_is_kept(void)
{
    struct fixture f;
    setup(&f, 16);
    prism_http_queue_push(f.queue, 7, event("event", 1), f.answered);
    prism_http_queue_session_gone(f.queue, 7, 1000, f.answered);
    /* A poll the engine accepts means the session is bound here again. */
    struct prism_http_waiter w = waiter(7, 1, 100);
    prism_http_queue_poll(f.queue, &w, true, true);
    assert_event(w.answer, "event", 1);
    prism_http_queue_push(f.queue, 7, event("event", 2), f.answered);
    prism_http_queue_expire(f.queue, 1000 + GRACE_US, f.answered);
    g_assert_cmpuint(prism_http_queue_event_count(f.queue, 7), ==, 1);
    teardown(&f);
}

static void test_http_queue_drops_events_past_the_cap(void)
{
    struct fixture f;
    setup(&f, 2);
    g_assert_true(prism_http_queue_push(f.queue, 7, event("event", 1), f.answered));
    g_assert_true(prism_http_queue_push(f.queue, 7, event("event", 2), f.answered));
    g_assert_false(prism_http_queue_push(f.queue, 7, event("event", 3), f.answered));
    g_assert_cmpuint(prism_http_queue_event_count(f.queue, 7), ==, 2);
    struct prism_http_waiter w = waiter(7, 10, 100);
    prism_http_queue_poll(f.queue, &w, true, true);
    g_assert_cmpint(json_integer_value(json_object_get(json_array_get(w.answer, 1), "n")), ==, 2);
    json_decref(w.answer);
    teardown(&f);
}

static void test_http_queue_shutdown_answers_everyone(void)
{
    struct fixture f;
    setup(&f, 16);
    struct prism_http_waiter a = waiter(7, 1, 100), b = waiter(8, 3, 200);
    prism_http_queue_poll(f.queue, &a, true, true);
    prism_http_queue_poll(f.queue, &b, true, true);
    prism_http_queue_answer_all(f.queue, f.answered);
    g_assert_cmpuint(f.answered->len, ==, 2);
    assert_event(a.answer, "keepalive", -1);
    g_assert_true(json_is_array(b.answer));
    json_decref(b.answer);
    /* While stopping a poll never waits. */
    struct prism_http_waiter c = waiter(7, 1, 100);
    g_assert_cmpint(prism_http_queue_poll(f.queue, &c, true, false), ==, PRISM_HTTP_POLL_ANSWERED);
    assert_event(c.answer, "keepalive", -1);
    g_assert_cmpuint(prism_http_queue_session_count(f.queue), ==, 0);
    teardown(&f);
}

static void test_http_queue_cancel_forgets_a_waiter(void)
{
    struct fixture f;
    setup(&f, 16);
    struct prism_http_waiter w = waiter(7, 1, 100);
    prism_http_queue_poll(f.queue, &w, true, true);
    prism_http_queue_cancel(f.queue, &w);
    prism_http_queue_cancel(f.queue, &w); /* twice is harmless */
    prism_http_queue_push(f.queue, 7, event("event", 1), f.answered);
    g_assert_cmpuint(f.answered->len, ==, 0);
    g_assert_cmpuint(prism_http_queue_event_count(f.queue, 7), ==, 1);
    teardown(&f);
}

static void test_http_queue_orders_deadlines_out_of_arrival_order(void)
{
    struct fixture f;
    setup(&f, 16);
    struct prism_http_waiter w[4] = {waiter(1, 1, 300), waiter(2, 1, 100), waiter(3, 1, 400),
                                     waiter(4, 1, 200)};
    for (int i = 0; i < 4; i++)
        prism_http_queue_poll(f.queue, &w[i], true, true);
    const uint64_t expected[] = {2, 4, 1, 3};
    for (int i = 0; i < 4; i++) {
        g_assert_cmpuint(prism_http_queue_next_deadline(f.queue), ==, (uint64_t)(i + 1) * 100);
        prism_http_queue_expire(f.queue, (uint64_t)(i + 1) * 100, f.answered);
        g_assert_cmpuint(f.answered->len, ==, (guint)i + 1);
        struct prism_http_waiter *done = g_ptr_array_index(f.answered, i);
        g_assert_cmpuint(done->session_id, ==, expected[i]);
        json_decref(done->answer);
    }
    teardown(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/http-queue/poll-takes-one-event-by-default",
                    test_http_queue_poll_takes_one_event_by_default);
    g_test_add_func("/http-queue/maxev-returns-an-array-of-up-to-n",
                    test_http_queue_maxev_returns_an_array_of_up_to_n);
    g_test_add_func("/http-queue/parks-until-an-event-arrives",
                    test_http_queue_parks_until_an_event_arrives);
    g_test_add_func("/http-queue/event-answers-every-waiter-oldest-first",
                    test_http_queue_event_answers_every_waiter_oldest_first);
    g_test_add_func("/http-queue/deadline-answers-keepalive",
                    test_http_queue_deadline_answers_keepalive);
    g_test_add_func("/http-queue/unknown-session-without-events-is-not-found",
                    test_http_queue_unknown_session_without_events_is_not_found);
    g_test_add_func("/http-queue/delivers-final-events-after-session-gone",
                    test_http_queue_delivers_final_events_after_session_gone);
    g_test_add_func("/http-queue/frees-unpolled-ended-sessions-after-grace",
                    test_http_queue_frees_unpolled_ended_sessions_after_grace);
    g_test_add_func("/http-queue/session-gone-answers-waiters",
                    test_http_queue_session_gone_answers_waiters);
    g_test_add_func("/http-queue/claimed-back-session-is-kept",
                    test_http_queue_claimed_back_session_is_kept);
    g_test_add_func("/http-queue/drops-events-past-the-cap",
                    test_http_queue_drops_events_past_the_cap);
    g_test_add_func("/http-queue/shutdown-answers-everyone",
                    test_http_queue_shutdown_answers_everyone);
    g_test_add_func("/http-queue/cancel-forgets-a-waiter", test_http_queue_cancel_forgets_a_waiter);
    g_test_add_func("/http-queue/orders-deadlines-out-of-arrival-order",
                    test_http_queue_orders_deadlines_out_of_arrival_order);
    return g_test_run();
}
