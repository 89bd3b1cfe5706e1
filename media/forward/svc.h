/* SVC layer selection for one subscriber stream: a publisher sends spatial and temporal layers
 * in one RTP stream (VP9 SVC, AV1 with the dependency descriptor) and each subscriber gets the
 * layers up to its own target. The decision is codec-neutral: the caller describes each
 * packet's layer frame (struct prism_forward_svc_frame, filled from the VP9 payload descriptor
 * by the forwarding engine, or from a dependency descriptor's decode target by its reader) and
 * prism_forward_svc_decide says whether it goes on and whether it ends the picture for this
 * subscriber (the RTP marker bit). Rules, as Janus's janus_rtp_svc_context_process_rtp:
 * spatial layers go up only at a keyframe (the decoder has nothing of the new layer before
 * it) and down at once at the next picture; temporal layers go up at a switching-up point and
 * down at the next picture. Sans-IO: the time comes in as an argument. */
#ifndef PRISM_MEDIA_FORWARD_SVC_H
#define PRISM_MEDIA_FORWARD_SVC_H

#include <stdbool.h>
#include <stdint.h>

#define PRISM_FORWARD_SVC_MAX_LAYERS 3

/* One packet's place in the layer structure. */
struct prism_forward_svc_frame {
    uint32_t timestamp;     /* RTP timestamp: a new one starts a new picture */
    uint8_t spatial;        /* spatial layer id of the layer frame */
    uint8_t temporal;       /* temporal layer id */
    bool begin;             /* first packet of the layer frame */
    bool end;               /* last packet of the layer frame */
    bool keyframe;          /* starts a picture no earlier picture is needed for */
    bool switching_up;      /* later pictures of higher temporal layers need no earlier ones */
    uint8_t spatial_layers; /* how many the publisher sends (e.g. from the VP9 scalability
                               structure on keyframes); 0 unknown */
};

/* The layers a stream forwards and asks for. Embedded in the forwarding stream; one thread. */
struct prism_forward_svc {
    bool active;            /* layered packets were seen since the last reset */
    int8_t spatial;         /* highest spatial layer forwarded; -1 before the first keyframe */
    int8_t spatial_target;  /* configure "spatial_layer" */
    int8_t temporal;        /* highest temporal layer forwarded */
    int8_t temporal_target; /* configure "temporal_layer" */
    uint8_t spatial_layers; /* how many the publisher sends, from the last frame that said so
                               (VP9 scalability structure, dependency descriptor); 0 unknown */
    bool has_picture;       /* picture_timestamp is the picture being forwarded */
    uint32_t picture_timestamp;
    bool asked; /* a keyframe was asked for to go up */
    uint64_t asked_us;
};

enum prism_forward_svc_decision {
    PRISM_FORWARD_SVC_PASS,      /* forward */
    PRISM_FORWARD_SVC_PASS_MARK, /* forward with the marker bit set: the picture ends here */
    PRISM_FORWARD_SVC_DROP,      /* a layer above the ones forwarded: skip it */
    PRISM_FORWARD_SVC_DROP_ASK,  /* the same, of a layer wanted: ask the publisher for a
                                    keyframe (at most every retry_us) */
};

/* Defaults: both targets the highest layer (Janus's), nothing forwarded yet. */
void prism_forward_svc_init(struct prism_forward_svc *svc);
/* A new source: nothing forwarded yet, targets kept. */
void prism_forward_svc_reset(struct prism_forward_svc *svc);
/* Sets the targets (0 to PRISM_FORWARD_SVC_MAX_LAYERS - 1, clamped; negative keeps one). A
 * higher spatial target takes effect at the next keyframe, a lower one at the next picture. */
void prism_forward_svc_set_target(struct prism_forward_svc *svc, int spatial, int temporal);
/* The decision for one packet; updates the current layers at picture starts. Before the first
 * keyframe every packet passes (the caller's keyframe gate holds them back). */
enum prism_forward_svc_decision prism_forward_svc_decide(struct prism_forward_svc *svc,
                                                         const struct prism_forward_svc_frame *f,
                                                         uint64_t retry_us, uint64_t now_us);
/* Whether a packet forwarded now carries the end of the picture for this subscriber (for a
 * retransmission, which must look like the original). */
bool prism_forward_svc_marks(const struct prism_forward_svc *svc,
                             const struct prism_forward_svc_frame *f);

#endif
