/* VideoRoom subscribers (multistream): join with a list of streams, our offer, start, and the
 * renegotiations (subscribe, unsubscribe, update, switch, publishers leaving). Room worker only. */
#include "plugins/videoroom/participant.h"

#include "core/log.h"
#include "core/params.h"
#include "core/session.h"
#include "core/worker.h"
#include "media/peer/handle_media.h"
#include "plugins/videoroom/videoroom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A subscriber on another worker than the room's reads the room's publishers under the room's
 * lock (room.h); on the room's worker, their only writer, it needs none. */
static void lock_publishers(const struct vr_subscriber *subscriber)
{
    if (subscriber->remote)
        g_mutex_lock(&subscriber->room->lock);
}

static void unlock_publishers(const struct vr_subscriber *subscriber)
{
    if (subscriber->remote)
        g_mutex_unlock(&subscriber->room->lock);
}

json_t *vr_subscriber_streams_json(const struct vr_subscriber *subscriber)
{
    json_t *streams = json_array();
    lock_publishers(subscriber);
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        const struct vr_sub_stream *stream = subscriber->streams[i];
        json_t *entry = json_pack("{s:i, s:s, s:s, s:b, s:b}", "mindex", (int)stream->media_index,
                                  "mid", stream->mid, "type", vr_kind_name(stream->kind), "send",
                                  stream->send, "active", stream->active);
        if (stream->active && vr_sub_stream_current(stream)) {
            struct vr_publisher *feed = vr_room_find_publisher(subscriber->room, stream->feed_id);
            json_object_set_new(entry, "feed_id", json_integer((json_int_t)stream->feed_id));
            json_object_set_new(entry, "feed_mid", json_string(stream->feed_mid));
            if (feed && feed->display)
                json_object_set_new(entry, "feed_display", json_string(feed->display));
            json_object_set_new(entry, "codec", vr_codec_json(stream->codec.name));
            json_t *simulcast = vr_simulcast_json(stream);
            if (simulcast)
                json_object_set_new(entry, "simulcast", simulcast);
            json_t *svc = vr_svc_json(stream);
            if (svc)
                json_object_set_new(entry, "svc", svc);
        }
        json_array_append_new(streams, entry);
    }
    unlock_publishers(subscriber);
    if (subscriber->has_data) {
        char mid[16];
        snprintf(mid, sizeof(mid), "%u", subscriber->data_media_index);
        json_array_append_new(streams, json_pack("{s:i, s:s, s:s, s:b}", "mindex",
                                                 (int)subscriber->data_media_index, "mid", mid,
                                                 "type", "data", "active", 1));
    }
    return streams;
}

void vr_sub_stream_link(struct vr_sub_stream *stream, struct vr_publisher *feed,
                        struct vr_pub_stream *source)
{
    stream->feed_id = feed->id;
    g_strlcpy(stream->feed_mid, source->mid, sizeof(stream->feed_mid));
    stream->source = stream->subscriber->remote ? NULL : source; /* R's, not ours */
    stream->kind = source->kind;
    stream->source_red_pt = source->red_pt;
    vr_sub_stream_set_codec(stream, &source->codec);
    stream->source_ext = source->ext_ids;
    stream->active = true;
    stream->send = true;
    if (stream->subscriber->remote)
        vr_relay_link(stream, feed->id, source->mid);
    else
        g_ptr_array_add(source->subscribers, stream);
}

void vr_sub_stream_unlink(struct vr_sub_stream *stream)
{
    if (stream->source)
        g_ptr_array_remove(stream->source->subscribers, stream);
    if (stream->group)
        vr_relay_unlink(stream);
    stream->source = NULL;
    /* The forwarder keeps its numbering; whatever source comes next is a switch. */
    stream->forward_source = NULL;
}

