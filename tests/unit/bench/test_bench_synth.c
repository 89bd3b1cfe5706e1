/* Synthetic Opus and VP8 streams of prism-bench and their send stamps: timing, continuity,
 * parseability by Prism's own RTP code, and bounded stamp reading on malformed payloads. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "bench/lib/synth/audio.h"
#include "bench/lib/synth/stamp.h"
#include "bench/lib/synth/video.h"
#include "media/rtp/codec.h"
#include "media/rtp/extension.h"
#include "media/rtp/header.h"

#define BUF_CAP 1500
#define START_US UINT64_C(1000000000)

static void test_stamp_round_trips_after_opus_toc(void)
{
    uint8_t payload[40] = {0x78};
    struct bench_stamp in = {.send_us = UINT64_C(0x0123456789abcdef), .publisher = 0xfeedbeef};
    g_assert_cmpint(bench_stamp_write(payload + 1, sizeof(payload) - 1, &in), ==, BENCH_STAMP_LEN);
    static const uint8_t magic[4] = {'P', 'R', 'B', 'S'};
    g_assert_true(memcmp(payload + 1, magic, 4) == 0);
    struct bench_stamp out;
    g_assert_cmpint(bench_stamp_read(payload, 1 + BENCH_STAMP_LEN, false, &out), ==, 0);
    g_assert_cmpuint(out.send_us, ==, in.send_us);
    g_assert_cmpuint(out.publisher, ==, in.publisher);
}

static void test_stamp_write_needs_room(void)
{
    uint8_t buf[BENCH_STAMP_LEN];
    struct bench_stamp in = {.send_us = 1, .publisher = 2};
    g_assert_cmpint(bench_stamp_write(buf, BENCH_STAMP_LEN - 1, &in), ==, -ENOSPC);
}

static void test_stamp_read_rejects_foreign_payloads(void)
{
    uint8_t payload[32] = {0x78};
    struct bench_stamp in = {.send_us = 42, .publisher = 7};
    bench_stamp_write(payload + 1, sizeof(payload) - 1, &in);
    struct bench_stamp out = {.send_us = 99, .publisher = 99};
    /* empty, truncated by one byte, only the TOC */
    g_assert_cmpint(bench_stamp_read(payload, 0, false, &out), ==, -EINVAL);
    g_assert_cmpint(bench_stamp_read(payload, BENCH_STAMP_LEN, false, &out), ==, -EINVAL);
    g_assert_cmpint(bench_stamp_read(payload, 1, false, &out), ==, -EINVAL);
    /* wrong magic */
    payload[2] ^= 0x01;
    g_assert_cmpint(bench_stamp_read(payload, sizeof(payload), false, &out), ==, -EINVAL);
    /* garbage, as audio and as video (an extended VP8 descriptor running off the end) */
    uint8_t garbage[] = {0xff, 0xff, 0xff};
    g_assert_cmpint(bench_stamp_read(garbage, sizeof(garbage), false, &out), ==, -EINVAL);
    g_assert_cmpint(bench_stamp_read(garbage, sizeof(garbage), true, &out), ==, -EINVAL);
    g_assert_cmpint(bench_stamp_read(payload, 0, true, &out), ==, -EINVAL);
    g_assert_cmpuint(out.send_us, ==, 99);
}

/* Collects the packets due at now_us; returns how many. */
static unsigned drain_audio(struct bench_audio *audio, uint64_t now_us, uint8_t *buf)
{
    unsigned n = 0;
    while (bench_audio_next(audio, now_us, buf, BUF_CAP) > 0)
        n++;
    return n;
}

