/* VideoRoom viewers: subscribers that send the offer themselves (a WHEP client's recvonly
 * offer) and get the answer, with one of the room's publishers on their audio and video
 * m-lines. A viewer's m-lines never change: when its publisher leaves they go quiet, and the
 * next publisher whose media comes up takes their place without renegotiation (the
 * forwarders continue sequence numbers and timestamps, as for "switch"). Room worker only. */
#include "plugins/videoroom/participant.h"

#include "core/params.h"
#include "media/peer/handle_media.h"
#include "plugins/videoroom/videoroom.h"

#include <stdlib.h>
#include <string.h>

static const struct prism_param viewer_params[] = {
    {"room", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
    {"feed", PRISM_PARAM_INTEGER, PRISM_PARAM_POSITIVE},
};

/* The publisher a new viewer gets: `feed` when given, else the one whose media came up first
 * (NULL when nobody publishes yet). */
static struct vr_publisher *choose_feed(struct vr_room *room, uint64_t feed)
{
    if (feed) {
        struct vr_publisher *publisher = vr_room_find_publisher(room, feed);
        return publisher && publisher->publishing ? publisher : NULL;
    }
    struct vr_publisher *first = NULL;
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, room->publishers);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        struct vr_publisher *publisher = value;
        if (publisher->publishing && publisher->media_up_us &&
            (!first || publisher->media_up_us < first->media_up_us))
            first = publisher;
    }
    return first;
}

/* The publisher's first stream of `kind` whose codec is `codec`'s, or NULL. */
static struct vr_pub_stream *source_of_kind(struct vr_publisher *publisher,
                                            enum prism_sdp_media_kind kind,
                                            const struct prism_sdp_codec *codec)
{
    for (unsigned i = 0; i < publisher->stream_count; i++) {
        struct vr_pub_stream *source = &publisher->streams[i];
        if (source->kind == kind && !source->disabled && (!codec || source->codec.id == codec->id))
            return source;
    }
    return NULL;
}

/* Answers the viewer's offer: we send on its audio and video m-lines (the publisher's codec
 * first), no data channel, the header extensions Prism forwards (whatever a later feed
 * negotiated, so they stay valid when another publisher takes over). Returns the JSEP or NULL
 * with `error`. */
static json_t *answer_viewer(struct vr_subscriber *subscriber, struct vr_publisher *feed,
                             json_t **error)
{
    const char *forwarded[PRISM_FORWARD_EXT_RULE_COUNT];
    for (size_t r = 0; r < PRISM_FORWARD_EXT_RULE_COUNT; r++)
        forwarded[r] = prism_forward_ext_rules[r].uri;
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    options.local_direction = PRISM_SDP_SENDONLY;
    options.accept_data_channels = false;
    options.extensions = forwarded;
    options.extension_count = PRISM_FORWARD_EXT_RULE_COUNT;
    struct prism_sdp_codec_pref audio, video;
    struct vr_pub_stream *audio_source = feed ? source_of_kind(feed, PRISM_SDP_MEDIA_AUDIO, NULL)
                                              : NULL;
    struct vr_pub_stream *video_source = feed ? source_of_kind(feed, PRISM_SDP_MEDIA_VIDEO, NULL)
                                              : NULL;
    if (audio_source) {
        audio = (struct prism_sdp_codec_pref){audio_source->codec.id, NULL};
        options.audio_codecs = &audio;
        options.audio_codec_count = 1;
    }
    if (video_source) {
        video = (struct prism_sdp_codec_pref){video_source->codec.id, NULL};
        options.video_codecs = &video;
        options.video_codec_count = 1;
    }
    char reason[256];
    json_t *jsep = prism_handle_media_answer(subscriber->handle, &options, reason, sizeof(reason));
    if (!jsep)
        *error = vr_error(PRISM_VIDEOROOM_ERROR_INVALID_SDP, "%s", reason);
    return jsep;
}

/* Links a viewer stream to `source` and points its forwarder there (a switch when it had
 * another source before). */
static void attach_source(struct vr_sub_stream *stream, struct vr_publisher *feed,
                          struct vr_pub_stream *source)
{
    vr_sub_stream_link(stream, feed, source);
    stream->codec = stream->answered_codec; /* the viewer's payload type, not the publisher's */
    struct prism_peer *peer = prism_handle_peer(stream->subscriber->handle);
    vr_forward_attach(stream, prism_peer_local_ssrc(peer, stream->media_index));
    if (source->kind == PRISM_SDP_MEDIA_VIDEO)
        vr_request_keyframe(source, 0);
}

/* One viewer stream per audio or video m-line we send on, fed by `feed` where it has that
 * kind (and codec). */
