/* GET /metrics: the Prometheus page (core/metrics_page.h), built by the callback the process
 * gave the transport, in the text exposition format 0.0.4. */
#include "signaling/http/internal.h"

#include <string.h>

static void metrics_begin(struct prism_http *http, struct http_request *request)
{
    (void)http;
    (void)request;
}

static enum MHD_Result respond(struct http_request *request, unsigned status, char *text,
                               const char *type)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(strlen(text), text,
                                                                    MHD_RESPMEM_MUST_FREE);
    if (!response) {
        g_free(text);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result result = http_queue_response(request, status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result metrics_serve(struct prism_http *http, struct http_request *request)
{
    /* Only the path itself: /metrics/anything is not a page. */
    if (request->rest && request->rest[0] && strcmp(request->rest, "/") != 0)
        return respond(request, MHD_HTTP_NOT_FOUND, g_strdup("Not Found\n"),
                       "text/plain; charset=utf-8");
    if (strcmp(request->method, MHD_HTTP_METHOD_GET) != 0 &&
        strcmp(request->method, MHD_HTTP_METHOD_HEAD) != 0)
        return respond(request, MHD_HTTP_METHOD_NOT_ALLOWED, g_strdup("Method Not Allowed\n"),
                       "text/plain; charset=utf-8");
    char *page = http->metrics_page_cb(http->metrics_data);
    return respond(request, MHD_HTTP_OK, page ? page : g_strdup(""),
                   "text/plain; version=0.0.4; charset=utf-8");
}

void http_metrics_route_init(struct http_route *route)
{
    *route = (struct http_route){"/metrics", metrics_begin, metrics_serve};
}
