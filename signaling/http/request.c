/* libmicrohttpd glue shared by every route: the per-request object, the body
 * with its size limit, routing by path prefix, and responses with CORS. */
#include "signaling/http/internal.h"

#include "core/ids.h"
#include "core/log.h"
#include "core/request_metrics.h"
#include "signaling/api/api.h"
#include "signaling/api/errors.h"
#include "signaling/http/cors.h"
#include "signaling/limits/rejections.h"
#include "signaling/whip/whip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct http_request *request_new(struct prism_http *http, struct MHD_Connection *connection,
                                        const char *uri)
{
    struct http_request *request = calloc(1, sizeof(*request));
    if (!request)
        return NULL;
    atomic_init(&request->refs, 1);
    request->hub = http_hub_ref(http->hub);
    request->connection = connection;
    request->raw_target = g_strdup(uri);
    request->state = REQUEST_NEW;
    request->started_us = prism_now_us();
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(
        connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info && info->client_addr)
        prism_client_address_key(info->client_addr, request->client_address,
                                 sizeof(request->client_address));
    g_mutex_lock(&http->hub->lock);
    http->hub->in_flight++;
    g_mutex_unlock(&http->hub->lock);
    return request;
}

void http_request_unref(struct http_request *request)
{
    if (atomic_fetch_sub(&request->refs, 1) != 1)
        return;
    json_decref(request->answer);
    json_decref(request->waiter.answer);
    prism_whip_result_free(request->whip_result);
    if (request->body)
        g_byte_array_unref(request->body);
    g_free(request->raw_target);
    http_hub_unref(request->hub);
    free(request);
}

static const struct http_route *find_route(struct prism_http *http, const char *url,
                                           const char **rest)
{
    for (size_t i = 0; i < http->route_count; i++) {
        *rest = prism_http_strip_prefix(http->routes[i].prefix, url);
        if (*rest)
            return &http->routes[i];
    }
    *rest = NULL;
    return NULL;
}

static enum MHD_Result respond_too_large(struct prism_http *http, struct http_request *request)
{
    char reason[96];
    snprintf(reason, sizeof(reason), "Request body larger than %zu bytes", http->max_body_size);
    prism_rejection_count(PRISM_REJECT_HTTP_BODY_SIZE);
    return http_respond_error(http, request, MHD_HTTP_CONTENT_TOO_LARGE,
                              PRISM_API_ERROR_TRANSPORT_SPECIFIC, reason);
}

/* MHD calls this once per request, with the target as the client sent it,
 * before the headers: the request object is born here (and freed in
 * http_completed_cb), so static files can judge the undecoded target. */
void *http_uri_cb(void *cls, const char *uri, struct MHD_Connection *connection)
{
    struct http_request *request = request_new(cls, connection, uri);
    if (request)
        request->raw_target_end = uri + strlen(uri);
    return request;
}

/* True when a raw NUL byte cut the target short. MHD 0.9 splits the request
 * line in place: the target runs up to the space before the version, which it
 * overwrites with the terminator, and it accepts NUL bytes inside. So the
 * target's terminator sits right before the version unless a NUL came first
 * (or there was no version at all, which static files refuse too). */
static bool target_cut_by_nul(const struct http_request *request, const char *version)
{
    return !request->raw_target_end || !version || request->raw_target_end + 1 != version;
}

/* The headers are in: `url` is the path MHD decoded, used to pick the route. */
static enum MHD_Result begin(struct prism_http *http, struct http_request *request, const char *url,
                             const char *method, const char *version)
{
    request->begun = true;
    request->method = method;
    request->target_has_nul = target_cut_by_nul(request, version);
    request->route = find_route(http, url, &request->rest);
    const char *length = MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (prism_http_declared_too_large(length, http->max_body_size)) {
        /* Answered before the body is read: MHD drops it and closes. */
        request->body_too_large = true;
        return respond_too_large(http, request);
    }
    if (request->route)
        request->route->begin(http, request);
    return MHD_YES;
}

/* Keeps upload data up to the limit. Past it the data is dropped: MHD lets
 * the 413 out only once the upload ends (it cannot be queued while upload
 * data is handed over), so a client that goes on sending is cut off. */
