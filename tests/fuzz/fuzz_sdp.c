/* Fuzzes the SDP parser; whatever parses is answered, written and parsed again, and written
 * back out, so the writer and negotiator see every shape the parser accepts. It is also
 * matched to a mountpoint's streams as a WHEP viewer's offer and answered with that match. */
#include "media/sdp/negotiate.h"
#include "media/sdp/sdp.h"
#include "plugins/streaming/offer_match.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void answer_and_reparse(const struct prism_sdp *offer, const struct st_offer_match *match)
{
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    if (match) {
        options.local_direction = PRISM_SDP_SENDONLY;
        options.media_codecs = match->codecs;
        options.media_codec_count = match->media_count;
    } else {
        /* A VideoRoom publisher's answer: Opus fmtp rewritten by the room's settings. */
        options.opus_override = true;
        options.opus_fec = true;
        options.opus_dtx = true;
    }
    options.session_id = 1;
    options.session_version = 1;
    options.transport.ice_ufrag = "fuzz";
    options.transport.ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz";
    memcpy(options.transport.fingerprint.algorithm, "sha-256", 8);
    options.transport.fingerprint.length = 32;
    struct prism_sdp *answer = NULL;
    if (prism_sdp_answer_create(offer, &options, &answer, NULL) != 0)
        return;
    struct prism_sdp_source source = {.ssrc = 1, .rtx_ssrc = 2, .cname = "c", .track_id = "t"};
    if (answer->media_count > 0)
        prism_sdp_set_source(answer, answer->media[0].mid, &source);
    char *text = NULL;
    size_t length = 0;
    if (prism_sdp_write_alloc(answer, &text, &length) != 0)
        abort(); /* an answer we built must always be writable */
    struct prism_sdp *again = NULL;
    if (prism_sdp_parse(text, length, &again, NULL) != 0)
        abort(); /* ... and parse back */
    if (prism_sdp_validate_answer(offer, again, NULL) != 0)
        abort(); /* ... and fit the offer it answers */
    for (unsigned i = 0; match && i < again->media_count; i++) {
        if (!prism_sdp_media_is_rejected(&again->media[i]) && match->stream[i] < 0 &&
            again->media[i].kind != PRISM_SDP_MEDIA_APPLICATION)
            abort(); /* a viewer's m-line without a stream of the mountpoint must be rejected */
    }
    prism_sdp_free(again);
    free(text);
    prism_sdp_free(answer);
}

/* The offer as a WHEP viewer's, against an Opus + VP8 + H.264 mountpoint. */
static void match_as_viewer(const struct prism_sdp *offer)
{
    static struct st_offer_match match;
    struct st_stream_spec specs[3] = {{.kind = PRISM_SDP_MEDIA_AUDIO},
                                      {.kind = PRISM_SDP_MEDIA_VIDEO},
                                      {.kind = PRISM_SDP_MEDIA_VIDEO}};
    specs[0].codec.id = PRISM_SDP_CODEC_OPUS;
    specs[1].codec.id = PRISM_SDP_CODEC_VP8;
    specs[2].codec.id = PRISM_SDP_CODEC_H264;
    memcpy(specs[2].codec.fmtp, "profile-level-id=42e01f", 24);
    char reason[256];
    int matched = st_offer_match(offer, specs, 3, &match, reason, sizeof(reason));
    if (matched > 3 || match.media_count > offer->media_count)
        abort(); /* each stream goes to one m-line at most */
    if (matched > 0)
        answer_and_reparse(offer, &match);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct prism_sdp *sdp = NULL;
    struct prism_sdp_error err;
    if (prism_sdp_parse((const char *)data, size, &sdp, &err) != 0)
        return 0;
    char *text = NULL;
    size_t length = 0;
    if (prism_sdp_write_alloc(sdp, &text, &length) == 0) {
        struct prism_sdp *again = NULL;
        if (prism_sdp_parse(text, length, &again, NULL) == 0)
            prism_sdp_free(again);
        free(text);
    }
    answer_and_reparse(sdp, NULL);
    match_as_viewer(sdp);
    struct prism_sdp_candidate cand;
    prism_sdp_candidate_parse((const char *)data, size, &cand);
    prism_sdp_free(sdp);
    return 0;
}
