/* Fuzzes the SDP parser; whatever parses is answered, written and parsed again, and written
 * back out, so the writer and negotiator see every shape the parser accepts. */
#include "media/sdp/negotiate.h"
#include "media/sdp/sdp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void answer_and_reparse(const struct prism_sdp *offer)
{
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
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
    prism_sdp_free(again);
    free(text);
    prism_sdp_free(answer);
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
    answer_and_reparse(sdp);
    struct prism_sdp_candidate cand;
    prism_sdp_candidate_parse((const char *)data, size, &cand);
    prism_sdp_free(sdp);
    return 0;
}
