/* Fuzzes the Dependency Descriptor parser: the input is a run of descriptors (a length byte,
 * then that many bytes) parsed in turn through one state, as a publisher stream's packets are.
 * Checks what must hold: a parsed frame's ids, counts and decode target layers stay in the
 * structure's bounds (the SVC layer choice sizes its layers from them), and a failed parse
 * leaves the state as it was. fuzz_forward sends parsed frames through the forwarding engine. */
#include <stdlib.h>
#include <string.h>

#include "media/rtp/dependency_descriptor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_frame(const struct prism_dd_state *state, const struct prism_dd_frame *frame)
{
    const struct prism_dd_structure *st = &state->structure;
    if (!state->has_structure || st->template_count == 0 ||
        st->template_count > PRISM_DD_MAX_TEMPLATES ||
        st->decode_target_count > PRISM_DD_MAX_DECODE_TARGETS ||
        frame->spatial_id > st->max_spatial_id || frame->temporal_id > st->max_temporal_id ||
        frame->fdiff_count > PRISM_DD_MAX_FDIFFS || frame->chain_count > st->decode_target_count ||
        frame->decode_target_count > PRISM_DD_MAX_DECODE_TARGETS)
        abort();
    for (unsigned dt = 0; dt < frame->decode_target_count; dt++)
        if (frame->decode_target_spatial_id[dt] > st->max_spatial_id ||
            frame->decode_target_temporal_id[dt] > st->max_temporal_id)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct prism_dd_state state, before;
    memset(&state, 0, sizeof(state));
    size_t pos = 0;
    while (pos < size) {
        size_t len = data[pos++];
        if (len > size - pos)
            len = size - pos;
        memcpy(&before, &state, sizeof(state));
        struct prism_dd_frame frame;
        if (prism_dd_parse(&state, data + pos, len, &frame) == 0)
            check_frame(&state, &frame);
        else if (memcmp(&before, &state, sizeof(state)) != 0)
            abort();
        pos += len;
    }
    return 0;
}
