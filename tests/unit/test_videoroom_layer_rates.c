/* The bitrate of each layer of a VideoRoom publisher stream, which the automatic layer choice
 * of its subscribers reads: counted once per publisher packet on the publisher stream as the
 * media path (vr_fanout_rtp) receives it, never once per subscriber copy, and the same for
 * every subscriber of the stream; an SVC stream's spatial layers cost themselves and those
 * below. */
#include "plugins/videoroom/participant.h"

#include "core/session.h"
#include "media/rtp/header.h"

#include <glib.h>
#include <string.h>

#define SUBSCRIBERS 3
#define VP8_PT 96
#define VP9_PT 98
#define STEP_US 10000u

/* A publisher with one stream and SUBSCRIBERS subscribers of it, each started and forwarding
 * from it, whose handles have no PeerConnection: the media path goes as far as sending. */
struct rig {
    struct prism_session *session;
    struct vr_session publisher_session;
    struct vr_publisher publisher;
    struct vr_subscriber subscribers[SUBSCRIBERS];
    struct vr_sub_stream streams[SUBSCRIBERS];
    struct vr_sub_stream *stream_slots[SUBSCRIBERS]; /* one per subscriber's array */
    uint8_t packet[1300];
    uint16_t seq;
};

static void rig_init(struct rig *rig, enum prism_sdp_codec_id codec, uint8_t pt,
                     uint8_t simulcast_layers)
{
    memset(rig, 0, sizeof(*rig));
    rig->session = prism_session_new(1, NULL, 0);
    g_assert_nonnull(rig->session);
    rig->publisher_session = (struct vr_session){.role = VR_ROLE_PUBLISHER,
                                                 .publisher = &rig->publisher};
    rig->publisher.stream_count = 1;
    struct vr_pub_stream *source = &rig->publisher.streams[0];
    source->publisher = &rig->publisher;
    source->kind = PRISM_SDP_MEDIA_VIDEO;
    source->codec = (struct prism_sdp_codec){.pt = pt, .id = codec, .clock_rate = 90000};
    source->simulcast_layers = simulcast_layers;
    source->subscribers = g_ptr_array_new();
    for (unsigned i = 0; i < SUBSCRIBERS; i++) {
        struct vr_subscriber *subscriber = &rig->subscribers[i];
        subscriber->handle = prism_handle_new(10 + i, rig->session, NULL, NULL, NULL);
        g_assert_nonnull(subscriber->handle);
        subscriber->started = true;
        struct vr_sub_stream *stream = &rig->streams[i];
        stream->subscriber = subscriber;
        stream->kind = PRISM_SDP_MEDIA_VIDEO;
        stream->active = true;
        stream->source = source;
        stream->forward_source = source;
        subscriber->streams = &rig->stream_slots[i];
        subscriber->stream_capacity = 1;
        subscriber->streams[subscriber->stream_count++] = stream;
        g_ptr_array_add(source->subscribers, stream);
    }
}

static void rig_clear(struct rig *rig)
{
    struct vr_pub_stream *source = &rig->publisher.streams[0];
    vr_pub_stream_drop_history(source);
    g_ptr_array_free(source->subscribers, TRUE);
    for (unsigned i = 0; i < SUBSCRIBERS; i++)
        prism_handle_unref(rig->subscribers[i].handle);
    prism_session_unref(rig->session);
}

/* One publisher packet of `size` bytes through the media path: simulcast `layer` (-1: none),
 * with a VP9 descriptor of spatial layer `sid` when the stream is VP9. */
static void publish(struct rig *rig, int layer, uint8_t sid, size_t size, uint64_t now)
{
    const struct vr_pub_stream *source = &rig->publisher.streams[0];
    struct prism_rtp_header_fields fields = {.payload_type = source->codec.pt,
                                             .seq = rig->seq++,
                                             .timestamp = (uint32_t)(now / 11),
                                             .ssrc = 0x1000u + (uint32_t)(layer + 1)};
    int n = prism_rtp_build_header(rig->packet, sizeof(rig->packet), &fields);
    g_assert_cmpint(n, >, 0);
    memset(rig->packet + n, 0, size - (size_t)n);
    if (source->codec.id == PRISM_SDP_CODEC_VP9) {
        rig->packet[n] = 0xAC;     /* I, L, B, E */
        rig->packet[n + 1] = 0x80; /* 15-bit picture id */
        rig->packet[n + 3] = (uint8_t)(sid << 1);
    } else {
        rig->packet[n] = 0x10; /* VP8: start of partition */
    }
    struct prism_peer_rtp packet = {.data = rig->packet,
                                    .len = size,
                                    .cap = sizeof(rig->packet),
                                    .media_index = 0,
                                    .layer = layer,
                                    .arrival_us = now,
                                    .video = true};
    g_assert_cmpint(prism_rtp_parse(rig->packet, size, &packet.header), ==, 0);
    vr_fanout_rtp(&rig->publisher_session, &packet);
}

