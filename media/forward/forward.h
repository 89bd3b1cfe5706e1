/* The SFU's forwarding engine: turns one publisher RTP packet into one subscriber stream's
 * packet. Per subscriber stream it rewrites the SSRC, payload type and header extension ids,
 * keeps sequence numbers, timestamps and VP8 picture ids continuous across source switches,
 * pauses and publisher restarts, and holds video back until a keyframe after each of them.
 *
 * Hot path (plugins/videoroom): a publisher packet is decrypted and parsed once; for each
 * subscriber stream prism_forward_packet() writes that subscriber's copy into a buffer of the
 * caller (one memcpy, since SRTP then encrypts each copy in place) and says whether to send it.
 *
 * Sans-IO: time comes in as an argument (microseconds), nothing here allocates (except
 * prism_forward_list_add), logs, reads a clock or sends. */
#ifndef PRISM_MEDIA_FORWARD_FORWARD_H
#define PRISM_MEDIA_FORWARD_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/forward/svc.h"
#include "media/rtp/rtp.h"
#include "media/sdp/sdp.h"

#define PRISM_FORWARD_MAX_PAYLOAD_TYPES 8
#define PRISM_FORWARD_MAX_CLOCK_RATE 1000000u
#define PRISM_FORWARD_DEFAULT_KEYFRAME_RETRY_US 1000000u
/* Packets dropped on purpose (padding, unwanted layers) remembered so that late packets and
 * retransmissions from before them still map to the right sequence number. SVC drops several
 * packets per picture (every packet of the spatial layers above the target), so this is what
 * bounds how far back a NACK can be answered: 64 covers a few pictures. */
#define PRISM_FORWARD_SKIP_HISTORY 64
#define PRISM_FORWARD_MARK_HISTORY 1024

/* The subscriber side of a stream, fixed for its lifetime. */
struct prism_forward_config {
    uint32_t ssrc;              /* what the subscriber receives on (prism_peer_local_ssrc) */
    uint16_t initial_seq;       /* first sequence number sent; random (RFC 3550 section 5.1) */
    uint32_t initial_timestamp; /* first timestamp sent; random */
    uint64_t keyframe_retry_us; /* while waiting for a keyframe, ask again this often;
                                   0 = PRISM_FORWARD_DEFAULT_KEYFRAME_RETRY_US */
};

/* One codec both sides negotiated: the publisher's payload type and the subscriber's. */
struct prism_forward_payload_type {
    uint8_t publisher;  /* 0-127 */
    uint8_t subscriber; /* 0-127 */
    enum prism_sdp_codec_id codec;
};

/* What a stream forwards from: one publisher stream (an m-line), as seen by this subscriber.
 * Packets of payload types not listed are dropped. */
struct prism_forward_source {
    bool video;          /* gate on keyframes after a switch, resume or restart */
    uint32_t clock_rate; /* RTP clock in Hz, 1 to PRISM_FORWARD_MAX_CLOCK_RATE */
    struct prism_forward_payload_type payload_types[PRISM_FORWARD_MAX_PAYLOAD_TYPES];
    unsigned payload_type_count;
    struct prism_rtp_ext_map extensions; /* publisher id -> subscriber id; 0 drops the element */
    /* Elements the subscriber gets on every packet (its own mid, abs-send-time stamped at
     * send: prism_forward_stamp), and whether it takes two-byte headers. See extensions.h. */
    struct prism_rtp_ext_added_set added_extensions;
    /* The publisher's id of the frame-marking extension (0: none): the temporal layer of
     * packets whose codec and dependency descriptor give none (H.264), whether or not the
     * subscriber gets the element (extensions). */
    uint8_t frame_marking_id;
};

enum prism_forward_result {
    PRISM_FORWARD_SEND,               /* out holds the subscriber's packet: protect and send */
    PRISM_FORWARD_DROP,               /* nothing to send */
    PRISM_FORWARD_DROP_NEED_KEYFRAME, /* nothing to send; ask the publisher for a keyframe
                                         (prism_keyframe_request on its throttle) */
};