bool vr_subscriber_reserve_streams(struct vr_subscriber *subscriber, unsigned count)
{
    if (count <= subscriber->stream_capacity)
        return true;
    if (count > VR_MAX_SUB_STREAMS)
        return false;
    unsigned capacity = subscriber->stream_capacity ? 2 * subscriber->stream_capacity : 2;
    capacity = capacity < count ? count : capacity;
    capacity = capacity > VR_MAX_SUB_STREAMS ? VR_MAX_SUB_STREAMS : capacity;
    struct vr_sub_stream **grown = realloc(subscriber->streams, capacity * sizeof(*grown));
    if (!grown)
        return false;
    for (unsigned i = subscriber->stream_capacity; i < capacity; i++)
        grown[i] = NULL;
    subscriber->streams = grown;
    subscriber->stream_capacity = capacity;
    return true;
}

/* A slot for a new stream: a new m-line at the end, as Janus does (a client revives an
 * inactive transceiver without a new track); an inactive one of the same kind only when
 * every slot is taken. */
static struct vr_sub_stream *free_slot(struct vr_subscriber *subscriber,
                                       enum prism_sdp_media_kind kind)
{
    if (vr_subscriber_reserve_streams(subscriber, subscriber->stream_count + 1)) {
        struct vr_sub_stream *stream = calloc(1, sizeof(*stream));
        if (!stream)
            return NULL;
        subscriber->streams[subscriber->stream_count++] = stream;
        stream->subscriber = subscriber;
        vr_simulcast_stream_init(stream);
        vr_svc_stream_init(stream);
        stream->media_index = subscriber->mline_count++;
        snprintf(stream->mid, sizeof(stream->mid), "%u", stream->media_index);
        return stream;
    }
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        if (!subscriber->streams[i]->active && subscriber->streams[i]->kind == kind)
            return subscriber->streams[i];
    }
    return NULL;
}

/* Adds the streams named by `list` ([{feed, mid?}]). Returns NULL or an error event. */
static json_t *add_streams_locked(struct vr_subscriber *subscriber, json_t *list)
{
    size_t index;
    json_t *entry;
    json_array_foreach(list, index, entry)
    {
        json_t *feed_id = json_object_get(entry, "feed");
        if (!json_is_integer(feed_id))
            return vr_error(PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "Missing element (feed)");
        struct vr_publisher *feed = vr_room_find_publisher(subscriber->room,
                                                           (uint64_t)json_integer_value(feed_id));
        if (!feed || !feed->publishing)
            return vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED,
                            "No such feed (%" JSON_INTEGER_FORMAT ")", json_integer_value(feed_id));
        const char *mid = json_string_value(json_object_get(entry, "mid"));
        bool found = false;
        for (unsigned s = 0; s < feed->stream_count; s++) {
            struct vr_pub_stream *source = &feed->streams[s];
            if (mid && strcmp(mid, source->mid) != 0)
                continue;
            struct vr_sub_stream *slot = free_slot(subscriber, source->kind);
            if (!slot)
                return vr_error(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "Too many streams");
            vr_sub_stream_link(slot, feed, source);
            if (source->kind == PRISM_SDP_MEDIA_VIDEO)
                vr_svc_configure_stream(slot, entry);
            found = true;
        }
        if (!found && !(feed->has_data && mid && strcmp(mid, feed->data_mid) == 0))
            return vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED, "No such mid '%s' in feed",
                            mid ? mid : "");
        if (feed->has_data && !subscriber->has_data) {
            /* One data m-line, placed once and never moved. */
            subscriber->has_data = true;
            subscriber->data_media_index = subscriber->mline_count++;
        }
    }
    return NULL;
}

static json_t *add_streams(struct vr_subscriber *subscriber, json_t *list)
{
    lock_publishers(subscriber);
    json_t *error = add_streams_locked(subscriber, list);
    unlock_publishers(subscriber);
    return error;
}

/* One m-line of the offer: the source's codec as the publisher negotiated it, RTX for video,
 * RED for audio whose source sends it (after the codec: the order matters only to a sender, and
 * clients read the first codec as the stream's), and the header extensions forwarded from it
 * (media/forward/extensions.h). */
struct offer_slot {
    struct prism_sdp_codec codecs[2];
    struct prism_sdp_extmap extmaps[PRISM_FORWARD_EXT_RULE_COUNT];
};

