/* The send history of the bandwidth estimator: what was sent by transport sequence number, so
 * that a feedback status becomes (send time, arrival time, size), and the rate the receiver
 * acknowledged (R_hat, "the receive rate", of draft-ietf-rmcat-gcc-02 section 5.5). */
#include "media/bwe/internal.h"

#include <string.h>

#define HISTORY_MASK (BWE_HISTORY_SIZE - 1)
#define ACKED_WINDOW_US 500000 /* gcc-02: R_hat is measured over the last 0.5 s */

void bwe_history_init(struct bwe_history *h)
{
    memset(h, 0, sizeof(*h));
    h->last_seq = -1;
}

/* The unwrapped number of 16-bit `seq`: the one nearest the last packet sent. */
static int64_t unwrap(const struct bwe_history *h, uint16_t seq)
{
    if (h->last_seq < 0)
        return seq;
    return h->last_seq + (int16_t)(uint16_t)(seq - (uint16_t)h->last_seq);
}

void bwe_history_on_sent(struct bwe_history *h, uint16_t seq, uint32_t size, uint64_t send_us,
                         uint8_t cluster)
{
    int64_t unwrapped = unwrap(h, seq);
    if (h->last_seq < 0 || unwrapped > h->last_seq)
        h->last_seq = unwrapped;
    if (unwrapped < 0)
        return;
    struct bwe_sent *slot = &h->sent[unwrapped & HISTORY_MASK];
    *slot = (struct bwe_sent){.send_us = send_us,
                              .seq = (uint32_t)unwrapped,
                              .size = size > UINT16_MAX ? UINT16_MAX : (uint16_t)size,
                              .used = true,
                              .cluster = cluster};
}

struct bwe_sent *bwe_history_find(struct bwe_history *h, uint16_t seq)
{
    if (h->last_seq < 0)
        return NULL;
    int64_t unwrapped = unwrap(h, seq);
    if (unwrapped < 0 || unwrapped > h->last_seq)
        return NULL;
    struct bwe_sent *slot = &h->sent[unwrapped & HISTORY_MASK];
    return slot->used && slot->seq == (uint32_t)unwrapped && !slot->reported ? slot : NULL;
}

void bwe_history_on_acked(struct bwe_history *h, int64_t arrival_us, uint32_t size)
{
    h->acked[h->acked_next] = (struct bwe_acked){arrival_us, size};
    h->acked_next = (h->acked_next + 1) % BWE_ACKED_SIZE;
    if (h->acked_count < BWE_ACKED_SIZE)
        h->acked_count++;
}

uint64_t bwe_history_acked_bps(const struct bwe_history *h)
{
    if (h->acked_count < 2)
        return 0;
    size_t newest = (h->acked_next + BWE_ACKED_SIZE - 1) % BWE_ACKED_SIZE;
    int64_t end = h->acked[newest].arrival_us, start = end;
    uint64_t bytes = 0;
    for (size_t n = 0; n < h->acked_count; n++) {
        const struct bwe_acked *a = &h->acked[(newest + BWE_ACKED_SIZE - n) % BWE_ACKED_SIZE];
        if (a->arrival_us <= end - ACKED_WINDOW_US)
            break;
        bytes += a->size;
        if (a->arrival_us < start)
            start = a->arrival_us;
    }
    /* Less than 100 ms of arrivals says little about a rate. */
    int64_t span = end - start;
    if (span < 100000)
        return 0;
    return bytes * 8u * 1000000u / (uint64_t)span;
}
