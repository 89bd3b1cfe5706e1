/* The send history of the bandwidth estimator: what was sent by transport sequence number, so
 * that a feedback status becomes (send time, arrival time, size), and the rate the receiver
 * acknowledged (R_hat, "the receive rate", of draft-ietf-rmcat-gcc-02 section 5.5). */
#include "media/bwe/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ACKED_WINDOW_US 500000 /* gcc-02: R_hat is measured over the last 0.5 s */

int bwe_history_init(struct bwe_history *h)
{
    memset(h, 0, sizeof(*h));
    h->last_seq = -1;
    h->last_named = -1;
    h->sent = calloc(BWE_RING_START, sizeof(*h->sent));
    h->acked = calloc(BWE_RING_START, sizeof(*h->acked));
    if (!h->sent || !h->acked) {
        bwe_history_clear(h);
        return -ENOMEM;
    }
    h->sent_size = h->acked_size = BWE_RING_START;
    return 0;
}

void bwe_history_clear(struct bwe_history *h)
{
    free(h->sent);
    free(h->acked);
    h->sent = NULL;
    h->acked = NULL;
    h->sent_size = h->acked_size = 0;
}

/* Doubles the send ring, each packet moved to its slot in the larger one (of two that land on
 * one slot, the later wins). False when at the bound or out of memory. */
static bool grow_sent(struct bwe_history *h)
{
    size_t size = h->sent_size * 2;
    if (size > BWE_HISTORY_MAX)
        return false;
    struct bwe_sent *grown = calloc(size, sizeof(*grown));
    if (!grown)
        return false;
    for (size_t i = 0; i < h->sent_size; i++) {
        const struct bwe_sent *old = &h->sent[i];
        struct bwe_sent *slot = &grown[old->seq & (size - 1)];
        if (old->used && (!slot->used || (int32_t)(old->seq - slot->seq) > 0))
            *slot = *old;
    }
    free(h->sent);
    h->sent = grown;
    h->sent_size = size;
    return true;
}

/* Doubles the acknowledged ring, oldest first in the larger one. */
static bool grow_acked(struct bwe_history *h)
{
    size_t size = h->acked_size * 2;
    if (size > BWE_ACKED_MAX)
        return false;
    struct bwe_acked *grown = calloc(size, sizeof(*grown));
    if (!grown)
        return false;
    size_t oldest = (h->acked_next + h->acked_size - h->acked_count) % h->acked_size;
    for (size_t n = 0; n < h->acked_count; n++)
        grown[n] = h->acked[(oldest + n) % h->acked_size];
    free(h->acked);
    h->acked = grown;
    h->acked_size = size;
    h->acked_next = h->acked_count;
    return true;
}

/* The unwrapped number of 16-bit `seq`: the one nearest the last packet sent. */
static int64_t unwrap(const struct bwe_history *h, uint16_t seq)
{
    if (h->last_seq < 0)
        return seq;
    return h->last_seq + (int16_t)(uint16_t)(seq - (uint16_t)h->last_seq);
}

/* Whether feedback may still name this unreported packet: none has reached it yet (the
 * numbers' low 32 bits compare within the ring's span), or it was sent lately. */
static bool still_needed(const struct bwe_history *h, const struct bwe_sent *sent, uint64_t now_us)
{
    bool unreached = h->last_named >= 0 && (int32_t)(sent->seq - (uint32_t)h->last_named) > 0;
    return unreached || now_us < sent->send_us + BWE_HISTORY_KEEP_US;
}

void bwe_history_on_sent(struct bwe_history *h, uint16_t seq, uint32_t size, uint64_t send_us,
                         uint8_t cluster)
{
    int64_t unwrapped = unwrap(h, seq);
    if (h->last_seq < 0 || unwrapped > h->last_seq)
        h->last_seq = unwrapped;
    if (unwrapped < 0 || !h->sent_size)
        return;
    struct bwe_sent *slot = &h->sent[(size_t)unwrapped & (h->sent_size - 1)];
    /* A packet feedback may still name would be forgotten: grow instead (a few times per
     * subscriber, as its rate needs). */
    while (slot->used && !slot->reported && slot->seq != (uint32_t)unwrapped &&
           still_needed(h, slot, send_us) && grow_sent(h))
        slot = &h->sent[(size_t)unwrapped & (h->sent_size - 1)];
    *slot = (struct bwe_sent){.send_us = send_us,
                              .seq = (uint32_t)unwrapped,
                              .size = size > UINT16_MAX ? UINT16_MAX : (uint16_t)size,
                              .used = true,
                              .cluster = cluster};
}

struct bwe_sent *bwe_history_find(struct bwe_history *h, uint16_t seq)
{
    if (h->last_seq < 0 || !h->sent_size)
        return NULL;
    int64_t unwrapped = unwrap(h, seq);
    if (unwrapped < 0 || unwrapped > h->last_seq)
        return NULL;
    if (unwrapped > h->last_named)
        h->last_named = unwrapped;
    struct bwe_sent *slot = &h->sent[(size_t)unwrapped & (h->sent_size - 1)];
    return slot->used && slot->seq == (uint32_t)unwrapped && !slot->reported ? slot : NULL;
}

void bwe_history_on_acked(struct bwe_history *h, int64_t arrival_us, uint32_t size)
{
    if (!h->acked_size)
        return;
    if (h->acked_count == h->acked_size) {
        /* Full: the oldest goes unless it is still within the window of this arrival. */
        const struct bwe_acked *oldest = &h->acked[h->acked_next];
        if (oldest->arrival_us > arrival_us - ACKED_WINDOW_US)
            grow_acked(h);
    }
    h->acked[h->acked_next] = (struct bwe_acked){arrival_us, size};
    h->acked_next = (h->acked_next + 1) % h->acked_size;
    if (h->acked_count < h->acked_size)
        h->acked_count++;
}

uint64_t bwe_history_acked_bps(const struct bwe_history *h)
{
    if (h->acked_count < 2)
        return 0;
    size_t ring = h->acked_size;
    size_t newest = (h->acked_next + ring - 1) % ring;
    int64_t end = h->acked[newest].arrival_us, start = end;
    uint64_t bytes = 0;
    for (size_t n = 0; n < h->acked_count; n++) {
        const struct bwe_acked *a = &h->acked[(newest + ring - n) % ring];
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
