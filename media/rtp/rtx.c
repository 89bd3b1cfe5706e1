/* RTP retransmission payload format (RFC 4588): wrap a stored packet, unwrap a received one. */
#include "media/rtp/header.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

int prism_rtp_rtx_wrap(uint8_t *out, size_t cap, const struct prism_rtp_header *h,
                       uint8_t rtx_payload_type, uint32_t rtx_ssrc, uint16_t rtx_seq)
{
    if (!out || !h || !h->payload || rtx_payload_type > 127)
        return -EINVAL;
    size_t total = h->header_len + 2 + h->payload_len;
    if (total > INT_MAX)
        return -EINVAL;
    if (total > cap)
        return -ENOSPC;
    /* The view was parsed from one contiguous packet, so its start is right before the payload. */
    const uint8_t *packet = h->payload - h->header_len;
    memcpy(out, packet, h->header_len);
    out[0] &= (uint8_t)~0x20;
    prism_rtp_set_payload_type(out, rtx_payload_type);
    prism_rtp_set_seq(out, rtx_seq);
    prism_rtp_set_ssrc(out, rtx_ssrc);
    prism_write_be16(out + h->header_len, h->seq);
    if (h->payload_len > 0)
        memcpy(out + h->header_len + 2, h->payload, h->payload_len);
    return (int)total;
}

int prism_rtp_rtx_unwrap(uint8_t *packet, const struct prism_rtp_header *h, uint8_t payload_type,
                         uint32_t ssrc)
{
    if (!packet || !h || payload_type > 127)
        return -EINVAL;
    if (h->payload_len < 2 || h->header_len + h->payload_len > INT_MAX)
        return -EBADMSG;
    uint8_t *payload = packet + h->header_len;
    uint16_t osn = prism_read_be16(payload);
    memmove(payload, payload + 2, h->payload_len - 2);
    packet[0] &= (uint8_t)~0x20;
    prism_rtp_set_payload_type(packet, payload_type);
    prism_rtp_set_seq(packet, osn);
    prism_rtp_set_ssrc(packet, ssrc);
    return (int)(h->header_len + h->payload_len - 2);
}
