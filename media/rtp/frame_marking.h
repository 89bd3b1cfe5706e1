/* The frame-marking RTP header extension (urn:ietf:params:rtp-hdrext:framemarking,
 * draft-ietf-avtext-framemarking): what a switch needs to forward frames selectively without
 * looking into the payload: where a frame starts and ends, whether it is independent or
 * discardable, and its temporal layer. Codecs without a layer field of their own (H.264) carry
 * their temporal layers in it.
 *
 *   short form, non-scalable streams (1 byte):     S E I D B TID(3)
 *   long form, scalable streams (2 or 3 bytes):    S E I D B TID(3) | LID(8) [| TL0PICIDX(8)]
 *
 * The draft's final text leaves B and TID zero in the short form (every frame in the base
 * layer); earlier drafts and senders put the temporal layer there, so it is read either way.
 * Sans-IO and allocation-free. */
#ifndef PRISM_MEDIA_RTP_FRAME_MARKING_H
#define PRISM_MEDIA_RTP_FRAME_MARKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_rtp_frame_marking {
    bool start;       /* S: the first packet of a frame */
    bool end;         /* E: the last packet of a frame */
    bool independent; /* I: decodable without any earlier frame (a keyframe) */
    bool discardable; /* D: no other frame refers to this one */
    bool base_sync;   /* B: refers only to frames of the base temporal layer (TID 0), so a
                         decoder can move up to this frame's layer here */
    uint8_t tid;      /* temporal layer id, 0-7 */
    bool has_lid;     /* long form: lid is the layer id (codec-specific, e.g. a spatial layer) */
    uint8_t lid;
    bool has_tl0picidx; /* long form of 3 bytes: the running index of base-layer frames */
    uint8_t tl0picidx;
};

/* Reads the value of one frame-marking element (len 1, 2 or 3 bytes). 0 and *out, -EINVAL for
 * NULL arguments, -EBADMSG for any other length; writes *out only on success. */
int prism_rtp_frame_marking_parse(const uint8_t *data, size_t len,
                                  struct prism_rtp_frame_marking *out);

/* Writes m into data (cap bytes): 1 byte, 2 with a layer id, 3 with a TL0PICIDX too (which
 * needs the layer id). Returns the length, or -EINVAL (NULL, tid above 7, a TL0PICIDX
 * without a layer id) or -ENOSPC. */
int prism_rtp_frame_marking_write(const struct prism_rtp_frame_marking *m, uint8_t *data,
                                  size_t cap);

#endif
