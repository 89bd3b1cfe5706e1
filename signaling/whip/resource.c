/* WHIP resources: the registry, the HTTP verbs (POST, PATCH, DELETE) and the expiry of
 * resources whose ICE never completes. */
#include "signaling/whip/internal.h"

#include "core/ids.h"
#include "core/log.h"
#include "signaling/whip/sdpfrag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHIP_DEFAULT_ICE_TIMEOUT_S 30u

void prism_whip_result_free(struct prism_whip_result *result)
{
    if (!result)
        return;
    g_free(result->body);
    g_free(result->location);
    g_free(result->etag);
    g_free(result);
}

struct prism_whip_result *whip_error_result(unsigned status, const char *format, ...)
{
    char reason[300];
    va_list args;
    va_start(args, format);
    vsnprintf(reason, sizeof(reason), format, args);
    va_end(args);
    struct prism_whip_result *result = g_new0(struct prism_whip_result, 1);
    result->status = status;
    json_t *body = json_pack("{s:s, s:i}", "error", reason, "code", (int)status);
    result->body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    result->content_type = "application/json";
    return result;
}

struct prism_whip_result *prism_whip_error_result(unsigned status, const char *reason)
{
    return whip_error_result(status, "%s", reason);
}

static void answer(prism_whip_done_cb done, void *data, struct prism_whip_result *result)
{
    if (done)
        done(data, result);
    else
        prism_whip_result_free(result);
}

static struct prism_whip *whip_ref(struct prism_whip *whip)
{
    atomic_fetch_add(&whip->refs, 1);
    return whip;
}

static void whip_unref(struct prism_whip *whip)
{
    if (atomic_fetch_sub(&whip->refs, 1) != 1)
        return;
    g_hash_table_destroy(whip->resources);
    g_mutex_clear(&whip->lock);
    free(whip);
}

struct whip_resource *whip_resource_ref(struct whip_resource *resource)
{
    prism_event_sink_ref(&resource->sink);
    return resource;
}

void whip_resource_unref(struct whip_resource *resource)
{
    prism_event_sink_unref(&resource->sink);
}

void whip_resource_free(struct whip_resource *resource)
{
    json_decref(resource->restart_candidates);
    g_free(resource->offer);
    g_free(resource->ufrag);
    g_free(resource->etag);
    g_free(resource->display);
    g_free(resource->pin);
    if (resource->token)
        memset(resource->token, 0, strlen(resource->token));
    g_free(resource->token);
    json_decref(resource->credentials);
    struct prism_whip *whip = resource->whip;
    free(resource);
    whip_unref(whip);
}

int prism_whip_create(struct prism_whip **out, const struct prism_whip_config *config,
                      struct prism_api *api)
{
    if (!out || !api)
        return -EINVAL;
    struct prism_whip *whip = calloc(1, sizeof(*whip));
    if (!whip)
        return -ENOMEM;
    atomic_init(&whip->refs, 1);
    whip->api = api;
    unsigned timeout_s = config && config->ice_timeout_s ? config->ice_timeout_s
                                                         : WHIP_DEFAULT_ICE_TIMEOUT_S;
    whip->ice_timeout_us = (uint64_t)timeout_s * 1000000u;
    g_mutex_init(&whip->lock);
    whip->resources = g_hash_table_new_full(prism_id_hash, prism_id_equal, NULL,
                                            (GDestroyNotify)whip_resource_unref);
    *out = whip;
    return 0;
}

/* Every resource in the registry, each with a new reference (to end them unlocked). */
static GPtrArray *collect_locked(struct prism_whip *whip,
                                 bool (*wanted)(struct whip_resource *, uint64_t), uint64_t now_us)
{
    GPtrArray *found = g_ptr_array_new();
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, whip->resources);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        if (!wanted || wanted(value, now_us))
            g_ptr_array_add(found, whip_resource_ref(value));
    }
    return found;
}

