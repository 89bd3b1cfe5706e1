/* The parts of the send-side bandwidth estimator (bwe.h), each a small sans-IO engine: the send
 * history that turns feedback into per-packet results, the delay-based detector (packet groups,
 * trendline filter, overuse detector), the AIMD rate controller, the loss-based controller. */
#ifndef PRISM_MEDIA_BWE_INTERNAL_H
#define PRISM_MEDIA_BWE_INTERNAL_H

#include "media/bwe/bwe.h"

/* The send history and the acknowledged packets are rings that start small and double while
 * they would otherwise forget what is still needed: a sent packet that no feedback has named
 * yet, nor any later one (behind a long queue that can take seconds), or one younger than
 * BWE_HISTORY_KEEP_US (a later feedback may still report a lost one arrived); an acknowledged
 * one within the received rate's 500 ms window. A viewer of 100 packets a second keeps about
 * 2 KB; 10 Mbit/s (1,000 packets a second) about 32 KB; the bounds stop a sender whose
 * feedback stopped. */
#define BWE_RING_START 64    /* entries at first: a power of two */
#define BWE_HISTORY_MAX 4096 /* sent packets at most: a power of two */
#define BWE_ACKED_MAX 4096   /* acknowledged packets at most */
#define BWE_HISTORY_KEEP_US 500000
#define BWE_TREND_WINDOW 20 /* delay samples the trendline is fitted over */

/* history.c: what was sent, by unwrapped transport sequence number. */
struct bwe_sent {
    uint64_t send_us;
    /* The unwrapped number's low 32 bits: within the ring's span they name it alone. */
    uint32_t seq;
    uint16_t size; /* bytes, at most 65535 (a UDP payload) */
    bool used : 1;
    bool reported : 1; /* a feedback said it arrived: later duplicates are ignored */
    uint8_t cluster;   /* the probe cluster it was padding of (probe.c); 0: media */
};

struct bwe_acked {
    int64_t arrival_us;
    uint32_t size;
};

struct bwe_history {
    struct bwe_sent *sent; /* sent_size of them, indexed by unwrapped number; owned */
    size_t sent_size;
    int64_t last_seq;   /* unwrapped, of the last packet sent; -1 before the first */
    int64_t last_named; /* unwrapped, the latest sent packet a feedback named; -1: none yet */
    /* Acknowledged packets in the order feedback reported them, for the received rate: a ring
     * of acked_size, owned. */
    struct bwe_acked *acked;
    size_t acked_size, acked_next, acked_count;
};

/* -ENOMEM, or 0; bwe_history_clear() frees what it holds. */
int bwe_history_init(struct bwe_history *h);
void bwe_history_clear(struct bwe_history *h);
void bwe_history_on_sent(struct bwe_history *h, uint16_t seq, uint32_t size, uint64_t send_us,
                         uint8_t cluster);
/* The sent packet a feedback status names, or NULL (never sent, forgotten, or reported).
 * Notes that feedback reached that number (last_named): call it for feedback only. */
struct bwe_sent *bwe_history_find(struct bwe_history *h, uint16_t seq);
void bwe_history_on_acked(struct bwe_history *h, int64_t arrival_us, uint32_t size);
/* Bits per second acknowledged over the 500 ms of arrivals before the latest one; 0 until
 * there is enough to measure. */
uint64_t bwe_history_acked_bps(const struct bwe_history *h);

/* delay.c: packets sent within 5 ms form a group (gcc-02 section 5.2); consecutive groups give
 * one inter-group delay variation sample, fed to the trendline and the overuse detector. */
struct bwe_group {
    bool open;
    uint64_t first_send_us, last_send_us;
    int64_t last_arrival_us;
};

struct bwe_delay {
    struct bwe_group current, previous;
    /* Trendline: the accumulated delay variation, smoothed, against arrival time. */
    double accumulated_ms, smoothed_ms;
    double x_ms[BWE_TREND_WINDOW], y_ms[BWE_TREND_WINDOW];
    unsigned samples, sample_count; /* ring position, and samples ever taken */
    int64_t first_arrival_us;
    /* Overuse detector with its adaptive threshold (gcc-02 section 5.4). */
    double threshold_ms;
    double previous_trend;
    int64_t last_update_us; /* arrival time of the last sample; INT64_MIN before the first */
    double overuse_ms;      /* how long the trend has been over the threshold; < 0: not over */
    unsigned overuse_count;
    enum prism_bwe_signal signal;
};

