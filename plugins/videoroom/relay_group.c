/* Subscribers on other workers than their room's: a large room spreads its subscribers over
 * every worker, and each publisher packet crosses to each of those workers once.
 *
 * On a subscriber's worker, the subscribers of one publisher stream share a group. The room's
 * worker keeps the groups of each publisher stream (vr_pub_stream.remote_groups) and relays
 * every packet to each of them through media/relay: one copy into a reference-counted buffer
 * per packet, one message per group, published at the end of the room worker's turn with one
 * wake-up per worker. The group's worker rewrites, protects and sends to its own subscribers.
 *
 * NACKs are answered on the subscriber's worker, from the group's history
 * (media/relay/history.h: the last buffers the group received, up to a second old, kept by
 * reference). That costs nothing per viewer and one small ring per worker and stream, and a
 * retransmission needs no round trip to the room worker and no lock on its history. Keyframe
 * requests go back to the room worker through the relay, to the publisher stream's throttle.
 *
 * Ownership: a group belongs to its worker. The room worker only holds its pointer while it
 * is registered and sends it nothing after letting go ("detached", posted after the last
 * packet with prism_relay_post_after); the group is freed there, and the room reference it
 * holds is dropped on the room worker after the group's last keyframe request. */
#include "plugins/videoroom/participant.h"

#include "core/ids.h"
#include "core/log.h"
#include "core/session.h"
#include "core/worker.h"
#include "media/peer/handle_media.h"
#include "media/relay/history.h"
#include "media/relay/relay.h"
#include "media/rtp/header.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What is older than this is not resent, as with the publisher stream's own history. */
#define GROUP_HISTORY_MAX_AGE_US 1000000u
/* A group asks the room worker for a keyframe at most this often (the publisher stream's own
 * throttle decides what reaches the publisher). */
#define KEYFRAME_REQUEST_INTERVAL_US 100000u

struct vr_relay_group {
    struct vr_room *room;        /* reference, dropped on the room worker */
    struct prism_worker *worker; /* the group's (its subscribers') worker; fixed */
    uint64_t feed_id;            /* the publisher stream it receives: fixed */
    char mid[PRISM_SDP_MID_LEN + 1];
    bool video;
    char key[96];       /* in this worker's table */
    GPtrArray *streams; /* struct vr_sub_stream *, not owned */
    bool leaving;       /* out of the table; freed when the room worker lets go */
    uint64_t last_keyframe_request_us;
    struct prism_relay_history history[PRISM_FORWARD_MAX_LAYERS]; /* video; by simulcast layer */
    struct vr_dd_states dd; /* the publisher's Dependency Descriptor structures, as seen here */
    struct vr_layer_rates rates; /* for its subscribers' automatic layer choice */
};

static struct prism_relay *relay;            /* set by init, before any request runs */
static struct prism_worker_pool *relay_pool; /* the workers subscribers are spread over */
static _Thread_local GHashTable *groups;     /* this worker's groups, by key */

int vr_relay_init(struct prism_worker_pool *pool)
{
    relay_pool = pool;
    return prism_relay_create(&relay, pool, 0);
}

void vr_relay_shutdown(void)
{
    prism_relay_drain_and_destroy(relay, relay_pool);
    relay = NULL;
    relay_pool = NULL;
}

struct prism_worker *vr_relay_place_subscriber(struct vr_room *room)
{
    if (!relay || !relay_pool || prism_worker_pool_size(relay_pool) < 2 ||
        !prism_relay_pool(relay, room->worker))
        return NULL;
    g_mutex_lock(&room->lock);
    unsigned threshold = room->spread_subscribers;
    g_mutex_unlock(&room->lock);
    if (!threshold || atomic_load(&room->subscriber_count) < threshold)
        return NULL;
    return prism_worker_pool_least_loaded(relay_pool);
}

/* Room worker: the publisher stream a group receives, if it is still published. */
static struct vr_pub_stream *find_source(struct vr_room *room, uint64_t feed_id, const char *mid)
{
    struct vr_publisher *publisher = vr_room_find_publisher(room, feed_id);
    for (unsigned i = 0; publisher && publisher->publishing && i < publisher->stream_count; i++) {
        if (strcmp(publisher->streams[i].mid, mid) == 0)
            return &publisher->streams[i];
    }
    return NULL;
}

/* Room worker: the publisher stream that has `group` registered (compared, never read). */
static struct vr_pub_stream *find_registered(struct vr_room *room, const void *group)
{
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, room->publishers);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        struct vr_publisher *publisher = value;
        for (unsigned i = 0; i < publisher->stream_count; i++) {
            GPtrArray *registered = publisher->streams[i].remote_groups;
            for (guint g = 0; registered && g < registered->len; g++) {
                if (registered->pdata[g] == group)
                    return &publisher->streams[i];
            }
        }
    }
    return NULL;
}

