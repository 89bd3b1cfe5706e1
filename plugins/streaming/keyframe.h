/* The last complete keyframe of a video stream, kept so that a new viewer (or one that lost a
 * frame) can start at once: plain RTP ingest has no way to ask the source for one. Sans-IO:
 * packets in, packets out; buffers grow to the largest keyframe seen, then are reused. */
#ifndef PRISM_PLUGINS_STREAMING_KEYFRAME_H
#define PRISM_PLUGINS_STREAMING_KEYFRAME_H

#include "media/rtp/header.h"
#include "media/sdp/sdp.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most packets of one kept keyframe; a larger one is not kept (the previous one stays). */
#define ST_KEYFRAME_MAX_PACKETS 512

struct st_keyframe {
    enum prism_sdp_codec_id codec;
    GByteArray *pending, *kept;       /* packets back to back */
    GArray *pending_lens, *kept_lens; /* uint16_t per packet */
    bool collecting;
    uint32_t pending_timestamp;
};

void st_keyframe_init(struct st_keyframe *kf, enum prism_sdp_codec_id codec);
void st_keyframe_clear(struct st_keyframe *kf);

/* Forgets the kept keyframe and any being collected (the source changed: another SSRC). */
void st_keyframe_forget(struct st_keyframe *kf);

/* True when `h` starts a keyframe of `codec` (VP8, VP9 or H.264; false for others). */
bool st_keyframe_starts(enum prism_sdp_codec_id codec, const struct prism_rtp_header *h);

/* Feeds one packet (parsed as `h`) of the stream, in arrival order: the packets of a keyframe,
 * from its first to the one with the marker bit, all of one timestamp, become the kept one.
 * A keyframe whose end is lost (another timestamp comes first) or that is too large is
 * dropped. Returns true when this packet completed a keyframe. */
bool st_keyframe_feed(struct st_keyframe *kf, const uint8_t *packet, size_t len,
                      const struct prism_rtp_header *h);

/* True while the packets of a keyframe with this timestamp are arriving. */
bool st_keyframe_collecting(const struct st_keyframe *kf, uint32_t timestamp);

/* Number of packets of the kept keyframe (0: none yet). */
unsigned st_keyframe_packets(const struct st_keyframe *kf);

/* Packet `index` of the kept keyframe as it arrived: true with *data and *len (valid until the
 * next feed), false when there is no such packet. */
bool st_keyframe_packet(const struct st_keyframe *kf, unsigned index, const uint8_t **data,
                        size_t *len);

/* Copies packet `index` of the kept keyframe into `out` (cap bytes), renumbered for a replay
 * right before the packet `next`: sequence number next->seq - count + index, timestamp
 * `timestamp`, next's SSRC and, for VP8 when both carry one, the picture id before next's.
 * Returns its length, or -ENOENT (no such packet), -ENOSPC or -EINVAL. */
int st_keyframe_replay_packet(const struct st_keyframe *kf, unsigned index,
                              const struct prism_rtp_header *next, uint32_t timestamp, uint8_t *out,
                              size_t cap);

#endif