static void test_audio_sends_50_packets_a_second_with_continuity(void)
{
    struct bench_audio_params params = {
        .ssrc = 0x11223344, .payload_type = 111, .audio_level_id = 1, .publisher = 5};
    struct bench_audio audio;
    bench_audio_init(&audio, &params);
    uint8_t buf[BUF_CAP];
    unsigned count = 0;
    uint16_t first_seq = audio.seq;
    uint32_t first_ts = audio.timestamp;
    unsigned voiced = 0;
    for (uint64_t now = START_US; now < START_US + 1000000; now += 1000) {
        int len;
        while ((len = bench_audio_next(&audio, now, buf, sizeof(buf))) > 0) {
            struct prism_rtp_header h;
            g_assert_cmpint(prism_rtp_parse(buf, (size_t)len, &h), ==, 0);
            g_assert_cmpuint(h.seq, ==, (uint16_t)(first_seq + count));
            g_assert_cmpuint(h.timestamp, ==, first_ts + 960 * count);
            g_assert_cmpuint(h.ssrc, ==, 0x11223344);
            g_assert_cmpuint(h.payload_type, ==, 111);
            g_assert_cmpuint(h.payload_len, ==, 80);
            g_assert_cmpuint(h.payload[0], ==, 0x78);
            struct prism_rtp_ext ext;
            bool voice;
            uint8_t level;
            g_assert_cmpint(prism_rtp_ext_find(&h, 1, &ext), ==, 0);
            g_assert_cmpint(prism_rtp_audio_level_read(&ext, &voice, &level), ==, 0);
            g_assert_cmpuint(level, <=, 127);
            voiced += voice;
            struct bench_stamp stamp;
            g_assert_cmpint(bench_stamp_read(h.payload, h.payload_len, false, &stamp), ==, 0);
            g_assert_cmpuint(stamp.send_us, ==, now);
            g_assert_cmpuint(stamp.send_us, ==, START_US + 20000 * count);
            g_assert_cmpuint(stamp.publisher, ==, 5);
            count++;
        }
        g_assert_cmpint(len, ==, 0);
    }
    g_assert_cmpuint(count, ==, 50);
    g_assert_cmpuint(voiced, >, 0);
    g_assert_cmpuint(bench_audio_deadline(&audio), ==, START_US + 1000000);
    g_assert_cmpuint(audio.sent, ==, 50);
}

static void test_audio_level_rises_and_falls_with_pauses(void)
{
    struct bench_audio_params params = {.ssrc = 1, .payload_type = 111, .audio_level_id = 3};
    struct bench_audio audio;
    bench_audio_init(&audio, &params);
    uint8_t buf[BUF_CAP];
    bool seen_silence = false;
    uint8_t loudest = 127, softest = 0;
    for (unsigned i = 0; i < 250; i++) {
        int len = bench_audio_next(&audio, START_US + i * 20000, buf, sizeof(buf));
        g_assert_cmpint(len, >, 0);
        struct prism_rtp_header h;
        struct prism_rtp_ext ext;
        bool voice;
        uint8_t level;
        g_assert_cmpint(prism_rtp_parse(buf, (size_t)len, &h), ==, 0);
        g_assert_cmpint(prism_rtp_ext_find(&h, 3, &ext), ==, 0);
        g_assert_cmpint(prism_rtp_audio_level_read(&ext, &voice, &level), ==, 0);
        if (!voice) {
            seen_silence = true;
            g_assert_cmpuint(level, ==, 127);
            continue;
        }
        loudest = MIN(loudest, level);
        softest = MAX(softest, level);
    }
    g_assert_true(seen_silence);
    g_assert_cmpuint(softest - loudest, >=, 10);
}

static void test_audio_without_extension_id_has_no_extension(void)
{
    struct bench_audio_params params = {.ssrc = 9, .payload_type = 111, .payload_size = 160};
    struct bench_audio audio;
    bench_audio_init(&audio, &params);
    uint8_t buf[BUF_CAP];
    int len = bench_audio_next(&audio, START_US, buf, sizeof(buf));
    g_assert_cmpint(len, ==, 12 + 160);
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(buf, (size_t)len, &h), ==, 0);
    g_assert_false(h.extension);
    g_assert_cmpint(bench_audio_next(&audio, START_US + 19999, buf, sizeof(buf)), ==, 0);
    g_assert_cmpuint(bench_audio_deadline(&audio), ==, START_US + 20000);
}

static void test_audio_resumes_after_stall_without_burst(void)
{
    struct bench_audio_params params = {.ssrc = 2, .payload_type = 111};
    struct bench_audio audio;
    bench_audio_init(&audio, &params);
    uint8_t buf[BUF_CAP];
    g_assert_cmpuint(drain_audio(&audio, START_US, buf), ==, 1);
    uint32_t ts0 = audio.timestamp - 960;
    /* Stalled for a second and 5 ms: one packet, then the next at its usual slot. */
    g_assert_cmpuint(drain_audio(&audio, START_US + 1005000, buf), ==, 1);
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(buf, 12 + 80, &h), ==, 0);
    g_assert_cmpuint(h.timestamp, ==, ts0 + 50 * 960);
    g_assert_cmpuint(bench_audio_deadline(&audio), ==, START_US + 1020000);
    g_assert_cmpuint(drain_audio(&audio, START_US + 1020000, buf), ==, 1);
}

