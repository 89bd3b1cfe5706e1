/* A VideoRoom rig for tests through the API engine: the API harness with a real media
 * environment, the VideoRoom's registry, one session and one room, and Prism peers acting as
 * the clients (their SDP is real; no connectivity is needed). Header-only, like
 * api_harness.h. */
#ifndef PRISM_TESTS_VIDEOROOM_API_RIG_H
#define PRISM_TESTS_VIDEOROOM_API_RIG_H

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

static inline struct prism_peer *client_peer(struct rig *rig, bool controlling)
{
    struct prism_peer_params params = {.env = &rig->env,
                                       .context = rig->context,
                                       .callbacks = &no_callbacks,
                                       .controlling = controlling};
    struct prism_peer *peer = NULL;
    g_assert_cmpint(prism_peer_create(&peer, &params), ==, 0);
    return peer;
}

/* Sends a request of `session` (a "message" of `handle` with `body_text` and an optional JSEP,
 * stolen) and returns the reply. */
static inline json_t *send_message_reply(struct rig *rig, uint64_t session, uint64_t handle,
                                         const char *body_text, json_t *jsep)
{
    json_t *request = json_pack("{s:s, s:s, s:I, s:I, s:o}", "janus", "message", "transaction", "t",
                                "session_id", (json_int_t)session, "handle_id", (json_int_t)handle,
                                "body", json_loads(body_text, 0, NULL));
    if (jsep)
        json_object_set_new(request, "jsep", jsep);
    char *text = json_dumps(request, JSON_COMPACT);
    json_t *reply = harness_send(&rig->h, text);
    free(text);
    json_decref(request);
    return reply;
}

/* Sends a VideoRoom message of `session`'s `handle` that is acknowledged (the answer comes as
 * an event); returns the events count before it, so the caller can look at what it caused. */
static inline guint send_message_in(struct rig *rig, uint64_t session, uint64_t handle,
                                    const char *body_text, json_t *jsep)
{
    guint before = rig->h.sink.events->len;
    json_t *reply = send_message_reply(rig, session, handle, body_text, jsep);
    g_assert_cmpstr(reply_kind(reply), ==, "ack");
    json_decref(reply);
    return before;
}

/* The same in the rig's own session. */
static inline guint send_message(struct rig *rig, uint64_t handle, const char *body_text,
                                 json_t *jsep)
{
    return send_message_in(rig, rig->session, handle, body_text, jsep);
}

static inline json_t *data_of(json_t *event)
{
    return json_object_get(json_object_get(event, "plugindata"), "data");
}

/* The events `handle` got from index `from` on, in order (borrowed). */
static inline GPtrArray *events_since(struct rig *rig, uint64_t handle, guint from)
{
    GPtrArray *found = g_ptr_array_new();
    for (guint i = from; i < rig->h.sink.events->len; i++) {
        json_t *event = g_ptr_array_index(rig->h.sink.events, i);
        if ((uint64_t)json_integer_value(json_object_get(event, "sender")) == handle)
            g_ptr_array_add(found, event);
    }
    return found;
}

static inline const char *event_name(json_t *event)
{
    return json_string_value(json_object_get(data_of(event), "videoroom"));
}

/* Attaches a VideoRoom handle in `session`. */
static inline uint64_t attach_in(struct rig *rig, uint64_t session)
{
    char text[256];
    snprintf(text, sizeof(text),
             "{\"janus\":\"attach\",\"transaction\":\"a\",\"session_id\":%" G_GUINT64_FORMAT
             ",\"plugin\":\"janus.plugin.videoroom\"}",
             session);
    json_t *reply = harness_send(&rig->h, text);
    uint64_t id = reply_data_id(reply);
    json_decref(reply);
    return id;
}

static inline uint64_t attach(struct rig *rig)
{
    return attach_in(rig, rig->session);
}

struct publisher {
    uint64_t handle;
    uint64_t feed;
};

/* A JSEP offer from `client` of one Opus and one VP8 m-line in `direction`. */
static inline json_t *av_offer(struct prism_peer *client, enum prism_sdp_direction direction)
{
    static const struct prism_sdp_codec opus = {
        .pt = 111, .name = "opus", .clock_rate = 48000, .channels = 2};
    static const struct prism_sdp_codec vp8 = {.pt = 96, .name = "VP8", .clock_rate = 90000};
    struct prism_peer_offer_media media[2] = {
        {.kind = PRISM_SDP_MEDIA_AUDIO,
         .mid = "0",
         .direction = direction,
         .codecs = &opus,
         .codec_count = 1},
        {.kind = PRISM_SDP_MEDIA_VIDEO,
         .mid = "1",
         .direction = direction,
         .codecs = &vp8,
         .codec_count = 1},
    };
    char *offer = NULL;
    struct prism_sdp_error err = {0};
    g_assert_cmpint(prism_peer_offer(client, media, 2, &offer, &err), ==, 0);
    json_t *jsep = json_pack("{s:s, s:s}", "type", "offer", "sdp", offer);
    free(offer);
    return jsep;
}

/* The JSEP offer of a publisher sending audio and video from `client`. */
static inline json_t *publisher_offer(struct prism_peer *client)
{
    return av_offer(client, PRISM_SDP_SENDONLY);
}

/* A handle of `session` joined to `room` as a publisher (not publishing yet). */
static inline struct publisher join_publisher(struct rig *rig, uint64_t session, uint64_t room)
{
    uint64_t handle = attach_in(rig, session);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":%" G_GUINT64_FORMAT "}", room);
    guint from = send_message_in(rig, session, handle, body, NULL);
    GPtrArray *events = events_since(rig, handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_cmpstr(event_name(events->pdata[0]), ==, "joined");
    uint64_t id = (uint64_t)json_integer_value(json_object_get(data_of(events->pdata[0]), "id"));
    g_ptr_array_free(events, TRUE);
    return (struct publisher){handle, id};
}

/* A publisher of `session` in `room` with audio and video, offered by `client`. */
static inline struct publisher publish_in(struct rig *rig, uint64_t session, uint64_t room,
                                          struct prism_peer *client)
{
    struct publisher publisher = join_publisher(rig, session, room);
    guint from = send_message_in(rig, session, publisher.handle, "{\"request\":\"publish\"}",
                                 publisher_offer(client));
    GPtrArray *events = events_since(rig, publisher.handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_nonnull(json_object_get(events->pdata[0], "jsep"));
    g_ptr_array_free(events, TRUE);
    return publisher;
}

/* A publisher in the rig's session and room. */
static inline struct publisher publish(struct rig *rig, struct prism_peer *client)
{
    return publish_in(rig, rig->session, rig->room, client);
}

/* The client's answer to the offer in `event`, as a JSEP. */
static inline json_t *answer_to(struct prism_peer *client, json_t *event)
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

/* Sends a synchronous VideoRoom request (create, exists, destroy, ...) of the rig's session
 * through `handle`; returns the reply's plugin data (a new reference). */
static inline json_t *room_request(struct rig *rig, uint64_t handle, const char *body_text)
{
    json_t *reply = send_message_reply(rig, rig->session, handle, body_text, NULL);
    g_assert_cmpstr(reply_kind(reply), ==, "success");
    json_t *data = json_incref(data_of(reply));
    json_decref(reply);
    return data;
}

static inline void rig_start(struct rig *rig)
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
    json_t *created = room_request(rig, attach(rig), "{\"request\":\"create\"}");
    rig->room = (uint64_t)json_integer_value(json_object_get(created, "room"));
    g_assert_cmpuint(rig->room, >, 0);
    json_decref(created);
}

static inline void rig_stop(struct rig *rig)
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

#endif
