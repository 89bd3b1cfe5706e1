/* A PeerConnection: one participant's WebRTC transport (ICE, DTLS-SRTP, RTP/RTCP and data
 * channels) composed from the media engines, with a small API for its owner (the handle glue
 * and, through it, the plugins).
 *
 * Threads: a peer belongs to the worker whose GMainContext it was created on. Every function
 * must be called there, every callback runs there, and the peer never takes a lock. The owner
 * must not destroy the peer from inside a callback (post a job to the worker instead).
 *
 * Receive path: datagram from ICE -> demux -> DTLS engine, or SRTP unprotect in place in the
 * peer's own buffer -> RTP parse -> rtp_cb, with room left after the packet so a plugin can
 * rewrite the header and send it on without a copy. */
#ifndef PRISM_MEDIA_PEER_H
#define PRISM_MEDIA_PEER_H

#include "media/dtls/dtls.h"
#include "media/ice/ice.h"
#include "media/rtp/header.h"
#include "media/sdp/negotiate.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_loop;
struct prism_peer;
struct prism_rtcp_nack;
struct prism_udp_hub;

/* What every peer of the process shares; read-only after start-up. */
struct prism_peer_env {
    const struct prism_ice_settings *ice;
    /* ice->lite: the workers' shared sockets (owned by the env owner); NULL in full mode. */
    struct prism_udp_hub *udp_hub;
    struct prism_dtls_context *dtls;          /* one reference held by the env owner */
    struct prism_sdp_fingerprint fingerprint; /* of the certificate in `dtls` (sha-256) */
    unsigned srtp_replay_window;              /* inbound, packets; 0 = 1024 */
    unsigned slowlink_threshold;              /* lost packets per second; 0 = off */
    /* Loss simulation for tests and demos: drop every Nth RTP packet received or sent on each
     * m-line (after the retransmission history kept it); 0 = off. */
    unsigned simulate_loss_in;
    unsigned simulate_loss_out;
    /* Most PeerConnections one API session may hold (general.max_peers_per_session); 0 =
     * unlimited. Read by media/peer/handle_media.c. */
    unsigned max_peers_per_session;
};

/* A received RTP packet, decrypted in place. `data` may be modified in place (header
 * rewrite) and handed to prism_peer_send_rtp of this or another peer of the same worker:
 * `cap` leaves room for the SRTP trailer. Valid only during the callback.
 * With a decrypt_filter_cb that declined it, `payload_encrypted` is set: the header (in the
 * clear in SRTP) and `len` (the plain RTP length) are valid, the payload is still ciphertext
 * and the packet was not authenticated. */
struct prism_peer_rtp {
    uint8_t *data;
    size_t len;
    size_t cap;
    struct prism_rtp_header header; /* parsed view into data */
    unsigned media_index;           /* the m-line it belongs to */
    int layer;                      /* simulcast layer, 0 = lowest quality; -1: not simulcast */
    uint64_t arrival_us;            /* when it arrived (prism_now_us), for the plugin's timers */
    const char *mid;
    bool video;
    bool payload_encrypted;
};

/* Feedback from the remote side about what we send it. */
enum prism_peer_feedback_kind {
    PRISM_PEER_FEEDBACK_KEYFRAME,      /* PLI or FIR for our stream on media_index */
    PRISM_PEER_FEEDBACK_REMB,          /* receiver estimate of the bitrate it can take */
    PRISM_PEER_FEEDBACK_NACK,          /* generic NACK for our stream on an m-line whose NACKs the
                                          owner answers (prism_peer_set_nack_owner) */
    PRISM_PEER_FEEDBACK_SENDER_REPORT, /* the remote's SR for what it sends us on media_index:
                                          its clock, to pass on for lip sync */
};

struct prism_peer_feedback {
    enum prism_peer_feedback_kind kind;
    unsigned media_index;
    uint64_t bitrate;                   /* REMB, bits per second */
    const struct prism_rtcp_nack *nack; /* NACK: parsed, valid during the callback */
    /* SENDER_REPORT: its sender info, valid during the callback, and when it arrived. */
    const struct prism_rtcp_sender_info *sender;
    uint64_t arrival_us;
};

/* A data channel message; `data` is valid only during the callback. */
struct prism_peer_data {
    const char *label;
    const char *protocol;
    uint16_t stream_id;
    bool binary;
    const uint8_t *data;
    size_t len;
};

