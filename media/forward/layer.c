/* The per-packet "does this subscriber want it" decision, taken before anything is written.
 * A packet refused here is dropped on purpose: the output sequence numbers close up over it,
 * so the subscriber neither sees a gap nor NACKs it. Temporal and spatial layer selection
 * (forward_packet carries the VP8/VP9 layer ids, the dependency descriptor and the frame
 * marking) plugs in here. */
#include "media/forward/forward_internal.h"

bool forward_layer_wanted(const struct prism_forward_stream *s, const struct prism_rtp_header *in,
                          const struct forward_packet *p)
{
    /* Padding-only packets are bandwidth probes for the publisher's link: they carry no media
     * and would only cost every subscriber's link. */
    if (in->payload_len == 0)
        return false;
    /* Simulcast: VP8 temporal layers above the one this subscriber asked for. */
    return forward_simulcast_temporal_wanted(&s->layers, p);
}

/* How many spatial layers the dependency descriptor's decode targets span; 0 without them. */
static uint8_t dd_spatial_layers(const struct prism_dd_frame *dd)
{
    uint8_t layers = 0;
    for (unsigned dt = 0; dt < dd->decode_target_count; dt++)
        if (dd->decode_target_spatial_id[dt] + 1 > layers)
            layers = (uint8_t)(dd->decode_target_spatial_id[dt] + 1);
    return layers;
}

/* A decoder following a higher temporal layer may start here: a base-layer frame, or one the
 * descriptor marks as a switch for a decode target above its own temporal layer. */
static bool dd_switching_up(const struct prism_dd_frame *dd)
{
    if (dd->temporal_id == 0)
        return true;
    for (unsigned dt = 0; dt < dd->decode_target_count; dt++)
        if (dd->decode_target_temporal_id[dt] > dd->temporal_id && prism_dd_frame_is_switch(dd, dt))
            return true;
    return false;
}

/* AV1 (or any codec) SVC from the dependency descriptor: only when its structure has more
 * than one spatial layer. A single spatial layer (simulcast layers, L1T3) keeps to the
 * temporal selection of simulcast.c, which reads the same descriptor. */
static bool dd_svc_frame(const struct prism_rtp_header *in, const struct prism_dd_frame *dd,
                         bool keyframe, struct prism_forward_svc_frame *frame)
{
    uint8_t layers = dd_spatial_layers(dd);
    if (layers < 2)
        return false;
    *frame = (struct prism_forward_svc_frame){
        .timestamp = in->timestamp,
        .spatial = dd->spatial_id,
        .temporal = dd->temporal_id,
        .begin = dd->start_of_frame,
        .end = dd->end_of_frame,
        .keyframe = (keyframe || dd->new_structure) && dd->spatial_id == 0,
        .switching_up = dd_switching_up(dd),
        .spatial_layers = layers,
    };
    return true;
}

bool forward_svc_frame(const struct prism_rtp_header *in, const struct forward_packet *p,
                       struct prism_forward_svc_frame *frame)
{
    if (!p->has_vp9 || !p->vp9.has_layer_indices)
        return p->dd && dd_svc_frame(in, p->dd, p->keyframe, frame);
    const struct prism_rtp_vp9 *d = &p->vp9;
    *frame = (struct prism_forward_svc_frame){
        .timestamp = in->timestamp,
        .spatial = d->sid,
        .temporal = d->tid,
        .begin = d->begin_frame,
        .end = d->end_frame,
        .keyframe = d->keyframe,
        .switching_up = d->switching_up,
        .spatial_layers = d->has_ss ? d->spatial_layers : 0,
    };
    return true;
}

int prism_forward_svc_spatial_layer(enum prism_sdp_codec_id codec, const struct prism_dd_frame *dd,
                                    const struct prism_rtp_header *in)
{
    if (!in || in->payload_len == 0)
        return -1;
    struct forward_packet p = {.dd = dd};
    struct prism_forward_svc_frame frame;
    /* Only VP9's payload descriptor is read here (the cheap part of forward_inspect); other
     * codecs' layers come from the descriptor the caller parsed. */
    if (codec == PRISM_SDP_CODEC_VP9) {
        if (prism_rtp_vp9_parse(in->payload, in->payload_len, &p.vp9) != 0)
            return -1;
        p.has_vp9 = true;
    }
    return forward_svc_frame(in, &p, &frame) ? frame.spatial : -1;
}
