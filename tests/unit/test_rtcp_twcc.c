/* Transport-wide CC feedback parsing (draft-holmer-rmcat-transport-wide-cc-extensions-01):
 * run-length and 1/2-bit status vector chunks, receive deltas, and malformed counts. */
#include "media/rtcp/feedback.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

/* Wraps chunks + deltas into an RTPFB/15 packet with the given fixed fields, zero-padded to a
 * word. Returns the packet length. */
static size_t make_twcc(uint8_t *buf, uint16_t base, uint16_t count, uint32_t reference,
                        const uint8_t *tail, size_t tail_len)
{
    size_t body = 16 + tail_len;
    size_t len = 4 + ((body + 3) & ~(size_t)3);
    memset(buf, 0, len);
    buf[0] = 0x8F;
    buf[1] = PRISM_RTCP_RTPFB;
    prism_write_be16(buf + 2, (uint16_t)(len / 4 - 1));
    prism_write_be32(buf + 4, 0x0000AAAA);
    prism_write_be32(buf + 8, 0x0000BBBB);
    prism_write_be16(buf + 12, base);
    prism_write_be16(buf + 14, count);
    prism_write_be24(buf + 16, reference);
    buf[19] = 7;
    memcpy(buf + 20, tail, tail_len);
    return len;
}

static int parse_twcc(const uint8_t *buf, size_t len, struct prism_rtcp_twcc *t)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    prism_rtcp_iter_init(&it, buf, len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    return prism_rtcp_twcc_parse(&p, t);
}

static void next_status(struct prism_rtcp_twcc_iter *it, uint16_t seq, bool received,
                        int32_t delta_us, int64_t arrival_us)
{
    struct prism_rtcp_twcc_status s;
    g_assert_cmpint(prism_rtcp_twcc_next(it, &s), ==, 1);
    g_assert_cmpuint(s.seq, ==, seq);
    g_assert_cmpint(s.received, ==, received);
    g_assert_cmpint(s.delta_us, ==, delta_us);
    g_assert_cmpint(s.arrival_us, ==, arrival_us);
}

static void test_rtcp_twcc_decodes_run_length_and_two_bit_chunks(void)
{
    /* Run of 3 small deltas; 2-bit vector: large, lost, small, lost, small, lost, lost.
     * Deltas: 1 ms, 2 ms, 0, -50 ms (large), 0.25 ms, 63.75 ms. */
    const uint8_t tail[] = {0x20, 0x03, 0xE1, 0x10, 0x04, 0x08, 0x00, 0xFF, 0x38, 0x01, 0xFF};
    uint8_t buf[64];
    size_t len = make_twcc(buf, 65534, 10, 16, tail, sizeof(tail));
    g_assert_cmpuint(len, ==, 32);
    struct prism_rtcp_twcc t;
    g_assert_cmpint(parse_twcc(buf, len, &t), ==, 0);
    g_assert_cmpuint(t.sender_ssrc, ==, 0xAAAA);
    g_assert_cmpuint(t.media_ssrc, ==, 0xBBBB);
    g_assert_cmpuint(t.base_seq, ==, 65534);
    g_assert_cmpuint(t.status_count, ==, 10);
    g_assert_cmpint(t.reference_time, ==, 16);
    g_assert_cmpuint(t.fb_count, ==, 7);
    g_assert_cmpuint(t.chunks_len, ==, 4);
    g_assert_cmpuint(t.deltas_len, ==, 7);
    g_assert_cmpuint(t.received_count, ==, 6);

    struct prism_rtcp_twcc_iter it;
    struct prism_rtcp_twcc_status s;
    prism_rtcp_twcc_iter_init(&it, &t);
    next_status(&it, 65534, true, 1000, 1025000);
    next_status(&it, 65535, true, 2000, 1027000);
    next_status(&it, 0, true, 0, 1027000);
    next_status(&it, 1, true, -50000, 977000);
    next_status(&it, 2, false, 0, 0);
    next_status(&it, 3, true, 250, 977250);
    next_status(&it, 4, false, 0, 0);
    next_status(&it, 5, true, 63750, 1041000);
    next_status(&it, 6, false, 0, 0);
    next_status(&it, 7, false, 0, 0);
    g_assert_cmpint(prism_rtcp_twcc_next(&it, &s), ==, 0);
}

