/* RTP fixed header parse and build (RFC 3550 section 5.1, extension block per RFC 8285). */
#include "media/rtp/header.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

int prism_rtp_parse(const uint8_t *data, size_t len, struct prism_rtp_header *out)
{
    if (!data || !out)
        return -EINVAL;
    if (len < PRISM_RTP_FIXED_HEADER_LEN || (data[0] >> 6) != 2)
        return -EBADMSG;

    struct prism_rtp_header h;
    h.padding = (data[0] & 0x20) != 0;
    h.extension = (data[0] & 0x10) != 0;
    h.csrc_count = data[0] & 0x0F;
    h.marker = (data[1] & 0x80) != 0;
    h.payload_type = data[1] & 0x7F;
    h.seq = prism_read_be16(data + 2);
    h.timestamp = prism_read_be32(data + 4);
    h.ssrc = prism_read_be32(data + 8);

    size_t pos = PRISM_RTP_FIXED_HEADER_LEN + 4 * (size_t)h.csrc_count;
    if (pos > len)
        return -EBADMSG;
    h.csrcs = data + PRISM_RTP_FIXED_HEADER_LEN;

    h.ext_profile = 0;
    h.ext_data = NULL;
    h.ext_len = 0;
    if (h.extension) {
        if (len - pos < 4)
            return -EBADMSG;
        h.ext_profile = prism_read_be16(data + pos);
        h.ext_len = 4 * (size_t)prism_read_be16(data + pos + 2);
        pos += 4;
        if (h.ext_len > len - pos)
            return -EBADMSG;
        h.ext_data = data + pos;
        pos += h.ext_len;
    }
    h.header_len = pos;

    h.padding_len = 0;
    size_t payload_len = len - pos;
    if (h.padding) {
        /* The count includes itself, so 0 is invalid; a packet of only padding is fine. */
        uint8_t count = data[len - 1];
        if (count == 0 || count > payload_len)
            return -EBADMSG;
        h.padding_len = count;
        payload_len -= count;
    }
    h.payload = data + pos;
    h.payload_len = payload_len;
    *out = h;
    return 0;
}

/* One-byte elements carry ids 1-14 and 1-16 bytes; anything else needs the two-byte form. */
static bool fits_one_byte_form(const struct prism_rtp_ext *exts, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (exts[i].id < 1 || exts[i].id > 14 || exts[i].len < 1 || exts[i].len > 16)
            return false;
    }
    return true;
}

/* Writes the extension block at buf (capacity cap) and returns its length, a multiple of 4. */
static int build_extensions(uint8_t *buf, size_t cap, const struct prism_rtp_ext *exts,
                            size_t count)
{
    bool one_byte = fits_one_byte_form(exts, count);
    size_t body = 0;
    for (size_t i = 0; i < count; i++) {
        if (exts[i].id == 0 || (exts[i].len > 0 && !exts[i].data))
            return -EINVAL;
        body += (one_byte ? 1 : 2) + (size_t)exts[i].len;
    }
    size_t padded = (body + 3) & ~(size_t)3;
    if (padded / 4 > 0xFFFF)
        return -EINVAL;
    if (4 + padded > cap)
        return -ENOSPC;

    prism_write_be16(buf,
                     one_byte ? PRISM_RTP_EXT_PROFILE_ONE_BYTE : PRISM_RTP_EXT_PROFILE_TWO_BYTE);
    prism_write_be16(buf + 2, (uint16_t)(padded / 4));
    uint8_t *p = buf + 4;
    for (size_t i = 0; i < count; i++) {
        if (one_byte) {
            *p++ = (uint8_t)(exts[i].id << 4 | (exts[i].len - 1));
        } else {
            *p++ = exts[i].id;
            *p++ = exts[i].len;
        }
        if (exts[i].len > 0)
            memcpy(p, exts[i].data, exts[i].len);
        p += exts[i].len;
    }
    memset(p, 0, padded - body);
    return (int)(4 + padded);
}

int prism_rtp_build_header(uint8_t *buf, size_t cap, const struct prism_rtp_header_fields *f)
{
    if (!buf || !f || f->csrc_count > PRISM_RTP_MAX_CSRCS || f->payload_type > 127 ||
        (f->csrc_count > 0 && !f->csrcs) || (f->ext_count > 0 && !f->exts))
        return -EINVAL;
    size_t len = PRISM_RTP_FIXED_HEADER_LEN + 4 * (size_t)f->csrc_count;
    if (len > cap)
        return -ENOSPC;

    buf[0] = (uint8_t)(0x80 | (f->ext_count > 0 ? 0x10 : 0) | f->csrc_count);
    buf[1] = (uint8_t)((f->marker ? 0x80 : 0) | f->payload_type);
    prism_write_be16(buf + 2, f->seq);
    prism_write_be32(buf + 4, f->timestamp);
    prism_write_be32(buf + 8, f->ssrc);
    for (unsigned i = 0; i < f->csrc_count; i++)
        prism_write_be32(buf + PRISM_RTP_FIXED_HEADER_LEN + 4 * i, f->csrcs[i]);

    if (f->ext_count > 0) {
        int ext = build_extensions(buf + len, cap - len, f->exts, f->ext_count);
        if (ext < 0)
            return ext;
        len += (size_t)ext;
    }
    return (int)len;
}

int prism_rtp_add_padding(uint8_t *buf, size_t len, size_t cap, uint8_t pad_len)
{
    if (!buf || len < PRISM_RTP_FIXED_HEADER_LEN || len > INT_MAX - 255 || pad_len == 0 ||
        (buf[0] & 0x20))
        return -EINVAL;
    if (cap < len || pad_len > cap - len)
        return -ENOSPC;
    memset(buf + len, 0, pad_len - 1u);
    buf[len + pad_len - 1] = pad_len;
    buf[0] |= 0x20;
    return (int)(len + pad_len);
}
