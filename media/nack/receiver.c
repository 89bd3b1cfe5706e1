/* Receive-side loss detection and NACK generation for one incoming RTP stream. */
#include "media/nack/receiver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "media/rtcp/feedback.h"
#include "media/rtp/seq.h"

#define NACK_HEADER_LEN 12 /* RTCP header, sender SSRC, media SSRC */
#define NACK_FCI_LEN 4

/* One missing packet: when to ask for it next and how often it was asked for already. */
struct missing {
    int64_t seq; /* extended */
    uint64_t due_us;
    uint32_t nacks;
};

struct prism_nack_receiver {
    uint32_t ssrc;
    uint32_t sender_ssrc;
    size_t max_missing;
    uint64_t reorder_delay_us;
    uint64_t min_retry_interval_us;
    uint64_t rtt_us;
    unsigned max_nacks;

    struct prism_rtp_seq_unwrapper unwrapper; /* highest = the stream's highest extended seq */
    bool probation; /* a jump was seen; bad_seq is the packet that would confirm it */
    uint16_t bad_seq;
    bool keyframe_pending;

    struct prism_nack_stats stats;
    struct prism_nack_receiver_counters counters;

    /* The missing packets in ascending sequence order: gaps are appended as the highest
     * sequence number advances, so the list stays sorted without ever being sorted. */
    size_t count;
    struct missing *missing; /* max_missing entries, owned */
    uint16_t *scratch;       /* max_missing entries, owned: the sequence numbers of one NACK */
};

static bool apply_config(struct prism_nack_receiver *r, const struct prism_nack_receiver_config *c)
{
    r->ssrc = c->ssrc;
    r->sender_ssrc = c->sender_ssrc;
    r->max_missing = c->max_missing ? c->max_missing : PRISM_NACK_RECEIVER_DEFAULT_MAX_MISSING;
    r->reorder_delay_us = c->reorder_delay_us ? c->reorder_delay_us
                                              : PRISM_NACK_RECEIVER_DEFAULT_REORDER_US;
    r->min_retry_interval_us = c->min_retry_interval_us ? c->min_retry_interval_us
                                                        : PRISM_NACK_RECEIVER_DEFAULT_RETRY_US;
    r->max_nacks = c->max_nacks ? c->max_nacks : PRISM_NACK_RECEIVER_DEFAULT_MAX_NACKS;
    r->rtt_us = c->initial_rtt_us ? c->initial_rtt_us : PRISM_NACK_RECEIVER_DEFAULT_RTT_US;
    prism_nack_stats_init(&r->stats, c->clock_rate);
    return c->clock_rate > 0 && r->max_missing <= PRISM_NACK_RECEIVER_MAX_MISSING;
}

int prism_nack_receiver_create(const struct prism_nack_receiver_config *cfg,
                               struct prism_nack_receiver **out)
{
    int rc = -EINVAL;
    struct prism_nack_receiver *r = NULL;
    if (!cfg || !out)
        goto out;
    rc = -ENOMEM;
    r = calloc(1, sizeof(*r));
    if (!r)
        goto out;
    rc = -EINVAL;
    if (!apply_config(r, cfg))
        goto out;
    rc = -ENOMEM;
    r->missing = calloc(r->max_missing, sizeof(*r->missing));
    r->scratch = calloc(r->max_missing, sizeof(*r->scratch));
    if (!r->missing || !r->scratch)
        goto out;
    rc = 0;
out:
    if (rc < 0) {
        prism_nack_receiver_destroy(r);
        return rc;
    }
    *out = r;
    return 0;
}

void prism_nack_receiver_destroy(struct prism_nack_receiver *r)
{
    if (!r)
        return;
    free(r->missing);
    free(r->scratch);
    free(r);
}

void prism_nack_receiver_set_rtt(struct prism_nack_receiver *r, uint64_t rtt_us)
{
    if (r)
        r->rtt_us = rtt_us;
}

/* Stops asking for the n oldest missing packets. */
static void give_up_oldest(struct prism_nack_receiver *r, size_t n)
{
    memmove(r->missing, r->missing + n, (r->count - n) * sizeof(*r->missing));
    r->count -= n;
    r->counters.given_up += n;
    r->keyframe_pending = true;
}