static void unref_room_cb(void *data)
{
    vr_room_unref(data);
}

/* Group's worker: frees it, once the room worker let go and it has no subscriber. */
static void free_group(struct vr_relay_group *group)
{
    for (unsigned i = 0; i < PRISM_FORWARD_MAX_LAYERS; i++)
        prism_relay_history_clear(&group->history[i]);
    vr_dd_states_clear(&group->dd);
    g_ptr_array_free(group->streams, TRUE);
    /* After this group's keyframe requests, which name the room. */
    prism_relay_post_after(relay, group->worker, group->room->worker, unref_room_cb, group->room);
    free(group);
}

static void forget_group(struct vr_relay_group *group)
{
    if (groups && g_hash_table_lookup(groups, group->key) == group)
        g_hash_table_remove(groups, group->key);
    if (groups && g_hash_table_size(groups) == 0) {
        g_hash_table_destroy(groups);
        groups = NULL;
    }
}

/* Group's worker: the room worker let go (the source went away, or we asked), and nothing it
 * sent is still on its way. Its subscribers lose the stream. */
static void detached_cb(void *data)
{
    struct vr_relay_group *group = data;
    forget_group(group);
    group->leaving = true;
    while (group->streams->len)
        vr_subscriber_source_gone(group->streams->pdata[0]);
    free_group(group);
}

/* Room worker. */
static void detach(struct vr_relay_group *group)
{
    prism_relay_post_after(relay, group->room->worker, group->worker, detached_cb, group);
}

void vr_relay_detach_all(struct vr_pub_stream *stream)
{
    if (!stream->remote_groups)
        return;
    for (guint i = 0; i < stream->remote_groups->len; i++)
        detach(stream->remote_groups->pdata[i]);
    g_ptr_array_free(stream->remote_groups, TRUE);
    stream->remote_groups = NULL;
}

/* Room worker: a new group wants the stream. */
static void register_cb(void *data)
{
    struct vr_relay_group *group = data;
    struct vr_pub_stream *source = find_source(group->room, group->feed_id, group->mid);
    if (!source) {
        detach(group);
        return;
    }
    if (!source->remote_groups)
        source->remote_groups = g_ptr_array_new();
    g_ptr_array_add(source->remote_groups, group);
    if (source->kind == PRISM_SDP_MEDIA_VIDEO)
        vr_request_keyframe(source, 0); /* for its first subscribers */
}

struct unregister_job {
    struct vr_room *room;         /* reference */
    struct vr_relay_group *group; /* compared only: it may be gone already */
};

/* Room worker: a group has no subscriber left. When the source went away meanwhile, the group
 * was let go already and there is nothing to do. */
static void unregister_cb(void *data)
{
    struct unregister_job *job = data;
    struct vr_pub_stream *source = find_registered(job->room, job->group);
    if (source) {
        g_ptr_array_remove(source->remote_groups, job->group);
        detach(job->group);
    }
    vr_room_unref(job->room);
    free(job);
}

void vr_relay_link(struct vr_sub_stream *stream, uint64_t feed_id, const char *source_mid)
{
    struct vr_subscriber *subscriber = stream->subscriber;
    struct vr_room *room = subscriber->room;
    char key[sizeof(((struct vr_relay_group *)0)->key)];
    snprintf(key, sizeof(key), "%p/%" PRIu64 "/%s", (void *)room, feed_id, source_mid);
    struct vr_relay_group *group = groups ? g_hash_table_lookup(groups, key) : NULL;
    if (!group) {
        group = calloc(1, sizeof(*group));
        if (!group)
            return; /* the stream stays without a source */
        group->room = vr_room_ref(room);
        group->worker = prism_handle_worker(subscriber->handle);
        group->feed_id = feed_id;
        g_strlcpy(group->mid, source_mid, sizeof(group->mid));
        group->video = stream->kind == PRISM_SDP_MEDIA_VIDEO;
        g_strlcpy(group->key, key, sizeof(group->key));
        group->streams = g_ptr_array_new();
        for (unsigned i = 0; i < PRISM_FORWARD_MAX_LAYERS; i++)
            prism_relay_history_init(&group->history[i], GROUP_HISTORY_MAX_AGE_US);
        if (!groups)
            groups = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(groups, group->key, group);
        prism_worker_post(room->worker, register_cb, group);
    }
    g_ptr_array_add(group->streams, stream);
    stream->group = group;
}

