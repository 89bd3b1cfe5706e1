/* The VideoRoom roles: a publisher (join, publish with an offer), and one multistream
 * subscriber handle per participant that grows as publishers appear (join with streams, then
 * "subscribe"; every server offer answered with "start"), as janus.js 1.x apps do. */
#include "bench/lib/janus/janus_client.h"
#include "bench/lib/scenario/participant.h"

#include <string.h>

static void subscribe_pending(struct bench_participant *participant);

/* With --token (the room's pin for WHIP/WHEP) the Janus API joins carry it as "pin". */
static json_t *room_body(struct bench_participant *participant, const char *request)
{
    json_t *body = json_pack("{s:s,s:I}", "request", request, "room",
                             (json_int_t)participant->scenario->room_id);
    const char *token = participant->scenario->options->token;
    if (token)
        json_object_set_new(body, "pin", json_string(token));
    return body;
}

/* ---- publisher ---- */

static void published_cb(void *owner, json_t *reply)
{
    participant_apply_answer(owner, reply, "publish refused");
}

static void publish(struct bench_participant *participant)
{
    const struct bench_options *options = participant->scenario->options;
    char *sdp = NULL;
    if (participant_create_endpoint(participant, true, false, false, &participant->main_endpoint) <
            0 ||
        bench_endpoint_offer(participant->main_endpoint, PRISM_SDP_SENDONLY, false, &sdp) < 0) {
        participant_fail(participant, "cannot make a publisher offer");
        return;
    }
    json_t *body = json_pack("{s:s,s:b,s:b}", "request", "publish", "audio", options->audio,
                             "video", options->video);
    json_t *jsep = json_pack("{s:s,s:s}", "type", "offer", "sdp", sdp);
    g_free(sdp);
    participant_send_message(participant, participant->main_handle, body, jsep, published_cb);
}

static void joined_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    json_t *data = participant_plugin_data(participant, reply, "join as publisher refused");
    if (!data)
        return;
    participant->feed_id = (uint64_t)json_integer_value(json_object_get(data, "id"));
    if (participant->role == BENCH_ROLE_BROADCASTER)
        __atomic_store_n(&participant->scenario->broadcaster_feed, (gint64)participant->feed_id,
                         __ATOMIC_RELEASE);
    else
        participant_add_feeds(participant, json_object_get(data, "publishers"));
    publish(participant);
}

static void publisher_attached_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    participant->main_handle = participant_reply_id(participant, reply,
                                                    "attach to janus.plugin.videoroom failed");
    if (!participant->main_handle)
        return;
    json_t *body = room_body(participant, "join");
    json_object_set_new(body, "ptype", json_string("publisher"));
    json_object_set_new(body, "display", json_sprintf("bench-%u", participant->index));
    participant_send_message(participant, participant->main_handle, body, NULL, joined_cb);
}

static void attach_videoroom(struct bench_participant *participant,
                             void (*cb)(void *owner, json_t *reply))
{
    json_t *request = participant_request(participant, "attach", 0);
    json_object_set_new(request, "plugin", json_string("janus.plugin.videoroom"));
    bench_janus_send(participant->janus, request, cb, participant);
}

void participant_start_publisher(struct bench_participant *participant)
{
    attach_videoroom(participant, publisher_attached_cb);
}

/* ---- feeds ---- */

static void want_feed(struct bench_participant *participant, uint64_t feed)
{
    if (!feed || feed == participant->feed_id || g_hash_table_contains(participant->feeds, &feed))
        return;
    g_hash_table_add(participant->feeds, g_memdup2(&feed, sizeof(feed)));
    g_array_append_val(participant->wanted_feeds, feed);
}

void participant_add_feeds(struct bench_participant *participant, json_t *publishers)
{
    if (participant->role != BENCH_ROLE_MEMBER || !json_is_array(publishers))
        return;
    size_t i;
    json_t *publisher;
    json_array_foreach(publishers, i, publisher)
        want_feed(participant, (uint64_t)json_integer_value(json_object_get(publisher, "id")));
    subscribe_pending(participant);
}

void participant_remove_feed(struct bench_participant *participant, uint64_t feed)
{
    g_hash_table_remove(participant->feeds, &feed);
    for (unsigned i = 0; i < participant->wanted_feeds->len; i++)
        if (g_array_index(participant->wanted_feeds, uint64_t, i) == feed)
            g_array_remove_index(participant->wanted_feeds, i--);
}

/* ---- subscriber ---- */

/* The streams of the feeds wanted so far, which become the feeds asked for. */
static json_t *ask_for_wanted(struct bench_participant *participant)
{
    GArray *feeds = participant->wanted_feeds;
    json_t *streams = json_array();
    for (unsigned i = 0; i < feeds->len; i++)
        json_array_append_new(
            streams, json_pack("{s:I}", "feed", (json_int_t)g_array_index(feeds, uint64_t, i)));
    g_array_set_size(participant->asked_feeds, 0);
    g_array_append_vals(participant->asked_feeds, feeds->data, feeds->len);
    g_array_set_size(feeds, 0);
    return streams;
}

