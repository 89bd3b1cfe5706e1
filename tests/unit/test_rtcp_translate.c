/* RTCP rewriting for forwarding: SR sender rewrite, and translating a receiver's reports and
 * feedback into the publisher's SSRCs (copying and in place). */
#include "media/rtcp/feedback.h"
#include "media/rtcp/rtcp.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "rtcp_samples.h"

#define RECEIVER_SSRC 0x5000u
#define SFU_SSRC 0x9999u

/* The receiver knows the publisher's streams as 0xA and 0xB; 0xC is not forwarded anymore. */
static bool map_to_publisher_cb(void *user, uint32_t ssrc, uint32_t *mapped)
{
    unsigned *calls = user;
    (*calls)++;
    if (ssrc == 0xA)
        *mapped = 0x1;
    else if (ssrc == 0xB)
        *mapped = 0x2;
    else
        return false;
    return true;
}

static const uint8_t twcc_tail[] = {0, 0, 0, 1, 0, 0, 0, 0, 0x20, 0x01, 0x04, 0x00};

/* Appends a transport-cc feedback about media to buf; returns its length. */
static size_t put_twcc(uint8_t *buf, uint32_t sender, uint32_t media)
{
    buf[0] = 0x8F;
    buf[1] = PRISM_RTCP_RTPFB;
    prism_write_be16(buf + 2, 5);
    prism_write_be32(buf + 4, sender);
    prism_write_be32(buf + 8, media);
    memcpy(buf + 12, twcc_tail, sizeof(twcc_tail));
    return 24;
}

static struct prism_rtcp_report_block block_about(uint32_t ssrc)
{
    return (struct prism_rtcp_report_block){.ssrc = ssrc,
                                            .fraction_lost = (uint8_t)ssrc,
                                            .cumulative_lost = (int32_t)ssrc * 3,
                                            .highest_seq = 1000 + ssrc,
                                            .jitter = 7};
}

/* What a receiver sends: RR, SDES, NACK, PLI, REMB, FIR, TWCC, BYE. */
static size_t build_receiver_compound(uint8_t *buf, size_t cap)
{
    const struct prism_rtcp_report_block blocks[] = {block_about(0xA), block_about(0xC),
                                                     block_about(0xB)};
    const uint16_t lost[] = {10, 12};
    const uint32_t remb_ssrcs[] = {0xC, 0xB};
    const struct prism_rtcp_fir_entry fir[] = {{0xC, 1}, {0xA, 2}};
    const uint32_t bye = RECEIVER_SSRC;
    size_t pos = 0;
    pos += (size_t)prism_rtcp_build_rr(buf + pos, cap - pos, RECEIVER_SSRC, blocks, 3);
    pos += (size_t)prism_rtcp_build_sdes_cname(buf + pos, cap - pos, RECEIVER_SSRC, "rx", 2);
    pos += (size_t)prism_rtcp_build_nack(buf + pos, cap - pos, RECEIVER_SSRC, 0xA, lost, 2);
    pos += (size_t)prism_rtcp_build_pli(buf + pos, cap - pos, RECEIVER_SSRC, 0xC);
    pos += (size_t)prism_rtcp_build_remb(buf + pos, cap - pos, RECEIVER_SSRC, 500000, remb_ssrcs,
                                         2);
    pos += (size_t)prism_rtcp_build_fir(buf + pos, cap - pos, RECEIVER_SSRC, fir, 2);
    pos += put_twcc(buf + pos, RECEIVER_SSRC, 0xB);
    pos += (size_t)prism_rtcp_build_bye(buf + pos, cap - pos, &bye, 1, NULL, 0);
    return pos;
}

