/* Synthetic VP8 video: frames of the configured bitrate and rate, packetised as a browser would
 * (descriptor with a 15-bit picture id, payload header on the first packet, marker on the last),
 * each packet carrying the send stamp. */
#include "bench/lib/synth/video.h"

#include <errno.h>
#include <string.h>

#include "bench/lib/synth/stamp.h"
#include "media/rtp/codec.h"
#include "media/rtp/header.h"

#define VIDEO_CLOCK 90000
#define DESCRIPTOR_LEN 4 /* required byte, extension byte, two picture id bytes */
#define TEMPORAL_LEN 2   /* TL0PICIDX and TID bytes, with temporal layers */
#define TAG_LEN 3
#define KEYFRAME_HEADER_LEN 10
#define MIN_PACKET_PAYLOAD (DESCRIPTOR_LEN + TEMPORAL_LEN + KEYFRAME_HEADER_LEN + BENCH_STAMP_LEN)
#define PICTURE_ID_MASK 0x7FFF

void bench_video_init(struct bench_video *video, const struct bench_video_params *params)
{
    memset(video, 0, sizeof(*video));
    struct bench_video_params *p = &video->params;
    *p = *params;
    if (p->bitrate == 0)
        p->bitrate = 1000000;
    if (p->fps == 0)
        p->fps = 30;
    if (p->max_payload == 0)
        p->max_payload = 1100;
    if (p->max_payload < MIN_PACKET_PAYLOAD)
        p->max_payload = MIN_PACKET_PAYLOAD;
    if (p->keyframe_factor == 0)
        p->keyframe_factor = 4;
    if (p->width == 0 || p->height == 0) {
        p->width = 640;
        p->height = 360;
    }
    /* Per-stream start values, reproducible (see audio.c). */
    uint32_t mix = params->ssrc * 2654435761u;
    video->seq = (uint16_t)(mix >> 16);
    video->timestamp = mix ^ 0x27d4eb2fu;
    video->picture_id = (uint16_t)(mix & PICTURE_ID_MASK);
    video->keyframe_requested = true;
}

/* Microseconds from frame n to frame n + 1; exact on average for any fps. */
static uint64_t frame_interval(const struct bench_video *video, uint64_t n)
{
    unsigned fps = video->params.fps;
    return (n + 1) * 1000000 / fps - n * 1000000 / fps;
}

/* Begins the next frame, whose due time next_frame_us has come. */
static void start_frame(struct bench_video *video, uint64_t now_us)
{
    const struct bench_video_params *p = &video->params;
    uint32_t ts_step = VIDEO_CLOCK / p->fps;
    if (video->frames > 0) {
        /* After a stall of more than a frame, skip the missed frames rather than bursting them;
         * the timestamp runs on as the capture clock would. */
        uint64_t late = now_us - video->next_frame_us;
        uint64_t interval = frame_interval(video, video->frames);
        uint64_t missed = late / interval;
        video->next_frame_us += missed * interval;
        video->timestamp += (uint32_t)((missed + 1) * ts_step);
        video->picture_id = (video->picture_id + 1) & PICTURE_ID_MASK;
    } else if (video->next_frame_us == 0) {
        video->next_frame_us = now_us;
    }
    size_t size = p->bitrate / 8 / p->fps;
    video->frame_keyframe = video->keyframe_requested;
    video->keyframe_requested = false;
    if (video->frame_keyframe) {
        size *= p->keyframe_factor;
        video->keyframes++;
        video->tid_position = 0;
    }
    video->frame_tid = p->temporal_layers ? bench_video_tid_at(video->tid_position++) : 0;
    if (p->temporal_layers && video->frame_tid == 0 && video->frames > 0)
        video->tl0picidx++;
    video->frame_left = size > MIN_PACKET_PAYLOAD ? size : MIN_PACKET_PAYLOAD;
    video->frame_started = false;
    video->frames++;
}

/* Writes the VP8 payload header (RFC 6386 section 9.1) for a frame of frame_bytes payload bytes
 * in packets packets; returns its length. */
static size_t write_vp8_header(const struct bench_video *video, uint8_t *at, size_t frame_bytes,
                               size_t packets)
{
    size_t header_len = video->frame_keyframe ? KEYFRAME_HEADER_LEN : TAG_LEN;
    size_t descriptor = DESCRIPTOR_LEN + (video->params.temporal_layers ? TEMPORAL_LEN : 0);
    size_t first_partition = frame_bytes - packets * descriptor - header_len;
    if (first_partition > 0x7FFFF)
        first_partition = 0x7FFFF;
    /* Frame tag, little-endian: bit 0 inverse keyframe flag (P), bits 1-3 version 0, bit 4
     * show_frame, bits 5-23 first partition size. */
    uint32_t tag = (video->frame_keyframe ? 0u : 1u) | 1u << 4 | (uint32_t)first_partition << 5;
    at[0] = (uint8_t)tag;
    at[1] = (uint8_t)(tag >> 8);
    at[2] = (uint8_t)(tag >> 16);
    if (!video->frame_keyframe)
        return TAG_LEN;
    at[3] = 0x9d;
    at[4] = 0x01;
    at[5] = 0x2a;
    /* 14-bit dimensions, scaling bits 0. */
    at[6] = (uint8_t)video->params.width;
    at[7] = (uint8_t)((video->params.width >> 8) & 0x3F);
    at[8] = (uint8_t)video->params.height;
    at[9] = (uint8_t)((video->params.height >> 8) & 0x3F);
    return KEYFRAME_HEADER_LEN;
}

