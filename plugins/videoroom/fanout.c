/* The VideoRoom media path: a publisher's packet, decrypted once, rewritten for each
 * subscriber stream by the forwarding engine and sent; keyframe requests and data go the
 * other way or alongside. Room worker only; no allocation, lock or log per packet. */
#include "plugins/videoroom/participant.h"

#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/session.h"
#include "media/peer/handle_media.h"
#include "media/rtcp/feedback.h"
#include "media/rtp/extension.h"
#include "media/rtp/red.h"
#include "media/srtp/srtp.h"
#include "plugins/videoroom/videoroom.h"

#include <errno.h>
#include <string.h>

#define KEYFRAME_RETRY_US 250000u
/* A NACK naming more packets is answered for its first ones; the receiver asks again. */
#define MAX_RESENDS_PER_NACK 32

/* The subscriber's copy of each packet is written here, then protected in place. */
static _Thread_local uint8_t scratch[1600];
/* A RED packet's primary block as a plain packet, for a subscriber without RED. */
static _Thread_local uint8_t unwrapped[1600];

static uint8_t source_payload_type(const struct vr_sub_stream *stream)
{
    return stream->source ? stream->source->codec.pt : stream->source_pt;
}

/* What the engine needs of a subscriber stream's current source: the publisher's payload
 * type and the subscriber's (payload_types.c), RED's when the subscriber's answer kept the RED
 * we offered (noted in the stream), and the header extensions both sides negotiated (none
 * until the subscriber answered our offer). */
static void describe_source(struct vr_sub_stream *stream, struct prism_forward_source *src)
{
    memset(src, 0, sizeof(*src));
    src->video = stream->kind == PRISM_SDP_MEDIA_VIDEO;
    src->clock_rate = stream->codec.clock_rate ? stream->codec.clock_rate : 90000;
    src->payload_types[0] = (struct prism_forward_payload_type){source_payload_type(stream),
                                                                stream->codec.pt, stream->codec.id};
    src->payload_type_count = 1;
    stream->red_forwarded = false;
    struct prism_peer *peer = stream->subscriber->handle
                                  ? prism_handle_peer(stream->subscriber->handle)
                                  : NULL;
    struct prism_peer_media_info info;
    if (!peer || prism_peer_media_info(peer, stream->media_index, &info) < 0 || !info.active)
        return;
    prism_forward_ext_configure(src, &stream->source_ext, info.mid, info.extmaps, info.extmap_count,
                                info.extmap_allow_mixed);
    if (stream->source_red_pt && stream->red_pt && info.red_payload_type == stream->red_pt) {
        src->payload_types[src->payload_type_count++] = (struct prism_forward_payload_type){
            stream->source_red_pt, stream->red_pt, PRISM_SDP_CODEC_RED};
        stream->red_forwarded = true;
    }
}

/* A RED packet (RFC 2198) of the source, checked: for a subscriber without RED its primary
 * block becomes a plain packet of the codec in `unwrapped` (*header and *data then describe
 * it), as Janus does; a subscriber with RED gets it whole. False: drop it (malformed, another
 * codec inside, or an empty primary). */
static bool prepare_red(const struct vr_sub_stream *target, const struct prism_rtp_header **header,
                        const uint8_t **data, size_t *len, struct prism_rtp_header *plain)
{
    const struct prism_rtp_header *h = *header;
    uint8_t pt;
    size_t offset, length;
    if (prism_rtp_red_primary(h->payload, h->payload_len, &pt, &offset, &length) < 0 ||
        pt != source_payload_type(target) || length == 0)
        return false;
    if (target->red_forwarded)
        return true;
    memcpy(unwrapped, *data, h->header_len);
    memcpy(unwrapped + h->header_len, h->payload + offset, length);
    unwrapped[0] &= (uint8_t)~0x20; /* the padding stays behind */
    prism_rtp_set_payload_type(unwrapped, pt);
    if (prism_rtp_parse(unwrapped, h->header_len + length, plain) < 0)
        return false;
    *header = plain;
    *data = unwrapped;
    *len = h->header_len + length;
    return true;
}

