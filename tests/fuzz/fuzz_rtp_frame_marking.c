/* Fuzzes the frame-marking header extension reader, alone and as found in an RTP packet: a
 * value it accepts has 1-3 bytes and is written back byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "media/rtp/extension.h"
#include "media/rtp/frame_marking.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const uint8_t *data, size_t size)
{
    struct prism_rtp_frame_marking m;
    if (prism_rtp_frame_marking_parse(data, size, &m) != 0) {
        if (size >= 1 && size <= 3)
            abort();
        return;
    }
    uint8_t out[3];
    int n = prism_rtp_frame_marking_write(&m, out, sizeof(out));
    if (n < 1 || (size_t)n != size || memcmp(out, data, size) != 0 || m.tid > 7)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_value(data, size);
    /* The same bytes as a packet: the element of id 7, as the VideoRoom looks for it. */
    struct prism_rtp_header h;
    struct prism_rtp_ext e;
    if (prism_rtp_parse(data, size, &h) == 0 && prism_rtp_ext_find(&h, 7, &e) == 0) {
        if (e.data < data || e.data + e.len > data + size)
            abort();
        check_value(e.data, e.len);
    }
    return 0;
}
