/* Bandwidth probing of the estimator (bwe.h). A forwarder sends what its publishers send, so
 * once it chose low layers its estimate cannot grow past what the path carries of them
 * (application-limited): without probing, a link that got faster is never noticed. As GoogCC
 * does (libwebrtc's ProbeController, BitrateProber and ProbeBitrateEstimator; mediasoup and
 * LiveKit probe the same way), when the owner wants more than the estimate, a probe cluster of
 * padding-only packets is paced out at a target rate for a short time; each carries a transport
 * sequence number, so the receiver's feedback tells when each arrived. The rate the cluster got
 * through at is the probe's result:
 *   send rate = bytes sent (but the last) / time between first and last send,
 *   receive rate = bytes received (but the first) / time between first and last arrival,
 *   result = the smaller, or 95% of the receive rate when it is below 90% of the send rate (the
 *   bottleneck spread the packets out: its rate is what was measured).
 * A result at least 80% of the target is a success: it raises the estimate, and the next probe
 * (at up to twice the new estimate) may follow at once. A smaller result is not used (the
 * doubling targets find a link's rate all the same): a token bucket lets the first packets of a
 * short cluster through at line rate, so a failed probe measures more than the link carries. For
 * the same reason a cluster has at least 20 packets, which a bucket's burst does not cover.
 * Otherwise the wait before the next probe doubles, from 1 s up to 5 s, so a path that stays narrow
 * sees a short burst now and then, not a sustained load. */
#include "media/bwe/internal.h"

#include <math.h>
#include <string.h>

#define CLUSTER_US 30000u       /* a cluster lasts this long at its target ... */
#define CLUSTER_MIN_PACKETS 20u /* ... and has at least this many packets (see above) */
#define PADDING_BYTES 255u      /* per packet: RFC 3550's padding count is one octet */
#define PACKET_OVERHEAD 40u     /* RTP header, extensions and SRTP tag, roughly */
#define STEP_FACTOR 2.0         /* a probe asks for at most twice the estimate */
#define WANT_MARGIN 1.1         /* probe only when the want is this far over the estimate */
#define MIN_RECEIVED_RATIO 0.8  /* of the cluster's packets, for a result */
#define SUCCESS_RATIO 0.8       /* of the target, for a success */
#define UNSATURATED_RATIO 0.9   /* receive rate below this share of the send rate: saturated */
#define SATURATED_SHARE 0.95    /* of the receive rate, as the result of a saturated link */
#define MAX_VALID_RATIO 2.0     /* a receive rate above twice the send rate is bogus */
#define RESULT_TIMEOUT_US 1000000u
#define BACKOFF_START_US 1000000u
#define BACKOFF_MAX_US 5000000u

void bwe_probe_init(struct bwe_probe *p)
{
    memset(p, 0, sizeof(*p));
    p->phase = BWE_PROBE_IDLE;
    p->backoff_us = BACKOFF_START_US;
}

void bwe_probe_want(struct bwe_probe *p, double wanted_bps, double estimate_bps, uint64_t now_us)
{
    if (p->phase != BWE_PROBE_IDLE || now_us < p->next_probe_us || estimate_bps <= 0 ||
        wanted_bps <= WANT_MARGIN * estimate_bps)
        return;
    p->cluster = (uint8_t)(p->cluster == 255 ? 1 : p->cluster + 1);
    p->phase = BWE_PROBE_SENDING;
    p->target_bps = fmin(wanted_bps, STEP_FACTOR * estimate_bps);
    p->start_us = now_us;
    p->planned_bytes = 0;
    p->planned_packets = p->sent_packets = 0;
    p->budget_bytes = (uint64_t)(p->target_bps / 8.0 * CLUSTER_US / 1e6);
    p->received = 0;
    p->received_bytes = 0;
    p->clusters++;
}

/* When the next packet of the cluster being sent is due. */
static uint64_t next_due(const struct bwe_probe *p)
{
    return p->start_us + (uint64_t)((double)p->planned_bytes * 8.0 * 1e6 / p->target_bps);
}

