/* SDP for WebRTC (RFC 8866, JSEP RFC 8829): the data model, a bounded parser and a CRLF writer.
 * Negotiation (answering offers, building subscriber offers) is in media/sdp/negotiate.h.
 *
 * Sans-IO and allocation-light: a description is one plain struct with fixed bounds (exceeding a
 * bound is an error, never a truncation). Nothing here reads the clock, draws random numbers or
 * logs. A struct prism_sdp belongs to whoever created it; functions are reentrant. */
#ifndef PRISM_MEDIA_SDP_SDP_H
#define PRISM_MEDIA_SDP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/sdp/candidate.h"

#define PRISM_SDP_MAX_MEDIA 256 /* a subscriber to 127 publishers of audio + video, plus data */
#define PRISM_SDP_MAX_CODECS 64 /* payload types per m-line */
#define PRISM_SDP_MAX_EXTMAPS 32
#define PRISM_SDP_MAX_SSRCS 32
#define PRISM_SDP_MAX_SSRC_GROUPS 16
#define PRISM_SDP_MAX_GROUP_SSRCS 8
#define PRISM_SDP_MAX_RIDS 8
#define PRISM_SDP_MAX_SIMULCAST_STREAMS 8
#define PRISM_SDP_MAX_SIMULCAST_ALTERNATIVES 4
#define PRISM_SDP_MAX_CANDIDATES 32
#define PRISM_SDP_MAX_FINGERPRINTS 4
#define PRISM_SDP_MAX_GROUPS 4

/* Longest text accepted per field (the arrays hold one more byte for the NUL). */
#define PRISM_SDP_TOKEN_LEN 64
#define PRISM_SDP_MID_LEN 32
#define PRISM_SDP_RID_LEN 32
#define PRISM_SDP_ICE_CRED_LEN 256 /* RFC 8839: ufrag and pwd up to 256 characters */
#define PRISM_SDP_FMTP_LEN 255
#define PRISM_SDP_URI_LEN 159
#define PRISM_SDP_TEXT_LEN 255
#define PRISM_SDP_FINGERPRINT_MAX_BYTES 64 /* sha-512 */

/* Why a call failed, beyond its errno; the API layer maps these to Janus error 465. */
enum prism_sdp_error_code {
    PRISM_SDP_OK = 0,
    PRISM_SDP_ERR_SYNTAX,           /* a line or value is malformed */
    PRISM_SDP_ERR_LIMIT,            /* a fixed bound of this module was exceeded */
    PRISM_SDP_ERR_NO_MEDIA,         /* no m-line at all */
    PRISM_SDP_ERR_NO_BUNDLE,        /* offer without BUNDLE, or an active m-line outside it */
    PRISM_SDP_ERR_NO_RTCP_MUX,      /* an active RTP m-line without a=rtcp-mux */
    PRISM_SDP_ERR_NO_MID,           /* an active m-line without a=mid, or mids repeated */
    PRISM_SDP_ERR_NO_ICE,           /* missing a=ice-ufrag or a=ice-pwd */
    PRISM_SDP_ERR_NO_FINGERPRINT,   /* missing a=fingerprint */
    PRISM_SDP_ERR_BAD_SETUP,        /* a=setup value not allowed here */
    PRISM_SDP_ERR_MISMATCH,         /* an answer that does not fit our offer */
    PRISM_SDP_ERR_INVALID_ARGUMENT, /* the caller's options are incomplete or invalid */
};

/* Filled by the functions that take it (it may be NULL): a code, the 1-based line of the input
 * where parsing stopped (0 when not about a line) and a human-readable reason. */
struct prism_sdp_error {
    enum prism_sdp_error_code code;
    unsigned line;
    char message[160];
};

enum prism_sdp_direction {
    PRISM_SDP_SENDRECV = 0, /* the default when no attribute is present */
    PRISM_SDP_SENDONLY,
    PRISM_SDP_RECVONLY,
    PRISM_SDP_INACTIVE,
};

enum prism_sdp_media_kind {
    PRISM_SDP_MEDIA_AUDIO,
    PRISM_SDP_MEDIA_VIDEO,
    PRISM_SDP_MEDIA_APPLICATION,
    PRISM_SDP_MEDIA_OTHER, /* e.g. m=text: kept so it can be answered with port 0 */
};

/* a=setup (RFC 4145, RFC 8842). NONE means the attribute was absent. */
enum prism_sdp_setup {
    PRISM_SDP_SETUP_NONE = 0,
    PRISM_SDP_SETUP_ACTPASS,
    PRISM_SDP_SETUP_ACTIVE,
    PRISM_SDP_SETUP_PASSIVE,
    PRISM_SDP_SETUP_HOLDCONN,
};