static void test_rtcp_twcc_decodes_one_bit_vector(void)
{
    /* 0x9F1C: lost, 5 received, 3 lost, 3 received, 2 lost. */
    const uint8_t tail[] = {0x9F, 0x1C, 1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t buf[64];
    struct prism_rtcp_twcc t;
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 0, 14, 0, tail, sizeof(tail)), &t), ==, 0);
    g_assert_cmpuint(t.received_count, ==, 8);
    const bool expected[14] = {0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0};
    struct prism_rtcp_twcc_iter it;
    struct prism_rtcp_twcc_status s;
    int64_t arrival = 0;
    int next_delta = 1;
    prism_rtcp_twcc_iter_init(&it, &t);
    for (unsigned i = 0; i < 14; i++) {
        g_assert_cmpint(prism_rtcp_twcc_next(&it, &s), ==, 1);
        g_assert_cmpuint(s.seq, ==, i);
        g_assert_cmpint(s.received, ==, expected[i]);
        if (expected[i]) {
            arrival += 250 * next_delta++;
            g_assert_cmpint(s.arrival_us, ==, arrival);
        }
    }
    g_assert_cmpint(prism_rtcp_twcc_next(&it, &s), ==, 0);
    /* Fewer statuses than the vector holds: the rest of the chunk is ignored. */
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 0, 2, 0, tail, 3), &t), ==, 0);
    g_assert_cmpuint(t.deltas_len, ==, 1);
}

static void test_rtcp_twcc_decodes_long_lost_run(void)
{
    const uint8_t tail[] = {0x00, 0xDD}; /* 221 packets not received */
    uint8_t buf[64];
    struct prism_rtcp_twcc t;
    struct prism_rtcp_twcc_iter it;
    struct prism_rtcp_twcc_status s;
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 1000, 221, 0, tail, 2), &t), ==, 0);
    g_assert_cmpuint(t.deltas_len, ==, 0);
    prism_rtcp_twcc_iter_init(&it, &t);
    unsigned n = 0;
    while (prism_rtcp_twcc_next(&it, &s) == 1) {
        g_assert_false(s.received);
        g_assert_cmpuint(s.seq, ==, 1000 + n);
        n++;
    }
    g_assert_cmpuint(n, ==, 221);
}

static void test_rtcp_twcc_rejects_count_beyond_chunks(void)
{
    const uint8_t tail[] = {0x00, 0xDD};
    uint8_t buf[64];
    struct prism_rtcp_twcc t;
    /* 222 packets announced; the padding word reads as an empty run, then nothing is left. */
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 0, 222, 0, tail, 2), &t), ==, -EBADMSG);
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 0, 1, 0, tail, 0), &t), ==, -EBADMSG);
}

static void test_rtcp_twcc_rejects_missing_deltas(void)
{
    /* 3 small + 7 large deltas need 17 bytes; 7 are there. */
    const uint8_t tail[] = {0x20, 0x03, 0xEA, 0xAA, 0x04, 0x08, 0x00, 0xFF, 0x38, 0x01, 0xFF};
    uint8_t buf[64];
    struct prism_rtcp_twcc t;
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 0, 10, 0, tail, sizeof(tail)), &t), ==,
                    -EBADMSG);
    /* A run of 8191 large deltas would need 16 KB of deltas. */
    const uint8_t huge_run[] = {0x5F, 0xFF, 0x00, 0x00};
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 0, 8191, 0, huge_run, 4), &t), ==, -EBADMSG);
}

