/* VideoRoom participants: publishers (whose streams are forwarded) and subscribers (who
 * receive a chosen set of publisher streams over one PeerConnection). Everything here lives on
 * the room's worker; see room.h. */
#ifndef PRISM_PLUGINS_VIDEOROOM_PARTICIPANT_H
#define PRISM_PLUGINS_VIDEOROOM_PARTICIPANT_H

#include "core/params.h"
#include "core/worker.h"
#include "media/alloc/alloc.h"
#include "media/feedback/keyframe.h"
#include "media/forward/extensions.h"
#include "media/forward/forward.h"
#include "media/nack/history.h"
#include "media/nack/resend_guard.h"
#include "media/peer/peer.h"
#include "media/rtcp/rtcp.h"
#include "media/rtp/dependency_descriptor.h"
#include "plugins/videoroom/room.h"
#include "plugins/videoroom/room_internal.h"

#include <glib.h>
#include <jansson.h>

struct prism_handle;
struct vr_sub_stream;

/* Streams of one publisher (held inline: a camera, a screen, their audio), and of one
 * subscriber (its m-lines, one left for data; a member of a large room gets two per other
 * member, so these are held in an array grown as they come). */
#define VR_MAX_PUB_STREAMS 63
#define VR_MAX_SUB_STREAMS (PRISM_SDP_MAX_MEDIA - 1)

/* The Dependency Descriptor states of a publisher stream, one per simulcast layer (each layer
 * is its own encoding with its own template structure); made on the first packet carrying the
 * extension, owned (dependency.c). */
struct vr_dd_states {
    struct prism_dd_state *layer[PRISM_FORWARD_MAX_LAYERS];
};

/* The bitrate each layer of a publisher stream arrives with (simulcast: per substream; SVC:
 * the packets of each spatial layer, whose cost adds those below; else index 0), for the
 * automatic layer choice of the subscribers it feeds (autolayer.c). Counted once per publisher
 * packet by what receives it for a worker's subscribers: the publisher stream on the room's
 * worker, a relay group on another; its subscribers read it there, on their own worker. */
struct vr_layer_rates {
    struct prism_layer_rate layer[PRISM_FORWARD_MAX_LAYERS];
    uint64_t packets; /* counted so far */
};

/* One stream a publisher sends, as negotiated. `subscribers` is the fan-out list. */
struct vr_pub_stream {
    struct vr_publisher *publisher;
    unsigned media_index; /* m-line in the publisher's PeerConnection */
    char mid[PRISM_SDP_MID_LEN + 1];
    enum prism_sdp_media_kind kind;
    struct prism_sdp_codec codec; /* as the publisher negotiated it */
    uint8_t red_pt;               /* audio: RFC 2198 RED carrying codec, 0: none negotiated */
    char description[64];
    bool disabled;                        /* configure "send": false from the publisher */
    uint8_t audio_level_id;               /* extmap id of the audio level, 0 = none */
    struct prism_forward_ext_ids ext_ids; /* the forwarded extensions' ids it negotiated */
    GPtrArray *subscribers;               /* struct vr_sub_stream *, not owned */
    struct prism_keyframe keyframe;       /* requests from subscribers, throttled (and fir_freq) */
    /* Video: the publisher's packets as received (before any subscriber's rewrite), shared by
     * every subscriber's NACKs; one per simulcast layer (index 0 without simulcast); made on
     * the first packet, owned. */
    struct prism_nack_history *history[PRISM_FORWARD_MAX_LAYERS];
    uint8_t simulcast_layers;    /* the publisher sends simulcast (2-3 layers); 0: not */
    struct vr_dd_states dd;      /* kept across renegotiations like history */
    struct vr_layer_rates rates; /* for its subscribers on the room's worker; kept likewise */
    /* Groups of subscribers on other workers (struct vr_relay_group *, owned there): each
     * packet is relayed to them once per group (relay_group.c). Room worker only. */
    GPtrArray *remote_groups;
};

