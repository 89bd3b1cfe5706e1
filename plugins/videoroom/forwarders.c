/* The VideoRoom's RTP forwarders in the room: the rtp_forward, stop_rtp_forward and
 * listforwarders requests, each forwarder's UDP socket, and the relay of a publisher's packets
 * to its forwarders (called from the media path). Room worker only: the requests run there
 * (message_worker routes them by "room"), so the sockets are opened, read and closed on the
 * thread that sends on them. No allocation, lock or log per packet. */
#include "plugins/videoroom/forwarder.h"
#include "plugins/videoroom/participant.h"

#include "core/ids.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/worker.h"
#include "media/srtp/srtp.h"
#include "plugins/videoroom/room_requests.h"
#include "plugins/videoroom/videoroom.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* A forwarded packet is written here, then protected in place. */
static _Thread_local uint8_t scratch[1600];

static socklen_t target_address(const struct vr_forwarder *forwarder, uint16_t port,
                                struct sockaddr_storage *out)
{
    memset(out, 0, sizeof(*out));
    if (forwarder->target.ip.family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)out;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        memcpy(&in->sin_addr, forwarder->target.ip.bytes, 4);
        return sizeof(*in);
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    memcpy(&in6->sin6_addr, forwarder->target.ip.bytes, 16);
    return sizeof(*in6);
}

static void send_to(struct vr_forwarder *forwarder, uint16_t port, const uint8_t *data, size_t len)
{
    struct sockaddr_storage address;
    socklen_t address_len = target_address(forwarder, port, &address);
    if (sendto(forwarder->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&address, address_len) ==
        (ssize_t)len)
        forwarder->packets++;
    else
        forwarder->send_errors++;
}

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
        size_t len = 0;
        if (forwarder->media_index != packet->media_index ||
            forwarder->kind == PRISM_SDP_MEDIA_APPLICATION)
            continue;
        if (vr_forwarder_rewrite(forwarder, packet->data, packet->len, scratch, sizeof(scratch),
                                 &len) == 0)
            send_to(forwarder, forwarder->target.port, scratch, len);
        else
            forwarder->send_errors++;
    }
}

void vr_forwarders_relay_data(struct vr_publisher *publisher, const struct prism_peer_data *message)
{
    GPtrArray *list = publisher->forwarders;
    for (guint i = 0; list && i < list->len; i++) {
        struct vr_forwarder *forwarder = list->pdata[i];
        if (forwarder->kind == PRISM_SDP_MEDIA_APPLICATION)
            send_to(forwarder, forwarder->target.port, message->data, message->len);
    }
}

/* The recipient's RTCP (rtcp_port): a PLI or FIR from the recipient's address becomes a
 * keyframe request to the publisher, throttled like a subscriber's. */
static void rtcp_readable_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us,
                             void *data)
{
    struct vr_forwarder *forwarder = data;
    struct vr_publisher *publisher = forwarder->owner;
    struct sockaddr_storage expected, from;
    socklen_t expected_len = target_address(forwarder, forwarder->target.rtcp_port, &expected);
    for (int i = 0; i < 16; i++) {
        socklen_t from_len = sizeof(from);
        ssize_t len = recvfrom(fd, scratch, sizeof(scratch), MSG_DONTWAIT, (struct sockaddr *)&from,
                               &from_len);
        if (len < 0)
            return;
        bool from_recipient = from_len == expected_len &&
                              (from.ss_family == AF_INET
                                   ? memcmp(&((struct sockaddr_in *)&from)->sin_addr,
                                            &((struct sockaddr_in *)&expected)->sin_addr, 4) == 0
                                   : memcmp(&((struct sockaddr_in6 *)&from)->sin6_addr,
                                            &((struct sockaddr_in6 *)&expected)->sin6_addr,
                                            16) == 0);
        struct vr_pub_stream *stream = stream_at(publisher, forwarder->media_index);
        if (from_recipient && stream && stream->kind == PRISM_SDP_MEDIA_VIDEO &&
            vr_forwarder_rtcp_wants_keyframe(forwarder, scratch, (size_t)len))
            vr_request_keyframe(stream, now_us);
    }
}

/* Opens the forwarder's socket; with rtcp_port it is bound, watched, and says hello to the
 * recipient's RTCP port. Returns 0 or -errno. */
static int open_socket(struct vr_forwarder *forwarder, struct prism_loop *loop)
{
    int family = forwarder->target.ip.family;
    forwarder->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (forwarder->fd < 0)
        return -errno;
    if (!forwarder->target.rtcp_port) {
        /* Nothing is read: keep what strays in to the kernel's minimum. */
        int size = 0;
        setsockopt(forwarder->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        return 0;
    }
    struct sockaddr_storage local = {.ss_family = (sa_family_t)family};
    socklen_t local_len = family == AF_INET ? sizeof(struct sockaddr_in)
                                            : sizeof(struct sockaddr_in6);
    if (bind(forwarder->fd, (struct sockaddr *)&local, local_len) < 0 ||
        getsockname(forwarder->fd, (struct sockaddr *)&local, &local_len) < 0)
        return -errno;
    forwarder->local_rtcp_port = ntohs(family == AF_INET
                                           ? ((struct sockaddr_in *)&local)->sin_port
                                           : ((struct sockaddr_in6 *)&local)->sin6_port);
    int rc = prism_loop_add_fd(loop, forwarder->fd, EPOLLIN, rtcp_readable_cb, forwarder);
    if (rc < 0)
        return rc;
    forwarder->watched = true;
    int len = vr_forwarder_hello_rtcp(forwarder, scratch, sizeof(scratch));
    if (len > 0)
        send_to(forwarder, forwarder->target.rtcp_port, scratch, (size_t)len);
    return 0;
}

static void forwarder_close(struct vr_forwarder *forwarder, struct prism_loop *loop)
{
    if (forwarder->watched)
        prism_loop_remove_fd(loop, forwarder->fd);
    if (forwarder->fd >= 0)
        close(forwarder->fd);
    vr_forwarder_free(forwarder);
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
        forwarder_close(list->pdata[i], publisher_loop(publisher));
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
    rc = open_socket(forwarder, publisher_loop(publisher));
    if (rc < 0) {
        forwarder_close(forwarder, publisher_loop(publisher));
        return rc;
    }
    if (!publisher->forwarders)
        publisher->forwarders = g_ptr_array_new();
    g_ptr_array_add(publisher->forwarders, forwarder);
    /* A recipient can only start decoding at a keyframe (Janus sends FIR and PLI too). */
    struct vr_pub_stream *stream = stream_at(publisher, media_index);
    if (stream && kind == PRISM_SDP_MEDIA_VIDEO)
        vr_request_keyframe(stream, 0);
    *out = forwarder;
    return 0;
}

/* The room of body.room on this worker, its secret checked as Janus checks it for every
 * forwarding request; NULL with *error set otherwise. */
static struct vr_room *room_here(json_t *body, json_t **error)
{
    struct vr_room *room = NULL;
    char reason[256];
    int code = vr_room_access(body, true, &room, reason, sizeof(reason));
    if (code) {
        *error = vr_error(code, "%s", reason);
        return NULL;
    }
    if (room->destroyed || !prism_worker_is_current(room->worker)) {
        vr_room_unref(room);
        *error = vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM, "No such room");
        return NULL;
    }
    return room;
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
    struct vr_room *room = room_here(body, &reply);
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
    struct vr_room *room = room_here(body, &reply);
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
        forwarder_close(forwarder, publisher_loop(publisher));
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
    struct vr_room *room = room_here(body, &reply);
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
