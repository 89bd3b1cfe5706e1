/* Send-side retransmission history: storing, finding, and answering NACKs with plain
 * retransmissions or RTX, within the age, rate and size limits, whatever the NACK says. */
#include "media/nack/history.h"
#include "media/rtcp/feedback.h"
#include "media/rtp/header.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#define SSRC 0x11223344u
#define RTX_SSRC 0x55667788u
#define MS 1000ull

/* Builds a packet of the test stream: PT pt, the given seq, a payload of payload_len bytes
 * derived from seq so that every packet differs. Returns its length. */
static size_t make_packet(uint8_t *buf, size_t cap, uint16_t seq, uint8_t pt, size_t payload_len)
{
    struct prism_rtp_header_fields f = {
        .payload_type = pt, .seq = seq, .timestamp = 90u * seq, .ssrc = SSRC};
    int len = prism_rtp_build_header(buf, cap, &f);
    g_assert_cmpint(len, ==, 12);
    g_assert_cmpuint(12 + payload_len, <=, cap);
    for (size_t i = 0; i < payload_len; i++)
        buf[12 + i] = (uint8_t)(seq * 7 + i);
    return 12 + payload_len;
}

static struct prism_nack_history *make_history(size_t capacity,
                                               const struct prism_nack_rtx_config *rtx)
{
    struct prism_nack_history_config cfg = {.ssrc = SSRC, .capacity = capacity, .rtx = rtx};
    struct prism_nack_history *h = NULL;
    g_assert_cmpint(prism_nack_history_create(&cfg, &h), ==, 0);
    g_assert_nonnull(h);
    return h;
}

static void store_range(struct prism_nack_history *h, uint16_t first, size_t count, uint64_t now_us)
{
    uint8_t pkt[200];
    for (size_t i = 0; i < count; i++) {
        uint16_t seq = (uint16_t)(first + i);
        size_t len = make_packet(pkt, sizeof(pkt), seq, 96, 100);
        g_assert_cmpint(prism_nack_history_store(h, pkt, len, now_us), ==, 0);
    }
}

/* Output buffers for up to 8 retransmissions, each big enough for a default slot plus OSN. */
struct outputs {
    uint8_t storage[8][PRISM_NACK_HISTORY_DEFAULT_SLOT + 2];
    struct prism_nack_resend_buffer buf[8];
};

static void outputs_init(struct outputs *o)
{
    for (size_t i = 0; i < 8; i++)
        o->buf[i] = (struct prism_nack_resend_buffer){o->storage[i], sizeof(o->storage[i]), 0};
}

/* Builds and parses a NACK naming seqs, then lets the history answer it. */
static int answer(struct prism_nack_history *h, const uint16_t *seqs, size_t count, uint64_t now_us,
                  struct outputs *o, struct prism_nack_resend_report *report)
{
    uint8_t rtcp[1500];
    int len = prism_rtcp_build_nack(rtcp, sizeof(rtcp), 1, SSRC, seqs, count);
    g_assert_cmpint(len, >, 0);
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_nack nack;
    prism_rtcp_iter_init(&it, rtcp, (size_t)len);
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpint(prism_rtcp_nack_parse(&p, &nack), ==, 0);
    outputs_init(o);
    return prism_nack_history_answer(h, &nack, now_us, o->buf, 8, report);
}

static void test_nack_retransmits_from_history(void)
{
    struct prism_nack_history *h = make_history(64, NULL);
    store_range(h, 100, 10, 0);
    struct outputs o;
    struct prism_nack_resend_report report;
    uint16_t lost[] = {103, 105};
    g_assert_cmpint(answer(h, lost, 2, 20 * MS, &o, &report), ==, 2);
    g_assert_cmpuint(report.sent, ==, 2);
    uint8_t expected[200];
    for (size_t i = 0; i < 2; i++) {
        size_t len = make_packet(expected, sizeof(expected), lost[i], 96, 100);
        g_assert_cmpmem(o.buf[i].data, o.buf[i].len, expected, len);
    }
    struct prism_nack_history_stats stats;
    prism_nack_history_get_stats(h, &stats);
    g_assert_cmpuint(stats.stored, ==, 10);
    g_assert_cmpuint(stats.resent_packets, ==, 2);
    g_assert_cmpuint(stats.resent_bytes, ==, 224);
    prism_nack_history_destroy(h);
}