static void started_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    if (!participant_plugin_data(participant, reply, "start refused"))
        return;
    participant->sub_busy = false;
    participant_check_ready(participant);
    participant_layer_started(participant);
    subscribe_pending(participant);
}

static bool create_sub_endpoint(struct bench_participant *participant)
{
    /* A few subscribers measure keyframe delay; all of them asking would make every frame a
     * keyframe. */
    return participant->sub_endpoint ||
           participant_create_endpoint(participant, false, true, participant->index < 2,
                                       &participant->sub_endpoint) == 0;
}

/* A server offer (attached, updated, or one it sent by itself) answered with "start". */
void participant_answer_offer(struct bench_participant *participant, json_t *reply)
{
    json_t *jsep = json_object_get(reply, "jsep");
    const char *sdp = json_string_value(json_object_get(jsep, "sdp"));
    if (!sdp) {
        participant->sub_busy = false;
        subscribe_pending(participant);
        return;
    }
    char *answer = NULL;
    if (!create_sub_endpoint(participant) ||
        bench_endpoint_answer(participant->sub_endpoint, sdp, &answer) < 0) {
        participant_fail(participant, "cannot answer the subscriber offer");
        return;
    }
    participant->sub_busy = true;
    json_t *answer_jsep = json_pack("{s:s,s:s}", "type", "answer", "sdp", answer);
    g_free(answer);
    json_t *body = json_pack("{s:s}", "request", "start");
    participant_send_message(participant, participant->sub_handle, body, answer_jsep, started_cb);
}

/* A publisher that left after we asked for it makes the server refuse the whole request
 * (428, as Janus does); its "leaving" came first on our session, so the feeds still known
 * are asked for again. Returns false when none of the asked feeds had left. */
static bool ask_again_without_gone_feeds(struct bench_participant *participant, json_t *reply)
{
    json_t *data = json_object_get(json_object_get(reply, "plugindata"), "data");
    if (json_integer_value(json_object_get(data, "error_code")) != 428)
        return false;
    GArray *asked = participant->asked_feeds;
    unsigned kept = 0;
    for (unsigned i = 0; i < asked->len; i++) {
        uint64_t feed = g_array_index(asked, uint64_t, i);
        if (g_hash_table_contains(participant->feeds, &feed)) {
            g_array_append_val(participant->wanted_feeds, feed);
            kept++;
        }
    }
    if (kept == asked->len) {
        g_array_set_size(participant->wanted_feeds, participant->wanted_feeds->len - kept);
        return false;
    }
    g_array_set_size(asked, 0);
    participant->sub_busy = false;
    subscribe_pending(participant);
    return true;
}

static void subscribed_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    if (reply && ask_again_without_gone_feeds(participant, reply))
        return;
    if (!participant_plugin_data(participant, reply, "subscription refused"))
        return;
    participant->sub_joined = true;
    participant_answer_offer(participant, reply);
}

static void subscriber_attached_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    participant->sub_attaching = false;
    participant->sub_handle = participant_reply_id(participant, reply,
                                                   "attach of the subscriber handle failed");
    if (participant->sub_handle)
        subscribe_pending(participant);
}

/* Asks for the wanted feeds: attach a subscriber handle, join with them, or subscribe. */
static void subscribe_pending(struct bench_participant *participant)
{
    if (participant->is_failed || participant->stopping || participant->sub_busy ||
        participant->sub_attaching || participant->wanted_feeds->len == 0)
        return;
    if (!participant->sub_handle) {
        participant->sub_attaching = true;
        attach_videoroom(participant, subscriber_attached_cb);
        return;
    }
    json_t *body;
    if (participant->sub_joined) {
        body = json_pack("{s:s}", "request", "subscribe");
    } else {
        body = room_body(participant, "join");
        json_object_set_new(body, "ptype", json_string("subscriber"));
    }
    json_object_set_new(body, "streams", ask_for_wanted(participant));
    participant->sub_busy = true;
    participant_send_message(participant, participant->sub_handle, body, NULL, subscribed_cb);
}

void participant_subscriber_event(struct bench_participant *participant, json_t *event)
{
    if (participant->stopping)
        return;
    json_t *data = json_object_get(json_object_get(event, "plugindata"), "data");
    if (json_is_object(data))
        participant_layer_event(participant, data);
    json_t *jsep = json_object_get(event, "jsep");
    const char *type = json_string_value(json_object_get(jsep, "type"));
    if (type && strcmp(type, "offer") == 0)
        participant_answer_offer(participant, event);
}

void participant_start_viewer(struct bench_participant *participant)
{
    gint64 feed = __atomic_load_n(&participant->scenario->broadcaster_feed, __ATOMIC_ACQUIRE);
    uint64_t id = (uint64_t)feed;
    g_hash_table_add(participant->feeds, g_memdup2(&id, sizeof(id)));
    g_array_append_val(participant->wanted_feeds, id);
    subscribe_pending(participant);
}
