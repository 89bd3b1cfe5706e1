/* RFC 2198 redundant audio (RED), as Chrome sends Opus with it: the block headers of a RED
 * payload, the primary block for a receiver that did not negotiate RED, and the payload types
 * of the blocks rewritten in place for one that did. Sans-IO and allocation-free. */
#ifndef PRISM_MEDIA_RTP_RED_H
#define PRISM_MEDIA_RTP_RED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* More redundant blocks than senders use (Chrome sends at most 2; Janus reads any number); a
 * payload with more is refused rather than read partly. */
#define PRISM_RTP_RED_MAX_BLOCKS 16

/* One block of a RED payload: its payload type, how far its timestamp lies before the
 * packet's (0 for the primary block), and where its data is in the payload. */
struct prism_rtp_red_block {
    uint8_t payload_type;
    uint16_t timestamp_offset; /* 14 bits */
    size_t offset, length;
};

/* The blocks in payload order: the redundant ones (oldest first), then the primary. */
struct prism_rtp_red {
    struct prism_rtp_red_block blocks[PRISM_RTP_RED_MAX_BLOCKS + 1];
    unsigned count;    /* at least 1: the primary block is always last */
    size_t header_len; /* bytes of block headers before the first block's data */
};

/* Reads the block headers of a RED payload (the RTP payload without padding) and checks that
 * every block lies inside it. The primary block may be empty. Returns 0, or -EINVAL (headers
 * cut short, a block past the end) or -E2BIG (more than PRISM_RTP_RED_MAX_BLOCKS redundant
 * blocks); writes *out only on success. */
int prism_rtp_red_parse(const uint8_t *payload, size_t len, struct prism_rtp_red *out);

/* The primary block of a RED payload: 0 with its payload type, offset and length, or the
 * error of prism_rtp_red_parse(). */
int prism_rtp_red_primary(const uint8_t *payload, size_t len, uint8_t *payload_type, size_t *offset,
                          size_t *length);

/* Rewrites, in a RED payload of len bytes, the payload type of every block whose type is
 * `from` into `to` (a subscriber's payload types differ from its publisher's). Blocks of other
 * types keep theirs. Returns the number of blocks rewritten, or the error of
 * prism_rtp_red_parse() with the payload untouched. */
int prism_rtp_red_remap(uint8_t *payload, size_t len, uint8_t from, uint8_t to);

#endif
