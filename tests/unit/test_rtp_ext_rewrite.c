/* Rebuilding a packet's header extension block for a receiver (media/rtp/ext_rewrite.h): ids
 * remapped, elements dropped and the block closed up, one-byte and two-byte forms, added
 * elements (own mid, abs-send-time stamped at send), and malformed or truncated blocks. */
#include "media/rtp/rtp.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

/* A packet with these elements (and CSRCs) and a 10-byte payload, parsed into *h. */
static size_t build(uint8_t *buf, size_t cap, const struct prism_rtp_ext *exts, size_t count,
                    uint8_t csrc_count, struct prism_rtp_header *h)
{
    const uint32_t csrcs[3] = {0x11111111, 0x22222222, 0x33333333};
    struct prism_rtp_header_fields f = {.payload_type = 111,
                                        .seq = 7,
                                        .timestamp = 1000,
                                        .ssrc = 0xAABBCCDD,
                                        .csrcs = csrcs,
                                        .csrc_count = csrc_count,
                                        .exts = exts,
                                        .ext_count = count};
    int hl = prism_rtp_build_header(buf, cap, &f);
    g_assert_cmpint(hl, >, 0);
    memset(buf + hl, 0x5A, 10);
    g_assert_cmpint(prism_rtp_parse(buf, (size_t)hl + 10, h), ==, 0);
    return (size_t)hl + 10;
}

/* Rewrites the header of in into out, appends in's payload, and parses the result. */
static int rewrite(const uint8_t *in, const struct prism_rtp_header *h,
                   const struct prism_rtp_ext_map *map, const struct prism_rtp_ext_added_set *set,
                   uint8_t *out, size_t cap, struct prism_rtp_header *out_h)
{
    int hl = prism_rtp_ext_rewrite(out, cap, in, h, map, set);
    if (hl < 0)
        return hl;
    g_assert_cmpuint((size_t)hl + h->payload_len, <=, cap);
    memcpy(out + hl, h->payload, h->payload_len);
    g_assert_cmpint(prism_rtp_parse(out, (size_t)hl + h->payload_len, out_h), ==, 0);
    g_assert_cmpmem(out_h->payload, out_h->payload_len, h->payload, h->payload_len);
    g_assert_cmpuint(out_h->ssrc, ==, h->ssrc);
    g_assert_cmpuint(out_h->seq, ==, h->seq);
    return hl;
}

static void test_rtp_ext_rewrite_remaps_drops_and_closes_up(void)
{
    const uint8_t mid[] = {'a', 'u', 'd'}, twcc[] = {0x12, 0x34}, level[] = {0x85};
    const struct prism_rtp_ext exts[] = {{4, 3, mid}, {3, 2, twcc}, {1, 1, level}};
    uint8_t in[128], out[128];
    struct prism_rtp_header h, o;
    build(in, sizeof(in), exts, 3, 2, &h);
    g_assert_cmpuint(h.ext_len, ==, 12); /* 4 + 3 + 2 = 9 bytes, padded */
    struct prism_rtp_ext_map map = {0};
    map.id[1] = 9; /* audio level: the receiver's id 9; mid and twcc not negotiated */
    struct prism_rtp_ext_added_set set = {0};
    int hl = rewrite(in, &h, &map, &set, out, sizeof(out), &o);
    g_assert_cmpint(hl, ==, 12 + 8 + 4 + 4);
    g_assert_cmpuint(o.csrc_count, ==, 2);
    g_assert_cmpuint(prism_rtp_csrc(&o, 1), ==, 0x22222222);
    g_assert_cmpuint(o.ext_profile, ==, PRISM_RTP_EXT_PROFILE_ONE_BYTE);
    struct prism_rtp_ext e;
    bool voice;
    uint8_t dbov;
    g_assert_cmpint(prism_rtp_ext_find(&o, 9, &e), ==, 0);
    g_assert_cmpint(prism_rtp_audio_level_read(&e, &voice, &dbov), ==, 0);
    g_assert_true(voice);
    g_assert_cmpuint(dbov, ==, 5);
    g_assert_cmpint(prism_rtp_ext_find(&o, 4, &e), ==, -ENOENT);
    g_assert_cmpint(prism_rtp_ext_find(&o, 3, &e), ==, -ENOENT);
    g_assert_cmpint(prism_rtp_ext_find(&o, 1, &e), ==, -ENOENT);
}

