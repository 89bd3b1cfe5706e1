/* Setting a 2-byte header extension element on a packet (RFC 8285): in place, in a block's
 * padding, by growing a block, by adding a block; payload and padding kept; bad input refused. */
#include "media/rtp/extension.h"
#include "media/rtp/header.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

static const uint8_t payload[] = "payload bytes";

/* Builds a packet with the given elements (none: no extension block) and the payload. */
static size_t make_packet(uint8_t *buf, size_t cap, const struct prism_rtp_ext *exts, size_t n)
{
    struct prism_rtp_header_fields f = {
        .payload_type = 96, .seq = 7, .timestamp = 9, .ssrc = 0x1234, .exts = exts, .ext_count = n};
    int len = prism_rtp_build_header(buf, cap, &f);
    g_assert_cmpint(len, >, 0);
    memcpy(buf + len, payload, sizeof(payload));
    return (size_t)len + sizeof(payload);
}

static void check(const uint8_t *buf, int len, uint8_t id, uint16_t value)
{
    g_assert_cmpint(len, >, 0);
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(buf, (size_t)len, &h), ==, 0);
    struct prism_rtp_ext e;
    g_assert_cmpint(prism_rtp_ext_find(&h, id, &e), ==, 0);
    uint16_t got;
    g_assert_cmpint(prism_rtp_transport_cc_read(&e, &got), ==, 0);
    g_assert_cmpuint(got, ==, value);
    g_assert_cmpuint(h.payload_len, ==, sizeof(payload));
    g_assert_cmpmem(h.payload, h.payload_len, payload, sizeof(payload));
    g_assert_cmpuint(h.ssrc, ==, 0x1234);
}

static void test_rtp_ext_set_adds_a_block_to_a_packet_without_one(void)
{
    uint8_t buf[256];
    size_t len = make_packet(buf, sizeof(buf), NULL, 0);
    int out = prism_rtp_ext_set_u16(buf, len, sizeof(buf), 3, 0xBEEF);
    g_assert_cmpint(out, ==, (int)len + 8);
    check(buf, out, 3, 0xBEEF);
}

static void test_rtp_ext_set_overwrites_an_element_in_place(void)
{
    uint8_t buf[256];
    const uint8_t old[] = {0, 1}, mid[] = {'a'};
    const struct prism_rtp_ext exts[] = {{1, 1, mid}, {3, 2, old}};
    size_t len = make_packet(buf, sizeof(buf), exts, 2);
    g_assert_cmpint(prism_rtp_ext_set_u16(buf, len, len, 3, 0x4242), ==, (int)len);
    check(buf, (int)len, 3, 0x4242);
    /* An element of that id with another size is not ours to overwrite. */
    g_assert_cmpint(prism_rtp_ext_set_u16(buf, len, len, 1, 5), ==, -EINVAL);
}

static void test_rtp_ext_set_appends_into_padding_or_grows_the_block(void)
{
    uint8_t buf[256];
    const uint8_t mid[] = {'a'};
    const struct prism_rtp_ext one[] = {{1, 1, mid}}; /* 2 bytes used, 2 padding: grows */
    size_t len = make_packet(buf, sizeof(buf), one, 1);
    int out = prism_rtp_ext_set_u16(buf, len, sizeof(buf), 5, 0x0102);
    g_assert_cmpint(out, ==, (int)len + 4);
    check(buf, out, 5, 0x0102);
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(buf, (size_t)out, &h), ==, 0);
    struct prism_rtp_ext e;
    g_assert_cmpint(prism_rtp_ext_find(&h, 1, &e), ==, 0); /* the mid is still there */
    g_assert_cmpuint(e.data[0], ==, 'a');

    const uint8_t four[] = {1, 2, 3, 4};
    const struct prism_rtp_ext fits[] = {{2, 4, four}}; /* 5 bytes used, 3 padding: fits */
    len = make_packet(buf, sizeof(buf), fits, 1);
    out = prism_rtp_ext_set_u16(buf, len, len, 6, 0x0A0B);
    g_assert_cmpint(out, ==, (int)len);
    check(buf, out, 6, 0x0A0B);
}

