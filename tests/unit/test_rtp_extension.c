/* RTP header extension iteration and values (RFC 8285, RFC 6464, abs-send-time, TWCC, CVO). */
#include "media/rtp/rtp.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

/* Wraps extension bytes (a multiple of 4) under a fixed header with the given profile. */
static size_t make_packet(uint8_t *buf, uint16_t profile, const uint8_t *ext, size_t ext_len)
{
    memset(buf, 0, 16);
    buf[0] = 0x90;
    buf[1] = 96;
    prism_write_be16(buf + 12, profile);
    prism_write_be16(buf + 14, (uint16_t)(ext_len / 4));
    memcpy(buf + 16, ext, ext_len);
    return 16 + ext_len;
}

static void parse_ok(const uint8_t *buf, size_t len, struct prism_rtp_header *h)
{
    g_assert_cmpint(prism_rtp_parse(buf, len, h), ==, 0);
}

static void test_rtp_ext_iterates_one_byte_elements_and_padding(void)
{
    /* id 1 len 1, two padding bytes, id 3 len 2, id 14 len 16, padding to the word. */
    uint8_t ext[24] = {0x10, 0xAA, 0x00, 0x00, 0x31, 0xBB, 0xCC, 0xEF};
    for (int i = 0; i < 16; i++)
        ext[8 + i] = (uint8_t)i;
    uint8_t buf[64];
    struct prism_rtp_header h;
    parse_ok(buf, make_packet(buf, 0xBEDE, ext, sizeof(ext)), &h);

    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    prism_rtp_ext_iter_init(&it, &h);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, 1);
    g_assert_cmpuint(e.id, ==, 1);
    g_assert_cmpuint(e.len, ==, 1);
    g_assert_cmpuint(e.data[0], ==, 0xAA);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, 1);
    g_assert_cmpuint(e.id, ==, 3);
    g_assert_cmpuint(e.len, ==, 2);
    g_assert_cmpuint(e.data[1], ==, 0xCC);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, 1);
    g_assert_cmpuint(e.id, ==, 14);
    g_assert_cmpuint(e.len, ==, 16);
    g_assert_cmpuint(e.data[15], ==, 15);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, 0);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, 0);
}

static void test_rtp_ext_stops_at_reserved_id_15(void)
{
    const uint8_t ext[8] = {0x10, 0xAA, 0xF3, 0x20, 0x01, 0x02, 0x00, 0x00};
    uint8_t buf[64];
    struct prism_rtp_header h;
    parse_ok(buf, make_packet(buf, 0xBEDE, ext, sizeof(ext)), &h);
    struct prism_rtp_ext e;
    g_assert_cmpint(prism_rtp_ext_find(&h, 1, &e), ==, 0);
    g_assert_cmpint(prism_rtp_ext_find(&h, 2, &e), ==, -ENOENT);
}

static void test_rtp_ext_iterates_two_byte_elements(void)
{
    /* id 1 len 0, padding, id 200 len 3, id 16 len 1. */
    const uint8_t ext[12] = {0x01, 0x00, 0x00, 200, 3, 'a', 'b', 'c', 16, 1, 0x7F, 0x00};
    uint8_t buf[64];
    struct prism_rtp_header h;
    parse_ok(buf, make_packet(buf, 0x1001, ext, sizeof(ext)), &h); /* app bits are ignored */
    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    prism_rtp_ext_iter_init(&it, &h);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, 1);
    g_assert_cmpuint(e.id, ==, 1);
    g_assert_cmpuint(e.len, ==, 0);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, 1);
    g_assert_cmpuint(e.id, ==, 200);
    g_assert_cmpmem(e.data, e.len, "abc", 3);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, 1);
    g_assert_cmpuint(e.id, ==, 16);
    g_assert_cmpuint(e.data[0], ==, 0x7F);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, 0);
}

static void test_rtp_ext_ignores_unknown_profile_and_absent_block(void)
{
    const uint8_t ext[4] = {0x10, 0xAA, 0, 0};
    uint8_t buf[64];
    struct prism_rtp_header h;
    struct prism_rtp_ext e;
    parse_ok(buf, make_packet(buf, 0x1234, ext, sizeof(ext)), &h);
    g_assert_cmpint(prism_rtp_ext_find(&h, 1, &e), ==, -ENOENT);
    const uint8_t plain[12] = {0x80, 0x60};
    parse_ok(plain, sizeof(plain), &h);
    g_assert_cmpint(prism_rtp_ext_find(&h, 1, &e), ==, -ENOENT);
}

