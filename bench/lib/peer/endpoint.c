/* A simulated participant's PeerConnection: negotiation, pacing of synthetic media, and the
 * measurements of what arrives. */
#include "bench/lib/peer/endpoint.h"

#include "bench/lib/stats/decrypt_sampler.h"
#include "bench/lib/stats/seq_stats.h"
#include "bench/lib/synth/audio.h"
#include "bench/lib/synth/stamp.h"
#include "bench/lib/synth/video.h"
#include "core/ids.h"
#include "media/srtp/srtp.h"

#include <errno.h>
#include <string.h>

#define MAX_PACKET 1500

/* What arrives on one m-line from one sender. An m-line the server reuses for another
 * publisher (a new SSRC, or the same SSRC with another publisher's stamps) starts a new
 * stream: the old one's figures are kept, and the jump between them is not loss. The stamps
 * are read from decrypted packets only, so a publisher change under the same SSRC is seen at
 * the next decrypted one (at most decrypt_every sequence numbers later). */
struct rx_stream {
    bool used, video;
    uint32_t ssrc;
    bool publisher_known;
    uint32_t publisher; /* from the stamps */
    struct bench_stamp_order stamps;
    struct bench_seq_stats seq;
    uint64_t pli_sent_us; /* a PLI waits for its keyframe; 0 = none */
    /* Simulcast: the width of the last keyframe, when a switch was asked (0 = none pending),
     * and whether a keyframe of the asked width came since (bench_endpoint_ask_layer). */
    uint16_t last_width;
    uint64_t switch_sent_us;
    bool layer_settled;
    uint64_t next_pli_us;
    struct bench_decrypt_sampler sampler; /* per m-line: outlives the streams on it */
};

struct bench_endpoint {
    struct prism_peer *peer;
    struct bench_endpoint_params params;
    struct bench_meter *meter;
    bool connected, got_media;
    /* Sending. */
    bool sends_audio, sends_video;
    unsigned audio_index, video_index;
    struct bench_audio audio;
    struct bench_video video[BENCH_SIMULCAST_LAYERS]; /* one, or a layer each (simulcast) */
    unsigned video_layers;
    /* Receiving, indexed by m-line. */
    GArray *streams;
    uint16_t asked_width; /* simulcast subscriber: keyframe width of the layer asked for */
    uint64_t asked_us;    /* and when */
};

/* The layers a simulcast publisher sends, lowest first: rid, keyframe size and share of
 * options->video_bitrate (as a browser's 1/4, 1/2, full-resolution encodings). */
static const struct {
    const char *rid;
    uint16_t width, height;
    unsigned bitrate_divisor;
} simulcast_layers[BENCH_SIMULCAST_LAYERS] = {
    {"l", 320, 180, 4},
    {"m", 640, 360, 2},
    {"h", 1280, 720, 1},
};
/* Offered highest first, as browsers list janus.js's encodings. */
static const char *const offer_rids[BENCH_SIMULCAST_LAYERS] = {"h", "m", "l"};

uint16_t bench_endpoint_layer_width(unsigned layer)
{
    return layer < BENCH_SIMULCAST_LAYERS ? simulcast_layers[layer].width : 0;
}

static void collect_stream(const struct rx_stream *stream, struct bench_meter *into);

/* Whether a stream must change layer to show keyframes `width` wide: by its last keyframe,
 * or for a stream not seen yet, by the server's default layer (the highest, as in Janus). */
static bool needs_switch(const struct rx_stream *stream, uint16_t width)
{
    if (!width)
        return false;
    if (stream->last_width)
        return stream->last_width != width;
    return width != bench_endpoint_layer_width(BENCH_SIMULCAST_LAYERS - 1);
}

/* The stream on m-line `index` for this SSRC and, when a decrypted packet tells it, this
 * publisher. */
