/* Send-side retransmission history: a ring of sent packets indexed by sequence number, and the
 * NACK answer that turns lost sequence numbers into plain or RTX retransmissions. */
#include "media/nack/history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "media/bytes.h"
#include "media/rtp/header.h"
#include "media/rtp/seq.h"

#define NO_RTX_PAYLOAD_TYPE 0xFF
#define BUCKET_WINDOW_US 250000 /* the bitrate cap allows bursts of a quarter second's worth */
#define MAX_BITRATE_BPS 1000000000000ull /* keeps the token arithmetic inside 64 bits */

/* Bookkeeping of one slot. A slot holds the packet whose extended sequence number is ext_seq;
 * since the capacity divides 65536, a sequence number always maps to the same slot. */
struct slot {
    int64_t ext_seq;
    uint64_t sent_us;
    uint64_t resent_us;
    uint16_t len; /* 0: empty (a stored packet has at least 12 bytes) */
    bool resent;
};

struct prism_nack_history {
    uint32_t ssrc;
    size_t mask;     /* current ring size - 1 */
    size_t max_mask; /* configured capacity - 1: the ring never grows past it */
    size_t slot_size;
    uint64_t max_age_us;
    uint64_t min_resend_interval_us;
    uint64_t rtt_us;
    size_t max_per_call;
    struct prism_rtp_seq_unwrapper unwrapper; /* highest = newest extended seq stored */

    /* Token bucket of the bitrate cap, in bit-microseconds per microsecond (bits * 10^6), so
     * that refilling is one multiplication: elapsed_us * bits_per_second. */
    uint64_t max_bitrate_bps;
    uint64_t tokens;
    uint64_t tokens_at_us;
    bool bucket_started;

    bool rtx;
    uint32_t rtx_ssrc;
    uint16_t rtx_seq;
    uint8_t rtx_payload_type[128]; /* by media payload type; NO_RTX_PAYLOAD_TYPE if unmapped */

    struct prism_nack_history_stats stats;
    struct slot *slots; /* capacity entries, owned */
    uint8_t *data;      /* capacity * slot_size bytes, owned */
};

static bool valid_rtx(const struct prism_nack_rtx_config *rtx)
{
    if (rtx->map_count > 128 || (rtx->map_count > 0 && !rtx->map))
        return false;
    for (size_t i = 0; i < rtx->map_count; i++) {
        if (rtx->map[i].media_payload_type > 127 || rtx->map[i].rtx_payload_type > 127)
            return false;
    }
    return true;
}

int prism_nack_history_set_rtx(struct prism_nack_history *h,
                               const struct prism_nack_rtx_config *rtx)
{
    if (!h || (rtx && !valid_rtx(rtx)))
        return -EINVAL;
    memset(h->rtx_payload_type, NO_RTX_PAYLOAD_TYPE, sizeof(h->rtx_payload_type));
    if (!rtx) {
        h->rtx = false;
        return 0;
    }
    if (!h->rtx || h->rtx_ssrc != rtx->ssrc)
        h->rtx_seq = rtx->first_seq;
    h->rtx = true;
    h->rtx_ssrc = rtx->ssrc;
    for (size_t i = 0; i < rtx->map_count; i++)
        h->rtx_payload_type[rtx->map[i].media_payload_type] = rtx->map[i].rtx_payload_type;
    return 0;
}

