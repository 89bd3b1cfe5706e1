/* VP8 (RFC 7741), VP9 (RFC 9628) payload descriptors and H.264 (RFC 6184) key frames. */
#include "media/rtp/codec.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

/* X S PID=0 | I L T K | M + 15-bit picture id 0x0123 | TL0PICIDX 0x45 | TID 2 Y KEYIDX 5 |
 * VP8 payload header with P=1 (inter frame). */
static const uint8_t vp8_full[] = {0x90, 0xF0, 0x81, 0x23, 0x45, 0xA5, 0x01, 0xAA};

static void test_rtp_vp8_parses_every_optional_field(void)
{
    struct prism_rtp_vp8 d;
    g_assert_cmpint(prism_rtp_vp8_parse(vp8_full, sizeof(vp8_full), &d), ==, 0);
    g_assert_true(d.start_of_partition);
    g_assert_false(d.non_reference);
    g_assert_cmpuint(d.partition_id, ==, 0);
    g_assert_true(d.has_picture_id);
    g_assert_true(d.long_picture_id);
    g_assert_cmpuint(d.picture_id, ==, 0x0123);
    g_assert_true(d.has_tl0picidx);
    g_assert_cmpuint(d.tl0picidx, ==, 0x45);
    g_assert_true(d.has_tid);
    g_assert_cmpuint(d.tid, ==, 2);
    g_assert_true(d.layer_sync);
    g_assert_true(d.has_keyidx);
    g_assert_cmpuint(d.keyidx, ==, 5);
    g_assert_cmpuint(d.descriptor_len, ==, 6);
    g_assert_false(d.keyframe);
}

static void test_rtp_vp8_detects_keyframes(void)
{
    struct prism_rtp_vp8 d;
    const uint8_t minimal_key[] = {0x10, 0x00};
    g_assert_cmpint(prism_rtp_vp8_parse(minimal_key, sizeof(minimal_key), &d), ==, 0);
    g_assert_true(d.keyframe);
    g_assert_cmpuint(d.descriptor_len, ==, 1);
    g_assert_false(d.has_picture_id);

    const uint8_t short_pid_key[] = {0x90, 0x80, 0x12, 0x9C};
    g_assert_cmpint(prism_rtp_vp8_parse(short_pid_key, sizeof(short_pid_key), &d), ==, 0);
    g_assert_true(d.keyframe);
    g_assert_false(d.long_picture_id);
    g_assert_cmpuint(d.picture_id, ==, 0x12);

    /* Continuation packet of a key frame: S=0, so the first byte is not a payload header. */
    const uint8_t continuation[] = {0x80, 0x80, 0x12, 0x00};
    g_assert_cmpint(prism_rtp_vp8_parse(continuation, sizeof(continuation), &d), ==, 0);
    g_assert_false(d.keyframe);
    /* Start of partition 1, not of the frame. */
    const uint8_t partition1[] = {0x11, 0x00};
    g_assert_cmpint(prism_rtp_vp8_parse(partition1, sizeof(partition1), &d), ==, 0);
    g_assert_false(d.keyframe);
    g_assert_cmpuint(d.partition_id, ==, 1);
}

static void test_rtp_vp8_keyidx_without_tid(void)
{
    const uint8_t k_only[] = {0xA0, 0x10, 0x1F, 0x00}; /* N=1, K set */
    struct prism_rtp_vp8 d;
    g_assert_cmpint(prism_rtp_vp8_parse(k_only, sizeof(k_only), &d), ==, 0);
    g_assert_true(d.non_reference);
    g_assert_false(d.has_tid);
    g_assert_true(d.has_keyidx);
    g_assert_cmpuint(d.keyidx, ==, 31);
    g_assert_cmpuint(d.descriptor_len, ==, 3);
}

static void test_rtp_vp8_rejects_truncated_descriptor(void)
{
    struct prism_rtp_vp8 d;
    /* Every cut up to and including the bare descriptor (no VP8 payload byte). */
    for (size_t len = 0; len <= 6; len++)
        g_assert_cmpint(prism_rtp_vp8_parse(vp8_full, len, &d), ==, -EBADMSG);
    g_assert_cmpint(prism_rtp_vp8_parse(vp8_full, 7, &d), ==, 0);
}

