/* The per-packet "does this subscriber want it" decision, taken before anything is written.
 * A packet refused here is dropped on purpose: the output sequence numbers close up over it,
 * so the subscriber neither sees a gap nor NACKs it. Temporal and spatial layer selection
 * (forward_packet carries the VP8/VP9 layer ids) plugs in here. */
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

bool forward_svc_frame(const struct prism_rtp_header *in, const struct forward_packet *p,
                       struct prism_forward_svc_frame *frame)
{
    if (!p->has_vp9 || !p->vp9.has_layer_indices)
        return false;
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
