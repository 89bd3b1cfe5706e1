/* The Janus client's sans-IO transactions engine: answer matching (ack then event for a
 * message), timeouts, keepalives, HTTP routing and long-polls, bad input. */
#include "bench/lib/janus/transactions.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#define SECOND 1000000ull

/* Records what reply callbacks got (a reference each; NULL for none). */
struct replies {
    GPtrArray *messages;
    int calls;
};

static void record_reply(void *owner, json_t *reply)
{
    struct replies *replies = owner;
    replies->calls++;
    g_ptr_array_add(replies->messages, json_incref(reply));
}

static void replies_init(struct replies *replies)
{
    replies->messages = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
    replies->calls = 0;
}

static void replies_clear(struct replies *replies)
{
    g_ptr_array_free(replies->messages, TRUE);
}

static struct bench_janus_tx *make_tx(bool http)
{
    struct bench_janus_tx_config config = {.http = http, .base_path = "/janus"};
    struct bench_janus_tx *tx = NULL;
    g_assert_cmpint(bench_janus_tx_create(&tx, &config), ==, 0);
    return tx;
}

/* Runs deliveries: replies to their callback, events into `events` (a reference each). */
static void drain_deliveries(struct bench_janus_tx *tx, GPtrArray *events)
{
    struct bench_janus_delivery delivery;
    while (bench_janus_tx_next_delivery(tx, &delivery)) {
        if (delivery.cb)
            delivery.cb(delivery.owner, delivery.message);
        else if (events)
            g_ptr_array_add(events, json_incref(delivery.message));
        bench_janus_delivery_clear(&delivery);
    }
}

/* Takes the next output; returns the transaction it carries (freed with the output). */
static json_t *next_sent(struct bench_janus_tx *tx, struct bench_janus_output *output)
{
    g_assert_true(bench_janus_tx_next_output(tx, output));
    g_assert_nonnull(output->text);
    json_t *sent = json_loadb(output->text, output->length, 0, NULL);
    g_assert_nonnull(sent);
    return sent;
}

static char *send_and_take(struct bench_janus_tx *tx, const char *request, struct replies *replies,
                           uint64_t now)
{
    g_assert_cmpint(
        bench_janus_tx_send(tx, json_loads(request, 0, NULL), record_reply, replies, now), ==, 0);
    struct bench_janus_output output;
    json_t *sent = next_sent(tx, &output);
    char *transaction = g_strdup(json_string_value(json_object_get(sent, "transaction")));
    g_assert_nonnull(transaction);
    g_assert_cmpstr(transaction, ==, output.transaction);
    json_decref(sent);
    bench_janus_output_clear(&output);
    return transaction;
}

static void feed(struct bench_janus_tx *tx, const char *text, uint64_t now)
{
    g_assert_cmpint(bench_janus_tx_receive(tx, text, strlen(text), now), >=, 1);
}

static void test_create_completes_on_success(void)
{
    struct bench_janus_tx *tx = make_tx(false);
    struct replies replies;
    replies_init(&replies);
    char *t = send_and_take(tx, "{\"janus\":\"create\"}", &replies, SECOND);
    g_assert_cmpuint(bench_janus_tx_pending(tx), ==, 1);
    char *answer = g_strdup_printf(
        "{\"janus\":\"success\",\"transaction\":\"%s\",\"data\":{\"id\":4242}}", t);
    feed(tx, answer, 2 * SECOND);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 1);
    json_t *reply = g_ptr_array_index(replies.messages, 0);
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(reply, "data"), "id")), ==,
                    4242);
    g_assert_cmpuint(bench_janus_tx_pending(tx), ==, 0);
    g_assert_cmpuint(bench_janus_tx_sessions(tx), ==, 1);
    g_free(answer);
    g_free(t);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

