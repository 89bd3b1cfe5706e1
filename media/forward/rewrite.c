/* Writing the subscriber's copy of a packet: the fixed header, the subscriber's extension block
 * (ext_rewrite.h) and the publisher's payload copied once, then the subscriber's SSRC, payload
 * type, sequence number, timestamp and VP8 picture ids written in place (the payload keeps its
 * layout, at the copy's own header length). */
#include "media/forward/forward_internal.h"

#include <errno.h>
#include <string.h>

int forward_copy(const struct prism_forward_stream *s, const struct prism_rtp_header *in,
                 const uint8_t *in_packet, size_t in_len, struct forward_packet *p, uint8_t *out,
                 size_t out_cap)
{
    size_t body = in_len - in->header_len; /* payload and padding */
    if (out_cap < body)
        return -ENOSPC;
    /* Writes nothing unless the header fits before the body. */
    int header_len = prism_rtp_ext_rewrite(out, out_cap - body, in_packet, in, &s->extensions,
                                           &s->added_extensions);
    if (header_len < 0)
        return header_len;
    memcpy(out + header_len, in->payload, body);
    prism_rtp_set_payload_type(out, p->subscriber_pt);
    prism_rtp_set_ssrc(out, s->ssrc);
    p->out_header_len = (size_t)header_len;
    p->out_len = (size_t)header_len + body;
    return 0;
}

void prism_forward_stamp(const struct prism_forward_stream *s, uint8_t *packet, size_t len,
                         uint64_t now_us)
{
    if (!s || !s->added_extensions.count)
        return;
    uint8_t *at = prism_rtp_ext_stamp_at(packet, len, &s->added_extensions,
                                         PRISM_RTP_EXT_STAMP_ABS_SEND_TIME);
    if (at)
        prism_rtp_abs_send_time_write(at, 3, prism_rtp_abs_send_time_from_us(now_us));
}

/* Writes the segment's picture id and TL0PICIDX into the copy (the offsets must be based for
 * what the descriptor carries) and returns them in *id and *index. */
static void write_vp8_ids(const struct prism_forward_stream *s, const struct prism_rtp_vp8 *d,
                          uint8_t *payload, size_t len, uint16_t *id, uint8_t *index)
{
    if (d->has_picture_id) {
        *id = (uint16_t)((d->picture_id + s->picture_id_offset) & 0x7FFF);
        (void)prism_rtp_vp8_set_picture_id(payload, len, d, *id);
    }
    if (d->has_tl0picidx) {
        *index = (uint8_t)(d->tl0picidx + s->tl0picidx_offset);
        (void)prism_rtp_vp8_set_tl0picidx(payload, len, d, *index);
    }
}

/* Picture ids and TL0PICIDX continue from the last ones sent: each segment gets an offset on
 * its first packet that carries them (the previous segment's newest + 1), so the decoder sees
 * the next picture rather than a jump. A 7-bit picture id keeps the low 7 bits continuous. */
static void rewrite_vp8(struct prism_forward_stream *s, const struct prism_rtp_vp8 *d,
                        uint8_t *payload, size_t len, bool newest)
{
    if (d->has_picture_id && !s->picture_id_based) {
        s->picture_id_offset = s->out.has_picture_id
                                   ? (uint16_t)(s->out.picture_id + 1 - d->picture_id)
                                   : 0;
        s->picture_id_based = true;
    }
    if (d->has_tl0picidx && !s->tl0picidx_based) {
        s->tl0picidx_offset = s->out.has_tl0picidx ? (uint8_t)(s->out.tl0picidx + 1 - d->tl0picidx)
                                                   : 0;
        s->tl0picidx_based = true;
    }
    uint16_t id = 0;
    uint8_t index = 0;
    write_vp8_ids(s, d, payload, len, &id, &index);
    if (newest && d->has_picture_id) {
        s->out.picture_id = id;
        s->out.has_picture_id = true;
    }
    if (newest && d->has_tl0picidx) {
        s->out.tl0picidx = index;
        s->out.has_tl0picidx = true;
    }
}

void forward_write_continuity(struct prism_forward_stream *s, const struct prism_rtp_header *in,
                              const struct forward_packet *p, uint8_t *out, uint16_t seq,
                              uint64_t now_us)
{
    uint32_t timestamp = in->timestamp + s->timestamp_offset;
    prism_rtp_set_seq(out, seq);
    prism_rtp_set_timestamp(out, timestamp);
    /* Only the newest packet sent defines where the next segment continues from; a late one
     * fills a gap behind it. */
    bool newest = !s->out.started || prism_rtp_seq_newer(seq, s->out.seq);
    if (p->has_vp8)
        rewrite_vp8(s, &p->vp8, out + p->out_header_len, in->payload_len, newest);
    if (newest) {
        s->out.started = true;
        s->out.seq = seq;
        s->out.timestamp = timestamp;
        s->out.time_us = now_us;
    }
}

int forward_write_resend(const struct prism_forward_stream *s, const struct prism_rtp_header *in,
                         const struct forward_packet *p, uint8_t *out, uint16_t seq)
{
    if (p->has_vp8 && ((p->vp8.has_picture_id && !s->picture_id_based) ||
                       (p->vp8.has_tl0picidx && !s->tl0picidx_based)))
        return -ENOENT;
    prism_rtp_set_seq(out, seq);
    prism_rtp_set_timestamp(out, in->timestamp + s->timestamp_offset);
    uint16_t id;
    uint8_t index;
    if (p->has_vp8)
        write_vp8_ids(s, &p->vp8, out + p->out_header_len, in->payload_len, &id, &index);
    return 0;
}
