/* The Janus API under the base path: POSTs go to the API engine and wait
 * (suspended) for its reply, GET {base}/info answers server_info, and
 * GET {base}/{session} is the event long-poll. */
#include "signaling/http/internal.h"

#include "core/ids.h"
#include "signaling/api/api.h"
#include "signaling/api/errors.h"

#include <stdio.h>

static struct http_request *request_of(struct prism_reply_target *target)
{
    return (struct http_request *)((char *)target - offsetof(struct http_request, target));
}

/* The engine's reply, from any thread: straight to the handler if it is still
 * inside prism_api_handle, else resume the suspended connection. A reply
 * after shutdown answered the request already is dropped. */
static void deliver_cb(struct prism_reply_target *target, json_t *reply)
{
    struct http_request *request = request_of(target);
    struct http_hub *hub = request->hub;
    g_mutex_lock(&hub->lock);
    if (http_handoff_answered_locked(request)) {
        http_hub_ready_locked(hub, request, reply, MHD_HTTP_OK);
        reply = NULL;
    }
    g_mutex_unlock(&hub->lock);
    json_decref(reply);
    http_request_unref(request);
}

static enum MHD_Result respond_shutting_down(struct prism_http *http, struct http_request *request)
{
    return http_respond_error(http, request, MHD_HTTP_SERVICE_UNAVAILABLE,
                              PRISM_API_ERROR_TRANSPORT_SPECIFIC, "Shutting down");
}

static enum MHD_Result serve_api(struct prism_http *http, struct http_request *request)
{
    struct http_hub *hub = request->hub;
    if (!http_handoff_begin(request))
        return respond_shutting_down(http, request);

    atomic_fetch_add(&request->refs, 1); /* the engine's, until deliver_cb */
    struct prism_api_request api_request = {
        .body = request->body ? (const char *)request->body->data : NULL,
        .length = request->body ? request->body->len : 0,
        .from_path = true,
        .path_session_id = request->path.session_id,
        .path_handle_id = request->path.handle_id,
        .sink = &hub->sink,
        .reply = &request->target,
        .client_address = request->client_address,
    };
    if (http->admin)
        prism_api_handle_admin(http->api, &api_request, prism_now_us());
    else
        prism_api_handle(http->api, &api_request, prism_now_us());

    switch (http_handoff_wait(request)) {
    case HTTP_HANDOFF_READY: {
        json_t *reply = request->answer;
        request->answer = NULL;
        return http_respond(http, request, MHD_HTTP_OK, reply);
    }
    case HTTP_HANDOFF_STOPPING:
        return respond_shutting_down(http, request);
    case HTTP_HANDOFF_PARKED:
        break;
    }
    return MHD_YES;
}