/* The packet as a subscriber stream takes it into the engine: a RED packet of the source is
 * checked, and unwrapped for a subscriber without RED (prepare_red). False: drop it.
 * *remap_red: the engine's copy is RED whose blocks need the subscriber's payload type too
 * (remap_red_blocks). */
static bool prepare_packet(const struct vr_sub_stream *target,
                           const struct prism_rtp_header **header, const uint8_t **data,
                           size_t *len, struct prism_rtp_header *plain, bool *remap_red)
{
    *remap_red = false;
    if (!target->source_red_pt || (*header)->payload_type != target->source_red_pt)
        return true;
    if (!prepare_red(target, header, data, len, plain))
        return false;
    *remap_red = target->red_forwarded;
    return true;
}

/* The RED blocks' payload types in the subscriber's copy (`out`, out_len bytes) of the RED
 * packet `header` (len bytes, padding included): checked by prepare_red, so the remap cannot
 * fail. */
static void remap_red_blocks(const struct vr_sub_stream *target, uint8_t *out, size_t out_len,
                             const struct prism_rtp_header *header, size_t len)
{
    (void)prism_rtp_red_remap(out + out_len - (len - header->header_len), header->payload_len,
                              source_payload_type(target), target->codec.pt);
}

enum prism_forward_result vr_forward_write(struct vr_sub_stream *target, int layer,
                                           const struct prism_dd_frame *dd,
                                           const struct prism_rtp_header *header,
                                           const uint8_t *data, size_t len, uint8_t *out,
                                           size_t cap, size_t *out_len, uint64_t now)
{
    struct prism_rtp_header plain;
    bool remap_red;
    if (!prepare_packet(target, &header, &data, &len, &plain, &remap_red))
        return PRISM_FORWARD_DROP;
    enum prism_forward_result result = prism_forward_packet_dd(&target->forward, layer, dd, header,
                                                               data, len, out, cap, out_len, now);
    if (result == PRISM_FORWARD_SEND && remap_red)
        remap_red_blocks(target, out, *out_len, header, len);
    return result;
}

void vr_forward_attach(struct vr_sub_stream *stream, uint32_t ssrc)
{
    /* An inactive m-line sends nothing (no SSRC): its forwarder waits as it is, so that a
     * later stream on the same m-line continues its sequence numbers and timestamps. */
    if (!ssrc)
        return;
    /* Video NACKs are answered from the publisher stream's shared history (below); audio has
     * none. Either way the subscriber's PeerConnection keeps no history of its own. */
    if (stream->subscriber->handle)
        prism_peer_set_nack_owner(prism_handle_peer(stream->subscriber->handle),
                                  stream->media_index, true);
    struct prism_forward_source src;
    describe_source(stream, &src);
    if (stream->forward.ssrc != ssrc) {
        struct prism_forward_config config = {
            .ssrc = ssrc,
            .initial_seq = (uint16_t)prism_random_id(),
            .initial_timestamp = (uint32_t)prism_random_id(),
            /* Ask again no later than the throttle allows, so a late subscriber's first
             * keyframe is never a whole second away. */
            .keyframe_retry_us = KEYFRAME_RETRY_US,
        };
        prism_forward_init(&stream->forward, &config);
        vr_simulcast_apply(stream);
        vr_svc_apply(stream);
        stream->auto_target = -1; /* the engine's default again: the next choice sets it */
        stream->forward_source = NULL;
    }
    const void *current = vr_sub_stream_current(stream);
    if (current && stream->forward_source != current) {
        prism_forward_switch(&stream->forward, &src);
        stream->forward_source = current;
    }
}

void vr_forward_refresh_extensions(struct vr_sub_stream *stream)
{
    struct prism_forward_source src;
    describe_source(stream, &src);
    (void)prism_forward_update_source(&stream->forward, &src); /* -EINVAL: no source yet */
}

void vr_forward_pause(struct vr_sub_stream *stream, bool paused)
{
    prism_forward_pause(&stream->forward, paused);
}