static void test_nack_uses_rtx_when_negotiated(void)
{
    struct prism_nack_rtx_map map[] = {{96, 97}, {98, 99}};
    struct prism_nack_rtx_config rtx = {
        .ssrc = RTX_SSRC, .first_seq = 65535, .map = map, .map_count = 2};
    struct prism_nack_history *h = make_history(64, &rtx);
    store_range(h, 100, 10, 0);
    struct outputs o;
    struct prism_nack_resend_report report;
    uint16_t lost[] = {103, 107};
    g_assert_cmpint(answer(h, lost, 2, 20 * MS, &o, &report), ==, 2);

    uint8_t original[200];
    for (size_t i = 0; i < 2; i++) {
        struct prism_rtp_header r;
        g_assert_cmpint(prism_rtp_parse(o.buf[i].data, o.buf[i].len, &r), ==, 0);
        g_assert_cmpuint(r.payload_type, ==, 97);
        g_assert_cmpuint(r.ssrc, ==, RTX_SSRC);
        g_assert_cmpuint(r.seq, ==, (uint16_t)(65535 + i)); /* own counter, wrapping */
        g_assert_cmpuint(r.timestamp, ==, 90u * lost[i]);
        g_assert_cmpuint(prism_read_be16(r.payload), ==, lost[i]); /* OSN first */
        /* Unwrapping gives back exactly what was sent the first time. */
        int len = prism_rtp_rtx_unwrap(o.buf[i].data, &r, 96, SSRC);
        size_t want = make_packet(original, sizeof(original), lost[i], 96, 100);
        g_assert_cmpmem(o.buf[i].data, (size_t)len, original, want);
    }
    prism_nack_history_destroy(h);
}

static void test_nack_rtx_skips_payload_types_without_rtx(void)
{
    struct prism_nack_rtx_map map[] = {{98, 99}};
    struct prism_nack_rtx_config rtx = {.ssrc = RTX_SSRC, .map = map, .map_count = 1};
    struct prism_nack_history *h = make_history(64, &rtx);
    store_range(h, 100, 4, 0); /* PT 96: no apt for it */
    struct outputs o;
    struct prism_nack_resend_report report;
    uint16_t lost[] = {101};
    g_assert_cmpint(answer(h, lost, 1, 0, &o, &report), ==, 0);
    g_assert_cmpuint(report.unusable, ==, 1);
    prism_nack_history_destroy(h);
}

static void test_nack_rtx_sequence_continues_after_renegotiation(void)
{
    struct prism_nack_rtx_map map[] = {{96, 97}};
    struct prism_nack_rtx_config rtx = {
        .ssrc = RTX_SSRC, .first_seq = 10, .map = map, .map_count = 1};
    struct prism_nack_history *h = make_history(64, &rtx);
    store_range(h, 0, 8, 0);
    struct outputs o;
    struct prism_rtp_header r;
    uint16_t lost[] = {1};
    g_assert_cmpint(answer(h, lost, 1, 0, &o, NULL), ==, 1);
    g_assert_cmpint(prism_rtp_parse(o.buf[0].data, o.buf[0].len, &r), ==, 0);
    g_assert_cmpuint(r.seq, ==, 10);

    rtx.first_seq = 5000; /* ignored: same SSRC */
    g_assert_cmpint(prism_nack_history_set_rtx(h, &rtx), ==, 0);
    lost[0] = 2;
    g_assert_cmpint(answer(h, lost, 1, 0, &o, NULL), ==, 1);
    g_assert_cmpint(prism_rtp_parse(o.buf[0].data, o.buf[0].len, &r), ==, 0);
    g_assert_cmpuint(r.seq, ==, 11);

    rtx.ssrc = RTX_SSRC + 1;
    g_assert_cmpint(prism_nack_history_set_rtx(h, &rtx), ==, 0);
    lost[0] = 3;
    g_assert_cmpint(answer(h, lost, 1, 0, &o, NULL), ==, 1);
    g_assert_cmpint(prism_rtp_parse(o.buf[0].data, o.buf[0].len, &r), ==, 0);
    g_assert_cmpuint(r.seq, ==, 5000);
    g_assert_cmpuint(r.ssrc, ==, RTX_SSRC + 1);

    /* RTX off: plain retransmission again. */
    g_assert_cmpint(prism_nack_history_set_rtx(h, NULL), ==, 0);
    lost[0] = 4;
    g_assert_cmpint(answer(h, lost, 1, 0, &o, NULL), ==, 1);
    g_assert_cmpint(prism_rtp_parse(o.buf[0].data, o.buf[0].len, &r), ==, 0);
    g_assert_cmpuint(r.seq, ==, 4);
    g_assert_cmpuint(r.ssrc, ==, SSRC);
    prism_nack_history_destroy(h);
}