static void test_message_waits_past_ack_for_event(void)
{
    struct bench_janus_tx *tx = make_tx(false);
    struct replies replies;
    replies_init(&replies);
    char *t = send_and_take(
        tx, "{\"janus\":\"message\",\"session_id\":1,\"handle_id\":2,\"body\":{\"audio\":true}}",
        &replies, SECOND);
    char *ack = g_strdup_printf("{\"janus\":\"ack\",\"session_id\":1,\"transaction\":\"%s\"}", t);
    feed(tx, ack, SECOND);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 0);
    g_assert_cmpuint(bench_janus_tx_pending(tx), ==, 1);
    char *event = g_strdup_printf("{\"janus\":\"event\",\"session_id\":1,\"sender\":2,"
                                  "\"transaction\":\"%s\",\"plugindata\":{\"plugin\":"
                                  "\"janus.plugin.echotest\",\"data\":{\"result\":\"ok\"}}}",
                                  t);
    feed(tx, event, SECOND);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 1);
    json_t *reply = g_ptr_array_index(replies.messages, 0);
    g_assert_cmpstr(json_string_value(json_object_get(reply, "janus")), ==, "event");
    g_assert_cmpuint(bench_janus_tx_pending(tx), ==, 0);
    g_free(ack);
    g_free(event);
    g_free(t);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

static void test_ack_completes_a_keepalive_or_trickle(void)
{
    struct bench_janus_tx *tx = make_tx(false);
    struct replies replies;
    replies_init(&replies);
    char *t = send_and_take(tx, "{\"janus\":\"trickle\",\"session_id\":1,\"handle_id\":2}",
                            &replies, SECOND);
    char *ack = g_strdup_printf("{\"janus\":\"ack\",\"transaction\":\"%s\"}", t);
    feed(tx, ack, SECOND);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 1);
    g_free(ack);
    g_free(t);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

static void test_error_reply_is_delivered(void)
{
    struct bench_janus_tx *tx = make_tx(false);
    struct replies replies;
    replies_init(&replies);
    char *t = send_and_take(tx, "{\"janus\":\"attach\",\"session_id\":9}", &replies, SECOND);
    char *error = g_strdup_printf("{\"janus\":\"error\",\"transaction\":\"%s\",\"error\":"
                                  "{\"code\":458,\"reason\":\"No such session 9\"}}",
                                  t);
    feed(tx, error, SECOND);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 1);
    json_t *reply = g_ptr_array_index(replies.messages, 0);
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(reply, "error"), "code")),
                    ==, 458);
    g_free(error);
    g_free(t);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

static void test_unknown_transaction_goes_to_the_event_callback(void)
{
    struct bench_janus_tx *tx = make_tx(false);
    GPtrArray *events = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
    feed(tx, "{\"janus\":\"event\",\"transaction\":\"nobody\",\"sender\":5}", SECOND);
    feed(tx, "{\"janus\":\"webrtcup\",\"session_id\":1,\"sender\":5}", SECOND);
    /* Answers to requests that are gone are not events. */
    feed(tx, "{\"janus\":\"ack\",\"transaction\":\"gone\"}", SECOND);
    feed(tx, "{\"janus\":\"success\",\"transaction\":\"gone\"}", SECOND);
    drain_deliveries(tx, events);
    g_assert_cmpuint(events->len, ==, 2);
    g_assert_cmpstr(json_string_value(json_object_get(g_ptr_array_index(events, 1), "janus")), ==,
                    "webrtcup");
    g_ptr_array_free(events, TRUE);
    bench_janus_tx_destroy(tx);
}

static void test_request_times_out_with_null_reply(void)
{
    struct bench_janus_tx_config config = {.timeout_us = 2 * SECOND};
    struct bench_janus_tx *tx;
    g_assert_cmpint(bench_janus_tx_create(&tx, &config), ==, 0);
    struct replies replies;
    replies_init(&replies);
    char *t = send_and_take(tx, "{\"janus\":\"info\"}", &replies, 10 * SECOND);
    g_assert_cmpuint(bench_janus_tx_deadline(tx), ==, 12 * SECOND);
    bench_janus_tx_tick(tx, 12 * SECOND - 1);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 0);
    bench_janus_tx_tick(tx, 12 * SECOND);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 1);
    g_assert_null(g_ptr_array_index(replies.messages, 0));
    g_assert_cmpuint(bench_janus_tx_pending(tx), ==, 0);
    g_assert_cmpuint(bench_janus_tx_deadline(tx), ==, UINT64_MAX);
    /* A late answer is dropped. */
    char *late = g_strdup_printf("{\"janus\":\"server_info\",\"transaction\":\"%s\"}", t);
    feed(tx, late, 13 * SECOND);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 1);
    g_free(late);
    g_free(t);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

