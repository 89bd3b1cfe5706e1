/* Private state of a PeerConnection, shared by the files of media/peer. */
#ifndef PRISM_MEDIA_PEER_INTERNAL_H
#define PRISM_MEDIA_PEER_INTERNAL_H

#include "core/loop.h"
#include "media/bwe/bwe.h"
#include "media/feedback/twcc_receiver.h"
#include "media/peer/peer.h"
#include "media/nack/history.h"
#include "media/nack/receiver.h"
#include "media/sctp/sctp.h"
#include "media/srtp/srtp.h"

#define PEER_MAX_MEDIA PRISM_SDP_MAX_MEDIA
#define PEER_BUFFER_SIZE 1600          /* a datagram plus room for an SRTP trailer */
#define PEER_MEDIA_TIMEOUT_US 1000000u /* no packet for this long: "receiving": false */
#define PEER_RTCP_INTERVAL_US 1000000u

#define PEER_MAX_CHANNELS 16
#define PEER_APP_BUFFER_SIZE 16384 /* the largest DTLS record */

/* An open data channel, for sending by label. */
struct peer_channel {
    uint16_t stream_id;
    char label[64];
};

#define PEER_MAX_LAYERS PRISM_PEER_MAX_LAYERS

/* Simulcast layers the remote sends on one m-line (simulcast.c); layer_count 0: none. */
struct peer_simulcast {
    uint8_t layer_count;
    bool by_rid;                                       /* named by rid; else a=ssrc-group:SIM */
    char rids[PEER_MAX_LAYERS][PRISM_SDP_RID_LEN + 1]; /* by layer, 0 = lowest quality */
    uint32_t ssrcs[PEER_MAX_LAYERS];                   /* 0 until known */
    uint32_t rtx_ssrcs[PEER_MAX_LAYERS];
};

/* One negotiated m-line as the transport needs it. */
struct peer_media {
    char mid[PRISM_SDP_MID_LEN + 1];
    enum prism_sdp_media_kind kind;
    bool active;                            /* accepted in the answer (not port 0) */
    bool sends;                             /* we send on it */
    bool receives;                          /* the remote sends on it */
    unsigned loss_in_count, loss_out_count; /* for env->simulate_loss_* */
    uint8_t send_pt;
    uint8_t recv_pt;
    uint8_t rtx_pt; /* 0: no RTX negotiated */
    uint8_t red_pt; /* audio: RFC 2198 RED carrying the codec; 0: not negotiated */
    uint32_t clock_rate;
    uint32_t feedback; /* enum prism_sdp_feedback bits */
    /* Send side, for sender reports (near the top: every packet sent writes them). */
    uint32_t packets_sent, octets_sent;
    uint32_t last_rtp_timestamp;
    uint64_t last_rtp_time_us;
    struct prism_peer_stream_stats counters; /* lost and jitter filled on reading */
    uint32_t local_ssrc, local_rtx_ssrc;
    uint32_t remote_ssrc, remote_rtx_ssrc; /* 0 until known (SDP or first packet) */
    struct peer_simulcast simulcast;       /* remote_ssrc is then its lowest layer */
    /* Receive side. */
    bool receiving;
    uint64_t last_packet_us;
    uint8_t fir_seq;
    /* Loss recovery (recovery.c): what we sent, for NACKs; what we get, for NACKs and RRs. */
    struct prism_nack_history *history;   /* when we send and NACK was negotiated */
    bool nack_owner;                      /* the owner answers NACKs: no history here */
    uint16_t rtx_seq;                     /* next RTX sequence number of prism_peer_resend_rtp */
    struct prism_nack_receiver *receiver; /* once the remote's SSRC is known */
    /* Simulcast layers 1 and up, once their SSRCs are known (layer 0 is `receiver`). */
    struct prism_nack_receiver *layer_receivers[PEER_MAX_LAYERS];
    uint64_t lost_reported;       /* cumulative loss at the last slowlink check */
    int64_t remote_lost_reported; /* the remote's cumulative loss of our stream */
    bool has_sender_clock;
    struct prism_peer_sender_clock sender_clock; /* for our SRs: prism_peer_set_sender_clock */
    /* Read at negotiation, not per packet: last, away from the send path's cache lines. */
    struct prism_sdp_codec codec; /* the chosen codec as negotiated */
    uint8_t extmap_count;
    struct prism_sdp_extmap extmaps[PRISM_PEER_MAX_EXTMAPS];
    bool extmap_allow_mixed; /* the answer allowed two-byte header extensions */
};

/* The peer. Owned by one worker thread; see peer.h. */
struct prism_peer {
    const struct prism_peer_env *env;
    GMainContext *context;
    struct prism_loop *loop; /* the worker's; NULL: the timer is a GSource on `context` */
    struct prism_peer_callbacks callbacks;
    void *owner;

