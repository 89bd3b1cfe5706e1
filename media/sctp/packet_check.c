/* The structural check of inbound SCTP packets: chunk and INIT parameter lengths (see
 * packet_check.h for why usrsctp needs it). */
#include "media/sctp/packet_check.h"

#define CHUNK_HEADER_LEN 4
#define PARAM_HEADER_LEN 4
/* Chunk header, initiate tag, a_rwnd, stream counts, initial TSN (RFC 9260 3.3.2 and 3.3.3). */
#define INIT_FIXED_LEN 20
#define CHUNK_INIT 1
#define CHUNK_INIT_ACK 2

static size_t read_length(const uint8_t *p)
{
    return (size_t)p[2] << 8 | p[3];
}

static size_t padded(size_t len)
{
    return (len + 3) & ~(size_t)3;
}

/* The parameters of an INIT or INIT ACK, between its fixed part and its (unpadded) end. Every
 * parameter but the last carries its padding inside the chunk (RFC 9260 3.2.1), so the walk
 * ends at the chunk end or within the last parameter's padding; anything left over that is too
 * short for a parameter header would be read by usrsctp as one, padding bytes and all. */
static enum prism_sctp_packet_verdict check_params(const uint8_t *chunk, size_t chunk_len)
{
    size_t pos = INIT_FIXED_LEN;
    while (pos < chunk_len) {
        if (chunk_len - pos < PARAM_HEADER_LEN)
            return PRISM_SCTP_PACKET_PARAM_TRUNCATED;
        size_t param_len = read_length(chunk + pos);
        if (param_len < PARAM_HEADER_LEN)
            return PRISM_SCTP_PACKET_PARAM_LENGTH;
        if (param_len > chunk_len - pos)
            return PRISM_SCTP_PACKET_PARAM_TRUNCATED;
        pos += padded(param_len);
    }
    return PRISM_SCTP_PACKET_OK;
}

/* INIT and INIT ACK must travel alone (RFC 9260 6.10): usrsctp's parameter walks run to the
 * end of the packet, not of the chunk, so nothing but the chunk's padding may follow it. */
static enum prism_sctp_packet_verdict check_init(const uint8_t *packet, size_t len, size_t pos,
                                                 size_t chunk_len)
{
    if (pos != PRISM_SCTP_COMMON_HEADER_LEN || len - pos > padded(chunk_len))
        return PRISM_SCTP_PACKET_INIT_BUNDLED;
    if (chunk_len < INIT_FIXED_LEN)
        return PRISM_SCTP_PACKET_INIT_SHORT;
    return check_params(packet + pos, chunk_len);
}

enum prism_sctp_packet_verdict prism_sctp_packet_check(const uint8_t *packet, size_t len)
{
    if (!packet || len < PRISM_SCTP_COMMON_HEADER_LEN)
        return PRISM_SCTP_PACKET_SHORT;
    if (len == PRISM_SCTP_COMMON_HEADER_LEN)
        return PRISM_SCTP_PACKET_NO_CHUNKS;
    size_t pos = PRISM_SCTP_COMMON_HEADER_LEN;
    /* Chunks start 4-aligned; the last one may end the packet without its padding. */
    while (pos < len) {
        if (len - pos < CHUNK_HEADER_LEN)
            return PRISM_SCTP_PACKET_CHUNK_TRUNCATED;
        size_t chunk_len = read_length(packet + pos);
        if (chunk_len < CHUNK_HEADER_LEN)
            return PRISM_SCTP_PACKET_CHUNK_LENGTH;
        if (chunk_len > len - pos)
            return PRISM_SCTP_PACKET_CHUNK_TRUNCATED;
        uint8_t type = packet[pos];
        if (type == CHUNK_INIT || type == CHUNK_INIT_ACK) {
            enum prism_sctp_packet_verdict verdict = check_init(packet, len, pos, chunk_len);
            if (verdict != PRISM_SCTP_PACKET_OK)
                return verdict;
        }
        pos += padded(chunk_len);
    }
    return PRISM_SCTP_PACKET_OK;
}

const char *prism_sctp_packet_verdict_name(enum prism_sctp_packet_verdict verdict)
{
    switch (verdict) {
    case PRISM_SCTP_PACKET_OK:
        return "well-formed";
    case PRISM_SCTP_PACKET_SHORT:
        return "shorter than the common header";
    case PRISM_SCTP_PACKET_NO_CHUNKS:
        return "no chunks";
    case PRISM_SCTP_PACKET_CHUNK_TRUNCATED:
        return "chunk runs past the packet";
    case PRISM_SCTP_PACKET_CHUNK_LENGTH:
        return "chunk length below 4";
    case PRISM_SCTP_PACKET_INIT_BUNDLED:
        return "INIT or INIT ACK bundled with other chunks";
    case PRISM_SCTP_PACKET_INIT_SHORT:
        return "INIT or INIT ACK shorter than its fixed part";
    case PRISM_SCTP_PACKET_PARAM_TRUNCATED:
        return "parameter runs past its chunk";
    case PRISM_SCTP_PACKET_PARAM_LENGTH:
        return "parameter length below 4";
    }
    return "unknown";
}
