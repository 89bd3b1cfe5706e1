/* Simulcast layer choice in the forwarding engine: a subscriber stream forwards one spatial
 * layer of three, moves to the layer asked for only at its keyframe (asking for one), keeps
 * its output continuous across the move, drops VP8 temporal layers above the one asked for,
 * and falls back to a lower layer when its own stops arriving. */
#include "forward_util.h"

#define LAYER_SSRC(layer) (0x51000000u + (uint32_t)(layer))

/* The publisher side: three layers, each with its own sequence numbers, timestamps and
 * picture ids (as a browser sends them), a frame every 33 ms. */
struct publisher {
    uint16_t seq[3];
    uint32_t ts[3];
    uint16_t picture_id[3];
    uint8_t tl0picidx[3];
};

static void publisher_init(struct publisher *pub)
{
    for (int l = 0; l < 3; l++) {
        pub->seq[l] = (uint16_t)(1000 * (l + 1));
        pub->ts[l] = 100000u * (uint32_t)(l + 1);
        pub->picture_id[l] = (uint16_t)(300 * (l + 1));
        pub->tl0picidx[l] = (uint8_t)(50 * (l + 1));
    }
}

/* The next one-packet frame of `layer` with temporal layer `tid`. */
static void next_frame(struct publisher *pub, struct test_packet *p, int layer, uint8_t tid,
                       bool keyframe)
{
    if (tid == 0)
        pub->tl0picidx[layer]++;
    struct prism_rtp_vp8 d = {.start_of_partition = true,
                              .has_picture_id = true,
                              .long_picture_id = true,
                              .picture_id = pub->picture_id[layer]++,
                              .has_tl0picidx = true,
                              .tl0picidx = pub->tl0picidx[layer],
                              .has_tid = true,
                              .tid = tid,
                              .layer_sync = tid > 0};
    test_vp8(p, LAYER_SSRC(layer), pub->seq[layer]++, pub->ts[layer], &d, keyframe);
    pub->ts[layer] += 3000;
}

static enum prism_forward_result forward_layer(struct prism_forward_stream *s, int layer,
                                               const struct test_packet *p, struct test_packet *out,
                                               uint64_t now_us)
{
    size_t len = 0;
    enum prism_forward_result r = prism_forward_packet_layer(
        s, layer, &p->h, p->data, p->len, out->data, sizeof(out->data), &len, now_us);
    if (r == PRISM_FORWARD_SEND) {
        out->len = len;
        g_assert_cmpint(prism_rtp_parse(out->data, len, &out->h), ==, 0);
        g_assert_cmpuint(out->h.ssrc, ==, OUT_SSRC);
    }
    return r;
}

/* One frame on every layer at time now; returns the layer whose frame was sent (-1: none)
 * and leaves it in out. *asked tells whether any answer asked for a keyframe. */
static int round_of_frames(struct prism_forward_stream *s, struct publisher *pub, uint8_t tid,
                           int keyframe_layer, uint64_t now_us, struct test_packet *out,
                           bool *asked)
{
    int sent = -1;
    for (int l = 0; l < 3; l++) {
        struct test_packet p, o;
        next_frame(pub, &p, l, tid, l == keyframe_layer);
        enum prism_forward_result r = forward_layer(s, l, &p, &o, now_us);
        if (r == PRISM_FORWARD_SEND) {
            g_assert_cmpint(sent, ==, -1);
            sent = l;
            *out = o; /* and its view re-pointed into *out */
            g_assert_cmpint(prism_rtp_parse(out->data, out->len, &out->h), ==, 0);
        }
        if (asked && r == PRISM_FORWARD_DROP_NEED_KEYFRAME)
            *asked = true;
    }
    return sent;
}

static void vp8_ids(const struct test_packet *out, uint16_t *picture_id, uint8_t *tl0picidx)
{
    struct prism_rtp_vp8 d;
    g_assert_cmpint(prism_rtp_vp8_parse(out->h.payload, out->h.payload_len, &d), ==, 0);
    *picture_id = d.picture_id;
    *tl0picidx = d.tl0picidx;
}

static void stream_on_highest(struct prism_forward_stream *s, struct publisher *pub, uint64_t *now)
{
    struct prism_forward_source src;
    struct test_packet out;
    test_video_source(&src);
    test_stream(s, &src, 500, 7000);
    publisher_init(pub);
    bool asked = false;
    g_assert_cmpint(round_of_frames(s, pub, 0, -1, *now, &out, &asked), ==, -1);
    g_assert_true(asked);
    *now += 33 * MS;
    g_assert_cmpint(round_of_frames(s, pub, 0, 2, *now, &out, NULL), ==, 2);
    g_assert_cmpuint(out.h.seq, ==, 500);
    g_assert_cmpuint(out.h.timestamp, ==, 7000);
}

