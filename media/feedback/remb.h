/* REMB (draft-alvestrand-rmcat-remb) towards one publisher: the configured bitrate cap (Janus'
 * `bitrate` / `bitrate_cap`) combined with the lowest estimate its receivers reported, sent
 * periodically, at once when the cap changes, and at once when the estimate drops.
 *
 * Sans-IO: the caller passes the current time in microseconds and a buffer for the REMB;
 * nothing here reads a clock or sends. */
#ifndef PRISM_MEDIA_FEEDBACK_REMB_H
#define PRISM_MEDIA_FEEDBACK_REMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRISM_REMB_MAX_SSRCS 8
#define PRISM_REMB_DEFAULT_INTERVAL_US 1000000
/* A combined value this much below the last one sent (in percent) is sent without waiting. */
#define PRISM_REMB_DROP_PERCENT 3

struct prism_remb_config {
    uint32_t sender_ssrc;
    const uint32_t *media_ssrcs; /* the publisher's SSRCs the REMB applies to: 1..8 */
    size_t media_ssrc_count;
    uint64_t cap_bps;     /* 0: no cap, only receivers' estimates */
    uint64_t interval_us; /* 0 = default */
};

/* One publisher's REMB engine, embedded by its owner and used on the worker thread that owns
 * it. Fields are private; use the functions. Receivers' estimates are kept per interval: the
 * value sent is the minimum over the current and the previous interval, so the estimate of a
 * receiver that left stops counting after two intervals, with no list of receivers kept. */
struct prism_remb {
    uint32_t sender_ssrc;
    uint32_t ssrcs[PRISM_REMB_MAX_SSRCS];
    size_t ssrc_count;
    uint64_t cap_bps;
    uint64_t interval_us;
    uint64_t window_min;   /* lowest estimate this interval; UINT64_MAX for none */
    uint64_t previous_min; /* the same for the interval before */
    uint64_t next_us;      /* the next periodic send */
    bool send_now;
    bool sent_once;
    uint64_t last_sent_bps;
    uint64_t sent; /* REMB packets written */
};

/* Initialises r at now_us; the first REMB (if there is a value) is due at once. 0 or -EINVAL. */
int prism_remb_init(struct prism_remb *r, const struct prism_remb_config *cfg, uint64_t now_us);

/* Changes the cap (0 removes it); a change makes a REMB due at once. */
void prism_remb_set_cap(struct prism_remb *r, uint64_t cap_bps);

/* Replaces the SSRCs (the publisher added or removed streams); a REMB is due at once. 0 or
 * -EINVAL. */
int prism_remb_set_ssrcs(struct prism_remb *r, const uint32_t *ssrcs, size_t count);

/* One receiver's estimate of what it can take from this publisher, in bits per second. */
void prism_remb_on_estimate(struct prism_remb *r, uint64_t bps);

/* The bitrate a REMB sent now would carry; false when there is neither cap nor estimate. */
bool prism_remb_value(const struct prism_remb *r, uint64_t *bps);

/* Writes a REMB into buf when one is due: returns its length, 0 when none is due, or -EINVAL /
 * -ENOSPC (nothing changed). */
int prism_remb_poll(struct prism_remb *r, uint64_t now_us, uint8_t *buf, size_t cap);

/* When prism_remb_poll() next has something to do: 0 for right away. */
uint64_t prism_remb_next_deadline(const struct prism_remb *r);

#endif
