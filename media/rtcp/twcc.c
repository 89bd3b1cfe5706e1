/* Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * section 3.1): validation of the whole message, then allocation-free per-packet iteration. */
#include "media/rtcp/feedback.h"

#include <errno.h>

#define SYMBOL_NOT_RECEIVED 0
#define SYMBOL_SMALL_DELTA 1 /* 1-byte unsigned receive delta */
#define SYMBOL_LARGE_DELTA 2 /* 2-byte signed receive delta */
#define SYMBOL_RESERVED 3
#define DELTA_UNIT_US 250
#define REFERENCE_UNIT_US 64000

static unsigned delta_size(unsigned symbol)
{
    return symbol == SYMBOL_SMALL_DELTA ? 1 : symbol == SYMBOL_LARGE_DELTA ? 2 : 0;
}

/* How many statuses a packet status chunk holds (run length: its run; vectors: 14 or 7). */
static unsigned chunk_capacity(uint16_t chunk)
{
    if (!(chunk & 0x8000))
        return chunk & 0x1FFF;
    return (chunk & 0x4000) ? 7 : 14;
}

/* The status symbol at position index of a chunk. */
static unsigned chunk_symbol(uint16_t chunk, unsigned index)
{
    if (!(chunk & 0x8000))
        return (chunk >> 13) & 0x03;
    if (!(chunk & 0x4000))
        return (chunk >> (13 - index)) & 0x01;
    return (chunk >> (12 - 2 * index)) & 0x03;
}

/* Accounts for the first n statuses of a chunk: delta bytes and received packets they imply.
 * Returns -EBADMSG on a reserved symbol. */
static int account_chunk(uint16_t chunk, unsigned n, size_t *delta_bytes, size_t *received)
{
    if (!(chunk & 0x8000)) {
        unsigned symbol = chunk_symbol(chunk, 0);
        if (symbol == SYMBOL_RESERVED && n > 0)
            return -EBADMSG;
        *delta_bytes += (size_t)n * delta_size(symbol);
        *received += symbol == SYMBOL_NOT_RECEIVED ? 0 : n;
        return 0;
    }
    for (unsigned i = 0; i < n; i++) {
        unsigned symbol = chunk_symbol(chunk, i);
        if (symbol == SYMBOL_RESERVED)
            return -EBADMSG;
        *delta_bytes += delta_size(symbol);
        *received += symbol != SYMBOL_NOT_RECEIVED;
    }
    return 0;
}

int prism_rtcp_twcc_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_twcc *out)
{
    if (!p || !out || p->type != PRISM_RTCP_RTPFB || p->count != PRISM_RTCP_RTPFB_TWCC)
        return -EINVAL;
    if (p->body_len < 16)
        return -EBADMSG;
    const uint8_t *b = p->body;
    struct prism_rtcp_twcc t = {
        .sender_ssrc = prism_read_be32(b),
        .media_ssrc = prism_read_be32(b + 4),
        .base_seq = prism_read_be16(b + 8),
        .status_count = prism_read_be16(b + 10),
        .reference_time = (int32_t)(prism_read_be24(b + 12) ^ 0x800000u) - 0x800000,
        .fb_count = b[15],
        .chunks = b + 16,
    };
    size_t avail = p->body_len - 16, pos = 0, covered = 0, delta_bytes = 0;
    while (covered < t.status_count) {
        if (avail - pos < 2)
            return -EBADMSG; /* the chunks describe fewer packets than the count says */
        uint16_t chunk = prism_read_be16(t.chunks + pos);
        pos += 2;
        size_t n = chunk_capacity(chunk);
        if (n > t.status_count - covered)
            n = t.status_count - covered;
        if (account_chunk(chunk, (unsigned)n, &delta_bytes, &t.received_count) < 0)
            return -EBADMSG;
        covered += n;
    }
    t.chunks_len = pos;
    if (delta_bytes > avail - pos)
        return -EBADMSG;
    t.deltas = t.chunks + pos;
    t.deltas_len = delta_bytes;
    *out = t;
    return 0;
}

void prism_rtcp_twcc_iter_init(struct prism_rtcp_twcc_iter *it, const struct prism_rtcp_twcc *twcc)
{
    it->twcc = twcc;
    it->chunk_pos = 0;
    it->delta_pos = 0;
    it->left = twcc->status_count;
    it->chunk = 0;
    it->chunk_left = 0;
    it->seq = twcc->base_seq;
    it->arrival_us = (int64_t)twcc->reference_time * REFERENCE_UNIT_US;
}

int prism_rtcp_twcc_next(struct prism_rtcp_twcc_iter *it, struct prism_rtcp_twcc_status *out)
{
    const struct prism_rtcp_twcc *t = it->twcc;
    if (it->left == 0)
        return 0;
    while (it->chunk_left == 0) { /* a run length of 0 holds nothing: take the next chunk */
        if (t->chunks_len - it->chunk_pos < 2)
            return -EBADMSG;
        it->chunk = prism_read_be16(t->chunks + it->chunk_pos);
        it->chunk_pos += 2;
        it->chunk_left = (uint16_t)chunk_capacity(it->chunk);
    }
    unsigned index = chunk_capacity(it->chunk) - it->chunk_left;
    unsigned symbol = chunk_symbol(it->chunk, index);
    unsigned size = delta_size(symbol);
    if (symbol == SYMBOL_RESERVED || t->deltas_len - it->delta_pos < size)
        return -EBADMSG;

    int32_t delta = 0;
    if (size == 1)
        delta = t->deltas[it->delta_pos];
    else if (size == 2)
        delta = (int16_t)prism_read_be16(t->deltas + it->delta_pos);
    it->delta_pos += size;
    it->chunk_left--;
    it->left--;

    out->seq = it->seq++;
    out->received = symbol != SYMBOL_NOT_RECEIVED;
    out->delta_us = delta * DELTA_UNIT_US;
    it->arrival_us += out->delta_us;
    out->arrival_us = out->received ? it->arrival_us : 0;
    return 1;
}
