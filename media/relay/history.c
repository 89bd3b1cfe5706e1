/* Recent relayed packets by sequence number: see history.h. */
#include "media/relay/history.h"

#include <string.h>

void prism_relay_history_init(struct prism_relay_history *history, uint64_t max_age_us)
{
    memset(history, 0, sizeof(*history));
    history->max_age_us = max_age_us;
}

void prism_relay_history_clear(struct prism_relay_history *history)
{
    for (unsigned i = 0; i < PRISM_RELAY_HISTORY_SIZE; i++) {
        prism_relay_buffer_unref(history->slots[i]);
        history->slots[i] = NULL;
    }
}

void prism_relay_history_store(struct prism_relay_history *history,
                               struct prism_relay_buffer *buffer)
{
    struct prism_relay_buffer **slot = &history->slots[buffer->sequence % PRISM_RELAY_HISTORY_SIZE];
    prism_relay_buffer_unref(*slot);
    *slot = prism_relay_buffer_ref(buffer);
}

bool prism_relay_history_find(const struct prism_relay_history *history, uint16_t seq,
                              uint64_t now_us, const uint8_t **data, size_t *len)
{
    const struct prism_relay_buffer *stored = history->slots[seq % PRISM_RELAY_HISTORY_SIZE];
    if (!stored || stored->sequence != seq ||
        (history->max_age_us && stored->arrival_us + history->max_age_us < now_us))
        return false;
    *data = stored->data;
    *len = stored->len;
    return true;
}
