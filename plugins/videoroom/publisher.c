/* VideoRoom publishers: join, publish (answering their offer), configure, unpublish, leave,
 * and the JSON that describes them to the room. Room worker only. */
#include "plugins/videoroom/participant.h"

#include "core/ids.h"
#include "core/log.h"
#include "core/params.h"
#include "core/session.h"
#include "core/worker.h"
#include "media/peer/handle_media.h"
#include "plugins/videoroom/videoroom.h"

#include <stdlib.h>
#include <string.h>

json_t *vr_codec_json(const char *name)
{
    char *lower = g_ascii_strdown(name, -1);
    json_t *json = json_string(lower);
    g_free(lower);
    return json;
}

/* Whether Opus in-band FEC was negotiated (Janus's "opus-fec" in the stream list). */
static bool opus_fec(const struct prism_sdp_codec *codec)
{
    char value[4];
    return codec->id == PRISM_SDP_CODEC_OPUS &&
           prism_sdp_fmtp_get(codec->fmtp, "useinbandfec", value, sizeof(value)) &&
           strcmp(value, "1") == 0;
}

json_t *vr_publisher_streams_json(const struct vr_publisher *publisher)
{
    json_t *streams = json_array();
    for (unsigned i = 0; i < publisher->stream_count; i++) {
        const struct vr_pub_stream *stream = &publisher->streams[i];
        json_t *entry = json_pack("{s:s, s:i, s:s, s:o, s:b}", "type", vr_kind_name(stream->kind),
                                  "mindex", (int)stream->media_index, "mid", stream->mid, "codec",
                                  vr_codec_json(stream->codec.name), "disabled", stream->disabled);
        if (stream->description[0])
            json_object_set_new(entry, "description", json_string(stream->description));
        if (stream->simulcast_layers)
            json_object_set_new(entry, "simulcast", json_true());
        if (opus_fec(&stream->codec))
            json_object_set_new(entry, "opus-fec", json_true());
        json_array_append_new(streams, entry);
    }
    for (unsigned i = 0; i < publisher->refused_count; i++) {
        const struct vr_refused_mline *m = &publisher->refused[i];
        json_array_append_new(
            streams, json_pack("{s:s, s:i, s:s, s:b}", "type", vr_kind_name(m->kind), "mindex",
                               (int)m->media_index, "mid", m->mid, "disabled", 1));
    }
    if (publisher->has_data)
        json_array_append_new(streams, json_pack("{s:s, s:i, s:s}", "type", "data", "mindex",
                                                 (int)publisher->data_media_index, "mid",
                                                 publisher->data_mid));
    return streams;
}

static const char *first_codec(const struct vr_publisher *publisher,
                               enum prism_sdp_media_kind kind);

static json_t *publisher_json(const struct vr_publisher *publisher)
{
    json_t *entry = json_pack("{s:I, s:o, s:b}", "id", (json_int_t)publisher->id, "streams",
                              vr_publisher_streams_json(publisher), "talking", publisher->talking);
    if (publisher->display)
        json_object_set_new(entry, "display", json_string(publisher->display));
    /* Janus still lists each publisher's codecs, which older clients read. */
    const char *audio = first_codec(publisher, PRISM_SDP_MEDIA_AUDIO);
    const char *video = first_codec(publisher, PRISM_SDP_MEDIA_VIDEO);
    if (audio)
        json_object_set_new(entry, "audio_codec", vr_codec_json(audio));
    if (video)
        json_object_set_new(entry, "video_codec", vr_codec_json(video));
    return entry;
}

json_t *vr_publishers_list_json(struct vr_room *room, struct vr_publisher *except)
{
    json_t *list = json_array();
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, room->publishers);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        struct vr_publisher *publisher = value;
        if (publisher != except && publisher->publishing)
            json_array_append_new(list, publisher_json(publisher));
    }
    return list;
}

static unsigned active_publishers(struct vr_room *room)
{
    unsigned count = 0;
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, room->publishers);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        count += ((struct vr_publisher *)value)->publishing;
    return count;
}

/* The answer's codec preferences: the room's lists, in order, H.264 and VP9 in the room's
 * preferred profile first when it sets one (then in whatever profile is offered, as Janus
 * falls back). `video` has room for 2 * VR_MAX_CODECS. */
