/* The send-side bandwidth estimator (bwe.h): feedback statuses are matched with the send
 * history; received packets feed the delay-based detector and the acknowledged rate, lost ones
 * the loss count; at the end of each feedback the rate controllers update. */
#include "media/bwe/internal.h"

#include <errno.h>
#include <stdlib.h>

#define DEFAULT_START_BPS 300000
#define DEFAULT_MIN_BPS 30000
#define DEFAULT_MAX_BPS 50000000

struct prism_bwe {
    struct bwe_history history;
    struct bwe_delay delay;
    struct bwe_rate rate;
    struct bwe_probe probe;
    unsigned feedback_lost, feedback_reported; /* statuses since the last feedback end */
    uint64_t last_loss_sent_us;
};

int prism_bwe_create(const struct prism_bwe_config *config, struct prism_bwe **out)
{
    if (!out)
        return -EINVAL;
    struct prism_bwe_config c = config ? *config : (struct prism_bwe_config){0};
    uint64_t start = c.start_bps ? c.start_bps : DEFAULT_START_BPS;
    uint64_t min = c.min_bps ? c.min_bps : DEFAULT_MIN_BPS;
    uint64_t max = c.max_bps ? c.max_bps : DEFAULT_MAX_BPS;
    if (min > max || start < min || start > max)
        return -EINVAL;
    struct prism_bwe *bwe = calloc(1, sizeof(*bwe));
    if (!bwe)
        return -ENOMEM;
    if (bwe_history_init(&bwe->history) < 0) {
        free(bwe);
        return -ENOMEM;
    }
    bwe_delay_init(&bwe->delay);
    bwe_rate_init(&bwe->rate, (double)start, (double)min, (double)max);
    bwe_probe_init(&bwe->probe);
    *out = bwe;
    return 0;
}

void prism_bwe_destroy(struct prism_bwe *bwe)
{
    if (bwe)
        bwe_history_clear(&bwe->history);
    free(bwe);
}

void prism_bwe_on_packet_sent(struct prism_bwe *bwe, uint16_t seq, size_t size, uint64_t send_us)
{
    bwe_history_on_sent(&bwe->history, seq, size > UINT32_MAX ? UINT32_MAX : (uint32_t)size,
                        send_us, 0);
}

void prism_bwe_want(struct prism_bwe *bwe, uint64_t wanted_bps, uint64_t now_us)
{
    bwe_probe_want(&bwe->probe, (double)wanted_bps, bwe_rate_estimate(&bwe->rate), now_us);
}

size_t prism_bwe_probe_padding(struct prism_bwe *bwe, uint64_t now_us)
{
    return bwe_probe_padding(&bwe->probe, now_us);
}

void prism_bwe_on_probe_sent(struct prism_bwe *bwe, uint16_t seq, size_t size, uint64_t send_us)
{
    bwe_history_on_sent(&bwe->history, seq, size > UINT32_MAX ? UINT32_MAX : (uint32_t)size,
                        send_us, bwe->probe.cluster);
    bwe_probe_on_sent(&bwe->probe);
}

uint64_t prism_bwe_probe_deadline(const struct prism_bwe *bwe)
{
    return bwe_probe_deadline(&bwe->probe);
}

void prism_bwe_on_feedback_status(struct prism_bwe *bwe, uint16_t seq, bool received,
                                  int64_t arrival_us)
{
    struct bwe_sent *sent = bwe_history_find(&bwe->history, seq);
    if (!sent)
        return;
    bwe->feedback_reported++;
    if (!received) {
        bwe->feedback_lost++; /* a later feedback may still report it arrived */
        if (sent->send_us > bwe->last_loss_sent_us)
            bwe->last_loss_sent_us = sent->send_us;
        return;
    }
    sent->reported = true;
    bwe_history_on_acked(&bwe->history, arrival_us, sent->size);
    if (sent->cluster)
        bwe_probe_on_received(&bwe->probe, sent->cluster, sent, arrival_us);
    bwe_delay_on_packet(&bwe->delay, sent->send_us, arrival_us);
}

void prism_bwe_on_feedback_end(struct prism_bwe *bwe, uint64_t now_us)
{
    /* A cluster with no reported packet must still time out. */
    double probed = bwe_probe_result(&bwe->probe, now_us);
    if (!bwe->feedback_reported)
        return;
    uint64_t acked = bwe_history_acked_bps(&bwe->history);
    bwe_rate_on_delay_signal(&bwe->rate, bwe->delay.signal, acked, now_us);
    bwe_rate_on_losses(&bwe->rate, bwe->feedback_lost, bwe->feedback_reported, acked, now_us);
    bwe->feedback_lost = bwe->feedback_reported = 0;
    /* As GoogCC's delay-based estimator: a probe result counts unless the queue is growing. */
    if (probed > 0 && bwe->delay.signal != PRISM_BWE_OVERUSE)
        bwe_rate_on_probe(&bwe->rate, probed, now_us);
}

void prism_bwe_set_rtt(struct prism_bwe *bwe, uint64_t rtt_us)
{
    bwe->rate.rtt_us = rtt_us;
}

uint64_t prism_bwe_last_loss_sent_us(const struct prism_bwe *bwe)
{
    return bwe->last_loss_sent_us;
}

uint64_t prism_bwe_estimate(const struct prism_bwe *bwe)
{
    return (uint64_t)bwe_rate_estimate(&bwe->rate);
}

void prism_bwe_get_state(const struct prism_bwe *bwe, struct prism_bwe_state *out)
{
    *out = (struct prism_bwe_state){
        .delay_based_bps = (uint64_t)bwe->rate.delay_bps,
        .loss_based_bps = (uint64_t)bwe->rate.loss_bps,
        .acknowledged_bps = bwe_history_acked_bps(&bwe->history),
        .signal = bwe->delay.signal,
        .trend = bwe->delay.previous_trend,
        .threshold_ms = bwe->delay.threshold_ms,
        .delay_samples = bwe->delay.sample_count,
        .loss_fraction = bwe->rate.loss_fraction,
        .probe_result_bps = (uint64_t)bwe->probe.last_result_bps,
        .probe_target_bps = (uint64_t)bwe->probe.target_bps,
        .probes = bwe->probe.clusters,
        .probes_succeeded = bwe->probe.succeeded,
    };
}
