/* Constant-time comparison of secrets (see compare.h). */
#include "signaling/auth/compare.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

void prism_secret_digest(const char *text, size_t length,
                         unsigned char digest[PRISM_SECRET_DIGEST_SIZE])
{
    unsigned int size = 0;
    if (!EVP_Digest(text, length, digest, &size, EVP_sha256(), NULL) ||
        size != PRISM_SECRET_DIGEST_SIZE)
        memset(digest, 0, PRISM_SECRET_DIGEST_SIZE);
}

bool prism_secret_equal(const char *given, const char *expected)
{
    if (!given || !expected)
        return false;
    unsigned char a[PRISM_SECRET_DIGEST_SIZE], b[PRISM_SECRET_DIGEST_SIZE];
    size_t given_length = strlen(given), expected_length = strlen(expected);
    prism_secret_digest(given, given_length, a);
    prism_secret_digest(expected, expected_length, b);
    /* Equal digests of different lengths would need a SHA-256 collision;
     * the length check only keeps a failed digest (all zero) from matching. */
    return CRYPTO_memcmp(a, b, sizeof(a)) == 0 && given_length == expected_length;
}
