/* Limits through the API engine, each crossed: PeerConnections per session
 * (general.max_peers_per_session), rooms (videoroom.max_rooms), publishers per room (the
 * room's "publishers") and subscribers per room (max_subscribers, WHEP-style viewers
 * included). Each refusal is a clear error, and the others go on. */
#include "videoroom_api_rig.h"

#include "core/metrics_page.h"

/* A VideoRoom figure of the metrics page (the first of that name). */
static double videoroom_metric(const char *name)
{
    struct prism_metrics_gauges gauges;
    prism_metrics_gauges_init(&gauges);
    vr_rooms_collect_metrics(&gauges);
    double value = -1;
    for (guint i = 0; i < gauges.items->len && value < 0; i++) {
        struct prism_metrics_gauge *item = &g_array_index(gauges.items, struct prism_metrics_gauge,
                                                          i);
        if (strcmp(item->name, name) == 0)
            value = item->value;
    }
    prism_metrics_gauges_clear(&gauges);
    g_assert_cmpfloat(value, >=, 0);
    return value;
}

/* Sends a core request ("hangup", "detach") for `handle` of `session`; asserts success. */
static void core_request(struct rig *rig, uint64_t session, uint64_t handle, const char *verb)
{
    char text[256];
    snprintf(text, sizeof(text),
             "{\"janus\":\"%s\",\"transaction\":\"x\",\"session_id\":%" G_GUINT64_FORMAT
             ",\"handle_id\":%" G_GUINT64_FORMAT "}",
             verb, session, handle);
    json_t *reply = harness_send(&rig->h, text);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_decref(reply);
}

