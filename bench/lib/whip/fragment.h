/* The sans-IO parts of the bench's WHIP and WHEP clients: the trickle-ICE fragment a client
 * PATCHes with its candidates (RFC 8840, RFC 9725 section 4.3), and the resource URL from the
 * Location header of the 201. */
#ifndef PRISM_BENCH_WHIP_FRAGMENT_H
#define PRISM_BENCH_WHIP_FRAGMENT_H

#include <stdbool.h>
#include <stddef.h>

/* An "application/trickle-ice-sdpfrag" body: the offer's ice-ufrag and ice-pwd, its first
 * m-line (BUNDLE: every candidate belongs to it) with that m-line's mid, the candidates
 * ("candidate:..." values) and, with `end`, a=end-of-candidates. Returns a string to g_free,
 * or NULL when the offer has no m-line, mid, ice-ufrag or ice-pwd, or a candidate holds a
 * line break. */
char *bench_whip_trickle_fragment(const char *offer_sdp, const char *const *candidates,
                                  size_t count, bool end);

/* The absolute URL of a resource from the Location header: kept when absolute (http:// or
 * https://), joined to the origin (scheme://host:port) of `endpoint_url` when it starts with
 * '/', else resolved against the endpoint URL's folder. NULL when `location` is empty or
 * `endpoint_url` has no origin. A string to g_free. */
char *bench_whip_resource_url(const char *endpoint_url, const char *location);

#endif
