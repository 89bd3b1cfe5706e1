/* Keyframe request throttling: coalesce, space out, never drop, and optionally repeat. */
#include "media/feedback/keyframe.h"

#include <errno.h>
#include <string.h>

#include "media/rtcp/feedback.h"

int prism_keyframe_init(struct prism_keyframe *k, const struct prism_keyframe_config *cfg,
                        uint64_t now_us)
{
    if (!k || !cfg)
        return -EINVAL;
    memset(k, 0, sizeof(*k));
    k->sender_ssrc = cfg->sender_ssrc;
    k->media_ssrc = cfg->media_ssrc;
    k->min_interval_us = cfg->min_interval_us ? cfg->min_interval_us
                                              : PRISM_KEYFRAME_DEFAULT_MIN_INTERVAL_US;
    k->periodic_interval_us = cfg->periodic_interval_us;
    k->use_fir = cfg->use_fir;
    k->period_from_us = now_us;
    return 0;
}

void prism_keyframe_use_fir(struct prism_keyframe *k, bool use_fir)
{
    k->use_fir = use_fir;
}

void prism_keyframe_request(struct prism_keyframe *k)
{
    k->counters.requests++;
    k->pending = true;
}

void prism_keyframe_on_keyframe(struct prism_keyframe *k, uint64_t now_us)
{
    if (k->pending)
        k->counters.satisfied++;
    k->pending = false;
    /* The publisher just sent a keyframe, so the next periodic one can wait a full period. */
    k->period_from_us = now_us;
}

/* The earliest time the quiet interval allows the next send. */
static uint64_t quiet_until(const struct prism_keyframe *k)
{
    return k->sent_once ? k->last_sent_us + k->min_interval_us : 0;
}

static uint64_t periodic_due(const struct prism_keyframe *k)
{
    if (k->periodic_interval_us == 0)
        return UINT64_MAX;
    uint64_t due = k->period_from_us + k->periodic_interval_us;
    uint64_t quiet = quiet_until(k);
    return due > quiet ? due : quiet;
}

uint64_t prism_keyframe_next_deadline(const struct prism_keyframe *k)
{
    uint64_t periodic = periodic_due(k);
    if (!k->pending)
        return periodic;
    uint64_t quiet = quiet_until(k);
    return quiet < periodic ? quiet : periodic;
}

static int build(struct prism_keyframe *k, uint8_t *buf, size_t cap)
{
    if (!k->use_fir)
        return prism_rtcp_build_pli(buf, cap, k->sender_ssrc, k->media_ssrc);
    struct prism_rtcp_fir_entry entry = {.ssrc = k->media_ssrc, .seq = k->fir_seq};
    int len = prism_rtcp_build_fir(buf, cap, k->sender_ssrc, &entry, 1);
    /* A new request gets a new number (RFC 5104 section 4.3.1.2); it wraps modulo 256. */
    if (len > 0)
        k->fir_seq++;
    return len;
}

int prism_keyframe_poll(struct prism_keyframe *k, uint64_t now_us, uint8_t *buf, size_t cap)
{
    if (!k || !buf)
        return -EINVAL;
    if (prism_keyframe_next_deadline(k) > now_us)
        return 0;
    bool periodic_only = !k->pending;
    int len = build(k, buf, cap);
    if (len < 0)
        return len;
    k->pending = false;
    k->sent_once = true;
    k->last_sent_us = now_us;
    k->period_from_us = now_us;
    k->counters.sent++;
    if (periodic_only)
        k->counters.periodic++;
    return len;
}
