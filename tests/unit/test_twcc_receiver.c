/* Receive-side transport-wide CC: arrivals recorded by transport sequence number across the
 * 16-bit wrap, reordering, duplicates, late and missing packets, and the feedback they become. */
#include "media/feedback/twcc_receiver.h"
#include "media/rtcp/feedback.h"

#include <errno.h>

#include <glib.h>

/* Builds the pending feedback into *t (buf keeps the bytes alive). */
static void build(struct prism_twcc_receiver *r, uint8_t *buf, size_t cap,
                  struct prism_rtcp_twcc *t)
{
    int len = prism_twcc_receiver_build(r, buf, cap, 0xAAAA, 0xBBBB);
    g_assert_cmpint(len, >, 0);
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    prism_rtcp_iter_init(&it, buf, (size_t)len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpint(prism_rtcp_twcc_parse(&p, t), ==, 0);
}

static void expect(struct prism_rtcp_twcc_iter *it, uint16_t seq, bool received, int64_t arrival)
{
    struct prism_rtcp_twcc_status s;
    g_assert_cmpint(prism_rtcp_twcc_next(it, &s), ==, 1);
    g_assert_cmpuint(s.seq, ==, seq);
    g_assert_cmpint(s.received, ==, received);
    if (received)
        g_assert_cmpint(s.arrival_us, ==, arrival);
}

static void test_twcc_receiver_reports_across_the_wrap_with_reordering(void)
{
    struct prism_twcc_receiver r;
    prism_twcc_receiver_init(&r);
    g_assert_false(prism_twcc_receiver_pending(&r));
    uint8_t buf[1500];
    g_assert_cmpint(prism_twcc_receiver_build(&r, buf, sizeof(buf), 1, 2), ==, 0);
    prism_twcc_receiver_on_packet(&r, 65534, 1000000);
    prism_twcc_receiver_on_packet(&r, 0, 1002000); /* 65535 missing so far */
    prism_twcc_receiver_on_packet(&r, 2, 1003000); /* 1 missing */
    prism_twcc_receiver_on_packet(&r, 1, 1004000); /* reordered */
    prism_twcc_receiver_on_packet(&r, 1, 1009000); /* duplicate: first arrival kept */
    g_assert_true(prism_twcc_receiver_pending(&r));
    struct prism_rtcp_twcc t;
    build(&r, buf, sizeof(buf), &t);
    g_assert_cmpuint(t.base_seq, ==, 65534);
    g_assert_cmpuint(t.status_count, ==, 5);
    g_assert_cmpuint(t.fb_count, ==, 0);
    struct prism_rtcp_twcc_iter it;
    prism_rtcp_twcc_iter_init(&it, &t);
    expect(&it, 65534, true, 1000000);
    expect(&it, 65535, false, 0);
    expect(&it, 0, true, 1002000);
    expect(&it, 1, true, 1004000);
    expect(&it, 2, true, 1003000);
    g_assert_false(prism_twcc_receiver_pending(&r));

    /* Late 65535 after its feedback: ignored. The next feedback starts after 2. */
    prism_twcc_receiver_on_packet(&r, 65535, 1010000);
    g_assert_false(prism_twcc_receiver_pending(&r));
    prism_twcc_receiver_on_packet(&r, 4, 1100000);
    build(&r, buf, sizeof(buf), &t);
    g_assert_cmpuint(t.base_seq, ==, 3);
    g_assert_cmpuint(t.fb_count, ==, 1);
    prism_rtcp_twcc_iter_init(&it, &t);
    expect(&it, 3, false, 0);
    expect(&it, 4, true, 1100000);
}

static void test_twcc_receiver_gives_up_packets_out_of_the_window(void)
{
    struct prism_twcc_receiver r;
    prism_twcc_receiver_init(&r);
    prism_twcc_receiver_on_packet(&r, 10, 500000);
    prism_twcc_receiver_on_packet(&r, 10 + 3000, 600000); /* far ahead: 10 falls out */
    uint8_t buf[1500];
    struct prism_rtcp_twcc t;
    build(&r, buf, sizeof(buf), &t);
    g_assert_cmpuint(t.status_count, ==, PRISM_TWCC_RECEIVER_WINDOW);
    g_assert_cmpuint(t.base_seq, ==, 10 + 3000 - PRISM_TWCC_RECEIVER_WINDOW + 1);
    g_assert_cmpuint(t.received_count, ==, 1);
    g_assert_false(prism_twcc_receiver_pending(&r));
}

static void test_twcc_receiver_splits_feedback_that_does_not_fit(void)
{
    struct prism_twcc_receiver r;
    prism_twcc_receiver_init(&r);
    for (uint16_t i = 0; i < 500; i++)
        prism_twcc_receiver_on_packet(&r, i, 1000000 + (uint64_t)i * 100000); /* large deltas */
    uint8_t buf[200];
    unsigned feedbacks = 0, reported = 0;
    uint16_t expected_base = 0;
    while (prism_twcc_receiver_pending(&r)) {
        struct prism_rtcp_twcc t;
        build(&r, buf, sizeof(buf), &t);
        g_assert_cmpuint(t.base_seq, ==, expected_base);
        g_assert_cmpuint(t.received_count, ==, t.status_count);
        expected_base = (uint16_t)(expected_base + t.status_count);
        reported += t.status_count;
        feedbacks++;
    }
    g_assert_cmpuint(reported, ==, 500);
    g_assert_cmpuint(feedbacks, >, 1);
    g_assert_cmpint(prism_twcc_receiver_build(&r, buf, 16, 1, 2), ==, 0);
    prism_twcc_receiver_on_packet(&r, 500, 0);
    g_assert_cmpint(prism_twcc_receiver_build(&r, buf, 16, 1, 2), ==, -ENOSPC);
    g_assert_true(prism_twcc_receiver_pending(&r));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/twcc_receiver/reports_across_the_wrap_with_reordering",
                    test_twcc_receiver_reports_across_the_wrap_with_reordering);
    g_test_add_func("/twcc_receiver/gives_up_packets_out_of_the_window",
                    test_twcc_receiver_gives_up_packets_out_of_the_window);
    g_test_add_func("/twcc_receiver/splits_feedback_that_does_not_fit",
                    test_twcc_receiver_splits_feedback_that_does_not_fit);
    return g_test_run();
}