static enum MHD_Result absorb(struct prism_http *http, struct http_request *request,
                              const char *data, size_t *size)
{
    size_t kept = request->body ? request->body->len : 0;
    if (!request->body_too_large && prism_http_chunk_too_large(kept, *size, http->max_body_size)) {
        request->body_too_large = true;
        if (request->body)
            g_byte_array_set_size(request->body, 0);
    }
    if (request->body_too_large) {
        request->body_discarded += *size;
        *size = 0;
        return prism_http_discard_exhausted(request->body_discarded, http->max_body_size) ? MHD_NO
                                                                                          : MHD_YES;
    }
    if (!request->body)
        request->body = g_byte_array_new();
    g_byte_array_append(request->body, (const guint8 *)data, (guint)*size);
    *size = 0;
    return MHD_YES;
}

enum MHD_Result http_access_cb(void *cls, struct MHD_Connection *connection, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **context)
{
    struct prism_http *http = cls;
    struct http_request *request = *context;
    if (!request) /* http_uri_cb ran out of memory */
        return MHD_NO;
    if (!request->begun)
        return begin(http, request, url, method, version);
    if (*upload_data_size > 0)
        return absorb(http, request, upload_data, upload_data_size);

    /* The request is complete, or it was resumed with its answer. */
    struct http_hub *hub = request->hub;
    g_mutex_lock(&hub->lock);
    if (request->state == REQUEST_READY) {
        json_t *answer = request->answer;
        unsigned status = request->answer_status;
        struct prism_whip_result *whip_result = request->whip_result;
        request->answer = NULL;
        request->whip_result = NULL;
        request->state = REQUEST_DONE;
        g_mutex_unlock(&hub->lock);
        if (whip_result && !answer)
            return http_whip_respond(http, request, whip_result);
        prism_whip_result_free(whip_result);
        return http_respond(http, request, status, answer);
    }
    g_mutex_unlock(&hub->lock);
    if (request->body_too_large)
        return respond_too_large(http, request);
    if (!request->route)
        return http_respond_error(http, request, MHD_HTTP_NOT_FOUND,
                                  PRISM_API_ERROR_INVALID_REQUEST_PATH, "Not found");
    return request->route->serve(http, request);
}

enum MHD_Result http_queue_response(struct http_request *request, unsigned status,
                                    struct MHD_Response *response)
{
    request->queued_status = status;
    return MHD_queue_response(request->connection, status, response);
}

/* Methods outside this list are counted as "other", so clients cannot grow the table. */
static const char *counted_method(const char *method)
{
    static const char *const known[] = {"GET", "POST", "PATCH", "DELETE", "OPTIONS", "HEAD", "PUT"};
    for (size_t i = 0; method && i < G_N_ELEMENTS(known); i++) {
        if (strcmp(method, known[i]) == 0)
            return known[i];
    }
    return "other";
}

static void count_request(const struct http_request *request)
{
    char status[16] = "none";
    if (request->queued_status)
        snprintf(status, sizeof(status), "%u", request->queued_status);
    prism_request_metrics_record("http", counted_method(request->method), status,
                                 prism_now_us() - request->started_us);
}

void http_completed_cb(void *cls, struct MHD_Connection *connection, void **context,
                       enum MHD_RequestTerminationCode code)
{
    struct http_request *request = *context;
    if (!request)
        return;
    *context = NULL;
    struct http_hub *hub = request->hub;
    g_mutex_lock(&hub->lock);
    /* Only if MHD dropped a connection we had parked, which the shutdown
     * order prevents; never leave a dangling waiter or pending entry. */
    prism_http_queue_cancel(hub->queue, &request->waiter);
    if (request->pending_link.data) {
        g_queue_unlink(&hub->pending, &request->pending_link);
        request->pending_link.data = NULL;
    }
    request->state = REQUEST_DONE;
    request->connection = NULL;
    hub->in_flight--;
    g_cond_broadcast(&hub->changed);
    g_mutex_unlock(&hub->lock);
    count_request(request);
    if (code != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        prism_debug("http", "%s request ended early (code %d)",
                    request->method ? request->method : "unparsed", (int)code);
    http_request_unref(request);
}

void http_add_cors_headers(struct prism_http *http, struct http_request *request,
                           struct MHD_Response *response)
{
    const char *origin = MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_ORIGIN);
    struct prism_http_cors cors;
    prism_http_cors_decide(http->cors_allow_origin, origin, &cors);
    MHD_add_response_header(response, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN,
                            cors.allow_origin);
    if (cors.allow_credentials)
        MHD_add_response_header(response, "Access-Control-Allow-Credentials", "true");
    if (cors.vary_origin)
        MHD_add_response_header(response, MHD_HTTP_HEADER_VARY, "Origin");
}