static void test_rtp_ext_set_uses_the_two_byte_form(void)
{
    uint8_t buf[256];
    const uint8_t big[] = {9};
    const struct prism_rtp_ext two[] = {{20, 1, big}}; /* id over 14: two-byte block */
    size_t len = make_packet(buf, sizeof(buf), two, 1);
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(buf, len, &h), ==, 0);
    g_assert_cmpuint(h.ext_profile & PRISM_RTP_EXT_PROFILE_TWO_BYTE_MASK, ==,
                     PRISM_RTP_EXT_PROFILE_TWO_BYTE);
    int out = prism_rtp_ext_set_u16(buf, len, sizeof(buf), 30, 0x7777);
    g_assert_cmpint(out, >, 0);
    check(buf, out, 30, 0x7777);
}

static void test_rtp_ext_set_keeps_padding(void)
{
    uint8_t buf[256];
    size_t len = make_packet(buf, sizeof(buf), NULL, 0);
    buf[0] |= 0x20; /* P bit: the last 4 bytes are padding, the count in the last one */
    memset(buf + len, 0, 3);
    buf[len + 3] = 4;
    len += 4;
    int out = prism_rtp_ext_set_u16(buf, len, sizeof(buf), 3, 1);
    check(buf, out, 3, 1);
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(buf, (size_t)out, &h), ==, 0);
    g_assert_true(h.padding);
    g_assert_cmpuint(h.padding_len, ==, 4);
}

static void test_rtp_ext_set_refuses_bad_input(void)
{
    uint8_t buf[256];
    size_t len = make_packet(buf, sizeof(buf), NULL, 0);
    g_assert_cmpint(prism_rtp_ext_set_u16(buf, len, len + 7, 3, 1), ==, -ENOSPC);
    g_assert_cmpint(prism_rtp_ext_set_u16(buf, len, sizeof(buf), 0, 1), ==, -EINVAL);
    g_assert_cmpint(prism_rtp_ext_set_u16(buf, len, sizeof(buf), 15, 1), ==, -EINVAL);
    g_assert_cmpint(prism_rtp_ext_set_u16(buf, len, sizeof(buf), 20, 1), ==, -EINVAL);
    g_assert_cmpint(prism_rtp_ext_set_u16(NULL, len, sizeof(buf), 3, 1), ==, -EINVAL);
    g_assert_cmpint(prism_rtp_ext_set_u16(buf, len, len - 1, 3, 1), ==, -EINVAL);
    g_assert_cmpint(prism_rtp_ext_set_u16(buf, 5, sizeof(buf), 3, 1), ==, -EBADMSG);
    const uint8_t mid[] = {'a'};
    const struct prism_rtp_ext one[] = {{1, 1, mid}};
    len = make_packet(buf, sizeof(buf), one, 1);
    g_assert_cmpint(prism_rtp_ext_set_u16(buf, len, len + 3, 5, 1), ==, -ENOSPC);
    prism_write_be16(buf + 12, 0x1234); /* an unknown profile */
    g_assert_cmpint(prism_rtp_ext_set_u16(buf, len, sizeof(buf), 5, 1), ==, -EINVAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp_ext_set/adds_a_block",
                    test_rtp_ext_set_adds_a_block_to_a_packet_without_one);
    g_test_add_func("/rtp_ext_set/overwrites_in_place",
                    test_rtp_ext_set_overwrites_an_element_in_place);
    g_test_add_func("/rtp_ext_set/appends_or_grows",
                    test_rtp_ext_set_appends_into_padding_or_grows_the_block);
    g_test_add_func("/rtp_ext_set/two_byte_form", test_rtp_ext_set_uses_the_two_byte_form);
    g_test_add_func("/rtp_ext_set/keeps_padding", test_rtp_ext_set_keeps_padding);
    g_test_add_func("/rtp_ext_set/refuses_bad_input", test_rtp_ext_set_refuses_bad_input);
    return g_test_run();
}