static bool cluster_complete(const struct bwe_probe *p)
{
    return p->planned_bytes >= p->budget_bytes && p->planned_packets >= CLUSTER_MIN_PACKETS;
}

size_t bwe_probe_padding(struct bwe_probe *p, uint64_t now_us)
{
    if (p->phase != BWE_PROBE_SENDING || now_us < next_due(p))
        return 0;
    p->planned_bytes += PADDING_BYTES + PACKET_OVERHEAD;
    p->planned_packets++;
    if (cluster_complete(p)) {
        p->phase = BWE_PROBE_WAITING;
        p->end_us = now_us;
    }
    return PADDING_BYTES;
}

void bwe_probe_on_sent(struct bwe_probe *p)
{
    p->sent_packets++;
}

uint64_t bwe_probe_deadline(const struct bwe_probe *p)
{
    return p->phase == BWE_PROBE_SENDING ? next_due(p) : UINT64_MAX;
}

void bwe_probe_on_received(struct bwe_probe *p, uint8_t cluster, const struct bwe_sent *sent,
                           int64_t arrival_us)
{
    if (p->phase == BWE_PROBE_IDLE || cluster != p->cluster)
        return;
    if (!p->received) {
        p->first_send_us = p->last_send_us = sent->send_us;
        p->first_arrival_us = p->last_arrival_us = arrival_us;
        p->last_send_size = p->first_arrival_size = sent->size;
    }
    if (sent->send_us < p->first_send_us)
        p->first_send_us = sent->send_us;
    if (sent->send_us >= p->last_send_us) {
        p->last_send_us = sent->send_us;
        p->last_send_size = sent->size;
    }
    if (arrival_us < p->first_arrival_us) {
        p->first_arrival_us = arrival_us;
        p->first_arrival_size = sent->size;
    }
    if (arrival_us > p->last_arrival_us)
        p->last_arrival_us = arrival_us;
    p->received++;
    p->received_bytes += sent->size;
}

/* The measured rate of a cluster with enough packets reported, 0 when it says nothing. */
static double measure(const struct bwe_probe *p)
{
    double send_s = (double)(p->last_send_us - p->first_send_us) / 1e6;
    double receive_s = (double)(p->last_arrival_us - p->first_arrival_us) / 1e6;
    if (send_s <= 0 || receive_s <= 0 || send_s > 1 || receive_s > 1)
        return 0;
    double send_bps = (double)(p->received_bytes - p->last_send_size) * 8.0 / send_s;
    double receive_bps = (double)(p->received_bytes - p->first_arrival_size) * 8.0 / receive_s;
    if (receive_bps > MAX_VALID_RATIO * send_bps)
        return 0;
    if (receive_bps < UNSATURATED_RATIO * send_bps)
        return SATURATED_SHARE * receive_bps;
    return fmin(send_bps, receive_bps);
}

/* Ends the cluster with its result: whether it succeeded. */
static bool finish(struct bwe_probe *p, double result, uint64_t now_us)
{
    p->phase = BWE_PROBE_IDLE;
    p->last_result_bps = result;
    if (result >= SUCCESS_RATIO * p->target_bps) {
        p->succeeded++;
        p->backoff_us = BACKOFF_START_US;
        p->next_probe_us = now_us;
        return true;
    }
    p->next_probe_us = now_us + p->backoff_us;
    p->backoff_us = p->backoff_us * 2 > BACKOFF_MAX_US ? BACKOFF_MAX_US : p->backoff_us * 2;
    return false;
}

double bwe_probe_result(struct bwe_probe *p, uint64_t now_us)
{
    if (p->phase != BWE_PROBE_WAITING)
        return 0;
    bool enough = p->received >= CLUSTER_MIN_PACKETS * MIN_RECEIVED_RATIO &&
                  p->received >= p->sent_packets * MIN_RECEIVED_RATIO;
    if (!enough) {
        if (now_us - p->end_us >= RESULT_TIMEOUT_US)
            finish(p, 0, now_us); /* lost, or never reported: a failure */
        return 0;
    }
    double result = measure(p);
    return finish(p, result, now_us) ? result : 0;
}
