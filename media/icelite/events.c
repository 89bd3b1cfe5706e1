/* The engine's event queue: filled by receive and timeout, drained by the caller in order. */
#include "media/icelite/internal.h"

#include <string.h>

void icelite_events_init(struct prism_icelite *engine)
{
    engine->events = g_array_new(FALSE, TRUE, sizeof(struct prism_icelite_event));
    engine->event_head = 0;
}

void icelite_event_push(struct prism_icelite *engine, enum prism_icelite_event_type type,
                        void *owner, const struct icelite_endpoint *endpoint)
{
    struct prism_icelite_event event;
    memset(&event, 0, sizeof(event));
    event.type = type;
    event.owner = owner;
    icelite_endpoint_to_sockaddr(endpoint, &event.address, &event.address_len);
    g_array_append_val(engine->events, event);
}

bool prism_icelite_poll_event(struct prism_icelite *engine, struct prism_icelite_event *event)
{
    if (!engine || !event || engine->event_head >= engine->events->len)
        return false;
    *event = g_array_index(engine->events, struct prism_icelite_event, engine->event_head);
    engine->event_head++;
    if (engine->event_head == engine->events->len) {
        g_array_set_size(engine->events, 0);
        engine->event_head = 0;
    }
    return true;
}

/* An unregistered owner must never come back out of the queue. */
void icelite_events_drop_owner(struct prism_icelite *engine, const void *owner)
{
    guint kept = engine->event_head;
    for (guint i = engine->event_head; i < engine->events->len; i++) {
        struct prism_icelite_event *e = &g_array_index(engine->events, struct prism_icelite_event,
                                                       i);
        if (e->owner == owner)
            continue;
        if (kept != i)
            g_array_index(engine->events, struct prism_icelite_event, kept) = *e;
        kept++;
    }
    g_array_set_size(engine->events, kept);
    if (engine->event_head == kept) {
        g_array_set_size(engine->events, 0);
        engine->event_head = 0;
    }
}