static void test_videoroom_layer_rates_counted_once_per_publisher_packet(void)
{
    static const size_t layer_bytes[3] = {188, 625, 1250};
    struct rig rig;
    rig_init(&rig, PRISM_SDP_CODEC_VP8, VP8_PT, 3);
    uint64_t now = 10000000;
    unsigned packets = 0;
    for (unsigned step = 0; step < 100; step++, now += STEP_US) {
        for (int l = 0; l < 3; l++, packets++)
            publish(&rig, l, 0, layer_bytes[l], now);
    }
    /* Counted once per packet, whatever the number of subscribers. */
    g_assert_cmpuint(rig.publisher.streams[0].rates.packets, ==, packets);
    /* Every subscriber reads the one measure: 100 packets a second of each layer. */
    for (unsigned i = 0; i < SUBSCRIBERS; i++) {
        g_assert_true(vr_sub_stream_rates(&rig.streams[i]) == &rig.publisher.streams[0].rates);
        for (int l = 0; l < 3; l++)
            g_assert_cmpuint(vr_sub_stream_layer_bps(&rig.streams[i], l, now), ==,
                             layer_bytes[l] * 8 * 100);
    }
    /* A stream without a source reads nothing. */
    rig.streams[0].source = NULL;
    g_assert_null(vr_sub_stream_rates(&rig.streams[0]));
    g_assert_cmpuint(vr_sub_stream_layer_bps(&rig.streams[0], 0, now), ==, 0);
    rig_clear(&rig);
}

/* SVC: each packet counts for the spatial layer of its VP9 descriptor, read once; every
 * subscriber sees each layer cost itself and the layers below. */
static void test_videoroom_layer_rates_svc_cumulative_for_every_subscriber(void)
{
    static const size_t layer_bytes[3] = {188, 437, 1250};
    struct rig rig;
    rig_init(&rig, PRISM_SDP_CODEC_VP9, VP9_PT, 0);
    uint64_t now = 10000000;
    for (unsigned step = 0; step < 100; step++, now += STEP_US) {
        for (uint8_t sid = 0; sid < 3; sid++)
            publish(&rig, -1, sid, layer_bytes[sid], now);
    }
    g_assert_cmpuint(rig.publisher.streams[0].rates.packets, ==, 300);
    for (unsigned i = 0; i < SUBSCRIBERS; i++) {
        uint64_t bitrates[PRISM_FORWARD_MAX_LAYERS];
        vr_autolayer_svc_bitrates(&rig.streams[i], now, bitrates);
        g_assert_cmpuint(bitrates[0], ==, 150400);
        g_assert_cmpuint(bitrates[1], ==, 500000);
        g_assert_cmpuint(bitrates[2], ==, 1500000);
    }
    rig_clear(&rig);
}

/* Without a subscriber on the room's worker nothing reads the publisher stream's rates, and
 * nothing is counted there. */
static void test_videoroom_layer_rates_not_counted_without_subscribers(void)
{
    struct rig rig;
    rig_init(&rig, PRISM_SDP_CODEC_VP8, VP8_PT, 3);
    GPtrArray *subscribers = rig.publisher.streams[0].subscribers;
    g_ptr_array_set_size(subscribers, 0);
    publish(&rig, 0, 0, 200, 10000000);
    g_assert_cmpuint(rig.publisher.streams[0].rates.packets, ==, 0);
    rig_clear(&rig);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/layer_rates/counted_once_per_publisher_packet",
                    test_videoroom_layer_rates_counted_once_per_publisher_packet);
    g_test_add_func("/videoroom/layer_rates/svc_cumulative_for_every_subscriber",
                    test_videoroom_layer_rates_svc_cumulative_for_every_subscriber);
    g_test_add_func("/videoroom/layer_rates/not_counted_without_subscribers",
                    test_videoroom_layer_rates_not_counted_without_subscribers);
    return g_test_run();
}
