/* Send-side bandwidth estimation for one transport we send on (a subscriber's PeerConnection),
 * after Google Congestion Control as draft-ietf-rmcat-gcc-02 specifies it and as Carlucci et al.
 * analyse it ("Analysis and design of the Google congestion control for WebRTC", ACM MMSys
 * 2016): a delay-based controller (inter-group delay variation, a trendline filter over it, an
 * overuse detector with an adaptive threshold and AIMD rate control) and a loss-based one, the
 * estimate being the smaller of the two. The inputs are what transport-wide congestion control
 * gives a sender: the transport sequence number, size and send time of every packet, and the
 * receiver's feedback telling which arrived and when.
 *
 * Sans-IO: the caller passes every time (microseconds of its monotonic clock; the arrival times
 * of the feedback are the receiver's clock, only their differences matter). Nothing here reads
 * a clock or touches the network. Not thread-safe: used on the thread that owns the transport. */
#ifndef PRISM_MEDIA_BWE_BWE_H
#define PRISM_MEDIA_BWE_BWE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_bwe;

struct prism_bwe_config {
    uint64_t start_bps; /* 0 = 300 kbps, as browsers start */
    uint64_t min_bps;   /* 0 = 30 kbps */
    uint64_t max_bps;   /* 0 = 50 Mbps */
};

/* What the delay-based detector last concluded (gcc-02 section 5.4). */
enum prism_bwe_signal {
    PRISM_BWE_NORMAL,
    PRISM_BWE_OVERUSE,
    PRISM_BWE_UNDERUSE,
};

/* Creates an estimator; config may be NULL for the defaults. 0, -EINVAL or -ENOMEM. */
int prism_bwe_create(const struct prism_bwe_config *config, struct prism_bwe **out);
void prism_bwe_destroy(struct prism_bwe *bwe);

/* A packet carrying transport sequence number `seq` (its transport-wide-cc extension) and
 * `size` bytes on the wire left at `send_us`. Call in sending order. */
void prism_bwe_on_packet_sent(struct prism_bwe *bwe, uint16_t seq, size_t size, uint64_t send_us);

/* One status of a transport-cc feedback, in the order the feedback lists them: packet `seq`
 * arrived at `arrival_us` (receiver's clock), or was not received. Statuses of packets never
 * sent (or long forgotten) are ignored. */
void prism_bwe_on_feedback_status(struct prism_bwe *bwe, uint16_t seq, bool received,
                                  int64_t arrival_us);

/* The feedback that carried the statuses since the last call arrived at `now_us`: updates
 * the estimate. */
void prism_bwe_on_feedback_end(struct prism_bwe *bwe, uint64_t now_us);

/* The round-trip time, when the caller knows it (from RTCP reports); it sets how often the
 * rate may be decreased and the additive increase step. Default 100 ms. */
void prism_bwe_set_rtt(struct prism_bwe *bwe, uint64_t rtt_us);

/* Bandwidth probing (media/bwe/probe.c): the owner would send `wanted_bps` if the estimate
 * allowed. When that is well above the estimate and no probe is under way or backing off, a
 * probe cluster starts: padding-only packets at up to twice the estimate for 30 ms, whose
 * feedback raises the estimate to the rate they got through at, when that was most of the
 * target. Call whenever the want is known
 * (a few times a second is plenty); 0 wants nothing. */
void prism_bwe_want(struct prism_bwe *bwe, uint64_t wanted_bps, uint64_t now_us);

/* The padding length (1-255 bytes) of a probe packet due at now_us, or 0: the caller sends one
 * padding-only RTP packet of that much padding with the next transport sequence number and
 * reports it with prism_bwe_on_probe_sent (instead of prism_bwe_on_packet_sent), then asks
 * again. A packet the caller could not send is simply not reported. */
size_t prism_bwe_probe_padding(struct prism_bwe *bwe, uint64_t now_us);
void prism_bwe_on_probe_sent(struct prism_bwe *bwe, uint16_t seq, size_t size, uint64_t send_us);
/* When prism_bwe_probe_padding next has a packet, UINT64_MAX: none planned. */
uint64_t prism_bwe_probe_deadline(const struct prism_bwe *bwe);

/* When the latest-sent packet that a feedback reported lost had been sent (its send_us), 0 before
 * any loss: a sender that must repair what the path lost (a keyframe after a layer switch) tells
 * from it whether anything sent since a given time was lost. */
uint64_t prism_bwe_last_loss_sent_us(const struct prism_bwe *bwe);

/* The current estimate in bits per second, between the configured minimum and maximum. */
uint64_t prism_bwe_estimate(const struct prism_bwe *bwe);

/* For observation and tests: the delay-based and loss-based estimates, the rate the receiver
 * acknowledged over the last 500 ms, the last detector signal and the loss fraction of the
 * last loss interval (0-1), and the probes: the last one's target and result (0: it failed to
 * give one), how many were sent and how many succeeded. */
struct prism_bwe_state {
    uint64_t delay_based_bps;
    uint64_t loss_based_bps;
    uint64_t acknowledged_bps;
    enum prism_bwe_signal signal;
    double trend, threshold_ms; /* the detector's last scaled trend and its threshold */
    unsigned delay_samples;     /* inter-group delay variation samples taken */
    double loss_fraction;
    uint64_t probe_result_bps, probe_target_bps; /* of the last probe cluster */
    unsigned probes, probes_succeeded;
};
void prism_bwe_get_state(const struct prism_bwe *bwe, struct prism_bwe_state *out);

#endif
