/* The receive side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01): records the transport sequence number and arrival time of every packet a
 * remote sends us and reports them back in RTPFB/15 feedback, as Janus and libwebrtc do, so the
 * remote's send-side bandwidth estimator (GoogCC) can run.
 *
 * Sans-IO: the caller passes arrival times and a buffer; nothing here reads a clock or sends.
 * One per PeerConnection (the sequence is transport-wide, across its m-lines), used on the
 * thread that owns it. */
#ifndef PRISM_MEDIA_FEEDBACK_TWCC_RECEIVER_H
#define PRISM_MEDIA_FEEDBACK_TWCC_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Packets remembered: a power of two. At the feedback interval this covers 10,000 packets per
 * second; packets that fall out of the window before a feedback are not reported. */
#define PRISM_TWCC_RECEIVER_WINDOW 1024
/* How often feedback goes out while packets arrive (libwebrtc sends every 50-250 ms). */
#define PRISM_TWCC_FEEDBACK_INTERVAL_US 100000

struct prism_twcc_receiver {
    int64_t arrival_us[PRISM_TWCC_RECEIVER_WINDOW]; /* by unwrapped seq modulo the window */
    int64_t next_seq;                               /* first unwrapped seq not yet reported */
    int64_t max_seq;                                /* highest unwrapped seq received */
    uint16_t last_seq;                              /* max_seq modulo 2^16, for unwrapping */
    bool started;
    uint8_t fb_count;
};

void prism_twcc_receiver_init(struct prism_twcc_receiver *r);

/* Records packet `seq` (from its transport-wide-cc extension) arriving at `arrival_us`. A
 * duplicate keeps the first arrival; a packet older than what the last feedback covered is
 * ignored (libwebrtc counts it lost already). */
void prism_twcc_receiver_on_packet(struct prism_twcc_receiver *r, uint16_t seq,
                                   uint64_t arrival_us);

/* True when packets arrived that no feedback reported yet. */
bool prism_twcc_receiver_pending(const struct prism_twcc_receiver *r);

/* Builds one feedback packet for the packets not reported yet (from the first unreported to
 * the highest received) and marks those it covered as reported; call again while
 * prism_twcc_receiver_pending() to send the rest. Returns its length, 0 when nothing is
 * pending, or a negative errno from prism_rtcp_build_twcc (-ENOSPC: cap too small). */
int prism_twcc_receiver_build(struct prism_twcc_receiver *r, uint8_t *buf, size_t cap,
                              uint32_t sender_ssrc, uint32_t media_ssrc);

#endif