/* Lifetime counters of one stream. */
struct prism_forward_counters {
    uint64_t forwarded;
    uint64_t dropped_paused;
    uint64_t dropped_waiting_keyframe;
    uint64_t dropped_filtered;  /* dropped on purpose without a sequence gap (padding only) */
    uint64_t dropped_invalid;   /* unmapped payload type, malformed descriptor or extensions,
                                   too old, out of the sequence window, stale SSRC, no room */
    uint64_t switches;          /* prism_forward_switch() calls that replaced a source */
    uint64_t source_changes;    /* SSRC changes and sequence restarts seen in the packets */
    uint64_t keyframe_requests; /* PRISM_FORWARD_DROP_NEED_KEYFRAME results */
    uint64_t dropped_layer;     /* simulcast: packets of a layer not forwarded now */
    uint64_t layer_switches;    /* simulcast: spatial layer changes (at a keyframe) */
};

/* Simulcast (rid or SSRC-based) and VP8 temporal layers: which of a publisher stream's layers
 * (0 = lowest quality) this subscriber stream forwards. The engine switches only at a
 * keyframe of the layer it switches to, so the output stays one decodable stream. Private:
 * use prism_forward_simulcast_configure and prism_forward_simulcast_state. */
#define PRISM_FORWARD_MAX_LAYERS 3
#define PRISM_FORWARD_DEFAULT_FALLBACK_US 250000u
struct prism_forward_simulcast {
    bool active;            /* the source sent layered packets (prism_forward_packet_layer) */
    int8_t current;         /* spatial layer forwarded now; -1 before the first switch */
    int8_t target;          /* substream asked for (configure "substream") */
    int8_t temporal;        /* highest VP8 temporal layer forwarded now */
    int8_t temporal_target; /* configure "temporal" */
    bool asked;             /* a keyframe of the wanted layer was asked for */
    uint64_t asked_us;      /* when */
    uint64_t fallback_us;   /* a layer silent this long is not available */
    uint8_t seen;           /* bit per layer: a packet of it arrived */
    uint64_t last_seen_us[PRISM_FORWARD_MAX_LAYERS];
};

/* What a simulcast subscriber stream forwards, for events and queries. */
struct prism_forward_layers {
    bool active;
    int substream;        /* current spatial layer, -1 none yet */
    int substream_target; /* asked for */
    int temporal;         /* current highest temporal layer */
    int temporal_target;
    uint64_t fallback_us;
};

/* Source sequence numbers -> output sequence numbers for the current segment (the run of
 * packets since the last switch, resume or restart): out = in + offset, where offset shrinks
 * by one for each packet skipped on purpose, so losses in the source stay visible as gaps
 * (NACK still works) while skips and switches leave none. Private to media/forward. */
struct prism_forward_seqmap {
    bool based; /* a segment started: offset and highest are valid */
    bool has_candidate;
    uint16_t offset;    /* for source sequence numbers after the newest skip */
    uint16_t highest;   /* newest source sequence number mapped or skipped */
    uint16_t floor;     /* this one and older ones can no longer be mapped */
    uint16_t candidate; /* a packet far out of the window: a restart if the next follows it */
    uint16_t skips[PRISM_FORWARD_SKIP_HISTORY]; /* ring, oldest first */
    uint8_t skip_first;
    uint8_t skip_count;
};

/* What the subscriber saw last (the newest packet sent), for continuity. Private. */
struct prism_forward_output {
    bool started;
    bool has_picture_id;
    bool has_tl0picidx;
    uint8_t tl0picidx;
    uint16_t seq;
    uint16_t picture_id; /* 15 bits; a 7-bit stream only shows the low 7 */
    uint32_t timestamp;
    uint64_t time_us;
};

