/* The VideoRoom's VP9 SVC requests: a subscriber's configure of spatial_layer / temporal_layer
 * reaches the forwarding state of the streams it names (per stream, or at the top for every
 * video stream), bad values change nothing, wishes outlive a new forwarding state, and the
 * "svc" object of a stream list appears once layered packets came, with the layers sent; with
 * "spatial_layer": -1 (or "substream": -1) the automatic choice moves the spatial layer with
 * the subscriber's estimate, from the bitrate each layer arrives with. */
#include "plugins/videoroom/participant.h"
#include "videoroom_layers_fixture.h"

#include "media/rtp/header.h"

#include <glib.h>
#include <string.h>

static void configure(struct fixture *f, const char *text)
{
    fixture_configure(f, text, vr_svc_configure);
}

static const struct prism_forward_svc *svc_of(const struct fixture *f, unsigned i)
{
    return prism_forward_svc_state(&f->streams[i].forward);
}

static void test_videoroom_svc_configure_per_stream(void)
{
    struct fixture f;
    fixture_init(&f);
    configure(&f, "{\"request\":\"configure\",\"streams\":[{\"mid\":\"2\",\"spatial_layer\":0,"
                  "\"temporal_layer\":1}]}");
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 0);
    g_assert_cmpint(svc_of(&f, 2)->temporal_target, ==, 1);
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 2); /* the other keeps the defaults */
    g_assert_cmpint(svc_of(&f, 1)->temporal_target, ==, 2);
    /* The wish outlives a new forwarding state (a new SSRC after renegotiation). */
    struct prism_forward_config config = {.ssrc = 77};
    prism_forward_init(&f.streams[2].forward, &config);
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 2);
    vr_svc_apply(&f.streams[2]);
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 0);
    g_assert_cmpint(svc_of(&f, 2)->temporal_target, ==, 1);
    /* Only one of the two: the other stays. */
    configure(&f, "{\"request\":\"configure\",\"streams\":[{\"mid\":\"2\",\"temporal_layer\":0}]}");
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 0);
    g_assert_cmpint(svc_of(&f, 2)->temporal_target, ==, 0);
}

static void test_videoroom_svc_configure_top_level_reaches_every_video_stream(void)
{
    struct fixture f;
    fixture_init(&f);
    configure(&f, "{\"request\":\"configure\",\"spatial_layer\":1}");
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 1);
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 1);
    g_assert_cmpint(f.streams[0].spatial_layer, ==, -1); /* audio untouched */
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"temporal_layer\":0}");
    g_assert_cmpint(svc_of(&f, 1)->temporal_target, ==, 0);
    g_assert_cmpint(svc_of(&f, 2)->temporal_target, ==, 2);
}

static void test_videoroom_svc_configure_ignores_bad_values(void)
{
    struct fixture f;
    fixture_init(&f);
    configure(&f, "{\"request\":\"configure\",\"streams\":[{\"mid\":\"1\",\"spatial_layer\":3,"
                  "\"temporal_layer\":-1}, 7, {\"mid\":\"1\",\"spatial_layer\":\"1\"},"
                  "{\"mid\":\"9\",\"spatial_layer\":0}, {\"mid\":\"1\",\"temporal_layer\":1.5}]}");
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 2);
    g_assert_cmpint(svc_of(&f, 1)->temporal_target, ==, 2);
    g_assert_cmpint(f.streams[1].spatial_layer, ==, -1);
    g_assert_cmpint(f.streams[1].temporal_layer, ==, -1);
}

