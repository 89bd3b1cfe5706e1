/* Rate control of the bandwidth estimator. Delay-based: AIMD driven by the detector's signal
 * (draft-ietf-rmcat-gcc-02 section 5.5; Carlucci et al., MMSys 2016, section 3.3): overuse
 * decreases to 0.85 times the acknowledged rate, underuse holds (let the queue drain), normal
 * increases, multiplicatively by 8% a second while the link's capacity is unknown and by half
 * a packet per response time near the rate where the last decreases happened; never raised above
 * 1.5 times what the receiver acknowledged (nor lowered to it: see increase()), and not below it
 * before the first overuse. Loss-based (gcc-02 section 6): over 10% loss cuts the rate by half the
 * loss fraction, under 2% lets it grow by 5% a second (before any overuse, at once to 0.85 times
 * the rate the receiver acknowledged), in between holds. It limits only once losses cut it, until
 * it is back above the delay-based rate. */
#include "media/bwe/internal.h"

#include <math.h>
#include <string.h>

#define BETA 0.85
#define MULTIPLICATIVE_PER_SECOND 1.08
#define ACKED_HEADROOM 1.5
#define PACKET_BITS (1200.0 * 8.0)
#define LOSS_HIGH 0.10
#define LOSS_LOW 0.02
#define LOSS_GROWTH_PER_SECOND 1.05
#define LOSS_INTERVAL_US 200000 /* losses are judged over at least this long ... */
#define LOSS_MIN_PACKETS 20     /* ... and this many reported packets */
#define MAX_DT_US 1000000

void bwe_rate_init(struct bwe_rate *r, double start_bps, double min_bps, double max_bps)
{
    memset(r, 0, sizeof(*r));
    r->delay_bps = r->loss_bps = start_bps;
    r->min_bps = min_bps;
    r->max_bps = max_bps;
    r->state = BWE_HOLD;
    r->rtt_us = 100000;
}

static double clamp(const struct bwe_rate *r, double bps)
{
    return fmin(fmax(bps, r->min_bps), r->max_bps);
}

/* gcc-02's state machine: overuse -> decrease; underuse -> hold; normal -> increase (from
 * hold or increase), hold (from decrease). */
static enum bwe_rate_state next_state(enum bwe_rate_state state, enum prism_bwe_signal signal)
{
    if (signal == PRISM_BWE_OVERUSE)
        return BWE_DECREASE;
    if (signal == PRISM_BWE_UNDERUSE)
        return BWE_HOLD;
    return state == BWE_DECREASE ? BWE_HOLD : BWE_INCREASE;
}

static uint64_t response_time_us(const struct bwe_rate *r)
{
    return r->rtt_us + 100000;
}

/* The acknowledged rate at a decrease: an estimate of the link's capacity. */
static void note_max(struct bwe_rate *r, double acked_kbps)
{
    if (!r->has_max) {
        r->has_max = true;
        r->max_kbps = acked_kbps;
        r->max_var = 0;
        return;
    }
    double error = acked_kbps - r->max_kbps;
    r->max_kbps = 0.95 * r->max_kbps + 0.05 * acked_kbps;
    r->max_var = 0.95 * r->max_var + 0.05 * error * error;
}

/* Near the capacity seen at the last decreases: within three standard deviations of it (at
 * least 10%). Far above it the link changed, and the average is forgotten. */
static bool near_max(struct bwe_rate *r, double acked_kbps)
{
    if (!r->has_max)
        return false;
    double deviation = fmax(sqrt(r->max_var), 0.1 * r->max_kbps);
    if (acked_kbps > r->max_kbps + 3 * deviation)
        r->has_max = false;
    return fabs(acked_kbps - r->max_kbps) <= 3 * deviation;
}

