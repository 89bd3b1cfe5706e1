/* Decode target choice and packet filter from the Dependency Descriptor (see dd_filter.h).
 * The rules are those of the AV1 RTP specification, Appendix A.3 and A.9: a frame belongs to
 * a decode target unless its indication says "not present"; a decoder may start following a
 * decode target at a frame indicated "switch" for it; every frame a lower decode target needs,
 * a higher one on the same chain needs too, so going down needs no switch point. */
#include "media/forward/dd_filter.h"

void prism_dd_filter_init(struct prism_dd_filter *f)
{
    f->decode_target = -1;
    f->target_spatial = PRISM_DD_MAX_SPATIAL_IDS - 1;
    f->target_temporal = PRISM_DD_MAX_TEMPORAL_IDS - 1;
}

void prism_dd_filter_set_target(struct prism_dd_filter *f, int spatial, int temporal)
{
    if (spatial >= 0)
        f->target_spatial = (int8_t)(spatial < PRISM_DD_MAX_SPATIAL_IDS
                                         ? spatial
                                         : PRISM_DD_MAX_SPATIAL_IDS - 1);
    if (temporal >= 0)
        f->target_temporal = (int8_t)(temporal < PRISM_DD_MAX_TEMPORAL_IDS
                                          ? temporal
                                          : PRISM_DD_MAX_TEMPORAL_IDS - 1);
}

/* Spatial first, then temporal: the order decode targets are ranked in. */
static int rank(const struct prism_dd_frame *st, int dt)
{
    return st->decode_target_spatial_id[dt] * PRISM_DD_MAX_TEMPORAL_IDS +
           st->decode_target_temporal_id[dt];
}

int prism_dd_filter_choose(const struct prism_dd_frame *st, int spatial, int temporal)
{
    int best = -1, lowest = -1;
    for (int dt = 0; st && dt < st->decode_target_count; dt++) {
        if (!(st->active_decode_targets & (1u << dt)))
            continue;
        if (lowest < 0 || rank(st, dt) < rank(st, lowest))
            lowest = dt;
        if (st->decode_target_spatial_id[dt] <= spatial &&
            st->decode_target_temporal_id[dt] <= temporal &&
            (best < 0 || rank(st, dt) > rank(st, best)))
            best = dt;
    }
    return best >= 0 ? best : lowest;
}

/* Whether `to` needs nothing that `from` did not have: then any frame start will do. */
static bool is_down(const struct prism_dd_frame *st, int from, int to)
{
    return from >= 0 && from < st->decode_target_count &&
           st->decode_target_spatial_id[to] <= st->decode_target_spatial_id[from] &&
           st->decode_target_temporal_id[to] <= st->decode_target_temporal_id[from];
}

/* At a frame start: move to the decode target wanted when this frame allows it. */
static void follow_target(struct prism_dd_filter *f, const struct prism_dd_frame *frame)
{
    if (frame->new_structure)
        f->decode_target = -1; /* decode target indices are the new structure's now */
    int wanted = prism_dd_filter_choose(frame, f->target_spatial, f->target_temporal);
    if (wanted < 0 || wanted == f->decode_target)
        return;
    if (frame->new_structure || is_down(frame, f->decode_target, wanted) ||
        prism_dd_frame_is_switch(frame, (unsigned)wanted))
        f->decode_target = (int8_t)wanted;
}

struct prism_dd_decision prism_dd_filter_packet(struct prism_dd_filter *f,
                                                const struct prism_dd_frame *frame)
{
    struct prism_dd_decision decision = {false, false};
    if (!f || !frame)
        return decision;
    if (frame->start_of_frame)
        follow_target(f, frame);
    int dt = f->decode_target;
    if (dt < 0 || dt >= frame->decode_target_count)
        return decision;
    decision.forward = prism_dd_frame_in_decode_target(frame, (unsigned)dt);
    decision.end_of_frame = decision.forward && frame->end_of_frame &&
                            frame->spatial_id >= frame->decode_target_spatial_id[dt];
    return decision;
}
