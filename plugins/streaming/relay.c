/* Viewers on other workers than their mountpoint's: a mountpoint with many viewers spreads them
 * over every worker, and each ingest packet crosses to each of those workers once.
 *
 * On a viewer's worker, the viewers of one mountpoint stream share a group, whose feed
 * (mountpoint.h) they are fed from exactly as viewers on the ingest worker are fed from the
 * stream's. The ingest worker keeps the groups of each stream (st_stream.remote_groups) and
 * relays every packet to each of them through media/relay: one copy into a reference-counted
 * buffer per packet, one message per group, one wake-up per worker and loop turn.
 *
 * The group keeps its own copy of the last keyframe, fed from the packets it receives, and is
 * sent the stream's kept keyframe when it registers: a new viewer, a switch, a resume or a PLI
 * is answered on the viewer's worker from that copy (plain RTP ingest has nobody upstream to
 * ask; the stream's own kept keyframe is the same one). NACKs are answered from the group's
 * history of relayed buffers (media/relay/history.h), as the VideoRoom's groups do.
 *
 * Ownership: a group belongs to its worker. The ingest worker only holds its pointer while it
 * is registered and sends it nothing after letting go ("detached", posted after the last packet
 * with prism_relay_post_after); the group is freed there. Groups name their mountpoint by id, so
 * a mountpoint destroyed meanwhile is simply not found. */
#include "plugins/streaming/mountpoint.h"

#include "core/session.h"
#include "core/worker.h"
#include "media/relay/history.h"
#include "media/relay/relay.h"
#include "media/rtp/header.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What is older than this is not resent, as with the stream's own history. */
#define GROUP_HISTORY_MAX_AGE_US 2000000u
/* A message's `arg`: a packet of the stream's kept keyframe, for the group's copy only. */
#define KEPT_KEYFRAME_PACKET 1u

struct st_relay_group {
    struct prism_worker *worker;        /* the group's (its viewers') worker; fixed */
    struct prism_worker *ingest_worker; /* the mountpoint's */
    uint64_t mountpoint_id;
    unsigned index; /* the stream's, in the mountpoint */
    struct st_stream_spec spec;
    struct st_feed feed;
    struct prism_relay_history history; /* video only */
    char key[48];                       /* in this worker's table */
    bool leaving;                       /* out of the table; freed when the ingest lets go */
};

static struct prism_relay *relay;            /* set by init, before any request runs */
static struct prism_worker_pool *relay_pool; /* the workers viewers are spread over */
static unsigned spread_viewers;              /* viewers kept on the ingest worker; 0: all */
static _Thread_local GHashTable *groups;     /* this worker's groups, by key */

int st_relay_init(struct prism_worker_pool *pool)
{
    relay_pool = pool;
    return prism_relay_create(&relay, pool, 0);
}

void st_relay_shutdown(void)
{
    prism_relay_drain_and_destroy(relay, relay_pool);
    relay = NULL;
    relay_pool = NULL;
}

void st_set_spread_viewers(unsigned threshold)
{
    spread_viewers = threshold;
}

struct prism_worker *st_relay_place_viewer(uint64_t id, struct prism_worker *here)
{
    if (!relay || !relay_pool || prism_worker_pool_size(relay_pool) < 2 || !spread_viewers ||
        !prism_relay_pool(relay, st_worker()) || st_mountpoint_viewers(id) < spread_viewers)
        return NULL;
    struct prism_worker *spread = prism_worker_pool_least_loaded(relay_pool);
    /* The handle counts on its own worker already: staying there is as good as moving when
     * that worker is at most one ahead (and moving would flip the loads back). */
    return here && prism_worker_load(here) <= prism_worker_load(spread) + 1 ? here : spread;
}

