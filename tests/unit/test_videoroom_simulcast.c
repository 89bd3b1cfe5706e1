/* The VideoRoom's simulcast requests: a subscriber's configure of substream / temporal /
 * fallback reaches the forwarding state of the streams it names (per stream, or at the top for
 * every video stream), bad values change nothing, the "simulcast" object of a stream list, and
 * the PLIs added for a publisher's other layers. */
#include "media/rtcp/rtcp.h"
#include "plugins/videoroom/participant.h"
#include "videoroom_layers_fixture.h"

#include <glib.h>
#include <string.h>

static void configure(struct fixture *f, const char *text)
{
    fixture_configure(f, text, vr_simulcast_configure);
}

static struct prism_forward_layers layers_of(const struct fixture *f, unsigned i)
{
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&f->streams[i].forward, &layers);
    return layers;
}

static void test_videoroom_simulcast_configure_per_stream(void)
{
    struct fixture f;
    fixture_init(&f);
    configure(&f, "{\"request\":\"configure\",\"streams\":[{\"mid\":\"2\",\"substream\":0,"
                  "\"temporal\":1,\"fallback\":100000}]}");
    struct prism_forward_layers l = layers_of(&f, 2);
    g_assert_cmpint(l.substream_target, ==, 0);
    g_assert_cmpint(l.temporal_target, ==, 1);
    g_assert_cmpuint(l.fallback_us, ==, 100000);
    l = layers_of(&f, 1); /* the other video stream keeps the defaults */
    g_assert_cmpint(l.substream_target, ==, 2);
    g_assert_cmpint(l.temporal_target, ==, 2);
    g_assert_cmpuint(l.fallback_us, ==, PRISM_FORWARD_DEFAULT_FALLBACK_US);
    /* The wish outlives a new forwarding state (a new SSRC after renegotiation). */
    struct prism_forward_config config = {.ssrc = 77};
    prism_forward_init(&f.streams[2].forward, &config);
    vr_simulcast_apply(&f.streams[2]);
    g_assert_cmpint(layers_of(&f, 2).substream_target, ==, 0);
    g_assert_cmpint(layers_of(&f, 2).temporal_target, ==, 1);
}

static void test_videoroom_simulcast_configure_top_level_reaches_every_video_stream(void)
{
    struct fixture f;
    fixture_init(&f);
    configure(&f, "{\"request\":\"configure\",\"substream\":1}");
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 1);
    g_assert_cmpint(layers_of(&f, 2).substream_target, ==, 1);
    g_assert_cmpint(f.streams[0].substream, ==, -1); /* audio untouched */
    /* With a mid at the top, only that stream (Janus's legacy form). */
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"temporal\":0}");
    g_assert_cmpint(layers_of(&f, 1).temporal_target, ==, 0);
    g_assert_cmpint(layers_of(&f, 2).temporal_target, ==, 2);
}

static void test_videoroom_simulcast_configure_ignores_bad_values(void)
{
    struct fixture f;
    fixture_init(&f);
    configure(&f, "{\"request\":\"configure\",\"streams\":[{\"mid\":\"1\",\"substream\":3,"
                  "\"temporal\":-1,\"fallback\":0}, 7, {\"mid\":\"1\",\"substream\":\"1\"},"
                  "{\"mid\":\"9\",\"substream\":0}, {\"mid\":\"1\",\"fallback\":1e9}]}");
    struct prism_forward_layers l = layers_of(&f, 1);
    g_assert_cmpint(l.substream_target, ==, 2);
    g_assert_cmpint(l.temporal_target, ==, 2);
    g_assert_cmpuint(l.fallback_us, ==, PRISM_FORWARD_DEFAULT_FALLBACK_US);
    configure(&f, "{\"request\":\"configure\",\"streams\":[{\"mid\":\"1\",\"fallback\":"
                  "99999999999}]}");
    g_assert_cmpuint(layers_of(&f, 1).fallback_us, ==, PRISM_FORWARD_DEFAULT_FALLBACK_US);
}

