/* REMB towards a publisher: cap and receivers' estimates combined, sent on time or at once. */
#include "media/feedback/remb.h"

#include <errno.h>
#include <string.h>

#include "media/rtcp/feedback.h"

#define NO_ESTIMATE UINT64_MAX

int prism_remb_set_ssrcs(struct prism_remb *r, const uint32_t *ssrcs, size_t count)
{
    if (!r || !ssrcs || count == 0 || count > PRISM_REMB_MAX_SSRCS)
        return -EINVAL;
    memcpy(r->ssrcs, ssrcs, count * sizeof(*ssrcs));
    r->ssrc_count = count;
    r->send_now = true;
    return 0;
}

int prism_remb_init(struct prism_remb *r, const struct prism_remb_config *cfg, uint64_t now_us)
{
    if (!r || !cfg)
        return -EINVAL;
    struct prism_remb fresh = {
        .sender_ssrc = cfg->sender_ssrc,
        .cap_bps = cfg->cap_bps,
        .interval_us = cfg->interval_us ? cfg->interval_us : PRISM_REMB_DEFAULT_INTERVAL_US,
        .window_min = NO_ESTIMATE,
        .previous_min = NO_ESTIMATE,
        .next_us = now_us,
    };
    int rc = prism_remb_set_ssrcs(&fresh, cfg->media_ssrcs, cfg->media_ssrc_count);
    if (rc < 0)
        return rc;
    *r = fresh;
    return 0;
}

void prism_remb_set_cap(struct prism_remb *r, uint64_t cap_bps)
{
    if (cap_bps != r->cap_bps)
        r->send_now = true;
    r->cap_bps = cap_bps;
}

bool prism_remb_value(const struct prism_remb *r, uint64_t *bps)
{
    uint64_t value = r->window_min < r->previous_min ? r->window_min : r->previous_min;
    if (r->cap_bps > 0 && r->cap_bps < value)
        value = r->cap_bps;
    if (value == NO_ESTIMATE)
        return false;
    *bps = value;
    return true;
}

void prism_remb_on_estimate(struct prism_remb *r, uint64_t bps)
{
    if (bps == NO_ESTIMATE)
        bps--;
    if (bps < r->window_min)
        r->window_min = bps;
    /* Congestion at a receiver should reach the publisher now, not up to an interval later. */
    uint64_t value;
    if (r->sent_once && prism_remb_value(r, &value) &&
        value < r->last_sent_bps - r->last_sent_bps / 100 * PRISM_REMB_DROP_PERCENT)
        r->send_now = true;
}

uint64_t prism_remb_next_deadline(const struct prism_remb *r)
{
    uint64_t value;
    if (r->send_now && prism_remb_value(r, &value))
        return 0;
    return r->next_us;
}

int prism_remb_poll(struct prism_remb *r, uint64_t now_us, uint8_t *buf, size_t cap)
{
    if (!r || !buf)
        return -EINVAL;
    if (prism_remb_next_deadline(r) > now_us)
        return 0;
    uint64_t value;
    int len = 0;
    if (prism_remb_value(r, &value)) {
        len = prism_rtcp_build_remb(buf, cap, r->sender_ssrc, value, r->ssrcs, r->ssrc_count);
        if (len < 0)
            return len;
        r->sent++;
        r->sent_once = true;
        r->last_sent_bps = value;
    }
    r->send_now = false;
    /* Only the periodic schedule ages the estimates: sends in between must not shorten it. */
    if (now_us >= r->next_us) {
        r->previous_min = r->window_min;
        r->window_min = NO_ESTIMATE;
        r->next_us = now_us + r->interval_us;
    }
    return len;
}
