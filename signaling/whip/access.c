/* WHIP/WHEP Bearer tokens against the API's credentials (see access.h). */
#include "signaling/whip/access.h"

#include "signaling/auth/auth.h"

#include <glib.h>
#include <string.h>

enum prism_whip_credential prism_whip_check_bearer(const struct prism_auth *auth,
                                                   const char *bearer, size_t length,
                                                   const char *plugin)
{
    bool secret_on = auth && prism_auth_api_secret_needed(auth);
    bool token_on = auth && prism_auth_token_needed(auth);
    if (!secret_on && !token_on)
        return PRISM_WHIP_CREDENTIAL_NONE;
    if (!bearer || length == 0 || memchr(bearer, '\0', length))
        return PRISM_WHIP_CREDENTIAL_REFUSED;
    char *given = g_strndup(bearer, length);
    enum prism_whip_credential result = PRISM_WHIP_CREDENTIAL_REFUSED;
    /* With only one of the two on, the other argument absent makes check_request test just
     * the one given; with both on, either is enough, as in Janus. */
    if (secret_on && prism_auth_check_request(auth, given, NULL))
        result = PRISM_WHIP_CREDENTIAL_APISECRET;
    else if (token_on && prism_auth_check_request(auth, NULL, given) &&
             (!plugin || prism_auth_token_allows_plugin(auth, given, plugin)))
        result = PRISM_WHIP_CREDENTIAL_TOKEN;
    memset(given, 0, length);
    g_free(given);
    return result;
}

const char *prism_whip_credential_field(enum prism_whip_credential credential)
{
    switch (credential) {
    case PRISM_WHIP_CREDENTIAL_APISECRET:
        return "apisecret";
    case PRISM_WHIP_CREDENTIAL_TOKEN:
        return "token";
    default:
        return NULL;
    }
}
