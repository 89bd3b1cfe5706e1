/* SVC layer selection (see svc.h). The current layers change only where a picture starts, so
 * every picture a subscriber gets has one set of layers and its marker bit on the last layer
 * frame it keeps. */
#include "media/forward/svc.h"

#include <string.h>

#define TOP_LAYER (PRISM_FORWARD_SVC_MAX_LAYERS - 1)

void prism_forward_svc_init(struct prism_forward_svc *svc)
{
    memset(svc, 0, sizeof(*svc));
    svc->spatial = -1;
    svc->spatial_target = TOP_LAYER;
    svc->temporal = TOP_LAYER;
    svc->temporal_target = TOP_LAYER;
}

void prism_forward_svc_reset(struct prism_forward_svc *svc)
{
    svc->active = false;
    svc->spatial = -1;
    svc->temporal = svc->temporal_target;
    svc->spatial_layers = 0;
    svc->has_picture = false;
    svc->asked = false;
}

static int8_t clamp_layer(int layer)
{
    return (int8_t)(layer > TOP_LAYER ? TOP_LAYER : layer);
}

void prism_forward_svc_set_target(struct prism_forward_svc *svc, int spatial, int temporal)
{
    if (spatial >= 0)
        svc->spatial_target = clamp_layer(spatial);
    if (temporal >= 0)
        svc->temporal_target = clamp_layer(temporal);
    svc->asked = false; /* a new wish: ask for its keyframe at once */
}

/* A keyframe: every layer can start here, up to the target and what the publisher sends. */
static void start_at_keyframe(struct prism_forward_svc *svc,
                              const struct prism_forward_svc_frame *f)
{
    int top = svc->spatial_target;
    if (f->spatial_layers > 0 && top > f->spatial_layers - 1)
        top = f->spatial_layers - 1;
    svc->spatial = (int8_t)top;
    svc->temporal = svc->temporal_target;
    svc->asked = false;
}

/* Temporal layers: down at once (lower layers never refer to higher ones); up at a switching-up
 * point, past which higher layers need no picture from before it. A point on a layer already
 * forwarded opens every layer up to the target; one on the next layer up opens that layer. */
static void follow_temporal_target(struct prism_forward_svc *svc,
                                   const struct prism_forward_svc_frame *f)
{
    if (svc->temporal_target < svc->temporal) {
        svc->temporal = svc->temporal_target;
        return;
    }
    if (svc->temporal_target == svc->temporal || !f->switching_up ||
        f->temporal > svc->temporal_target)
        return;
    svc->temporal = f->temporal <= svc->temporal ? svc->temporal_target : (int8_t)f->temporal;
}

static void start_picture(struct prism_forward_svc *svc, const struct prism_forward_svc_frame *f)
{
    svc->has_picture = true;
    svc->picture_timestamp = f->timestamp;
    if (f->keyframe) {
        start_at_keyframe(svc, f);
        return;
    }
    if (svc->spatial < 0)
        return;
    /* Lower spatial layers never refer to higher ones: going down needs no keyframe. */
    if (svc->spatial_target < svc->spatial)
        svc->spatial = svc->spatial_target;
    follow_temporal_target(svc, f);
}

static bool ask_due(struct prism_forward_svc *svc, uint64_t retry_us, uint64_t now_us)
{
    if (svc->asked && (now_us < svc->asked_us || now_us - svc->asked_us < retry_us))
        return false;
    svc->asked = true;
    svc->asked_us = now_us;
    return true;
}

enum prism_forward_svc_decision prism_forward_svc_decide(struct prism_forward_svc *svc,
                                                         const struct prism_forward_svc_frame *f,
                                                         uint64_t retry_us, uint64_t now_us)
{
    svc->active = true;
    if (f->spatial_layers > 0)
        svc->spatial_layers = f->spatial_layers;
    if (f->begin && (!svc->has_picture || f->timestamp != svc->picture_timestamp))
        start_picture(svc, f);
    if (svc->spatial < 0)
        return PRISM_FORWARD_SVC_PASS;
    if (f->spatial > svc->spatial) {
        /* A layer wanted but not forwarded: only a keyframe lets the decoder start it. */
        if (f->spatial <= svc->spatial_target && ask_due(svc, retry_us, now_us))
            return PRISM_FORWARD_SVC_DROP_ASK;
        return PRISM_FORWARD_SVC_DROP;
    }
    if (f->temporal > svc->temporal)
        return PRISM_FORWARD_SVC_DROP;
    return prism_forward_svc_marks(svc, f) ? PRISM_FORWARD_SVC_PASS_MARK : PRISM_FORWARD_SVC_PASS;
}

bool prism_forward_svc_marks(const struct prism_forward_svc *svc,
                             const struct prism_forward_svc_frame *f)
{
    /* The publisher marks the end of the whole picture; a subscriber that stops at a lower
     * spatial layer needs the mark on that layer's last packet instead. */
    return svc->spatial >= 0 && f->end && f->spatial == svc->spatial;
}
