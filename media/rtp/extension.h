/* RTP header extension elements (RFC 8285, one-byte and two-byte forms): iterate, find, remap
 * ids in place for a receiver, and read or write the values Prism negotiates.
 *
 * Errors as in header.h: -EBADMSG for an element running past the block, -ENOENT when an element
 * is absent, -EINVAL for bad arguments or a value of the wrong size. No allocation, no state. */
#ifndef PRISM_MEDIA_RTP_EXTENSION_H
#define PRISM_MEDIA_RTP_EXTENSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/rtp/header.h"

/* Walks the elements of one extension block. Padding bytes are skipped; in the one-byte form
 * id 15 ends the walk (RFC 8285 section 4.2). Blocks of any other profile yield nothing. */
struct prism_rtp_ext_iter {
    const uint8_t *pos;
    const uint8_t *end;
    bool two_byte;
};

/* Starts iterating the extension block of h (empty when h has none or an unknown profile). */
void prism_rtp_ext_iter_init(struct prism_rtp_ext_iter *it, const struct prism_rtp_header *h);

/* Yields the next element: returns 1 with *out set, 0 at the end, -EBADMSG when an element
 * runs past the block (iteration then stays finished). */
int prism_rtp_ext_next(struct prism_rtp_ext_iter *it, struct prism_rtp_ext *out);

/* Finds the first element with this id; 0 and *out on success, -ENOENT or -EBADMSG. */
int prism_rtp_ext_find(const struct prism_rtp_header *h, uint8_t id, struct prism_rtp_ext *out);

/* Like prism_rtp_ext_find() but returns a writable pointer to the element's data inside packet,
 * the mutable buffer h was parsed from (or an identical copy of its header), or NULL. */
uint8_t *prism_rtp_ext_find_mut(uint8_t *packet, const struct prism_rtp_header *h, uint8_t id,
                                uint8_t *len);

/* Per-receiver id translation: id[old] is the id the receiver negotiated for the same URI, or 0
 * when the receiver did not negotiate it. Index 0 is unused. 256 bytes, built once per
 * negotiation and read only on the forwarding path. */
struct prism_rtp_ext_map {
    uint8_t id[256];
};

/* Rewrites the element ids of packet (parsed as h) in place through map. Elements mapped to 0,
 * or to an id above 14 in a one-byte block, become padding, so no byte moves. Returns the number
 * of elements kept, or -EBADMSG for a malformed block (the packet may then be partly rewritten,
 * so drop it). Works on a copy of the header as long as it has the same layout. */
int prism_rtp_ext_remap(uint8_t *packet, const struct prism_rtp_header *h,
                        const struct prism_rtp_ext_map *map);

/* abs-send-time (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time): 24-bit 6.18
 * fixed-point seconds, wrapping every 64 s. */
int prism_rtp_abs_send_time_read(const struct prism_rtp_ext *e, uint32_t *value);
int prism_rtp_abs_send_time_write(uint8_t *data, size_t len, uint32_t value);
/* Converts a time in microseconds to its abs-send-time value. */
uint32_t prism_rtp_abs_send_time_from_us(uint64_t time_us);

/* transport-wide-cc sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01). */
int prism_rtp_transport_cc_read(const struct prism_rtp_ext *e, uint16_t *seq);
int prism_rtp_transport_cc_write(uint8_t *data, size_t len, uint16_t seq);

/* Sets the 2-byte element `id` of the RTP packet of `len` bytes in a buffer of `cap` to
 * `value` (big-endian): in place when the packet has that element, else appended to its
 * extension block (in its padding, or growing the block by 4 bytes), else in a new one-byte
 * block of 8 bytes; the payload moves when the packet grows. Returns the new length; -EINVAL
 * for id 0 or 15, an id over 14 in the one-byte form, an existing element of another size or
 * an unknown profile; -EBADMSG for a malformed packet; -ENOSPC when it does not fit in cap.
 * Used to stamp our own transport-wide-cc sequence number on what we send. */
int prism_rtp_ext_set_u16(uint8_t *packet, size_t len, size_t cap, uint8_t id, uint16_t value);

/* Client-to-mixer audio level (RFC 6464): voice activity flag and level in -dBov (0-127). */
int prism_rtp_audio_level_read(const struct prism_rtp_ext *e, bool *voice, uint8_t *level);
int prism_rtp_audio_level_write(uint8_t *data, size_t len, bool voice, uint8_t level);

/* Coordination of video orientation (3GPP TS 26.114): camera, horizontal flip and clockwise
 * rotation in degrees (0, 90, 180 or 270). */
struct prism_rtp_video_orientation {
    bool back_camera;
    bool flip;
    uint16_t rotation;
};
int prism_rtp_video_orientation_read(const struct prism_rtp_ext *e,
                                     struct prism_rtp_video_orientation *out);
int prism_rtp_video_orientation_write(uint8_t *data, size_t len,
                                      const struct prism_rtp_video_orientation *value);

/* mid (RFC 9143), rid and repaired-rid (RFC 8852) are short strings. Copies the element into out
 * as a NUL-terminated string and returns its length; -EBADMSG unless it is 1+ printable ASCII
 * bytes without spaces, -ENOSPC if longer than cap - 1. */
int prism_rtp_ext_string_copy(const struct prism_rtp_ext *e, char *out, size_t cap);
/* True when the element holds exactly the string s, without copying. */
bool prism_rtp_ext_string_equals(const struct prism_rtp_ext *e, const char *s);

#endif
