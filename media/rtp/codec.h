/* Video payload descriptors the forwarding path needs to look into: VP8 (RFC 7741) with in-place
 * picture id / TL0PICIDX rewrite, VP9 (RFC 9628) layer ids and keyframes, and H.264 (RFC 6184)
 * keyframe detection. Views into the payload, no allocation; errors as in header.h. */
#ifndef PRISM_MEDIA_RTP_CODEC_H
#define PRISM_MEDIA_RTP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A parsed VP8 payload descriptor. Optional fields are valid only when their has_ flag is set;
 * the offsets locate them in the payload for in-place rewriting. */
struct prism_rtp_vp8 {
    bool non_reference;      /* N */
    bool start_of_partition; /* S */
    uint8_t partition_id;    /* PID, 0-7 */
    bool has_picture_id;     /* I */
    bool long_picture_id;    /* M: 15-bit picture id instead of 7 */
    uint16_t picture_id;
    bool has_tl0picidx; /* L */
    uint8_t tl0picidx;
    bool has_tid;    /* T */
    uint8_t tid;     /* temporal layer, 0-3 */
    bool layer_sync; /* Y */
    bool has_keyidx; /* K */
    uint8_t keyidx;
    bool keyframe;          /* first packet of a key frame (S=1, PID=0, P bit clear) */
    uint8_t descriptor_len; /* offset of the VP8 payload header, 1-6 */
    uint8_t picture_id_offset;
    uint8_t tl0picidx_offset;
};

/* Parses the descriptor at the start of a VP8 RTP payload. At least one byte of VP8 payload
 * must follow the descriptor. */
int prism_rtp_vp8_parse(const uint8_t *payload, size_t len, struct prism_rtp_vp8 *out);

/* Writes a VP8 payload descriptor from the flags and values of vp8 (keyframe and the offsets are
 * ignored; the caller writes the VP8 payload after it) and returns its length. For senders such
 * as the bench client. */
int prism_rtp_vp8_build(uint8_t *buf, size_t cap, const struct prism_rtp_vp8 *vp8);

/* Rewrites the picture id in place, truncated to the width the descriptor already has (7 or 15
 * bits), for continuous picture ids across simulcast switches. -ENOENT if there is none. */
int prism_rtp_vp8_set_picture_id(uint8_t *payload, size_t len, const struct prism_rtp_vp8 *vp8,
                                 uint16_t picture_id);

/* Rewrites TL0PICIDX in place; -ENOENT if the descriptor has none. */
int prism_rtp_vp8_set_tl0picidx(uint8_t *payload, size_t len, const struct prism_rtp_vp8 *vp8,
                                uint8_t tl0picidx);

/* A parsed VP9 payload descriptor (RFC 9628 section 4.2), including the length of the
 * scalability structure so descriptor_len is the offset of the VP9 frame data. */
struct prism_rtp_vp9 {
    bool has_picture_id;  /* I */
    bool long_picture_id; /* M */
    uint16_t picture_id;
    bool inter_picture;     /* P: predicted from an earlier picture */
    bool has_layer_indices; /* L */
    uint8_t tid;            /* temporal layer, 0 without L */
    bool switching_up;      /* U */
    uint8_t sid;            /* spatial layer, 0 without L */
    bool inter_layer;       /* D: depends on the spatial layer below */
    bool flexible;          /* F */
    bool has_tl0picidx;     /* non-flexible mode with L */
    uint8_t tl0picidx;
    bool begin_frame;         /* B */
    bool end_frame;           /* E */
    bool has_ss;              /* V: scalability structure present */
    uint8_t spatial_layers;   /* N_S + 1 from the scalability structure, else 0 */
    bool not_upper_reference; /* Z */
    bool keyframe;            /* start of an intra frame on the base spatial layer */
    uint16_t descriptor_len;
};

int prism_rtp_vp9_parse(const uint8_t *payload, size_t len, struct prism_rtp_vp9 *out);

/* True when the H.264 payload (single NAL unit, STAP-A or FU-A) starts a key frame: it holds an
 * IDR slice, or an SPS, which browsers send right before every IDR (so a layer switch can
 * happen on the packet that starts the key frame rather than the one after). For FU-A only the
 * start fragment counts. Malformed payloads are not key frames. */
bool prism_rtp_h264_is_keyframe(const uint8_t *payload, size_t len);

#endif
