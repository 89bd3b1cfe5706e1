/* Requests about handles: attach, detach, hangup, message, trickle. Those
 * that run plugin code go to the handle's worker and reply from there. */
#include "signaling/api/engine_internal.h"

#include "core/events.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/plugin.h"
#include "core/worker.h"
#include "media/peer/handle_media.h"
#include "signaling/api/errors.h"
#include "signaling/api/trickle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A request carried to a worker: what it needs to run and to reply. */
struct handle_job {
    struct prism_api *api;
    struct prism_reply_target *reply;
    char *transaction;
    uint64_t session_id;
    struct prism_session *session; /* reference */
    struct prism_handle *handle;   /* reference */
    json_t *body;                  /* reference or NULL */
    json_t *jsep;                  /* reference or NULL */
};

static struct handle_job *handle_job_new(const struct api_call *call, struct prism_handle *handle)
{
    struct handle_job *job = calloc(1, sizeof(*job));
    if (!job)
        abort();
    api_job_begin(call->api);
    job->api = call->api;
    job->reply = call->request->reply;
    job->transaction = call->transaction ? strdup(call->transaction) : NULL;
    job->session_id = call->session_id;
    job->session = prism_session_ref(call->session);
    job->handle = handle;
    return job;
}

static void handle_job_free(struct handle_job *job)
{
    if (job->handle)
        prism_handle_unref(job->handle);
    prism_session_unref(job->session);
    json_decref(job->body);
    json_decref(job->jsep);
    free(job->transaction);
    struct prism_api *api = job->api;
    free(job);
    api_job_end(api);
}

static void job_reply(struct handle_job *job, json_t *reply)
{
    job->reply->deliver(job->reply, reply);
}