/* Copies cfg into h with defaults for the zero fields; false if a value is out of range. */
static bool apply_config(struct prism_nack_history *h, const struct prism_nack_history_config *c)
{
    size_t capacity = c->capacity ? c->capacity : PRISM_NACK_HISTORY_DEFAULT_CAPACITY;
    h->ssrc = c->ssrc;
    h->max_mask = capacity - 1;
    h->mask = (capacity < PRISM_NACK_HISTORY_INITIAL_CAPACITY
                   ? capacity
                   : PRISM_NACK_HISTORY_INITIAL_CAPACITY) -
              1;
    h->slot_size = c->slot_size ? c->slot_size : PRISM_NACK_HISTORY_DEFAULT_SLOT;
    h->max_age_us = c->max_age_us ? c->max_age_us : PRISM_NACK_HISTORY_DEFAULT_MAX_AGE_US;
    h->min_resend_interval_us = c->min_resend_interval_us
                                    ? c->min_resend_interval_us
                                    : PRISM_NACK_HISTORY_DEFAULT_MIN_RESEND_US;
    h->max_per_call = c->max_resends_per_call ? c->max_resends_per_call
                                              : PRISM_NACK_HISTORY_DEFAULT_MAX_PER_CALL;
    h->max_bitrate_bps = c->max_bitrate_bps;
    return capacity >= 16 && capacity <= PRISM_NACK_HISTORY_MAX_CAPACITY &&
           (capacity & (capacity - 1)) == 0 && h->slot_size >= PRISM_RTP_FIXED_HEADER_LEN &&
           h->slot_size <= UINT16_MAX && h->max_bitrate_bps <= MAX_BITRATE_BPS &&
           (!c->rtx || valid_rtx(c->rtx));
}

int prism_nack_history_create(const struct prism_nack_history_config *cfg,
                              struct prism_nack_history **out)
{
    int rc = -EINVAL;
    struct prism_nack_history *h = NULL;
    if (!cfg || !out)
        goto out;
    rc = -ENOMEM;
    h = calloc(1, sizeof(*h));
    if (!h)
        goto out;
    rc = -EINVAL;
    if (!apply_config(h, cfg))
        goto out;
    rc = -ENOMEM;
    h->slots = calloc(h->mask + 1, sizeof(*h->slots));
    h->data = malloc((h->mask + 1) * h->slot_size);
    if (!h->slots || !h->data)
        goto out;
    rc = prism_nack_history_set_rtx(h, cfg->rtx);
out:
    if (rc < 0) {
        prism_nack_history_destroy(h);
        return rc;
    }
    *out = h;
    return 0;
}

void prism_nack_history_destroy(struct prism_nack_history *h)
{
    if (!h)
        return;
    free(h->slots);
    free(h->data);
    free(h);
}

void prism_nack_history_set_rtt(struct prism_nack_history *h, uint64_t rtt_us)
{
    if (h)
        h->rtt_us = rtt_us;
}

/* Doubles the ring, each stored packet moving to the slot of its sequence number under the
 * new mask (distinct: the old ring held fewer consecutive numbers than the new size). Keeps
 * the old ring when memory runs out. Happens a few times per stream, never per packet. */
static void grow(struct prism_nack_history *h)
{
    size_t mask = h->mask * 2 + 1;
    struct slot *slots = calloc(mask + 1, sizeof(*slots));
    uint8_t *data = malloc((mask + 1) * h->slot_size);
    if (!slots || !data) {
        free(slots);
        free(data);
        return;
    }
    for (size_t i = 0; i <= h->mask; i++) {
        if (!h->slots[i].len)
            continue;
        size_t to = (size_t)h->slots[i].ext_seq & mask;
        slots[to] = h->slots[i];
        memcpy(data + to * h->slot_size, h->data + i * h->slot_size, h->slots[i].len);
    }
    free(h->slots);
    free(h->data);
    h->slots = slots;
    h->data = data;
    h->mask = mask;
}

