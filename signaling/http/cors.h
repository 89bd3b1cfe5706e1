/* CORS header choice for the HTTP transport (sans-IO). */
#ifndef PRISM_SIGNALING_HTTP_CORS_H
#define PRISM_SIGNALING_HTTP_CORS_H

#include <stdbool.h>

/* What to put in one response's CORS headers. Strings point into the inputs. */
struct prism_http_cors {
    const char *allow_origin; /* Access-Control-Allow-Origin */
    bool allow_credentials;   /* send Access-Control-Allow-Credentials: true */
    bool vary_origin;         /* send Vary: Origin (the answer depends on it) */
};

/* The methods a preflight allows. */
#define PRISM_HTTP_CORS_METHODS "GET, POST, OPTIONS"
/* How long browsers may cache a preflight, in seconds (as Janus). */
#define PRISM_HTTP_CORS_MAX_AGE "86400"

/* `configured` "*" (or NULL/empty) echoes the request's Origin when it has one
 * (with credentials allowed, since browsers refuse "*" with credentials) and
 * answers "*" otherwise. Any other value is sent as is, with credentials
 * allowed, as Janus does for a configured allow_origin. */
void prism_http_cors_decide(const char *configured, const char *request_origin,
                            struct prism_http_cors *out);

#endif