/* Remembers the n packets from first on as missing. A gap bigger than the whole list cannot be
 * repaired by NACKs: everything is dropped and a keyframe asked for instead. */
static void add_gap(struct prism_nack_receiver *r, int64_t first, uint64_t n, uint64_t now_us)
{
    if (n > r->max_missing) {
        give_up_oldest(r, r->count);
        r->counters.resets++;
        return;
    }
    if (r->count + n > r->max_missing)
        give_up_oldest(r, r->count + n - r->max_missing);
    for (uint64_t i = 0; i < n; i++) {
        r->missing[r->count++] = (struct missing){
            .seq = first + (int64_t)i,
            .due_us = now_us + r->reorder_delay_us,
        };
    }
}

/* The index of seq in the missing list, or -1. */
static long find_missing(const struct prism_nack_receiver *r, int64_t seq)
{
    size_t lo = 0, hi = r->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->missing[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->count && r->missing[lo].seq == seq ? (long)lo : -1;
}

static void count_packet(struct prism_nack_receiver *r, int64_t ext, uint32_t rtp_timestamp,
                         bool retransmission, uint64_t now_us)
{
    prism_nack_stats_received(&r->stats, ext);
    if (!retransmission)
        prism_nack_stats_jitter(&r->stats, rtp_timestamp, now_us);
}

/* A sequence number far from the stream: RFC 3550 A.1 believes it only when the next packet
 * follows it, and then starts over from there. */
static enum prism_nack_packet_kind on_jump(struct prism_nack_receiver *r, uint16_t seq,
                                           uint32_t rtp_timestamp, bool retransmission,
                                           uint64_t now_us)
{
    if (retransmission) {
        r->counters.duplicates++;
        return PRISM_NACK_PACKET_LATE;
    }
    if (!r->probation || seq != r->bad_seq) {
        r->probation = true;
        r->bad_seq = (uint16_t)(seq + 1);
        return PRISM_NACK_PACKET_PROBATION;
    }
    r->probation = false;
    give_up_oldest(r, r->count);
    r->counters.restarts++;
    r->unwrapper = (struct prism_rtp_seq_unwrapper){0};
    int64_t ext = prism_rtp_seq_unwrap(&r->unwrapper, seq);
    prism_nack_stats_start(&r->stats, ext);
    prism_nack_stats_jitter(&r->stats, rtp_timestamp, now_us);
    return PRISM_NACK_PACKET_RESTARTED;
}

enum prism_nack_packet_kind prism_nack_receiver_on_packet(struct prism_nack_receiver *r,
                                                          uint16_t seq, uint32_t rtp_timestamp,
                                                          bool retransmission, uint64_t now_us)
{
    if (!r->unwrapper.started) {
        int64_t ext = prism_rtp_seq_unwrap(&r->unwrapper, seq);
        count_packet(r, ext, rtp_timestamp, retransmission, now_us);
        return PRISM_NACK_PACKET_NEW;
    }
    int distance = prism_rtp_seq_diff(seq, (uint16_t)r->unwrapper.highest);
    if (distance >= PRISM_NACK_RECEIVER_MAX_DROPOUT || distance <= -PRISM_NACK_RECEIVER_MAX_DROPOUT)
        return on_jump(r, seq, rtp_timestamp, retransmission, now_us);
    r->probation = false;

    int64_t previous = r->unwrapper.highest;
    int64_t ext = prism_rtp_seq_unwrap(&r->unwrapper, seq);
    if (ext > previous) {
        if (ext - previous > 1)
            add_gap(r, previous + 1, (uint64_t)(ext - previous - 1), now_us);
        count_packet(r, ext, rtp_timestamp, retransmission, now_us);
        return PRISM_NACK_PACKET_NEW;
    }
    long index = find_missing(r, ext);
    if (index < 0) {
        r->counters.duplicates++;
        return PRISM_NACK_PACKET_LATE;
    }
    memmove(&r->missing[index], &r->missing[index + 1],
            (r->count - (size_t)index - 1) * sizeof(*r->missing));
    r->count--;
    r->counters.recovered++;
    count_packet(r, ext, rtp_timestamp, retransmission, now_us);
    return PRISM_NACK_PACKET_RECOVERED;
}

void prism_nack_receiver_on_sr(struct prism_nack_receiver *r, uint64_t ntp, uint64_t now_us)
{
    if (r)
        prism_nack_stats_on_sr(&r->stats, ntp, now_us);
}

static bool is_due(const struct prism_nack_receiver *r, const struct missing *m, uint64_t now_us)
{
    return m->due_us <= now_us && m->nacks < r->max_nacks;
}

/* Puts the due sequence numbers into scratch, in order, as long as the NACK the RTCP builder
 * packs them into (a new FCI whenever one is more than 16 past the current PID) fits in cap. */
static size_t collect_due(struct prism_nack_receiver *r, uint64_t now_us, size_t cap)
{
    size_t n = 0, fcis = 0;
    uint16_t pid = 0;
    for (size_t i = 0; i < r->count; i++) {
        if (!is_due(r, &r->missing[i], now_us))
            continue;
        uint16_t seq = (uint16_t)r->missing[i].seq;
        uint16_t ahead = (uint16_t)(seq - pid);
        if (fcis == 0 || ahead == 0 || ahead > 16) {
            if (NACK_HEADER_LEN + NACK_FCI_LEN * (fcis + 1) > cap)
                break;
            fcis++;
            pid = seq;
        }
        r->scratch[n++] = seq;
    }
    return n;
}

/* Moves the first `sent` due entries to their next retry, drops the ones out of tries and
 * returns how many were dropped. Visits due entries in the order collect_due() did. */
static size_t reschedule(struct prism_nack_receiver *r, uint64_t now_us, size_t sent)
{
    uint64_t interval = r->rtt_us > r->min_retry_interval_us ? r->rtt_us : r->min_retry_interval_us;
    size_t kept = 0, dropped = 0;
    for (size_t i = 0; i < r->count; i++) {
        struct missing m = r->missing[i];
        if (m.due_us <= now_us && m.nacks >= r->max_nacks) {
            dropped++;
            continue;
        }
        if (sent > 0 && is_due(r, &m, now_us)) {
            sent--;
            m.nacks++;
            m.due_us = now_us + interval;
        }
        r->missing[kept++] = m;
    }
    r->count = kept;
    return dropped;
}

int prism_nack_receiver_poll(struct prism_nack_receiver *r, uint64_t now_us, uint8_t *buf,
                             size_t cap, struct prism_nack_poll *out)
{
    if (!r || !buf || !out)
        return -EINVAL;
    if (cap < NACK_HEADER_LEN + NACK_FCI_LEN)
        return -ENOSPC;
    size_t n = collect_due(r, now_us, cap);
    int len = 0;
    if (n > 0) {
        len = prism_rtcp_build_nack(buf, cap, r->sender_ssrc, r->ssrc, r->scratch, n);
        if (len < 0)
            return len;
        r->counters.nacks_sent++;
        r->counters.seqs_nacked += n;
    }
    size_t dropped = reschedule(r, now_us, n);
    if (dropped > 0) {
        r->counters.given_up += dropped;
        r->keyframe_pending = true;
    }
    out->len = (size_t)len;
    out->nacked = n;
    out->given_up = dropped;
    out->keyframe_needed = r->keyframe_pending;
    r->keyframe_pending = false;
    return 0;
}

uint64_t prism_nack_receiver_next_deadline(const struct prism_nack_receiver *r)
{
    if (r->keyframe_pending)
        return 0;
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < r->count; i++) {
        if (r->missing[i].due_us < next)
            next = r->missing[i].due_us;
    }
    return next;
}

int prism_nack_receiver_report(struct prism_nack_receiver *r, uint64_t now_us,
                               struct prism_rtcp_report_block *out)
{
    if (!r || !out)
        return -EINVAL;
    return prism_nack_stats_report(&r->stats, r->ssrc, now_us, out);
}

const struct prism_nack_stats *prism_nack_receiver_stats(const struct prism_nack_receiver *r)
{
    return &r->stats;
}

void prism_nack_receiver_get_counters(const struct prism_nack_receiver *r,
                                      struct prism_nack_receiver_counters *out)
{
    *out = r->counters;
    out->missing = r->count;
}
