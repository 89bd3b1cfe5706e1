/* The kept keyframe of a video stream (see keyframe.h). */
#include "plugins/streaming/keyframe.h"

#include "media/bytes.h"
#include "media/rtp/codec.h"

#include <errno.h>
#include <string.h>

void st_keyframe_init(struct st_keyframe *kf, enum prism_sdp_codec_id codec)
{
    memset(kf, 0, sizeof(*kf));
    kf->codec = codec;
    kf->pending = g_byte_array_new();
    kf->kept = g_byte_array_new();
    kf->pending_lens = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    kf->kept_lens = g_array_new(FALSE, FALSE, sizeof(uint16_t));
}

void st_keyframe_clear(struct st_keyframe *kf)
{
    if (!kf->pending)
        return;
    g_byte_array_free(kf->pending, TRUE);
    g_byte_array_free(kf->kept, TRUE);
    g_array_free(kf->pending_lens, TRUE);
    g_array_free(kf->kept_lens, TRUE);
    memset(kf, 0, sizeof(*kf));
}

void st_keyframe_forget(struct st_keyframe *kf)
{
    if (!kf->pending)
        return;
    g_array_set_size(kf->kept_lens, 0);
    g_byte_array_set_size(kf->kept, 0);
    kf->collecting = false;
}

bool st_keyframe_starts(enum prism_sdp_codec_id codec, const struct prism_rtp_header *h)
{
    switch (codec) {
    case PRISM_SDP_CODEC_VP8: {
        struct prism_rtp_vp8 vp8;
        return prism_rtp_vp8_parse(h->payload, h->payload_len, &vp8) == 0 && vp8.keyframe;
    }
    case PRISM_SDP_CODEC_VP9: {
        struct prism_rtp_vp9 vp9;
        return prism_rtp_vp9_parse(h->payload, h->payload_len, &vp9) == 0 && vp9.keyframe;
    }
    case PRISM_SDP_CODEC_H264:
        return prism_rtp_h264_is_keyframe(h->payload, h->payload_len);
    default:
        return false;
    }
}

static void swap_buffers(struct st_keyframe *kf)
{
    GByteArray *bytes = kf->kept;
    kf->kept = kf->pending;
    kf->pending = bytes;
    GArray *lens = kf->kept_lens;
    kf->kept_lens = kf->pending_lens;
    kf->pending_lens = lens;
}

bool st_keyframe_feed(struct st_keyframe *kf, const uint8_t *packet, size_t len,
                      const struct prism_rtp_header *h)
{
    if (!kf->pending || len > UINT16_MAX)
        return false;
    if (st_keyframe_starts(kf->codec, h)) {
        g_byte_array_set_size(kf->pending, 0);
        g_array_set_size(kf->pending_lens, 0);
        kf->collecting = true;
        kf->pending_timestamp = h->timestamp;
    } else if (!kf->collecting) {
        return false;
    } else if (h->timestamp != kf->pending_timestamp ||
               kf->pending_lens->len >= ST_KEYFRAME_MAX_PACKETS) {
        kf->collecting = false;
        return false;
    }
    uint16_t len16 = (uint16_t)len;
    g_byte_array_append(kf->pending, packet, (guint)len);
    g_array_append_val(kf->pending_lens, len16);
    if (!h->marker)
        return false;
    swap_buffers(kf);
    kf->collecting = false;
    return true;
}

bool st_keyframe_collecting(const struct st_keyframe *kf, uint32_t timestamp)
{
    return kf->collecting && kf->pending_timestamp == timestamp;
}

unsigned st_keyframe_packets(const struct st_keyframe *kf)
{
    return kf->kept_lens ? kf->kept_lens->len : 0;
}

bool st_keyframe_packet(const struct st_keyframe *kf, unsigned index, const uint8_t **data,
                        size_t *len)
{
    if (index >= st_keyframe_packets(kf))
        return false;
    size_t offset = 0;
    for (unsigned i = 0; i < index; i++)
        offset += g_array_index(kf->kept_lens, uint16_t, i);
    *data = kf->kept->data + offset;
    *len = g_array_index(kf->kept_lens, uint16_t, index);
    return true;
}

int st_keyframe_replay_packet(const struct st_keyframe *kf, unsigned index,
                              const struct prism_rtp_header *next, uint32_t timestamp, uint8_t *out,
                              size_t cap)
{
    unsigned count = st_keyframe_packets(kf);
    if (index >= count)
        return -ENOENT;
    size_t offset = 0;
    for (unsigned i = 0; i < index; i++)
        offset += g_array_index(kf->kept_lens, uint16_t, i);
    size_t len = g_array_index(kf->kept_lens, uint16_t, index);
    if (len > cap)
        return -ENOSPC;
    memcpy(out, kf->kept->data + offset, len);
    prism_write_be16(out + 2, (uint16_t)(next->seq - count + index));
    prism_write_be32(out + 4, timestamp);
    prism_write_be32(out + 8, next->ssrc);
    struct prism_rtp_header h;
    struct prism_rtp_vp8 vp8, next_vp8;
    if (prism_rtp_parse(out, len, &h) < 0)
        return -EINVAL;
    if (kf->codec == PRISM_SDP_CODEC_VP8 &&
        prism_rtp_vp8_parse(next->payload, next->payload_len, &next_vp8) == 0 &&
        next_vp8.has_picture_id && prism_rtp_vp8_parse(h.payload, h.payload_len, &vp8) == 0 &&
        vp8.has_picture_id)
        prism_rtp_vp8_set_picture_id(out + h.header_len, h.payload_len, &vp8,
                                     (uint16_t)(next_vp8.picture_id - 1));
    return (int)len;
}
