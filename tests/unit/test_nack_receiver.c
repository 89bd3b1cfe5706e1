/* Receive-side loss detection: when NACKs go out and for which packets, retries and giving up,
 * recovery, jumps and restarts, and NACKs that must fit the caller's buffer. */
#include "media/nack/receiver.h"
#include "media/rtcp/feedback.h"

#include <errno.h>
#include <glib.h>

#define MEDIA_SSRC 0xCAFE0001u
#define OUR_SSRC 0x0000BEEFu
#define MS 1000ull

static struct prism_nack_receiver *make_receiver(size_t max_missing)
{
    struct prism_nack_receiver_config cfg = {.ssrc = MEDIA_SSRC,
                                             .sender_ssrc = OUR_SSRC,
                                             .clock_rate = 90000,
                                             .max_missing = max_missing};
    struct prism_nack_receiver *r = NULL;
    g_assert_cmpint(prism_nack_receiver_create(&cfg, &r), ==, 0);
    return r;
}

static enum prism_nack_packet_kind receive(struct prism_nack_receiver *r, uint16_t seq,
                                           uint64_t now_us)
{
    return prism_nack_receiver_on_packet(r, seq, 90u * seq, false, now_us);
}

/* Polls at now_us and parses the NACK written, if any, into lost (returns how many). */
static size_t poll_nack(struct prism_nack_receiver *r, uint64_t now_us, uint16_t *lost, size_t cap,
                        struct prism_nack_poll *out)
{
    uint8_t buf[1500];
    g_assert_cmpint(prism_nack_receiver_poll(r, now_us, buf, sizeof(buf), out), ==, 0);
    if (out->len == 0) {
        g_assert_cmpuint(out->nacked, ==, 0);
        return 0;
    }
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_nack nack;
    prism_rtcp_iter_init(&it, buf, out->len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpint(prism_rtcp_nack_parse(&p, &nack), ==, 0);
    g_assert_cmpuint(nack.sender_ssrc, ==, OUR_SSRC);
    g_assert_cmpuint(nack.media_ssrc, ==, MEDIA_SSRC);
    size_t n = prism_rtcp_nack_lost(&nack, lost, cap);
    g_assert_cmpuint(n, ==, out->nacked);
    return n;
}

static void test_receiver_nacks_gap_after_reorder_delay(void)
{
    struct prism_nack_receiver *r = make_receiver(0);
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, UINT64_MAX);
    g_assert_cmpint(receive(r, 100, 0), ==, PRISM_NACK_PACKET_NEW);
    g_assert_cmpint(receive(r, 101, 1 * MS), ==, PRISM_NACK_PACKET_NEW);
    g_assert_cmpint(receive(r, 104, 2 * MS), ==, PRISM_NACK_PACKET_NEW);
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, 12 * MS);

    struct prism_nack_poll out;
    uint16_t lost[32];
    g_assert_cmpuint(poll_nack(r, 11 * MS, lost, 32, &out), ==, 0);
    g_assert_cmpuint(poll_nack(r, 12 * MS, lost, 32, &out), ==, 2);
    g_assert_cmpuint(lost[0], ==, 102);
    g_assert_cmpuint(lost[1], ==, 103);
    g_assert_false(out.keyframe_needed);
    g_assert_cmpuint(out.len, ==, 16); /* one FCI: PID 102, BLP bit 0 */
    /* The next try waits for the (default, 100 ms) RTT. */
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, 112 * MS);
    prism_nack_receiver_destroy(r);
}

static void test_receiver_does_not_nack_reordered_packets(void)
{
    struct prism_nack_receiver *r = make_receiver(0);
    receive(r, 100, 0);
    receive(r, 102, 1 * MS);
    g_assert_cmpint(receive(r, 101, 3 * MS), ==, PRISM_NACK_PACKET_RECOVERED);
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, UINT64_MAX);
    struct prism_nack_poll out;
    uint16_t lost[4];
    g_assert_cmpuint(poll_nack(r, 50 * MS, lost, 4, &out), ==, 0);
    struct prism_nack_receiver_counters c;
    prism_nack_receiver_get_counters(r, &c);
    g_assert_cmpuint(c.recovered, ==, 1);
    g_assert_cmpuint(c.nacks_sent, ==, 0);
    g_assert_cmpint(prism_nack_stats_lost(prism_nack_receiver_stats(r)), ==, 0);
    prism_nack_receiver_destroy(r);
}