/* Codecs this module recognises by their rtpmap name; anything else is UNKNOWN and is carried
 * through parsing and writing but never selected by negotiation. */
enum prism_sdp_codec_id {
    PRISM_SDP_CODEC_UNKNOWN = 0,
    PRISM_SDP_CODEC_OPUS,
    PRISM_SDP_CODEC_G722,
    PRISM_SDP_CODEC_PCMU,
    PRISM_SDP_CODEC_PCMA,
    PRISM_SDP_CODEC_VP8,
    PRISM_SDP_CODEC_VP9,
    PRISM_SDP_CODEC_H264,
    PRISM_SDP_CODEC_AV1,
    PRISM_SDP_CODEC_RTX,
    PRISM_SDP_CODEC_RED,
    PRISM_SDP_CODEC_ULPFEC,
};

/* a=rtcp-fb values an SFU acts on, as a bit mask; other feedback types are ignored on parse. */
enum prism_sdp_feedback {
    PRISM_SDP_FB_NACK = 1u << 0,         /* nack */
    PRISM_SDP_FB_NACK_PLI = 1u << 1,     /* nack pli */
    PRISM_SDP_FB_CCM_FIR = 1u << 2,      /* ccm fir */
    PRISM_SDP_FB_GOOG_REMB = 1u << 3,    /* goog-remb */
    PRISM_SDP_FB_TRANSPORT_CC = 1u << 4, /* transport-cc */
};

/* One payload type of an m-line: a=rtpmap, a=fmtp and a=rtcp-fb folded together. Payload types
 * 0-34 without an rtpmap get their static name (PCMU, PCMA, G722) when RFC 3551 defines one. */
struct prism_sdp_codec {
    uint8_t pt;                         /* 0-127 */
    enum prism_sdp_codec_id id;         /* from name */
    char name[PRISM_SDP_TOKEN_LEN + 1]; /* as written, e.g. "opus", "H264"; "" if unknown */
    uint32_t clock_rate;
    uint8_t channels;                  /* 0 when the rtpmap has no channel count */
    char fmtp[PRISM_SDP_FMTP_LEN + 1]; /* the a=fmtp parameters, verbatim; "" if none */
    uint32_t feedback;                 /* enum prism_sdp_feedback bits */
};

/* a=extmap (RFC 8285). */
struct prism_sdp_extmap {
    uint8_t id; /* 1-14 one-byte, up to 255 with two-byte headers */
    bool has_direction;
    enum prism_sdp_direction direction;
    char uri[PRISM_SDP_URI_LEN + 1];
};

/* a=ssrc lines of one SSRC folded together (RFC 5576); attributes other than cname and msid are
 * ignored. */
struct prism_sdp_ssrc {
    uint32_t ssrc;
    char cname[PRISM_SDP_TOKEN_LEN + 1];
    char stream_id[PRISM_SDP_TOKEN_LEN + 1]; /* from "msid:<stream> <track>" */
    char track_id[PRISM_SDP_TOKEN_LEN + 1];
};

/* a=ssrc-group: "FID" pairs a primary SSRC with its RTX SSRC, "SIM" lists simulcast layers. */
struct prism_sdp_ssrc_group {
    char semantics[16];
    uint8_t count;
    uint32_t ssrcs[PRISM_SDP_MAX_GROUP_SSRCS];
};

/* a=rid (RFC 8851). Restrictions (pt=, max-width=, ...) are kept verbatim. */
struct prism_sdp_rid {
    char id[PRISM_SDP_RID_LEN + 1];
    bool send; /* direction "send"; false means "recv" */
    char restrictions[PRISM_SDP_TEXT_LEN + 1];
};

/* a=simulcast (RFC 8853): per direction, a list of streams, each a list of alternative rids. */
struct prism_sdp_simulcast_stream {
    uint8_t count;
    struct {
        char rid[PRISM_SDP_RID_LEN + 1];
        bool paused; /* written as "~rid" */
    } alternatives[PRISM_SDP_MAX_SIMULCAST_ALTERNATIVES];
};

struct prism_sdp_simulcast_list {
    uint8_t count;
    struct prism_sdp_simulcast_stream streams[PRISM_SDP_MAX_SIMULCAST_STREAMS];
};

/* a=fingerprint (RFC 8122): the hash function name, lower case, and the digest bytes. */
struct prism_sdp_fingerprint {
    char algorithm[16];
    uint8_t length;
    uint8_t bytes[PRISM_SDP_FINGERPRINT_MAX_BYTES];
};

