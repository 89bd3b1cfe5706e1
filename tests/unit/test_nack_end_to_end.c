/* End to end in virtual time: a sender with a retransmission history, a network that loses
 * every 10th packet it carries (retransmissions included) and delays both ways, and a receiver
 * that NACKs. The sender answers with RTX, the receiver unwraps it, and in the end no packet is
 * missing. No sockets, no clock: time is a counter. */
#include "media/nack/history.h"
#include "media/nack/receiver.h"
#include "media/rtcp/feedback.h"
#include "media/rtp/header.h"

#include <glib.h>
#include <string.h>

#define SSRC 0x10203040u
#define RTX_SSRC 0x50607080u
#define MEDIA_PT 96
#define RTX_PT 97
#define MS 1000ull
#define PACKETS 3001
#define FIRST_SEQ 64000 /* the stream wraps through 65535 */
#define ONE_WAY_DELAY_US (20 * MS)
#define QUEUE_LEN 256

/* One direction of the network: a FIFO, since every packet takes the same time. */
struct datagram {
    uint64_t deliver_at_us;
    size_t len;
    uint8_t data[PRISM_NACK_HISTORY_DEFAULT_SLOT + 2];
};

struct link {
    struct datagram queue[QUEUE_LEN];
    size_t head, count;
    unsigned carried; /* packets offered, for the every-10th loss */
    bool lossy;
};

static void link_send(struct link *l, const uint8_t *data, size_t len, uint64_t now_us)
{
    if (l->lossy && ++l->carried % 10 == 0)
        return;
    g_assert_cmpuint(l->count, <, QUEUE_LEN);
    struct datagram *d = &l->queue[(l->head + l->count++) % QUEUE_LEN];
    d->deliver_at_us = now_us + ONE_WAY_DELAY_US;
    d->len = len;
    memcpy(d->data, data, len);
}

/* The next datagram due by now_us, or NULL. Valid until the next link_send(). */
static struct datagram *link_receive(struct link *l, uint64_t now_us)
{
    if (l->count == 0 || l->queue[l->head].deliver_at_us > now_us)
        return NULL;
    struct datagram *d = &l->queue[l->head];
    l->head = (l->head + 1) % QUEUE_LEN;
    l->count--;
    return d;
}

struct world {
    struct prism_nack_history *history;
    struct prism_nack_receiver *receiver;
    struct link forward, backward;
    bool received[PACKETS];
    unsigned rtx_sent, rtx_received, nacks_sent;
    bool keyframe_asked;
};

static void sender_send_media(struct world *w, unsigned index, uint64_t now_us)
{
    uint8_t packet[1200];
    struct prism_rtp_header_fields f = {.payload_type = MEDIA_PT,
                                        .seq = (uint16_t)(FIRST_SEQ + index),
                                        .timestamp = 90u * index,
                                        .ssrc = SSRC};
    int len = prism_rtp_build_header(packet, sizeof(packet), &f);
    g_assert_cmpint(len, ==, 12);
    memset(packet + 12, (int)index, sizeof(packet) - 12);
    g_assert_cmpint(prism_nack_history_store(w->history, packet, sizeof(packet), now_us), ==, 0);
    link_send(&w->forward, packet, sizeof(packet), now_us);
}

static void sender_on_rtcp(struct world *w, const uint8_t *data, size_t len, uint64_t now_us)
{
    static uint8_t storage[8][PRISM_NACK_HISTORY_DEFAULT_SLOT + 2];
    struct prism_nack_resend_buffer bufs[8];
    for (size_t i = 0; i < 8; i++)
        bufs[i] = (struct prism_nack_resend_buffer){storage[i], sizeof(storage[i]), 0};
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_nack nack;
    prism_rtcp_iter_init(&it, data, len);
    while (prism_rtcp_next(&it, &p) == 1) {
        if (prism_rtcp_nack_parse(&p, &nack) < 0 || nack.media_ssrc != SSRC)
            continue;
        int n = prism_nack_history_answer(w->history, &nack, now_us, bufs, 8, NULL);
        g_assert_cmpint(n, >=, 0);
        for (int i = 0; i < n; i++)
            link_send(&w->forward, bufs[i].data, bufs[i].len, now_us);
        w->rtx_sent += (unsigned)n;
    }
}

static void receiver_on_rtp(struct world *w, uint8_t *data, size_t len, uint64_t now_us)
{
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(data, len, &h), ==, 0);
    bool rtx = h.ssrc == RTX_SSRC;
    if (rtx) {
        g_assert_cmpuint(h.payload_type, ==, RTX_PT);
        int back = prism_rtp_rtx_unwrap(data, &h, MEDIA_PT, SSRC);
        g_assert_cmpint(back, ==, 1200);
        g_assert_cmpint(prism_rtp_parse(data, (size_t)back, &h), ==, 0);
        w->rtx_received++;
    }
    g_assert_cmpuint(h.ssrc, ==, SSRC);
    unsigned index = (uint16_t)(h.seq - FIRST_SEQ);
    g_assert_cmpuint(index, <, PACKETS);
    g_assert_cmpuint(h.payload[0], ==, (uint8_t)index); /* the right bytes came back */
    w->received[index] = true;
    prism_nack_receiver_on_packet(w->receiver, h.seq, h.timestamp, rtx, now_us);
}

