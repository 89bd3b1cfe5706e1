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
