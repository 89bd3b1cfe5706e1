/* RFC 3550 reception statistics: loss counters (A.3), interarrival jitter (A.8), LSR/DLSR. */
#include "media/nack/stats.h"

#include <errno.h>
#include <string.h>

#define US_PER_SECOND 1000000u

void prism_nack_stats_init(struct prism_nack_stats *s, uint32_t clock_rate)
{
    memset(s, 0, sizeof(*s));
    s->clock_rate = clock_rate;
}

void prism_nack_stats_start(struct prism_nack_stats *s, int64_t ext_seq)
{
    s->started = true;
    s->base_seq = ext_seq;
    s->highest_seq = ext_seq;
    s->received = 1;
    s->expected_prior = 0;
    s->received_prior = 0;
    /* A restarted stream's timestamps have no relation to the old ones. */
    s->have_transit = false;
}

void prism_nack_stats_received(struct prism_nack_stats *s, int64_t ext_seq)
{
    if (!s->started) {
        prism_nack_stats_start(s, ext_seq);
        return;
    }
    s->received++;
    if (ext_seq > s->highest_seq)
        s->highest_seq = ext_seq;
}

/* The arrival time in timestamp units, computed in two parts so no product overflows. */
static uint32_t arrival_in_rtp_units(uint64_t arrival_us, uint32_t clock_rate)
{
    uint64_t seconds = arrival_us / US_PER_SECOND;
    uint64_t rest = arrival_us % US_PER_SECOND;
    return (uint32_t)(seconds * clock_rate + rest * clock_rate / US_PER_SECOND);
}

void prism_nack_stats_jitter(struct prism_nack_stats *s, uint32_t rtp_timestamp,
                             uint64_t arrival_us)
{
    /* Transit times are only ever compared, so their common offset and the 32-bit wrap of both
     * clocks cancel out in the difference. */
    uint32_t transit = arrival_in_rtp_units(arrival_us, s->clock_rate) - rtp_timestamp;
    if (!s->have_transit) {
        s->have_transit = true;
        s->last_transit = transit;
        return;
    }
    int64_t d = (int32_t)(transit - s->last_transit);
    s->last_transit = transit;
    if (d < 0)
        d = -d;
    /* J += (|D| - J) / 16, with J kept scaled by 16 and rounded as A.8 does. */
    uint64_t old = s->jitter_q4;
    s->jitter_q4 = old + (uint64_t)d - ((old + 8) >> 4);
}

void prism_nack_stats_on_sr(struct prism_nack_stats *s, uint64_t ntp, uint64_t now_us)
{
    s->last_sr = prism_rtcp_ntp_compact(ntp);
    s->last_sr_at_us = now_us;
    s->have_sr = true;
}

uint64_t prism_nack_stats_expected(const struct prism_nack_stats *s)
{
    return s->started ? (uint64_t)(s->highest_seq - s->base_seq + 1) : 0;
}

int64_t prism_nack_stats_lost(const struct prism_nack_stats *s)
{
    return (int64_t)prism_nack_stats_expected(s) - (int64_t)s->received;
}

uint32_t prism_nack_stats_jitter_value(const struct prism_nack_stats *s)
{
    uint64_t j = s->jitter_q4 >> 4;
    return j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
}

/* The fraction of packets lost since the previous report, in 1/256 (0 when more arrived than
 * expected, because of duplicates). */
static uint8_t fraction_lost(struct prism_nack_stats *s)
{
    uint64_t expected = prism_nack_stats_expected(s);
    int64_t expected_interval = (int64_t)(expected - s->expected_prior);
    int64_t received_interval = (int64_t)(s->received - s->received_prior);
    int64_t lost_interval = expected_interval - received_interval;
    s->expected_prior = expected;
    s->received_prior = s->received;
    if (expected_interval <= 0 || lost_interval <= 0)
        return 0;
    return (uint8_t)((lost_interval << 8) / expected_interval);
}

int prism_nack_stats_report(struct prism_nack_stats *s, uint32_t ssrc, uint64_t now_us,
                            struct prism_rtcp_report_block *out)
{
    if (!s->started)
        return -ENODATA;
    int64_t lost = prism_nack_stats_lost(s);
    out->ssrc = ssrc;
    out->fraction_lost = fraction_lost(s);
    /* The builder clamps to the 24-bit field; only keep the value inside an int32_t here. */
    out->cumulative_lost = lost > INT32_MAX   ? INT32_MAX
                           : lost < INT32_MIN ? INT32_MIN
                                              : (int32_t)lost;
    out->highest_seq = (uint32_t)s->highest_seq;
    out->jitter = prism_nack_stats_jitter_value(s);
    out->last_sr = 0;
    out->delay_since_last_sr = 0;
    if (s->have_sr) {
        uint64_t delay = now_us > s->last_sr_at_us ? now_us - s->last_sr_at_us : 0;
        if (delay > UINT64_MAX >> 16)
            delay = UINT64_MAX >> 16;
        uint64_t units = (delay << 16) / US_PER_SECOND; /* 1/65536 s */
        out->last_sr = s->last_sr;
        out->delay_since_last_sr = units > UINT32_MAX ? UINT32_MAX : (uint32_t)units;
    }
    return 0;
}
