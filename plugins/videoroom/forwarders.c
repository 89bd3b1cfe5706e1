/* The VideoRoom's RTP forwarders in the room: the rtp_forward, stop_rtp_forward and
 * listforwarders requests, the publisher's list, and the relay of a publisher's packets to its
 * forwarders (called from the media path) through their media/rtpout senders. Room worker only:
 * the requests run there (message_worker routes them by "room"), so each sender's socket is
 * opened, read and closed on the thread that sends on it. No allocation, lock or log per
 * packet. */
#include "plugins/videoroom/forwarder.h"
#include "plugins/videoroom/participant.h"

#include "core/ids.h"
#include "core/log.h"
#include "core/worker.h"
#include "media/rtpout/rtpout.h"
#include "plugins/videoroom/room_requests.h"
#include "plugins/videoroom/videoroom.h"

#include <errno.h>
#include <string.h>

static struct vr_pub_stream *stream_at(struct vr_publisher *publisher, unsigned media_index)
{
    for (unsigned i = 0; i < publisher->stream_count; i++) {
        if (publisher->streams[i].media_index == media_index)
            return &publisher->streams[i];
    }
    return NULL;
}

void vr_forwarders_relay_rtp(struct vr_publisher *publisher, const struct prism_peer_rtp *packet)
{
    GPtrArray *list = publisher->forwarders;
    for (guint i = 0; list && i < list->len; i++) {
        struct vr_forwarder *forwarder = list->pdata[i];
        /* A simulcast publisher's lowest layer goes on "port", as Janus's substream 0 does. */
        if (forwarder->media_index != packet->media_index ||
            forwarder->kind == PRISM_SDP_MEDIA_APPLICATION || packet->layer > 0)
            continue;
        if (forwarder->awaiting_keyframe) {
            struct vr_pub_stream *stream = stream_at(publisher, packet->media_index);
            if (stream && vr_forwarder_keyframe_due(forwarder, stream->codec.id, &packet->header,
                                                    packet->arrival_us))
                vr_request_keyframe(stream, packet->arrival_us);
        }
        prism_rtpout_send_rtp(forwarder->out, packet->data, packet->len);
    }
}

void vr_forwarders_relay_data(struct vr_publisher *publisher, const struct prism_peer_data *message)
{
    GPtrArray *list = publisher->forwarders;
    for (guint i = 0; list && i < list->len; i++) {
        struct vr_forwarder *forwarder = list->pdata[i];
        if (forwarder->kind == PRISM_SDP_MEDIA_APPLICATION)
            prism_rtpout_send_datagram(forwarder->out, message->data, message->len);
    }
}

/* The recipient's PLI or FIR (rtcp_port): a keyframe request to the publisher, throttled like
 * a subscriber's and repeated until the keyframe has gone out. */
static void keyframe_wanted_cb(void *user, uint64_t now_us)
{
    struct vr_forwarder *forwarder = user;
    struct vr_pub_stream *stream = stream_at(forwarder->owner, forwarder->media_index);
    if (!stream || stream->kind != PRISM_SDP_MEDIA_VIDEO)
        return;
    vr_forwarder_keyframe_asked(forwarder, now_us);
    vr_request_keyframe(stream, now_us);
}

static struct prism_loop *publisher_loop(struct vr_publisher *publisher)
{
    return prism_worker_loop(publisher->room->worker);
}

void vr_forwarders_stop_all(struct vr_publisher *publisher)
{
    GPtrArray *list = publisher->forwarders;
    publisher->forwarders = NULL;
    for (guint i = 0; list && i < list->len; i++)
        vr_forwarder_free(list->pdata[i]);
    if (list)
        g_ptr_array_free(list, TRUE);
}

static struct vr_forwarder *find_forwarder(struct vr_publisher *publisher, uint32_t id,
                                           guint *index)
{
    GPtrArray *list = publisher->forwarders;
    for (guint i = 0; list && i < list->len; i++) {
        if (((struct vr_forwarder *)list->pdata[i])->id == id) {
            *index = i;
            return list->pdata[i];
        }
    }
    return NULL;
}

