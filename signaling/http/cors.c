/* CORS header choice (sans-IO, see cors.h). */
#include "signaling/http/cors.h"

#include <string.h>

void prism_http_cors_decide(const char *configured, const char *request_origin,
                            struct prism_http_cors *out)
{
    bool wildcard = !configured || configured[0] == '\0' || strcmp(configured, "*") == 0;
    if (!wildcard) {
        *out = (struct prism_http_cors){configured, true, false};
    } else if (request_origin && request_origin[0] != '\0') {
        *out = (struct prism_http_cors){request_origin, true, true};
    } else {
        *out = (struct prism_http_cors){"*", false, false};
    }
}
