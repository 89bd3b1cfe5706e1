/* Fuzzes the bench's send stamp reader on arbitrary payloads, as video (VP8 descriptor and
 * payload header first) and as audio (Opus TOC first), with the keyframe check beside it. */
#include <stdlib.h>
#include <string.h>

#include "bench/lib/synth/stamp.h"
#include "bench/lib/synth/video.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bench_stamp stamp;
    for (int video = 0; video < 2; video++) {
        if (bench_stamp_read(data, size, video, &stamp) == 0) {
            /* A found stamp was read from inside the payload: writing it back fits there. */
            uint8_t copy[BENCH_STAMP_LEN];
            if (bench_stamp_write(copy, sizeof(copy), &stamp) != BENCH_STAMP_LEN)
                abort();
            if (size < 1 + BENCH_STAMP_LEN || !memmem(data, size, copy, sizeof(copy)))
                abort();
        }
    }
    (void)bench_video_is_keyframe(data, size);
    return 0;
}
