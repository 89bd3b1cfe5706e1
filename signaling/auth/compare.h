/* Comparing secrets without telling an attacker, through timing, how much of a
 * guess was right. */
#ifndef PRISM_SIGNALING_AUTH_COMPARE_H
#define PRISM_SIGNALING_AUTH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#define PRISM_SECRET_DIGEST_SIZE 32

/* SHA-256 of `length` bytes of `text` into `digest`. */
void prism_secret_digest(const char *text, size_t length,
                         unsigned char digest[PRISM_SECRET_DIGEST_SIZE]);

/* True when the two strings are equal. Both are hashed first and the digests
 * compared with CRYPTO_memcmp, so the time taken depends neither on where the
 * strings differ nor on how long the expected one is. NULL equals nothing. */
bool prism_secret_equal(const char *given, const char *expected);

#endif