/* ICE and DTLS parameters. In a parsed description each m-line's copy already includes what it
 * inherits from the session level; the session copy holds only the session-level lines. */
struct prism_sdp_transport {
    char ice_ufrag[PRISM_SDP_ICE_CRED_LEN + 1];
    char ice_pwd[PRISM_SDP_ICE_CRED_LEN + 1];
    bool ice_trickle; /* a=ice-options contains "trickle" */
    uint8_t fingerprint_count;
    struct prism_sdp_fingerprint fingerprints[PRISM_SDP_MAX_FINGERPRINTS];
    enum prism_sdp_setup setup;
};

/* One m-line and its attributes. Codecs are in the order of the m-line's format list. */
struct prism_sdp_media {
    enum prism_sdp_media_kind kind;
    char kind_name[16];                    /* "audio", "video", "application", "text", ... */
    uint16_t port;                         /* 0: rejected, unless bundle_only */
    char proto[32];                        /* "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP", ... */
    char formats[PRISM_SDP_TOKEN_LEN + 1]; /* non-RTP format list, e.g. "webrtc-datachannel" */
    char connection_address[PRISM_SDP_ADDRESS_LEN + 1]; /* from c=, "" if none */
    uint32_t bandwidth_as;                              /* b=AS, kbit/s; 0 if absent */
    uint32_t bandwidth_tias;                            /* b=TIAS, bit/s; 0 if absent */

    char mid[PRISM_SDP_MID_LEN + 1];
    enum prism_sdp_direction direction;
    bool rtcp_mux, rtcp_rsize, bundle_only, extmap_allow_mixed, end_of_candidates;
    struct prism_sdp_transport transport;

    bool has_msid; /* a=msid (only the first line is kept) */
    char stream_id[PRISM_SDP_TOKEN_LEN + 1];
    char track_id[PRISM_SDP_TOKEN_LEN + 1];

    uint8_t codec_count, extmap_count, ssrc_count, ssrc_group_count, rid_count;
    uint8_t candidate_count;
    struct prism_sdp_codec codecs[PRISM_SDP_MAX_CODECS];
    struct prism_sdp_extmap extmaps[PRISM_SDP_MAX_EXTMAPS];
    struct prism_sdp_ssrc ssrcs[PRISM_SDP_MAX_SSRCS];
    struct prism_sdp_ssrc_group ssrc_groups[PRISM_SDP_MAX_SSRC_GROUPS];
    struct prism_sdp_rid rids[PRISM_SDP_MAX_RIDS];
    struct prism_sdp_simulcast_list simulcast_send, simulcast_recv;
    struct prism_sdp_candidate candidates[PRISM_SDP_MAX_CANDIDATES];

    /* Data channels: RFC 8841 writes "UDP/DTLS/SCTP webrtc-datachannel" and a=sctp-port; the
     * legacy syntax of draft-ietf-mmusic-sctp-sdp-05 (aiortc 1.4, old Firefox and Chrome) writes
     * "DTLS/SCTP <port>" and a=sctpmap:<port> <protocol> [<streams>], the port repeated as the
     * m= format. sctpmap marks the legacy form, which the writer reproduces. */
    uint16_t sctp_port;        /* a=sctp-port or the a=sctpmap port, 0 if absent */
    uint64_t max_message_size; /* a=max-message-size, 0 if absent */
    bool sctpmap;              /* a=sctpmap present: legacy syntax */
    uint16_t sctpmap_streams;  /* a=sctpmap stream count, 0 if not given */
    char sctpmap_protocol[PRISM_SDP_TOKEN_LEN + 1]; /* e.g. "webrtc-datachannel" */
};

/* a=group (RFC 5888), e.g. BUNDLE with its mids in order. */
struct prism_sdp_group {
    char semantics[16];
    uint16_t count;
    char mids[PRISM_SDP_MAX_MEDIA][PRISM_SDP_MID_LEN + 1];
};

/* A whole session description: always heap-allocated by the functions that return one, freed
 * with prism_sdp_free(). Its m-lines (about 48 KB each at full bounds, mostly untouched) are
 * an array grown as they are added, up to PRISM_SDP_MAX_MEDIA. */
struct prism_sdp {
    char origin_username[PRISM_SDP_TOKEN_LEN + 1];
    uint64_t session_id, session_version;
    char origin_address[PRISM_SDP_ADDRESS_LEN + 1];
    char session_name[PRISM_SDP_TEXT_LEN + 1];

