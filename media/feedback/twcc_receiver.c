/* Receive-side transport-wide CC: the arrival record and the feedback it becomes. */
#include "media/feedback/twcc_receiver.h"

#include "media/rtcp/feedback.h"

#include <string.h>

#define WINDOW_MASK (PRISM_TWCC_RECEIVER_WINDOW - 1)

void prism_twcc_receiver_init(struct prism_twcc_receiver *r)
{
    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < PRISM_TWCC_RECEIVER_WINDOW; i++)
        r->arrival_us[i] = PRISM_RTCP_TWCC_NOT_RECEIVED;
}

static void forget(struct prism_twcc_receiver *r, int64_t seq)
{
    r->arrival_us[seq & WINDOW_MASK] = PRISM_RTCP_TWCC_NOT_RECEIVED;
}

/* A new highest sequence number: the slots between the old and the new one are cleared (their
 * packets are missing so far), and what falls out of the window is given up. */
static void advance_to(struct prism_twcc_receiver *r, int64_t seq)
{
    int64_t from = r->max_seq + 1;
    if (seq - from >= PRISM_TWCC_RECEIVER_WINDOW)
        from = seq - PRISM_TWCC_RECEIVER_WINDOW;
    for (int64_t s = from; s <= seq; s++)
        forget(r, s);
    r->max_seq = seq;
    r->last_seq = (uint16_t)seq;
    if (r->next_seq <= seq - PRISM_TWCC_RECEIVER_WINDOW)
        r->next_seq = seq - PRISM_TWCC_RECEIVER_WINDOW + 1;
}

void prism_twcc_receiver_on_packet(struct prism_twcc_receiver *r, uint16_t seq, uint64_t arrival_us)
{
    if (!r->started) {
        r->started = true;
        r->next_seq = r->max_seq = seq;
        r->last_seq = seq;
        forget(r, seq);
    }
    int64_t unwrapped = r->max_seq + (int16_t)(uint16_t)(seq - r->last_seq);
    if (unwrapped < r->next_seq)
        return;
    if (unwrapped > r->max_seq)
        advance_to(r, unwrapped);
    int64_t *slot = &r->arrival_us[unwrapped & WINDOW_MASK];
    if (*slot == PRISM_RTCP_TWCC_NOT_RECEIVED)
        *slot = (int64_t)arrival_us;
}

bool prism_twcc_receiver_pending(const struct prism_twcc_receiver *r)
{
    return r->started && r->next_seq <= r->max_seq;
}

int prism_twcc_receiver_build(struct prism_twcc_receiver *r, uint8_t *buf, size_t cap,
                              uint32_t sender_ssrc, uint32_t media_ssrc)
{
    if (!prism_twcc_receiver_pending(r))
        return 0;
    size_t count = (size_t)(r->max_seq - r->next_seq + 1);
    int64_t arrivals[PRISM_TWCC_RECEIVER_WINDOW];
    for (size_t i = 0; i < count; i++)
        arrivals[i] = r->arrival_us[(r->next_seq + (int64_t)i) & WINDOW_MASK];
    struct prism_rtcp_twcc_feedback feedback = {
        .sender_ssrc = sender_ssrc,
        .media_ssrc = media_ssrc,
        .base_seq = (uint16_t)r->next_seq,
        .fb_count = r->fb_count,
        .arrivals = arrivals,
        .count = count,
    };
    size_t covered = 0;
    int len = prism_rtcp_build_twcc(buf, cap, &feedback, &covered);
    if (len < 0)
        return len;
    r->next_seq += (int64_t)covered;
    r->fb_count++;
    return len;
}
