/* The Dependency Descriptor of publisher packets, parsed once per packet on the worker that
 * fans it out (the room's, or a relay group's) and handed to every subscriber stream's
 * forwarding (temporal layers, media/forward/simulcast.c). The state it needs, the template
 * structure of the last keyframe, is kept per simulcast layer and allocated only for streams
 * whose publisher sends the extension. */
#include "plugins/videoroom/participant.h"

#include "media/rtp/extension.h"

const struct prism_dd_frame *vr_dd_read(struct vr_dd_states *states, uint8_t id,
                                        const struct prism_rtp_header *header, int layer,
                                        struct prism_dd_frame *out)
{
    struct prism_rtp_ext ext;
    if (!id || layer >= PRISM_FORWARD_MAX_LAYERS || prism_rtp_ext_find(header, id, &ext) != 0)
        return NULL;
    struct prism_dd_state **state = &states->layer[layer > 0 ? layer : 0];
    if (!*state)
        *state = g_new0(struct prism_dd_state, 1);
    return prism_dd_parse(*state, ext.data, ext.len, out) == 0 ? out : NULL;
}

void vr_dd_states_clear(struct vr_dd_states *states)
{
    for (unsigned i = 0; i < PRISM_FORWARD_MAX_LAYERS; i++) {
        g_free(states->layer[i]);
        states->layer[i] = NULL;
    }
}
