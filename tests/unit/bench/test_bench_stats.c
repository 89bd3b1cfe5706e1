/* Receive statistics (loss, reordering, duplicates, RFC 3550 jitter) and the latency histogram
 * of prism-bench, on synthetic sequences with known answers. */
#include <glib.h>
#include <string.h>

#include "bench/lib/stats/histogram.h"
#include "bench/lib/stats/seq_stats.h"

#define AUDIO_RATE 48000

/* Feeds sequence numbers as 20 ms audio packets of 100 bytes arriving on time. */
static void feed(struct bench_seq_stats *stats, const uint16_t *seqs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint16_t seq = seqs[i];
        stats->clock_rate = AUDIO_RATE;
        bench_seq_stats_update(stats, seq, (uint32_t)seq * 960, (uint64_t)seq * 20000, 100);
    }
}

static void test_seq_stats_counts_in_order_stream(void)
{
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, AUDIO_RATE);
    g_assert_cmpuint(bench_seq_stats_expected(&stats), ==, 0);
    for (uint16_t seq = 1000; seq < 1100; seq++)
        bench_seq_stats_update(&stats, seq, seq * 960u, 5000000 + (seq - 1000u) * 20000, 120);
    g_assert_cmpuint(bench_seq_stats_expected(&stats), ==, 100);
    g_assert_cmpuint(stats.received, ==, 100);
    g_assert_cmpuint(stats.bytes, ==, 12000);
    g_assert_cmpuint(bench_seq_stats_lost(&stats), ==, 0);
    g_assert_cmpuint(stats.reordered, ==, 0);
    g_assert_cmpuint(stats.duplicates, ==, 0);
}

static void test_seq_stats_counts_gaps_as_loss(void)
{
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, AUDIO_RATE);
    for (uint16_t seq = 0; seq < 100; seq++) {
        if (seq == 10 || (seq >= 20 && seq < 25))
            continue;
        feed(&stats, &seq, 1);
    }
    g_assert_cmpuint(bench_seq_stats_expected(&stats), ==, 100);
    g_assert_cmpuint(stats.received, ==, 94);
    g_assert_cmpuint(bench_seq_stats_lost(&stats), ==, 6);
    g_assert_cmpuint(stats.reordered, ==, 0);
}

static void test_seq_stats_counts_late_packets_as_reordered_not_lost(void)
{
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, AUDIO_RATE);
    const uint16_t seqs[] = {0, 1, 3, 2, 4, 7, 5, 6, 8};
    feed(&stats, seqs, G_N_ELEMENTS(seqs));
    g_assert_cmpuint(bench_seq_stats_expected(&stats), ==, 9);
    g_assert_cmpuint(bench_seq_stats_lost(&stats), ==, 0);
    g_assert_cmpuint(stats.reordered, ==, 3);
    g_assert_cmpuint(stats.duplicates, ==, 0);
}

static void test_seq_stats_counts_packet_from_before_the_first(void)
{
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, AUDIO_RATE);
    const uint16_t seqs[] = {1, 0, 65535, 2};
    feed(&stats, seqs, G_N_ELEMENTS(seqs));
    g_assert_cmpuint(bench_seq_stats_expected(&stats), ==, 4);
    g_assert_cmpuint(bench_seq_stats_lost(&stats), ==, 0);
    g_assert_cmpuint(stats.reordered, ==, 2);
}

static void test_seq_stats_counts_duplicates_once(void)
{
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, AUDIO_RATE);
    const uint16_t seqs[] = {0, 1, 2, 2, 3, 1, 3, 4};
    feed(&stats, seqs, G_N_ELEMENTS(seqs));
    g_assert_cmpuint(stats.duplicates, ==, 3);
    g_assert_cmpuint(stats.received, ==, 5);
    g_assert_cmpuint(stats.bytes, ==, 500);
    g_assert_cmpuint(bench_seq_stats_lost(&stats), ==, 0);
    g_assert_cmpuint(stats.reordered, ==, 0);
}

static void test_seq_stats_window_slot_reuse_is_not_a_duplicate(void)
{
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, AUDIO_RATE);
    /* 1024 maps to the slot of 0; 1023 numbers in between are lost. */
    const uint16_t seqs[] = {0, 1024, 1024, 2048};
    feed(&stats, seqs, G_N_ELEMENTS(seqs));
    g_assert_cmpuint(stats.duplicates, ==, 1);
    g_assert_cmpuint(stats.received, ==, 3);
    g_assert_cmpuint(bench_seq_stats_expected(&stats), ==, 2049);
    g_assert_cmpuint(bench_seq_stats_lost(&stats), ==, 2046);
}