static void test_rtp_ext_rewrite_clears_x_bit_when_nothing_is_left(void)
{
    const uint8_t twcc[] = {0x12, 0x34};
    const struct prism_rtp_ext exts[] = {{3, 2, twcc}};
    uint8_t in[128], out[128];
    struct prism_rtp_header h, o;
    build(in, sizeof(in), exts, 1, 1, &h);
    struct prism_rtp_ext_map map = {0};
    struct prism_rtp_ext_added_set set = {0};
    g_assert_cmpint(rewrite(in, &h, &map, &set, out, sizeof(out), &o), ==, 16);
    g_assert_false(o.extension);
    /* And a packet without a block stays without one. */
    build(in, sizeof(in), NULL, 0, 0, &h);
    g_assert_cmpint(rewrite(in, &h, &map, &set, out, sizeof(out), &o), ==, 12);
    g_assert_false(o.extension);
}

static void test_rtp_ext_rewrite_adds_own_mid_and_stamps_send_time(void)
{
    const uint8_t mid[] = {'p', '0'}, level[] = {0x10};
    const struct prism_rtp_ext exts[] = {{4, 2, mid}, {1, 1, level}};
    uint8_t in[128], out[128];
    struct prism_rtp_header h, o;
    build(in, sizeof(in), NULL, 0, 0, &h);
    struct prism_rtp_ext_map map = {0};
    map.id[1] = 1;
    struct prism_rtp_ext_added_set set = {0};
    g_assert_cmpint(prism_rtp_ext_added_push(&set, 3, PRISM_RTP_EXT_STAMP_NONE, "7", 1), ==, 0);
    g_assert_cmpint(prism_rtp_ext_added_push(&set, 2, PRISM_RTP_EXT_STAMP_ABS_SEND_TIME, NULL, 3),
                    ==, 0);
    /* Without a block in the sender's packet, the added elements make one. */
    int hl = rewrite(in, &h, &map, &set, out, sizeof(out), &o);
    g_assert_cmpint(hl, ==, 12 + 4 + 8);
    struct prism_rtp_ext e;
    g_assert_cmpint(prism_rtp_ext_find(&o, 3, &e), ==, 0);
    g_assert_true(prism_rtp_ext_string_equals(&e, "7"));

    /* With one: the sender's mid (id 4, unmapped) goes, ours comes first. */
    build(in, sizeof(in), exts, 2, 0, &h);
    hl = rewrite(in, &h, &map, &set, out, sizeof(out), &o);
    size_t len = (size_t)hl + o.payload_len;
    uint8_t *at = prism_rtp_ext_stamp_at(out, len, &set, PRISM_RTP_EXT_STAMP_ABS_SEND_TIME);
    g_assert_nonnull(at);
    g_assert_true(at == out + 16 + 2 + 1); /* after the mid element: 1 + 1 bytes, then a head */
    g_assert_cmpint(prism_rtp_abs_send_time_write(at, 3, 0xABCDEF), ==, 0);
    g_assert_cmpint(prism_rtp_parse(out, len, &o), ==, 0);
    uint32_t value = 0;
    g_assert_cmpint(prism_rtp_ext_find(&o, 2, &e), ==, 0);
    g_assert_cmpint(prism_rtp_abs_send_time_read(&e, &value), ==, 0);
    g_assert_cmpuint(value, ==, 0xABCDEF);
    g_assert_cmpint(prism_rtp_ext_find(&o, 1, &e), ==, 0);
    g_assert_cmpint(prism_rtp_ext_find(&o, 4, &e), ==, -ENOENT);
    g_assert_null(prism_rtp_ext_stamp_at(out, len, &set, PRISM_RTP_EXT_STAMP_NONE));
    /* A packet the set did not write is not stamped. */
    g_assert_null(prism_rtp_ext_stamp_at(in, h.header_len + h.payload_len, &set,
                                         PRISM_RTP_EXT_STAMP_ABS_SEND_TIME));
    g_assert_null(prism_rtp_ext_stamp_at(out, 15, &set, PRISM_RTP_EXT_STAMP_ABS_SEND_TIME));
}

