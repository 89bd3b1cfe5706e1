/* Simulcast layer choice for one subscriber stream: which of the publisher's spatial layers
 * to forward (the substream asked for, or the best one below it that still arrives), moving
 * to it only at one of its keyframes, and which VP8 temporal layers to keep. Sans-IO: every
 * decision takes the packet's layer, what it is and the time. Janus does the same in
 * janus_rtp_simulcasting_context_process_rtp (rtp.c); the "fallback" rule is its meaning. */
#include "media/forward/forward_internal.h"

#include <string.h>

void forward_simulcast_init(struct prism_forward_simulcast *sc)
{
    memset(sc, 0, sizeof(*sc));
    sc->current = -1;
    sc->target = PRISM_FORWARD_MAX_LAYERS - 1;
    sc->temporal = PRISM_FORWARD_MAX_LAYERS - 1;
    sc->temporal_target = PRISM_FORWARD_MAX_LAYERS - 1;
    sc->fallback_us = PRISM_FORWARD_DEFAULT_FALLBACK_US;
}

void forward_simulcast_reset(struct prism_forward_simulcast *sc)
{
    sc->active = false;
    sc->current = -1;
    sc->temporal = sc->temporal_target;
    sc->asked = false;
    sc->seen = 0;
    memset(sc->last_seen_us, 0, sizeof(sc->last_seen_us));
}

/* A layer is available while its packets keep coming: one arrived within fallback_us. */
static bool available(const struct prism_forward_simulcast *sc, int layer, uint64_t now_us)
{
    if (!(sc->seen & (1u << layer)))
        return false;
    uint64_t last = sc->last_seen_us[layer];
    return now_us < last || now_us - last <= sc->fallback_us;
}

/* The layer to forward: the highest available at or below the target, else the lowest
 * available above it, else the current one. */
static int wanted_layer(const struct prism_forward_simulcast *sc, uint64_t now_us)
{
    for (int layer = sc->target; layer >= 0; layer--) {
        if (available(sc, layer, now_us))
            return layer;
    }
    for (int layer = sc->target + 1; layer < PRISM_FORWARD_MAX_LAYERS; layer++) {
        if (available(sc, layer, now_us))
            return layer;
    }
    return sc->current;
}

static bool ask_due(struct prism_forward_simulcast *sc, uint64_t retry_us, uint64_t now_us)
{
    if (sc->asked && (now_us < sc->asked_us || now_us - sc->asked_us < retry_us))
        return false;
    sc->asked = true;
    sc->asked_us = now_us;
    return true;
}

enum forward_layer_decision forward_simulcast_decide(struct prism_forward_simulcast *sc, int layer,
                                                     bool keyframe, uint64_t retry_us,
                                                     uint64_t now_us)
{
    if (layer < 0 || layer >= PRISM_FORWARD_MAX_LAYERS)
        return FORWARD_LAYER_DROP;
    sc->active = true;
    sc->seen |= (uint8_t)(1u << layer);
    sc->last_seen_us[layer] = now_us;
    int wanted = wanted_layer(sc, now_us);
    if (layer == sc->current)
        return FORWARD_LAYER_PASS;
    if (layer != wanted)
        return FORWARD_LAYER_DROP;
    if (keyframe) {
        sc->current = (int8_t)layer;
        sc->temporal = sc->temporal_target;
        sc->asked = false;
        return FORWARD_LAYER_SWITCH;
    }
    return ask_due(sc, retry_us, now_us) ? FORWARD_LAYER_DROP_ASK : FORWARD_LAYER_DROP;
}

/* The same from the Dependency Descriptor: its frame starts and temporal ids. */
static void follow_temporal_dd(struct prism_forward_simulcast *sc, const struct forward_packet *p)
{
    if (!p->dd->start_of_frame || sc->temporal == sc->temporal_target)
        return;
    if (sc->temporal_target < sc->temporal || p->dd->temporal_id == 0 || p->dd->new_structure)
        sc->temporal = sc->temporal_target;
}

/* The same from frame marking, at frame starts: down at once; up to the target at an
 * independent frame or one of the base layer (as VP8's TL0 frames); one layer up at a
 * base-layer sync frame of the next layer, which refers only to the base layer (the layers
 * between are all forwarded already, so nothing it lets through misses a reference). */
static void follow_temporal_frame_marking(struct prism_forward_simulcast *sc,
                                          const struct prism_rtp_frame_marking *fm)
{
    if (!fm->start || sc->temporal == sc->temporal_target)
        return;
    if (sc->temporal_target < sc->temporal || fm->independent || fm->tid == 0)
        sc->temporal = sc->temporal_target;
    else if (fm->base_sync && fm->tid == sc->temporal + 1)
        sc->temporal = (int8_t)fm->tid;
}

void forward_simulcast_temporal(struct prism_forward_simulcast *sc, const struct forward_packet *p)
{
    if (p->dd) {
        follow_temporal_dd(sc, p);
        return;
    }
    if (p->has_frame_marking) {
        follow_temporal_frame_marking(sc, &p->frame_marking);
        return;
    }
    if (!p->has_vp8 || !p->vp8.has_tid || !p->vp8.start_of_partition || p->vp8.partition_id != 0 ||
        sc->temporal == sc->temporal_target)
        return;
    if (sc->temporal_target < sc->temporal || p->vp8.tid == 0 || p->keyframe)
        sc->temporal = sc->temporal_target;
}

bool forward_simulcast_temporal_wanted(const struct prism_forward_simulcast *sc,
                                       const struct forward_packet *p)
{
    /* The highest setting keeps every temporal layer, however many the publisher sends. */
    if (p->dd)
        return sc->temporal >= PRISM_FORWARD_MAX_LAYERS - 1 || p->dd->temporal_id <= sc->temporal;
    if (p->has_frame_marking)
        return sc->temporal >= PRISM_FORWARD_MAX_LAYERS - 1 || p->frame_marking.tid <= sc->temporal;
    return !sc->active || !p->has_vp8 || !p->vp8.has_tid || p->vp8.tid <= sc->temporal;
}

void prism_forward_simulcast_configure(struct prism_forward_stream *s, int substream, int temporal,
                                       uint64_t fallback_us)
{
    if (!s)
        return;
    struct prism_forward_simulcast *sc = &s->layers;
    if (substream >= 0)
        sc->target = (int8_t)(substream < PRISM_FORWARD_MAX_LAYERS ? substream
                                                                   : PRISM_FORWARD_MAX_LAYERS - 1);
    if (temporal >= 0)
        sc->temporal_target = (int8_t)(temporal < PRISM_FORWARD_MAX_LAYERS
                                           ? temporal
                                           : PRISM_FORWARD_MAX_LAYERS - 1);
    if (fallback_us > 0)
        sc->fallback_us = fallback_us;
    sc->asked = false; /* a new wish: ask for its keyframe at once */
}

void prism_forward_simulcast_state(const struct prism_forward_stream *s,
                                   struct prism_forward_layers *out)
{
    const struct prism_forward_simulcast *sc = &s->layers;
    out->active = sc->active;
    out->substream = sc->current;
    out->substream_target = sc->target;
    out->temporal = sc->temporal;
    out->temporal_target = sc->temporal_target;
    out->fallback_us = sc->fallback_us;
}
