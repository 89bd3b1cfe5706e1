/* Data Channel Establishment Protocol (RFC 8832) messages and the SCTP payload protocol
 * identifiers of WebRTC data channels (RFC 8831 section 8). Sans-IO: the SCTP association glue
 * feeds received DCEP messages here and sends what the builders write.
 * Errors are negative errno values: -EINVAL for bad arguments, -EBADMSG for malformed input,
 * -ENOSPC when the output buffer is too small. No allocation; any thread. */
#ifndef PRISM_MEDIA_SCTP_DCEP_H
#define PRISM_MEDIA_SCTP_DCEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prism_sctp_ppid {
    PRISM_SCTP_PPID_DCEP = 50,
    PRISM_SCTP_PPID_STRING = 51,
    PRISM_SCTP_PPID_BINARY_PARTIAL = 52, /* deprecated, still sent by old peers */
    PRISM_SCTP_PPID_BINARY = 53,
    PRISM_SCTP_PPID_STRING_PARTIAL = 54, /* deprecated */
    PRISM_SCTP_PPID_STRING_EMPTY = 56,   /* an empty message: SCTP cannot carry 0 bytes */
    PRISM_SCTP_PPID_BINARY_EMPTY = 57,
};

enum prism_dcep_message_type {
    PRISM_DCEP_DATA_CHANNEL_ACK = 0x02,
    PRISM_DCEP_DATA_CHANNEL_OPEN = 0x03,
};

/* Channel types: the high bit means unordered delivery. */
enum prism_dcep_channel_type {
    PRISM_DCEP_RELIABLE = 0x00,
    PRISM_DCEP_PARTIAL_RELIABLE_REXMIT = 0x01,
    PRISM_DCEP_PARTIAL_RELIABLE_TIMED = 0x02,
    PRISM_DCEP_RELIABLE_UNORDERED = 0x80,
    PRISM_DCEP_PARTIAL_RELIABLE_REXMIT_UNORDERED = 0x81,
    PRISM_DCEP_PARTIAL_RELIABLE_TIMED_UNORDERED = 0x82,
};

/* Priorities suggested by RFC 8832 section 5.1 (higher is more important). */
#define PRISM_DCEP_PRIORITY_BELOW_NORMAL 128
#define PRISM_DCEP_PRIORITY_NORMAL 256
#define PRISM_DCEP_PRIORITY_HIGH 512
#define PRISM_DCEP_PRIORITY_EXTRA_HIGH 1024

#define PRISM_DCEP_OPEN_HEADER_LEN 12

/* A DATA_CHANNEL_OPEN message. When parsed, label and protocol point into the message and are
 * not NUL-terminated (they are valid UTF-8 without NUL bytes; either may be empty). */
struct prism_dcep_open {
    uint8_t channel_type;
    uint16_t priority;
    uint32_t reliability; /* retransmissions (REXMIT) or lifetime in ms (TIMED); 0 otherwise */
    const char *label;
    uint16_t label_len;
    const char *protocol;
    uint16_t protocol_len;
};

/* The message type of a DCEP message (its first byte), or -EBADMSG if empty. */
int prism_dcep_message_type(const uint8_t *data, size_t len);

/* Parses a DATA_CHANNEL_OPEN: known channel type, label and protocol inside the message. */
int prism_dcep_open_parse(const uint8_t *data, size_t len, struct prism_dcep_open *out);

/* True for a well-formed DATA_CHANNEL_ACK (one byte, 0x02). */
bool prism_dcep_is_ack(const uint8_t *data, size_t len);

/* Writes a DATA_CHANNEL_OPEN and returns its length. */
int prism_dcep_build_open(uint8_t *buf, size_t cap, const struct prism_dcep_open *open);

/* Writes a DATA_CHANNEL_ACK and returns its length (1). */
int prism_dcep_build_ack(uint8_t *buf, size_t cap);

static inline bool prism_dcep_is_ordered(uint8_t channel_type)
{
    return (channel_type & 0x80) == 0;
}

#endif