static void describe_stream(const struct vr_sub_stream *stream, struct offer_slot *slot,
                            struct prism_peer_offer_media *out)
{
    slot->codecs[0] = stream->codec;
    size_t count = 1;
    if (stream->kind == PRISM_SDP_MEDIA_VIDEO) {
        slot->codecs[0].feedback = PRISM_SDP_FB_NACK | PRISM_SDP_FB_NACK_PLI |
                                   PRISM_SDP_FB_CCM_FIR | PRISM_SDP_FB_GOOG_REMB |
                                   PRISM_SDP_FB_TRANSPORT_CC;
        slot->codecs[1] = (struct prism_sdp_codec){.pt = stream->rtx_pt, .clock_rate = 90000};
        g_strlcpy(slot->codecs[1].name, "rtx", sizeof(slot->codecs[1].name));
        snprintf(slot->codecs[1].fmtp, sizeof(slot->codecs[1].fmtp), "apt=%u", stream->codec.pt);
        count = 2;
    } else {
        slot->codecs[0].feedback = PRISM_SDP_FB_TRANSPORT_CC;
    }
    if (stream->kind == PRISM_SDP_MEDIA_AUDIO && stream->red_pt) {
        slot->codecs[1] = (struct prism_sdp_codec){.pt = stream->red_pt,
                                                   .id = PRISM_SDP_CODEC_RED,
                                                   .clock_rate = stream->codec.clock_rate,
                                                   .channels = stream->codec.channels};
        g_strlcpy(slot->codecs[1].name, "red", sizeof(slot->codecs[1].name));
        snprintf(slot->codecs[1].fmtp, sizeof(slot->codecs[1].fmtp), "%u/%u", stream->codec.pt,
                 stream->codec.pt);
        count = 2;
    }
    /* A freed slot stays in the offer as inactive rather than rejected (port 0): the BUNDLE
     * group never empties and the m-line can carry another stream later (as Janus does). */
    *out = (struct prism_peer_offer_media){
        .kind = stream->kind,
        .mid = stream->mid,
        .direction = stream->active ? PRISM_SDP_SENDONLY : PRISM_SDP_INACTIVE,
        .codecs = slot->codecs,
        .codec_count = count,
        .extmaps = slot->extmaps,
        .extmap_count = prism_forward_ext_offer(&stream->source_ext, slot->extmaps,
                                                PRISM_FORWARD_EXT_RULE_COUNT),
        .extmap_allow_mixed = prism_forward_ext_wants_two_byte(&stream->source_ext),
    };
}

/* Makes the subscriber's offer for its current streams; returns the JSEP, or NULL and an
 * error event for the client in *error. */
static json_t *make_offer(struct vr_subscriber *subscriber, json_t **error)
{
    size_t count = subscriber->mline_count;
    /* Up to VR_MAX_SUB_STREAMS slots of a few KB each: on the heap, not the worker's stack. */
    struct prism_peer_offer_media *media = g_new0(struct prism_peer_offer_media, count + 1);
    struct offer_slot *slots = g_new(struct offer_slot, subscriber->stream_count + 1);
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        struct vr_sub_stream *stream = subscriber->streams[i];
        describe_stream(stream, &slots[i], &media[stream->media_index]);
    }
    char data_mid[16];
    if (subscriber->has_data) {
        snprintf(data_mid, sizeof(data_mid), "%u", subscriber->data_media_index);
        media[subscriber->data_media_index] = (struct prism_peer_offer_media){
            .kind = PRISM_SDP_MEDIA_APPLICATION, .mid = data_mid, .direction = PRISM_SDP_SENDRECV};
    }
    char reason[256];
    json_t *jsep = prism_handle_media_offer(subscriber->handle, media, count, reason,
                                            sizeof(reason));
    if (!jsep)
        *error = vr_error(PRISM_VIDEOROOM_ERROR_UNKNOWN, "Could not make an offer (%s)", reason);
    if (jsep)
        subscriber->offer_queued = false;
    struct prism_peer *peer = prism_handle_peer(subscriber->handle);
    for (unsigned i = 0; jsep && i < subscriber->stream_count; i++) {
        struct vr_sub_stream *stream = subscriber->streams[i];
        vr_forward_attach(stream, prism_peer_local_ssrc(peer, stream->media_index));
    }
    g_free(slots);
    g_free(media);
    return jsep;
}