static void test_forward_simulcast_starts_on_target_layer_at_its_keyframe(void)
{
    struct prism_forward_stream s;
    struct publisher pub;
    uint64_t now = 1000 * MS;
    stream_on_highest(&s, &pub, &now);
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&s, &layers);
    g_assert_true(layers.active);
    g_assert_cmpint(layers.substream, ==, 2);
    g_assert_cmpint(layers.substream_target, ==, 2);
    /* A keyframe of a lower layer does not move the stream off the one asked for. */
    struct test_packet out;
    now += 33 * MS;
    g_assert_cmpint(round_of_frames(&s, &pub, 0, 0, now, &out, NULL), ==, 2);
    g_assert_cmpuint(out.h.seq, ==, 501);
    g_assert_cmpuint(s.counters.layer_switches, ==, 1);
}

static void test_forward_simulcast_switches_at_keyframe_with_continuity(void)
{
    struct prism_forward_stream s;
    struct publisher pub;
    struct test_packet out;
    uint64_t now = 1000 * MS;
    stream_on_highest(&s, &pub, &now);
    uint16_t picture_id, next_picture_id;
    uint8_t tl0, next_tl0;
    now += 33 * MS;
    g_assert_cmpint(round_of_frames(&s, &pub, 0, -1, now, &out, NULL), ==, 2);
    vp8_ids(&out, &picture_id, &tl0);
    uint32_t ts = out.h.timestamp;

    /* Down to layer 0: the old layer goes on until layer 0's keyframe, asked for at once. */
    prism_forward_simulcast_configure(&s, 0, -1, 0);
    bool asked = false;
    now += 33 * MS;
    g_assert_cmpint(round_of_frames(&s, &pub, 0, -1, now, &out, &asked), ==, 2);
    g_assert_true(asked);
    g_assert_cmpuint(out.h.seq, ==, 502);
    vp8_ids(&out, &picture_id, &tl0);
    ts = out.h.timestamp;
    now += 33 * MS;
    g_assert_cmpint(round_of_frames(&s, &pub, 0, 0, now, &out, NULL), ==, 0);
    g_assert_cmpuint(out.h.seq, ==, 503);
    g_assert_cmpuint(out.h.timestamp, ==, ts + 33 * 90);
    vp8_ids(&out, &next_picture_id, &next_tl0);
    g_assert_cmpuint(next_picture_id, ==, (uint16_t)(picture_id + 1));
    g_assert_cmpuint(next_tl0, ==, (uint8_t)(tl0 + 1));

    /* And back up to the layer left before: layer 0 goes on until layer 2's keyframe, and no
     * late-packet filter keeps the layer left before out. */
    prism_forward_simulcast_configure(&s, 2, -1, 0);
    now += 33 * MS;
    struct test_packet p;
    next_frame(&pub, &p, 0, 0, false);
    g_assert_cmpint(forward_layer(&s, 0, &p, &out, now), ==, PRISM_FORWARD_SEND);
    g_assert_cmpuint(out.h.seq, ==, 504);
    next_frame(&pub, &p, 2, 0, true);
    g_assert_cmpint(forward_layer(&s, 2, &p, &out, now), ==, PRISM_FORWARD_SEND);
    g_assert_cmpuint(out.h.seq, ==, 505);
    vp8_ids(&out, &picture_id, &tl0);
    g_assert_cmpuint(picture_id, ==, (uint16_t)(next_picture_id + 2));
    next_frame(&pub, &p, 0, 0, false);
    g_assert_cmpint(forward_layer(&s, 0, &p, &out, now), ==, PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.layer_switches, ==, 3);
}