    struct prism_ice *ice;
    bool ice_gathering;
    /* Candidates gathered before our description went out are in it; only later ones are
     * trickled, and "completed" only when the description had no end-of-candidates. */
    bool description_sent;
    bool end_of_candidates_sent;
    struct prism_dtls *dtls;
    enum prism_dtls_role dtls_role;
    struct prism_srtp *srtp;
    enum prism_srtp_profile srtp_profile; /* valid once srtp is set */
    bool connected;
    bool closed; /* ended by itself: inert until destroyed */

    /* The m-line table, grown by peer_media_reserve() to the m-lines negotiated so far (a
     * viewer has two or three): a fixed table of PEER_MAX_MEDIA was 200 KB per peer. */
    struct peer_media *media;
    unsigned media_capacity; /* entries allocated, zeroed until used */
    unsigned media_count;
    uint8_t mid_ext_id; /* 0: the remote sends no mid extension */
    uint8_t rid_ext_id; /* of the remote's rid simulcast; 0: none */
    uint8_t repaired_rid_ext_id;

    /* Transport-wide CC (congestion.c), receive side: the transport-wide-cc id the remote
     * stamps (0: none or no transport-cc feedback negotiated), the arrival record, allocated
     * once negotiated, and when the next feedback is due (0: nothing arrived since the last). */
    uint8_t twcc_receive_id;
    struct prism_twcc_receiver *twcc_receiver;
    uint64_t next_twcc_feedback_us;
    /* Send side: the id we stamp our transport-wide sequence on (0: not negotiated), the next
     * sequence number, and the bandwidth estimator the remote's feedback drives. */
    uint8_t twcc_send_id;
    uint16_t twcc_send_seq;
    struct prism_bwe *bwe;

    /* One timer, re-armed to the earliest deadline: in the worker loop's heap, or a GSource
     * where there is no loop (unit tests driving a bare GMainContext). */
    struct prism_timer timer;
    GSource *timer_source;
    bool timer_running; /* between peer_timer_start and peer_timer_stop */
    uint64_t next_rtcp_us;
    uint64_t bitrate_cap;

    struct prism_peer_stats stats;

    /* Negotiation state, read per description, not per packet: after the send path's fields. */
    struct prism_sdp *remote;      /* remote offer until we answered it */
    struct prism_sdp *local_offer; /* our offer until its answer came */
    bool controlling;
    struct prism_sdp_fingerprint remote_fingerprint;
    char remote_ufrag[PRISM_SDP_ICE_CRED_LEN + 1];
    uint64_t sdp_session_id, sdp_version;
    char cname[24];

    uint8_t rx[PEER_BUFFER_SIZE]; /* receive buffer: packets are decrypted in place */
    uint8_t tx[PEER_BUFFER_SIZE]; /* DTLS flights and RTCP we build */

    /* Data channels (data.c): the association starts once DTLS is up when an application
     * m-line was negotiated. */
    bool data_negotiated;
    uint16_t remote_sctp_port;
    uint64_t remote_max_message_size;
    struct prism_sctp_association *sctp;
    uint8_t *app_buffer; /* DTLS application records, PEER_APP_BUFFER_SIZE bytes */
    struct peer_channel channels[PEER_MAX_CHANNELS];
    unsigned channel_count;
};

/* transport.c */
void peer_receive_cb(void *owner, const uint8_t *data, size_t len, uint64_t now_us);
void peer_ice_state_cb(void *owner, enum prism_ice_state state);
void peer_flush_dtls(struct prism_peer *peer);
int peer_start_dtls(struct prism_peer *peer);
int peer_send_rtcp(struct prism_peer *peer, uint8_t *data, size_t len);
void peer_close(struct prism_peer *peer, const char *reason);

/* timer.c */
/* The current time without a clock read on a worker: its loop's wake-up time (the receive
 * batch being handled); without a loop (unit tests on a bare GMainContext) the clock. */
uint64_t peer_now(const struct prism_peer *peer);
void peer_timer_start(struct prism_peer *peer);
void peer_timer_stop(struct prism_peer *peer);
void peer_timer_rearm(struct prism_peer *peer);

/* streams.c */
/* The m-line of a received packet, and its simulcast layer in *layer (-1: not simulcast). */
struct peer_media *peer_media_for_packet(struct prism_peer *peer,
                                         const struct prism_rtp_header *header, int *layer);
/* Builds the m-line table from a completed exchange. `local_answer` tells which side
 * answered: directions are read from our point of view either way. */
int peer_streams_from_exchange(struct prism_peer *peer, const struct prism_sdp *offer,
                               const struct prism_sdp *answer, bool local_answer);
/* Makes room for m-lines 0 .. count - 1 (new ones zeroed; existing ones move, so pointers to
 * them do not outlive this call). -EINVAL beyond PEER_MAX_MEDIA, -ENOMEM. */
int peer_media_reserve(struct prism_peer *peer, unsigned count);
/* The m-line slot `index` (reserved) for `mid`: our SSRCs are drawn on first use and kept for
 * that mid. */
struct peer_media *peer_media_slot(struct prism_peer *peer, unsigned index, const char *mid);

/* simulcast.c */
/* Reads the simulcast layers of an m-line we answered (or, with SSRCs, any m-line). */
void peer_simulcast_setup(struct prism_peer *peer, struct peer_media *media,
                          const struct prism_sdp_media *offered,
                          const struct prism_sdp_media *answered);