static void job_reply_error(struct handle_job *job, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void job_reply_error(struct handle_job *job, int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    job_reply(job, prism_api_error_replyv(job->session_id, job->transaction, code, format, args));
    va_end(args);
}

const struct prism_plugin *api_find_plugin(struct prism_api *api, const char *package)
{
    for (size_t i = 0; i < api->plugin_count; i++) {
        if (strcmp(api->plugins[i]->package, package) == 0)
            return api->plugins[i];
    }
    return NULL;
}

static void attach_job_cb(void *data)
{
    struct handle_job *job = data;
    struct prism_handle *handle = job->handle;
    prism_session_defer_events();
    int rc = prism_handle_plugin(handle)->create_session(handle);
    if (rc < 0) {
        prism_handle_mark_detached(handle);
        job_reply_error(job, PRISM_API_ERROR_PLUGIN_ATTACH, "Couldn't attach to plugin: error '%d'",
                        rc);
    } else if (!prism_session_add_handle(job->session, handle,
                                         job->api->config.max_handles_per_session)) {
        prism_handle_plugin(handle)->destroy_session(handle);
        prism_handle_mark_detached(handle);
        if (prism_session_is_ending(job->session))
            job_reply_error(job, PRISM_API_ERROR_SESSION_NOT_FOUND,
                            "No such session %" G_GUINT64_FORMAT, job->session_id);
        else
            job_reply_error(job, PRISM_API_ERROR_PLUGIN_ATTACH,
                            "Couldn't attach to plugin: too many handles in this session");
    } else {
        atomic_fetch_add(&job->api->handle_count, 1);
        prism_events_handle(job->session_id, prism_handle_id(handle), "attached",
                            prism_handle_plugin(handle)->package, prism_handle_opaque_id(handle));
        json_t *reply = api_reply_base("success", job->session_id, job->transaction);
        json_object_set_new(reply, "data",
                            json_pack("{s:I}", "id", (json_int_t)prism_handle_id(handle)));
        job_reply(job, reply);
    }
    prism_session_flush_deferred();
    handle_job_free(job);
}

static const struct prism_param attach_params[] = {
    {"plugin", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"opaque_id", PRISM_PARAM_STRING, 0},
};

void api_request_attach(struct api_call *call)
{
    struct prism_api *api = call->api;
    if (!api_check_params(call, call->root, attach_params, PRISM_PARAMS_COUNT(attach_params)))
        return;
    const char *package = json_string_value(json_object_get(call->root, "plugin"));
    const struct prism_plugin *plugin = api_find_plugin(api, package);
    if (!plugin) {
        api_reply_error(call, PRISM_API_ERROR_PLUGIN_NOT_FOUND, "No such plugin '%s'", package);
        return;
    }
    /* As Janus: a token that came with the attach must allow the plugin,
     * even when the request passed on its API secret. */
    const char *token = json_string_value(json_object_get(call->root, "token"));
    if (token && !prism_auth_token_allows_plugin(api->auth, token, plugin->package)) {
        api_reply_error(call, PRISM_API_ERROR_UNAUTHORIZED_PLUGIN,
                        "Provided token can't access plugin '%s'", package);
        return;
    }
    uint64_t id;
    struct prism_handle *existing;
    do {
        id = prism_random_id();
        existing = prism_session_find_handle(call->session, id);
        prism_handle_unref(existing);
    } while (existing);
    const char *opaque_id = json_string_value(json_object_get(call->root, "opaque_id"));
    struct prism_worker *worker = prism_worker_pool_acquire(api->workers);
    struct prism_handle *handle = prism_handle_new(id, call->session, plugin, worker, opaque_id);
    if (!handle) {
        prism_worker_release(worker);
        api_reply_error(call, PRISM_API_ERROR_UNKNOWN, "Out of memory");
        return;
    }
    prism_worker_post(worker, attach_job_cb, handle_job_new(call, handle));
}

static void reply_success_cb(void *data)
{
    struct handle_job *job = data;
    job_reply(job, api_reply_base("success", job->session_id, job->transaction));
    handle_job_free(job);
}

void api_request_detach(struct api_call *call)
{
    struct prism_handle *handle = prism_session_remove_handle(call->session, call->handle_id);
    if (!handle) {
        api_reply_error(call, PRISM_API_ERROR_HANDLE_NOT_FOUND,
                        "No such handle %" G_GUINT64_FORMAT " in session %" G_GUINT64_FORMAT,
                        call->handle_id, call->session_id);
        return;
    }
    struct handle_job *job = handle_job_new(call, NULL);
    api_detach_handle(call->api, handle, true, true, reply_success_cb, job);
}

static void hangup_job_cb(void *data)
{
    struct handle_job *job = data;
    prism_session_defer_events();
    prism_handle_media_hangup(job->handle, "Janus API");
    job_reply(job, api_reply_base("success", job->session_id, job->transaction));
    prism_session_flush_deferred();
    handle_job_free(job);
}

void api_request_hangup(struct api_call *call)
{
    struct handle_job *job = handle_job_new(call, prism_handle_ref(call->handle));
    prism_worker_post(prism_handle_worker(call->handle), hangup_job_cb, job);
}

static void reply_plugin_result(struct handle_job *job, struct prism_plugin_result result)
{
    const struct prism_plugin *plugin = prism_handle_plugin(job->handle);
    if (result.kind == PRISM_PLUGIN_OK) {
        json_t *reply = api_reply_base("success", job->session_id, job->transaction);
        json_object_set_new(reply, "sender",
                            json_integer((json_int_t)prism_handle_id(job->handle)));
        json_t *plugindata = json_pack("{s:s}", "plugin", plugin->package);
        json_object_set_new(plugindata, "data", result.content ? result.content : json_object());
        json_object_set_new(reply, "plugindata", plugindata);
        job_reply(job, reply);
    } else if (result.kind == PRISM_PLUGIN_OK_WAIT) {
        json_t *reply = api_reply_base("ack", job->session_id, job->transaction);
        if (result.hint)
            json_object_set_new(reply, "hint", json_string(result.hint));
        job_reply(job, reply);
    } else {
        json_decref(result.content);
        job_reply_error(job, PRISM_API_ERROR_PLUGIN_MESSAGE, "%s",
                        result.error ? result.error : "Plugin error");
    }
}

/* The SDP goes to the PeerConnection first (error 465 stops here), then the plugin gets the
 * message; events it pushes meanwhile leave after the reply. */
static void message_job_cb(void *data);

static void run_plugin_message(struct handle_job *job)
{
    prism_session_defer_events();
    const struct prism_plugin *plugin = prism_handle_plugin(job->handle);
    json_t *refused = plugin->precheck_message
                          ? plugin->precheck_message(job->handle, job->body, job->jsep)
                          : NULL;
    if (refused) {
        job_reply(job, api_reply_base("ack", job->session_id, job->transaction));
        prism_handle_push_event(job->handle, job->transaction, refused, NULL);
        prism_session_flush_deferred();
        return;
    }
    char reason[256];
    int code = 0;
    if (job->jsep && !prism_worker_is_current(prism_handle_worker(job->handle))) {
        /* Redirected without moving (the handle already has media elsewhere): its
         * PeerConnection belongs to another thread. */
        code = PRISM_API_ERROR_WEBRTC_STATE;
        snprintf(reason, sizeof(reason), "This handle's media lives on another worker");
    } else if (job->jsep) {
        code = prism_handle_media_apply_jsep(job->handle, job->jsep, reason, sizeof(reason));
    }
    if (code) {
        job_reply_error(job, code, "%s", reason);
    } else {
        reply_plugin_result(
            job, plugin->handle_message(job->handle, job->transaction, job->body, job->jsep));
    }
    prism_session_flush_deferred();
}

/* Asks the plugin where the message must run; re-posts the job there (moving the handle when
 * asked and allowed) and returns true, or returns false to run it here. */
static bool redirect_message(struct handle_job *job)
{
    const struct prism_plugin *plugin = prism_handle_plugin(job->handle);
    if (!plugin->message_worker)
        return false;
    bool migrate = false;
    struct prism_worker *target = plugin->message_worker(job->handle, job->body, job->jsep,
                                                         &migrate);
    if (!target || prism_worker_is_current(target))
        return false;
    if (migrate && !prism_handle_media(job->handle))
        prism_handle_set_worker(job->handle, target);
    prism_worker_post(target, message_job_cb, job);
    return true;
}

static void message_job_cb(void *data)
{
    struct handle_job *job = data;
    if (!prism_handle_is_detached(job->handle) && redirect_message(job))
        return;
    if (prism_handle_is_detached(job->handle)) {
        job_reply_error(job, PRISM_API_ERROR_HANDLE_NOT_FOUND,
                        "No such handle %" G_GUINT64_FORMAT " in session %" G_GUINT64_FORMAT,
                        prism_handle_id(job->handle), job->session_id);
    } else {
        run_plugin_message(job);
    }
    handle_job_free(job);
}

static const struct prism_param message_params[] = {
    {"body", PRISM_PARAM_OBJECT, PRISM_PARAM_REQUIRED},
    {"jsep", PRISM_PARAM_OBJECT, 0},
};

static const struct prism_param jsep_params[] = {
    {"type", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"sdp", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"trickle", PRISM_PARAM_BOOLEAN, 0},
};

/* Checks the JSEP envelope; the SDP itself is checked by the media core. */
static bool check_jsep(const struct api_call *call, json_t *jsep)
{
    if (!jsep)
        return true;
    if (!api_check_params(call, jsep, jsep_params, PRISM_PARAMS_COUNT(jsep_params)))
        return false;
    const char *type = json_string_value(json_object_get(jsep, "type"));
    if (strcmp(type, "offer") != 0 && strcmp(type, "answer") != 0) {
        api_reply_error(call, PRISM_API_ERROR_JSEP_UNKNOWN_TYPE,
                        "JSEP error: unknown message type '%s'", type);
        return false;
    }
    return true;
}

void api_request_message(struct api_call *call)
{
    if (!api_check_params(call, call->root, message_params, PRISM_PARAMS_COUNT(message_params)))
        return;
    json_t *jsep = json_object_get(call->root, "jsep");
    if (!check_jsep(call, jsep))
        return;
    struct handle_job *job = handle_job_new(call, prism_handle_ref(call->handle));
    job->body = json_incref(json_object_get(call->root, "body"));
    job->jsep = json_incref(jsep);
    prism_worker_post(prism_handle_worker(call->handle), message_job_cb, job);
}

static void trickle_job_cb(void *data)
{
    struct handle_job *job = data;
    size_t index;
    json_t *candidate;
    if (!prism_handle_is_detached(job->handle)) {
        json_array_foreach(job->body, index, candidate)
        {
            prism_handle_media_trickle(job->handle, candidate);
        }
    }
    handle_job_free(job);
}

void api_request_trickle(struct api_call *call)
{
    const char *reason = NULL;
    int code = prism_api_trickle_check(call->root, &reason);
    if (code) {
        api_reply_error(call, code, "%s", reason);
        return;
    }
    /* Acknowledged at once, as Janus does; the candidates reach the PeerConnection on the
     * handle's worker, after any offer sent before them. */
    struct handle_job *job = handle_job_new(call, prism_handle_ref(call->handle));
    json_t *candidates = json_object_get(call->root, "candidates");
    job->body = candidates ? json_incref(candidates)
                           : json_pack("[O]", json_object_get(call->root, "candidate"));
    api_reply(call, api_reply_base("ack", call->session_id, call->transaction));
    prism_worker_post(prism_handle_worker(call->handle), trickle_job_cb, job);
}
