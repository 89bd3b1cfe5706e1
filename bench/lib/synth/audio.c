/* Synthetic Opus audio: 20 ms packets with a TOC byte, the send stamp, filler and an audio level
 * that follows talk spurts and pauses. */
#include "bench/lib/synth/audio.h"

#include <errno.h>
#include <string.h>

#include "bench/lib/synth/stamp.h"
#include "media/rtp/extension.h"
#include "media/rtp/header.h"

#define PACKET_US 20000
#define SAMPLES_PER_PACKET 960 /* 20 ms at 48 kHz */
#define DEFAULT_PAYLOAD_SIZE 80
#define MIN_PAYLOAD_SIZE (1 + BENCH_STAMP_LEN)
/* Opus TOC: configuration 15 (hybrid fullband, 20 ms), mono, one frame (RFC 6716 section 3.1),
 * what browsers send for speech. */
#define OPUS_TOC 0x78
/* A 4 s cycle: 3 s of talking whose level swings between loud and soft, then 1 s of silence. */
#define CYCLE_PACKETS 200
#define TALK_PACKETS 150
#define SILENCE_LEVEL 127

void bench_audio_init(struct bench_audio *audio, const struct bench_audio_params *params)
{
    memset(audio, 0, sizeof(*audio));
    audio->params = *params;
    if (audio->params.payload_size == 0)
        audio->params.payload_size = DEFAULT_PAYLOAD_SIZE;
    if (audio->params.payload_size < MIN_PAYLOAD_SIZE)
        audio->params.payload_size = MIN_PAYLOAD_SIZE;
    /* Start values differ per stream, as a browser's random ones would, but stay reproducible. */
    uint32_t mix = params->ssrc * 2654435761u;
    audio->seq = (uint16_t)(mix >> 16);
    audio->timestamp = mix ^ 0x5bd1e995u;
}

/* The RFC 6464 level (-dBov, 0 loudest) and voice flag of packet number n. */
static uint8_t speech_level(uint64_t n, bool *voice)
{
    unsigned phase = (unsigned)(n % CYCLE_PACKETS);
    *voice = phase < TALK_PACKETS;
    if (!*voice)
        return SILENCE_LEVEL;
    unsigned swing = phase % 50; /* a syllable-like rise and fall every second */
    unsigned offset = swing < 25 ? swing : 50 - swing;
    return (uint8_t)(55 - offset);
}

/* Writes the packet numbered audio->sent at buf; returns its length or -ENOSPC. */
static int write_packet(struct bench_audio *audio, uint64_t now_us, uint8_t *buf, size_t cap)
{
    uint8_t level_data[1];
    bool voice;
    uint8_t level = speech_level(audio->sent, &voice);
    prism_rtp_audio_level_write(level_data, sizeof(level_data), voice, level);
    struct prism_rtp_ext ext = {.id = audio->params.audio_level_id, .len = 1, .data = level_data};
    struct prism_rtp_header_fields fields = {
        .marker = audio->sent == 0, /* the start of a talk spurt */
        .payload_type = audio->params.payload_type,
        .seq = audio->seq,
        .timestamp = audio->timestamp,
        .ssrc = audio->params.ssrc,
        .exts = audio->params.audio_level_id ? &ext : NULL,
        .ext_count = audio->params.audio_level_id ? 1 : 0,
    };
    int header_len = prism_rtp_build_header(buf, cap, &fields);
    if (header_len < 0)
        return header_len;
    size_t payload_size = audio->params.payload_size;
    if (cap - (size_t)header_len < payload_size)
        return -ENOSPC;
    uint8_t *payload = buf + header_len;
    payload[0] = OPUS_TOC;
    struct bench_stamp stamp = {.send_us = now_us, .publisher = audio->params.publisher};
    bench_stamp_write(payload + 1, payload_size - 1, &stamp);
    for (size_t i = MIN_PAYLOAD_SIZE; i < payload_size; i++)
        payload[i] = (uint8_t)(i * 37 + audio->seq);
    return header_len + (int)payload_size;
}

int bench_audio_next(struct bench_audio *audio, uint64_t now_us, uint8_t *buf, size_t cap)
{
    if (!audio || !buf)
        return -EINVAL;
    uint64_t due = audio->next_us ? audio->next_us : now_us;
    if (now_us < due)
        return 0;
    /* More than one packet late (the caller stalled): skip the missed slots instead of bursting,
     * letting the timestamp run on as the capture clock would. */
    uint64_t missed = (now_us - due) / PACKET_US;
    if (missed > 0)
        due += missed * PACKET_US;
    uint32_t saved_timestamp = audio->timestamp;
    audio->timestamp += (uint32_t)(missed * SAMPLES_PER_PACKET);
    int len = write_packet(audio, now_us, buf, cap);
    if (len < 0) {
        audio->timestamp = saved_timestamp;
        return len;
    }
    audio->seq++;
    audio->timestamp += SAMPLES_PER_PACKET;
    audio->sent++;
    audio->next_us = due + PACKET_US;
    return len;
}

uint64_t bench_audio_deadline(const struct bench_audio *audio)
{
    return audio->next_us;
}
