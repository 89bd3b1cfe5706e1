/* The send-side bandwidth estimator in virtual time over a simulated path: a sender that sends
 * at the estimate (1200-byte packets, paced), a bottleneck of given capacity with a drop-tail
 * FIFO queue, random loss and propagation delay, and a receiver that reports arrivals with
 * Prism's own transport-cc feedback (media/feedback/twcc_receiver, built, sent back over the
 * path, parsed). Checks that the estimate follows capacity steps down and up in bounded time,
 * stays below capacity under congestion with a bounded queue, and gives way to heavy loss. */
#include "media/bwe/bwe.h"
#include "media/feedback/twcc_receiver.h"
#include "media/rtcp/feedback.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#define PACKET_BYTES 1200
#define ONE_WAY_US 20000
#define QUEUE_LIMIT_US 400000 /* the bottleneck holds this much at its rate, then drops */
#define MAX_IN_FLIGHT 65536
#define PROBE_HEADER_BYTES 40 /* RTP header, transport-cc extension, SRTP tag */

struct arrival {
    uint16_t seq;
    uint64_t at_us;
};

struct feedback {
    uint8_t bytes[1500];
    size_t len;
    uint64_t at_us;
};

struct sim {
    struct prism_bwe *bwe;
    struct prism_twcc_receiver receiver;
    GRand *rand;
    uint64_t now_us;
    uint64_t capacity_bps;
    double loss;             /* random loss before the bottleneck */
    uint64_t queue_limit_us; /* the bottleneck's queue holds this much at its rate */
    uint64_t
        fixed_rate_bps;  /* a forwarder's sender: this rate whatever the estimate; 0: follow it */
    uint64_t wanted_bps; /* what the sender would send: probes when above the estimate */
    uint64_t frame_us;   /* a fixed-rate sender sends a frame's packets at once this often */
    uint64_t padding_bytes; /* probe padding sent */
    unsigned sent_packets, dropped_packets;
    uint64_t link_free_us;
    uint64_t next_send_us;
    uint16_t seq;
    struct arrival arrivals[MAX_IN_FLIGHT]; /* in arrival order (FIFO path) */
    size_t arrivals_head, arrivals_tail;
    struct feedback feedbacks[64];
    size_t feedbacks_head, feedbacks_tail;
    uint64_t next_feedback_us;
    /* Queueing delay of packets through the bottleneck, summed since the last reset. */
    double queue_delay_sum_us;
    unsigned queue_delay_count;
};

static void sim_init(struct sim *s, uint64_t capacity_bps, double loss, guint32 seed)
{
    memset(s, 0, sizeof(*s));
    g_assert_cmpint(prism_bwe_create(NULL, &s->bwe), ==, 0);
    prism_twcc_receiver_init(&s->receiver);
    s->rand = g_rand_new_with_seed(seed);
    s->capacity_bps = capacity_bps;
    s->loss = loss;
    s->queue_limit_us = QUEUE_LIMIT_US;
    s->now_us = 1000000;
    s->next_send_us = s->now_us;
    s->next_feedback_us = s->now_us + PRISM_TWCC_FEEDBACK_INTERVAL_US;
    prism_bwe_set_rtt(s->bwe, 2 * ONE_WAY_US);
}

static void sim_free(struct sim *s)
{
    prism_bwe_destroy(s->bwe);
    g_rand_free(s->rand);
}

/* The path drops at random, queues at the bottleneck (or drops when the queue is full) and
 * delivers after the propagation delay. Counts the queueing delay and drops of media packets. */