/* The only event `handle` got from `from` on (a new reference). */
static json_t *single_event(struct rig *rig, uint64_t handle, guint from)
{
    GPtrArray *events = events_since(rig, handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    json_t *event = json_incref(events->pdata[0]);
    g_ptr_array_free(events, TRUE);
    return event;
}

/* Asserts the event is the VideoRoom error `code` whose text contains `words`; frees it. */
static void assert_plugin_error(json_t *event, int code, const char *words)
{
    json_t *data = data_of(event);
    g_assert_cmpint(json_integer_value(json_object_get(data, "error_code")), ==, code);
    const char *text = json_string_value(json_object_get(data, "error"));
    g_assert_nonnull(text);
    if (!strstr(text, words))
        g_error("error \"%s\" does not say \"%s\"", text, words);
    json_decref(event);
}

/* How many participants of `room` are publishing. */
static unsigned publishing_count(struct rig *rig, uint64_t admin, uint64_t room)
{
    char body[128];
    snprintf(body, sizeof(body),
             "{\"request\":\"listparticipants\",\"room\":%" G_GUINT64_FORMAT "}", room);
    json_t *data = room_request(rig, admin, body);
    json_t *list = json_object_get(data, "participants");
    unsigned count = 0;
    for (size_t i = 0; i < json_array_size(list); i++)
        count += json_is_true(json_object_get(json_array_get(list, i), "publisher"));
    json_decref(data);
    return count;
}

static char *subscriber_join_body(uint64_t room, uint64_t feed)
{
    return g_strdup_printf(
        "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":%" G_GUINT64_FORMAT
        ",\"streams\":[{\"feed\":%" G_GUINT64_FORMAT "}]}",
        room, feed);
}

static void test_session_refuses_peer_connections_over_its_limit(void)
{
    struct rig rig;
    rig_start(&rig);
    rig.env.max_peers_per_session = 2;
    struct prism_peer *clients[4];
    for (unsigned i = 0; i < 4; i++)
        clients[i] = client_peer(&rig, true);
    struct publisher first = publish(&rig, clients[0]);
    publish(&rig, clients[1]);

    /* A third publisher of the session: its JSEP is refused before the plugin sees it. */
    struct publisher third = join_publisher(&rig, rig.session, rig.room);
    uint64_t refused_before = prism_handle_media_peers_refused();
    json_t *reply = send_message_reply(&rig, rig.session, third.handle, "{\"request\":\"publish\"}",
                                       publisher_offer(clients[2]));
    g_assert_cmpstr(reply_kind(reply), ==, "error");
    g_assert_cmpint(reply_error_code(reply), ==, 490);
    const char *reason = json_string_value(
        json_object_get(json_object_get(reply, "error"), "reason"));
    g_assert_nonnull(strstr(reason, "Too many PeerConnections in this session (at most 2"));
    json_decref(reply);
    g_assert_cmpuint(prism_handle_media_peers_refused(), ==, refused_before + 1);

    /* A subscriber of the session, whose offer Prism makes, is refused too. */
    uint64_t subscriber = attach(&rig);
    char *body = subscriber_join_body(rig.room, first.feed);
    guint from = send_message(&rig, subscriber, body, NULL);
    assert_plugin_error(single_event(&rig, subscriber, from), 499, "Too many PeerConnections");

    /* Another session is not limited by this one's PeerConnections. */
    uint64_t other = harness_create_session(&rig.h);
    publish_in(&rig, other, rig.room, clients[3]);
    uint64_t other_subscriber = attach_in(&rig, other);
    from = send_message_in(&rig, other, other_subscriber, body, NULL);
    json_t *attached = single_event(&rig, other_subscriber, from);
    g_assert_cmpstr(event_name(attached), ==, "attached");
    json_decref(attached);
    g_free(body);
    g_assert_cmpuint(publishing_count(&rig, attach(&rig), rig.room), ==, 3);

    /* Hanging one up frees its place: the third publisher gets in. */
    core_request(&rig, rig.session, first.handle, "hangup");
    prism_peer_destroy(clients[2]);
    clients[2] = client_peer(&rig, true);
    from = send_message(&rig, third.handle, "{\"request\":\"publish\"}",
                        publisher_offer(clients[2]));
    json_t *published = single_event(&rig, third.handle, from);
    g_assert_nonnull(json_object_get(published, "jsep"));
    json_decref(published);

    rig_stop(&rig);
    for (unsigned i = 0; i < 4; i++)
        prism_peer_destroy(clients[i]);
}

static void test_videoroom_refuses_rooms_over_max_rooms(void)
{
    struct rig rig;
    rig_start(&rig); /* one room */
    vr_rooms_set_limits(2, 0);
    uint64_t admin = attach(&rig);
    json_t *data = room_request(&rig, admin, "{\"request\":\"create\",\"room\":77}");
    g_assert_cmpstr(json_string_value(json_object_get(data, "videoroom")), ==, "created");
    json_decref(data);

    double refused_before = videoroom_metric("prism_videoroom_rooms_refused_total");
    data = room_request(&rig, admin, "{\"request\":\"create\",\"room\":78}");
    g_assert_cmpfloat(videoroom_metric("prism_videoroom_rooms_refused_total"), ==,
                      refused_before + 1);
    g_assert_cmpint(json_integer_value(json_object_get(data, "error_code")), ==, 499);
    g_assert_cmpstr(json_string_value(json_object_get(data, "error")), ==,
                    "Maximum number of rooms (2) reached");
    json_decref(data);
    data = room_request(&rig, admin, "{\"request\":\"exists\",\"room\":78}");
    g_assert_false(json_is_true(json_object_get(data, "exists")));
    json_decref(data);

    /* The rooms there go on: one can be joined; once one is gone, a room can be created. */
    struct publisher publisher = join_publisher(&rig, rig.session, rig.room);
    g_assert_cmpuint(publisher.feed, >, 0);
    json_decref(room_request(&rig, admin, "{\"request\":\"destroy\",\"room\":77}"));
    data = room_request(&rig, admin, "{\"request\":\"create\",\"room\":78}");
    g_assert_cmpstr(json_string_value(json_object_get(data, "videoroom")), ==, "created");
    json_decref(data);
    rig_stop(&rig);
}

static void test_videoroom_refuses_publishers_over_the_rooms_limit(void)
{
    struct rig rig;
    rig_start(&rig);
    uint64_t admin = attach(&rig);
    json_decref(room_request(&rig, admin, "{\"request\":\"create\",\"room\":5,\"publishers\":1}"));
    struct prism_peer *clients[2] = {client_peer(&rig, true), client_peer(&rig, true)};
    struct publisher first = publish_in(&rig, rig.session, 5, clients[0]);

    struct publisher second = join_publisher(&rig, rig.session, 5);
    guint from = send_message(&rig, second.handle, "{\"request\":\"publish\"}",
                              publisher_offer(clients[1]));
    assert_plugin_error(single_event(&rig, second.handle, from), 432,
                        "Maximum number of publishers (1) reached");
    g_assert_cmpuint(publishing_count(&rig, admin, 5), ==, 1);

    /* The first one leaves its place: the second publishes. */
    from = send_message(&rig, first.handle, "{\"request\":\"unpublish\"}", NULL);
    g_assert_cmpuint(publishing_count(&rig, admin, 5), ==, 0);
    prism_peer_destroy(clients[1]);
    clients[1] = client_peer(&rig, true);
    core_request(&rig, rig.session, second.handle, "hangup");
    from = send_message(&rig, second.handle, "{\"request\":\"publish\"}",
                        publisher_offer(clients[1]));
    json_t *published = single_event(&rig, second.handle, from);
    g_assert_nonnull(json_object_get(published, "jsep"));
    json_decref(published);
    g_assert_cmpuint(publishing_count(&rig, admin, 5), ==, 1);
    rig_stop(&rig);
    prism_peer_destroy(clients[0]);
    prism_peer_destroy(clients[1]);
}

/* A WHEP-style viewer's join: a subscriber "join" carrying its own offer. */
static guint viewer_join(struct rig *rig, uint64_t handle, uint64_t room, uint64_t feed,
                         struct prism_peer *client)
{
    json_t *jsep = av_offer(client, PRISM_SDP_RECVONLY);
    char body[160];
    snprintf(body, sizeof(body),
             "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":%" G_GUINT64_FORMAT
             ",\"feed\":%" G_GUINT64_FORMAT "}",
             room, feed);
    return send_message(rig, handle, body, jsep);
}

static void test_videoroom_refuses_subscribers_over_max_subscribers(void)
{
    struct rig rig;
    rig_start(&rig);
    uint64_t admin = attach(&rig);
    json_decref(
        room_request(&rig, admin, "{\"request\":\"create\",\"room\":9,\"max_subscribers\":1}"));
    struct prism_peer *clients[4];
    for (unsigned i = 0; i < 4; i++)
        clients[i] = client_peer(&rig, i < 3);
    struct publisher publisher = publish_in(&rig, rig.session, 9, clients[0]);

    /* A WHEP-style viewer takes the one place... */
    uint64_t viewer = attach(&rig);
    json_t *attached = single_event(&rig, viewer,
                                    viewer_join(&rig, viewer, 9, publisher.feed, clients[1]));
    g_assert_cmpstr(event_name(attached), ==, "attached");
    g_assert_nonnull(json_object_get(attached, "jsep"));
    json_decref(attached);

    /* ... so a subscriber and another viewer are refused with 432 (WHEP: 503). */
    char *body = subscriber_join_body(9, publisher.feed);
    uint64_t subscriber = attach(&rig);
    double refused_before = videoroom_metric("prism_videoroom_subscribers_refused_total");
    guint from = send_message(&rig, subscriber, body, NULL);
    assert_plugin_error(single_event(&rig, subscriber, from), 432,
                        "Maximum number of subscribers (1) reached");
    g_assert_cmpfloat(videoroom_metric("prism_videoroom_subscribers_refused_total"), ==,
                      refused_before + 1);
    uint64_t second_viewer = attach(&rig);
    assert_plugin_error(
        single_event(&rig, second_viewer,
                     viewer_join(&rig, second_viewer, 9, publisher.feed, clients[2])),
        432, "Maximum number of subscribers (1) reached");

    /* The viewer and the publisher go on; when the viewer leaves, a subscriber gets in. */
    from = send_message(&rig, viewer, "{\"request\":\"configure\",\"substream\":0}", NULL);
    json_t *configured = single_event(&rig, viewer, from);
    g_assert_null(json_object_get(data_of(configured), "error_code"));
    json_decref(configured);
    g_assert_cmpuint(publishing_count(&rig, admin, 9), ==, 1);
    core_request(&rig, rig.session, viewer, "detach");
    from = send_message(&rig, subscriber, body, NULL);
    attached = single_event(&rig, subscriber, from);
    g_assert_cmpstr(event_name(attached), ==, "attached");
    json_t *started_from = answer_to(clients[3], attached);
    json_decref(attached);
    from = send_message(&rig, subscriber, "{\"request\":\"start\"}", started_from);
    json_t *started = single_event(&rig, subscriber, from);
    g_assert_cmpstr(json_string_value(json_object_get(data_of(started), "started")), ==, "ok");
    json_decref(started);
    g_free(body);
    rig_stop(&rig);
    for (unsigned i = 0; i < 4; i++)
        prism_peer_destroy(clients[i]);
}

static void test_videoroom_rooms_take_the_plugin_wide_subscriber_limit(void)
{
    struct rig rig;
    rig_start(&rig);
    vr_rooms_set_limits(0, 7);
    uint64_t admin = attach(&rig);
    json_decref(room_request(&rig, admin, "{\"request\":\"create\",\"room\":11}"));
    json_decref(
        room_request(&rig, admin, "{\"request\":\"create\",\"room\":12,\"max_subscribers\":0}"));
    json_t *data = room_request(
        &rig, admin, "{\"request\":\"create\",\"room\":13,\"max_subscribers\":\"many\"}");
    g_assert_cmpint(json_integer_value(json_object_get(data, "error_code")), ==, 430);
    json_decref(data);
    struct vr_room *defaulted = vr_rooms_find(11), *unlimited = vr_rooms_find(12);
    g_assert_cmpuint(defaulted->max_subscribers, ==, 7);
    g_assert_cmpuint(unlimited->max_subscribers, ==, 0);
    vr_room_unref(defaulted);
    vr_room_unref(unlimited);
    rig_stop(&rig);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/limits/session-refuses-peer-connections-over-its-limit",
                    test_session_refuses_peer_connections_over_its_limit);
    g_test_add_func("/limits/videoroom-refuses-rooms-over-max-rooms",
                    test_videoroom_refuses_rooms_over_max_rooms);
    g_test_add_func("/limits/videoroom-refuses-publishers-over-the-rooms-limit",
                    test_videoroom_refuses_publishers_over_the_rooms_limit);
    g_test_add_func("/limits/videoroom-refuses-subscribers-over-max-subscribers",
                    test_videoroom_refuses_subscribers_over_max_subscribers);
    g_test_add_func("/limits/videoroom-rooms-take-the-plugin-wide-subscriber-limit",
                    test_videoroom_rooms_take_the_plugin_wide_subscriber_limit);
    return g_test_run();
}
