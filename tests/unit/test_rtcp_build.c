/* RTCP SR/RR/SDES/BYE builders: exact bytes against the reference packets, and round trips. */
#include "media/rtcp/rtcp.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "rtcp_samples.h"

static const struct prism_rtcp_report_block sample_block = {
    .ssrc = 0x55667788,
    .fraction_lost = 64,
    .cumulative_lost = 10,
    .highest_seq = 65541,
    .jitter = 32,
    .last_sr = 0x3C4D8000,
    .delay_since_last_sr = 65536,
};

static void test_rtcp_builds_reference_sr_and_sdes(void)
{
    const struct prism_rtcp_sender_info info = {
        .ssrc = 0x11223344,
        .ntp = 0xE12B3C4D80000000ull,
        .rtp_timestamp = 90000,
        .packet_count = 100,
        .octet_count = 10000,
    };
    uint8_t buf[128];
    int sr = prism_rtcp_build_sr(buf, sizeof(buf), &info, &sample_block, 1);
    g_assert_cmpint(sr, ==, SAMPLE_SR_LEN);
    int sdes = prism_rtcp_build_sdes_cname(buf + sr, sizeof(buf) - (size_t)sr, 0x11223344, "user@h",
                                           6);
    g_assert_cmpint(sdes, ==, 20);
    g_assert_cmpmem(buf, (size_t)(sr + sdes), sample_sr_sdes, sizeof(sample_sr_sdes));
    g_assert_cmpint(prism_rtcp_build_sr(buf, SAMPLE_SR_LEN - 1, &info, &sample_block, 1), ==,
                    -ENOSPC);
    g_assert_cmpint(prism_rtcp_build_sdes_cname(buf, 19, 1, "user@h", 6), ==, -ENOSPC);
    g_assert_cmpint(prism_rtcp_build_sdes_cname(buf, sizeof(buf), 1, "", 0), ==, -EINVAL);
}

static void test_rtcp_builds_reference_rr_and_bye(void)
{
    const struct prism_rtcp_report_block block = {
        .ssrc = 0x0A0B0C0D,
        .cumulative_lost = -2,
        .highest_seq = 0x1234,
        .jitter = 5,
    };
    uint8_t buf[64];
    g_assert_cmpint(prism_rtcp_build_rr(buf, sizeof(buf), 0x01020304, &block, 1), ==, 32);
    g_assert_cmpmem(buf, 32, sample_rr, sizeof(sample_rr));
    const uint32_t ssrc = 0x11223344;
    g_assert_cmpint(prism_rtcp_build_bye(buf, sizeof(buf), &ssrc, 1, "gone", 4), ==, 16);
    g_assert_cmpmem(buf, 16, sample_bye, sizeof(sample_bye));
    g_assert_cmpint(prism_rtcp_build_bye(buf, sizeof(buf), &ssrc, 1, NULL, 0), ==, 8);
    g_assert_cmpint(prism_rtcp_build_bye(buf, 7, &ssrc, 1, NULL, 0), ==, -ENOSPC);
    g_assert_cmpint(prism_rtcp_build_bye(buf, sizeof(buf), &ssrc, 0, NULL, 0), ==, -EINVAL);
}

