/* janus.plugin.streaming: the plugin table, per-handle state, request dispatch and the
 * mountpoints of the config file. The synchronous requests run on the plugin's worker, where
 * the mountpoints and their sockets live; a viewer's requests on its own worker (see
 * mountpoint.h). */
#include "plugins/streaming/mountpoint.h"

#include "core/config.h"
#include "core/config_json.h"
#include "core/log.h"
#include "core/session.h"
#include "core/worker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CONFIG_FILE "prism.plugin.streaming.jcfg"

static struct prism_worker *plugin_worker; /* holds one placement on the pool */

struct prism_worker *st_worker(void)
{
    return plugin_worker;
}

json_t *st_error(int code, const char *format, ...)
{
    char reason[256];
    va_list args;
    va_start(args, format);
    vsnprintf(reason, sizeof(reason), format, args);
    va_end(args);
    return json_pack("{s:s, s:i, s:s}", "streaming", "event", "error_code", code, "error", reason);
}

json_t *st_status(const char *status)
{
    return json_pack("{s:s, s:{s:s}}", "streaming", "event", "result", "status", status);
}

bool st_secret_equal(const char *expected, const char *given)
{
    if (!given)
        return false;
    size_t a = strlen(expected), b = strlen(given);
    unsigned diff = (unsigned)(a ^ b);
    for (size_t i = 0; i < a; i++)
        diff |= (unsigned)(expected[i] ^ given[i % (b ? b : 1)]);
    return diff == 0 && b > 0;
}

struct load_job {
    const config_t *tree;
    const char *path;
    int rc;
    char error[512];
};

/* Creates the config file's mountpoints, on the plugin's worker (their sockets live there). */
static void load_cb(void *data)
{
    struct load_job *job = data;
    st_mountpoints_init();
    const config_setting_t *list = job->tree ? config_lookup(job->tree, "mountpoints") : NULL;
    if (!list)
        return;
    if (!config_setting_is_list(list)) {
        snprintf(job->error, sizeof(job->error), "%s: mountpoints must be a list: ( { ... } )",
                 job->path);
        job->rc = -EINVAL;
        return;
    }
    for (int i = 0; i < config_setting_length(list) && job->rc == 0; i++) {
        const config_setting_t *node = config_setting_get_elem(list, (unsigned)i);
        json_t *request = prism_config_node_to_json(node);
        char reason[256];
        struct st_mountpoint *mp = NULL;
        if (json_is_object(request) &&
            st_mountpoint_create(request, &mp, reason, sizeof(reason)) == 0) {
            st_file_remember(mp->id, st_mountpoint_to_config(mp)); /* for rewrites */
        } else {
            snprintf(job->error, sizeof(job->error), "%s:%u: mountpoint: %s", job->path,
                     config_setting_source_line(node),
                     json_is_object(request) ? reason : "must be a group { ... }");
            job->rc = -EINVAL;
        }
        json_decref(request);
    }
}

static void shutdown_cb(void *data)
{
    st_mountpoints_shutdown();
}

static int streaming_init(const struct prism_config *config, struct prism_worker_pool *workers)
{
    int rc = st_relay_init(workers);
    if (rc < 0) {
        prism_error("streaming", "cannot set up the relay between workers (%d)", rc);
        return rc;
    }
    st_set_spread_viewers((unsigned)prism_config_get_int(config, "streaming", "spread_viewers"));
    plugin_worker = prism_worker_pool_acquire(workers);
    st_set_admin_key(prism_config_get_string(config, "streaming", "admin_key"));
    st_set_rtp_interface(prism_config_get_string(config, "streaming", "rtp_interface"));
    st_set_limits((unsigned)prism_config_get_int(config, "streaming", "max_mountpoints"),
                  (unsigned)prism_config_get_int(config, "streaming", "max_viewers"));
    const char *path = prism_config_file_path(config, CONFIG_FILE);
    st_file_open(path, prism_config_file(config, CONFIG_FILE));
    struct load_job job = {.tree = prism_config_file(config, CONFIG_FILE),
                           .path = path ? path : CONFIG_FILE};
    prism_worker_run_sync(plugin_worker, load_cb, &job);
    if (job.rc < 0) {
        prism_error("streaming", "%s", job.error);
        prism_worker_run_sync(plugin_worker, shutdown_cb, NULL);
        st_relay_shutdown();
        st_file_close();
        prism_worker_release(plugin_worker);
        plugin_worker = NULL;
    }
    return job.rc;
}