static void test_seq_stats_wrap_is_not_loss(void)
{
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, AUDIO_RATE);
    const uint16_t seqs[] = {65530, 65531, 65532, 65533, 65535, 65534, 0, 2, 1, 3, 4, 5};
    feed(&stats, seqs, G_N_ELEMENTS(seqs));
    g_assert_cmpuint(bench_seq_stats_expected(&stats), ==, 12);
    g_assert_cmpuint(stats.received, ==, 12);
    g_assert_cmpuint(bench_seq_stats_lost(&stats), ==, 0);
    g_assert_cmpuint(stats.reordered, ==, 2);
    g_assert_cmpuint(stats.duplicates, ==, 0);
}

static void test_seq_stats_restart_jump_keeps_earlier_loss_only(void)
{
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, AUDIO_RATE);
    for (uint16_t seq = 0; seq < 10; seq++) {
        if (seq != 5)
            feed(&stats, &seq, 1);
    }
    g_assert_cmpuint(bench_seq_stats_lost(&stats), ==, 1);
    /* The sender restarts far ahead, then again far behind. */
    for (uint16_t seq = 20000; seq < 20010; seq++)
        feed(&stats, &seq, 1);
    for (uint16_t seq = 100; seq < 105; seq++)
        feed(&stats, &seq, 1);
    g_assert_cmpuint(bench_seq_stats_expected(&stats), ==, 25);
    g_assert_cmpuint(stats.received, ==, 24);
    g_assert_cmpuint(bench_seq_stats_lost(&stats), ==, 1);
    g_assert_cmpuint(stats.reordered, ==, 0);
    g_assert_cmpuint(stats.duplicates, ==, 0);
}

static void test_seq_stats_jitter_is_zero_for_constant_transit(void)
{
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, 90000);
    /* 30 fps video, 3000 ticks a frame, each frame 7 ms in transit; timestamps wrap midway. */
    uint32_t ts = UINT32_MAX - 3000 * 20;
    for (unsigned i = 0; i < 60; i++, ts += 3000)
        bench_seq_stats_update(&stats, (uint16_t)i, ts, 1000000 + 7000 + i * 100000 / 3, 1000);
    g_assert_cmpfloat(stats.jitter, <, 1.0); /* arrival rounding: at most one tick */
    g_assert_cmpfloat(bench_seq_stats_jitter_ms(&stats), <, 0.012);

    bench_seq_stats_init(&stats, AUDIO_RATE);
    for (unsigned i = 0; i < 50; i++)
        bench_seq_stats_update(&stats, (uint16_t)i, 12345 + i * 960, 777000 + i * 20000, 100);
    g_assert_cmpfloat(stats.jitter, ==, 0.0);
}

static void test_seq_stats_jitter_follows_rfc3550_for_alternating_delay(void)
{
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, AUDIO_RATE);
    /* 20 ms packets delayed alternately 0 and 5 ms: every transit difference D is 5 ms = 240
     * ticks, so J1 = 240/16 = 15, J2 = 15 + (240-15)/16 = 29.0625,
     * J3 = 29.0625 + (240-29.0625)/16 = 42.2460937..., J4 = J3 + (240-J3)/16 = 54.6057128...,
     * that is 240 * (1 - (15/16)^4). */
    for (unsigned i = 0; i < 5; i++) {
        uint64_t delay = (i % 2) ? 5000 : 0;
        bench_seq_stats_update(&stats, (uint16_t)(i + 7), i * 960, 2000000 + i * 20000 + delay,
                               100);
    }
    double j1 = 15.0;
    double j2 = j1 + (240 - j1) / 16;
    double j3 = j2 + (240 - j2) / 16;
    double j4 = j3 + (240 - j3) / 16;
    g_assert_cmpfloat_with_epsilon(j4, 54.6057128906, 1e-9);
    g_assert_cmpfloat_with_epsilon(stats.jitter, j4, 1e-9);
    g_assert_cmpfloat_with_epsilon(bench_seq_stats_jitter_ms(&stats), j4 / 48.0, 1e-9);
}

static void test_histogram_empty_gives_zero(void)
{
    struct bench_histogram h;
    bench_histogram_init(&h);
    g_assert_cmpuint(bench_histogram_percentile(&h, 50), ==, 0);
    g_assert_cmpfloat(bench_histogram_mean(&h), ==, 0.0);
    g_assert_cmpuint(h.count, ==, 0);
}

static void test_histogram_percentiles_of_uniform_values(void)
{
    struct bench_histogram h;
    bench_histogram_init(&h);
    for (uint64_t v = 1; v <= 1000; v++)
        bench_histogram_record(&h, v);
    g_assert_cmpuint(h.count, ==, 1000);
    g_assert_cmpuint(h.min_us, ==, 1);
    g_assert_cmpuint(h.max_us, ==, 1000);
    g_assert_cmpfloat(bench_histogram_mean(&h), ==, 500.5);
    uint64_t p50 = bench_histogram_percentile(&h, 50);
    g_assert_cmpuint(p50, >=, 500);
    g_assert_cmpuint(p50, <=, 508); /* 500 * 1.016 */
    g_assert_cmpuint(p50, ==, 503); /* upper bound of the 4 us bucket 500-503 */
    uint64_t p99 = bench_histogram_percentile(&h, 99);
    g_assert_cmpuint(p99, >=, 990);
    g_assert_cmpuint(p99, <=, 1005);
    g_assert_cmpuint(bench_histogram_percentile(&h, 100), ==, 1000);
    g_assert_cmpuint(bench_histogram_percentile(&h, 0), ==, 1);
    g_assert_cmpuint(bench_histogram_percentile(&h, 5), ==, 50); /* exact below 64 us */
}

