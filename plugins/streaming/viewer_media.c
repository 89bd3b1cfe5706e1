/* Media to the viewers of a mountpoint on one worker, from a feed (the stream itself on the
 * ingest worker, a relay group elsewhere): each packet rewritten per viewer stream by the
 * forwarding engine and sent; the feed's kept keyframe replayed so that a new viewer (or one
 * that lost a frame and asked with a PLI) starts at once, since plain RTP ingest has no way to
 * ask the source for one; NACKs answered from the feed's history. The viewer's worker only;
 * no allocation, lock or log per packet. */
#include "plugins/streaming/mountpoint.h"

#include "core/ids.h"
#include "core/metrics.h"
#include "core/session.h"
#include "media/peer/handle_media.h"
#include "media/rtcp/feedback.h"
#include "media/rtp/header.h"
#include "media/srtp/srtp.h"

#include <string.h>

/* A viewer's keyframe requests are answered from the kept keyframe at most this often. */
#define REPLAY_INTERVAL_US 300000u
#define MAX_RESENDS_PER_NACK 32

static _Thread_local uint8_t scratch[1600];
static _Thread_local uint8_t replayed[ST_MAX_RTP_SIZE];

void st_feed_init(struct st_feed *feed, const struct st_stream_spec *spec)
{
    memset(feed, 0, sizeof(*feed));
    feed->spec = spec;
    feed->viewers = g_ptr_array_new();
    if (spec->kind == PRISM_SDP_MEDIA_VIDEO)
        st_keyframe_init(&feed->keyframe, spec->codec.id);
}

void st_feed_clear(struct st_feed *feed)
{
    if (feed->viewers)
        g_ptr_array_free(feed->viewers, TRUE);
    feed->viewers = NULL;
    prism_nack_history_destroy(feed->history);
    feed->history = NULL;
    st_keyframe_clear(&feed->keyframe);
}

bool st_feed_take(struct st_feed *feed, const uint8_t *packet, size_t len,
                  const struct prism_rtp_header *h)
{
    if (feed->spec->kind != PRISM_SDP_MEDIA_VIDEO)
        return false;
    if (feed->has_last && h->ssrc != feed->last_ssrc)
        st_keyframe_forget(&feed->keyframe);
    return st_keyframe_feed(&feed->keyframe, packet, len, h);
}

void st_feed_advance(struct st_feed *feed, const struct prism_rtp_header *h)
{
    feed->has_last = true;
    feed->last_marker = h->marker;
    feed->last_seq = h->seq;
    feed->last_timestamp = h->timestamp;
    feed->last_ssrc = h->ssrc;
}

static void describe_source(const struct st_viewer_stream *vs, struct prism_forward_source *src)
{
    memset(src, 0, sizeof(*src));
    src->video = vs->kind == PRISM_SDP_MEDIA_VIDEO;
    src->clock_rate = vs->codec.clock_rate ? vs->codec.clock_rate : 90000;
    src->payload_types[0] = (struct prism_forward_payload_type){
        vs->feed ? vs->feed->spec->codec.pt : vs->codec.pt, vs->codec.pt, vs->codec.id};
    src->payload_type_count = 1;
}

void st_viewer_stream_attach(struct st_viewer_stream *vs, uint32_t ssrc)
{
    if (!ssrc)
        return;
    prism_peer_set_nack_owner(prism_handle_peer(vs->viewer->handle), vs->media_index, true);
    struct prism_forward_config config = {
        .ssrc = ssrc,
        .initial_seq = (uint16_t)prism_random_id(),
        .initial_timestamp = (uint32_t)prism_random_id(),
    };
    prism_forward_init(&vs->forward, &config);
    st_viewer_stream_switch(vs);
}

void st_viewer_stream_switch(struct st_viewer_stream *vs)
{
    if (vs->data)
        return;
    struct prism_forward_source src;
    describe_source(vs, &src);
    prism_forward_switch(&vs->forward, &src);
    vs->replay_pending = true;
    vs->replay_count = 0;
}

