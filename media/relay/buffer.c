/* Relay buffers: a free list of the owner's, and a lock-free stack of buffers returned by any
 * thread, which the owner swaps out whole when its list runs dry. */
#include "media/relay/buffer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct prism_relay_pool {
    struct prism_relay_buffer *free_list;          /* owner only */
    _Atomic(struct prism_relay_buffer *) returned; /* pushed by any thread, emptied by owner */
    size_t allocated;                              /* owner only */
    size_t free_count;                             /* owner only: length of free_list */
};

int prism_relay_pool_create(struct prism_relay_pool **out)
{
    struct prism_relay_pool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return -ENOMEM;
    atomic_init(&pool->returned, NULL);
    *out = pool;
    return 0;
}

static void free_chain(struct prism_relay_buffer *buffer)
{
    while (buffer) {
        struct prism_relay_buffer *next = buffer->next;
        free(buffer);
        buffer = next;
    }
}

void prism_relay_pool_destroy(struct prism_relay_pool *pool)
{
    if (!pool)
        return;
    free_chain(pool->free_list);
    free_chain(atomic_exchange(&pool->returned, NULL));
    free(pool);
}

/* Moves every returned buffer to the owner's list. */
static void collect_returned(struct prism_relay_pool *pool)
{
    struct prism_relay_buffer *chain = atomic_exchange_explicit(&pool->returned, NULL,
                                                                memory_order_acquire);
    while (chain) {
        struct prism_relay_buffer *next = chain->next;
        chain->next = pool->free_list;
        pool->free_list = chain;
        pool->free_count++;
        chain = next;
    }
}

struct prism_relay_buffer *prism_relay_buffer_take(struct prism_relay_pool *pool)
{
    if (!pool->free_list)
        collect_returned(pool);
    struct prism_relay_buffer *buffer = pool->free_list;
    if (buffer) {
        pool->free_list = buffer->next;
        pool->free_count--;
    } else {
        buffer = malloc(sizeof(*buffer));
        if (!buffer)
            return NULL;
        buffer->pool = pool;
        pool->allocated++;
    }
    buffer->next = NULL;
    buffer->len = 0;
    buffer->sequence = 0;
    buffer->arrival_us = 0;
    atomic_init(&buffer->refs, 1);
    return buffer;
}

struct prism_relay_buffer *prism_relay_buffer_copy(struct prism_relay_pool *pool,
                                                   const uint8_t *data, size_t len,
                                                   uint64_t arrival_us)
{
    if (len > PRISM_RELAY_BUFFER_SIZE)
        return NULL;
    struct prism_relay_buffer *buffer = prism_relay_buffer_take(pool);
    if (!buffer)
        return NULL;
    memcpy(buffer->data, data, len);
    buffer->len = (uint16_t)len;
    buffer->arrival_us = arrival_us;
    if (len >= 4)
        buffer->sequence = (uint16_t)(data[2] << 8 | data[3]);
    return buffer;
}

struct prism_relay_buffer *prism_relay_buffer_ref(struct prism_relay_buffer *buffer)
{
    atomic_fetch_add_explicit(&buffer->refs, 1, memory_order_relaxed);
    return buffer;
}

void prism_relay_buffer_unref(struct prism_relay_buffer *buffer)
{
    if (!buffer || atomic_fetch_sub_explicit(&buffer->refs, 1, memory_order_acq_rel) != 1)
        return;
    struct prism_relay_pool *pool = buffer->pool;
    struct prism_relay_buffer *head = atomic_load_explicit(&pool->returned, memory_order_relaxed);
    do {
        buffer->next = head;
    } while (!atomic_compare_exchange_weak_explicit(&pool->returned, &head, buffer,
                                                    memory_order_release, memory_order_relaxed));
}

size_t prism_relay_pool_allocated(const struct prism_relay_pool *pool)
{
    return pool->allocated;
}

size_t prism_relay_pool_outstanding(struct prism_relay_pool *pool)
{
    collect_returned(pool);
    return pool->allocated - pool->free_count;
}