static void test_histogram_relative_error_is_bounded(void)
{
    /* Every value, alone, comes back as at least itself and less than 1/64 above. */
    for (uint64_t v = 1; v < (UINT64_C(1) << 34); v = v * 9 / 8 + 1) {
        struct bench_histogram h;
        bench_histogram_init(&h);
        bench_histogram_record(&h, v);
        bench_histogram_record(&h, v * 2 + 100);
        uint64_t got = bench_histogram_percentile(&h, 50);
        g_assert_cmpuint(got, >=, v);
        g_assert_cmpfloat((double)(got - v), <=, (double)v / 64.0);
    }
}

static void test_histogram_values_past_range_land_in_last_bucket(void)
{
    struct bench_histogram h;
    bench_histogram_init(&h);
    bench_histogram_record(&h, 10);
    bench_histogram_record(&h, UINT64_C(1) << 50);
    g_assert_cmpuint(h.buckets[BENCH_HISTOGRAM_BUCKETS - 1], ==, 1);
    g_assert_cmpuint(bench_histogram_percentile(&h, 100), ==, UINT64_C(1) << 50);
    g_assert_cmpuint(bench_histogram_percentile(&h, 50), ==, 10);
}

static void test_histogram_merge_equals_recording_everything(void)
{
    struct bench_histogram low, high, all, empty;
    bench_histogram_init(&low);
    bench_histogram_init(&high);
    bench_histogram_init(&all);
    bench_histogram_init(&empty);
    for (uint64_t v = 1; v <= 1000; v++) {
        bench_histogram_record(v <= 400 ? &low : &high, v * 37);
        bench_histogram_record(&all, v * 37);
    }
    struct bench_histogram merged;
    bench_histogram_init(&merged);
    bench_histogram_merge(&merged, &high);
    bench_histogram_merge(&merged, &empty);
    bench_histogram_merge(&merged, &low);
    g_assert_cmpuint(merged.count, ==, 1000);
    g_assert_cmpuint(merged.min_us, ==, 37);
    g_assert_cmpuint(merged.max_us, ==, 37000);
    g_assert_cmpuint(merged.sum_us, ==, all.sum_us);
    g_assert_true(memcmp(merged.buckets, all.buckets, sizeof(all.buckets)) == 0);
    g_assert_cmpuint(bench_histogram_percentile(&merged, 90), ==,
                     bench_histogram_percentile(&all, 90));
    g_assert_cmpuint(bench_histogram_percentile(&merged, 90), >=, 33300);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bench/seq_stats/in_order", test_seq_stats_counts_in_order_stream);
    g_test_add_func("/bench/seq_stats/gaps", test_seq_stats_counts_gaps_as_loss);
    g_test_add_func("/bench/seq_stats/reordered",
                    test_seq_stats_counts_late_packets_as_reordered_not_lost);
    g_test_add_func("/bench/seq_stats/before_first",
                    test_seq_stats_counts_packet_from_before_the_first);
    g_test_add_func("/bench/seq_stats/duplicates", test_seq_stats_counts_duplicates_once);
    g_test_add_func("/bench/seq_stats/window_reuse",
                    test_seq_stats_window_slot_reuse_is_not_a_duplicate);
    g_test_add_func("/bench/seq_stats/wrap", test_seq_stats_wrap_is_not_loss);
    g_test_add_func("/bench/seq_stats/restart",
                    test_seq_stats_restart_jump_keeps_earlier_loss_only);
    g_test_add_func("/bench/seq_stats/jitter_constant",
                    test_seq_stats_jitter_is_zero_for_constant_transit);
    g_test_add_func("/bench/seq_stats/jitter_rfc3550",
                    test_seq_stats_jitter_follows_rfc3550_for_alternating_delay);
    g_test_add_func("/bench/histogram/empty", test_histogram_empty_gives_zero);
    g_test_add_func("/bench/histogram/uniform", test_histogram_percentiles_of_uniform_values);
    g_test_add_func("/bench/histogram/error_bound", test_histogram_relative_error_is_bounded);
    g_test_add_func("/bench/histogram/past_range",
                    test_histogram_values_past_range_land_in_last_bucket);
    g_test_add_func("/bench/histogram/merge", test_histogram_merge_equals_recording_everything);
    return g_test_run();
}
