/* Fuzzes the WebSocket client-stream mask check: the input is the stream, fed whole and
 * again in pieces whose sizes come from the stream's own bytes. Both runs must pass on the
 * same number of bytes and agree on whether an unmasked frame came; nothing is passed on
 * after one. */
#include "signaling/ws/mask_check.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct prism_ws_mask_check whole;
    prism_ws_mask_check_init(&whole);
    bool whole_unmasked;
    size_t whole_passed = prism_ws_mask_check_feed(&whole, data, size, &whole_unmasked);
    if (whole_passed > size || whole_unmasked != (whole_passed < size))
        abort();

    struct prism_ws_mask_check pieces;
    prism_ws_mask_check_init(&pieces);
    size_t passed = 0;
    bool unmasked = false;
    for (size_t at = 0; at < size;) {
        size_t piece = 1 + data[at] % 17;
        if (piece > size - at)
            piece = size - at;
        bool this_unmasked;
        size_t taken = prism_ws_mask_check_feed(&pieces, data + at, piece, &this_unmasked);
        if (taken > piece || (unmasked && (taken != 0 || this_unmasked)))
            abort();
        if (!unmasked)
            passed += taken;
        unmasked = unmasked || this_unmasked;
        at += piece;
    }
    if (passed != whole_passed || unmasked != whole_unmasked || pieces.frames != whole.frames)
        abort();
    return 0;
}