/* The payload size of the next packet: the frame's remaining bytes spread evenly over as few
 * packets as max_payload allows, as encoders' packetisers do. */
static size_t next_payload_size(const struct bench_video *video)
{
    size_t max = video->params.max_payload;
    size_t packets = (video->frame_left + max - 1) / max;
    size_t size = (video->frame_left + packets - 1) / packets;
    return size > MIN_PACKET_PAYLOAD ? size : MIN_PACKET_PAYLOAD;
}

/* Writes the RTP payload of the next packet of the frame at payload (size bytes). */
static void write_payload(const struct bench_video *video, uint64_t now_us, uint8_t *payload,
                          size_t size)
{
    struct prism_rtp_vp8 vp8 = {
        .start_of_partition = !video->frame_started,
        .has_picture_id = true,
        .long_picture_id = true,
        .picture_id = video->picture_id,
        .has_tl0picidx = video->params.temporal_layers,
        .tl0picidx = video->tl0picidx,
        .has_tid = video->params.temporal_layers,
        .tid = video->frame_tid,
        .layer_sync = video->frame_tid == 0 || video->frame_keyframe,
    };
    size_t pos = (size_t)prism_rtp_vp8_build(payload, size, &vp8);
    if (!video->frame_started) {
        size_t max = video->params.max_payload;
        size_t packets = (video->frame_left + max - 1) / max;
        pos += write_vp8_header(video, payload + pos, video->frame_left, packets);
    }
    struct bench_stamp stamp = {.send_us = now_us, .publisher = video->params.publisher};
    pos += (size_t)bench_stamp_write(payload + pos, size - pos, &stamp);
    for (; pos < size; pos++)
        payload[pos] = (uint8_t)(pos * 131 + video->seq);
}

int bench_video_next(struct bench_video *video, uint64_t now_us, uint8_t *buf, size_t cap)
{
    if (!video || !buf)
        return -EINVAL;
    if (video->frame_left == 0) {
        if (video->frames > 0 && now_us < video->next_frame_us)
            return 0;
        start_frame(video, now_us);
    }
    size_t size = next_payload_size(video);
    bool last = size >= video->frame_left;
    struct prism_rtp_header_fields fields = {
        .marker = last,
        .payload_type = video->params.payload_type,
        .seq = video->seq,
        .timestamp = video->timestamp,
        .ssrc = video->params.ssrc,
    };
    /* Browsers send the rid on the first packets of a layer only; sending it on all of them
     * lets a server learn the layer whenever it starts listening. */
    struct prism_rtp_ext rid = {
        .id = video->params.rid_ext_id,
        .data = (const uint8_t *)video->params.rid,
        .len = (uint8_t)strnlen(video->params.rid, sizeof(video->params.rid))};
    if (rid.id && rid.len) {
        fields.exts = &rid;
        fields.ext_count = 1;
    }
    int header_len = prism_rtp_build_header(buf, cap, &fields);
    if (header_len < 0)
        return header_len;
    if (cap - (size_t)header_len < size)
        return -ENOSPC;
    write_payload(video, now_us, buf + header_len, size);
    video->seq++;
    video->sent++;
    video->frame_started = true;
    video->frame_left = last ? 0 : video->frame_left - size;
    if (last)
        video->next_frame_us += frame_interval(video, video->frames - 1);
    return header_len + (int)size;
}

void bench_video_request_keyframe(struct bench_video *video)
{
    video->keyframe_requested = true;
}

uint64_t bench_video_deadline(const struct bench_video *video)
{
    return video->next_frame_us;
}

bool bench_video_is_keyframe(const uint8_t *payload, size_t len)
{
    struct prism_rtp_vp8 vp8;
    if (!payload || prism_rtp_vp8_parse(payload, len, &vp8) < 0 || !vp8.keyframe)
        return false;
    /* A keyframe's tag is followed by the start code (RFC 6386 section 9.1). */
    size_t at = vp8.descriptor_len;
    if (len - at < KEYFRAME_HEADER_LEN)
        return false;
    return payload[at + 3] == 0x9d && payload[at + 4] == 0x01 && payload[at + 5] == 0x2a;
}

uint8_t bench_video_tid_at(unsigned n)
{
    static const uint8_t pattern[4] = {0, 2, 1, 2};
    return pattern[n % 4];
}

uint16_t bench_video_keyframe_width(const uint8_t *payload, size_t len)
{
    if (!bench_video_is_keyframe(payload, len))
        return 0;
    struct prism_rtp_vp8 vp8;
    prism_rtp_vp8_parse(payload, len, &vp8);
    const uint8_t *at = payload + vp8.descriptor_len;
    return (uint16_t)(at[6] | (at[7] & 0x3F) << 8);
}
