/* Immutable, reference-counted packet buffers that cross worker threads.
 *
 * A publisher's worker copies each decrypted packet it relays once into a buffer from its own
 * pool; every worker that fans it out holds a reference while it rewrites and sends its
 * copies (and while its retransmission history keeps it). Nobody writes the packet after it
 * was filled. The last reference, on whichever thread, returns the buffer to its pool through
 * a lock-free stack that only the pool's owner empties (taking all of it at once, so the
 * stack has no ABA problem). The pool grows to the number of buffers in flight and then
 * stops allocating. */
#ifndef PRISM_MEDIA_RELAY_BUFFER_H
#define PRISM_MEDIA_RELAY_BUFFER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* The largest packet a buffer holds: an MTU-sized RTP packet, in the clear. */
#define PRISM_RELAY_BUFFER_SIZE 1500

struct prism_relay_pool;

/* A packet in flight. `data` and `len` are written by the filler before the first
 * prism_relay_send and read-only afterwards. */
struct prism_relay_buffer {
    atomic_uint refs;
    struct prism_relay_pool *pool;   /* where it returns */
    struct prism_relay_buffer *next; /* in a free list only */
    uint64_t arrival_us;             /* when the publisher's packet arrived */
    uint16_t sequence;               /* the RTP sequence number, for histories */
    uint16_t len;
    uint8_t data[PRISM_RELAY_BUFFER_SIZE];
};

/* Returns 0 or -ENOMEM. The pool belongs to the thread that takes buffers from it. */
int prism_relay_pool_create(struct prism_relay_pool **out);
/* Frees the pool and its free buffers. Every buffer must have come back (counted below):
 * call it once no thread holds one. */
void prism_relay_pool_destroy(struct prism_relay_pool *pool);

/* Owner thread: a buffer holding one reference, or NULL when memory runs out. */
struct prism_relay_buffer *prism_relay_buffer_take(struct prism_relay_pool *pool);
/* Owner thread: a buffer holding a copy of `data` (at most PRISM_RELAY_BUFFER_SIZE bytes,
 * else NULL) with one reference. */
struct prism_relay_buffer *prism_relay_buffer_copy(struct prism_relay_pool *pool,
                                                   const uint8_t *data, size_t len,
                                                   uint64_t arrival_us);

/* Any thread. */
struct prism_relay_buffer *prism_relay_buffer_ref(struct prism_relay_buffer *buffer);
void prism_relay_buffer_unref(struct prism_relay_buffer *buffer);

/* Buffers the pool allocated, and those out of it right now (taken and not yet back in the
 * owner's free list: returned ones count until the owner next takes). Owner thread. */
size_t prism_relay_pool_allocated(const struct prism_relay_pool *pool);
size_t prism_relay_pool_outstanding(struct prism_relay_pool *pool);

#endif
