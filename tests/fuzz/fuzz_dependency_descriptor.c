/* Fuzzes the Dependency Descriptor parser and the decode target filter: the input is a run of
 * descriptors (a length byte, then that many bytes) parsed in turn through one state, as a
 * publisher stream's packets are, each fed to filters with different targets. Checks what must
 * hold: a parsed frame's ids and counts stay in the structure's bounds, and a failed parse
 * leaves the state as it was. */
#include <stdlib.h>
#include <string.h>

#include "media/forward/dd_filter.h"
#include "media/rtp/dependency_descriptor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_frame(const struct prism_dd_state *state, const struct prism_dd_frame *frame)
{
    const struct prism_dd_structure *st = &state->structure;
    if (!state->has_structure || st->template_count == 0 ||
        st->template_count > PRISM_DD_MAX_TEMPLATES ||
        st->decode_target_count > PRISM_DD_MAX_DECODE_TARGETS ||
        frame->spatial_id > st->max_spatial_id || frame->temporal_id > st->max_temporal_id ||
        frame->fdiff_count > PRISM_DD_MAX_FDIFFS || frame->chain_count > st->decode_target_count)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct prism_dd_state state, before;
    memset(&state, 0, sizeof(state));
    struct prism_dd_filter filters[3];
    for (int i = 0; i < 3; i++) {
        prism_dd_filter_init(&filters[i]);
        prism_dd_filter_set_target(&filters[i], i, 2 - i);
    }
    size_t pos = 0;
    while (pos < size) {
        size_t len = data[pos++];
        if (len > size - pos)
            len = size - pos;
        memcpy(&before, &state, sizeof(state));
        struct prism_dd_frame frame;
        if (prism_dd_parse(&state, data + pos, len, &frame) == 0) {
            check_frame(&state, &frame);
            for (int i = 0; i < 3; i++)
                (void)prism_dd_filter_packet(&filters[i], &frame);
        } else if (memcmp(&before, &state, sizeof(state)) != 0) {
            abort();
        }
        pos += len;
    }
    return 0;
}
