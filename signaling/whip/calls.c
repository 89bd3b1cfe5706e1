/* A WHIP resource's internal session, driven through the API engine as a client would:
 * create -> attach janus.plugin.videoroom -> joinandconfigure with the offer (a WHEP viewer:
 * join as a subscriber with the offer; of a mountpoint: attach janus.plugin.streaming ->
 * watch with the offer); the answer arrives as an event on the resource's sink. Trickle,
 * restart (configure with a new offer), keepalive and destroy are single calls. Every request
 * carries the API credential the Bearer token turned out to be (access.h). */
#include "signaling/whip/internal.h"

#include "core/ids.h"
#include "core/log.h"
#include "signaling/api/api.h"
#include "signaling/api/errors.h"
#include "signaling/whip/sdpfrag.h"
#include "signaling/whip/rules.h"

#include <stdlib.h>
#include <string.h>

/* One request in flight; `next` gets its reply (or NULL for replies nobody waits for). */
struct whip_call {
    struct prism_reply_target target; /* first member */
    struct whip_resource *resource;   /* one reference, or NULL */
    void (*next)(struct whip_resource *resource, json_t *reply);
};

static void deliver_cb(struct prism_reply_target *target, json_t *reply)
{
    struct whip_call *call = (struct whip_call *)target;
    if (call->next)
        call->next(call->resource, reply);
    json_decref(reply);
    if (call->resource)
        whip_resource_unref(call->resource);
    free(call);
}

/* Sends `body` (stolen) to the engine; the reply goes to `next`. */
static void call_api(struct prism_api *api, struct whip_resource *resource, json_t *body,
                     void (*next)(struct whip_resource *, json_t *))
{
    struct whip_call *call = calloc(1, sizeof(*call));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!call || !text) {
        free(call);
        free(text);
        if (next)
            next(resource, NULL);
        return;
    }
    call->target.deliver = deliver_cb;
    call->resource = resource ? whip_resource_ref(resource) : NULL;
    call->next = next;
    struct prism_api_request request = {
        .body = text,
        .length = strlen(text),
        .sink = resource ? &resource->sink : NULL,
        .reply = &call->target,
        /* The internal session counts against the WHIP client's address. */
        .client_address = resource ? resource->client_address : NULL,
    };
    prism_api_handle(api, &request, prism_now_us());
    free(text);
}

/* A request of the resource's session, with the resource's API credentials (if any). */
static json_t *request(const struct whip_resource *resource, const char *verb, uint64_t session_id,
                       uint64_t handle_id)
{
    json_t *body = json_pack("{s:s, s:s}", "janus", verb, "transaction", "whip");
    json_object_update(body, resource->credentials);
    if (session_id)
        json_object_set_new(body, "session_id", json_integer((json_int_t)session_id));
    if (handle_id)
        json_object_set_new(body, "handle_id", json_integer((json_int_t)handle_id));
    return body;
}

/* A reply's error (janus "error"), as a finished result for the waiting request. */
static struct prism_whip_result *reply_error(json_t *reply, const char *step)
{
    json_t *error = json_object_get(reply, "error");
    int code = (int)json_integer_value(json_object_get(error, "code"));
    const char *reason = json_string_value(json_object_get(error, "reason"));
    if (!reply)
        return whip_error_result(500, "Cannot %s: out of memory", step);
    unsigned status = prism_whip_status_for_api_error(code);
    /* 429 when the client's address holds its share of sessions (a limit on that client, as
     * its request rate is); 503 when the server takes no new session from anyone. */
    if (code == PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS && reason &&
        strcmp(reason, PRISM_API_REASON_TOO_MANY_SESSIONS) == 0)
        status = 429;
    return whip_error_result(status, "Cannot %s: %s", step, reason ? reason : "unknown error");
}

static bool is_reply(json_t *reply, const char *kind)
{
    const char *janus = json_string_value(json_object_get(reply, "janus"));
    return janus && strcmp(janus, kind) == 0;
}

/* Stores an id from a reply's data under the lock; false when the resource ended meanwhile
 * (a session created for it then is destroyed at once). */
static bool store_id(struct whip_resource *resource, json_t *reply, uint64_t *slot)
{
    uint64_t id = (uint64_t)json_integer_value(
        json_object_get(json_object_get(reply, "data"), "id"));
    g_mutex_lock(&resource->whip->lock);
    bool ended = resource->step == WHIP_STEP_ENDED;
    if (!ended)
        *slot = id;
    g_mutex_unlock(&resource->whip->lock);
    if (ended && slot == &resource->session_id)
        whip_call_destroy(resource, id);
    return !ended;
}

static void joined_cb(struct whip_resource *resource, json_t *reply)
{
    if (!is_reply(reply, "ack"))
        whip_end(resource, reply_error(reply, resource->mountpoint ? "watch the mountpoint"
                                                                   : "join the room"));
    /* The answer (or the plugin's error) comes as an event: see push_cb. */
}