void prism_whip_destroy(struct prism_whip *whip)
{
    if (!whip)
        return;
    g_mutex_lock(&whip->lock);
    whip->stopping = true;
    GPtrArray *all = collect_locked(whip, NULL, 0);
    g_mutex_unlock(&whip->lock);
    for (guint i = 0; i < all->len; i++) {
        whip_end(all->pdata[i], whip_error_result(503, "Shutting down"));
        whip_resource_unref(all->pdata[i]);
    }
    g_ptr_array_free(all, TRUE);
    whip_unref(whip);
}

prism_whip_done_cb whip_take_done_locked(struct whip_resource *resource, void **data)
{
    prism_whip_done_cb done = resource->done;
    *data = resource->done_data;
    resource->done = NULL;
    resource->done_data = NULL;
    return done;
}

bool whip_unregister_locked(struct whip_resource *resource)
{
    bool had_session = resource->step != WHIP_STEP_ENDED && resource->session_id != 0;
    resource->step = WHIP_STEP_ENDED;
    g_hash_table_remove(resource->whip->resources, &resource->id);
    return had_session;
}

void whip_end(struct whip_resource *resource, struct prism_whip_result *result)
{
    struct prism_whip *whip = resource->whip;
    g_mutex_lock(&whip->lock);
    uint64_t session_id = resource->session_id;
    bool destroy = whip_unregister_locked(resource);
    void *data;
    prism_whip_done_cb done = whip_take_done_locked(resource, &data);
    g_mutex_unlock(&whip->lock);
    if (done && !result)
        result = whip_error_result(500, "The resource ended before it was set up");
    answer(done, data, result);
    if (destroy)
        whip_call_destroy(resource, session_id);
}

/* Answered but ICE and DTLS not up in time. A resource still being set up is not judged: the
 * engine answers every step, and its answer starts the clock. */
static bool expired(struct whip_resource *resource, uint64_t now_us)
{
    return !resource->connected && resource->answered_us &&
           now_us - resource->answered_us > resource->whip->ice_timeout_us;
}

void prism_whip_tick(struct prism_whip *whip, uint64_t now_us)
{
    g_mutex_lock(&whip->lock);
    GPtrArray *stale = collect_locked(whip, expired, now_us);
    GPtrArray *live = collect_locked(whip, NULL, 0);
    g_mutex_unlock(&whip->lock);
    for (guint i = 0; i < stale->len; i++) {
        struct whip_resource *resource = stale->pdata[i];
        prism_info("whip", "resource %" G_GUINT64_FORMAT " ended: ICE did not complete in time",
                   resource->id);
        whip_end(resource, whip_error_result(408, "ICE did not complete in time"));
        whip_resource_unref(resource);
    }
    for (guint i = 0; i < live->len; i++) {
        struct whip_resource *resource = live->pdata[i];
        g_mutex_lock(&whip->lock);
        uint64_t session_id = resource->step == WHIP_STEP_ENDED ? 0 : resource->session_id;
        bool due = session_id && now_us - resource->keepalive_us >= WHIP_KEEPALIVE_INTERVAL_US;
        if (due)
            resource->keepalive_us = now_us;
        g_mutex_unlock(&whip->lock);
        if (due)
            whip_call_keepalive(resource, session_id);
        whip_resource_unref(resource);
    }
    g_ptr_array_free(stale, TRUE);
    g_ptr_array_free(live, TRUE);
}

/* The first "a=ice-ufrag:" value of an SDP, or NULL; a string to g_free. */
static char *offer_ufrag(const char *sdp)
{
    const char *line = strstr(sdp, "a=ice-ufrag:");
    if (!line)
        return NULL;
    line += strlen("a=ice-ufrag:");
    return g_strndup(line, strcspn(line, "\r\n"));
}

/* What a new resource is: a WHIP publisher, or a WHEP viewer of a room or a mountpoint. */
struct resource_kind {
    bool playback;
    bool mountpoint;
    uint64_t target; /* the room or mountpoint */
    uint64_t feed;
};

