/* RFC 3550 reception statistics: interarrival jitter (A.8) against a direct floating-point
 * evaluation of its definition, fraction and cumulative loss (A.3), LSR/DLSR, extended highest
 * sequence number, and the report block as it goes into an RR. */
#include "media/nack/receiver.h"
#include "media/nack/stats.h"
#include "media/rtcp/rtcp.h"

#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>

#define MS 1000ull

/* RFC 3550 section 6.4.1: D(i,j) = (Rj - Ri) - (Sj - Si), J += (|D(i-1,i)| - J) / 16, in
 * timestamp units: in floating point as defined, and in the scaled integer form of appendix
 * A.8 (J kept times 16, reported as J >> 4), which settles up to half a unit lower. */
struct reference {
    double jitter;
    double last_transit;
    int64_t a8_jitter;
    int64_t a8_last_transit;
    bool started;
};

static void reference_feed(struct reference *ref, uint64_t arrival_us, uint32_t clock_rate,
                           uint32_t timestamp)
{
    double transit = arrival_us * (double)clock_rate / 1e6 - timestamp;
    int64_t a8_transit = (int64_t)(arrival_us * clock_rate / 1000000) - timestamp;
    if (ref->started) {
        double d = fabs(transit - ref->last_transit);
        ref->jitter += (d - ref->jitter) / 16;
        int64_t a8_d = llabs(a8_transit - ref->a8_last_transit);
        ref->a8_jitter += a8_d - ((ref->a8_jitter + 8) >> 4);
    }
    ref->started = true;
    ref->last_transit = transit;
    ref->a8_last_transit = a8_transit;
}

static void assert_matches(const struct prism_nack_stats *s, const struct reference *ref)
{
    g_assert_cmpuint(prism_nack_stats_jitter_value(s), ==, ref->a8_jitter >> 4);
    g_assert_cmpfloat(fabs(prism_nack_stats_jitter_value(s) - ref->jitter), <=, 1.5);
}

static void test_receiver_jitter_matches_rfc3550(void)
{
    /* Audio at 8 kHz, 20 ms packets; the network adds 0 or 5 ms alternately, so every
     * transit difference is 5 ms = 40 units and the jitter converges on 40. */
    struct prism_nack_stats s;
    struct reference ref = {0};
    prism_nack_stats_init(&s, 8000);
    for (uint32_t i = 0; i < 300; i++) {
        uint64_t arrival = 1000000 + 20 * MS * i + (i % 2 ? 5 * MS : 0);
        uint32_t ts = 160 * i;
        prism_nack_stats_jitter(&s, ts, arrival);
        reference_feed(&ref, arrival, 8000, ts);
        assert_matches(&s, &ref);
        if (i == 1)
            g_assert_cmpuint(prism_nack_stats_jitter_value(&s), ==, 2); /* 40/16 = 2.5 */
    }
    g_assert_cmpfloat(fabs(ref.jitter - 40), <, 0.01);
    g_assert_cmpuint(s.jitter_q4, ==, 632); /* A.8's fixed point: 39.5 */
    g_assert_cmpuint(prism_nack_stats_jitter_value(&s), ==, 39);
}

static void test_receiver_jitter_follows_random_delays_at_90khz(void)
{
    /* Video at 90 kHz, 30 frames per second, transit delays drawn uniformly from 0-30 ms, and
     * RTP timestamps starting near the 32-bit wrap. */
    struct prism_nack_stats s;
    struct reference ref = {0};
    GRand *rand = g_rand_new_with_seed(42);
    prism_nack_stats_init(&s, 90000);
    for (uint32_t i = 0; i < 2000; i++) {
        uint64_t sent_us = 5000000 + i * 1000000ull / 30;
        uint64_t arrival = sent_us + (uint64_t)g_rand_int_range(rand, 0, 30000);
        uint32_t ts = 0xFFFF0000u + (uint32_t)(sent_us * 90 / 1000);
        prism_nack_stats_jitter(&s, ts, arrival);
        reference_feed(&ref, arrival, 90000, ts);
        assert_matches(&s, &ref);
    }
    /* The mean |D| of two independent uniform 0-30 ms delays is 10 ms = 900 units. */
    g_assert_cmpfloat(fabs(ref.jitter - 900), <, 300);
    g_rand_free(rand);
}

