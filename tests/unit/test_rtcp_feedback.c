/* RTCP feedback: generic NACK PID/BLP expansion and packing, PLI, FIR, REMB. */
#include "media/rtcp/feedback.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

static void first_packet(const uint8_t *data, size_t len, struct prism_rtcp_packet *p)
{
    struct prism_rtcp_iter it;
    prism_rtcp_iter_init(&it, data, len);
    g_assert_cmpint(prism_rtcp_next(&it, p), ==, 1);
}

static void test_rtcp_nack_expands_pid_and_blp(void)
{
    /* RFC 4585 section 6.2.1: BLP bit i set means PID + i + 1 is lost too. */
    const uint8_t nack[] = {0x81, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0x00, 0x64, 0x80, 0x01};
    struct prism_rtcp_packet p;
    struct prism_rtcp_nack n;
    first_packet(nack, sizeof(nack), &p);
    g_assert_cmpint(prism_rtcp_nack_parse(&p, &n), ==, 0);
    g_assert_cmpuint(n.sender_ssrc, ==, 1);
    g_assert_cmpuint(n.media_ssrc, ==, 2);
    g_assert_cmpuint(n.fci_count, ==, 1);
    uint16_t lost[PRISM_RTCP_NACK_MAX_PER_FCI];
    g_assert_cmpuint(prism_rtcp_nack_lost(&n, lost, G_N_ELEMENTS(lost)), ==, 3);
    g_assert_cmpuint(lost[0], ==, 100);
    g_assert_cmpuint(lost[1], ==, 101);
    g_assert_cmpuint(lost[2], ==, 116);
    /* A short output buffer is filled and no further. */
    g_assert_cmpuint(prism_rtcp_nack_lost(&n, lost, 2), ==, 2);
    g_assert_cmpuint(prism_rtcp_nack_lost(&n, lost, 0), ==, 0);
}

static void test_rtcp_nack_full_mask_and_wrap(void)
{
    const uint8_t nack[] = {0x81, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xF8, 0xFF, 0xFF};
    struct prism_rtcp_packet p;
    struct prism_rtcp_nack n;
    uint16_t lost[17];
    first_packet(nack, sizeof(nack), &p);
    g_assert_cmpint(prism_rtcp_nack_parse(&p, &n), ==, 0);
    g_assert_cmpuint(prism_rtcp_nack_lost(&n, lost, 17), ==, 17);
    for (unsigned i = 0; i < 17; i++)
        g_assert_cmpuint(lost[i], ==, (uint16_t)(0xFFF8 + i));
    g_assert_cmpuint(lost[16], ==, 8);
}

