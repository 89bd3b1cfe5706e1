/* Layer choice from the Dependency Descriptor (media/rtp/dependency_descriptor.h) for one
 * subscriber stream: given the spatial and temporal layer wanted, which decode target to follow
 * and so which packets to forward, moving up only where the descriptor says a decoder may start
 * (a switch indication, or a new structure, i.e. a keyframe) and down at any frame start. Codec
 * independent: AV1 SVC (L2T3, L3T3, ...), and VP8/VP9 when the publisher sends the extension.
 *
 * Sans-IO, fixed size, no allocation; one per subscriber stream, on its worker. The caller
 * feeds every packet of the source's layer with its parsed frame (prism_dd_parse through the
 * publisher stream's state, which the frame carries what is needed of). */
#ifndef PRISM_MEDIA_FORWARD_DD_FILTER_H
#define PRISM_MEDIA_FORWARD_DD_FILTER_H

#include "media/rtp/dependency_descriptor.h"

#include <stdbool.h>
#include <stdint.h>

struct prism_dd_filter {
    int8_t decode_target; /* followed now; -1 before the first switch point */
    int8_t target_spatial;
    int8_t target_temporal;
};

/* The decision for one packet. */
struct prism_dd_decision {
    bool forward;
    /* The packet ends the subscriber's temporal unit (the last packet of the highest spatial
     * layer it gets): set the RTP marker bit on it (AV1 RTP specification section 4.1). */
    bool end_of_frame;
};

/* Follows nothing yet, asking for the highest layers (spatial 3, temporal 7). */
void prism_dd_filter_init(struct prism_dd_filter *f);

/* Sets the highest spatial and temporal layer wanted (a negative value keeps the setting);
 * the stream moves there at the next frame where it may. */
void prism_dd_filter_set_target(struct prism_dd_filter *f, int spatial, int temporal);

/* The decode target that best fits spatial/temporal among the frame's active ones: the
 * highest layers not above them, else the lowest one; -1 when none is active. */
int prism_dd_filter_choose(const struct prism_dd_frame *frame, int spatial, int temporal);

/* Decides one packet of the source. */
struct prism_dd_decision prism_dd_filter_packet(struct prism_dd_filter *f,
                                                const struct prism_dd_frame *frame);

#endif
