/* First-byte demultiplexing of the bundled media port (RFC 7983 section 7, RFC 5761 section 4). */
#include "media/demux.h"

enum prism_demux_kind prism_demux_classify(const uint8_t *data, size_t len)
{
    if (!data || len == 0)
        return PRISM_DEMUX_UNKNOWN;
    uint8_t first = data[0];
    if (first <= 3)
        return PRISM_DEMUX_STUN;
    if (first >= 20 && first <= 63)
        return PRISM_DEMUX_DTLS;
    if (first >= 64 && first <= 79)
        return PRISM_DEMUX_TURN_CHANNEL;
    if (first >= 128 && first <= 191) {
        /* RTCP packet types 192-223 cannot be RTP payload types 64-95 with a marker bit
         * on a muxed port, which is why RFC 5761 forbids those payload types. */
        if (len < 2)
            return PRISM_DEMUX_UNKNOWN;
        return data[1] >= 192 && data[1] <= 223 ? PRISM_DEMUX_RTCP : PRISM_DEMUX_RTP;
    }
    /* 4-15 and 80-127 are unassigned, 16-19 is ZRTP, 192-255 is reserved. */
    return PRISM_DEMUX_UNKNOWN;
}

const char *prism_demux_kind_name(enum prism_demux_kind kind)
{
    switch (kind) {
    case PRISM_DEMUX_STUN:
        return "stun";
    case PRISM_DEMUX_DTLS:
        return "dtls";
    case PRISM_DEMUX_TURN_CHANNEL:
        return "turn-channel";
    case PRISM_DEMUX_RTP:
        return "rtp";
    case PRISM_DEMUX_RTCP:
        return "rtcp";
    case PRISM_DEMUX_UNKNOWN:
        break;
    }
    return "unknown";
}
