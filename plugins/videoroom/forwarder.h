/* VideoRoom RTP forwarders (Janus 1.x rtp_forward, stop_rtp_forward, listforwarders): a
 * publisher stream's packets sent on as plain RTP, or SRTP keyed by the request, to a
 * host:port outside the room, e.g. a streaming mountpoint or an external recorder.
 *
 * The request parsing (forward_request.c) and the forwarder objects (forwarder.c) are sans-IO;
 * the packets go out through media/rtpout; forwarders.c keeps the publisher's list, opens the
 * senders' sockets on the room's worker and answers the requests. A forwarder belongs to
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

struct prism_rtp_header;
struct prism_rtpout;

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

/* One running forwarder: the request's target and the sender (media/rtpout) that carries the
 * publisher stream there. Owned by its publisher's list; room worker only. */
struct vr_forwarder {
    uint32_t id;          /* "stream_id": unique among its publisher's forwarders */
    unsigned media_index; /* the publisher's m-line it forwards */
    enum prism_sdp_media_kind kind;
    struct vr_forward_target target;
    struct prism_rtpout *out; /* owned; its socket is opened by forwarders.c */
    void *owner;              /* forwarders.c: the struct vr_publisher it belongs to */
    bool awaiting_keyframe;   /* video: no keyframe sent yet */
    uint64_t keyframe_asked_us;
};

/* While a video forwarder has sent no keyframe, the publisher is asked again this often: a
 * publisher may ignore a request too close to the previous one (libwebrtc drops those within
 * 300 ms), and a recipient can decode nothing before a keyframe. */
#define VR_FORWARD_KEYFRAME_RETRY_US 500000u

/* Makes a forwarder for one target of `request`, its sender keyed when the request asks for
 * SRTP (never for data), without a socket yet. Returns 0, or -EINVAL / -ENOMEM / -EIO. */
int vr_forwarder_new(const struct vr_forward_request *request,
                     const struct vr_forward_target *target, enum prism_sdp_media_kind kind,
                     unsigned media_index, uint32_t id, struct vr_forwarder **out);

/* A video forwarder was created at `now_us` and asked the publisher for a keyframe: it waits
 * for one from now on. */
void vr_forwarder_keyframe_asked(struct vr_forwarder *forwarder, uint64_t now_us);

/* Called with each packet of the forwarder's source (`codec` as negotiated) before it is sent:
 * a keyframe ends the wait; otherwise returns true when the publisher must be asked again. */
bool vr_forwarder_keyframe_due(struct vr_forwarder *forwarder, enum prism_sdp_codec_id codec,
                               const struct prism_rtp_header *header, uint64_t now_us);

/* Frees the forwarder and its sender (closing its socket). NULL is fine. */
void vr_forwarder_free(struct vr_forwarder *forwarder);

/* The forwarder as Janus's rtp_forward and listforwarders describe it: stream_id, type, host,
 * port, local_rtcp_port and remote_rtcp_port (with RTCP), ssrc and pt (when set), srtp (not
 * for data). New reference. */
json_t *vr_forwarder_summary(const struct vr_forwarder *forwarder);

#endif
