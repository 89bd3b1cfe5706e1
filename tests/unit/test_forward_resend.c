/* Retransmission through the forwarding state: output sequence numbers map back to the source
 * packet the current segment sent under them, and the stored source packet is rewritten for a
 * retransmission exactly as it was forwarded. Numbers never sent, skipped padding and numbers
 * from before a switch are refused. */
#include "forward_util.h"

/* Forwards p and keeps the output for comparison. */
static void send_keep(struct prism_forward_stream *s, const struct test_packet *p,
                      struct test_packet *out, uint64_t now_us)
{
    g_assert_cmpint(test_forward(s, p, out, now_us), ==, PRISM_FORWARD_SEND);
}

/* Rewrites p for a retransmission as out_seq: the result, and the copy in out. */
static enum prism_forward_result resend(const struct prism_forward_stream *s, uint16_t out_seq,
                                        const struct test_packet *p, struct test_packet *out)
{
    size_t len = 0;
    memset(out->data, 0, sizeof(out->data));
    enum prism_forward_result r = prism_forward_resend(s, out_seq, &p->h, p->data, p->len,
                                                       out->data, sizeof(out->data), &len);
    out->len = len;
    return r;
}

static uint16_t source_of(const struct prism_forward_stream *s, uint16_t out_seq)
{
    uint16_t in = 0;
    g_assert_cmpint(prism_forward_source_seq(s, out_seq, &in), ==, 0);
    return in;
}

static bool maps(const struct prism_forward_stream *s, uint16_t out_seq)
{
    uint16_t in;
    return prism_forward_source_seq(s, out_seq, &in) == 0;
}

static void test_forward_resend_is_byte_identical_to_the_original(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    test_video_source(&src);
    test_stream(&s, &src, 300, 90000);
    struct test_packet in[5], out[5], again;
    for (unsigned i = 0; i < 5; i++) {
        test_vp8_frame(&in[i], PUB_A_SSRC, (uint16_t)(7000 + i), 1000 + 3000 * i,
                       (uint16_t)(40 + i), i == 0);
        send_keep(&s, &in[i], &out[i], 33 * MS * i);
    }
    for (unsigned i = 0; i < 5; i++) {
        g_assert_cmpuint(source_of(&s, (uint16_t)(300 + i)), ==, 7000 + i);
        g_assert_cmpint(resend(&s, (uint16_t)(300 + i), &in[i], &again), ==, PRISM_FORWARD_SEND);
        g_assert_cmpuint(again.len, ==, out[i].len);
        g_assert_cmpmem(again.data, again.len, out[i].data, out[i].len);
    }
    /* The stream did not move: the next packet continues as if nothing was resent. */
    test_vp8_frame(&in[0], PUB_A_SSRC, 7005, 16000, 45, false);
    g_assert_cmpuint(test_send(&s, &in[0], 200 * MS).seq, ==, 305);
    g_assert_cmpuint(s.counters.forwarded, ==, 6);
}

static void test_forward_resend_refuses_numbers_never_sent(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    test_audio_source(&src);
    test_stream(&s, &src, 10, 0);
    uint16_t in;
    /* No segment yet. */
    g_assert_cmpint(prism_forward_source_seq(&s, 10, &in), ==, -ENOENT);
    struct test_packet p, out;
    for (unsigned i = 0; i < 3; i++) {
        test_opus(&p, PUB_A_SSRC, (uint16_t)(100 + i), 960 * i);
        send_keep(&s, &p, &out, 20 * MS * i);
    }
    g_assert_true(maps(&s, 12));
    g_assert_false(maps(&s, 13)); /* not sent yet */
    g_assert_false(maps(&s, 9));  /* before the segment's first packet */
    g_assert_false(maps(&s, 40000));
    /* A stored packet that is not the one sent under this number. */
    test_opus(&p, PUB_A_SSRC, 101, 960);
    g_assert_cmpint(resend(&s, 12, &p, &out), ==, PRISM_FORWARD_DROP);
    g_assert_cmpint(resend(&s, 11, &p, &out), ==, PRISM_FORWARD_SEND);
    /* Another SSRC with the right number. */
    test_opus(&p, PUB_B_SSRC, 101, 960);
    g_assert_cmpint(resend(&s, 11, &p, &out), ==, PRISM_FORWARD_DROP);
    /* An unmapped payload type. */
    test_opus(&p, PUB_A_SSRC, 101, 960);
    p.data[1] = (uint8_t)((p.data[1] & 0x80) | 33);
    g_assert_cmpint(prism_rtp_parse(p.data, p.len, &p.h), ==, 0);
    g_assert_cmpint(resend(&s, 11, &p, &out), ==, PRISM_FORWARD_DROP);
    /* Too small a buffer. */
    test_opus(&p, PUB_A_SSRC, 101, 960);
    size_t len = 0;
    g_assert_cmpint(prism_forward_resend(&s, 11, &p.h, p.data, p.len, out.data, p.len - 1, &len),
                    ==, PRISM_FORWARD_DROP);
}