void vr_relay_unlink(struct vr_sub_stream *stream)
{
    struct vr_relay_group *group = stream->group;
    stream->group = NULL;
    g_ptr_array_remove(group->streams, stream);
    if (group->streams->len || group->leaving)
        return;
    group->leaving = true;
    forget_group(group);
    struct unregister_job *job = malloc(sizeof(*job));
    if (!job)
        abort(); /* the group could never be freed */
    *job = (struct unregister_job){vr_room_ref(group->room), group};
    prism_worker_post(group->room->worker, unregister_cb, job);
}

/* Room worker: a group's subscribers want a keyframe. */
static void keyframe_cb(void *target, struct prism_relay_buffer *buffer, uint64_t arg,
                        uint64_t now_us)
{
    struct vr_pub_stream *source = find_registered(target, (const void *)(uintptr_t)arg);
    if (source)
        vr_request_keyframe(source, now_us);
}

void vr_relay_request_keyframe(struct vr_relay_group *group)
{
    uint64_t now = prism_now_us();
    if (group->leaving || (group->last_keyframe_request_us &&
                           now - group->last_keyframe_request_us < KEYFRAME_REQUEST_INTERVAL_US))
        return;
    group->last_keyframe_request_us = now;
    prism_relay_send(relay, group->worker, group->room->worker, keyframe_cb, group->room, NULL,
                     (uint64_t)(uintptr_t)group);
}

const struct vr_layer_rates *vr_relay_group_rates(const struct vr_relay_group *group)
{
    return &group->rates;
}

bool vr_relay_group_find(struct vr_relay_group *group, int layer, uint16_t seq, uint64_t now_us,
                         const uint8_t **data, size_t *len)
{
    if (layer >= PRISM_FORWARD_MAX_LAYERS)
        return false;
    return prism_relay_history_find(&group->history[layer > 0 ? layer : 0], seq, now_us, data, len);
}

/* Group's worker: one publisher packet for its subscribers; `arg` is its simulcast layer + 1
 * (0: not simulcast). */
static void deliver_cb(void *target, struct prism_relay_buffer *buffer, uint64_t arg,
                       uint64_t now_us)
{
    int layer = arg > 0 && arg <= PRISM_FORWARD_MAX_LAYERS ? (int)arg - 1 : -1;
    struct vr_relay_group *group = target;
    struct prism_rtp_header header;
    if (prism_rtp_parse(buffer->data, buffer->len, &header) < 0)
        return;
    if (group->video)
        prism_relay_history_store(&group->history[layer > 0 ? layer : 0], buffer);
    bool need_keyframe = false;
    struct prism_dd_frame frame;
    const struct prism_dd_frame *dd = NULL;
    if (group->streams->len) {
        /* Every stream of the group copied the source's extension ids at link. */
        const struct vr_sub_stream *first = group->streams->pdata[0];
        dd = vr_dd_read(
            &group->dd,
            prism_forward_ext_id(&first->source_ext, PRISM_SDP_EXT_DEPENDENCY_DESCRIPTOR), &header,
            layer, &frame);
        vr_layer_rates_count(&group->rates, layer,
                             header.payload_type == first->source_pt ? first->codec.id
                                                                     : PRISM_SDP_CODEC_UNKNOWN,
                             &header, dd, buffer->len, now_us);
    }
    for (guint i = 0; i < group->streams->len; i++)
        need_keyframe |= vr_forward_to(group->streams->pdata[i], group, &header, buffer->data,
                                       buffer->len, layer, dd, now_us);
    if (need_keyframe)
        vr_relay_request_keyframe(group);
}

void vr_relay_fanout(struct vr_pub_stream *stream, const struct prism_peer_rtp *packet)
{
    struct prism_worker *here = stream->publisher->room->worker;
    struct prism_relay_buffer *buffer = prism_relay_buffer_copy(
        prism_relay_pool(relay, here), packet->data, packet->len, packet->arrival_us);
    if (!buffer)
        return;
    for (guint i = 0; i < stream->remote_groups->len; i++) {
        struct vr_relay_group *group = stream->remote_groups->pdata[i];
        prism_relay_send(relay, here, group->worker, deliver_cb, group, buffer,
                         packet->layer >= 0 ? (uint64_t)packet->layer + 1 : 0);
    }
    prism_relay_buffer_unref(buffer);
}

/* A publisher's sender report in a relay buffer: NTP time, RTP timestamp, SSRC. */
struct sender_clock {
    uint64_t ntp;
    uint32_t rtp_timestamp;
    uint32_t ssrc;
};

