/* A latency histogram with bounded relative error: log-linear buckets (HdrHistogram's idea)
 * from 1 us to about 17 minutes, 64 sub-buckets per power of two (under 1.6% error), fixed
 * size, no allocation per sample. Merged across participants and threads by adding counts. */
#ifndef PRISM_BENCH_STATS_HISTOGRAM_H
#define PRISM_BENCH_STATS_HISTOGRAM_H

#include <stdint.h>

#define BENCH_HISTOGRAM_SUB_BITS 6
#define BENCH_HISTOGRAM_MAGNITUDES 30
#define BENCH_HISTOGRAM_BUCKETS (BENCH_HISTOGRAM_MAGNITUDES << BENCH_HISTOGRAM_SUB_BITS)

struct bench_histogram {
    uint64_t count;
    uint64_t sum_us;
    uint64_t min_us, max_us;
    uint32_t buckets[BENCH_HISTOGRAM_BUCKETS];
};

void bench_histogram_init(struct bench_histogram *histogram);
/* Records one value in microseconds (values past the range land in the last bucket). */
void bench_histogram_record(struct bench_histogram *histogram, uint64_t value_us);
void bench_histogram_merge(struct bench_histogram *into, const struct bench_histogram *from);
/* The value at percentile p (0-100), as the upper bound of its bucket clamped to max; 0 when
 * empty. */
uint64_t bench_histogram_percentile(const struct bench_histogram *histogram, double p);
double bench_histogram_mean(const struct bench_histogram *histogram);

#endif