/* A handle that joined a room as a publisher. Owned by its session. */
struct vr_publisher {
    struct vr_room *room; /* reference */
    struct prism_handle *handle;
    uint64_t id;
    uint64_t private_id;
    char *display;
    bool publishing; /* streams negotiated and PeerConnection up or coming */
    unsigned stream_count;
    struct vr_pub_stream streams[VR_MAX_PUB_STREAMS];
    /* Its audio and video m-lines that carry no stream (inactive, or no codec the room allows):
     * listed as "disabled" like Janus does, never subscribed to. */
    unsigned refused_count;
    struct vr_refused_mline {
        unsigned media_index;
        enum prism_sdp_media_kind kind;
        char mid[PRISM_SDP_MID_LEN + 1];
    } refused[VR_MAX_PUB_STREAMS];
    bool has_data;
    unsigned data_media_index;
    char data_mid[PRISM_SDP_MID_LEN + 1];
    uint32_t bitrate;      /* REMB cap asked by configure; 0 = the room's */
    GPtrArray *forwarders; /* struct vr_forwarder * (forwarder.h), owned; NULL: none */
    uint64_t media_up_us;  /* when its PeerConnection came up (0: not yet): "first to publish" */
    /* Talking detection (RFC 6464 levels averaged over audio_active_packets). */
    unsigned level_packets;
    unsigned level_sum;
    bool talking;
};

/* One m-line of a subscriber's PeerConnection: a publisher stream it receives. */
struct vr_sub_stream {
    struct vr_subscriber *subscriber;
    unsigned media_index; /* its m-line in the subscriber's PeerConnection */
    char mid[PRISM_SDP_MID_LEN + 1];
    enum prism_sdp_media_kind kind;
    uint64_t feed_id; /* the publisher; 0 once it left */
    char feed_mid[PRISM_SDP_MID_LEN + 1];
    struct vr_pub_stream *source; /* NULL once the publisher left or unpublished, or remote */
    /* A remote subscriber's stream (another worker than the room's) is fed by its worker's
     * group for the source instead of `source`; NULL on the room's worker. */
    struct vr_relay_group *group;
    struct prism_sdp_codec codec; /* offered to the subscriber: the source's, payload type aside */
    uint8_t rtx_pt;               /* video: the payload type offered for RTX */
    uint8_t source_pt;            /* the source's payload type, rewritten to codec.pt */
    /* Audio RED (RFC 2198): the source's RED payload type (0: it sends none), the one offered
     * to the subscriber for it (0: none), and whether the subscriber's answer kept it. A
     * subscriber without RED gets each RED packet's primary block as a plain packet. */
    uint8_t source_red_pt, red_pt;
    bool red_forwarded;
    struct prism_forward_ext_ids source_ext; /* the source's extension ids (copied at link) */
    bool send;                               /* configure "send" */
    bool active;                             /* false: slot freed (port 0 in the next offer) */
    struct prism_forward_stream forward;
    const void *forward_source;                  /* the source (or group) `forward` follows */
    struct prism_nack_resend_guard resend_guard; /* answers to its NACKs, throttled */
    /* A viewer (answers_offers): the codec its client's offer settled, kept across sources. */
    struct prism_sdp_codec answered_codec;
    /* Simulcast wishes (configure "substream", "temporal", "fallback"; -1 / 0: default), kept
     * across sources, and the layers last told to the subscriber in an event. */
    int8_t substream, temporal;
    uint32_t fallback_us;
    int8_t notified_substream, notified_temporal;
    /* Automatic layer choice (autolayer.c), for simulcast and SVC, from the rates of its
     * source (vr_sub_stream_rates): the layer last set. */
    int8_t auto_target; /* -1: none set (manual, or the source's default) */
    /* Keyframe repair after an automatic switch down (autolayer.c): since when a loss the
     * subscriber reports asks for a keyframe (0: not repairing), and the keyframes asked. */
    uint64_t repair_since_us;
    uint8_t repairs;
    bool automatic; /* asked for with "substream": -1 (or "spatial_layer": -1 for SVC); off
                       by default (Janus's behaviour) */
    /* VP9 SVC wishes (configure "spatial_layer", "temporal_layer"; -1: the highest), kept
     * across sources, and the layers last told to the subscriber in an event (svc.c). */
    int8_t spatial_layer, temporal_layer;
    int8_t notified_spatial, notified_temporal_layer;
};

