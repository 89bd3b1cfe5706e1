/* RTCP rewriting for the forwarding path: SR sender rewrite toward a receiver, and translation
 * of a receiver's reports and feedback into the publisher's SSRC space. */
#include "media/rtcp/feedback.h"
#include "media/rtcp/internal.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

int prism_rtcp_sr_rewrite(uint8_t *sr, size_t len, uint32_t ssrc, uint32_t ts_offset)
{
    if (!sr)
        return -EINVAL;
    if (len < PRISM_RTCP_HEADER_LEN + 24 || (sr[0] >> 6) != 2 || sr[1] != PRISM_RTCP_SR ||
        4 * ((size_t)prism_read_be16(sr + 2) + 1) > len)
        return -EBADMSG;
    prism_write_be32(sr + 4, ssrc);
    prism_write_be32(sr + 16, prism_read_be32(sr + 16) + ts_offset);
    return 0;
}

/* The callback context of one translation. */
struct translation {
    uint32_t sender_ssrc;
    prism_rtcp_ssrc_map_cb map_cb;
    void *user;
};

/* Maps the big-endian SSRC at p in place; false if the receiver's SSRC is unknown. */
static bool map_in_place(const struct translation *t, uint8_t *p)
{
    uint32_t mapped;
    if (!t->map_cb(t->user, prism_read_be32(p), &mapped))
        return false;
    prism_write_be32(p, mapped);
    return true;
}

/* Keeps the report blocks (of an SR or RR) about mapped sources, as an RR at out. */
static int translate_reports(const struct translation *t, const struct prism_rtcp_packet *p,
                             uint8_t *out)
{
    struct prism_rtcp_reports reports;
    if (p->type == PRISM_RTCP_SR) {
        struct prism_rtcp_sr sr;
        if (prism_rtcp_sr_parse(p, &sr) < 0)
            return -EBADMSG;
        reports = sr.reports;
    } else {
        struct prism_rtcp_rr rr;
        if (prism_rtcp_rr_parse(p, &rr) < 0)
            return -EBADMSG;
        reports = rr.reports;
    }
    size_t kept = 0;
    for (size_t i = 0; i < reports.count; i++) {
        uint8_t *block = out + 8 + PRISM_RTCP_REPORT_BLOCK_LEN * kept;
        /* memmove: out may alias the input, always at or before it. */
        memmove(block, reports.blocks + PRISM_RTCP_REPORT_BLOCK_LEN * i,
                PRISM_RTCP_REPORT_BLOCK_LEN);
        if (map_in_place(t, block))
            kept++;
    }
    if (kept == 0)
        return 0;
    size_t len = 8 + PRISM_RTCP_REPORT_BLOCK_LEN * kept;
    prism_rtcp_write_header(out, (uint8_t)kept, PRISM_RTCP_RR, len);
    prism_write_be32(out + 4, t->sender_ssrc);
    return (int)len;
}

/* Keeps the FIR entries (8 bytes each, SSRC first) whose SSRC maps; returns the FCI length. */
static size_t filter_fir_entries(const struct translation *t, uint8_t *fci, size_t fci_len)
{
    size_t kept = 0;
    for (size_t at = 0; at + 8 <= fci_len; at += 8) {
        memmove(fci + kept, fci + at, 8);
        if (map_in_place(t, fci + kept))
            kept += 8;
    }
    return kept;
}

/* Keeps the REMB SSRCs that map; returns the FCI length, 0 when none is left. */
static size_t filter_remb_ssrcs(const struct translation *t, uint8_t *fci, size_t fci_len)
{
    if (fci_len < 8 || memcmp(fci, "REMB", 4) != 0 || fci_len - 8 < 4 * (size_t)fci[4])
        return 0;
    size_t kept = 0;
    for (size_t i = 0; i < fci[4]; i++) {
        memmove(fci + 8 + 4 * kept, fci + 8 + 4 * i, 4);
        if (map_in_place(t, fci + 8 + 4 * kept))
            kept++;
    }
    fci[4] = (uint8_t)kept;
    return kept > 0 ? 8 + 4 * kept : 0;
}

/* Feedback toward the publisher: the media SSRC, or the SSRCs inside FIR and REMB, mapped. */
static int translate_feedback(const struct translation *t, const struct prism_rtcp_packet *p,
                              uint8_t *out)
{
    struct prism_rtcp_fb fb;
    if (prism_rtcp_fb_parse(p, &fb) < 0)
        return -EBADMSG;
    bool fir = fb.type == PRISM_RTCP_PSFB && fb.fmt == PRISM_RTCP_PSFB_FIR;
    bool remb = fb.type == PRISM_RTCP_PSFB && fb.fmt == PRISM_RTCP_PSFB_AFB && fb.fci_len >= 4 &&
                memcmp(fb.fci, "REMB", 4) == 0;
    uint32_t media = fb.media_ssrc;
    if (!fir && !remb && !t->map_cb(t->user, fb.media_ssrc, &media))
        return 0;

    size_t fci_len = fb.fci_len & ~(size_t)3; /* drop a partial word left by odd padding */
    uint8_t *fci = out + 12;
    memmove(fci, fb.fci, fci_len);
    if (fir)
        fci_len = filter_fir_entries(t, fci, fci_len);
    else if (remb)
        fci_len = filter_remb_ssrcs(t, fci, fci_len);
    if ((fir || remb) && fci_len == 0)
        return 0;
    size_t len = 12 + fci_len;
    prism_rtcp_write_header(out, fb.fmt, fb.type, len);
    prism_write_be32(out + 4, t->sender_ssrc);
    prism_write_be32(out + 8, media);
    return (int)len;
}

/* The most bytes translating p can produce, so capacity is checked before anything is written. */
static size_t max_output(const struct prism_rtcp_packet *p)
{
    if (p->type == PRISM_RTCP_SR || p->type == PRISM_RTCP_RR)
        return 8 + PRISM_RTCP_REPORT_BLOCK_LEN * (size_t)p->count;
    return p->len;
}

int prism_rtcp_translate(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                         uint32_t sender_ssrc, prism_rtcp_ssrc_map_cb map_cb, void *user)
{
    if (!in || !out || !map_cb || len > INT_MAX)
        return -EINVAL;
    /* Validate first so a malformed tail fails before anything has been written. */
    int rc = prism_rtcp_validate(in, len);
    if (rc < 0)
        return rc;
    struct translation t = {.sender_ssrc = sender_ssrc, .map_cb = map_cb, .user = user};
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    size_t pos = 0;
    prism_rtcp_iter_init(&it, in, len);
    while ((rc = prism_rtcp_next(&it, &p)) > 0) {
        int written;
        if (p.type == PRISM_RTCP_SR || p.type == PRISM_RTCP_RR || p.type == PRISM_RTCP_RTPFB ||
            p.type == PRISM_RTCP_PSFB) {
            if (max_output(&p) > cap - pos)
                return -ENOSPC;
        }
        if (p.type == PRISM_RTCP_SR || p.type == PRISM_RTCP_RR)
            written = translate_reports(&t, &p, out + pos);
        else if (p.type == PRISM_RTCP_RTPFB || p.type == PRISM_RTCP_PSFB)
            written = translate_feedback(&t, &p, out + pos);
        else
            written = 0; /* SDES, BYE, APP, XR describe the receiver itself */
        if (written < 0)
            return written;
        pos += (size_t)written;
    }
    return rc < 0 ? rc : (int)pos;
}
