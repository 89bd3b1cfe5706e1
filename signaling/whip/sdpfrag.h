/* The body of a WHIP/WHEP PATCH, an "application/trickle-ice-sdpfrag" (RFC 8840, RFC 9725
 * section 4.3): ICE credentials, m-lines with their mid, candidates and end-of-candidates.
 * Sans-IO: text in, a bounded structure out, and the answer fragment to an ICE restart. */
#ifndef PRISM_SIGNALING_WHIP_SDPFRAG_H
#define PRISM_SIGNALING_WHIP_SDPFRAG_H

#include <stdbool.h>
#include <stddef.h>

/* Limits of one fragment; a larger one is refused as invalid. */
#define PRISM_SDPFRAG_MAX_CANDIDATES 64u
#define PRISM_SDPFRAG_MAX_CREDENTIAL 256u /* ice-ufrag / ice-pwd (RFC 8839: 256 chars) */
#define PRISM_SDPFRAG_MAX_CANDIDATE 512u  /* one "candidate:..." attribute value */
#define PRISM_SDPFRAG_MAX_MID 32u

struct prism_sdpfrag_candidate {
    char text[PRISM_SDPFRAG_MAX_CANDIDATE + 1]; /* "candidate:..." without "a=" */
    char mid[PRISM_SDPFRAG_MAX_MID + 1];        /* the m-line's mid, "" when none came */
    unsigned mline_index;                       /* m-lines counted from 0 */
};

struct prism_sdpfrag {
    char ufrag[PRISM_SDPFRAG_MAX_CREDENTIAL + 1]; /* "" when absent */
    char pwd[PRISM_SDPFRAG_MAX_CREDENTIAL + 1];
    struct prism_sdpfrag_candidate candidates[PRISM_SDPFRAG_MAX_CANDIDATES];
    size_t candidate_count;
    bool end_of_candidates;
};

/* Parses `length` bytes of `text` (not NUL-terminated; CRLF or LF lines). Session-level
 * ice-ufrag/ice-pwd and the first m-line's are taken alike (RFC 9725 puts them before the
 * first m-line; clients also put them inside). Candidates before any m-line belong to
 * m-line 0. Returns 0, or -EINVAL with `reason` filled: a line that is not "x=...", a
 * NUL byte, a credential or candidate over its limit, credentials that differ between
 * m-lines, too many candidates, or an ice-pwd without an ice-ufrag (or the reverse). */
int prism_sdpfrag_parse(const char *text, size_t length, struct prism_sdpfrag *out, char *reason,
                        size_t reason_size);

/* True when the fragment asks for an ICE restart: its ufrag differs from `current_ufrag`. */
bool prism_sdpfrag_is_restart(const struct prism_sdpfrag *frag, const char *current_ufrag);

/* The answer to an ICE restart taken from the new SDP answer: its ice-ufrag, ice-pwd, each
 * m-line's "m=" and "a=mid" and its candidates, in RFC 8840 form. Returns a string to
 * g_free, or NULL when the answer has no ice-ufrag and ice-pwd. */
char *prism_sdpfrag_from_answer(const char *answer_sdp);

/* `offer_sdp` with every ice-ufrag and ice-pwd replaced by the given ones: the offer that
 * restarts ICE on a WHIP/WHEP resource. A string to g_free. */
char *prism_sdpfrag_restart_offer(const char *offer_sdp, const char *ufrag, const char *pwd);

#endif