static void test_rtcp_rr_round_trips_many_blocks(void)
{
    struct prism_rtcp_report_block blocks[PRISM_RTCP_MAX_COUNT];
    for (unsigned i = 0; i < PRISM_RTCP_MAX_COUNT; i++) {
        blocks[i] = sample_block;
        blocks[i].ssrc = 1000 + i;
        blocks[i].cumulative_lost = (int32_t)i - 15;
    }
    uint8_t buf[1024];
    int len = prism_rtcp_build_rr(buf, sizeof(buf), 42, blocks, PRISM_RTCP_MAX_COUNT);
    g_assert_cmpint(len, ==, 8 + 24 * PRISM_RTCP_MAX_COUNT);
    g_assert_cmpint(prism_rtcp_build_rr(buf, sizeof(buf), 42, blocks, 32), ==, -EINVAL);

    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_rr rr;
    prism_rtcp_iter_init(&it, buf, (size_t)len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpint(prism_rtcp_rr_parse(&p, &rr), ==, 0);
    g_assert_cmpuint(rr.ssrc, ==, 42);
    g_assert_cmpuint(rr.reports.count, ==, PRISM_RTCP_MAX_COUNT);
    for (unsigned i = 0; i < PRISM_RTCP_MAX_COUNT; i++) {
        struct prism_rtcp_report_block rb;
        g_assert_cmpint(prism_rtcp_report_get(&rr.reports, i, &rb), ==, 0);
        g_assert_cmpuint(rb.ssrc, ==, 1000 + i);
        g_assert_cmpint(rb.cumulative_lost, ==, (int32_t)i - 15);
        g_assert_cmpuint(rb.last_sr, ==, sample_block.last_sr);
    }
}

static void test_rtcp_clamps_cumulative_loss_to_24_bits(void)
{
    struct prism_rtcp_report_block blocks[2] = {sample_block, sample_block};
    blocks[0].cumulative_lost = 0x7FFFFFFF;
    blocks[1].cumulative_lost = INT32_MIN;
    uint8_t buf[64];
    int len = prism_rtcp_build_rr(buf, sizeof(buf), 1, blocks, 2);
    g_assert_cmpint(len, ==, 56);
    g_assert_cmpmem(buf + 13, 3, "\x7F\xFF\xFF", 3);
    g_assert_cmpmem(buf + 37, 3, "\x80\x00\x00", 3);
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_rr rr;
    struct prism_rtcp_report_block rb;
    prism_rtcp_iter_init(&it, buf, (size_t)len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpint(prism_rtcp_rr_parse(&p, &rr), ==, 0);
    g_assert_cmpint(prism_rtcp_report_get(&rr.reports, 1, &rb), ==, 0);
    g_assert_cmpint(rb.cumulative_lost, ==, -0x800000);
}

static void test_rtcp_sdes_cname_padding_lengths(void)
{
    /* The chunk needs at least one null octet: a 2-byte CNAME fills a word exactly with
     * SSRC + type + length + text, so a whole word of nulls follows. */
    uint8_t buf[300];
    for (size_t n = 1; n <= 255; n++) {
        char cname[256];
        memset(cname, 'x', n);
        int len = prism_rtcp_build_sdes_cname(buf, sizeof(buf), 7, cname, n);
        g_assert_cmpint(len % 4, ==, 0);
        g_assert_cmpint(len, >=, (int)(4 + 4 + 2 + n + 1));
        g_assert_cmpint(len, <=, (int)(4 + 4 + 2 + n + 4));
        struct prism_rtcp_iter it;
        struct prism_rtcp_packet p;
        struct prism_rtcp_sdes_item item;
        prism_rtcp_iter_init(&it, buf, (size_t)len);
        g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
        g_assert_cmpint(prism_rtcp_sdes_find_cname(&p, &item), ==, 0);
        g_assert_cmpuint(item.len, ==, n);
        g_assert_cmpuint(item.ssrc, ==, 7);
    }
}

static void test_rtcp_ntp_from_unix_time(void)
{
    g_assert_cmpuint(prism_rtcp_ntp_from_unix_us(0), ==, 2208988800ull << 32);
    g_assert_cmpuint(prism_rtcp_ntp_from_unix_us(1500000), ==, 2208988801ull << 32 | 0x80000000u);
    g_assert_cmpuint(prism_rtcp_ntp_from_unix_us(250000) & 0xFFFFFFFFu, ==, 0x40000000u);
    /* The compact form keeps 16 bits of seconds and 16 of fraction: 1.5 s -> 0x....8000. */
    g_assert_cmpuint(prism_rtcp_ntp_compact(0xE12B3C4D80000000ull), ==, 0x3C4D8000u);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtcp-build/builds-reference-sr-and-sdes",
                    test_rtcp_builds_reference_sr_and_sdes);
    g_test_add_func("/rtcp-build/builds-reference-rr-and-bye",
                    test_rtcp_builds_reference_rr_and_bye);
    g_test_add_func("/rtcp-build/rr-round-trips-many-blocks", test_rtcp_rr_round_trips_many_blocks);
    g_test_add_func("/rtcp-build/clamps-cumulative-loss-to-24-bits",
                    test_rtcp_clamps_cumulative_loss_to_24_bits);
    g_test_add_func("/rtcp-build/sdes-cname-padding-lengths", test_rtcp_sdes_cname_padding_lengths);
    g_test_add_func("/rtcp-build/ntp-from-unix-time", test_rtcp_ntp_from_unix_time);
    return g_test_run();
}
