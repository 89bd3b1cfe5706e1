/* A viewer that brings its own offer (a WHEP client's recvonly offer): which stream of the
 * mountpoint each of the offer's m-lines carries, and the codec each is answered with. Sans-IO:
 * a parsed offer and the mountpoint's stream descriptions in, the match out. */
#ifndef PRISM_PLUGINS_STREAMING_OFFER_MATCH_H
#define PRISM_PLUGINS_STREAMING_OFFER_MATCH_H

#include "media/sdp/negotiate.h"
#include "plugins/streaming/media_spec.h"

#include <stddef.h>

/* Profile strings of the per-m-line codec choices live here, so that `codecs` can point at
 * them; the struct must not be copied after st_offer_match filled it. */
#define ST_OFFER_PROFILE_LEN 15

struct st_offer_match {
    unsigned media_count;                                    /* the offer's m-lines */
    int stream[PRISM_SDP_MAX_MEDIA];                         /* mountpoint stream index, or -1 */
    struct prism_sdp_codec_pref codecs[PRISM_SDP_MAX_MEDIA]; /* UNKNOWN: rejected */
    char profiles[PRISM_SDP_MAX_MEDIA][ST_OFFER_PROFILE_LEN + 1];
};

/* Gives each audio or video m-line of `offer` that is not rejected and lets us send (recvonly
 * or sendrecv) the first mountpoint stream, in the mountpoint's order and not taken by an
 * earlier m-line, of the same kind whose codec the m-line offers (H.264 and VP9 also by
 * profile, when the mountpoint names one). Every other m-line (data, unmatched, sendonly,
 * inactive, rejected) is to be rejected. Returns the number of m-lines matched (at least 1),
 * or -EINVAL with `reason` when none is usable; `out` is filled either way. */
int st_offer_match(const struct prism_sdp *offer, const struct st_stream_spec *specs,
                   unsigned spec_count, struct st_offer_match *out, char *reason,
                   size_t reason_size);

#endif