/* Ingest worker: the stream a group receives, if its mountpoint still has it as registered. */
static struct st_stream *find_source(const struct st_relay_group *group)
{
    struct st_mountpoint *mp = st_mountpoint_find(group->mountpoint_id);
    if (!mp || group->index >= mp->stream_count)
        return NULL;
    struct st_stream *stream = &mp->streams[group->index];
    if (stream->spec.kind != group->spec.kind || stream->spec.codec.id != group->spec.codec.id ||
        stream->spec.codec.pt != group->spec.codec.pt)
        return NULL; /* another mountpoint by the same id */
    return stream;
}

static void forget_group(struct st_relay_group *group)
{
    if (groups && g_hash_table_lookup(groups, group->key) == group)
        g_hash_table_remove(groups, group->key);
    if (groups && g_hash_table_size(groups) == 0) {
        g_hash_table_destroy(groups);
        groups = NULL;
    }
}

/* Group's worker: the ingest worker let go (the mountpoint went away, or we asked), and
 * nothing it sent is still on its way. Its viewers are stopped. */
static void detached_cb(void *data)
{
    struct st_relay_group *group = data;
    forget_group(group);
    group->leaving = true;
    while (group->feed.viewers->len)
        st_viewer_source_gone(group->feed.viewers->pdata[0]);
    prism_relay_history_clear(&group->history);
    st_feed_clear(&group->feed);
    free(group);
}

/* Ingest worker. */
static void detach(struct st_relay_group *group)
{
    prism_relay_post_after(relay, group->ingest_worker, group->worker, detached_cb, group);
}

void st_relay_detach_all(struct st_stream *stream)
{
    if (!stream->remote_groups)
        return;
    for (guint i = 0; i < stream->remote_groups->len; i++)
        detach(stream->remote_groups->pdata[i]);
    g_ptr_array_free(stream->remote_groups, TRUE);
    stream->remote_groups = NULL;
}

static void deliver_cb(void *target, struct prism_relay_buffer *buffer, uint64_t arg,
                       uint64_t now_us);

/* Ingest worker: the stream's kept keyframe to a new group, ahead of the packets that follow,
 * so that its first viewers start at once. */
static void send_kept_keyframe(struct st_stream *stream, struct st_relay_group *group)
{
    struct prism_relay_pool *pool = prism_relay_pool(relay, group->ingest_worker);
    const uint8_t *data;
    size_t len;
    for (unsigned i = 0; st_keyframe_packet(&stream->feed.keyframe, i, &data, &len); i++) {
        struct prism_relay_buffer *buffer = prism_relay_buffer_copy(pool, data, len, 0);
        if (!buffer)
            return;
        prism_relay_send(relay, group->ingest_worker, group->worker, deliver_cb, group, buffer,
                         KEPT_KEYFRAME_PACKET);
        prism_relay_buffer_unref(buffer);
    }
}

/* Ingest worker: a new group wants the stream. */
static void register_cb(void *data)
{
    struct st_relay_group *group = data;
    struct st_stream *source = find_source(group);
    if (!source) {
        detach(group);
        return;
    }
    if (!source->remote_groups)
        source->remote_groups = g_ptr_array_new();
    g_ptr_array_add(source->remote_groups, group);
    if (source->spec.kind == PRISM_SDP_MEDIA_VIDEO)
        send_kept_keyframe(source, group);
}

struct unregister_job {
    uint64_t mountpoint_id;
    unsigned index;
    struct st_relay_group *group; /* compared only: it may be gone already */
};

/* Ingest worker: a group has no viewer left. When the mountpoint went away meanwhile, the
 * group was let go already and there is nothing to do. */
static void unregister_cb(void *data)
{
    struct unregister_job *job = data;
    struct st_mountpoint *mp = st_mountpoint_find(job->mountpoint_id);
    GPtrArray *registered = mp && job->index < mp->stream_count
                                ? mp->streams[job->index].remote_groups
                                : NULL;
    if (registered && g_ptr_array_remove_fast(registered, job->group))
        detach(job->group);
    free(job);
}

