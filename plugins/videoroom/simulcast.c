/* Simulcast in the VideoRoom, the API side: a subscriber's configure of "substream",
 * "temporal" and "fallback" (as Janus 1.x takes them, per stream or for every stream), the
 * events telling it which layer it gets, its "simulcast" object in stream lists, and keyframe
 * requests to every layer of a publisher. The layer choice itself is the forwarding engine's
 * (media/forward/simulcast.c). */
#include "plugins/videoroom/participant.h"

#include "core/ids.h"
#include "media/rtcp/feedback.h"
#include "plugins/videoroom/videoroom.h"

#include <string.h>

/* An integer field within [0, max], or -1 when absent or out of range. */
static int layer_field(json_t *entry, const char *name, int max)
{
    json_t *value = json_object_get(entry, name);
    if (!json_is_integer(value) || json_integer_value(value) < 0 || json_integer_value(value) > max)
        return -1;
    return (int)json_integer_value(value);
}

void vr_simulcast_stream_init(struct vr_sub_stream *stream)
{
    stream->substream = stream->temporal = -1;
    stream->notified_substream = stream->notified_temporal = -1;
    stream->fallback_us = 0;
    stream->auto_target = -1;
}

void vr_simulcast_apply(struct vr_sub_stream *stream)
{
    prism_forward_simulcast_configure(&stream->forward, stream->substream, stream->temporal,
                                      stream->fallback_us);
}

/* "substream": -1 asks for the automatic choice (autolayer.c), of an SVC stream's spatial
 * layer too. */
static bool back_to_automatic(json_t *entry)
{
    json_t *value = json_object_get(entry, "substream");
    return json_is_integer(value) && json_integer_value(value) == -1;
}

static void configure_stream(struct vr_sub_stream *stream, json_t *entry)
{
    int substream = layer_field(entry, "substream", PRISM_FORWARD_MAX_LAYERS - 1);
    int temporal = layer_field(entry, "temporal", PRISM_FORWARD_MAX_LAYERS - 1);
    json_t *fallback = json_object_get(entry, "fallback");
    struct prism_forward_layers current;
    prism_forward_simulcast_state(&stream->forward, &current);
    /* As Janus answers a request for the layer already sent with a "substream" event, the
     * layer is announced again at the next packet: after a request for that layer, or for the
     * automatic choice (which may keep it), the subscriber learns where it stands. */
    if (back_to_automatic(entry) || (substream >= 0 && substream == current.substream))
        stream->notified_substream = -1;
    if (back_to_automatic(entry)) {
        /* The next choice (within 500 ms) sets its layer; until then it keeps this one. The
         * same for an SVC stream's spatial layer (clients ask every stream this way). */
        stream->substream = -1;
        stream->auto_target = -1;
        stream->automatic = true;
        stream->spatial_layer = -1;
        stream->notified_spatial = -1;
    }
    if (substream < 0 && temporal < 0 && !json_is_integer(fallback))
        return;
    /* An SVC stream has no substreams: a quality menu's choice is its spatial layer (and
     * "temporal" its temporal layer, kept below too for the dependency descriptor's). */
    if (vr_svc_takes_substream(stream)) {
        vr_svc_select_substream(stream, substream, temporal);
        substream = -1;
    }
    if (substream >= 0) {
        stream->substream = (int8_t)substream;
        stream->auto_target = -1;
        stream->automatic = false;
    }
    if (temporal >= 0)
        stream->temporal = (int8_t)temporal;
    /* Janus's unit: microseconds without packets before a layer counts as gone. */
    if (json_is_integer(fallback) && json_integer_value(fallback) > 0 &&
        json_integer_value(fallback) <= 60000000)
        stream->fallback_us = (uint32_t)json_integer_value(fallback);
    vr_simulcast_apply(stream);
    /* The new layer starts at its keyframe: ask for one now rather than wait for the next. */
    if (substream >= 0 && stream->kind == PRISM_SDP_MEDIA_VIDEO)
        vr_sub_stream_request_keyframe(stream, 0);
}

void vr_simulcast_configure(struct vr_subscriber *subscriber, json_t *body)
{
    vr_configure_streams(subscriber, body, configure_stream);
}

void vr_simulcast_notify(struct vr_sub_stream *stream)
{
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&stream->forward, &layers);
    if (layers.substream >= 0 && layers.substream != stream->notified_substream) {
        stream->notified_substream = (int8_t)layers.substream;
        vr_push_layer_event(stream, "substream", layers.substream);
    }
    if (layers.temporal != stream->notified_temporal) {
        stream->notified_temporal = (int8_t)layers.temporal;
        vr_push_layer_event(stream, "temporal", layers.temporal);
    }
}

json_t *vr_simulcast_json(const struct vr_sub_stream *stream)
{
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&stream->forward, &layers);
    if (!layers.active && !(stream->source && stream->source->simulcast_layers))
        return NULL;
    /* Prism's own fields: whether the automatic choice picks the layer, the estimate it uses
     * and the bitrate each layer arrives with (bits per second). */
    uint64_t now = prism_now_us();
    json_t *bitrates = json_array();
    for (int l = 0; l < PRISM_FORWARD_MAX_LAYERS; l++)
        json_array_append_new(bitrates,
                              json_integer((json_int_t)vr_sub_stream_layer_bps(stream, l, now)));
    return json_pack("{s:i, s:i, s:i, s:i, s:I, s:b, s:I, s:o}", "substream", layers.substream,
                     "substream-target", layers.substream_target, "temporal-layer", layers.temporal,
                     "temporal-layer-target", layers.temporal_target, "fallback",
                     (json_int_t)layers.fallback_us, "auto", stream->automatic, "estimate",
                     (json_int_t)vr_autolayer_estimate(stream->subscriber), "layer-bitrates",
                     bitrates);
}

size_t vr_simulcast_add_plis(const struct prism_peer_media_info *info, uint32_t sender_ssrc,
                             uint8_t *buf, size_t len, size_t cap)
{
    for (unsigned i = 0; i < info->simulcast_layers && i < PRISM_PEER_MAX_LAYERS; i++) {
        uint32_t ssrc = info->layer_ssrcs[i];
        if (!ssrc || ssrc == info->remote_ssrc)
            continue;
        int n = prism_rtcp_build_pli(buf + len, cap - len, sender_ssrc, ssrc);
        if (n > 0)
            len += (size_t)n;
    }
    return len;
}