static void test_rtp_vp8_rewrites_picture_id_and_tl0picidx_in_place(void)
{
    uint8_t p[sizeof(vp8_full)];
    memcpy(p, vp8_full, sizeof(p));
    struct prism_rtp_vp8 d;
    g_assert_cmpint(prism_rtp_vp8_parse(p, sizeof(p), &d), ==, 0);
    g_assert_cmpint(prism_rtp_vp8_set_picture_id(p, sizeof(p), &d, 0x4567), ==, 0);
    g_assert_cmpint(prism_rtp_vp8_set_tl0picidx(p, sizeof(p), &d, 0x99), ==, 0);
    const uint8_t expected[] = {0x90, 0xF0, 0xC5, 0x67, 0x99, 0xA5, 0x01, 0xAA};
    g_assert_cmpmem(p, sizeof(p), expected, sizeof(expected));
    /* 15-bit ids wrap: 0x8000 becomes 0 with the M bit kept. */
    g_assert_cmpint(prism_rtp_vp8_set_picture_id(p, sizeof(p), &d, 0x8000), ==, 0);
    g_assert_cmpuint(p[2], ==, 0x80);
    g_assert_cmpuint(p[3], ==, 0x00);

    uint8_t short_pid[] = {0x90, 0x80, 0x12, 0x00};
    g_assert_cmpint(prism_rtp_vp8_parse(short_pid, sizeof(short_pid), &d), ==, 0);
    g_assert_cmpint(prism_rtp_vp8_set_picture_id(short_pid, sizeof(short_pid), &d, 200), ==, 0);
    g_assert_cmpuint(short_pid[2], ==, 200 & 0x7F);
    g_assert_cmpint(prism_rtp_vp8_set_tl0picidx(short_pid, sizeof(short_pid), &d, 1), ==, -ENOENT);
    uint8_t none[] = {0x10, 0x00};
    g_assert_cmpint(prism_rtp_vp8_parse(none, sizeof(none), &d), ==, 0);
    g_assert_cmpint(prism_rtp_vp8_set_picture_id(none, sizeof(none), &d, 1), ==, -ENOENT);
}

static void test_rtp_vp8_build_reproduces_parsed_descriptors(void)
{
    struct prism_rtp_vp8 d;
    uint8_t buf[8];
    g_assert_cmpint(prism_rtp_vp8_parse(vp8_full, sizeof(vp8_full), &d), ==, 0);
    g_assert_cmpint(prism_rtp_vp8_build(buf, sizeof(buf), &d), ==, 6);
    g_assert_cmpmem(buf, 6, vp8_full, 6);
    g_assert_cmpint(prism_rtp_vp8_build(buf, 5, &d), ==, -ENOSPC);

    /* The bench client's shape: 15-bit picture id, TL0PICIDX, TID without KEYIDX. */
    const struct prism_rtp_vp8 sent = {
        .start_of_partition = true,
        .has_picture_id = true,
        .long_picture_id = true,
        .picture_id = 0x7ABC,
        .has_tl0picidx = true,
        .tl0picidx = 9,
        .has_tid = true,
        .tid = 1,
    };
    int len = prism_rtp_vp8_build(buf, sizeof(buf), &sent);
    g_assert_cmpint(len, ==, 6);
    buf[len] = 0x00; /* key frame payload header */
    g_assert_cmpint(prism_rtp_vp8_parse(buf, (size_t)len + 1, &d), ==, 0);
    g_assert_cmpuint(d.picture_id, ==, 0x7ABC);
    g_assert_cmpuint(d.tl0picidx, ==, 9);
    g_assert_cmpuint(d.tid, ==, 1);
    g_assert_false(d.has_keyidx);
    g_assert_true(d.keyframe);

    const struct prism_rtp_vp8 plain = {.start_of_partition = true};
    g_assert_cmpint(prism_rtp_vp8_build(buf, sizeof(buf), &plain), ==, 1);
    g_assert_cmpuint(buf[0], ==, 0x10);
    const struct prism_rtp_vp8 bad = {.partition_id = 8};
    g_assert_cmpint(prism_rtp_vp8_build(buf, sizeof(buf), &bad), ==, -EINVAL);
}

