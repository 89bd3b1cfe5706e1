/* Transport-wide CC feedback building (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * section 3.1), checked by parsing what was built: chunk choice, deltas, reference time,
 * splitting on a delta too large and on a small buffer, and bad arguments. */
#include "media/rtcp/feedback.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#define NR PRISM_RTCP_TWCC_NOT_RECEIVED

static void parse_built(const uint8_t *buf, size_t len, struct prism_rtcp_twcc *t)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    prism_rtcp_iter_init(&it, buf, len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpuint(p.type, ==, PRISM_RTCP_RTPFB);
    g_assert_cmpuint(p.count, ==, PRISM_RTCP_RTPFB_TWCC);
    g_assert_cmpint(prism_rtcp_twcc_parse(&p, t), ==, 0);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 0);
}

/* Builds `in`, parses it and checks every status against in->arrivals, each arrival within
 * half a delta unit (125 us) of the original. Returns how many packets it covered. */
static size_t build_and_check(const struct prism_rtcp_twcc_feedback *in, size_t cap)
{
    uint8_t buf[1500];
    size_t covered = 0;
    int len = prism_rtcp_build_twcc(buf, cap, in, &covered);
    g_assert_cmpint(len, >, 0);
    g_assert_cmpuint((size_t)len, <=, cap);
    g_assert_cmpuint(len % 4, ==, 0);
    g_assert_cmpuint(covered, >=, 1);
    struct prism_rtcp_twcc t;
    parse_built(buf, (size_t)len, &t);
    g_assert_cmpuint(t.sender_ssrc, ==, in->sender_ssrc);
    g_assert_cmpuint(t.media_ssrc, ==, in->media_ssrc);
    g_assert_cmpuint(t.base_seq, ==, in->base_seq);
    g_assert_cmpuint(t.status_count, ==, covered);
    g_assert_cmpuint(t.fb_count, ==, in->fb_count);
    struct prism_rtcp_twcc_iter it;
    struct prism_rtcp_twcc_status s;
    prism_rtcp_twcc_iter_init(&it, &t);
    for (size_t i = 0; i < covered; i++) {
        g_assert_cmpint(prism_rtcp_twcc_next(&it, &s), ==, 1);
        g_assert_cmpuint(s.seq, ==, (uint16_t)(in->base_seq + i));
        g_assert_cmpint(s.received, ==, in->arrivals[i] != NR);
        if (s.received) {
            /* The reference time wraps at 2^24 * 64 ms; the test times stay far below. */
            g_assert_cmpint(s.arrival_us - in->arrivals[i], <=, 125);
            g_assert_cmpint(in->arrivals[i] - s.arrival_us, <=, 125);
        }
    }
    g_assert_cmpint(prism_rtcp_twcc_next(&it, &s), ==, 0);
    return covered;
}

static void test_twcc_build_reports_small_deltas_in_order(void)
{
    const int64_t arrivals[] = {1000000, 1001000, 1002250, 1002250, 1010000, 1060000};
    struct prism_rtcp_twcc_feedback in = {0x1111, 0x2222, 65533, 9, arrivals, 6};
    g_assert_cmpuint(build_and_check(&in, 1500), ==, 6);
    /* Reference 1,000,000 us / 64 ms = 15 (960 ms); first delta 40 ms = 160 units, small. */
    uint8_t buf[64];
    size_t covered;
    int len = prism_rtcp_build_twcc(buf, sizeof(buf), &in, &covered);
    g_assert_cmpint(len, ==, 20 + 2 + 6 + 0);
    g_assert_cmpuint(buf[16] << 16 | buf[17] << 8 | buf[18], ==, 15);
    g_assert_cmpuint(buf[20] << 8 | buf[21], ==, 0x2000 | 6); /* one run of 6 small deltas */
    g_assert_cmpuint(buf[22], ==, 160);
}

