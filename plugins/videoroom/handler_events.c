/* What the VideoRoom tells the event webhook (core/events.h): participants joining, publishing,
 * unpublishing and leaving, and subscriptions, in the shapes of Janus's VideoRoom plugin
 * events ({"event": "joined", "room": ..., "id": ...}). Room worker only. */
#include "plugins/videoroom/participant.h"

#include "core/events.h"
#include "core/session.h"

void vr_handler_event(struct prism_handle *handle, const char *name, uint64_t room_id,
                      uint64_t participant_id, const char *display, json_t *extra)
{
    if (!handle || !prism_events_wanted(PRISM_EVENT_PLUGIN)) {
        json_decref(extra);
        return;
    }
    json_t *data = json_pack("{s:s, s:I}", "event", name, "room", (json_int_t)room_id);
    if (participant_id)
        json_object_set_new(data, "id", json_integer((json_int_t)participant_id));
    if (display)
        json_object_set_new(data, "display", json_string(display));
    if (extra)
        json_object_update(data, extra);
    json_decref(extra);
    prism_events_plugin(prism_handle_session_id(handle), prism_handle_id(handle),
                        prism_handle_opaque_id(handle), "janus.plugin.videoroom", data);
}