static void start_resource(struct prism_whip *whip, const struct resource_kind *kind,
                           const char *display, const struct prism_whip_access *access,
                           const char *sdp, size_t length, prism_whip_done_cb done, void *data)
{
    struct whip_resource *resource = calloc(1, sizeof(*resource));
    if (!resource) {
        answer(done, data, whip_error_result(500, "Out of memory"));
        return;
    }
    prism_event_sink_init(&resource->sink, &whip_sink_ops, "prism.whip");
    resource->whip = whip_ref(whip);
    resource->id = prism_random_id();
    resource->room = kind->target;
    resource->playback = kind->playback;
    resource->mountpoint = kind->mountpoint;
    resource->feed = kind->feed;
    g_strlcpy(resource->client_address,
              access && access->client_address ? access->client_address : "",
              sizeof(resource->client_address));
    resource->keepalive_us = prism_now_us();
    resource->offer = g_strndup(sdp, length);
    resource->ufrag = offer_ufrag(resource->offer);
    resource->display = g_strdup(display && display[0] ? display : "WHIP");
    resource->pin = access && access->pin ? g_strdup(access->pin) : NULL;
    resource->token = access && access->token ? g_strdup(access->token) : NULL;
    resource->credentials = json_object();
    if (access && access->api_field && access->api_value)
        json_object_set_new(resource->credentials, access->api_field,
                            json_string(access->api_value));
    resource->done = done;
    resource->done_data = data;
    g_mutex_lock(&whip->lock);
    bool stopping = whip->stopping;
    if (!stopping)
        g_hash_table_insert(whip->resources, &resource->id, whip_resource_ref(resource));
    g_mutex_unlock(&whip->lock);
    if (stopping) {
        resource->done = NULL;
        answer(done, data, whip_error_result(503, "Shutting down"));
    } else {
        whip_call_create(resource);
    }
    whip_resource_unref(resource);
}

void prism_whip_publish(struct prism_whip *whip, uint64_t room, const char *display,
                        const struct prism_whip_access *access, const char *sdp, size_t length,
                        prism_whip_done_cb done, void *data)
{
    struct resource_kind kind = {.target = room};
    start_resource(whip, &kind, display, access, sdp, length, done, data);
}

void prism_whep_play(struct prism_whip *whip, uint64_t room, uint64_t feed,
                     const struct prism_whip_access *access, const char *sdp, size_t length,
                     prism_whip_done_cb done, void *data)
{
    struct resource_kind kind = {.playback = true, .target = room, .feed = feed};
    start_resource(whip, &kind, NULL, access, sdp, length, done, data);
}

void prism_whep_play_mountpoint(struct prism_whip *whip, uint64_t mountpoint,
                                const struct prism_whip_access *access, const char *sdp,
                                size_t length, prism_whip_done_cb done, void *data)
{
    struct resource_kind kind = {.playback = true, .mountpoint = true, .target = mountpoint};
    start_resource(whip, &kind, NULL, access, sdp, length, done, data);
}

/* The live resource `id` of that kind, with a new reference, or NULL. */
static struct whip_resource *find(struct prism_whip *whip, bool playback, uint64_t id)
{
    g_mutex_lock(&whip->lock);
    struct whip_resource *resource = g_hash_table_lookup(whip->resources, &id);
    if (resource && resource->playback != playback)
        resource = NULL;
    if (resource)
        whip_resource_ref(resource);
    g_mutex_unlock(&whip->lock);
    return resource;
}

void prism_whip_delete(struct prism_whip *whip, bool playback, uint64_t id, prism_whip_done_cb done,
                       void *data)
{
    struct whip_resource *resource = find(whip, playback, id);
    if (!resource) {
        answer(done, data, whip_error_result(404, "No such resource"));
        return;
    }
    whip_end(resource, whip_error_result(499, "The resource was deleted"));
    whip_resource_unref(resource);
    struct prism_whip_result *result = g_new0(struct prism_whip_result, 1);
    result->status = 200;
    answer(done, data, result);
}

