/* VP8 RTP payload descriptor (RFC 7741 section 4.2): parse and in-place rewrite. */
#include "media/rtp/codec.h"

#include <errno.h>
#include <string.h>

/* Parses the optional fields announced by the extension byte at payload[1]. Returns the
 * descriptor length or -EBADMSG. */
static int parse_extension(const uint8_t *p, size_t len, struct prism_rtp_vp8 *d)
{
    size_t pos = 2;
    if (len < pos)
        return -EBADMSG;
    uint8_t x = p[1];
    d->has_picture_id = (x & 0x80) != 0;
    d->has_tl0picidx = (x & 0x40) != 0;
    d->has_tid = (x & 0x20) != 0;
    d->has_keyidx = (x & 0x10) != 0;
    if (d->has_picture_id) {
        if (pos >= len)
            return -EBADMSG;
        d->picture_id_offset = (uint8_t)pos;
        d->long_picture_id = (p[pos] & 0x80) != 0;
        if (d->long_picture_id) {
            if (len - pos < 2)
                return -EBADMSG;
            d->picture_id = (uint16_t)((p[pos] & 0x7F) << 8 | p[pos + 1]);
            pos += 2;
        } else {
            d->picture_id = p[pos] & 0x7F;
            pos += 1;
        }
    }
    if (d->has_tl0picidx) {
        if (pos >= len)
            return -EBADMSG;
        d->tl0picidx_offset = (uint8_t)pos;
        d->tl0picidx = p[pos++];
    }
    if (d->has_tid || d->has_keyidx) {
        if (pos >= len)
            return -EBADMSG;
        if (d->has_tid) {
            d->tid = p[pos] >> 6;
            d->layer_sync = (p[pos] & 0x20) != 0;
        }
        if (d->has_keyidx)
            d->keyidx = p[pos] & 0x1F;
        pos++;
    }
    return (int)pos;
}

int prism_rtp_vp8_parse(const uint8_t *payload, size_t len, struct prism_rtp_vp8 *out)
{
    if (!payload || !out)
        return -EINVAL;
    if (len < 1)
        return -EBADMSG;
    struct prism_rtp_vp8 d;
    memset(&d, 0, sizeof(d));
    d.non_reference = (payload[0] & 0x20) != 0;
    d.start_of_partition = (payload[0] & 0x10) != 0;
    d.partition_id = payload[0] & 0x07;
    int size = 1;
    if (payload[0] & 0x80) {
        size = parse_extension(payload, len, &d);
        if (size < 0)
            return size;
    }
    if ((size_t)size >= len)
        return -EBADMSG;
    d.descriptor_len = (uint8_t)size;
    /* Bit 0 of the VP8 payload header is the inverse key frame flag (RFC 7741 section 4.3);
     * it is only there in the first packet of a frame. */
    d.keyframe = d.start_of_partition && d.partition_id == 0 && (payload[size] & 0x01) == 0;
    *out = d;
    return 0;
}

int prism_rtp_vp8_build(uint8_t *buf, size_t cap, const struct prism_rtp_vp8 *vp8)
{
    if (!buf || !vp8 || vp8->partition_id > 7 || vp8->tid > 3 || vp8->keyidx > 31)
        return -EINVAL;
    bool extended = vp8->has_picture_id || vp8->has_tl0picidx || vp8->has_tid || vp8->has_keyidx;
    size_t len = 1 + (extended ? 1 : 0) +
                 (vp8->has_picture_id ? (vp8->long_picture_id ? 2 : 1) : 0) +
                 (vp8->has_tl0picidx ? 1 : 0) + (vp8->has_tid || vp8->has_keyidx ? 1 : 0);
    if (len > cap)
        return -ENOSPC;
    size_t pos = 0;
    buf[pos++] = (uint8_t)((extended ? 0x80 : 0) | (vp8->non_reference ? 0x20 : 0) |
                           (vp8->start_of_partition ? 0x10 : 0) | vp8->partition_id);
    if (extended) {
        buf[pos++] = (uint8_t)((vp8->has_picture_id ? 0x80 : 0) | (vp8->has_tl0picidx ? 0x40 : 0) |
                               (vp8->has_tid ? 0x20 : 0) | (vp8->has_keyidx ? 0x10 : 0));
    }
    if (vp8->has_picture_id && vp8->long_picture_id) {
        buf[pos++] = (uint8_t)(0x80 | ((vp8->picture_id >> 8) & 0x7F));
        buf[pos++] = (uint8_t)vp8->picture_id;
    } else if (vp8->has_picture_id) {
        buf[pos++] = vp8->picture_id & 0x7F;
    }
    if (vp8->has_tl0picidx)
        buf[pos++] = vp8->tl0picidx;
    if (vp8->has_tid || vp8->has_keyidx) {
        buf[pos++] = (uint8_t)((vp8->has_tid ? vp8->tid << 6 | (vp8->layer_sync ? 0x20 : 0) : 0) |
                               (vp8->has_keyidx ? vp8->keyidx : 0));
    }
    return (int)pos;
}

int prism_rtp_vp8_set_picture_id(uint8_t *payload, size_t len, const struct prism_rtp_vp8 *vp8,
                                 uint16_t picture_id)
{
    if (!payload || !vp8)
        return -EINVAL;
    if (!vp8->has_picture_id)
        return -ENOENT;
    size_t at = vp8->picture_id_offset;
    if (vp8->long_picture_id) {
        if (at + 2 > len)
            return -EINVAL;
        payload[at] = (uint8_t)(0x80 | ((picture_id >> 8) & 0x7F));
        payload[at + 1] = (uint8_t)picture_id;
    } else {
        if (at + 1 > len)
            return -EINVAL;
        payload[at] = picture_id & 0x7F;
    }
    return 0;
}

int prism_rtp_vp8_set_tl0picidx(uint8_t *payload, size_t len, const struct prism_rtp_vp8 *vp8,
                                uint8_t tl0picidx)
{
    if (!payload || !vp8)
        return -EINVAL;
    if (!vp8->has_tl0picidx)
        return -ENOENT;
    if ((size_t)vp8->tl0picidx_offset + 1 > len)
        return -EINVAL;
    payload[vp8->tl0picidx_offset] = tl0picidx;
    return 0;
}
