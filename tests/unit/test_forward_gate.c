/* Keyframe gating: video is held back after a start, switch or resume until a keyframe of its
 * codec begins, the caller is told to ask for one when the wait starts (and again after the
 * retry interval), and audio or codecs without a keyframe signal are never held. */
#include "forward_util.h"

static void test_forward_video_waits_for_vp8_keyframe_and_asks_once(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_video_source(&src);
    test_stream(&s, &src, 0, 0);
    g_assert_true(prism_forward_waiting_keyframe(&s));

    test_vp8_frame(&p, PUB_A_SSRC, 10, 0, 1, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_DROP_NEED_KEYFRAME);
    test_vp8_frame(&p, PUB_A_SSRC, 11, 0, 1, false);
    g_assert_cmpint(test_forward(&s, &p, &out, MS), ==, PRISM_FORWARD_DROP);
    /* The middle of a key frame (S=0) cannot start decoding either. */
    struct prism_rtp_vp8 middle = {.partition_id = 1};
    test_vp8(&p, PUB_A_SSRC, 12, 3000, &middle, true);
    g_assert_cmpint(test_forward(&s, &p, &out, 2 * MS), ==, PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.dropped_waiting_keyframe, ==, 3);
    g_assert_cmpuint(s.counters.keyframe_requests, ==, 1);

    test_vp8_frame(&p, PUB_A_SSRC, 13, 6000, 3, true);
    g_assert_cmpuint(test_send(&s, &p, 3 * MS).seq, ==, 0);
    g_assert_false(prism_forward_waiting_keyframe(&s));
    test_vp8(&p, PUB_A_SSRC, 14, 6000, &middle, true);
    g_assert_cmpuint(test_send(&s, &p, 3 * MS).seq, ==, 1);
    test_vp8_frame(&p, PUB_A_SSRC, 15, 9000, 4, false);
    g_assert_cmpuint(test_send(&s, &p, 36 * MS).seq, ==, 2);
    g_assert_cmpuint(s.counters.keyframe_requests, ==, 1);
    g_assert_cmpuint(s.counters.forwarded, ==, 3);
}

static void test_forward_keyframe_request_repeats_after_retry_interval(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    struct prism_forward_config cfg = {.ssrc = OUT_SSRC, .keyframe_retry_us = 300 * MS};
    test_video_source(&src);
    g_assert_cmpint(prism_forward_init(&s, &cfg), ==, 0);
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);

    const uint64_t at[] = {1000 * MS, 1100 * MS, 1299 * MS, 1300 * MS, 1400 * MS, 1650 * MS};
    const enum prism_forward_result expected[] = {
        PRISM_FORWARD_DROP_NEED_KEYFRAME, PRISM_FORWARD_DROP, PRISM_FORWARD_DROP,
        PRISM_FORWARD_DROP_NEED_KEYFRAME, PRISM_FORWARD_DROP, PRISM_FORWARD_DROP_NEED_KEYFRAME};
    for (unsigned i = 0; i < 6; i++) {
        test_vp8_frame(&p, PUB_A_SSRC, (uint16_t)i, 3000 * i, 1, false);
        g_assert_cmpint(test_forward(&s, &p, &out, at[i]), ==, expected[i]);
    }
    /* Time going backwards does not make a request due. */
    test_vp8_frame(&p, PUB_A_SSRC, 6, 0, 1, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 10 * MS), ==, PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.keyframe_requests, ==, 3);
}

static void test_forward_resume_and_switch_wait_for_keyframe_again(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_video_source(&src);
    test_stream(&s, &src, 40, 0);

    test_vp8_frame(&p, PUB_A_SSRC, 1, 0, 1, true);
    test_send(&s, &p, 0);
    prism_forward_pause(&s, true);
    g_assert_false(prism_forward_waiting_keyframe(&s));
    prism_forward_pause(&s, false);
    g_assert_true(prism_forward_waiting_keyframe(&s));
    test_vp8_frame(&p, PUB_A_SSRC, 2, 3000, 2, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 33 * MS), ==, PRISM_FORWARD_DROP_NEED_KEYFRAME);
    test_vp8_frame(&p, PUB_A_SSRC, 3, 6000, 3, true);
    g_assert_cmpuint(test_send(&s, &p, 66 * MS).seq, ==, 41);

    /* Switching while paused: stays paused, and still waits once resumed. */
    prism_forward_pause(&s, true);
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    test_vp8_frame(&p, PUB_B_SSRC, 900, 0, 7, true);
    g_assert_cmpint(test_forward(&s, &p, &out, 70 * MS), ==, PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.dropped_paused, ==, 1);
    prism_forward_pause(&s, false);
    test_vp8_frame(&p, PUB_B_SSRC, 901, 3000, 8, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 99 * MS), ==, PRISM_FORWARD_DROP_NEED_KEYFRAME);
    test_vp8_frame(&p, PUB_B_SSRC, 902, 6000, 9, true);
    g_assert_cmpuint(test_send(&s, &p, 132 * MS).seq, ==, 42);
}

static void test_forward_audio_is_not_gated(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p;
    test_audio_source(&src);
    test_stream(&s, &src, 0, 0);
    g_assert_false(prism_forward_waiting_keyframe(&s));

    test_opus(&p, PUB_A_SSRC, 5, 0);
    g_assert_cmpuint(test_send(&s, &p, 0).seq, ==, 0);
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    test_opus(&p, PUB_B_SSRC, 77, 0);
    g_assert_cmpuint(test_send(&s, &p, 20 * MS).seq, ==, 1);
    prism_forward_pause(&s, true);
    prism_forward_pause(&s, false);
    test_opus(&p, PUB_B_SSRC, 78, 960);
    g_assert_cmpuint(test_send(&s, &p, 40 * MS).seq, ==, 2);
    g_assert_cmpuint(s.counters.dropped_waiting_keyframe, ==, 0);
    g_assert_cmpuint(s.counters.keyframe_requests, ==, 0);
}