/* A burst of young packets grows the ring up to the capacity: none of the last 512 is lost,
 * and their contents survive the moves. */
static void test_nack_history_grows_for_young_packets(void)
{
    struct prism_nack_history *h = make_history(512, NULL);
    store_range(h, 65000, 600, 1000000); /* across the sequence number wrap */
    struct prism_nack_stored stored;
    uint16_t last = (uint16_t)(65000 + 599);
    for (uint16_t back = 0; back < 512; back++) {
        uint16_t seq = (uint16_t)(last - back);
        g_assert_cmpint(prism_nack_history_find(h, seq, 1000000, &stored), ==, 0);
        g_assert_cmpuint(stored.len, ==, 112);
        g_assert_cmpuint(stored.data[12], ==, (uint8_t)(seq * 7));
        g_assert_cmpuint(prism_read_be16(stored.data + 2), ==, seq);
    }
    g_assert_cmpint(prism_nack_history_find(h, (uint16_t)(last - 512), 1000000, &stored), ==,
                    -ENOENT);
    prism_nack_history_destroy(h);
}

/* A slow stream (50 packets per second, 1 s age limit) never needs more than the initial ring:
 * it stays at PRISM_NACK_HISTORY_INITIAL_CAPACITY packets. */
static void test_nack_history_stays_small_for_slow_streams(void)
{
    struct prism_nack_history *h = make_history(512, NULL);
    uint64_t now = 1000000;
    for (uint16_t i = 0; i < 1000; i++, now += 20000)
        store_range(h, i, 1, now);
    struct prism_nack_stored stored;
    now -= 20000;
    /* 0.8 s old: kept. 70 packets back: gone from the ring (-ENOENT; a 512-packet ring would
     * still hold it and answer -ESTALE, too old to resend). */
    g_assert_cmpint(prism_nack_history_find(h, 999 - 40, now, &stored), ==, 0);
    g_assert_cmpint(prism_nack_history_find(h, 999 - 70, now, &stored), ==, -ENOENT);
    prism_nack_history_destroy(h);
}

static void test_nack_ignores_packets_older_than_the_age_limit(void)
{
    struct prism_nack_history *h = make_history(64, NULL);
    store_range(h, 0, 2, 0);
    store_range(h, 2, 2, 500 * MS);
    struct prism_nack_stored stored;
    g_assert_cmpint(prism_nack_history_find(h, 0, 1000 * MS, &stored), ==, 0);
    g_assert_cmpint(prism_nack_history_find(h, 0, 1000 * MS + 1, &stored), ==, -ESTALE);
    g_assert_cmpint(prism_nack_history_find(h, 2, 1000 * MS + 1, &stored), ==, 0);
    g_assert_cmpuint(stored.sent_us, ==, 500 * MS);
    g_assert_cmpuint(stored.len, ==, 112);

    struct outputs o;
    struct prism_nack_resend_report report;
    uint16_t lost[] = {0, 1, 2, 3};
    g_assert_cmpint(answer(h, lost, 4, 1200 * MS, &o, &report), ==, 2);
    g_assert_cmpuint(report.too_old, ==, 2);
    g_assert_cmpuint(report.sent, ==, 2);
    g_assert_cmpuint(prism_read_be16(o.buf[0].data + 2), ==, 2);
    prism_nack_history_destroy(h);
}