/* Group's worker. */
static void sender_clock_cb(void *target, struct prism_relay_buffer *buffer, uint64_t arg,
                            uint64_t now_us)
{
    struct vr_relay_group *group = target;
    struct sender_clock clock;
    if (buffer->len != sizeof(clock))
        return;
    memcpy(&clock, buffer->data, sizeof(clock));
    for (guint i = 0; i < group->streams->len; i++)
        vr_sub_stream_set_sender_clock(group->streams->pdata[i], clock.ssrc, clock.ntp,
                                       clock.rtp_timestamp, buffer->arrival_us);
}

void vr_relay_sender_clock(struct vr_pub_stream *stream, const struct prism_rtcp_sender_info *info,
                           uint64_t arrival_us)
{
    struct prism_worker *here = stream->publisher->room->worker;
    struct sender_clock clock = {info->ntp, info->rtp_timestamp, info->ssrc};
    struct prism_relay_buffer *buffer = prism_relay_buffer_copy(
        prism_relay_pool(relay, here), (const uint8_t *)&clock, sizeof(clock), arrival_us);
    if (!buffer)
        return;
    for (guint i = 0; i < stream->remote_groups->len; i++) {
        struct vr_relay_group *group = stream->remote_groups->pdata[i];
        prism_relay_send(relay, here, group->worker, sender_clock_cb, group, buffer, 0);
    }
    prism_relay_buffer_unref(buffer);
}

/* A publisher's data channel message on its way to one of its groups. */
struct data_job {
    struct vr_relay_group *group; /* valid: the job runs before the group's "detached" */
    bool binary;
    size_t len;
    uint8_t data[]; /* data channel messages are larger than relay buffers: a copy each */
};

/* Whether `stream` is the one through which its subscriber gets the data of the stream's
 * publisher: its first stream of that publisher that a group feeds, so that a subscriber of
 * several of the publisher's streams gets each message once. */
static bool carries_data(const struct vr_sub_stream *stream, uint64_t feed_id)
{
    const struct vr_subscriber *subscriber = stream->subscriber;
    if (!subscriber->has_data)
        return false;
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        const struct vr_sub_stream *candidate = subscriber->streams[i];
        if (candidate->feed_id == feed_id && candidate->group)
            return candidate == stream;
    }
    return false;
}

/* Group's worker. */
static void deliver_data_cb(void *data)
{
    struct data_job *job = data;
    struct vr_relay_group *group = job->group;
    for (guint i = 0; !group->leaving && i < group->streams->len; i++) {
        struct vr_sub_stream *stream = group->streams->pdata[i];
        if (carries_data(stream, group->feed_id))
            prism_peer_send_data(prism_handle_peer(stream->subscriber->handle), NULL, job->binary,
                                 job->data, job->len);
    }
    free(job);
}

void vr_relay_fanout_data(struct vr_publisher *publisher, const struct prism_peer_data *message)
{
    struct prism_worker *here = publisher->room->worker;
    for (unsigned s = 0; s < publisher->stream_count; s++) {
        GPtrArray *remote = publisher->streams[s].remote_groups;
        for (guint g = 0; remote && g < remote->len; g++) {
            struct data_job *job = malloc(sizeof(*job) + message->len);
            if (!job)
                return; /* data channels are reliable end to end, not through an SFU */
            *job = (struct data_job){remote->pdata[g], message->binary, message->len};
            memcpy(job->data, message->data, message->len);
            struct vr_relay_group *group = remote->pdata[g];
            /* After the packets relayed so far, and before a later detach frees the group. */
            prism_relay_post_after(relay, here, group->worker, deliver_data_cb, job);
        }
    }
}

/* A job that goes to the room's worker and comes back through the relay, so that it runs on
 * `back` after everything the room's worker had sent there before (relay_group.c's detaches
 * included). */
struct fence_job {
    struct vr_room *room; /* one reference */
    struct prism_worker *back;
    prism_worker_job_cb callback;
    void *data;
};

static void fence_cb(void *data)
{
    struct fence_job *job = data;
    prism_relay_post_after(relay, job->room->worker, job->back, job->callback, job->data);
    vr_room_unref(job->room);
    free(job);
}

void vr_relay_after_room(struct vr_room *room, struct prism_worker *back,
                         prism_worker_job_cb callback, void *data)
{
    struct fence_job *job = malloc(sizeof(*job));
    if (!job)
        abort();
    *job = (struct fence_job){vr_room_ref(room), back, callback, data};
    prism_worker_post(room->worker, fence_cb, job);
}
