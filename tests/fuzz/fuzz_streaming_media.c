/* Fuzzes the Streaming plugin's "media" array parser: arbitrary bytes as JSON; whatever they
 * are, the parser returns a stream count or an error with a reason, and never reads past
 * anything. */
#include "plugins/streaming/media_spec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *media = json_loadb((const char *)data, size, 0, NULL);
    struct st_stream_spec specs[ST_MAX_STREAMS];
    char reason[256] = "";
    int rc = st_media_spec_parse(media, specs, reason, sizeof(reason));
    if (rc == 0 || rc > ST_MAX_STREAMS || (rc < 0 && reason[0] == '\0'))
        abort();
    json_decref(media);
    return 0;
}
