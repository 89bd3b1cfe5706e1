/* The send stamp in the bench's media payloads: write it, and find it again in received ones. */
#include "bench/lib/synth/stamp.h"

#include <errno.h>

#include "media/bytes.h"
#include "media/rtp/codec.h"

/* The VP8 payload header of a frame's first packet: a 3-byte frame tag, and on keyframes the
 * start code and the two dimension words (RFC 6386 section 9.1). */
#define VP8_TAG_LEN 3
#define VP8_KEYFRAME_HEADER_LEN 10

int bench_stamp_write(uint8_t *buf, size_t cap, const struct bench_stamp *stamp)
{
    if (!buf || !stamp)
        return -EINVAL;
    if (cap < BENCH_STAMP_LEN)
        return -ENOSPC;
    prism_write_be32(buf, BENCH_STAMP_MAGIC);
    prism_write_be64(buf + 4, stamp->send_us);
    prism_write_be32(buf + 12, stamp->publisher);
    return BENCH_STAMP_LEN;
}

/* Offset of the stamp in a VP8 payload of ours, or -EINVAL. */
static int video_stamp_offset(const uint8_t *payload, size_t len)
{
    struct prism_rtp_vp8 vp8;
    if (prism_rtp_vp8_parse(payload, len, &vp8) < 0)
        return -EINVAL;
    size_t at = vp8.descriptor_len;
    if (!vp8.start_of_partition || vp8.partition_id != 0)
        return (int)at;
    if (!vp8.keyframe)
        return (int)(at + VP8_TAG_LEN);
    if (len - at < VP8_KEYFRAME_HEADER_LEN)
        return -EINVAL;
    const uint8_t *start_code = payload + at + VP8_TAG_LEN;
    if (start_code[0] != 0x9d || start_code[1] != 0x01 || start_code[2] != 0x2a)
        return -EINVAL;
    return (int)(at + VP8_KEYFRAME_HEADER_LEN);
}

int bench_stamp_read(const uint8_t *payload, size_t len, bool video, struct bench_stamp *out)
{
    if (!payload || !out)
        return -EINVAL;
    int at = 1; /* the Opus TOC byte */
    if (video)
        at = video_stamp_offset(payload, len);
    if (at < 0 || len < (size_t)at || len - (size_t)at < BENCH_STAMP_LEN)
        return -EINVAL;
    const uint8_t *p = payload + at;
    if (prism_read_be32(p) != BENCH_STAMP_MAGIC)
        return -EINVAL;
    out->send_us = prism_read_be64(p + 4);
    out->publisher = prism_read_be32(p + 12);
    return 0;
}

bool bench_stamp_order_fresh(struct bench_stamp_order *order, uint64_t send_us,
                             uint32_t rtp_timestamp)
{
    if (!order->started) {
        *order = (struct bench_stamp_order){true, send_us, rtp_timestamp};
        return true;
    }
    /* All packets of a frame carry the same stamp, so a retransmission of the newest frame's
     * has the newest stamp; one of an older frame has an older RTP timestamp. */
    bool not_older_timestamp = (int32_t)(rtp_timestamp - order->newest_timestamp) >= 0;
    bool older_stamp = send_us < order->newest_send_us;
    if (not_older_timestamp)
        order->newest_timestamp = rtp_timestamp;
    if (!older_stamp)
        order->newest_send_us = send_us;
    return !(not_older_timestamp && older_stamp);
}