int prism_nack_history_store(struct prism_nack_history *h, const uint8_t *packet, size_t len,
                             uint64_t now_us)
{
    if (!h || !packet)
        return -EINVAL;
    int rc = -EBADMSG;
    if (len < PRISM_RTP_FIXED_HEADER_LEN || (packet[0] >> 6) != 2 ||
        prism_read_be32(packet + 8) != h->ssrc)
        goto refused;
    rc = -EMSGSIZE;
    if (len > h->slot_size)
        goto refused;
    uint16_t seq = prism_read_be16(packet + 2);
    int64_t ext = prism_rtp_seq_unwrap(&h->unwrapper, seq);
    rc = -ESTALE;
    if (h->unwrapper.highest - ext > (int64_t)h->mask)
        goto refused;

    const struct slot *victim = &h->slots[seq & h->mask];
    if (victim->len && victim->ext_seq != ext && now_us - victim->sent_us < h->max_age_us &&
        h->mask < h->max_mask)
        grow(h);
    size_t index = seq & h->mask;
    memcpy(h->data + index * h->slot_size, packet, len);
    h->slots[index] = (struct slot){.ext_seq = ext, .sent_us = now_us, .len = (uint16_t)len};
    h->stats.stored++;
    return 0;
refused:
    h->stats.refused++;
    return rc;
}

/* The slot holding seq, or NULL with *err set to why not. */
static struct slot *lookup(const struct prism_nack_history *h, uint16_t seq, uint64_t now_us,
                           int *err)
{
    *err = -ENOENT;
    if (!h->unwrapper.started)
        return NULL;
    int64_t highest = h->unwrapper.highest;
    int64_t ext = highest + prism_rtp_seq_diff(seq, (uint16_t)highest);
    if (ext > highest || highest - ext > (int64_t)h->mask)
        return NULL;
    struct slot *s = &h->slots[seq & h->mask];
    if (s->len == 0 || s->ext_seq != ext)
        return NULL;
    if (now_us > s->sent_us && now_us - s->sent_us > h->max_age_us) {
        *err = -ESTALE;
        return NULL;
    }
    return s;
}

int prism_nack_history_find(const struct prism_nack_history *h, uint16_t seq, uint64_t now_us,
                            struct prism_nack_stored *out)
{
    if (!h || !out)
        return -EINVAL;
    int err;
    const struct slot *s = lookup(h, seq, now_us, &err);
    if (!s)
        return err;
    out->data = h->data + (seq & h->mask) * h->slot_size;
    out->len = s->len;
    out->sent_us = s->sent_us;
    return 0;
}

size_t prism_nack_history_resend_size(const struct prism_nack_history *h)
{
    return h ? h->slot_size + 2 : 0;
}

/* Refills the token bucket up to its window and says whether bytes may go out now. */
static bool bucket_allows(struct prism_nack_history *h, size_t bytes, uint64_t now_us)
{
    if (h->max_bitrate_bps == 0)
        return true;
    uint64_t full = h->max_bitrate_bps * BUCKET_WINDOW_US;
    if (!h->bucket_started) {
        h->bucket_started = true;
        h->tokens = full;
    } else if (now_us > h->tokens_at_us) {
        uint64_t elapsed = now_us - h->tokens_at_us;
        if (elapsed > BUCKET_WINDOW_US)
            elapsed = BUCKET_WINDOW_US;
        h->tokens += elapsed * h->max_bitrate_bps;
        if (h->tokens > full)
            h->tokens = full;
    }
    h->tokens_at_us = now_us;
    return h->tokens >= (uint64_t)bytes * 8 * 1000000;
}

/* Writes the packet of slot s into buf, as RTX when negotiated: its length or -1. */
static int write_resend(struct prism_nack_history *h, const struct slot *s, const uint8_t *packet,
                        struct prism_nack_resend_buffer *buf)
{
    if (!h->rtx) {
        memcpy(buf->data, packet, s->len);
        return s->len;
    }
    struct prism_rtp_header header;
    if (prism_rtp_parse(packet, s->len, &header) < 0)
        return -1;
    uint8_t rtx_pt = h->rtx_payload_type[header.payload_type];
    if (rtx_pt == NO_RTX_PAYLOAD_TYPE)
        return -1;
    int len = prism_rtp_rtx_wrap(buf->data, buf->cap, &header, rtx_pt, h->rtx_ssrc, h->rtx_seq);
    if (len < 0)
        return -1;
    h->rtx_seq++;
    return len;
}

/* Resends one sequence number into buf if every limit allows; returns true if buf was filled,
 * and counts the outcome in *report either way. */
