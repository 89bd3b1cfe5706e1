/* Fuzzes the feedback engines with a script of operations read from the input: packets and
 * arbitrary RTCP into the send history, sequence numbers into the loss detector (whose NACKs
 * are fed back to the history), keyframe requests and REMB estimates, with time moving on.
 * Checks bounds the engines promise: outputs parse, reports account for every number. */
#include <stdlib.h>
#include <string.h>

#include "media/bytes.h"
#include "media/feedback/keyframe.h"
#include "media/feedback/remb.h"
#include "media/nack/history.h"
#include "media/nack/receiver.h"
#include "media/rtcp/feedback.h"
#include "media/rtp/header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SSRC 0x1234u
#define SLOT 300
#define MAX_MISSING 64

struct engines {
    struct prism_nack_history *history;
    struct prism_nack_receiver *receiver;
    struct prism_keyframe keyframe;
    struct prism_remb remb;
    uint8_t out[8][SLOT + 2];
    struct prism_nack_resend_buffer bufs[8];
};

static void check_report(const struct prism_nack_resend_report *r, size_t count, int filled)
{
    size_t sum = r->sent + r->unknown + r->too_old + r->throttled + r->over_budget + r->unusable;
    if (sum != count || (size_t)filled != r->sent)
        __builtin_trap();
}

/* Answers every NACK of an RTCP compound packet from the history. */
static void answer_rtcp(struct engines *e, const uint8_t *rtcp, size_t len, uint64_t now)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_nack nack;
    struct prism_nack_resend_report report;
    uint16_t lost[PRISM_NACK_HISTORY_MAX_SEQS_PER_NACK];
    prism_rtcp_iter_init(&it, rtcp, len);
    while (prism_rtcp_next(&it, &p) == 1) {
        if (prism_rtcp_nack_parse(&p, &nack) < 0)
            continue;
        int n = prism_nack_history_answer(e->history, &nack, now, e->bufs, 8, &report);
        if (n < 0 || n > 8)
            __builtin_trap();
        size_t count = prism_rtcp_nack_lost(&nack, lost, PRISM_NACK_HISTORY_MAX_SEQS_PER_NACK);
        if (count < PRISM_NACK_HISTORY_MAX_SEQS_PER_NACK)
            check_report(&report, count, n);
        for (int i = 0; i < n; i++) {
            struct prism_rtp_header h;
            if (e->bufs[i].len > SLOT + 2 || prism_rtp_parse(e->bufs[i].data, e->bufs[i].len, &h))
                __builtin_trap();
        }
    }
}

/* Stores a packet: arguments are its sequence number, its length / 2 (so some are too short
 * and some bigger than a slot), and its payload type, with the top bit for a foreign SSRC. */
static void store(struct engines *e, const uint8_t *arg, uint64_t now)
{
    uint8_t packet[512];
    size_t len = (size_t)arg[2] * 2;
    memset(packet, arg[2], sizeof(packet));
    packet[0] = 0x80;
    packet[1] = arg[3] & 0x7F;
    memcpy(packet + 2, arg, 2);
    prism_write_be32(packet + 8, arg[3] & 0x80 ? SSRC + 1 : SSRC);
    int rc = prism_nack_history_store(e->history, packet, len, now);
    if (rc == 0 && (len < 12 || len > SLOT))
        __builtin_trap();
}

static void poll_receiver(struct engines *e, const uint8_t *arg, uint64_t now)
{
    uint8_t buf[1500];
    size_t cap = 12 + (size_t)arg[0] * 4 % sizeof(buf);
    struct prism_nack_poll out;
    if (prism_nack_receiver_poll(e->receiver, now, buf, cap, &out) < 0) {
        if (cap >= 16)
            __builtin_trap();
        return;
    }
    if (out.len > 0 && (out.len > cap || prism_rtcp_validate(buf, out.len) < 0))
        __builtin_trap();
    if (out.len > 0)
        answer_rtcp(e, buf, out.len, now);
    struct prism_nack_receiver_counters c;
    prism_nack_receiver_get_counters(e->receiver, &c);
    if (c.missing > MAX_MISSING)
        __builtin_trap();
}