static void test_rtp_vp9_parses_non_flexible_keyframe(void)
{
    /* I L B | M + pid 0x100 | TID 1 SID 0 | TL0PICIDX 5 | frame data */
    const uint8_t p[] = {0xA8, 0x81, 0x00, 0x20, 0x05, 0xFF};
    struct prism_rtp_vp9 d;
    g_assert_cmpint(prism_rtp_vp9_parse(p, sizeof(p), &d), ==, 0);
    g_assert_true(d.has_picture_id);
    g_assert_cmpuint(d.picture_id, ==, 0x100);
    g_assert_true(d.has_layer_indices);
    g_assert_cmpuint(d.tid, ==, 1);
    g_assert_cmpuint(d.sid, ==, 0);
    g_assert_true(d.has_tl0picidx);
    g_assert_cmpuint(d.tl0picidx, ==, 5);
    g_assert_true(d.begin_frame);
    g_assert_false(d.end_frame);
    g_assert_true(d.keyframe);
    g_assert_cmpuint(d.descriptor_len, ==, 5);
    for (size_t len = 0; len < 5; len++)
        g_assert_cmpint(prism_rtp_vp9_parse(p, len, &d), ==, -EBADMSG);
}

static void test_rtp_vp9_parses_flexible_inter_frame(void)
{
    /* I P L F B E | pid 5 | TID 2 U SID 1 D | P_DIFF 1 (more) | P_DIFF 2 | data */
    const uint8_t p[] = {0xFC, 0x05, 0x53, 0x03, 0x04, 0x00};
    struct prism_rtp_vp9 d;
    g_assert_cmpint(prism_rtp_vp9_parse(p, sizeof(p), &d), ==, 0);
    g_assert_true(d.flexible);
    g_assert_true(d.inter_picture);
    g_assert_cmpuint(d.picture_id, ==, 5);
    g_assert_cmpuint(d.tid, ==, 2);
    g_assert_true(d.switching_up);
    g_assert_cmpuint(d.sid, ==, 1);
    g_assert_true(d.inter_layer);
    g_assert_false(d.has_tl0picidx);
    g_assert_false(d.keyframe);
    g_assert_cmpuint(d.descriptor_len, ==, 5);

    const uint8_t too_many_refs[] = {0xFC, 0x05, 0x53, 0x03, 0x03, 0x03, 0x02, 0x00};
    g_assert_cmpint(prism_rtp_vp9_parse(too_many_refs, sizeof(too_many_refs), &d), ==, -EBADMSG);
}

static void test_rtp_vp9_skips_scalability_structure(void)
{
    /* B V | N_S=2 Y G | 3 x (width, height) | N_G=2 | T0 R=1 + 1 diff | T1 U R=2 + 2 diffs */
    const uint8_t p[] = {0x0A, 0x58, 0x01, 0x40, 0x00, 0xB4, 0x02, 0x80, 0x01, 0x68, 0x05,
                         0x00, 0x02, 0xD0, 0x02, 0x04, 0x01, 0x38, 0x01, 0x02, 0xEE};
    struct prism_rtp_vp9 d;
    g_assert_cmpint(prism_rtp_vp9_parse(p, sizeof(p), &d), ==, 0);
    g_assert_true(d.has_ss);
    g_assert_cmpuint(d.spatial_layers, ==, 3);
    g_assert_cmpuint(d.descriptor_len, ==, 20);
    g_assert_true(d.keyframe);
    for (size_t len = 0; len < 20; len++)
        g_assert_cmpint(prism_rtp_vp9_parse(p, len, &d), ==, -EBADMSG);
}