/* The translation table of one payload type. Private. */
struct prism_forward_pt_entry {
    uint8_t subscriber;
    uint8_t kind; /* enum forward_kind in forward_internal.h; 0 = not forwarded */
};

/* One subscriber stream. Embedded by its owner (the subscriber), fixed size; used only on the
 * worker thread that owns the room. Fields are private: use the functions. */
struct prism_forward_stream {
    uint32_t ssrc;
    uint16_t initial_seq;
    uint32_t initial_timestamp;
    uint64_t keyframe_retry_us;

    /* The source and how to translate its packets. */
    bool has_source;
    bool video;
    uint64_t ticks_per_us_q32; /* the clock rate / 1e6 in 32.32 fixed point, rounded up */
    struct prism_forward_pt_entry payload_types[128];
    struct prism_rtp_ext_map extensions;
    struct prism_rtp_ext_added_set added_extensions;
    uint8_t frame_marking_id;

    /* Where the packets stand. */
    bool paused;
    bool source_known; /* source_ssrc was taken from a packet of the current source */
    bool has_stale_ssrc;
    bool waiting_keyframe;
    bool keyframe_asked;
    bool picture_id_based; /* picture_id_offset valid for the current segment */
    bool tl0picidx_based;
    uint8_t tl0picidx_offset;
    uint16_t picture_id_offset;
    uint16_t pending_gap; /* sequence numbers to leave empty at the next segment start */
    uint32_t source_ssrc;
    uint32_t stale_ssrc; /* the SSRC the source left: late packets of it are dropped */
    uint32_t timestamp_offset;
    uint64_t keyframe_asked_us;
    struct prism_forward_seqmap seq;
    struct prism_forward_output out;
    struct prism_forward_simulcast layers;
    struct prism_forward_svc svc; /* VP9 SVC: spatial and temporal layers in one stream */
    /* Bit n % 1024: output packet n got a marker bit its publisher packet had not (the end of
     * a picture cut short by SVC), so a retransmission is written as it was sent. Covers every
     * packet a NACK can still map (a segment reaches back at most 1000 packets). */
    uint64_t svc_added_marks[PRISM_FORWARD_MARK_HISTORY / 64];
    struct prism_forward_counters counters;
};

/* Initialises s with no source (every packet dropped until prism_forward_switch), not paused.
 * Returns 0 or -EINVAL. */
int prism_forward_init(struct prism_forward_stream *s, const struct prism_forward_config *cfg);

/* Forwards from src from now on: the first call starts the stream, later ones switch it to
 * another publisher stream. The next packet forwarded continues the output sequence numbers by
 * exactly one and the timestamps by the time elapsed; video waits for a keyframe (the first
 * packet dropped for it says so; a caller may also ask the new source for one right away when
 * prism_forward_waiting_keyframe() is true). A paused stream stays paused. Returns 0 or -EINVAL
 * (bad source; nothing changed). */
int prism_forward_switch(struct prism_forward_stream *s, const struct prism_forward_source *src);

/* Replaces the payload type and extension tables (and clock rate) of the current source
 * without a switch, after either side renegotiated. Returns 0 or -EINVAL (nothing changed). */
int prism_forward_update_source(struct prism_forward_stream *s,
                                const struct prism_forward_source *src);

/* Pauses (drop everything, keep state) or resumes (continuity as after a switch, and a
 * keyframe for video). Pausing twice or resuming a running stream changes nothing. */
void prism_forward_pause(struct prism_forward_stream *s, bool paused);

/* The hot call. `in` is the parsed view of the publisher packet in_packet (in_len bytes,
 * padding included). Writes the subscriber's version of it into out (which must not overlap
 * in_packet) and its length to *out_len when the result is PRISM_FORWARD_SEND; never writes
 * past out_cap (too small: DROP). Keep room for the SRTP trailer after out_cap yourself.
 * O(header) work plus one copy of the packet; no allocation. */
