/* Keyframe request throttling for one media source: gathers the PLI/FIR requests of all its
 * receivers (and joins, layer switches) and decides when one actually goes to the publisher:
 * at most once per minimum interval, a request arriving in the quiet interval is sent when it
 * ends rather than lost, and optionally a periodic request (Janus' fir_freq).
 *
 * Sans-IO: the caller passes the current time in microseconds and a buffer for the PLI or FIR
 * (RFC 4585 section 6.3.1, RFC 5104 section 4.3.1); nothing here reads a clock or sends. */
#ifndef PRISM_MEDIA_FEEDBACK_KEYFRAME_H
#define PRISM_MEDIA_FEEDBACK_KEYFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRISM_KEYFRAME_DEFAULT_MIN_INTERVAL_US 500000

struct prism_keyframe_config {
    uint32_t sender_ssrc;          /* ours, as the feedback's sender */
    uint32_t media_ssrc;           /* the publisher's stream asked for a keyframe */
    uint64_t min_interval_us;      /* between two requests sent; 0 = default */
    uint64_t periodic_interval_us; /* also ask this often with no request (fir_freq); 0 = off */
    bool use_fir;                  /* FIR (ccm fir negotiated) instead of PLI (nack pli) */
};

/* Lifetime counters. */
struct prism_keyframe_counters {
    uint64_t requests;  /* prism_keyframe_request() calls */
    uint64_t sent;      /* PLI/FIR written by prism_keyframe_poll() */
    uint64_t periodic;  /* of which sent only because the periodic interval elapsed */
    uint64_t satisfied; /* pending requests a keyframe from the publisher made unnecessary */
};

/* One source's throttle, embedded by its owner (the publisher's stream) and used on the worker
 * thread that owns it. Fields are private; use the functions. */
struct prism_keyframe {
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    uint64_t min_interval_us;
    uint64_t periodic_interval_us;
    bool use_fir;
    bool pending; /* a request waits for the quiet interval to end */
    bool sent_once;
    uint64_t last_sent_us;
    uint64_t period_from_us; /* the periodic interval counts from here */
    uint8_t fir_seq;         /* RFC 5104: the next FIR's command sequence number */
    struct prism_keyframe_counters counters;
};

/* Initialises k at time now_us (where the periodic interval starts counting). 0 or -EINVAL. */
int prism_keyframe_init(struct prism_keyframe *k, const struct prism_keyframe_config *cfg,
                        uint64_t now_us);

/* Switches between FIR and PLI after a renegotiation. */
void prism_keyframe_use_fir(struct prism_keyframe *k, bool use_fir);

/* A receiver needs a keyframe (it sent PLI/FIR, joined, or switched layer). Requests are
 * coalesced: whatever arrives before the next send is answered by that one send. */
void prism_keyframe_request(struct prism_keyframe *k);

/* A keyframe arrived from the publisher: a pending request is satisfied by it and dropped. */
void prism_keyframe_on_keyframe(struct prism_keyframe *k, uint64_t now_us);

/* Writes a PLI or FIR into buf when one is due: returns its length, 0 when none is due, or
 * -EINVAL / -ENOSPC (nothing changed). */
int prism_keyframe_poll(struct prism_keyframe *k, uint64_t now_us, uint8_t *buf, size_t cap);

/* When prism_keyframe_poll() may have something to send: UINT64_MAX for never (nothing pending
 * and no periodic requests). */
uint64_t prism_keyframe_next_deadline(const struct prism_keyframe *k);

#endif