    struct prism_sdp_transport transport; /* session-level lines only */
    bool ice_lite, extmap_allow_mixed;
    bool has_msid_semantic;
    char msid_semantic[PRISM_SDP_TEXT_LEN + 1]; /* value of a=msid-semantic, e.g. "WMS *" */
    uint8_t group_count;
    struct prism_sdp_group groups[PRISM_SDP_MAX_GROUPS];

    uint16_t media_count, media_capacity;
    struct prism_sdp_media *media; /* media_count of them, owned */
};

/* Parses a session description from text of the given length (no NUL needed; CRLF or LF line
 * ends). Returns 0 and a new description in *out, or -EINVAL (malformed), -E2BIG (a bound
 * exceeded) or -ENOMEM, with the reason in *err when err is not NULL. */
int prism_sdp_parse(const char *text, size_t length, struct prism_sdp **out,
                    struct prism_sdp_error *err);

/* Allocates an empty description (v=0, "s=-", no media); the builders start from this. */
int prism_sdp_new(struct prism_sdp **out);

/* Frees a description; NULL is allowed. */
void prism_sdp_free(struct prism_sdp *sdp);

/* Writes a description with CRLF line ends into buf, NUL-terminated. Returns 0 with the length
 * (without the NUL) in *length, -ENOSPC if size is too small, -EINVAL on an unwritable value. */
int prism_sdp_write(const struct prism_sdp *sdp, char *buf, size_t size, size_t *length);

/* Like prism_sdp_write() into a malloc'd string that the caller frees with free(). */
int prism_sdp_write_alloc(const struct prism_sdp *sdp, char **text, size_t *length);

/* Short English name of an error code, e.g. "offer without BUNDLE". */
const char *prism_sdp_error_string(enum prism_sdp_error_code code);

/* --- Reading a description ------------------------------------------------------------- */

/* The m-line with this mid, or NULL. */
const struct prism_sdp_media *prism_sdp_find_media(const struct prism_sdp *sdp, const char *mid);

/* True if the m-line is rejected: port 0 without a=bundle-only. */
bool prism_sdp_media_is_rejected(const struct prism_sdp_media *media);

/* True if the description has a BUNDLE group containing this mid. */
bool prism_sdp_bundle_contains(const struct prism_sdp *sdp, const char *mid);

/* The ICE/DTLS parameters that apply to an m-line: its own, or, when it has no ICE credentials
 * and is bundled, those of the BUNDLE group's tagged (first) m-line (RFC 8843 lets bundled
 * m-lines omit them). */
const struct prism_sdp_transport *prism_sdp_media_transport(const struct prism_sdp *sdp,
                                                            const struct prism_sdp_media *media);

/* The first codec that carries media (not RTX, RED, FEC, CN or telephone-event), or NULL. In a
 * negotiated answer this is the codec chosen for the m-line. */
const struct prism_sdp_codec *prism_sdp_media_primary_codec(const struct prism_sdp_media *media);

/* The codec with this payload type, or NULL. */
const struct prism_sdp_codec *prism_sdp_media_codec(const struct prism_sdp_media *media,
                                                    uint8_t pt);

/* The RTX codec whose apt= names this payload type, or NULL. */
const struct prism_sdp_codec *prism_sdp_media_rtx_for(const struct prism_sdp_media *media,
                                                      uint8_t pt);

/* The extmap id negotiated for a header extension URI, or 0 if absent. */
uint8_t prism_sdp_media_extmap_id(const struct prism_sdp_media *media, const char *uri);

/* The RTX SSRC paired with ssrc by an FID group, or 0. */
uint32_t prism_sdp_media_rtx_ssrc(const struct prism_sdp_media *media, uint32_t ssrc);

/* The RFC 2198 RED codec carrying `codec` (same clock rate and channels, every block payload
 * type of its fmtp `codec`'s, as Chrome offers "red/48000/2" with "111/111"), or NULL. */
const struct prism_sdp_codec *prism_sdp_media_red_for(const struct prism_sdp_media *media,
                                                      const struct prism_sdp_codec *codec);

/* The codec id for an rtpmap encoding name (case-insensitive). */
enum prism_sdp_codec_id prism_sdp_codec_id_from_name(const char *name);

/* Looks up key in an fmtp parameter string ("a=1;b=2", spaces allowed after ';') and copies its
 * value into value (NUL-terminated). Returns false if absent or if it does not fit. */
bool prism_sdp_fmtp_get(const char *fmtp, const char *key, char *value, size_t size);

/* The apt= of an RTX codec, or -1. */
int prism_sdp_codec_apt(const struct prism_sdp_codec *codec);

#endif
