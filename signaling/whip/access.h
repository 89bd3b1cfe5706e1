/* Who may POST to a WHIP or WHEP endpoint, and what the Bearer token is for.
 *
 * With no API credentials configured (no general.api_secret, no general.token_auth) the Bearer
 * token is the room's (or mountpoint's) pin, as RFC 9725 leaves it to the endpoint; a `?pin=`
 * query argument may give it instead. With API credentials on, the Bearer token must satisfy
 * them as a Janus API request would: the API secret, or a valid token (stored, or signed with
 * token_auth_secret) whose plugin list allows the plugin behind the endpoint; the pin then comes
 * from `?pin=` only. Either way the Bearer token (unless it is the API secret) is also the
 * room token a VideoRoom join presents, checked against the room's `allowed` list, as in
 * Janus's WHIP servers. Resources (PATCH, DELETE) need the same API credentials.
 *
 * Sans-IO over the immutable auth object; comparisons are constant-time (signaling/auth). The
 * token never goes to the log. Any thread. */
#ifndef PRISM_SIGNALING_WHIP_ACCESS_H
#define PRISM_SIGNALING_WHIP_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

struct prism_auth;

enum prism_whip_credential {
    PRISM_WHIP_CREDENTIAL_NONE,      /* no API credentials configured: the Bearer is the pin */
    PRISM_WHIP_CREDENTIAL_APISECRET, /* the Bearer is the API secret */
    PRISM_WHIP_CREDENTIAL_TOKEN,     /* the Bearer is a valid token for the plugin */
    PRISM_WHIP_CREDENTIAL_REFUSED,   /* wrong or missing: 401 */
};

/* What `bearer` (NULL or `length` bytes, not NUL-terminated) is worth for `plugin`
 * ("janus.plugin.videoroom" or "janus.plugin.streaming"; NULL for a resource's PATCH or DELETE,
 * where any valid token will do). `auth` NULL means none configured. */
enum prism_whip_credential prism_whip_check_bearer(const struct prism_auth *auth,
                                                   const char *bearer, size_t length,
                                                   const char *plugin);

/* The name of the API request field the credential travels in ("apisecret" or "token"), or
 * NULL for NONE and REFUSED. */
const char *prism_whip_credential_field(enum prism_whip_credential credential);

#endif