static bool ready(const struct st_viewer_stream *vs, struct prism_peer **peer_out)
{
    const struct st_viewer *viewer = vs->viewer;
    if (!viewer->started || viewer->paused || !vs->send)
        return false;
    struct prism_peer *peer = prism_handle_peer(viewer->handle);
    if (!peer || !prism_peer_is_connected(peer) || !prism_peer_media_sends(peer, vs->media_index))
        return false;
    *peer_out = peer;
    return true;
}

static void send_one(struct st_viewer_stream *vs, struct prism_peer *peer,
                     const struct prism_rtp_header *h, const uint8_t *packet, size_t len,
                     uint64_t now)
{
    size_t out_len = 0;
    if (prism_forward_packet(&vs->forward, h, packet, len, scratch,
                             sizeof(scratch) - PRISM_SRTP_MAX_RTP_OVERHEAD, &out_len,
                             now) == PRISM_FORWARD_SEND &&
        prism_peer_send_rtp(peer, vs->media_index, scratch, out_len, sizeof(scratch)) >= 0)
        prism_metrics_add(PRISM_COUNTER_FORWARDED, 1);
}

/* Sends the kept keyframe just before `next` (the first packet of a new frame) in a new
 * segment of the forwarder: renumbered to end right before `next`, so that the viewer sees no
 * gap, stamped with the previous frame's timestamp, and (VP8) with the picture id before
 * next's, so the frames after it follow on (see keyframe.h). */
static void replay_keyframe(struct st_viewer_stream *vs, struct prism_peer *peer,
                            const struct prism_rtp_header *next, uint64_t now)
{
    struct st_feed *feed = vs->feed;
    unsigned count = st_keyframe_packets(&feed->keyframe);
    struct prism_forward_source src;
    describe_source(vs, &src);
    prism_forward_switch(&vs->forward, &src);
    for (unsigned i = 0; i < count; i++) {
        int len = st_keyframe_replay_packet(&feed->keyframe, i, next, feed->last_timestamp,
                                            replayed, sizeof(replayed));
        struct prism_rtp_header h;
        if (len > 0 && prism_rtp_parse(replayed, (size_t)len, &h) == 0)
            send_one(vs, peer, &h, replayed, (size_t)len, now);
    }
    vs->replay_first = (uint16_t)(next->seq - count);
    vs->replay_count = (uint16_t)count;
}

static void forward_to(struct st_viewer_stream *vs, const uint8_t *packet, size_t len,
                       const struct prism_rtp_header *h, uint64_t now)
{
    struct prism_peer *peer;
    if (!ready(vs, &peer))
        return;
    struct st_feed *feed = vs->feed;
    if (vs->replay_pending && feed->spec->kind == PRISM_SDP_MEDIA_VIDEO) {
        bool frame_start = !feed->has_last || feed->last_marker ||
                           feed->last_timestamp != h->timestamp;
        /* This packet is (part of) a keyframe: no need for the kept one. A one-packet
         * keyframe was already kept and collected by the time it gets here. */
        bool keyframe_here = st_keyframe_collecting(&feed->keyframe, h->timestamp) ||
                             st_keyframe_starts(feed->spec->codec.id, h);
        if (keyframe_here) {
            vs->replay_pending = false; /* a fresh keyframe is on its way anyway */
        } else if (frame_start && st_keyframe_packets(&feed->keyframe) &&
                   feed->last_ssrc == h->ssrc) {
            replay_keyframe(vs, peer, h, now);
            vs->replay_pending = false;
        }
    } else {
        vs->replay_pending = false;
    }
    send_one(vs, peer, h, packet, len, now);
}

void st_feed_forward(struct st_feed *feed, const uint8_t *packet, size_t len,
                     const struct prism_rtp_header *h, uint64_t now_us)
{
    GPtrArray *targets = feed->viewers;
    for (guint i = 0; i < targets->len; i++)
        forward_to(targets->pdata[i], packet, len, h, now_us);
}