void bwe_delay_init(struct bwe_delay *d);
/* One received packet, in feedback order. */
void bwe_delay_on_packet(struct bwe_delay *d, uint64_t send_us, int64_t arrival_us);

/* rate.c: AIMD on the detector's signal (gcc-02 section 5.5) and the loss-based controller
 * (section 6). */
enum bwe_rate_state { BWE_HOLD, BWE_INCREASE, BWE_DECREASE };

struct bwe_rate {
    double delay_bps, loss_bps;
    double min_bps, max_bps;
    enum bwe_rate_state state;
    uint64_t last_update_us, last_decrease_us;
    uint64_t rtt_us;
    /* The acknowledged rate at decreases: its average and variance (kbps), to tell whether the
     * link's capacity is near (additive increase) or unknown (multiplicative). */
    bool has_max;
    double max_kbps, max_var;
    /* Loss: counted per interval; the loss-based rate limits only after losses cut it. */
    unsigned lost, reported;
    uint64_t loss_interval_start_us, last_loss_update_us;
    bool loss_limited;
    double loss_fraction;
};

void bwe_rate_init(struct bwe_rate *r, double start_bps, double min_bps, double max_bps);
void bwe_rate_on_delay_signal(struct bwe_rate *r, enum prism_bwe_signal signal, uint64_t acked_bps,
                              uint64_t now_us);
void bwe_rate_on_losses(struct bwe_rate *r, unsigned lost, unsigned reported, uint64_t acked_bps,
                        uint64_t now_us);
double bwe_rate_estimate(const struct bwe_rate *r);
/* A probe measured that the path carries `bps`: the estimate rises to it (never falls). */
void bwe_rate_on_probe(struct bwe_rate *r, double bps, uint64_t now_us);

/* probe.c: the probe controller (when to probe, at what rate, back-off after failures) and the
 * probe result estimator (the rate a cluster's padding got through at, from the feedback). */
enum bwe_probe_phase { BWE_PROBE_IDLE, BWE_PROBE_SENDING, BWE_PROBE_WAITING };

struct bwe_probe {
    enum bwe_probe_phase phase;
    uint8_t cluster;   /* id of the current cluster (1-255, wrapping past 0) */
    double target_bps; /* the rate the cluster is sent at */
    uint64_t start_us; /* its first packet's due time */
    uint64_t planned_bytes, budget_bytes;
    unsigned planned_packets, sent_packets;
    uint64_t end_us;        /* sending done: when (a result must come within a second) */
    uint64_t next_probe_us; /* no new cluster before; 0: at once */
    uint64_t backoff_us;    /* the wait after the next failure */
    /* The result estimator's sums over the cluster's packets reported received. */
    unsigned received;
    uint64_t received_bytes;
    uint64_t first_send_us, last_send_us;
    int64_t first_arrival_us, last_arrival_us;
    uint32_t last_send_size, first_arrival_size;
    /* Observation. */
    double last_result_bps;
    unsigned clusters, succeeded;
};

void bwe_probe_init(struct bwe_probe *p);
/* The owner wants `wanted_bps` and the estimate is `estimate_bps`: maybe starts a cluster. */
void bwe_probe_want(struct bwe_probe *p, double wanted_bps, double estimate_bps, uint64_t now_us);
/* Padding bytes of the next probe packet due at now_us (counted as sent), 0: none due. */
size_t bwe_probe_padding(struct bwe_probe *p, uint64_t now_us);
void bwe_probe_on_sent(struct bwe_probe *p);
uint64_t bwe_probe_deadline(const struct bwe_probe *p);
/* A packet of cluster `cluster` was reported received. */
void bwe_probe_on_received(struct bwe_probe *p, uint8_t cluster, const struct bwe_sent *sent,
                           int64_t arrival_us);
/* At the end of a feedback: the cluster's result in bits per second when it is complete and
 * succeeded, else 0. */
double bwe_probe_result(struct bwe_probe *p, uint64_t now_us);

#endif
