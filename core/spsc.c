/* The SPSC ring: positions grow without wrapping (64 bits) and are masked into the slots. */
#include "core/spsc.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Each side's positions sit on their own cache line, so that the producer's stores do not
 * keep invalidating the line the consumer reads in a loop, and the other way round. */
struct prism_spsc {
    size_t mask;
    size_t message_size;
    uint8_t *slots;

    /* producer's line */
    alignas(64) _Atomic uint64_t tail; /* published end: the consumer reads it */
    uint64_t staged_tail;              /* producer only: end of the staged messages */
    uint64_t head_cache;               /* producer only: the consumer's head, last seen */

    /* consumer's line */
    alignas(64) _Atomic uint64_t head; /* next to pop: the producer reads it */
    uint64_t tail_cache;               /* consumer only: the published tail, last seen */
};

int prism_spsc_create(struct prism_spsc **out, size_t capacity, size_t message_size)
{
    if (capacity < 2 || (capacity & (capacity - 1)) || message_size == 0)
        return -EINVAL;
    struct prism_spsc *ring = aligned_alloc(64, (sizeof(*ring) + 63) / 64 * 64);
    if (!ring)
        return -ENOMEM;
    memset(ring, 0, sizeof(*ring));
    ring->slots = calloc(capacity, message_size);
    if (!ring->slots) {
        free(ring);
        return -ENOMEM;
    }
    ring->mask = capacity - 1;
    ring->message_size = message_size;
    atomic_init(&ring->tail, 0);
    atomic_init(&ring->head, 0);
    *out = ring;
    return 0;
}

void prism_spsc_destroy(struct prism_spsc *ring)
{
    if (!ring)
        return;
    free(ring->slots);
    free(ring);
}

void *prism_spsc_stage(struct prism_spsc *ring)
{
    size_t capacity = ring->mask + 1;
    if (ring->staged_tail - ring->head_cache >= capacity) {
        ring->head_cache = atomic_load_explicit(&ring->head, memory_order_acquire);
        if (ring->staged_tail - ring->head_cache >= capacity)
            return NULL;
    }
    return ring->slots + (ring->staged_tail++ & ring->mask) * ring->message_size;
}

size_t prism_spsc_staged(const struct prism_spsc *ring)
{
    return (size_t)(ring->staged_tail - atomic_load_explicit(&ring->tail, memory_order_relaxed));
}

bool prism_spsc_publish(struct prism_spsc *ring)
{
    uint64_t old_tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    if (ring->staged_tail == old_tail)
        return false;
    atomic_store_explicit(&ring->tail, ring->staged_tail, memory_order_release);
    /* Pairs with the consumer's fence in pop: either it sees this tail when it re-checks, or
     * this load sees that it had caught up with everything published before. */
    atomic_thread_fence(memory_order_seq_cst);
    ring->head_cache = atomic_load_explicit(&ring->head, memory_order_relaxed);
    return ring->head_cache == old_tail;
}

bool prism_spsc_pop(struct prism_spsc *ring, void *out)
{
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    if (head == ring->tail_cache) {
        ring->tail_cache = atomic_load_explicit(&ring->tail, memory_order_acquire);
        if (head == ring->tail_cache) {
            /* Empty: announce it (our head is already stored), then look once more. */
            atomic_thread_fence(memory_order_seq_cst);
            ring->tail_cache = atomic_load_explicit(&ring->tail, memory_order_acquire);
            if (head == ring->tail_cache)
                return false;
        }
    }
    memcpy(out, ring->slots + (head & ring->mask) * ring->message_size, ring->message_size);
    atomic_store_explicit(&ring->head, head + 1, memory_order_release);
    return true;
}
