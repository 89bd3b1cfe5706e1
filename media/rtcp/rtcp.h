/* RTCP (RFC 3550 section 6): compound packet iteration, SR/RR/SDES/BYE parse and build, and the
 * rewrites the forwarding path applies. Feedback messages are in media/rtcp/feedback.h.
 * Reduced-size RTCP (RFC 5506) is accepted: a compound packet need not start with SR or RR.
 *
 * Parsers produce views into the caller's buffer. Builders write into caller buffers and return
 * the number of bytes written. Errors are negative errno values: -EINVAL for bad arguments,
 * -EBADMSG for malformed input, -ENOSPC when the output buffer is too small. Nothing allocates,
 * logs or keeps state; any thread may call any function. */
#ifndef PRISM_MEDIA_RTCP_RTCP_H
#define PRISM_MEDIA_RTCP_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/bytes.h"

enum prism_rtcp_type {
    PRISM_RTCP_SR = 200,
    PRISM_RTCP_RR = 201,
    PRISM_RTCP_SDES = 202,
    PRISM_RTCP_BYE = 203,
    PRISM_RTCP_APP = 204,
    PRISM_RTCP_RTPFB = 205, /* transport layer feedback (RFC 4585) */
    PRISM_RTCP_PSFB = 206,  /* payload-specific feedback (RFC 4585) */
    PRISM_RTCP_XR = 207,
};

#define PRISM_RTCP_HEADER_LEN 4
#define PRISM_RTCP_MAX_COUNT 31 /* report blocks, SDES chunks or BYE sources per packet */
#define PRISM_RTCP_REPORT_BLOCK_LEN 24

/* One packet of a compound RTCP packet. data/body point into the compound buffer; offset is
 * where data starts in it, so a caller holding the buffer writably can rewrite in place. */
struct prism_rtcp_packet {
    uint8_t type;  /* enum prism_rtcp_type or anything else (unknown types are skipped) */
    uint8_t count; /* the 5-bit RC/SC/FMT field */
    bool padding;
    size_t offset;
    const uint8_t *data; /* the whole packet, header included */
    size_t len;          /* 4 * (length field + 1) */
    const uint8_t *body; /* after the 4-byte header */
    size_t body_len;     /* without padding */
};

/* Walks a compound packet. Every length is checked before anything is yielded: a bad length in
 * one packet stops the walk with an error and nothing past the buffer is ever read. */
struct prism_rtcp_iter {
    const uint8_t *start;
    size_t len;
    size_t pos;
    bool failed;
};

void prism_rtcp_iter_init(struct prism_rtcp_iter *it, const uint8_t *data, size_t len);

/* Returns 1 and the next packet, 0 at the end, or -EBADMSG (wrong version, length past the end,
 * bad padding, a truncated trailer); after an error it keeps returning -EBADMSG. */
int prism_rtcp_next(struct prism_rtcp_iter *it, struct prism_rtcp_packet *out);

/* Checks a whole compound packet without looking inside its packets: 0 or -EBADMSG. */
int prism_rtcp_validate(const uint8_t *data, size_t len);

/* A reception report block (RFC 3550 section 6.4.1), decoded. */
struct prism_rtcp_report_block {
    uint32_t ssrc;           /* the source this block reports on */
    uint8_t fraction_lost;   /* fixed point /256 */
    int32_t cumulative_lost; /* 24-bit signed */
    uint32_t highest_seq;    /* extended highest sequence number received */
    uint32_t jitter;
    uint32_t last_sr;             /* middle 32 bits of the NTP time of the last SR */
    uint32_t delay_since_last_sr; /* 1/65536 s */
};

/* The report blocks of an SR or RR, still encoded; decode one with prism_rtcp_report_get(). */
struct prism_rtcp_reports {
    const uint8_t *blocks;
    uint8_t count;
};

int prism_rtcp_report_get(const struct prism_rtcp_reports *reports, unsigned index,
                          struct prism_rtcp_report_block *out);

/* Sender information of an SR (RFC 3550 section 6.4.1). */
struct prism_rtcp_sender_info {
    uint32_t ssrc;
    uint64_t ntp; /* 32.32 fixed point seconds since 1900 */
    uint32_t rtp_timestamp;
    uint32_t packet_count;
    uint32_t octet_count;
};

struct prism_rtcp_sr {
    struct prism_rtcp_sender_info info;
    struct prism_rtcp_reports reports;
};

struct prism_rtcp_rr {
    uint32_t ssrc;
    struct prism_rtcp_reports reports;
};

/* The NTP timestamp (32.32 fixed point seconds since 1900) of a wall-clock time given in
 * microseconds since 1970, for SR sender info. */
uint64_t prism_rtcp_ntp_from_unix_us(uint64_t unix_us);

