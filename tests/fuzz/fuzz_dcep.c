/* Fuzzes DCEP parsing; a parsed DATA_CHANNEL_OPEN must rebuild into an identical message. */
#include <stdlib.h>
#include <string.h>

#include "media/sctp/dcep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct prism_dcep_open open, again;
    (void)prism_dcep_message_type(data, size);
    (void)prism_dcep_is_ack(data, size);
    if (prism_dcep_open_parse(data, size, &open) != 0)
        return 0;
    size_t len = PRISM_DCEP_OPEN_HEADER_LEN + (size_t)open.label_len + open.protocol_len;
    uint8_t *buf = malloc(len);
    if (!buf)
        return 0;
    if (prism_dcep_build_open(buf, len, &open) != (int)len || memcmp(buf, data, len) != 0 ||
        prism_dcep_open_parse(buf, len, &again) != 0 || again.reliability != open.reliability)
        __builtin_trap();
    free(buf);
    return 0;
}
