/* Synthetic publisher packets and sources for the forwarding engine's tests. */
#ifndef PRISM_TESTS_FORWARD_UTIL_H
#define PRISM_TESTS_FORWARD_UTIL_H

#include "media/forward/forward.h"

#include <glib.h>
#include <string.h>

#define OUT_SSRC 0x5EB5C1B0u
#define PUB_A_SSRC 0xA0A0A0A0u
#define PUB_B_SSRC 0xB0B0B0B0u
#define PUB_VP8_PT 96
#define SUB_VP8_PT 120
#define PUB_OPUS_PT 111
#define SUB_OPUS_PT 109
#define MS 1000ull

/* A packet with the buffer it lives in and its parsed view. */
struct test_packet {
    uint8_t data[1500];
    size_t len;
    struct prism_rtp_header h;
};

/* A packet of `size` payload bytes (a counting pattern) after the given prefix. */
static inline void test_build(struct test_packet *p, const struct prism_rtp_header_fields *f,
                              const uint8_t *prefix, size_t prefix_len, size_t size)
{
    int hl = prism_rtp_build_header(p->data, sizeof(p->data), f);
    g_assert_cmpint(hl, >, 0);
    g_assert_cmpuint((size_t)hl + prefix_len + size, <=, sizeof(p->data));
    if (prefix_len > 0)
        memcpy(p->data + hl, prefix, prefix_len);
    for (size_t i = 0; i < size; i++)
        p->data[(size_t)hl + prefix_len + i] = (uint8_t)(i * 7 + 1);
    p->len = (size_t)hl + prefix_len + size;
    g_assert_cmpint(prism_rtp_parse(p->data, p->len, &p->h), ==, 0);
}

/* A VP8 packet: descriptor d, then the VP8 payload header whose bit 0 clear marks a key frame
 * (RFC 7741 section 4.3), then filler. */
static inline void test_vp8(struct test_packet *p, uint32_t ssrc, uint16_t seq, uint32_t ts,
                            const struct prism_rtp_vp8 *d, bool keyframe)
{
    struct prism_rtp_header_fields f = {
        .payload_type = PUB_VP8_PT, .seq = seq, .timestamp = ts, .ssrc = ssrc};
    uint8_t prefix[8];
    int n = prism_rtp_vp8_build(prefix, sizeof(prefix), d);
    g_assert_cmpint(n, >, 0);
    prefix[n] = keyframe ? 0x10 : 0x11;
    test_build(p, &f, prefix, (size_t)n + 1, 100);
}

/* A VP8 packet starting a frame, with a 15-bit picture id and TL0PICIDX. */
static inline void test_vp8_frame(struct test_packet *p, uint32_t ssrc, uint16_t seq, uint32_t ts,
                                  uint16_t picture_id, bool keyframe)
{
    struct prism_rtp_vp8 d = {.start_of_partition = true,
                              .has_picture_id = true,
                              .long_picture_id = true,
                              .picture_id = picture_id,
                              .has_tl0picidx = true,
                              .tl0picidx = (uint8_t)picture_id};
    test_vp8(p, ssrc, seq, ts, &d, keyframe);
}

static inline void test_opus(struct test_packet *p, uint32_t ssrc, uint16_t seq, uint32_t ts)
{
    struct prism_rtp_header_fields f = {
        .payload_type = PUB_OPUS_PT, .seq = seq, .timestamp = ts, .ssrc = ssrc};
    test_build(p, &f, NULL, 0, 60);
}

static inline void test_video_source(struct prism_forward_source *src)
{
    memset(src, 0, sizeof(*src));
    src->video = true;
    src->clock_rate = 90000;
    src->payload_types[0] = (struct prism_forward_payload_type){
        .publisher = PUB_VP8_PT, .subscriber = SUB_VP8_PT, .codec = PRISM_SDP_CODEC_VP8};
    src->payload_type_count = 1;
}

static inline void test_audio_source(struct prism_forward_source *src)
{
    memset(src, 0, sizeof(*src));
    src->clock_rate = 48000;
    src->payload_types[0] = (struct prism_forward_payload_type){
        .publisher = PUB_OPUS_PT, .subscriber = SUB_OPUS_PT, .codec = PRISM_SDP_CODEC_OPUS};
    src->payload_type_count = 1;
}

/* A stream started on src, sending from sequence number seq and timestamp ts. */
static inline void test_stream(struct prism_forward_stream *s,
                               const struct prism_forward_source *src, uint16_t seq, uint32_t ts)
{
    struct prism_forward_config cfg = {
        .ssrc = OUT_SSRC, .initial_seq = seq, .initial_timestamp = ts};
    g_assert_cmpint(prism_forward_init(s, &cfg), ==, 0);
    g_assert_cmpint(prism_forward_switch(s, src), ==, 0);
}

/* Forwards p; on SEND parses the output into out->h (which must then be valid RTP with the
 * same payload and padding, carrying the subscriber's SSRC; its extension block may differ). */
static inline enum prism_forward_result test_forward(struct prism_forward_stream *s,
                                                     const struct test_packet *p,
                                                     struct test_packet *out, uint64_t now_us)
{
    size_t len = 0;
    enum prism_forward_result r = prism_forward_packet(s, &p->h, p->data, p->len, out->data,
                                                       sizeof(out->data), &len, now_us);
    if (r == PRISM_FORWARD_SEND) {
        out->len = len;
        g_assert_cmpint(prism_rtp_parse(out->data, len, &out->h), ==, 0);
        g_assert_cmpuint(out->h.ssrc, ==, OUT_SSRC);
        g_assert_cmpuint(out->h.payload_len, ==, p->h.payload_len);
        g_assert_cmpuint(out->h.padding_len, ==, p->h.padding_len);
    }
    return r;
}

/* Forwards p, which must be sent; returns the output's parsed header (its scalar fields only:
 * the pointers pointed into a buffer that is gone). */
static inline struct prism_rtp_header test_send(struct prism_forward_stream *s,
                                                const struct test_packet *p, uint64_t now_us)
{
    struct test_packet out;
    g_assert_cmpint(test_forward(s, p, &out, now_us), ==, PRISM_FORWARD_SEND);
    return out.h;
}

#endif