static uint32_t new_forwarder_id(struct vr_publisher *publisher)
{
    guint unused;
    uint32_t id;
    do
        id = (uint32_t)prism_random_id();
    while (!id || find_forwarder(publisher, id, &unused));
    return id;
}

/* The publisher's stream (or data channel) of `mid`: its kind and m-line. */
static bool find_source(struct vr_publisher *publisher, const char *mid,
                        enum prism_sdp_media_kind *kind, unsigned *media_index)
{
    for (unsigned i = 0; i < publisher->stream_count; i++) {
        if (strcmp(publisher->streams[i].mid, mid) == 0) {
            *kind = publisher->streams[i].kind;
            *media_index = publisher->streams[i].media_index;
            return true;
        }
    }
    if (publisher->has_data && strcmp(publisher->data_mid, mid) == 0) {
        *kind = PRISM_SDP_MEDIA_APPLICATION;
        *media_index = publisher->data_media_index;
        return true;
    }
    return false;
}

/* Adds one forwarder; returns 0 or -errno (nothing added). */
static int add_forwarder(struct vr_publisher *publisher, const struct vr_forward_request *request,
                         const struct vr_forward_target *target, enum prism_sdp_media_kind kind,
                         unsigned media_index, struct vr_forwarder **out)
{
    struct vr_forwarder *forwarder = NULL;
    int rc = vr_forwarder_new(request, target, kind, media_index, new_forwarder_id(publisher),
                              &forwarder);
    if (rc < 0)
        return rc;
    forwarder->owner = publisher;
    rc = prism_rtpout_open(forwarder->out, publisher_loop(publisher), keyframe_wanted_cb,
                           forwarder);
    if (rc < 0) {
        vr_forwarder_free(forwarder);
        return rc;
    }
    if (!publisher->forwarders)
        publisher->forwarders = g_ptr_array_new();
    g_ptr_array_add(publisher->forwarders, forwarder);
    /* A recipient can only start decoding at a keyframe (Janus sends FIR and PLI too); the
     * forwarder asks again until one has gone out (vr_forwarders_relay_rtp). */
    struct vr_pub_stream *stream = stream_at(publisher, media_index);
    if (stream && kind == PRISM_SDP_MEDIA_VIDEO) {
        uint64_t now = prism_now_us();
        vr_forwarder_keyframe_asked(forwarder, now);
        vr_request_keyframe(stream, now);
    }
    *out = forwarder;
    return 0;
}

static json_t *create_forwarders(struct vr_room *room, struct vr_publisher *publisher,
                                 const struct vr_forward_request *request)
{
    unsigned existing = publisher->forwarders ? publisher->forwarders->len : 0;
    if (existing + request->target_count > VR_MAX_FORWARDERS)
        return vr_error(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT,
                        "Too many forwarders (at most %d per publisher)", VR_MAX_FORWARDERS);
    json_t *list = json_array();
    for (unsigned i = 0; i < request->target_count; i++) {
        const struct vr_forward_target *target = &request->targets[i];
        enum prism_sdp_media_kind kind;
        unsigned media_index;
        struct vr_forwarder *forwarder = NULL;
        /* Janus skips a mid the publisher does not send. */
        if (!find_source(publisher, target->mid, &kind, &media_index))
            continue;
        int rc = add_forwarder(publisher, request, target, kind, media_index, &forwarder);
        if (rc < 0) {
            prism_warn("videoroom", "rtp_forward for publisher %" G_GUINT64_FORMAT ": %s",
                       publisher->id, g_strerror(-rc));
            /* All or nothing: the caller never learns the ids of the ones made so far. */
            while (publisher->forwarders && publisher->forwarders->len > existing)
                vr_forwarder_free(g_ptr_array_steal_index(publisher->forwarders, existing));
            json_decref(list);
            return vr_error(PRISM_VIDEOROOM_ERROR_UNKNOWN, "Could not forward stream %s (%s)",
                            target->mid, g_strerror(-rc));
        }
        json_array_append_new(list, vr_forwarder_summary(forwarder));
    }
    return json_pack("{s:s, s:I, s:I, s:o}", "videoroom", "rtp_forward", "room",
                     (json_int_t)room->id, "publisher_id", (json_int_t)publisher->id, "forwarders",
                     list);
}