static void test_audio_reports_small_buffer(void)
{
    struct bench_audio_params params = {.ssrc = 2, .payload_type = 111, .audio_level_id = 1};
    struct bench_audio audio;
    bench_audio_init(&audio, &params);
    uint8_t buf[BUF_CAP];
    uint16_t seq = audio.seq;
    g_assert_cmpint(bench_audio_next(&audio, START_US, buf, 50), ==, -ENOSPC);
    g_assert_cmpuint(audio.seq, ==, seq);
    g_assert_cmpint(bench_audio_next(&audio, START_US, buf, sizeof(buf)), ==, 12 + 8 + 80);
}

/* What one video packet looked like, checked against Prism's parsers. */
struct video_packet {
    struct prism_rtp_header h;
    struct prism_rtp_vp8 vp8;
    struct bench_stamp stamp;
};

static int next_video(struct bench_video *video, uint64_t now, uint8_t *buf,
                      struct video_packet *out)
{
    int len = bench_video_next(video, now, buf, BUF_CAP);
    if (len <= 0)
        return len;
    g_assert_cmpint(prism_rtp_parse(buf, (size_t)len, &out->h), ==, 0);
    g_assert_cmpint(prism_rtp_vp8_parse(out->h.payload, out->h.payload_len, &out->vp8), ==, 0);
    g_assert_true(out->vp8.has_picture_id);
    g_assert_true(out->vp8.long_picture_id);
    g_assert_cmpint(bench_video_is_keyframe(out->h.payload, out->h.payload_len), ==,
                    out->vp8.keyframe);
    g_assert_cmpint(bench_stamp_read(out->h.payload, out->h.payload_len, true, &out->stamp), ==, 0);
    g_assert_cmpuint(out->stamp.send_us, ==, now);
    return len;
}

static void test_video_frames_packets_and_bitrate(void)
{
    struct bench_video_params params = {.ssrc = 0xabc, .payload_type = 96, .publisher = 3};
    struct bench_video video;
    bench_video_init(&video, &params);
    uint8_t buf[BUF_CAP];
    uint64_t payload_bytes = 0;
    unsigned frames = 0, keyframes = 0, in_frame = 0;
    uint16_t seq = video.seq, picture_id = video.picture_id;
    uint32_t ts = video.timestamp;
    for (uint64_t now = START_US; now < START_US + 10000000; now += 1000) {
        struct video_packet p;
        while (next_video(&video, now, buf, &p) > 0) {
            g_assert_cmpuint(p.h.seq, ==, seq);
            seq++;
            g_assert_cmpuint(p.h.payload_len, <=, 1100);
            g_assert_cmpuint(p.h.timestamp, ==, ts);
            g_assert_cmpuint(p.vp8.picture_id, ==, picture_id);
            g_assert_cmpint(p.vp8.start_of_partition, ==, in_frame == 0);
            g_assert_cmpuint(p.stamp.publisher, ==, 3);
            keyframes += p.vp8.keyframe;
            payload_bytes += p.h.payload_len;
            in_frame++;
            if (p.h.marker) {
                g_assert_cmpuint(in_frame, ==, frames == 0 ? 16 : 4);
                frames++;
                in_frame = 0;
                ts += 3000;
                picture_id = (picture_id + 1) & 0x7FFF;
            }
        }
    }
    g_assert_cmpuint(frames, ==, 300);
    g_assert_cmpuint(keyframes, ==, 1);
    g_assert_cmpuint(video.keyframes, ==, 1);
    double bitrate = payload_bytes * 8 / 10.0;
    g_assert_cmpfloat(bitrate, >, 1000000 * 0.98);
    g_assert_cmpfloat(bitrate, <, 1000000 * 1.03);
}

static void test_video_keyframe_header_has_start_code_and_size(void)
{
    struct bench_video_params params = {
        .ssrc = 7, .payload_type = 96, .width = 1280, .height = 720};
    struct bench_video video;
    bench_video_init(&video, &params);
    uint8_t buf[BUF_CAP];
    struct video_packet p;
    g_assert_cmpint(next_video(&video, START_US, buf, &p), >, 0);
    g_assert_true(p.vp8.keyframe);
    const uint8_t *vp8 = p.h.payload + p.vp8.descriptor_len;
    g_assert_cmpuint(vp8[0] & 0x01, ==, 0);    /* P bit: keyframe */
    g_assert_cmpuint(vp8[0] & 0x10, ==, 0x10); /* show_frame */
    g_assert_cmpuint(vp8[3], ==, 0x9d);
    g_assert_cmpuint(vp8[4], ==, 0x01);
    g_assert_cmpuint(vp8[5], ==, 0x2a);
    g_assert_cmpuint((vp8[6] | vp8[7] << 8) & 0x3FFF, ==, 1280);
    g_assert_cmpuint((vp8[8] | vp8[9] << 8) & 0x3FFF, ==, 720);
    /* The second packet of the frame has neither S nor a payload header. */
    g_assert_cmpint(next_video(&video, START_US, buf, &p), >, 0);
    g_assert_false(p.vp8.start_of_partition);
    g_assert_false(bench_video_is_keyframe(p.h.payload, p.h.payload_len));
}

