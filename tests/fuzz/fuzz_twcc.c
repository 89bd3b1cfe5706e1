/* Fuzzes transport-wide CC feedback both ways: the input is parsed as an RTPFB/15 body (the
 * parser must accept or refuse it without reading past it, and yield exactly what it counted),
 * and read as a stream of (sequence step, arrival step) pairs recorded by the receive side, whose
 * feedback, built into buffers of several sizes, must parse back to the arrivals recorded. */
#include <string.h>

#include "media/bytes.h"
#include "media/feedback/twcc_receiver.h"
#include "media/rtcp/feedback.h"
#include "media/rtcp/rtcp.h"
#include "twcc_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_body(const uint8_t *data, size_t size)
{
    struct prism_rtcp_packet p = {
        .type = PRISM_RTCP_RTPFB, .count = PRISM_RTCP_RTPFB_TWCC, .body = data, .body_len = size};
    struct prism_rtcp_twcc twcc;
    if (prism_rtcp_twcc_parse(&p, &twcc) == 0)
        fuzz_twcc_walk(&twcc);
}

/* Every feedback built must parse, start where the last one ended, and report arrivals within
 * half a delta unit of those recorded. */
static void check_feedback(const uint8_t *buf, int len, uint16_t *expected_base,
                           const int64_t *recorded, const bool *known)
{
    struct prism_rtcp_iter iter;
    struct prism_rtcp_packet p;
    struct prism_rtcp_twcc twcc;
    prism_rtcp_iter_init(&iter, buf, (size_t)len);
    if (prism_rtcp_next(&iter, &p) != 1 || prism_rtcp_twcc_parse(&p, &twcc) < 0 ||
        twcc.base_seq != *expected_base || twcc.status_count == 0)
        __builtin_trap();
    struct prism_rtcp_twcc_iter it;
    struct prism_rtcp_twcc_status s;
    prism_rtcp_twcc_iter_init(&it, &twcc);
    while (prism_rtcp_twcc_next(&it, &s) > 0) {
        int64_t delta = s.arrival_us - recorded[s.seq];
        if (s.received && (!known[s.seq] || delta > 125 || delta < -125))
            __builtin_trap();
    }
    *expected_base = (uint16_t)(twcc.base_seq + twcc.status_count);
}

static void record_and_report(const uint8_t *data, size_t size)
{
    /* By sequence number modulo 2^16, with the unwrapped number that owns each slot (unwrapped
     * as the receiver does, from the highest so far): the receiver's window is far shorter than
     * 2^16, so a slot reused after a wrap belongs to a packet reported long ago. */
    static int64_t recorded[65536], owner[65536];
    static bool known[65536];
    memset(known, 0, sizeof(known));
    struct prism_twcc_receiver r;
    prism_twcc_receiver_init(&r);
    uint16_t seq = 0, expected_base = 0;
    int64_t max_unwrapped = 0;
    uint64_t now = 5000000;
    bool first = true;
    uint8_t buf[1500];
    for (size_t i = 0; i + 3 <= size; i += 3) {
        seq = (uint16_t)(seq + (int8_t)data[i]);
        now += prism_read_be16(data + i + 1) * 16u;
        int64_t unwrapped = first ? seq : max_unwrapped + (int16_t)(uint16_t)(seq - max_unwrapped);
        if (first || unwrapped > max_unwrapped)
            max_unwrapped = unwrapped;
        if (first)
            expected_base = seq;
        first = false;
        if (!known[seq] || owner[seq] != unwrapped) { /* a duplicate keeps its first arrival */
            recorded[seq] = (int64_t)now;
            owner[seq] = unwrapped;
            known[seq] = true;
        }
        prism_twcc_receiver_on_packet(&r, seq, now);
        if (data[i] & 1)
            continue;
        size_t cap = 24 + (data[i + 1] & 0x3F) * 16;
        int len;
        while ((len = prism_twcc_receiver_build(&r, buf, cap, 1, 2)) > 0) {
            /* The window may have dropped packets never reported: skip to what was built. */
            struct prism_rtcp_iter iter;
            struct prism_rtcp_packet p;
            struct prism_rtcp_twcc twcc;
            prism_rtcp_iter_init(&iter, buf, (size_t)len);
            if (prism_rtcp_next(&iter, &p) == 1 && prism_rtcp_twcc_parse(&p, &twcc) == 0 &&
                (uint16_t)(twcc.base_seq - expected_base) < 0x8000)
                expected_base = twcc.base_seq;
            check_feedback(buf, len, &expected_base, recorded, known);
        }
        if (len < 0)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_body(data, size);
    record_and_report(data, size);
    return 0;
}
