/* Synthetic VP8 video shaped like an encoder's output: frames at `fps`, each frame's bytes
 * (bitrate / fps, keyframes `keyframe_factor` times larger) split into packets of at most
 * `max_payload` bytes, every packet with a valid VP8 payload descriptor (15-bit picture id,
 * S bit on the first packet, marker on the last), the first packet of a frame with a VP8
 * payload header (keyframes: P bit clear, start code and dimensions), timestamp +90000/fps per
 * frame, and the send stamp after the headers. A keyframe at the start and after
 * bench_video_request_keyframe (PLI/FIR). Sans-IO like the audio generator. */
#ifndef PRISM_BENCH_SYNTH_VIDEO_H
#define PRISM_BENCH_SYNTH_VIDEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench_video_params {
    uint32_t ssrc;
    uint8_t payload_type;
    uint32_t bitrate;         /* bits per second (default 1000000) */
    unsigned fps;             /* default 30 */
    size_t max_payload;       /* bytes of RTP payload per packet (default 1100) */
    unsigned keyframe_factor; /* keyframe size / delta frame size (default 4) */
    uint16_t width, height;   /* written in keyframe headers (default 640x360) */
    uint32_t publisher;
    /* Simulcast layer (--simulcast): VP8 temporal layers in the payload descriptor (TID in
     * the pattern T0 T2 T1 T2, TL0PICIDX counting T0 frames, Y set on T0 and keyframes), and
     * the rid header extension (RFC 8852, one-byte form) on every packet when rid_ext_id is
     * set. */
    bool temporal_layers;
    uint8_t rid_ext_id; /* 1-14; 0: no rid extension */
    char rid[8];        /* the layer's rid, at most 7 characters */
};

struct bench_video {
    struct bench_video_params params;
    uint16_t seq;
    uint32_t timestamp;
    uint16_t picture_id;
    uint8_t tl0picidx;
    uint8_t frame_tid;     /* temporal layer of the frame being sent */
    unsigned tid_position; /* frames since the last keyframe, for the TID pattern */
    uint64_t next_frame_us;
    bool keyframe_requested;
    /* The frame being packetised. */
    size_t frame_left; /* payload bytes still to send of the current frame */
    bool frame_keyframe;
    bool frame_started; /* its first packet went out */
    uint64_t frames, keyframes, sent;
};

void bench_video_init(struct bench_video *video, const struct bench_video_params *params);

/* Writes the next packet due at now_us into buf and returns its length, or 0 when none is due.
 * All packets of a frame are due at the frame's time. */
int bench_video_next(struct bench_video *video, uint64_t now_us, uint8_t *buf, size_t cap);

/* The next frame is a keyframe. */
void bench_video_request_keyframe(struct bench_video *video);

uint64_t bench_video_deadline(const struct bench_video *video);

/* The temporal layer id of the n-th frame after a keyframe (n = 0 the keyframe): T0 T2 T1 T2,
 * repeated, as libvpx's three-layer mode (and Chrome's VP8 simulcast) sends it. */
uint8_t bench_video_tid_at(unsigned n);

/* The width of the VP8 keyframe starting this decrypted payload, 0 when it is not one. */
uint16_t bench_video_keyframe_width(const uint8_t *payload, size_t len);

/* True when this decrypted RTP payload starts a VP8 keyframe. */
bool bench_video_is_keyframe(const uint8_t *payload, size_t len);

#endif