/* The middle 32 bits of an NTP timestamp: what a report block's last_sr echoes, and the unit
 * (1/65536 s) of delay_since_last_sr, so round trip = now - last_sr - delay_since_last_sr. */
static inline uint32_t prism_rtcp_ntp_compact(uint64_t ntp)
{
    return (uint32_t)(ntp >> 16);
}

/* Parse an SR or RR packet yielded by the iterator (-EINVAL if it is another type). Profile
 * extensions after the report blocks are ignored. */
int prism_rtcp_sr_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_sr *out);
int prism_rtcp_rr_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_rr *out);

enum prism_rtcp_sdes_type {
    PRISM_RTCP_SDES_END = 0,
    PRISM_RTCP_SDES_CNAME = 1,
    PRISM_RTCP_SDES_NAME = 2,
    PRISM_RTCP_SDES_TOOL = 6,
    PRISM_RTCP_SDES_PRIV = 8,
};

/* One SDES item; text points into the packet and is not NUL-terminated. */
struct prism_rtcp_sdes_item {
    uint32_t ssrc; /* the chunk's SSRC or CSRC */
    uint8_t type;
    uint8_t len;
    const uint8_t *text;
};

/* Walks the items of every chunk of an SDES packet. */
struct prism_rtcp_sdes_iter {
    const uint8_t *body;
    size_t len;
    size_t pos;
    unsigned chunks_left;
    bool in_chunk;
    uint32_t ssrc;
};

int prism_rtcp_sdes_iter_init(struct prism_rtcp_sdes_iter *it, const struct prism_rtcp_packet *p);
/* Returns 1 and the next item, 0 after the last chunk, -EBADMSG if a chunk is malformed. */
int prism_rtcp_sdes_next(struct prism_rtcp_sdes_iter *it, struct prism_rtcp_sdes_item *out);

/* Finds the CNAME of the first chunk that has one; 0, -ENOENT or -EBADMSG. */
int prism_rtcp_sdes_find_cname(const struct prism_rtcp_packet *p, struct prism_rtcp_sdes_item *out);

struct prism_rtcp_bye {
    uint8_t count;
    const uint8_t *ssrcs;  /* count big-endian words */
    const uint8_t *reason; /* NULL when absent; not NUL-terminated */
    uint8_t reason_len;
};

int prism_rtcp_bye_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_bye *out);

static inline uint32_t prism_rtcp_bye_ssrc(const struct prism_rtcp_bye *bye, unsigned index)
{
    return prism_read_be32(bye->ssrcs + 4 * index);
}

/* Builders. Each writes one packet at buf; call them in a row to build a compound packet. */
int prism_rtcp_build_sr(uint8_t *buf, size_t cap, const struct prism_rtcp_sender_info *info,
                        const struct prism_rtcp_report_block *blocks, size_t count);
int prism_rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc,
                        const struct prism_rtcp_report_block *blocks, size_t count);
/* An SDES packet with one chunk holding one CNAME item (1-255 bytes). */
int prism_rtcp_build_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname,
                                size_t cname_len);
/* A BYE for count (1-31) sources with an optional reason (reason_len 0-255). */
int prism_rtcp_build_bye(uint8_t *buf, size_t cap, const uint32_t *ssrcs, size_t count,
                         const char *reason, size_t reason_len);

/* Forwarding a publisher's SR to a receiver: sets the sender SSRC and adds ts_offset to the RTP
 * timestamp, the same offset the receiver's RTP timestamps get, in place. sr points at an SR
 * packet of len bytes (for example compound + packet.offset). */
int prism_rtcp_sr_rewrite(uint8_t *sr, size_t len, uint32_t ssrc, uint32_t ts_offset);

/* Maps a media source SSRC as the receiver knows it to the publisher's; returns false when the
 * SSRC is unknown, so whatever refers to it is dropped. */
typedef bool (*prism_rtcp_ssrc_map_cb)(void *user, uint32_t ssrc, uint32_t *mapped);

/* Translates the compound packet a receiver sent into one for the publisher. Every media source
 * SSRC (report blocks, feedback media SSRC, FIR entries, REMB SSRCs) goes through map_cb; what
 * does not map is dropped, and packets left empty are dropped. Every sender SSRC becomes
 * sender_ssrc. An SR becomes an RR (its sender info describes the receiver's own stream); SDES,
 * BYE, APP, XR and unknown types are dropped; padding is removed. out may equal in (otherwise
 * the two must not overlap), and cap >= len always suffices. Returns the output length (0 when
 * nothing is left) or a negative error (then out is unspecified). */
int prism_rtcp_translate(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                         uint32_t sender_ssrc, prism_rtcp_ssrc_map_cb map_cb, void *user);

#endif