static void room_codecs(struct vr_room *room, struct prism_sdp_codec_pref *audio,
                        struct prism_sdp_codec_pref *video, struct prism_sdp_answer_options *o)
{
    for (unsigned i = 0; i < room->audiocodec_count; i++)
        audio[i] = (struct prism_sdp_codec_pref){room->audiocodecs[i], NULL};
    size_t count = 0;
    for (unsigned i = 0; i < room->videocodec_count; i++) {
        enum prism_sdp_codec_id id = room->videocodecs[i];
        const char *profile = id == PRISM_SDP_CODEC_H264  ? room->h264_profile
                              : id == PRISM_SDP_CODEC_VP9 ? room->vp9_profile
                                                          : "";
        if (profile[0])
            video[count++] = (struct prism_sdp_codec_pref){id, profile};
        video[count++] = (struct prism_sdp_codec_pref){id, NULL};
    }
    if (room->audiocodec_count) {
        o->audio_codecs = audio;
        o->audio_codec_count = room->audiocodec_count;
    }
    if (count) {
        o->video_codecs = video;
        o->video_codec_count = count;
    }
}

#define VR_MAX_EXTENSIONS 32 /* above prism_sdp_default_extension_count */

/* The header extensions a new publisher's answer accepts: Prism's defaults but those the room
 * turns off (Janus's audiolevel_ext, videoorient_ext, playoutdelay_ext, transport_wide_cc_ext).
 * Returns the count written to `uris` (at most `cap`). */
static size_t room_extensions(const struct vr_room *room, const char **uris, size_t cap)
{
    size_t count = 0;
    for (size_t i = 0; i < prism_sdp_default_extension_count && count < cap; i++) {
        const char *uri = prism_sdp_default_extensions[i];
        bool off = (!room->audiolevel_ext && strcmp(uri, PRISM_SDP_EXT_AUDIO_LEVEL) == 0) ||
                   (!room->videoorient_ext && strcmp(uri, PRISM_SDP_EXT_VIDEO_ORIENTATION) == 0) ||
                   (!room->playoutdelay_ext && strcmp(uri, PRISM_SDP_EXT_PLAYOUT_DELAY) == 0) ||
                   (!room->transport_wide_cc_ext && strcmp(uri, PRISM_SDP_EXT_TWCC) == 0);
        if (!off)
            uris[count++] = uri;
    }
    return count;
}

/* Keyframe requests to a publisher stream: at most one per 250 ms whatever the number of
 * subscribers asking, and every fir_freq seconds when the room sets it. */
static void init_keyframe_throttle(struct vr_pub_stream *stream,
                                   const struct prism_peer_media_info *info)
{
    struct prism_keyframe_config config = {
        .sender_ssrc = 1,
        .media_ssrc = info->remote_ssrc,
        .min_interval_us = 250000,
        .periodic_interval_us = (uint64_t)stream->publisher->room->fir_freq * 1000000u,
        .use_fir = (info->codec.feedback & PRISM_SDP_FB_CCM_FIR) &&
                   !(info->codec.feedback & PRISM_SDP_FB_NACK_PLI),
    };
    prism_keyframe_init(&stream->keyframe, &config, prism_now_us());
}

static void note_refused(struct vr_publisher *publisher, unsigned media_index,
                         const struct prism_peer_media_info *info)
{
    if ((info->kind != PRISM_SDP_MEDIA_AUDIO && info->kind != PRISM_SDP_MEDIA_VIDEO) ||
        publisher->refused_count == VR_MAX_PUB_STREAMS)
        return;
    struct vr_refused_mline *m = &publisher->refused[publisher->refused_count++];
    m->media_index = media_index;
    m->kind = info->kind;
    g_strlcpy(m->mid, info->mid ? info->mid : "", sizeof(m->mid));
}

/* Reads the publisher's streams from its negotiated PeerConnection. Streams that keep their
 * mid keep their subscribers; the others lose theirs. */