static void test_videoroom_svc_json_and_notify_once_layered(void)
{
    struct fixture f;
    fixture_init(&f);
    struct vr_sub_stream *stream = &f.streams[1];
    g_assert_null(vr_svc_json(stream));
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"spatial_layer\":1}");
    /* A keyframe of three spatial layers reaches the stream's layer choice. */
    struct prism_forward_svc_frame frame = {
        .timestamp = 3000, .begin = true, .keyframe = true, .spatial_layers = 3};
    prism_forward_svc_decide(&stream->forward.svc, &frame, 1000000, 0);
    json_t *json = vr_svc_json(stream);
    g_assert_nonnull(json);
    json_t *expected = json_pack("{s:i, s:i, s:i, s:i, s:b, s:i, s:[iii]}", "spatial-layer", 1,
                                 "target-spatial-layer", 1, "temporal-layer", 2,
                                 "target-temporal-layer", 2, "auto", false, "estimate", 0,
                                 "layer-bitrates", 0, 0, 0);
    g_assert_true(json_equal(json, expected));
    json_decref(json);
    json_decref(expected);
    /* Told once per change (no handle here: the event is not pushed, but remembered). */
    vr_svc_notify(stream);
    g_assert_cmpint(stream->notified_spatial, ==, 1);
    g_assert_cmpint(stream->notified_temporal_layer, ==, 2);
}

#define PUB_VP9_PT 98

/* Stream i's source sends VP9 (payload type PUB_VP9_PT), and a keyframe of three spatial
 * layers reached its layer choice: the stream is SVC. */
static void make_svc(struct fixture *f, unsigned i)
{
    struct vr_sub_stream *stream = &f->streams[i];
    struct prism_forward_source src = {.video = true, .clock_rate = 90000, .payload_type_count = 1};
    src.payload_types[0] = (struct prism_forward_payload_type){
        .publisher = PUB_VP9_PT, .subscriber = PUB_VP9_PT, .codec = PRISM_SDP_CODEC_VP9};
    g_assert_cmpint(prism_forward_switch(&stream->forward, &src), ==, 0);
    struct prism_forward_svc_frame frame = {
        .timestamp = 3000, .begin = true, .keyframe = true, .spatial_layers = 3};
    prism_forward_svc_decide(&stream->forward.svc, &frame, 1000000, 0);
}

/* A VP9 packet of spatial layer sid (non-flexible descriptor with layer indices) of `size`
 * bytes in all. */
static void vp9_packet(uint8_t *buf, size_t size, uint8_t sid, struct prism_rtp_header *header)
{
    struct prism_rtp_header_fields fields = {.payload_type = PUB_VP9_PT, .ssrc = 0x59000001u};
    int n = prism_rtp_build_header(buf, size, &fields);
    g_assert_cmpint(n, >, 0);
    memset(buf + n, 0, size - (size_t)n);
    buf[n] = 0xAC;     /* I, L, B, E */
    buf[n + 1] = 0x80; /* 15-bit picture id */
    buf[n + 3] = (uint8_t)(sid << 1);
    g_assert_cmpint(prism_rtp_parse(buf, size, header), ==, 0);
}

/* Packets of the three spatial layers (about 150 k, 350 k and 1 Mbit/s of their own: 150 k,
 * 500 k and 1.5 Mbit/s to forward up to each) and audio (40 kbit/s) reach the sources of
 * streams 1 and 0 every 10 ms from *now to `until`, with an automatic choice on each, as the
 * media path makes them. */
static void feed_svc(struct fixture *f, uint64_t *now, uint64_t until)
{
    static const size_t layer_bytes[3] = {188, 437, 1250};
    uint8_t buf[3][1300];
    struct prism_rtp_header headers[3];
    for (uint8_t sid = 0; sid < 3; sid++)
        vp9_packet(buf[sid], layer_bytes[sid], sid, &headers[sid]);
    for (; *now < until; *now += 10000) {
        for (int l = 0; l < 3; l++)
            vr_layer_rates_count(&f->streams[1].source->rates, -1, PRISM_SDP_CODEC_VP9, &headers[l],
                                 NULL, layer_bytes[l], *now);
        vr_layer_rates_count(&f->streams[0].source->rates, -1, PRISM_SDP_CODEC_OPUS, NULL, NULL, 50,
                             *now);
        vr_autolayer_tick(&f->subscriber, *now);
    }
}

static void configure_simulcast(struct fixture *f, const char *text)
{
    fixture_configure(f, text, vr_simulcast_configure);
}

/* A picture that is no keyframe starts on stream i at `timestamp`: the layer choice moves down
 * there (and the subscriber is told at the next packet forwarded). */
