/* What simulcast.c and svc.c share on the API side: the walk of a subscriber's configure over
 * its streams (Janus 1.x: "streams": [{mid, ...}], or the fields at the top level for every
 * video stream) and the layer events ({"videoroom": "event", "mid", <field>: <layer>}). */
#include "plugins/videoroom/participant.h"

#include "plugins/videoroom/videoroom.h"

#include "core/log.h"

#include <string.h>

/* One entry: the stream with its mid, or every video stream without one. */
static void configure_entry(struct vr_subscriber *subscriber, json_t *entry,
                            vr_stream_configure_fn configure)
{
    const char *mid = json_string_value(json_object_get(entry, "mid"));
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        struct vr_sub_stream *stream = subscriber->streams[i];
        if (mid ? strcmp(stream->mid, mid) == 0 : stream->kind == PRISM_SDP_MEDIA_VIDEO)
            configure(stream, entry);
    }
}

void vr_configure_streams(struct vr_subscriber *subscriber, json_t *body,
                          vr_stream_configure_fn configure)
{
    json_t *streams = json_object_get(body, "streams");
    if (!json_is_array(streams) || json_array_size(streams) == 0) {
        configure_entry(subscriber, body, configure);
        return;
    }
    size_t index;
    json_t *entry;
    json_array_foreach(streams, index, entry)
    {
        if (json_is_object(entry))
            configure_entry(subscriber, entry, configure);
    }
}

void vr_push_layer_event(struct vr_sub_stream *stream, const char *field, int value)
{
    struct vr_subscriber *subscriber = stream->subscriber;
    if (!subscriber->handle)
        return;
    prism_debug("videoroom", "subscriber %p mid %s: %s %d", (void *)subscriber, stream->mid, field,
                value);
    vr_push(subscriber->handle, NULL,
            json_pack("{s:s, s:I, s:s, s:i}", "videoroom", "event", "room",
                      (json_int_t)subscriber->room->id, "mid", stream->mid, field, value),
            NULL);
}