static void test_rtp_ext_rewrite_two_byte_input_becomes_one_byte_when_it_fits(void)
{
    /* A zero-length element forces the two-byte form on the sender's side. */
    const uint8_t level[] = {0x7F};
    const struct prism_rtp_ext exts[] = {{1, 1, level}, {5, 0, level}};
    uint8_t in[128], out[128];
    struct prism_rtp_header h, o;
    build(in, sizeof(in), exts, 2, 0, &h);
    g_assert_cmpuint(h.ext_profile, ==, PRISM_RTP_EXT_PROFILE_TWO_BYTE);
    struct prism_rtp_ext_map map = {0};
    map.id[1] = 14;
    struct prism_rtp_ext_added_set set = {0};
    rewrite(in, &h, &map, &set, out, sizeof(out), &o);
    g_assert_cmpuint(o.ext_profile, ==, PRISM_RTP_EXT_PROFILE_ONE_BYTE);
    struct prism_rtp_ext e;
    g_assert_cmpint(prism_rtp_ext_find(&o, 14, &e), ==, 0);
    g_assert_cmpuint(e.len, ==, 1);
    g_assert_cmpuint(e.data[0], ==, 0x7F);
}

static void test_rtp_ext_rewrite_long_element_needs_allow_mixed(void)
{
    uint8_t descriptor[40];
    for (size_t i = 0; i < sizeof(descriptor); i++)
        descriptor[i] = (uint8_t)i;
    const uint8_t level[] = {0x10};
    const struct prism_rtp_ext exts[] = {{1, 1, level}, {12, sizeof(descriptor), descriptor}};
    uint8_t in[128], out[128];
    struct prism_rtp_header h, o;
    build(in, sizeof(in), exts, 2, 0, &h);
    struct prism_rtp_ext_map map = {0};
    map.id[1] = 1;
    map.id[12] = 8;
    struct prism_rtp_ext_added_set set = {0};
    g_assert_cmpint(prism_rtp_ext_added_push(&set, 4, PRISM_RTP_EXT_STAMP_NONE, "0", 1), ==, 0);
    /* The receiver takes one-byte headers only: the 40-byte element cannot go. */
    rewrite(in, &h, &map, &set, out, sizeof(out), &o);
    struct prism_rtp_ext e;
    g_assert_cmpuint(o.ext_profile, ==, PRISM_RTP_EXT_PROFILE_ONE_BYTE);
    g_assert_cmpint(prism_rtp_ext_find(&o, 8, &e), ==, -ENOENT);
    g_assert_cmpint(prism_rtp_ext_find(&o, 1, &e), ==, 0);
    g_assert_cmpint(prism_rtp_ext_find(&o, 4, &e), ==, 0);
    /* It negotiated a=extmap-allow-mixed: everything in the two-byte form. */
    set.two_byte_allowed = true;
    rewrite(in, &h, &map, &set, out, sizeof(out), &o);
    g_assert_cmpuint(o.ext_profile, ==, PRISM_RTP_EXT_PROFILE_TWO_BYTE);
    g_assert_cmpint(prism_rtp_ext_find(&o, 8, &e), ==, 0);
    g_assert_cmpmem(e.data, e.len, descriptor, sizeof(descriptor));
    g_assert_cmpint(prism_rtp_ext_find(&o, 4, &e), ==, 0);
    g_assert_true(prism_rtp_ext_string_equals(&e, "0"));
    /* An id above 14 also needs the two-byte form. */
    map.id[12] = 0;
    map.id[1] = 200;
    rewrite(in, &h, &map, &set, out, sizeof(out), &o);
    g_assert_cmpuint(o.ext_profile, ==, PRISM_RTP_EXT_PROFILE_TWO_BYTE);
    g_assert_cmpint(prism_rtp_ext_find(&o, 200, &e), ==, 0);
}