/* Creates session `id` over `tx` at `now` and drops the outputs that follow. */
static void create_session(struct bench_janus_tx *tx, uint64_t id, uint64_t now)
{
    struct replies replies;
    replies_init(&replies);
    char *t = send_and_take(tx, "{\"janus\":\"create\"}", &replies, now);
    char *answer = g_strdup_printf("{\"janus\":\"success\",\"transaction\":\"%s\",\"data\":"
                                   "{\"id\":%" G_GUINT64_FORMAT "}}",
                                   t, id);
    feed(tx, answer, now);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 1);
    g_free(answer);
    g_free(t);
    replies_clear(&replies);
}

static void test_keepalive_every_25_s_per_created_session(void)
{
    struct bench_janus_tx *tx = make_tx(false);
    create_session(tx, 77, 100 * SECOND);
    g_assert_cmpuint(bench_janus_tx_deadline(tx), ==, 125 * SECOND);
    bench_janus_tx_tick(tx, 125 * SECOND);
    struct bench_janus_output output;
    json_t *sent = next_sent(tx, &output);
    g_assert_cmpstr(json_string_value(json_object_get(sent, "janus")), ==, "keepalive");
    g_assert_cmpint(json_integer_value(json_object_get(sent, "session_id")), ==, 77);
    /* Keepalives are not the caller's requests; their ack completes them. */
    g_assert_cmpuint(bench_janus_tx_pending(tx), ==, 0);
    char *ack = g_strdup_printf("{\"janus\":\"ack\",\"session_id\":77,\"transaction\":\"%s\"}",
                                output.transaction);
    feed(tx, ack, 125 * SECOND);
    g_assert_false(bench_janus_tx_next_delivery(tx, &(struct bench_janus_delivery){0}));
    g_assert_cmpuint(bench_janus_tx_deadline(tx), ==, 150 * SECOND);
    json_decref(sent);
    bench_janus_output_clear(&output);
    g_free(ack);

    /* Destroying the session stops its keepalives. */
    struct replies replies;
    replies_init(&replies);
    char *t = send_and_take(tx, "{\"janus\":\"destroy\",\"session_id\":77}", &replies,
                            130 * SECOND);
    char *success = g_strdup_printf("{\"janus\":\"success\",\"session_id\":77,\"transaction\":"
                                    "\"%s\"}",
                                    t);
    feed(tx, success, 130 * SECOND);
    drain_deliveries(tx, NULL);
    g_assert_cmpuint(bench_janus_tx_sessions(tx), ==, 0);
    g_assert_cmpuint(bench_janus_tx_deadline(tx), ==, UINT64_MAX);
    g_free(success);
    g_free(t);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

static void test_http_routes_by_session_and_handle(void)
{
    struct bench_janus_tx *tx = make_tx(true);
    struct replies replies;
    replies_init(&replies);
    const char *requests[] = {"{\"janus\":\"create\"}", "{\"janus\":\"attach\",\"session_id\":12}",
                              "{\"janus\":\"message\",\"session_id\":12,\"handle_id\":34}"};
    const char *paths[] = {"/janus", "/janus/12", "/janus/12/34"};
    for (size_t i = 0; i < G_N_ELEMENTS(requests); i++) {
        g_assert_cmpint(bench_janus_tx_send(tx, json_loads(requests[i], 0, NULL), record_reply,
                                            &replies, SECOND),
                        ==, 0);
        struct bench_janus_output output;
        g_assert_true(bench_janus_tx_next_output(tx, &output));
        g_assert_cmpstr(output.path, ==, paths[i]);
        g_assert_nonnull(output.text);
        bench_janus_output_clear(&output);
    }
    char path[16];
    json_t *request = json_pack("{s:I}", "session_id", (json_int_t)123456789);
    g_assert_cmpint(bench_janus_http_path("/janus", request, path, sizeof(path)), ==, -ENOSPC);
    json_decref(request);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

static void test_http_post_without_answer_fails_the_request(void)
{
    struct bench_janus_tx *tx = make_tx(true);
    struct replies replies;
    replies_init(&replies);
    char *t = send_and_take(tx, "{\"janus\":\"attach\",\"session_id\":5}", &replies, SECOND);
    bench_janus_tx_post_done(tx, t, 503, "Service Unavailable", 19, SECOND);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 1);
    g_assert_null(g_ptr_array_index(replies.messages, 0));
    g_free(t);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

static void test_http_long_poll_delivers_message_event_and_polls_again(void)
{
    struct bench_janus_tx *tx = make_tx(true);
    create_session(tx, 88, SECOND);
    struct bench_janus_output output;
    g_assert_true(bench_janus_tx_next_output(tx, &output));
    g_assert_null(output.text);
    g_assert_cmpuint(output.poll_session, ==, 88);
    g_assert_cmpstr(output.path, ==, "/janus/88?maxev=10");
    bench_janus_output_clear(&output);

    struct replies replies;
    replies_init(&replies);
    char *t = send_and_take(tx, "{\"janus\":\"message\",\"session_id\":88,\"handle_id\":3}",
                            &replies, SECOND);
    char *ack = g_strdup_printf("{\"janus\":\"ack\",\"session_id\":88,\"transaction\":\"%s\"}", t);
    bench_janus_tx_post_done(tx, t, 200, ack, strlen(ack), SECOND);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 0);
    char *events = g_strdup_printf(
        "[{\"janus\":\"event\",\"session_id\":88,\"transaction\":\"%s\"},"
        "{\"janus\":\"webrtcup\",\"session_id\":88},7]",
        t);
    GPtrArray *async = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
    bench_janus_tx_poll_done(tx, 88, 200, events, strlen(events), 2 * SECOND);
    drain_deliveries(tx, async);
    g_assert_cmpint(replies.calls, ==, 1);
    g_assert_cmpuint(async->len, ==, 1);
    g_assert_true(bench_janus_tx_next_output(tx, &output));
    g_assert_cmpuint(output.poll_session, ==, 88);
    bench_janus_output_clear(&output);

    /* A failed poll retries later; a 404 ends the session. */
    bench_janus_tx_poll_done(tx, 88, 0, NULL, 0, 3 * SECOND);
    g_assert_false(bench_janus_tx_next_output(tx, &output));
    bench_janus_tx_tick(tx, 3 * SECOND + BENCH_JANUS_POLL_RETRY_US);
    g_assert_true(bench_janus_tx_next_output(tx, &output));
    g_assert_cmpuint(output.poll_session, ==, 88);
    bench_janus_output_clear(&output);
    const char *gone = "{\"janus\":\"error\",\"error\":{\"code\":458,\"reason\":\"x\"}}";
    bench_janus_tx_poll_done(tx, 88, 404, gone, strlen(gone), 4 * SECOND);
    g_assert_false(bench_janus_tx_next_output(tx, &output));
    g_assert_cmpuint(bench_janus_tx_sessions(tx), ==, 0);

    g_ptr_array_free(async, TRUE);
    g_free(events);
    g_free(ack);
    g_free(t);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

static void test_fail_all_answers_everything_with_null(void)
{
    struct bench_janus_tx *tx = make_tx(false);
    create_session(tx, 5, SECOND);
    struct replies replies;
    replies_init(&replies);
    g_free(send_and_take(tx, "{\"janus\":\"attach\",\"session_id\":5}", &replies, SECOND));
    g_free(send_and_take(tx, "{\"janus\":\"info\"}", &replies, SECOND));
    bench_janus_tx_fail_all(tx);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 2);
    g_assert_null(g_ptr_array_index(replies.messages, 0));
    g_assert_null(g_ptr_array_index(replies.messages, 1));
    g_assert_cmpuint(bench_janus_tx_sessions(tx), ==, 0);
    g_assert_cmpuint(bench_janus_tx_deadline(tx), ==, UINT64_MAX);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

static void test_malformed_and_non_object_answers_are_ignored(void)
{
    struct bench_janus_tx *tx = make_tx(false);
    struct replies replies;
    replies_init(&replies);
    char *t = send_and_take(tx, "{\"janus\":\"info\"}", &replies, SECOND);
    const char *bad[] = {"", "{", "\"text\"", "42", "null", "{\"janus\":\"success\",\"transact"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(bench_janus_tx_receive(tx, bad[i], strlen(bad[i]), SECOND), ==, -EBADMSG);
    /* Objects without a string "janus", and arrays of scalars, change nothing. */
    char *no_kind = g_strdup_printf("{\"janus\":7,\"transaction\":\"%s\"}", t);
    feed(tx, no_kind, SECOND);
    g_assert_cmpint(bench_janus_tx_receive(tx, "[1,2]", 5, SECOND), ==, 0);
    g_assert_cmpint(bench_janus_tx_receive(tx, NULL, 0, SECOND), ==, -EBADMSG);
    drain_deliveries(tx, NULL);
    g_assert_cmpint(replies.calls, ==, 0);
    g_assert_cmpuint(bench_janus_tx_pending(tx), ==, 1);
    /* Requests that are not objects with a "janus" are refused. */
    g_assert_cmpint(bench_janus_tx_send(tx, json_string("x"), NULL, NULL, SECOND), ==, -EINVAL);
    g_assert_cmpint(bench_janus_tx_send(tx, json_pack("{s:i}", "janus", 1), NULL, NULL, SECOND), ==,
                    -EINVAL);
    g_assert_cmpint(bench_janus_tx_send(tx, NULL, NULL, NULL, SECOND), ==, -EINVAL);
    g_free(no_kind);
    g_free(t);
    replies_clear(&replies);
    bench_janus_tx_destroy(tx);
}

static void test_http_config_needs_a_base_path(void)
{
    struct bench_janus_tx_config config = {.http = true, .base_path = "janus"};
    struct bench_janus_tx *tx = NULL;
    g_assert_cmpint(bench_janus_tx_create(&tx, &config), ==, -EINVAL);
    g_assert_null(tx);
    config.base_path = "/api/";
    g_assert_cmpint(bench_janus_tx_create(&tx, &config), ==, 0);
    json_t *request = json_pack("{s:s,s:i}", "janus", "attach", "session_id", 3);
    g_assert_cmpint(bench_janus_tx_send(tx, request, NULL, NULL, SECOND), ==, 0);
    struct bench_janus_output output;
    g_assert_true(bench_janus_tx_next_output(tx, &output));
    g_assert_cmpstr(output.path, ==, "/api/3");
    bench_janus_output_clear(&output);
    bench_janus_tx_destroy(tx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bench/janus_tx/create_completes_on_success",
                    test_create_completes_on_success);
    g_test_add_func("/bench/janus_tx/message_waits_past_ack_for_event",
                    test_message_waits_past_ack_for_event);
    g_test_add_func("/bench/janus_tx/ack_completes_a_trickle",
                    test_ack_completes_a_keepalive_or_trickle);
    g_test_add_func("/bench/janus_tx/error_reply_is_delivered", test_error_reply_is_delivered);
    g_test_add_func("/bench/janus_tx/unknown_transaction_is_an_event",
                    test_unknown_transaction_goes_to_the_event_callback);
    g_test_add_func("/bench/janus_tx/request_times_out", test_request_times_out_with_null_reply);
    g_test_add_func("/bench/janus_tx/keepalive_schedule",
                    test_keepalive_every_25_s_per_created_session);
    g_test_add_func("/bench/janus_tx/http_routes", test_http_routes_by_session_and_handle);
    g_test_add_func("/bench/janus_tx/http_post_without_answer_fails",
                    test_http_post_without_answer_fails_the_request);
    g_test_add_func("/bench/janus_tx/http_long_poll",
                    test_http_long_poll_delivers_message_event_and_polls_again);
    g_test_add_func("/bench/janus_tx/fail_all", test_fail_all_answers_everything_with_null);
    g_test_add_func("/bench/janus_tx/malformed_answers_ignored",
                    test_malformed_and_non_object_answers_are_ignored);
    g_test_add_func("/bench/janus_tx/http_base_path", test_http_config_needs_a_base_path);
    return g_test_run();
}
