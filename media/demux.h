/* Classifies a datagram received on the one bundled, rtcp-muxed port (RFC 7983, RFC 5761).
 * Pure and allocation-free: called once per received packet, before anything else looks at it. */
#ifndef PRISM_MEDIA_DEMUX_H
#define PRISM_MEDIA_DEMUX_H

#include <stddef.h>
#include <stdint.h>

enum prism_demux_kind {
    PRISM_DEMUX_UNKNOWN = 0,  /* drop: empty, ZRTP, reserved ranges, too short to tell */
    PRISM_DEMUX_STUN,         /* first byte 0-3 */
    PRISM_DEMUX_DTLS,         /* first byte 20-63 */
    PRISM_DEMUX_TURN_CHANNEL, /* first byte 64-79 */
    PRISM_DEMUX_RTP,          /* first byte 128-191, second byte outside 192-223 */
    PRISM_DEMUX_RTCP,         /* first byte 128-191, second byte 192-223 (RFC 5761 section 4) */
};

/* Returns what the datagram is, judging by its first byte and, for RTP versus RTCP, its
 * second byte (the RTCP packet type, which is also marker bit + payload type in RTP).
 * ZRTP (16-19) is reported as unknown because Prism does not speak it. */
enum prism_demux_kind prism_demux_classify(const uint8_t *data, size_t len);

/* A short stable name for logs and metrics labels ("stun", "rtp", ...). */
const char *prism_demux_kind_name(enum prism_demux_kind kind);

#endif