static void test_twcc_build_uses_vectors_for_losses_and_large_deltas(void)
{
    /* Mixed received/lost (1-bit vector), then a reordered packet (negative delta) and a gap
     * over 63.75 ms (both large: 2-bit vector). */
    const int64_t arrivals[] = {5000, NR,   6000,   NR, 7000,   7500,   NR,
                                8000, 7900, 200000, NR, 200250, 200500, NR};
    struct prism_rtcp_twcc_feedback in = {1, 2, 100, 0, arrivals, G_N_ELEMENTS(arrivals)};
    g_assert_cmpuint(build_and_check(&in, 1500), ==, G_N_ELEMENTS(arrivals));
}

static void test_twcc_build_long_loss_runs_use_run_length(void)
{
    int64_t arrivals[600];
    for (size_t i = 0; i < 600; i++)
        arrivals[i] = NR;
    arrivals[0] = 123456;
    arrivals[599] = 123456 + 50000;
    struct prism_rtcp_twcc_feedback in = {1, 2, 0, 0, arrivals, 600};
    uint8_t buf[64];
    size_t covered;
    int len = prism_rtcp_build_twcc(buf, sizeof(buf), &in, &covered);
    /* Run of 1 received, run of 598 lost, run of 1 received: 3 chunks and 2 deltas. */
    g_assert_cmpint(len, ==, 20 + 6 + 2 + 0);
    g_assert_cmpuint(covered, ==, 600);
    g_assert_cmpuint(build_and_check(&in, 1500), ==, 600);
}

static void test_twcc_build_splits_before_a_delta_over_16_bits(void)
{
    /* 9 s later does not fit a signed 16-bit count of 250 us: the feedback stops there. */
    const int64_t arrivals[] = {0, 1000, 9001000, 9002000};
    struct prism_rtcp_twcc_feedback in = {1, 2, 7, 0, arrivals, 4};
    g_assert_cmpuint(build_and_check(&in, 1500), ==, 2);
    struct prism_rtcp_twcc_feedback rest = {1, 2, 9, 1, arrivals + 2, 2};
    g_assert_cmpuint(build_and_check(&rest, 1500), ==, 2);
}

static void test_twcc_build_splits_when_the_buffer_is_small(void)
{
    int64_t arrivals[300];
    for (size_t i = 0; i < 300; i++)
        arrivals[i] = 1000000 + (int64_t)i * ((i % 3) ? 1000 : 70000); /* small and large */
    struct prism_rtcp_twcc_feedback in = {1, 2, 0, 0, arrivals, 300};
    size_t first = build_and_check(&in, 100);
    g_assert_cmpuint(first, <, 300);
    size_t done = first;
    while (done < 300) {
        struct prism_rtcp_twcc_feedback rest = {1,         2, (uint16_t)done, 0, arrivals + done,
                                                300 - done};
        done += build_and_check(&rest, 100);
    }
    g_assert_cmpuint(done, ==, 300);
}

static void test_twcc_build_ends_inside_a_chunk_that_does_not_fit(void)
{
    /* A run of 40 small deltas needs 40 bytes: in 24 bytes the run is cut to 2 packets. */
    int64_t arrivals[40];
    for (size_t i = 0; i < 40; i++)
        arrivals[i] = 64000 + (int64_t)i * 1000;
    struct prism_rtcp_twcc_feedback in = {1, 2, 0, 0, arrivals, 40};
    g_assert_cmpuint(build_and_check(&in, 24), ==, 2);
    /* A 2-bit vector of 7 needing 7 delta bytes, cut after its sixth slot to fit 28 bytes. */
    const int64_t mixed[] = {64000, 200000, NR, 201000, 202000, 203000, 204000};
    struct prism_rtcp_twcc_feedback vec = {1, 2, 0, 0, mixed, G_N_ELEMENTS(mixed)};
    g_assert_cmpuint(build_and_check(&vec, 28), ==, 6);
}

static void test_twcc_build_rounding_does_not_accumulate(void)
{
    /* 100 packets 1.1 ms apart: every delta rounds, the rebuilt times stay within 125 us. */
    int64_t arrivals[100];
    for (size_t i = 0; i < 100; i++)
        arrivals[i] = 64000 * 10 + 37 + (int64_t)i * 1100;
    struct prism_rtcp_twcc_feedback in = {1, 2, 0, 0, arrivals, 100};
    g_assert_cmpuint(build_and_check(&in, 1500), ==, 100);
}

