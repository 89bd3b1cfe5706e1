/* VideoRoom requests about a room's participants: listparticipants, kick, moderate, destroy,
 * and the entry checks of joins. Room worker only. */
#include "plugins/videoroom/participant.h"

#include "core/params.h"
#include "core/session.h"
#include "core/worker.h"
#include "media/peer/handle_media.h"
#include "plugins/videoroom/room_requests.h"
#include "plugins/videoroom/videoroom.h"

#include <stdlib.h>
#include <string.h>

struct vr_publisher *vr_room_find_publisher(struct vr_room *room, uint64_t id)
{
    return g_hash_table_lookup(room->publishers, &id);
}

json_t *vr_check_entry(struct vr_room *room, json_t *body, uint64_t room_id)
{
    return vr_check_entry_anywhere(room, body, room_id, false);
}

json_t *vr_check_entry_anywhere(struct vr_room *room, json_t *body, uint64_t room_id,
                                bool any_worker)
{
    bool destroyed = true;
    if (room) {
        g_mutex_lock(&room->lock);
        destroyed = room->destroyed;
        g_mutex_unlock(&room->lock);
    }
    if (destroyed || (!any_worker && !prism_worker_is_current(room->worker)))
        return vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM, "No such room (%" G_GUINT64_FORMAT ")",
                        room_id);
    char reason[256];
    int code = vr_room_check_join(room, body, reason, sizeof(reason));
    return code ? vr_error(code, "%s", reason) : NULL;
}

struct vr_room *vr_room_here(json_t *body, bool check_secret, json_t **error)
{
    struct vr_room *room = NULL;
    char reason[256];
    int code = vr_room_access(body, check_secret, &room, reason, sizeof(reason));
    if (code) {
        *error = vr_error(code, "%s", reason);
        return NULL;
    }
    if (room->destroyed || !prism_worker_is_current(room->worker)) {
        vr_room_unref(room);
        *error = vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM, "No such room");
        return NULL;
    }
    return room;
}

json_t *vr_request_listparticipants(json_t *body)
{
    json_t *error = NULL;
    struct vr_room *room = vr_room_here(body, false, &error);
    if (!room)
        return error;
    json_t *list = json_array();
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, room->publishers);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        struct vr_publisher *publisher = value;
        json_t *entry = json_pack("{s:I, s:b}", "id", (json_int_t)publisher->id, "publisher",
                                  publisher->publishing);
        if (room->audiolevel_event)
            json_object_set_new(entry, "talking", json_boolean(publisher->talking));
        if (publisher->display)
            json_object_set_new(entry, "display", json_string(publisher->display));
        json_array_append_new(list, entry);
    }
    json_t *reply = json_pack("{s:s, s:I, s:o}", "videoroom", "participants", "room",
                              (json_int_t)room->id, "participants", list);
    vr_room_unref(room);
    return reply;
}

/* Ends a publisher's participation as a kick: it hears "leaving" with reason "kicked", the
 * others hear "kicked", its PeerConnection ends. */
static void kick_publisher(struct vr_publisher *publisher)
{
    struct prism_handle *handle = publisher->handle;
    struct vr_session *session = prism_handle_plugin_data(handle);
    vr_push(handle, NULL,
            json_pack("{s:s, s:I, s:s, s:s}", "videoroom", "event", "room",
                      (json_int_t)publisher->room->id, "leaving", "ok", "reason", "kicked"),
            NULL);
    vr_publisher_leave(session, "kicked");
    prism_handle_media_hangup(handle, "Kicked");
}

static const struct prism_param target_params[] = {
    {"id", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
};

/* kick and moderate name a participant: 429/430 before anything else, as Janus checks. */
static json_t *check_target(json_t *body)
{
    char reason[256];
    int code = prism_params_validate(body, target_params, PRISM_PARAMS_COUNT(target_params),
                                     &vr_param_codes, reason, sizeof(reason));
    return code ? vr_error(code, "%s", reason) : NULL;
}

json_t *vr_request_kick(json_t *body)
{
    json_t *error = check_target(body);
    if (error)
        return error;
    struct vr_room *room = vr_room_here(body, true, &error);
    if (!room)
        return error;
    json_t *id = json_object_get(body, "id");
    struct vr_publisher *publisher = json_is_integer(id)
                                         ? vr_room_find_publisher(room,
                                                                  (uint64_t)json_integer_value(id))
                                         : NULL;
    json_t *reply;
    if (!publisher) {
        reply = vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED, "No such user in room");
    } else {
        kick_publisher(publisher);
        reply = json_pack("{s:s}", "videoroom", "success");
    }
    vr_room_unref(room);
    return reply;
}

