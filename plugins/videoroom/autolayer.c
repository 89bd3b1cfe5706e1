/* The automatic layer choice of a VideoRoom subscriber: every stream it asked it for
 * (configure "substream": -1, or "spatial_layer": -1 for SVC) gets the layer the allocator
 * (media/alloc) picks from the subscriber's bandwidth estimate (its transport-cc feedback, else
 * its REMB) and the bitrate each layer of the stream's source arrives with: a simulcast
 * stream's substreams, or an SVC stream's spatial layers (VP9, AV1 L3T3...: one RTP stream,
 * where a layer costs its own packets and those of the layers below, which decoding it needs).
 * Those rates are counted once per publisher packet where it arrives for the subscribers of a
 * worker (the publisher stream, a relay group), not once per subscriber: a packet's SVC layer
 * is read once, and the per-subscriber path only reads the rates when the allocator runs.
 * While the estimate holds a stream below its best layer, the subscriber's estimator probes the
 * path for what the best layers need (padding, media/peer/probe.c), so that the estimate can
 * grow once the link allows and the streams go back up. The media path is
 * the clock: the first packet to a subscriber 500 ms after the last choice makes the next one,
 * or the first after the estimate fell, on the subscriber's worker; no timer of its own. */
#include "plugins/videoroom/participant.h"

#include "media/peer/handle_media.h"

#include "core/log.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#define AUTOLAYER_INTERVAL_US 500000u
#define AUTOLAYER_FALL_PERCENT 95u /* an estimate below this share of the last one */

void vr_layer_rates_count(struct vr_layer_rates *rates, int layer, enum prism_sdp_codec_id codec,
                          const struct prism_rtp_header *header, const struct prism_dd_frame *dd,
                          size_t len, uint64_t now_us)
{
    /* Not simulcast: an SVC packet counts for its spatial layer. */
    if (layer < 0)
        layer = prism_forward_svc_spatial_layer(codec, dd, header);
    if (layer >= PRISM_FORWARD_MAX_LAYERS)
        return;
    prism_layer_rate_add(&rates->layer[layer > 0 ? layer : 0], (uint32_t)len, now_us);
    rates->packets++;
}

const struct vr_layer_rates *vr_sub_stream_rates(const struct vr_sub_stream *stream)
{
    if (stream->source)
        return &stream->source->rates;
    return stream->group ? vr_relay_group_rates(stream->group) : NULL;
}

uint64_t vr_sub_stream_layer_bps(const struct vr_sub_stream *stream, int layer, uint64_t now_us)
{
    const struct vr_layer_rates *rates = vr_sub_stream_rates(stream);
    if (!rates || layer < 0 || layer >= PRISM_FORWARD_MAX_LAYERS)
        return 0;
    return prism_layer_rate_bps(&rates->layer[layer], now_us);
}

bool vr_autolayer_is_simulcast(const struct vr_sub_stream *stream)
{
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&stream->forward, &layers);
    return layers.active || (stream->source && stream->source->simulcast_layers);
}

bool vr_autolayer_is_svc(const struct vr_sub_stream *stream)
{
    return prism_forward_svc_state(&stream->forward)->active && !vr_autolayer_is_simulcast(stream);
}

void vr_autolayer_svc_bitrates(const struct vr_sub_stream *stream, uint64_t now_us,
                               uint64_t bitrates[PRISM_FORWARD_MAX_LAYERS])
{
    uint64_t below = 0;
    for (int l = 0; l < PRISM_FORWARD_MAX_LAYERS; l++) {
        uint64_t own = vr_sub_stream_layer_bps(stream, l, now_us);
        below += own;
        bitrates[l] = own ? below : 0;
    }
}

uint64_t vr_autolayer_estimate(const struct vr_subscriber *subscriber)
{
    struct prism_peer *peer = subscriber->handle ? prism_handle_peer(subscriber->handle) : NULL;
    uint64_t estimate = peer ? prism_peer_bandwidth_estimate(peer) : 0;
    return estimate ? estimate : subscriber->remb_bps;
}

void vr_autolayer_set_remb(struct vr_subscriber *subscriber, uint64_t bps)
{
    subscriber->remb_bps = bps;
    subscriber->remb_changed = true;
}

