/* VideoRoom subscriber renegotiation through the API engine, with real SDP from Prism peers
 * acting as the clients (no connectivity needed): a subscriber has at most one offer out, and
 * changes made meanwhile arrive in one offer after its answer. */
#include "videoroom_api_rig.h"

static unsigned count_mlines(const char *sdp)
{
    unsigned count = 0;
    for (const char *p = strstr(sdp, "\nm="); p; p = strstr(p + 1, "\nm="))
        count++;
    return count;
}

static char *subscribe_body(const char *request, uint64_t feed)
{
    return g_strdup_printf("{\"request\":\"%s\",\"streams\":[{\"feed\":%" G_GUINT64_FORMAT "}]}",
                           request, feed);
}

/* Asserts that the message caused exactly one event, named `name`, without a JSEP. */
static void assert_single_event(struct rig *rig, uint64_t handle, guint from, const char *name)
{
    GPtrArray *events = events_since(rig, handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_cmpstr(event_name(events->pdata[0]), ==, name);
    g_assert_null(json_object_get(events->pdata[0], "jsep"));
    g_ptr_array_free(events, TRUE);
}

static void test_videoroom_subscriber_has_one_offer_out_at_a_time(void)
{
    struct rig rig;
    rig_start(&rig);
    struct prism_peer *clients[4];
    struct publisher publishers[3];
    for (unsigned i = 0; i < 3; i++) {
        clients[i] = client_peer(&rig, true);
        publishers[i] = publish(&rig, clients[i]);
    }
    struct prism_peer *viewer = clients[3] = client_peer(&rig, false);
    uint64_t subscriber = attach(&rig);

    /* Join with the first feed: "attached" and an offer of two m-lines. */
    char body[256];
    snprintf(body, sizeof(body),
             "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":%" G_GUINT64_FORMAT
             ",\"streams\":[{\"feed\":%" G_GUINT64_FORMAT "}]}",
             rig.room, publishers[0].feed);
    guint from = send_message(&rig, subscriber, body, NULL);
    GPtrArray *events = events_since(&rig, subscriber, from);
    g_assert_cmpuint(events->len, ==, 1);
    json_t *attached = json_incref(events->pdata[0]);
    g_ptr_array_free(events, TRUE);
    g_assert_cmpstr(event_name(attached), ==, "attached");

    /* Two more feeds before the answer: each request is answered, neither offers. */
    for (unsigned i = 1; i < 3; i++) {
        char *request = subscribe_body("subscribe", publishers[i].feed);
        from = send_message(&rig, subscriber, request, NULL);
        g_free(request);
        assert_single_event(&rig, subscriber, from, "updating");
    }

    /* The answer: "started", then one offer with everything (3 feeds x 2 m-lines). */
    from = send_message(&rig, subscriber, "{\"request\":\"start\"}", answer_to(viewer, attached));
    json_decref(attached);
    events = events_since(&rig, subscriber, from);
    g_assert_cmpuint(events->len, ==, 2);
    g_assert_cmpstr(json_string_value(json_object_get(data_of(events->pdata[0]), "started")), ==,
                    "ok");
    json_t *updated = json_incref(events->pdata[1]);
    g_ptr_array_free(events, TRUE);
    g_assert_cmpstr(event_name(updated), ==, "updated");
    const char *sdp = json_string_value(json_object_get(json_object_get(updated, "jsep"), "sdp"));
    g_assert_cmpuint(count_mlines(sdp), ==, 6);
    g_assert_cmpuint(json_array_size(json_object_get(data_of(updated), "streams")), ==, 6);

    /* A publisher leaving while that offer is out (autoupdate) waits for its answer too. */
    from = send_message(&rig, publishers[0].handle, "{\"request\":\"leave\"}", NULL);
    events = events_since(&rig, subscriber, from);
    g_assert_cmpuint(events->len, ==, 0);
    g_ptr_array_free(events, TRUE);

    from = send_message(&rig, subscriber, "{\"request\":\"start\"}", answer_to(viewer, updated));
    json_decref(updated);
    events = events_since(&rig, subscriber, from);
    g_assert_cmpuint(events->len, ==, 2);
    updated = json_incref(events->pdata[1]);
    g_ptr_array_free(events, TRUE);
    g_assert_cmpstr(event_name(updated), ==, "updated");
    json_t *streams = json_object_get(data_of(updated), "streams");
    unsigned active = 0;
    for (size_t i = 0; i < json_array_size(streams); i++)
        active += json_is_true(json_object_get(json_array_get(streams, i), "active"));
    g_assert_cmpuint(active, ==, 4);

    /* Its answer needs nothing more: "started" alone. */
    from = send_message(&rig, subscriber, "{\"request\":\"start\"}", answer_to(viewer, updated));
    json_decref(updated);
    events = events_since(&rig, subscriber, from);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_null(json_object_get(events->pdata[0], "jsep"));
    g_ptr_array_free(events, TRUE);

    /* With no offer out, a change is offered at once. */
    char *request = subscribe_body("unsubscribe", publishers[1].feed);
    from = send_message(&rig, subscriber, request, NULL);
    g_free(request);
    events = events_since(&rig, subscriber, from);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_cmpstr(event_name(events->pdata[0]), ==, "updated");
    g_assert_nonnull(json_object_get(events->pdata[0], "jsep"));
    g_ptr_array_free(events, TRUE);

    rig_stop(&rig);
    for (unsigned i = 0; i < 4; i++)
        prism_peer_destroy(clients[i]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/subscriber-has-one-offer-out-at-a-time",
                    test_videoroom_subscriber_has_one_offer_out_at_a_time);
    return g_test_run();
}
