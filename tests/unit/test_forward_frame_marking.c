/* H.264 temporal layers from the frame-marking extension (draft-ietf-avtext-framemarking):
 * H.264's payload has no temporal id, so "temporal" (configure) must read the TID of the frame
 * marking the publisher negotiated, with or without simulcast, drop the frames above it
 * without leaving sequence gaps, and go back up at a base-layer frame (or one layer up at a
 * base-layer sync frame). The element reaches only subscribers that negotiated it, under
 * their id. Without frame marking every frame passes. */
#include "forward_util.h"

#include "media/forward/extensions.h"
#include "media/rtp/frame_marking.h"
#include "media/sdp/negotiate.h"

#define PUB_H264_PT 102
#define SUB_H264_PT 104
#define PUB_FM_ID 7
#define SUB_FM_ID 5

/* An L1T3 pattern after a keyframe: TID 0, 2, 1, 2, 0, ... */
static const uint8_t pattern[] = {0, 2, 1, 2};

struct rig {
    struct prism_forward_stream s;
    uint16_t seq;
    uint32_t ts;
    int layer; /* simulcast layer the packets come as; -1: not simulcast */
};

/* A stream from an H.264 publisher stream that negotiated frame marking (fm_id, 0: not) to a
 * subscriber that negotiated it under sub_id (0: not). */
static void rig_init(struct rig *rig, uint8_t fm_id, uint8_t sub_id)
{
    struct prism_forward_source src = {.video = true, .clock_rate = 90000, .payload_type_count = 1};
    src.payload_types[0] = (struct prism_forward_payload_type){
        .publisher = PUB_H264_PT, .subscriber = SUB_H264_PT, .codec = PRISM_SDP_CODEC_H264};
    struct prism_sdp_extmap pub = {.id = fm_id, .uri = PRISM_SDP_EXT_FRAME_MARKING};
    struct prism_sdp_extmap sub = {.id = sub_id, .uri = PRISM_SDP_EXT_FRAME_MARKING};
    struct prism_forward_ext_ids ids;
    prism_forward_ext_ids_from_sdp(&ids, &pub, fm_id ? 1 : 0);
    prism_forward_ext_configure(&src, &ids, "1", &sub, sub_id ? 1 : 0, false);
    g_assert_cmpuint(src.frame_marking_id, ==, fm_id);
    test_stream(&rig->s, &src, 5000, 90000);
    rig->seq = 100;
    rig->ts = 3000;
    rig->layer = -1;
}

/* One single-packet H.264 frame of temporal layer tid (an IDR when keyframe; fm: its frame
 * marking, else none). */
static enum prism_forward_result frame(struct rig *rig, const struct prism_rtp_frame_marking *fm,
                                       bool keyframe, struct test_packet *out)
{
    uint8_t value[3];
    struct prism_rtp_ext ext = {.id = PUB_FM_ID, .data = value};
    struct prism_rtp_header_fields f = {.marker = true,
                                        .payload_type = PUB_H264_PT,
                                        .seq = rig->seq++,
                                        .timestamp = rig->ts,
                                        .ssrc = PUB_A_SSRC,
                                        .exts = &ext,
                                        .ext_count = fm ? 1 : 0};
    if (fm) {
        int n = prism_rtp_frame_marking_write(fm, value, sizeof(value));
        g_assert_cmpint(n, >, 0);
        ext.len = (uint8_t)n;
    }
    rig->ts += 3000;
    const uint8_t nal = keyframe ? 0x65 : 0x41; /* IDR slice / non-IDR slice */
    struct test_packet p;
    test_build(&p, &f, &nal, 1, 200);
    if (rig->layer < 0)
        return test_forward(&rig->s, &p, out, rig->ts * 11ull);
    size_t len = 0;
    enum prism_forward_result r = prism_forward_packet_layer(&rig->s, rig->layer, &p.h, p.data,
                                                             p.len, out->data, sizeof(out->data),
                                                             &len, rig->ts * 11ull);
    if (r == PRISM_FORWARD_SEND)
        g_assert_cmpint(prism_rtp_parse(out->data, len, &out->h), ==, 0);
    return r;
}

static enum prism_forward_result marked(struct rig *rig, uint8_t tid, bool keyframe,
                                        struct test_packet *out)
{
    struct prism_rtp_frame_marking fm = {
        .start = true, .end = true, .independent = keyframe, .tid = tid};
    return frame(rig, &fm, keyframe, out);
}

