/* The delay-based detector of the bandwidth estimator (draft-ietf-rmcat-gcc-02 sections 5.2 to
 * 5.4; Carlucci et al., MMSys 2016, section 3): packets sent within a 5 ms burst form a group;
 * for consecutive groups the inter-group delay variation is the difference between their
 * inter-arrival and inter-departure times. Where gcc-02 filters it with a Kalman filter, current
 * GCC (and this) fits a trendline: the accumulated variation, exponentially smoothed, regressed
 * by least squares against arrival time over the last BWE_TREND_WINDOW groups. Its slope (how
 * fast the bottleneck queue grows), scaled, is compared with an adaptive threshold: over it for
 * 10 ms and still growing means overuse, under its opposite underuse. */
#include "media/bwe/internal.h"

#include <math.h>
#include <string.h>

#define BURST_US 5000
#define SMOOTHING 0.9            /* weight of the old smoothed delay ... */
#define SMOOTHING_PERIOD_MS 33.0 /* ... per this much arrival time (a group per 30 fps frame) */
#define TREND_GAIN 4.0           /* scales the slope into the threshold's unit */
#define MAX_SAMPLE_WEIGHT 60u    /* the scaled trend grows with the samples seen, up to this */
#define THRESHOLD_START_MS 12.5
#define THRESHOLD_MIN_MS 6.0
#define THRESHOLD_MAX_MS 600.0
#define THRESHOLD_UP 0.01      /* gcc-02's K_u: the threshold rises fast after a large trend */
#define THRESHOLD_DOWN 0.00018 /* K_d: and falls slowly */
#define THRESHOLD_JUMP_MS 15.0 /* a trend this far over the threshold is a spike: no adaptation */
#define OVERUSE_TIME_MS 10.0

void bwe_delay_init(struct bwe_delay *d)
{
    memset(d, 0, sizeof(*d));
    d->threshold_ms = THRESHOLD_START_MS;
    d->last_update_us = INT64_MIN;
    d->overuse_ms = -1;
    d->signal = PRISM_BWE_NORMAL;
}

/* Least-squares slope of the samples in the window; 0 when they do not determine one. */
static double trend_slope(const struct bwe_delay *d)
{
    double mean_x = 0, mean_y = 0;
    for (unsigned i = 0; i < BWE_TREND_WINDOW; i++) {
        mean_x += d->x_ms[i];
        mean_y += d->y_ms[i];
    }
    mean_x /= BWE_TREND_WINDOW;
    mean_y /= BWE_TREND_WINDOW;
    double num = 0, den = 0;
    for (unsigned i = 0; i < BWE_TREND_WINDOW; i++) {
        num += (d->x_ms[i] - mean_x) * (d->y_ms[i] - mean_y);
        den += (d->x_ms[i] - mean_x) * (d->x_ms[i] - mean_x);
    }
    return den > 0 ? num / den : 0;
}

/* gcc-02 section 5.4: gamma follows |m| with gain K_u above it and K_d below it. */
static void adapt_threshold(struct bwe_delay *d, double trend, double dt_ms)
{
    double magnitude = fabs(trend);
    if (magnitude > d->threshold_ms + THRESHOLD_JUMP_MS)
        return;
    double k = magnitude < d->threshold_ms ? THRESHOLD_DOWN : THRESHOLD_UP;
    d->threshold_ms += k * (magnitude - d->threshold_ms) * dt_ms;
    d->threshold_ms = fmin(fmax(d->threshold_ms, THRESHOLD_MIN_MS), THRESHOLD_MAX_MS);
}

static void detect(struct bwe_delay *d, double trend, double dt_ms)
{
    if (trend > d->threshold_ms) {
        d->overuse_ms = d->overuse_ms < 0 ? dt_ms / 2 : d->overuse_ms + dt_ms;
        d->overuse_count++;
        if (d->overuse_ms > OVERUSE_TIME_MS && d->overuse_count > 1 && trend >= d->previous_trend) {
            d->overuse_ms = 0;
            d->overuse_count = 0;
            d->signal = PRISM_BWE_OVERUSE;
        }
    } else if (trend < -d->threshold_ms) {
        d->overuse_ms = -1;
        d->overuse_count = 0;
        d->signal = PRISM_BWE_UNDERUSE;
    } else {
        d->overuse_ms = -1;
        d->overuse_count = 0;
        d->signal = PRISM_BWE_NORMAL;
    }
    d->previous_trend = trend;
    adapt_threshold(d, trend, dt_ms);
}

/* A delay variation sample for the group that arrived (last packet) at arrival_us. */
static void on_sample(struct bwe_delay *d, double variation_ms, int64_t arrival_us)
{
    if (d->sample_count == 0)
        d->first_arrival_us = arrival_us;
    double gap_ms = d->last_update_us == INT64_MIN
                        ? 0
                        : fmin(fmax((double)(arrival_us - d->last_update_us) / 1000.0, 0), 1000.0);
    double dt_ms = fmin(gap_ms, 100.0);
    d->last_update_us = arrival_us;
    d->accumulated_ms += variation_ms;
    /* The smoothing is per SMOOTHING_PERIOD_MS of arrivals rather than per sample: a forwarder
     * sends each frame as one burst, so behind a narrow link its groups may arrive a quarter of
     * a second apart, and a per-sample weight would take seconds to follow a queue that grows
     * (libwebrtc's pacer makes a group every few milliseconds). */
    double keep = pow(SMOOTHING, fmax(gap_ms, SMOOTHING_PERIOD_MS) / SMOOTHING_PERIOD_MS);
    d->smoothed_ms = keep * d->smoothed_ms + (1 - keep) * d->accumulated_ms;
    d->x_ms[d->samples] = (double)(arrival_us - d->first_arrival_us) / 1000.0;
    d->y_ms[d->samples] = d->smoothed_ms;
    d->samples = (d->samples + 1) % BWE_TREND_WINDOW;
    d->sample_count++;
    if (d->sample_count < BWE_TREND_WINDOW)
        return;
    unsigned weight = d->sample_count < MAX_SAMPLE_WEIGHT ? d->sample_count : MAX_SAMPLE_WEIGHT;
    double trend = trend_slope(d) * weight * TREND_GAIN;
    detect(d, trend, dt_ms < 0 ? 0 : dt_ms);
}

void bwe_delay_on_packet(struct bwe_delay *d, uint64_t send_us, int64_t arrival_us)
{
    struct bwe_group *g = &d->current;
    if (g->open && send_us < g->first_send_us)
        return; /* sent before the group being built: reordered, its group is closed */
    if (g->open && send_us - g->first_send_us <= BURST_US) {
        g->last_send_us = send_us;
        if (arrival_us > g->last_arrival_us)
            g->last_arrival_us = arrival_us;
        return;
    }
    if (g->open && d->previous.open) {
        double send_delta = (double)(g->last_send_us - d->previous.last_send_us);
        double arrival_delta = (double)(g->last_arrival_us - d->previous.last_arrival_us);
        on_sample(d, (arrival_delta - send_delta) / 1000.0, g->last_arrival_us);
    }
    if (g->open)
        d->previous = *g;
    *g = (struct bwe_group){true, send_us, send_us, arrival_us};
}
