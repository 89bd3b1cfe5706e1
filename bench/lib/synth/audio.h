/* Synthetic Opus audio as a browser sends it: one packet per 20 ms (50 pps), timestamp +960 at
 * 48 kHz, a TOC byte, the send stamp, filler up to the configured size, and the audio-level
 * header extension (RFC 6464) with a level that rises and falls like speech. Sans-IO: the
 * caller asks for the packets due at `now`. */
#ifndef PRISM_BENCH_SYNTH_AUDIO_H
#define PRISM_BENCH_SYNTH_AUDIO_H

#include <stddef.h>
#include <stdint.h>

struct bench_audio_params {
    uint32_t ssrc;
    uint8_t payload_type;
    uint8_t audio_level_id; /* negotiated extmap id; 0 = no extension */
    size_t payload_size;    /* bytes of Opus payload per packet (default 80 = 32 kbit/s) */
    uint32_t publisher;     /* tag written into every stamp */
};

struct bench_audio {
    struct bench_audio_params params;
    uint16_t seq;
    uint32_t timestamp;
    uint64_t next_us; /* when the next packet is due; 0 = at the first call */
    uint64_t sent;
};

void bench_audio_init(struct bench_audio *audio, const struct bench_audio_params *params);

/* Writes the next packet into buf when one is due at now_us and returns its length (header
 * included); returns 0 when none is due. Call until it returns 0. Falls behind at most one
 * packet: after a stall it resumes from now instead of bursting. */
int bench_audio_next(struct bench_audio *audio, uint64_t now_us, uint8_t *buf, size_t cap);

/* When the next packet is due. */
uint64_t bench_audio_deadline(const struct bench_audio *audio);

#endif
