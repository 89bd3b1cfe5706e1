/* ICE candidate lines (RFC 8839 section 5.1) as found in SDP and in trickle messages. Part of
 * the SDP module; the ICE glue may include this header alone. Reentrant, no allocation. */
#ifndef PRISM_MEDIA_SDP_CANDIDATE_H
#define PRISM_MEDIA_SDP_CANDIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRISM_SDP_ADDRESS_LEN 63 /* IPv4, IPv6 or a hostname such as an mDNS name */

enum prism_sdp_candidate_type {
    PRISM_SDP_CANDIDATE_HOST,
    PRISM_SDP_CANDIDATE_SRFLX,
    PRISM_SDP_CANDIDATE_PRFLX,
    PRISM_SDP_CANDIDATE_RELAY,
};

enum prism_sdp_tcptype {
    PRISM_SDP_TCPTYPE_NONE = 0, /* UDP candidates */
    PRISM_SDP_TCPTYPE_ACTIVE,
    PRISM_SDP_TCPTYPE_PASSIVE,
    PRISM_SDP_TCPTYPE_SO,
};

enum prism_sdp_address_kind {
    PRISM_SDP_ADDRESS_IPV4,
    PRISM_SDP_ADDRESS_IPV6,
    PRISM_SDP_ADDRESS_MDNS, /* a hostname ending in ".local" (RFC 8839 mDNS candidates) */
    PRISM_SDP_ADDRESS_FQDN,
};

/* One a=candidate line (RFC 8839). Extension attributes (generation, ufrag, network-id...) are
 * skipped; has_related says whether raddr/rport were present. */
struct prism_sdp_candidate {
    char foundation[33];
    uint16_t component;
    bool tcp; /* transport: false for UDP */
    uint32_t priority;
    char address[PRISM_SDP_ADDRESS_LEN + 1];
    enum prism_sdp_address_kind address_kind;
    uint16_t port;
    enum prism_sdp_candidate_type type;
    bool has_related;
    char related_address[PRISM_SDP_ADDRESS_LEN + 1];
    uint16_t related_port;
    enum prism_sdp_tcptype tcptype;
};

/* Parses one candidate as found in SDP or in a trickle message: "candidate:...", with or without
 * a leading "a=". Returns 0 or -EINVAL / -E2BIG; *out is written only on success. */
int prism_sdp_candidate_parse(const char *text, size_t length, struct prism_sdp_candidate *out);

/* Writes "candidate:..." (no "a=", no line end) NUL-terminated into buf. Returns the length, or
 * -ENOSPC if it does not fit, or -EINVAL for an invalid candidate. */
int prism_sdp_candidate_write(const struct prism_sdp_candidate *cand, char *buf, size_t size);

#endif