/* A video stream of one codec on payload type 98. */
static void codec_stream(struct prism_forward_stream *s, enum prism_sdp_codec_id codec)
{
    struct prism_forward_source src;
    test_video_source(&src);
    src.payload_types[0] = (struct prism_forward_payload_type){
        .publisher = 98, .subscriber = 99, .codec = codec};
    test_stream(s, &src, 0, 0);
}

static enum prism_forward_result forward_payload(struct prism_forward_stream *s, uint16_t seq,
                                                 const uint8_t *payload, size_t len)
{
    struct prism_rtp_header_fields f = {
        .payload_type = 98, .seq = seq, .timestamp = seq * 3000u, .ssrc = PUB_A_SSRC};
    struct test_packet p, out;
    test_build(&p, &f, payload, len, 0);
    return test_forward(s, &p, &out, seq * 33 * MS);
}

static void test_forward_vp9_h264_av1_keyframes_open_the_gate(void)
{
    struct prism_forward_stream s;
    /* VP9 (RFC 9628): B=1 starts a frame, P=1 marks an inter frame. */
    const uint8_t vp9_inter[] = {0x48, 0xAA}, vp9_key[] = {0x08, 0xAA};
    codec_stream(&s, PRISM_SDP_CODEC_VP9);
    g_assert_cmpint(forward_payload(&s, 1, vp9_inter, 2), ==, PRISM_FORWARD_DROP_NEED_KEYFRAME);
    g_assert_cmpint(forward_payload(&s, 2, vp9_key, 2), ==, PRISM_FORWARD_SEND);
    g_assert_cmpint(forward_payload(&s, 3, vp9_inter, 2), ==, PRISM_FORWARD_SEND);

    /* H.264 (RFC 6184): a non-IDR slice, then a STAP-A holding an SPS. */
    const uint8_t h264_inter[] = {0x41, 0x9A}, h264_key[] = {0x78, 0x00, 0x02, 0x67, 0x42};
    codec_stream(&s, PRISM_SDP_CODEC_H264);
    g_assert_cmpint(forward_payload(&s, 1, h264_inter, 2), ==, PRISM_FORWARD_DROP_NEED_KEYFRAME);
    g_assert_cmpint(forward_payload(&s, 2, h264_key, 5), ==, PRISM_FORWARD_SEND);

    /* AV1: the aggregation header's N bit starts a coded video sequence. */
    const uint8_t av1_inter[] = {0x10, 0x32}, av1_key[] = {0x18, 0x0A};
    codec_stream(&s, PRISM_SDP_CODEC_AV1);
    g_assert_cmpint(forward_payload(&s, 1, av1_inter, 2), ==, PRISM_FORWARD_DROP_NEED_KEYFRAME);
    g_assert_cmpint(forward_payload(&s, 2, av1_inter, 2), ==, PRISM_FORWARD_DROP);
    g_assert_cmpint(forward_payload(&s, 3, av1_key, 2), ==, PRISM_FORWARD_SEND);
}

static void test_forward_video_without_keyframe_signal_is_not_held(void)
{
    struct prism_forward_stream s;
    const uint8_t payload[] = {0x01, 0x02, 0x03};
    codec_stream(&s, PRISM_SDP_CODEC_UNKNOWN);
    g_assert_cmpint(forward_payload(&s, 1, payload, 3), ==, PRISM_FORWARD_SEND);
    g_assert_false(prism_forward_waiting_keyframe(&s));
}

static void test_forward_drops_malformed_descriptors_while_waiting(void)
{
    struct prism_forward_stream s;
    /* VP9 announcing a picture id that is not there; VP8 with nothing after its descriptor. */
    const uint8_t vp9_truncated[] = {0x88}, vp8_descriptor_only[] = {0x90, 0x80, 0x05};
    codec_stream(&s, PRISM_SDP_CODEC_VP9);
    g_assert_cmpint(forward_payload(&s, 1, vp9_truncated, 1), ==, PRISM_FORWARD_DROP);
    codec_stream(&s, PRISM_SDP_CODEC_VP8);
    g_assert_cmpint(forward_payload(&s, 1, vp8_descriptor_only, 3), ==, PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.dropped_invalid, ==, 1);
    g_assert_cmpuint(s.counters.keyframe_requests, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/video_waits_for_vp8_keyframe_and_asks_once",
                    test_forward_video_waits_for_vp8_keyframe_and_asks_once);
    g_test_add_func("/forward/keyframe_request_repeats_after_retry_interval",
                    test_forward_keyframe_request_repeats_after_retry_interval);
    g_test_add_func("/forward/resume_and_switch_wait_for_keyframe_again",
                    test_forward_resume_and_switch_wait_for_keyframe_again);
    g_test_add_func("/forward/audio_is_not_gated", test_forward_audio_is_not_gated);
    g_test_add_func("/forward/vp9_h264_av1_keyframes_open_the_gate",
                    test_forward_vp9_h264_av1_keyframes_open_the_gate);
    g_test_add_func("/forward/video_without_keyframe_signal_is_not_held",
                    test_forward_video_without_keyframe_signal_is_not_held);
    g_test_add_func("/forward/drops_malformed_descriptors_while_waiting",
                    test_forward_drops_malformed_descriptors_while_waiting);
    return g_test_run();
}