/* Sends every packet of the frames due up to now; returns the number of keyframes begun. */
static unsigned run_video(struct bench_video *video, uint64_t from, uint64_t to, uint8_t *buf)
{
    unsigned keyframes = 0;
    for (uint64_t now = from; now < to; now += 1000) {
        struct video_packet p;
        while (next_video(video, now, buf, &p) > 0) {
            if (p.vp8.start_of_partition) {
                g_assert_cmpint(p.vp8.keyframe, ==,
                                bench_video_is_keyframe(p.h.payload, p.h.payload_len));
                keyframes += p.vp8.keyframe;
            }
        }
    }
    return keyframes;
}

static void test_video_sends_keyframe_on_request(void)
{
    struct bench_video_params params = {.ssrc = 8, .payload_type = 96};
    struct bench_video video;
    bench_video_init(&video, &params);
    uint8_t buf[BUF_CAP];
    g_assert_cmpuint(run_video(&video, START_US, START_US + 500000, buf), ==, 1);
    bench_video_request_keyframe(&video);
    g_assert_cmpuint(run_video(&video, START_US + 500000, START_US + 1000000, buf), ==, 1);
    g_assert_cmpuint(run_video(&video, START_US + 1000000, START_US + 2000000, buf), ==, 0);
    g_assert_cmpuint(video.keyframes, ==, 2);
    g_assert_cmpuint(video.frames, ==, 60);
}

static void test_video_picture_id_wraps_at_15_bits(void)
{
    struct bench_video_params params = {
        .ssrc = 8, .payload_type = 96, .bitrate = 100000, .keyframe_factor = 2};
    struct bench_video video;
    bench_video_init(&video, &params);
    video.picture_id = 0x7FFE;
    uint8_t buf[BUF_CAP];
    const uint16_t want[] = {0x7FFE, 0x7FFF, 0, 1};
    uint64_t now = START_US;
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        struct video_packet p;
        g_assert_cmpint(next_video(&video, now, buf, &p), >, 0);
        g_assert_cmpuint(p.vp8.picture_id, ==, want[i]);
        g_assert_true(p.h.marker); /* one packet per frame at this bitrate */
        g_assert_cmpint(bench_video_next(&video, now, buf, BUF_CAP), ==, 0);
        now = bench_video_deadline(&video);
    }
}

static void test_video_reports_small_buffer(void)
{
    struct bench_video_params params = {.ssrc = 8, .payload_type = 96};
    struct bench_video video;
    bench_video_init(&video, &params);
    uint8_t buf[BUF_CAP];
    g_assert_cmpint(bench_video_next(&video, START_US, buf, 100), ==, -ENOSPC);
    struct video_packet p;
    g_assert_cmpint(next_video(&video, START_US, buf, &p), >, 0);
    g_assert_true(p.vp8.keyframe);
}

static void test_video_tid_pattern(void)
{
    const uint8_t want[] = {0, 2, 1, 2, 0, 2, 1, 2, 0};
    for (unsigned n = 0; n < G_N_ELEMENTS(want); n++)
        g_assert_cmpuint(bench_video_tid_at(n), ==, want[n]);
}

/* A simulcast layer: every packet carries its TID (T0 T2 T1 T2 from each keyframe on),
 * TL0PICIDX counting T0 frames, and the rid in the negotiated extension. */
