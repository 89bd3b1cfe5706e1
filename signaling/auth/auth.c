/* The API secret and token policy (see auth.h). */
#include "signaling/auth/auth.h"

#include "signaling/auth/compare.h"
#include "signaling/auth/signed_token.h"
#include "signaling/auth/token_store.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>

struct prism_auth {
    char *api_secret; /* NULL = none */
    bool token_auth;
    char *token_secret;               /* NULL = stored tokens */
    struct prism_token_store *tokens; /* stored mode only */
    int64_t (*wall_clock_s)(void);
};

static int64_t real_clock_s(void)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

static char *copy_secret(const char *secret)
{
    return secret && secret[0] ? g_strdup(secret) : NULL;
}

int prism_auth_create(struct prism_auth **out, const struct prism_auth_config *config)
{
    struct prism_auth *auth = g_try_new0(struct prism_auth, 1);
    if (!auth)
        return -ENOMEM;
    auth->api_secret = copy_secret(config->api_secret);
    auth->token_auth = config->token_auth;
    auth->wall_clock_s = config->wall_clock_s ? config->wall_clock_s : real_clock_s;
    if (auth->token_auth) {
        auth->token_secret = copy_secret(config->token_auth_secret);
        if (!auth->token_secret && prism_token_store_create(&auth->tokens) < 0) {
            prism_auth_destroy(auth);
            return -ENOMEM;
        }
    }
    *out = auth;
    return 0;
}

void prism_auth_destroy(struct prism_auth *auth)
{
    if (!auth)
        return;
    prism_token_store_destroy(auth->tokens);
    g_free(auth->api_secret);
    g_free(auth->token_secret);
    g_free(auth);
}

bool prism_auth_api_secret_needed(const struct prism_auth *auth)
{
    return auth->api_secret != NULL;
}

bool prism_auth_token_needed(const struct prism_auth *auth)
{
    return auth->token_auth;
}

struct prism_token_store *prism_auth_token_store(struct prism_auth *auth)
{
    return auth->tokens;
}

/* janus_auth_check_token: stored, or signed for the core's realm. */
static bool token_valid(const struct prism_auth *auth, const char *token)
{
    if (!token)
        return false;
    if (auth->tokens)
        return prism_token_store_contains(auth->tokens, token);
    return prism_signed_token_verify(token, auth->token_secret, PRISM_SIGNED_TOKEN_REALM, NULL,
                                     auth->wall_clock_s());
}

bool prism_auth_check_request(const struct prism_auth *auth, const char *apisecret,
                              const char *token)
{
    if (!auth->api_secret && !auth->token_auth)
        return true;
    if (auth->api_secret && prism_secret_equal(apisecret, auth->api_secret))
        return true;
    return auth->token_auth && token_valid(auth, token);
}

bool prism_auth_token_allows_plugin(const struct prism_auth *auth, const char *token,
                                    const char *plugin)
{
    if (!auth->token_auth)
        return true;
    if (auth->tokens)
        return prism_token_store_allows(auth->tokens, token, plugin);
    return prism_signed_token_verify(token, auth->token_secret, PRISM_SIGNED_TOKEN_REALM, plugin,
                                     auth->wall_clock_s());
}
