/* Automatic simulcast layer choice for one subscriber (sans-IO): from the subscriber's
 * bandwidth estimate and the measured bitrate of each layer of each video stream it receives,
 * the layer each stream should forward. Every call takes the time; nothing here sends, reads
 * a clock or allocates. */
#ifndef PRISM_MEDIA_ALLOC_ALLOC_H
#define PRISM_MEDIA_ALLOC_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#define PRISM_ALLOC_MAX_LAYERS 3
#define PRISM_ALLOC_MAX_STREAMS 256 /* streams one tick considers */

/* The bitrate of a stream (or of one simulcast layer) over the last second: bytes of the
 * packets that arrived, in 100 ms buckets. */
#define PRISM_LAYER_RATE_BUCKETS 10
#define PRISM_LAYER_RATE_BUCKET_US 100000u

struct prism_layer_rate {
    uint64_t bucket_start_us; /* start of the newest bucket; 0: nothing counted yet */
    uint8_t newest;           /* index of the newest bucket */
    uint8_t history;          /* buckets before the newest that were counted (the first second) */
    uint32_t bytes[PRISM_LAYER_RATE_BUCKETS];
};

/* Counts a packet of `bytes` that arrived at now_us. */
void prism_layer_rate_add(struct prism_layer_rate *rate, uint32_t bytes, uint64_t now_us);
/* Bits per second over the last second (the buckets still inside it), 0 when nothing came. */
uint64_t prism_layer_rate_bps(const struct prism_layer_rate *rate, uint64_t now_us);

/* The allocator's settings. Zeroes take the defaults below. */
struct prism_alloc_config {
    unsigned headroom_percent; /* share of the estimate that may be used (85) */
    uint64_t up_hold_us;       /* the estimate must fit the next layer this long to go up (3 s) */
};
#define PRISM_ALLOC_DEFAULT_HEADROOM_PERCENT 85u
#define PRISM_ALLOC_DEFAULT_UP_HOLD_US 3000000u

/* One video stream of the subscriber as the allocator sees it at a tick. */
struct prism_alloc_stream {
    uint64_t layer_bps[PRISM_ALLOC_MAX_LAYERS]; /* measured, 0: that layer does not arrive */
    bool simulcast;                             /* layers can be chosen; else a fixed cost */
    bool screen;                                /* a screen share: served first */
    int manual;                                 /* configure's substream (a fixed cost), -1: auto */
};

/* Per stream state kept between ticks (hysteresis). */
struct prism_alloc_stream_state {
    int8_t target;       /* the layer chosen, -1 before the first tick that had a need */
    int8_t pending;      /* a higher layer that fits, waiting out up_hold_us; -1: none */
    uint64_t pending_us; /* since when `pending` (or more) has fitted */
};

/* When the estimate limits the layers. A send-side estimate (GoogCC's, media/bwe) starts at a
 * guess (300 kbps) and never grows past 1.5 times what the path carried: below the layers'
 * needs it may only mean that less is sent. So the estimate limits only once, below what is
 * sent, it fell or stalled (the estimator saw congestion: queueing delay or loss); while it sits
 * well above what the subscriber gets (application-limited) for probe_hold, it stops limiting again
 * and the streams go up a layer at a time (a probe: if the link cannot carry it, the estimate falls
 * and they go down). A probe that ends in a fall within probe_window doubles probe_hold (up to
 * PRISM_ALLOC_MAX_PROBE_HOLD_US); one that does not resets it. */
#define PRISM_ALLOC_APP_LIMITED_PERCENT 125u /* estimate above 1.25 x the sent rate */
#define PRISM_ALLOC_STALL_US 2000000u        /* below what is sent this long without growing */
#define PRISM_ALLOC_PROBE_WINDOW_US 10000000u
#define PRISM_ALLOC_MAX_PROBE_HOLD_US 60000000u

struct prism_alloc {
    struct prism_alloc_config config;
    uint64_t estimate_bps; /* the last estimate given */
    bool limiting;         /* the estimate limits the layers now (see above) */
    uint64_t probe_hold_us;
    uint64_t app_limited_since_us; /* 0: not application-limited */
    uint64_t probe_at_us;          /* the last probe's start; 0: none open */
    uint64_t below_since_us;       /* the estimate below what is sent since; 0: not below */
    uint64_t below_from_bps;       /* the estimate then */
    /* One per stream ticked so far, grown to the count a tick gives (a viewer has two, a
     * member of a large room a hundred); owned, freed by prism_alloc_clear(). */
    struct prism_alloc_stream_state *streams;
    unsigned stream_capacity;
    /* After a tick: the estimate the best layers of every automatic stream would need (with
     * the headroom) when the estimate holds some stream below its best, else 0. The owner asks
     * its estimator to probe for it (prism_peer_want_bandwidth), so that the estimate can grow
     * past what the lower layers send. */
    uint64_t wanted_bps;
};

void prism_alloc_init(struct prism_alloc *alloc, const struct prism_alloc_config *config);
/* Frees the per-stream state; the allocator can be initialised again after. */
void prism_alloc_clear(struct prism_alloc *alloc);
/* Forgets stream i's history (it got another source, or went back to automatic). */
void prism_alloc_reset_stream(struct prism_alloc *alloc, unsigned i);

/* One tick: chooses the layer of each of `count` streams (at most PRISM_ALLOC_MAX_STREAMS)
 * into targets[i] (-1: leave the stream as it is: manual, not simulcast, nothing measured).
 * The budget is estimate * headroom minus audio_bps and the fixed costs (streams without
 * simulcast or with a manual layer); screen shares get the best layers that fit first, then
 * the other streams go up a layer at a time in turn while the next layer fits. A stream goes
 * down at once when its layer no longer fits, and up only after the higher layer kept fitting
 * for up_hold_us, one layer at a time. estimate_bps 0 (none yet), or an estimate that does not
 * limit (above): every stream its best, reached the same way. */
void prism_alloc_tick(struct prism_alloc *alloc, uint64_t estimate_bps, uint64_t audio_bps,
                      const struct prism_alloc_stream *streams, unsigned count, int *targets,
                      uint64_t now_us);

#endif