/* `header` (may be NULL) with `value`: one more response header (Location, Retry-After). */
static enum MHD_Result respond_full(struct prism_http *http, struct http_request *request,
                                    unsigned status, json_t *body, bool preflight,
                                    const char *header, const char *value)
{
    char *text = NULL;
    if (body) {
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        if (!text)
            return MHD_NO;
    }
    struct MHD_Response *response = MHD_create_response_from_buffer(text ? strlen(text) : 0, text,
                                                                    MHD_RESPMEM_MUST_FREE);
    if (!response) {
        free(text);
        return MHD_NO;
    }
    if (text)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    http_add_cors_headers(http, request, response);
    if (preflight) {
        const char *asked = MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND,
                                                        "Access-Control-Request-Headers");
        MHD_add_response_header(response, "Access-Control-Allow-Methods", PRISM_HTTP_CORS_METHODS);
        if (asked)
            MHD_add_response_header(response, "Access-Control-Allow-Headers", asked);
        MHD_add_response_header(response, "Access-Control-Max-Age", PRISM_HTTP_CORS_MAX_AGE);
    }
    if (header)
        MHD_add_response_header(response, header, value);
    enum MHD_Result result = http_queue_response(request, status, response);
    MHD_destroy_response(response);
    return result;
}

enum MHD_Result http_respond(struct prism_http *http, struct http_request *request, unsigned status,
                             json_t *body)
{
    return respond_full(http, request, status, body, false, NULL, NULL);
}

enum MHD_Result http_respond_error(struct prism_http *http, struct http_request *request,
                                   unsigned status, int code, const char *reason)
{
    return http_respond(http, request, status, prism_api_error_reply(0, NULL, code, reason));
}

enum MHD_Result http_respond_preflight(struct prism_http *http, struct http_request *request)
{
    return respond_full(http, request, MHD_HTTP_OK, NULL, true, NULL, NULL);
}

enum MHD_Result http_respond_redirect(struct prism_http *http, struct http_request *request,
                                      const char *location)
{
    return respond_full(http, request, MHD_HTTP_FOUND, NULL, false, MHD_HTTP_HEADER_LOCATION,
                        location);
}

/* Remembers the wait for the Retry-After of the answer. */
bool http_admit(struct prism_http *http, struct http_request *request)
{
    uint64_t retry_after_us = 0;
    if (prism_api_admit(http->api, request->client_address, "http", prism_now_us(),
                        &retry_after_us))
        return true;
    request->retry_after_s = (unsigned)((retry_after_us + 999999u) / 1000000u);
    if (request->retry_after_s == 0)
        request->retry_after_s = 1;
    return false;
}

enum MHD_Result http_respond_too_many(struct prism_http *http, struct http_request *request,
                                      bool whip)
{
    const char *reason = "Too many requests from this address";
    json_t *body = whip ? json_pack("{s:s, s:i}", "error", reason, "code", 429)
                        : prism_api_error_reply(0, NULL, PRISM_API_ERROR_TOO_MANY_REQUESTS, reason);
    char retry_after[16];
    snprintf(retry_after, sizeof(retry_after), "%u",
             request->retry_after_s ? request->retry_after_s : 1u);
    return respond_full(http, request, MHD_HTTP_TOO_MANY_REQUESTS, body, false,
                        MHD_HTTP_HEADER_RETRY_AFTER, retry_after);
}