static void test_videoroom_simulcast_json_only_for_simulcast_sources(void)
{
    struct fixture f;
    fixture_init(&f);
    g_assert_null(vr_simulcast_json(&f.streams[1]));
    /* Configured before it is linked (a link would send the keyframe request for real). */
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"substream\":1}");
    struct vr_pub_stream source = {.simulcast_layers = 3};
    f.streams[1].source = &source;
    json_t *json = vr_simulcast_json(&f.streams[1]);
    g_assert_nonnull(json);
    json_t *expected = json_pack("{s:i, s:i, s:i, s:i, s:i, s:b, s:i, s:[iii]}", "substream", -1,
                                 "substream-target", 1, "temporal-layer", 2,
                                 "temporal-layer-target", 2, "fallback",
                                 (int)PRISM_FORWARD_DEFAULT_FALLBACK_US, "auto", false, "estimate",
                                 0, "layer-bitrates", 0, 0, 0);
    g_assert_true(json_equal(json, expected));
    json_decref(json);
    json_decref(expected);
}

/* Packets of a publisher's three layers (about 150 k, 500 k and 1.5 Mbit/s) and its audio
 * (40 kbit/s) reach the sources of the subscriber's streams 1 and 0 every 10 ms from *now to
 * `until`, with an automatic choice on each, as the media path makes them. */
static void feed(struct fixture *f, uint64_t *now, uint64_t until)
{
    static const size_t layer_bytes[3] = {188, 625, 1875};
    for (; *now < until; *now += 10000) {
        for (int l = 0; l < 3; l++)
            vr_layer_rates_count(&f->streams[1].source->rates, l, PRISM_SDP_CODEC_VP8, NULL, NULL,
                                 layer_bytes[l], *now);
        vr_layer_rates_count(&f->streams[0].source->rates, -1, PRISM_SDP_CODEC_OPUS, NULL, NULL, 50,
                             *now);
        vr_autolayer_tick(&f->subscriber, *now);
    }
}

/* A subscriber of an audio stream and a 3-layer simulcast video stream, with an allocator. */
static void automatic_fixture_init(struct fixture *f, struct vr_pub_stream *audio,
                                   struct vr_pub_stream *video)
{
    fixture_init(f);
    prism_alloc_init(&f->subscriber.alloc, NULL);
    f->streams[0].source = audio;
    f->streams[1].source = video;
    f->streams[0].active = f->streams[1].active = true;
}

static void test_videoroom_simulcast_automatic_layer_choice(void)
{
    struct fixture f;
    struct vr_pub_stream video = {.simulcast_layers = 3}, audio = {0};
    automatic_fixture_init(&f, &audio, &video);
    uint64_t now = 10000000;
    /* Not asked for: the default layer (Janus's behaviour) whatever the estimate. */
    vr_autolayer_set_remb(&f.subscriber, 3000000);
    feed(&f, &now, now + 600000);
    vr_autolayer_set_remb(&f.subscriber, 300000);
    feed(&f, &now, now + 600000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 2);
    g_assert_false(f.streams[1].automatic);
    /* Asked for ("substream": -1); no estimate yet: the best layer. */
    vr_autolayer_set_remb(&f.subscriber, 0);
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"substream\":-1}");
    g_assert_true(f.streams[1].automatic);
    feed(&f, &now, now + 1500000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 2);
    /* REMBs (no transport-cc here) of 3 then 1 Mbit/s: the estimate fell, so it limits (a
     * first estimate may be a guess): the middle layer within one tick. */
    vr_autolayer_set_remb(&f.subscriber, 3000000);
    feed(&f, &now, now + 600000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 2);
    vr_autolayer_set_remb(&f.subscriber, 1000000);
    feed(&f, &now, now + 600000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 1);
    g_assert_cmpint(f.streams[1].auto_target, ==, 1);
    json_t *json = vr_simulcast_json(&f.streams[1]);
    g_assert_true(json_is_true(json_object_get(json, "auto")));
    g_assert_cmpint(json_integer_value(json_object_get(json, "estimate")), ==, 1000000);
    json_decref(json);
    /* A manual layer (configure's substream) is left alone whatever the estimate. */
    f.streams[1].substream = 0;
    f.streams[1].automatic = false;
    vr_simulcast_apply(&f.streams[1]);
    vr_autolayer_set_remb(&f.subscriber, 5000000);
    feed(&f, &now, now + 5000000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 0);
    /* "substream": -1 again: the best layer that fits, at the next tick. */
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"substream\":-1}");
    g_assert_cmpint(f.streams[1].substream, ==, -1);
    feed(&f, &now, now + 600000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 2);
    /* The estimate falls: down at once. */
    vr_autolayer_set_remb(&f.subscriber, 300000);
    feed(&f, &now, now + 600000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 0);
    prism_alloc_clear(&f.subscriber.alloc);
}