static void test_nack_history_wraps_at_65535(void)
{
    struct prism_nack_history *h = make_history(16, NULL);
    store_range(h, 65530, 12, 0); /* 65530 .. 65535, 0 .. 5 */
    struct prism_nack_stored stored;
    for (uint32_t s = 65530; s < 65530 + 12; s++) {
        g_assert_cmpint(prism_nack_history_find(h, (uint16_t)s, 0, &stored), ==, 0);
        g_assert_cmpuint(prism_read_be16(stored.data + 2), ==, (uint16_t)s);
    }
    g_assert_cmpint(prism_nack_history_find(h, 6, 0, &stored), ==, -ENOENT);
    g_assert_cmpint(prism_nack_history_find(h, 65529, 0, &stored), ==, -ENOENT);

    struct outputs o;
    struct prism_nack_resend_report report;
    uint16_t lost[] = {65534, 65535, 0, 1}; /* one FCI across the wrap */
    g_assert_cmpint(answer(h, lost, 4, 0, &o, &report), ==, 4);
    for (size_t i = 0; i < 4; i++)
        g_assert_cmpuint(prism_read_be16(o.buf[i].data + 2), ==, lost[i]);

    /* 20 more packets later, the ring has been overwritten past the wrap. */
    store_range(h, 6, 20, 0);
    g_assert_cmpint(prism_nack_history_find(h, 65535, 0, &stored), ==, -ENOENT);
    g_assert_cmpint(prism_nack_history_find(h, 9, 0, &stored), ==, -ENOENT);
    g_assert_cmpint(prism_nack_history_find(h, 10, 0, &stored), ==, 0);
    g_assert_cmpint(prism_nack_history_find(h, 25, 0, &stored), ==, 0);
    prism_nack_history_destroy(h);
}

static void test_nack_history_keeps_packets_apart_after_a_jump(void)
{
    struct prism_nack_history *h = make_history(16, NULL);
    store_range(h, 100, 4, 0);
    store_range(h, 110, 1, 0); /* 104..109 never sent, their slots untouched */
    struct prism_nack_stored stored;
    g_assert_cmpint(prism_nack_history_find(h, 105, 0, &stored), ==, -ENOENT);
    g_assert_cmpint(prism_nack_history_find(h, 103, 0, &stored), ==, 0);
    /* A cycle later sequence number 100 maps to its old slot again, which still holds the
     * packet of the previous cycle: it must not be taken for the new one. */
    store_range(h, 20000, 1, 0);
    store_range(h, 40000, 1, 0);
    store_range(h, 60000, 1, 0);
    store_range(h, 101, 1, 0);
    g_assert_cmpint(prism_nack_history_find(h, 100, 0, &stored), ==, -ENOENT);
    g_assert_cmpint(prism_nack_history_find(h, 101, 0, &stored), ==, 0);
    prism_nack_history_destroy(h);
}

static void test_nack_ignores_sequences_never_sent(void)
{
    struct prism_nack_history *h = make_history(64, NULL);
    struct prism_nack_stored stored;
    g_assert_cmpint(prism_nack_history_find(h, 0, 0, &stored), ==, -ENOENT);
    struct outputs o;
    struct prism_nack_resend_report report;
    uint16_t before[] = {0, 1};
    g_assert_cmpint(answer(h, before, 2, 0, &o, &report), ==, 0);
    g_assert_cmpuint(report.unknown, ==, 2);

    store_range(h, 1000, 10, 0);
    uint16_t lost[] = {990, 1010, 1011, 5000, 40000};
    g_assert_cmpint(answer(h, lost, 5, 0, &o, &report), ==, 0);
    g_assert_cmpuint(report.unknown, ==, 5);
    g_assert_cmpuint(report.sent, ==, 0);
    prism_nack_history_destroy(h);
}

