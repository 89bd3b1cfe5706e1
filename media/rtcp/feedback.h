/* RTCP feedback messages: generic NACK, PLI, FIR (RFC 4585, RFC 5104), REMB
 * (draft-alvestrand-rmcat-remb) and transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01, parse and build). Views and builders follow
 * the conventions of media/rtcp/rtcp.h. */
#ifndef PRISM_MEDIA_RTCP_FEEDBACK_H
#define PRISM_MEDIA_RTCP_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/rtcp/rtcp.h"

/* Feedback message types (the FMT field) of RTPFB and PSFB packets. */
#define PRISM_RTCP_RTPFB_NACK 1
#define PRISM_RTCP_RTPFB_TWCC 15
#define PRISM_RTCP_PSFB_PLI 1
#define PRISM_RTCP_PSFB_FIR 4
#define PRISM_RTCP_PSFB_AFB 15 /* application layer feedback, carries REMB */

/* The common part of every feedback packet (RFC 4585 section 6.1). */
struct prism_rtcp_fb {
    uint8_t type; /* PRISM_RTCP_RTPFB or PRISM_RTCP_PSFB */
    uint8_t fmt;
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    const uint8_t *fci; /* feedback control information */
    size_t fci_len;
};

/* Parses the common header of an RTPFB or PSFB packet (-EINVAL for other types). */
int prism_rtcp_fb_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_fb *out);

/* Parses a PLI (which has no FCI); -EINVAL if p is another kind of packet. */
int prism_rtcp_pli_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_fb *out);

/* Generic NACK: one or more (PID, BLP) pairs, each naming up to 17 lost packets. */
#define PRISM_RTCP_NACK_MAX_PER_FCI 17
struct prism_rtcp_nack {
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    const uint8_t *fci;
    size_t fci_count; /* at least 1 */
};

int prism_rtcp_nack_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_nack *out);

/* Expands the NACK into lost sequence numbers, in packet order, writing at most cap of them
 * (fci_count * PRISM_RTCP_NACK_MAX_PER_FCI always suffices). Returns how many were written. */
size_t prism_rtcp_nack_lost(const struct prism_rtcp_nack *nack, uint16_t *out, size_t cap);

/* Builds a NACK for the lost sequence numbers, packing each run of 17 into one PID/BLP pair.
 * Works for any order; ascending (wrap-aware) order gives the shortest packet. */
int prism_rtcp_build_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                          const uint16_t *lost, size_t count);

int prism_rtcp_build_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc);

/* Full intra request (RFC 5104 section 4.3.1): one entry per media sender asked. */
struct prism_rtcp_fir_entry {
    uint32_t ssrc;
    uint8_t seq; /* incremented by the requester for each new request */
};

struct prism_rtcp_fir {
    uint32_t sender_ssrc;
    const uint8_t *entries;
    size_t count; /* at least 1 */
};

int prism_rtcp_fir_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_fir *out);
int prism_rtcp_fir_get(const struct prism_rtcp_fir *fir, size_t index,
                       struct prism_rtcp_fir_entry *out);
int prism_rtcp_build_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                         const struct prism_rtcp_fir_entry *entries, size_t count);

/* Receiver estimated maximum bitrate: bits per second for the listed media SSRCs. */
struct prism_rtcp_remb {
    uint32_t sender_ssrc;
    uint64_t bitrate; /* mantissa << exponent, saturated at UINT64_MAX */
    uint8_t count;
    const uint8_t *ssrcs;
};

/* Parses a REMB; -EINVAL if p is not a PSFB/AFB packet, -ENOENT if it is another AFB message. */
int prism_rtcp_remb_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_remb *out);

static inline uint32_t prism_rtcp_remb_ssrc(const struct prism_rtcp_remb *remb, unsigned index)
{
    return prism_read_be32(remb->ssrcs + 4 * index);
}

/* Builds a REMB. The bitrate is encoded with an 18-bit mantissa, rounding down. */
int prism_rtcp_build_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint64_t bitrate,
                          const uint32_t *ssrcs, size_t count);

/* Transport-wide CC feedback, validated as a whole by prism_rtcp_twcc_parse(): the chunks cover
 * status_count packets with no reserved symbol, and the receive deltas they call for are there. */
struct prism_rtcp_twcc {
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    uint16_t base_seq;
    uint16_t status_count;
    int32_t reference_time; /* signed 24 bits, in 64 ms units */
    uint8_t fb_count;       /* feedback packet counter */
    const uint8_t *chunks;
    size_t chunks_len;
    const uint8_t *deltas;
    size_t deltas_len; /* exactly the bytes the statuses need; trailing padding excluded */
    size_t received_count;
};

int prism_rtcp_twcc_parse(const struct prism_rtcp_packet *p, struct prism_rtcp_twcc *out);

/* The status of one packet reported by the feedback. */
struct prism_rtcp_twcc_status {
    uint16_t seq;
    bool received;
    int32_t delta_us;   /* receive delta from the previous received packet (0 if lost) */
    int64_t arrival_us; /* reference time + deltas so far (receiver's clock); 0 if lost */
};

/* Walks the statuses of a parsed feedback, one packet per call, without allocating. */
struct prism_rtcp_twcc_iter {
    const struct prism_rtcp_twcc *twcc;
    size_t chunk_pos;
    size_t delta_pos;
    uint32_t left;       /* statuses still to yield */
    uint16_t chunk;      /* the chunk being expanded */
    uint16_t chunk_left; /* statuses left in it */
    uint16_t seq;
    int64_t arrival_us;
};

void prism_rtcp_twcc_iter_init(struct prism_rtcp_twcc_iter *it, const struct prism_rtcp_twcc *twcc);
/* Returns 1 and the next status, 0 after the last, -EBADMSG if the view was not validated. */
int prism_rtcp_twcc_next(struct prism_rtcp_twcc_iter *it, struct prism_rtcp_twcc_status *out);

/* What a transport-wide CC feedback reports: packets base_seq, base_seq + 1, ... (mod 2^16),
 * arrivals[i] being the arrival time of packet base_seq + i in microseconds on the receiver's
 * clock (any origin, may be negative), or PRISM_RTCP_TWCC_NOT_RECEIVED. */
#define PRISM_RTCP_TWCC_NOT_RECEIVED INT64_MIN
#define PRISM_RTCP_TWCC_MAX_STATUS 2048 /* most packets one feedback covers */
struct prism_rtcp_twcc_feedback {
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    uint16_t base_seq;
    uint8_t fb_count; /* feedback packet counter, incremented by the caller per feedback */
    const int64_t *arrivals;
    size_t count;
};

/* Builds one RTPFB/15 packet for the first packets of `in`: as many as fit in cap bytes, at most
 * PRISM_RTCP_TWCC_MAX_STATUS, stopping before a packet whose receive delta would not fit 16 bits
 * (250 us units). The reference time is the first received packet's arrival rounded down to
 * 64 ms; deltas are rounded to 250 us without accumulating the rounding. Returns the length and
 * the number of packets reported in *covered (at least one; the caller reports the rest in the
 * next feedback), -EINVAL for bad arguments or -ENOSPC when not even one packet fits. */
int prism_rtcp_build_twcc(uint8_t *buf, size_t cap, const struct prism_rtcp_twcc_feedback *in,
                          size_t *covered);

#endif
