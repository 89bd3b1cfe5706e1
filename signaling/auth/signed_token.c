/* Janus's signed tokens (see signed_token.h). Every check mirrors Janus's
 * src/auth.c so that tokens an application signs for Janus work here. */
#include "signaling/auth/signed_token.h"

#include "signaling/auth/compare.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The leading integer of the `length` bytes at `text`, as strtoll reads it
 * from the field: optional blanks and sign, then digits; clamped at the
 * int64 limits; 0 when there are no digits. */
static int64_t leading_integer(const char *text, size_t length)
{
    size_t i = 0;
    while (i < length && g_ascii_isspace(text[i]))
        i++;
    bool negative = false;
    if (i < length && (text[i] == '+' || text[i] == '-'))
        negative = text[i++] == '-';
    uint64_t value = 0;
    bool overflow = false;
    for (; i < length && g_ascii_isdigit(text[i]); i++) {
        unsigned digit = (unsigned)(text[i] - '0');
        if (value > (UINT64_MAX - digit) / 10)
            overflow = true;
        else
            value = value * 10 + digit;
    }
    if (negative)
        return overflow || value > (uint64_t)INT64_MAX + 1 ? INT64_MIN : (int64_t)(0 - value);
    return overflow || value > INT64_MAX ? INT64_MAX : (int64_t)value;
}

int prism_signed_token_parse(const char *text, size_t length, struct prism_signed_token *out)
{
    if (!text)
        return -EINVAL;
    const char *colon = memchr(text, ':', length);
    if (!colon)
        return -EINVAL;
    size_t data_length = (size_t)(colon - text);
    const char *first_comma = memchr(text, ',', data_length);
    if (!first_comma)
        return -EINVAL;
    const char *realm = first_comma + 1;
    const char *data_end = text + data_length;
    const char *second_comma = memchr(realm, ',', (size_t)(data_end - realm));
    struct prism_signed_token token = {
        .data = text,
        .data_length = data_length,
        .signature = colon + 1,
        .signature_length = length - data_length - 1,
        .expiry = leading_integer(text, (size_t)(first_comma - text)),
        .realm = realm,
        .realm_length = (size_t)((second_comma ? second_comma : data_end) - realm),
        .plugins = second_comma ? second_comma + 1 : NULL,
        .plugins_length = second_comma ? (size_t)(data_end - second_comma - 1) : 0,
    };
    *out = token;
    return 0;
}

bool prism_signed_token_lists_plugin(const struct prism_signed_token *token, const char *plugin)
{
    if (!token->plugins || !plugin)
        return false;
    size_t wanted = strlen(plugin);
    const char *field = token->plugins;
    const char *end = token->plugins + token->plugins_length;
    for (;;) {
        const char *comma = memchr(field, ',', (size_t)(end - field));
        const char *field_end = comma ? comma : end;
        if ((size_t)(field_end - field) == wanted && memcmp(field, plugin, wanted) == 0)
            return true;
        if (!comma)
            return false;
        field = comma + 1;
    }
}

bool prism_signed_token_signature_ok(const struct prism_signed_token *token, const char *secret)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_length = 0;
    if (!secret || !HMAC(EVP_sha1(), secret, (int)strlen(secret),
                         (const unsigned char *)token->data, token->data_length, mac, &mac_length))
        return false;
    gchar *expected = g_base64_encode(mac, mac_length);
    gchar *given = g_strndup(token->signature, token->signature_length);
    bool ok = prism_secret_equal(given, expected);
    g_free(given);
    g_free(expected);
    return ok;
}

bool prism_signed_token_verify(const char *text, const char *secret, const char *realm,
                               const char *plugin, int64_t now_s)
{
    struct prism_signed_token token;
    if (!text || !secret || !realm || prism_signed_token_parse(text, strlen(text), &token) < 0)
        return false;
    if (token.expiry < 0 || now_s > token.expiry)
        return false;
    if (token.realm_length != strlen(realm) || memcmp(token.realm, realm, token.realm_length) != 0)
        return false;
    if (plugin && !prism_signed_token_lists_plugin(&token, plugin))
        return false;
    return prism_signed_token_signature_ok(&token, secret);
}

int prism_signed_token_sign(const char *secret, int64_t expiry, const char *realm,
                            const char *plugins, char *out, size_t size)
{
    char data[1024];
    int data_length = snprintf(data, sizeof(data), "%" PRId64 ",%s%s%s", expiry, realm,
                               plugins ? "," : "", plugins ? plugins : "");
    if (data_length < 0 || (size_t)data_length >= sizeof(data))
        return -ENOSPC;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_length = 0;
    if (!HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)data,
              (size_t)data_length, mac, &mac_length))
        return -EINVAL;
    gchar *signature = g_base64_encode(mac, mac_length);
    int length = snprintf(out, size, "%s:%s", data, signature);
    g_free(signature);
    if (length < 0 || (size_t)length >= size)
        return -ENOSPC;
    return length;
}