static const struct prism_param join_params[] = {
    {"room", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
    {"streams", PRISM_PARAM_ARRAY, 0},
    {"feed", PRISM_PARAM_INTEGER, PRISM_PARAM_POSITIVE},
    {"private_id", PRISM_PARAM_INTEGER, 0},
    {"use_msid", PRISM_PARAM_BOOLEAN, 0},
    {"autoupdate", PRISM_PARAM_BOOLEAN, 0},
};

static bool private_id_known(struct vr_room *room, json_t *private_id)
{
    bool known = false;
    GHashTableIter iter;
    gpointer value;
    g_mutex_lock(&room->lock); /* from any worker */
    g_hash_table_iter_init(&iter, room->publishers);
    while (!known && g_hash_table_iter_next(&iter, NULL, &value))
        known = (json_int_t)((struct vr_publisher *)value)->private_id ==
                json_integer_value(private_id);
    g_mutex_unlock(&room->lock);
    return known;
}

json_t *vr_subscribers_full(struct vr_room *room)
{
    /* Janus has no subscriber limit: its "room full" code (publishers) is the closest, and
     * WHEP turns it into 503 like a full room of publishers. */
    return vr_error(PRISM_VIDEOROOM_ERROR_PUBLISHERS_FULL,
                    "Maximum number of subscribers (%u) reached", room->max_subscribers);
}

void vr_subscriber_free(struct vr_session *session)
{
    struct vr_subscriber *subscriber = session->subscriber;
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        vr_sub_stream_unlink(subscriber->streams[i]);
        free(subscriber->streams[i]);
    }
    free(subscriber->streams);
    prism_alloc_clear(&subscriber->alloc);
    if (!subscriber->remote) {
        g_ptr_array_remove(subscriber->room->subscribers, subscriber);
    } else {
        g_mutex_lock(&subscriber->room->lock);
        g_ptr_array_remove(subscriber->room->remote_subscribers, subscriber->handle);
        g_mutex_unlock(&subscriber->room->lock);
    }
    atomic_fetch_sub(&subscriber->room->participant_count, 1);
    atomic_fetch_sub(&subscriber->room->subscriber_count, 1);
    vr_room_unref(subscriber->room);
    free(subscriber);
    session->subscriber = NULL;
    session->role = VR_ROLE_NONE;
}

json_t *vr_subscriber_join(struct vr_session *session, const char *transaction, json_t *body)
{
    char reason[256];
    int code = prism_params_validate(body, join_params, PRISM_PARAMS_COUNT(join_params),
                                     &vr_param_codes, reason, sizeof(reason));
    if (code)
        return vr_error(code, "%s", reason);
    uint64_t room_id = (uint64_t)json_integer_value(json_object_get(body, "room"));
    struct vr_room *room = vr_rooms_find(room_id);
    /* Placed on another worker than the room's when the room is large (relay_group.c). */
    json_t *refused = vr_check_entry_anywhere(room, body, room_id, true);
    json_t *private_id = json_object_get(body, "private_id");
    if (!refused && room->require_pvtid && !(private_id && private_id_known(room, private_id)))
        refused = vr_error(PRISM_VIDEOROOM_ERROR_UNAUTHORIZED,
                           "Unauthorized (this room requires a valid private_id)");
    if (!refused && !vr_room_take_subscriber_slot(room))
        refused = vr_subscribers_full(room);
    if (refused) {
        if (room)
            vr_room_unref(room);
        return refused;
    }
    struct vr_subscriber *subscriber = calloc(1, sizeof(*subscriber));
    prism_alloc_init(&subscriber->alloc, NULL);
    subscriber->room = room; /* takes the reference */
    subscriber->handle = session->handle;
    subscriber->autoupdate = !json_is_false(json_object_get(body, "autoupdate"));
    subscriber->use_msid = json_is_true(json_object_get(body, "use_msid"));
    subscriber->private_id = (uint64_t)json_integer_value(private_id);
    subscriber->remote = !prism_worker_is_current(room->worker);
    if (!subscriber->remote) {
        g_ptr_array_add(room->subscribers, subscriber);
    } else {
        g_mutex_lock(&room->lock);
        g_ptr_array_add(room->remote_subscribers, session->handle);
        g_mutex_unlock(&room->lock);
    }
    atomic_fetch_add(&room->participant_count, 1); /* subscriber_count: the slot taken above */
    session->role = VR_ROLE_SUBSCRIBER;
    session->subscriber = subscriber;

    json_t *list = json_object_get(body, "streams");
    json_t *legacy = NULL;
    if (!list && json_object_get(body, "feed"))
        list = legacy = json_pack("[{s:O}]", "feed", json_object_get(body, "feed"));
    json_t *error = list ? add_streams(subscriber, list)
                         : vr_error(PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT,
                                    "Missing mandatory element (streams)");
    json_decref(legacy);
    json_t *jsep = error ? NULL : make_offer(subscriber, &error);
    if (error) {
        vr_subscriber_free(session);
        return error;
    }
    vr_push(session->handle, transaction,
            json_pack("{s:s, s:I, s:o}", "videoroom", "attached", "room", (json_int_t)room->id,
                      "streams", vr_subscriber_streams_json(subscriber)),
            jsep);
    vr_handler_event(session->handle, "subscribing", room->id, 0, NULL,
                     json_pack("{s:o}", "streams", vr_subscriber_streams_json(subscriber)));
    return NULL;
}