static void path_send(struct sim *s, uint16_t seq, size_t bytes, uint64_t sent, bool media)
{
    s->sent_packets += media;
    if (g_rand_double(s->rand) < s->loss)
        return;
    uint64_t start = s->link_free_us > sent ? s->link_free_us : sent;
    if (start - sent > s->queue_limit_us) {
        s->dropped_packets += media;
        return; /* drop-tail */
    }
    s->link_free_us = start + (uint64_t)bytes * 8u * 1000000u / s->capacity_bps;
    if (media) { /* the queueing the media sees */
        s->queue_delay_sum_us += (double)(start - sent);
        s->queue_delay_count++;
    }
    s->arrivals[s->arrivals_tail++ % MAX_IN_FLIGHT] = (struct arrival){seq, s->link_free_us +
                                                                                ONE_WAY_US};
}

/* The sender sends at the estimate (or its fixed rate), and the probes' padding when the
 * estimator asks for it, wanting `wanted_bps`. */
static void send_due(struct sim *s)
{
    while (s->next_send_us <= s->now_us) {
        uint64_t sent = s->next_send_us;
        if (s->frame_us) /* the packets of one frame leave together, at its start */
            sent -= sent % s->frame_us;
        uint16_t seq = s->seq++;
        prism_bwe_on_packet_sent(s->bwe, seq, PACKET_BYTES, sent);
        uint64_t rate = s->fixed_rate_bps ? s->fixed_rate_bps : prism_bwe_estimate(s->bwe);
        s->next_send_us += (uint64_t)PACKET_BYTES * 8u * 1000000u / rate;
        path_send(s, seq, PACKET_BYTES, sent, true);
    }
    if (!s->wanted_bps)
        return;
    prism_bwe_want(s->bwe, s->wanted_bps, s->now_us);
    size_t padding;
    while ((padding = prism_bwe_probe_padding(s->bwe, s->now_us)) > 0) {
        size_t bytes = padding + PROBE_HEADER_BYTES;
        uint16_t seq = s->seq++;
        prism_bwe_on_probe_sent(s->bwe, seq, bytes, s->now_us);
        path_send(s, seq, bytes, s->now_us, false);
        s->padding_bytes += bytes;
    }
}

/* The receiver records arrivals and sends feedback every 100 ms, which reaches the sender one
 * propagation delay later (feedback is small: it does not queue). */
static void receive_due(struct sim *s)
{
    while (s->arrivals_head < s->arrivals_tail &&
           s->arrivals[s->arrivals_head % MAX_IN_FLIGHT].at_us <= s->now_us) {
        struct arrival *a = &s->arrivals[s->arrivals_head++ % MAX_IN_FLIGHT];
        prism_twcc_receiver_on_packet(&s->receiver, a->seq, a->at_us);
    }
    if (s->now_us < s->next_feedback_us)
        return;
    s->next_feedback_us += PRISM_TWCC_FEEDBACK_INTERVAL_US;
    while (prism_twcc_receiver_pending(&s->receiver)) {
        struct feedback *f = &s->feedbacks[s->feedbacks_tail++ % G_N_ELEMENTS(s->feedbacks)];
        int len = prism_twcc_receiver_build(&s->receiver, f->bytes, sizeof(f->bytes), 1, 2);
        g_assert_cmpint(len, >, 0);
        f->len = (size_t)len;
        f->at_us = s->now_us + ONE_WAY_US;
    }
}

static void deliver_feedback(struct sim *s)
{
    while (s->feedbacks_head < s->feedbacks_tail &&
           s->feedbacks[s->feedbacks_head % G_N_ELEMENTS(s->feedbacks)].at_us <= s->now_us) {
        struct feedback *f = &s->feedbacks[s->feedbacks_head++ % G_N_ELEMENTS(s->feedbacks)];
        struct prism_rtcp_iter it;
        struct prism_rtcp_packet p;
        struct prism_rtcp_twcc twcc;
        prism_rtcp_iter_init(&it, f->bytes, f->len);
        g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
        g_assert_cmpint(prism_rtcp_twcc_parse(&p, &twcc), ==, 0);
        struct prism_rtcp_twcc_iter statuses;
        struct prism_rtcp_twcc_status status;
        prism_rtcp_twcc_iter_init(&statuses, &twcc);
        while (prism_rtcp_twcc_next(&statuses, &status) == 1)
            prism_bwe_on_feedback_status(s->bwe, status.seq, status.received, status.arrival_us);
        prism_bwe_on_feedback_end(s->bwe, s->now_us);
    }
}

