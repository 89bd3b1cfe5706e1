/* Keyframe request throttling: requests are coalesced and spaced out but never lost, FIR
 * sequence numbers advance per RFC 5104, periodic requests, and keyframes that arrive anyway. */
#include "media/feedback/keyframe.h"
#include "media/rtcp/feedback.h"

#include <errno.h>
#include <glib.h>

#define OUR_SSRC 0x0A0B0C0Du
#define MEDIA_SSRC 0x01020304u
#define MS 1000ull

static void init(struct prism_keyframe *k, bool use_fir, uint64_t periodic_us)
{
    struct prism_keyframe_config cfg = {.sender_ssrc = OUR_SSRC,
                                        .media_ssrc = MEDIA_SSRC,
                                        .periodic_interval_us = periodic_us,
                                        .use_fir = use_fir};
    g_assert_cmpint(prism_keyframe_init(k, &cfg, 0), ==, 0);
}

/* Polls and checks what came out: 0 for nothing, else 1 for a PLI, 2 for a FIR (whose command
 * sequence number goes to *fir_seq). */
static int poll_kind(struct prism_keyframe *k, uint64_t now_us, uint8_t *fir_seq)
{
    uint8_t buf[64];
    int len = prism_keyframe_poll(k, now_us, buf, sizeof(buf));
    g_assert_cmpint(len, >=, 0);
    if (len == 0)
        return 0;
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_fb fb;
    struct prism_rtcp_fir fir;
    struct prism_rtcp_fir_entry entry;
    prism_rtcp_iter_init(&it, buf, (size_t)len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    struct prism_rtcp_packet extra;
    g_assert_cmpint(prism_rtcp_next(&it, &extra), ==, 0); /* one packet, nothing after it */
    if (prism_rtcp_pli_parse(&p, &fb) == 0) {
        g_assert_cmpint(len, ==, 12);
        g_assert_cmpuint(fb.sender_ssrc, ==, OUR_SSRC);
        g_assert_cmpuint(fb.media_ssrc, ==, MEDIA_SSRC);
        return 1;
    }
    g_assert_cmpint(prism_rtcp_fir_parse(&p, &fir), ==, 0);
    g_assert_cmpuint(fir.sender_ssrc, ==, OUR_SSRC);
    g_assert_cmpuint(fir.count, ==, 1);
    g_assert_cmpint(prism_rtcp_fir_get(&fir, 0, &entry), ==, 0);
    g_assert_cmpuint(entry.ssrc, ==, MEDIA_SSRC);
    *fir_seq = entry.seq;
    return 2;
}

static void test_keyframe_requests_are_throttled_and_not_lost(void)
{
    struct prism_keyframe k;
    uint8_t seq;
    init(&k, false, 0);
    g_assert_cmpuint(prism_keyframe_next_deadline(&k), ==, UINT64_MAX);
    g_assert_cmpint(poll_kind(&k, 0, &seq), ==, 0);
    /* The first request goes out at once. */
    prism_keyframe_request(&k); /* at 10 ms */
    g_assert_cmpuint(prism_keyframe_next_deadline(&k), <=, 10 * MS);
    g_assert_cmpint(poll_kind(&k, 10 * MS, &seq), ==, 1);
    /* Three more from other receivers within the quiet interval: one PLI when it ends. */
    prism_keyframe_request(&k); /* at 100 ms */
    g_assert_cmpint(poll_kind(&k, 100 * MS, &seq), ==, 0);
    prism_keyframe_request(&k); /* at 200 ms */
    g_assert_cmpint(poll_kind(&k, 200 * MS, &seq), ==, 0);
    prism_keyframe_request(&k); /* at 509 ms */
    g_assert_cmpuint(prism_keyframe_next_deadline(&k), ==, 510 * MS);
    g_assert_cmpint(poll_kind(&k, 509 * MS, &seq), ==, 0);
    g_assert_cmpint(poll_kind(&k, 510 * MS, &seq), ==, 1);
    g_assert_cmpint(poll_kind(&k, 1500 * MS, &seq), ==, 0);
    g_assert_cmpuint(prism_keyframe_next_deadline(&k), ==, UINT64_MAX);
    /* Long after the interval, a request goes out at once again. */
    prism_keyframe_request(&k); /* at 2000 ms */
    g_assert_cmpint(poll_kind(&k, 2000 * MS, &seq), ==, 1);
    g_assert_cmpuint(k.counters.requests, ==, 5);
    g_assert_cmpuint(k.counters.sent, ==, 3);
    g_assert_cmpuint(k.counters.periodic, ==, 0);
}

static void test_fir_sequence_increments(void)
{
    struct prism_keyframe k;
    uint8_t seq = 0xAA;
    init(&k, true, 0);
    for (unsigned i = 0; i < 260; i++) {
        uint64_t now = i * 1000 * MS;
        prism_keyframe_request(&k);
        prism_keyframe_request(&k); /* coalesced: the same command */
        g_assert_cmpint(poll_kind(&k, now + 1, &seq), ==, 2);
        g_assert_cmpuint(seq, ==, (uint8_t)i); /* wraps after 255 */
    }
    /* Switching to PLI after a renegotiation, and back: the FIR count goes on. */
    prism_keyframe_use_fir(&k, false);
    prism_keyframe_request(&k); /* at 300000 ms */
    g_assert_cmpint(poll_kind(&k, 300000 * MS, &seq), ==, 1);
    prism_keyframe_use_fir(&k, true);
    prism_keyframe_request(&k); /* at 301000 ms */
    g_assert_cmpint(poll_kind(&k, 301000 * MS, &seq), ==, 2);
    g_assert_cmpuint(seq, ==, 4);
}

static void test_keyframe_periodic_requests(void)
{
    struct prism_keyframe k;
    uint8_t seq;
    init(&k, false, 2000 * MS); /* Janus' fir_freq = 2 */
    g_assert_cmpuint(prism_keyframe_next_deadline(&k), ==, 2000 * MS);
    g_assert_cmpint(poll_kind(&k, 1999 * MS, &seq), ==, 0);
    g_assert_cmpint(poll_kind(&k, 2000 * MS, &seq), ==, 1);
    g_assert_cmpuint(k.counters.periodic, ==, 1);
    /* A request in between: throttled as usual, and the period counts from it. */
    prism_keyframe_request(&k); /* at 2100 ms */
    g_assert_cmpint(poll_kind(&k, 2500 * MS, &seq), ==, 1);
    g_assert_cmpuint(prism_keyframe_next_deadline(&k), ==, 4500 * MS);
    /* A keyframe the publisher sent by itself also restarts the period. */
    prism_keyframe_on_keyframe(&k, 4000 * MS);
    g_assert_cmpuint(prism_keyframe_next_deadline(&k), ==, 6000 * MS);
    g_assert_cmpint(poll_kind(&k, 6000 * MS, &seq), ==, 1);
    g_assert_cmpuint(k.counters.periodic, ==, 2);
    g_assert_cmpuint(k.counters.sent, ==, 3);
}

static void test_keyframe_from_publisher_satisfies_pending_request(void)
{
    struct prism_keyframe k;
    uint8_t seq;
    init(&k, false, 0);
    prism_keyframe_request(&k); /* at 0 ms */
    g_assert_cmpint(poll_kind(&k, 0, &seq), ==, 1);
    prism_keyframe_request(&k); /* at 100 ms */
    prism_keyframe_on_keyframe(&k, 200 * MS);
    g_assert_cmpuint(prism_keyframe_next_deadline(&k), ==, UINT64_MAX);
    g_assert_cmpint(poll_kind(&k, 600 * MS, &seq), ==, 0);
    g_assert_cmpuint(k.counters.satisfied, ==, 1);
}

static void test_keyframe_stays_pending_when_the_buffer_is_too_small(void)
{
    struct prism_keyframe k;
    uint8_t buf[64];
    init(&k, true, 0);
    prism_keyframe_request(&k); /* at 0 ms */
    g_assert_cmpint(prism_keyframe_poll(&k, 0, buf, 19), ==, -ENOSPC);
    g_assert_cmpint(prism_keyframe_poll(&k, 0, NULL, 64), ==, -EINVAL);
    g_assert_cmpuint(prism_keyframe_next_deadline(&k), ==, 0);
    g_assert_cmpint(prism_keyframe_poll(&k, 0, buf, 20), ==, 20);
    g_assert_cmpuint(buf[16], ==, 0); /* the failed attempts used no FIR number */
    g_assert_cmpint(prism_keyframe_init(NULL, NULL, 0), ==, -EINVAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/feedback-keyframe/requests-are-throttled-and-not-lost",
                    test_keyframe_requests_are_throttled_and_not_lost);
    g_test_add_func("/feedback-keyframe/fir-sequence-increments", test_fir_sequence_increments);
    g_test_add_func("/feedback-keyframe/periodic-requests", test_keyframe_periodic_requests);
    g_test_add_func("/feedback-keyframe/from-publisher-satisfies-pending-request",
                    test_keyframe_from_publisher_satisfies_pending_request);
    g_test_add_func("/feedback-keyframe/stays-pending-when-the-buffer-is-too-small",
                    test_keyframe_stays_pending_when_the_buffer_is_too_small);
    return g_test_run();
}