/* A screen share, as far as the publisher tells: its stream description says so. */
static bool is_screen(const struct vr_sub_stream *stream)
{
    if (!stream->source)
        return false;
    const char *d = stream->source->description;
    for (; *d; d++) {
        if (strncasecmp(d, "screen", 6) == 0)
            return true;
    }
    return false;
}

/* An SVC stream as the allocator sees it: its spatial layers are the layers to choose from,
 * each costing itself and the ones below; a manual spatial_layer is a fixed cost. */
static void describe_svc(const struct vr_sub_stream *stream, struct prism_alloc_stream *out,
                         uint64_t now_us)
{
    uint64_t bitrates[PRISM_FORWARD_MAX_LAYERS];
    vr_autolayer_svc_bitrates(stream, now_us, bitrates);
    int manual = -1;
    for (int l = 0; l < PRISM_ALLOC_MAX_LAYERS && l < PRISM_FORWARD_MAX_LAYERS; l++) {
        out->layer_bps[l] = bitrates[l];
        /* The manual target, or the highest layer that arrives below it. */
        if (bitrates[l] && l <= prism_forward_svc_state(&stream->forward)->spatial_target)
            manual = l;
    }
    out->simulcast = true;
    out->manual = stream->automatic ? -1 : (manual >= 0 ? manual : 0);
}

/* What the allocator needs of one stream; audio only adds to *audio_bps. */
static void describe(const struct vr_sub_stream *stream, struct prism_alloc_stream *out,
                     uint64_t *audio_bps, uint64_t now_us)
{
    memset(out, 0, sizeof(*out));
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&stream->forward, &layers);
    out->manual = stream->automatic ? -1 : layers.substream_target;
    if (!stream->active || !vr_sub_stream_current(stream))
        return;
    if (stream->kind == PRISM_SDP_MEDIA_AUDIO) {
        *audio_bps += vr_sub_stream_layer_bps(stream, 0, now_us);
        return;
    }
    if (stream->kind != PRISM_SDP_MEDIA_VIDEO)
        return;
    out->screen = is_screen(stream);
    if (vr_autolayer_is_svc(stream)) {
        describe_svc(stream, out, now_us);
        return;
    }
    out->simulcast = vr_autolayer_is_simulcast(stream);
    for (int l = 0; l < PRISM_ALLOC_MAX_LAYERS && l < PRISM_FORWARD_MAX_LAYERS; l++)
        out->layer_bps[l] = vr_sub_stream_layer_bps(stream, l, now_us);
}

/* Moves an automatic stream to `target`; the engine moves at the new layer's next keyframe
 * when it goes up, and asks for one itself. */
static void apply_target(struct vr_sub_stream *stream, int target, uint64_t now_us)
{
    if (stream->auto_target >= 0 && target < stream->auto_target) {
        stream->repair_since_us = now_us ? now_us : 1;
        stream->repairs = 0;
        stream->subscriber->repairing = true;
    }
    stream->auto_target = (int8_t)target;
    if (vr_autolayer_is_svc(stream))
        prism_forward_svc_configure(&stream->forward, target, -1);
    else
        prism_forward_simulcast_configure(&stream->forward, target, -1, 0);
}

bool vr_autolayer_repair_due(struct vr_sub_stream *stream, uint64_t lost_sent_us, uint64_t now_us)
{
    if (!stream->repair_since_us)
        return false;
    if (now_us > stream->repair_since_us &&
        now_us - stream->repair_since_us > VR_REPAIR_WINDOW_US) {
        stream->repair_since_us = 0; /* no loss for that long: the path recovered */
        return false;
    }
    if (lost_sent_us < stream->repair_since_us)
        return false;
    stream->repair_since_us = ++stream->repairs < VR_REPAIR_MAX_KEYFRAMES ? now_us : 0;
    return true;
}