/* The fragment's candidates as a "trickle" request's array. */
static json_t *trickle_candidates(const struct prism_sdpfrag *frag)
{
    json_t *candidates = json_array();
    for (size_t i = 0; i < frag->candidate_count; i++) {
        const struct prism_sdpfrag_candidate *candidate = &frag->candidates[i];
        json_t *entry = json_pack("{s:s, s:i}", "candidate", candidate->text, "sdpMLineIndex",
                                  (int)candidate->mline_index);
        if (candidate->mid[0])
            json_object_set_new(entry, "sdpMid", json_string(candidate->mid));
        json_array_append_new(candidates, entry);
    }
    if (frag->end_of_candidates)
        json_array_append_new(candidates, json_pack("{s:b}", "completed", 1));
    return candidates;
}

static bool etag_matches(const struct whip_resource *resource, const char *if_match)
{
    return !if_match || strcmp(if_match, "*") == 0 ||
           (resource->etag && strcmp(if_match, resource->etag) == 0);
}

/* An ICE restart: the last offer with the new credentials goes through "configure"; the
 * PATCH is answered when the new answer comes (events.c). */
static void restart(struct whip_resource *resource, const struct prism_sdpfrag *frag,
                    prism_whip_done_cb done, void *data)
{
    struct prism_whip *whip = resource->whip;
    g_mutex_lock(&whip->lock);
    if (resource->step != WHIP_STEP_LIVE) {
        g_mutex_unlock(&whip->lock);
        answer(done, data, whip_error_result(409, "An ICE restart is already in progress"));
        return;
    }
    char *offer = prism_sdpfrag_restart_offer(resource->offer, frag->ufrag, frag->pwd);
    g_free(resource->offer);
    resource->offer = offer;
    g_free(resource->ufrag);
    resource->ufrag = g_strdup(frag->ufrag);
    resource->step = WHIP_STEP_RESTART;
    resource->done = done;
    resource->done_data = data;
    json_decref(resource->restart_candidates);
    resource->restart_candidates = trickle_candidates(frag);
    offer = g_strdup(resource->offer);
    g_mutex_unlock(&whip->lock);
    whip_call_restart(resource, offer);
    g_free(offer);
}

void prism_whip_patch(struct prism_whip *whip, bool playback, uint64_t id, const char *if_match,
                      const char *body, size_t length, prism_whip_done_cb done, void *data)
{
    struct whip_resource *resource = find(whip, playback, id);
    if (!resource) {
        answer(done, data, whip_error_result(404, "No such resource"));
        return;
    }
    struct prism_sdpfrag *frag = g_new0(struct prism_sdpfrag, 1);
    char reason[128];
    g_mutex_lock(&whip->lock);
    bool matches = etag_matches(resource, if_match);
    g_mutex_unlock(&whip->lock);
    if (!matches) {
        answer(done, data, whip_error_result(412, "If-Match does not match the ETag"));
    } else if (prism_sdpfrag_parse(body, length, frag, reason, sizeof(reason)) < 0) {
        answer(done, data, whip_error_result(400, "Bad sdpfrag: %s", reason));
    } else {
        g_mutex_lock(&whip->lock);
        bool is_restart = prism_sdpfrag_is_restart(frag, resource->ufrag);
        g_mutex_unlock(&whip->lock);
        if (is_restart) {
            restart(resource, frag, done, data);
        } else {
            whip_call_trickle(resource, trickle_candidates(frag));
            struct prism_whip_result *result = g_new0(struct prism_whip_result, 1);
            result->status = 204;
            answer(done, data, result);
        }
    }
    g_free(frag);
    whip_resource_unref(resource);
}

unsigned prism_whip_resource_count(struct prism_whip *whip)
{
    g_mutex_lock(&whip->lock);
    unsigned count = g_hash_table_size(whip->resources);
    g_mutex_unlock(&whip->lock);
    return count;
}
