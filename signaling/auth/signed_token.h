/* Janus's signed tokens (token_auth_secret): "expiry,realm[,plugin...]:signature",
 * where the signature is base64(HMAC-SHA1(secret, everything before the first
 * ':')). An application signs them with the shared secret, so Prism needs no
 * call to learn them. Sans-IO: the caller gives the current wall-clock time. */
#ifndef PRISM_SIGNALING_AUTH_SIGNED_TOKEN_H
#define PRISM_SIGNALING_AUTH_SIGNED_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The realm Janus's core checks (transports and plugins use other realms). */
#define PRISM_SIGNED_TOKEN_REALM "janus"

/* A token split into its parts; the views point into the token text. */
struct prism_signed_token {
    const char *data; /* "expiry,realm[,plugin...]": what is signed */
    size_t data_length;
    const char *signature; /* everything after the first ':' */
    size_t signature_length;
    int64_t expiry;    /* Unix seconds, read as Janus reads it (strtoll) */
    const char *realm; /* the second comma-separated field */
    size_t realm_length;
    const char *plugins; /* the fields after the realm, or NULL when none */
    size_t plugins_length;
};

/* Splits `text` as Janus does: the data is everything before the first ':',
 * the signature everything after it; the data needs at least two
 * comma-separated fields, and the expiry is the first field's leading
 * integer (like strtoll: "12x" is 12, "x" is 0). Returns 0, or -EINVAL when
 * there is no ':' or no second field. */
int prism_signed_token_parse(const char *text, size_t length, struct prism_signed_token *out);

/* True when `plugin` is one of the token's plugin fields, exactly. */
bool prism_signed_token_lists_plugin(const struct prism_signed_token *token, const char *plugin);

/* True when the signature is base64(HMAC-SHA1(secret, data)), compared in
 * constant time. */
bool prism_signed_token_signature_ok(const struct prism_signed_token *token, const char *secret);

/* Janus's janus_auth_check_signature (plugin NULL) and
 * janus_auth_check_signature_contains (plugin set): the token parses, has not
 * expired at `now_s` (a negative expiry never is valid), its realm is `realm`,
 * it lists `plugin` when one is given, and its signature is right. */
bool prism_signed_token_verify(const char *text, const char *secret, const char *realm,
                               const char *plugin, int64_t now_s);

/* Writes a token for `plugins` (comma-separated, or NULL) valid until
 * `expiry` into `out`; returns its length, or -ENOSPC when it does not fit.
 * Tests and tools use it; Prism itself only verifies. */
int prism_signed_token_sign(const char *secret, int64_t expiry, const char *realm,
                            const char *plugins, char *out, size_t size);

#endif
