/* WHIP (RFC 9725) and WHEP on the HTTP server: POST /whip/endpoint/{room} with an SDP offer
 * (a publisher), /whep/endpoint/{room}?feed= or /whep/mountpoint/{id} (a viewer), PATCH
 * /wh?p/resource/{id} with an sdpfrag (trickle, ICE restart), DELETE to end, OPTIONS for CORS
 * preflights. The checks that need no session happen here (sans-IO rules in
 * signaling/whip/rules.c, the Bearer against the API credentials in signaling/whip/access.c);
 * the rest goes to the WHIP module, and the connection waits (suspended) for its answer like a
 * Janus API request waits for the engine. */
#include "signaling/http/internal.h"

#include "signaling/api/api.h"
#include "signaling/api/errors.h"
#include "signaling/http/cors.h"
#include "signaling/whip/access.h"
#include "signaling/whip/rules.h"
#include "signaling/whip/whip.h"

#include <string.h>

#define WHIP_METHODS "POST, PATCH, DELETE, OPTIONS"
#define WHIP_EXPOSED_HEADERS "Location, ETag, Accept-Post, Accept-Patch, Link, WWW-Authenticate"
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
    if (result->status == 401)
        MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
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
    if (request->whip_path_kind != PRISM_WHIP_PATH_RESOURCE)
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
    if (http_handoff_answered_locked(request)) {
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

/* The Bearer token of the request, as a new string (NULL when none). */
static char *bearer_token(struct http_request *request)
{
    size_t length = 0;
    const char *token = prism_whip_bearer(
        MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND, "Authorization"),
        &length);
    return token ? g_strndup(token, length) : NULL;
}

static const char *endpoint_plugin(const struct http_request *request)
{
    return request->whip_path_kind == PRISM_WHIP_PATH_MOUNTPOINT ? "janus.plugin.streaming"
                                                                 : "janus.plugin.videoroom";
}

/* What the Bearer token is worth here (access.h): for a POST against the endpoint's plugin,
 * for a resource against the API credentials alone. */
static enum prism_whip_credential check_bearer(struct prism_http *http,
                                               struct http_request *request, const char *token)
{
    bool post = request->whip_path_kind != PRISM_WHIP_PATH_RESOURCE;
    return prism_whip_check_bearer(http->api ? prism_api_auth(http->api) : NULL, token,
                                   token ? strlen(token) : 0,
                                   post ? endpoint_plugin(request) : NULL);
}

/* A POST: the pin from ?pin=, else (no API credentials configured) the Bearer token; the
 * Bearer is the room token too, unless it was the API secret. */
static void start_post(struct prism_http *http, struct http_request *request, const char *body,
                       size_t length)
{
    struct MHD_Connection *connection = request->connection;
    char *token = bearer_token(request);
    enum prism_whip_credential credential = check_bearer(http, request, token);
    const char *pin = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "pin");
    struct prism_whip_access access = {
        .pin = pin                                        ? pin
               : credential == PRISM_WHIP_CREDENTIAL_NONE ? token
                                                          : NULL,
        .token = credential == PRISM_WHIP_CREDENTIAL_APISECRET ? NULL : token,
        .api_field = prism_whip_credential_field(credential),
        .api_value = token,
        .client_address = request->client_address,
    };
    if (request->whip_path_kind == PRISM_WHIP_PATH_MOUNTPOINT)
        prism_whep_play_mountpoint(http->whip, request->whip_id, &access, body, length, done_cb,
                                   request);
    else if (request->whip_playback)
        prism_whep_play(http->whip, request->whip_id, (uint64_t)feed_argument(request), &access,
                        body, length, done_cb, request);
    else
        prism_whip_publish(
            http->whip, request->whip_id,
            MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "display"), &access,
            body, length, done_cb, request);
    if (token)
        memset(token, 0, strlen(token));
    g_free(token);
}

