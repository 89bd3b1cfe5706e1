/* What the subscriber's copy looks like: its SSRC and payload type, its extension ids, VP8
 * picture ids continuous across switches, the rest untouched; and what is refused: unmapped
 * payload types, malformed extensions, bad header views, bad sources, too small buffers. */
#include "forward_util.h"

#include <errno.h>
#include <stdlib.h>

static void test_forward_maps_payload_type_and_ssrc_and_copies_the_rest(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_video_source(&src);
    test_stream(&s, &src, 0, 0);

    const uint32_t csrcs[] = {0x11111111, 0x22222222};
    struct prism_rtp_header_fields f = {.marker = true,
                                        .payload_type = PUB_VP8_PT,
                                        .seq = 5,
                                        .timestamp = 9,
                                        .ssrc = PUB_A_SSRC,
                                        .csrcs = csrcs,
                                        .csrc_count = 2};
    const uint8_t keyframe[] = {0x90, 0x80, 0x85, 0x55, 0x10}; /* picture id 0x0555 */
    test_build(&p, &f, keyframe, sizeof(keyframe), 1000);
    g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_SEND);
    g_assert_cmpuint(out.h.payload_type, ==, SUB_VP8_PT);
    g_assert_cmpuint(out.h.ssrc, ==, OUT_SSRC);
    g_assert_true(out.h.marker);
    g_assert_cmpuint(out.h.csrc_count, ==, 2);
    g_assert_cmpuint(prism_rtp_csrc(&out.h, 1), ==, 0x22222222);
    /* The first segment keeps the publisher's picture ids, so the payload is byte for byte. */
    g_assert_cmpmem(out.h.payload, out.h.payload_len, p.h.payload, p.h.payload_len);
}

static void test_forward_maps_each_payload_type_and_drops_unmapped_ones(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_audio_source(&src);
    src.payload_types[1] = (struct prism_forward_payload_type){
        .publisher = 0, .subscriber = 8, .codec = PRISM_SDP_CODEC_PCMU};
    src.payload_type_count = 2;
    test_stream(&s, &src, 0, 0);

    test_opus(&p, PUB_A_SSRC, 1, 0);
    g_assert_cmpuint(test_send(&s, &p, 0).payload_type, ==, SUB_OPUS_PT);
    prism_rtp_set_payload_type(p.data, 0);
    p.h.seq = 2; /* the view, not the bytes: the engine reads the view */
    p.h.payload_type = 0;
    g_assert_cmpuint(test_send(&s, &p, 0).payload_type, ==, 8);
    p.h.seq = 3;
    p.h.payload_type = 97;
    g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.dropped_invalid, ==, 1);
    g_assert_cmpuint(s.counters.forwarded, ==, 2);
}

static void test_forward_remaps_extension_ids_and_drops_unmapped(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_audio_source(&src);
    src.extensions.id[1] = 4; /* mid */
    src.extensions.id[5] = 1; /* audio level */
    /* 3 (transport-wide-cc) is not negotiated by this subscriber. */
    test_stream(&s, &src, 0, 0);

    const uint8_t twcc[] = {0x12, 0x34}, level[] = {0x85}, mid[] = {'a'};
    const struct prism_rtp_ext exts[] = {{1, 1, mid}, {3, 2, twcc}, {5, 1, level}};
    struct prism_rtp_header_fields f = {
        .payload_type = PUB_OPUS_PT, .seq = 1, .ssrc = PUB_A_SSRC, .exts = exts, .ext_count = 3};
    test_build(&p, &f, NULL, 0, 40);
    g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_SEND);

    struct prism_rtp_ext e;
    bool voice = false;
    uint8_t dbov = 0;
    g_assert_cmpint(prism_rtp_ext_find(&out.h, 4, &e), ==, 0);
    g_assert_true(prism_rtp_ext_string_equals(&e, "a"));
    g_assert_cmpint(prism_rtp_ext_find(&out.h, 1, &e), ==, 0);
    g_assert_cmpint(prism_rtp_audio_level_read(&e, &voice, &dbov), ==, 0);
    g_assert_true(voice);
    g_assert_cmpuint(dbov, ==, 5);
    g_assert_cmpint(prism_rtp_ext_find(&out.h, 3, &e), ==, -ENOENT);
    g_assert_cmpint(prism_rtp_ext_find(&out.h, 5, &e), ==, -ENOENT);
    /* The block closes up over the dropped element: mid and level fit one word. */
    g_assert_cmpuint(out.h.ext_len, ==, 4);
    g_assert_cmpuint(out.h.header_len, ==, p.h.header_len - 4);
    /* The publisher's packet is left as it was, for the next subscriber. */
    g_assert_cmpint(prism_rtp_ext_find(&p.h, 3, &e), ==, 0);
}