/* An estimate that falls between two periodic choices moves the streams down at the next
 * packet, not at the next 500 ms tick. */
static void test_videoroom_simulcast_automatic_choice_follows_a_falling_estimate_at_once(void)
{
    struct fixture f;
    struct vr_pub_stream video = {.simulcast_layers = 3}, audio = {0};
    automatic_fixture_init(&f, &audio, &video);
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"substream\":-1}");
    uint64_t now = 10000000;
    vr_autolayer_set_remb(&f.subscriber, 3000000);
    feed(&f, &now, now + 1500000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 2);
    /* Just after a periodic choice (the last one was at most 10 ms ago, or is this packet's). */
    uint64_t periodic = f.subscriber.alloc_at_us + 500000;
    feed(&f, &now, periodic + 10000);
    g_assert_cmpuint(f.subscriber.alloc_at_us, >=, periodic);
    vr_autolayer_set_remb(&f.subscriber, 300000);
    feed(&f, &now, now + 20000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 0);
    /* Moved down: a loss the subscriber reports of a packet sent after the switch asks for a
     * keyframe (what was sent then may be lost in the congested queue), one before does not. */
    uint64_t switched = f.streams[1].repair_since_us;
    g_assert_cmpuint(switched, >, 0);
    g_assert_false(vr_autolayer_repair_due(&f.streams[1], switched - 1, now));
    g_assert_true(vr_autolayer_repair_due(&f.streams[1], switched, now));
    /* Again only for a loss after that request, and at most VR_REPAIR_MAX_KEYFRAMES times. */
    g_assert_false(vr_autolayer_repair_due(&f.streams[1], switched, now + 1000));
    for (unsigned i = 1; i < VR_REPAIR_MAX_KEYFRAMES; i++)
        g_assert_true(vr_autolayer_repair_due(&f.streams[1], now + i * 1000, now + i * 1000));
    g_assert_false(vr_autolayer_repair_due(&f.streams[1], now + 9000, now + 10000));
    /* The audio stream never switched: nothing to repair. */
    g_assert_false(vr_autolayer_repair_due(&f.streams[0], now, now));
    /* A small wobble of the estimate waits for the next periodic choice. */
    vr_autolayer_set_remb(&f.subscriber, 290000);
    uint64_t chosen = f.subscriber.alloc_at_us;
    feed(&f, &now, now + 20000);
    g_assert_cmpuint(f.subscriber.alloc_at_us, ==, chosen);
    /* Up and down again; no loss reported within VR_REPAIR_WINDOW_US: the repair ends. */
    vr_autolayer_set_remb(&f.subscriber, 3000000);
    feed(&f, &now, now + 10000000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 2);
    vr_autolayer_set_remb(&f.subscriber, 300000);
    feed(&f, &now, now + 20000);
    g_assert_cmpint(layers_of(&f, 1).substream_target, ==, 0);
    g_assert_cmpuint(f.streams[1].repair_since_us, >, 0);
    g_assert_false(vr_autolayer_repair_due(&f.streams[1], 0, now + VR_REPAIR_WINDOW_US + 20000));
    g_assert_cmpuint(f.streams[1].repair_since_us, ==, 0);
    g_assert_false(vr_autolayer_repair_due(&f.streams[1], now + VR_REPAIR_WINDOW_US + 30000,
                                           now + VR_REPAIR_WINDOW_US + 30000));
    prism_alloc_clear(&f.subscriber.alloc);
}