static void test_rtp_h264_detects_idr_in_every_packetization(void)
{
    const uint8_t idr[] = {0x65, 0x88, 0x80};
    const uint8_t sps[] = {0x67, 0x42, 0xC0, 0x1F};
    const uint8_t non_idr[] = {0x41, 0x9A};
    const uint8_t stap_a[] = {0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE};
    const uint8_t stap_a_idr_second[] = {0x78, 0x00, 0x01, 0x09, 0x00, 0x02, 0x65, 0x88};
    const uint8_t stap_a_no_key[] = {0x78, 0x00, 0x02, 0x41, 0x9A, 0x00, 0x01, 0x06};
    const uint8_t fu_a_start[] = {0x7C, 0x85, 0x88};
    const uint8_t fu_a_middle[] = {0x7C, 0x05, 0x88};
    const uint8_t fu_a_end[] = {0x7C, 0x45, 0x88};
    const uint8_t fu_a_non_idr[] = {0x7C, 0x81, 0x88};
    g_assert_true(prism_rtp_h264_is_keyframe(idr, sizeof(idr)));
    g_assert_true(prism_rtp_h264_is_keyframe(sps, sizeof(sps)));
    g_assert_false(prism_rtp_h264_is_keyframe(non_idr, sizeof(non_idr)));
    g_assert_true(prism_rtp_h264_is_keyframe(stap_a, sizeof(stap_a)));
    g_assert_true(prism_rtp_h264_is_keyframe(stap_a_idr_second, sizeof(stap_a_idr_second)));
    g_assert_false(prism_rtp_h264_is_keyframe(stap_a_no_key, sizeof(stap_a_no_key)));
    g_assert_true(prism_rtp_h264_is_keyframe(fu_a_start, sizeof(fu_a_start)));
    g_assert_false(prism_rtp_h264_is_keyframe(fu_a_middle, sizeof(fu_a_middle)));
    g_assert_false(prism_rtp_h264_is_keyframe(fu_a_end, sizeof(fu_a_end)));
    g_assert_false(prism_rtp_h264_is_keyframe(fu_a_non_idr, sizeof(fu_a_non_idr)));
}

static void test_rtp_h264_rejects_malformed_aggregates(void)
{
    /* The IDR sits behind a size that runs past the end: never reached. */
    const uint8_t bad_size[] = {0x78, 0x00, 0x09, 0x09, 0x00, 0x02, 0x65, 0x88};
    const uint8_t zero_size[] = {0x78, 0x00, 0x00, 0x00, 0x02, 0x65, 0x88};
    const uint8_t fu_a_short[] = {0x7C};
    g_assert_false(prism_rtp_h264_is_keyframe(bad_size, sizeof(bad_size)));
    g_assert_false(prism_rtp_h264_is_keyframe(zero_size, sizeof(zero_size)));
    g_assert_false(prism_rtp_h264_is_keyframe(fu_a_short, sizeof(fu_a_short)));
    g_assert_false(prism_rtp_h264_is_keyframe(NULL, 0));
    /* The same STAP-A cut inside its second unit. */
    const uint8_t stap_a_idr_second[] = {0x78, 0x00, 0x01, 0x09, 0x00, 0x02, 0x65, 0x88};
    g_assert_false(prism_rtp_h264_is_keyframe(stap_a_idr_second, 6));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp-codec/vp8-parses-every-optional-field",
                    test_rtp_vp8_parses_every_optional_field);
    g_test_add_func("/rtp-codec/vp8-detects-keyframes", test_rtp_vp8_detects_keyframes);
    g_test_add_func("/rtp-codec/vp8-keyidx-without-tid", test_rtp_vp8_keyidx_without_tid);
    g_test_add_func("/rtp-codec/vp8-rejects-truncated-descriptor",
                    test_rtp_vp8_rejects_truncated_descriptor);
    g_test_add_func("/rtp-codec/vp8-rewrites-picture-id-and-tl0picidx-in-place",
                    test_rtp_vp8_rewrites_picture_id_and_tl0picidx_in_place);
    g_test_add_func("/rtp-codec/vp8-build-reproduces-parsed-descriptors",
                    test_rtp_vp8_build_reproduces_parsed_descriptors);
    g_test_add_func("/rtp-codec/vp9-parses-non-flexible-keyframe",
                    test_rtp_vp9_parses_non_flexible_keyframe);
    g_test_add_func("/rtp-codec/vp9-parses-flexible-inter-frame",
                    test_rtp_vp9_parses_flexible_inter_frame);
    g_test_add_func("/rtp-codec/vp9-skips-scalability-structure",
                    test_rtp_vp9_skips_scalability_structure);
    g_test_add_func("/rtp-codec/h264-detects-idr-in-every-packetization",
                    test_rtp_h264_detects_idr_in_every_packetization);
    g_test_add_func("/rtp-codec/h264-rejects-malformed-aggregates",
                    test_rtp_h264_rejects_malformed_aggregates);
    return g_test_run();
}
