/* REMB towards a publisher: the cap sent periodically and at once when it changes, combined
 * with the lowest receiver estimate, which ages out after two intervals. */
#include "media/feedback/remb.h"
#include "media/rtcp/feedback.h"

#include <errno.h>
#include <glib.h>

#define OUR_SSRC 0x0000AAAAu
#define MS 1000ull

static const uint32_t publisher_ssrcs[] = {0x1111, 0x2222, 0x3333};

static void init(struct prism_remb *r, uint64_t cap_bps)
{
    struct prism_remb_config cfg = {.sender_ssrc = OUR_SSRC,
                                    .media_ssrcs = publisher_ssrcs,
                                    .media_ssrc_count = 3,
                                    .cap_bps = cap_bps};
    g_assert_cmpint(prism_remb_init(r, &cfg, 0), ==, 0);
}

/* Polls at now_us: the bitrate of the REMB written, or 0 when none was. */
static uint64_t poll_bitrate(struct prism_remb *r, uint64_t now_us)
{
    uint8_t buf[128];
    int len = prism_remb_poll(r, now_us, buf, sizeof(buf));
    g_assert_cmpint(len, >=, 0);
    if (len == 0)
        return 0;
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_remb remb;
    prism_rtcp_iter_init(&it, buf, (size_t)len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpint(prism_rtcp_remb_parse(&p, &remb), ==, 0);
    g_assert_cmpuint(remb.sender_ssrc, ==, OUR_SSRC);
    g_assert_cmpuint(remb.count, ==, 3);
    for (unsigned i = 0; i < 3; i++)
        g_assert_cmpuint(prism_rtcp_remb_ssrc(&remb, i), ==, publisher_ssrcs[i]);
    return remb.bitrate;
}

static void test_remb_sent_on_cap_change(void)
{
    struct prism_remb r;
    init(&r, 1000000);
    g_assert_cmpuint(prism_remb_next_deadline(&r), ==, 0);
    g_assert_cmpuint(poll_bitrate(&r, 0), ==, 1000000);
    g_assert_cmpuint(prism_remb_next_deadline(&r), ==, 1000 * MS);
    g_assert_cmpuint(poll_bitrate(&r, 999 * MS), ==, 0);
    /* The room's bitrate is reconfigured: a REMB goes out at once. */
    prism_remb_set_cap(&r, 512000);
    g_assert_cmpuint(prism_remb_next_deadline(&r), ==, 0);
    g_assert_cmpuint(poll_bitrate(&r, 999 * MS), ==, 512000);
    /* Setting the same cap again changes nothing; the periodic REMB keeps its time. */
    prism_remb_set_cap(&r, 512000);
    g_assert_cmpuint(prism_remb_next_deadline(&r), ==, 1000 * MS);
    g_assert_cmpuint(poll_bitrate(&r, 1000 * MS), ==, 512000);
    g_assert_cmpuint(poll_bitrate(&r, 1500 * MS), ==, 0);
    g_assert_cmpuint(poll_bitrate(&r, 2000 * MS), ==, 512000);
    g_assert_cmpuint(r.sent, ==, 4);
}

static void test_remb_uses_the_lowest_receiver_estimate(void)
{
    struct prism_remb r;
    init(&r, 2000000);
    g_assert_cmpuint(poll_bitrate(&r, 0), ==, 2000000);
    prism_remb_on_estimate(&r, 1500000);
    prism_remb_on_estimate(&r, 800000);
    prism_remb_on_estimate(&r, 3000000);
    uint64_t value = 0;
    g_assert_true(prism_remb_value(&r, &value));
    g_assert_cmpuint(value, ==, 800000);
    /* The drop from 2 Mbit/s was sent at once. */
    g_assert_cmpuint(prism_remb_next_deadline(&r), ==, 0);
    g_assert_cmpuint(poll_bitrate(&r, 100 * MS), ==, 800000);
    g_assert_cmpuint(poll_bitrate(&r, 1000 * MS), ==, 800000);
    /* No estimate in the next interval: the previous one still counts... */
    g_assert_cmpuint(poll_bitrate(&r, 2000 * MS), ==, 800000);
    /* ...but not longer: the cap alone again. */
    g_assert_cmpuint(poll_bitrate(&r, 3000 * MS), ==, 2000000);
    /* An estimate above the cap does not raise it. */
    prism_remb_on_estimate(&r, 5000000);
    g_assert_cmpuint(poll_bitrate(&r, 4000 * MS), ==, 2000000);
}

static void test_remb_small_drops_wait_for_the_period(void)
{
    struct prism_remb r;
    init(&r, 0);                                  /* no cap: receivers' estimates only */
    g_assert_cmpuint(poll_bitrate(&r, 0), ==, 0); /* nothing to say yet */
    prism_remb_on_estimate(&r, 1000000);
    g_assert_cmpuint(prism_remb_next_deadline(&r), ==, 1000 * MS);
    g_assert_cmpuint(poll_bitrate(&r, 1000 * MS), ==, 1000000);
    prism_remb_on_estimate(&r, 980000); /* 2% lower: not urgent */
    g_assert_cmpuint(prism_remb_next_deadline(&r), ==, 2000 * MS);
    prism_remb_on_estimate(&r, 960000); /* 4% lower than what was sent: at once */
    g_assert_cmpuint(prism_remb_next_deadline(&r), ==, 0);
    g_assert_cmpuint(poll_bitrate(&r, 1200 * MS), ==, 960000);
}

static void test_remb_rejects_bad_ssrc_lists(void)
{
    struct prism_remb r;
    struct prism_remb_config cfg = {.sender_ssrc = 1, .media_ssrcs = publisher_ssrcs};
    g_assert_cmpint(prism_remb_init(&r, &cfg, 0), ==, -EINVAL);
    init(&r, 300000);
    uint32_t many[PRISM_REMB_MAX_SSRCS + 1] = {0};
    g_assert_cmpint(prism_remb_set_ssrcs(&r, many, PRISM_REMB_MAX_SSRCS + 1), ==, -EINVAL);
    g_assert_cmpuint(poll_bitrate(&r, 0), ==, 300000);
    /* New streams: the REMB names them at once. */
    g_assert_cmpint(prism_remb_set_ssrcs(&r, many, PRISM_REMB_MAX_SSRCS), ==, 0);
    uint8_t buf[128];
    g_assert_cmpint(prism_remb_poll(&r, 10 * MS, buf, 51), ==, -ENOSPC);
    g_assert_cmpint(prism_remb_poll(&r, 10 * MS, buf, sizeof(buf)), ==, 20 + 4 * 8);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/feedback-remb/sent-on-cap-change", test_remb_sent_on_cap_change);
    g_test_add_func("/feedback-remb/uses-the-lowest-receiver-estimate",
                    test_remb_uses_the_lowest_receiver_estimate);
    g_test_add_func("/feedback-remb/small-drops-wait-for-the-period",
                    test_remb_small_drops_wait_for_the_period);
    g_test_add_func("/feedback-remb/rejects-bad-ssrc-lists", test_remb_rejects_bad_ssrc_lists);
    return g_test_run();
}
