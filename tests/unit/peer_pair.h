/* Two Prism PeerConnections in one process on 127.0.0.1: A offers, B answers, candidates
 * travel in the SDP, and a GMainContext driven by the test runs both. Header-only, for the
 * peer tests. */
#ifndef PRISM_TESTS_PEER_PAIR_H
#define PRISM_TESTS_PEER_PAIR_H

#include "media/dtls/cert.h"
#include "media/peer/peer.h"
#include "media/bytes.h"
#include "media/rtcp/feedback.h"
#include "media/rtp/header.h"

#include <glib.h>
#include <string.h>

struct side {
    struct prism_peer *peer;
    bool connected;
    bool closed;
    char close_reason[128];
    bool echo; /* send every packet back, as the echotest does */
    unsigned rtp_received[2];
    unsigned keyframe_requests;
    unsigned data_received;
    bool last_data_binary;
    size_t last_data_len;
    uint8_t last_data_first, last_data_last;
    uint64_t remb_bitrate;
    uint32_t last_ssrc;
    uint8_t last_payload[64];
    size_t last_payload_len;
    /* The side answers NACKs itself (prism_peer_set_nack_owner): what it echoed, by seq. */
    bool answer_nacks;
    unsigned nacks_seen;
    /* The remote's sender reports. */
    unsigned sender_reports;
    struct prism_rtcp_sender_info last_sender_report;
    uint64_t last_sender_report_us;
    uint8_t sent[128][256];
    size_t sent_len[128];
};

struct pair {
    GMainContext *context;
    struct prism_ice_settings ice;
    struct prism_dtls_cert *cert;
    struct prism_dtls_context *dtls;
    struct prism_peer_env env;   /* A's */
    struct prism_peer_env env_b; /* B's: a copy, so a test can set loss on one side */
    struct side a, b;
};

static void side_connected_cb(void *owner)
{
    ((struct side *)owner)->connected = true;
}

static void side_closed_cb(void *owner, const char *reason)
{
    struct side *side = owner;
    side->closed = true;
    g_strlcpy(side->close_reason, reason, sizeof(side->close_reason));
}

static void side_rtp_cb(void *owner, struct prism_peer_rtp *packet)
{
    struct side *side = owner;
    side->rtp_received[packet->video ? 1 : 0]++;
    side->last_ssrc = packet->header.ssrc;
    side->last_payload_len = MIN(packet->header.payload_len, sizeof(side->last_payload));
    memcpy(side->last_payload, packet->header.payload, side->last_payload_len);
    if (side->echo) {
        prism_rtp_set_ssrc(packet->data, prism_peer_local_ssrc(side->peer, packet->media_index));
        if (side->answer_nacks && packet->len <= sizeof(side->sent[0])) {
            unsigned slot = packet->header.seq % 128;
            memcpy(side->sent[slot], packet->data, packet->len);
            side->sent_len[slot] = packet->len;
        }
        prism_peer_send_rtp(side->peer, packet->media_index, packet->data, packet->len,
                            packet->cap);
    }
}

static void side_feedback_cb(void *owner, const struct prism_peer_feedback *feedback)
{
    struct side *side = owner;
    if (feedback->kind == PRISM_PEER_FEEDBACK_KEYFRAME) {
        side->keyframe_requests++;
    } else if (feedback->kind == PRISM_PEER_FEEDBACK_NACK) {
        side->nacks_seen++;
        uint16_t seqs[64];
        size_t count = prism_rtcp_nack_lost(feedback->nack, seqs, 64);
        for (size_t i = 0; i < count; i++) {
            unsigned slot = seqs[i] % 128;
            uint8_t buf[1600];
            if (!side->sent_len[slot] || prism_read_be16(side->sent[slot] + 2) != seqs[i])
                continue;
            memcpy(buf, side->sent[slot], side->sent_len[slot]);
            prism_peer_resend_rtp(side->peer, feedback->media_index, buf, side->sent_len[slot],
                                  sizeof(buf));
        }
    } else if (feedback->kind == PRISM_PEER_FEEDBACK_SENDER_REPORT) {
        side->sender_reports++;
        side->last_sender_report = *feedback->sender;
        side->last_sender_report_us = feedback->arrival_us;
    } else if (feedback->kind == PRISM_PEER_FEEDBACK_REMB) {
        side->remb_bitrate = feedback->bitrate;
    }
}

static void side_data_cb(void *owner, const struct prism_peer_data *message)
{
    struct side *side = owner;
    side->data_received++;
    side->last_data_binary = message->binary;
    side->last_data_len = message->len;
    side->last_data_first = message->len ? message->data[0] : 0;
    side->last_data_last = message->len ? message->data[message->len - 1] : 0;
    if (side->echo)
        prism_peer_send_data(side->peer, message->label, message->binary, message->data,
                             message->len);
}

static const struct prism_peer_callbacks side_callbacks = {
    .data_cb = side_data_cb,
    .connected_cb = side_connected_cb,
    .closed_cb = side_closed_cb,
    .rtp_cb = side_rtp_cb,
    .feedback_cb = side_feedback_cb,
};

