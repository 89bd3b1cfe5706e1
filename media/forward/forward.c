/* The forwarding engine's entry points: stream set-up, switch, pause, and the per-packet path
 * that ties the pieces together (inspect, source tracking, sequence window, layer decision,
 * keyframe gate, copy, continuity). */
#include "media/forward/forward_internal.h"

#include <errno.h>
#include <string.h>

int prism_forward_init(struct prism_forward_stream *s, const struct prism_forward_config *cfg)
{
    if (!s || !cfg)
        return -EINVAL;
    memset(s, 0, sizeof(*s));
    s->ssrc = cfg->ssrc;
    s->initial_seq = cfg->initial_seq;
    s->initial_timestamp = cfg->initial_timestamp;
    s->keyframe_retry_us = cfg->keyframe_retry_us ? cfg->keyframe_retry_us
                                                  : PRISM_FORWARD_DEFAULT_KEYFRAME_RETRY_US;
    forward_simulcast_init(&s->layers);
    prism_forward_svc_init(&s->svc);
    return 0;
}

static int validate_source(const struct prism_forward_source *src)
{
    if (!src || src->clock_rate == 0 || src->clock_rate > PRISM_FORWARD_MAX_CLOCK_RATE ||
        src->payload_type_count > PRISM_FORWARD_MAX_PAYLOAD_TYPES)
        return -EINVAL;
    for (unsigned i = 0; i < src->payload_type_count; i++) {
        const struct prism_forward_payload_type *pt = &src->payload_types[i];
        if (pt->publisher > 127 || pt->subscriber > 127)
            return -EINVAL;
        for (unsigned j = 0; j < i; j++) {
            if (src->payload_types[j].publisher == pt->publisher)
                return -EINVAL;
        }
    }
    return 0;
}

static uint8_t kind_of(enum prism_sdp_codec_id codec)
{
    switch (codec) {
    case PRISM_SDP_CODEC_VP8:
        return FORWARD_KIND_VP8;
    case PRISM_SDP_CODEC_VP9:
        return FORWARD_KIND_VP9;
    case PRISM_SDP_CODEC_H264:
        return FORWARD_KIND_H264;
    case PRISM_SDP_CODEC_AV1:
        return FORWARD_KIND_AV1;
    default:
        return FORWARD_KIND_PLAIN;
    }
}

static void install_source(struct prism_forward_stream *s, const struct prism_forward_source *src)
{
    memset(s->payload_types, 0, sizeof(s->payload_types));
    for (unsigned i = 0; i < src->payload_type_count; i++) {
        const struct prism_forward_payload_type *pt = &src->payload_types[i];
        s->payload_types[pt->publisher].subscriber = pt->subscriber;
        s->payload_types[pt->publisher].kind = kind_of(pt->codec);
    }
    s->extensions = src->extensions;
    s->added_extensions = src->added_extensions;
    s->frame_marking_id = src->frame_marking_id;
    s->video = src->video;
    /* Rounded up so that whole seconds convert exactly (see forward_ticks_since). */
    s->ticks_per_us_q32 = (((uint64_t)src->clock_rate << 32) + 999999) / 1000000;
    s->has_source = true;
}

/* Ends the current segment: the next packet forwarded starts a new one. */
static void end_segment(struct prism_forward_stream *s)
{
    s->seq.based = false;
    s->seq.has_candidate = false;
    s->pending_gap = 0;
    forward_gate_arm(s);
}

int prism_forward_switch(struct prism_forward_stream *s, const struct prism_forward_source *src)
{
    if (!s || validate_source(src) < 0)
        return -EINVAL;
    if (s->has_source)
        s->counters.switches++;
    install_source(s, src);
    s->source_known = false;
    s->has_stale_ssrc = false;
    forward_simulcast_reset(&s->layers);
    prism_forward_svc_reset(&s->svc);
    end_segment(s);
    return 0;
}

int prism_forward_update_source(struct prism_forward_stream *s,
                                const struct prism_forward_source *src)
{
    if (!s || !s->has_source || validate_source(src) < 0)
        return -EINVAL;
    install_source(s, src);
    return 0;
}