/* What the peer tells its owner; `owner` is the pointer given at creation. Any may be NULL. */
struct prism_peer_callbacks {
    /* A local candidate ("candidate:..." without "a="), for a trickle event. */
    void (*local_candidate_cb)(void *owner, const char *candidate);
    /* Local gathering finished: trickle "completed". */
    void (*gathering_done_cb)(void *owner);
    /* DTLS is up and SRTP keyed: media can flow ("webrtcup"). */
    void (*connected_cb)(void *owner);
    /* The PeerConnection ended by itself (ICE failed or consent lost, DTLS failed or closed
     * by the remote): "hangup" with `reason`. The peer stays inert until destroyed. */
    void (*closed_cb)(void *owner, const char *reason);
    /* Media of an m-line started (first packet) or stopped (none for a second) arriving. */
    void (*media_cb)(void *owner, const char *mid, bool video, bool receiving);
    /* Many packets are being lost on an m-line (uplink: what the remote sends us). */
    void (*slowlink_cb)(void *owner, const char *mid, bool video, bool uplink, unsigned lost);
    void (*rtp_cb)(void *owner, struct prism_peer_rtp *packet);
    /* For receivers that need only some payloads (the bench; NULL everywhere in the server:
     * every packet is decrypted). Sees each RTP packet of a known m-line before SRTP unprotect,
     * with the clear header parsed, `media_index`, `mid` and `video` set, and returns true to
     * decrypt it. A declined packet still counts for loss detection and NACKs, receiver
     * reports and media activity, and reaches rtp_cb with `payload_encrypted`. RTX packets
     * (their original sequence number is in the encrypted payload) and packets with padding
     * are always decrypted. libsrtp's rollover counter and replay window then advance only on
     * decrypted packets: sound while two decrypted packets of a stream are less than 2^15
     * sequence numbers apart (its index estimate is relative to the last authenticated one). */
    bool (*decrypt_filter_cb)(void *owner, const struct prism_peer_rtp *packet);
    void (*feedback_cb)(void *owner, const struct prism_peer_feedback *feedback);
    void (*data_cb)(void *owner, const struct prism_peer_data *message);
};

struct prism_peer_params {
    const struct prism_peer_env *env;
    GMainContext *context; /* the worker's */
    /* The worker's loop and index: the PeerConnection's timer lives in the loop's heap (a
     * GSource on `context` without one), and ICE-lite (env->ice->lite) shares that worker's
     * socket, so it needs a real worker (NULL with the inline pool: creation fails with
     * -EINVAL). */
    struct prism_loop *loop;
    unsigned worker_index;
    /* ICE role: true when this peer will make the offer (RFC 8445 section 6.1.1). */
    bool controlling;
    const struct prism_peer_callbacks *callbacks;
    void *owner;
};

/* Fills `env` for the certificate `cert` used by `dtls`. Returns 0 or -EINVAL. */
int prism_peer_env_init(struct prism_peer_env *env, const struct prism_ice_settings *ice,
                        struct prism_dtls_context *dtls, const struct prism_dtls_cert *cert);

/* Creates a peer with no description yet. Returns 0, -EINVAL or -ENOMEM. */
int prism_peer_create(struct prism_peer **out, const struct prism_peer_params *params);

/* Closes the transport (DTLS close_notify, ICE agent freed) and frees the peer. No callback
 * runs during or after it. */
void prism_peer_destroy(struct prism_peer *peer);

/* Applies a remote offer: checks it (BUNDLE, rtcp-mux, ICE credentials, fingerprint), sets
 * the remote ICE credentials and candidates (restarting ICE when the credentials changed),
 * and keeps it for prism_peer_answer. Returns 0, or -EINVAL with the reason in *err (the
 * API answers Janus error 465), or -EALREADY when an offer of ours is pending. */
int prism_peer_apply_offer(struct prism_peer *peer, const char *sdp, size_t len,
                           struct prism_sdp_error *err);

/* The remote description applied last (offer or answer), or NULL. */
const struct prism_sdp *prism_peer_remote_description(const struct prism_peer *peer);

/* How to answer: `options` as prism_sdp_answer_options_init made them, possibly narrowed by
 * the plugin (direction, codecs, data channels). The peer fills the transport part. */