static void test_rtp_ext_rejects_element_past_block(void)
{
    /* One-byte: id 2 says 4 bytes, only 3 left in the word. */
    const uint8_t one[4] = {0x23, 1, 2, 3};
    uint8_t buf[64];
    struct prism_rtp_header h;
    struct prism_rtp_ext e;
    struct prism_rtp_ext_iter it;
    parse_ok(buf, make_packet(buf, 0xBEDE, one, sizeof(one)), &h);
    prism_rtp_ext_iter_init(&it, &h);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, -EBADMSG);
    g_assert_cmpint(prism_rtp_ext_next(&it, &e), ==, 0);
    g_assert_cmpint(prism_rtp_ext_find(&h, 2, &e), ==, -EBADMSG);
    /* Two-byte: a length byte beyond the block, then an id with no length byte. */
    const uint8_t two[4] = {5, 9, 1, 2};
    parse_ok(buf, make_packet(buf, 0x1000, two, sizeof(two)), &h);
    g_assert_cmpint(prism_rtp_ext_find(&h, 5, &e), ==, -EBADMSG);
    const uint8_t lone_id[4] = {0, 0, 0, 7};
    parse_ok(buf, make_packet(buf, 0x1000, lone_id, sizeof(lone_id)), &h);
    g_assert_cmpint(prism_rtp_ext_find(&h, 7, &e), ==, -EBADMSG);
}

static void test_rtp_ext_find_mut_writes_into_the_packet(void)
{
    const uint8_t ext[8] = {0x51, 0x00, 0x01, 0x22, 1, 2, 3, 0};
    uint8_t buf[64];
    size_t len = make_packet(buf, 0xBEDE, ext, sizeof(ext));
    struct prism_rtp_header h;
    parse_ok(buf, len, &h);
    uint8_t elem_len = 0;
    uint8_t *twcc = prism_rtp_ext_find_mut(buf, &h, 5, &elem_len);
    g_assert_true(twcc == buf + 17);
    g_assert_cmpuint(elem_len, ==, 2);
    g_assert_cmpint(prism_rtp_transport_cc_write(twcc, elem_len, 0xBEEF), ==, 0);
    g_assert_null(prism_rtp_ext_find_mut(buf, &h, 9, NULL));

    struct prism_rtp_ext e;
    uint16_t seq = 0;
    parse_ok(buf, len, &h);
    g_assert_cmpint(prism_rtp_ext_find(&h, 5, &e), ==, 0);
    g_assert_cmpint(prism_rtp_transport_cc_read(&e, &seq), ==, 0);
    g_assert_cmpuint(seq, ==, 0xBEEF);
}

static void test_rtp_abs_send_time_encodes_6_18_fixed_point(void)
{
    g_assert_cmpuint(prism_rtp_abs_send_time_from_us(0), ==, 0);
    g_assert_cmpuint(prism_rtp_abs_send_time_from_us(1000000), ==, 0x040000);
    g_assert_cmpuint(prism_rtp_abs_send_time_from_us(1500000), ==, 0x060000);
    g_assert_cmpuint(prism_rtp_abs_send_time_from_us(63999998), ==, 0xFFFFFF);
    g_assert_cmpuint(prism_rtp_abs_send_time_from_us(63999999), ==, 0); /* rounds to 64 s */
    g_assert_cmpuint(prism_rtp_abs_send_time_from_us(64000000), ==, 0); /* wraps at 64 s */
    g_assert_cmpuint(prism_rtp_abs_send_time_from_us(65000000), ==, 0x040000);
    /* Years of uptime must not overflow the shift. */
    g_assert_cmpuint(prism_rtp_abs_send_time_from_us(UINT64_MAX), <=, 0xFFFFFF);

    uint8_t data[3];
    uint32_t value = 0;
    g_assert_cmpint(prism_rtp_abs_send_time_write(data, 3, 0x123456), ==, 0);
    g_assert_cmpmem(data, 3, "\x12\x34\x56", 3);
    struct prism_rtp_ext e = {.id = 3, .len = 3, .data = data};
    g_assert_cmpint(prism_rtp_abs_send_time_read(&e, &value), ==, 0);
    g_assert_cmpuint(value, ==, 0x123456);
    e.len = 2;
    g_assert_cmpint(prism_rtp_abs_send_time_read(&e, &value), ==, -EINVAL);
    g_assert_cmpint(prism_rtp_abs_send_time_write(data, 3, 0x1000000), ==, -EINVAL);
}

