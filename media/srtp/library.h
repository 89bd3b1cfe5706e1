/* The libsrtp2 build Prism is linked with: described for the start-up log and the bench, and
 * flagged when its crypto engine makes protect slower as sessions add up. */
#ifndef PRISM_MEDIA_SRTP_LIBRARY_H
#define PRISM_MEDIA_SRTP_LIBRARY_H

#include <stdbool.h>
#include <stddef.h>

/* Writes e.g. "libsrtp2 2.5.0 (OpenSSL, built from Debian's source package 2.5.0-3)" or
 * "libsrtp2 2.5.0 (NSS, system library)" into out, always terminated when size > 0. */
void prism_srtp_library_describe(char *out, size_t size);

/* True for the OpenSSL crypto engine, whose protect cost stays flat however many sessions the
 * process holds; false for Debian's NSS build (and libsrtp's own ciphers), where it grows. */
bool prism_srtp_library_scales(void);

/* Logs the description at start-up: as info when the library scales, else as a warning that
 * names the cost and the fix. */
void prism_srtp_log_library(void);

#endif