/* Runs for `ms` of virtual time in 1 ms steps; returns the mean estimate over it. */
static double run(struct sim *s, unsigned ms)
{
    double sum = 0;
    for (unsigned i = 0; i < ms; i++) {
        s->now_us += 1000;
        send_due(s);
        receive_due(s);
        deliver_feedback(s);
        sum += (double)prism_bwe_estimate(s->bwe);
    }
    return sum / ms;
}

/* Runs until the estimate satisfies `below` (true: estimate <= bps, false: >= bps) or `ms`
 * pass; returns the milliseconds it took, or G_MAXUINT. */
static unsigned run_until(struct sim *s, uint64_t bps, bool below, unsigned ms)
{
    for (unsigned i = 0; i < ms; i++) {
        run(s, 1);
        uint64_t e = prism_bwe_estimate(s->bwe);
        if (below ? e <= bps : e >= bps)
            return i + 1;
    }
    return G_MAXUINT;
}

static double mean_queue_delay_ms(struct sim *s)
{
    double mean = s->queue_delay_count ? s->queue_delay_sum_us / s->queue_delay_count / 1000 : 0;
    s->queue_delay_sum_us = 0;
    s->queue_delay_count = 0;
    return mean;
}

static void test_bwe_follows_capacity_steps_down_and_up(void)
{
    struct sim s;
    sim_init(&s, 1500000, 0, 1);
    /* From the 300 kbps start to 1.5 Mbps: 8% a second needs about 21 s. */
    unsigned took = run_until(&s, 1000000, false, 40000);
    g_test_message("reached 1 Mbps of 1.5 after %u ms", took);
    g_assert_cmpuint(took, <, 35000);
    run(&s, 10000);
    mean_queue_delay_ms(&s);
    double mean = run(&s, 20000);
    double queue_ms = mean_queue_delay_ms(&s);
    g_test_message("1.5 Mbps link: mean estimate %.0f, mean queueing delay %.1f ms", mean,
                   queue_ms);
    g_assert_cmpfloat(mean, <, 1.5e6);
    g_assert_cmpfloat(mean, >, 0.7 * 1.5e6);
    g_assert_cmpfloat(queue_ms, <, 100);

    /* Capacity drops to 500 kbps: the estimate is under it within 2 s. */
    s.capacity_bps = 500000;
    took = run_until(&s, 500000, true, 5000);
    g_test_message("under 500 kbps %u ms after the drop", took);
    g_assert_cmpuint(took, <, 2000);
    run(&s, 5000);
    mean_queue_delay_ms(&s);
    mean = run(&s, 20000);
    queue_ms = mean_queue_delay_ms(&s);
    g_test_message("500 kbps link: mean estimate %.0f, mean queueing delay %.1f ms", mean,
                   queue_ms);
    g_assert_cmpfloat(mean, <, 500000);
    g_assert_cmpfloat(mean, >, 0.6 * 500000);
    g_assert_cmpfloat(queue_ms, <, 150);

    /* Capacity back up to 2 Mbps: the estimate passes 1.4 Mbps within 30 s. */
    s.capacity_bps = 2000000;
    took = run_until(&s, 1400000, false, 40000);
    g_test_message("past 1.4 Mbps %u ms after the rise to 2", took);
    g_assert_cmpuint(took, <, 30000);
    mean = run(&s, 20000);
    g_assert_cmpfloat(mean, <, 2e6);
    sim_free(&s);
}