static void test_rtcp_nack_rejects_zero_fci(void)
{
    const uint8_t empty[] = {0x81, 0xCD, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
    const uint8_t no_media[] = {0x81, 0xCD, 0x00, 0x01, 0, 0, 0, 1};
    struct prism_rtcp_packet p;
    struct prism_rtcp_nack n;
    first_packet(empty, sizeof(empty), &p);
    g_assert_cmpint(prism_rtcp_nack_parse(&p, &n), ==, -EBADMSG);
    first_packet(no_media, sizeof(no_media), &p);
    g_assert_cmpint(prism_rtcp_nack_parse(&p, &n), ==, -EBADMSG);
    struct prism_rtcp_fb fb;
    g_assert_cmpint(prism_rtcp_fb_parse(&p, &fb), ==, -EBADMSG);
    g_assert_cmpint(prism_rtcp_pli_parse(&p, &fb), ==, -EINVAL); /* an RTPFB is no PLI */
}

/* Builds a NACK from lost, checks its FCI words, and checks it expands to the same set. */
static void check_nack_build(const uint16_t *lost, size_t count, const uint32_t *fci,
                             size_t fci_count)
{
    uint8_t buf[256];
    int len = prism_rtcp_build_nack(buf, sizeof(buf), 0xA, 0xB, lost, count);
    g_assert_cmpint(len, ==, (int)(12 + 4 * fci_count));
    g_assert_cmpuint(buf[0], ==, 0x81);
    g_assert_cmpuint(buf[1], ==, PRISM_RTCP_RTPFB);
    g_assert_cmpuint(prism_read_be16(buf + 2), ==, 2 + fci_count);
    for (size_t i = 0; i < fci_count; i++)
        g_assert_cmpuint(prism_read_be32(buf + 12 + 4 * i), ==, fci[i]);

    struct prism_rtcp_packet p;
    struct prism_rtcp_nack n;
    uint16_t out[64];
    first_packet(buf, (size_t)len, &p);
    g_assert_cmpint(prism_rtcp_nack_parse(&p, &n), ==, 0);
    size_t expanded = prism_rtcp_nack_lost(&n, out, G_N_ELEMENTS(out));
    for (size_t i = 0; i < count; i++) {
        bool found = false;
        for (size_t j = 0; j < expanded; j++)
            found = found || out[j] == lost[i];
        g_assert_true(found);
    }
}

static void test_rtcp_nack_build_packs_runs_of_17(void)
{
    const uint16_t sorted[] = {100, 101, 116, 117, 300};
    const uint32_t sorted_fci[] = {0x00648001, 0x00750000, 0x012C0000};
    check_nack_build(sorted, G_N_ELEMENTS(sorted), sorted_fci, G_N_ELEMENTS(sorted_fci));
    const uint16_t wrapping[] = {65535, 0, 1};
    const uint32_t wrapping_fci[] = {0xFFFF0003};
    check_nack_build(wrapping, G_N_ELEMENTS(wrapping), wrapping_fci, 1);
    const uint16_t unsorted[] = {105, 100, 106};
    const uint32_t unsorted_fci[] = {0x00690000, 0x00640020};
    check_nack_build(unsorted, G_N_ELEMENTS(unsorted), unsorted_fci, 2);
    const uint16_t duplicates[] = {7, 7, 8};
    const uint32_t duplicates_fci[] = {0x00070001};
    check_nack_build(duplicates, G_N_ELEMENTS(duplicates), duplicates_fci, 1);

    uint8_t buf[16];
    g_assert_cmpint(prism_rtcp_build_nack(buf, 15, 1, 2, sorted, 1), ==, -ENOSPC);
    g_assert_cmpint(prism_rtcp_build_nack(buf, sizeof(buf), 1, 2, sorted, 3), ==, 16);
    g_assert_cmpint(prism_rtcp_build_nack(buf, sizeof(buf), 1, 2, sorted, 4), ==, -ENOSPC);
    g_assert_cmpint(prism_rtcp_build_nack(buf, sizeof(buf), 1, 2, sorted, 0), ==, -EINVAL);
}

static void test_rtcp_pli_round_trips(void)
{
    uint8_t buf[12];
    g_assert_cmpint(prism_rtcp_build_pli(buf, 11, 1, 2), ==, -ENOSPC);
    g_assert_cmpint(prism_rtcp_build_pli(buf, sizeof(buf), 0xCAFE, 0xBEEF), ==, 12);
    const uint8_t expected[] = {0x81, 0xCE, 0x00, 0x02, 0, 0, 0xCA, 0xFE, 0, 0, 0xBE, 0xEF};
    g_assert_cmpmem(buf, 12, expected, 12);
    struct prism_rtcp_packet p;
    struct prism_rtcp_fb fb;
    first_packet(buf, sizeof(buf), &p);
    g_assert_cmpint(prism_rtcp_pli_parse(&p, &fb), ==, 0);
    g_assert_cmpuint(fb.media_ssrc, ==, 0xBEEF);
}

static void test_rtcp_fir_round_trips_entries_with_seq(void)
{
    const struct prism_rtcp_fir_entry entries[] = {{0xAABBCCDD, 7}, {0x01020304, 255}};
    uint8_t buf[64];
    int len = prism_rtcp_build_fir(buf, sizeof(buf), 0x11, entries, 2);
    g_assert_cmpint(len, ==, 28);
    const uint8_t expected[] = {0x84, 0xCE, 0x00, 0x06, 0, 0, 0, 0x11, 0, 0, 0,   0, 0xAA, 0xBB,
                                0xCC, 0xDD, 7,    0,    0, 0, 1, 2,    3, 4, 255, 0, 0,    0};
    g_assert_cmpmem(buf, 28, expected, 28);
    struct prism_rtcp_packet p;
    struct prism_rtcp_fir fir;
    struct prism_rtcp_fir_entry e;
    first_packet(buf, (size_t)len, &p);
    g_assert_cmpint(prism_rtcp_fir_parse(&p, &fir), ==, 0);
    g_assert_cmpuint(fir.sender_ssrc, ==, 0x11);
    g_assert_cmpuint(fir.count, ==, 2);
    g_assert_cmpint(prism_rtcp_fir_get(&fir, 1, &e), ==, 0);
    g_assert_cmpuint(e.ssrc, ==, 0x01020304);
    g_assert_cmpuint(e.seq, ==, 255);
    g_assert_cmpint(prism_rtcp_fir_get(&fir, 2, &e), ==, -EINVAL);

    const uint8_t no_entries[] = {0x84, 0xCE, 0x00, 0x02, 0, 0, 0, 0x11, 0, 0, 0, 0};
    first_packet(no_entries, sizeof(no_entries), &p);
    g_assert_cmpint(prism_rtcp_fir_parse(&p, &fir), ==, -EBADMSG);
}

static void test_rtcp_remb_encodes_reference_bitrate(void)
{
    /* 1 Mbit/s: exponent 2, mantissa 250000. */
    const uint32_t ssrc = 0x11223344;
    const uint8_t expected[] = {0x8F, 0xCE, 0x00, 0x05, 0,    0,    0,    1,
                                0,    0,    0,    0,    'R',  'E',  'M',  'B',
                                0x01, 0x0B, 0xD0, 0x90, 0x11, 0x22, 0x33, 0x44};
    uint8_t buf[64];
    g_assert_cmpint(prism_rtcp_build_remb(buf, sizeof(buf), 1, 1000000, &ssrc, 1), ==, 24);
    g_assert_cmpmem(buf, 24, expected, sizeof(expected));
    struct prism_rtcp_packet p;
    struct prism_rtcp_remb remb;
    first_packet(buf, 24, &p);
    g_assert_cmpint(prism_rtcp_remb_parse(&p, &remb), ==, 0);
    g_assert_cmpuint(remb.bitrate, ==, 1000000);
    g_assert_cmpuint(remb.count, ==, 1);
    g_assert_cmpuint(prism_rtcp_remb_ssrc(&remb, 0), ==, ssrc);
    g_assert_cmpint(prism_rtcp_build_remb(buf, 23, 1, 1000000, &ssrc, 1), ==, -ENOSPC);
}

static void test_rtcp_remb_round_trips_mantissa_and_exponent(void)
{
    const uint64_t rates[] = {
        0, 1, 262143, 262144, 262145, 1000000, 2500000000ull, 123456789012345ull, UINT64_MAX};
    for (size_t i = 0; i < G_N_ELEMENTS(rates); i++) {
        uint8_t buf[32];
        struct prism_rtcp_packet p;
        struct prism_rtcp_remb remb;
        g_assert_cmpint(prism_rtcp_build_remb(buf, sizeof(buf), 1, rates[i], NULL, 0), ==, 20);
        first_packet(buf, 20, &p);
        g_assert_cmpint(prism_rtcp_remb_parse(&p, &remb), ==, 0);
        /* Rounded down to 18 significant bits: never above, within 2^-17 below. */
        g_assert_cmpuint(remb.bitrate, <=, rates[i]);
        g_assert_cmpuint(remb.bitrate, >=, rates[i] - (rates[i] >> 17));
        if (rates[i] <= 262143)
            g_assert_cmpuint(remb.bitrate, ==, rates[i]);
    }
}

static void test_rtcp_remb_saturates_and_rejects_bad_lengths(void)
{
    uint8_t remb_max[] = {0x8F, 0xCE, 0x00, 0x04, 0,   0,   0, 1,    0,    0,
                          0,    0,    'R',  'E',  'M', 'B', 0, 0xFF, 0xFF, 0xFF};
    struct prism_rtcp_packet p;
    struct prism_rtcp_remb remb;
    first_packet(remb_max, sizeof(remb_max), &p);
    g_assert_cmpint(prism_rtcp_remb_parse(&p, &remb), ==, 0);
    g_assert_cmpuint(remb.bitrate, ==, UINT64_MAX);
    remb_max[17] = 0xFC; /* exponent 63, mantissa 1 */
    remb_max[18] = 0x00;
    remb_max[19] = 0x01;
    g_assert_cmpint(prism_rtcp_remb_parse(&p, &remb), ==, 0);
    g_assert_cmpuint(remb.bitrate, ==, 1ull << 63);
    remb_max[16] = 1; /* one SSRC announced, none present */
    g_assert_cmpint(prism_rtcp_remb_parse(&p, &remb), ==, -EBADMSG);
    remb_max[12] = 'X'; /* another application's feedback */
    g_assert_cmpint(prism_rtcp_remb_parse(&p, &remb), ==, -ENOENT);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtcp-fb/nack-expands-pid-and-blp", test_rtcp_nack_expands_pid_and_blp);
    g_test_add_func("/rtcp-fb/nack-full-mask-and-wrap", test_rtcp_nack_full_mask_and_wrap);
    g_test_add_func("/rtcp-fb/nack-rejects-zero-fci", test_rtcp_nack_rejects_zero_fci);
    g_test_add_func("/rtcp-fb/nack-build-packs-runs-of-17", test_rtcp_nack_build_packs_runs_of_17);
    g_test_add_func("/rtcp-fb/pli-round-trips", test_rtcp_pli_round_trips);
    g_test_add_func("/rtcp-fb/fir-round-trips-entries-with-seq",
                    test_rtcp_fir_round_trips_entries_with_seq);
    g_test_add_func("/rtcp-fb/remb-encodes-reference-bitrate",
                    test_rtcp_remb_encodes_reference_bitrate);
    g_test_add_func("/rtcp-fb/remb-round-trips-mantissa-and-exponent",
                    test_rtcp_remb_round_trips_mantissa_and_exponent);
    g_test_add_func("/rtcp-fb/remb-saturates-and-rejects-bad-lengths",
                    test_rtcp_remb_saturates_and_rejects_bad_lengths);
    return g_test_run();
}
