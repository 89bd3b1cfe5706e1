/* Events of a WHIP resource's internal session (its event sink): the answer to the offer
 * (the POST's 201) or to an ICE restart (the PATCH's 200), errors of the VideoRoom, ICE
 * and DTLS up ("webrtcup"), and the ends: "hangup", "timeout", the session gone. */
#include "signaling/whip/internal.h"

#include "core/ids.h"
#include "core/log.h"
#include "signaling/whip/rules.h"
#include "signaling/whip/sdpfrag.h"

#include <stdio.h>
#include <string.h>

static struct whip_resource *resource_of(struct prism_event_sink *sink)
{
    return (struct whip_resource *)sink;
}

/* With the lock held: a new ETag for the resource's current ICE session. */
static char *next_etag_locked(struct whip_resource *resource)
{
    g_free(resource->etag);
    resource->etag = g_strdup_printf("\"%" G_GUINT64_FORMAT "-%u\"", resource->id,
                                     ++resource->etag_serial);
    return g_strdup(resource->etag);
}

static void finish(prism_whip_done_cb done, void *data, struct prism_whip_result *result)
{
    if (done)
        done(data, result);
    else
        prism_whip_result_free(result);
}

/* The answer to the POST's offer: 201 with the SDP, Location and ETag. */
static void answer_setup(struct whip_resource *resource, const char *sdp)
{
    struct prism_whip *whip = resource->whip;
    g_mutex_lock(&whip->lock);
    if (resource->step != WHIP_STEP_SETUP) {
        g_mutex_unlock(&whip->lock);
        return;
    }
    resource->step = WHIP_STEP_LIVE;
    resource->answered_us = prism_now_us();
    struct prism_whip_result *result = g_new0(struct prism_whip_result, 1);
    result->status = 201;
    result->body = g_strdup(sdp);
    result->content_type = "application/sdp";
    result->location = g_strdup_printf("/%s/resource/%" G_GUINT64_FORMAT,
                                       resource->playback ? "whep" : "whip", resource->id);
    result->etag = next_etag_locked(resource);
    void *data;
    prism_whip_done_cb done = whip_take_done_locked(resource, &data);
    g_mutex_unlock(&whip->lock);
    prism_info("whip", "resource %" G_GUINT64_FORMAT " %s room %" G_GUINT64_FORMAT, resource->id,
               resource->playback ? "(WHEP) plays" : "publishes in", resource->room);
    finish(done, data, result);
}

/* The answer to an ICE restart: 200 with the answer's sdpfrag and a new ETag, then the
 * candidates that came with the restart are trickled. */
static void answer_restart(struct whip_resource *resource, const char *sdp)
{
    struct prism_whip *whip = resource->whip;
    g_mutex_lock(&whip->lock);
    if (resource->step != WHIP_STEP_RESTART) {
        g_mutex_unlock(&whip->lock);
        return;
    }
    resource->step = WHIP_STEP_LIVE;
    struct prism_whip_result *result = g_new0(struct prism_whip_result, 1);
    result->status = 200;
    result->body = prism_sdpfrag_from_answer(sdp);
    result->content_type = "application/trickle-ice-sdpfrag";
    result->etag = next_etag_locked(resource);
    json_t *candidates = resource->restart_candidates;
    resource->restart_candidates = NULL;
    void *data;
    prism_whip_done_cb done = whip_take_done_locked(resource, &data);
    g_mutex_unlock(&whip->lock);
    finish(done, data, result);
    if (candidates && json_array_size(candidates) > 0)
        whip_call_trickle(resource, candidates);
    else
        json_decref(candidates);
}

/* A plugin (VideoRoom or Streaming) error while a request waits: the POST fails (and the resource
 * ends) or the restart's PATCH fails (and the resource stays as it was). */
static void plugin_error(struct whip_resource *resource, int code, const char *reason)
{
    struct prism_whip *whip = resource->whip;
    unsigned status = whip_plugin_error_status(resource, code);
    struct prism_whip_result *result = whip_error_result(status, "%s",
                                                         reason ? reason : "plugin error");
    g_mutex_lock(&whip->lock);
    enum whip_step step = resource->step;
    void *data = NULL;
    prism_whip_done_cb done = NULL;
    if (step == WHIP_STEP_RESTART) {
        resource->step = WHIP_STEP_LIVE;
        done = whip_take_done_locked(resource, &data);
    }
    g_mutex_unlock(&whip->lock);
    if (step == WHIP_STEP_SETUP)
        whip_end(resource, result);
    else
        finish(done, data, result);
}

static void plugin_event(struct whip_resource *resource, json_t *event)
{
    json_t *data = json_object_get(json_object_get(event, "plugindata"), "data");
    json_t *code = json_object_get(data, "error_code");
    if (json_is_integer(code)) {
        plugin_error(resource, (int)json_integer_value(code),
                     json_string_value(json_object_get(data, "error")));
        return;
    }
    json_t *jsep = json_object_get(event, "jsep");
    const char *type = json_string_value(json_object_get(jsep, "type"));
    const char *sdp = json_string_value(json_object_get(jsep, "sdp"));
    if (!type || strcmp(type, "answer") != 0 || !sdp)
        return;
    answer_setup(resource, sdp);
    answer_restart(resource, sdp);
}

static void push_cb(struct prism_event_sink *sink, uint64_t session_id, json_t *event)
{
    struct whip_resource *resource = resource_of(sink);
    const char *kind = json_string_value(json_object_get(event, "janus"));
    (void)session_id;
    if (!kind) {
        /* nothing to do */
    } else if (strcmp(kind, "event") == 0) {
        plugin_event(resource, event);
    } else if (strcmp(kind, "webrtcup") == 0) {
        g_mutex_lock(&resource->whip->lock);
        resource->connected = true;
        g_mutex_unlock(&resource->whip->lock);
    } else if (strcmp(kind, "hangup") == 0 || strcmp(kind, "timeout") == 0) {
        prism_info("whip", "resource %" G_GUINT64_FORMAT " ended (%s)", resource->id, kind);
        whip_resource_ref(resource);
        whip_end(resource, NULL);
        whip_resource_unref(resource);
    }
    json_decref(event);
}

static void session_gone_cb(struct prism_event_sink *sink, uint64_t session_id)
{
    struct whip_resource *resource = resource_of(sink);
    (void)session_id;
    whip_resource_ref(resource);
    g_mutex_lock(&resource->whip->lock);
    resource->session_id = 0; /* nothing left to destroy */
    g_mutex_unlock(&resource->whip->lock);
    whip_end(resource, NULL);
    whip_resource_unref(resource);
}

static void destroy_cb(struct prism_event_sink *sink)
{
    whip_resource_free(resource_of(sink));
}

const struct prism_event_sink_ops whip_sink_ops = {push_cb, session_gone_cb, destroy_cb};