static void test_forward_simulcast_drops_temporal_layers_above_target(void)
{
    struct prism_forward_stream s;
    struct publisher pub;
    struct test_packet out;
    uint64_t now = 1000 * MS;
    stream_on_highest(&s, &pub, &now);
    prism_forward_simulcast_configure(&s, -1, 0, 0);
    /* TL1 and TL2 frames are dropped without a gap in the output sequence numbers. */
    const uint8_t pattern[] = {2, 1, 2, 0, 2, 1, 2, 0};
    uint16_t expected_seq = 501;
    for (unsigned i = 0; i < 8; i++) {
        now += 33 * MS;
        int sent = round_of_frames(&s, &pub, pattern[i], -1, now, &out, NULL);
        if (pattern[i] == 0) {
            g_assert_cmpint(sent, ==, 2);
            g_assert_cmpuint(out.h.seq, ==, expected_seq++);
        } else
            g_assert_cmpint(sent, ==, -1);
    }
    /* Back up to TL2: not before a TL0 frame, whose successors depend only on it. */
    prism_forward_simulcast_configure(&s, -1, 2, 0);
    now += 33 * MS;
    g_assert_cmpint(round_of_frames(&s, &pub, 2, -1, now, &out, NULL), ==, -1);
    now += 33 * MS;
    g_assert_cmpint(round_of_frames(&s, &pub, 0, -1, now, &out, NULL), ==, 2);
    now += 33 * MS;
    g_assert_cmpint(round_of_frames(&s, &pub, 2, -1, now, &out, NULL), ==, 2);
    g_assert_cmpuint(out.h.seq, ==, expected_seq + 1);
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&s, &layers);
    g_assert_cmpint(layers.temporal, ==, 2);
}

static void test_forward_simulcast_falls_back_when_layer_stops(void)
{
    struct prism_forward_stream s;
    struct publisher pub;
    struct test_packet p, o;
    uint64_t now = 1000 * MS;
    stream_on_highest(&s, &pub, &now);
    prism_forward_simulcast_configure(&s, -1, -1, 100 * MS);
    /* Layer 2 stops (the publisher's uplink shrank); 0 and 1 go on. */
    bool asked = false, sent_1 = false;
    for (unsigned i = 0; i < 6 && !sent_1; i++) {
        now += 33 * MS;
        for (int l = 0; l < 2; l++) {
            next_frame(&pub, &p, l, 0, l == 1 && i == 5);
            enum prism_forward_result r = forward_layer(&s, l, &p, &o, now);
            asked |= r == PRISM_FORWARD_DROP_NEED_KEYFRAME;
            if (r == PRISM_FORWARD_SEND) {
                g_assert_cmpint(l, ==, 1);
                g_assert_cmpuint(i, ==, 5);
                g_assert_cmpuint(o.h.seq, ==, 501);
                sent_1 = true;
            }
        }
    }
    g_assert_true(asked);
    g_assert_true(sent_1);
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&s, &layers);
    g_assert_cmpint(layers.substream, ==, 1);
    g_assert_cmpint(layers.substream_target, ==, 2);
    /* Layer 2 comes back: its keyframe moves the stream up again. */
    now += 33 * MS;
    next_frame(&pub, &p, 2, 0, true);
    g_assert_cmpint(forward_layer(&s, 2, &p, &o, now), ==, PRISM_FORWARD_SEND);
    g_assert_cmpuint(o.h.seq, ==, 502);
    next_frame(&pub, &p, 1, 0, false);
    g_assert_cmpint(forward_layer(&s, 1, &p, &o, now), ==, PRISM_FORWARD_DROP);
}

static void test_forward_simulcast_ignores_bad_layer_and_resets_on_switch(void)
{
    struct prism_forward_stream s;
    struct publisher pub;
    struct test_packet p, o;
    uint64_t now = 1000 * MS;
    stream_on_highest(&s, &pub, &now);
    next_frame(&pub, &p, 2, 0, true);
    g_assert_cmpint(forward_layer(&s, 3, &p, &o, now), ==, PRISM_FORWARD_DROP);
    g_assert_cmpint(forward_layer(&s, 9, &p, &o, now), ==, PRISM_FORWARD_DROP);
    /* Another publisher: layers are learnt anew, the wish stays. */
    prism_forward_simulcast_configure(&s, 1, 1, 0);
    struct prism_forward_source src;
    test_video_source(&src);
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&s, &layers);
    g_assert_false(layers.active);
    g_assert_cmpint(layers.substream, ==, -1);
    g_assert_cmpint(layers.substream_target, ==, 1);
    g_assert_cmpint(layers.temporal_target, ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/simulcast/starts_on_target_layer_at_its_keyframe",
                    test_forward_simulcast_starts_on_target_layer_at_its_keyframe);
    g_test_add_func("/forward/simulcast/switches_at_keyframe_with_continuity",
                    test_forward_simulcast_switches_at_keyframe_with_continuity);
    g_test_add_func("/forward/simulcast/drops_temporal_layers_above_target",
                    test_forward_simulcast_drops_temporal_layers_above_target);
    g_test_add_func("/forward/simulcast/falls_back_when_layer_stops",
                    test_forward_simulcast_falls_back_when_layer_stops);
    g_test_add_func("/forward/simulcast/ignores_bad_layer_and_resets_on_switch",
                    test_forward_simulcast_ignores_bad_layer_and_resets_on_switch);
    return g_test_run();
}