static void collect_streams(struct vr_publisher *publisher)
{
    struct prism_peer *peer = prism_handle_peer(publisher->handle);
    struct vr_pub_stream previous[VR_MAX_PUB_STREAMS];
    unsigned previous_count = publisher->stream_count;
    memcpy(previous, publisher->streams, sizeof(previous[0]) * previous_count);
    publisher->stream_count = 0;
    publisher->refused_count = 0;
    publisher->has_data = false;
    for (unsigned i = 0; peer && i < prism_peer_media_count(peer); i++) {
        struct prism_peer_media_info info;
        if (prism_peer_media_info(peer, i, &info) < 0)
            continue;
        if (!info.active || (info.kind != PRISM_SDP_MEDIA_APPLICATION && !info.receives)) {
            note_refused(publisher, i, &info);
            continue;
        }
        if (info.kind == PRISM_SDP_MEDIA_APPLICATION) {
            publisher->has_data = true;
            publisher->data_media_index = i;
            g_strlcpy(publisher->data_mid, info.mid, sizeof(publisher->data_mid));
            continue;
        }
        if (publisher->stream_count == VR_MAX_PUB_STREAMS)
            continue;
        struct vr_pub_stream *stream = &publisher->streams[publisher->stream_count++];
        memset(stream, 0, sizeof(*stream));
        stream->publisher = publisher;
        for (unsigned p = 0; p < previous_count; p++) {
            if (previous[p].subscribers && strcmp(previous[p].mid, info.mid) == 0) {
                stream->subscribers = previous[p].subscribers;
                previous[p].subscribers = NULL;
                memcpy(stream->history, previous[p].history, sizeof(stream->history));
                memset(previous[p].history, 0, sizeof(previous[p].history));
                stream->dd = previous[p].dd;
                memset(&previous[p].dd, 0, sizeof(previous[p].dd));
                stream->rates = previous[p].rates;
                stream->remote_groups = previous[p].remote_groups;
                previous[p].remote_groups = NULL;
            }
        }
        if (!stream->subscribers)
            stream->subscribers = g_ptr_array_new();
        stream->media_index = i;
        g_strlcpy(stream->mid, info.mid, sizeof(stream->mid));
        init_keyframe_throttle(stream, &info);
        stream->kind = info.kind;
        stream->codec = info.codec;
        stream->red_pt = info.red_payload_type;
        stream->simulcast_layers = info.simulcast_layers;
        for (unsigned e = 0; e < info.extmap_count; e++) {
            if (strcmp(info.extmaps[e].uri, PRISM_SDP_EXT_AUDIO_LEVEL) == 0)
                stream->audio_level_id = info.extmaps[e].id;
        }
        prism_forward_ext_ids_from_sdp(&stream->ext_ids, info.extmaps, info.extmap_count);
    }
    /* Fix the back pointers of kept subscriptions, and their extension ids (the publisher may
     * have renegotiated them; what their subscribers negotiated stays as it is). Drop the
     * rest. */
    for (unsigned s = 0; s < publisher->stream_count; s++) {
        GPtrArray *subs = publisher->streams[s].subscribers;
        for (guint k = 0; k < subs->len; k++) {
            struct vr_sub_stream *sub = g_ptr_array_index(subs, k);
            sub->source = &publisher->streams[s];
            sub->source_red_pt = publisher->streams[s].red_pt;
            sub->source_ext = publisher->streams[s].ext_ids;
            vr_forward_refresh_extensions(sub);
        }
    }
    for (unsigned p = 0; p < previous_count; p++) {
        vr_pub_stream_drop_history(&previous[p]);
        vr_relay_detach_all(&previous[p]);
        if (!previous[p].subscribers)
            continue;
        while (previous[p].subscribers->len)
            vr_subscriber_source_gone(g_ptr_array_index(previous[p].subscribers, 0));
        g_ptr_array_free(previous[p].subscribers, TRUE);
    }
}

static const char *first_codec(const struct vr_publisher *publisher, enum prism_sdp_media_kind kind)
{
    for (unsigned i = 0; i < publisher->stream_count; i++) {
        if (publisher->streams[i].kind == kind)
            return publisher->streams[i].codec.name;
    }
    return NULL;
}

/* Answers the publisher's offer. Returns the JSEP answer, or NULL with *error set. */
static json_t *answer_offer(struct vr_publisher *publisher, json_t *jsep, json_t **error)
{
    struct vr_room *room = publisher->room;
    if (!jsep) {
        *error = vr_error(PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "Missing SDP offer (jsep)");
        return NULL;
    }
    if (strcmp(json_string_value(json_object_get(jsep, "type")), "offer") != 0) {
        *error = vr_error(PRISM_VIDEOROOM_ERROR_INVALID_SDP_TYPE, "Publishers must send an offer");
        return NULL;
    }
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    options.local_direction = PRISM_SDP_RECVONLY;
    options.accept_audio_red = true; /* as Janus 1.x: subscribers get it or its primary */
    options.accept_data_channels = true;
    struct prism_sdp_codec_pref audio[VR_MAX_CODECS], video[2 * VR_MAX_CODECS];
    room_codecs(room, audio, video, &options);
    /* As Janus: the room decides whether publishers add in-band FEC and use DTX. */
    options.opus_override = true;
    options.opus_fec = room->opus_fec;
    options.opus_dtx = room->opus_dtx;
    const char *extensions[VR_MAX_EXTENSIONS];
    options.extensions = extensions;
    options.extension_count = room_extensions(room, extensions, VR_MAX_EXTENSIONS);
    char reason[256];
    json_t *answer = prism_handle_media_answer(publisher->handle, &options, reason, sizeof(reason));
    if (!answer)
        *error = vr_error(PRISM_VIDEOROOM_ERROR_INVALID_SDP, "%s", reason);
    return answer;
}