void prism_forward_pause(struct prism_forward_stream *s, bool paused)
{
    if (!s || s->paused == paused)
        return;
    s->paused = paused;
    if (!paused)
        end_segment(s);
}

int prism_forward_map_timestamp(const struct prism_forward_stream *s, uint32_t source_ssrc,
                                uint32_t source_timestamp, uint32_t *out)
{
    /* seq.based: the current segment's offsets were taken from a packet it sent. */
    if (!s || !out || !s->has_source || !s->source_known || s->source_ssrc != source_ssrc ||
        !s->seq.based)
        return -ENOENT;
    *out = source_timestamp + s->timestamp_offset;
    return 0;
}

bool prism_forward_waiting_keyframe(const struct prism_forward_stream *s)
{
    return s->waiting_keyframe;
}

/* The header view must describe exactly in_packet, since the copy is rewritten through it. */
static bool coherent(const struct prism_rtp_header *in, const uint8_t *packet, size_t len)
{
    size_t fixed = PRISM_RTP_FIXED_HEADER_LEN + 4 * (size_t)in->csrc_count;
    size_t header = fixed + (in->extension ? 4 + in->ext_len : 0);
    if (in->csrc_count > PRISM_RTP_MAX_CSRCS || in->header_len != header || header > len)
        return false;
    if (in->extension && in->ext_data != packet + header - in->ext_len)
        return false;
    return in->payload == packet + header && in->payload_len <= len - header &&
           len - header - in->payload_len == in->padding_len;
}

/* Follows the source's SSRC: a new one (the publisher renegotiated) ends the segment like a
 * switch. False for late packets of the SSRC the source just left. */
static bool track_source(struct prism_forward_stream *s, uint32_t ssrc)
{
    if (s->source_known && ssrc == s->source_ssrc)
        return true;
    if (s->has_stale_ssrc && ssrc == s->stale_ssrc)
        return false;
    if (s->source_known) {
        s->stale_ssrc = s->source_ssrc;
        s->has_stale_ssrc = true;
        s->counters.source_changes++;
        end_segment(s);
    }
    s->source_known = true;
    s->source_ssrc = ssrc;
    return true;
}

/* Whether the packet may be placed in the current segment; may end the segment on a restart. */
static bool place_in_segment(struct prism_forward_stream *s, uint16_t seq)
{
    if (!s->seq.based)
        return true;
    switch (forward_seqmap_check(&s->seq, seq)) {
    case FORWARD_SEQ_MAP:
        return true;
    case FORWARD_SEQ_RESTART:
        /* Continue right after what was sent, leaving one number for the dropped packet that
         * announced the restart so the subscriber sees it as lost. No keyframe wait: the
         * encoder did not change, only the numbering. */
        s->counters.source_changes++;
        s->seq.based = false;
        s->pending_gap = 1;
        return true;
    default:
        return false;
    }
}

static enum prism_forward_result drop_invalid(struct prism_forward_stream *s)
{
    s->counters.dropped_invalid++;
    return PRISM_FORWARD_DROP;
}

/* Simulcast: whether a packet of `layer` goes on (PASS), and what to answer when not. */
static bool pass_layer(struct prism_forward_stream *s, int layer, const struct forward_packet *p,
                       uint64_t now_us, enum prism_forward_result *result)
{
    switch (
        forward_simulcast_decide(&s->layers, layer, p->keyframe, s->keyframe_retry_us, now_us)) {
    case FORWARD_LAYER_SWITCH:
        /* The layer left is not stale: the stream may come back to it. track_source then sees
         * the new SSRC and starts a segment that continues the output. */
        s->has_stale_ssrc = false;
        s->counters.layer_switches++;
        break;
    case FORWARD_LAYER_PASS:
        break;
    case FORWARD_LAYER_DROP_ASK:
        s->counters.dropped_layer++;
        s->counters.keyframe_requests++;
        *result = PRISM_FORWARD_DROP_NEED_KEYFRAME;
        return false;
    default:
        s->counters.dropped_layer++;
        *result = PRISM_FORWARD_DROP;
        return false;
    }
    forward_simulcast_temporal(&s->layers, p);
    return true;
}

