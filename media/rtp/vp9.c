/* VP9 RTP payload descriptor (RFC 9628 section 4.2): the fields a forwarder needs, with every
 * optional part (reference indices, scalability structure) length-checked and skipped. */
#include "media/rtp/codec.h"

#include <errno.h>
#include <string.h>

#define VP9_MAX_P_DIFF 3

/* Skips the scalability structure at p[pos]; returns the position after it or -EBADMSG. */
static int skip_scalability_structure(const uint8_t *p, size_t len, size_t pos,
                                      struct prism_rtp_vp9 *d)
{
    if (pos >= len)
        return -EBADMSG;
    uint8_t head = p[pos++];
    d->spatial_layers = (uint8_t)((head >> 5) + 1);
    if (head & 0x10) { /* Y: a width and height per spatial layer */
        size_t sizes = 4 * (size_t)d->spatial_layers;
        if (len - pos < sizes)
            return -EBADMSG;
        pos += sizes;
    }
    if (head & 0x08) { /* G: picture group description */
        if (pos >= len)
            return -EBADMSG;
        unsigned groups = p[pos++];
        for (unsigned i = 0; i < groups; i++) {
            if (pos >= len)
                return -EBADMSG;
            size_t refs = (p[pos++] >> 2) & 0x03;
            if (len - pos < refs)
                return -EBADMSG;
            pos += refs;
        }
    }
    return (int)pos;
}

/* Reads the picture id at p[pos]; returns the position after it or -EBADMSG. */
static int read_picture_id(const uint8_t *p, size_t len, size_t pos, struct prism_rtp_vp9 *d)
{
    if (pos >= len)
        return -EBADMSG;
    d->long_picture_id = (p[pos] & 0x80) != 0;
    if (!d->long_picture_id) {
        d->picture_id = p[pos] & 0x7F;
        return (int)pos + 1;
    }
    if (len - pos < 2)
        return -EBADMSG;
    d->picture_id = (uint16_t)((p[pos] & 0x7F) << 8 | p[pos + 1]);
    return (int)pos + 2;
}

/* Reads the layer indices (and TL0PICIDX in non-flexible mode) at p[pos]. */
static int read_layer_indices(const uint8_t *p, size_t len, size_t pos, struct prism_rtp_vp9 *d)
{
    if (pos >= len)
        return -EBADMSG;
    d->tid = p[pos] >> 5;
    d->switching_up = (p[pos] & 0x10) != 0;
    d->sid = (p[pos] >> 1) & 0x07;
    d->inter_layer = (p[pos] & 0x01) != 0;
    pos++;
    if (!d->flexible) {
        if (pos >= len)
            return -EBADMSG;
        d->has_tl0picidx = true;
        d->tl0picidx = p[pos++];
    }
    return (int)pos;
}

int prism_rtp_vp9_parse(const uint8_t *payload, size_t len, struct prism_rtp_vp9 *out)
{
    if (!payload || !out)
        return -EINVAL;
    if (len < 1)
        return -EBADMSG;
    struct prism_rtp_vp9 d;
    memset(&d, 0, sizeof(d));
    uint8_t b = payload[0];
    d.has_picture_id = (b & 0x80) != 0;
    d.inter_picture = (b & 0x40) != 0;
    d.has_layer_indices = (b & 0x20) != 0;
    d.flexible = (b & 0x10) != 0;
    d.begin_frame = (b & 0x08) != 0;
    d.end_frame = (b & 0x04) != 0;
    d.has_ss = (b & 0x02) != 0;
    d.not_upper_reference = (b & 0x01) != 0;

    int pos = 1;
    if (d.has_picture_id && (pos = read_picture_id(payload, len, (size_t)pos, &d)) < 0)
        return pos;
    if (d.has_layer_indices && (pos = read_layer_indices(payload, len, (size_t)pos, &d)) < 0)
        return pos;
    if (d.flexible && d.inter_picture) {
        /* Up to three reference differences, each with a "one more follows" bit. */
        for (int n = 0;; n++) {
            if (n == VP9_MAX_P_DIFF || (size_t)pos >= len)
                return -EBADMSG;
            if (!(payload[pos++] & 0x01))
                break;
        }
    }
    if (d.has_ss && (pos = skip_scalability_structure(payload, len, (size_t)pos, &d)) < 0)
        return pos;
    d.descriptor_len = (uint16_t)pos;
    d.keyframe = !d.inter_picture && d.begin_frame && d.sid == 0;
    *out = d;
    return 0;
}