static enum MHD_Result serve_poll(struct prism_http *http, struct http_request *request)
{
    struct http_hub *hub = request->hub;
    uint64_t session_id = request->path.session_id;
    uint64_t now = prism_now_us();
    /* The poll bypasses the engine, so it checks the credentials itself, from
     * the query (janus.js adds ?apisecret= and ?token=), before looking at the
     * session: a bare 403 as Janus's HTTP transport answers. */
    const char *apisecret = MHD_lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND,
                                                        "apisecret");
    const char *token = MHD_lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND,
                                                    "token");
    if (!prism_api_check_credentials(http->api, apisecret, token)) {
        g_mutex_lock(&hub->lock);
        request->state = REQUEST_DONE;
        g_mutex_unlock(&hub->lock);
        return http_respond(http, request, MHD_HTTP_FORBIDDEN, NULL);
    }
    /* A poll is activity: it keeps the session from timing out. A session
     * whose events go to another transport is not ours to poll: 404 below,
     * as Janus answers for a session its HTTP transport does not hold. */
    bool exists = prism_api_session_poll(http->api, session_id, &hub->sink, now) == 0;
    const char *maxev = MHD_lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND,
                                                    "maxev");
    request->waiter.session_id = session_id;
    request->waiter.max_events = prism_http_parse_maxev(maxev);
    request->waiter.deadline_us = now + (uint64_t)http->long_poll_timeout_s * 1000000u;

    g_mutex_lock(&hub->lock);
    enum prism_http_poll_result result = prism_http_queue_poll(hub->queue, &request->waiter, exists,
                                                               !hub->stopping);
    if (result == PRISM_HTTP_POLL_WAITING) {
        request->state = REQUEST_WAITING;
        MHD_suspend_connection(request->connection);
        g_cond_broadcast(&hub->changed); /* the sweeper has a new deadline */
        g_mutex_unlock(&hub->lock);
        return MHD_YES;
    }
    json_t *answer = request->waiter.answer;
    request->waiter.answer = NULL;
    request->state = REQUEST_DONE;
    g_mutex_unlock(&hub->lock);

    if (result == PRISM_HTTP_POLL_ANSWERED)
        return http_respond(http, request, MHD_HTTP_OK, answer);
    /* 404 as Janus: janus.js retries a failed poll three times and then
     * reports the lost session, where a 200 error would poll in a loop. */
    char reason[64];
    snprintf(reason, sizeof(reason), "No such session %" G_GUINT64_FORMAT, session_id);
    return http_respond_error(http, request, MHD_HTTP_NOT_FOUND, PRISM_API_ERROR_SESSION_NOT_FOUND,
                              reason);
}

static enum MHD_Result serve_redirect(struct prism_http *http, struct http_request *request)
{
    char *location = g_strdup_printf("%s/%" G_GUINT64_FORMAT, http->base_path,
                                     request->path.session_id);
    enum MHD_Result result = http_respond_redirect(http, request, location);
    g_free(location);
    return result;
}

static void janus_begin(struct prism_http *http, struct http_request *request)
{
    request->target.deliver = deliver_cb;
    prism_http_parse_path(request->rest, &request->path);
    prism_http_decide(request->method, &request->path, &request->decision);
}

static enum MHD_Result janus_serve(struct prism_http *http, struct http_request *request)
{
    const struct prism_http_decision *decision = &request->decision;
    /* The Admin API is POST only: no info page, no long-poll. */
    if (http->admin &&
        (decision->action == PRISM_HTTP_ACTION_INFO || decision->action == PRISM_HTTP_ACTION_POLL ||
         decision->action == PRISM_HTTP_ACTION_REDIRECT))
        return http_respond_error(http, request, MHD_HTTP_METHOD_NOT_ALLOWED,
                                  PRISM_API_ERROR_INVALID_REQUEST_PATH,
                                  "Admin API requests are POSTs");
    /* Every Janus API request and long-poll counts against the address's request rate
     * (preflights do not: browsers send them on their own). The Admin API is the operator's. */
    if (!http->admin && decision->action != PRISM_HTTP_ACTION_PREFLIGHT &&
        !http_admit(http, request))
        return http_respond_too_many(http, request, false);
    switch (decision->action) {
    case PRISM_HTTP_ACTION_PREFLIGHT:
        return http_respond_preflight(http, request);
    case PRISM_HTTP_ACTION_API:
        return serve_api(http, request);
    case PRISM_HTTP_ACTION_INFO:
        return http_respond(http, request, MHD_HTTP_OK, prism_api_server_info(http->api, NULL));
    case PRISM_HTTP_ACTION_POLL:
        return serve_poll(http, request);
    case PRISM_HTTP_ACTION_REDIRECT:
        return serve_redirect(http, request);
    case PRISM_HTTP_ACTION_UNKNOWN_METHOD:
        return http_respond(http, request, decision->status, NULL);
    case PRISM_HTTP_ACTION_ERROR:
        break;
    }
    return http_respond_error(http, request, decision->status, decision->code, decision->reason);
}

void http_janus_route_init(struct http_route *route, const char *base_path)
{
    *route = (struct http_route){base_path, janus_begin, janus_serve};
}
