/* RTP fixed header parsing and building (RFC 3550 section 5.1), including malformed input. */
#include "media/rtp/rtp.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

/* V=2 X=1 CC=1, M=1 PT=96, seq 0x1234, ts 0xDEADBEEF, SSRC 0x11223344, CSRC 0x55667788,
 * a one-byte extension block with abs-send-time (id 2, 3 bytes), payload "hello". */
/* clang-format off */
static const uint8_t full_packet[] = {
    0x91, 0xE0, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x11, 0x22, 0x33, 0x44,
    0x55, 0x66, 0x77, 0x88,
    0xBE, 0xDE, 0x00, 0x01, 0x22, 0x01, 0x02, 0x03,
    'h', 'e', 'l', 'l', 'o',
};
/* clang-format on */

static void test_rtp_parses_every_header_field(void)
{
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(full_packet, sizeof(full_packet), &h), ==, 0);
    g_assert_false(h.padding);
    g_assert_true(h.extension);
    g_assert_true(h.marker);
    g_assert_cmpuint(h.payload_type, ==, 96);
    g_assert_cmpuint(h.seq, ==, 0x1234);
    g_assert_cmpuint(h.timestamp, ==, 0xDEADBEEF);
    g_assert_cmpuint(h.ssrc, ==, 0x11223344);
    g_assert_cmpuint(h.csrc_count, ==, 1);
    g_assert_cmpuint(prism_rtp_csrc(&h, 0), ==, 0x55667788);
    g_assert_cmpuint(h.ext_profile, ==, 0xBEDE);
    g_assert_true(h.ext_data == full_packet + 20);
    g_assert_cmpuint(h.ext_len, ==, 4);
    g_assert_cmpuint(h.header_len, ==, 24);
    g_assert_true(h.payload == full_packet + 24);
    g_assert_cmpuint(h.payload_len, ==, 5);
    g_assert_cmpmem(h.payload, h.payload_len, "hello", 5);
}

static void test_rtp_parses_minimal_header_with_empty_payload(void)
{
    const uint8_t packet[12] = {0x80, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3};
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, 0);
    g_assert_false(h.marker);
    g_assert_cmpuint(h.payload_type, ==, 0);
    g_assert_cmpuint(h.seq, ==, 1);
    g_assert_cmpuint(h.header_len, ==, 12);
    g_assert_cmpuint(h.payload_len, ==, 0);
    g_assert_null(h.ext_data);
}

static void test_rtp_strips_padding(void)
{
    uint8_t packet[12 + 4 + 4] = {0xA0, 0x6F, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, 'd', 'a', 't', 'a'};
    packet[19] = 4; /* three zero bytes and the count */
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, 0);
    g_assert_true(h.padding);
    g_assert_cmpuint(h.padding_len, ==, 4);
    g_assert_cmpuint(h.payload_len, ==, 4);
    g_assert_cmpmem(h.payload, 4, "data", 4);
}

static void test_rtp_accepts_padding_only_packet(void)
{
    /* Bandwidth probes are all padding: the payload is empty after removal. */
    uint8_t packet[12 + 8] = {0xA0, 0x60};
    packet[19] = 8;
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, 0);
    g_assert_cmpuint(h.payload_len, ==, 0);
    g_assert_cmpuint(h.padding_len, ==, 8);
}

static void test_rtp_rejects_truncated_header(void)
{
    struct prism_rtp_header h;
    for (size_t len = 0; len < 12; len++)
        g_assert_cmpint(prism_rtp_parse(full_packet, len, &h), ==, -EBADMSG);
    /* Cut inside the CSRC list, the extension header and the extension data. */
    for (size_t len = 12; len < 24; len++)
        g_assert_cmpint(prism_rtp_parse(full_packet, len, &h), ==, -EBADMSG);
    g_assert_cmpint(prism_rtp_parse(full_packet, 24, &h), ==, 0);
    g_assert_cmpint(prism_rtp_parse(NULL, 24, &h), ==, -EINVAL);
}

