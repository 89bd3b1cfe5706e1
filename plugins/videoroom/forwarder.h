/* VideoRoom RTP forwarders (Janus 1.x rtp_forward, stop_rtp_forward, listforwarders): a
 * publisher stream's packets sent on as plain RTP, or SRTP keyed by the request, to a
 * host:port outside the room, e.g. a streaming mountpoint or an external recorder.
 *
 * The request parsing (forward_request.c) and the packet rewrite (forwarder.c) are sans-IO;
 * forwarders.c owns the sockets, the publisher's list and the requests. A forwarder belongs to
 * its publisher and lives on the room's worker; it stops when the publisher unpublishes or
 * leaves, or on stop_rtp_forward. */
#ifndef PRISM_PLUGINS_VIDEOROOM_FORWARDER_H
#define PRISM_PLUGINS_VIDEOROOM_FORWARDER_H

#include "core/netaddr.h"
#include "media/sdp/sdp.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_srtp;

/* Entries of one request's "streams" array, and forwarders of one publisher. */
#define VR_FORWARD_MAX_STREAMS 16
#define VR_MAX_FORWARDERS 32
/* An SDES inline key (RFC 4568): a 16-byte AES-128 master key then a 14-byte salt. */
#define VR_SRTP_CRYPTO_LEN 30

/* Where and how one publisher stream is forwarded: one entry of "streams". */
struct vr_forward_target {
    char mid[PRISM_SDP_MID_LEN + 1]; /* the publisher's stream */
    struct prism_ip ip;              /* an address literal: names are never resolved */
    uint16_t port;
    uint16_t rtcp_port; /* 0: no RTCP from the recipient */
    uint32_t ssrc;      /* 0: keep the publisher's */
    bool has_pt;
    uint8_t pt; /* with has_pt: the payload type written into every packet */
    bool simulcast;
};

/* A checked rtp_forward request. */
struct vr_forward_request {
    uint64_t room_id;
    uint64_t publisher_id;
    unsigned target_count;
    struct vr_forward_target targets[VR_FORWARD_MAX_STREAMS];
    unsigned srtp_suite;                     /* 0: plain RTP; 32 or 80 (HMAC-SHA1 tag bits) */
    uint8_t srtp_crypto[VR_SRTP_CRYPTO_LEN]; /* with srtp_suite: master key and salt */
};

/* Checks an rtp_forward body as Janus does, before the room is looked at: its members' types
 * (429 missing, 430 invalid), then "admin_key" when `admin_key` is not NULL (the plugin's
 * lock_rtp_forward is on: 429 missing, 433 wrong), then "host_family", the hosts (IP
 * literals only: 430 for a name), each stream (mid, port 1-65535, ssrc, pt 0-127,
 * rtcp_port), and srtp_suite (32 or 80) with srtp_crypto (base64 of 30 bytes), which go
 * together. The room's secret and the publisher are the caller's (they need the room).
 * Returns 0 with *out filled, or the error code with `reason`. */
int vr_forward_request_parse(json_t *body, const char *admin_key, struct vr_forward_request *out,
                             char *reason, size_t reason_size);

/* Checks a stop_rtp_forward body: room, publisher_id and stream_id (positive integers), then
 * "admin_key" as above. Returns 0 with the ids, or the error code with `reason`. */
int vr_forward_stop_parse(json_t *body, const char *admin_key, uint64_t *room_id,
                          uint64_t *publisher_id, uint32_t *stream_id, char *reason,
                          size_t reason_size);

/* One running forwarder. Owned by its publisher's list; room worker only. */
struct vr_forwarder {
    uint32_t id;          /* "stream_id": unique among its publisher's forwarders */
    unsigned media_index; /* the publisher's m-line it forwards */
    enum prism_sdp_media_kind kind;
    struct vr_forward_target target;
    unsigned srtp_suite;     /* 0, 32 or 80 */
    struct prism_srtp *srtp; /* NULL: plain RTP (always for data); owned */
    /* UDP socket (forwarders.c), -1 without; owned. Send-only, unless target.rtcp_port: then
     * bound to local_rtcp_port and read (in the worker's loop) for the recipient's RTCP. */
    int fd;
    bool watched; /* fd is in the room worker's loop */
    uint16_t local_rtcp_port;
    void *owner;          /* forwarders.c: the struct vr_publisher it belongs to */
    uint64_t packets;     /* sent */
    uint64_t send_errors; /* refused by the socket (full buffer, unreachable, ...) */
};

/* Makes a forwarder for one target of `request` (no socket yet: fd is -1). Data
 * streams are never encrypted. Returns 0, or -EINVAL / -ENOMEM / -EIO (SRTP setup). */
int vr_forwarder_new(const struct vr_forward_request *request,
                     const struct vr_forward_target *target, enum prism_sdp_media_kind kind,
                     unsigned media_index, uint32_t id, struct vr_forwarder **out);

/* Frees the forwarder and its SRTP state; closing its sockets is forwarders.c's business. */
void vr_forwarder_free(struct vr_forwarder *forwarder);

/* Writes the packet to send for a publisher's decrypted RTP packet `packet` of `len` bytes:
 * a copy with the forwarder's SSRC and payload type when it sets them, SRTP-protected when
 * keyed. `cap` must leave room for the SRTP tag. Returns 0 with *out_len, -EMSGSIZE when
 * `out` is too small, -EBADMSG for a packet too short to be RTP, -EIO when protect fails. */
int vr_forwarder_rewrite(struct vr_forwarder *forwarder, const uint8_t *packet, size_t len,
                         uint8_t *out, size_t cap, size_t *out_len);

/* With rtcp_port: the first RTCP packet sent to the recipient's RTCP port (an empty receiver
 * report, SRTCP when keyed), so that it learns where to send its feedback. Returns its
 * length, or a negative errno. */
int vr_forwarder_hello_rtcp(struct vr_forwarder *forwarder, uint8_t *out, size_t cap);

/* True when the recipient's RTCP datagram `packet` (decrypted in place when keyed; rejected
 * when it does not authenticate) asks for a keyframe: a PLI or a FIR. */
bool vr_forwarder_rtcp_wants_keyframe(struct vr_forwarder *forwarder, uint8_t *packet, size_t len);

/* The forwarder as Janus's rtp_forward and listforwarders describe it: stream_id, type, host,
 * port, local_rtcp_port and remote_rtcp_port (with RTCP), ssrc and pt (when set), srtp (not
 * for data). New reference. */
json_t *vr_forwarder_summary(const struct vr_forwarder *forwarder);

#endif