static void test_bwe_tolerates_light_random_loss(void)
{
    struct sim s;
    sim_init(&s, 1500000, 0.01, 2);
    run(&s, 40000);
    double mean = run(&s, 20000);
    struct prism_bwe_state state;
    prism_bwe_get_state(s.bwe, &state);
    g_test_message("1%% loss: mean %.0f, loss fraction %.3f", mean, state.loss_fraction);
    g_assert_cmpfloat(mean, >, 0.7 * 1.5e6);
    g_assert_cmpfloat(mean, <, 1.5e6);
    sim_free(&s);
}

static void test_bwe_backs_off_under_heavy_random_loss(void)
{
    struct sim s;
    sim_init(&s, 1500000, 0, 3);
    run(&s, 40000);
    uint64_t before = prism_bwe_estimate(s.bwe);
    s.loss = 0.25; /* far more than congestion explains: the loss-based controller cuts */
    run(&s, 5000);
    uint64_t after = prism_bwe_estimate(s.bwe);
    struct prism_bwe_state state;
    prism_bwe_get_state(s.bwe, &state);
    g_test_message("25%% loss: %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " (loss %.2f)", before,
                   after, state.loss_fraction);
    g_assert_cmpuint(after, <, before / 2);
    g_assert_cmpuint(state.loss_based_bps, <, state.delay_based_bps);
    /* Loss gone: the loss-based limit lifts again. */
    s.loss = 0;
    run(&s, 30000);
    g_assert_cmpuint(prism_bwe_estimate(s.bwe), >, before / 2);
    sim_free(&s);
}

/* An SFU forwards what publishers send, whatever the estimate: the estimate must rise to what
 * the path carries without overuse, and fall under the capacity when the forwarded rate
 * congests the link (so the layer choice can drop a layer). */
static void test_bwe_follows_a_sender_that_ignores_it(void)
{
    struct sim s;
    sim_init(&s, 5000000, 0, 4);
    s.fixed_rate_bps = 2000000;
    unsigned took = run_until(&s, 1600000, false, 10000);
    g_test_message("forwarding 2 Mbps on 5: past 1.6 Mbps after %u ms", took);
    g_assert_cmpuint(took, <, 3000);
    double mean = run(&s, 10000);
    g_assert_cmpfloat(mean, >, 1.6e6);
    g_assert_cmpfloat(mean, <=, 1.5 * 2.05e6);

    s.capacity_bps = 1000000; /* now the forwarded 2 Mbps congests the link */
    took = run_until(&s, 1000000, true, 10000);
    g_test_message("link down to 1 Mbps: under it after %u ms", took);
    g_assert_cmpuint(took, <, 3000);
    mean = run(&s, 5000);
    g_assert_cmpfloat(mean, <, 1e6);
    sim_free(&s);
}

/* A forwarder sending only a low layer (250 kbps) that wants 2.2 Mbps: the estimate cannot grow
 * past what is sent without probes. On a 300 kbps path the probes fail, back off, and cause no
 * sustained queue or loss; when the path steps up to 2 Mbps a probe finds it within seconds, and
 * the estimate it raised stays while the sender still sends little (application-limited). */
