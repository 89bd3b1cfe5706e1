/* Rewriting the header extension block of a forwarded packet for one receiver (RFC 8285):
 * the sender's elements with the receiver's ids (or dropped), preceded by elements the
 * forwarder adds itself (the receiver's own mid, a send time written just before sending).
 *
 * The block is rebuilt rather than patched in place, so that ids and element sizes may change:
 * the one-byte form when every element fits it, else the two-byte form when the receiver
 * negotiated a=extmap-allow-mixed, else the elements that do not fit are dropped.
 *
 * Sans-IO, no allocation, no state: the tables are built once per negotiation and only read
 * on the forwarding path. Errors as in header.h. */
#ifndef PRISM_MEDIA_RTP_EXT_REWRITE_H
#define PRISM_MEDIA_RTP_EXT_REWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/rtp/extension.h"
#include "media/rtp/header.h"

#define PRISM_RTP_EXT_MAX_ADDED 4
#define PRISM_RTP_EXT_ADDED_MAX_LEN 16

/* What an added element holds. A value filled at send time is written as zeros by
 * prism_rtp_ext_rewrite() and found again with prism_rtp_ext_stamp_at(); a new kind of value
 * computed per receiver at send time (e.g. a transport-wide sequence number) goes here. */
enum prism_rtp_ext_stamp {
    PRISM_RTP_EXT_STAMP_NONE = 0,      /* a constant: the bytes in value */
    PRISM_RTP_EXT_STAMP_ABS_SEND_TIME, /* 3 bytes: abs-send-time of the moment of sending */
};

/* One element the receiver gets on every packet, whatever the sender put in its block. */
struct prism_rtp_ext_added {
    uint8_t id;    /* the receiver's id, 1-255 */
    uint8_t len;   /* 1-16 */
    uint8_t stamp; /* enum prism_rtp_ext_stamp */
    uint8_t value[PRISM_RTP_EXT_ADDED_MAX_LEN];
};

/* The receiver's side of the rewrite besides the id map: its added elements, written first
 * and in this order, and whether it accepts the two-byte form. Zero-initialise it. */
struct prism_rtp_ext_added_set {
    bool two_byte_allowed; /* the receiver negotiated a=extmap-allow-mixed */
    uint8_t count;
    struct prism_rtp_ext_added items[PRISM_RTP_EXT_MAX_ADDED];
};

/* Appends an element: a constant value (stamp NONE, len bytes of value) or a stamp of the
 * given kind (value ignored; len must be the kind's size). 0, -EINVAL (id 0, length 0 or over
 * 16, wrong stamp size, id already added) or -ENOSPC (set full). */
int prism_rtp_ext_added_push(struct prism_rtp_ext_added_set *set, uint8_t id,
                             enum prism_rtp_ext_stamp stamp, const void *value, size_t len);

/* Writes the fixed header and CSRCs of the packet in_packet (parsed as in) at out, followed by
 * the receiver's extension block: the added elements, then each element of the sender's block
 * whose id map translates to a non-zero id that no added element uses. A block of an unknown
 * profile is dropped; no element left clears the X bit. Returns the length written (the
 * payload goes right after it), -EBADMSG for a malformed block (drop the packet), -ENOSPC
 * when cap is too small, or -EINVAL. Does not look at the payload. */
int prism_rtp_ext_rewrite(uint8_t *out, size_t cap, const uint8_t *in_packet,
                          const struct prism_rtp_header *in, const struct prism_rtp_ext_map *map,
                          const struct prism_rtp_ext_added_set *added);

/* The data of the added element of kind `stamp` in a packet of len bytes written by
 * prism_rtp_ext_rewrite() with the same set, for writing its value at send time; NULL when the
 * packet does not carry it. O(added elements). */
uint8_t *prism_rtp_ext_stamp_at(uint8_t *packet, size_t len,
                                const struct prism_rtp_ext_added_set *added,
                                enum prism_rtp_ext_stamp stamp);

#endif