static void test_rtp_ext_rewrite_sender_element_never_takes_an_added_id(void)
{
    const uint8_t level[] = {0x10};
    const struct prism_rtp_ext exts[] = {{1, 1, level}};
    uint8_t in[128], out[128];
    struct prism_rtp_header h, o;
    build(in, sizeof(in), exts, 1, 0, &h);
    struct prism_rtp_ext_map map = {0};
    map.id[1] = 4;
    struct prism_rtp_ext_added_set set = {0};
    g_assert_cmpint(prism_rtp_ext_added_push(&set, 4, PRISM_RTP_EXT_STAMP_NONE, "1", 1), ==, 0);
    rewrite(in, &h, &map, &set, out, sizeof(out), &o);
    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    int count = 0;
    prism_rtp_ext_iter_init(&it, &o);
    while (prism_rtp_ext_next(&it, &e) > 0)
        count++;
    g_assert_cmpint(count, ==, 1);
    g_assert_cmpint(prism_rtp_ext_find(&o, 4, &e), ==, 0);
    g_assert_true(prism_rtp_ext_string_equals(&e, "1"));
}

static void test_rtp_ext_rewrite_refuses_malformed_blocks(void)
{
    const uint8_t value[] = {1, 2, 3};
    const struct prism_rtp_ext exts[] = {{1, 3, value}};
    uint8_t in[128], out[128];
    struct prism_rtp_header h;
    build(in, sizeof(in), exts, 1, 0, &h);
    struct prism_rtp_ext_map map = {0};
    map.id[1] = 1;
    struct prism_rtp_ext_added_set set = {0};
    /* One-byte element claiming 16 bytes in a 4-byte block. */
    in[16] = 0x1F;
    g_assert_cmpint(prism_rtp_parse(in, h.header_len + 10, &h), ==, 0);
    g_assert_cmpint(prism_rtp_ext_rewrite(out, sizeof(out), in, &h, &map, &set), ==, -EBADMSG);
    /* Two-byte element whose length runs past the block. */
    in[12] = 0x10;
    in[13] = 0x00;
    in[16] = 1;
    in[17] = 9;
    g_assert_cmpint(prism_rtp_parse(in, h.header_len + 10, &h), ==, 0);
    g_assert_cmpint(prism_rtp_ext_rewrite(out, sizeof(out), in, &h, &map, &set), ==, -EBADMSG);
    /* A two-byte element cut after its id byte. */
    in[16] = 0;
    in[17] = 0;
    in[18] = 0;
    in[19] = 1;
    g_assert_cmpint(prism_rtp_parse(in, h.header_len + 10, &h), ==, 0);
    g_assert_cmpint(prism_rtp_ext_rewrite(out, sizeof(out), in, &h, &map, &set), ==, -EBADMSG);
}

static void test_rtp_ext_rewrite_ignores_unknown_profile_and_stops_at_id_15(void)
{
    const uint8_t value[] = {1, 2, 3};
    const struct prism_rtp_ext exts[] = {{1, 3, value}};
    uint8_t in[128], out[128];
    struct prism_rtp_header h, o;
    build(in, sizeof(in), exts, 1, 0, &h);
    struct prism_rtp_ext_map map = {0};
    map.id[1] = 1;
    struct prism_rtp_ext_added_set set = {0};
    /* id 15 first: the rest of the block is not read (RFC 8285 section 4.2). */
    in[16] = 0xF0;
    g_assert_cmpint(prism_rtp_parse(in, h.header_len + 10, &h), ==, 0);
    struct prism_rtp_header o2;
    g_assert_cmpint(rewrite(in, &h, &map, &set, out, sizeof(out), &o2), ==, 12);
    in[16] = 0x12;
    in[12] = 0x12; /* profile 0x12DE: not RFC 8285 */
    g_assert_cmpint(prism_rtp_parse(in, h.header_len + 10, &h), ==, 0);
    g_assert_cmpint(rewrite(in, &h, &map, &set, out, sizeof(out), &o), ==, 12);
    g_assert_false(o.extension);
}