/* Runs the operation at op (opcode, time step, four argument bytes); left counts the bytes
 * from op to the end of the input, which an RTCP operation takes as its packet. */
static void run_op(struct engines *e, const uint8_t *op, size_t left, uint64_t now)
{
    const uint8_t *arg = op + 2;
    uint8_t buf[128];
    int len;
    switch (op[0] % 7) {
    case 0:
        prism_nack_receiver_on_packet(e->receiver, prism_read_be16(arg), arg[2] * 1000u, arg[3] & 1,
                                      now);
        break;
    case 1:
        poll_receiver(e, arg, now);
        break;
    case 2:
        store(e, arg, now);
        break;
    case 3:
        answer_rtcp(e, arg, left - 2, now);
        break;
    case 4:
        if (arg[0] & 1)
            prism_keyframe_request(&e->keyframe);
        len = prism_keyframe_poll(&e->keyframe, now, buf, arg[1] % sizeof(buf));
        if (len > 0 && prism_rtcp_validate(buf, (size_t)len) < 0)
            __builtin_trap();
        break;
    case 5:
        prism_remb_on_estimate(&e->remb, prism_read_be32(arg));
        len = prism_remb_poll(&e->remb, now, buf, arg[1] % sizeof(buf));
        if (len > 0 && prism_rtcp_validate(buf, (size_t)len) < 0)
            __builtin_trap();
        break;
    case 6:
        prism_nack_receiver_set_rtt(e->receiver, arg[0] * 1000u);
        prism_nack_history_set_rtt(e->history, arg[1] * 1000u);
        break;
    }
}

static int make_engines(struct engines *e)
{
    static const struct prism_nack_rtx_map map[] = {{96, 97}, {100, 101}};
    struct prism_nack_rtx_config rtx = {.ssrc = 0x5678, .map = map, .map_count = 2};
    struct prism_nack_history_config hcfg = {
        .ssrc = SSRC, .capacity = 64, .slot_size = SLOT, .max_bitrate_bps = 2000000, .rtx = &rtx};
    struct prism_nack_receiver_config rcfg = {
        .ssrc = SSRC, .clock_rate = 90000, .max_missing = MAX_MISSING, .max_nacks = 3};
    struct prism_keyframe_config kcfg = {
        .media_ssrc = SSRC, .periodic_interval_us = 3000000, .use_fir = true};
    uint32_t ssrcs[] = {SSRC};
    struct prism_remb_config bcfg = {
        .media_ssrcs = ssrcs, .media_ssrc_count = 1, .cap_bps = 1000000};
    memset(e, 0, sizeof(*e));
    for (size_t i = 0; i < 8; i++)
        e->bufs[i] = (struct prism_nack_resend_buffer){e->out[i], sizeof(e->out[i]), 0};
    if (prism_nack_history_create(&hcfg, &e->history) < 0)
        return -1;
    if (prism_nack_receiver_create(&rcfg, &e->receiver) < 0 ||
        prism_keyframe_init(&e->keyframe, &kcfg, 0) < 0 || prism_remb_init(&e->remb, &bcfg, 0) < 0)
        return -1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct engines e;
    if (make_engines(&e) < 0)
        __builtin_trap();
    uint64_t now = 0;
    /* Each operation: opcode, time step (ms), four argument bytes. */
    for (size_t pos = 0; pos + 6 <= size; pos += 6) {
        now += (uint64_t)data[pos + 1] * 1000;
        run_op(&e, data + pos, size - pos, now);
    }
    prism_nack_history_destroy(e.history);
    prism_nack_receiver_destroy(e.receiver);
    return 0;
}
