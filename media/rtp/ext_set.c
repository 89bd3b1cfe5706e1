/* Setting a header extension element on a packet we send, adding it when the packet has none
 * (RFC 8285): how a sender stamps its own transport-wide sequence number on every packet,
 * whatever extensions the packet carried when it was received. */
#include "media/rtp/extension.h"

#include <errno.h>
#include <string.h>

#define ONE_BYTE_MAX_ID 14
#define X_BIT 0x10

/* Where the elements of the block end (the rest, up to the block's end, is padding). */
static size_t used_end(const uint8_t *packet, const struct prism_rtp_header *h)
{
    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    size_t end = (size_t)(h->ext_data - packet);
    prism_rtp_ext_iter_init(&it, h);
    while (prism_rtp_ext_next(&it, &e) > 0)
        end = (size_t)(e.data - packet) + e.len;
    return end;
}

static void write_element(uint8_t *at, bool two_byte, uint8_t id, uint16_t value)
{
    if (two_byte) {
        at[0] = id;
        at[1] = 2;
        prism_write_be16(at + 2, value);
    } else {
        at[0] = (uint8_t)(id << 4 | 1); /* length field is len - 1 */
        prism_write_be16(at + 1, value);
    }
}

/* A packet without extensions gets a one-byte block of one word holding the element. */
static int add_block(uint8_t *packet, size_t len, size_t cap, const struct prism_rtp_header *h,
                     uint8_t id, uint16_t value)
{
    if (id > ONE_BYTE_MAX_ID)
        return -EINVAL;
    if (len + 8 > cap)
        return -ENOSPC;
    size_t at = PRISM_RTP_FIXED_HEADER_LEN + 4u * h->csrc_count;
    memmove(packet + at + 8, packet + at, len - at);
    prism_write_be16(packet + at, PRISM_RTP_EXT_PROFILE_ONE_BYTE);
    prism_write_be16(packet + at + 2, 1);
    memset(packet + at + 4, 0, 4);
    write_element(packet + at + 4, false, id, value);
    packet[0] |= X_BIT;
    return (int)(len + 8);
}

int prism_rtp_ext_set_u16(uint8_t *packet, size_t len, size_t cap, uint8_t id, uint16_t value)
{
    struct prism_rtp_header h;
    if (!packet || id == 0 || id == 15 || cap < len)
        return -EINVAL;
    if (prism_rtp_parse(packet, len, &h) < 0)
        return -EBADMSG;
    uint8_t elem_len;
    uint8_t *existing = prism_rtp_ext_find_mut(packet, &h, id, &elem_len);
    if (existing) {
        if (elem_len != 2)
            return -EINVAL;
        prism_write_be16(existing, value);
        return (int)len;
    }
    if (!h.extension)
        return add_block(packet, len, cap, &h, id, value);
    bool two_byte = (h.ext_profile & PRISM_RTP_EXT_PROFILE_TWO_BYTE_MASK) ==
                    PRISM_RTP_EXT_PROFILE_TWO_BYTE;
    if ((!two_byte && h.ext_profile != PRISM_RTP_EXT_PROFILE_ONE_BYTE) ||
        (!two_byte && id > ONE_BYTE_MAX_ID))
        return -EINVAL;
    size_t need = two_byte ? 4 : 3;
    size_t end = used_end(packet, &h);
    size_t block_end = (size_t)(h.ext_data - packet) + h.ext_len;
    if (block_end - end < need) {
        /* Grow the block by one word: the payload (and padding) moves. */
        if (len + 4 > cap)
            return -ENOSPC;
        memmove(packet + block_end + 4, packet + block_end, len - block_end);
        memset(packet + block_end, 0, 4);
        size_t words_at = (size_t)(h.ext_data - packet) - 2;
        prism_write_be16(packet + words_at, (uint16_t)(h.ext_len / 4 + 1));
        len += 4;
    }
    write_element(packet + end, two_byte, id, value);
    return (int)len;
}