int prism_peer_answer(struct prism_peer *peer, struct prism_sdp_answer_options *options,
                      char **sdp_out, struct prism_sdp_error *err);

/* One m-line of an offer we make: kind, mid, our direction, codecs with their payload types
 * (RTX entries included, apt= in fmtp) and header extensions with their ids. */
struct prism_peer_offer_media {
    enum prism_sdp_media_kind kind;
    const char *mid;
    enum prism_sdp_direction direction;
    const struct prism_sdp_codec *codecs;
    size_t codec_count;
    const struct prism_sdp_extmap *extmaps;
    size_t extmap_count;
    bool extmap_allow_mixed; /* offer two-byte header extensions (a=extmap-allow-mixed) */
    bool rejected;           /* a freed slot in a renegotiation: port 0 */
    /* Simulcast we send (rid-based, RFC 8853): a=rid:<rid> send for each and
     * a=simulcast:send with them in this order. The caller sends each layer on an SSRC of its
     * own with the rid header extension (offered in extmaps). NULL / 0: none. */
    const char *const *send_rids;
    size_t send_rid_count;
};

/* Makes an offer with these m-lines (our SSRCs are drawn for those we send on, and kept for a
 * mid across offers). The offer stays pending until prism_peer_apply_answer. */
int prism_peer_offer(struct prism_peer *peer, const struct prism_peer_offer_media *media,
                     size_t count, char **sdp_out, struct prism_sdp_error *err);

/* Applies the remote answer to our pending offer: checked against it, then ICE, DTLS (role
 * from the answer's a=setup) and the m-lines are set up. Returns 0, -EINVAL with *err, or
 * -ENOENT when no offer of ours is pending. */
int prism_peer_apply_answer(struct prism_peer *peer, const char *sdp, size_t len,
                            struct prism_sdp_error *err);

/* True while an offer of ours waits for its answer. */
bool prism_peer_has_pending_offer(const struct prism_peer *peer);

/* Adds a remote candidate (an "a=candidate" value, with or without "candidate:") or, with
 * NULL, marks the end of remote candidates. Candidates outside the allowed networks and
 * mDNS names are ignored. Returns 0 or -EINVAL (unparsable). */
int prism_peer_add_remote_candidate(struct prism_peer *peer, const char *candidate);

/* True once DTLS is connected and SRTP keyed. */
bool prism_peer_is_connected(const struct prism_peer *peer);

#define PRISM_PEER_MAX_EXTMAPS 16
#define PRISM_PEER_MAX_LAYERS 3 /* simulcast layers of one m-line */

/* What was negotiated on one m-line. */
struct prism_peer_media_info {
    const char *mid;
    enum prism_sdp_media_kind kind;
    bool active, sends, receives;
    struct prism_sdp_codec codec; /* the chosen codec, with its payload type and fmtp */
    uint8_t rtx_payload_type;     /* 0: none */
    uint8_t red_payload_type;     /* audio: RED (RFC 2198) carrying the codec; 0: none */
    uint32_t remote_ssrc;         /* what the remote sends on it; 0 until known */
    /* Simulcast (a=simulcast with rids, or a=ssrc-group:SIM): the layers the remote sends,
     * 0 when it does not; their SSRCs by layer (0 = lowest quality), 0 until known. */
    uint8_t simulcast_layers;
    uint32_t layer_ssrcs[PRISM_PEER_MAX_LAYERS];
    uint8_t extmap_count;
    struct prism_sdp_extmap extmaps[PRISM_PEER_MAX_EXTMAPS];
    bool extmap_allow_mixed; /* two-byte header extensions negotiated */
};

/* Fills `out` for an m-line of the negotiated description: 0 or -ENOENT. */
int prism_peer_media_info(const struct prism_peer *peer, unsigned media_index,
                          struct prism_peer_media_info *out);

/* Number of m-lines of the negotiated description, and what each is.
 * The calls a plugin makes through prism_handle_peer() (media_sends, local_ssrc,
 * request_keyframe, set_nack_owner, set_sender_clock, send_data, open_data_channel) take a
 * NULL peer, as that gives for a handle whose PeerConnection is gone: nothing, -ENOENT or
 * -ENOTCONN. */