/* A datagram of a data stream: one data channel message to each viewer, as it came. */
void st_feed_forward_data(struct st_feed *feed, const uint8_t *data, size_t len)
{
    GPtrArray *targets = feed->viewers;
    for (guint i = 0; i < targets->len; i++) {
        struct st_viewer_stream *vs = targets->pdata[i];
        struct st_viewer *viewer = vs->viewer;
        struct prism_peer *peer = prism_handle_peer(viewer->handle);
        if (viewer->started && !viewer->paused && vs->send && peer && prism_peer_is_connected(peer))
            prism_peer_send_data(peer, NULL, feed->spec->binary, data, len);
    }
}

static struct st_viewer_stream *stream_at(struct st_viewer *viewer, unsigned media_index)
{
    for (unsigned i = 0; i < viewer->stream_count; i++) {
        if (viewer->streams[i].media_index == media_index)
            return &viewer->streams[i];
    }
    return NULL;
}

/* The source packet `seq` from the feed's history: the stream's own, or the relay group's. */
static bool find_stored(const struct st_feed *feed, uint16_t seq, uint64_t now,
                        const uint8_t **data, size_t *len)
{
    if (feed->group)
        return st_relay_group_find(feed->group, seq, now, data, len);
    struct prism_nack_stored stored;
    if (!feed->history || prism_nack_history_find(feed->history, seq, now, &stored) < 0)
        return false;
    *data = stored.data;
    *len = stored.len;
    return true;
}

/* Resends one lost packet from the feed's history, as the forwarder first sent it. Sequence
 * numbers of a replayed keyframe name other packets in the history: not resent. */
static void resend_one(struct st_viewer_stream *vs, struct prism_peer *peer, uint16_t seq,
                       uint64_t now, uint64_t interval)
{
    uint16_t source_seq;
    const uint8_t *stored = NULL;
    size_t stored_len = 0;
    struct prism_rtp_header header;
    size_t len = 0;
    if (prism_forward_source_seq(&vs->forward, seq, &source_seq) < 0 ||
        (uint16_t)(source_seq - vs->replay_first) < vs->replay_count ||
        !find_stored(vs->feed, source_seq, now, &stored, &stored_len) ||
        !prism_nack_resend_guard_allow(&vs->resend_guard, seq, now, interval) ||
        prism_rtp_parse(stored, stored_len, &header) < 0 ||
        prism_forward_resend(&vs->forward, seq, &header, stored, stored_len, scratch,
                             sizeof(scratch) - PRISM_SRTP_MAX_RTP_OVERHEAD,
                             &len) != PRISM_FORWARD_SEND)
        return;
    prism_peer_resend_rtp(peer, vs->media_index, scratch, len, sizeof(scratch));
}

static void answer_nack(struct st_viewer_stream *vs, const struct prism_rtcp_nack *nack)
{
    struct prism_peer *peer = prism_handle_peer(vs->viewer->handle);
    if (!peer || !vs->feed)
        return;
    uint16_t seqs[MAX_RESENDS_PER_NACK];
    size_t count = prism_rtcp_nack_lost(nack, seqs, MAX_RESENDS_PER_NACK);
    uint64_t now = prism_now_us();
    uint64_t interval = prism_peer_resend_interval_us(peer);
    for (size_t i = 0; i < count; i++)
        resend_one(vs, peer, seqs[i], now, interval);
}

/* PLI/FIR: the kept keyframe at the next frame boundary (nothing goes upstream: plain RTP has
 * no feedback channel). NACK: from the history. REMB: ignored, the source's rate is fixed. */
void st_viewer_feedback(struct st_viewer *viewer, const struct prism_peer_feedback *feedback)
{
    struct st_viewer_stream *vs = stream_at(viewer, feedback->media_index);
    if (!vs || !vs->feed)
        return;
    if (feedback->kind == PRISM_PEER_FEEDBACK_NACK) {
        answer_nack(vs, feedback->nack);
        return;
    }
    if (feedback->kind != PRISM_PEER_FEEDBACK_KEYFRAME)
        return;
    uint64_t now = prism_now_us();
    if (vs->replay_asked_us && now - vs->replay_asked_us < REPLAY_INTERVAL_US)
        return;
    vs->replay_asked_us = now;
    vs->replay_pending = true;
}
