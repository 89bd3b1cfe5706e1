/* The engine's per-address limits: sessions per client address (refused with 472, freed when
 * a session ends however it ends) and the request rate the transports ask about. */
#include "api_harness.h"

#include "signaling/api/errors.h"
#include "signaling/limits/rejections.h"

static json_t *create_from(struct harness *h, struct prism_event_sink *sink, const char *address)
{
    static const char text[] = "{\"janus\":\"create\",\"transaction\":\"c\"}";
    struct recording_reply rec = {{recording_deliver, NULL}, NULL, 0};
    struct prism_api_request request = {.body = text,
                                        .length = strlen(text),
                                        .sink = sink,
                                        .reply = &rec.target,
                                        .client_address = address};
    prism_api_handle(h->api, &request, h->now_us);
    g_assert_cmpint(rec.deliveries, ==, 1);
    return rec.reply;
}

static uint64_t create_ok(struct harness *h, struct prism_event_sink *sink, const char *address)
{
    json_t *reply = create_from(h, sink, address);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    uint64_t id = reply_data_id(reply);
    json_decref(reply);
    return id;
}

static void assert_too_many_sessions(struct harness *h, const char *address)
{
    uint64_t before = prism_rejection_total(PRISM_REJECT_SESSIONS_PER_ADDRESS);
    json_t *reply = create_from(h, &h->sink.sink, address);
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(reply, "error"), "reason")),
                    ==, "Too many sessions from this address");
    g_assert_cmpstr(json_string_value(json_object_get(reply, "transaction")), ==, "c");
    assert_error_and_free(reply, PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS);
    g_assert_cmpuint(prism_rejection_total(PRISM_REJECT_SESSIONS_PER_ADDRESS), ==, before + 1);
}

static void start_limited(struct harness *h, unsigned sessions, unsigned rate, unsigned burst)
{
    struct prism_api_config config = {.server_name = "test",
                                      .session_timeout_s = 60,
                                      .max_sessions_per_address = sessions,
                                      .requests_per_second = rate,
                                      .request_burst = burst};
    harness_start_with(h, &config);
}

static void destroy_session(struct harness *h, uint64_t session)
{
    char text[128];
    g_snprintf(text, sizeof(text),
               "{\"janus\":\"destroy\",\"transaction\":\"d\",\"session_id\":%" G_GUINT64_FORMAT "}",
               session);
    json_t *reply = harness_send(h, text);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
}

static void test_api_sessions_per_address_are_capped(void)
{
    struct harness h;
    start_limited(&h, 2, 0, 0);
    create_ok(&h, &h.sink.sink, "192.0.2.1");
    uint64_t second = create_ok(&h, &h.sink.sink, "192.0.2.1");
    assert_too_many_sessions(&h, "192.0.2.1");
    /* Another address, and requests Prism makes itself, are not affected. */
    create_ok(&h, &h.sink.sink, "192.0.2.2");
    create_ok(&h, &h.sink.sink, "192.0.2.2");
    for (int i = 0; i < 5; i++)
        create_ok(&h, &h.sink.sink, NULL);
    g_assert_cmpuint(prism_api_sessions_of_address(h.api, "192.0.2.1"), ==, 2);
    /* Destroying one frees its slot. */
    destroy_session(&h, second);
    g_assert_cmpuint(prism_api_sessions_of_address(h.api, "192.0.2.1"), ==, 1);
    create_ok(&h, &h.sink.sink, "192.0.2.1");
    assert_too_many_sessions(&h, "192.0.2.1");
    harness_stop(&h);
}

static void test_api_session_timeout_frees_its_address_slot(void)
{
    struct harness h;
    start_limited(&h, 1, 0, 0);
    create_ok(&h, &h.sink.sink, "192.0.2.1");
    assert_too_many_sessions(&h, "192.0.2.1");
    h.now_us += 61 * 1000000ull;
    prism_api_tick(h.api, h.now_us);
    g_assert_cmpuint(prism_api_sessions_of_address(h.api, "192.0.2.1"), ==, 0);
    create_ok(&h, &h.sink.sink, "192.0.2.1");
    harness_stop(&h);
}