void vr_forward_switch(struct vr_sub_stream *stream)
{
    struct prism_forward_source src;
    describe_source(stream, &src);
    prism_forward_switch(&stream->forward, &src);
    stream->forward_source = vr_sub_stream_current(stream);
}

/* Sends the throttled keyframe request of a publisher stream when one is due. Cheap when
 * nothing is: called for every packet of the stream, which doubles as its timer. */
static void flush_keyframe_request(struct vr_pub_stream *stream, uint64_t now_us)
{
    if (prism_keyframe_next_deadline(&stream->keyframe) > now_us)
        return;
    struct prism_peer *peer = prism_handle_peer(stream->publisher->handle);
    struct prism_peer_media_info info;
    if (!peer || prism_peer_media_info(peer, stream->media_index, &info) < 0)
        return;
    /* Simulcast: the lowest layer's SSRC may not be known yet when the others are. */
    for (unsigned i = 0; !info.remote_ssrc && i < info.simulcast_layers; i++)
        info.remote_ssrc = info.layer_ssrcs[i];
    if (!info.remote_ssrc)
        return;
    stream->keyframe.media_ssrc = info.remote_ssrc; /* learned from packets when not in SDP */
    uint8_t rtcp[128];
    int len = prism_keyframe_poll(&stream->keyframe, now_us, rtcp, sizeof(rtcp));
    if (len > 0)
        len = (int)vr_simulcast_add_plis(&info, stream->keyframe.sender_ssrc, rtcp, (size_t)len,
                                         sizeof(rtcp));
    if (len > 0 && prism_peer_send_rtcp(peer, rtcp, (size_t)len) >= 0) {
        prism_metrics_add(PRISM_COUNTER_KEYFRAME_REQUESTS, 1);
        prism_debug("videoroom", "keyframe request to publisher stream %p", (void *)stream);
    }
}

void vr_request_keyframe(struct vr_pub_stream *stream, uint64_t now_us)
{
    prism_keyframe_request(&stream->keyframe);
    flush_keyframe_request(stream, now_us ? now_us : prism_now_us());
}

/* RFC 6464 levels (0 loudest, 127 silence) averaged over audio_active_packets packets. */
static void track_talking(struct vr_publisher *publisher, struct vr_pub_stream *stream,
                          const struct prism_rtp_header *header)
{
    struct vr_room *room = publisher->room;
    struct prism_rtp_ext ext;
    bool voice;
    uint8_t level;
    if (!room->audiolevel_event || !stream->audio_level_id ||
        prism_rtp_ext_find(header, stream->audio_level_id, &ext) != 0 ||
        prism_rtp_audio_level_read(&ext, &voice, &level) != 0)
        return;
    publisher->level_sum += level;
    if (++publisher->level_packets < room->audio_active_packets)
        return;
    unsigned average = publisher->level_sum / publisher->level_packets;
    publisher->level_sum = publisher->level_packets = 0;
    bool talking = average < room->audio_level_average;
    if (talking == publisher->talking)
        return;
    publisher->talking = talking;
    vr_notify_publishers(room,
                         json_pack("{s:s, s:I, s:I, s:s, s:i}", "videoroom",
                                   talking ? "talking" : "stopped-talking", "room",
                                   (json_int_t)room->id, "id", (json_int_t)publisher->id, "mid",
                                   stream->mid, "audio-level-dBov-avg", (int)average),
                         NULL);
}

static struct vr_pub_stream *stream_at(struct vr_publisher *publisher, unsigned media_index)
{
    for (unsigned i = 0; i < publisher->stream_count; i++) {
        if (publisher->streams[i].media_index == media_index)
            return &publisher->streams[i];
    }
    return NULL;
}