static struct rx_stream *stream_at(struct bench_endpoint *endpoint, unsigned index, bool video,
                                   uint32_t ssrc, const uint32_t *publisher)
{
    for (unsigned i = endpoint->streams->len; i <= index; i++) {
        g_array_set_size(endpoint->streams, i + 1);
        bench_decrypt_sampler_init(&g_array_index(endpoint->streams, struct rx_stream, i).sampler,
                                   endpoint->params.options->decrypt_every);
    }
    struct rx_stream *stream = &g_array_index(endpoint->streams, struct rx_stream, index);
    if (stream->used && (stream->ssrc != ssrc || (publisher && stream->publisher_known &&
                                                  stream->publisher != *publisher))) {
        collect_stream(stream, endpoint->meter);
        stream->used = false;
        stream->pli_sent_us = 0;
        stream->switch_sent_us = 0;
        stream->last_width = 0;
        stream->layer_settled = false;
    }
    if (!stream->used) {
        stream->used = true;
        stream->ssrc = ssrc;
        stream->publisher_known = false;
        stream->stamps = (struct bench_stamp_order){0};
        stream->video = video;
        bench_seq_stats_init(&stream->seq, video ? 90000 : 48000);
        if (video && needs_switch(stream, endpoint->asked_width))
            stream->switch_sent_us = endpoint->asked_us;
    }
    if (publisher && !stream->publisher_known) {
        stream->publisher_known = true;
        stream->publisher = *publisher;
    }
    return stream;
}

static void measure_keyframe(struct bench_endpoint *endpoint, struct rx_stream *stream,
                             const struct prism_peer_rtp *packet)
{
    if (!stream->pli_sent_us ||
        !bench_video_is_keyframe(packet->header.payload, packet->header.payload_len))
        return;
    bench_histogram_record(&endpoint->meter->keyframe, packet->arrival_us - stream->pli_sent_us);
    endpoint->meter->keyframes_received++;
    stream->pli_sent_us = 0;
}

/* Simulcast subscriber: which layer a keyframe shows (by its width), and the switch it ends. */
static void measure_layer(struct bench_endpoint *endpoint, struct rx_stream *stream,
                          const struct prism_peer_rtp *packet)
{
    uint16_t width = bench_video_keyframe_width(packet->header.payload, packet->header.payload_len);
    if (!endpoint->asked_width || !width)
        return;
    stream->last_width = width;
    if (width == endpoint->asked_width) {
        endpoint->meter->layer_keyframes_asked++;
        if (stream->switch_sent_us && packet->arrival_us >= stream->switch_sent_us)
            bench_histogram_record(&endpoint->meter->layer_switch,
                                   packet->arrival_us - stream->switch_sent_us);
        stream->switch_sent_us = 0;
        stream->layer_settled = true;
    } else if (stream->layer_settled) {
        endpoint->meter->layer_keyframes_other++;
    }
}

void bench_endpoint_ask_layer(struct bench_endpoint *endpoint, uint16_t width, uint64_t now_us)
{
    endpoint->asked_width = width;
    endpoint->asked_us = now_us;
    for (unsigned i = 0; i < endpoint->streams->len; i++) {
        struct rx_stream *stream = &g_array_index(endpoint->streams, struct rx_stream, i);
        if (!stream->used || !stream->video || !needs_switch(stream, width))
            continue;
        stream->switch_sent_us = now_us;
        stream->layer_settled = false;
    }
}

static void first_media(struct bench_endpoint *endpoint, uint64_t now)
{
    endpoint->got_media = true;
    if (endpoint->params.measure_join) {
        bench_histogram_record(&endpoint->meter->join, now - endpoint->params.started_us);
        endpoint->meter->joined++;
    }
    if (endpoint->params.events->first_media_cb)
        endpoint->params.events->first_media_cb(endpoint->params.owner, endpoint);
}

