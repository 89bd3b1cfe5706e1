/* Private parts of the forwarding engine shared by the files of media/forward. */
#ifndef PRISM_MEDIA_FORWARD_INTERNAL_H
#define PRISM_MEDIA_FORWARD_INTERNAL_H

#include "media/forward/forward.h"
#include "media/rtp/dependency_descriptor.h"
#include "media/rtp/frame_marking.h"

/* How a payload type's packets are looked into. */
enum forward_kind {
    FORWARD_KIND_NONE = 0, /* not negotiated by the subscriber: dropped */
    FORWARD_KIND_PLAIN,    /* audio, or video without a way to find keyframes */
    FORWARD_KIND_VP8,
    FORWARD_KIND_VP9,
    FORWARD_KIND_H264,
    FORWARD_KIND_AV1,
};

/* What the engine learnt about one packet before deciding anything (keyframe_gate.c). */
struct forward_packet {
    uint8_t subscriber_pt;
    uint8_t kind;
    bool keyframe; /* starts a keyframe; always true for PLAIN (nothing to wait for) */
    bool has_vp8;  /* vp8 holds the parsed descriptor */
    bool has_vp9;  /* vp9 holds the parsed descriptor (for layer selection) */
    struct prism_rtp_vp8 vp8;
    struct prism_rtp_vp9 vp9;
    const struct prism_dd_frame *dd; /* the caller's Dependency Descriptor, or NULL */
    /* The frame-marking element, read only where the payload descriptor has no temporal id
     * (H.264, AV1, VP8 without one) and the source negotiated it. */
    bool has_frame_marking;
    struct prism_rtp_frame_marking frame_marking;
    /* Set by forward_copy: the subscriber's copy may have another extension block. */
    size_t out_header_len;
    size_t out_len;
};

/* keyframe_gate.c: payload type lookup and payload descriptor parsing; 0 or -EBADMSG
 * (unmapped payload type or malformed descriptor). */
int forward_inspect(const struct prism_forward_stream *s, const struct prism_rtp_header *in,
                    struct forward_packet *p);

/* keyframe_gate.c: start holding video back until a keyframe (no-op for audio). */
void forward_gate_arm(struct prism_forward_stream *s);

/* keyframe_gate.c: while armed, whether p may pass; if not, whether to ask for a keyframe. */
enum forward_gate {
    FORWARD_GATE_PASS,
    FORWARD_GATE_DROP,
    FORWARD_GATE_DROP_ASK,
};
enum forward_gate forward_gate_check(struct prism_forward_stream *s, const struct forward_packet *p,
                                     uint64_t now_us);

/* layer.c: the per-packet "is this wanted" decision. False drops the packet on purpose, so
 * the output sequence numbers close up over it. */
bool forward_layer_wanted(const struct prism_forward_stream *s, const struct prism_rtp_header *in,
                          const struct forward_packet *p);

/* layer.c: the SVC place of a packet (VP9 with layer indices); false when it has none. */
bool forward_svc_frame(const struct prism_rtp_header *in, const struct forward_packet *p,
                       struct prism_forward_svc_frame *frame);

/* simulcast.c: defaults of a stream's layer state (prism_forward_init). */
void forward_simulcast_init(struct prism_forward_simulcast *sc);
/* simulcast.c: a new source (publisher switch): nothing seen, no layer chosen. */
void forward_simulcast_reset(struct prism_forward_simulcast *sc);

/* simulcast.c: what to do with a packet of spatial layer `layer` (0 = lowest). */
enum forward_layer_decision {
    FORWARD_LAYER_PASS,     /* of the layer forwarded now */
    FORWARD_LAYER_SWITCH,   /* a keyframe of the layer wanted: it becomes the current one */
    FORWARD_LAYER_DROP,     /* another layer */
    FORWARD_LAYER_DROP_ASK, /* the layer wanted, not a keyframe: ask the publisher for one */
};
enum forward_layer_decision forward_simulcast_decide(struct prism_forward_simulcast *sc, int layer,
                                                     bool keyframe, uint64_t retry_us,
                                                     uint64_t now_us);
/* simulcast.c: follows the temporal layer asked for at VP8 frame starts (down at any frame,
 * up at a TL0 frame, whose successors depend only on what was forwarded). */
void forward_simulcast_temporal(struct prism_forward_simulcast *sc, const struct forward_packet *p);
/* simulcast.c: false for a VP8 packet of a temporal layer above the one forwarded, or any
 * packet whose Dependency Descriptor (else frame marking) says so. */
bool forward_simulcast_temporal_wanted(const struct prism_forward_simulcast *sc,
                                       const struct forward_packet *p);

/* seqmap.c */
enum forward_seq_check {
    FORWARD_SEQ_MAP,     /* in the window: forward (forward_seqmap_map) or skip */
    FORWARD_SEQ_OLD,     /* from before the segment or the remembered skips: drop */
    FORWARD_SEQ_JUMP,    /* far out of the window: drop, but a restart if the next follows */
    FORWARD_SEQ_RESTART, /* the source restarted its numbering: start a new segment */
};
void forward_seqmap_rebase(struct prism_forward_seqmap *m, uint16_t in, uint16_t out);
enum forward_seq_check forward_seqmap_check(struct prism_forward_seqmap *m, uint16_t in);
uint16_t forward_seqmap_map(struct prism_forward_seqmap *m, uint16_t in);
void forward_seqmap_skip(struct prism_forward_seqmap *m, uint16_t in);
/* The inverse of forward_seqmap_map for what the segment mapped: false for an output number
 * from before the segment, of a packet skipped on purpose, or not given out yet. */
bool forward_seqmap_unmap(const struct prism_forward_seqmap *m, uint16_t out, uint16_t *in);

/* continuity.c: start a segment at this packet, continuing the output where it stopped. */
void forward_rebase(struct prism_forward_stream *s, const struct prism_rtp_header *in,
                    uint64_t now_us);
/* continuity.c: RTP clock ticks for a wall-clock interval: max(1, elapsed * clock / 1e6). */
uint32_t forward_ticks_since(const struct prism_forward_stream *s, uint64_t now_us);

/* rewrite.c: copies the packet into out with the subscriber's SSRC, payload type and
 * extension block, and sets p->out_header_len and p->out_len. 0, -ENOSPC or -EBADMSG
 * (malformed extension block). */
int forward_copy(const struct prism_forward_stream *s, const struct prism_rtp_header *in,
                 const uint8_t *in_packet, size_t in_len, struct forward_packet *p, uint8_t *out,
                 size_t out_cap);
/* rewrite.c: writes the output sequence number, timestamp and VP8 picture ids into the copy
 * and remembers them when the packet is the newest sent. */
void forward_write_continuity(struct prism_forward_stream *s, const struct prism_rtp_header *in,
                              const struct forward_packet *p, uint8_t *out, uint16_t seq,
                              uint64_t now_us);
/* rewrite.c: the same for a packet sent before (a retransmission): the segment's offsets as
 * they are, nothing remembered. -ENOENT when the packet carries a VP8 picture id or TL0PICIDX
 * but the segment has no offset for it yet (so it cannot have been sent in this segment). */
int forward_write_resend(const struct prism_forward_stream *s, const struct prism_rtp_header *in,
                         const struct forward_packet *p, uint8_t *out, uint16_t seq);

#endif