static bool resend_one(struct prism_nack_history *h, uint16_t seq, uint64_t now_us,
                       struct prism_nack_resend_buffer *buf,
                       struct prism_nack_resend_report *report)
{
    int err;
    struct slot *s = lookup(h, seq, now_us, &err);
    if (!s) {
        if (err == -ESTALE)
            report->too_old++;
        else
            report->unknown++;
        return false;
    }
    uint64_t interval = h->rtt_us > h->min_resend_interval_us ? h->rtt_us
                                                              : h->min_resend_interval_us;
    if (s->resent && now_us >= s->resent_us && now_us - s->resent_us < interval) {
        report->throttled++;
        return false;
    }
    size_t cost = (size_t)s->len + (h->rtx ? 2 : 0);
    if (!bucket_allows(h, cost, now_us)) {
        report->over_budget++;
        return false;
    }
    int len = write_resend(h, s, h->data + (seq & h->mask) * h->slot_size, buf);
    if (len < 0) {
        report->unusable++;
        return false;
    }
    if (h->max_bitrate_bps)
        h->tokens -= (uint64_t)len * 8 * 1000000;
    s->resent = true;
    s->resent_us = now_us;
    buf->len = (size_t)len;
    report->sent++;
    h->stats.resent_packets++;
    h->stats.resent_bytes += (uint64_t)len;
    return true;
}

int prism_nack_history_resend(struct prism_nack_history *h, const uint16_t *seqs, size_t count,
                              uint64_t now_us, struct prism_nack_resend_buffer *buffers,
                              size_t nbuffers, struct prism_nack_resend_report *report)
{
    if (!h || (count > 0 && !seqs) || (nbuffers > 0 && !buffers))
        return -EINVAL;
    for (size_t i = 0; i < nbuffers; i++) {
        if (!buffers[i].data || buffers[i].cap < prism_nack_history_resend_size(h))
            return -EINVAL;
    }
    struct prism_nack_resend_report local = {0};
    size_t limit = nbuffers < h->max_per_call ? nbuffers : h->max_per_call;
    size_t filled = 0;
    for (size_t i = 0; i < count; i++) {
        if (filled == limit) {
            local.over_budget += count - i;
            break;
        }
        if (resend_one(h, seqs[i], now_us, &buffers[filled], &local))
            filled++;
    }
    if (report)
        *report = local;
    return (int)filled;
}

/* How many sequence numbers a NACK names in all: each FCI names its PID and one per BLP bit. */
static size_t nack_size(const struct prism_rtcp_nack *nack)
{
    size_t total = 0;
    for (size_t i = 0; i < nack->fci_count; i++)
        total += 1 + (size_t)__builtin_popcount(prism_read_be16(nack->fci + 4 * i + 2));
    return total;
}

int prism_nack_history_answer(struct prism_nack_history *h, const struct prism_rtcp_nack *nack,
                              uint64_t now_us, struct prism_nack_resend_buffer *buffers,
                              size_t nbuffers, struct prism_nack_resend_report *report)
{
    if (!h || !nack || (nack->fci_count > 0 && !nack->fci))
        return -EINVAL;
    uint16_t seqs[PRISM_NACK_HISTORY_MAX_SEQS_PER_NACK];
    size_t count = prism_rtcp_nack_lost(nack, seqs, PRISM_NACK_HISTORY_MAX_SEQS_PER_NACK);
    struct prism_nack_resend_report local;
    int rc = prism_nack_history_resend(h, seqs, count, now_us, buffers, nbuffers, &local);
    if (rc < 0)
        return rc;
    if (count == PRISM_NACK_HISTORY_MAX_SEQS_PER_NACK)
        local.over_budget += nack_size(nack) - count;
    if (report)
        *report = local;
    return rc;
}

void prism_nack_history_get_stats(const struct prism_nack_history *h,
                                  struct prism_nack_history_stats *out)
{
    if (h && out)
        *out = h->stats;
}