static void rtp_cb(void *owner, struct prism_peer_rtp *packet)
{
    struct bench_endpoint *endpoint = owner;
    struct bench_meter *meter = endpoint->meter;
    struct bench_stamp stamp;
    bool stamped = !packet->payload_encrypted &&
                   bench_stamp_read(packet->header.payload, packet->header.payload_len,
                                    packet->video, &stamp) == 0;
    struct rx_stream *stream = stream_at(endpoint, packet->media_index, packet->video,
                                         packet->header.ssrc, stamped ? &stamp.publisher : NULL);
    meter->packets_received++;
    meter->bytes_received += packet->len;
    bench_seq_stats_update(&stream->seq, packet->header.seq, packet->header.timestamp,
                           packet->arrival_us, packet->len);
    if (stamped && packet->arrival_us >= stamp.send_us &&
        bench_stamp_order_fresh(&stream->stamps, stamp.send_us, packet->header.timestamp))
        bench_histogram_record(&meter->latency, packet->arrival_us - stamp.send_us);
    if (packet->video && !packet->payload_encrypted) {
        measure_keyframe(endpoint, stream, packet);
        measure_layer(endpoint, stream, packet);
    }
    if (!endpoint->got_media)
        first_media(endpoint, packet->arrival_us);
}

/* Called by the peer before it decrypts: the clear header decides (decrypt_sampler.h); while a
 * PLI waits for its keyframe, every packet that may start a frame is decrypted. */
static bool decrypt_filter_cb(void *owner, const struct prism_peer_rtp *packet)
{
    struct bench_endpoint *endpoint = owner;
    struct rx_stream *stream = stream_at(endpoint, packet->media_index, packet->video,
                                         packet->header.ssrc, NULL);
    return bench_decrypt_sampler_decide(
        &stream->sampler, packet->header.ssrc, packet->header.seq, packet->header.timestamp,
        packet->video &&
            (stream->pli_sent_us != 0 || (endpoint->asked_width && !stream->layer_settled)));
}

static uint8_t negotiated_extmap(const struct prism_peer_media_info *info, const char *uri)
{
    for (unsigned e = 0; e < info->extmap_count; e++)
        if (strcmp(info->extmaps[e].uri, uri) == 0)
            return (uint8_t)info->extmaps[e].id;
    return 0;
}

/* One VP8 stream on the m-line's SSRC, or with simulcast (the rid extension negotiated) a
 * layer each: the lowest on the m-line's SSRC, the others on SSRCs of their own. */
static void init_video_layers(struct bench_endpoint *endpoint,
                              const struct prism_peer_media_info *info, uint32_t ssrc)
{
    const struct bench_options *o = endpoint->params.options;
    uint8_t rid_id = o->simulcast ? negotiated_extmap(info, PRISM_SDP_EXT_RID) : 0;
    endpoint->video_layers = rid_id && rid_id <= 14 ? BENCH_SIMULCAST_LAYERS : 1;
    for (unsigned l = 0; l < endpoint->video_layers; l++) {
        struct bench_video_params video = {.ssrc = l == 0 ? ssrc : (uint32_t)prism_random_id(),
                                           .payload_type = info->codec.pt,
                                           .bitrate = o->video_bitrate,
                                           .fps = o->video_fps,
                                           .max_payload = o->video_mtu,
                                           .publisher = endpoint->params.tag};
        if (endpoint->video_layers > 1) {
            video.bitrate = o->video_bitrate / simulcast_layers[l].bitrate_divisor;
            video.width = simulcast_layers[l].width;
            video.height = simulcast_layers[l].height;
            video.temporal_layers = true;
            video.rid_ext_id = rid_id;
            g_strlcpy(video.rid, simulcast_layers[l].rid, sizeof(video.rid));
        }
        bench_video_init(&endpoint->video[l], &video);
    }
}