static void test_receiver_retries_every_rtt_with_a_floor(void)
{
    struct prism_nack_receiver *r = make_receiver(0);
    prism_nack_receiver_set_rtt(r, 50 * MS);
    receive(r, 1, 0);
    receive(r, 3, 0);
    struct prism_nack_poll out;
    uint16_t lost[4];
    g_assert_cmpuint(poll_nack(r, 10 * MS, lost, 4, &out), ==, 1);
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, 60 * MS);
    g_assert_cmpuint(poll_nack(r, 59 * MS, lost, 4, &out), ==, 0);
    g_assert_cmpuint(poll_nack(r, 60 * MS, lost, 4, &out), ==, 1);
    /* A short RTT does not make retries faster than every 20 ms. */
    prism_nack_receiver_set_rtt(r, 5 * MS);
    g_assert_cmpuint(poll_nack(r, 110 * MS, lost, 4, &out), ==, 1);
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, 130 * MS);
    prism_nack_receiver_destroy(r);
}

static void test_receiver_stops_after_max_retries_and_hints_keyframe(void)
{
    struct prism_nack_receiver *r = make_receiver(0);
    receive(r, 10, 0);
    receive(r, 12, 0);
    struct prism_nack_poll out;
    uint16_t lost[4];
    unsigned nacks = 0;
    bool keyframe = false;
    uint64_t now = 0;
    for (int polls = 0; polls < 100; polls++) {
        uint64_t next = prism_nack_receiver_next_deadline(r);
        if (next == UINT64_MAX)
            break;
        now = next;
        size_t n = poll_nack(r, now, lost, 4, &out);
        if (n > 0) {
            g_assert_cmpuint(n, ==, 1);
            g_assert_cmpuint(lost[0], ==, 11);
            g_assert_false(out.keyframe_needed);
            nacks++;
        }
        if (out.keyframe_needed) {
            keyframe = true;
            g_assert_cmpuint(out.given_up, ==, 1);
        }
    }
    g_assert_cmpuint(nacks, ==, PRISM_NACK_RECEIVER_DEFAULT_MAX_NACKS);
    g_assert_true(keyframe);
    /* First NACK at 10 ms, nine retries 100 ms apart, given up 100 ms after the last. */
    g_assert_cmpuint(now, ==, 1010 * MS);
    struct prism_nack_receiver_counters c;
    prism_nack_receiver_get_counters(r, &c);
    g_assert_cmpuint(c.given_up, ==, 1);
    g_assert_cmpuint(c.missing, ==, 0);
    g_assert_cmpuint(c.seqs_nacked, ==, 10);
    g_assert_cmpint(prism_nack_stats_lost(prism_nack_receiver_stats(r)), ==, 1);
    /* The packet arriving after all is late, not recovered. */
    g_assert_cmpint(receive(r, 11, now), ==, PRISM_NACK_PACKET_LATE);
    prism_nack_receiver_destroy(r);
}

static void test_receiver_removes_retransmitted_packets(void)
{
    struct prism_nack_receiver *r = make_receiver(0);
    for (uint16_t seq = 0; seq < 10; seq++) {
        if (seq != 4 && seq != 6)
            prism_nack_receiver_on_packet(r, seq, 90u * seq, false, seq * MS);
    }
    struct prism_nack_poll out;
    uint16_t lost[4];
    g_assert_cmpuint(poll_nack(r, 20 * MS, lost, 4, &out), ==, 2);
    uint32_t jitter = prism_nack_stats_jitter_value(prism_nack_receiver_stats(r));
    /* Resent packets arrive late, far off the timing of the stream: no jitter from them. */
    g_assert_cmpint(prism_nack_receiver_on_packet(r, 6, 90u * 6, true, 60 * MS), ==,
                    PRISM_NACK_PACKET_RECOVERED);
    g_assert_cmpint(prism_nack_receiver_on_packet(r, 6, 90u * 6, true, 61 * MS), ==,
                    PRISM_NACK_PACKET_LATE);
    g_assert_cmpuint(prism_nack_stats_jitter_value(prism_nack_receiver_stats(r)), ==, jitter);
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, 120 * MS);
    g_assert_cmpuint(poll_nack(r, 120 * MS, lost, 4, &out), ==, 1);
    g_assert_cmpuint(lost[0], ==, 4);
    g_assert_cmpint(prism_nack_receiver_on_packet(r, 4, 90u * 4, true, 130 * MS), ==,
                    PRISM_NACK_PACKET_RECOVERED);
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, UINT64_MAX);
    struct prism_nack_receiver_counters c;
    prism_nack_receiver_get_counters(r, &c);
    g_assert_cmpuint(c.recovered, ==, 2);
    g_assert_cmpuint(c.duplicates, ==, 1);
    const struct prism_nack_stats *s = prism_nack_receiver_stats(r);
    g_assert_cmpuint(s->received, ==, 10); /* the duplicate is not counted */
    g_assert_cmpint(prism_nack_stats_lost(s), ==, 0);
    prism_nack_receiver_destroy(r);
}