enum prism_forward_result prism_forward_packet(struct prism_forward_stream *s,
                                               const struct prism_rtp_header *in,
                                               const uint8_t *in_packet, size_t in_len,
                                               uint8_t *out, size_t out_cap, size_t *out_len,
                                               uint64_t now_us);

/* prism_forward_packet for a packet of simulcast layer `layer` (0 = lowest; the SSRC the
 * publisher sends that layer on, learnt from its rid or a=ssrc-group:SIM). Only the layer
 * chosen for this stream is forwarded: the stream moves to the layer wanted (the substream
 * asked for, or the best one below it still arriving) at that layer's first keyframe, keeping
 * SSRC, sequence numbers, timestamps and VP8 picture ids continuous; while it waits, packets
 * of the wanted layer answer PRISM_FORWARD_DROP_NEED_KEYFRAME (every keyframe_retry_us).
 * VP8 temporal layers above the one asked for are dropped, and those of any codec whose payload
 * has no temporal id (H.264) when the source negotiated frame marking (its frame_marking_id),
 * with or without simulcast. layer < 0: prism_forward_packet. */
enum prism_forward_result prism_forward_packet_layer(struct prism_forward_stream *s, int layer,
                                                     const struct prism_rtp_header *in,
                                                     const uint8_t *in_packet, size_t in_len,
                                                     uint8_t *out, size_t out_cap, size_t *out_len,
                                                     uint64_t now_us);

/* prism_forward_packet_layer for a packet whose Dependency Descriptor the caller parsed
 * (media/rtp/dependency_descriptor.h, through the publisher stream's state; NULL: none). The
 * temporal layer ("temporal" of prism_forward_simulcast_configure) is then the descriptor's,
 * for any codec and with or without simulcast: Chrome moves the VP8 temporal layer ids out of
 * the payload descriptor into this extension when it is negotiated. A descriptor whose
 * structure has several spatial layers makes the packet SVC (prism_forward_svc_configure). */
struct prism_dd_frame;
enum prism_forward_result
prism_forward_packet_dd(struct prism_forward_stream *s, int layer, const struct prism_dd_frame *dd,
                        const struct prism_rtp_header *in, const uint8_t *in_packet, size_t in_len,
                        uint8_t *out, size_t out_cap, size_t *out_len, uint64_t now_us);

/* Sets the layers a simulcast stream asks for (Janus's configure): substream 0-2, temporal
 * 0-2 (a negative value keeps the current setting), fallback_us (0 keeps it). Takes effect
 * at the next keyframe of the new layer. */
void prism_forward_simulcast_configure(struct prism_forward_stream *s, int substream, int temporal,
                                       uint64_t fallback_us);

/* The stream's layer state. */
void prism_forward_simulcast_state(const struct prism_forward_stream *s,
                                   struct prism_forward_layers *out);

/* VP9 SVC (spatial and temporal layers in one RTP stream, read from the payload descriptor):
 * sets the highest layers this stream forwards (Janus's configure "spatial_layer" and
 * "temporal_layer", 0-2; a negative value keeps the current one). Packets of layers above are
 * dropped without a sequence gap, the last packet kept of each picture gets the marker bit, a
 * higher spatial layer starts at the next keyframe (packets of it answer
 * PRISM_FORWARD_DROP_NEED_KEYFRAME until then, every keyframe_retry_us) and a lower one at the
 * next picture. Other codecs' packets are not affected. */
void prism_forward_svc_configure(struct prism_forward_stream *s, int spatial, int temporal);

/* The SVC spatial layer of a packet of a source, as prism_forward_svc_configure chooses among
 * them (VP9 layer indices when `codec`, the codec the caller knows the packet's payload type
 * to carry, is VP9; or a dependency descriptor `dd` whose structure has several spatial
 * layers; dd may be NULL), without forwarding it: what the automatic layer choice counts each
 * layer's bitrate by, once per publisher packet. -1 when the packet has none (no SVC, padding,
 * a malformed descriptor). */
