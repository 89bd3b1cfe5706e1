/* Building transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01 section 3.1): the receive side's report of which transport sequence numbers
 * arrived and when, as Janus and libwebrtc send it to a media sender so its send-side bandwidth
 * estimator can run. Sans-IO: arrival times in, RTCP bytes out. */
#include "media/rtcp/feedback.h"
#include "media/rtcp/internal.h"

#include <errno.h>
#include <string.h>

#define SYMBOL_NOT_RECEIVED 0
#define SYMBOL_SMALL_DELTA 1
#define SYMBOL_LARGE_DELTA 2
#define DELTA_UNIT_US 250
#define REFERENCE_UNIT_US 64000
#define FIXED_LEN 20   /* RTCP header, SSRCs, base, count, reference time, fb count */
#define RUN_MAX 0x1FFF /* longest run a run length chunk holds */
#define ONE_BIT_SLOTS 14
#define TWO_BIT_SLOTS 7

/* The statuses of the packets a feedback may cover, with their receive deltas. */
struct statuses {
    uint8_t symbol[PRISM_RTCP_TWCC_MAX_STATUS];
    int16_t delta[PRISM_RTCP_TWCC_MAX_STATUS]; /* in 250 us units */
    size_t count;
    int64_t reference; /* 64 ms units */
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Rounds to the nearest delta unit. */
static int64_t to_units(int64_t us)
{
    return floor_div(us + DELTA_UNIT_US / 2, DELTA_UNIT_US);
}

/* Symbols and deltas for the first packets, up to one whose delta does not fit 16 bits. Each
 * delta is taken from the previous packet's time as the receiver will rebuild it (reference
 * plus the deltas so far), so rounding never accumulates. */
static void classify(const int64_t *arrivals, size_t count, struct statuses *s)
{
    s->reference = 0;
    for (size_t i = 0; i < count; i++) {
        if (arrivals[i] != PRISM_RTCP_TWCC_NOT_RECEIVED) {
            s->reference = floor_div(arrivals[i], REFERENCE_UNIT_US);
            break;
        }
    }
    int64_t last = s->reference * (REFERENCE_UNIT_US / DELTA_UNIT_US);
    size_t n = 0;
    for (; n < count && n < PRISM_RTCP_TWCC_MAX_STATUS; n++) {
        s->delta[n] = 0;
        if (arrivals[n] == PRISM_RTCP_TWCC_NOT_RECEIVED) {
            s->symbol[n] = SYMBOL_NOT_RECEIVED;
            continue;
        }
        int64_t units = to_units(arrivals[n]);
        int64_t delta = units - last;
        if (delta < INT16_MIN || delta > INT16_MAX)
            break; /* the next feedback starts here, with its own reference time */
        s->symbol[n] = delta >= 0 && delta <= 255 ? SYMBOL_SMALL_DELTA : SYMBOL_LARGE_DELTA;
        s->delta[n] = (int16_t)delta;
        last = units;
    }
    s->count = n;
}

/* Chooses the next chunk for the statuses from `at`: a run length chunk for a long run or one
 * that ends the feedback, else a 1-bit vector when no large delta is in reach, else a 2-bit one.
 * Returns the chunk and sets *covered. */
static uint16_t next_chunk(const struct statuses *s, size_t at, size_t *covered)
{
    size_t left = s->count - at, run = 1;
    while (run < left && run < RUN_MAX && s->symbol[at + run] == s->symbol[at])
        run++;
    if (run >= ONE_BIT_SLOTS || run == left) {
        *covered = run;
        return (uint16_t)(s->symbol[at] << 13 | run);
    }
    size_t n = left < ONE_BIT_SLOTS ? left : ONE_BIT_SLOTS;
    bool large = false;
    for (size_t i = 0; i < n; i++)
        large |= s->symbol[at + i] == SYMBOL_LARGE_DELTA;
    uint16_t chunk;
    if (!large) {
        chunk = 0x8000;
        for (size_t i = 0; i < n; i++)
            chunk |= (uint16_t)(s->symbol[at + i] << (13 - i));
    } else {
        n = left < TWO_BIT_SLOTS ? left : TWO_BIT_SLOTS;
        chunk = 0xC000;
        for (size_t i = 0; i < n; i++)
            chunk |= (uint16_t)(s->symbol[at + i] << (12 - 2 * i));
    }
    *covered = n;
    return chunk;
}

/* The chunk reporting only its first n statuses (the status count ends the feedback there):
 * a shorter run, or a vector whose later slots read "not received". */
static uint16_t truncated(uint16_t chunk, size_t n)
{
    if (!(chunk & 0x8000))
        return (uint16_t)((chunk & 0x6000) | n);
    unsigned bits = (chunk & 0x4000) ? 2 : 1,
             slots = (chunk & 0x4000) ? TWO_BIT_SLOTS : ONE_BIT_SLOTS;
    unsigned unused = (unsigned)(slots - n) * bits;
    return (uint16_t)(chunk & ~((1u << unused) - 1u));
}

static size_t delta_bytes(const struct statuses *s, size_t from, size_t to)
{
    size_t bytes = 0;
    for (size_t i = from; i < to; i++)
        bytes += s->symbol[i] == SYMBOL_SMALL_DELTA   ? 1
                 : s->symbol[i] == SYMBOL_LARGE_DELTA ? 2
                                                      : 0;
    return bytes;
}

static size_t padded(size_t len)
{
    return (len + 3) & ~(size_t)3;
}

static void write_deltas(const struct statuses *s, size_t count, uint8_t *out)
{
    for (size_t i = 0; i < count; i++) {
        if (s->symbol[i] == SYMBOL_SMALL_DELTA) {
            *out++ = (uint8_t)s->delta[i];
        } else if (s->symbol[i] == SYMBOL_LARGE_DELTA) {
            prism_write_be16(out, (uint16_t)s->delta[i]);
            out += 2;
        }
    }
}

int prism_rtcp_build_twcc(uint8_t *buf, size_t cap, const struct prism_rtcp_twcc_feedback *in,
                          size_t *covered)
{
    if (!buf || !in || !covered || !in->arrivals || in->count == 0 || in->count > UINT16_MAX)
        return -EINVAL;
    struct statuses s;
    classify(in->arrivals, in->count, &s);
    /* Chunks are written in place; the deltas follow them once the chunks are known. */
    size_t at = 0, chunks_len = 0, deltas_len = 0;
    while (at < s.count) {
        size_t n;
        uint16_t chunk = next_chunk(&s, at, &n);
        size_t more = delta_bytes(&s, at, at + n);
        bool last = false;
        while (n > 0 && padded(FIXED_LEN + chunks_len + 2 + deltas_len + more) > cap) {
            n--; /* the feedback ends inside this chunk: it reports fewer packets */
            more = delta_bytes(&s, at, at + n);
            last = true;
        }
        if (n == 0)
            break;
        if (last)
            chunk = truncated(chunk, n);
        prism_write_be16(buf + FIXED_LEN + chunks_len, chunk);
        chunks_len += 2;
        deltas_len += more;
        at += n;
        if (last)
            break;
    }
    if (at == 0)
        return -ENOSPC;
    write_deltas(&s, at, buf + FIXED_LEN + chunks_len);
    size_t len = padded(FIXED_LEN + chunks_len + deltas_len);
    memset(buf + FIXED_LEN + chunks_len + deltas_len, 0, len - FIXED_LEN - chunks_len - deltas_len);
    prism_rtcp_write_header(buf, PRISM_RTCP_RTPFB_TWCC, PRISM_RTCP_RTPFB, len);
    prism_write_be32(buf + 4, in->sender_ssrc);
    prism_write_be32(buf + 8, in->media_ssrc);
    prism_write_be16(buf + 12, in->base_seq);
    prism_write_be16(buf + 14, (uint16_t)at);
    prism_write_be24(buf + 16, (uint32_t)s.reference & 0xFFFFFFu);
    buf[19] = in->fb_count;
    *covered = at;
    return (int)len;
}