static void receiver_poll(struct world *w, uint64_t now_us)
{
    if (prism_nack_receiver_next_deadline(w->receiver) > now_us)
        return;
    uint8_t buf[1200];
    struct prism_nack_poll out;
    g_assert_cmpint(prism_nack_receiver_poll(w->receiver, now_us, buf, sizeof(buf), &out), ==, 0);
    if (out.keyframe_needed)
        w->keyframe_asked = true;
    if (out.len > 0) {
        link_send(&w->backward, buf, out.len, now_us);
        w->nacks_sent++;
    }
}

static void step(struct world *w, uint64_t now_us)
{
    unsigned index = (unsigned)(now_us / MS);
    if (now_us % MS == 0 && index < PACKETS)
        sender_send_media(w, index, now_us);
    struct datagram *d;
    while ((d = link_receive(&w->forward, now_us)))
        receiver_on_rtp(w, d->data, d->len, now_us);
    while ((d = link_receive(&w->backward, now_us)))
        sender_on_rtcp(w, d->data, d->len, now_us);
    receiver_poll(w, now_us);
}

static void run(bool nacks_lost_too)
{
    static struct world w;
    memset(&w, 0, sizeof(w));
    struct prism_nack_rtx_map map[] = {{MEDIA_PT, RTX_PT}};
    struct prism_nack_rtx_config rtx = {
        .ssrc = RTX_SSRC, .first_seq = 1, .map = map, .map_count = 1};
    struct prism_nack_history_config hcfg = {.ssrc = SSRC, .rtx = &rtx};
    struct prism_nack_receiver_config rcfg = {
        .ssrc = SSRC, .sender_ssrc = 0x99, .clock_rate = 90000};
    g_assert_cmpint(prism_nack_history_create(&hcfg, &w.history), ==, 0);
    g_assert_cmpint(prism_nack_receiver_create(&rcfg, &w.receiver), ==, 0);
    prism_nack_history_set_rtt(w.history, 2 * ONE_WAY_DELAY_US);
    prism_nack_receiver_set_rtt(w.receiver, 2 * ONE_WAY_DELAY_US);
    w.forward.lossy = true;
    w.backward.lossy = nacks_lost_too;

    /* 3 s of media at 1000 packets/s, then a second for the last repairs; 0.5 ms ticks. */
    for (uint64_t now = 0; now < (PACKETS + 1000) * MS; now += MS / 2)
        step(&w, now);

    unsigned missing = 0;
    for (unsigned i = 0; i < PACKETS; i++)
        missing += !w.received[i];
    g_assert_cmpuint(missing, ==, 0);
    struct prism_nack_receiver_counters c;
    prism_nack_receiver_get_counters(w.receiver, &c);
    g_test_message(
        "carried %u, rtx sent %u, rtx received %u, nacks %u, recovered %" G_GUINT64_FORMAT,
        w.forward.carried, w.rtx_sent, w.rtx_received, w.nacks_sent, c.recovered);
    g_assert_cmpuint(c.missing, ==, 0);
    g_assert_cmpuint(c.given_up, ==, 0);
    g_assert_false(w.keyframe_asked);
    /* Every original the network dropped came back exactly once through RTX; some RTX were
     * dropped too and asked for again. */
    unsigned rtx_lost = w.rtx_sent - w.rtx_received;
    g_assert_cmpuint(rtx_lost, >, 0);
    g_assert_cmpuint(c.recovered, ==, w.forward.carried / 10 - rtx_lost);
    g_assert_cmpuint(c.recovered, ==, w.rtx_received);
    g_assert_cmpuint(c.duplicates, ==, 0);
    g_assert_cmpuint(w.nacks_sent, >=, c.recovered / 2);
    if (nacks_lost_too)
        g_assert_cmpuint(w.backward.carried, ==, w.nacks_sent);
    const struct prism_nack_stats *s = prism_nack_receiver_stats(w.receiver);
    g_assert_cmpuint(prism_nack_stats_expected(s), ==, PACKETS);
    g_assert_cmpint(prism_nack_stats_lost(s), ==, 0);

    prism_nack_history_destroy(w.history);
    prism_nack_receiver_destroy(w.receiver);
}

static void test_nack_end_to_end_recovers_every_lost_packet_with_rtx(void)
{
    run(false);
}

static void test_nack_end_to_end_recovers_when_nacks_are_lost_too(void)
{
    run(true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nack-end-to-end/recovers-every-lost-packet-with-rtx",
                    test_nack_end_to_end_recovers_every_lost_packet_with_rtx);
    g_test_add_func("/nack-end-to-end/recovers-when-nacks-are-lost-too",
                    test_nack_end_to_end_recovers_when_nacks_are_lost_too);
    return g_test_run();
}
