/* Values of the RTP header extensions Prism negotiates: encode and decode, no lookup. */
#include "media/rtp/extension.h"

#include <errno.h>
#include <string.h>

#define ABS_SEND_TIME_WRAP_US (64ull * 1000000ull)

int prism_rtp_abs_send_time_read(const struct prism_rtp_ext *e, uint32_t *value)
{
    if (!e || !value || e->len != 3 || !e->data)
        return -EINVAL;
    *value = prism_read_be24(e->data);
    return 0;
}

int prism_rtp_abs_send_time_write(uint8_t *data, size_t len, uint32_t value)
{
    if (!data || len != 3 || value > 0xFFFFFF)
        return -EINVAL;
    prism_write_be24(data, value);
    return 0;
}

uint32_t prism_rtp_abs_send_time_from_us(uint64_t time_us)
{
    /* Reduce modulo the 64 s wrap first so the shift cannot overflow; both divisions are by
     * constants and compile to multiplications. */
    uint64_t us = time_us % ABS_SEND_TIME_WRAP_US;
    return (uint32_t)(((us << 18) + 500000) / 1000000) & 0xFFFFFF;
}

int prism_rtp_transport_cc_read(const struct prism_rtp_ext *e, uint16_t *seq)
{
    if (!e || !seq || e->len != 2 || !e->data)
        return -EINVAL;
    *seq = prism_read_be16(e->data);
    return 0;
}

int prism_rtp_transport_cc_write(uint8_t *data, size_t len, uint16_t seq)
{
    if (!data || len != 2)
        return -EINVAL;
    prism_write_be16(data, seq);
    return 0;
}

int prism_rtp_audio_level_read(const struct prism_rtp_ext *e, bool *voice, uint8_t *level)
{
    /* RFC 6464 allows padding the one-byte value out to more bytes; only the first counts. */
    if (!e || !voice || !level || e->len < 1 || !e->data)
        return -EINVAL;
    *voice = (e->data[0] & 0x80) != 0;
    *level = e->data[0] & 0x7F;
    return 0;
}

int prism_rtp_audio_level_write(uint8_t *data, size_t len, bool voice, uint8_t level)
{
    if (!data || len < 1 || level > 127)
        return -EINVAL;
    data[0] = (uint8_t)((voice ? 0x80 : 0) | level);
    memset(data + 1, 0, len - 1);
    return 0;
}

int prism_rtp_video_orientation_read(const struct prism_rtp_ext *e,
                                     struct prism_rtp_video_orientation *out)
{
    if (!e || !out || e->len < 1 || !e->data)
        return -EINVAL;
    uint8_t b = e->data[0];
    out->back_camera = (b & 0x08) != 0;
    out->flip = (b & 0x04) != 0;
    out->rotation = (uint16_t)((b & 0x03) * 90);
    return 0;
}

int prism_rtp_video_orientation_write(uint8_t *data, size_t len,
                                      const struct prism_rtp_video_orientation *value)
{
    if (!data || !value || len < 1)
        return -EINVAL;
    uint8_t r;
    switch (value->rotation) {
    case 0:
        r = 0;
        break;
    case 90:
        r = 1;
        break;
    case 180:
        r = 2;
        break;
    case 270:
        r = 3;
        break;
    default:
        return -EINVAL;
    }
    data[0] = (uint8_t)((value->back_camera ? 0x08 : 0) | (value->flip ? 0x04 : 0) | r);
    memset(data + 1, 0, len - 1);
    return 0;
}

/* mid and rid values are SDP tokens: printable, no spaces, no NUL. */
static bool is_token_string(const struct prism_rtp_ext *e)
{
    if (!e || !e->data || e->len == 0)
        return false;
    for (size_t i = 0; i < e->len; i++) {
        if (e->data[i] < 0x21 || e->data[i] > 0x7E)
            return false;
    }
    return true;
}

int prism_rtp_ext_string_copy(const struct prism_rtp_ext *e, char *out, size_t cap)
{
    if (!out || cap == 0)
        return -EINVAL;
    if (!is_token_string(e))
        return -EBADMSG;
    if ((size_t)e->len >= cap)
        return -ENOSPC;
    memcpy(out, e->data, e->len);
    out[e->len] = '\0';
    return (int)e->len;
}

bool prism_rtp_ext_string_equals(const struct prism_rtp_ext *e, const char *s)
{
    if (!e || !s || (!e->data && e->len > 0))
        return false;
    size_t n = strlen(s);
    return n == e->len && memcmp(e->data, s, n) == 0;
}