unsigned prism_peer_media_count(const struct prism_peer *peer);
bool prism_peer_media_is_video(const struct prism_peer *peer, unsigned media_index);
bool prism_peer_media_sends(const struct prism_peer *peer, unsigned media_index);
/* The SSRC we send on an m-line (0 when we send nothing there). */
uint32_t prism_peer_local_ssrc(const struct prism_peer *peer, unsigned media_index);
/* The payload type negotiated for our sending on an m-line's primary codec. */
int prism_peer_send_payload_type(const struct prism_peer *peer, unsigned media_index);

/* Sends an RTP packet whose header the caller set for this peer (SSRC from
 * prism_peer_local_ssrc, a negotiated payload type). Protected in place: `cap` must leave
 * PRISM_SRTP_MAX_RTP_OVERHEAD bytes after `len`. Kept in the peer's retransmission history
 * unless the owner answers NACKs for the m-line (prism_peer_set_nack_owner).
 * Returns 0, -ENOTCONN before DTLS is up, or another -errno (dropped). */
int prism_peer_send_rtp(struct prism_peer *peer, unsigned media_index, uint8_t *data, size_t len,
                        size_t cap);

/* The owner answers the NACKs of an m-line we send on (for example from one history per
 * publisher stream shared by its subscribers): the peer keeps no retransmission history for
 * it from the next negotiation on (and drops the one it has now), and hands the remote's NACKs
 * for it to feedback_cb as PRISM_PEER_FEEDBACK_NACK; the owner resends with
 * prism_peer_resend_rtp. Kept for the m-line while its mid stays. Returns 0 or -ENOENT. */
int prism_peer_set_nack_owner(struct prism_peer *peer, unsigned media_index, bool owner_answers);

/* Sends a retransmission of a packet sent before on an m-line, its header as it was the first
 * time (our SSRC and sequence number): as RTX (RFC 4588: the RTX SSRC and payload type, the
 * original sequence number in front of the payload, RTX sequence numbers of its own) when RTX
 * was negotiated, else as it is. Not kept in any history; counted in retransmissions_out.
 * Protected in place when not RTX: `cap` must leave PRISM_SRTP_MAX_RTP_OVERHEAD bytes after
 * `len`. Returns 0, -ENOTCONN, -ENOENT, -EINVAL (not RTP, or a payload type RTX has no
 * mapping for) or another -errno. */
int prism_peer_resend_rtp(struct prism_peer *peer, unsigned media_index, uint8_t *data, size_t len,
                          size_t cap);

/* Sends an RTCP compound packet built by the caller (e.g. a throttled PLI). Returns 0,
 * -ENOTCONN or -EMSGSIZE. */
int prism_peer_send_rtcp(struct prism_peer *peer, const uint8_t *data, size_t len);

/* Asks the remote for a keyframe on the m-line it sends us (PLI, or FIR when only that was
 * negotiated); for every simulcast layer known. */
int prism_peer_request_keyframe(struct prism_peer *peer, unsigned media_index);

/* Caps what the remote sends us (REMB, bits per second; 0 removes the cap). Sent at once
 * and then periodically. */
void prism_peer_set_bitrate_cap(struct prism_peer *peer, uint64_t bitrate);

/* Opens a data channel of ours with this label (ordered, reliable); messages can be sent on
 * it once the remote acknowledged it. Returns 0, -ENOTCONN (no data channels negotiated or
 * not up yet) or -ENOSPC. */
int prism_peer_open_data_channel(struct prism_peer *peer, const char *label);

/* Sends a data channel message on the channel with this label (the first one opened by the
 * remote when label is NULL). Returns 0, -ENOTCONN or -ENOENT. */
int prism_peer_send_data(struct prism_peer *peer, const char *label, bool binary,
                         const uint8_t *data, size_t len);

/* Per-peer counters for statistics and tests. */
struct prism_peer_stats {
    uint64_t rtp_packets_in, rtp_bytes_in, rtp_packets_out, rtp_bytes_out;
    uint64_t rtcp_packets_in, rtcp_packets_out;
    uint64_t nacks_in, nacks_out, retransmissions_out, plis_in, plis_out, firs_in;
    uint64_t srtp_errors, dropped_packets;
    uint64_t rtp_packets_undecrypted; /* declined by decrypt_filter_cb, in rtp_packets_in */
    uint32_t rtt_ms;
    uint32_t jitter_ms;
    uint64_t lost_packets;
    uint64_t twcc_feedback_out; /* transport-wide CC feedback packets sent */
    uint64_t twcc_feedback_in;  /* and received about what we send */
    uint64_t probe_packets_out; /* padding-only packets of bandwidth probes */
};
void prism_peer_get_stats(const struct prism_peer *peer, struct prism_peer_stats *out);

