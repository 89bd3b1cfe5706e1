/* ICE credentials: random local ufrag/password and the RFC 8839 checks of remote ones. */
#include "media/ice/ice_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

/* The 64 ice-chars of RFC 8839 (ALPHA / DIGIT / "+" / "/"). */
static const char ice_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789+/";
#define ICE_CHAR_COUNT (sizeof(ice_chars) - 1)
_Static_assert(sizeof(ice_chars) - 1 == 64, "each random byte maps uniformly onto 64 ice-chars");

void prism_ice_credentials_from_random(struct prism_ice_credentials *out,
                                       const uint8_t random[PRISM_ICE_CREDENTIAL_RANDOM_BYTES])
{
    for (size_t i = 0; i < PRISM_ICE_UFRAG_LENGTH; i++)
        out->ufrag[i] = ice_chars[random[i] % ICE_CHAR_COUNT];
    out->ufrag[PRISM_ICE_UFRAG_LENGTH] = '\0';
    for (size_t i = 0; i < PRISM_ICE_PWD_LENGTH; i++)
        out->pwd[i] = ice_chars[random[PRISM_ICE_UFRAG_LENGTH + i] % ICE_CHAR_COUNT];
    out->pwd[PRISM_ICE_PWD_LENGTH] = '\0';
}

int prism_ice_credentials_generate(struct prism_ice_credentials *out)
{
    uint8_t random[PRISM_ICE_CREDENTIAL_RANDOM_BYTES];
    ssize_t got = getrandom(random, sizeof(random), 0);
    if (got < 0)
        return -errno;
    if ((size_t)got != sizeof(random))
        return -EIO;
    prism_ice_credentials_from_random(out, random);
    return 0;
}

static bool ice_chars_between(const char *text, size_t min, size_t max)
{
    size_t length = strnlen(text, max + 1);
    if (length < min || length > max)
        return false;
    for (size_t i = 0; i < length; i++) {
        if (!memchr(ice_chars, text[i], ICE_CHAR_COUNT))
            return false;
    }
    return true;
}

bool prism_ice_ufrag_valid(const char *ufrag)
{
    return ice_chars_between(ufrag, 4, PRISM_ICE_CREDENTIAL_MAX);
}

bool prism_ice_pwd_valid(const char *pwd)
{
    return ice_chars_between(pwd, 22, PRISM_ICE_CREDENTIAL_MAX);
}