static void collect_viewer_streams(struct vr_subscriber *subscriber, struct vr_publisher *feed)
{
    struct prism_peer *peer = prism_handle_peer(subscriber->handle);
    unsigned old_count = subscriber->stream_count;
    subscriber->stream_count = 0;
    subscriber->mline_count = peer ? prism_peer_media_count(peer) : 0;
    for (unsigned i = 0; i < subscriber->mline_count &&
                         vr_subscriber_reserve_streams(subscriber, subscriber->stream_count + 1);
         i++) {
        struct prism_peer_media_info info;
        if (prism_peer_media_info(peer, i, &info) < 0 || !info.active || !info.sends ||
            (info.kind != PRISM_SDP_MEDIA_AUDIO && info.kind != PRISM_SDP_MEDIA_VIDEO))
            continue;
        /* Streams are allocated as they are added (participant.h); an earlier answer's are
         * reused. */
        struct vr_sub_stream *stream = subscriber->streams[subscriber->stream_count];
        if (!stream && !(stream = calloc(1, sizeof(*stream))))
            abort();
        subscriber->streams[subscriber->stream_count++] = stream;
        memset(stream, 0, sizeof(*stream));
        stream->subscriber = subscriber;
        vr_simulcast_stream_init(stream);
        vr_svc_stream_init(stream);
        stream->media_index = i;
        g_strlcpy(stream->mid, info.mid, sizeof(stream->mid));
        stream->kind = info.kind;
        stream->codec = info.codec;
        stream->answered_codec = info.codec;
        stream->active = true;
        stream->send = true;
        struct vr_pub_stream *source = source_of_kind(feed, info.kind, &info.codec);
        if (source)
            attach_source(stream, feed, source);
    }
    for (unsigned i = subscriber->stream_count; i < old_count; i++) {
        free(subscriber->streams[i]);
        subscriber->streams[i] = NULL;
    }
}

json_t *vr_viewer_join(struct vr_session *session, const char *transaction, json_t *body,
                       json_t *jsep)
{
    char reason[256];
    int code = prism_params_validate(body, viewer_params, PRISM_PARAMS_COUNT(viewer_params),
                                     &vr_param_codes, reason, sizeof(reason));
    if (code)
        return vr_error(code, "%s", reason);
    const char *type = json_string_value(json_object_get(jsep, "type"));
    if (!type || strcmp(type, "offer") != 0)
        return vr_error(PRISM_VIDEOROOM_ERROR_INVALID_SDP_TYPE,
                        "A subscriber joining with a jsep must send an offer");
    uint64_t room_id = (uint64_t)json_integer_value(json_object_get(body, "room"));
    struct vr_room *room = vr_rooms_find(room_id);
    json_t *refused = vr_check_entry(room, body, room_id);
    uint64_t wanted = (uint64_t)json_integer_value(json_object_get(body, "feed"));
    struct vr_publisher *feed = refused ? NULL : choose_feed(room, wanted);
    if (!refused && !feed)
        refused = wanted ? vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED,
                                    "No such feed (%" G_GUINT64_FORMAT ")", wanted)
                         : vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED,
                                    "No publisher in room %" G_GUINT64_FORMAT " yet", room_id);
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
    subscriber->answers_offers = true;
    g_ptr_array_add(room->subscribers, subscriber);
    atomic_fetch_add(&room->participant_count, 1); /* subscriber_count: the slot taken above */
    session->role = VR_ROLE_SUBSCRIBER;
    session->subscriber = subscriber;
    json_t *error = NULL;
    json_t *answer = answer_viewer(subscriber, feed, &error);
    if (!answer) {
        vr_subscriber_free(session);
        return error;
    }
    collect_viewer_streams(subscriber, feed);
    subscriber->started = true;
    vr_push(session->handle, transaction,
            json_pack("{s:s, s:I, s:o}", "videoroom", "attached", "room", (json_int_t)room->id,
                      "streams", vr_subscriber_streams_json(subscriber)),
            answer);
    return NULL;
}

json_t *vr_viewer_reoffer(struct vr_subscriber *subscriber, const char *transaction)
{
    struct vr_publisher *feed = NULL;
    for (unsigned i = 0; i < subscriber->stream_count && !feed; i++) {
        if (subscriber->streams[i]->source)
            feed = subscriber->streams[i]->source->publisher;
    }
    json_t *error = NULL;
    json_t *answer = answer_viewer(subscriber, feed, &error);
    if (!answer)
        return error;
    vr_push(subscriber->handle, transaction,
            json_pack("{s:s, s:I, s:s}", "videoroom", "event", "room",
                      (json_int_t)subscriber->room->id, "configured", "ok"),
            answer);
    return NULL;
}

void vr_viewers_adopt(struct vr_room *room, struct vr_publisher *publisher)
{
    for (guint v = 0; v < room->subscribers->len; v++) {
        struct vr_subscriber *subscriber = g_ptr_array_index(room->subscribers, v);
        if (!subscriber->answers_offers)
            continue;
        for (unsigned i = 0; i < subscriber->stream_count; i++) {
            struct vr_sub_stream *stream = subscriber->streams[i];
            if (stream->source)
                continue;
            struct vr_pub_stream *source = source_of_kind(publisher, stream->kind,
                                                          &stream->answered_codec);
            if (source)
                attach_source(stream, publisher, source);
        }
    }
}
