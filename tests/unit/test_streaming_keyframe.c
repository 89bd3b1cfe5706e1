/* The Streaming plugin's kept keyframe: collected from its first packet to the marker, an
 * incomplete or oversized one dropped, replayed renumbered right before a later packet, and
 * handed out packet by packet as it arrived (what a worker's relay group is sent to rebuild its
 * own copy). */
#include "media/rtp/codec.h"
#include "media/rtp/header.h"
#include "plugins/streaming/keyframe.h"

#include <glib.h>
#include <errno.h>
#include <string.h>

/* A VP8 packet: 15-bit picture id, S bit on the first packet of a frame, P bit clear for a
 * keyframe. */
static size_t vp8_packet(uint8_t *buf, uint16_t seq, uint32_t ts, bool marker, bool start, bool key,
                         uint16_t picture_id, uint8_t fill)
{
    struct prism_rtp_header_fields fields = {
        .marker = marker, .payload_type = 96, .seq = seq, .timestamp = ts, .ssrc = 0x1234};
    int header = prism_rtp_build_header(buf, 1500, &fields);
    g_assert_cmpint(header, ==, 12);
    uint8_t *p = buf + header;
    p[0] = (uint8_t)(0x80 | (start ? 0x10 : 0)); /* X, S, PID 0 */
    p[1] = 0x80;                                 /* I */
    p[2] = (uint8_t)(0x80 | (picture_id >> 8));  /* M + 15 bits */
    p[3] = (uint8_t)picture_id;
    p[4] = key ? 0x00 : 0x01; /* VP8 payload header: P bit */
    memset(p + 5, fill, 40);
    return (size_t)header + 45;
}

static bool feed(struct st_keyframe *kf, const uint8_t *packet, size_t len)
{
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(packet, len, &h), ==, 0);
    return st_keyframe_feed(kf, packet, len, &h);
}

static void test_streaming_keyframe_kept_from_start_to_marker(void)
{
    struct st_keyframe kf;
    st_keyframe_init(&kf, PRISM_SDP_CODEC_VP8);
    uint8_t buf[1500];
    g_assert_false(feed(&kf, buf, vp8_packet(buf, 10, 900, true, true, false, 5, 1)));
    g_assert_false(feed(&kf, buf, vp8_packet(buf, 11, 1800, false, true, true, 6, 2)));
    g_assert_true(st_keyframe_collecting(&kf, 1800));
    g_assert_false(feed(&kf, buf, vp8_packet(buf, 12, 1800, false, false, true, 6, 3)));
    g_assert_cmpuint(st_keyframe_packets(&kf), ==, 0);
    g_assert_true(feed(&kf, buf, vp8_packet(buf, 13, 1800, true, false, true, 6, 4)));
    g_assert_cmpuint(st_keyframe_packets(&kf), ==, 3);
    g_assert_false(st_keyframe_collecting(&kf, 1800));
    /* Delta frames after it change nothing. */
    g_assert_false(feed(&kf, buf, vp8_packet(buf, 14, 2700, true, true, false, 7, 5)));
    g_assert_cmpuint(st_keyframe_packets(&kf), ==, 3);
    st_keyframe_clear(&kf);
}

static void test_streaming_keyframe_incomplete_one_is_dropped(void)
{
    struct st_keyframe kf;
    st_keyframe_init(&kf, PRISM_SDP_CODEC_VP8);
    uint8_t buf[1500];
    g_assert_true(feed(&kf, buf, vp8_packet(buf, 1, 100, true, true, true, 1, 1)));
    /* A second keyframe whose marker packet is lost: the first one stays. */
    feed(&kf, buf, vp8_packet(buf, 2, 200, false, true, true, 2, 2));
    feed(&kf, buf, vp8_packet(buf, 4, 300, true, true, false, 3, 3));
    g_assert_cmpuint(st_keyframe_packets(&kf), ==, 1);
    /* One too large for the store is not kept either. */
    feed(&kf, buf, vp8_packet(buf, 5, 400, false, true, true, 4, 4));
    for (unsigned i = 0; i < ST_KEYFRAME_MAX_PACKETS + 1; i++)
        feed(&kf, buf, vp8_packet(buf, (uint16_t)(6 + i), 400, false, false, true, 4, 5));
    feed(&kf, buf, vp8_packet(buf, 600, 400, true, false, true, 4, 6));
    g_assert_cmpuint(st_keyframe_packets(&kf), ==, 1);
    /* Garbage payloads and another codec's packets are not keyframes. */
    struct prism_rtp_header h = {.payload = (const uint8_t *)"", .payload_len = 0};
    g_assert_false(st_keyframe_starts(PRISM_SDP_CODEC_VP8, &h));
    g_assert_false(st_keyframe_starts(PRISM_SDP_CODEC_OPUS, &h));
    st_keyframe_forget(&kf);
    g_assert_cmpuint(st_keyframe_packets(&kf), ==, 0);
    st_keyframe_clear(&kf);
}

