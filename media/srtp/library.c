/* Which libsrtp2 this process is linked with, and whether its protect cost holds with many
 * sessions. CMake (cmake/srtp.cmake) passes what it linked: the OpenSSL build from Debian's
 * source package (scripts/build-srtp), or the system library and its crypto engine. */
#include "media/srtp/library.h"

#include "core/log.h"

#include <stdio.h>

#include <srtp2/srtp.h>

#ifndef PRISM_SRTP_CRYPTO
#error "PRISM_SRTP_CRYPTO comes from cmake/srtp.cmake"
#endif

void prism_srtp_library_describe(char *out, size_t size)
{
    if (size == 0)
        return;
    /* srtp_get_version_string() reads "libsrtp2 2.5.0". */
    snprintf(out, size, "%s (%s, %s)", srtp_get_version_string(), PRISM_SRTP_CRYPTO,
             PRISM_SRTP_ORIGIN);
}

bool prism_srtp_library_scales(void)
{
    return PRISM_SRTP_FAST_WITH_MANY_SESSIONS;
}

void prism_srtp_log_library(void)
{
    char description[160];
    prism_srtp_library_describe(description, sizeof(description));
    if (prism_srtp_library_scales()) {
        prism_info("srtp", "%s", description);
        return;
    }
    prism_warn("srtp",
               "%s: with this crypto engine the cost of each SRTP protect grows with the number "
               "of sessions in the process (Debian's NSS build, AES-128-GCM: about 0.85 us with "
               "one session, 1.4 us with 400, 5.7 us with 2,000; OpenSSL stays near 0.5 us). "
               "Run scripts/install-deps to build libsrtp2 with OpenSSL, then rebuild Prism",
               description);
}
