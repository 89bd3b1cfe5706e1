/* The recent relayed packets of one stream on a receiving worker, for NACKs.
 *
 * A worker that fans out a stream it receives through the relay (media/relay/relay.h) keeps
 * references to the last PRISM_RELAY_HISTORY_SIZE buffers it got, by sequence number: a
 * pointer each, the buffers being those relayed anyway. A viewer's NACK is then answered on
 * its own worker, with no round trip to the publisher's worker and no lock on its history.
 * Owned and used by one thread (the receiving worker's). */
#ifndef PRISM_MEDIA_RELAY_HISTORY_H
#define PRISM_MEDIA_RELAY_HISTORY_H

#include "media/relay/buffer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 4.5 s of 500 kbit/s video, 0.5 s at 4 Mbit/s. */
#define PRISM_RELAY_HISTORY_SIZE 256

struct prism_relay_history {
    uint64_t max_age_us; /* older packets are not resent (0: no limit) */
    struct prism_relay_buffer *slots[PRISM_RELAY_HISTORY_SIZE]; /* by sequence number */
};

/* An empty history (zeroed memory is one too, with no age limit). */
void prism_relay_history_init(struct prism_relay_history *history, uint64_t max_age_us);
/* Drops every reference it holds. */
void prism_relay_history_clear(struct prism_relay_history *history);
/* Keeps a reference to `buffer` (by buffer->sequence), dropping the one it replaces. */
void prism_relay_history_store(struct prism_relay_history *history,
                               struct prism_relay_buffer *buffer);
/* The stored packet with sequence `seq`, if still held and not older than max_age_us at
 * `now_us`: true with *data and *len (valid until the next store or clear). */
bool prism_relay_history_find(const struct prism_relay_history *history, uint16_t seq,
                              uint64_t now_us, const uint8_t **data, size_t *len);

#endif
