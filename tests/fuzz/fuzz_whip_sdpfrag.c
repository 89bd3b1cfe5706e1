/* Fuzzes the WHIP/WHEP PATCH body parser (application/trickle-ice-sdpfrag), the offer
 * checks and the builders fed from an SDP, and the Bearer check against an API secret and
 * signed tokens: every input must parse or be refused without crashing, and a parsed fragment
 * must stay within its limits. */
#include "signaling/auth/auth.h"
#include "signaling/whip/access.h"
#include "signaling/whip/rules.h"
#include "signaling/whip/sdpfrag.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct prism_sdpfrag frag;
    char reason[128];
    if (prism_sdpfrag_parse((const char *)data, size, &frag, reason, sizeof(reason)) == 0) {
        if (frag.candidate_count > PRISM_SDPFRAG_MAX_CANDIDATES ||
            strlen(frag.ufrag) > PRISM_SDPFRAG_MAX_CREDENTIAL ||
            strlen(frag.pwd) > PRISM_SDPFRAG_MAX_CREDENTIAL)
            abort();
        for (size_t i = 0; i < frag.candidate_count; i++) {
            if (strncmp(frag.candidates[i].text, "candidate:", 10) != 0)
                abort();
        }
        (void)prism_sdpfrag_is_restart(&frag, "ufrag");
    }
    (void)prism_whip_check_offer((const char *)data, size, reason, sizeof(reason));
    char *text = g_strndup((const char *)data, size);
    g_free(prism_sdpfrag_from_answer(text));
    g_free(prism_sdpfrag_restart_offer(text, "u", "p"));
    struct prism_whip_path path;
    prism_whip_parse_path(text, &path);
    size_t length;
    const char *bearer = prism_whip_bearer(text, &length);
    static struct prism_auth *auth;
    if (!auth) {
        struct prism_auth_config config = {
            .api_secret = "fuzz-secret", .token_auth = true, .token_auth_secret = "fuzz-key"};
        if (prism_auth_create(&auth, &config) < 0)
            abort();
    }
    if (prism_whip_check_bearer(auth, bearer, bearer ? length : 0, "janus.plugin.streaming") ==
            PRISM_WHIP_CREDENTIAL_NONE ||
        prism_whip_check_bearer(auth, (const char *)data, size, NULL) == PRISM_WHIP_CREDENTIAL_NONE)
        abort(); /* credentials are on: never "none needed" */
    g_free(text);
    return 0;
}