static void test_forward_drops_malformed_extension_block(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_audio_source(&src);
    src.extensions.id[1] = 1;
    test_stream(&s, &src, 0, 0);

    const uint8_t value[] = {1, 2, 3};
    const struct prism_rtp_ext exts[] = {{1, 3, value}};
    struct prism_rtp_header_fields f = {
        .payload_type = PUB_OPUS_PT, .ssrc = PUB_A_SSRC, .exts = exts, .ext_count = 1};
    test_build(&p, &f, NULL, 0, 40);
    /* The element now claims 16 bytes in a 4-byte block. */
    p.data[16] = 0x1F;
    g_assert_cmpint(prism_rtp_parse(p.data, p.len, &p.h), ==, 0);
    g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.dropped_invalid, ==, 1);
}

/* Reads the VP8 picture id and TL0PICIDX of a forwarded packet. */
static void read_vp8(const struct test_packet *out, uint16_t *picture_id, uint8_t *tl0picidx)
{
    struct prism_rtp_vp8 d;
    g_assert_cmpint(prism_rtp_vp8_parse(out->h.payload, out->h.payload_len, &d), ==, 0);
    g_assert_true(d.has_picture_id);
    *picture_id = d.picture_id;
    *tl0picidx = d.has_tl0picidx ? d.tl0picidx : 0;
}

static void test_forward_vp8_picture_id_continues_across_switch(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    uint16_t id;
    uint8_t tl0;
    test_video_source(&src);
    test_stream(&s, &src, 0, 0);

    test_vp8_frame(&p, PUB_A_SSRC, 1, 0, 32766, true);
    g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_SEND);
    read_vp8(&out, &id, &tl0);
    g_assert_cmpuint(id, ==, 32766);
    g_assert_cmpuint(tl0, ==, 0xFE);
    test_vp8_frame(&p, PUB_A_SSRC, 2, 3000, 32767, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 33 * MS), ==, PRISM_FORWARD_SEND);

    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    test_vp8_frame(&p, PUB_B_SSRC, 100, 0, 20000, true);
    g_assert_cmpint(test_forward(&s, &p, &out, 66 * MS), ==, PRISM_FORWARD_SEND);
    read_vp8(&out, &id, &tl0);
    g_assert_cmpuint(id, ==, 0); /* 32767 + 1 wraps in 15 bits */
    g_assert_cmpuint(tl0, ==, 0x00);
    test_vp8_frame(&p, PUB_B_SSRC, 101, 3000, 20001, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 99 * MS), ==, PRISM_FORWARD_SEND);
    read_vp8(&out, &id, &tl0);
    g_assert_cmpuint(id, ==, 1);
    g_assert_cmpuint(tl0, ==, 0x01);
    /* Only the descriptor changed. */
    g_assert_cmpmem(out.h.payload + 5, out.h.payload_len - 5, p.h.payload + 5, p.h.payload_len - 5);
}