static void test_streaming_keyframe_replay_ends_before_next_packet(void)
{
    struct st_keyframe kf;
    st_keyframe_init(&kf, PRISM_SDP_CODEC_VP8);
    uint8_t buf[1500];
    feed(&kf, buf, vp8_packet(buf, 100, 9000, false, true, true, 40, 7));
    g_assert_true(feed(&kf, buf, vp8_packet(buf, 101, 9000, true, false, true, 40, 8)));
    /* The next frame starts at sequence number 500 with picture id 300. */
    uint8_t next_buf[1500];
    size_t next_len = vp8_packet(next_buf, 500, 50000, false, true, false, 300, 9);
    struct prism_rtp_header next;
    g_assert_cmpint(prism_rtp_parse(next_buf, next_len, &next), ==, 0);
    uint8_t out[1500];
    for (unsigned i = 0; i < 2; i++) {
        int len = st_keyframe_replay_packet(&kf, i, &next, 47000, out, sizeof(out));
        g_assert_cmpint(len, ==, 57);
        struct prism_rtp_header h;
        g_assert_cmpint(prism_rtp_parse(out, (size_t)len, &h), ==, 0);
        g_assert_cmpuint(h.seq, ==, 498 + i);
        g_assert_cmpuint(h.timestamp, ==, 47000);
        g_assert_cmpuint(h.ssrc, ==, 0x1234);
        g_assert_cmpuint(h.marker, ==, i == 1);
        struct prism_rtp_vp8 vp8;
        g_assert_cmpint(prism_rtp_vp8_parse(h.payload, h.payload_len, &vp8), ==, 0);
        g_assert_cmpuint(vp8.picture_id, ==, 299);
        g_assert_cmpuint(h.payload[h.payload_len - 1], ==, 7 + i); /* the payload as kept */
    }
    g_assert_cmpint(st_keyframe_replay_packet(&kf, 2, &next, 0, out, sizeof(out)), ==, -ENOENT);
    g_assert_cmpint(st_keyframe_replay_packet(&kf, 0, &next, 0, out, 20), ==, -ENOSPC);
    st_keyframe_clear(&kf);
}

static void test_streaming_keyframe_packets_rebuild_a_copy(void)
{
    struct st_keyframe kept, copy;
    st_keyframe_init(&kept, PRISM_SDP_CODEC_VP8);
    st_keyframe_init(&copy, PRISM_SDP_CODEC_VP8);
    uint8_t buf[1500];
    const uint8_t *data = NULL;
    size_t len = 0;
    g_assert_false(st_keyframe_packet(&kept, 0, &data, &len));
    feed(&kept, buf, vp8_packet(buf, 100, 9000, false, true, true, 40, 1));
    feed(&kept, buf, vp8_packet(buf, 101, 9000, false, false, true, 40, 2));
    feed(&kept, buf, vp8_packet(buf, 102, 9000, true, false, true, 40, 3));
    g_assert_cmpuint(st_keyframe_packets(&kept), ==, 3);
    unsigned i = 0;
    bool completed = false;
    for (; st_keyframe_packet(&kept, i, &data, &len); i++) {
        struct prism_rtp_header h;
        g_assert_cmpint(prism_rtp_parse(data, len, &h), ==, 0);
        g_assert_cmpuint(h.seq, ==, 100 + i); /* as it arrived: not renumbered */
        g_assert_cmpuint(h.payload[h.payload_len - 1], ==, 1 + i);
        completed = st_keyframe_feed(&copy, data, len, &h);
    }
    g_assert_cmpuint(i, ==, 3);
    g_assert_true(completed);
    g_assert_cmpuint(st_keyframe_packets(&copy), ==, 3);
    uint8_t a[1500], b[1500];
    struct prism_rtp_header next;
    size_t next_len = vp8_packet(buf, 103, 12000, true, true, false, 41, 9);
    g_assert_cmpint(prism_rtp_parse(buf, next_len, &next), ==, 0);
    for (unsigned k = 0; k < 3; k++) {
        int la = st_keyframe_replay_packet(&kept, k, &next, 9000, a, sizeof(a));
        int lb = st_keyframe_replay_packet(&copy, k, &next, 9000, b, sizeof(b));
        g_assert_cmpint(la, >, 0);
        g_assert_cmpmem(a, (size_t)la, b, (size_t)lb);
    }
    st_keyframe_clear(&kept);
    st_keyframe_clear(&copy);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/streaming/keyframe_kept_from_start_to_marker",
                    test_streaming_keyframe_kept_from_start_to_marker);
    g_test_add_func("/streaming/keyframe_incomplete_one_is_dropped",
                    test_streaming_keyframe_incomplete_one_is_dropped);
    g_test_add_func("/streaming/keyframe_replay_ends_before_next_packet",
                    test_streaming_keyframe_replay_ends_before_next_packet);
    g_test_add_func("/streaming/keyframe_packets_rebuild_a_copy",
                    test_streaming_keyframe_packets_rebuild_a_copy);
    return g_test_run();
}