static void test_bwe_probes_up_after_a_capacity_step(void)
{
    struct sim s;
    sim_init(&s, 300000, 0, 5);
    s.fixed_rate_bps = 250000;
    run(&s, 5000);
    mean_queue_delay_ms(&s);
    run(&s, 10000);
    double queue_without_ms = mean_queue_delay_ms(&s);
    s.wanted_bps = 2200000;
    s.sent_packets = s.dropped_packets = 0;
    uint64_t padding_before = s.padding_bytes;
    double mean = run(&s, 30000);
    double queue_ms = mean_queue_delay_ms(&s);
    struct prism_bwe_state state;
    prism_bwe_get_state(s.bwe, &state);
    double padding_bps = (double)(s.padding_bytes - padding_before) * 8 / 30;
    g_test_message("300 kbps path: mean estimate %.0f, %u probes (%u succeeded), padding %.0f bps, "
                   "queueing %.1f ms (%.1f ms without probes), %u of %u packets dropped",
                   mean, state.probes, state.probes_succeeded, padding_bps, queue_ms,
                   queue_without_ms, s.dropped_packets, s.sent_packets);
    g_assert_cmpfloat(mean, <, 400000);
    g_assert_cmpuint(state.probes, >=, 3);
    g_assert_cmpuint(state.probes, <=, 15);
    g_assert_cmpuint(state.probes_succeeded, ==, 0);
    g_assert_cmpfloat(padding_bps, <, 20000);
    g_assert_cmpfloat(queue_ms, <, queue_without_ms + 25);
    g_assert_cmpuint(s.dropped_packets, ==, 0);

    s.capacity_bps = 2000000;
    unsigned took = run_until(&s, 1500000, false, 20000);
    prism_bwe_get_state(s.bwe, &state);
    g_test_message("path up to 2 Mbps: past 1.5 Mbps after %u ms (last probe %" G_GUINT64_FORMAT
                   " of %" G_GUINT64_FORMAT ")",
                   took, state.probe_result_bps, state.probe_target_bps);
    g_assert_cmpuint(took, <, 8000);
    /* Still sending 250 kbps: the probed estimate holds, below the capacity. */
    mean = run(&s, 10000);
    g_assert_cmpfloat(mean, >, 1.5e6);
    g_assert_cmpfloat(mean, <, 2.2e6);
    sim_free(&s);
}

/* A forwarder sending 1.5 Mbit/s whose link falls to 300 kbit/s behind a 50-packet queue (the
 * integration test's htb class): the queue overflows, and the send time of the latest packet
 * reported lost tells the sender that packets sent after the fall were lost (what it sent
 * then, a new layer's keyframe, needs repair), and none before it. */
static void test_bwe_reports_when_the_last_lost_packet_was_sent(void)
{
    struct sim s;
    sim_init(&s, 5000000, 0, 6);
    s.fixed_rate_bps = 1500000;
    run(&s, 5000);
    g_assert_cmpuint(prism_bwe_last_loss_sent_us(s.bwe), ==, 0);
    uint64_t fall_us = s.now_us;
    s.capacity_bps = 300000;
    s.queue_limit_us = 50ull * PACKET_BYTES * 8u * 1000000u / 300000u;
    run(&s, 3000);
    g_assert_cmpuint(s.dropped_packets, >, 0);
    uint64_t lost = prism_bwe_last_loss_sent_us(s.bwe);
    g_test_message("last lost packet sent %.0f ms after the fall, reported by %.0f ms",
                   (double)(lost - fall_us) / 1000, (double)(s.now_us - fall_us) / 1000);
    g_assert_cmpuint(lost, >, fall_us);
    g_assert_cmpuint(lost, <, s.now_us);
    sim_free(&s);
}

/* A forwarder sends each video frame as one burst: 1.1 Mbit/s at 15 frames a second. When the
 * link falls from 5 Mbit/s to 300 kbit/s behind a 50-packet queue, a frame takes a quarter of
 * a second to pass, so the delay-based detector gets a sample only that often: it must still
 * see the queue grow, and the estimate fall below the new capacity, within 0.9 s (with a
 * smoothing per sample, as for paced traffic, it took 1.2 s). */
static void test_bwe_detects_overuse_from_sparse_frame_bursts(void)
{
    struct sim s;
    sim_init(&s, 5000000, 0, 7);
    s.fixed_rate_bps = 1100000;
    s.frame_us = 66666;
    run(&s, 10000);
    g_assert_cmpuint(prism_bwe_estimate(s.bwe), >, 1100000);
    s.capacity_bps = 300000;
    s.queue_limit_us = 50ull * PACKET_BYTES * 8u * 1000000u / 300000u;
    unsigned took = run_until(&s, 300000, true, 5000);
    struct prism_bwe_state state;
    prism_bwe_get_state(s.bwe, &state);
    g_test_message("link down to 300 kbps: under it after %u ms (%u delay samples)", took,
                   state.delay_samples);
    g_assert_cmpuint(took, <, 900);
    g_assert_cmpint(state.signal, ==, PRISM_BWE_OVERUSE);
    sim_free(&s);
}

