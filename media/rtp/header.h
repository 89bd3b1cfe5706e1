/* RTP fixed header (RFC 3550 section 5.1): zero-copy parse into a view, build into a caller
 * buffer, in-place rewrite for the forwarding path, and RTX wrap/unwrap (RFC 4588).
 *
 * Forwarding one packet to many receivers: parse it once, then per receiver copy its
 * header_len header bytes next to the shared payload, apply the prism_rtp_set_*() setters and
 * prism_rtp_ext_remap() (media/rtp/extension.h) to the copy, protect and send.
 *
 * Errors are negative errno values: -EINVAL for bad arguments, -EBADMSG for malformed input
 * (truncated, wrong version, lengths past the end), -ENOSPC when an output buffer is too small.
 * Nothing here allocates, logs or keeps state; any thread may call any function. */
#ifndef PRISM_MEDIA_RTP_HEADER_H
#define PRISM_MEDIA_RTP_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/bytes.h"

#define PRISM_RTP_FIXED_HEADER_LEN 12
#define PRISM_RTP_MAX_CSRCS 15

/* Profiles of the header extension block (RFC 8285): one-byte and two-byte element forms.
 * The two-byte profile is 0x100 followed by 4 application bits. */
#define PRISM_RTP_EXT_PROFILE_ONE_BYTE 0xBEDE
#define PRISM_RTP_EXT_PROFILE_TWO_BYTE 0x1000
#define PRISM_RTP_EXT_PROFILE_TWO_BYTE_MASK 0xFFF0

/* A parsed RTP packet. Every pointer points into the buffer given to prism_rtp_parse(), which
 * must outlive the view; the view owns nothing. Lengths are in bytes. */
struct prism_rtp_header {
    bool padding;   /* P bit; padding_len bytes were stripped from the payload */
    bool extension; /* X bit; ext_profile/ext_data/ext_len are valid when set */
    bool marker;
    uint8_t payload_type; /* 0-127 */
    uint8_t csrc_count;   /* 0-15 */
    uint8_t padding_len;  /* 0 when padding is false, else 1-255 */
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    const uint8_t *csrcs;    /* csrc_count big-endian words; read with prism_rtp_csrc() */
    uint16_t ext_profile;    /* 0xBEDE, 0x100x or any other profile value */
    const uint8_t *ext_data; /* extension elements, after the 4-byte extension header */
    size_t ext_len;          /* multiple of 4, may be 0 */
    size_t header_len;       /* fixed header + CSRCs + extension block: offset of the payload */
    const uint8_t *payload;
    size_t payload_len; /* without padding */
};

/* Parses an RTP packet into *out (written only on success). Checks the version (so it is 2 in
 * every view), the CSRC list, the extension block length and the padding count (which must be
 * 1 to the payload size). */
int prism_rtp_parse(const uint8_t *data, size_t len, struct prism_rtp_header *out);

/* CSRC number index (< csrc_count) of a parsed header. */
static inline uint32_t prism_rtp_csrc(const struct prism_rtp_header *h, unsigned index)
{
    return prism_read_be32(h->csrcs + 4 * index);
}

/* One header extension element, for building and as the result of finding or iterating.
 * For parsed elements data points into the packet. */
struct prism_rtp_ext {
    uint8_t id;
    uint8_t len;
    const uint8_t *data;
};

/* What to put in a header built by prism_rtp_build_header(). */
struct prism_rtp_header_fields {
    bool marker;
    uint8_t payload_type;
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    const uint32_t *csrcs; /* csrc_count entries, host order */
    uint8_t csrc_count;
    const struct prism_rtp_ext *exts; /* written in this order; ext_count may be 0 */
    size_t ext_count;
};

/* Writes an RTP header (with CSRCs and extension block) at buf and returns its length, so the
 * caller appends the payload there. Uses the one-byte extension form when every element has an
 * id 1-14 and 1-16 bytes of data, the two-byte form otherwise (ids 1-255, 0-255 bytes). */
int prism_rtp_build_header(uint8_t *buf, size_t cap, const struct prism_rtp_header_fields *fields);

/* Appends pad_len (1-255) bytes of RTP padding to the packet of len bytes at buf and sets the P
 * bit; returns the new length. The packet must not already be padded. */
int prism_rtp_add_padding(uint8_t *buf, size_t len, size_t cap, uint8_t pad_len);

/* In-place rewrite of a packet already accepted by prism_rtp_parse() (so at least 12 bytes).
 * These are the per-receiver operations of the forwarding path. */
static inline void prism_rtp_set_marker(uint8_t *packet, bool marker)
{
    packet[1] = (uint8_t)((packet[1] & 0x7F) | (marker ? 0x80 : 0));
}

static inline void prism_rtp_set_payload_type(uint8_t *packet, uint8_t payload_type)
{
    packet[1] = (uint8_t)((packet[1] & 0x80) | (payload_type & 0x7F));
}

static inline void prism_rtp_set_seq(uint8_t *packet, uint16_t seq)
{
    prism_write_be16(packet + 2, seq);
}

static inline void prism_rtp_set_timestamp(uint8_t *packet, uint32_t timestamp)
{
    prism_write_be32(packet + 4, timestamp);
}

static inline void prism_rtp_set_ssrc(uint8_t *packet, uint32_t ssrc)
{
    prism_write_be32(packet + 8, ssrc);
}

/* RTX (RFC 4588 section 4): copies the packet parsed as h into out (which must not overlap it)
 * as a retransmission with the RTX payload type, SSRC and sequence number, the original
 * sequence number (OSN) prepended to the payload, and the padding dropped. CSRCs and header
 * extensions are kept. Returns the RTX packet length. */
int prism_rtp_rtx_wrap(uint8_t *out, size_t cap, const struct prism_rtp_header *h,
                       uint8_t rtx_payload_type, uint32_t rtx_ssrc, uint16_t rtx_seq);

/* Turns the RTX packet parsed as h back, in place, into the original: sequence number from the
 * OSN, the given payload type and SSRC, OSN removed, padding dropped. Returns the new length. */
int prism_rtp_rtx_unwrap(uint8_t *packet, const struct prism_rtp_header *h, uint8_t payload_type,
                         uint32_t ssrc);

#endif