/* "substream": -1, or the layer being sent, is answered with a "substream" event at the next
 * packet (the layer is announced anew); a request for another layer waits for the switch. */
static void test_videoroom_simulcast_configure_announces_the_layer_again(void)
{
    struct fixture f;
    fixture_init(&f);
    f.streams[1].notified_substream = 2;
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"substream\":0}");
    g_assert_cmpint(f.streams[1].notified_substream, ==, 2);
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"substream\":-1}");
    g_assert_cmpint(f.streams[1].notified_substream, ==, -1);
    g_assert_true(f.streams[1].automatic);
    g_assert_cmpint(f.streams[2].notified_substream, ==, -1); /* never notified */
}

static unsigned count_plis(const uint8_t *buf, size_t len, uint32_t *media_ssrcs)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet packet;
    unsigned count = 0;
    prism_rtcp_iter_init(&it, buf, len);
    while (prism_rtcp_next(&it, &packet) == 1) {
        g_assert_cmpuint(packet.type, ==, PRISM_RTCP_PSFB);
        g_assert_cmpuint(packet.count, ==, 1); /* PLI */
        const uint8_t *m = packet.body + 4;
        media_ssrcs[count++] = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | m[2] << 8 | m[3];
    }
    return count;
}

static void test_videoroom_simulcast_plis_reach_every_layer(void)
{
    struct prism_peer_media_info info = {
        .remote_ssrc = 0x100, .simulcast_layers = 3, .layer_ssrcs = {0x100, 0, 0x300}};
    uint8_t buf[128];
    int len = prism_rtcp_build_pli(buf, sizeof(buf), 1, info.remote_ssrc);
    g_assert_cmpint(len, >, 0);
    size_t total = vr_simulcast_add_plis(&info, 1, buf, (size_t)len, sizeof(buf));
    uint32_t ssrcs[8];
    g_assert_cmpuint(count_plis(buf, total, ssrcs), ==, 2); /* layer 1 not known yet */
    g_assert_cmpuint(ssrcs[0], ==, 0x100);
    g_assert_cmpuint(ssrcs[1], ==, 0x300);
    /* No room: what fits. */
    g_assert_cmpuint(vr_simulcast_add_plis(&info, 1, buf, (size_t)len, (size_t)len + 4), ==,
                     (size_t)len);
    /* Not simulcast: nothing added. */
    struct prism_peer_media_info plain = {.remote_ssrc = 0x100};
    g_assert_cmpuint(vr_simulcast_add_plis(&plain, 1, buf, (size_t)len, sizeof(buf)), ==,
                     (size_t)len);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/simulcast/configure_per_stream",
                    test_videoroom_simulcast_configure_per_stream);
    g_test_add_func("/videoroom/simulcast/configure_top_level_reaches_every_video_stream",
                    test_videoroom_simulcast_configure_top_level_reaches_every_video_stream);
    g_test_add_func("/videoroom/simulcast/configure_ignores_bad_values",
                    test_videoroom_simulcast_configure_ignores_bad_values);
    g_test_add_func("/videoroom/simulcast/json_only_for_simulcast_sources",
                    test_videoroom_simulcast_json_only_for_simulcast_sources);
    g_test_add_func("/videoroom/simulcast/configure_announces_the_layer_again",
                    test_videoroom_simulcast_configure_announces_the_layer_again);
    g_test_add_func("/videoroom/simulcast/automatic_choice_follows_a_falling_estimate_at_once",
                    test_videoroom_simulcast_automatic_choice_follows_a_falling_estimate_at_once);
    g_test_add_func("/videoroom/simulcast/automatic_layer_choice",
                    test_videoroom_simulcast_automatic_layer_choice);
    g_test_add_func("/videoroom/simulcast/plis_reach_every_layer",
                    test_videoroom_simulcast_plis_reach_every_layer);
    return g_test_run();
}
