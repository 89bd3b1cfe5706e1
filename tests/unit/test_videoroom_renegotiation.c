/* VideoRoom subscriber renegotiation through the API engine, with real SDP from Prism peers
 * acting as the clients (no connectivity needed): a subscriber has at most one offer out, and
 * changes made meanwhile arrive in one offer after its answer. */
#include "api_harness.h"

#include "media/dtls/cert.h"
#include "media/peer/handle_media.h"
#include "media/peer/peer.h"
#include "plugins/videoroom/room.h"

#include <stdio.h>

struct rig {
    struct harness h;
    GMainContext *context; /* the client peers' */
    struct prism_ice_settings ice;
    struct prism_dtls_cert *cert;
    struct prism_dtls_context *dtls;
    struct prism_peer_env env;
    uint64_t session;
    uint64_t room;
};

static const struct prism_peer_callbacks no_callbacks = {0};

static struct prism_peer *client_peer(struct rig *rig, bool controlling)
{
    struct prism_peer_params params = {.env = &rig->env,
                                       .context = rig->context,
                                       .callbacks = &no_callbacks,
                                       .controlling = controlling};
    struct prism_peer *peer = NULL;
    g_assert_cmpint(prism_peer_create(&peer, &params), ==, 0);
    return peer;
}

/* Sends a VideoRoom message with an optional JSEP (stolen); returns the handle's events
 * count before it, so the caller can look at what it caused. */
static guint send_message(struct rig *rig, uint64_t handle, const char *body_text, json_t *jsep)
{
    guint before = rig->h.sink.events->len;
    json_t *request = json_pack("{s:s, s:s, s:I, s:I, s:o}", "janus", "message", "transaction", "t",
                                "session_id", (json_int_t)rig->session, "handle_id",
                                (json_int_t)handle, "body", json_loads(body_text, 0, NULL));
    if (jsep)
        json_object_set_new(request, "jsep", jsep);
    char *text = json_dumps(request, JSON_COMPACT);
    json_t *reply = harness_send(&rig->h, text);
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    json_decref(reply);
    free(text);
    json_decref(request);
    return before;
}

static json_t *data_of(json_t *event)
{
    return json_object_get(json_object_get(event, "plugindata"), "data");
}

/* The events `handle` got from index `from` on, in order (borrowed). */
static GPtrArray *events_since(struct rig *rig, uint64_t handle, guint from)
{
    GPtrArray *found = g_ptr_array_new();
    for (guint i = from; i < rig->h.sink.events->len; i++) {
        json_t *event = g_ptr_array_index(rig->h.sink.events, i);
        if ((uint64_t)json_integer_value(json_object_get(event, "sender")) == handle)
            g_ptr_array_add(found, event);
    }
    return found;
}

static const char *event_name(json_t *event)
{
    return json_string_value(json_object_get(data_of(event), "videoroom"));
}

static unsigned count_mlines(const char *sdp)
{
    unsigned count = 0;
    for (const char *p = strstr(sdp, "\nm="); p; p = strstr(p + 1, "\nm="))
        count++;
    return count;
}

static uint64_t attach(struct rig *rig)
{
    char text[256];
    snprintf(text, sizeof(text),
             "{\"janus\":\"attach\",\"transaction\":\"a\",\"session_id\":%" G_GUINT64_FORMAT
             ",\"plugin\":\"janus.plugin.videoroom\"}",
             rig->session);
    json_t *reply = harness_send(&rig->h, text);
    uint64_t id = reply_data_id(reply);
    json_decref(reply);
    return id;
}

struct publisher {
    uint64_t handle;
    uint64_t feed;
};