static void test_rtp_audio_level_reads_vad_flag_and_level(void)
{
    /* RFC 6464 section 3: V=1, level 42 -dBov is 0xAA. */
    uint8_t data[1] = {0xAA};
    struct prism_rtp_ext e = {.id = 1, .len = 1, .data = data};
    bool voice = false;
    uint8_t level = 0;
    g_assert_cmpint(prism_rtp_audio_level_read(&e, &voice, &level), ==, 0);
    g_assert_true(voice);
    g_assert_cmpuint(level, ==, 42);
    g_assert_cmpint(prism_rtp_audio_level_write(data, 1, false, 127), ==, 0);
    g_assert_cmpuint(data[0], ==, 0x7F);
    g_assert_cmpint(prism_rtp_audio_level_write(data, 1, true, 128), ==, -EINVAL);
    e.len = 0;
    g_assert_cmpint(prism_rtp_audio_level_read(&e, &voice, &level), ==, -EINVAL);
}

static void test_rtp_video_orientation_round_trips(void)
{
    uint8_t data[1] = {0x0B}; /* back camera, no flip, 270 degrees */
    struct prism_rtp_ext e = {.id = 4, .len = 1, .data = data};
    struct prism_rtp_video_orientation vo;
    g_assert_cmpint(prism_rtp_video_orientation_read(&e, &vo), ==, 0);
    g_assert_true(vo.back_camera);
    g_assert_false(vo.flip);
    g_assert_cmpuint(vo.rotation, ==, 270);
    vo = (struct prism_rtp_video_orientation){.back_camera = false, .flip = true, .rotation = 90};
    g_assert_cmpint(prism_rtp_video_orientation_write(data, 1, &vo), ==, 0);
    g_assert_cmpuint(data[0], ==, 0x05);
    vo.rotation = 45;
    g_assert_cmpint(prism_rtp_video_orientation_write(data, 1, &vo), ==, -EINVAL);
}

static void test_rtp_ext_strings_are_copied_and_compared(void)
{
    const uint8_t mid[1] = {'0'};
    const uint8_t rid[2] = {'h', 'i'};
    const uint8_t bad[3] = {'a', ' ', 'b'};
    struct prism_rtp_ext e = {.id = 1, .len = 1, .data = mid};
    char out[4];
    g_assert_cmpint(prism_rtp_ext_string_copy(&e, out, sizeof(out)), ==, 1);
    g_assert_cmpstr(out, ==, "0");
    g_assert_true(prism_rtp_ext_string_equals(&e, "0"));
    e = (struct prism_rtp_ext){.id = 2, .len = 2, .data = rid};
    g_assert_true(prism_rtp_ext_string_equals(&e, "hi"));
    g_assert_false(prism_rtp_ext_string_equals(&e, "h"));
    g_assert_false(prism_rtp_ext_string_equals(&e, "hi!"));
    g_assert_cmpint(prism_rtp_ext_string_copy(&e, out, 2), ==, -ENOSPC);
    e = (struct prism_rtp_ext){.id = 2, .len = 3, .data = bad};
    g_assert_cmpint(prism_rtp_ext_string_copy(&e, out, sizeof(out)), ==, -EBADMSG);
    e.len = 0;
    g_assert_cmpint(prism_rtp_ext_string_copy(&e, out, sizeof(out)), ==, -EBADMSG);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp-ext/iterates-one-byte-elements-and-padding",
                    test_rtp_ext_iterates_one_byte_elements_and_padding);
    g_test_add_func("/rtp-ext/stops-at-reserved-id-15", test_rtp_ext_stops_at_reserved_id_15);
    g_test_add_func("/rtp-ext/iterates-two-byte-elements", test_rtp_ext_iterates_two_byte_elements);
    g_test_add_func("/rtp-ext/ignores-unknown-profile-and-absent-block",
                    test_rtp_ext_ignores_unknown_profile_and_absent_block);
    g_test_add_func("/rtp-ext/rejects-element-past-block", test_rtp_ext_rejects_element_past_block);
    g_test_add_func("/rtp-ext/find-mut-writes-into-the-packet",
                    test_rtp_ext_find_mut_writes_into_the_packet);
    g_test_add_func("/rtp-ext/abs-send-time-encodes-6-18-fixed-point",
                    test_rtp_abs_send_time_encodes_6_18_fixed_point);
    g_test_add_func("/rtp-ext/audio-level-reads-vad-flag-and-level",
                    test_rtp_audio_level_reads_vad_flag_and_level);
    g_test_add_func("/rtp-ext/video-orientation-round-trips",
                    test_rtp_video_orientation_round_trips);
    g_test_add_func("/rtp-ext/strings-are-copied-and-compared",
                    test_rtp_ext_strings_are_copied_and_compared);
    return g_test_run();
}