static void test_bwe_ignores_feedback_for_unknown_packets(void)
{
    struct prism_bwe *bwe;
    g_assert_cmpint(prism_bwe_create(NULL, &bwe), ==, 0);
    uint64_t start = prism_bwe_estimate(bwe);
    g_assert_cmpuint(start, ==, 300000);
    /* Nothing sent yet: statuses name nothing, the estimate does not move. */
    for (uint16_t seq = 0; seq < 100; seq++)
        prism_bwe_on_feedback_status(bwe, seq, seq % 2, 1000 * seq);
    prism_bwe_on_feedback_end(bwe, 5000000);
    g_assert_cmpuint(prism_bwe_estimate(bwe), ==, start);
    /* Sent 0..9; a status far ahead, a duplicate and an arrival time going backwards. */
    for (uint16_t seq = 0; seq < 10; seq++)
        prism_bwe_on_packet_sent(bwe, seq, 1200, 1000000 + 1000 * seq);
    prism_bwe_on_feedback_status(bwe, 30000, true, 0);
    prism_bwe_on_feedback_status(bwe, 3, true, 2000000);
    prism_bwe_on_feedback_status(bwe, 3, true, 9000000);
    prism_bwe_on_feedback_status(bwe, 4, true, -5000000);
    prism_bwe_on_feedback_end(bwe, 6000000);
    struct prism_bwe_state state;
    prism_bwe_get_state(bwe, &state);
    g_assert_cmpuint(prism_bwe_estimate(bwe), >=, 30000);
    g_assert_cmpuint(prism_bwe_estimate(bwe), <=, 50000000);
    prism_bwe_destroy(bwe);
}

static void test_bwe_rejects_bad_config(void)
{
    struct prism_bwe *bwe = NULL;
    struct prism_bwe_config bad = {.start_bps = 10, .min_bps = 100, .max_bps = 1000};
    g_assert_cmpint(prism_bwe_create(&bad, &bwe), ==, -EINVAL);
    bad = (struct prism_bwe_config){.min_bps = 2000, .max_bps = 1000};
    g_assert_cmpint(prism_bwe_create(&bad, &bwe), ==, -EINVAL);
    g_assert_cmpint(prism_bwe_create(NULL, NULL), ==, -EINVAL);
    g_assert_null(bwe);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bwe/follows_capacity_steps_down_and_up",
                    test_bwe_follows_capacity_steps_down_and_up);
    g_test_add_func("/bwe/tolerates_light_random_loss", test_bwe_tolerates_light_random_loss);
    g_test_add_func("/bwe/backs_off_under_heavy_random_loss",
                    test_bwe_backs_off_under_heavy_random_loss);
    g_test_add_func("/bwe/follows_a_sender_that_ignores_it",
                    test_bwe_follows_a_sender_that_ignores_it);
    g_test_add_func("/bwe/probes_up_after_a_capacity_step",
                    test_bwe_probes_up_after_a_capacity_step);
    g_test_add_func("/bwe/reports_when_the_last_lost_packet_was_sent",
                    test_bwe_reports_when_the_last_lost_packet_was_sent);
    g_test_add_func("/bwe/ignores_feedback_for_unknown_packets",
                    test_bwe_ignores_feedback_for_unknown_packets);
    g_test_add_func("/bwe/rejects_bad_config", test_bwe_rejects_bad_config);
    g_test_add_func("/bwe/detects_overuse_from_sparse_frame_bursts",
                    test_bwe_detects_overuse_from_sparse_frame_bursts);
    return g_test_run();
}