static inline void pair_setup(struct pair *pair)
{
    memset(pair, 0, sizeof(*pair));
    pair->context = g_main_context_new();
    g_main_context_push_thread_default(pair->context);
    struct prism_ice_settings_text text = {.interfaces = "127.0.0.1", .port_range = "20000-60000"};
    char error[256];
    g_assert_cmpint(prism_ice_settings_parse(&pair->ice, &text, error, sizeof(error)), ==, 0);
    g_assert_cmpint(prism_dtls_cert_generate(&pair->cert, "test"), ==, 0);
    g_assert_cmpint(prism_dtls_context_new(&pair->dtls, pair->cert, NULL), ==, 0);
    g_assert_cmpint(prism_peer_env_init(&pair->env, &pair->ice, pair->dtls, pair->cert), ==, 0);
    pair->env_b = pair->env;
    struct prism_peer_params params = {
        .env = &pair->env, .context = pair->context, .callbacks = &side_callbacks};
    params.controlling = true;
    params.owner = &pair->a;
    g_assert_cmpint(prism_peer_create(&pair->a.peer, &params), ==, 0);
    params.controlling = false;
    params.env = &pair->env_b;
    params.owner = &pair->b;
    g_assert_cmpint(prism_peer_create(&pair->b.peer, &params), ==, 0);
}

static inline void pair_teardown(struct pair *pair)
{
    prism_peer_destroy(pair->a.peer);
    prism_peer_destroy(pair->b.peer);
    /* Let sources released by the agents go before the context does. */
    while (g_main_context_iteration(pair->context, FALSE))
        ;
    prism_dtls_context_unref(pair->dtls);
    prism_dtls_cert_unref(pair->cert);
    g_main_context_pop_thread_default(pair->context);
    g_main_context_unref(pair->context);
}

/* Runs the loop until *flag is true or `seconds` pass; returns *flag. */
static inline bool pair_run_until(struct pair *pair, const bool *flag, double seconds)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    while (!*flag && g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(pair->context, FALSE))
            g_usleep(200);
    return *flag;
}

/* Runs the loop until *counter reaches target or `seconds` pass; returns *counter. */
static inline unsigned pair_run_until_count(struct pair *pair, const unsigned *counter,
                                            unsigned target, double seconds)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    while (*counter < target && g_get_monotonic_time() < deadline) {
        if (!g_main_context_iteration(pair->context, FALSE))
            g_usleep(200);
    }
    return *counter;
}

static inline void pair_run_for(struct pair *pair, double seconds)
{
    bool never = false;
    pair_run_until(pair, &never, seconds);
}

/* Audio (Opus 111) and video (VP8 96 with RTX 97), both sendrecv. */
static inline void pair_offer_media(struct prism_peer_offer_media media[2])
{
    static struct prism_sdp_codec audio = {.pt = 111,
                                           .name = "opus",
                                           .clock_rate = 48000,
                                           .channels = 2,
                                           .fmtp = "minptime=10;useinbandfec=1"};
    static struct prism_sdp_codec video[2] = {
        {.pt = 96,
         .name = "VP8",
         .clock_rate = 90000,
         .feedback = PRISM_SDP_FB_NACK | PRISM_SDP_FB_NACK_PLI | PRISM_SDP_FB_CCM_FIR |
                     PRISM_SDP_FB_GOOG_REMB},
        {.pt = 97, .name = "rtx", .clock_rate = 90000, .fmtp = "apt=96"},
    };
    media[0] = (struct prism_peer_offer_media){.kind = PRISM_SDP_MEDIA_AUDIO,
                                               .mid = "0",
                                               .direction = PRISM_SDP_SENDRECV,
                                               .codecs = &audio,
                                               .codec_count = 1};
    media[1] = (struct prism_peer_offer_media){.kind = PRISM_SDP_MEDIA_VIDEO,
                                               .mid = "1",
                                               .direction = PRISM_SDP_SENDRECV,
                                               .codecs = video,
                                               .codec_count = 2};
}

/* A offers these m-lines, B answers with everything accepted, A applies the answer. */
static inline void pair_negotiate_media(struct pair *pair,
                                        const struct prism_peer_offer_media *media, size_t count)
{
    struct prism_sdp_error err = {0};
    char *offer = NULL, *answer = NULL;
    g_assert_cmpint(prism_peer_offer(pair->a.peer, media, count, &offer, &err), ==, 0);
    g_assert_cmpint(prism_peer_apply_offer(pair->b.peer, offer, strlen(offer), &err), ==, 0);
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    g_assert_cmpint(prism_peer_answer(pair->b.peer, &options, &answer, &err), ==, 0);
    g_assert_cmpint(prism_peer_apply_answer(pair->a.peer, answer, strlen(answer), &err), ==, 0);
    g_free(offer);
    g_free(answer);
}

/* Audio, video and, with `data`, an application m-line. */
static inline void pair_negotiate_with(struct pair *pair, bool data)
{
    struct prism_peer_offer_media media[3];
    pair_offer_media(media);
    media[2] = (struct prism_peer_offer_media){
        .kind = PRISM_SDP_MEDIA_APPLICATION, .mid = "2", .direction = PRISM_SDP_SENDRECV};
    pair_negotiate_media(pair, media, data ? 3 : 2);
}

static inline void pair_negotiate(struct pair *pair)
{
    pair_negotiate_with(pair, false);
}

/* Builds an RTP packet from A on media `index` with a recognisable payload. */
static inline size_t pair_build_rtp(struct pair *pair, unsigned index, uint16_t seq, uint8_t *buf,
                                    size_t cap)
{
    struct prism_rtp_header_fields fields = {
        .payload_type = (uint8_t)prism_peer_send_payload_type(pair->a.peer, index),
        .seq = seq,
        .timestamp = seq * 960u,
        .ssrc = prism_peer_local_ssrc(pair->a.peer, index),
    };
    int header = prism_rtp_build_header(buf, cap, &fields);
    g_assert_cmpint(header, >, 0);
    for (int i = 0; i < 100; i++)
        buf[header + i] = (uint8_t)(seq + i);
    return (size_t)header + 100;
}

#endif
