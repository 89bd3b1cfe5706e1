/* Media to the viewers of a mountpoint: each ingest packet rewritten per viewer stream by the
 * forwarding engine and sent; the kept keyframe replayed so that a new viewer (or one that
 * lost a frame and asked with a PLI) starts at once, since plain RTP ingest has no way to ask
 * the source for one; NACKs answered from the stream's history. Plugin worker only; no
 * allocation, lock or log per packet. */
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

static void describe_source(const struct st_viewer_stream *vs, struct prism_forward_source *src)
{
    memset(src, 0, sizeof(*src));
    src->video = vs->source && vs->source->spec.kind == PRISM_SDP_MEDIA_VIDEO;
    src->clock_rate = vs->codec.clock_rate ? vs->codec.clock_rate : 90000;
    src->payload_types[0] = (struct prism_forward_payload_type){
        vs->source ? vs->source->spec.codec.pt : vs->codec.pt, vs->codec.pt, vs->codec.id};
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
    struct st_stream *stream = vs->source;
    unsigned count = st_keyframe_packets(&stream->keyframe);
    struct prism_forward_source src;
    describe_source(vs, &src);
    prism_forward_switch(&vs->forward, &src);
    for (unsigned i = 0; i < count; i++) {
        int len = st_keyframe_replay_packet(&stream->keyframe, i, next, stream->last_timestamp,
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
    struct st_stream *stream = vs->source;
    if (vs->replay_pending && stream->spec.kind == PRISM_SDP_MEDIA_VIDEO) {
        bool frame_start = !stream->has_last || stream->last_marker ||
                           stream->last_timestamp != h->timestamp;
        /* This packet is (part of) a keyframe: no need for the kept one. A one-packet
         * keyframe was already kept and collected by the time it gets here. */
        bool keyframe_here = st_keyframe_collecting(&stream->keyframe, h->timestamp) ||
                             st_keyframe_starts(stream->spec.codec.id, h);
        if (keyframe_here) {
            vs->replay_pending = false; /* a fresh keyframe is on its way anyway */
        } else if (frame_start && st_keyframe_packets(&stream->keyframe) &&
                   stream->last_ssrc == h->ssrc) {
            replay_keyframe(vs, peer, h, now);
            vs->replay_pending = false;
        }
    } else {
        vs->replay_pending = false;
    }
    send_one(vs, peer, h, packet, len, now);
}

void st_stream_forward(struct st_stream *stream, const uint8_t *packet, size_t len,
                       const struct prism_rtp_header *h, uint64_t now_us)
{
    GPtrArray *targets = stream->viewers;
    for (guint i = 0; i < targets->len; i++)
        forward_to(targets->pdata[i], packet, len, h, now_us);
}

/* A datagram of a data stream: one data channel message to each viewer, as it came. */
void st_stream_forward_data(struct st_stream *stream, const uint8_t *data, size_t len)
{
    GPtrArray *targets = stream->viewers;
    for (guint i = 0; i < targets->len; i++) {
        struct st_viewer_stream *vs = targets->pdata[i];
        struct st_viewer *viewer = vs->viewer;
        struct prism_peer *peer = prism_handle_peer(viewer->handle);
        if (viewer->started && !viewer->paused && vs->send && peer && prism_peer_is_connected(peer))
            prism_peer_send_data(peer, NULL, stream->spec.binary, data, len);
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

/* Resends one lost packet from the source stream's history, as the forwarder first sent it.
 * Sequence numbers of a replayed keyframe name other packets in the history: not resent. */
static void resend_one(struct st_viewer_stream *vs, struct prism_peer *peer, uint16_t seq,
                       uint64_t now, uint64_t interval)
{
    uint16_t source_seq;
    struct prism_nack_stored stored;
    struct prism_rtp_header header;
    size_t len = 0;
    if (prism_forward_source_seq(&vs->forward, seq, &source_seq) < 0 ||
        (uint16_t)(source_seq - vs->replay_first) < vs->replay_count ||
        prism_nack_history_find(vs->source->history, source_seq, now, &stored) < 0 ||
        !prism_nack_resend_guard_allow(&vs->resend_guard, seq, now, interval) ||
        prism_rtp_parse(stored.data, stored.len, &header) < 0 ||
        prism_forward_resend(&vs->forward, seq, &header, stored.data, stored.len, scratch,
                             sizeof(scratch) - PRISM_SRTP_MAX_RTP_OVERHEAD,
                             &len) != PRISM_FORWARD_SEND)
        return;
    prism_peer_resend_rtp(peer, vs->media_index, scratch, len, sizeof(scratch));
}

static void answer_nack(struct st_viewer_stream *vs, const struct prism_rtcp_nack *nack)
{
    struct prism_peer *peer = prism_handle_peer(vs->viewer->handle);
    if (!peer || !vs->source || !vs->source->history)
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
    if (!vs || !vs->source)
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
