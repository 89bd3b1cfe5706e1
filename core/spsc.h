/* A bounded single-producer, single-consumer ring of fixed-size messages, published in
 * batches, that tells the producer when the consumer needs a wake-up.
 *
 * The producer stages messages (invisible to the consumer) and publishes them all at once;
 * publishing reports true only when the ring was empty as far as the consumer knew, so a
 * batch costs at most one wake-up (one eventfd write) however many messages it carries, and
 * none at all while the consumer is still busy with an earlier batch. The consumer pops until
 * the ring is empty; its last pop re-checks after announcing how far it got, so a batch
 * published meanwhile is either seen by that pop or reported to its producer as needing a
 * wake-up (a seq_cst fence on each side: neither can miss the other's last store).
 *
 * No locks and no allocation after creation. One thread produces and one consumes; which
 * threads those are may change only when both sides are quiet. */
#ifndef PRISM_CORE_SPSC_H
#define PRISM_CORE_SPSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_spsc;

/* A ring of `capacity` (a power of two, >= 2) messages of `message_size` bytes.
 * Returns 0, -EINVAL or -ENOMEM. */
int prism_spsc_create(struct prism_spsc **out, size_t capacity, size_t message_size);
/* Frees the ring; messages still in it are dropped (the owner drains it first). */
void prism_spsc_destroy(struct prism_spsc *ring);

/* Producer: a slot for the next message, to be filled before the next publish; NULL when
 * the ring is full (staged and published messages together fill it). */
void *prism_spsc_stage(struct prism_spsc *ring);
/* Producer: makes every staged message visible. True when the consumer may be asleep with
 * nothing left to do and must be woken once; false when nothing was staged or the consumer
 * still has earlier messages to pop (it will find these too). */
bool prism_spsc_publish(struct prism_spsc *ring);
/* Producer: messages staged and not yet published. */
size_t prism_spsc_staged(const struct prism_spsc *ring);

/* Consumer: copies the oldest published message into `out` and removes it. False when the
 * ring is empty; once this returned false, a later publish reports that a wake-up is needed. */
bool prism_spsc_pop(struct prism_spsc *ring, void *out);

#endif