/* Publishes (or renegotiates): answer, streams, events. Returns the event for the publisher. */
static json_t *publish(struct vr_publisher *publisher, json_t *jsep, json_t **answer)
{
    struct vr_room *room = publisher->room;
    if (!publisher->publishing && room->max_publishers &&
        active_publishers(room) >= room->max_publishers)
        return vr_error(PRISM_VIDEOROOM_ERROR_PUBLISHERS_FULL,
                        "Maximum number of publishers (%u) reached", room->max_publishers);
    json_t *error = NULL;
    *answer = answer_offer(publisher, jsep, &error);
    if (!*answer)
        return error;
    g_mutex_lock(&room->lock);
    publisher->publishing = true;
    collect_streams(publisher);
    g_mutex_unlock(&room->lock);
    json_t *event = json_pack("{s:s, s:I, s:s, s:o}", "videoroom", "event", "room",
                              (json_int_t)room->id, "configured", "ok", "streams",
                              vr_publisher_streams_json(publisher));
    const char *audio = first_codec(publisher, PRISM_SDP_MEDIA_AUDIO);
    const char *video = first_codec(publisher, PRISM_SDP_MEDIA_VIDEO);
    if (audio)
        json_object_set_new(event, "audio_codec", vr_codec_json(audio));
    if (video)
        json_object_set_new(event, "video_codec", vr_codec_json(video));
    json_t *announce = json_pack("{s:s, s:I, s:[o]}", "videoroom", "event", "room",
                                 (json_int_t)room->id, "publishers", publisher_json(publisher));
    vr_notify_publishers(room, announce, publisher);
    vr_handler_event(publisher->handle, "published", room->id, publisher->id, publisher->display,
                     json_pack("{s:o}", "streams", vr_publisher_streams_json(publisher)));
    return event;
}

