/* In-place RTP rewriting for the forwarding path (header fields, extension ids) and RTX. */
#include "media/rtp/rtp.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

/* V=2 X=1, PT 96, seq 1000, ts 90000, SSRC 0xAABBCCDD; one-byte extensions: mid (id 1, "0"),
 * abs-send-time (id 2), transport-cc (id 3), audio level (id 4); payload "media". */
/* clang-format off */
static const uint8_t one_byte_packet[] = {
    0x90, 0x60, 0x03, 0xE8, 0x00, 0x01, 0x5F, 0x90, 0xAA, 0xBB, 0xCC, 0xDD,
    0xBE, 0xDE, 0x00, 0x03,
    0x10, '0', 0x22, 0x01, 0x02, 0x03, 0x31, 0x00, 0x07, 0x40, 0x85, 0x00,
    'm', 'e', 'd', 'i', 'a',
};
/* clang-format on */

static void parse_ok(const uint8_t *buf, size_t len, struct prism_rtp_header *h)
{
    g_assert_cmpint(prism_rtp_parse(buf, len, h), ==, 0);
}

static void test_rtp_setters_change_only_their_field(void)
{
    uint8_t p[sizeof(one_byte_packet)];
    memcpy(p, one_byte_packet, sizeof(p));
    prism_rtp_set_ssrc(p, 0x01020304);
    prism_rtp_set_seq(p, 0xFFFF);
    prism_rtp_set_timestamp(p, 0x80000001);
    prism_rtp_set_payload_type(p, 111);
    prism_rtp_set_marker(p, true);
    struct prism_rtp_header h;
    parse_ok(p, sizeof(p), &h);
    g_assert_cmpuint(h.ssrc, ==, 0x01020304);
    g_assert_cmpuint(h.seq, ==, 0xFFFF);
    g_assert_cmpuint(h.timestamp, ==, 0x80000001);
    g_assert_cmpuint(h.payload_type, ==, 111);
    g_assert_true(h.marker);
    g_assert_true(h.extension);
    g_assert_cmpmem(p + 12, sizeof(p) - 12, one_byte_packet + 12, sizeof(p) - 12);
    prism_rtp_set_marker(p, false);
    prism_rtp_set_payload_type(p, 0xFF); /* only 7 bits are kept, the marker stays */
    g_assert_cmpuint(p[1], ==, 0x7F);
}

static void test_rtp_ext_remap_translates_ids_and_pads_dropped(void)
{
    uint8_t p[sizeof(one_byte_packet)];
    memcpy(p, one_byte_packet, sizeof(p));
    struct prism_rtp_header h;
    parse_ok(p, sizeof(p), &h);
    struct prism_rtp_ext_map map = {{0}};
    map.id[1] = 9;  /* mid */
    map.id[3] = 2;  /* transport-cc */
    map.id[4] = 15; /* not representable in a one-byte block: dropped */
    /* abs-send-time (2) is not negotiated by this receiver: dropped. */
    g_assert_cmpint(prism_rtp_ext_remap(p, &h, &map), ==, 2);

    const uint8_t expected_ext[12] = {0x90, '0', 0, 0, 0, 0, 0x21, 0x00, 0x07, 0, 0, 0};
    g_assert_cmpmem(p + 16, 12, expected_ext, 12);
    g_assert_cmpmem(p, 16, one_byte_packet, 16);
    g_assert_cmpmem(p + 28, 5, "media", 5);

    parse_ok(p, sizeof(p), &h);
    struct prism_rtp_ext e;
    uint16_t twcc = 0;
    g_assert_cmpint(prism_rtp_ext_find(&h, 9, &e), ==, 0);
    g_assert_true(prism_rtp_ext_string_equals(&e, "0"));
    g_assert_cmpint(prism_rtp_ext_find(&h, 2, &e), ==, 0);
    g_assert_cmpint(prism_rtp_transport_cc_read(&e, &twcc), ==, 0);
    g_assert_cmpuint(twcc, ==, 7);
    g_assert_cmpint(prism_rtp_ext_find(&h, 3, &e), ==, -ENOENT);
    g_assert_cmpint(prism_rtp_ext_find(&h, 4, &e), ==, -ENOENT);
}

static void test_rtp_ext_remap_works_on_a_header_copy(void)
{
    /* The forwarder copies only the header per receiver and shares the payload. */
    struct prism_rtp_header h;
    parse_ok(one_byte_packet, sizeof(one_byte_packet), &h);
    uint8_t copy[64];
    memcpy(copy, one_byte_packet, h.header_len);
    struct prism_rtp_ext_map map = {{0}};
    map.id[2] = 5;
    g_assert_cmpint(prism_rtp_ext_remap(copy, &h, &map), ==, 1);
    g_assert_cmpuint(copy[18], ==, 0x52);
    g_assert_cmpuint(copy[16], ==, 0);
    g_assert_cmpuint(one_byte_packet[18], ==, 0x22);
}