static void test_twcc_build_random_round_trips(void)
{
    GRand *rand = g_rand_new_with_seed(14);
    int64_t arrivals[PRISM_RTCP_TWCC_MAX_STATUS + 10];
    for (int round = 0; round < 200; round++) {
        size_t count = (size_t)g_rand_int_range(rand, 1, G_N_ELEMENTS(arrivals));
        int64_t t = g_rand_int_range(rand, -1000000, 1000000);
        for (size_t i = 0; i < count; i++) {
            t += g_rand_int_range(rand, -5000, 80000);
            arrivals[i] = g_rand_int_range(rand, 0, 4) == 0 ? NR : t;
        }
        struct prism_rtcp_twcc_feedback in = {1, 2, (uint16_t)g_rand_int(rand), 0, arrivals, count};
        size_t done = 0;
        while (done < count) {
            in.arrivals = arrivals + done;
            in.count = count - done;
            size_t covered = build_and_check(&in, 1200);
            done += covered;
            in.base_seq = (uint16_t)(in.base_seq + covered);
        }
    }
    g_rand_free(rand);
}

static void test_twcc_build_rejects_bad_arguments(void)
{
    const int64_t arrivals[] = {1000};
    uint8_t buf[64];
    size_t covered = 99;
    struct prism_rtcp_twcc_feedback in = {1, 2, 0, 0, arrivals, 1};
    g_assert_cmpint(prism_rtcp_build_twcc(NULL, 64, &in, &covered), ==, -EINVAL);
    g_assert_cmpint(prism_rtcp_build_twcc(buf, 64, NULL, &covered), ==, -EINVAL);
    g_assert_cmpint(prism_rtcp_build_twcc(buf, 64, &in, NULL), ==, -EINVAL);
    in.count = 0;
    g_assert_cmpint(prism_rtcp_build_twcc(buf, 64, &in, &covered), ==, -EINVAL);
    in.count = 70000;
    g_assert_cmpint(prism_rtcp_build_twcc(buf, 64, &in, &covered), ==, -EINVAL);
    in.count = 1;
    in.arrivals = NULL;
    g_assert_cmpint(prism_rtcp_build_twcc(buf, 64, &in, &covered), ==, -EINVAL);
    in.arrivals = arrivals;
    g_assert_cmpint(prism_rtcp_build_twcc(buf, 23, &in, &covered), ==, -ENOSPC);
    g_assert_cmpuint(covered, ==, 99); /* untouched on failure */
    g_assert_cmpint(prism_rtcp_build_twcc(buf, 24, &in, &covered), ==, 24);
    g_assert_cmpuint(covered, ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/twcc_build/small_deltas_in_order",
                    test_twcc_build_reports_small_deltas_in_order);
    g_test_add_func("/twcc_build/vectors_for_losses_and_large_deltas",
                    test_twcc_build_uses_vectors_for_losses_and_large_deltas);
    g_test_add_func("/twcc_build/long_loss_runs_use_run_length",
                    test_twcc_build_long_loss_runs_use_run_length);
    g_test_add_func("/twcc_build/splits_before_a_delta_over_16_bits",
                    test_twcc_build_splits_before_a_delta_over_16_bits);
    g_test_add_func("/twcc_build/splits_when_the_buffer_is_small",
                    test_twcc_build_splits_when_the_buffer_is_small);
    g_test_add_func("/twcc_build/ends_inside_a_chunk_that_does_not_fit",
                    test_twcc_build_ends_inside_a_chunk_that_does_not_fit);
    g_test_add_func("/twcc_build/rounding_does_not_accumulate",
                    test_twcc_build_rounding_does_not_accumulate);
    g_test_add_func("/twcc_build/random_round_trips", test_twcc_build_random_round_trips);
    g_test_add_func("/twcc_build/rejects_bad_arguments", test_twcc_build_rejects_bad_arguments);
    return g_test_run();
}
