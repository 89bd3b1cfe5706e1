/* The bitrate of a stream or of one simulcast layer over a sliding second, in 100 ms buckets:
 * what the automatic layer choice needs to know a layer costs. Sans-IO: the caller gives the
 * time. */
#include "media/alloc/alloc.h"

#include <string.h>

/* Moves the window so that its newest bucket holds now_us, emptying the buckets it passes. */
static void advance(struct prism_layer_rate *rate, uint64_t now_us)
{
    if (!rate->bucket_start_us || now_us < rate->bucket_start_us) {
        memset(rate->bytes, 0, sizeof(rate->bytes));
        rate->newest = 0;
        rate->history = 0;
        rate->bucket_start_us = now_us ? now_us : 1;
        return;
    }
    uint64_t steps = (now_us - rate->bucket_start_us) / PRISM_LAYER_RATE_BUCKET_US;
    if (steps >= PRISM_LAYER_RATE_BUCKETS)
        memset(rate->bytes, 0, sizeof(rate->bytes));
    else {
        for (uint64_t i = 0; i < steps; i++) {
            rate->newest = (uint8_t)((rate->newest + 1) % PRISM_LAYER_RATE_BUCKETS);
            rate->bytes[rate->newest] = 0;
        }
    }
    rate->history = (uint8_t)(rate->history + steps >= PRISM_LAYER_RATE_BUCKETS
                                  ? PRISM_LAYER_RATE_BUCKETS
                                  : rate->history + steps);
    rate->bucket_start_us += steps * PRISM_LAYER_RATE_BUCKET_US;
}

void prism_layer_rate_add(struct prism_layer_rate *rate, uint32_t bytes, uint64_t now_us)
{
    advance(rate, now_us);
    uint32_t *slot = &rate->bytes[rate->newest];
    *slot = *slot > UINT32_MAX - bytes ? UINT32_MAX : *slot + bytes;
}

uint64_t prism_layer_rate_bps(const struct prism_layer_rate *rate, uint64_t now_us)
{
    if (!rate->bucket_start_us || now_us < rate->bucket_start_us)
        return 0;
    uint64_t age = (now_us - rate->bucket_start_us) / PRISM_LAYER_RATE_BUCKET_US;
    if (age >= PRISM_LAYER_RATE_BUCKETS)
        return 0;
    /* Whole buckets only (the one now_us falls in is still filling), none older than the
     * window. */
    uint64_t sum = 0, whole = 0;
    for (uint64_t i = age ? 0 : 1; i + age < PRISM_LAYER_RATE_BUCKETS && i <= rate->history;
         i++, whole++)
        sum += rate->bytes[(rate->newest + PRISM_LAYER_RATE_BUCKETS - i) %
                           PRISM_LAYER_RATE_BUCKETS];
    if (!whole)
        return 0;
    return sum * 8u * 1000000u / (whole * PRISM_LAYER_RATE_BUCKET_US);
}