static void test_receiver_resets_on_huge_jump(void)
{
    struct prism_nack_receiver *r = make_receiver(256);
    receive(r, 1000, 0);
    receive(r, 1002, 0); /* 1001 missing */
    /* A gap of exactly 256 is still tracked. */
    g_assert_cmpint(receive(r, 1259, 1 * MS), ==, PRISM_NACK_PACKET_NEW);
    struct prism_nack_receiver_counters c;
    prism_nack_receiver_get_counters(r, &c);
    g_assert_cmpuint(c.missing, ==, 256); /* 1001 pushed out by the full list */
    g_assert_cmpuint(c.given_up, ==, 1);
    /* 257 missing in one go: no NACK for any of them, and no NACK for the old ones. */
    g_assert_cmpint(receive(r, 1517, 2 * MS), ==, PRISM_NACK_PACKET_NEW);
    prism_nack_receiver_get_counters(r, &c);
    g_assert_cmpuint(c.missing, ==, 0);
    g_assert_cmpuint(c.resets, ==, 1);
    g_assert_cmpuint(c.given_up, ==, 257);
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, 0);
    struct prism_nack_poll out;
    uint16_t lost[4];
    g_assert_cmpuint(poll_nack(r, 2 * MS, lost, 4, &out), ==, 0);
    g_assert_true(out.keyframe_needed);
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, UINT64_MAX);
    /* The statistics still count every packet of the jump as lost. */
    const struct prism_nack_stats *s = prism_nack_receiver_stats(r);
    g_assert_cmpuint(prism_nack_stats_expected(s), ==, 518);
    g_assert_cmpint(prism_nack_stats_lost(s), ==, 514);
    prism_nack_receiver_destroy(r);
}

static void test_receiver_confirms_a_far_jump_before_restarting(void)
{
    struct prism_nack_receiver *r = make_receiver(0);
    receive(r, 1000, 0);
    receive(r, 1001, 0);
    /* One stray far packet is ignored, and the stream goes on. */
    g_assert_cmpint(receive(r, 20000, 0), ==, PRISM_NACK_PACKET_PROBATION);
    g_assert_cmpint(receive(r, 1002, 0), ==, PRISM_NACK_PACKET_NEW);
    g_assert_cmpint(receive(r, 60000, 0), ==, PRISM_NACK_PACKET_PROBATION); /* far behind */
    g_assert_cmpint(receive(r, 1003, 0), ==, PRISM_NACK_PACKET_NEW);
    /* A resent packet never starts a probation. */
    g_assert_cmpint(prism_nack_receiver_on_packet(r, 30000, 0, true, 0), ==,
                    PRISM_NACK_PACKET_LATE);
    g_assert_cmpint(prism_nack_receiver_on_packet(r, 30001, 0, false, 0), ==,
                    PRISM_NACK_PACKET_PROBATION);
    /* Two in a row: the sender restarted its sequence numbers. */
    g_assert_cmpint(receive(r, 30002, 0), ==, PRISM_NACK_PACKET_RESTARTED);
    g_assert_cmpint(receive(r, 30004, 0), ==, PRISM_NACK_PACKET_NEW);
    const struct prism_nack_stats *s = prism_nack_receiver_stats(r);
    g_assert_cmpuint(prism_nack_stats_expected(s), ==, 3);
    g_assert_cmpuint(s->received, ==, 2);
    struct prism_nack_receiver_counters c;
    prism_nack_receiver_get_counters(r, &c);
    g_assert_cmpuint(c.restarts, ==, 1);
    g_assert_cmpuint(c.missing, ==, 1);
    struct prism_nack_poll out;
    uint16_t lost[4];
    g_assert_cmpuint(poll_nack(r, 0, lost, 4, &out), ==, 0);
    g_assert_true(out.keyframe_needed);
    g_assert_cmpuint(poll_nack(r, 10 * MS, lost, 4, &out), ==, 1);
    g_assert_cmpuint(lost[0], ==, 30003);
    prism_nack_receiver_destroy(r);
}

static void test_receiver_nacks_across_the_wrap(void)
{
    struct prism_nack_receiver *r = make_receiver(0);
    receive(r, 65533, 0);
    receive(r, 2, 0);
    struct prism_nack_poll out;
    uint16_t lost[8];
    g_assert_cmpuint(poll_nack(r, 10 * MS, lost, 8, &out), ==, 4);
    uint16_t want[] = {65534, 65535, 0, 1};
    g_assert_cmpmem(lost, sizeof(want), want, sizeof(want));
    g_assert_cmpuint(out.len, ==, 16);
    g_assert_cmpint(receive(r, 65535, 11 * MS), ==, PRISM_NACK_PACKET_RECOVERED);
    g_assert_cmpint(receive(r, 0, 11 * MS), ==, PRISM_NACK_PACKET_RECOVERED);
    struct prism_nack_receiver_counters c;
    prism_nack_receiver_get_counters(r, &c);
    g_assert_cmpuint(c.missing, ==, 2);
    prism_nack_receiver_destroy(r);
}

