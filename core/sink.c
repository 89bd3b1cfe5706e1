/* Reference counting shared by every event sink. */
#include "core/sink.h"

void prism_event_sink_init(struct prism_event_sink *sink, const struct prism_event_sink_ops *ops,
                           const char *transport)
{
    sink->ops = ops;
    atomic_init(&sink->refs, 1);
    sink->transport = transport;
}

struct prism_event_sink *prism_event_sink_ref(struct prism_event_sink *sink)
{
    if (sink)
        atomic_fetch_add(&sink->refs, 1);
    return sink;
}

void prism_event_sink_unref(struct prism_event_sink *sink)
{
    if (sink && atomic_fetch_sub(&sink->refs, 1) == 1)
        sink->ops->destroy(sink);
}