static void test_rtp_ext_remap_two_byte_block(void)
{
    uint8_t p[12 + 4 + 12] = {0x90, 0x60};
    const uint8_t ext[12] = {20, 2, 0xAB, 0xCD, 0, 7, 3, 'a', 'b', 'c', 30, 0};
    prism_write_be16(p + 12, 0x1000);
    prism_write_be16(p + 14, 3);
    memcpy(p + 16, ext, sizeof(ext));
    struct prism_rtp_header h;
    parse_ok(p, sizeof(p), &h);
    struct prism_rtp_ext_map map = {{0}};
    map.id[20] = 200;
    map.id[30] = 1;
    g_assert_cmpint(prism_rtp_ext_remap(p, &h, &map), ==, 2);
    const uint8_t expected[12] = {200, 2, 0xAB, 0xCD, 0, 0, 0, 0, 0, 0, 1, 0};
    g_assert_cmpmem(p + 16, 12, expected, 12);
}

static void test_rtp_ext_remap_rejects_malformed_block(void)
{
    uint8_t p[12 + 4 + 4] = {0x90, 0x60};
    prism_write_be16(p + 12, 0xBEDE);
    prism_write_be16(p + 14, 1);
    p[16] = 0x1F; /* id 1 with 16 bytes in a 4-byte block */
    struct prism_rtp_header h;
    parse_ok(p, sizeof(p), &h);
    struct prism_rtp_ext_map map = {{0}};
    map.id[1] = 1;
    g_assert_cmpint(prism_rtp_ext_remap(p, &h, &map), ==, -EBADMSG);
    g_assert_cmpint(prism_rtp_ext_remap(NULL, &h, &map), ==, -EINVAL);
}

static void test_rtp_rtx_wrap_and_unwrap_round_trip(void)
{
    /* The original with 3 bytes of padding, which RTX leaves out. */
    uint8_t original[sizeof(one_byte_packet) + 3];
    memcpy(original, one_byte_packet, sizeof(one_byte_packet));
    original[0] |= 0x20;
    original[sizeof(original) - 1] = 3;
    struct prism_rtp_header h;
    parse_ok(original, sizeof(original), &h);

    uint8_t rtx[64];
    g_assert_cmpint(prism_rtp_rtx_wrap(rtx, 34, &h, 97, 0x12345678, 500), ==, -ENOSPC);
    int len = prism_rtp_rtx_wrap(rtx, sizeof(rtx), &h, 97, 0x12345678, 500);
    g_assert_cmpint(len, ==, 28 + 2 + 5);
    struct prism_rtp_header r;
    parse_ok(rtx, (size_t)len, &r);
    g_assert_false(r.padding);
    g_assert_cmpuint(r.payload_type, ==, 97);
    g_assert_cmpuint(r.ssrc, ==, 0x12345678);
    g_assert_cmpuint(r.seq, ==, 500);
    g_assert_cmpuint(r.timestamp, ==, 90000);
    g_assert_cmpmem(r.payload, r.payload_len, "\x03\xE8media", 7); /* OSN 1000 first */
    g_assert_cmpmem(rtx + 12, 16, original + 12, 16);              /* extensions kept */

    int back = prism_rtp_rtx_unwrap(rtx, &r, 96, 0xAABBCCDD);
    g_assert_cmpint(back, ==, (int)sizeof(one_byte_packet));
    g_assert_cmpmem(rtx, (size_t)back, one_byte_packet, sizeof(one_byte_packet));
}

static void test_rtp_rtx_unwrap_rejects_payload_without_osn(void)
{
    uint8_t p[13] = {0x80, 97};
    struct prism_rtp_header h;
    parse_ok(p, sizeof(p), &h);
    g_assert_cmpint(prism_rtp_rtx_unwrap(p, &h, 96, 1), ==, -EBADMSG);
    parse_ok(p, 12, &h);
    g_assert_cmpint(prism_rtp_rtx_unwrap(p, &h, 96, 1), ==, -EBADMSG);
    uint8_t osn_only[14] = {0x80, 97, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34};
    parse_ok(osn_only, sizeof(osn_only), &h);
    g_assert_cmpint(prism_rtp_rtx_unwrap(osn_only, &h, 96, 1), ==, 12);
    g_assert_cmpuint(prism_read_be16(osn_only + 2), ==, 0x1234);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp-rewrite/setters-change-only-their-field",
                    test_rtp_setters_change_only_their_field);
    g_test_add_func("/rtp-rewrite/ext-remap-translates-ids-and-pads-dropped",
                    test_rtp_ext_remap_translates_ids_and_pads_dropped);
    g_test_add_func("/rtp-rewrite/ext-remap-works-on-a-header-copy",
                    test_rtp_ext_remap_works_on_a_header_copy);
    g_test_add_func("/rtp-rewrite/ext-remap-two-byte-block", test_rtp_ext_remap_two_byte_block);
    g_test_add_func("/rtp-rewrite/ext-remap-rejects-malformed-block",
                    test_rtp_ext_remap_rejects_malformed_block);
    g_test_add_func("/rtp-rewrite/rtx-wrap-and-unwrap-round-trip",
                    test_rtp_rtx_wrap_and_unwrap_round_trip);
    g_test_add_func("/rtp-rewrite/rtx-unwrap-rejects-payload-without-osn",
                    test_rtp_rtx_unwrap_rejects_payload_without_osn);
    return g_test_run();
}
