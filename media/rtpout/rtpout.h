/* RTP out: one media stream sent as plain RTP, or SRTP keyed out of band (SDES-style master
 * key and salt), over UDP to a fixed address, e.g. a VideoRoom RTP forwarder feeding a
 * streaming mountpoint or a recorder. Optionally the recipient's RTCP is read back (rtcp_port):
 * its PLI or FIR becomes a keyframe callback.
 *
 * The packet work is sans-IO (prism_rtpout_rewrite, prism_rtpout_hello_rtcp,
 * prism_rtpout_rtcp_wants_keyframe); prism_rtpout_open adds the socket, on the loop of the
 * thread that will send: the sender, its socket and its callback belong to that thread. The
 * address is an IP literal: nothing here resolves names. No allocation or log per packet. */
#ifndef PRISM_MEDIA_RTPOUT_RTPOUT_H
#define PRISM_MEDIA_RTPOUT_RTPOUT_H

#include "core/netaddr.h"
#include "media/srtp/srtp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_loop;

struct prism_rtpout_config {
    struct prism_ip ip; /* destination, IPv4 or IPv6 */
    uint16_t port;      /* 1-65535 */
    uint16_t rtcp_port; /* 0: no RTCP is read */
    uint32_t ssrc;      /* 0: packets keep their SSRC */
    bool set_payload_type;
    uint8_t payload_type;                 /* with set_payload_type, 0-127 */
    enum prism_srtp_profile srtp_profile; /* 0: plain RTP; AES128_CM_SHA1_80 or _32 */
    uint8_t srtp_key[16];                 /* AES-128 master key, with srtp_profile */
    uint8_t srtp_salt[14];                /* master salt, with srtp_profile */
};

/* The recipient asked for a keyframe (PLI or FIR on rtcp_port). */
typedef void (*prism_rtpout_keyframe_cb)(void *user, uint64_t now_us);

/* One sender. Owned by its creator; used on one thread only. */
struct prism_rtpout {
    struct prism_ip ip;
    uint16_t port;
    uint16_t rtcp_port;
    uint32_t ssrc;
    bool set_payload_type;
    uint8_t payload_type;
    struct prism_srtp *srtp; /* NULL: plain RTP; owned */
    int fd;                  /* -1 until prism_rtpout_open; owned */
    struct prism_loop *loop; /* where fd is watched (rtcp_port), else NULL */
    uint16_t local_rtcp_port;
    prism_rtpout_keyframe_cb on_keyframe;
    void *user;
    uint64_t packets;     /* datagrams sent */
    uint64_t send_errors; /* datagrams the socket refused, or packets that could not be made */
};

/* Makes a sender without a socket (fd -1): enough for the sans-IO calls. Returns 0, -EINVAL
 * (no address or port, payload type over 127, unknown SRTP profile), -ENOMEM or -EIO. */
int prism_rtpout_new(const struct prism_rtpout_config *config, struct prism_rtpout **out);

/* Opens a non-blocking UDP socket for the sender. Without rtcp_port it is only written to.
 * With rtcp_port it is bound to a free port (local_rtcp_port), watched on `loop`, and greets
 * the recipient's RTCP port with an empty receiver report; a PLI or FIR that comes back from
 * the recipient's address calls `on_keyframe`. Returns 0 or -errno. */
int prism_rtpout_open(struct prism_rtpout *sender, struct prism_loop *loop,
                      prism_rtpout_keyframe_cb on_keyframe, void *user);

/* Stops watching and closes the socket, frees the SRTP state and the sender. NULL is fine. */
void prism_rtpout_free(struct prism_rtpout *sender);

/* Sends one RTP packet (decrypted, as received): rewritten and protected in a scratch buffer
 * of the thread, never in `packet`. Failures are counted, not reported. */
void prism_rtpout_send_rtp(struct prism_rtpout *sender, const uint8_t *packet, size_t len);

/* Sends `data` as one datagram as it is (data channel messages). */
void prism_rtpout_send_datagram(struct prism_rtpout *sender, const uint8_t *data, size_t len);

/* Sans-IO: writes into `out` the packet to send for `packet`: a copy with the sender's SSRC and
 * payload type when it sets them, SRTP-protected when keyed. `cap` must leave room for the
 * SRTP tag. Returns 0 with *out_len, -EBADMSG (shorter than an RTP header), -EMSGSIZE (`out`
 * too small) or -EIO (protect failed). */
int prism_rtpout_rewrite(struct prism_rtpout *sender, const uint8_t *packet, size_t len,
                         uint8_t *out, size_t cap, size_t *out_len);

/* Sans-IO: the first RTCP packet for the recipient's RTCP port: an empty receiver report
 * (SRTCP when keyed). Returns its length or a negative errno. */
int prism_rtpout_hello_rtcp(struct prism_rtpout *sender, uint8_t *out, size_t cap);

/* Sans-IO: true when the recipient's RTCP datagram (decrypted in place when keyed, refused when
 * it does not authenticate) holds a PLI or a FIR. */
bool prism_rtpout_rtcp_wants_keyframe(struct prism_rtpout *sender, uint8_t *packet, size_t len);

#endif