static void test_nack_throttles_repeated_requests_for_a_packet(void)
{
    struct prism_nack_history *h = make_history(64, NULL);
    store_range(h, 0, 10, 0);
    struct outputs o;
    struct prism_nack_resend_report report;
    /* The same number twice in one NACK is resent once. */
    uint16_t dup[] = {5, 5};
    outputs_init(&o);
    g_assert_cmpint(prism_nack_history_resend(h, dup, 2, 0, o.buf, 8, &report), ==, 1);
    g_assert_cmpuint(report.throttled, ==, 1);
    /* Again within the 10 ms floor: nothing; after it: resent. */
    uint16_t lost[] = {5};
    g_assert_cmpint(answer(h, lost, 1, 9 * MS, &o, &report), ==, 0);
    g_assert_cmpuint(report.throttled, ==, 1);
    g_assert_cmpint(answer(h, lost, 1, 10 * MS, &o, &report), ==, 1);
    /* With a known RTT of 50 ms the interval grows to it. */
    prism_nack_history_set_rtt(h, 50 * MS);
    g_assert_cmpint(answer(h, lost, 1, 40 * MS, &o, &report), ==, 0);
    g_assert_cmpint(answer(h, lost, 1, 59 * MS, &o, &report), ==, 0);
    g_assert_cmpint(answer(h, lost, 1, 60 * MS, &o, &report), ==, 1);
    prism_nack_history_destroy(h);
}

static void test_nack_bounds_work_for_huge_nack_lists(void)
{
    struct prism_nack_history *h = make_history(512, NULL);
    store_range(h, 0, 512, 0);
    /* 3000 FCIs with every BLP bit set: 51000 sequence numbers in one 12 KB packet. */
    static uint8_t rtcp[12 + 4 * 3000];
    for (size_t i = 0; i < 3000; i++) {
        prism_write_be16(rtcp + 12 + 4 * i, (uint16_t)(17 * i));
        prism_write_be16(rtcp + 14 + 4 * i, 0xFFFF);
    }
    rtcp[0] = 0x81;
    rtcp[1] = PRISM_RTCP_RTPFB;
    prism_write_be16(rtcp + 2, (uint16_t)(sizeof(rtcp) / 4 - 1));
    prism_write_be32(rtcp + 8, SSRC);
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    struct prism_rtcp_nack nack;
    prism_rtcp_iter_init(&it, rtcp, sizeof(rtcp));
    g_assert_cmpint(prism_rtcp_next(&it, &p), ==, 1);
    g_assert_cmpint(prism_rtcp_nack_parse(&p, &nack), ==, 0);

    static uint8_t storage[100][PRISM_NACK_HISTORY_DEFAULT_SLOT + 2];
    struct prism_nack_resend_buffer bufs[100];
    for (size_t i = 0; i < 100; i++)
        bufs[i] = (struct prism_nack_resend_buffer){storage[i], sizeof(storage[i]), 0};
    struct prism_nack_resend_report r;
    g_assert_cmpint(prism_nack_history_answer(h, &nack, 0, bufs, 100, &r), ==,
                    PRISM_NACK_HISTORY_DEFAULT_MAX_PER_CALL);
    g_assert_cmpuint(r.sent, ==, PRISM_NACK_HISTORY_DEFAULT_MAX_PER_CALL);
    g_assert_cmpuint(r.sent + r.unknown + r.too_old + r.throttled + r.over_budget + r.unusable, ==,
                     51000);
    g_assert_cmpuint(r.over_budget, ==, 51000 - PRISM_NACK_HISTORY_DEFAULT_MAX_PER_CALL);
    for (size_t i = 0; i < (size_t)PRISM_NACK_HISTORY_DEFAULT_MAX_PER_CALL; i++)
        g_assert_cmpuint(prism_read_be16(bufs[i].data + 2), ==, i);

    /* Fewer buffers than the cap: the buffers are the limit. */
    g_assert_cmpint(prism_nack_history_answer(h, &nack, 20 * MS, bufs, 3, &r), ==, 3);
    prism_nack_history_destroy(h);
}

