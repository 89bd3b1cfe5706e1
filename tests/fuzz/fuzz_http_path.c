/* Fuzzes the HTTP transport's request rules: the URL path below the base,
 * the method decision, maxev and Content-Length parsing. The input is split
 * at its first NUL: a path, then the text given to the number parsers (and
 * taken as a method name too). */
#include "signaling/http/route.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 2);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    text[size + 1] = '\0';
    const char *number = text + strlen(text) + 1;

    const char *rest = prism_http_strip_prefix("/janus", text);
    struct prism_http_path path;
    prism_http_parse_path(rest ? rest : text, &path);
    if (path.kind == PRISM_HTTP_PATH_SESSION && (path.session_id == 0 || path.handle_id != 0))
        abort();
    if (path.kind == PRISM_HTTP_PATH_HANDLE && (path.session_id == 0 || path.handle_id == 0))
        abort();
    struct prism_http_decision decision;
    prism_http_decide("GET", &path, &decision);
    prism_http_decide("POST", &path, &decision);
    prism_http_decide(number, &path, &decision); /* any method token */
    if (decision.action == PRISM_HTTP_ACTION_UNKNOWN_METHOD && decision.status != 501)
        abort();

    unsigned maxev = prism_http_parse_maxev(number);
    if (maxev < 1 || maxev > PRISM_HTTP_MAXEV_LIMIT)
        abort();
    (void)prism_http_declared_too_large(number, 1024);
    free(text);
    return 0;
}
