/* RTCP compound iteration and SR/RR/SDES/BYE parsing, including every malformed length. */
#include "media/rtcp/feedback.h"
#include "media/rtcp/rtcp.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "rtcp_samples.h"

static void next_ok(struct prism_rtcp_iter *it, struct prism_rtcp_packet *p)
{
    g_assert_cmpint(prism_rtcp_next(it, p), ==, 1);
}

static void test_rtcp_iterates_sr_and_sdes_compound(void)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    prism_rtcp_iter_init(&it, sample_sr_sdes, sizeof(sample_sr_sdes));
    next_ok(&it, &p);
    g_assert_cmpuint(p.type, ==, PRISM_RTCP_SR);
    g_assert_cmpuint(p.count, ==, 1);
    g_assert_cmpuint(p.offset, ==, 0);
    g_assert_cmpuint(p.len, ==, SAMPLE_SR_LEN);
    g_assert_cmpuint(p.body_len, ==, SAMPLE_SR_LEN - 4);

    struct prism_rtcp_sr sr;
    g_assert_cmpint(prism_rtcp_sr_parse(&p, &sr), ==, 0);
    g_assert_cmpuint(sr.info.ssrc, ==, 0x11223344);
    g_assert_cmpuint(sr.info.ntp, ==, 0xE12B3C4D80000000ull);
    g_assert_cmpuint(sr.info.rtp_timestamp, ==, 90000);
    g_assert_cmpuint(sr.info.packet_count, ==, 100);
    g_assert_cmpuint(sr.info.octet_count, ==, 10000);
    g_assert_cmpuint(sr.reports.count, ==, 1);
    struct prism_rtcp_report_block rb;
    g_assert_cmpint(prism_rtcp_report_get(&sr.reports, 0, &rb), ==, 0);
    g_assert_cmpuint(rb.ssrc, ==, 0x55667788);
    g_assert_cmpuint(rb.fraction_lost, ==, 64);
    g_assert_cmpint(rb.cumulative_lost, ==, 10);
    g_assert_cmpuint(rb.highest_seq, ==, 65541);
    g_assert_cmpuint(rb.jitter, ==, 32);
    g_assert_cmpuint(rb.last_sr, ==, 0x3C4D8000);
    g_assert_cmpuint(rb.delay_since_last_sr, ==, 65536);
    g_assert_cmpint(prism_rtcp_report_get(&sr.reports, 1, &rb), ==, -EINVAL);

    next_ok(&it, &p);
    g_assert_cmpuint(p.type, ==, PRISM_RTCP_SDES);
    g_assert_cmpuint(p.offset, ==, SAMPLE_SR_LEN);
    struct prism_rtcp_sdes_item cname;
    g_assert_cmpint(prism_rtcp_sdes_find_cname(&p, &cname), ==, 0);
    g_assert_cmpuint(cname.ssrc, ==, 0x11223344);
    g_assert_cmpmem(cname.text, cname.len, "user@h", 6);

    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 0);
    g_assert_cmpint(prism_rtcp_validate(sample_sr_sdes, sizeof(sample_sr_sdes)), ==, 0);
}

static void test_rtcp_parses_rr_with_negative_cumulative_loss(void)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    prism_rtcp_iter_init(&it, sample_rr, sizeof(sample_rr));
    next_ok(&it, &p);
    struct prism_rtcp_rr rr;
    struct prism_rtcp_report_block rb;
    g_assert_cmpint(prism_rtcp_rr_parse(&p, &rr), ==, 0);
    g_assert_cmpuint(rr.ssrc, ==, 0x01020304);
    g_assert_cmpint(prism_rtcp_report_get(&rr.reports, 0, &rb), ==, 0);
    g_assert_cmpuint(rb.ssrc, ==, 0x0A0B0C0D);
    g_assert_cmpint(rb.cumulative_lost, ==, -2);
    g_assert_cmpuint(rb.highest_seq, ==, 0x1234);
    struct prism_rtcp_sr sr;
    g_assert_cmpint(prism_rtcp_sr_parse(&p, &sr), ==, -EINVAL); /* wrong type */
}

