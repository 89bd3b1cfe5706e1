/* RFC 2198 section 3: each redundant block has a 4-byte header (F=1, block PT, 14-bit
 * timestamp offset, 10-bit block length); the primary block's header is one byte (F=0, PT) and
 * its length is whatever the payload has left. The block data follow the headers in the same
 * order. */
#include "media/rtp/red.h"

#include <errno.h>

#define RED_FOLLOWS 0x80u
#define REDUNDANT_HEADER_LEN 4u

int prism_rtp_red_parse(const uint8_t *payload, size_t len, struct prism_rtp_red *out)
{
    struct prism_rtp_red red = {0};
    size_t pos = 0, data_len = 0;
    if (!payload || !out)
        return -EINVAL;
    /* The headers: redundant ones while F is set, then the primary's single byte. */
    while (pos < len && (payload[pos] & RED_FOLLOWS)) {
        if (red.count == PRISM_RTP_RED_MAX_BLOCKS)
            return -E2BIG;
        if (len - pos < REDUNDANT_HEADER_LEN)
            return -EINVAL;
        const uint8_t *h = payload + pos;
        struct prism_rtp_red_block *block = &red.blocks[red.count++];
        block->payload_type = h[0] & 0x7F;
        block->timestamp_offset = (uint16_t)((h[1] << 6) | (h[2] >> 2));
        block->length = (size_t)(((h[2] & 0x03) << 8) | h[3]);
        data_len += block->length;
        pos += REDUNDANT_HEADER_LEN;
    }
    if (pos == len)
        return -EINVAL; /* no primary header */
    red.blocks[red.count].payload_type = payload[pos] & 0x7F;
    red.count++;
    red.header_len = ++pos;
    if (data_len > len - pos)
        return -EINVAL;
    for (unsigned i = 0; i + 1 < red.count; i++) {
        red.blocks[i].offset = pos;
        pos += red.blocks[i].length;
    }
    red.blocks[red.count - 1].offset = pos;
    red.blocks[red.count - 1].length = len - pos;
    *out = red;
    return 0;
}

int prism_rtp_red_primary(const uint8_t *payload, size_t len, uint8_t *payload_type, size_t *offset,
                          size_t *length)
{
    struct prism_rtp_red red;
    int rc = prism_rtp_red_parse(payload, len, &red);
    if (rc < 0)
        return rc;
    const struct prism_rtp_red_block *primary = &red.blocks[red.count - 1];
    if (payload_type)
        *payload_type = primary->payload_type;
    if (offset)
        *offset = primary->offset;
    if (length)
        *length = primary->length;
    return 0;
}

int prism_rtp_red_remap(uint8_t *payload, size_t len, uint8_t from, uint8_t to)
{
    struct prism_rtp_red red;
    int rc = prism_rtp_red_parse(payload, len, &red);
    if (rc < 0)
        return rc;
    int rewritten = 0;
    /* Header i starts at 4 * i: every header before the primary's is 4 bytes long. */
    for (unsigned i = 0; i < red.count; i++) {
        uint8_t *h = payload + REDUNDANT_HEADER_LEN * i;
        if ((*h & 0x7F) != (from & 0x7F))
            continue;
        *h = (uint8_t)((*h & RED_FOLLOWS) | (to & 0x7F));
        rewritten++;
    }
    return rewritten;
}
