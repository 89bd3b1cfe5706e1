/* janus.plugin.videoroom: the plugin table, per-handle sessions and request dispatch. Each
 * message runs on the worker of the room it is about (see message_worker). */
#include "plugins/videoroom/videoroom.h"

#include "core/log.h"
#include "core/session.h"
#include "core/worker.h"
#include "plugins/videoroom/participant.h"
#include "plugins/videoroom/room_requests.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *vr_kind_name(enum prism_sdp_media_kind kind)
{
    return kind == PRISM_SDP_MEDIA_AUDIO   ? "audio"
           : kind == PRISM_SDP_MEDIA_VIDEO ? "video"
                                           : "data";
}

void vr_push(struct prism_handle *handle, const char *transaction, json_t *event, json_t *jsep)
{
    prism_handle_push_event(handle, transaction, event, jsep);
}

json_t *vr_error(int code, const char *format, ...)
{
    char reason[256];
    va_list args;
    va_start(args, format);
    vsnprintf(reason, sizeof(reason), format, args);
    va_end(args);
    return vr_error_event(code, reason);
}

void vr_notify_publishers(struct vr_room *room, json_t *event, struct vr_publisher *except)
{
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, room->publishers);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        struct vr_publisher *publisher = value;
        if (publisher != except)
            vr_push(publisher->handle, NULL, json_deep_copy(event), NULL);
    }
    json_decref(event);
}

static int videoroom_init(const struct prism_config *config, struct prism_worker_pool *workers)
{
    vr_rooms_init();
    vr_rooms_set_workers(workers);
    int rc = vr_relay_init(workers);
    if (rc < 0) {
        prism_error("videoroom", "cannot set up the relay between workers (%d)", rc);
        vr_rooms_set_workers(NULL);
        return rc;
    }
    char error[512];
    rc = vr_rooms_load_config(config, error, sizeof(error));
    if (rc < 0) {
        prism_error("videoroom", "%s", error);
        vr_rooms_shutdown();
        vr_relay_shutdown();
    }
    return rc;
}

static void videoroom_destroy(void)
{
    vr_relay_shutdown(); /* groups released their rooms by now */
    vr_rooms_shutdown();
    vr_rooms_set_workers(NULL);
}

static int videoroom_create_session(struct prism_handle *handle)
{
    struct vr_session *session = calloc(1, sizeof(*session));
    if (!session)
        return -ENOMEM;
    session->handle = handle;
    prism_handle_set_plugin_data(handle, session);
    return 0;
}

static void videoroom_destroy_session(struct prism_handle *handle)
{
    struct vr_session *session = prism_handle_plugin_data(handle);
    if (session->role == VR_ROLE_PUBLISHER)
        vr_publisher_leave(session, NULL);
    else if (session->role == VR_ROLE_SUBSCRIBER)
        vr_subscriber_leave(session);
    free(session);
    prism_handle_set_plugin_data(handle, NULL);
}

static struct vr_room *session_room(struct vr_session *session)
{
    if (session->role == VR_ROLE_PUBLISHER)
        return session->publisher->room;
    if (session->role == VR_ROLE_SUBSCRIBER)
        return session->subscriber->room;
    return NULL;
}

static bool is_sync_request(const char *request);

/* Every request about a room runs on the room's worker; a joining handle moves there, but a
 * subscriber of a large room goes to the least-loaded worker (relay_group.c) and its requests
 * run there, on its own worker. */
static struct prism_worker *videoroom_message_worker(struct prism_handle *handle, json_t *body,
                                                     json_t *jsep, bool *migrate)
{
    struct vr_session *session = prism_handle_plugin_data(handle);
    struct vr_room *joined = session ? session_room(session) : NULL;
    const char *request = json_string_value(json_object_get(body, "request"));
    if (joined && session->role == VR_ROLE_SUBSCRIBER && session->subscriber->remote &&
        !(request && is_sync_request(request) && json_object_get(body, "room")))
        return NULL;
    if (joined && request && strcmp(request, "list") != 0 && strcmp(request, "create") != 0 &&
        !json_object_get(body, "room"))
        return joined->worker;
    json_t *room_id = json_object_get(body, "room");
    if (!json_is_integer(room_id))
        return joined ? joined->worker : NULL;
    struct vr_room *room = vr_rooms_find((uint64_t)json_integer_value(room_id));
    if (!room)
        return NULL;
    struct prism_worker *worker = room->worker;
    *migrate = !joined && request &&
               (strcmp(request, "join") == 0 || strcmp(request, "joinandconfigure") == 0);
    const char *ptype = json_string_value(json_object_get(body, "ptype"));
    struct prism_worker *spread = NULL;
    /* A subscriber that brings its own offer (a WHEP viewer, viewer.c) stays on the room's
     * worker: adopting the next publisher walks the room's own subscribers. */
    if (*migrate && !jsep && ptype &&
        (strcmp(ptype, "subscriber") == 0 || strcmp(ptype, "listener") == 0))
        spread = vr_relay_place_subscriber(room);
    if (spread) {
        /* The handle counts on its own worker already: staying there is as good as moving
         * when that worker is at most one ahead (and moving would flip the loads back). */
        struct prism_worker *here = prism_handle_worker(handle);
        worker = prism_worker_load(here) <= prism_worker_load(spread) + 1 ? here : spread;
    }
    vr_room_unref(room);
    return worker;
}