static void test_receiver_nack_fits_the_buffer_and_the_rest_follows(void)
{
    struct prism_nack_receiver *r = make_receiver(0);
    /* 50 isolated losses 20 apart: each needs its own FCI. */
    for (uint16_t seq = 0; seq <= 1000; seq++) {
        if (seq % 20 != 10)
            receive(r, seq, 0);
    }
    uint8_t buf[12 + 4 * 10];
    struct prism_nack_poll out;
    size_t total = 0;
    for (int i = 0; i < 5; i++) {
        g_assert_cmpuint(prism_nack_receiver_next_deadline(r), <=, 10 * MS);
        g_assert_cmpint(prism_nack_receiver_poll(r, 10 * MS, buf, sizeof(buf), &out), ==, 0);
        g_assert_cmpuint(out.len, ==, sizeof(buf));
        g_assert_cmpuint(out.nacked, ==, 10);
        total += out.nacked;
    }
    g_assert_cmpuint(total, ==, 50);
    g_assert_cmpuint(prism_nack_receiver_next_deadline(r), ==, 110 * MS);
    g_assert_cmpint(prism_nack_receiver_poll(r, 10 * MS, buf, 15, &out), ==, -ENOSPC);
    g_assert_cmpint(prism_nack_receiver_poll(r, 10 * MS, NULL, 64, &out), ==, -EINVAL);
    prism_nack_receiver_destroy(r);
}

static void test_receiver_counts_duplicates_once(void)
{
    struct prism_nack_receiver *r = make_receiver(0);
    receive(r, 5, 0);
    g_assert_cmpint(receive(r, 5, 0), ==, PRISM_NACK_PACKET_LATE);
    receive(r, 6, 0);
    g_assert_cmpint(receive(r, 5, 0), ==, PRISM_NACK_PACKET_LATE);
    g_assert_cmpint(receive(r, 4, 0), ==, PRISM_NACK_PACKET_LATE); /* before the first */
    const struct prism_nack_stats *s = prism_nack_receiver_stats(r);
    g_assert_cmpuint(s->received, ==, 2);
    g_assert_cmpint(prism_nack_stats_lost(s), ==, 0);
    prism_nack_receiver_destroy(r);
}

static void test_receiver_rejects_bad_configuration(void)
{
    struct prism_nack_receiver *r = NULL;
    struct prism_nack_receiver_config cfg = {.ssrc = 1, .clock_rate = 0};
    g_assert_cmpint(prism_nack_receiver_create(&cfg, &r), ==, -EINVAL);
    cfg.clock_rate = 48000;
    cfg.max_missing = PRISM_NACK_RECEIVER_MAX_MISSING + 1;
    g_assert_cmpint(prism_nack_receiver_create(&cfg, &r), ==, -EINVAL);
    g_assert_null(r);
    g_assert_cmpint(prism_nack_receiver_create(NULL, &r), ==, -EINVAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nack-receiver/nacks-gap-after-reorder-delay",
                    test_receiver_nacks_gap_after_reorder_delay);
    g_test_add_func("/nack-receiver/does-not-nack-reordered-packets",
                    test_receiver_does_not_nack_reordered_packets);
    g_test_add_func("/nack-receiver/retries-every-rtt-with-a-floor",
                    test_receiver_retries_every_rtt_with_a_floor);
    g_test_add_func("/nack-receiver/stops-after-max-retries-and-hints-keyframe",
                    test_receiver_stops_after_max_retries_and_hints_keyframe);
    g_test_add_func("/nack-receiver/removes-retransmitted-packets",
                    test_receiver_removes_retransmitted_packets);
    g_test_add_func("/nack-receiver/resets-on-huge-jump", test_receiver_resets_on_huge_jump);
    g_test_add_func("/nack-receiver/confirms-a-far-jump-before-restarting",
                    test_receiver_confirms_a_far_jump_before_restarting);
    g_test_add_func("/nack-receiver/nacks-across-the-wrap", test_receiver_nacks_across_the_wrap);
    g_test_add_func("/nack-receiver/nack-fits-the-buffer-and-the-rest-follows",
                    test_receiver_nack_fits_the_buffer_and_the_rest_follows);
    g_test_add_func("/nack-receiver/counts-duplicates-once", test_receiver_counts_duplicates_once);
    g_test_add_func("/nack-receiver/rejects-bad-configuration",
                    test_receiver_rejects_bad_configuration);
    return g_test_run();
}