/* A publisher with audio and video, offered by `client`. */
static struct publisher publish(struct rig *rig, struct prism_peer *client)
{
    uint64_t handle = attach(rig);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":%" G_GUINT64_FORMAT "}",
             rig->room);
    guint from = send_message(rig, handle, body, NULL);
    GPtrArray *events = events_since(rig, handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    uint64_t id = (uint64_t)json_integer_value(json_object_get(data_of(events->pdata[0]), "id"));
    g_ptr_array_free(events, TRUE);

    static const struct prism_sdp_codec opus = {
        .pt = 111, .name = "opus", .clock_rate = 48000, .channels = 2};
    static const struct prism_sdp_codec vp8 = {.pt = 96, .name = "VP8", .clock_rate = 90000};
    struct prism_peer_offer_media media[2] = {
        {.kind = PRISM_SDP_MEDIA_AUDIO,
         .mid = "0",
         .direction = PRISM_SDP_SENDONLY,
         .codecs = &opus,
         .codec_count = 1},
        {.kind = PRISM_SDP_MEDIA_VIDEO,
         .mid = "1",
         .direction = PRISM_SDP_SENDONLY,
         .codecs = &vp8,
         .codec_count = 1},
    };
    char *offer = NULL;
    struct prism_sdp_error err = {0};
    g_assert_cmpint(prism_peer_offer(client, media, 2, &offer, &err), ==, 0);
    from = send_message(rig, handle, "{\"request\":\"publish\"}",
                        json_pack("{s:s, s:s}", "type", "offer", "sdp", offer));
    free(offer);
    events = events_since(rig, handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_nonnull(json_object_get(events->pdata[0], "jsep"));
    g_ptr_array_free(events, TRUE);
    return (struct publisher){handle, id};
}

/* The client's answer to the offer in `event`, as a JSEP. */
static json_t *answer_to(struct prism_peer *client, json_t *event)
{
    const char *offer = json_string_value(json_object_get(json_object_get(event, "jsep"), "sdp"));
    g_assert_nonnull(offer);
    struct prism_sdp_error err = {0};
    g_assert_cmpint(prism_peer_apply_offer(client, offer, strlen(offer), &err), ==, 0);
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    char *answer = NULL;
    g_assert_cmpint(prism_peer_answer(client, &options, &answer, &err), ==, 0);
    json_t *jsep = json_pack("{s:s, s:s}", "type", "answer", "sdp", answer);
    free(answer);
    return jsep;
}

static void rig_start(struct rig *rig)
{
    memset(rig, 0, sizeof(*rig));
    rig->context = g_main_context_new();
    struct prism_ice_settings_text text = {.interfaces = "127.0.0.1", .port_range = "20000-60000"};
    char error[256];
    g_assert_cmpint(prism_ice_settings_parse(&rig->ice, &text, error, sizeof(error)), ==, 0);
    g_assert_cmpint(prism_dtls_cert_generate(&rig->cert, "test"), ==, 0);
    g_assert_cmpint(prism_dtls_context_new(&rig->dtls, rig->cert, NULL), ==, 0);
    g_assert_cmpint(prism_peer_env_init(&rig->env, &rig->ice, rig->dtls, rig->cert), ==, 0);
    prism_handle_media_set_env(&rig->env);
    harness_start(&rig->h);
    vr_rooms_init();
    vr_rooms_set_workers(rig->h.workers);
    rig->session = harness_create_session(&rig->h);
    uint64_t admin = attach(rig);
    json_t *request = json_pack("{s:s, s:s, s:I, s:I, s:{s:s}}", "janus", "message", "transaction",
                                "c", "session_id", (json_int_t)rig->session, "handle_id",
                                (json_int_t)admin, "body", "request", "create");
    char *request_text = json_dumps(request, JSON_COMPACT);
    json_t *reply = harness_send(&rig->h, request_text);
    rig->room = (uint64_t)json_integer_value(json_object_get(data_of(reply), "room"));
    g_assert_cmpuint(rig->room, >, 0);
    json_decref(reply);
    free(request_text);
    json_decref(request);
}

static void rig_stop(struct rig *rig)
{
    prism_api_destroy(rig->h.api);
    vr_rooms_shutdown();
    vr_rooms_set_workers(NULL);
    prism_worker_pool_destroy(rig->h.workers);
    prism_event_sink_unref(&rig->h.sink.sink);
    recording_sink_clear(&rig->h.sink);
    prism_handle_media_set_env(NULL);
    while (g_main_context_iteration(rig->context, FALSE))
        ;
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_main_context_unref(rig->context);
    prism_dtls_context_unref(rig->dtls);
    prism_dtls_cert_unref(rig->cert);
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
