/* Log-linear latency histogram: exact below 64 us, then 64 buckets per power of two. */
#include "bench/lib/stats/histogram.h"

#include <string.h>

#define SUB_COUNT (1u << BENCH_HISTOGRAM_SUB_BITS)

/* Values below SUB_COUNT have a bucket each; a value with its highest bit at position k >= 6
 * falls in one of the 64 equal buckets of [2^k, 2^(k+1)), each 2^(k-6) wide. */
static unsigned bucket_of(uint64_t value)
{
    if (value < SUB_COUNT)
        return (unsigned)value;
    unsigned msb = 63u - (unsigned)__builtin_clzll(value);
    unsigned shift = msb - BENCH_HISTOGRAM_SUB_BITS;
    unsigned index = (shift + 1) * SUB_COUNT + (unsigned)((value >> shift) - SUB_COUNT);
    return index < BENCH_HISTOGRAM_BUCKETS ? index : BENCH_HISTOGRAM_BUCKETS - 1;
}

/* The highest value bucket index holds; the last bucket also holds everything past the range. */
static uint64_t bucket_upper(unsigned index)
{
    if (index == BENCH_HISTOGRAM_BUCKETS - 1)
        return UINT64_MAX;
    if (index < SUB_COUNT)
        return index;
    unsigned shift = index / SUB_COUNT - 1;
    uint64_t lower = (uint64_t)(SUB_COUNT + index % SUB_COUNT) << shift;
    return lower + (UINT64_C(1) << shift) - 1;
}

void bench_histogram_init(struct bench_histogram *histogram)
{
    memset(histogram, 0, sizeof(*histogram));
}

void bench_histogram_record(struct bench_histogram *histogram, uint64_t value_us)
{
    if (histogram->count == 0 || value_us < histogram->min_us)
        histogram->min_us = value_us;
    if (value_us > histogram->max_us)
        histogram->max_us = value_us;
    histogram->count++;
    histogram->sum_us += value_us;
    histogram->buckets[bucket_of(value_us)]++;
}

void bench_histogram_merge(struct bench_histogram *into, const struct bench_histogram *from)
{
    if (from->count == 0)
        return;
    if (into->count == 0 || from->min_us < into->min_us)
        into->min_us = from->min_us;
    if (from->max_us > into->max_us)
        into->max_us = from->max_us;
    into->count += from->count;
    into->sum_us += from->sum_us;
    for (unsigned i = 0; i < BENCH_HISTOGRAM_BUCKETS; i++)
        into->buckets[i] += from->buckets[i];
}

uint64_t bench_histogram_percentile(const struct bench_histogram *histogram, double p)
{
    if (histogram->count == 0)
        return 0;
    if (p < 0.0)
        p = 0.0;
    if (p > 100.0)
        p = 100.0;
    /* The rank of the sample at p: the smallest n with n / count >= p / 100, at least 1. */
    double exact = p / 100.0 * (double)histogram->count;
    uint64_t rank = (uint64_t)exact;
    if ((double)rank < exact)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < BENCH_HISTOGRAM_BUCKETS; i++) {
        seen += histogram->buckets[i];
        if (seen >= rank) {
            uint64_t upper = bucket_upper(i);
            return upper < histogram->max_us ? upper : histogram->max_us;
        }
    }
    return histogram->max_us;
}

double bench_histogram_mean(const struct bench_histogram *histogram)
{
    if (histogram->count == 0)
        return 0.0;
    return (double)histogram->sum_us / (double)histogram->count;
}