json_t *vr_request_moderate(json_t *body)
{
    json_t *error = check_target(body);
    if (error)
        return error;
    struct vr_room *room = vr_room_here(body, true, &error);
    if (!room)
        return error;
    json_t *id = json_object_get(body, "id");
    const char *mid = json_string_value(json_object_get(body, "mid"));
    json_t *mute = json_object_get(body, "mute");
    struct vr_publisher *publisher = json_is_integer(id)
                                         ? vr_room_find_publisher(room,
                                                                  (uint64_t)json_integer_value(id))
                                         : NULL;
    json_t *reply = NULL;
    if (!publisher)
        reply = vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED, "No such user in room");
    else if (!mid || !json_is_boolean(mute))
        reply = vr_error(PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "Missing element (mid, mute)");
    for (unsigned i = 0; !reply && i < publisher->stream_count; i++) {
        if (strcmp(publisher->streams[i].mid, mid) == 0) {
            publisher->streams[i].disabled = json_is_true(mute);
            vr_notify_publishers(room,
                                 json_pack("{s:s, s:I, s:I, s:s, s:s}", "videoroom", "event",
                                           "room", (json_int_t)room->id, "id",
                                           (json_int_t)publisher->id, "mid", mid, "moderation",
                                           json_is_true(mute) ? "muted" : "unmuted"),
                                 NULL);
            reply = json_pack("{s:s}", "videoroom", "success");
        }
    }
    if (!reply)
        reply = vr_error(PRISM_VIDEOROOM_ERROR_NO_SUCH_FEED, "No such stream (%s)", mid);
    vr_room_unref(room);
    return reply;
}

struct remote_eviction {
    struct prism_handle *handle; /* reference */
    struct vr_room *room;        /* reference */
};

/* On a remote subscriber's own worker: the room it is in was destroyed. */
static void evict_remote_cb(void *data)
{
    struct remote_eviction *eviction = data;
    struct vr_session *session = prism_handle_plugin_data(eviction->handle);
    if (session && !prism_handle_is_detached(eviction->handle) &&
        session->role == VR_ROLE_SUBSCRIBER && session->subscriber->room == eviction->room) {
        vr_push(eviction->handle, NULL,
                json_pack("{s:s, s:I}", "videoroom", "destroyed", "room",
                          (json_int_t)eviction->room->id),
                NULL);
        vr_subscriber_leave(session);
    }
    prism_handle_unref(eviction->handle);
    vr_room_unref(eviction->room);
    free(eviction);
}

/* Subscribers on other workers leave on their own thread. */
static void evict_remote_subscribers(struct vr_room *room)
{
    g_mutex_lock(&room->lock);
    for (guint i = 0; i < room->remote_subscribers->len; i++) {
        struct prism_handle *handle = room->remote_subscribers->pdata[i];
        struct remote_eviction *eviction = malloc(sizeof(*eviction));
        if (!eviction)
            break;
        *eviction = (struct remote_eviction){prism_handle_ref(handle), vr_room_ref(room)};
        prism_worker_post(prism_handle_worker(handle), evict_remote_cb, eviction);
    }
    g_mutex_unlock(&room->lock);
}

/* Tells everyone in a room being destroyed, and ends their participation. */
static void evict_everyone(struct vr_room *room)
{
    evict_remote_subscribers(room);
    json_t *event = json_pack("{s:s, s:I}", "videoroom", "destroyed", "room", (json_int_t)room->id);
    GPtrArray *handles = g_ptr_array_new_with_free_func((GDestroyNotify)prism_handle_unref);
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, room->publishers);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(handles, prism_handle_ref(((struct vr_publisher *)value)->handle));
    for (guint i = 0; i < room->subscribers->len; i++)
        g_ptr_array_add(
            handles,
            prism_handle_ref(((struct vr_subscriber *)room->subscribers->pdata[i])->handle));
    for (guint i = 0; i < handles->len; i++) {
        struct prism_handle *handle = handles->pdata[i];
        struct vr_session *session = prism_handle_plugin_data(handle);
        vr_push(handle, NULL, json_deep_copy(event), NULL);
        if (session->role == VR_ROLE_PUBLISHER) {
            vr_publisher_leave(session, NULL);
            prism_handle_media_hangup(handle, "Room destroyed");
        } else if (session->role == VR_ROLE_SUBSCRIBER) {
            vr_subscriber_leave(session);
        }
    }
    g_ptr_array_free(handles, TRUE);
    json_decref(event);
}

json_t *vr_request_destroy(struct prism_handle *handle, json_t *body)
{
    struct vr_room *room = NULL;
    bool permanent = false;
    char reason[256];
    int code = vr_room_destroy_checked(handle, body, &room, &permanent, reason, sizeof(reason));
    if (code)
        return vr_error(code, "%s", reason);
    g_mutex_lock(&room->lock);
    room->destroyed = true;
    g_mutex_unlock(&room->lock);
    evict_everyone(room);
    json_t *reply = vr_destroyed_reply(room->id, permanent);
    vr_room_unref(room);
    return reply;
}