/* Sends a new offer after the streams changed ("updated"). */
static json_t *renegotiate(struct vr_subscriber *subscriber, const char *transaction)
{
    json_t *error = NULL;
    json_t *jsep = make_offer(subscriber, &error);
    if (!jsep)
        return error;
    vr_push(subscriber->handle, transaction,
            json_pack("{s:s, s:I, s:o}", "videoroom", "updated", "room",
                      (json_int_t)subscriber->room->id, "streams",
                      vr_subscriber_streams_json(subscriber)),
            jsep);
    return NULL;
}

/* True while the subscriber has not answered our last offer. */
static bool offer_outstanding(const struct vr_subscriber *subscriber)
{
    struct prism_peer *peer = prism_handle_peer(subscriber->handle);
    return peer && prism_peer_has_pending_offer(peer);
}

/* A subscriber has at most one offer out (a second one would find its PeerConnection in
 * have-remote-offer and fail). Changes made while it is out are already in the streams;
 * they are offered together when the answer comes ("start"). Meanwhile the request is
 * answered "updating", as Janus 1.x answers it. */
static json_t *renegotiate_when_answered(struct vr_subscriber *subscriber, const char *transaction)
{
    if (!offer_outstanding(subscriber))
        return renegotiate(subscriber, transaction);
    subscriber->offer_queued = true;
    return json_pack("{s:s, s:I}", "videoroom", "updating", "room",
                     (json_int_t)subscriber->room->id);
}

/* Frees the slots naming `list` entries ({feed?, mid?, sub_mid?}); returns how many. */
static unsigned remove_streams(struct vr_subscriber *subscriber, json_t *list)
{
    unsigned removed = 0;
    size_t index;
    json_t *entry;
    json_array_foreach(list, index, entry)
    {
        json_int_t feed = json_integer_value(json_object_get(entry, "feed"));
        const char *mid = json_string_value(json_object_get(entry, "mid"));
        const char *sub_mid = json_string_value(json_object_get(entry, "sub_mid"));
        for (unsigned i = 0; i < subscriber->stream_count; i++) {
            struct vr_sub_stream *stream = subscriber->streams[i];
            bool match = stream->active && (!feed || (json_int_t)stream->feed_id == feed) &&
                         (!mid || strcmp(mid, stream->feed_mid) == 0) &&
                         (!sub_mid || strcmp(sub_mid, stream->mid) == 0);
            if (!match)
                continue;
            vr_sub_stream_unlink(stream);
            stream->active = false;
            removed++;
        }
    }
    return removed;
}