int prism_forward_svc_spatial_layer(enum prism_sdp_codec_id codec, const struct prism_dd_frame *dd,
                                    const struct prism_rtp_header *in);

/* The stream's SVC layer state (active once layered VP9 packets came from its source). */
static inline const struct prism_forward_svc *
prism_forward_svc_state(const struct prism_forward_stream *s)
{
    return &s->svc;
}

/* Retransmission from a history shared by every subscriber of a publisher stream (which keeps
 * the publisher's packets as received): a NACK for output sequence number out_seq maps back to
 * the source sequence number the current segment sent under it. 0 and *source_seq, -ENOENT
 * (no segment; from before the segment, i.e. before a switch, resume or restart; a packet
 * skipped on purpose; not sent yet or too far back) or -EINVAL. Changes nothing. */
int prism_forward_source_seq(const struct prism_forward_stream *s, uint16_t out_seq,
                             uint16_t *source_seq);

/* Rewrites the stored publisher packet `in` (in_packet, in_len) into out exactly as
 * prism_forward_packet wrote it when it went out as out_seq (SSRC, sequence number, timestamp,
 * payload type, VP8 picture id and TL0PICIDX, extension ids), without changing the stream.
 * PRISM_FORWARD_SEND with *out_len, or PRISM_FORWARD_DROP when the packet is not the one sent
 * as out_seq in the current segment (other SSRC or sequence number, skipped, no segment),
 * its payload type is not forwarded, or out_cap is too small. */
enum prism_forward_result prism_forward_resend(const struct prism_forward_stream *s,
                                               uint16_t out_seq, const struct prism_rtp_header *in,
                                               const uint8_t *in_packet, size_t in_len,
                                               uint8_t *out, size_t out_cap, size_t *out_len);

/* The timestamp the subscriber sees for the source's `source_timestamp` (from a sender report
 * of the source SSRC `source_ssrc`), so that the publisher's clock can be passed on for lip
 * sync. 0 and *out, or -ENOENT while the stream forwards nothing of that SSRC (no source, another
 * SSRC, a switch or restart whose first packet has not gone out yet). Changes nothing. */
int prism_forward_map_timestamp(const struct prism_forward_stream *s, uint32_t source_ssrc,
                                uint32_t source_timestamp, uint32_t *out);

/* Writes the values due at send time (abs-send-time of now_us) into a packet of len bytes that
 * prism_forward_packet or prism_forward_resend just wrote for this stream. Call it right
 * before protecting the packet. */
void prism_forward_stamp(const struct prism_forward_stream *s, uint8_t *packet, size_t len,
                         uint64_t now_us);

/* True while video is held back until a keyframe. */
bool prism_forward_waiting_keyframe(const struct prism_forward_stream *s);

/* The stream's lifetime counters, for statistics and tests. */
static inline const struct prism_forward_counters *
prism_forward_counters(const struct prism_forward_stream *s)
{
    return &s->counters;
}

/* The subscriber streams fed by one publisher stream, for the fan-out loop. Grows on add (the
 * only allocation here), never per packet; order is not kept. Owned by the publisher stream,
 * same thread; do not add or remove while iterating. Zero-initialise it. */
struct prism_forward_target {
    struct prism_forward_stream *stream;
    void *owner; /* the caller's: who sends what the stream produces */
};

struct prism_forward_list {
    struct prism_forward_target *items;
    unsigned count;
    unsigned capacity;
};

/* Adds a stream: 0, -EEXIST (already in the list), -EINVAL or -ENOMEM. */
int prism_forward_list_add(struct prism_forward_list *list, struct prism_forward_stream *stream,
                           void *owner);
/* Removes a stream; false if it was not there. */
bool prism_forward_list_remove(struct prism_forward_list *list,
                               const struct prism_forward_stream *stream);
/* Frees the list's memory (the streams are the owners'). */
void prism_forward_list_clear(struct prism_forward_list *list);

#endif
