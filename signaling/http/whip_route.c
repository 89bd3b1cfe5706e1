/* WHIP (RFC 9725) and WHEP on the HTTP server: POST /whip/endpoint/{room} with an SDP offer
 * (a publisher) or /whep/endpoint/{room}?feed= (a viewer), PATCH /wh?p/resource/{id} with an
 * sdpfrag (trickle, ICE restart), DELETE to end, OPTIONS for CORS preflights. The checks that need
 * no session happen here (sans-IO rules in signaling/whip/rules.c); the rest goes to the WHIP
 * module, and the connection waits (suspended) for its answer like a Janus API request waits for
 * the engine. */
#include "signaling/http/internal.h"

#include "signaling/api/errors.h"
#include "signaling/http/cors.h"
#include "signaling/whip/rules.h"
#include "signaling/whip/whip.h"

#include <string.h>

#define WHIP_METHODS "POST, PATCH, DELETE, OPTIONS"
#define WHIP_EXPOSED_HEADERS "Location, ETag, Accept-Post, Accept-Patch, Link"
#define WHIP_ALLOWED_HEADERS "Authorization, Content-Type, If-Match"

enum MHD_Result http_whip_respond(struct prism_http *http, struct http_request *request,
                                  struct prism_whip_result *result)
{
    size_t length = result->body ? strlen(result->body) : 0;
    struct MHD_Response *response = MHD_create_response_from_buffer(length, result->body,
                                                                    MHD_RESPMEM_MUST_COPY);
    if (!response) {
        prism_whip_result_free(result);
        return MHD_NO;
    }
    if (result->body && result->content_type)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, result->content_type);
    if (result->location)
        MHD_add_response_header(response, MHD_HTTP_HEADER_LOCATION, result->location);
    if (result->etag)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ETAG, result->etag);
    if (request->whip_path_kind == PRISM_WHIP_PATH_RESOURCE || result->location)
        MHD_add_response_header(response, "Accept-Patch", "application/trickle-ice-sdpfrag");
    http_add_cors_headers(http, request, response);
    MHD_add_response_header(response, "Access-Control-Expose-Headers", WHIP_EXPOSED_HEADERS);
    enum MHD_Result queued = http_queue_response(request, result->status, response);
    MHD_destroy_response(response);
    prism_whip_result_free(result);
    return queued;
}

static enum MHD_Result respond_error(struct prism_http *http, struct http_request *request,
                                     unsigned status, const char *reason)
{
    return http_whip_respond(http, request, prism_whip_error_result(status, reason));
}

static enum MHD_Result respond_preflight(struct prism_http *http, struct http_request *request)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(0, NULL,
                                                                    MHD_RESPMEM_PERSISTENT);
    if (!response)
        return MHD_NO;
    http_add_cors_headers(http, request, response);
    const char *asked = MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND,
                                                    "Access-Control-Request-Headers");
    MHD_add_response_header(response, "Access-Control-Allow-Methods", WHIP_METHODS);
    MHD_add_response_header(response, "Access-Control-Allow-Headers",
                            asked ? asked : WHIP_ALLOWED_HEADERS);
    MHD_add_response_header(response, "Access-Control-Expose-Headers", WHIP_EXPOSED_HEADERS);
    MHD_add_response_header(response, "Access-Control-Max-Age", PRISM_HTTP_CORS_MAX_AGE);
    MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, WHIP_METHODS);
    if (request->whip_path_kind == PRISM_WHIP_PATH_ENDPOINT)
        MHD_add_response_header(response, "Accept-Post", "application/sdp");
    else
        MHD_add_response_header(response, "Accept-Patch", "application/trickle-ice-sdpfrag");
    enum MHD_Result queued = http_queue_response(request, 204, response);
    MHD_destroy_response(response);
    return queued;
}

/* The WHIP module's answer, from any thread: to the handler if it is still running, else
 * the suspended connection is resumed (or, after shutdown answered it, dropped). */
static void done_cb(void *data, struct prism_whip_result *result)
{
    struct http_request *request = data;
    struct http_hub *hub = request->hub;
    g_mutex_lock(&hub->lock);
    if (request->state == REQUEST_WAITING) {
        g_queue_unlink(&hub->pending, &request->pending_link);
        request->pending_link.data = NULL;
    }
    if (request->state == REQUEST_HANDLING || request->state == REQUEST_WAITING) {
        request->whip_result = result;
        result = NULL;
        http_hub_ready_locked(hub, request, NULL, request->whip_result->status);
    }
    g_mutex_unlock(&hub->lock);
    prism_whip_result_free(result);
    http_request_unref(request);
}

enum whip_verb { VERB_PUBLISH, VERB_PATCH, VERB_DELETE };

/* The `feed` query argument of a WHEP POST: 0 when absent, -1 when malformed. */
static int64_t feed_argument(struct http_request *request)
{
    const char *text = MHD_lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND,
                                                   "feed");
    if (!text || !text[0])
        return 0;
    char *path = g_strdup_printf("/endpoint/%s", text);
    struct prism_whip_path parsed;
    prism_whip_parse_path(path, &parsed);
    g_free(path);
    return parsed.kind == PRISM_WHIP_PATH_ENDPOINT ? (int64_t)parsed.id : -1;
}