/* SVC: whether a layered VP9 packet is of the layers forwarded now (*mark: it ends the picture
 * for this subscriber); what to answer when not. */
static bool pass_svc(struct prism_forward_stream *s, const struct prism_rtp_header *in,
                     const struct forward_packet *p, uint64_t now_us, bool *mark,
                     enum prism_forward_result *result)
{
    struct prism_forward_svc_frame frame;
    if (!forward_svc_frame(in, p, &frame))
        return true;
    int8_t spatial = s->svc.spatial;
    enum prism_forward_svc_decision decision = prism_forward_svc_decide(
        &s->svc, &frame, s->keyframe_retry_us, now_us);
    if (spatial >= 0 && s->svc.spatial != spatial)
        s->counters.layer_switches++;
    if (decision == PRISM_FORWARD_SVC_PASS || decision == PRISM_FORWARD_SVC_PASS_MARK) {
        *mark = decision == PRISM_FORWARD_SVC_PASS_MARK;
        return true;
    }
    *result = PRISM_FORWARD_DROP;
    if (decision == PRISM_FORWARD_SVC_DROP_ASK) {
        s->counters.keyframe_requests++;
        *result = PRISM_FORWARD_DROP_NEED_KEYFRAME;
    }
    s->counters.dropped_layer++;
    if (s->seq.based)
        forward_seqmap_skip(&s->seq, in->seq);
    return false;
}

/* Remembers whether output packet seq got a marker added (see svc_added_marks); a duplicate
 * takes the place of the packet sent before under its number. */
static void note_mark(struct prism_forward_stream *s, uint16_t seq, bool added)
{
    unsigned bit = seq % PRISM_FORWARD_MARK_HISTORY;
    uint64_t mask = 1ull << (bit % 64);
    if (added)
        s->svc_added_marks[bit / 64] |= mask;
    else
        s->svc_added_marks[bit / 64] &= ~mask;
}

/* For a retransmission of output packet out_seq: whether it got a marker added. */
static bool mark_added(const struct prism_forward_stream *s, uint16_t out_seq)
{
    unsigned bit = out_seq % PRISM_FORWARD_MARK_HISTORY;
    return (s->svc_added_marks[bit / 64] >> (bit % 64)) & 1;
}

/* Held back until a keyframe: DROP, or DROP_NEED_KEYFRAME when it is time to ask. */
static bool pass_gate(struct prism_forward_stream *s, const struct forward_packet *p,
                      uint64_t now_us, enum prism_forward_result *result)
{
    enum forward_gate gate = forward_gate_check(s, p, now_us);
    if (gate == FORWARD_GATE_PASS)
        return true;
    s->counters.dropped_waiting_keyframe++;
    if (gate == FORWARD_GATE_DROP) {
        *result = PRISM_FORWARD_DROP;
        return false;
    }
    s->counters.keyframe_requests++;
    *result = PRISM_FORWARD_DROP_NEED_KEYFRAME;
    return false;
}