static void next_picture(struct fixture *f, unsigned i, uint32_t timestamp)
{
    struct prism_forward_svc_frame frame = {.timestamp = timestamp, .begin = true};
    prism_forward_svc_decide(&f->streams[i].forward.svc, &frame, 1000000, 0);
    vr_svc_notify(&f->streams[i]);
}

/* One quality menu for simulcast and SVC (janus.js apps): "substream" n of an SVC stream is
 * its spatial layer n, as "spatial_layer" n would set it, with the same "spatial_layer"
 * event; a stream that is neither keeps its simulcast wish only. */
static void test_videoroom_svc_substream_moves_the_spatial_layer(void)
{
    struct fixture f;
    fixture_init(&f);
    make_svc(&f, 1);
    vr_svc_notify(&f.streams[1]);
    g_assert_cmpint(f.streams[1].notified_spatial, ==, 2);
    configure_simulcast(&f, "{\"request\":\"configure\",\"substream\":0}");
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 0);
    g_assert_cmpint(f.streams[1].spatial_layer, ==, 0);
    g_assert_false(f.streams[1].automatic);
    next_picture(&f, 1, 6000);
    g_assert_cmpint(svc_of(&f, 1)->spatial, ==, 0);
    g_assert_cmpint(f.streams[1].notified_spatial, ==, 0);
    /* Stream 2 has no SVC source: its substream wish only, no spatial layer. */
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 2);
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&f.streams[2].forward, &layers);
    g_assert_cmpint(layers.substream_target, ==, 0);
    /* The same state as "spatial_layer" gives, per stream and with "temporal". */
    configure_simulcast(&f, "{\"request\":\"configure\",\"streams\":[{\"mid\":\"1\","
                            "\"substream\":1,\"temporal\":0}]}");
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 1);
    g_assert_cmpint(svc_of(&f, 1)->temporal_target, ==, 0);
    struct fixture g;
    fixture_init(&g);
    make_svc(&g, 1);
    fixture_configure(&g, "{\"request\":\"configure\",\"spatial_layer\":0}", vr_svc_configure);
    fixture_configure(&g,
                      "{\"request\":\"configure\",\"streams\":[{\"mid\":\"1\","
                      "\"spatial_layer\":1,\"temporal_layer\":0}]}",
                      vr_svc_configure);
    g_assert_cmpint(f.streams[1].spatial_layer, ==, g.streams[1].spatial_layer);
    g_assert_cmpint(f.streams[1].temporal_layer, ==, g.streams[1].temporal_layer);
    g_assert_true(f.streams[1].automatic == g.streams[1].automatic);
    /* -1 stays the automatic choice. */
    configure_simulcast(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"substream\":-1}");
    g_assert_true(f.streams[1].automatic);
    g_assert_cmpint(f.streams[1].spatial_layer, ==, -1);
}

/* "substream" 2 of a stream of two spatial layers is its top one; a VP9 or AV1 stream counts
 * as SVC before its first packet, so that a configure right after "start" is not lost. */
static void test_videoroom_svc_substream_clamped_to_the_layers_sent(void)
{
    struct fixture f;
    fixture_init(&f);
    make_svc(&f, 1);
    struct prism_forward_svc_frame frame = {
        .timestamp = 9000, .begin = true, .keyframe = true, .spatial_layers = 2};
    prism_forward_svc_decide(&f.streams[1].forward.svc, &frame, 1000000, 0);
    g_assert_cmpint(svc_of(&f, 1)->spatial_layers, ==, 2);
    configure_simulcast(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"substream\":0}");
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 0);
    configure_simulcast(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"substream\":2}");
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 1);
    f.streams[2].codec.id = PRISM_SDP_CODEC_AV1;
    configure_simulcast(&f, "{\"request\":\"configure\",\"mid\":\"2\",\"substream\":1}");
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 1);
    g_assert_false(svc_of(&f, 2)->active);
}

