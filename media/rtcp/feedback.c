/* RTCP feedback: generic NACK, PLI, FIR and REMB parse and build (RFC 4585, RFC 5104,
 * draft-alvestrand-rmcat-remb). */
#include "media/rtcp/feedback.h"
#include "media/rtcp/internal.h"

#include <errno.h>
#include <string.h>

#define FB_HEADER_LEN 12 /* RTCP header + sender SSRC + media SSRC */
#define REMB_MANTISSA_MAX 0x3FFFFu
#define MAX_PACKET_LEN (4 * (size_t)0x10000)

int prism_rtcp_fb_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_fb *out)
{
    if (!p || !out || (p->type != PRISM_RTCP_RTPFB && p->type != PRISM_RTCP_PSFB))
        return -EINVAL;
    if (p->body_len < 8)
        return -EBADMSG;
    out->type = p->type;
    out->fmt = p->count;
    out->sender_ssrc = prism_read_be32(p->body);
    out->media_ssrc = prism_read_be32(p->body + 4);
    out->fci = p->body + 8;
    out->fci_len = p->body_len - 8;
    return 0;
}

/* Parses the feedback header and checks the packet is of the wanted type and format. */
static int parse_fb_of(const struct prism_rtcp_packet *p, uint8_t type, uint8_t fmt,
                       struct prism_rtcp_fb *out)
{
    if (!p || p->type != type || p->count != fmt)
        return -EINVAL;
    return prism_rtcp_fb_parse(p, out);
}

static void write_fb_header(uint8_t *buf, uint8_t type, uint8_t fmt, size_t len, uint32_t sender,
                            uint32_t media)
{
    prism_rtcp_write_header(buf, fmt, type, len);
    prism_write_be32(buf + 4, sender);
    prism_write_be32(buf + 8, media);
}

int prism_rtcp_pli_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_fb *out)
{
    return parse_fb_of(p, PRISM_RTCP_PSFB, PRISM_RTCP_PSFB_PLI, out);
}

int prism_rtcp_build_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc)
{
    if (!buf)
        return -EINVAL;
    if (cap < FB_HEADER_LEN)
        return -ENOSPC;
    write_fb_header(buf, PRISM_RTCP_PSFB, PRISM_RTCP_PSFB_PLI, FB_HEADER_LEN, sender_ssrc,
                    media_ssrc);
    return FB_HEADER_LEN;
}

int prism_rtcp_nack_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_nack *out)
{
    struct prism_rtcp_fb fb;
    if (!out)
        return -EINVAL;
    int rc = parse_fb_of(p, PRISM_RTCP_RTPFB, PRISM_RTCP_RTPFB_NACK, &fb);
    if (rc < 0)
        return rc;
    if (fb.fci_len < 4) /* RFC 4585 section 6.2.1: at least one FCI entry */
        return -EBADMSG;
    out->sender_ssrc = fb.sender_ssrc;
    out->media_ssrc = fb.media_ssrc;
    out->fci = fb.fci;
    out->fci_count = fb.fci_len >> 2;
    return 0;
}

size_t prism_rtcp_nack_lost(const struct prism_rtcp_nack *nack, uint16_t *out, size_t cap)
{
    size_t n = 0;
    if (!nack || !out)
        return 0;
    for (size_t i = 0; i < nack->fci_count; i++) {
        uint16_t pid = prism_read_be16(nack->fci + 4 * i);
        uint16_t blp = prism_read_be16(nack->fci + 4 * i + 2);
        if (n == cap)
            return n;
        out[n++] = pid;
        /* Bit i of the bitmask of lost packets stands for pid + i + 1. */
        for (unsigned bit = 0; bit < 16; bit++) {
            if (!(blp & (1u << bit)))
                continue;
            if (n == cap)
                return n;
            out[n++] = (uint16_t)(pid + bit + 1);
        }
    }
    return n;
}

int prism_rtcp_build_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                          const uint16_t *lost, size_t count)
{
    if (!buf || !lost || count == 0)
        return -EINVAL;
    if (cap < FB_HEADER_LEN)
        return -ENOSPC;
    size_t pos = FB_HEADER_LEN;
    uint8_t *entry = NULL;
    uint16_t pid = 0, blp = 0;
    for (size_t i = 0; i < count; i++) {
        if (entry) {
            uint16_t ahead = (uint16_t)(lost[i] - pid);
            if (ahead == 0)
                continue;
            if (ahead <= 16) {
                blp |= (uint16_t)(1u << (ahead - 1));
                prism_write_be16(entry + 2, blp);
                continue;
            }
        }
        if (pos + 4 > MAX_PACKET_LEN)
            return -EINVAL;
        if (cap - pos < 4)
            return -ENOSPC;
        entry = buf + pos;
        pid = lost[i];
        blp = 0;
        prism_write_be16(entry, pid);
        prism_write_be16(entry + 2, 0);
        pos += 4;
    }
    write_fb_header(buf, PRISM_RTCP_RTPFB, PRISM_RTCP_RTPFB_NACK, pos, sender_ssrc, media_ssrc);
    return (int)pos;
}