static void test_rtp_ext_rewrite_writes_nothing_when_the_buffer_is_short(void)
{
    const uint8_t value[] = {1, 2, 3};
    const struct prism_rtp_ext exts[] = {{1, 3, value}};
    uint8_t in[128], out[128];
    struct prism_rtp_header h;
    build(in, sizeof(in), exts, 1, 0, &h);
    struct prism_rtp_ext_map map = {0};
    map.id[1] = 1;
    struct prism_rtp_ext_added_set set = {0};
    for (size_t cap = 0; cap < 20; cap++) {
        memset(out, 0xEE, sizeof(out));
        g_assert_cmpint(prism_rtp_ext_rewrite(out, cap, in, &h, &map, &set), ==, -ENOSPC);
        for (size_t i = 0; i < sizeof(out); i++)
            g_assert_cmpuint(out[i], ==, 0xEE);
    }
    g_assert_cmpint(prism_rtp_ext_rewrite(out, 20, in, &h, &map, &set), ==, 20);
    g_assert_cmpint(prism_rtp_ext_rewrite(NULL, 20, in, &h, &map, &set), ==, -EINVAL);
}

static void test_rtp_ext_added_push_validates(void)
{
    struct prism_rtp_ext_added_set set = {0};
    g_assert_cmpint(prism_rtp_ext_added_push(&set, 0, PRISM_RTP_EXT_STAMP_NONE, "a", 1), ==,
                    -EINVAL);
    g_assert_cmpint(prism_rtp_ext_added_push(&set, 1, PRISM_RTP_EXT_STAMP_NONE, "a", 0), ==,
                    -EINVAL);
    g_assert_cmpint(
        prism_rtp_ext_added_push(&set, 1, PRISM_RTP_EXT_STAMP_NONE, "01234567890123456", 17), ==,
        -EINVAL);
    g_assert_cmpint(prism_rtp_ext_added_push(&set, 1, PRISM_RTP_EXT_STAMP_NONE, NULL, 1), ==,
                    -EINVAL);
    g_assert_cmpint(prism_rtp_ext_added_push(&set, 1, PRISM_RTP_EXT_STAMP_ABS_SEND_TIME, NULL, 2),
                    ==, -EINVAL);
    for (uint8_t id = 1; id <= PRISM_RTP_EXT_MAX_ADDED; id++)
        g_assert_cmpint(prism_rtp_ext_added_push(&set, id, PRISM_RTP_EXT_STAMP_NONE, "a", 1), ==,
                        0);
    g_assert_cmpint(prism_rtp_ext_added_push(&set, 1, PRISM_RTP_EXT_STAMP_NONE, "a", 1), ==,
                    -EINVAL);
    g_assert_cmpint(prism_rtp_ext_added_push(&set, 99, PRISM_RTP_EXT_STAMP_NONE, "a", 1), ==,
                    -ENOSPC);
    g_assert_cmpuint(set.count, ==, PRISM_RTP_EXT_MAX_ADDED);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp/ext_rewrite/remaps_drops_and_closes_up",
                    test_rtp_ext_rewrite_remaps_drops_and_closes_up);
    g_test_add_func("/rtp/ext_rewrite/clears_x_bit_when_nothing_is_left",
                    test_rtp_ext_rewrite_clears_x_bit_when_nothing_is_left);
    g_test_add_func("/rtp/ext_rewrite/adds_own_mid_and_stamps_send_time",
                    test_rtp_ext_rewrite_adds_own_mid_and_stamps_send_time);
    g_test_add_func("/rtp/ext_rewrite/two_byte_input_becomes_one_byte_when_it_fits",
                    test_rtp_ext_rewrite_two_byte_input_becomes_one_byte_when_it_fits);
    g_test_add_func("/rtp/ext_rewrite/long_element_needs_allow_mixed",
                    test_rtp_ext_rewrite_long_element_needs_allow_mixed);
    g_test_add_func("/rtp/ext_rewrite/sender_element_never_takes_an_added_id",
                    test_rtp_ext_rewrite_sender_element_never_takes_an_added_id);
    g_test_add_func("/rtp/ext_rewrite/refuses_malformed_blocks",
                    test_rtp_ext_rewrite_refuses_malformed_blocks);
    g_test_add_func("/rtp/ext_rewrite/ignores_unknown_profile_and_stops_at_id_15",
                    test_rtp_ext_rewrite_ignores_unknown_profile_and_stops_at_id_15);
    g_test_add_func("/rtp/ext_rewrite/writes_nothing_when_the_buffer_is_short",
                    test_rtp_ext_rewrite_writes_nothing_when_the_buffer_is_short);
    g_test_add_func("/rtp/ext_rewrite/added_push_validates", test_rtp_ext_added_push_validates);
    return g_test_run();
}