static void test_rtcp_parses_bye_with_and_without_reason(void)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_bye bye;
    prism_rtcp_iter_init(&it, sample_bye, sizeof(sample_bye));
    next_ok(&it, &p);
    g_assert_cmpint(prism_rtcp_bye_parse(&p, &bye), ==, 0);
    g_assert_cmpuint(bye.count, ==, 1);
    g_assert_cmpuint(prism_rtcp_bye_ssrc(&bye, 0), ==, 0x11223344);
    g_assert_cmpmem(bye.reason, bye.reason_len, "gone", 4);

    const uint8_t two_no_reason[] = {0x82, 0xCB, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8};
    prism_rtcp_iter_init(&it, two_no_reason, sizeof(two_no_reason));
    next_ok(&it, &p);
    g_assert_cmpint(prism_rtcp_bye_parse(&p, &bye), ==, 0);
    g_assert_cmpuint(bye.count, ==, 2);
    g_assert_cmpuint(prism_rtcp_bye_ssrc(&bye, 1), ==, 0x05060708);
    g_assert_null(bye.reason);
}

static void test_rtcp_rejects_bye_lengths_past_end(void)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_bye bye;
    uint8_t reason_too_long[sizeof(sample_bye)];
    memcpy(reason_too_long, sample_bye, sizeof(sample_bye));
    reason_too_long[8] = 8; /* 7 bytes follow */
    prism_rtcp_iter_init(&it, reason_too_long, sizeof(reason_too_long));
    next_ok(&it, &p);
    g_assert_cmpint(prism_rtcp_bye_parse(&p, &bye), ==, -EBADMSG);
    const uint8_t count_too_big[] = {0x83, 0xCB, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8};
    prism_rtcp_iter_init(&it, count_too_big, sizeof(count_too_big));
    next_ok(&it, &p);
    g_assert_cmpint(prism_rtcp_bye_parse(&p, &bye), ==, -EBADMSG);
}

static void test_rtcp_stops_at_length_past_end(void)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    /* Cut the compound inside the SDES: the SR still comes out, then an error, for good. */
    prism_rtcp_iter_init(&it, sample_sr_sdes, sizeof(sample_sr_sdes) - 4);
    next_ok(&it, &p);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, -EBADMSG);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, -EBADMSG);
    g_assert_cmpint(prism_rtcp_validate(sample_sr_sdes, sizeof(sample_sr_sdes) - 4), ==, -EBADMSG);
    /* A header alone that announces more, and trailing bytes shorter than a header. */
    const uint8_t huge[] = {0x80, 0xC9, 0xFF, 0xFF, 0, 0, 0, 0};
    g_assert_cmpint(prism_rtcp_validate(huge, sizeof(huge)), ==, -EBADMSG);
    const uint8_t trailing[] = {0x80, 0xC9, 0x00, 0x00, 0x80, 0xC9};
    g_assert_cmpint(prism_rtcp_validate(trailing, sizeof(trailing)), ==, -EBADMSG);
    g_assert_cmpint(prism_rtcp_validate(trailing, 0), ==, -EBADMSG);
}

static void test_rtcp_zero_length_field_still_advances(void)
{
    /* Length 0 means a 4-byte packet: three of them in a row are three packets, no loop. */
    const uint8_t headers[] = {0x80, 0xC9, 0, 0, 0x80, 0xCC, 0, 0, 0x80, 0xC9, 0, 0};
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_rr rr;
    prism_rtcp_iter_init(&it, headers, sizeof(headers));
    for (int i = 0; i < 3; i++) {
        next_ok(&it, &p);
        g_assert_cmpuint(p.len, ==, 4);
        g_assert_cmpuint(p.body_len, ==, 0);
    }
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 0);
    g_assert_cmpint(prism_rtcp_rr_parse(&p, &rr), ==, -EBADMSG); /* no room for the SSRC */
}

static void test_rtcp_rejects_wrong_version(void)
{
    uint8_t packet[sizeof(sample_rr)];
    memcpy(packet, sample_rr, sizeof(packet));
    packet[0] = (packet[0] & 0x3F) | 0x40;
    g_assert_cmpint(prism_rtcp_validate(packet, sizeof(packet)), ==, -EBADMSG);
}

static void test_rtcp_checks_padding(void)
{
    /* RR with no blocks, 4 bytes of padding. */
    uint8_t padded[] = {0xA0, 0xC9, 0x00, 0x02, 1, 2, 3, 4, 0, 0, 0, 4};
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    prism_rtcp_iter_init(&it, padded, sizeof(padded));
    next_ok(&it, &p);
    g_assert_true(p.padding);
    g_assert_cmpuint(p.body_len, ==, 4);
    padded[11] = 0;
    g_assert_cmpint(prism_rtcp_validate(padded, sizeof(padded)), ==, -EBADMSG);
    padded[11] = 9; /* more than the 8 body bytes */
    g_assert_cmpint(prism_rtcp_validate(padded, sizeof(padded)), ==, -EBADMSG);
    const uint8_t padded_header_only[] = {0xA0, 0xC9, 0x00, 0x00};
    g_assert_cmpint(prism_rtcp_validate(padded_header_only, 4), ==, -EBADMSG);
}

