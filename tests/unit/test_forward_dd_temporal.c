/* The forwarding engine's temporal layer choice from the Dependency Descriptor: VP8 from a
 * browser that negotiated the extension carries no temporal id in its payload descriptor, so
 * "temporal" (configure) must read it from the descriptor the caller parsed, with and without
 * simulcast, drop the frames above it without leaving sequence gaps, and go back up at a TL0
 * frame. Without the descriptor every frame would pass. */
#include "dd_writer.h"
#include "forward_util.h"
#include "media/rtp/dependency_descriptor.h"

/* The L1T3 pattern after a keyframe: T0 (template 1), T2 (3), T1 (2), T2 (4). */
static const unsigned pattern[] = {1, 3, 2, 4};

struct rig {
    struct prism_forward_stream s;
    struct prism_dd_state state;
    uint16_t seq;
    uint32_t ts;
    unsigned frame_number;
};

static void rig_init(struct rig *rig)
{
    struct prism_forward_source src;
    test_video_source(&src);
    test_stream(&rig->s, &src, 5000, 90000);
    rig->seq = 100;
    rig->ts = 3000;
}

/* One single-packet VP8 frame of L1T3 template `index` (0: the keyframe with the structure),
 * with a payload descriptor that has no temporal id, forwarded as simulcast layer `layer`. */
static enum prism_forward_result frame(struct rig *rig, int layer, unsigned index,
                                       struct test_packet *out)
{
    struct dd_writer w;
    size_t len = index == 0 ? dd_l1t3_keyframe(&w, 0, rig->frame_number)
                            : dd_l1t3_frame(&w, 0, index, rig->frame_number, true, true);
    rig->frame_number++;
    struct prism_dd_frame dd;
    g_assert_cmpint(prism_dd_parse(&rig->state, w.data, len, &dd), ==, 0);
    struct test_packet p;
    struct prism_rtp_vp8 d = {.start_of_partition = true};
    test_vp8(&p, PUB_A_SSRC, rig->seq++, rig->ts, &d, index == 0);
    rig->ts += 3000;
    size_t out_len = 0;
    enum prism_forward_result r = prism_forward_packet_dd(&rig->s, layer, &dd, &p.h, p.data, p.len,
                                                          out->data, sizeof(out->data), &out_len,
                                                          rig->ts * 11ull);
    if (r == PRISM_FORWARD_SEND)
        g_assert_cmpint(prism_rtp_parse(out->data, out_len, &out->h), ==, 0);
    return r;
}

/* Forwards 40 frames after a keyframe; returns how many went out, checking the output
 * sequence numbers have no gap. */
static unsigned run(struct rig *rig, int layer, int temporal)
{
    struct test_packet out;
    prism_forward_simulcast_configure(&rig->s, -1, temporal, 0);
    g_assert_cmpint(frame(rig, layer, 0, &out), ==, PRISM_FORWARD_SEND);
    uint16_t last = out.h.seq;
    unsigned sent = 0;
    for (int i = 0; i < 40; i++) {
        unsigned index = pattern[i % 4];
        enum prism_forward_result r = frame(rig, layer, index, &out);
        g_assert_true((r == PRISM_FORWARD_SEND) == (dd_l1t3_tid[index] <= temporal));
        if (r != PRISM_FORWARD_SEND)
            continue;
        g_assert_cmpuint(out.h.seq, ==, (uint16_t)(last + 1));
        last = out.h.seq;
        sent++;
    }
    return sent;
}

static void test_forward_dd_temporal_drops_vp8_frames_above_the_target(void)
{
    for (int layer = -1; layer <= 0; layer++) {
        for (int temporal = 0; temporal <= 2; temporal++) {
            struct rig *rig = g_new0(struct rig, 1);
            rig_init(rig);
            unsigned sent = run(rig, layer, temporal);
            g_assert_cmpuint(sent, ==, temporal == 0 ? 10 : temporal == 1 ? 20 : 40);
            g_assert_cmpuint(prism_forward_counters(&rig->s)->dropped_filtered, ==, 40 - sent);
            g_free(rig);
        }
    }
}

static void test_forward_dd_temporal_goes_up_at_a_tl0_frame(void)
{
    struct rig *rig = g_new0(struct rig, 1);
    rig_init(rig);
    struct test_packet out;
    g_assert_cmpuint(run(rig, 0, 0), ==, 10);
    /* Up to 2 while the next frames are T2 and T1: they wait for the T0 frame. */
    prism_forward_simulcast_configure(&rig->s, -1, 2, 0);
    g_assert_cmpint(frame(rig, 0, 3, &out), ==, PRISM_FORWARD_DROP);
    g_assert_cmpint(frame(rig, 0, 2, &out), ==, PRISM_FORWARD_DROP);
    g_assert_cmpint(frame(rig, 0, 1, &out), ==, PRISM_FORWARD_SEND);
    g_assert_cmpint(frame(rig, 0, 3, &out), ==, PRISM_FORWARD_SEND);
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&rig->s, &layers);
    g_assert_cmpint(layers.temporal, ==, 2);
    g_free(rig);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/dd_temporal_drops_vp8_frames_above_the_target",
                    test_forward_dd_temporal_drops_vp8_frames_above_the_target);
    g_test_add_func("/forward/dd_temporal_goes_up_at_a_tl0_frame",
                    test_forward_dd_temporal_goes_up_at_a_tl0_frame);
    return g_test_run();
}
