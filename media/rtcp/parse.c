/* RTCP compound packet iteration and the RFC 3550 report, SDES and BYE parsers. */
#include "media/rtcp/rtcp.h"

#include <errno.h>

void prism_rtcp_iter_init(struct prism_rtcp_iter *it, const uint8_t *data, size_t len)
{
    it->start = data;
    it->len = data ? len : 0;
    it->pos = 0;
    it->failed = false;
}

int prism_rtcp_next(struct prism_rtcp_iter *it, struct prism_rtcp_packet *out)
{
    if (it->failed)
        return -EBADMSG;
    if (it->pos == it->len)
        return 0;
    size_t left = it->len - it->pos;
    const uint8_t *h = it->start + it->pos;
    if (left < PRISM_RTCP_HEADER_LEN || (h[0] >> 6) != 2)
        goto malformed;
    size_t len = 4 * ((size_t)prism_read_be16(h + 2) + 1);
    if (len > left)
        goto malformed;
    size_t body_len = len - PRISM_RTCP_HEADER_LEN;
    bool padding = (h[0] & 0x20) != 0;
    if (padding) {
        /* The last octet counts the padding, itself included. */
        uint8_t pad = h[len - 1];
        if (body_len == 0 || pad == 0 || pad > body_len)
            goto malformed;
        body_len -= pad;
    }
    out->type = h[1];
    out->count = h[0] & 0x1F;
    out->padding = padding;
    out->offset = it->pos;
    out->data = h;
    out->len = len;
    out->body = h + PRISM_RTCP_HEADER_LEN;
    out->body_len = body_len;
    it->pos += len;
    return 1;

malformed:
    it->failed = true;
    return -EBADMSG;
}

int prism_rtcp_validate(const uint8_t *data, size_t len)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    int rc;
    if (!data || len == 0)
        return -EBADMSG;
    prism_rtcp_iter_init(&it, data, len);
    while ((rc = prism_rtcp_next(&it, &p)) > 0)
        ;
    return rc;
}

int prism_rtcp_report_get(const struct prism_rtcp_reports *reports, unsigned index,
                          struct prism_rtcp_report_block *out)
{
    if (!reports || !out || index >= reports->count)
        return -EINVAL;
    const uint8_t *b = reports->blocks + PRISM_RTCP_REPORT_BLOCK_LEN * (size_t)index;
    out->ssrc = prism_read_be32(b);
    out->fraction_lost = b[4];
    /* Sign-extend the 24-bit count: a receiver may report duplicates as negative loss. */
    uint32_t lost = prism_read_be24(b + 5);
    out->cumulative_lost = (int32_t)(lost ^ 0x800000u) - 0x800000;
    out->highest_seq = prism_read_be32(b + 8);
    out->jitter = prism_read_be32(b + 12);
    out->last_sr = prism_read_be32(b + 16);
    out->delay_since_last_sr = prism_read_be32(b + 20);
    return 0;
}

int prism_rtcp_sr_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_sr *out)
{
    if (!p || !out || p->type != PRISM_RTCP_SR)
        return -EINVAL;
    if (p->body_len < 24 + PRISM_RTCP_REPORT_BLOCK_LEN * (size_t)p->count)
        return -EBADMSG;
    const uint8_t *b = p->body;
    out->info.ssrc = prism_read_be32(b);
    out->info.ntp = prism_read_be64(b + 4);
    out->info.rtp_timestamp = prism_read_be32(b + 12);
    out->info.packet_count = prism_read_be32(b + 16);
    out->info.octet_count = prism_read_be32(b + 20);
    out->reports.blocks = b + 24;
    out->reports.count = p->count;
    return 0;
}

int prism_rtcp_rr_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_rr *out)
{
    if (!p || !out || p->type != PRISM_RTCP_RR)
        return -EINVAL;
    if (p->body_len < 4 + PRISM_RTCP_REPORT_BLOCK_LEN * (size_t)p->count)
        return -EBADMSG;
    out->ssrc = prism_read_be32(p->body);
    out->reports.blocks = p->body + 4;
    out->reports.count = p->count;
    return 0;
}

int prism_rtcp_sdes_iter_init(struct prism_rtcp_sdes_iter *it, const struct prism_rtcp_packet *p)
{
    if (!it || !p || p->type != PRISM_RTCP_SDES)
        return -EINVAL;
    it->body = p->body;
    it->len = p->body_len;
    it->pos = 0;
    it->chunks_left = p->count;
    it->in_chunk = false;
    it->ssrc = 0;
    return 0;
}

int prism_rtcp_sdes_next(struct prism_rtcp_sdes_iter *it, struct prism_rtcp_sdes_item *out)
{
    for (;;) {
        if (!it->in_chunk) {
            if (it->chunks_left == 0)
                return 0;
            if (it->len - it->pos < 4)
                goto malformed;
            it->ssrc = prism_read_be32(it->body + it->pos);
            it->pos += 4;
            it->in_chunk = true;
            it->chunks_left--;
        }
        if (it->pos >= it->len)
            goto malformed;
        const uint8_t *item = it->body + it->pos;
        if (item[0] == PRISM_RTCP_SDES_END) {
            /* A null item ends the chunk, which is then padded to a 32-bit boundary. */
            it->pos = (it->pos + 4) & ~(size_t)3;
            if (it->pos > it->len)
                goto malformed;
            it->in_chunk = false;
            continue;
        }
        if (it->len - it->pos < 2 || item[1] > it->len - it->pos - 2)
            goto malformed;
        out->ssrc = it->ssrc;
        out->type = item[0];
        out->len = item[1];
        out->text = item + 2;
        it->pos += 2 + (size_t)item[1];
        return 1;
    }

malformed:
    it->chunks_left = 0;
    it->in_chunk = false;
    return -EBADMSG;
}

int prism_rtcp_sdes_find_cname(const struct prism_rtcp_packet *p, struct prism_rtcp_sdes_item *out)
{
    struct prism_rtcp_sdes_iter it;
    struct prism_rtcp_sdes_item item;
    int rc = prism_rtcp_sdes_iter_init(&it, p);
    if (rc < 0 || !out)
        return -EINVAL;
    while ((rc = prism_rtcp_sdes_next(&it, &item)) > 0) {
        if (item.type == PRISM_RTCP_SDES_CNAME) {
            *out = item;
            return 0;
        }
    }
    return rc < 0 ? rc : -ENOENT;
}

int prism_rtcp_bye_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_bye *out)
{
    if (!p || !out || p->type != PRISM_RTCP_BYE)
        return -EINVAL;
    size_t ssrcs_len = 4 * (size_t)p->count;
    if (p->body_len < ssrcs_len)
        return -EBADMSG;
    struct prism_rtcp_bye bye = {.count = p->count, .ssrcs = p->body};
    size_t rest = p->body_len - ssrcs_len;
    if (rest > 0) {
        const uint8_t *r = p->body + ssrcs_len;
        if ((size_t)r[0] > rest - 1)
            return -EBADMSG;
        /* A zero length byte is just the start of the word padding: no reason given. */
        if (r[0] > 0) {
            bye.reason = r + 1;
            bye.reason_len = r[0];
        }
    }
    *out = bye;
    return 0;
}