/* Requests answered at once (Janus's synchronous ones). */
struct sync_request {
    const char *name;
    json_t *(*run)(struct prism_handle *handle, json_t *body);
};

static json_t *run_listparticipants(struct prism_handle *handle, json_t *body)
{
    return vr_request_listparticipants(body);
}

static json_t *run_kick(struct prism_handle *handle, json_t *body)
{
    return vr_request_kick(body);
}

static json_t *run_moderate(struct prism_handle *handle, json_t *body)
{
    return vr_request_moderate(body);
}

static json_t *run_rtp_forward(struct prism_handle *handle, json_t *body)
{
    return vr_request_rtp_forward(body);
}

static json_t *run_stop_rtp_forward(struct prism_handle *handle, json_t *body)
{
    return vr_request_stop_rtp_forward(body);
}

static json_t *run_listforwarders(struct prism_handle *handle, json_t *body)
{
    return vr_request_listforwarders(body);
}

static const struct sync_request sync_requests[] = {
    {"create", vr_request_create},
    {"edit", vr_request_edit},
    {"destroy", vr_request_destroy},
    {"exists", vr_request_exists},
    {"list", vr_request_list},
    {"allowed", vr_request_allowed},
    {"listparticipants", run_listparticipants},
    {"kick", run_kick},
    {"moderate", run_moderate},
    {"rtp_forward", run_rtp_forward},
    {"stop_rtp_forward", run_stop_rtp_forward},
    {"listforwarders", run_listforwarders},
};

static bool is_sync_request(const char *request)
{
    for (size_t i = 0; i < sizeof(sync_requests) / sizeof(sync_requests[0]); i++) {
        if (strcmp(sync_requests[i].name, request) == 0)
            return true;
    }
    return false;
}

static const char *const async_requests[] = {
    "join",  "joinandconfigure", "configure", "publish",   "unpublish",   "start",
    "pause", "switch",           "leave",     "subscribe", "unsubscribe", "update",
};

static bool is_async_request(const char *request)
{
    for (size_t i = 0; i < sizeof(async_requests) / sizeof(async_requests[0]); i++) {
        if (strcmp(async_requests[i], request) == 0)
            return true;
    }
    return false;
}

/* Requests answered by an event (Janus's asynchronous ones): the event is the result. */
static json_t *run_async(struct vr_session *session, const char *request, const char *transaction,
                         json_t *body, json_t *jsep)
{
    bool is_join = strcmp(request, "join") == 0 || strcmp(request, "joinandconfigure") == 0;
    if (is_join && session->role != VR_ROLE_NONE)
        return vr_error(PRISM_VIDEOROOM_ERROR_ALREADY_JOINED, "Already in as a %s",
                        session->role == VR_ROLE_PUBLISHER ? "publisher" : "subscriber");
    if (is_join) {
        const char *ptype = json_string_value(json_object_get(body, "ptype"));
        if (!ptype)
            return vr_error(PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "Missing element (ptype)");
        if (strcmp(ptype, "publisher") == 0)
            return vr_publisher_join(session, transaction, body, jsep);
        if ((strcmp(ptype, "subscriber") == 0 || strcmp(ptype, "listener") == 0) && jsep)
            return vr_viewer_join(session, transaction, body, jsep);
        if (strcmp(ptype, "subscriber") == 0 || strcmp(ptype, "listener") == 0)
            return vr_subscriber_join(session, transaction, body);
        return vr_error(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "Invalid element (ptype)");
    }
    if (session->role == VR_ROLE_SUBSCRIBER)
        return vr_subscriber_request(session, request, transaction, body, jsep);
    if (session->role != VR_ROLE_PUBLISHER)
        return vr_error(PRISM_VIDEOROOM_ERROR_JOIN_FIRST, "Join a room first");
    if (strcmp(request, "publish") == 0)
        return vr_publisher_publish(session, transaction, body, jsep);
    if (strcmp(request, "configure") == 0)
        return vr_publisher_configure(session, transaction, body, jsep);
    if (strcmp(request, "unpublish") == 0)
        return vr_publisher_unpublish(session);
    if (strcmp(request, "leave") == 0) {
        vr_publisher_leave(session, NULL);
        return json_pack("{s:s, s:s}", "videoroom", "event", "leaving", "ok");
    }
    return vr_error(PRISM_VIDEOROOM_ERROR_INVALID_REQUEST, "Unknown request '%s'", request);
}