static void find_send_lines(struct bench_endpoint *endpoint)
{
    unsigned count = prism_peer_media_count(endpoint->peer);
    for (unsigned i = 0; i < count; i++) {
        struct prism_peer_media_info info;
        if (prism_peer_media_info(endpoint->peer, i, &info) < 0 || !info.active || !info.sends)
            continue;
        if (info.kind == PRISM_SDP_MEDIA_AUDIO && !endpoint->sends_audio) {
            uint8_t level_id = 0;
            for (unsigned e = 0; e < info.extmap_count; e++)
                if (strcmp(info.extmaps[e].uri, PRISM_SDP_EXT_AUDIO_LEVEL) == 0)
                    level_id = (uint8_t)info.extmaps[e].id;
            struct bench_audio_params audio = {
                .ssrc = prism_peer_local_ssrc(endpoint->peer, i),
                .payload_type = info.codec.pt,
                .audio_level_id = level_id,
                .payload_size = endpoint->params.options->audio_bytes,
                .publisher = endpoint->params.tag};
            bench_audio_init(&endpoint->audio, &audio);
            endpoint->sends_audio = true;
            endpoint->audio_index = i;
        } else if (info.kind == PRISM_SDP_MEDIA_VIDEO && !endpoint->sends_video) {
            init_video_layers(endpoint, &info, prism_peer_local_ssrc(endpoint->peer, i));
            endpoint->sends_video = true;
            endpoint->video_index = i;
        }
    }
}

static void connected_cb(void *owner)
{
    struct bench_endpoint *endpoint = owner;
    endpoint->connected = true;
    find_send_lines(endpoint);
    if (endpoint->params.events->connected_cb)
        endpoint->params.events->connected_cb(endpoint->params.owner, endpoint);
}

static void closed_cb(void *owner, const char *reason)
{
    struct bench_endpoint *endpoint = owner;
    endpoint->connected = false;
    if (endpoint->params.events->closed_cb)
        endpoint->params.events->closed_cb(endpoint->params.owner, endpoint, reason);
}

static void candidate_cb(void *owner, const char *candidate)
{
    struct bench_endpoint *endpoint = owner;
    if (endpoint->params.events->candidate_cb)
        endpoint->params.events->candidate_cb(endpoint->params.owner, endpoint, candidate);
}

static void gathering_done_cb(void *owner)
{
    candidate_cb(owner, NULL);
}

static void feedback_cb(void *owner, const struct prism_peer_feedback *feedback)
{
    struct bench_endpoint *endpoint = owner;
    /* The feedback does not say which layer's SSRC asked: every layer sends a keyframe. */
    if (feedback->kind == PRISM_PEER_FEEDBACK_KEYFRAME && endpoint->sends_video)
        for (unsigned l = 0; l < endpoint->video_layers; l++)
            bench_video_request_keyframe(&endpoint->video[l]);
}

static const struct prism_peer_callbacks peer_callbacks = {
    .local_candidate_cb = candidate_cb,
    .gathering_done_cb = gathering_done_cb,
    .connected_cb = connected_cb,
    .closed_cb = closed_cb,
    .rtp_cb = rtp_cb,
    .feedback_cb = feedback_cb,
};

/* The same, decrypting only a sample of what arrives (decrypt_every > 1). */
static const struct prism_peer_callbacks sampling_peer_callbacks = {
    .local_candidate_cb = candidate_cb,
    .gathering_done_cb = gathering_done_cb,
    .connected_cb = connected_cb,
    .closed_cb = closed_cb,
    .rtp_cb = rtp_cb,
    .decrypt_filter_cb = decrypt_filter_cb,
    .feedback_cb = feedback_cb,
};

int bench_endpoint_create(struct bench_endpoint **out, const struct bench_endpoint_params *params)
{
    struct bench_endpoint *endpoint = g_new0(struct bench_endpoint, 1);
    endpoint->params = *params;
    endpoint->meter = &params->worker->meter;
    endpoint->streams = g_array_new(FALSE, TRUE, sizeof(struct rx_stream));
    struct prism_peer_params peer = {.env = &params->env->peer_env,
                                     .context = params->worker->context,
                                     .loop = prism_worker_loop(params->worker->worker),
                                     .controlling = params->offers,
                                     .callbacks = params->options->decrypt_every > 1
                                                      ? &sampling_peer_callbacks
                                                      : &peer_callbacks,
                                     .owner = endpoint};
    int rc = prism_peer_create(&endpoint->peer, &peer);
    if (rc < 0) {
        g_array_free(endpoint->streams, TRUE);
        g_free(endpoint);
        return rc;
    }
    bench_worker_add_endpoint(params->worker, endpoint);
    *out = endpoint;
    return 0;
}

