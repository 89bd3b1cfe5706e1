/* The bandwidth estimator's send history and acknowledged ring: small for a viewer's rate,
 * grown (never forgetting what feedback may still name) for a fast sender, bounded for one
 * that never gets feedback. */
#include "media/bwe/internal.h"

#include <glib.h>

#define MS 1000u

/* Sends `count` packets of 1200 bytes from `seq`, `gap_us` apart from *now. */
static uint16_t send_packets(struct bwe_history *h, uint16_t seq, unsigned count, uint64_t gap_us,
                             uint64_t *now)
{
    for (unsigned i = 0; i < count; i++, seq++, *now += gap_us)
        bwe_history_on_sent(h, seq, 1200, *now, 0);
    return seq;
}

/* A viewer's 100 packets a second with feedback every 100 ms: the rings stay at their start. */
static void test_history_stays_small_for_a_viewer(void)
{
    struct bwe_history h;
    g_assert_cmpint(bwe_history_init(&h), ==, 0);
    uint64_t now = 1000000;
    uint16_t seq = 65000; /* wraps on the way */
    for (int round = 0; round < 100; round++) {
        uint16_t first = seq;
        seq = send_packets(&h, seq, 10, 10 * MS, &now);
        for (uint16_t s = first; s != seq; s++) {
            struct bwe_sent *sent = bwe_history_find(&h, s);
            g_assert_nonnull(sent);
            sent->reported = true;
            bwe_history_on_acked(&h, (int64_t)now, sent->size);
        }
    }
    g_assert_cmpuint(h.sent_size, ==, BWE_RING_START);
    g_assert_cmpuint(h.acked_size, ==, BWE_RING_START);
    /* Acknowledged 10 at a time every 100 ms: the window holds 5 of them (50 x 1200 bytes)
     * over the 400 ms between the first and the last, 1.2 Mbit/s. */
    g_assert_cmpuint(bwe_history_acked_bps(&h), ==, 1200000);
    bwe_history_clear(&h);
}

/* 3,000 packets in 600 ms before any feedback: every one is still found, in order. */
static void test_history_grows_for_a_fast_sender(void)
{
    struct bwe_history h;
    g_assert_cmpint(bwe_history_init(&h), ==, 0);
    uint64_t now = 1000000;
    uint16_t first = 100;
    send_packets(&h, first, 3000, 200, &now);
    g_assert_cmpuint(h.sent_size, ==, 4096);
    for (unsigned i = 0; i < 3000; i++) {
        struct bwe_sent *sent = bwe_history_find(&h, (uint16_t)(first + i));
        g_assert_nonnull(sent);
        g_assert_cmpuint(sent->send_us, ==, 1000000 + 200u * i);
        sent->reported = true;
        bwe_history_on_acked(&h, (int64_t)(2000000 + 100u * i), sent->size);
    }
    /* Acknowledged 3,000 x 1200 bytes in 300 ms, all within the window: 96 Mbit/s. */
    g_assert_cmpuint(h.acked_size, >=, 3000);
    uint64_t bps = bwe_history_acked_bps(&h);
    g_assert_cmpuint(bps, >=, 95000000);
    g_assert_cmpuint(bps, <=, 97000000);
    /* Reported packets are not found again. */
    g_assert_null(bwe_history_find(&h, first));
    bwe_history_clear(&h);
}

/* A sender that never gets feedback: the ring stops at its bound and forgets the oldest. */
static void test_history_is_bounded_without_feedback(void)
{
    struct bwe_history h;
    g_assert_cmpint(bwe_history_init(&h), ==, 0);
    uint64_t now = 1000000;
    uint16_t last = send_packets(&h, 0, 10000, 50, &now);
    g_assert_cmpuint(h.sent_size, ==, BWE_HISTORY_MAX);
    g_assert_null(bwe_history_find(&h, 0));
    g_assert_nonnull(bwe_history_find(&h, (uint16_t)(last - 1)));
    g_assert_nonnull(bwe_history_find(&h, (uint16_t)(last - BWE_HISTORY_MAX)));
    g_assert_null(bwe_history_find(&h, (uint16_t)(last - BWE_HISTORY_MAX - 1)));
    for (unsigned i = 0; i < 10000; i++)
        bwe_history_on_acked(&h, 1000, 1200); /* one instant: all within the window */
    g_assert_cmpuint(h.acked_size, ==, BWE_ACKED_MAX);
    g_assert_cmpuint(h.acked_count, ==, BWE_ACKED_MAX);
    bwe_history_clear(&h);
}

/* Old packets nobody named are simply replaced: no growth for what feedback can no longer
 * name. */
static void test_history_replaces_stale_packets(void)
{
    struct bwe_history h;
    g_assert_cmpint(bwe_history_init(&h), ==, 0);
    uint64_t now = 1000000;
    /* 64 packets, then the next 64 come 2 s later: the first ones are past keeping. */
    uint16_t seq = send_packets(&h, 0, BWE_RING_START, 1 * MS, &now);
    now += 2000000;
    send_packets(&h, seq, BWE_RING_START, 1 * MS, &now);
    g_assert_cmpuint(h.sent_size, ==, BWE_RING_START);
    g_assert_null(bwe_history_find(&h, 0));
    g_assert_nonnull(bwe_history_find(&h, seq));
    bwe_history_clear(&h);
}

/* Behind a queue of seconds (a 300 kbit/s link behind 50 packets): feedback stops at what got
 * through; packets sent since are kept however old until a feedback reaches them, and those it
 * passed (reported lost) only for BWE_HISTORY_KEEP_US. */
static void test_history_keeps_packets_feedback_has_not_reached(void)
{
    struct bwe_history h;
    g_assert_cmpint(bwe_history_init(&h), ==, 0);
    uint64_t now = 1000000;
    uint16_t seq = send_packets(&h, 0, 10, 10 * MS, &now);
    for (uint16_t s = 0; s < 5; s++)
        bwe_history_find(&h, s)->reported = true; /* 5-9 not reached */
    send_packets(&h, seq, 400, 10 * MS, &now);    /* 4 s more, no feedback */
    g_assert_cmpuint(h.sent_size, ==, 512);
    for (uint16_t s = 5; s < 410; s++)
        g_assert_nonnull(bwe_history_find(&h, s));
    /* That feedback named them all lost (found, not reported): 600 ms later they may go. */
    now += 600 * MS;
    send_packets(&h, 410, 512, 1 * MS, &now);
    g_assert_cmpuint(h.sent_size, ==, 512);
    g_assert_null(bwe_history_find(&h, 5));
    bwe_history_clear(&h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bwe/history/stays-small-for-a-viewer", test_history_stays_small_for_a_viewer);
    g_test_add_func("/bwe/history/grows-for-a-fast-sender", test_history_grows_for_a_fast_sender);
    g_test_add_func("/bwe/history/bounded-without-feedback",
                    test_history_is_bounded_without_feedback);
    g_test_add_func("/bwe/history/replaces-stale-packets", test_history_replaces_stale_packets);
    g_test_add_func("/bwe/history/keeps-packets-feedback-has-not-reached",
                    test_history_keeps_packets_feedback_has_not_reached);
    return g_test_run();
}