static void test_api_closed_transport_frees_its_address_slots(void)
{
    struct harness h;
    start_limited(&h, 2, 0, 0);
    struct recording_sink other;
    recording_sink_init(&other);
    create_ok(&h, &other.sink, "192.0.2.1");
    create_ok(&h, &other.sink, "192.0.2.1");
    assert_too_many_sessions(&h, "192.0.2.1");
    prism_api_sink_closed(h.api, &other.sink, h.now_us);
    g_assert_cmpuint(prism_api_sessions_of_address(h.api, "192.0.2.1"), ==, 0);
    create_ok(&h, &h.sink.sink, "192.0.2.1");
    prism_event_sink_unref(&other.sink);
    recording_sink_clear(&other);
    harness_stop(&h);
}

static void test_api_zero_means_unlimited_sessions_per_address(void)
{
    struct harness h;
    start_limited(&h, 0, 0, 0);
    for (int i = 0; i < 300; i++)
        create_ok(&h, &h.sink.sink, "192.0.2.1");
    g_assert_cmpuint(prism_api_sessions_of_address(h.api, "192.0.2.1"), ==, 300);
    harness_stop(&h);
}

static void test_api_admit_limits_each_address_on_its_own(void)
{
    struct harness h;
    start_limited(&h, 0, 2, 3);
    uint64_t before = prism_rejection_total(PRISM_REJECT_REQUEST_RATE);
    for (int i = 0; i < 3; i++)
        g_assert_true(prism_api_admit(h.api, "192.0.2.1", "test", h.now_us, NULL));
    uint64_t retry = 0;
    g_assert_false(prism_api_admit(h.api, "192.0.2.1", "test", h.now_us, &retry));
    g_assert_cmpuint(retry, ==, 500000);
    g_assert_true(prism_api_admit(h.api, "192.0.2.2", "test", h.now_us, NULL));
    g_assert_true(prism_api_admit(h.api, NULL, "test", h.now_us, NULL));
    g_assert_cmpuint(prism_rejection_total(PRISM_REJECT_REQUEST_RATE), ==, before + 1);
    h.now_us += 500000;
    g_assert_true(prism_api_admit(h.api, "192.0.2.1", "test", h.now_us, NULL));
    harness_stop(&h);
}

static void test_api_refuse_answers_with_the_transaction(void)
{
    static const char text[] = "{\"janus\":\"ping\",\"transaction\":\"t-42\"}";
    struct recording_reply rec = {{recording_deliver, NULL}, NULL, 0};
    struct prism_api_request request = {.body = text, .length = strlen(text), .reply = &rec.target};
    prism_api_refuse(&request, PRISM_API_ERROR_TOO_MANY_REQUESTS, "Too many requests");
    g_assert_cmpint(rec.deliveries, ==, 1);
    g_assert_cmpstr(json_string_value(json_object_get(rec.reply, "transaction")), ==, "t-42");
    assert_error_and_free(rec.reply, 429);
    /* A body that is not JSON still gets its error, without a transaction. */
    struct recording_reply bad = {{recording_deliver, NULL}, NULL, 0};
    struct prism_api_request garbage = {.body = "{\"trans", .length = 7, .reply = &bad.target};
    prism_api_refuse(&garbage, PRISM_API_ERROR_TOO_MANY_REQUESTS, "Too many requests");
    g_assert_null(json_object_get(bad.reply, "transaction"));
    assert_error_and_free(bad.reply, 429);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/api/sessions-per-address-are-capped",
                    test_api_sessions_per_address_are_capped);
    g_test_add_func("/api/session-timeout-frees-its-address-slot",
                    test_api_session_timeout_frees_its_address_slot);
    g_test_add_func("/api/closed-transport-frees-its-address-slots",
                    test_api_closed_transport_frees_its_address_slots);
    g_test_add_func("/api/zero-means-unlimited-sessions-per-address",
                    test_api_zero_means_unlimited_sessions_per_address);
    g_test_add_func("/api/admit-limits-each-address-on-its-own",
                    test_api_admit_limits_each_address_on_its_own);
    g_test_add_func("/api/refuse-answers-with-the-transaction",
                    test_api_refuse_answers_with_the_transaction);
    return g_test_run();
}