static void start(struct prism_http *http, struct http_request *request, enum whip_verb verb)
{
    const char *body = request->body ? (const char *)request->body->data : NULL;
    size_t length = request->body ? request->body->len : 0;
    struct MHD_Connection *connection = request->connection;
    if (verb == VERB_PUBLISH) {
        const char *display = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND,
                                                          "display");
        size_t token_length = 0;
        const char *token = prism_whip_bearer(
            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization"),
            &token_length);
        if (request->whip_playback)
            prism_whep_play(http->whip, request->whip_id, (uint64_t)feed_argument(request), token,
                            token_length, body, length, request->client_address, done_cb, request);
        else
            prism_whip_publish(http->whip, request->whip_id, display, token, token_length, body,
                               length, request->client_address, done_cb, request);
    } else if (verb == VERB_PATCH) {
        const char *if_match = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                           MHD_HTTP_HEADER_IF_MATCH);
        prism_whip_patch(http->whip, request->whip_playback, request->whip_id, if_match, body,
                         length, done_cb, request);
    } else {
        prism_whip_delete(http->whip, request->whip_playback, request->whip_id, done_cb, request);
    }
}

/* Hands the request to the WHIP module and answers, now or once resumed. */
static enum MHD_Result wait_for_whip(struct prism_http *http, struct http_request *request,
                                     enum whip_verb verb)
{
    struct http_hub *hub = request->hub;
    g_mutex_lock(&hub->lock);
    bool stopping = hub->stopping;
    if (!stopping)
        request->state = REQUEST_HANDLING;
    g_mutex_unlock(&hub->lock);
    if (stopping)
        return respond_error(http, request, 503, "Shutting down");
    atomic_fetch_add(&request->refs, 1); /* the WHIP module's, until done_cb */
    start(http, request, verb);

    g_mutex_lock(&hub->lock);
    if (request->state == REQUEST_READY) {
        struct prism_whip_result *result = request->whip_result;
        request->whip_result = NULL;
        request->state = REQUEST_DONE;
        g_mutex_unlock(&hub->lock);
        return http_whip_respond(http, request, result);
    }
    if (hub->stopping) {
        request->state = REQUEST_DONE;
        g_mutex_unlock(&hub->lock);
        return respond_error(http, request, 503, "Shutting down");
    }
    request->state = REQUEST_WAITING;
    request->pending_link = (GList){.data = request};
    g_queue_push_tail_link(&hub->pending, &request->pending_link);
    MHD_suspend_connection(request->connection);
    g_mutex_unlock(&hub->lock);
    return MHD_YES;
}

static enum MHD_Result serve_endpoint(struct prism_http *http, struct http_request *request)
{
    if (strcmp(request->method, "POST") != 0)
        return respond_error(http, request, 405, "Use POST with an SDP offer on this endpoint");
    if (request->whip_playback && feed_argument(request) < 0)
        return respond_error(http, request, 400, "feed must be a publisher id");
    const char *type = MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!prism_whip_content_type_is(type, "application/sdp"))
        return respond_error(http, request, 415, "The offer must be sent as application/sdp");
    char reason[128];
    const char *body = request->body ? (const char *)request->body->data : NULL;
    if (!prism_whip_check_offer(body, request->body ? request->body->len : 0, reason,
                                sizeof(reason)))
        return respond_error(http, request, 400, reason);
    return wait_for_whip(http, request, VERB_PUBLISH);
}

static enum MHD_Result serve_resource(struct prism_http *http, struct http_request *request)
{
    if (strcmp(request->method, "DELETE") == 0)
        return wait_for_whip(http, request, VERB_DELETE);
    if (strcmp(request->method, "PATCH") != 0)
        return respond_error(http, request, 405, "Use PATCH or DELETE on a resource");
    const char *type = MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!prism_whip_content_type_is(type, "application/trickle-ice-sdpfrag"))
        return respond_error(http, request, 415,
                             "PATCH takes application/trickle-ice-sdpfrag (RFC 8840)");
    return wait_for_whip(http, request, VERB_PATCH);
}

static void whip_begin(struct prism_http *http, struct http_request *request)
{
    (void)http;
    struct prism_whip_path path;
    prism_whip_parse_path(request->rest, &path);
    request->whip_playback = strcmp(request->route->prefix, "/whep") == 0;
    request->whip_path_kind = (int)path.kind;
    request->whip_id = path.id;
}

static enum MHD_Result whip_serve(struct prism_http *http, struct http_request *request)
{
    if (request->whip_path_kind == PRISM_WHIP_PATH_INVALID)
        return respond_error(http, request, 404,
                             request->whip_playback
                                 ? "Not a WHEP path: /whep/endpoint/{room} or /whep/resource/{id}"
                                 : "Not a WHIP path: /whip/endpoint/{room} or /whip/resource/{id}");
    if (strcmp(request->method, "OPTIONS") == 0)
        return respond_preflight(http, request);
    if (!http_admit(http, request))
        return http_respond_too_many(http, request, true);
    if (request->whip_path_kind == PRISM_WHIP_PATH_ENDPOINT)
        return serve_endpoint(http, request);
    return serve_resource(http, request);
}

void http_whip_route_init(struct http_route *route)
{
    *route = (struct http_route){"/whip", whip_begin, whip_serve};
}

void http_whep_route_init(struct http_route *route)
{
    *route = (struct http_route){"/whep", whip_begin, whip_serve};
}
