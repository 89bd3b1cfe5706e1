/* Which received SRTP packets of one stream the bench decrypts. Loss, reordering, duplicates and
 * jitter come from the clear RTP header of every packet; only the send stamp in the payload
 * (latency, the publisher's tag) and the VP8 keyframe bit need the payload. So a stream decrypts:
 *
 * - its first packet (and the first after an SSRC change);
 * - a packet at least `every` sequence numbers after the last one decrypted (1 in `every` while
 *   nothing is lost; a loss never makes the gap between two decrypted packets shorter than
 *   `every`, and any packet past it is taken, so the gap stays far below libsrtp's 2^15 limit for
 *   estimating the rollover counter from the last authenticated packet);
 * - a jump of more than BENCH_SAMPLER_JUMP sequence numbers either way (a sender restart);
 * - while `want_frame_starts` (a keyframe request is outstanding): every packet that may start
 *   a frame, as the keyframe bit is in the encrypted VP8 header: a timestamp not seen yet
 *   (newer than the newest packet's), or a packet older than the newest one (reordered: it may
 *   be the first packet of its frame arriving late). With ~5 packets per frame at 500 kbit/s
 *   that is about one packet in five, only until the keyframe comes.
 *
 * `every` <= 1 decrypts everything. Sans-IO, no allocation. */
#ifndef PRISM_BENCH_STATS_DECRYPT_SAMPLER_H
#define PRISM_BENCH_STATS_DECRYPT_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#define BENCH_SAMPLER_DEFAULT_EVERY 16
#define BENCH_SAMPLER_JUMP 3000

struct bench_decrypt_sampler {
    unsigned every;
    bool started;
    uint32_t ssrc;
    uint16_t last_decrypted_seq;
    uint16_t newest_seq;
    uint32_t newest_timestamp;
};

void bench_decrypt_sampler_init(struct bench_decrypt_sampler *sampler, unsigned every);

/* Decides for one arriving packet (clear header fields) and records the decision. */
bool bench_decrypt_sampler_decide(struct bench_decrypt_sampler *sampler, uint32_t ssrc,
                                  uint16_t seq, uint32_t timestamp, bool want_frame_starts);

#endif
