/* Fuzzes the RFC 2198 RED payload reader: every block it reports lies inside the payload, the
 * primary is the last one, and a remap keeps the layout (block for block) it rewrote. */
#include <stdlib.h>
#include <string.h>

#include "media/rtp/red.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct prism_rtp_red red, again;
    if (prism_rtp_red_parse(data, size, &red) != 0)
        return 0;
    if (red.count == 0 || red.header_len > size)
        abort();
    size_t end = red.header_len;
    for (unsigned i = 0; i < red.count; i++) {
        if (red.blocks[i].offset != end || red.blocks[i].length > size - end)
            abort();
        end += red.blocks[i].length;
    }
    if (end != size)
        abort();
    uint8_t *copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    uint8_t from = red.blocks[red.count - 1].payload_type;
    if (prism_rtp_red_remap(copy, size, from, (uint8_t)(from ^ 0x55)) < 1 ||
        prism_rtp_red_parse(copy, size, &again) != 0 || again.count != red.count ||
        again.blocks[again.count - 1].payload_type != ((from ^ 0x55) & 0x7F) ||
        memcmp(copy + red.header_len, data + red.header_len, size - red.header_len) != 0)
        abort();
    free(copy);
    return 0;
}