json_t *vr_request_rtp_forward(json_t *body)
{
    char reason[256];
    struct vr_forward_request request;
    int code = vr_forward_request_parse(body, vr_rooms_rtp_forward_key(), &request, reason,
                                        sizeof(reason));
    if (code)
        return vr_error(code, "%s", reason);
    json_t *reply = NULL;
    struct vr_room *room = vr_room_here(body, true, &reply);
    struct vr_publisher *publisher = room ? vr_room_find_publisher(room, request.publisher_id)
                                          : NULL;
    if (room && !publisher)
        reply = vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED, "No such feed (%" G_GUINT64_FORMAT ")",
                         request.publisher_id);
    else if (room)
        reply = create_forwarders(room, publisher, &request);
    explicit_bzero(request.srtp_crypto, sizeof(request.srtp_crypto));
    if (room)
        vr_room_unref(room);
    return reply;
}

json_t *vr_request_stop_rtp_forward(json_t *body)
{
    char reason[256];
    uint64_t room_id, publisher_id;
    uint32_t stream_id;
    int code = vr_forward_stop_parse(body, vr_rooms_rtp_forward_key(), &room_id, &publisher_id,
                                     &stream_id, reason, sizeof(reason));
    if (code)
        return vr_error(code, "%s", reason);
    json_t *reply = NULL;
    struct vr_room *room = vr_room_here(body, true, &reply);
    if (!room)
        return reply;
    struct vr_publisher *publisher = vr_room_find_publisher(room, publisher_id);
    guint index = 0;
    struct vr_forwarder *forwarder = publisher ? find_forwarder(publisher, stream_id, &index)
                                               : NULL;
    if (!publisher) {
        reply = vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED, "No such feed (%" G_GUINT64_FORMAT ")",
                         publisher_id);
    } else if (!forwarder) {
        reply = vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED,
                         "No such stream (%" G_GUINT32_FORMAT ")", stream_id);
    } else {
        g_ptr_array_remove_index(publisher->forwarders, index);
        vr_forwarder_free(forwarder);
        reply = json_pack("{s:s, s:I, s:I, s:I}", "videoroom", "stop_rtp_forward", "room",
                          (json_int_t)room_id, "publisher_id", (json_int_t)publisher_id,
                          "stream_id", (json_int_t)stream_id);
    }
    vr_room_unref(room);
    return reply;
}

json_t *vr_request_listforwarders(json_t *body)
{
    json_t *reply = NULL;
    struct vr_room *room = vr_room_here(body, true, &reply);
    if (!room)
        return reply;
    json_t *publishers = json_array();
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, room->publishers);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        struct vr_publisher *publisher = value;
        if (!publisher->forwarders || !publisher->forwarders->len)
            continue;
        json_t *list = json_array();
        for (guint i = 0; i < publisher->forwarders->len; i++)
            json_array_append_new(list, vr_forwarder_summary(publisher->forwarders->pdata[i]));
        json_t *entry = json_pack("{s:I, s:o}", "publisher_id", (json_int_t)publisher->id,
                                  "forwarders", list);
        if (publisher->display)
            json_object_set_new(entry, "display", json_string(publisher->display));
        json_array_append_new(publishers, entry);
    }
    reply = json_pack("{s:s, s:I, s:o}", "videoroom", "forwarders", "room", (json_int_t)room->id,
                      "publishers", publishers);
    vr_room_unref(room);
    return reply;
}