/* A padding-only packet (skipped on purpose) leaves no output number; a real loss does. */
static void test_forward_resend_skips_padding_and_keeps_losses(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    test_audio_source(&src);
    test_stream(&s, &src, 500, 0);
    struct test_packet p, out;
    test_opus(&p, PUB_A_SSRC, 1, 0);
    send_keep(&s, &p, &out, 0); /* 1 -> 500 */
    struct prism_rtp_header_fields pad = {
        .payload_type = PUB_OPUS_PT, .seq = 2, .timestamp = 960, .ssrc = PUB_A_SSRC};
    test_build(&p, &pad, NULL, 0, 0);
    g_assert_cmpint(test_forward(&s, &p, &out, 20 * MS), ==, PRISM_FORWARD_DROP); /* skipped */
    test_opus(&p, PUB_A_SSRC, 3, 1920);
    send_keep(&s, &p, &out, 40 * MS); /* 3 -> 501 */
    /* 4 lost at the source: 502 stays a gap. */
    test_opus(&p, PUB_A_SSRC, 5, 3840);
    send_keep(&s, &p, &out, 80 * MS); /* 5 -> 503 */
    g_assert_cmpuint(source_of(&s, 500), ==, 1);
    g_assert_cmpuint(source_of(&s, 501), ==, 3);
    g_assert_cmpuint(source_of(&s, 502), ==, 4);
    g_assert_cmpuint(source_of(&s, 503), ==, 5);
    g_assert_false(maps(&s, 504));
    g_assert_false(maps(&s, 499));
    /* The skipped padding packet itself is never resent, whatever number is asked. */
    test_build(&p, &pad, NULL, 0, 0);
    for (uint16_t seq = 495; seq < 510; seq++)
        g_assert_cmpint(resend(&s, seq, &p, &out), ==, PRISM_FORWARD_DROP);
    /* A packet carrying the skipped number again, with a payload this time, has no number:
     * giving it one would reuse 500, the number of the packet before it. */
    test_opus(&p, PUB_A_SSRC, 2, 960);
    g_assert_cmpint(test_forward(&s, &p, &out, 85 * MS), ==, PRISM_FORWARD_DROP);
    /* A late packet that arrives after the skip keeps the number it would have had. */
    test_opus(&p, PUB_A_SSRC, 4, 2880);
    g_assert_cmpuint(test_send(&s, &p, 90 * MS).seq, ==, 502);
    g_assert_cmpint(resend(&s, 502, &p, &out), ==, PRISM_FORWARD_SEND);
}

static void test_forward_resend_refuses_numbers_before_a_switch(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    test_video_source(&src);
    test_stream(&s, &src, 65534, 0); /* the output wraps during the test */
    struct test_packet a[3], out;
    for (unsigned i = 0; i < 3; i++) {
        test_vp8_frame(&a[i], PUB_A_SSRC, (uint16_t)(200 + i), 3000 * i, (uint16_t)i, i == 0);
        send_keep(&s, &a[i], &out, 33 * MS * i);
    }
    g_assert_cmpuint(source_of(&s, 0), ==, 202);
    g_assert_cmpint(resend(&s, 65535, &a[1], &out), ==, PRISM_FORWARD_SEND);

    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    /* Waiting for the new source's keyframe: nothing of the old segment maps any more. */
    g_assert_false(maps(&s, 65535));
    g_assert_cmpint(resend(&s, 65535, &a[1], &out), ==, PRISM_FORWARD_DROP);
    struct test_packet b;
    test_vp8_frame(&b, PUB_B_SSRC, 201, 9000, 77, true); /* numbered close to the old source */
    struct test_packet sent;
    send_keep(&s, &b, &sent, 200 * MS);
    g_assert_cmpuint(sent.h.seq, ==, 1);
    g_assert_cmpuint(source_of(&s, 1), ==, 201);
    for (uint16_t seq = 65530; seq != 1; seq++)
        g_assert_false(maps(&s, seq));
    g_assert_cmpint(resend(&s, 0, &a[2], &out), ==, PRISM_FORWARD_DROP);
    g_assert_cmpint(resend(&s, 1, &b, &out), ==, PRISM_FORWARD_SEND);
    g_assert_cmpmem(out.data, out.len, sent.data, sent.len);
}

/* Source numbers wrapping inside a segment, with a skip on each side of the wrap. */
static void test_forward_resend_across_source_wrap(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    test_audio_source(&src);
    test_stream(&s, &src, 1000, 0);
    struct prism_rtp_header_fields pad = {.payload_type = PUB_OPUS_PT, .ssrc = PUB_A_SSRC};
    struct test_packet p, out;
    uint16_t expected_out = 1000;
    for (uint16_t seq = 65530; seq != 6; seq++) {
        if (seq == 65533 || seq == 2) {
            pad.seq = seq;
            test_build(&p, &pad, NULL, 0, 0);
            g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_DROP);
            continue;
        }
        test_opus(&p, PUB_A_SSRC, seq, 0);
        g_assert_cmpuint(test_send(&s, &p, 0).seq, ==, expected_out++);
    }
    expected_out = 1000;
    for (uint16_t seq = 65530; seq != 6; seq++) {
        if (seq != 65533 && seq != 2)
            g_assert_cmpuint(source_of(&s, expected_out++), ==, seq);
    }
    g_assert_cmpuint(expected_out, ==, 1010);
    g_assert_false(maps(&s, 1010));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/resend/byte-identical",
                    test_forward_resend_is_byte_identical_to_the_original);
    g_test_add_func("/forward/resend/never-sent", test_forward_resend_refuses_numbers_never_sent);
    g_test_add_func("/forward/resend/padding-and-loss",
                    test_forward_resend_skips_padding_and_keeps_losses);
    g_test_add_func("/forward/resend/before-switch",
                    test_forward_resend_refuses_numbers_before_a_switch);
    g_test_add_func("/forward/resend/source-wrap", test_forward_resend_across_source_wrap);
    return g_test_run();
}
