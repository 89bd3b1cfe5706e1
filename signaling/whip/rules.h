/* Request rules of the WHIP (RFC 9725) and WHEP endpoints, sans-IO: the path, the content
 * types, the bearer token, the offer checks made before any session exists, and the HTTP
 * status a VideoRoom error maps to. */
#ifndef PRISM_SIGNALING_WHIP_RULES_H
#define PRISM_SIGNALING_WHIP_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prism_whip_path_kind {
    PRISM_WHIP_PATH_ENDPOINT,   /* /endpoint/{room} */
    PRISM_WHIP_PATH_RESOURCE,   /* /resource/{id} */
    PRISM_WHIP_PATH_MOUNTPOINT, /* /mountpoint/{id}: WHEP from a streaming mountpoint */
    PRISM_WHIP_PATH_INVALID,
};

struct prism_whip_path {
    enum prism_whip_path_kind kind;
    uint64_t id; /* the room or the resource, 1 to 2^53-1 */
};

/* Parses what follows "/whip" or "/whep" ("/endpoint/1234", "/resource/99",
 * "/mountpoint/7"). One trailing slash is accepted. */
void prism_whip_parse_path(const char *rest, struct prism_whip_path *out);

/* True when a Content-Type header names `type` (case-insensitive, parameters allowed:
 * "application/sdp; charset=utf-8"). */
bool prism_whip_content_type_is(const char *header, const char *type);

/* The token of an "Authorization: Bearer <token>" header (scheme case-insensitive), or
 * NULL when the header is absent, of another scheme or has an empty token. Points into
 * `header`; `length` receives its length (trailing spaces cut). */
const char *prism_whip_bearer(const char *header, size_t *length);

/* Checks an offer before it goes to the VideoRoom: text without NUL bytes that starts with
 * "v=", has at least one audio or video m-line, and a BUNDLE group (Prism bundles
 * everything). Returns true, or false with the reason for a 400 in `reason`. */
bool prism_whip_check_offer(const char *sdp, size_t length, char *reason, size_t reason_size);

/* The HTTP status for a VideoRoom error code (a plugin event's error_code) met while setting
 * a resource up: no such room 404, unauthorized 401, bad SDP 400, room full 503, anything
 * else 500. */
unsigned prism_whip_status_for_error(int code);

/* The same for a Streaming plugin error code (a /whep/mountpoint viewer): no such mountpoint
 * 404, unauthorized (pin) 401, a bad request or an offer without a usable m-line 400,
 * anything else 500. */
unsigned prism_whep_mountpoint_status_for_error(int code);

/* The same for an error reply of the API engine itself (janus "error"): wrong or missing API
 * credentials, or a token that may not attach to the plugin, 401; not accepting new sessions
 * or over the session limit 503; invalid SDP 400; anything else 500. */
unsigned prism_whip_status_for_api_error(int code);

#endif
