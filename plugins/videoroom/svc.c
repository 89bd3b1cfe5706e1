/* SVC (VP9, AV1) in the VideoRoom, the API side: a subscriber's configure of "spatial_layer" and
 * "temporal_layer" (as Janus 1.x takes them, per stream in "streams" or at the top for every
 * video stream; "spatial_layer": -1 hands the spatial layer to the automatic choice,
 * autolayer.c), the "spatial_layer" / "temporal_layer" events when the layers it gets change,
 * and its "svc" object in stream lists. A "substream" (and "temporal") asked of an SVC stream
 * means its spatial (and temporal) layer, so that an application with one quality menu for
 * simulcast and SVC alike (janus.js demos) works on both. The layer choice itself is the
 * forwarding engine's (media/forward/svc.c). Publishers need nothing: SVC is whatever they
 * send. */
#include "plugins/videoroom/participant.h"

#include "core/ids.h"
#include "plugins/videoroom/videoroom.h"

#include <string.h>

/* An integer field within [0, max], or -1 when absent or out of range. */
static int layer_field(json_t *entry, const char *name)
{
    json_t *value = json_object_get(entry, name);
    if (!json_is_integer(value) || json_integer_value(value) < 0 ||
        json_integer_value(value) >= PRISM_FORWARD_SVC_MAX_LAYERS)
        return -1;
    return (int)json_integer_value(value);
}

void vr_svc_stream_init(struct vr_sub_stream *stream)
{
    stream->spatial_layer = stream->temporal_layer = -1;
    stream->notified_spatial = stream->notified_temporal_layer = -1;
}

void vr_svc_apply(struct vr_sub_stream *stream)
{
    prism_forward_svc_configure(&stream->forward, stream->spatial_layer, stream->temporal_layer);
}

/* "spatial_layer": -1 asks for the automatic choice (autolayer.c). */
static bool asks_automatic(json_t *entry)
{
    json_t *value = json_object_get(entry, "spatial_layer");
    return json_is_integer(value) && json_integer_value(value) == -1;
}

void vr_svc_configure_stream(struct vr_sub_stream *stream, json_t *entry)
{
    if (asks_automatic(entry)) {
        /* The next choice (within 500 ms) sets the layer; the subscriber is told where it
         * stands at the next packet. */
        stream->spatial_layer = -1;
        stream->auto_target = -1;
        stream->automatic = true;
        stream->notified_spatial = -1;
    }
    vr_svc_select(stream, layer_field(entry, "spatial_layer"),
                  layer_field(entry, "temporal_layer"));
}

void vr_svc_select(struct vr_sub_stream *stream, int spatial, int temporal)
{
    if (spatial < 0 && temporal < 0)
        return;
    const struct prism_forward_svc *svc = prism_forward_svc_state(&stream->forward);
    bool up = spatial > svc->spatial;
    if (spatial >= 0)
        stream->spatial_layer = (int8_t)spatial;
    /* A manual layer overrides the automatic choice (a simulcast stream's is "substream"). */
    if (spatial >= 0 && !vr_autolayer_is_simulcast(stream)) {
        stream->automatic = false;
        stream->auto_target = -1;
    }
    if (temporal >= 0)
        stream->temporal_layer = (int8_t)temporal;
    vr_svc_apply(stream);
    /* A higher spatial layer starts at a keyframe: ask for one now rather than wait. */
    if (up && svc->active && stream->kind == PRISM_SDP_MEDIA_VIDEO)
        vr_sub_stream_request_keyframe(stream, 0);
}

bool vr_svc_takes_substream(const struct vr_sub_stream *stream)
{
    if (stream->kind != PRISM_SDP_MEDIA_VIDEO || vr_autolayer_is_simulcast(stream))
        return false;
    /* Layered packets came, or the codec is one that layers in one stream: known before the
     * first packet, so that a configure right after "start" already counts. */
    return prism_forward_svc_state(&stream->forward)->active ||
           stream->codec.id == PRISM_SDP_CODEC_VP9 || stream->codec.id == PRISM_SDP_CODEC_AV1;
}

void vr_svc_select_substream(struct vr_sub_stream *stream, int substream, int temporal)
{
    /* The menu counts three qualities; a stream of fewer spatial layers tops out at its own. */
    uint8_t layers = prism_forward_svc_state(&stream->forward)->spatial_layers;
    if (substream >= 0 && layers > 0 && substream >= layers)
        substream = layers - 1;
    vr_svc_select(stream, substream, temporal);
}

void vr_svc_configure(struct vr_subscriber *subscriber, json_t *body)
{
    vr_configure_streams(subscriber, body, vr_svc_configure_stream);
}

void vr_svc_notify(struct vr_sub_stream *stream)
{
    const struct prism_forward_svc *svc = prism_forward_svc_state(&stream->forward);
    if (!svc->active || svc->spatial < 0)
        return;
    if (svc->spatial != stream->notified_spatial) {
        stream->notified_spatial = svc->spatial;
        vr_push_layer_event(stream, "spatial_layer", svc->spatial);
    }
    if (svc->temporal != stream->notified_temporal_layer) {
        stream->notified_temporal_layer = svc->temporal;
        vr_push_layer_event(stream, "temporal_layer", svc->temporal);
    }
}

json_t *vr_svc_json(const struct vr_sub_stream *stream)
{
    const struct prism_forward_svc *svc = prism_forward_svc_state(&stream->forward);
    if (!svc->active)
        return NULL;
    /* Prism's own fields, as in the "simulcast" object: whether the automatic choice picks the
     * spatial layer, the estimate it uses and what each spatial layer costs (bits per second,
     * with the layers below it). */
    uint64_t costs[PRISM_FORWARD_MAX_LAYERS];
    vr_autolayer_svc_bitrates(stream, prism_now_us(), costs);
    json_t *bitrates = json_array();
    for (int l = 0; l < PRISM_FORWARD_MAX_LAYERS; l++)
        json_array_append_new(bitrates, json_integer((json_int_t)costs[l]));
    return json_pack("{s:i, s:i, s:i, s:i, s:b, s:I, s:o}", "spatial-layer", svc->spatial,
                     "target-spatial-layer", svc->spatial_target, "temporal-layer", svc->temporal,
                     "target-temporal-layer", svc->temporal_target, "auto", stream->automatic,
                     "estimate", (json_int_t)vr_autolayer_estimate(stream->subscriber),
                     "layer-bitrates", bitrates);
}