static void test_forward_vp8_short_picture_id_continues_across_switches(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    uint16_t id;
    uint8_t tl0;
    test_video_source(&src);
    test_stream(&s, &src, 0, 0);

    struct prism_rtp_vp8 d = {.start_of_partition = true, .has_picture_id = true};
    const uint16_t in[] = {126, 127, 0};
    for (unsigned i = 0; i < 3; i++) {
        d.picture_id = in[i];
        test_vp8(&p, PUB_A_SSRC, (uint16_t)(10 + i), 3000 * i, &d, i == 0);
        g_assert_cmpint(test_forward(&s, &p, &out, 33 * MS * i), ==, PRISM_FORWARD_SEND);
        read_vp8(&out, &id, &tl0);
        g_assert_cmpuint(id, ==, in[i]);
    }
    /* Another 7-bit publisher: continues at 1. */
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    d.picture_id = 50;
    test_vp8(&p, PUB_B_SSRC, 500, 0, &d, true);
    g_assert_cmpint(test_forward(&s, &p, &out, 100 * MS), ==, PRISM_FORWARD_SEND);
    read_vp8(&out, &id, &tl0);
    g_assert_cmpuint(id, ==, 1);
    d.picture_id = 51;
    test_vp8(&p, PUB_B_SSRC, 501, 3000, &d, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 133 * MS), ==, PRISM_FORWARD_SEND);
    read_vp8(&out, &id, &tl0);
    g_assert_cmpuint(id, ==, 2);
    /* Then a 15-bit one: its low 7 bits continue. */
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    test_vp8_frame(&p, PUB_A_SSRC, 70, 0, 9000, true);
    g_assert_cmpint(test_forward(&s, &p, &out, 166 * MS), ==, PRISM_FORWARD_SEND);
    read_vp8(&out, &id, &tl0);
    g_assert_cmpuint(id & 0x7F, ==, 3);
}

static void test_forward_vp8_without_picture_id_is_untouched(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_video_source(&src);
    test_stream(&s, &src, 0, 0);
    test_vp8_frame(&p, PUB_A_SSRC, 1, 0, 300, true);
    test_send(&s, &p, 0);

    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    struct prism_rtp_vp8 plain = {.start_of_partition = true};
    test_vp8(&p, PUB_B_SSRC, 9, 0, &plain, true);
    g_assert_cmpint(test_forward(&s, &p, &out, 33 * MS), ==, PRISM_FORWARD_SEND);
    g_assert_cmpmem(out.h.payload, out.h.payload_len, p.h.payload, p.h.payload_len);
}

static void test_forward_small_output_buffer_drops_without_writing_past_it(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p;
    test_audio_source(&src);
    test_stream(&s, &src, 0, 0);
    test_opus(&p, PUB_A_SSRC, 1, 0);

    /* Exactly out_cap bytes, so the sanitizer sees any write past it. */
    size_t cap = p.len - 1, len = 12345;
    uint8_t *out = malloc(cap);
    g_assert_nonnull(out);
    memset(out, 0xEE, cap);
    g_assert_cmpint(prism_forward_packet(&s, &p.h, p.data, p.len, out, cap, &len, 0), ==,
                    PRISM_FORWARD_DROP);
    g_assert_cmpuint(len, ==, 12345);
    for (size_t i = 0; i < cap; i++)
        g_assert_cmpuint(out[i], ==, 0xEE);
    free(out);
    g_assert_cmpuint(s.counters.dropped_invalid, ==, 1);
    /* The drop cost nothing: the same packet fits a right-sized buffer next. */
    out = malloc(p.len);
    g_assert_nonnull(out);
    g_assert_cmpint(prism_forward_packet(&s, &p.h, p.data, p.len, out, p.len, &len, 0), ==,
                    PRISM_FORWARD_SEND);
    g_assert_cmpuint(len, ==, p.len);
    g_assert_cmpuint(prism_read_be16(out + 2), ==, 0);
    free(out);
}

static void test_forward_rejects_header_view_not_matching_packet(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    size_t len;
    test_audio_source(&src);
    test_stream(&s, &src, 0, 0);
    test_opus(&p, PUB_A_SSRC, 1, 0);

    struct prism_rtp_header bad = p.h;
    bad.payload_len += 1; /* longer than the packet */
    g_assert_cmpint(prism_forward_packet(&s, &bad, p.data, p.len, out.data, 1500, &len, 0), ==,
                    PRISM_FORWARD_DROP);
    bad = p.h;
    bad.extension = true; /* an extension block the header length does not hold */
    bad.ext_len = 400;
    bad.ext_data = p.data + 16;
    g_assert_cmpint(prism_forward_packet(&s, &bad, p.data, p.len, out.data, 1500, &len, 0), ==,
                    PRISM_FORWARD_DROP);
    bad = p.h;
    bad.csrc_count = 15; /* CSRCs past the payload */
    g_assert_cmpint(prism_forward_packet(&s, &bad, p.data, p.len, out.data, 1500, &len, 0), ==,
                    PRISM_FORWARD_DROP);
    g_assert_cmpint(prism_forward_packet(&s, &p.h, p.data, 11, out.data, 1500, &len, 0), ==,
                    PRISM_FORWARD_DROP);
    g_assert_cmpint(prism_forward_packet(&s, &p.h, p.data, p.len, NULL, 1500, &len, 0), ==,
                    PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.dropped_invalid, ==, 5);
    g_assert_cmpint(prism_forward_packet(&s, &p.h, p.data, p.len, out.data, 1500, &len, 0), ==,
                    PRISM_FORWARD_SEND);
}

