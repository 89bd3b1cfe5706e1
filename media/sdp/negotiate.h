/* SDP offer/answer for an SFU: validating a remote offer, answering it, building an offer for a
 * subscriber and checking the remote answer to it. Pure functions over struct prism_sdp.
 *
 * Publisher / echo flow:   prism_sdp_parse(offer) -> prism_sdp_validate_offer()
 *                          -> prism_sdp_answer_create() -> prism_sdp_set_source() for what we
 *                          send -> prism_sdp_write().
 * Subscriber flow:         prism_sdp_offer_create() -> prism_sdp_write() -> ... remote answer ->
 *                          prism_sdp_parse() -> prism_sdp_validate_answer() -> read the chosen
 *                          payload types, extmap ids and SSRCs with the readers in sdp.h. */
#ifndef PRISM_MEDIA_SDP_NEGOTIATE_H
#define PRISM_MEDIA_SDP_NEGOTIATE_H

#include "media/sdp/sdp.h"

/* Our side of the transport, written into every answer and offer. Strings are borrowed for the
 * duration of the call only. */
struct prism_sdp_local_transport {
    const char *ice_ufrag; /* 4..256 ICE characters */
    const char *ice_pwd;   /* 22..256 ICE characters */
    struct prism_sdp_fingerprint fingerprint;
    const char *const *candidates; /* "candidate:..." lines, "a=" optional; may be NULL */
    size_t candidate_count;
    bool end_of_candidates;
    bool ice_lite; /* we are an ICE-lite agent: a=ice-lite at session level */
};

/* One acceptable codec. profile narrows the match: for H.264 a profile-level-id such as
 * "42e01f" (same profile required, the answer takes the lower level), for VP9 a profile-id
 * ("0"), for AV1 a profile ("0"); NULL accepts any profile. */
struct prism_sdp_codec_pref {
    enum prism_sdp_codec_id id;
    const char *profile;
};

/* How prism_sdp_answer_create() answers. Fill with prism_sdp_answer_options_init(), then set
 * the session ids and the transport. */
struct prism_sdp_answer_options {
    uint64_t session_id; /* o= line: the caller draws it at random once per PeerConnection */
    uint64_t session_version;
    struct prism_sdp_local_transport transport;
    /* Codecs in our order of preference; the first one the offer has wins. NULL: Opus for audio;
     * VP8, VP9 profile 0, H.264 42e01f, AV1 for video. */
    const struct prism_sdp_codec_pref *audio_codecs;
    size_t audio_codec_count;
    const struct prism_sdp_codec_pref *video_codecs;
    size_t video_codec_count;
    /* Per m-line, overriding the two lists above: m-line i (i < media_codec_count) is answered
     * with media_codecs[i] only, and rejected when its id is PRISM_SDP_CODEC_UNKNOWN (a viewer
     * whose m-lines each carry one particular stream). NULL: the per-kind lists. */
    const struct prism_sdp_codec_pref *media_codecs;
    size_t media_codec_count;
    /* Header extension URIs we accept (the offerer's ids are kept). NULL: every URI in
     * prism_sdp_default_extensions. */
    const char *const *extensions;
    size_t extension_count;
    uint32_t audio_feedback, video_feedback; /* rtcp-fb we accept, enum prism_sdp_feedback */
    bool use_rtx;                            /* answer RTX paired with the chosen codec */
    /* Opus: when opus_override is set, the answer's useinbandfec and usedtx say opus_fec and
     * opus_dtx (our receive preferences, RFC 7587 section 7) instead of echoing the offer's;
     * the offer's other parameters (minptime, stereo, sprop-stereo, ...) are kept. */
    bool opus_override;
    bool opus_fec, opus_dtx;
    /* Answer RFC 2198 RED (listed first) on an audio m-line whose offer has RED carrying the
     * chosen codec only, as Janus's VideoRoom accepts Chrome's red/48000/2 with Opus. Off by
     * default: whoever accepts it must handle the RED payload type. */
    bool accept_audio_red;
    bool accept_simulcast; /* answer a=rid/a=simulcast of the offer */
    /* What we are willing to do on every m-line: SENDRECV (echo), RECVONLY (publisher ingest),
     * SENDONLY (viewer). The answer direction is the offer's, mirrored, within this. */
    enum prism_sdp_direction local_direction;
    bool accept_data_channels;
    uint16_t sctp_port;
    uint16_t sctp_streams; /* written in a legacy a=sctpmap answer; 0 means 1024 */
    uint64_t max_message_size;
};

/* What we send on one m-line: written as a=msid, a=ssrc cname/msid and an FID group. */
struct prism_sdp_source {
    uint32_t ssrc;
    uint32_t rtx_ssrc;     /* 0: no RTX */
    const char *cname;     /* required */
    const char *stream_id; /* NULL or "-": no stream */
    const char *track_id;  /* required */
};

/* One m-line of an offer we build. */
struct prism_sdp_offer_media {
    enum prism_sdp_media_kind kind; /* AUDIO, VIDEO or APPLICATION */
    const char *mid;
    enum prism_sdp_direction direction;   /* SENDONLY for a subscriber stream */
    bool rejected;                        /* port 0: a slot freed in a renegotiation */
    const struct prism_sdp_codec *codecs; /* preference order, RTX included; ignored for data */
    size_t codec_count;
    const struct prism_sdp_extmap *extmaps;
    size_t extmap_count;
    bool extmap_allow_mixed; /* offer two-byte header extensions (session a=extmap-allow-mixed) */
    const struct prism_sdp_source *source; /* NULL: no a=msid/a=ssrc lines */
};