bool vr_forward_to(struct vr_sub_stream *target, const void *source,
                   const struct prism_rtp_header *header, const uint8_t *data, size_t len,
                   int layer, const struct prism_dd_frame *dd, uint64_t now)
{
    struct vr_subscriber *subscriber = target->subscriber;
    /* Not yet offered with this source (a change waiting for the subscriber's answer). */
    if (!subscriber->started || target->forward_source != source)
        return false;
    struct prism_peer *peer = prism_handle_peer(subscriber->handle);
    /* Until the answer re-activates a reused m-line, the subscriber would drop what we send
     * there, keyframe included: keep the stream gated until then. */
    if (!peer || !prism_peer_is_connected(peer) ||
        !prism_peer_media_sends(peer, target->media_index))
        return false;
    vr_autolayer_tick(subscriber, now);
    size_t out_len = 0;
    enum prism_forward_result result = vr_forward_write(
        target, layer, dd, header, data, len, scratch,
        sizeof(scratch) - PRISM_SRTP_MAX_RTP_OVERHEAD, &out_len, now);
    if (result != PRISM_FORWARD_SEND)
        return result == PRISM_FORWARD_DROP_NEED_KEYFRAME;
    /* The wake-up's time: the copies go out at the end of this turn, within its batch. */
    prism_forward_stamp(&target->forward, scratch, out_len, now);
    if (prism_peer_send_rtp(peer, target->media_index, scratch, out_len, sizeof(scratch)) >= 0)
        prism_metrics_add(PRISM_COUNTER_FORWARDED, 1);
    if (layer >= 0)
        vr_simulcast_notify(target);
    vr_svc_notify(target);
    return false;
}

void vr_sub_stream_request_keyframe(struct vr_sub_stream *stream, uint64_t now_us)
{
    if (stream->source)
        vr_request_keyframe(stream->source, now_us);
    else if (stream->group)
        vr_relay_request_keyframe(stream->group);
}

void vr_pub_stream_drop_history(struct vr_pub_stream *stream)
{
    for (unsigned i = 0; i < PRISM_FORWARD_MAX_LAYERS; i++) {
        prism_nack_history_destroy(stream->history[i]);
        stream->history[i] = NULL;
    }
    vr_dd_states_clear(&stream->dd);
}

/* Keeps the publisher's packet as received, for every subscriber's NACKs, in its layer's
 * history. A history follows its SSRC: a new one (renegotiation, restart) starts anew. */
static void remember(struct vr_pub_stream *stream, const struct prism_peer_rtp *packet,
                     uint64_t now)
{
    if (packet->layer >= PRISM_FORWARD_MAX_LAYERS)
        return;
    struct prism_nack_history **history = &stream->history[packet->layer > 0 ? packet->layer : 0];
    if (*history && prism_nack_history_store(*history, packet->data, packet->len, now) != -EBADMSG)
        return;
    prism_nack_history_destroy(*history);
    *history = NULL;
    struct prism_nack_history_config config = {
        .ssrc = packet->header.ssrc,
        .slot_size = sizeof(scratch) - PRISM_SRTP_MAX_RTP_OVERHEAD,
    };
    if (prism_nack_history_create(&config, history) == 0)
        prism_nack_history_store(*history, packet->data, packet->len, now);
}

void vr_fanout_rtp(struct vr_session *session, struct prism_peer_rtp *packet)
{
    if (session->role != VR_ROLE_PUBLISHER)
        return;
    struct vr_publisher *publisher = session->publisher;
    struct vr_pub_stream *stream = stream_at(publisher, packet->media_index);
    if (!stream || stream->disabled)
        return;
    if (stream->kind == PRISM_SDP_MEDIA_AUDIO)
        track_talking(publisher, stream, &packet->header);
    uint64_t now = packet->arrival_us;
    if (stream->kind == PRISM_SDP_MEDIA_VIDEO) {
        flush_keyframe_request(stream, now);
        remember(stream, packet, now);
    }
    /* Other workers first: their copies are published at the end of this turn. */
    if (stream->remote_groups && stream->remote_groups->len)
        vr_relay_fanout(stream, packet);
    GPtrArray *targets = stream->subscribers;
    bool need_keyframe = false;
    struct prism_dd_frame frame;
    const struct prism_dd_frame *dd = NULL;
    if (targets->len)
        dd = vr_dd_read(&stream->dd,
                        prism_forward_ext_id(&stream->ext_ids, PRISM_SDP_EXT_DEPENDENCY_DESCRIPTOR),
                        &packet->header, packet->layer, &frame);
    /* Once for every subscriber here; a remote group counts its own copy. */
    if (targets->len)
        vr_layer_rates_count(&stream->rates, packet->layer,
                             packet->header.payload_type == stream->codec.pt
                                 ? stream->codec.id
                                 : PRISM_SDP_CODEC_UNKNOWN,
                             &packet->header, dd, packet->len, now);
    for (guint i = 0; i < targets->len; i++)
        need_keyframe |= vr_forward_to(targets->pdata[i], stream, &packet->header, packet->data,
                                       packet->len, packet->layer, dd, now);
    if (need_keyframe)
        vr_request_keyframe(stream, now);
    if (publisher->forwarders)
        vr_forwarders_relay_rtp(publisher, packet);
}