static json_t *set_sending(struct vr_subscriber *subscriber, json_t *list)
{
    size_t index;
    json_t *entry;
    json_array_foreach(list, index, entry)
    {
        const char *mid = json_string_value(json_object_get(entry, "mid"));
        json_t *send = json_object_get(entry, "send");
        for (unsigned i = 0; mid && json_is_boolean(send) && i < subscriber->stream_count; i++) {
            struct vr_sub_stream *stream = subscriber->streams[i];
            if (strcmp(stream->mid, mid) != 0)
                continue;
            stream->send = json_is_true(send);
            vr_forward_pause(stream, !stream->send || subscriber->paused);
        }
    }
    return json_pack("{s:s, s:I, s:s}", "videoroom", "event", "room",
                     (json_int_t)subscriber->room->id, "configured", "ok");
}

static void set_paused(struct vr_subscriber *subscriber, bool paused)
{
    subscriber->paused = paused;
    for (unsigned i = 0; i < subscriber->stream_count; i++)
        vr_forward_pause(subscriber->streams[i], paused || !subscriber->streams[i]->send);
}

/* switch: [{feed, mid, sub_mid}] moves a slot to another source of the same kind and codec. */
static json_t *switch_streams(struct vr_subscriber *subscriber, json_t *list)
{
    unsigned changes = 0;
    size_t index;
    json_t *entry;
    json_array_foreach(list, index, entry)
    {
        json_int_t feed_id = json_integer_value(json_object_get(entry, "feed"));
        const char *mid = json_string_value(json_object_get(entry, "mid"));
        const char *sub_mid = json_string_value(json_object_get(entry, "sub_mid"));
        lock_publishers(subscriber);
        struct vr_publisher *feed = vr_room_find_publisher(subscriber->room, (uint64_t)feed_id);
        if (!feed || !mid || !sub_mid) {
            unlock_publishers(subscriber);
            return vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED, "No such feed or stream");
        }
        struct vr_pub_stream *source = NULL;
        for (unsigned s = 0; s < feed->stream_count; s++)
            if (strcmp(feed->streams[s].mid, mid) == 0)
                source = &feed->streams[s];
        for (unsigned i = 0; source && i < subscriber->stream_count; i++) {
            struct vr_sub_stream *stream = subscriber->streams[i];
            bool same = vr_sub_stream_current(stream) && stream->feed_id == feed->id &&
                        strcmp(stream->feed_mid, source->mid) == 0;
            /* No renegotiation on a switch: as Janus, only to a source of the same codec. */
            bool other_codec = stream->codec.name[0] && stream->codec.id != source->codec.id;
            if (strcmp(stream->mid, sub_mid) != 0 || stream->kind != source->kind || same ||
                other_codec)
                continue;
            vr_sub_stream_unlink(stream);
            vr_sub_stream_link(stream, feed, source);
            vr_forward_switch(stream);
            vr_sub_stream_request_keyframe(stream, 0);
            changes++;
        }
        unlock_publishers(subscriber);
    }
    return json_pack("{s:s, s:I, s:s, s:i, s:o}", "videoroom", "event", "room",
                     (json_int_t)subscriber->room->id, "switched", "ok", "changes", (int)changes,
                     "streams", vr_subscriber_streams_json(subscriber));
}

/* "start", with the answer to our offer or alone to resume: "started", then the offer that
 * waited for this answer, if any. */
static json_t *start(struct vr_subscriber *subscriber, const char *transaction, json_t *jsep)
{
    subscriber->started = subscriber->started || jsep;
    for (unsigned i = 0; jsep && i < subscriber->stream_count; i++)
        vr_forward_refresh_extensions(subscriber->streams[i]);
    set_paused(subscriber, false);
    json_t *started = json_pack("{s:s, s:I, s:s}", "videoroom", "event", "room",
                                (json_int_t)subscriber->room->id, "started", "ok");
    if (!jsep || !subscriber->offer_queued || offer_outstanding(subscriber))
        return started;
    vr_push(subscriber->handle, transaction, started, NULL);
    json_t *error = renegotiate(subscriber, NULL);
    if (error)
        vr_push(subscriber->handle, NULL, error, NULL);
    return NULL;
}