static void test_rtcp_twcc_rejects_reserved_symbol(void)
{
    uint8_t buf[64];
    struct prism_rtcp_twcc t;
    const uint8_t run[] = {0x60, 0x03};
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 0, 3, 0, run, 2), &t), ==, -EBADMSG);
    const uint8_t vector[] = {0xC0, 0x0C, 0x00, 0x00}; /* lost x5, reserved, lost */
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 0, 7, 0, vector, 4), &t), ==, -EBADMSG);
    /* The same reserved symbol past the status count is never looked at. */
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 0, 5, 0, vector, 4), &t), ==, 0);
}

static void test_rtcp_twcc_handles_extreme_deltas_and_reference(void)
{
    /* Two large deltas: -32768 and +32767 ticks; reference time -2^23 * 64 ms. */
    const uint8_t tail[] = {0x40, 0x02, 0x80, 0x00, 0x7F, 0xFF};
    uint8_t buf[64];
    struct prism_rtcp_twcc t;
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 0, 2, 0x800000, tail, sizeof(tail)), &t), ==, 0);
    g_assert_cmpint(t.reference_time, ==, -8388608);
    struct prism_rtcp_twcc_iter it;
    prism_rtcp_twcc_iter_init(&it, &t);
    const int64_t reference = -8388608ll * 64000;
    next_status(&it, 0, true, -8192000, reference - 8192000);
    next_status(&it, 1, true, 8191750, reference - 250);
}

static void test_rtcp_twcc_covers_the_largest_status_count(void)
{
    /* 65535 lost packets: eight full runs of 8191 and a run of 7. */
    uint8_t tail[18];
    for (int i = 0; i < 8; i++)
        prism_write_be16(tail + 2 * i, 0x1FFF);
    prism_write_be16(tail + 16, 0x0007);
    uint8_t buf[64];
    struct prism_rtcp_twcc t;
    g_assert_cmpint(parse_twcc(buf, make_twcc(buf, 5, 65535, 0, tail, sizeof(tail)), &t), ==, 0);
    struct prism_rtcp_twcc_iter it;
    struct prism_rtcp_twcc_status s;
    prism_rtcp_twcc_iter_init(&it, &t);
    unsigned n = 0;
    while (prism_rtcp_twcc_next(&it, &s) == 1)
        n++;
    g_assert_cmpuint(n, ==, 65535);
    g_assert_cmpuint(s.seq, ==, (uint16_t)(5 + 65534));
}

static void test_rtcp_twcc_rejects_short_header_and_other_types(void)
{
    const uint8_t short_body[] = {0x8F, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0};
    struct prism_rtcp_twcc t;
    g_assert_cmpint(parse_twcc(short_body, sizeof(short_body), &t), ==, -EBADMSG);
    const uint8_t nack[] = {0x81, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0};
    g_assert_cmpint(parse_twcc(nack, sizeof(nack), &t), ==, -EINVAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtcp-twcc/decodes-run-length-and-two-bit-chunks",
                    test_rtcp_twcc_decodes_run_length_and_two_bit_chunks);
    g_test_add_func("/rtcp-twcc/decodes-one-bit-vector", test_rtcp_twcc_decodes_one_bit_vector);
    g_test_add_func("/rtcp-twcc/decodes-long-lost-run", test_rtcp_twcc_decodes_long_lost_run);
    g_test_add_func("/rtcp-twcc/rejects-count-beyond-chunks",
                    test_rtcp_twcc_rejects_count_beyond_chunks);
    g_test_add_func("/rtcp-twcc/rejects-missing-deltas", test_rtcp_twcc_rejects_missing_deltas);
    g_test_add_func("/rtcp-twcc/rejects-reserved-symbol", test_rtcp_twcc_rejects_reserved_symbol);
    g_test_add_func("/rtcp-twcc/handles-extreme-deltas-and-reference",
                    test_rtcp_twcc_handles_extreme_deltas_and_reference);
    g_test_add_func("/rtcp-twcc/covers-the-largest-status-count",
                    test_rtcp_twcc_covers_the_largest_status_count);
    g_test_add_func("/rtcp-twcc/rejects-short-header-and-other-types",
                    test_rtcp_twcc_rejects_short_header_and_other_types);
    return g_test_run();
}