/* The publisher's packet `source_seq` as the subscriber stream's source holds it: the
 * publisher stream's history on the room worker, the group's on another worker. */
static bool find_stored(struct vr_sub_stream *target, uint16_t source_seq, uint64_t now,
                        const uint8_t **data, size_t *len)
{
    /* Simulcast: the layer the stream forwards now, whose history holds its packets. */
    struct prism_forward_layers layers;
    prism_forward_simulcast_state(&target->forward, &layers);
    int layer = layers.active && layers.substream > 0 ? layers.substream : 0;
    if (target->group)
        return vr_relay_group_find(target->group, layer, source_seq, now, data, len);
    struct prism_nack_history *history = target->source->history[layer];
    struct prism_nack_stored stored;
    if (!history || prism_nack_history_find(history, source_seq, now, &stored) < 0)
        return false;
    *data = stored.data;
    *len = stored.len;
    return true;
}

size_t vr_forward_resend_packet(struct vr_sub_stream *target, uint16_t seq, uint64_t now,
                                uint8_t *out, size_t cap)
{
    uint16_t source_seq;
    const uint8_t *data;
    size_t len, out_len = 0;
    struct prism_rtp_header stored, plain;
    const struct prism_rtp_header *header = &stored;
    bool remap_red;
    if (prism_forward_source_seq(&target->forward, seq, &source_seq) < 0 ||
        !find_stored(target, source_seq, now, &data, &len) ||
        prism_rtp_parse(data, len, &stored) < 0 ||
        !prepare_packet(target, &header, &data, &len, &plain, &remap_red) ||
        prism_forward_resend(&target->forward, seq, header, data, len, out, cap, &out_len) !=
            PRISM_FORWARD_SEND)
        return 0;
    if (remap_red)
        remap_red_blocks(target, out, out_len, header, len);
    return out_len;
}

/* Resends one packet a subscriber stream lost, unless it was resent just now. */
static void resend_one(struct vr_sub_stream *target, struct prism_peer *peer, uint16_t seq,
                       uint64_t now, uint64_t interval)
{
    size_t len = vr_forward_resend_packet(target, seq, now, scratch,
                                          sizeof(scratch) - PRISM_SRTP_MAX_RTP_OVERHEAD);
    if (!len || !prism_nack_resend_guard_allow(&target->resend_guard, seq, now, interval))
        return;
    prism_forward_stamp(&target->forward, scratch, len, now);
    prism_peer_resend_rtp(peer, target->media_index, scratch, len, sizeof(scratch));
}

static void answer_nack(struct vr_subscriber *subscriber,
                        const struct prism_peer_feedback *feedback)
{
    struct prism_peer *peer = prism_handle_peer(subscriber->handle);
    struct vr_sub_stream *target = NULL;
    for (unsigned i = 0; i < subscriber->stream_count && !target; i++) {
        if (subscriber->streams[i]->media_index == feedback->media_index)
            target = subscriber->streams[i];
    }
    if (!peer || !target || !vr_sub_stream_current(target) ||
        target->forward_source != vr_sub_stream_current(target))
        return;
    uint16_t seqs[MAX_RESENDS_PER_NACK];
    size_t count = prism_rtcp_nack_lost(feedback->nack, seqs, MAX_RESENDS_PER_NACK);
    uint64_t now = prism_now_us();
    uint64_t interval = prism_peer_resend_interval_us(peer);
    for (size_t i = 0; i < count; i++)
        resend_one(target, peer, seqs[i], now, interval);
}

