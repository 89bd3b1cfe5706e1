/* A structural check of inbound SCTP packets (RFC 9260 sections 3 and 3.2), run on every packet
 * before usrsctp parses it. usrsctp trusts some lengths it should not: the INIT parameter walk
 * it does for an INIT on an established association advances by each parameter's padded length
 * and never checks it, so a zero-length parameter makes it loop forever (any DTLS-authenticated
 * peer could stall a worker). The check is sans-IO, allocation-free and costs one step per
 * chunk, plus one per parameter for the rare INIT and INIT ACK. */
#ifndef PRISM_MEDIA_SCTP_PACKET_CHECK_H
#define PRISM_MEDIA_SCTP_PACKET_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Source and destination ports, verification tag, checksum. */
#define PRISM_SCTP_COMMON_HEADER_LEN 12

/* Why a packet was refused (the first fault found, in packet order). */
enum prism_sctp_packet_verdict {
    PRISM_SCTP_PACKET_OK = 0,
    PRISM_SCTP_PACKET_SHORT,           /* shorter than the common header */
    PRISM_SCTP_PACKET_NO_CHUNKS,       /* a common header and nothing else */
    PRISM_SCTP_PACKET_CHUNK_TRUNCATED, /* a chunk header or value runs past the packet */
    PRISM_SCTP_PACKET_CHUNK_LENGTH,    /* a chunk length below the 4-byte chunk header */
    PRISM_SCTP_PACKET_INIT_BUNDLED,    /* INIT or INIT ACK not alone in its packet */
    PRISM_SCTP_PACKET_INIT_SHORT,      /* INIT or INIT ACK without its 20 fixed bytes */
    PRISM_SCTP_PACKET_PARAM_TRUNCATED, /* a parameter header or value runs past its chunk */
    PRISM_SCTP_PACKET_PARAM_LENGTH,    /* a parameter length below the 4-byte parameter header */
};

/* Checks the framing of one SCTP packet: the common header, every chunk length (at least 4 and
 * within the packet; the last chunk may omit its padding) and, in INIT and INIT ACK, every
 * variable-length parameter (at least 4 and within the chunk; the last may omit its padding),
 * so that every length walk advances and ends inside the packet. Contents and the checksum are
 * left to usrsctp. Pure: reads len bytes of packet and nothing else. */
enum prism_sctp_packet_verdict prism_sctp_packet_check(const uint8_t *packet, size_t len);

/* A short English description of a verdict, for logs. */
const char *prism_sctp_packet_verdict_name(enum prism_sctp_packet_verdict verdict);

#endif