/* Forwards an IDR then 40 frames at `temporal`; returns how many of the 40 went out, checking
 * that exactly those of the layers wanted did (all when not `layered`) and that the output has
 * no sequence gap. */
static unsigned run_frames(struct rig *rig, int temporal, bool layered)
{
    struct test_packet out;
    prism_forward_simulcast_configure(&rig->s, -1, temporal, 0);
    g_assert_cmpint(marked(rig, 0, true, &out), ==, PRISM_FORWARD_SEND);
    uint16_t last = out.h.seq;
    unsigned sent = 0;
    for (int i = 0; i < 40; i++) {
        uint8_t tid = pattern[i % 4];
        enum prism_forward_result r = marked(rig, tid, false, &out);
        g_assert_true((r == PRISM_FORWARD_SEND) == (!layered || tid <= temporal));
        if (r != PRISM_FORWARD_SEND)
            continue;
        g_assert_cmpuint(out.h.seq, ==, (uint16_t)(last + 1));
        g_assert_cmpuint(out.h.payload_type, ==, SUB_H264_PT);
        last = out.h.seq;
        sent++;
    }
    return sent;
}

static unsigned run(struct rig *rig, int temporal)
{
    return run_frames(rig, temporal, true);
}

static void test_forward_frame_marking_drops_h264_frames_above_the_target(void)
{
    static const unsigned expected[] = {10, 20, 40};
    /* Alone, and as the one layer of a simulcast publisher. */
    for (int layer = -1; layer <= 0; layer++) {
        for (int temporal = 0; temporal <= 2; temporal++) {
            struct rig *rig = g_new0(struct rig, 1);
            rig_init(rig, PUB_FM_ID, 0);
            rig->layer = layer;
            g_assert_cmpuint(run(rig, temporal), ==, expected[temporal]);
            const struct prism_forward_counters *c = prism_forward_counters(&rig->s);
            g_assert_cmpuint(c->dropped_filtered, ==, 40 - expected[temporal]);
            g_assert_cmpuint(c->dropped_invalid, ==, 0);
            g_free(rig);
        }
    }
}

/* Up again: at the next base-layer frame to the target, or at a base-layer sync frame of the
 * next layer up to that layer; down at once at the next frame. */
static void test_forward_frame_marking_switches_up_at_base_and_sync_frames(void)
{
    struct rig *rig = g_new0(struct rig, 1);
    rig_init(rig, PUB_FM_ID, 0);
    struct test_packet out;
    g_assert_cmpuint(run(rig, 0), ==, 10);
    prism_forward_simulcast_configure(&rig->s, -1, 2, 0);
    /* Not yet: TID 2 and 1 frames before any switching point. */
    g_assert_cmpint(marked(rig, 2, false, &out), ==, PRISM_FORWARD_DROP);
    g_assert_cmpint(marked(rig, 1, false, &out), ==, PRISM_FORWARD_DROP);
    /* A TID 2 frame that refers to the base layer only is no way up from layer 0 (layer 1
     * would be let in without its references); a TID 1 one is: layer 1 opens. */
    struct prism_rtp_frame_marking sync = {.start = true, .end = true, .base_sync = true, .tid = 2};
    g_assert_cmpint(frame(rig, &sync, false, &out), ==, PRISM_FORWARD_DROP);
    sync.tid = 1;
    g_assert_cmpint(frame(rig, &sync, false, &out), ==, PRISM_FORWARD_SEND);
    g_assert_cmpint(marked(rig, 2, false, &out), ==, PRISM_FORWARD_DROP);
    g_assert_cmpint(marked(rig, 1, false, &out), ==, PRISM_FORWARD_SEND);
    /* A base-layer frame opens every layer up to the target. */
    g_assert_cmpint(marked(rig, 0, false, &out), ==, PRISM_FORWARD_SEND);
    g_assert_cmpint(marked(rig, 2, false, &out), ==, PRISM_FORWARD_SEND);
    /* Down at the next frame start. */
    prism_forward_simulcast_configure(&rig->s, -1, 0, 0);
    g_assert_cmpint(marked(rig, 1, false, &out), ==, PRISM_FORWARD_DROP);
    g_assert_cmpint(marked(rig, 0, false, &out), ==, PRISM_FORWARD_SEND);
    g_free(rig);
}

