/* Fuzzes the parser of Janus's signed tokens and the whole verification
 * (with and without a plugin to look for). The input is the token text. */
#include "signaling/auth/signed_token.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct prism_signed_token token;
    if (prism_signed_token_parse((const char *)data, size, &token) == 0) {
        const char *end = (const char *)data + size;
        /* Every view stays inside the input and the pieces add up. */
        if (token.data != (const char *)data ||
            token.data_length + 1 + token.signature_length != size)
            abort();
        if (token.realm < token.data || token.realm + token.realm_length > token.signature - 1)
            abort();
        if (token.plugins &&
            (token.plugins < token.realm || token.plugins + token.plugins_length > end))
            abort();
        (void)prism_signed_token_lists_plugin(&token, "janus.plugin.echotest");
        (void)prism_signed_token_signature_ok(&token, "secret");
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    (void)prism_signed_token_verify(text, "secret", "janus", NULL, 1800000000);
    (void)prism_signed_token_verify(text, "secret", "janus", "janus.plugin.echotest", 1800000000);
    free(text);
    return 0;
}
