/* Per-receiver throttle of retransmissions answered from a shared history: the same packet is
 * resent to one receiver at most once per interval (its RTT, with a floor), however often it
 * NACKs it. The shared history (one per publisher stream) cannot keep this per receiver, so
 * each subscriber stream embeds one of these: a few recent sequence numbers, no allocation.
 *
 * Sans-IO: time comes in as an argument (microseconds). */
#ifndef PRISM_MEDIA_NACK_RESEND_GUARD_H
#define PRISM_MEDIA_NACK_RESEND_GUARD_H

#include <stdbool.h>
#include <stdint.h>

/* Recent resends remembered; older ones are forgotten first (a NACK names its oldest losses
 * first, so a burst larger than this is only throttled for its newest part). */
#define PRISM_NACK_RESEND_GUARD_SLOTS 16

struct prism_nack_resend_guard {
    uint16_t seq[PRISM_NACK_RESEND_GUARD_SLOTS];
    uint64_t at_us[PRISM_NACK_RESEND_GUARD_SLOTS];
    uint8_t next;  /* slot written next */
    uint8_t count; /* slots in use */
};

/* Zero-initialise a guard (or call this) before use. */
void prism_nack_resend_guard_reset(struct prism_nack_resend_guard *g);

/* True when seq may be resent at now_us (not resent in the last interval_us; a clock going
 * backwards allows it), and then records the resend. False: throttled, nothing recorded. */
bool prism_nack_resend_guard_allow(struct prism_nack_resend_guard *g, uint16_t seq, uint64_t now_us,
                                   uint64_t interval_us);

#endif
