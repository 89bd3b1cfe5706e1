/* Validation of "trickle" requests (sans-IO): the shapes Janus 1.x accepts, and for the rest
 * Janus's error code and text, so that a malformed candidate is answered with an error
 * rather than acknowledged and dropped. */
#ifndef PRISM_SIGNALING_API_TRICKLE_H
#define PRISM_SIGNALING_API_TRICKLE_H

#include <jansson.h>

/* Checks one candidate: {"completed": ...} (any value: the end of candidates, as Janus reads
 * it), or {"candidate": string, "sdpMid"?: string, "sdpMLineIndex"?: integer >= 0} with at
 * least one of the two. Returns 0, or the Janus error code with *reason set to a static
 * text. Unlike Janus, which reads anything but an object as the end of candidates, a
 * candidate that is not an object is refused (467). */
int prism_api_trickle_check_candidate(const json_t *candidate, const char **reason);

/* Checks a trickle request's body: exactly one of "candidate" (an object as above) and
 * "candidates" (an array of them, every one checked: Janus drops the ones it cannot parse
 * without a word, Prism refuses the request). Returns 0 or the code with *reason set. */
int prism_api_trickle_check(const json_t *request, const char **reason);

#endif