static void start(struct prism_http *http, struct http_request *request, enum whip_verb verb)
{
    const char *body = request->body ? (const char *)request->body->data : NULL;
    size_t length = request->body ? request->body->len : 0;
    if (verb == VERB_PUBLISH) {
        start_post(http, request, body, length);
    } else if (verb == VERB_PATCH) {
        const char *if_match = MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND,
                                                           MHD_HTTP_HEADER_IF_MATCH);
        prism_whip_patch(http->whip, request->whip_playback, request->whip_id, if_match, body,
                         length, done_cb, request);
    } else {
        prism_whip_delete(http->whip, request->whip_playback, request->whip_id, done_cb, request);
    }
}

/* With API credentials configured, the Bearer token must satisfy them: else a 401 with
 * WWW-Authenticate (false when it answered). */
static bool authorized(struct prism_http *http, struct http_request *request,
                       enum MHD_Result *answered)
{
    char *token = bearer_token(request);
    enum prism_whip_credential credential = check_bearer(http, request, token);
    if (token)
        memset(token, 0, strlen(token));
    g_free(token);
    if (credential != PRISM_WHIP_CREDENTIAL_REFUSED)
        return true;
    *answered = respond_error(http, request, 401,
                              "Unauthorized: the Bearer token must be the API secret or a valid "
                              "token for this plugin");
    return false;
}

/* Hands the request to the WHIP module and answers, now or once resumed. */
static enum MHD_Result wait_for_whip(struct prism_http *http, struct http_request *request,
                                     enum whip_verb verb)
{
    if (!http_handoff_begin(request))
        return respond_error(http, request, 503, "Shutting down");
    atomic_fetch_add(&request->refs, 1); /* the WHIP module's, until done_cb */
    start(http, request, verb);

    switch (http_handoff_wait(request)) {
    case HTTP_HANDOFF_READY: {
        struct prism_whip_result *result = request->whip_result;
        request->whip_result = NULL;
        return http_whip_respond(http, request, result);
    }
    case HTTP_HANDOFF_STOPPING:
        return respond_error(http, request, 503, "Shutting down");
    case HTTP_HANDOFF_PARKED:
        break;
    }
    return MHD_YES;
}

static enum MHD_Result serve_endpoint(struct prism_http *http, struct http_request *request)
{
    if (strcmp(request->method, "POST") != 0)
        return respond_error(http, request, 405, "Use POST with an SDP offer on this endpoint");
    enum MHD_Result answered;
    if (!authorized(http, request, &answered))
        return answered;
    if (request->whip_path_kind == PRISM_WHIP_PATH_ENDPOINT && request->whip_playback &&
        feed_argument(request) < 0)
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
    enum MHD_Result answered;
    if (!authorized(http, request, &answered))
        return answered;
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
    /* A mountpoint plays (WHEP); nothing publishes into one over WHIP. */
    if (!request->whip_playback && path.kind == PRISM_WHIP_PATH_MOUNTPOINT)
        path.kind = PRISM_WHIP_PATH_INVALID;
    request->whip_path_kind = (int)path.kind;
    request->whip_id = path.id;
}

static enum MHD_Result whip_serve(struct prism_http *http, struct http_request *request)
{
    if (request->whip_path_kind == PRISM_WHIP_PATH_INVALID)
        return respond_error(http, request, 404,
                             request->whip_playback
                                 ? "Not a WHEP path: /whep/endpoint/{room}, "
                                   "/whep/mountpoint/{id} or /whep/resource/{id}"
                                 : "Not a WHIP path: /whip/endpoint/{room} or /whip/resource/{id}");
    if (strcmp(request->method, "OPTIONS") == 0)
        return respond_preflight(http, request);
    if (!http_admit(http, request))
        return http_respond_too_many(http, request, true);
    if (request->whip_path_kind == PRISM_WHIP_PATH_RESOURCE)
        return serve_resource(http, request);
    return serve_endpoint(http, request);
}

void http_whip_route_init(struct http_route *route)
{
    *route = (struct http_route){"/whip", whip_begin, whip_serve};
}

void http_whep_route_init(struct http_route *route)
{
    *route = (struct http_route){"/whep", whip_begin, whip_serve};
}