void bench_endpoint_destroy(struct bench_endpoint *endpoint)
{
    if (!endpoint)
        return;
    bench_endpoint_collect(endpoint, endpoint->meter);
    bench_worker_remove_endpoint(endpoint->params.worker, endpoint);
    prism_peer_destroy(endpoint->peer);
    g_array_free(endpoint->streams, TRUE);
    g_free(endpoint);
}

/* Opus, and VP8 with RTX and the feedback a browser offers. */
static const struct prism_sdp_codec offer_audio = {.pt = 111,
                                                   .name = "opus",
                                                   .clock_rate = 48000,
                                                   .channels = 2,
                                                   .fmtp = "minptime=10;useinbandfec=1"};
static const struct prism_sdp_codec offer_video[2] = {
    {.pt = 96,
     .name = "VP8",
     .clock_rate = 90000,
     .feedback = PRISM_SDP_FB_NACK | PRISM_SDP_FB_NACK_PLI | PRISM_SDP_FB_CCM_FIR |
                 PRISM_SDP_FB_GOOG_REMB},
    {.pt = 97, .name = "rtx", .clock_rate = 90000, .fmtp = "apt=96"},
};
static const struct prism_sdp_extmap offer_audio_ext = {.id = 1, .uri = PRISM_SDP_EXT_AUDIO_LEVEL};
/* Simulcast: the rid extensions a browser offers with a=simulcast. */
static const struct prism_sdp_extmap offer_simulcast_ext[2] = {
    {.id = 10, .uri = PRISM_SDP_EXT_RID},
    {.id = 11, .uri = PRISM_SDP_EXT_REPAIRED_RID},
};

int bench_endpoint_offer(struct bench_endpoint *endpoint, enum prism_sdp_direction direction,
                         bool data_channel, char **sdp_out)
{
    const struct bench_options *o = endpoint->params.options;
    struct prism_peer_offer_media media[3];
    size_t count = 0;
    if (o->audio)
        media[count++] = (struct prism_peer_offer_media){.kind = PRISM_SDP_MEDIA_AUDIO,
                                                         .mid = "0",
                                                         .direction = direction,
                                                         .codecs = &offer_audio,
                                                         .codec_count = 1,
                                                         .extmaps = &offer_audio_ext,
                                                         .extmap_count = 1};
    bool simulcast = o->simulcast && direction == PRISM_SDP_SENDONLY;
    if (o->video)
        media[count++] = (struct prism_peer_offer_media){
            .kind = PRISM_SDP_MEDIA_VIDEO,
            .mid = "1",
            .direction = direction,
            .codecs = offer_video,
            .codec_count = 2,
            .extmaps = simulcast ? offer_simulcast_ext : NULL,
            .extmap_count = simulcast ? G_N_ELEMENTS(offer_simulcast_ext) : 0,
            .send_rids = simulcast ? offer_rids : NULL,
            .send_rid_count = simulcast ? G_N_ELEMENTS(offer_rids) : 0};
    if (data_channel)
        media[count++] = (struct prism_peer_offer_media){
            .kind = PRISM_SDP_MEDIA_APPLICATION, .mid = "2", .direction = PRISM_SDP_SENDRECV};
    struct prism_sdp_error err = {0};
    return prism_peer_offer(endpoint->peer, media, count, sdp_out, &err);
}

int bench_endpoint_apply_answer(struct bench_endpoint *endpoint, const char *sdp)
{
    struct prism_sdp_error err = {0};
    return prism_peer_apply_answer(endpoint->peer, sdp, strlen(sdp), &err);
}

int bench_endpoint_answer(struct bench_endpoint *endpoint, const char *offer, char **sdp_out)
{
    struct prism_sdp_error err = {0};
    int rc = prism_peer_apply_offer(endpoint->peer, offer, strlen(offer), &err);
    if (rc < 0)
        return rc;
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    options.local_direction = PRISM_SDP_RECVONLY;
    options.accept_data_channels = true;
    return prism_peer_answer(endpoint->peer, &options, sdp_out, &err);
}