int prism_rtcp_fir_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_fir *out)
{
    struct prism_rtcp_fb fb;
    if (!out)
        return -EINVAL;
    int rc = parse_fb_of(p, PRISM_RTCP_PSFB, PRISM_RTCP_PSFB_FIR, &fb);
    if (rc < 0)
        return rc;
    if (fb.fci_len < 8)
        return -EBADMSG;
    out->sender_ssrc = fb.sender_ssrc;
    out->entries = fb.fci;
    out->count = fb.fci_len >> 3;
    return 0;
}

int prism_rtcp_fir_get(const struct prism_rtcp_fir *fir, size_t index,
                       struct prism_rtcp_fir_entry *out)
{
    if (!fir || !out || index >= fir->count)
        return -EINVAL;
    out->ssrc = prism_read_be32(fir->entries + 8 * index);
    out->seq = fir->entries[8 * index + 4];
    return 0;
}

int prism_rtcp_build_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                         const struct prism_rtcp_fir_entry *entries, size_t count)
{
    if (!buf || !entries || count == 0 || count > (MAX_PACKET_LEN - FB_HEADER_LEN) / 8)
        return -EINVAL;
    size_t len = FB_HEADER_LEN + 8 * count;
    if (len > cap)
        return -ENOSPC;
    /* RFC 5104 section 4.3.1.2: the media source SSRC is unused and set to 0. */
    write_fb_header(buf, PRISM_RTCP_PSFB, PRISM_RTCP_PSFB_FIR, len, sender_ssrc, 0);
    for (size_t i = 0; i < count; i++) {
        uint8_t *e = buf + FB_HEADER_LEN + 8 * i;
        prism_write_be32(e, entries[i].ssrc);
        e[4] = entries[i].seq;
        e[5] = e[6] = e[7] = 0;
    }
    return (int)len;
}

int prism_rtcp_remb_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_remb *out)
{
    struct prism_rtcp_fb fb;
    if (!out)
        return -EINVAL;
    int rc = parse_fb_of(p, PRISM_RTCP_PSFB, PRISM_RTCP_PSFB_AFB, &fb);
    if (rc < 0)
        return rc;
    if (fb.fci_len < 4 || memcmp(fb.fci, "REMB", 4) != 0)
        return -ENOENT;
    if (fb.fci_len < 8)
        return -EBADMSG;
    uint8_t count = fb.fci[4];
    if (fb.fci_len - 8 < 4 * (size_t)count)
        return -EBADMSG;
    unsigned exponent = fb.fci[5] >> 2;
    uint64_t mantissa = prism_read_be24(fb.fci + 5) & REMB_MANTISSA_MAX;
    out->sender_ssrc = fb.sender_ssrc;
    out->bitrate = mantissa > (UINT64_MAX >> exponent) ? UINT64_MAX : mantissa << exponent;
    out->count = count;
    out->ssrcs = fb.fci + 8;
    return 0;
}

int prism_rtcp_build_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint64_t bitrate,
                          const uint32_t *ssrcs, size_t count)
{
    if (!buf || count > 255 || (count > 0 && !ssrcs))
        return -EINVAL;
    size_t len = FB_HEADER_LEN + 8 + 4 * count;
    if (len > cap)
        return -ENOSPC;
    unsigned exponent = 0;
    while ((bitrate >> exponent) > REMB_MANTISSA_MAX)
        exponent++;
    uint32_t mantissa = (uint32_t)(bitrate >> exponent);
    /* The media source SSRC is unused (0); the SSRCs the estimate applies to follow. */
    write_fb_header(buf, PRISM_RTCP_PSFB, PRISM_RTCP_PSFB_AFB, len, sender_ssrc, 0);
    memcpy(buf + 12, "REMB", 4);
    buf[16] = (uint8_t)count;
    prism_write_be24(buf + 17, (uint32_t)exponent << 18 | mantissa);
    for (size_t i = 0; i < count; i++)
        prism_write_be32(buf + 20 + 4 * i, ssrcs[i]);
    return (int)len;
}