static void test_rtp_rejects_version_other_than_2(void)
{
    uint8_t packet[sizeof(full_packet)];
    struct prism_rtp_header h;
    const uint8_t versions[] = {0x00, 0x40, 0xC0};
    for (size_t i = 0; i < sizeof(versions); i++) {
        memcpy(packet, full_packet, sizeof(packet));
        packet[0] = (uint8_t)((packet[0] & 0x3F) | versions[i]);
        g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, -EBADMSG);
    }
}

static void test_rtp_rejects_csrc_count_past_end(void)
{
    uint8_t packet[12 + 8] = {0x80 | 3, 0x60}; /* three CSRCs announced, two present */
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, -EBADMSG);
    packet[0] = 0x80 | 15;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, -EBADMSG);
    packet[0] = 0x80 | 2;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, 0);
    g_assert_cmpuint(h.payload_len, ==, 0);
}

static void test_rtp_rejects_extension_length_past_end(void)
{
    uint8_t packet[sizeof(full_packet)];
    memcpy(packet, full_packet, sizeof(packet));
    struct prism_rtp_header h;
    /* 3 words announced, 1 word + 5 payload bytes present. */
    packet[19] = 3;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, -EBADMSG);
    packet[18] = 0xFF;
    packet[19] = 0xFF;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, -EBADMSG);
    /* Extension that takes everything after it: allowed, payload empty. */
    packet[18] = 0;
    packet[19] = 1;
    g_assert_cmpint(prism_rtp_parse(packet, 24, &h), ==, 0);
}

static void test_rtp_rejects_bad_padding_count(void)
{
    uint8_t packet[12 + 4] = {0xA0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 'b', 'c', 0};
    struct prism_rtp_header h;
    /* A count of 0 cannot be: it includes itself. */
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, -EBADMSG);
    packet[15] = 5; /* more than the 4 payload bytes */
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, -EBADMSG);
    packet[15] = 255;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, -EBADMSG);
    packet[15] = 4;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, 0);
    g_assert_cmpuint(h.payload_len, ==, 0);
    /* P set but no payload byte at all to hold the count. */
    g_assert_cmpint(prism_rtp_parse(packet, 12, &h), ==, -EBADMSG);
}

static void test_rtp_builds_the_reference_packet(void)
{
    const uint8_t abs_send_time[3] = {1, 2, 3};
    const struct prism_rtp_ext ext = {.id = 2, .len = 3, .data = abs_send_time};
    const uint32_t csrc = 0x55667788;
    const struct prism_rtp_header_fields fields = {
        .marker = true,
        .payload_type = 96,
        .seq = 0x1234,
        .timestamp = 0xDEADBEEF,
        .ssrc = 0x11223344,
        .csrcs = &csrc,
        .csrc_count = 1,
        .exts = &ext,
        .ext_count = 1,
    };
    uint8_t buf[64];
    int len = prism_rtp_build_header(buf, sizeof(buf), &fields);
    g_assert_cmpint(len, ==, 24);
    g_assert_cmpmem(buf, 24, full_packet, 24);
    g_assert_cmpint(prism_rtp_build_header(buf, 23, &fields), ==, -ENOSPC);
    g_assert_cmpint(prism_rtp_build_header(buf, 15, &fields), ==, -ENOSPC);
}

static void test_rtp_build_uses_two_byte_form_when_needed(void)
{
    const uint8_t long_value[20] = {0};
    const uint8_t one = 7;
    const struct prism_rtp_ext exts[] = {
        {.id = 1, .len = 1, .data = &one},
        {.id = 3, .len = 20, .data = long_value}, /* too long for one-byte elements */
        {.id = 200, .len = 0, .data = NULL},
    };
    const struct prism_rtp_header_fields fields = {
        .payload_type = 111, .seq = 7, .ssrc = 9, .exts = exts, .ext_count = 3};
    uint8_t buf[128];
    int len = prism_rtp_build_header(buf, sizeof(buf), &fields);
    /* 12 + 4 + (2+1) + (2+20) + (2+0) = 43, padded to 44. */
    g_assert_cmpint(len, ==, 44);
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(buf, (size_t)len, &h), ==, 0);
    g_assert_cmpuint(h.ext_profile, ==, PRISM_RTP_EXT_PROFILE_TWO_BYTE);
    g_assert_cmpuint(h.ext_len, ==, 28);
    g_assert_cmpuint(buf[16], ==, 1);
    g_assert_cmpuint(buf[17], ==, 1);
    g_assert_cmpuint(buf[18], ==, 7);
    g_assert_cmpuint(buf[43], ==, 0); /* padding */
}