enum prism_forward_result
prism_forward_packet_dd(struct prism_forward_stream *s, int layer, const struct prism_dd_frame *dd,
                        const struct prism_rtp_header *in, const uint8_t *in_packet, size_t in_len,
                        uint8_t *out, size_t out_cap, size_t *out_len, uint64_t now_us)
{
    if (!s)
        return PRISM_FORWARD_DROP;
    if (!in || !in_packet || !out || !out_len || !coherent(in, in_packet, in_len))
        return drop_invalid(s);
    if (s->paused) {
        s->counters.dropped_paused++;
        return PRISM_FORWARD_DROP;
    }
    struct forward_packet p;
    enum prism_forward_result result = PRISM_FORWARD_DROP;
    if (forward_inspect(s, in, &p) < 0)
        return drop_invalid(s);
    p.dd = dd;
    if (layer >= 0 && !pass_layer(s, layer, &p, now_us, &result))
        return result;
    if (layer < 0 && (dd || p.has_frame_marking))
        forward_simulcast_temporal(&s->layers, &p);
    if (!track_source(s, in->ssrc) || !place_in_segment(s, in->seq))
        return drop_invalid(s);
    if (!forward_layer_wanted(s, in, &p)) {
        if (s->seq.based)
            forward_seqmap_skip(&s->seq, in->seq);
        s->counters.dropped_filtered++;
        return PRISM_FORWARD_DROP;
    }
    bool mark = false;
    if (!pass_svc(s, in, &p, now_us, &mark, &result))
        return result;
    if (!s->seq.based && !pass_gate(s, &p, now_us, &result))
        return result;
    if (forward_copy(s, in, in_packet, in_len, &p, out, out_cap) < 0)
        return drop_invalid(s);
    if (mark)
        prism_rtp_set_marker(out, true);
    if (!s->seq.based)
        forward_rebase(s, in, now_us);
    uint16_t seq = forward_seqmap_map(&s->seq, in->seq);
    note_mark(s, seq, mark && !in->marker);
    forward_write_continuity(s, in, &p, out, seq, now_us);
    s->counters.forwarded++;
    *out_len = p.out_len;
    return PRISM_FORWARD_SEND;
}

enum prism_forward_result prism_forward_packet_layer(struct prism_forward_stream *s, int layer,
                                                     const struct prism_rtp_header *in,
                                                     const uint8_t *in_packet, size_t in_len,
                                                     uint8_t *out, size_t out_cap, size_t *out_len,
                                                     uint64_t now_us)
{
    return prism_forward_packet_dd(s, layer, NULL, in, in_packet, in_len, out, out_cap, out_len,
                                   now_us);
}

enum prism_forward_result prism_forward_packet(struct prism_forward_stream *s,
                                               const struct prism_rtp_header *in,
                                               const uint8_t *in_packet, size_t in_len,
                                               uint8_t *out, size_t out_cap, size_t *out_len,
                                               uint64_t now_us)
{
    return prism_forward_packet_layer(s, -1, in, in_packet, in_len, out, out_cap, out_len, now_us);
}

void prism_forward_svc_configure(struct prism_forward_stream *s, int spatial, int temporal)
{
    if (s)
        prism_forward_svc_set_target(&s->svc, spatial, temporal);
}

int prism_forward_source_seq(const struct prism_forward_stream *s, uint16_t out_seq,
                             uint16_t *source_seq)
{
    if (!s || !source_seq)
        return -EINVAL;
    return forward_seqmap_unmap(&s->seq, out_seq, source_seq) ? 0 : -ENOENT;
}

enum prism_forward_result prism_forward_resend(const struct prism_forward_stream *s,
                                               uint16_t out_seq, const struct prism_rtp_header *in,
                                               const uint8_t *in_packet, size_t in_len,
                                               uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (!s || !in || !in_packet || !out || !out_len || !coherent(in, in_packet, in_len))
        return PRISM_FORWARD_DROP;
    uint16_t source_seq;
    if (!s->has_source || !s->source_known || in->ssrc != s->source_ssrc ||
        !forward_seqmap_unmap(&s->seq, out_seq, &source_seq) || source_seq != in->seq)
        return PRISM_FORWARD_DROP;
    /* The subscriber was sent this packet: it gets it again whatever its layers are now (the
     * layer decision may have read a dependency descriptor that is not at hand here). */
    struct forward_packet p;
    if (forward_inspect(s, in, &p) < 0 || in->payload_len == 0 ||
        forward_copy(s, in, in_packet, in_len, &p, out, out_cap) < 0 ||
        forward_write_resend(s, in, &p, out, out_seq) < 0)
        return PRISM_FORWARD_DROP;
    /* SVC: the marker as it was sent. */
    if (mark_added(s, out_seq))
        prism_rtp_set_marker(out, true);
    *out_len = p.out_len;
    return PRISM_FORWARD_SEND;
}
