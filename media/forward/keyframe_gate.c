/* Keyframe gating: after a start, switch, resume or SSRC change a video subscriber can only
 * decode from a keyframe on, so everything before one is dropped and the caller is told to ask
 * the publisher for one (again every keyframe_retry_us, in case a request or the keyframe was
 * lost). Also the per-packet look into the payload descriptor that this needs. */
#include "media/forward/forward_internal.h"

#include <errno.h>

/* AV1 aggregation header (AV1 RTP specification section 4.4): N is set on the first packet of
 * a coded video sequence, that is of a keyframe that starts one. */
#define AV1_AGGREGATION_N 0x08

/* Fills the codec part of p from the payload. A packet without payload (padding only) has no
 * descriptor; it is never a keyframe and the layer decision drops it. */
static int inspect_payload(const struct prism_rtp_header *in, struct forward_packet *p)
{
    if (in->payload_len == 0)
        return 0;
    switch (p->kind) {
    case FORWARD_KIND_VP8:
        if (prism_rtp_vp8_parse(in->payload, in->payload_len, &p->vp8) != 0)
            return -EBADMSG;
        p->has_vp8 = true;
        p->keyframe = p->vp8.keyframe;
        return 0;
    case FORWARD_KIND_VP9:
        if (prism_rtp_vp9_parse(in->payload, in->payload_len, &p->vp9) != 0)
            return -EBADMSG;
        p->has_vp9 = true;
        p->keyframe = p->vp9.keyframe;
        return 0;
    case FORWARD_KIND_H264:
        p->keyframe = prism_rtp_h264_is_keyframe(in->payload, in->payload_len);
        return 0;
    case FORWARD_KIND_AV1:
        p->keyframe = (in->payload[0] & AV1_AGGREGATION_N) != 0;
        return 0;
    default:
        p->keyframe = true;
        return 0;
    }
}

/* The frame-marking element of a packet whose payload descriptor gives no temporal layer. A
 * malformed or missing element leaves the packet without one (every layer passes). */
static void inspect_frame_marking(const struct prism_forward_stream *s,
                                  const struct prism_rtp_header *in, struct forward_packet *p)
{
    if (!s->frame_marking_id || !in->extension || p->has_vp9 || (p->has_vp8 && p->vp8.has_tid))
        return;
    struct prism_rtp_ext e;
    p->has_frame_marking = prism_rtp_ext_find(in, s->frame_marking_id, &e) == 0 &&
                           prism_rtp_frame_marking_parse(e.data, e.len, &p->frame_marking) == 0;
}

int forward_inspect(const struct prism_forward_stream *s, const struct prism_rtp_header *in,
                    struct forward_packet *p)
{
    const struct prism_forward_pt_entry *entry = &s->payload_types[in->payload_type & 0x7F];
    if (entry->kind == FORWARD_KIND_NONE)
        return -EBADMSG;
    p->subscriber_pt = entry->subscriber;
    p->kind = entry->kind;
    p->keyframe = false;
    p->has_vp8 = false;
    p->has_vp9 = false;
    p->dd = NULL;
    p->has_frame_marking = false;
    if (inspect_payload(in, p) < 0)
        return -EBADMSG;
    inspect_frame_marking(s, in, p);
    return 0;
}

void forward_gate_arm(struct prism_forward_stream *s)
{
    s->waiting_keyframe = s->video;
    s->keyframe_asked = false;
}

enum forward_gate forward_gate_check(struct prism_forward_stream *s, const struct forward_packet *p,
                                     uint64_t now_us)
{
    if (!s->waiting_keyframe || p->keyframe)
        return FORWARD_GATE_PASS;
    bool ask = !s->keyframe_asked || (now_us >= s->keyframe_asked_us &&
                                      now_us - s->keyframe_asked_us >= s->keyframe_retry_us);
    if (!ask)
        return FORWARD_GATE_DROP;
    s->keyframe_asked = true;
    s->keyframe_asked_us = now_us;
    return FORWARD_GATE_DROP_ASK;
}