static const struct prism_param join_params[] = {
    {"room", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
    {"id", PRISM_PARAM_INTEGER, PRISM_PARAM_POSITIVE},
    {"display", PRISM_PARAM_STRING, 0},
    {"token", PRISM_PARAM_STRING, 0},
    {"pin", PRISM_PARAM_STRING, 0},
};

static struct vr_publisher *publisher_new(struct vr_room *room, struct prism_handle *handle,
                                          uint64_t id, json_t *body)
{
    struct vr_publisher *publisher = calloc(1, sizeof(*publisher));
    if (!publisher)
        abort();
    publisher->room = vr_room_ref(room);
    publisher->handle = handle;
    publisher->id = id;
    publisher->private_id = prism_random_id() & 0xffffffffu;
    const char *display = json_string_value(json_object_get(body, "display"));
    publisher->display = display ? strdup(display) : NULL;
    g_mutex_lock(&room->lock); /* subscribers on other workers read the publishers */
    g_hash_table_insert(room->publishers, &publisher->id, publisher);
    g_mutex_unlock(&room->lock);
    atomic_fetch_add(&room->participant_count, 1);
    return publisher;
}

json_t *vr_publisher_join(struct vr_session *session, const char *transaction, json_t *body,
                          json_t *jsep)
{
    char reason[256];
    int code = prism_params_validate(body, join_params, PRISM_PARAMS_COUNT(join_params),
                                     &vr_param_codes, reason, sizeof(reason));
    if (code)
        return vr_error(code, "%s", reason);
    uint64_t room_id = (uint64_t)json_integer_value(json_object_get(body, "room"));
    struct vr_room *room = vr_rooms_find(room_id);
    json_t *refused = vr_check_entry(room, body, room_id);
    uint64_t id = (uint64_t)json_integer_value(json_object_get(body, "id"));
    if (!refused && id && vr_room_find_publisher(room, id))
        refused = vr_error(PRISM_VIDEOROOM_ERROR_ID_EXISTS, "User ID %" G_GUINT64_FORMAT " exists",
                           id);
    if (refused) {
        if (room)
            vr_room_unref(room);
        return refused;
    }
    while (!id || vr_room_find_publisher(room, id))
        id = prism_random_id();
    struct vr_publisher *publisher = publisher_new(room, session->handle, id, body);
    session->role = VR_ROLE_PUBLISHER;
    session->publisher = publisher;
    json_t *joined = json_pack("{s:s, s:I, s:s, s:I, s:I, s:o}", "videoroom", "joined", "room",
                               (json_int_t)room->id, "description",
                               room->description ? room->description : "", "id", (json_int_t)id,
                               "private_id", (json_int_t)publisher->private_id, "publishers",
                               vr_publishers_list_json(room, publisher));
    vr_handler_event(session->handle, "joined", room->id, id, publisher->display,
                     json_pack("{s:I}", "private_id", (json_int_t)publisher->private_id));
    if (room->notify_joining)
        vr_notify_publishers(room,
                             json_pack("{s:s, s:I, s:{s:I, s:s?}}", "videoroom", "event", "room",
                                       (json_int_t)room->id, "joining", "id", (json_int_t)id,
                                       "display", publisher->display),
                             publisher);
    vr_room_unref(room);
    json_t *answer = NULL;
    if (jsep) {
        /* joinandconfigure: publish at once; the answer rides on the "joined" event. */
        json_t *configured = publish(publisher, jsep, &answer);
        if (!answer)
            return configured; /* the error */
        json_decref(configured);
    }
    vr_push(session->handle, transaction, joined, answer);
    return NULL;
}

json_t *vr_publisher_publish(struct vr_session *session, const char *transaction, json_t *body,
                             json_t *jsep)
{
    struct vr_publisher *publisher = session->publisher;
    if (publisher->publishing)
        return vr_error(PRISM_VIDEOROOM_ERROR_ALREADY_PUBLISHED,
                        "Can't publish, already published");
    const char *display = json_string_value(json_object_get(body, "display"));
    if (display) {
        g_mutex_lock(&publisher->room->lock);
        free(publisher->display);
        publisher->display = strdup(display);
        g_mutex_unlock(&publisher->room->lock);
    }
    json_t *bitrate = json_object_get(body, "bitrate");
    if (json_is_integer(bitrate))
        publisher->bitrate = (uint32_t)json_integer_value(bitrate);
    json_t *answer = NULL;
    json_t *event = publish(publisher, jsep, &answer);
    if (answer) {
        vr_push(session->handle, transaction, event, answer);
        return NULL;
    }
    return event;
}

static void apply_stream_settings(struct vr_publisher *publisher, json_t *streams)
{
    size_t index;
    json_t *entry;
    json_array_foreach(streams, index, entry)
    {
        const char *mid = json_string_value(json_object_get(entry, "mid"));
        for (unsigned i = 0; mid && i < publisher->stream_count; i++) {
            struct vr_pub_stream *stream = &publisher->streams[i];
            if (strcmp(stream->mid, mid) != 0)
                continue;
            json_t *send = json_object_get(entry, "send");
            if (json_is_boolean(send))
                stream->disabled = !json_is_true(send);
            const char *description = json_string_value(json_object_get(entry, "description"));
            if (description)
                g_strlcpy(stream->description, description, sizeof(stream->description));
        }
    }
}

/* The REMB cap for a publisher: its own bitrate, capped by the room's when bitrate_cap is on. */
static uint32_t publisher_bitrate(const struct vr_publisher *publisher)
{
    uint32_t room_cap = publisher->room->bitrate;
    if (!publisher->bitrate)
        return room_cap;
    if (publisher->room->bitrate_cap && room_cap && publisher->bitrate > room_cap)
        return room_cap;
    return publisher->bitrate;
}

json_t *vr_publisher_configure(struct vr_session *session, const char *transaction, json_t *body,
                               json_t *jsep)
{
    struct vr_publisher *publisher = session->publisher;
    json_t *bitrate = json_object_get(body, "bitrate");
    if (json_is_integer(bitrate))
        publisher->bitrate = (uint32_t)json_integer_value(bitrate);
    if (jsep) {
        /* A renegotiation of a live publisher: a new answer and possibly new streams. */
        json_t *answer = NULL;
        json_t *event = publish(publisher, jsep, &answer);
        if (!answer)
            return event;
        vr_push(session->handle, transaction, event, answer);
        return NULL;
    }
    apply_stream_settings(publisher, json_object_get(body, "streams"));
    struct prism_peer *peer = prism_handle_peer(publisher->handle);
    if (peer && prism_peer_is_connected(peer)) {
        prism_peer_set_bitrate_cap(peer, publisher_bitrate(publisher));
        if (json_is_true(json_object_get(body, "keyframe")))
            for (unsigned i = 0; i < publisher->stream_count; i++)
                if (publisher->streams[i].kind == PRISM_SDP_MEDIA_VIDEO)
                    prism_peer_request_keyframe(peer, publisher->streams[i].media_index);
    }
    const char *display = json_string_value(json_object_get(body, "display"));
    if (display) {
        g_mutex_lock(&publisher->room->lock);
        free(publisher->display);
        publisher->display = strdup(display);
        g_mutex_unlock(&publisher->room->lock);
    }
    return json_pack("{s:s, s:I, s:s}", "videoroom", "event", "room",
                     (json_int_t)publisher->room->id, "configured", "ok");
}

/* Takes the publisher's streams away from every subscriber and tells the room. */
static void stop_publishing(struct vr_publisher *publisher)
{
    vr_forwarders_stop_all(publisher);
    if (!publisher->publishing)
        return;
    g_mutex_lock(&publisher->room->lock);
    publisher->publishing = false;
    publisher->media_up_us = 0;
    for (unsigned i = 0; i < publisher->stream_count; i++) {
        GPtrArray *subs = publisher->streams[i].subscribers;
        while (subs->len)
            vr_subscriber_source_gone(g_ptr_array_index(subs, 0));
        g_ptr_array_free(subs, TRUE);
        vr_relay_detach_all(&publisher->streams[i]);
        vr_pub_stream_drop_history(&publisher->streams[i]);
    }
    publisher->stream_count = 0;
    publisher->has_data = false;
    g_mutex_unlock(&publisher->room->lock);
    vr_notify_publishers(publisher->room,
                         json_pack("{s:s, s:I, s:I}", "videoroom", "event", "room",
                                   (json_int_t)publisher->room->id, "unpublished",
                                   (json_int_t)publisher->id),
                         publisher);
    vr_handler_event(publisher->handle, "unpublished", publisher->room->id, publisher->id, NULL,
                     NULL);
}

json_t *vr_publisher_unpublish(struct vr_session *session)
{
    struct vr_publisher *publisher = session->publisher;
    if (!publisher->publishing)
        return vr_error(PRISM_VIDEOROOM_ERROR_NOT_PUBLISHED, "Can't unpublish, not published");
    stop_publishing(publisher);
    prism_handle_media_hangup(session->handle, "Unpublished");
    return json_pack("{s:s, s:I, s:s}", "videoroom", "event", "room",
                     (json_int_t)publisher->room->id, "unpublished", "ok");
}

void vr_publisher_setup_media(struct vr_session *session)
{
    struct vr_publisher *publisher = session->publisher;
    struct prism_peer *peer = prism_handle_peer(publisher->handle);
    uint32_t bitrate = publisher_bitrate(publisher);
    if (peer && bitrate)
        prism_peer_set_bitrate_cap(peer, bitrate);
    if (!publisher->media_up_us)
        publisher->media_up_us = prism_now_us();
    vr_viewers_adopt(publisher->room, publisher);
}

void vr_publisher_hangup_media(struct vr_session *session)
{
    stop_publishing(session->publisher);
}

void vr_publisher_leave(struct vr_session *session, const char *reason)
{
    struct vr_publisher *publisher = session->publisher;
    struct vr_room *room = publisher->room;
    stop_publishing(publisher);
    g_mutex_lock(&room->lock);
    g_hash_table_remove(room->publishers, &publisher->id);
    g_mutex_unlock(&room->lock);
    atomic_fetch_sub(&room->participant_count, 1);
    vr_handler_event(publisher->handle, "leaving", room->id, publisher->id, publisher->display,
                     reason ? json_pack("{s:s}", "reason", reason) : NULL);
    json_t *event = json_pack("{s:s, s:I}", "videoroom", "event", "room", (json_int_t)room->id);
    json_object_set_new(event, reason && strcmp(reason, "kicked") == 0 ? "kicked" : "leaving",
                        json_integer((json_int_t)publisher->id));
    if (!room->destroyed)
        vr_notify_publishers(room, event, NULL);
    else
        json_decref(event);
    session->role = VR_ROLE_NONE;
    session->publisher = NULL;
    free(publisher->display); /* out of the table: nobody else reads it */
    free(publisher);
    vr_room_unref(room);
}