static void streaming_destroy(void)
{
    prism_worker_run_sync(plugin_worker, shutdown_cb, NULL);
    st_relay_shutdown(); /* groups let go of their buffers by now */
    st_set_admin_key(NULL);
    st_set_limits(0, 0);
    st_file_close();
    prism_worker_release(plugin_worker);
    plugin_worker = NULL;
}

static int streaming_create_session(struct prism_handle *handle)
{
    struct st_viewer *viewer = g_new0(struct st_viewer, 1);
    viewer->handle = handle;
    prism_handle_set_plugin_data(handle, viewer);
    return 0;
}

static void streaming_destroy_session(struct prism_handle *handle)
{
    struct st_viewer *viewer = prism_handle_plugin_data(handle);
    st_viewer_detach(viewer);
    g_free(viewer);
    prism_handle_set_plugin_data(handle, NULL);
}

static bool is_viewer_request(const char *request);

/* Synchronous requests run where the mountpoints are (a handle without media moves there).
 * A viewer's requests run on its own worker; "watch" first moves the handle to the worker it
 * will be fed on: the mountpoint's, or the least-loaded one once the mountpoint has
 * spread_viewers viewers (relay.c). */
static struct prism_worker *streaming_message_worker(struct prism_handle *handle, json_t *body,
                                                     json_t *jsep, bool *migrate)
{
    struct st_viewer *viewer = prism_handle_plugin_data(handle);
    const char *request = json_string_value(json_object_get(body, "request"));
    if (!request || !is_viewer_request(request)) {
        *migrate = !viewer || !viewer->mountpoint_id;
        return plugin_worker;
    }
    if (strcmp(request, "watch") != 0 || (viewer && viewer->mountpoint_id) ||
        prism_handle_media(handle))
        return NULL;
    /* A viewer that brings its own offer (WHEP) stays where the mountpoint is (viewer_offer.c). */
    const char *type = json_string_value(json_object_get(jsep, "type"));
    json_t *id = json_object_get(body, "id");
    struct prism_worker *spread = json_is_integer(id) && !(type && strcmp(type, "offer") == 0)
                                      ? st_relay_place_viewer((uint64_t)json_integer_value(id),
                                                              prism_handle_worker(handle))
                                      : NULL;
    *migrate = true;
    return spread ? spread : plugin_worker;
}

/* A jsep is the answer to our offer; or the viewer's own offer with "watch" (a viewer that
 * brings its offer, as WHEP clients do) and with "configure" from such a viewer (an ICE
 * restart). Refused here, before the SDP reaches the PeerConnection. */
static json_t *streaming_precheck_message(struct prism_handle *handle, json_t *body, json_t *jsep)
{
    const char *type = json_string_value(json_object_get(jsep, "type"));
    const char *request = json_string_value(json_object_get(body, "request"));
    if (!jsep || (type && strcmp(type, "answer") == 0))
        return NULL;
    struct st_viewer *viewer = prism_handle_plugin_data(handle);
    bool offer = type && strcmp(type, "offer") == 0 && request;
    if (offer && strcmp(request, "watch") == 0 && !viewer->mountpoint_id)
        return NULL;
    if (offer && strcmp(request, "configure") == 0 && viewer->answers_offers)
        return NULL;
    return st_error(PRISM_STREAMING_ERROR_INVALID_ELEMENT,
                    "Viewers send an answer to our offer; an offer only comes with \"watch\" "
                    "(a viewer that brings its own), or \"configure\" from such a viewer");
}