json_t *vr_subscriber_request(struct vr_session *session, const char *request,
                              const char *transaction, json_t *body, json_t *jsep)
{
    struct vr_subscriber *subscriber = session->subscriber;
    json_int_t room = (json_int_t)subscriber->room->id;
    if (strcmp(request, "start") == 0)
        return start(subscriber, transaction, jsep);
    if (strcmp(request, "pause") == 0) {
        set_paused(subscriber, true);
        return json_pack("{s:s, s:I, s:s}", "videoroom", "event", "room", room, "paused", "ok");
    }
    if (strcmp(request, "configure") == 0 && jsep && subscriber->answers_offers)
        return vr_viewer_reoffer(subscriber, transaction);
    if (strcmp(request, "configure") == 0) {
        vr_simulcast_configure(subscriber, body);
        vr_svc_configure(subscriber, body);
        return set_sending(subscriber, json_object_get(body, "streams"));
    }
    if (strcmp(request, "switch") == 0)
        return switch_streams(subscriber, json_object_get(body, "streams"));
    if (strcmp(request, "leave") == 0) {
        vr_subscriber_leave(session);
        return json_pack("{s:s, s:I, s:s}", "videoroom", "event", "room", room, "left", "ok");
    }
    bool subscribe = strcmp(request, "subscribe") == 0, update = strcmp(request, "update") == 0;
    if (strcmp(request, "unsubscribe") == 0 || update)
        remove_streams(subscriber, json_object_get(body, update ? "unsubscribe" : "streams"));
    if (subscribe || update) {
        json_t *error = add_streams(subscriber,
                                    json_object_get(body, update ? "subscribe" : "streams"));
        if (error)
            return error;
    }
    if (subscribe || update || strcmp(request, "unsubscribe") == 0)
        return renegotiate_when_answered(subscriber, transaction);
    return vr_error(PRISM_VIDEOROOM_ERROR_INVALID_REQUEST, "Unknown request '%s'", request);
}

static void autoupdate_cb(void *data)
{
    struct prism_handle *handle = data;
    struct vr_session *session = prism_handle_plugin_data(handle);
    if (session && session->role == VR_ROLE_SUBSCRIBER && !prism_handle_is_detached(handle)) {
        session->subscriber->update_pending = false;
        json_decref(renegotiate_when_answered(session->subscriber, NULL));
    }
    prism_handle_unref(handle);
}

void vr_subscriber_source_gone(struct vr_sub_stream *stream)
{
    struct vr_subscriber *subscriber = stream->subscriber;
    vr_sub_stream_unlink(stream);
    if (subscriber->answers_offers)
        return; /* a viewer keeps its m-line for the next publisher (vr_viewers_adopt) */
    stream->active = false;
    /* Several streams may go at once (a publisher leaving): one offer for all of them. On the
     * room's worker they all go in one turn; on another worker each arrives in its own relay
     * message, so the offer waits until the room's worker has nothing more on its way. */
    if (subscriber->autoupdate && !subscriber->update_pending) {
        subscriber->update_pending = true;
        struct prism_worker *here = prism_handle_worker(subscriber->handle);
        if (subscriber->remote)
            vr_relay_after_room(subscriber->room, here, autoupdate_cb,
                                prism_handle_ref(subscriber->handle));
        else
            prism_worker_post(here, autoupdate_cb, prism_handle_ref(subscriber->handle));
    }
}

void vr_subscriber_setup_media(struct vr_session *session)
{
    struct vr_subscriber *subscriber = session->subscriber;
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        struct vr_sub_stream *stream = subscriber->streams[i];
        if (vr_sub_stream_current(stream) && stream->kind == PRISM_SDP_MEDIA_VIDEO)
            vr_sub_stream_request_keyframe(stream, 0);
    }
    if (subscriber->has_data)
        prism_peer_open_data_channel(prism_handle_peer(subscriber->handle), "JanusDataChannel");
}

void vr_subscriber_leave(struct vr_session *session)
{
    prism_handle_media_hangup(session->handle, "Leaving");
    vr_subscriber_free(session);
}
