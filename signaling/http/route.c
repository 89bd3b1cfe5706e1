/* Path, method, maxev and body-size rules of the HTTP transport (sans-IO). */
#include "signaling/http/route.h"

#include "core/ids.h"
#include "signaling/api/errors.h"

#include <string.h>

/* Parses the decimal digits [text, end) into *value; false when empty, not
 * all digits, or above `limit`. Never reads past `end`. */
static bool parse_decimal(const char *text, const char *end, uint64_t limit, uint64_t *value)
{
    if (text >= end)
        return false;
    uint64_t result = 0;
    for (const char *p = text; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned digit = (unsigned)(*p - '0');
        if (result > (limit - digit) / 10)
            return false;
        result = result * 10 + digit;
    }
    *value = result;
    return true;
}

static bool parse_id(const char *text, const char *end, uint64_t *id)
{
    return parse_decimal(text, end, PRISM_ID_MAX, id) && *id != 0;
}

const char *prism_http_strip_prefix(const char *prefix, const char *url)
{
    if (!prefix || !url)
        return NULL;
    size_t length = strlen(prefix);
    while (length > 0 && prefix[length - 1] == '/')
        length--;
    if (strncmp(url, prefix, length) != 0)
        return NULL;
    const char *rest = url + length;
    return (*rest == '\0' || *rest == '/') ? rest : NULL;
}

/* Splits `rest` ("/a/b/") into at most three parts and returns how many, or
 * -1 on an empty part other than a single trailing slash, or a fourth part. */
static int split_parts(const char *rest, const char *starts[3], const char *ends[3])
{
    int count = 0;
    const char *p = rest;
    while (*p == '/' && p[1] != '\0') {
        const char *start = p + 1;
        const char *end = strchr(start, '/');
        if (!end)
            end = start + strlen(start);
        if (end == start || count == 3)
            return -1;
        starts[count] = start;
        ends[count] = end;
        count++;
        p = end;
    }
    /* Left: "" or a single trailing "/". */
    return (*p == '\0' || (p[0] == '/' && p[1] == '\0')) ? count : -1;
}

void prism_http_parse_path(const char *rest, struct prism_http_path *out)
{
    *out = (struct prism_http_path){.kind = PRISM_HTTP_PATH_INVALID};
    const char *starts[3], *ends[3];
    int count = rest ? split_parts(rest, starts, ends) : -1;
    if (count == 0) {
        out->kind = PRISM_HTTP_PATH_ROOT;
        return;
    }
    if (count == 1 && ends[0] - starts[0] == 4 && memcmp(starts[0], "info", 4) == 0) {
        out->kind = PRISM_HTTP_PATH_INFO;
        return;
    }
    if (count < 1 || count > 2 || !parse_id(starts[0], ends[0], &out->session_id))
        goto invalid;
    if (count == 2 && !parse_id(starts[1], ends[1], &out->handle_id))
        goto invalid;
    out->kind = count == 2 ? PRISM_HTTP_PATH_HANDLE : PRISM_HTTP_PATH_SESSION;
    return;
invalid:
    *out = (struct prism_http_path){.kind = PRISM_HTTP_PATH_INVALID};
}

static void error(struct prism_http_decision *out, unsigned status, int code, const char *reason)
{
    *out = (struct prism_http_decision){PRISM_HTTP_ACTION_ERROR, status, code, reason};
}

static void decide_get(const struct prism_http_path *path, struct prism_http_decision *out)
{
    switch (path->kind) {
    case PRISM_HTTP_PATH_INFO:
        out->action = PRISM_HTTP_ACTION_INFO;
        return;
    case PRISM_HTTP_PATH_SESSION:
        out->action = PRISM_HTTP_ACTION_POLL;
        return;
    case PRISM_HTTP_PATH_HANDLE:
        /* Janus sends a long-poll on a handle path to its session. */
        out->action = PRISM_HTTP_ACTION_REDIRECT;
        return;
    case PRISM_HTTP_PATH_ROOT:
        error(out, 404, PRISM_API_ERROR_INVALID_REQUEST_PATH,
              "A long poll needs a session id in the path");
        return;
    case PRISM_HTTP_PATH_INVALID:
        break;
    }
    error(out, 404, PRISM_API_ERROR_INVALID_REQUEST_PATH, "Invalid path");
}

/* The methods HTTP defines (RFC 9110 section 9.3, RFC 5789), spelled as they must be. */
static bool is_http_method(const char *method)
{
    static const char *const methods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                          "CONNECT", "OPTIONS", "TRACE", "PATCH"};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strcmp(method, methods[i]) == 0)
            return true;
    }
    return false;
}

void prism_http_decide(const char *method, const struct prism_http_path *path,
                       struct prism_http_decision *out)
{
    *out = (struct prism_http_decision){0};
    if (!is_http_method(method)) {
        /* Janus compares methods without case; HTTP does not (RFC 9110 section 9.1), and
         * an unknown method is 501 (section 15.6.2), not something for the Janus API. */
        out->action = PRISM_HTTP_ACTION_UNKNOWN_METHOD;
        out->status = 501;
    } else if (strcmp(method, "OPTIONS") == 0) {
        /* Preflights never fail: the browser then reports the real error. */
        out->action = PRISM_HTTP_ACTION_PREFLIGHT;
    } else if (strcmp(method, "GET") == 0) {
        decide_get(path, out);
    } else if (strcmp(method, "POST") != 0) {
        /* Janus answers other methods with a 200 carrying error 450. */
        error(out, 200, PRISM_API_ERROR_TRANSPORT_SPECIFIC, "Unsupported method");
    } else if (path->kind == PRISM_HTTP_PATH_INVALID) {
        error(out, 404, PRISM_API_ERROR_INVALID_REQUEST_PATH, "Invalid path");
    } else if (path->kind == PRISM_HTTP_PATH_INFO) {
        error(out, 400, PRISM_API_ERROR_TRANSPORT_SPECIFIC, "Use GET for the info endpoint");
    } else {
        out->action = PRISM_HTTP_ACTION_API;
    }
}

unsigned prism_http_parse_maxev(const char *text)
{
    if (!text)
        return 1;
    const char *end = text + strlen(text);
    uint64_t value = 0;
    if (!parse_decimal(text, end, UINT64_MAX, &value)) {
        /* All digits but too many for 64 bits is still "very large". */
        bool digits = text < end && strspn(text, "0123456789") == (size_t)(end - text);
        return digits ? PRISM_HTTP_MAXEV_LIMIT : 1;
    }
    if (value == 0)
        return 1;
    return value > PRISM_HTTP_MAXEV_LIMIT ? PRISM_HTTP_MAXEV_LIMIT : (unsigned)value;
}

bool prism_http_declared_too_large(const char *content_length, size_t max)
{
    if (!content_length)
        return false;
    size_t length = strlen(content_length);
    const char *end = content_length + length;
    if (length == 0 || strspn(content_length, "0123456789") != length)
        return false;
    uint64_t value = 0;
    if (!parse_decimal(content_length, end, UINT64_MAX, &value))
        return true; /* more digits than 64 bits hold */
    return value > max;
}

bool prism_http_chunk_too_large(size_t received, size_t chunk, size_t max)
{
    return received > max || chunk > max - received;
}

bool prism_http_discard_exhausted(size_t discarded, size_t max)
{
    return discarded / PRISM_HTTP_DISCARD_FACTOR > max;
}