struct sync_request {
    const char *name;
    json_t *(*run)(json_t *body);
};

static json_t *run_enable(json_t *body)
{
    return st_request_enable(body, true);
}

static json_t *run_disable(json_t *body)
{
    return st_request_enable(body, false);
}

static const struct sync_request sync_requests[] = {
    {"list", st_request_list},       {"info", st_request_info}, {"create", st_request_create},
    {"destroy", st_request_destroy}, {"edit", st_request_edit}, {"enable", run_enable},
    {"disable", run_disable},
};

static const char *const async_requests[] = {"watch", "start",  "pause",
                                             "stop",  "switch", "configure"};

static bool is_viewer_request(const char *request)
{
    for (size_t i = 0; i < G_N_ELEMENTS(async_requests); i++) {
        if (strcmp(async_requests[i], request) == 0)
            return true;
    }
    return false;
}

static struct prism_plugin_result streaming_handle_message(struct prism_handle *handle,
                                                           const char *transaction, json_t *body,
                                                           json_t *jsep)
{
    const char *request = json_string_value(json_object_get(body, "request"));
    if (!request)
        return prism_plugin_ok(
            st_error(PRISM_STREAMING_ERROR_MISSING_ELEMENT, "Missing element (request)"));
    for (size_t i = 0; i < G_N_ELEMENTS(sync_requests); i++) {
        if (strcmp(sync_requests[i].name, request) == 0)
            return prism_plugin_ok(sync_requests[i].run(body));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(async_requests); i++) {
        if (strcmp(async_requests[i], request) != 0)
            continue;
        json_t *event = st_viewer_request(prism_handle_plugin_data(handle), request, transaction,
                                          body, jsep);
        if (event)
            prism_handle_push_event(handle, transaction, event, NULL);
        return prism_plugin_ok_wait(NULL);
    }
    return prism_plugin_ok(
        st_error(PRISM_STREAMING_ERROR_INVALID_REQUEST, "Unknown request '%s'", request));
}

static void streaming_setup_media(struct prism_handle *handle)
{
    st_viewer_setup_media(prism_handle_plugin_data(handle));
}

static void streaming_hangup_media(struct prism_handle *handle)
{
    st_viewer_hangup_media(prism_handle_plugin_data(handle));
}

static void streaming_incoming_rtcp(struct prism_handle *handle,
                                    const struct prism_peer_feedback *feedback)
{
    st_viewer_feedback(prism_handle_plugin_data(handle), feedback);
}

static json_t *streaming_query_session(struct prism_handle *handle)
{
    struct st_viewer *viewer = prism_handle_plugin_data(handle);
    json_t *state = json_pack("{s:b, s:b}", "started", viewer->started, "paused", viewer->paused);
    if (viewer->mountpoint_id) {
        json_object_set_new(state, "mountpoint", json_integer((json_int_t)viewer->mountpoint_id));
        /* Fed through the relay from the mountpoint's worker, or there directly. */
        json_object_set_new(state, "relayed", json_boolean(!viewer->local));
    }
    return state;
}

const struct prism_plugin prism_streaming_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .package = "janus.plugin.streaming",
    .name = "Prism Streaming plugin",
    .description = "RTP mountpoints watched over WebRTC by many viewers (Janus Streaming 1.x).",
    .author = "The Prism developers",
    .version = 1,
    .version_string = "0.0.1",
    .init = streaming_init,
    .destroy = streaming_destroy,
    .create_session = streaming_create_session,
    .message_worker = streaming_message_worker,
    .precheck_message = streaming_precheck_message,
    .handle_message = streaming_handle_message,
    .setup_media = streaming_setup_media,
    .hangup_media = streaming_hangup_media,
    .incoming_rtcp = streaming_incoming_rtcp,
    .destroy_session = streaming_destroy_session,
    .query_session = streaming_query_session,
    .collect_metrics = st_collect_metrics,
};
