/* Wrap-aware sequence number / timestamp comparison and 64-bit unwrapping. */
#include "media/rtp/seq.h"

#include <glib.h>

static void test_rtp_seq_compares_across_wrap(void)
{
    g_assert_true(prism_rtp_seq_newer(1, 0));
    g_assert_false(prism_rtp_seq_newer(0, 1));
    g_assert_false(prism_rtp_seq_newer(5, 5));
    g_assert_true(prism_rtp_seq_newer(0, 65535));
    g_assert_true(prism_rtp_seq_newer(10, 65000));
    g_assert_false(prism_rtp_seq_newer(65000, 10));
    g_assert_cmpint(prism_rtp_seq_diff(2, 65534), ==, 4);
    g_assert_cmpint(prism_rtp_seq_diff(65534, 2), ==, -4);
    g_assert_cmpint(prism_rtp_seq_diff(32767, 0), ==, 32767);
    /* Exactly half-way round is ambiguous: neither counts as newer. */
    g_assert_false(prism_rtp_seq_newer(32768, 0));
    g_assert_false(prism_rtp_seq_newer(0, 32768));
}

static void test_rtp_ts_compares_across_wrap(void)
{
    g_assert_true(prism_rtp_ts_newer(100, 0xFFFFFF00u));
    g_assert_false(prism_rtp_ts_newer(0xFFFFFF00u, 100));
    g_assert_cmpint(prism_rtp_ts_diff(3000, 0), ==, 3000);
    g_assert_cmpint(prism_rtp_ts_diff(0, 0xFFFFFFFFu), ==, 1);
}

static void test_rtp_seq_unwraps_forward_through_wraps(void)
{
    struct prism_rtp_seq_unwrapper u = {0};
    g_assert_cmpint(prism_rtp_seq_unwrap(&u, 65530), ==, 65530);
    g_assert_cmpint(prism_rtp_seq_unwrap(&u, 65535), ==, 65535);
    g_assert_cmpint(prism_rtp_seq_unwrap(&u, 3), ==, 65539);
    /* A late packet from before the wrap keeps its old cycle. */
    g_assert_cmpint(prism_rtp_seq_unwrap(&u, 65534), ==, 65534);
    g_assert_cmpint(prism_rtp_seq_unwrap(&u, 4), ==, 65540);
    /* Many more cycles in steps of 30000. */
    uint16_t seq = 4;
    int64_t expected = 65540;
    for (int i = 0; i < 100; i++) {
        seq = (uint16_t)(seq + 30000);
        expected += 30000;
        g_assert_cmpint(prism_rtp_seq_unwrap(&u, seq), ==, expected);
    }
}

static void test_rtp_seq_unwrap_before_first_packet_is_negative(void)
{
    struct prism_rtp_seq_unwrapper u = {0};
    g_assert_cmpint(prism_rtp_seq_unwrap(&u, 2), ==, 2);
    g_assert_cmpint(prism_rtp_seq_unwrap(&u, 65535), ==, -1);
    g_assert_cmpint(prism_rtp_seq_unwrap(&u, 3), ==, 3);
}

static void test_rtp_ts_unwraps_32_bit_timestamps(void)
{
    struct prism_rtp_ts_unwrapper u = {0};
    g_assert_cmpint(prism_rtp_ts_unwrap(&u, 0xFFFFF000u), ==, 0xFFFFF000ll);
    g_assert_cmpint(prism_rtp_ts_unwrap(&u, 0x00001000u), ==, 0x100001000ll);
    g_assert_cmpint(prism_rtp_ts_unwrap(&u, 0xFFFFFF00u), ==, 0xFFFFFF00ll);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp-seq/compares-across-wrap", test_rtp_seq_compares_across_wrap);
    g_test_add_func("/rtp-seq/ts-compares-across-wrap", test_rtp_ts_compares_across_wrap);
    g_test_add_func("/rtp-seq/unwraps-forward-through-wraps",
                    test_rtp_seq_unwraps_forward_through_wraps);
    g_test_add_func("/rtp-seq/unwrap-before-first-packet-is-negative",
                    test_rtp_seq_unwrap_before_first_packet_is_negative);
    g_test_add_func("/rtp-seq/ts-unwraps-32-bit-timestamps", test_rtp_ts_unwraps_32_bit_timestamps);
    return g_test_run();
}