static void test_nack_caps_retransmission_bitrate(void)
{
    struct prism_nack_history_config cfg = {
        .ssrc = SSRC, .capacity = 64, .max_bitrate_bps = 100000};
    struct prism_nack_history *h = NULL;
    g_assert_cmpint(prism_nack_history_create(&cfg, &h), ==, 0);
    uint8_t pkt[1000];
    for (uint16_t seq = 0; seq < 10; seq++) {
        size_t len = make_packet(pkt, sizeof(pkt), seq, 96, 988);
        g_assert_cmpint(prism_nack_history_store(h, pkt, len, 0), ==, 0);
    }
    /* A quarter second at 100 kbit/s is 3125 bytes: three 1000-byte packets, not four. */
    struct outputs o;
    struct prism_nack_resend_report report;
    uint16_t lost[] = {0, 1, 2, 3, 4};
    g_assert_cmpint(answer(h, lost, 5, 0, &o, &report), ==, 3);
    g_assert_cmpuint(report.over_budget, ==, 2);
    /* 1000 bytes take 80 ms at 100 kbit/s; 125 bytes were left over. */
    uint16_t next[] = {3};
    g_assert_cmpint(answer(h, next, 1, 69 * MS, &o, &report), ==, 0);
    g_assert_cmpint(answer(h, next, 1, 70 * MS, &o, &report), ==, 1);
    prism_nack_history_destroy(h);
}

static void test_nack_history_refuses_bad_packets(void)
{
    struct prism_nack_history_config cfg = {.ssrc = SSRC, .capacity = 16, .slot_size = 200};
    struct prism_nack_history *h = NULL;
    g_assert_cmpint(prism_nack_history_create(&cfg, &h), ==, 0);
    uint8_t pkt[300];
    size_t len = make_packet(pkt, sizeof(pkt), 7, 96, 188);
    g_assert_cmpint(prism_nack_history_store(h, pkt, 0, 0), ==, -EBADMSG);
    g_assert_cmpint(prism_nack_history_store(h, pkt, 11, 0), ==, -EBADMSG);
    g_assert_cmpint(prism_nack_history_store(NULL, pkt, len, 0), ==, -EINVAL);
    pkt[0] = 0x40; /* version 1 */
    g_assert_cmpint(prism_nack_history_store(h, pkt, len, 0), ==, -EBADMSG);
    pkt[0] = 0x80;
    prism_write_be32(pkt + 8, SSRC + 1);
    g_assert_cmpint(prism_nack_history_store(h, pkt, len, 0), ==, -EBADMSG);
    prism_write_be32(pkt + 8, SSRC);
    /* One byte over the slot is refused, not truncated; the slot size itself fits. */
    len = make_packet(pkt, sizeof(pkt), 7, 96, 189);
    g_assert_cmpint(prism_nack_history_store(h, pkt, len, 0), ==, -EMSGSIZE);
    struct prism_nack_stored stored;
    g_assert_cmpint(prism_nack_history_find(h, 7, 0, &stored), ==, -ENOENT);
    len = make_packet(pkt, sizeof(pkt), 7, 96, 188);
    g_assert_cmpint(prism_nack_history_store(h, pkt, len, 0), ==, 0);
    g_assert_cmpint(prism_nack_history_find(h, 7, 0, &stored), ==, 0);
    g_assert_cmpuint(stored.len, ==, 200);
    /* Older than the whole window: refused. */
    store_range(h, 8, 20, 0);
    len = make_packet(pkt, sizeof(pkt), 11, 96, 10);
    g_assert_cmpint(prism_nack_history_store(h, pkt, len, 0), ==, -ESTALE);
    struct prism_nack_history_stats stats;
    prism_nack_history_get_stats(h, &stats);
    g_assert_cmpuint(stats.refused, ==, 6);
    g_assert_cmpuint(stats.stored, ==, 21);

    /* Output buffers smaller than a slot plus the OSN are refused up front. */
    uint8_t small[201];
    struct prism_nack_resend_buffer buf = {small, sizeof(small), 0};
    uint16_t lost[] = {27};
    g_assert_cmpuint(prism_nack_history_resend_size(h), ==, 202);
    g_assert_cmpint(prism_nack_history_resend(h, lost, 1, 0, &buf, 1, NULL), ==, -EINVAL);
    g_assert_cmpint(prism_nack_history_resend(h, NULL, 1, 0, &buf, 1, NULL), ==, -EINVAL);
    prism_nack_history_destroy(h);
}