static struct st_relay_group *new_group(struct prism_worker *worker,
                                        const struct st_mountpoint_view *view, unsigned index,
                                        const char *key)
{
    struct st_relay_group *group = calloc(1, sizeof(*group));
    if (!group)
        return NULL;
    group->worker = worker;
    group->ingest_worker = view->worker;
    group->mountpoint_id = view->id;
    group->index = index;
    group->spec = view->specs[index];
    st_feed_init(&group->feed, &group->spec);
    group->feed.group = group;
    prism_relay_history_init(&group->history, GROUP_HISTORY_MAX_AGE_US);
    g_strlcpy(group->key, key, sizeof(group->key));
    return group;
}

int st_relay_link(struct st_viewer_stream *vs, const struct st_mountpoint_view *view,
                  unsigned index)
{
    char key[sizeof(((struct st_relay_group *)0)->key)];
    snprintf(key, sizeof(key), "%" PRIu64 "/%u", view->id, index);
    struct st_relay_group *group = groups ? g_hash_table_lookup(groups, key) : NULL;
    if (!group) {
        group = new_group(prism_handle_worker(vs->viewer->handle), view, index, key);
        if (!group)
            return -ENOMEM;
        if (!groups)
            groups = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(groups, group->key, group);
        prism_worker_post(group->ingest_worker, register_cb, group);
    }
    g_ptr_array_add(group->feed.viewers, vs);
    vs->feed = &group->feed;
    return 0;
}

void st_relay_unlink(struct st_viewer_stream *vs)
{
    struct st_relay_group *group = vs->feed->group;
    vs->feed = NULL;
    g_ptr_array_remove_fast(group->feed.viewers, vs);
    if (group->feed.viewers->len || group->leaving)
        return;
    group->leaving = true;
    forget_group(group);
    struct unregister_job *job = malloc(sizeof(*job));
    if (!job)
        abort(); /* the group could never be freed */
    *job = (struct unregister_job){group->mountpoint_id, group->index, group};
    prism_worker_post(group->ingest_worker, unregister_cb, job);
}

bool st_relay_group_find(struct st_relay_group *group, uint16_t seq, uint64_t now_us,
                         const uint8_t **data, size_t *len)
{
    return prism_relay_history_find(&group->history, seq, now_us, data, len);
}

/* Group's worker: one ingest packet (or one of the kept keyframe) for its viewers. */
static void deliver_cb(void *target, struct prism_relay_buffer *buffer, uint64_t arg,
                       uint64_t now_us)
{
    struct st_relay_group *group = target;
    struct st_feed *feed = &group->feed;
    if (group->spec.kind == PRISM_SDP_MEDIA_APPLICATION) {
        st_feed_forward_data(feed, buffer->data, buffer->len);
        return;
    }
    struct prism_rtp_header header;
    if (prism_rtp_parse(buffer->data, buffer->len, &header) < 0)
        return;
    if (arg == KEPT_KEYFRAME_PACKET) {
        st_keyframe_feed(&feed->keyframe, buffer->data, buffer->len, &header);
        return;
    }
    if (group->spec.kind == PRISM_SDP_MEDIA_VIDEO)
        prism_relay_history_store(&group->history, buffer);
    st_feed_take(feed, buffer->data, buffer->len, &header);
    st_feed_forward(feed, buffer->data, buffer->len, &header, now_us);
    st_feed_advance(feed, &header);
}

void st_relay_fanout(struct st_stream *stream, const uint8_t *packet, size_t len,
                     uint64_t arrival_us)
{
    if (!stream->remote_groups || !stream->remote_groups->len)
        return;
    struct prism_worker *here = stream->mountpoint->worker;
    struct prism_relay_buffer *buffer = prism_relay_buffer_copy(prism_relay_pool(relay, here),
                                                                packet, len, arrival_us);
    if (!buffer)
        return;
    for (guint i = 0; i < stream->remote_groups->len; i++) {
        struct st_relay_group *group = stream->remote_groups->pdata[i];
        prism_relay_send(relay, here, group->worker, deliver_cb, group, buffer, 0);
    }
    prism_relay_buffer_unref(buffer);
}
