/* The stored tokens of token_auth without a token_auth_secret: the Admin API
 * adds and removes them (add_token, list_tokens, allow_token,
 * disallow_token, remove_token), and each token lists the plugins it may
 * attach to, as in Janus's src/auth.c.
 *
 * Threads: every function may be called from any thread (an internal mutex;
 * no callback runs under it). Lookups go by the SHA-256 digest of the token,
 * so their timing tells nothing about how close a guess came. */
#ifndef PRISM_SIGNALING_AUTH_TOKEN_STORE_H
#define PRISM_SIGNALING_AUTH_TOKEN_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct prism_token_store;

/* Returns 0 or -ENOMEM. */
int prism_token_store_create(struct prism_token_store **out);
void prism_token_store_destroy(struct prism_token_store *store);

/* Adds `token` (keeping it, and its plugins, when it is there already) and
 * allows it the `count` plugins named. Janus's add_token allows every plugin
 * when the request names none: the caller passes them all. Returns 0, or
 * -EINVAL for a NULL or empty token. */
int prism_token_store_add(struct prism_token_store *store, const char *token,
                          const char *const *plugins, size_t count);

/* Removes the token. Returns 0, or -ENOENT when it is not stored. */
int prism_token_store_remove(struct prism_token_store *store, const char *token);

/* Allows or disallows one plugin to a stored token (allowing twice or
 * disallowing what was not allowed is not an error). Returns 0, or -ENOENT
 * when the token is not stored. */
int prism_token_store_allow(struct prism_token_store *store, const char *token, const char *plugin);
int prism_token_store_disallow(struct prism_token_store *store, const char *token,
                               const char *plugin);

/* True when the token is stored. NULL is never. */
bool prism_token_store_contains(struct prism_token_store *store, const char *token);

/* True when the token is stored and allowed `plugin`. */
bool prism_token_store_allows(struct prism_token_store *store, const char *token,
                              const char *plugin);

/* The plugins a stored token may attach to, as a JSON array of package
 * names (new reference), or NULL when the token is not stored. */
json_t *prism_token_store_plugins(struct prism_token_store *store, const char *token);

/* Every stored token as Janus's list_tokens gives them:
 * [{"token": "...", "allowed_plugins": ["janus.plugin.echotest", ...]}, ...]
 * (new reference). */
json_t *prism_token_store_list(struct prism_token_store *store);

/* How many tokens are stored. */
size_t prism_token_store_count(struct prism_token_store *store);

#endif