/* A handle that joined a room as a subscriber. Owned by its session. */
struct vr_subscriber {
    struct vr_room *room; /* reference */
    struct prism_handle *handle;
    bool paused;
    bool autoupdate;
    bool use_msid;
    bool started; /* the answer came ("start") */
    bool remote;  /* its handle lives on another worker than the room's (relay_group.c) */
    uint64_t private_id;
    unsigned stream_count;
    /* stream_count of them, room for stream_capacity (vr_subscriber_reserve_streams); each
     * allocated as added (about 2.3 KB). */
    struct vr_sub_stream **streams;
    unsigned stream_capacity;
    bool has_data;
    unsigned data_media_index;
    unsigned mline_count; /* m-lines in the offer so far: streams plus the data one */
    bool update_pending;  /* an autoupdate job is posted */
    bool offer_queued;    /* streams changed while an offer was out: offer again on its answer */
    /* A viewer (WHEP): it sent the offer and got our answer; its m-lines never change, and
     * when its publisher leaves the next one to bring media up takes its place (viewer.c). */
    bool answers_offers;
    /* Automatic layer choice (autolayer.c): its state, last tick, the last REMB (fallback
     * when there is no transport-cc estimate). */
    struct prism_alloc alloc;
    uint64_t alloc_at_us;
    bool repairing; /* some stream's repair_since_us is set */
    uint64_t remb_bps;
    /* The estimate as of the last look (the peer's transport-cc feedback count, or a new REMB):
     * between two changes only the interval can make a choice due. */
    uint64_t feedbacks_seen;
    bool remb_changed;
};

/* Makes room for `count` stream pointers (the new ones NULL); false when out of memory or
 * beyond VR_MAX_SUB_STREAMS. */
bool vr_subscriber_reserve_streams(struct vr_subscriber *subscriber, unsigned count);

enum vr_role { VR_ROLE_NONE, VR_ROLE_PUBLISHER, VR_ROLE_SUBSCRIBER };

/* The plugin's state of one handle. */
struct vr_session {
    struct prism_handle *handle;
    enum vr_role role;
    struct vr_publisher *publisher;
    struct vr_subscriber *subscriber;
};

/* vr_param_codes (429 missing, 430 invalid) comes from room_internal.h. */
/* "audio", "video" or "data", as Janus names stream types. */
const char *vr_kind_name(enum prism_sdp_media_kind kind);

