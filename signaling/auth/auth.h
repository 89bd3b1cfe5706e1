/* Who may use the Janus API: the API secret and the tokens, decided as
 * Janus's core decides (janus_request_check_secret and
 * janus_auth_check_plugin in src/janus.c and src/auth.c).
 *
 * - api_secret set: a request must carry it as "apisecret".
 * - token_auth on: a request must carry a valid "token": a stored one (added
 *   through the Admin API) or, with a token_auth_secret, one signed with it.
 * - both on: either one is enough.
 * - neither: everything is allowed.
 *
 * Threads: any thread; the object is immutable after creation except the
 * token store, which locks itself. */
#ifndef PRISM_SIGNALING_AUTH_AUTH_H
#define PRISM_SIGNALING_AUTH_AUTH_H

#include <stdbool.h>
#include <stdint.h>

struct prism_token_store;

struct prism_auth_config {
    const char *api_secret;        /* NULL or "" = none */
    bool token_auth;               /* require a token */
    const char *token_auth_secret; /* with token_auth: signed tokens; NULL or "" = stored */
    /* The wall clock in Unix seconds, for token expiry; NULL = the real one.
     * Tests set their own. */
    int64_t (*wall_clock_s)(void);
};

struct prism_auth;

/* Returns 0 or -ENOMEM. Copies the secrets. */
int prism_auth_create(struct prism_auth **out, const struct prism_auth_config *config);
void prism_auth_destroy(struct prism_auth *auth);

/* What "info" reports as "api_secret" and "auth_token". */
bool prism_auth_api_secret_needed(const struct prism_auth *auth);
bool prism_auth_token_needed(const struct prism_auth *auth);

/* The stored tokens, or NULL unless token_auth is on without a secret (the
 * Admin API's token requests then fail, as Janus's do). */
struct prism_token_store *prism_auth_token_store(struct prism_auth *auth);

/* Janus's janus_request_check_secret: true when nothing is required, or the
 * right API secret or a valid token came. Either may be NULL (absent). */
bool prism_auth_check_request(const struct prism_auth *auth, const char *apisecret,
                              const char *token);

/* Janus's janus_auth_check_plugin, asked by "attach" when the request carries
 * a token: true when token auth is off, or the token is stored and allowed
 * `plugin`, or it is signed, valid and lists `plugin`. */
bool prism_auth_token_allows_plugin(const struct prism_auth *auth, const char *token,
                                    const char *plugin);

#endif