/* The send-side bandwidth estimate (bits per second) of the path to the remote, from its
 * transport-cc feedback on what we send (media/bwe); 0 until feedback came, or when
 * transport-cc is not negotiated for anything we send. For the owner's layer choice. */
uint64_t prism_peer_bandwidth_estimate(const struct prism_peer *peer);
/* How many transport-cc feedbacks on what we send arrived so far: the estimate above changes
 * only when this does, so an owner polling per packet reads the estimate only then. */
uint64_t prism_peer_feedback_count(const struct prism_peer *peer);
/* When the latest-sent packet that the remote's transport-cc feedback reported lost had been
 * sent (the peer's clock, microseconds), 0: none, or no transport-cc. */
uint64_t prism_peer_last_loss_sent_us(const struct prism_peer *peer);
/* The owner would send `wanted_bps` to the remote if the estimate allowed (the layers it would
 * choose): when that is well above the estimate, the estimator probes the path with padding
 * (padding-only RTP on a video m-line's RTX stream, counted by the remote's transport-cc
 * feedback), so the estimate can grow past what is sent. Without transport-cc, RTX or feedback
 * yet, nothing. On the peer's thread; a few times a second is plenty. */
void prism_peer_want_bandwidth(struct prism_peer *peer, uint64_t wanted_bps);
/* The estimator's parts (media/bwe/bwe.h), for the Admin API: -ENOENT without one. */
struct prism_bwe_state;
int prism_peer_bandwidth_state(const struct prism_peer *peer, struct prism_bwe_state *out);

/* A sender's clock for an m-line we send on: at local time at_us (prism_now_us) its NTP time
 * was `ntp` and its RTP clock read `rtp_timestamp`, in the timestamps of our stream. A forwarder
 * sets it from the publisher's sender reports, so that the SRs we send on the m-line carry the
 * publisher's clock (extrapolated to the time of each SR) instead of our own: the subscriber
 * then syncs the publisher's audio and video as they were captured, whatever the forwarding
 * jitter. NULL goes back to our own clock. 0 or -ENOENT. */
struct prism_peer_sender_clock {
    uint64_t ntp; /* 32.32 fixed point seconds since 1900 */
    uint32_t rtp_timestamp;
    uint64_t at_us;
};
int prism_peer_set_sender_clock(struct prism_peer *peer, unsigned media_index,
                                const struct prism_peer_sender_clock *clock);

/* The counters of one m-line (the Admin API's handle_info shows them per stream). */
struct prism_peer_stream_stats {
    uint64_t packets_in, bytes_in, packets_out, bytes_out; /* RTP, retransmissions apart */
    uint64_t nacks_in, nacks_out, retransmissions_out, plis_in, plis_out;
    uint64_t lost;      /* of what the remote sends us: expected and never arrived */
    uint32_t jitter_ms; /* of what the remote sends us (RFC 3550 interarrival jitter) */
};
/* 0, or -ENOENT for an m-line that was not negotiated. */
int prism_peer_media_stats(const struct prism_peer *peer, unsigned media_index,
                           struct prism_peer_stream_stats *out);

/* How long one packet's resends to this peer must be apart: a round trip, at least 10 ms (so
 * that a NACK repeated before our resend arrived is not answered twice). */
uint64_t prism_peer_resend_interval_us(const struct prism_peer *peer);

/* Where the transport stands, for the Admin API's handle_info. Names are static
 * strings, NULL when not known yet. */
struct prism_peer_transport_info {
    const char *ice_state;      /* "checking", "connected", ... */
    char local[64], remote[64]; /* the selected pair, "ip:port/udp"; "" when none */
    const char *dtls_state;     /* "new", "connecting", "connected", "failed", "closed" */
    const char *dtls_role;      /* "client" or "server" */
    const char *dtls_cipher;    /* OpenSSL's name of the cipher suite */
    const char *srtp_profile;   /* "SRTP_AEAD_AES_128_GCM", ... */
};
void prism_peer_get_transport_info(struct prism_peer *peer, struct prism_peer_transport_info *out);

#endif