/* What the publisher should get: the same, mapped, minus what does not concern it. */
static size_t build_expected(uint8_t *buf, size_t cap)
{
    struct prism_rtcp_report_block blocks[] = {block_about(0xA), block_about(0xB)};
    blocks[0].ssrc = 0x1;
    blocks[1].ssrc = 0x2;
    const uint16_t lost[] = {10, 12};
    const uint32_t remb_ssrc = 0x2;
    const struct prism_rtcp_fir_entry fir = {0x1, 2};
    size_t pos = 0;
    pos += (size_t)prism_rtcp_build_rr(buf + pos, cap - pos, SFU_SSRC, blocks, 2);
    pos += (size_t)prism_rtcp_build_nack(buf + pos, cap - pos, SFU_SSRC, 0x1, lost, 2);
    pos += (size_t)prism_rtcp_build_remb(buf + pos, cap - pos, SFU_SSRC, 500000, &remb_ssrc, 1);
    pos += (size_t)prism_rtcp_build_fir(buf + pos, cap - pos, SFU_SSRC, &fir, 1);
    pos += put_twcc(buf + pos, SFU_SSRC, 0x2);
    return pos;
}

static void test_rtcp_translate_maps_media_ssrcs_and_drops_the_rest(void)
{
    uint8_t in[512], out[512], expected[512];
    size_t in_len = build_receiver_compound(in, sizeof(in));
    size_t expected_len = build_expected(expected, sizeof(expected));
    unsigned calls = 0;
    int len = prism_rtcp_translate(in, in_len, out, sizeof(out), SFU_SSRC, map_to_publisher_cb,
                                   &calls);
    g_assert_cmpint(len, ==, (int)expected_len);
    g_assert_cmpmem(out, (size_t)len, expected, expected_len);
    g_assert_cmpuint(calls, ==, 3 + 1 + 1 + 2 + 2 + 1);
    g_assert_cmpint(prism_rtcp_validate(out, (size_t)len), ==, 0);
}

static void test_rtcp_translate_works_in_place(void)
{
    uint8_t buf[512], expected[512];
    size_t in_len = build_receiver_compound(buf, sizeof(buf));
    size_t expected_len = build_expected(expected, sizeof(expected));
    unsigned calls = 0;
    int len = prism_rtcp_translate(buf, in_len, buf, in_len, SFU_SSRC, map_to_publisher_cb, &calls);
    g_assert_cmpint(len, ==, (int)expected_len);
    g_assert_cmpmem(buf, (size_t)len, expected, expected_len);
}

static void test_rtcp_translate_turns_sr_into_rr_and_strips_padding(void)
{
    /* SR (with padding) from the receiver about 0xA: only the report block concerns the
     * publisher. */
    const struct prism_rtcp_sender_info info = {.ssrc = RECEIVER_SSRC, .ntp = 1};
    const struct prism_rtcp_report_block block = block_about(0xA);
    uint8_t in[128], out[128], expected[64];
    int sr = prism_rtcp_build_sr(in, sizeof(in), &info, &block, 1);
    memset(in + sr, 0, 4);
    in[sr + 3] = 4;
    in[0] |= 0x20;
    prism_write_be16(in + 2, (uint16_t)(prism_read_be16(in + 2) + 1));
    struct prism_rtcp_report_block mapped = block;
    mapped.ssrc = 0x1;
    int rr = prism_rtcp_build_rr(expected, sizeof(expected), SFU_SSRC, &mapped, 1);
    unsigned calls = 0;
    int len = prism_rtcp_translate(in, (size_t)sr + 4, out, sizeof(out), SFU_SSRC,
                                   map_to_publisher_cb, &calls);
    g_assert_cmpint(len, ==, rr);
    g_assert_cmpmem(out, (size_t)len, expected, (size_t)rr);
}

static void test_rtcp_translate_can_leave_nothing(void)
{
    uint8_t in[128], out[128];
    const uint32_t bye = RECEIVER_SSRC;
    const struct prism_rtcp_report_block unknown = block_about(0xC);
    int pos = prism_rtcp_build_rr(in, sizeof(in), RECEIVER_SSRC, &unknown, 1);
    pos += prism_rtcp_build_sdes_cname(in + pos, sizeof(in) - (size_t)pos, RECEIVER_SSRC, "x", 1);
    pos += prism_rtcp_build_bye(in + pos, sizeof(in) - (size_t)pos, &bye, 1, NULL, 0);
    unsigned calls = 0;
    g_assert_cmpint(prism_rtcp_translate(in, (size_t)pos, out, sizeof(out), SFU_SSRC,
                                         map_to_publisher_cb, &calls),
                    ==, 0);
}