static void test_video_simulcast_layer_has_tids_and_rid(void)
{
    struct bench_video_params params = {.ssrc = 9,
                                        .payload_type = 96,
                                        .bitrate = 100000,
                                        .keyframe_factor = 2,
                                        .width = 320,
                                        .height = 180,
                                        .temporal_layers = true,
                                        .rid_ext_id = 10,
                                        .rid = "l"};
    struct bench_video video;
    bench_video_init(&video, &params);
    uint8_t buf[BUF_CAP];
    uint64_t now = START_US;
    uint8_t tl0 = 0;
    for (unsigned frame = 0; frame < 12; frame++) {
        if (frame == 6)
            bench_video_request_keyframe(&video);
        struct video_packet p;
        g_assert_cmpint(next_video(&video, now, buf, &p), >, 0);
        g_assert_true(p.h.marker); /* one packet per frame at this bitrate */
        unsigned since_key = frame < 6 ? frame : frame - 6;
        g_assert_true(p.vp8.has_tid);
        g_assert_true(p.vp8.has_tl0picidx);
        g_assert_cmpuint(p.vp8.tid, ==, bench_video_tid_at(since_key));
        g_assert_cmpint(p.vp8.keyframe, ==, since_key == 0);
        g_assert_cmpint(p.vp8.layer_sync, ==, p.vp8.tid == 0);
        if (frame == 0)
            tl0 = p.vp8.tl0picidx;
        else if (p.vp8.tid == 0)
            tl0++;
        g_assert_cmpuint(p.vp8.tl0picidx, ==, tl0);
        if (p.vp8.keyframe)
            g_assert_cmpuint(bench_video_keyframe_width(p.h.payload, p.h.payload_len), ==, 320);
        else
            g_assert_cmpuint(bench_video_keyframe_width(p.h.payload, p.h.payload_len), ==, 0);
        struct prism_rtp_ext rid;
        g_assert_cmpint(prism_rtp_ext_find(&p.h, 10, &rid), ==, 0);
        g_assert_cmpuint(rid.len, ==, 1);
        g_assert_cmpmem(rid.data, 1, "l", 1);
        now = bench_video_deadline(&video);
    }
}

/* Without a rid extension id or temporal layers the packets are as before: no extension
 * block, no TID. */
static void test_video_plain_has_no_rid_or_tid(void)
{
    struct bench_video_params params = {.ssrc = 9, .payload_type = 96, .rid = "h"};
    struct bench_video video;
    bench_video_init(&video, &params);
    uint8_t buf[BUF_CAP];
    struct video_packet p;
    g_assert_cmpint(next_video(&video, START_US, buf, &p), >, 0);
    g_assert_false(p.h.extension);
    g_assert_false(p.vp8.has_tid);
    g_assert_cmpuint(p.vp8.descriptor_len, ==, 4);
}

static void test_video_rid_too_long_for_buffer(void)
{
    struct bench_video_params params = {
        .ssrc = 9, .payload_type = 96, .rid_ext_id = 3, .rid = "hi", .temporal_layers = true};
    struct bench_video video;
    bench_video_init(&video, &params);
    uint8_t buf[BUF_CAP];
    g_assert_cmpint(bench_video_next(&video, START_US, buf, 16), <, 0);
    g_assert_cmpuint(bench_video_keyframe_width(buf, 0), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bench/stamp/round_trip", test_stamp_round_trips_after_opus_toc);
    g_test_add_func("/bench/stamp/no_room", test_stamp_write_needs_room);
    g_test_add_func("/bench/stamp/foreign", test_stamp_read_rejects_foreign_payloads);
    g_test_add_func("/bench/audio/rate", test_audio_sends_50_packets_a_second_with_continuity);
    g_test_add_func("/bench/audio/level", test_audio_level_rises_and_falls_with_pauses);
    g_test_add_func("/bench/audio/no_extension", test_audio_without_extension_id_has_no_extension);
    g_test_add_func("/bench/audio/stall", test_audio_resumes_after_stall_without_burst);
    g_test_add_func("/bench/audio/small_buffer", test_audio_reports_small_buffer);
    g_test_add_func("/bench/video/frames", test_video_frames_packets_and_bitrate);
    g_test_add_func("/bench/video/keyframe_header",
                    test_video_keyframe_header_has_start_code_and_size);
    g_test_add_func("/bench/video/keyframe_request", test_video_sends_keyframe_on_request);
    g_test_add_func("/bench/video/picture_id_wrap", test_video_picture_id_wraps_at_15_bits);
    g_test_add_func("/bench/video/small_buffer", test_video_reports_small_buffer);
    g_test_add_func("/bench/video/tid_pattern", test_video_tid_pattern);
    g_test_add_func("/bench/video/simulcast_layer", test_video_simulcast_layer_has_tids_and_rid);
    g_test_add_func("/bench/video/plain", test_video_plain_has_no_rid_or_tid);
    g_test_add_func("/bench/video/rid_small_buffer", test_video_rid_too_long_for_buffer);
    return g_test_run();
}