static void test_forward_rejects_bad_sources_and_config(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct prism_forward_config cfg = {.ssrc = OUT_SSRC};
    g_assert_cmpint(prism_forward_init(&s, NULL), ==, -EINVAL);
    g_assert_cmpint(prism_forward_init(&s, &cfg), ==, 0);
    test_audio_source(&src);
    g_assert_cmpint(prism_forward_update_source(&s, &src), ==, -EINVAL); /* nothing to update */
    g_assert_cmpint(prism_forward_switch(&s, NULL), ==, -EINVAL);
    src.clock_rate = 0;
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, -EINVAL);
    src.clock_rate = PRISM_FORWARD_MAX_CLOCK_RATE + 1;
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, -EINVAL);
    test_audio_source(&src);
    src.payload_types[0].subscriber = 128;
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, -EINVAL);
    test_audio_source(&src);
    src.payload_types[1] = src.payload_types[0]; /* the same publisher type twice */
    src.payload_type_count = 2;
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, -EINVAL);
    src.payload_type_count = PRISM_FORWARD_MAX_PAYLOAD_TYPES + 1;
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, -EINVAL);
    g_assert_cmpuint(s.counters.switches, ==, 0);

    /* Nothing set up: every packet is dropped. */
    struct test_packet p, out;
    test_opus(&p, PUB_A_SSRC, 1, 0);
    g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_DROP);
}

static void test_forward_update_source_changes_mapping_without_switch(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p;
    test_video_source(&src);
    test_stream(&s, &src, 60, 0);
    test_vp8_frame(&p, PUB_A_SSRC, 1, 0, 1, true);
    g_assert_cmpuint(test_send(&s, &p, 0).payload_type, ==, SUB_VP8_PT);

    src.payload_types[0].subscriber = 121;
    g_assert_cmpint(prism_forward_update_source(&s, &src), ==, 0);
    test_vp8_frame(&p, PUB_A_SSRC, 2, 3000, 2, false);
    struct prism_rtp_header h = test_send(&s, &p, 33 * MS);
    g_assert_cmpuint(h.payload_type, ==, 121);
    g_assert_cmpuint(h.seq, ==, 61);
    g_assert_cmpuint(h.timestamp, ==, 3000);
    g_assert_cmpuint(s.counters.switches, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/maps_payload_type_and_ssrc_and_copies_the_rest",
                    test_forward_maps_payload_type_and_ssrc_and_copies_the_rest);
    g_test_add_func("/forward/maps_each_payload_type_and_drops_unmapped_ones",
                    test_forward_maps_each_payload_type_and_drops_unmapped_ones);
    g_test_add_func("/forward/remaps_extension_ids_and_drops_unmapped",
                    test_forward_remaps_extension_ids_and_drops_unmapped);
    g_test_add_func("/forward/drops_malformed_extension_block",
                    test_forward_drops_malformed_extension_block);
    g_test_add_func("/forward/vp8_picture_id_continues_across_switch",
                    test_forward_vp8_picture_id_continues_across_switch);
    g_test_add_func("/forward/vp8_short_picture_id_continues_across_switches",
                    test_forward_vp8_short_picture_id_continues_across_switches);
    g_test_add_func("/forward/vp8_without_picture_id_is_untouched",
                    test_forward_vp8_without_picture_id_is_untouched);
    g_test_add_func("/forward/small_output_buffer_drops_without_writing_past_it",
                    test_forward_small_output_buffer_drops_without_writing_past_it);
    g_test_add_func("/forward/rejects_header_view_not_matching_packet",
                    test_forward_rejects_header_view_not_matching_packet);
    g_test_add_func("/forward/rejects_bad_sources_and_config",
                    test_forward_rejects_bad_sources_and_config);
    g_test_add_func("/forward/update_source_changes_mapping_without_switch",
                    test_forward_update_source_changes_mapping_without_switch);
    return g_test_run();
}
