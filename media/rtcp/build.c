/* Builders for the RFC 3550 RTCP packets: SR, RR, SDES with a CNAME, BYE. */
#include "media/rtcp/rtcp.h"
#include "media/rtcp/internal.h"

#include <errno.h>
#include <string.h>

#define NTP_UNIX_EPOCH_OFFSET 2208988800ull /* seconds from 1900 to 1970 */

uint64_t prism_rtcp_ntp_from_unix_us(uint64_t unix_us)
{
    uint64_t seconds = unix_us / 1000000 + NTP_UNIX_EPOCH_OFFSET;
    uint64_t fraction = ((unix_us % 1000000) << 32) / 1000000;
    return seconds << 32 | fraction;
}

void prism_rtcp_write_header(uint8_t *buf, uint8_t count, uint8_t type, size_t len)
{
    buf[0] = (uint8_t)(0x80 | (count & 0x1F));
    buf[1] = type;
    prism_write_be16(buf + 2, (uint16_t)(len / 4 - 1));
}

void prism_rtcp_write_report_block(uint8_t *b, const struct prism_rtcp_report_block *r)
{
    int32_t lost = r->cumulative_lost;
    if (lost > 0x7FFFFF)
        lost = 0x7FFFFF;
    if (lost < -0x800000)
        lost = -0x800000;
    prism_write_be32(b, r->ssrc);
    b[4] = r->fraction_lost;
    prism_write_be24(b + 5, (uint32_t)lost & 0xFFFFFF);
    prism_write_be32(b + 8, r->highest_seq);
    prism_write_be32(b + 12, r->jitter);
    prism_write_be32(b + 16, r->last_sr);
    prism_write_be32(b + 20, r->delay_since_last_sr);
}

static void write_report_blocks(uint8_t *b, const struct prism_rtcp_report_block *blocks,
                                size_t count)
{
    for (size_t i = 0; i < count; i++)
        prism_rtcp_write_report_block(b + PRISM_RTCP_REPORT_BLOCK_LEN * i, &blocks[i]);
}

int prism_rtcp_build_sr(uint8_t *buf, size_t cap, const struct prism_rtcp_sender_info *info,
                        const struct prism_rtcp_report_block *blocks, size_t count)
{
    if (!buf || !info || count > PRISM_RTCP_MAX_COUNT || (count > 0 && !blocks))
        return -EINVAL;
    size_t len = PRISM_RTCP_HEADER_LEN + 24 + PRISM_RTCP_REPORT_BLOCK_LEN * count;
    if (len > cap)
        return -ENOSPC;
    prism_rtcp_write_header(buf, (uint8_t)count, PRISM_RTCP_SR, len);
    prism_write_be32(buf + 4, info->ssrc);
    prism_write_be64(buf + 8, info->ntp);
    prism_write_be32(buf + 16, info->rtp_timestamp);
    prism_write_be32(buf + 20, info->packet_count);
    prism_write_be32(buf + 24, info->octet_count);
    write_report_blocks(buf + 28, blocks, count);
    return (int)len;
}

int prism_rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc,
                        const struct prism_rtcp_report_block *blocks, size_t count)
{
    if (!buf || count > PRISM_RTCP_MAX_COUNT || (count > 0 && !blocks))
        return -EINVAL;
    size_t len = PRISM_RTCP_HEADER_LEN + 4 + PRISM_RTCP_REPORT_BLOCK_LEN * count;
    if (len > cap)
        return -ENOSPC;
    prism_rtcp_write_header(buf, (uint8_t)count, PRISM_RTCP_RR, len);
    prism_write_be32(buf + 4, ssrc);
    write_report_blocks(buf + 8, blocks, count);
    return (int)len;
}

int prism_rtcp_build_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname,
                                size_t cname_len)
{
    if (!buf || !cname || cname_len == 0 || cname_len > 255)
        return -EINVAL;
    /* SSRC, CNAME item, at least one null octet, then padding to a 32-bit boundary. */
    size_t chunk = 4 + 2 + cname_len + 1;
    size_t len = PRISM_RTCP_HEADER_LEN + ((chunk + 3) & ~(size_t)3);
    if (len > cap)
        return -ENOSPC;
    prism_rtcp_write_header(buf, 1, PRISM_RTCP_SDES, len);
    prism_write_be32(buf + 4, ssrc);
    buf[8] = PRISM_RTCP_SDES_CNAME;
    buf[9] = (uint8_t)cname_len;
    memcpy(buf + 10, cname, cname_len);
    memset(buf + 10 + cname_len, 0, len - 10 - cname_len);
    return (int)len;
}

int prism_rtcp_build_bye(uint8_t *buf, size_t cap, const uint32_t *ssrcs, size_t count,
                         const char *reason, size_t reason_len)
{
    if (!buf || !ssrcs || count == 0 || count > PRISM_RTCP_MAX_COUNT || reason_len > 255 ||
        (reason_len > 0 && !reason))
        return -EINVAL;
    size_t body = 4 * count + (reason_len > 0 ? 1 + reason_len : 0);
    size_t len = PRISM_RTCP_HEADER_LEN + ((body + 3) & ~(size_t)3);
    if (len > cap)
        return -ENOSPC;
    prism_rtcp_write_header(buf, (uint8_t)count, PRISM_RTCP_BYE, len);
    for (size_t i = 0; i < count; i++)
        prism_write_be32(buf + 4 + 4 * i, ssrcs[i]);
    size_t pos = 4 + 4 * count;
    if (reason_len > 0) {
        buf[pos++] = (uint8_t)reason_len;
        memcpy(buf + pos, reason, reason_len);
        pos += reason_len;
    }
    memset(buf + pos, 0, len - pos);
    return (int)len;
}
