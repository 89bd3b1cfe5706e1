/* Client frame masking check on the raw byte stream (see mask_check.h). */
#include "signaling/ws/mask_check.h"

#include <string.h>

void prism_ws_mask_check_init(struct prism_ws_mask_check *check)
{
    memset(check, 0, sizeof(*check));
    check->state = PRISM_WS_CHECK_HANDSHAKE;
}

/* The request head ends with an empty line: "\r\n\r\n", or "\n\n" from a lenient client. */
static void handshake_byte(struct prism_ws_mask_check *check, uint8_t byte)
{
    if (byte == '\n') {
        if (check->newlines > 0) {
            check->state = PRISM_WS_CHECK_HEADER;
            check->header_read = 0;
            return;
        }
        check->newlines = 1;
    } else if (byte == '\r' && check->newlines == 1) {
        check->newlines = 2;
    } else {
        check->newlines = 0;
    }
}

/* The header's length from its second byte: 2, plus 2 or 8 bytes of extended length,
 * plus 4 of masking key. */
static unsigned header_length(uint8_t second)
{
    unsigned length7 = second & 0x7f;
    return 2u + (length7 == 126 ? 2u : length7 == 127 ? 8u : 0u) + 4u;
}

/* One byte of a frame header; false when it is the second byte and the mask bit is clear. */
static bool header_byte(struct prism_ws_mask_check *check, uint8_t byte)
{
    unsigned index = check->header_read++;
    if (index == 1) {
        if (!(byte & 0x80))
            return false;
        check->header_length = header_length(byte);
        check->payload_left = byte & 0x7f; /* replaced below by an extended length */
        if (check->payload_left >= 126)
            check->payload_left = 0;
    } else if (index >= 2 && index < check->header_length - 4) {
        check->payload_left = check->payload_left << 8 | byte;
    }
    if (index >= 1 && check->header_read == check->header_length) {
        check->frames++;
        check->state = check->payload_left ? PRISM_WS_CHECK_PAYLOAD : PRISM_WS_CHECK_HEADER;
        check->header_read = 0;
    }
    return true;
}

size_t prism_ws_mask_check_feed(struct prism_ws_mask_check *check, const uint8_t *data, size_t size,
                                bool *unmasked)
{
    *unmasked = false;
    size_t at = 0;
    while (at < size) {
        switch (check->state) {
        case PRISM_WS_CHECK_HANDSHAKE:
            handshake_byte(check, data[at++]);
            break;
        case PRISM_WS_CHECK_HEADER:
            if (!header_byte(check, data[at])) {
                check->state = PRISM_WS_CHECK_FAILED;
                *unmasked = true;
                return at;
            }
            at++;
            break;
        case PRISM_WS_CHECK_PAYLOAD: {
            uint64_t skip = size - at;
            if (skip > check->payload_left)
                skip = check->payload_left;
            at += (size_t)skip;
            check->payload_left -= skip;
            if (check->payload_left == 0)
                check->state = PRISM_WS_CHECK_HEADER;
            break;
        }
        case PRISM_WS_CHECK_FAILED:
            return 0;
        }
    }
    return size;
}