/* vr_autolayer_repair_due for each stream that switched down, from the subscriber's losses. */
static void repair_keyframes(struct vr_subscriber *subscriber, uint64_t now_us)
{
    if (!subscriber->repairing)
        return;
    bool repairing = false;
    uint64_t lost = UINT64_MAX; /* looked up for the first stream that needs it */
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        struct vr_sub_stream *stream = subscriber->streams[i];
        if (!stream->repair_since_us)
            continue;
        if (lost == UINT64_MAX) {
            struct prism_peer *peer = subscriber->handle ? prism_handle_peer(subscriber->handle)
                                                         : NULL;
            lost = peer ? prism_peer_last_loss_sent_us(peer) : 0;
        }
        if (vr_autolayer_repair_due(stream, lost, now_us)) {
            prism_debug("videoroom", "subscriber %p mid %s: keyframe repair after a switch down",
                        (void *)subscriber, stream->mid);
            vr_sub_stream_request_keyframe(stream, now_us);
        }
        repairing |= stream->repair_since_us != 0;
    }
    subscriber->repairing = repairing;
}

/* A choice is due every AUTOLAYER_INTERVAL_US (the layers' rates change, an estimate that
 * stopped limiting lets them up), and at once when the estimate fell since the last one: a
 * congested link must not wait for the interval (as libwebrtc's allocator, which runs on every
 * new target rate). */
static bool interval_due(const struct vr_subscriber *subscriber, uint64_t now_us)
{
    return !subscriber->alloc_at_us || now_us < subscriber->alloc_at_us ||
           now_us - subscriber->alloc_at_us >= AUTOLAYER_INTERVAL_US;
}

/* Whether the estimate may have moved since the last look: a transport-cc feedback or a REMB
 * came. Per packet this reads one counter instead of the estimator. */
static bool estimate_changed(struct vr_subscriber *subscriber)
{
    struct prism_peer *peer = subscriber->handle ? prism_handle_peer(subscriber->handle) : NULL;
    uint64_t feedbacks = peer ? prism_peer_feedback_count(peer) : 0;
    bool changed = feedbacks != subscriber->feedbacks_seen || subscriber->remb_changed;
    subscriber->feedbacks_seen = feedbacks;
    subscriber->remb_changed = false;
    return changed;
}

static bool estimate_fell(const struct vr_subscriber *subscriber, uint64_t estimate)
{
    uint64_t last = subscriber->alloc.estimate_bps;
    return estimate && last && estimate < last / 100u * AUTOLAYER_FALL_PERCENT;
}

void vr_autolayer_tick(struct vr_subscriber *subscriber, uint64_t now_us)
{
    repair_keyframes(subscriber, now_us);
    bool due = interval_due(subscriber, now_us);
    if (!estimate_changed(subscriber) && !due)
        return;
    uint64_t estimate = vr_autolayer_estimate(subscriber);
    if (!due && !estimate_fell(subscriber, estimate))
        return;
    subscriber->alloc_at_us = now_us;
    unsigned count = subscriber->stream_count < PRISM_ALLOC_MAX_STREAMS ? subscriber->stream_count
                                                                        : PRISM_ALLOC_MAX_STREAMS;
    struct prism_alloc_stream streams[PRISM_ALLOC_MAX_STREAMS];
    int targets[PRISM_ALLOC_MAX_STREAMS];
    uint64_t audio_bps = 0;
    for (unsigned i = 0; i < count; i++)
        describe(subscriber->streams[i], &streams[i], &audio_bps, now_us);
    prism_alloc_tick(&subscriber->alloc, estimate, audio_bps, streams, count, targets, now_us);
    /* Below the best layers for want of estimate: the estimator probes for what they need. */
    struct prism_peer *peer = subscriber->handle ? prism_handle_peer(subscriber->handle) : NULL;
    if (peer && subscriber->alloc.wanted_bps)
        prism_peer_want_bandwidth(peer, subscriber->alloc.wanted_bps);
    prism_debug("videoroom", "subscriber %p autolayer: estimate %" PRIu64 " limiting %d target %d",
                (void *)subscriber, subscriber->alloc.estimate_bps, subscriber->alloc.limiting,
                count ? targets[count > 1 ? 1 : 0] : -2);
    for (unsigned i = 0; i < count; i++) {
        struct vr_sub_stream *stream = subscriber->streams[i];
        if (!stream->automatic) {
            stream->auto_target = -1; /* manual: configure's layer (or the default) stays */
            continue;
        }
        if (targets[i] >= 0 && targets[i] != stream->auto_target)
            apply_target(stream, targets[i], now_us);
    }
}