static void test_rtp_build_rejects_bad_fields(void)
{
    uint8_t buf[128];
    uint32_t csrcs[16] = {0};
    struct prism_rtp_header_fields fields = {.payload_type = 128};
    g_assert_cmpint(prism_rtp_build_header(buf, sizeof(buf), &fields), ==, -EINVAL);
    fields.payload_type = 0;
    fields.csrcs = csrcs;
    fields.csrc_count = 16;
    g_assert_cmpint(prism_rtp_build_header(buf, sizeof(buf), &fields), ==, -EINVAL);
    fields.csrc_count = 15;
    g_assert_cmpint(prism_rtp_build_header(buf, sizeof(buf), &fields), ==, 72);
    const struct prism_rtp_ext zero_id = {.id = 0, .len = 1, .data = buf};
    fields.csrc_count = 0;
    fields.exts = &zero_id;
    fields.ext_count = 1;
    g_assert_cmpint(prism_rtp_build_header(buf, sizeof(buf), &fields), ==, -EINVAL);
}

static void test_rtp_adds_padding_the_parser_strips(void)
{
    const struct prism_rtp_header_fields fields = {.payload_type = 100, .seq = 1, .ssrc = 2};
    uint8_t buf[64];
    int len = prism_rtp_build_header(buf, sizeof(buf), &fields);
    memcpy(buf + len, "xyz", 3);
    len += 3;
    g_assert_cmpint(prism_rtp_add_padding(buf, (size_t)len, (size_t)len + 4, 5), ==, -ENOSPC);
    int padded = prism_rtp_add_padding(buf, (size_t)len, sizeof(buf), 5);
    g_assert_cmpint(padded, ==, len + 5);
    g_assert_cmpint(prism_rtp_add_padding(buf, (size_t)padded, sizeof(buf), 4), ==, -EINVAL);
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(buf, (size_t)padded, &h), ==, 0);
    g_assert_true(h.padding);
    g_assert_cmpuint(h.payload_len, ==, 3);
    g_assert_cmpmem(h.payload, 3, "xyz", 3);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp/parses-every-header-field", test_rtp_parses_every_header_field);
    g_test_add_func("/rtp/parses-minimal-header-with-empty-payload",
                    test_rtp_parses_minimal_header_with_empty_payload);
    g_test_add_func("/rtp/strips-padding", test_rtp_strips_padding);
    g_test_add_func("/rtp/accepts-padding-only-packet", test_rtp_accepts_padding_only_packet);
    g_test_add_func("/rtp/rejects-truncated-header", test_rtp_rejects_truncated_header);
    g_test_add_func("/rtp/rejects-version-other-than-2", test_rtp_rejects_version_other_than_2);
    g_test_add_func("/rtp/rejects-csrc-count-past-end", test_rtp_rejects_csrc_count_past_end);
    g_test_add_func("/rtp/rejects-extension-length-past-end",
                    test_rtp_rejects_extension_length_past_end);
    g_test_add_func("/rtp/rejects-bad-padding-count", test_rtp_rejects_bad_padding_count);
    g_test_add_func("/rtp/builds-the-reference-packet", test_rtp_builds_the_reference_packet);
    g_test_add_func("/rtp/build-uses-two-byte-form-when-needed",
                    test_rtp_build_uses_two_byte_form_when_needed);
    g_test_add_func("/rtp/build-rejects-bad-fields", test_rtp_build_rejects_bad_fields);
    g_test_add_func("/rtp/adds-padding-the-parser-strips", test_rtp_adds_padding_the_parser_strips);
    return g_test_run();
}