/* A mountpoint's viewer: "watch" with the client's offer (plugins/streaming/viewer_offer.c). */
static void watch_mountpoint(struct whip_resource *resource)
{
    g_mutex_lock(&resource->whip->lock);
    json_t *body = request(resource, "message", resource->session_id, resource->handle_id);
    json_t *watch = json_pack("{s:s, s:I}", "request", "watch", "id", (json_int_t)resource->room);
    if (resource->pin)
        json_object_set_new(watch, "pin", json_string(resource->pin));
    json_object_set_new(body, "body", watch);
    json_object_set_new(body, "jsep",
                        json_pack("{s:s, s:s}", "type", "offer", "sdp", resource->offer));
    g_mutex_unlock(&resource->whip->lock);
    call_api(resource->whip->api, resource, body, joined_cb);
}

static void attached_cb(struct whip_resource *resource, json_t *reply)
{
    if (!is_reply(reply, "success")) {
        whip_end(resource,
                 reply_error(reply, resource->mountpoint ? "attach to the Streaming plugin"
                                                         : "attach to the VideoRoom"));
        return;
    }
    if (!store_id(resource, reply, &resource->handle_id))
        return;
    if (resource->mountpoint) {
        watch_mountpoint(resource);
        return;
    }
    g_mutex_lock(&resource->whip->lock);
    json_t *body = request(resource, "message", resource->session_id, resource->handle_id);
    json_t *join = json_pack(
        "{s:s, s:s, s:I}", "request", resource->playback ? "join" : "joinandconfigure", "ptype",
        resource->playback ? "subscriber" : "publisher", "room", (json_int_t)resource->room);
    if (!resource->playback)
        json_object_set_new(join, "display", json_string(resource->display));
    if (resource->feed)
        json_object_set_new(join, "feed", json_integer((json_int_t)resource->feed));
    /* Always a pin: a room that has one then answers "unauthorized" (401) to a missing
     * token rather than "missing element"; a room without one ignores it. */
    json_object_set_new(join, "pin", json_string(resource->pin ? resource->pin : ""));
    /* The Bearer is also the room token, as in Janus's WHIP servers: a room with an `allowed`
     * list admits a publisher or viewer whose Bearer is in it. */
    if (resource->token)
        json_object_set_new(join, "token", json_string(resource->token));
    json_object_set_new(body, "body", join);
    json_object_set_new(body, "jsep",
                        json_pack("{s:s, s:s}", "type", "offer", "sdp", resource->offer));
    g_mutex_unlock(&resource->whip->lock);
    call_api(resource->whip->api, resource, body, joined_cb);
}

static void created_cb(struct whip_resource *resource, json_t *reply)
{
    if (!is_reply(reply, "success")) {
        whip_end(resource, reply_error(reply, "create a session"));
        return;
    }
    if (!store_id(resource, reply, &resource->session_id))
        return;
    json_t *body = request(resource, "attach", resource->session_id, 0);
    json_object_set_new(
        body, "plugin",
        json_string(resource->mountpoint ? "janus.plugin.streaming" : "janus.plugin.videoroom"));
    call_api(resource->whip->api, resource, body, attached_cb);
}

void whip_call_create(struct whip_resource *resource)
{
    call_api(resource->whip->api, resource, request(resource, "create", 0, 0), created_cb);
}

void whip_call_keepalive(struct whip_resource *resource, uint64_t session_id)
{
    call_api(resource->whip->api, resource, request(resource, "keepalive", session_id, 0), NULL);
}

void whip_call_destroy(struct whip_resource *resource, uint64_t session_id)
{
    call_api(resource->whip->api, NULL, request(resource, "destroy", session_id, 0), NULL);
}

void whip_call_trickle(struct whip_resource *resource, json_t *candidates)
{
    g_mutex_lock(&resource->whip->lock);
    json_t *body = request(resource, "trickle", resource->session_id, resource->handle_id);
    g_mutex_unlock(&resource->whip->lock);
    json_object_set_new(body, "candidates", candidates);
    call_api(resource->whip->api, resource, body, NULL);
}

static void restart_sent_cb(struct whip_resource *resource, json_t *reply)
{
    if (is_reply(reply, "ack"))
        return;
    g_mutex_lock(&resource->whip->lock);
    void *data;
    prism_whip_done_cb done = whip_take_done_locked(resource, &data);
    if (resource->step == WHIP_STEP_RESTART)
        resource->step = WHIP_STEP_LIVE;
    g_mutex_unlock(&resource->whip->lock);
    struct prism_whip_result *result = reply_error(reply, "restart ICE");
    if (done)
        done(data, result);
    else
        prism_whip_result_free(result);
}

void whip_call_restart(struct whip_resource *resource, const char *offer)
{
    g_mutex_lock(&resource->whip->lock);
    json_t *body = request(resource, "message", resource->session_id, resource->handle_id);
    g_mutex_unlock(&resource->whip->lock);
    json_object_set_new(body, "body", json_pack("{s:s}", "request", "configure"));
    json_object_set_new(body, "jsep", json_pack("{s:s, s:s}", "type", "offer", "sdp", offer));
    call_api(resource->whip->api, resource, body, restart_sent_cb);
}

unsigned whip_plugin_error_status(const struct whip_resource *resource, int code)
{
    if (resource->mountpoint)
        return prism_whep_mountpoint_status_for_error(code);
    if (resource->playback && !resource->feed && code == 428)
        return 409; /* nobody publishes in the room yet */
    return prism_whip_status_for_error(code);
}