static void test_videoroom_svc_automatic_spatial_layer(void)
{
    struct fixture f;
    fixture_init(&f);
    prism_alloc_init(&f.subscriber.alloc, NULL);
    struct vr_pub_stream video = {0}, audio = {0};
    f.streams[0].source = &audio;
    f.streams[1].source = &video;
    f.streams[0].active = f.streams[1].active = true;
    make_svc(&f, 1);
    uint64_t now = 10000000;
    /* Not asked for: the top layer (Janus's default) whatever the estimate. */
    vr_autolayer_set_remb(&f.subscriber, 3000000);
    feed_svc(&f, &now, now + 600000);
    vr_autolayer_set_remb(&f.subscriber, 300000);
    feed_svc(&f, &now, now + 600000);
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 2);
    g_assert_false(f.streams[1].automatic);
    /* Each spatial layer is measured with the ones below it, which decoding it needs. */
    uint64_t bitrates[PRISM_FORWARD_MAX_LAYERS];
    vr_autolayer_svc_bitrates(&f.streams[1], now, bitrates);
    g_assert_cmpuint(bitrates[0], ==, 150400);
    g_assert_cmpuint(bitrates[1], ==, 500000);
    g_assert_cmpuint(bitrates[2], ==, 1500000);
    json_t *json = vr_svc_json(&f.streams[1]);
    g_assert_true(json_is_false(json_object_get(json, "auto")));
    json_decref(json);
    /* "spatial_layer": -1 asks for it; REMBs of 3 then 1 Mbit/s: the estimate fell, so it
     * limits: the middle layer (500 k with the headroom of 1 M) within one tick. */
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"spatial_layer\":-1}");
    g_assert_true(f.streams[1].automatic);
    vr_autolayer_set_remb(&f.subscriber, 3000000);
    feed_svc(&f, &now, now + 600000);
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 2);
    vr_autolayer_set_remb(&f.subscriber, 1000000);
    feed_svc(&f, &now, now + 600000);
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 1);
    g_assert_cmpint(f.streams[1].auto_target, ==, 1);
    json = vr_svc_json(&f.streams[1]);
    g_assert_true(json_is_true(json_object_get(json, "auto")));
    g_assert_cmpint(json_integer_value(json_object_get(json, "estimate")), ==, 1000000);
    json_decref(json);
    /* 300 k: the lowest at once. */
    vr_autolayer_set_remb(&f.subscriber, 300000);
    feed_svc(&f, &now, now + 600000);
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 0);
    /* A manual spatial_layer overrides it, whatever the estimate. */
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"spatial_layer\":1}");
    g_assert_false(f.streams[1].automatic);
    vr_autolayer_set_remb(&f.subscriber, 5000000);
    feed_svc(&f, &now, now + 5000000);
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 1);
    /* "substream": -1 (what clients send for any stream) asks for it too: the top layer once
     * the estimate kept room for it (one layer at a time, each after the hold). */
    configure_simulcast(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"substream\":-1}");
    g_assert_true(f.streams[1].automatic);
    feed_svc(&f, &now, now + 8000000);
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 2);
    /* Its estimator is asked to probe while the estimate holds it below the top. */
    vr_autolayer_set_remb(&f.subscriber, 300000);
    feed_svc(&f, &now, now + 600000);
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 0);
    g_assert_cmpuint(f.subscriber.alloc.wanted_bps, >, 1500000);
    prism_alloc_clear(&f.subscriber.alloc);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/svc/configure_per_stream", test_videoroom_svc_configure_per_stream);
    g_test_add_func("/videoroom/svc/configure_top_level_reaches_every_video_stream",
                    test_videoroom_svc_configure_top_level_reaches_every_video_stream);
    g_test_add_func("/videoroom/svc/configure_ignores_bad_values",
                    test_videoroom_svc_configure_ignores_bad_values);
    g_test_add_func("/videoroom/svc/json_and_notify_once_layered",
                    test_videoroom_svc_json_and_notify_once_layered);
    g_test_add_func("/videoroom/svc/substream_moves_the_spatial_layer",
                    test_videoroom_svc_substream_moves_the_spatial_layer);
    g_test_add_func("/videoroom/svc/substream_clamped_to_the_layers_sent",
                    test_videoroom_svc_substream_clamped_to_the_layers_sent);
    g_test_add_func("/videoroom/svc/automatic_spatial_layer",
                    test_videoroom_svc_automatic_spatial_layer);
    return g_test_run();
}