/* The layer whose SSRC (or RTX SSRC) this is, or -1. */
int peer_simulcast_layer_of(const struct peer_media *media, uint32_t ssrc);
/* A packet of an unknown SSRC naming a rid (or repaired rid) of a simulcast m-line: the SSRC
 * is learnt for that layer. The m-line, or NULL. */
struct peer_media *peer_simulcast_learn(struct prism_peer *peer, const struct prism_rtp_header *h,
                                        int *layer);
/* The known SSRCs of the layers, lowest first, into out (PEER_MAX_LAYERS entries). */
unsigned peer_simulcast_ssrcs(const struct peer_media *media, uint32_t *out);

/* peer.c, shared with offer.c */
int peer_apply_remote_transport(struct prism_peer *peer, const struct prism_sdp *remote,
                                struct prism_sdp_error *err);
void peer_set_error(struct prism_sdp_error *err, enum prism_sdp_error_code code,
                    const char *message);
int peer_add_sources(struct prism_peer *peer, struct prism_sdp *sdp);
/* Our side of the transport for an offer or answer; `candidates` (g_free'd strings) must
 * outlive `out`. */
void peer_local_transport(struct prism_peer *peer, GPtrArray *candidates,
                          struct prism_sdp_local_transport *out);
/* Our description with `transport` went out: later candidates are trickled. */
void peer_description_sent(struct prism_peer *peer,
                           const struct prism_sdp_local_transport *transport);
void peer_media_check_activity(struct prism_peer *peer, uint64_t now);

/* recovery.c */
void peer_recovery_setup(struct prism_peer *peer);
void peer_recovery_free(struct prism_peer *peer);
void peer_recovery_on_send(struct peer_media *media, const uint8_t *data, size_t len, uint64_t now);
/* False when the packet must not go to the plugin (a jump still on probation). */
bool peer_recovery_on_receive(struct prism_peer *peer, struct peer_media *media,
                              const struct prism_rtp_header *header, bool retransmission,
                              uint64_t now);
void peer_recovery_answer_nack(struct prism_peer *peer, const struct prism_rtcp_packet *packet);
void peer_recovery_poll(struct prism_peer *peer, uint64_t now);
uint64_t peer_recovery_next_deadline(const struct prism_peer *peer);
size_t peer_recovery_report_blocks(struct prism_peer *peer, uint64_t now,
                                   struct prism_rtcp_report_block *blocks, size_t cap);
void peer_recovery_on_sender_report(struct prism_peer *peer, const struct prism_rtcp_sr *sr,
                                    uint64_t now);
void peer_recovery_on_reports(struct prism_peer *peer, const struct prism_rtcp_reports *reports);
void peer_recovery_set_rtt(struct prism_peer *peer, uint64_t rtt_us);
void peer_recovery_check_slowlink(struct prism_peer *peer);

/* rtcp.c */
uint32_t peer_reporting_ssrc(const struct prism_peer *peer);

/* congestion.c */
void peer_congestion_setup(struct prism_peer *peer);
void peer_congestion_free(struct prism_peer *peer);
/* Records the transport sequence number of a packet that arrived at `now` (any packet of a
 * known m-line, RTX and padding included, before anything else looks at it). */
void peer_congestion_on_receive(struct prism_peer *peer, const struct prism_rtp_header *header,
                                uint64_t now);
void peer_congestion_poll(struct prism_peer *peer, uint64_t now);
/* Stamps our transport-wide sequence number on an RTP packet about to be protected (adding
 * the element when it has none) and records it for the estimator; returns the packet's new
 * length (unchanged when transport-cc is not negotiated or the packet has no room). */
size_t peer_congestion_on_send(struct prism_peer *peer, uint8_t *data, size_t len, size_t cap,
                               uint64_t now);
void peer_congestion_set_rtt(struct prism_peer *peer, uint64_t rtt_us);
/* A transport-cc feedback from the remote about what we send. */
void peer_congestion_on_feedback(struct prism_peer *peer, const struct prism_rtcp_packet *packet,
                                 uint64_t now);
uint64_t peer_congestion_next_deadline(const struct prism_peer *peer);
/* Stamps our next transport-wide sequence number on a probe's padding packet and tells the
 * estimator: the new length, or a negative errno (not sent then). */
int peer_congestion_stamp_probe(struct prism_peer *peer, uint8_t *data, size_t len, size_t cap,
                                uint64_t now);
/* probe.c: sends the probe padding the estimator has due at `now`. */
void peer_probe_send_due(struct prism_peer *peer, uint64_t now);

/* data.c */
void peer_data_from_description(struct prism_peer *peer, const struct prism_sdp *remote);
void peer_data_start(struct prism_peer *peer);
void peer_data_receive(struct prism_peer *peer);
void peer_data_stop(struct prism_peer *peer);
void peer_handle_rtcp(struct prism_peer *peer, uint8_t *data, size_t len);
void peer_send_reports(struct prism_peer *peer, uint64_t now);

#endif