struct prism_sdp_offer_options {
    uint64_t session_id;
    uint64_t session_version;
    struct prism_sdp_local_transport transport;
    const struct prism_sdp_offer_media *media;
    size_t media_count;
    uint16_t sctp_port;        /* for application m-lines; 0 means 5000 */
    uint64_t max_message_size; /* for application m-lines; 0 means 262144 */
};

/* The header extensions an SFU handles: mid, rid, repaired-rid, abs-send-time,
 * transport-wide-cc, audio-level, video-orientation, playout-delay, dependency-descriptor,
 * abs-capture-time, frame-marking. */
extern const char *const prism_sdp_default_extensions[];
extern const size_t prism_sdp_default_extension_count;

/* Well-known header extension URIs. */
#define PRISM_SDP_EXT_MID "urn:ietf:params:rtp-hdrext:sdes:mid"
#define PRISM_SDP_EXT_RID "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
#define PRISM_SDP_EXT_REPAIRED_RID "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
#define PRISM_SDP_EXT_ABS_SEND_TIME "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
#define PRISM_SDP_EXT_TWCC \
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define PRISM_SDP_EXT_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define PRISM_SDP_EXT_VIDEO_ORIENTATION "urn:3gpp:video-orientation"
#define PRISM_SDP_EXT_PLAYOUT_DELAY "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"
#define PRISM_SDP_EXT_DEPENDENCY_DESCRIPTOR \
    "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension"
#define PRISM_SDP_EXT_ABS_CAPTURE_TIME \
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"
#define PRISM_SDP_EXT_FRAME_MARKING "urn:ietf:params:rtp-hdrext:framemarking"

/* Checks what an SFU needs of a remote offer: at least one m-line, a BUNDLE group holding every
 * active m-line, unique mids, rtcp-mux on active RTP m-lines, ICE credentials, a fingerprint and
 * a usable a=setup. Returns 0 or -EINVAL with the specific reason in *err. */
int prism_sdp_validate_offer(const struct prism_sdp *offer, struct prism_sdp_error *err);

/* Sets the defaults: default codec and extension lists, nack/pli/fir/remb/transport-cc for
 * video and transport-cc for audio, RTX, simulcast and data channels accepted (port 5000, 1024
 * streams, 262144-byte messages), local direction SENDRECV. */
void prism_sdp_answer_options_init(struct prism_sdp_answer_options *options);

/* Validates the offer and builds the answer: same mids in the same order, one codec per RTP
 * m-line (plus its RTX), m-lines with nothing usable rejected with port 0, BUNDLE over the
 * accepted mids, rtcp-mux, a=setup:passive to actpass/active (active to passive), trickle.
 * Header extension ids stay the offerer's; one whose id an earlier accepted m-line already uses
 * for another URI is left out, so that each id names one extension in the BUNDLE group. Data
 * channels are answered in the offer's syntax (RFC 8841 or the legacy a=sctpmap).
 * Returns 0 and a new description in *answer, or -EINVAL / -E2BIG / -ENOMEM with *err set. */
int prism_sdp_answer_create(const struct prism_sdp *offer,
                            const struct prism_sdp_answer_options *options,
                            struct prism_sdp **answer, struct prism_sdp_error *err);

/* Builds a JSEP offer (a=setup:actpass, BUNDLE over the non-rejected mids, rtcp-mux,
 * rtcp-rsize for video, trickle) from the caller's description of each m-line. An extmap id
 * given two URIs on bundled m-lines is an invalid argument. Returns 0 and a new description in
 * *offer, or -EINVAL / -E2BIG / -ENOMEM with *err set. */
int prism_sdp_offer_create(const struct prism_sdp_offer_options *options, struct prism_sdp **offer,
                           struct prism_sdp_error *err);

/* Checks a remote answer against the offer we sent: same m-lines and mids in order, BUNDLE,
 * rtcp-mux, ICE credentials, fingerprint, a=setup active or passive, payload types and extmap
 * ids among those offered, directions compatible. Returns 0 or -EINVAL with *err set. */
int prism_sdp_validate_answer(const struct prism_sdp *offer, const struct prism_sdp *answer,
                              struct prism_sdp_error *err);

/* Adds what we send on the m-line with this mid: a=msid, a=ssrc cname/msid lines and, with an
 * RTX SSRC, an FID group; replaces what the m-line had. Returns 0, -ENOENT (no such mid), -EINVAL
 * (not an RTP m-line, or an invalid source) or -E2BIG. */
int prism_sdp_set_source(struct prism_sdp *sdp, const char *mid,
                         const struct prism_sdp_source *source);

/* H.264 profile matching (RFC 6184): true if the two profile-level-ids name the same profile
 * (constrained baseline written either way counts as one). On a match, answer (7 bytes)
 * receives the offered profile with the lower of the two levels. */
bool prism_sdp_h264_profile_match(const char *offered, const char *local, char answer[7]);

#endif