/* What must be refused before a message's SDP is applied to the PeerConnection. */
static json_t *videoroom_precheck_message(struct prism_handle *handle, json_t *body, json_t *jsep)
{
    struct vr_session *session = prism_handle_plugin_data(handle);
    const char *request = json_string_value(json_object_get(body, "request"));
    if (!jsep || !request)
        return NULL;
    if (strcmp(request, "publish") == 0 && session->role == VR_ROLE_PUBLISHER &&
        session->publisher->publishing)
        return vr_error(PRISM_VIDEOROOM_ERROR_ALREADY_PUBLISHED,
                        "Can't publish, already published");
    if ((strcmp(request, "publish") == 0 || strcmp(request, "configure") == 0) &&
        session->role == VR_ROLE_NONE)
        return vr_error(PRISM_VIDEOROOM_ERROR_JOIN_FIRST, "Join a room first");
    const char *type = json_string_value(json_object_get(jsep, "type"));
    if (session->role == VR_ROLE_SUBSCRIBER && type && strcmp(type, "answer") != 0 &&
        !session->subscriber->answers_offers)
        return vr_error(PRISM_VIDEOROOM_ERROR_INVALID_SDP_TYPE, "Subscribers must send an answer");
    return NULL;
}

static struct prism_plugin_result videoroom_handle_message(struct prism_handle *handle,
                                                           const char *transaction, json_t *body,
                                                           json_t *jsep)
{
    struct vr_session *session = prism_handle_plugin_data(handle);
    const char *request = json_string_value(json_object_get(body, "request"));
    if (!request)
        return prism_plugin_ok(
            vr_error(PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "Missing element (request)"));
    for (size_t i = 0; i < sizeof(sync_requests) / sizeof(sync_requests[0]); i++) {
        if (strcmp(sync_requests[i].name, request) == 0)
            return prism_plugin_ok(sync_requests[i].run(handle, body));
    }
    if (!is_async_request(request))
        return prism_plugin_ok(
            vr_error(PRISM_VIDEOROOM_ERROR_INVALID_REQUEST, "Unknown request '%s'", request));
    json_t *event = run_async(session, request, transaction, body, jsep);
    if (event)
        vr_push(handle, transaction, event, NULL);
    return prism_plugin_ok_wait(NULL);
}

/* The Admin API's message_plugin: the room queries that need no handle. The
 * Admin API's secret was checked, so "list" shows private rooms too. */
static json_t *videoroom_handle_admin_message(json_t *request)
{
    const char *name = json_string_value(json_object_get(request, "request"));
    if (!name)
        return vr_error(PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "Missing element (request)");
    if (strcmp(name, "list") == 0)
        return vr_list_rooms(true);
    if (strcmp(name, "exists") == 0)
        return vr_request_exists(NULL, request);
    if (strcmp(name, "listparticipants") == 0)
        return vr_request_listparticipants(request);
    return vr_error(PRISM_VIDEOROOM_ERROR_INVALID_REQUEST,
                    "Unsupported request '%s' over the Admin API", name);
}

static void videoroom_setup_media(struct prism_handle *handle)
{
    struct vr_session *session = prism_handle_plugin_data(handle);
    if (session->role == VR_ROLE_PUBLISHER)
        vr_publisher_setup_media(session);
    else if (session->role == VR_ROLE_SUBSCRIBER)
        vr_subscriber_setup_media(session);
}

static void videoroom_hangup_media(struct prism_handle *handle)
{
    struct vr_session *session = prism_handle_plugin_data(handle);
    if (session->role == VR_ROLE_PUBLISHER)
        vr_publisher_hangup_media(session);
}

static void videoroom_incoming_rtp(struct prism_handle *handle, struct prism_peer_rtp *packet)
{
    vr_fanout_rtp(prism_handle_plugin_data(handle), packet);
}

static void videoroom_incoming_rtcp(struct prism_handle *handle,
                                    const struct prism_peer_feedback *feedback)
{
    vr_fanout_feedback(prism_handle_plugin_data(handle), feedback);
}

static void videoroom_incoming_data(struct prism_handle *handle,
                                    const struct prism_peer_data *message)
{
    vr_fanout_data(prism_handle_plugin_data(handle), message);
}

static json_t *videoroom_query_session(struct prism_handle *handle)
{
    struct vr_session *session = prism_handle_plugin_data(handle);
    const char *roles[] = {"none", "publisher", "subscriber"};
    return json_pack("{s:s}", "type", roles[session->role]);
}

const struct prism_plugin prism_videoroom_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .package = "janus.plugin.videoroom",
    .name = "Prism VideoRoom plugin",
    .description = "A multiparty SFU: publish once, subscribe to the others (Janus VideoRoom 1.x).",
    .author = "The Prism developers",
    .version = 1,
    .version_string = "0.0.1",
    .init = videoroom_init,
    .destroy = videoroom_destroy,
    .create_session = videoroom_create_session,
    .message_worker = videoroom_message_worker,
    .precheck_message = videoroom_precheck_message,
    .handle_message = videoroom_handle_message,
    .setup_media = videoroom_setup_media,
    .hangup_media = videoroom_hangup_media,
    .incoming_rtp = videoroom_incoming_rtp,
    .incoming_rtcp = videoroom_incoming_rtcp,
    .incoming_data = videoroom_incoming_data,
    .destroy_session = videoroom_destroy_session,
    .query_session = videoroom_query_session,
    .handle_admin_message = videoroom_handle_admin_message,
    .collect_metrics = vr_rooms_collect_metrics,
};