static void test_rtcp_rejects_report_count_past_body(void)
{
    uint8_t packet[SAMPLE_SR_LEN];
    memcpy(packet, sample_sr_sdes, sizeof(packet));
    packet[0] = 0x82; /* two blocks announced, one present */
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_sr sr;
    prism_rtcp_iter_init(&it, packet, sizeof(packet));
    next_ok(&it, &p);
    g_assert_cmpint(prism_rtcp_sr_parse(&p, &sr), ==, -EBADMSG);
}

static int sdes_walk(const uint8_t *data, size_t len, unsigned *items)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_sdes_iter sit;
    struct prism_rtcp_sdes_item item;
    int rc;
    *items = 0;
    prism_rtcp_iter_init(&it, data, len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpint(prism_rtcp_sdes_iter_init(&sit, &p), ==, 0);
    while ((rc = prism_rtcp_sdes_next(&sit, &item)) > 0)
        (*items)++;
    return rc;
}

static void test_rtcp_sdes_walks_chunks_and_rejects_bad_items(void)
{
    /* Chunk 1: CNAME "a" and NAME "bc"; chunk 2: no items (null + padding). */
    const uint8_t two_chunks[] = {0x82, 0xCA, 0x00, 0x05, 0, 0, 0, 1, 1, 1, 'a', 2,
                                  2,    'b',  'c',  0,    0, 0, 0, 2, 0, 0, 0,   0};
    unsigned items;
    g_assert_cmpint(sdes_walk(two_chunks, sizeof(two_chunks), &items), ==, 0);
    g_assert_cmpuint(items, ==, 2);
    /* The item list runs into the end without a null item. */
    const uint8_t no_null[] = {0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 1, 2, 'a', 'b'};
    g_assert_cmpint(sdes_walk(no_null, sizeof(no_null), &items), ==, -EBADMSG);
    g_assert_cmpuint(items, ==, 1);
    const uint8_t item_too_long[] = {0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 1, 9, 'a', 'b'};
    g_assert_cmpint(sdes_walk(item_too_long, sizeof(item_too_long), &items), ==, -EBADMSG);
    /* Two chunks announced, one present. */
    const uint8_t missing_chunk[] = {0x82, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 1, 1, 'a', 0};
    g_assert_cmpint(sdes_walk(missing_chunk, sizeof(missing_chunk), &items), ==, -EBADMSG);
}

static void test_rtcp_accepts_reduced_size_feedback(void)
{
    /* RFC 5506: a lone PLI, no SR/RR first. */
    const uint8_t pli[] = {0x81, 0xCE, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_fb fb;
    g_assert_cmpint(prism_rtcp_validate(pli, sizeof(pli)), ==, 0);
    prism_rtcp_iter_init(&it, pli, sizeof(pli));
    next_ok(&it, &p);
    g_assert_cmpint(prism_rtcp_pli_parse(&p, &fb), ==, 0);
    g_assert_cmpuint(fb.sender_ssrc, ==, 1);
    g_assert_cmpuint(fb.media_ssrc, ==, 2);
    g_assert_cmpuint(fb.fci_len, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtcp/iterates-sr-and-sdes-compound", test_rtcp_iterates_sr_and_sdes_compound);
    g_test_add_func("/rtcp/parses-rr-with-negative-cumulative-loss",
                    test_rtcp_parses_rr_with_negative_cumulative_loss);
    g_test_add_func("/rtcp/parses-bye-with-and-without-reason",
                    test_rtcp_parses_bye_with_and_without_reason);
    g_test_add_func("/rtcp/rejects-bye-lengths-past-end", test_rtcp_rejects_bye_lengths_past_end);
    g_test_add_func("/rtcp/stops-at-length-past-end", test_rtcp_stops_at_length_past_end);
    g_test_add_func("/rtcp/zero-length-field-still-advances",
                    test_rtcp_zero_length_field_still_advances);
    g_test_add_func("/rtcp/rejects-wrong-version", test_rtcp_rejects_wrong_version);
    g_test_add_func("/rtcp/checks-padding", test_rtcp_checks_padding);
    g_test_add_func("/rtcp/rejects-report-count-past-body",
                    test_rtcp_rejects_report_count_past_body);
    g_test_add_func("/rtcp/sdes-walks-chunks-and-rejects-bad-items",
                    test_rtcp_sdes_walks_chunks_and_rejects_bad_items);
    g_test_add_func("/rtcp/accepts-reduced-size-feedback", test_rtcp_accepts_reduced_size_feedback);
    return g_test_run();
}
