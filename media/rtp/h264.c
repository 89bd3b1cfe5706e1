/* H.264 RTP payload (RFC 6184): key frame detection for layer switching and PLI bookkeeping. */
#include "media/rtp/codec.h"

#include "media/bytes.h"

#define NAL_IDR 5
#define NAL_SPS 7
#define NAL_STAP_A 24
#define NAL_FU_A 28

static bool starts_keyframe(uint8_t nal_type)
{
    return nal_type == NAL_IDR || nal_type == NAL_SPS;
}

/* STAP-A: a list of (16-bit size, NAL unit) after the one-byte STAP-A header. */
static bool stap_a_has_keyframe(const uint8_t *p, size_t len)
{
    size_t pos = 1;
    while (len - pos >= 2) {
        size_t size = prism_read_be16(p + pos);
        pos += 2;
        if (size == 0 || size > len - pos)
            return false;
        if (starts_keyframe(p[pos] & 0x1F))
            return true;
        pos += size;
    }
    return false;
}

bool prism_rtp_h264_is_keyframe(const uint8_t *payload, size_t len)
{
    if (!payload || len < 1)
        return false;
    uint8_t type = payload[0] & 0x1F;
    if (type == NAL_STAP_A)
        return stap_a_has_keyframe(payload, len);
    if (type == NAL_FU_A) {
        /* The FU header: S bit, then the type of the fragmented NAL unit. */
        return len >= 2 && (payload[1] & 0x80) && starts_keyframe(payload[1] & 0x1F);
    }
    return starts_keyframe(type);
}