void vr_sub_stream_set_sender_clock(struct vr_sub_stream *stream, uint32_t source_ssrc,
                                    uint64_t ntp, uint32_t rtp_timestamp, uint64_t at_us)
{
    struct vr_subscriber *subscriber = stream->subscriber;
    struct prism_peer *peer = subscriber->handle ? prism_handle_peer(subscriber->handle) : NULL;
    if (!peer)
        return; /* the subscriber hung up or left; its stream is not detached yet */
    struct prism_peer_sender_clock clock = {.ntp = ntp, .at_us = at_us};
    if (prism_forward_map_timestamp(&stream->forward, source_ssrc, rtp_timestamp,
                                    &clock.rtp_timestamp) < 0)
        return; /* not forwarding that source now: the next report will do */
    prism_peer_set_sender_clock(peer, stream->media_index, &clock);
}

/* A publisher's sender report: its clock goes to every subscriber of the stream, translated
 * into each one's timestamps, for the SRs they get (lip sync). */
static void pass_sender_clock(struct vr_publisher *publisher,
                              const struct prism_peer_feedback *feedback)
{
    const struct prism_rtcp_sender_info *info = feedback->sender;
    for (unsigned i = 0; i < publisher->stream_count; i++) {
        struct vr_pub_stream *stream = &publisher->streams[i];
        if (stream->media_index != feedback->media_index)
            continue;
        for (guint s = 0; stream->subscribers && s < stream->subscribers->len; s++)
            vr_sub_stream_set_sender_clock(stream->subscribers->pdata[s], info->ssrc, info->ntp,
                                           info->rtp_timestamp, feedback->arrival_us);
        if (stream->remote_groups)
            vr_relay_sender_clock(stream, info, feedback->arrival_us);
    }
}

void vr_fanout_feedback(struct vr_session *session, const struct prism_peer_feedback *feedback)
{
    if (session->role == VR_ROLE_PUBLISHER && feedback->kind == PRISM_PEER_FEEDBACK_SENDER_REPORT) {
        pass_sender_clock(session->publisher, feedback);
        return;
    }
    if (session->role != VR_ROLE_SUBSCRIBER)
        return;
    if (feedback->kind == PRISM_PEER_FEEDBACK_NACK) {
        answer_nack(session->subscriber, feedback);
        return;
    }
    if (feedback->kind == PRISM_PEER_FEEDBACK_REMB) {
        vr_autolayer_set_remb(session->subscriber, feedback->bitrate);
        return;
    }
    if (feedback->kind != PRISM_PEER_FEEDBACK_KEYFRAME)
        return;
    struct vr_subscriber *subscriber = session->subscriber;
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        struct vr_sub_stream *stream = subscriber->streams[i];
        if (stream->media_index == feedback->media_index)
            vr_sub_stream_request_keyframe(stream, 0);
    }
}

/* A publisher's data goes to every subscriber receiving any of its streams with data. */
void vr_fanout_data(struct vr_session *session, const struct prism_peer_data *message)
{
    if (session->role != VR_ROLE_PUBLISHER)
        return;
    struct vr_publisher *publisher = session->publisher;
    if (publisher->forwarders)
        vr_forwarders_relay_data(publisher, message);
    vr_relay_fanout_data(publisher, message);
    GPtrArray *subscribers = publisher->room->subscribers;
    for (guint i = 0; i < subscribers->len; i++) {
        struct vr_subscriber *subscriber = subscribers->pdata[i];
        bool receives = false;
        for (unsigned s = 0; s < subscriber->stream_count && !receives; s++)
            receives = subscriber->streams[s]->feed_id == publisher->id;
        if (receives && subscriber->has_data)
            prism_peer_send_data(prism_handle_peer(subscriber->handle), NULL, message->binary,
                                 message->data, message->len);
    }
}