static void test_rtcp_translate_rejects_malformed_and_small_output(void)
{
    uint8_t in[512], out[512];
    size_t in_len = build_receiver_compound(in, sizeof(in));
    unsigned calls = 0;
    g_assert_cmpint(prism_rtcp_translate(in, in_len - 4, out, sizeof(out), SFU_SSRC,
                                         map_to_publisher_cb, &calls),
                    ==, -EBADMSG);
    g_assert_cmpuint(calls, ==, 0); /* validated before anything was translated */
    g_assert_cmpint(
        prism_rtcp_translate(in, in_len, out, 40, SFU_SSRC, map_to_publisher_cb, &calls), ==,
        -ENOSPC);
    g_assert_cmpint(prism_rtcp_translate(in, in_len, out, sizeof(out), SFU_SSRC, NULL, NULL), ==,
                    -EINVAL);
    /* An RR whose report count runs past its body. */
    uint8_t bad_rr[sizeof(sample_rr)];
    memcpy(bad_rr, sample_rr, sizeof(bad_rr));
    bad_rr[0] = 0x82;
    g_assert_cmpint(prism_rtcp_translate(bad_rr, sizeof(bad_rr), out, sizeof(out), SFU_SSRC,
                                         map_to_publisher_cb, &calls),
                    ==, -EBADMSG);
}

static void test_rtcp_sr_rewrite_sets_ssrc_and_shifts_timestamp(void)
{
    uint8_t buf[sizeof(sample_sr_sdes)];
    memcpy(buf, sample_sr_sdes, sizeof(buf));
    g_assert_cmpint(prism_rtcp_sr_rewrite(buf, SAMPLE_SR_LEN, 0xFEEDF00D, 0xFFFF0000u), ==, 0);
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_sr sr;
    prism_rtcp_iter_init(&it, buf, sizeof(buf));
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpint(prism_rtcp_sr_parse(&p, &sr), ==, 0);
    g_assert_cmpuint(sr.info.ssrc, ==, 0xFEEDF00D);
    g_assert_cmpuint(sr.info.rtp_timestamp, ==, 0x5F90); /* 90000 + offset, wrapped */
    g_assert_cmpuint(sr.info.ntp, ==, 0xE12B3C4D80000000ull);
    g_assert_cmpmem(buf + 20, sizeof(buf) - 20, sample_sr_sdes + 20, sizeof(buf) - 20);

    g_assert_cmpint(prism_rtcp_sr_rewrite(buf + SAMPLE_SR_LEN, 20, 1, 0), ==, -EBADMSG); /* SDES */
    g_assert_cmpint(prism_rtcp_sr_rewrite(buf, 27, 1, 0), ==, -EBADMSG);
    g_assert_cmpint(prism_rtcp_sr_rewrite(buf, 40, 1, 0), ==, -EBADMSG); /* length says 52 */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtcp-translate/maps-media-ssrcs-and-drops-the-rest",
                    test_rtcp_translate_maps_media_ssrcs_and_drops_the_rest);
    g_test_add_func("/rtcp-translate/works-in-place", test_rtcp_translate_works_in_place);
    g_test_add_func("/rtcp-translate/turns-sr-into-rr-and-strips-padding",
                    test_rtcp_translate_turns_sr_into_rr_and_strips_padding);
    g_test_add_func("/rtcp-translate/can-leave-nothing", test_rtcp_translate_can_leave_nothing);
    g_test_add_func("/rtcp-translate/rejects-malformed-and-small-output",
                    test_rtcp_translate_rejects_malformed_and_small_output);
    g_test_add_func("/rtcp-translate/sr-rewrite-sets-ssrc-and-shifts-timestamp",
                    test_rtcp_sr_rewrite_sets_ssrc_and_shifts_timestamp);
    return g_test_run();
}