/* Events. */
json_t *vr_codec_json(const char *name); /* a codec name as Janus writes it: lowercase */
void vr_push(struct prism_handle *handle, const char *transaction, json_t *event, json_t *jsep);
json_t *vr_error(int code, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Sends `event` (reference stolen) to every publisher-role participant of the room but
 * `except` (may be NULL). */
void vr_notify_publishers(struct vr_room *room, json_t *event, struct vr_publisher *except);
/* participants.c: the room named by body.room (its secret checked when asked, as Janus
 * checks it for every forwarding request), living on this worker, or NULL with *error set. */
struct vr_room *vr_room_here(json_t *body, bool check_secret, json_t **error);
/* Tells the event webhook (handler_events.c); `display` may be NULL, `extra` (stolen, may be
 * NULL) adds fields. */
void vr_handler_event(struct prism_handle *handle, const char *name, uint64_t room_id,
                      uint64_t participant_id, const char *display, json_t *extra);

/* publisher.c */
json_t *vr_publisher_join(struct vr_session *session, const char *transaction, json_t *body,
                          json_t *jsep);
json_t *vr_publisher_publish(struct vr_session *session, const char *transaction, json_t *body,
                             json_t *jsep);
json_t *vr_publisher_configure(struct vr_session *session, const char *transaction, json_t *body,
                               json_t *jsep);
json_t *vr_publisher_unpublish(struct vr_session *session);
/* Leaves the room: "leaving" to the others (with `reason`, e.g. "kicked"), streams taken away
 * from subscribers. Frees the publisher. */
void vr_publisher_leave(struct vr_session *session, const char *reason);
json_t *vr_publisher_streams_json(const struct vr_publisher *publisher);
json_t *vr_publishers_list_json(struct vr_room *room, struct vr_publisher *except);
void vr_publisher_setup_media(struct vr_session *session);
void vr_publisher_hangup_media(struct vr_session *session);

/* subscriber.c */
json_t *vr_subscriber_join(struct vr_session *session, const char *transaction, json_t *body);
/* Frees a subscriber that has no media (a join that failed). */
void vr_subscriber_free(struct vr_session *session);
/* The error event of a join refused because the room has its most subscribers (432). */
json_t *vr_subscribers_full(struct vr_room *room);
/* The "streams" list of "attached" and "updated" events. */
json_t *vr_subscriber_streams_json(const struct vr_subscriber *subscriber);
json_t *vr_subscriber_request(struct vr_session *session, const char *request,
                              const char *transaction, json_t *body, json_t *jsep);
void vr_subscriber_leave(struct vr_session *session);
/* A subscriber stream starts receiving `source` of `feed` (added to its fan-out list), or
 * stops receiving its source. The forwarder is attached by the next offer. */
void vr_sub_stream_link(struct vr_sub_stream *stream, struct vr_publisher *feed,
                        struct vr_pub_stream *source);
void vr_sub_stream_unlink(struct vr_sub_stream *stream);
/* payload_types.c: the codec and payload types a subscriber stream offers for `source` (the
 * source's codec, with payload types no other m-line of the subscriber gives another meaning);
 * kept when an active stream switches to a source of the same codec. */
void vr_sub_stream_set_codec(struct vr_sub_stream *stream, const struct prism_sdp_codec *source);
/* The publisher's stream went away: unlink it, and renegotiate with autoupdate. */
void vr_subscriber_source_gone(struct vr_sub_stream *stream);
void vr_subscriber_setup_media(struct vr_session *session);

/* viewer.c: subscribers that send the offer (WHEP) and get the room's publisher, by "feed" or
 * else the first whose media came up, as one audio and one video m-line. */
json_t *vr_viewer_join(struct vr_session *session, const char *transaction, json_t *body,
                       json_t *jsep);
/* A viewer's new offer ("configure" with a jsep: an ICE restart): answered, streams kept. */
json_t *vr_viewer_reoffer(struct vr_subscriber *subscriber, const char *transaction);
/* A publisher's media came up: viewers whose source left receive it now, without
 * renegotiation (their forwarders carry sequence numbers and timestamps over). */
void vr_viewers_adopt(struct vr_room *room, struct vr_publisher *publisher);

/* Checks that the room exists on this worker and that the caller may enter it (pin, token);
 * returns NULL or an error event. */
json_t *vr_check_entry(struct vr_room *room, json_t *body, uint64_t room_id);
/* The same, from any worker when `any_worker` (a subscriber placed elsewhere). */
json_t *vr_check_entry_anywhere(struct vr_room *room, json_t *body, uint64_t room_id,
                                bool any_worker);

/* fanout.c: the forwarding state of subscriber streams. */
void vr_forward_attach(struct vr_sub_stream *stream, uint32_t ssrc);
void vr_forward_pause(struct vr_sub_stream *stream, bool paused);
void vr_forward_switch(struct vr_sub_stream *stream);
/* The subscriber answered (or renegotiated): its negotiated header extensions take effect. */
void vr_forward_refresh_extensions(struct vr_sub_stream *stream);

/* layer_request.c: calls configure for each stream a configure body names ("streams":
 * [{mid, ...}], or the body itself for every video stream), and pushes a layer event
 * ({"videoroom": "event", "room", "mid", field: value}) to a subscriber stream's handle. */
typedef void (*vr_stream_configure_fn)(struct vr_sub_stream *stream, json_t *entry);
void vr_configure_streams(struct vr_subscriber *subscriber, json_t *body,
                          vr_stream_configure_fn configure);
void vr_push_layer_event(struct vr_sub_stream *stream, const char *field, int value);
/* simulcast.c: a subscriber's configure of substream / temporal / fallback, per stream
 * ("streams": [{mid, substream, temporal, fallback}] or the same fields at the top, for every
 * stream without a mid). */
void vr_simulcast_configure(struct vr_subscriber *subscriber, json_t *body);
/* svc.c: a subscriber's configure of spatial_layer / temporal_layer, per stream ("streams":
 * [{mid, spatial_layer, temporal_layer}]) or the same fields at the top for every video
 * stream; a higher spatial layer asks the publisher for a keyframe. */
void vr_svc_configure(struct vr_subscriber *subscriber, json_t *body);
/* svc.c: the same for one stream from one entry (also a "subscribe" entry, as Janus 1.x takes
 * spatial_layer / temporal_layer there too). */
void vr_svc_configure_stream(struct vr_sub_stream *stream, json_t *entry);
/* svc.c: sets a stream's spatial and temporal layer wishes (0-2; negative keeps one), as
 * "spatial_layer" / "temporal_layer" do: a manual spatial layer ends the automatic choice, a
 * higher one asks the publisher for a keyframe. */
void vr_svc_select(struct vr_sub_stream *stream, int spatial, int temporal);
/* svc.c: whether "substream" / "temporal" of a configure mean the stream's SVC layers: a video
 * stream that is not simulcast, whose source sent layered packets or sends VP9 or AV1. */
bool vr_svc_takes_substream(const struct vr_sub_stream *stream);
/* svc.c: "substream" n (and "temporal") of an SVC stream: spatial layer n, at most the top
 * layer the source sends, as vr_svc_select. */
void vr_svc_select_substream(struct vr_sub_stream *stream, int substream, int temporal);
/* svc.c: a new subscriber stream asks for the highest layers. */
void vr_svc_stream_init(struct vr_sub_stream *stream);
/* svc.c: applies a stream's wishes to its forwarding state (after an init). */
void vr_svc_apply(struct vr_sub_stream *stream);
/* svc.c: after a packet was forwarded: "spatial_layer" / "temporal_layer" events when the
 * layers the subscriber gets changed. */
void vr_svc_notify(struct vr_sub_stream *stream);
/* svc.c: the "svc" object of a subscriber stream (NULL: no SVC seen). */
json_t *vr_svc_json(const struct vr_sub_stream *stream);
/* simulcast.c: a new subscriber stream asks for the defaults (the highest layers). */
void vr_simulcast_stream_init(struct vr_sub_stream *stream);
/* simulcast.c: applies a stream's wishes to its forwarding state (after an init). */
void vr_simulcast_apply(struct vr_sub_stream *stream);
/* simulcast.c: after a layered packet was forwarded: tells the subscriber when the layer it
 * gets changed ("substream" / "temporal" events, as Janus sends them). */
void vr_simulcast_notify(struct vr_sub_stream *stream);
/* simulcast.c: the "simulcast" object of a subscriber stream (NULL: not simulcast). */
json_t *vr_simulcast_json(const struct vr_sub_stream *stream);
/* simulcast.c: appends one PLI per known simulcast layer other than the m-line's primary SSRC
 * to the request in buf (len bytes of cap): the new length. */
size_t vr_simulcast_add_plis(const struct prism_peer_media_info *info, uint32_t sender_ssrc,
                             uint8_t *buf, size_t len, size_t cap);

/* autolayer.c: a publisher packet (`header`, `len` bytes, its dependency descriptor `dd` or
 * NULL; header may be NULL for audio and simulcast) of simulcast `layer` (-1: not simulcast)
 * arrived at now_us for the subscribers `rates` is read by: counted for its layer's bitrate
 * (without simulcast, for its SVC spatial layer's, read from the payload as `codec`, the codec
 * its payload type carries, or from dd). Once per packet and worker, never per subscriber. */
void vr_layer_rates_count(struct vr_layer_rates *rates, int layer, enum prism_sdp_codec_id codec,
                          const struct prism_rtp_header *header, const struct prism_dd_frame *dd,
                          size_t len, uint64_t now_us);
/* autolayer.c: the rates of the source a subscriber stream receives now (its publisher
 * stream's, or its relay group's on another worker); NULL without a source. The stream's
 * worker. */
const struct vr_layer_rates *vr_sub_stream_rates(const struct vr_sub_stream *stream);
/* autolayer.c: the bits per second `layer` of the stream's source arrives with (0: none). */
uint64_t vr_sub_stream_layer_bps(const struct vr_sub_stream *stream, int layer, uint64_t now_us);
/* autolayer.c: every 500 ms, on the first packet to the subscriber after, the layers of its
 * automatic streams are chosen anew from its bandwidth estimate (media/alloc) and the rates
 * of their sources. The subscriber's worker. */
void vr_autolayer_tick(struct vr_subscriber *subscriber, uint64_t now_us);
/* autolayer.c: keyframe repair after a switch down. The automatic choice moved `stream` down
 * because the estimate fell: the path was congested, and what is sent after the switch (the
 * new layer's keyframe, or the frames that decoding it needs) may be lost in the queue that
 * made it fall; the subscriber would ask for a keyframe only when its decoder gives up waiting
 * (seconds later). So when the subscriber reports a packet lost that was sent after the switch
 * (`lost_sent_us`, from its transport-cc feedback), a keyframe is due at once; then again for a
 * loss after that, up to VR_REPAIR_MAX_KEYFRAMES times while losses keep coming within
 * VR_REPAIR_WINDOW_US. Whether to ask now (the state moves on as if asked). */
#define VR_REPAIR_MAX_KEYFRAMES 3u
#define VR_REPAIR_WINDOW_US 5000000u
bool vr_autolayer_repair_due(struct vr_sub_stream *stream, uint64_t lost_sent_us, uint64_t now_us);
/* autolayer.c: the estimate the choice uses (transport-cc, else REMB; 0: none). */
uint64_t vr_autolayer_estimate(const struct vr_subscriber *subscriber);
/* autolayer.c: a REMB from the subscriber (the estimate's fallback without transport-cc). */
void vr_autolayer_set_remb(struct vr_subscriber *subscriber, uint64_t bps);
/* autolayer.c: whether the stream's source sends simulcast (its layers are substreams), and
 * whether it sends SVC instead (its layers are spatial layers, layered packets came). */
bool vr_autolayer_is_simulcast(const struct vr_sub_stream *stream);
bool vr_autolayer_is_svc(const struct vr_sub_stream *stream);
/* autolayer.c: what forwarding each spatial layer of an SVC stream costs (bits per second of
 * that layer and the ones below it, which it needs), 0 for a layer that does not arrive. */
void vr_autolayer_svc_bitrates(const struct vr_sub_stream *stream, uint64_t now_us,
                               uint64_t bitrates[PRISM_FORWARD_MAX_LAYERS]);

/* fanout.c: the media path. */
void vr_fanout_rtp(struct vr_session *session, struct prism_peer_rtp *packet);
void vr_fanout_feedback(struct vr_session *session, const struct prism_peer_feedback *feedback);
void vr_fanout_data(struct vr_session *session, const struct prism_peer_data *message);
void vr_request_keyframe(struct vr_pub_stream *stream, uint64_t now_us);
/* fanout.c: frees a publisher stream's retransmission history. */
void vr_pub_stream_drop_history(struct vr_pub_stream *stream);

/* forwarders.c: RTP forwarders (forwarder.h). The requests answer at once, as Janus's. */
json_t *vr_request_rtp_forward(json_t *body);
json_t *vr_request_stop_rtp_forward(json_t *body);
json_t *vr_request_listforwarders(json_t *body);
/* The media path: a publisher's packet (or data message) to its forwarders. */
void vr_forwarders_relay_rtp(struct vr_publisher *publisher, const struct prism_peer_rtp *packet);
void vr_forwarders_relay_data(struct vr_publisher *publisher,
                              const struct prism_peer_data *message);
/* Stops and frees every forwarder of the publisher (unpublish, hangup, leave). */
void vr_forwarders_stop_all(struct vr_publisher *publisher);
/* The source a subscriber stream receives now: its publisher stream, its relay group, or
 * NULL. */
static inline const void *vr_sub_stream_current(const struct vr_sub_stream *stream)
{
    return stream->source ? (const void *)stream->source : (const void *)stream->group;
}
/* fanout.c: the subscriber stream's copy of a publisher packet, written into `out` (cap bytes)
 * as the live path sends it (a RED packet whole with its blocks' payload types remapped, or
 * its primary block alone for a subscriber without RED): the engine's result, and *out_len
 * when PRISM_FORWARD_SEND. */
enum prism_forward_result vr_forward_write(struct vr_sub_stream *target, int layer,
                                           const struct prism_dd_frame *dd,
                                           const struct prism_rtp_header *header,
                                           const uint8_t *data, size_t len, uint8_t *out,
                                           size_t cap, size_t *out_len, uint64_t now);
/* fanout.c: the retransmission of the stream's output packet `seq`, from its source's history
 * (the publisher stream's, or the relay group's), written into `out` exactly as
 * vr_forward_write wrote it when it went out: its length, 0 when the source no longer holds it
 * or the stream did not send it as `seq` in its current segment. Changes nothing. */
size_t vr_forward_resend_packet(struct vr_sub_stream *target, uint16_t seq, uint64_t now,
                                uint8_t *out, size_t cap);
/* fanout.c: one packet to one subscriber stream (either worker); true when the stream needs a
 * keyframe first. */
bool vr_forward_to(struct vr_sub_stream *target, const void *source,
                   const struct prism_rtp_header *header, const uint8_t *data, size_t len,
                   int layer, const struct prism_dd_frame *dd, uint64_t now);

/* dependency.c: the packet's Dependency Descriptor (extension id `id`, 0: not negotiated) read
 * through the state of its simulcast layer (layer < 0: none), made on first use; NULL when
 * the packet has none or it does not parse (a template before any structure, bad bytes). */
const struct prism_dd_frame *vr_dd_read(struct vr_dd_states *states, uint8_t id,
                                        const struct prism_rtp_header *header, int layer,
                                        struct prism_dd_frame *out);
/* dependency.c: frees the states. */
void vr_dd_states_clear(struct vr_dd_states *states);
/* Asks the stream's source for a keyframe, wherever it is. */
void vr_sub_stream_request_keyframe(struct vr_sub_stream *stream, uint64_t now_us);

/* relay_group.c: subscribers placed on other workers than the room's. */
struct vr_relay_group;
int vr_relay_init(struct prism_worker_pool *pool);
void vr_relay_shutdown(void);
/* The worker a new subscriber of `room` goes to: NULL for the room's own. Any thread. */
struct prism_worker *vr_relay_place_subscriber(struct vr_room *room);
/* Subscriber's worker: feeds `stream` from this worker's group for the publisher stream
 * (feed, source mid), made and registered with the room worker when new. */
void vr_relay_link(struct vr_sub_stream *stream, uint64_t feed_id, const char *source_mid);
void vr_relay_unlink(struct vr_sub_stream *stream);
void vr_relay_request_keyframe(struct vr_relay_group *group);
/* The layer rates of the publisher stream as the group receives it. The group's worker. */
const struct vr_layer_rates *vr_relay_group_rates(const struct vr_relay_group *group);
/* Runs `callback(data)` on `back` after everything the room's worker has sent there so far
 * (a round trip through the room's worker and the relay). Any worker. */
void vr_relay_after_room(struct vr_room *room, struct prism_worker *back,
                         prism_worker_job_cb callback, void *data);
/* Subscriber's worker: the publisher's packet with sequence `seq` of simulcast `layer` (-1:
 * not simulcast), if the group still holds it (for NACKs). */
bool vr_relay_group_find(struct vr_relay_group *group, int layer, uint16_t seq, uint64_t now_us,
                         const uint8_t **data, size_t *len);
/* A publisher's clock (from its sender report of `source_ssrc`) for the SRs of a subscriber
 * stream that forwards it now; nothing otherwise. The stream's worker. */
void vr_sub_stream_set_sender_clock(struct vr_sub_stream *stream, uint32_t source_ssrc,
                                    uint64_t ntp, uint32_t rtp_timestamp, uint64_t at_us);
/* Room worker: the same for the stream's subscribers on other workers. */
void vr_relay_sender_clock(struct vr_pub_stream *stream, const struct prism_rtcp_sender_info *info,
                           uint64_t arrival_us);
/* Room worker: relays a data channel message of the publisher to its subscribers on other
 * workers (each once, through the first of its streams a group feeds). */
void vr_relay_fanout_data(struct vr_publisher *publisher, const struct prism_peer_data *message);
/* Room worker: relays the packet to every remote group of the stream. */
void vr_relay_fanout(struct vr_pub_stream *stream, const struct prism_peer_rtp *packet);
/* Room worker: the stream goes away; its remote groups are told (their subscribers lose it). */
void vr_relay_detach_all(struct vr_pub_stream *stream);

/* participants.c: room requests that touch participants. */
json_t *vr_request_listparticipants(json_t *body);
json_t *vr_request_kick(json_t *body);
json_t *vr_request_moderate(json_t *body);
json_t *vr_request_destroy(struct prism_handle *handle, json_t *body);
struct vr_publisher *vr_room_find_publisher(struct vr_room *room, uint64_t id);

#endif