int bench_endpoint_add_candidate(struct bench_endpoint *endpoint, const char *candidate)
{
    return prism_peer_add_remote_candidate(endpoint->peer, candidate);
}

bool bench_endpoint_connected(const struct bench_endpoint *endpoint)
{
    return endpoint->connected;
}

static void send_packet(struct bench_endpoint *endpoint, unsigned index, uint8_t *buf, int len)
{
    if (prism_peer_send_rtp(endpoint->peer, index, buf, (size_t)len,
                            MAX_PACKET + PRISM_SRTP_MAX_RTP_OVERHEAD) < 0)
        return;
    endpoint->meter->packets_sent++;
    endpoint->meter->bytes_sent += (uint64_t)len;
}

static void send_due(struct bench_endpoint *endpoint, uint64_t now)
{
    uint8_t buf[MAX_PACKET + PRISM_SRTP_MAX_RTP_OVERHEAD];
    int len;
    if (endpoint->sends_audio)
        while ((len = bench_audio_next(&endpoint->audio, now, buf, MAX_PACKET)) > 0)
            send_packet(endpoint, endpoint->audio_index, buf, len);
    for (unsigned l = 0; endpoint->sends_video && l < endpoint->video_layers; l++)
        while ((len = bench_video_next(&endpoint->video[l], now, buf, MAX_PACKET)) > 0)
            send_packet(endpoint, endpoint->video_index, buf, len);
}

/* Each video stream we receive gets a PLI every pli_interval, phase drawn at random so that
 * many subscribers do not ask at once. */
static void send_plis(struct bench_endpoint *endpoint, uint64_t now)
{
    uint64_t interval = (uint64_t)(endpoint->params.options->pli_interval_s * 1e6);
    if (!interval)
        return;
    for (unsigned i = 0; i < endpoint->streams->len; i++) {
        struct rx_stream *stream = &g_array_index(endpoint->streams, struct rx_stream, i);
        if (!stream->used || !stream->video)
            continue;
        if (!stream->next_pli_us)
            stream->next_pli_us = now +
                                  (uint64_t)g_random_int_range(0, (gint32)(interval / 1000 + 1)) *
                                      1000;
        if (now < stream->next_pli_us)
            continue;
        stream->next_pli_us = now + interval;
        if (prism_peer_request_keyframe(endpoint->peer, i) == 0) {
            stream->pli_sent_us = now;
            endpoint->meter->plis_sent++;
        }
    }
}

void bench_endpoint_tick(struct bench_endpoint *endpoint, uint64_t now_us)
{
    if (!endpoint->connected)
        return;
    send_due(endpoint, now_us);
    if (endpoint->params.send_plis && endpoint->got_media)
        send_plis(endpoint, now_us);
}

void bench_endpoint_reset_interval(struct bench_endpoint *endpoint)
{
    for (unsigned i = 0; i < endpoint->streams->len; i++) {
        struct rx_stream *stream = &g_array_index(endpoint->streams, struct rx_stream, i);
        if (stream->used)
            bench_seq_stats_init(&stream->seq, stream->video ? 90000 : 48000);
        stream->pli_sent_us = 0;
    }
}

static void collect_stream(const struct rx_stream *stream, struct bench_meter *into)
{
    if (!stream->used || !stream->seq.started)
        return;
    into->expected += bench_seq_stats_expected(&stream->seq);
    into->lost += bench_seq_stats_lost(&stream->seq);
    into->reordered += stream->seq.reordered;
    into->duplicates += stream->seq.duplicates;
    into->jitter_ms_sum += bench_seq_stats_jitter_ms(&stream->seq);
    into->jitter_streams++;
}

void bench_endpoint_collect(const struct bench_endpoint *endpoint, struct bench_meter *into)
{
    for (unsigned i = 0; i < endpoint->streams->len; i++)
        collect_stream(&g_array_index(endpoint->streams, struct rx_stream, i), into);
}