static void test_nack_history_rejects_bad_configuration(void)
{
    struct prism_nack_history *h = NULL;
    size_t bad_capacity[] = {8, 100, 65536, 1u << 20};
    for (size_t i = 0; i < G_N_ELEMENTS(bad_capacity); i++) {
        struct prism_nack_history_config cfg = {.ssrc = SSRC, .capacity = bad_capacity[i]};
        g_assert_cmpint(prism_nack_history_create(&cfg, &h), ==, -EINVAL);
    }
    struct prism_nack_history_config cfg = {.ssrc = SSRC, .slot_size = 11};
    g_assert_cmpint(prism_nack_history_create(&cfg, &h), ==, -EINVAL);
    cfg.slot_size = 65536;
    g_assert_cmpint(prism_nack_history_create(&cfg, &h), ==, -EINVAL);
    struct prism_nack_rtx_map map[] = {{96, 200}};
    struct prism_nack_rtx_config rtx = {.ssrc = RTX_SSRC, .map = map, .map_count = 1};
    cfg = (struct prism_nack_history_config){.ssrc = SSRC, .rtx = &rtx};
    g_assert_cmpint(prism_nack_history_create(&cfg, &h), ==, -EINVAL);
    g_assert_null(h);
    g_assert_cmpint(prism_nack_history_create(NULL, &h), ==, -EINVAL);
    cfg.rtx = NULL;
    cfg.capacity = PRISM_NACK_HISTORY_MAX_CAPACITY;
    cfg.slot_size = 64;
    g_assert_cmpint(prism_nack_history_create(&cfg, &h), ==, 0);
    prism_nack_history_destroy(h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nack-history/retransmits-from-history", test_nack_retransmits_from_history);
    g_test_add_func("/nack-history/grows-for-young-packets",
                    test_nack_history_grows_for_young_packets);
    g_test_add_func("/nack-history/stays-small-for-slow-streams",
                    test_nack_history_stays_small_for_slow_streams);
    g_test_add_func("/nack-history/uses-rtx-when-negotiated", test_nack_uses_rtx_when_negotiated);
    g_test_add_func("/nack-history/rtx-skips-payload-types-without-rtx",
                    test_nack_rtx_skips_payload_types_without_rtx);
    g_test_add_func("/nack-history/rtx-sequence-continues-after-renegotiation",
                    test_nack_rtx_sequence_continues_after_renegotiation);
    g_test_add_func("/nack-history/ignores-packets-older-than-the-age-limit",
                    test_nack_ignores_packets_older_than_the_age_limit);
    g_test_add_func("/nack-history/wraps-at-65535", test_nack_history_wraps_at_65535);
    g_test_add_func("/nack-history/keeps-packets-apart-after-a-jump",
                    test_nack_history_keeps_packets_apart_after_a_jump);
    g_test_add_func("/nack-history/ignores-sequences-never-sent",
                    test_nack_ignores_sequences_never_sent);
    g_test_add_func("/nack-history/throttles-repeated-requests-for-a-packet",
                    test_nack_throttles_repeated_requests_for_a_packet);
    g_test_add_func("/nack-history/bounds-work-for-huge-nack-lists",
                    test_nack_bounds_work_for_huge_nack_lists);
    g_test_add_func("/nack-history/caps-retransmission-bitrate",
                    test_nack_caps_retransmission_bitrate);
    g_test_add_func("/nack-history/refuses-bad-packets", test_nack_history_refuses_bad_packets);
    g_test_add_func("/nack-history/rejects-bad-configuration",
                    test_nack_history_rejects_bad_configuration);
    return g_test_run();
}