static void test_receiver_fraction_lost(void)
{
    struct prism_nack_stats s;
    struct prism_rtcp_report_block rb;
    prism_nack_stats_init(&s, 90000);
    g_assert_cmpint(prism_nack_stats_report(&s, 1, 0, &rb), ==, -ENODATA);
    /* 1000..1099 with ten packets missing: 10/100 lost = 25/256 (25.6 rounded down). */
    prism_nack_stats_start(&s, 1000);
    for (int64_t seq = 1001; seq < 1100; seq++) {
        if (seq % 10 != 5)
            prism_nack_stats_received(&s, seq);
    }
    g_assert_cmpint(prism_nack_stats_report(&s, 0xABCD, 0, &rb), ==, 0);
    g_assert_cmpuint(rb.ssrc, ==, 0xABCD);
    g_assert_cmpuint(rb.fraction_lost, ==, 25);
    g_assert_cmpint(rb.cumulative_lost, ==, 10);
    g_assert_cmpuint(rb.highest_seq, ==, 1099);
    /* A clean interval: the fraction drops to 0, the cumulative count stays. */
    for (int64_t seq = 1100; seq < 1200; seq++)
        prism_nack_stats_received(&s, seq);
    g_assert_cmpint(prism_nack_stats_report(&s, 0xABCD, 0, &rb), ==, 0);
    g_assert_cmpuint(rb.fraction_lost, ==, 0);
    g_assert_cmpint(rb.cumulative_lost, ==, 10);
    /* Duplicates (more received than expected) count as no loss, and lower the total. */
    for (int64_t seq = 1195; seq < 1200; seq++)
        prism_nack_stats_received(&s, seq);
    g_assert_cmpint(prism_nack_stats_report(&s, 0xABCD, 0, &rb), ==, 0);
    g_assert_cmpuint(rb.fraction_lost, ==, 0);
    g_assert_cmpint(rb.cumulative_lost, ==, 5);
    /* Half of the next 4 lost: 128/256. */
    prism_nack_stats_received(&s, 1201);
    prism_nack_stats_received(&s, 1203);
    g_assert_cmpint(prism_nack_stats_report(&s, 0xABCD, 0, &rb), ==, 0);
    g_assert_cmpuint(rb.fraction_lost, ==, 128);
    g_assert_cmpint(rb.cumulative_lost, ==, 7);
    g_assert_cmpuint(prism_nack_stats_expected(&s), ==, 204);
}

static void test_receiver_reports_last_sr_and_delay(void)
{
    struct prism_nack_stats s;
    struct prism_rtcp_report_block rb;
    prism_nack_stats_init(&s, 48000);
    prism_nack_stats_start(&s, 7);
    g_assert_cmpint(prism_nack_stats_report(&s, 1, 10 * MS, &rb), ==, 0);
    g_assert_cmpuint(rb.last_sr, ==, 0); /* no SR yet: both zero (RFC 3550 6.4.1) */
    g_assert_cmpuint(rb.delay_since_last_sr, ==, 0);
    prism_nack_stats_on_sr(&s, 0x0123456789ABCDEFull, 2000 * MS);
    g_assert_cmpint(prism_nack_stats_report(&s, 1, 3500 * MS, &rb), ==, 0);
    g_assert_cmpuint(rb.last_sr, ==, 0x456789AB);
    g_assert_cmpuint(rb.delay_since_last_sr, ==, 98304); /* 1.5 s in 1/65536 s */
}

static void test_receiver_report_goes_into_an_rr(void)
{
    struct prism_nack_receiver_config cfg = {
        .ssrc = 0x5000, .sender_ssrc = 0x6000, .clock_rate = 90000};
    struct prism_nack_receiver *r = NULL;
    g_assert_cmpint(prism_nack_receiver_create(&cfg, &r), ==, 0);
    struct prism_rtcp_report_block rb;
    g_assert_cmpint(prism_nack_receiver_report(r, 0, &rb), ==, -ENODATA);
    /* Through the wrap: 65530 .. 65535, 0 .. 9 with 3 missing. */
    for (uint32_t i = 0; i < 16; i++) {
        if (i != 8)
            prism_nack_receiver_on_packet(r, (uint16_t)(65530 + i), 90 * i, false, i * MS);
    }
    prism_nack_receiver_on_sr(r, 0x1122334455667788ull, 5 * MS);
    g_assert_cmpint(prism_nack_receiver_report(r, 6 * MS, &rb), ==, 0);

    uint8_t rtcp[64];
    int len = prism_rtcp_build_rr(rtcp, sizeof(rtcp), 0x6000, &rb, 1);
    g_assert_cmpint(len, ==, 32);
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_rr rr;
    struct prism_rtcp_report_block back;
    prism_rtcp_iter_init(&it, rtcp, (size_t)len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpint(prism_rtcp_rr_parse(&p, &rr), ==, 0);
    g_assert_cmpuint(rr.ssrc, ==, 0x6000);
    g_assert_cmpint(prism_rtcp_report_get(&rr.reports, 0, &back), ==, 0);
    g_assert_cmpuint(back.ssrc, ==, 0x5000);
    g_assert_cmpuint(back.highest_seq, ==, 0x10009); /* one cycle, sequence number 9 */
    g_assert_cmpint(back.cumulative_lost, ==, 1);
    g_assert_cmpuint(back.fraction_lost, ==, 16); /* 1/16 */
    g_assert_cmpuint(back.jitter, ==, 0);         /* perfectly regular arrivals */
    g_assert_cmpuint(back.last_sr, ==, 0x33445566);
    g_assert_cmpuint(back.delay_since_last_sr, ==, 65);
    prism_nack_receiver_destroy(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nack-stats/jitter-matches-rfc3550", test_receiver_jitter_matches_rfc3550);
    g_test_add_func("/nack-stats/jitter-follows-random-delays-at-90khz",
                    test_receiver_jitter_follows_random_delays_at_90khz);
    g_test_add_func("/nack-stats/fraction-lost", test_receiver_fraction_lost);
    g_test_add_func("/nack-stats/reports-last-sr-and-delay",
                    test_receiver_reports_last_sr_and_delay);
    g_test_add_func("/nack-stats/report-goes-into-an-rr", test_receiver_report_goes_into_an_rr);
    return g_test_run();
}