static void increase(struct bwe_rate *r, double acked_bps, uint64_t dt_us)
{
    double before = r->delay_bps;
    double seconds = (double)dt_us / 1e6;
    /* Until an overuse showed where the capacity is, what the receiver acknowledged without
     * overuse is a rate the path carries: start from there. A forwarder does not send at its
     * estimate (it forwards what publishers send), so this is how its estimate catches up with
     * a busy path without probing. After an overuse the slow climb of gcc-02 applies. */
    if (!r->has_max && acked_bps > r->delay_bps)
        r->delay_bps = acked_bps;
    if (acked_bps > 0 && near_max(r, acked_bps / 1000)) {
        double per_second = 0.5 * PACKET_BITS / ((double)response_time_us(r) / 1e6);
        r->delay_bps += fmax(per_second * seconds, 0);
    } else {
        r->delay_bps *= pow(MULTIPLICATIVE_PER_SECOND, seconds);
    }
    /* Not past what the path has shown it carries: an idle sender's estimate does not grow.
     * Nor does it fall for that (as libwebrtc's AimdRateControl clamps): sending less than the
     * estimate (application-limited) says nothing about the path, and an estimate a probe
     * raised must stay until the owner uses it. */
    double grounded = fmax(ACKED_HEADROOM * acked_bps, before);
    if (acked_bps > 0 && r->delay_bps > grounded)
        r->delay_bps = fmax(grounded, r->min_bps);
}

static void decrease(struct bwe_rate *r, double acked_bps, uint64_t now_us)
{
    if (acked_bps <= 0 || now_us - r->last_decrease_us < response_time_us(r))
        return;
    double target = BETA * acked_bps;
    if (target < r->delay_bps)
        r->delay_bps = target;
    note_max(r, acked_bps / 1000);
    r->last_decrease_us = now_us;
}

void bwe_rate_on_delay_signal(struct bwe_rate *r, enum prism_bwe_signal signal, uint64_t acked_bps,
                              uint64_t now_us)
{
    uint64_t dt_us = r->last_update_us && now_us > r->last_update_us ? now_us - r->last_update_us
                                                                     : 0;
    if (dt_us > MAX_DT_US)
        dt_us = MAX_DT_US;
    r->last_update_us = now_us;
    r->state = next_state(r->state, signal);
    if (r->state == BWE_INCREASE)
        increase(r, (double)acked_bps, dt_us);
    else if (r->state == BWE_DECREASE) {
        decrease(r, (double)acked_bps, now_us);
        r->state = BWE_HOLD; /* one cut per overuse; the next waits for a new signal */
    }
    r->delay_bps = clamp(r, r->delay_bps);
    if (!r->loss_limited)
        r->loss_bps = r->delay_bps;
}

void bwe_rate_on_losses(struct bwe_rate *r, unsigned lost, unsigned reported, uint64_t acked_bps,
                        uint64_t now_us)
{
    r->lost += lost;
    r->reported += reported;
    if (!r->loss_interval_start_us)
        r->loss_interval_start_us = now_us;
    if (r->reported < LOSS_MIN_PACKETS || now_us - r->loss_interval_start_us < LOSS_INTERVAL_US)
        return;
    double loss = (double)r->lost / r->reported;
    double seconds = r->last_loss_update_us
                         ? fmin((double)(now_us - r->last_loss_update_us) / 1e6, 1.0)
                         : 0;
    r->loss_fraction = loss;
    r->lost = r->reported = 0;
    r->loss_interval_start_us = now_us;
    r->last_loss_update_us = now_us;
    if (loss > LOSS_HIGH) {
        r->loss_bps = fmin(r->loss_bps, r->delay_bps) * (1 - 0.5 * loss);
        r->loss_limited = true;
    } else if (loss < LOSS_LOW && r->loss_limited) {
        r->loss_bps *= pow(LOSS_GROWTH_PER_SECOND, seconds);
        /* Before any overuse (losses at start-up, say), what just arrived with little loss is
         * a rate the path carries. After one, the acknowledged rate may be a full queue
         * draining at capacity, and only the slow climb is safe. */
        if (!r->has_max)
            r->loss_bps = fmax(r->loss_bps, BETA * (double)acked_bps);
        if (r->loss_bps >= r->delay_bps)
            r->loss_limited = false;
    }
    r->loss_bps = clamp(r, r->loss_bps);
    if (!r->loss_limited)
        r->loss_bps = r->delay_bps;
}

void bwe_rate_on_probe(struct bwe_rate *r, double bps, uint64_t now_us)
{
    bps = clamp(r, bps);
    if (bps <= bwe_rate_estimate(r))
        return;
    /* The path carries more than the capacity seen at the last decreases: forget it, so the
     * increase is multiplicative again from here. */
    if (r->has_max && bps / 1000 > r->max_kbps)
        r->has_max = false;
    r->delay_bps = bps;
    r->loss_bps = bps;
    r->loss_limited = false;
    r->last_update_us = now_us;
}

double bwe_rate_estimate(const struct bwe_rate *r)
{
    return fmin(r->delay_bps, r->loss_bps);
}