/* Without the extension negotiated, or with an element of a bad length, nothing tells the
 * layers apart: every frame passes (as before frame marking). */
static void test_forward_frame_marking_absent_or_malformed_keeps_every_frame(void)
{
    struct rig *rig = g_new0(struct rig, 1);
    rig_init(rig, 0, 0);
    g_assert_cmpuint(run_frames(rig, 0, false), ==, 40);
    g_free(rig);
    rig = g_new0(struct rig, 1);
    rig_init(rig, PUB_FM_ID, 0);
    struct test_packet out;
    prism_forward_simulcast_configure(&rig->s, -1, 0, 0);
    g_assert_cmpint(marked(rig, 0, true, &out), ==, PRISM_FORWARD_SEND);
    /* A four-byte element: not frame marking as the draft defines it. */
    uint8_t bad[4] = {0x82, 0, 0, 0};
    struct prism_rtp_ext ext = {.id = PUB_FM_ID, .len = 4, .data = bad};
    struct prism_rtp_header_fields f = {.payload_type = PUB_H264_PT,
                                        .seq = rig->seq++,
                                        .timestamp = rig->ts,
                                        .ssrc = PUB_A_SSRC,
                                        .exts = &ext,
                                        .ext_count = 1};
    const uint8_t nal = 0x41;
    struct test_packet p;
    test_build(&p, &f, &nal, 1, 100);
    g_assert_cmpint(test_forward(&rig->s, &p, &out, rig->ts * 11ull), ==, PRISM_FORWARD_SEND);
    g_free(rig);
}

/* The element itself reaches a subscriber that negotiated it, under its id; one that did not
 * gets the packet without it, and its temporal layers are still chosen from it. */
static void test_forward_frame_marking_forwarded_only_when_negotiated(void)
{
    struct rig *rig = g_new0(struct rig, 1);
    rig_init(rig, PUB_FM_ID, SUB_FM_ID);
    struct test_packet out;
    struct prism_rtp_ext e;
    struct prism_rtp_frame_marking fm;
    g_assert_cmpint(marked(rig, 0, true, &out), ==, PRISM_FORWARD_SEND);
    g_assert_cmpint(prism_rtp_ext_find(&out.h, SUB_FM_ID, &e), ==, 0);
    g_assert_cmpint(prism_rtp_frame_marking_parse(e.data, e.len, &fm), ==, 0);
    g_assert_true(fm.start && fm.independent);
    g_assert_cmpint(prism_rtp_ext_find(&out.h, PUB_FM_ID, &e), ==, -ENOENT);
    g_free(rig);
    rig = g_new0(struct rig, 1);
    rig_init(rig, PUB_FM_ID, 0);
    g_assert_cmpint(marked(rig, 0, true, &out), ==, PRISM_FORWARD_SEND);
    g_assert_cmpint(prism_rtp_ext_find(&out.h, PUB_FM_ID, &e), ==, -ENOENT);
    g_assert_cmpuint(run(rig, 0), ==, 10);
    g_free(rig);
    /* Offered to subscribers only for a publisher stream that negotiated it. */
    struct prism_forward_ext_ids ids;
    struct prism_sdp_extmap pub = {.id = PUB_FM_ID, .uri = PRISM_SDP_EXT_FRAME_MARKING};
    struct prism_sdp_extmap offer[PRISM_FORWARD_EXT_RULE_COUNT];
    prism_forward_ext_ids_from_sdp(&ids, &pub, 1);
    size_t with = prism_forward_ext_offer(&ids, offer, G_N_ELEMENTS(offer));
    prism_forward_ext_ids_from_sdp(&ids, &pub, 0);
    size_t without = prism_forward_ext_offer(&ids, offer, G_N_ELEMENTS(offer));
    g_assert_cmpuint(with, ==, without + 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/frame_marking/drops_h264_frames_above_the_target",
                    test_forward_frame_marking_drops_h264_frames_above_the_target);
    g_test_add_func("/forward/frame_marking/switches_up_at_base_and_sync_frames",
                    test_forward_frame_marking_switches_up_at_base_and_sync_frames);
    g_test_add_func("/forward/frame_marking/absent_or_malformed_keeps_every_frame",
                    test_forward_frame_marking_absent_or_malformed_keeps_every_frame);
    g_test_add_func("/forward/frame_marking/forwarded_only_when_negotiated",
                    test_forward_frame_marking_forwarded_only_when_negotiated);
    return g_test_run();
}
