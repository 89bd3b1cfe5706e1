/* Two Prism PeerConnections talking over 127.0.0.1: ICE, DTLS-SRTP, RTP both ways, RTCP
 * feedback, and how each side ends. */
#include "peer_pair.h"

#include "core/ids.h"
#include "media/bwe/bwe.h"
#include "media/srtp/srtp.h"

#include <errno.h>

static void connect_pair(struct pair *pair)
{
    pair_negotiate(pair);
    g_assert_true(pair_run_until(pair, &pair->a.connected, 10));
    g_assert_true(pair_run_until(pair, &pair->b.connected, 10));
}

static uint64_t stats_feedback_in(struct prism_peer *peer)
{
    struct prism_peer_stats stats;
    prism_peer_get_stats(peer, &stats);
    return stats.twcc_feedback_in;
}

static void send_from_a(struct pair *pair, unsigned index, uint16_t first, unsigned count)
{
    uint8_t buf[1500];
    for (unsigned i = 0; i < count; i++) {
        size_t len = pair_build_rtp(pair, index, (uint16_t)(first + i), buf, sizeof(buf));
        g_assert_cmpint(prism_peer_send_rtp(pair->a.peer, index, buf, len, sizeof(buf)), ==, 0);
    }
}

static void test_peer_connects_and_echoes_audio_and_video(void)
{
    struct pair pair;
    pair_setup(&pair);
    pair.b.echo = true;
    connect_pair(&pair);
    send_from_a(&pair, 0, 1000, 50);
    send_from_a(&pair, 1, 2000, 50);
    pair_run_until_count(&pair, &pair.a.rtp_received[0], 50, 10);
    pair_run_until_count(&pair, &pair.a.rtp_received[1], 50, 10);
    pair_run_for(&pair, 0.1); /* nothing more may come */
    g_assert_cmpuint(pair.b.rtp_received[0], ==, 50);
    g_assert_cmpuint(pair.b.rtp_received[1], ==, 50);
    g_assert_cmpuint(pair.a.rtp_received[0], ==, 50);
    g_assert_cmpuint(pair.a.rtp_received[1], ==, 50);
    /* What came back is B's stream, with A's payload intact. */
    g_assert_cmpuint(pair.a.last_ssrc, ==, prism_peer_local_ssrc(pair.b.peer, 1));
    g_assert_cmpuint(pair.a.last_payload_len, ==, 64);
    g_assert_cmpuint(pair.a.last_payload[0], ==, (uint8_t)(2000 + 49));
    struct prism_peer_stats stats;
    prism_peer_get_stats(pair.b.peer, &stats);
    g_assert_cmpuint(stats.rtp_packets_in, ==, 100);
    g_assert_cmpuint(stats.rtp_packets_out, ==, 100);
    g_assert_cmpuint(stats.srtp_errors, ==, 0);
    pair_teardown(&pair);
}

/* A's SRs for an m-line carry the sender clock its owner set (a forwarder passing a publisher's
 * clock on), extrapolated to the time of each report; B hands the remote's SRs to its owner. */
static void test_peer_sender_reports_carry_the_given_clock(void)
{
    struct pair pair;
    pair_setup(&pair);
    connect_pair(&pair);
    /* 1995: decades from this machine's wall clock, which the SRs would carry otherwise. */
    const uint64_t ntp = (uint64_t)3000000000u << 32;
    const uint32_t rtp = 123456;
    uint64_t set_at = prism_now_us();
    struct prism_peer_sender_clock clock = {.ntp = ntp, .rtp_timestamp = rtp, .at_us = set_at};
    g_assert_cmpint(prism_peer_set_sender_clock(pair.a.peer, 0, &clock), ==, 0);
    g_assert_cmpint(prism_peer_set_sender_clock(pair.a.peer, 9, &clock), ==, -ENOENT);
    g_assert_cmpint(prism_peer_set_sender_clock(NULL, 0, &clock), ==, -ENOENT);
    /* What a plugin asks of a handle whose PeerConnection is gone (prism_handle_peer NULL). */
    g_assert_cmpuint(prism_peer_local_ssrc(NULL, 0), ==, 0);
    g_assert_cmpint(prism_peer_request_keyframe(NULL, 0), ==, -ENOENT);
    g_assert_cmpint(prism_peer_open_data_channel(NULL, "x"), ==, -ENOTCONN);
    g_assert_cmpint(prism_peer_send_data(NULL, NULL, false, (const uint8_t *)"x", 1), ==,
                    -ENOTCONN);
    send_from_a(&pair, 0, 1000, 50);
    uint32_t ssrc = prism_peer_local_ssrc(pair.a.peer, 0);
    for (int i = 0; i < 200 && pair.b.last_sender_report.ssrc != ssrc; i++)
        pair_run_for(&pair, 0.05);
    const struct prism_rtcp_sender_info *sr = &pair.b.last_sender_report;
    g_assert_cmpuint(sr->ssrc, ==, ssrc);
    g_assert_cmpuint(sr->packet_count, ==, 50);
    /* Sent between setting the clock and its arrival at B. */
    uint64_t span = pair.b.last_sender_report_us - set_at;
    g_assert_cmpuint(sr->ntp, >=, ntp);
    g_assert_cmpuint(sr->ntp - ntp, <=, ((span / 1000000u + 1) << 32));
    /* The RTP timestamp advanced with the NTP time at Opus's 48 kHz. */
    uint64_t elapsed_us = ((sr->ntp - ntp) * 1000000u) >> 32;
    int64_t ticks = (int64_t)(uint32_t)(sr->rtp_timestamp - rtp);
    g_assert_cmpint(ticks, >=, (int64_t)(elapsed_us * 48 / 1000) - 2);
    g_assert_cmpint(ticks, <=, (int64_t)(elapsed_us * 48 / 1000) + 2);

    /* Back to A's own clock: the next SR carries this machine's wall-clock time. */
    g_assert_cmpint(prism_peer_set_sender_clock(pair.a.peer, 0, NULL), ==, 0);
    unsigned seen = pair.b.sender_reports;
    pair_run_until_count(&pair, &pair.b.sender_reports, seen + 2, 10);
    g_assert_cmpuint(pair.b.last_sender_report.ntp >> 32, >, (uint64_t)3700000000u); /* 2017 */
    pair_teardown(&pair);
}

static void test_peer_forwards_keyframe_requests_and_remb(void)
{
    struct pair pair;
    pair_setup(&pair);
    pair.b.echo = true;
    connect_pair(&pair);
    send_from_a(&pair, 1, 1, 5); /* B's stream must exist for A to ask about it */
    pair_run_until_count(&pair, &pair.a.rtp_received[1], 5, 10);
    g_assert_cmpint(prism_peer_request_keyframe(pair.a.peer, 1), ==, 0);
    prism_peer_set_bitrate_cap(pair.a.peer, 300000);
    pair_run_until_count(&pair, &pair.b.keyframe_requests, 1, 10);
    bool remb = false;
    for (int i = 0; i < 100 && !remb; i++) {
        pair_run_for(&pair, 0.05);
        remb = pair.b.remb_bitrate != 0;
    }
    g_assert_cmpuint(pair.b.keyframe_requests, ==, 1);
    /* REMB mantissa rounding may shave a little off. */
    g_assert_cmpuint(pair.b.remb_bitrate, <=, 300000);
    g_assert_cmpuint(pair.b.remb_bitrate, >, 299000);
    pair_teardown(&pair);
}

static void test_peer_repairs_loss_with_nack_and_rtx(void)
{
    struct pair pair;
    pair_setup(&pair);
    pair.b.echo = true;
    pair.env_b.simulate_loss_out = 10; /* B loses every 10th packet it echoes */
    connect_pair(&pair);
    for (unsigned burst = 0; burst < 10; burst++) {
        send_from_a(&pair, 1, (uint16_t)(3000 + burst * 10), 10);
        pair_run_until_count(&pair, &pair.b.rtp_received[1], (burst + 1) * 10, 10);
    }
    pair_run_until_count(&pair, &pair.a.rtp_received[1], 99, 10);
    pair_run_for(&pair, 0.1); /* nothing more may come */
    g_assert_cmpuint(pair.b.rtp_received[1], ==, 100);
    struct prism_peer_stats a_stats, b_stats;
    prism_peer_get_stats(pair.a.peer, &a_stats);
    prism_peer_get_stats(pair.b.peer, &b_stats);
    /* A saw the gaps, asked for them, and B resent them as RTX: nothing is missing. */
    g_assert_cmpuint(a_stats.nacks_out, >, 0);
    g_assert_cmpuint(b_stats.nacks_in, >, 0);
    g_assert_cmpuint(b_stats.retransmissions_out, >=, 9);
    /* The 100th packet was the last one and lost: no later packet reveals that gap, so it is
     * the only one missing. Every other loss was repaired. */
    g_assert_cmpuint(pair.a.rtp_received[1], ==, 99);
    pair_teardown(&pair);
}

/* An RTX copy of a packet B already has (libwebrtc pads with those) is not handed to B's owner:
 * forwarded, it would be a duplicate. One of a packet B misses is. */
static void test_peer_drops_retransmissions_of_packets_it_has(void)
{
    struct pair pair;
    pair_setup(&pair);
    connect_pair(&pair);
    send_from_a(&pair, 1, 4000, 10);
    pair_run_until_count(&pair, &pair.b.rtp_received[1], 10, 10);
    uint8_t buf[1500];
    size_t len = pair_build_rtp(&pair, 1, 4005, buf, sizeof(buf));
    g_assert_cmpint(prism_peer_resend_rtp(pair.a.peer, 1, buf, len, sizeof(buf)), ==, 0);
    send_from_a(&pair, 1, 4011, 1); /* 4010 is missing */
    pair_run_until_count(&pair, &pair.b.rtp_received[1], 11, 10);
    len = pair_build_rtp(&pair, 1, 4010, buf, sizeof(buf));
    g_assert_cmpint(prism_peer_resend_rtp(pair.a.peer, 1, buf, len, sizeof(buf)), ==, 0);
    pair_run_until_count(&pair, &pair.b.rtp_received[1], 12, 10);
    pair_run_for(&pair, 0.1); /* nothing more may come */
    g_assert_cmpuint(pair.b.rtp_received[1], ==, 12);
    pair_teardown(&pair);
}

/* Bandwidth probing between two peers with transport-cc: A wants far more than its estimate,
 * so it sends probe clusters (padding-only RTX packets) that B counts in its transport-cc
 * feedback without handing them to its owner; their result raises A's estimate. */
static void test_peer_probes_with_padding_counted_by_feedback(void)
{
    struct pair pair;
    pair_setup(&pair);
    struct prism_peer_offer_media media[2];
    pair_offer_media(media);
    static const struct prism_sdp_extmap ext[] = {{.id = 5, .uri = PRISM_SDP_EXT_TWCC}};
    static struct prism_sdp_codec video[2];
    memcpy(video, media[1].codecs, sizeof(video));
    video[0].feedback |= PRISM_SDP_FB_TRANSPORT_CC;
    media[1].codecs = video;
    media[1].extmaps = ext;
    media[1].extmap_count = 1;
    pair_negotiate_media(&pair, media, 2);
    g_assert_true(pair_run_until(&pair, &pair.a.connected, 10));
    g_assert_true(pair_run_until(&pair, &pair.b.connected, 10));
    struct prism_peer_stats stats;
    uint16_t seq = 5000;
    /* A little video, until B's feedback on it reached A. */
    for (int i = 0; i < 100 && !stats_feedback_in(pair.a.peer); i++) {
        send_from_a(&pair, 1, seq, 2);
        seq += 2;
        pair_run_for(&pair, 0.02);
    }
    g_assert_cmpuint(stats_feedback_in(pair.a.peer), >, 0);
    uint64_t before = prism_peer_bandwidth_estimate(pair.a.peer);
    unsigned delivered = pair.b.rtp_received[1];
    struct prism_bwe_state state = {0};
    for (int i = 0; i < 100 && state.probes_succeeded < 2; i++) {
        prism_peer_want_bandwidth(pair.a.peer, 10 * before);
        send_from_a(&pair, 1, seq++, 1);
        delivered++;
        pair_run_for(&pair, 0.05);
        g_assert_cmpint(prism_peer_bandwidth_state(pair.a.peer, &state), ==, 0);
    }
    prism_peer_get_stats(pair.a.peer, &stats);
    g_test_message("estimate %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT ", %u of %u probes "
                   "succeeded, %" G_GUINT64_FORMAT " padding packets",
                   before, prism_peer_bandwidth_estimate(pair.a.peer), state.probes_succeeded,
                   state.probes, stats.probe_packets_out);
    g_assert_cmpuint(state.probes_succeeded, >=, 2);
    g_assert_cmpuint(stats.probe_packets_out, >=, 20);
    g_assert_cmpuint(prism_peer_bandwidth_estimate(pair.a.peer), >, 2 * before);
    /* The padding reached B (its feedback said so) but not B's owner: only the media did. */
    pair_run_for(&pair, 0.1);
    g_assert_cmpuint(pair.b.rtp_received[1], ==, delivered);
    pair_teardown(&pair);
}

/* A negotiates video without RTX: plain retransmissions are the only repair. */
static void negotiate_without_rtx(struct pair *pair)
{
    struct prism_peer_offer_media media[2];
    pair_offer_media(media);
    media[1].codec_count = 1; /* VP8 only, no rtx */
    pair_negotiate_media(pair, media, 2);
}

/* B's owner answers the NACKs of its video m-line: the peer keeps no history of its own and
 * hands the NACKs up; what the owner resends with prism_peer_resend_rtp repairs the loss. */
static void check_owner_answers_nacks(bool rtx)
{
    struct pair pair;
    pair_setup(&pair);
    pair.b.echo = true;
    pair.b.answer_nacks = true;
    pair.env_b.simulate_loss_out = 10;
    if (rtx)
        pair_negotiate(&pair);
    else
        negotiate_without_rtx(&pair);
    g_assert_true(pair_run_until(&pair, &pair.a.connected, 10));
    g_assert_true(pair_run_until(&pair, &pair.b.connected, 10));
    g_assert_cmpint(prism_peer_set_nack_owner(pair.b.peer, 1, true), ==, 0);
    struct prism_peer_media_info info;
    g_assert_cmpint(prism_peer_media_info(pair.a.peer, 1, &info), ==, 0);
    g_assert_cmpuint(info.rtx_payload_type, ==, rtx ? 97 : 0);
    for (unsigned burst = 0; burst < 10; burst++) {
        send_from_a(&pair, 1, (uint16_t)(3000 + burst * 10), 10);
        pair_run_until_count(&pair, &pair.b.rtp_received[1], (burst + 1) * 10, 10);
    }
    pair_run_until_count(&pair, &pair.a.rtp_received[1], 99, 10);
    pair_run_for(&pair, 0.1);
    struct prism_peer_stats b_stats;
    prism_peer_get_stats(pair.b.peer, &b_stats);
    g_assert_cmpuint(pair.b.nacks_seen, >, 0);
    g_assert_cmpuint(b_stats.retransmissions_out, >=, 9);
    g_assert_cmpuint(pair.a.rtp_received[1], ==, 99);
    /* What the peer would resend from a history of its own: nothing, it keeps none. */
    pair.b.answer_nacks = false;
    memset(pair.b.sent_len, 0, sizeof(pair.b.sent_len));
    uint64_t before = b_stats.retransmissions_out;
    send_from_a(&pair, 1, 3100, 10); /* the 10th is lost again */
    send_from_a(&pair, 1, 3110, 1);  /* and this reveals it */
    pair_run_until_count(&pair, &pair.a.rtp_received[1], 109, 10);
    pair_run_for(&pair, 0.3);
    prism_peer_get_stats(pair.b.peer, &b_stats);
    g_assert_cmpuint(b_stats.retransmissions_out, ==, before);
    g_assert_cmpuint(pair.a.rtp_received[1], ==, 109);
    pair_teardown(&pair);
}

static void test_peer_owner_answers_nacks_with_rtx(void)
{
    check_owner_answers_nacks(true);
}

static void test_peer_owner_answers_nacks_without_rtx(void)
{
    check_owner_answers_nacks(false);
}

static void test_peer_data_channel_echoes_text_and_large_binary(void)
{
    struct pair pair;
    pair_setup(&pair);
    pair.b.echo = true;
    pair_negotiate_with(&pair, true);
    g_assert_true(pair_run_until(&pair, &pair.a.connected, 10));
    g_assert_true(pair_run_until(&pair, &pair.b.connected, 10));
    /* The OPEN waits for the association; sends work once B acknowledged the channel. */
    g_assert_cmpint(prism_peer_open_data_channel(pair.a.peer, "chat"), ==, 0);
    const char *hello = "hello through SCTP";
    int rc = -ENOTCONN;
    for (int i = 0; i < 200 && rc != 0; i++) {
        pair_run_for(&pair, 0.02);
        rc = prism_peer_send_data(pair.a.peer, "chat", false, (const uint8_t *)hello,
                                  strlen(hello));
    }
    g_assert_cmpint(rc, ==, 0);
    pair_run_until_count(&pair, &pair.a.data_received, 1, 10);
    g_assert_cmpuint(pair.a.data_received, ==, 1);
    g_assert_false(pair.a.last_data_binary);
    g_assert_cmpuint(pair.a.last_data_len, ==, strlen(hello));
    /* Far larger than one SCTP packet: fragmented and reassembled both ways. */
    size_t big = 100 * 1024;
    uint8_t *blob = g_malloc(big);
    for (size_t i = 0; i < big; i++)
        blob[i] = (uint8_t)(i * 7);
    g_assert_cmpint(prism_peer_send_data(pair.a.peer, "chat", true, blob, big), ==, 0);
    pair_run_until_count(&pair, &pair.a.data_received, 2, 10);
    g_assert_cmpuint(pair.a.data_received, ==, 2);
    g_assert_true(pair.a.last_data_binary);
    g_assert_cmpuint(pair.a.last_data_len, ==, big);
    g_assert_cmpuint(pair.a.last_data_last, ==, (uint8_t)((big - 1) * 7));
    g_free(blob);
    pair_teardown(&pair);
}

static void test_peer_remote_close_ends_the_other_side(void)
{
    struct pair pair;
    pair_setup(&pair);
    connect_pair(&pair);
    prism_peer_destroy(pair.b.peer);
    pair.b.peer = NULL;
    g_assert_true(pair_run_until(&pair, &pair.a.closed, 5));
    g_assert_nonnull(strstr(pair.a.close_reason, "DTLS"));
    g_assert_cmpint(prism_peer_send_rtp(pair.a.peer, 0, (uint8_t[64]){0x80}, 12, 64), ==,
                    -ENOTCONN);
    pair_teardown(&pair);
}

static void test_peer_rejects_fingerprint_mismatch(void)
{
    struct pair pair;
    pair_setup(&pair);
    struct prism_peer_offer_media media[2];
    pair_offer_media(media);
    struct prism_sdp_error err = {0};
    char *offer = NULL, *answer = NULL;
    g_assert_cmpint(prism_peer_offer(pair.a.peer, media, 2, &offer, &err), ==, 0);
    /* Change one hex digit of A's fingerprint: B will expect another certificate. */
    char *fp = strstr(offer, "a=fingerprint:sha-256 ") + strlen("a=fingerprint:sha-256 ");
    fp[0] = fp[0] == 'A' ? 'B' : 'A';
    g_assert_cmpint(prism_peer_apply_offer(pair.b.peer, offer, strlen(offer), &err), ==, 0);
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    g_assert_cmpint(prism_peer_answer(pair.b.peer, &options, &answer, &err), ==, 0);
    g_assert_cmpint(prism_peer_apply_answer(pair.a.peer, answer, strlen(answer), &err), ==, 0);
    g_assert_true(pair_run_until(&pair, &pair.b.closed, 10));
    g_assert_nonnull(strstr(pair.b.close_reason, "fingerprint"));
    g_assert_false(pair.b.connected);
    g_free(offer);
    g_free(answer);
    pair_teardown(&pair);
}

static void test_peer_refuses_offer_without_bundle(void)
{
    struct pair pair;
    pair_setup(&pair);
    struct prism_peer_offer_media media[2];
    pair_offer_media(media);
    struct prism_sdp_error err = {0};
    char *offer = NULL;
    g_assert_cmpint(prism_peer_offer(pair.a.peer, media, 2, &offer, &err), ==, 0);
    char *group = strstr(offer, "a=group:BUNDLE");
    g_assert_nonnull(group);
    memcpy(group, "a=xgrou", 7); /* an unknown attribute now */
    g_assert_cmpint(prism_peer_apply_offer(pair.b.peer, offer, strlen(offer), &err), ==, -EINVAL);
    g_assert_cmpint(err.code, ==, PRISM_SDP_ERR_NO_BUNDLE);
    g_free(offer);
    pair_teardown(&pair);
}

/* An offer with send_rids: a=rid send lines and a=simulcast:send in that order, which the
 * answering peer takes as three simulcast layers (named l/m/h: lowest first). */
static void test_peer_offers_simulcast_rids(void)
{
    struct pair pair;
    pair_setup(&pair);
    struct prism_peer_offer_media media[2];
    pair_offer_media(media);
    static const struct prism_sdp_extmap ext[] = {{.id = 10, .uri = PRISM_SDP_EXT_RID},
                                                  {.id = 11, .uri = PRISM_SDP_EXT_REPAIRED_RID}};
    static const char *const rids[] = {"h", "m", "l"};
    media[1].direction = PRISM_SDP_SENDONLY;
    media[1].extmaps = ext;
    media[1].extmap_count = 2;
    media[1].send_rids = rids;
    media[1].send_rid_count = 3;
    struct prism_sdp_error err = {0};
    char *offer = NULL, *answer = NULL;
    g_assert_cmpint(prism_peer_offer(pair.a.peer, media, 2, &offer, &err), ==, 0);
    g_assert_nonnull(strstr(offer, "a=rid:h send\r\na=rid:m send\r\na=rid:l send\r\n"));
    g_assert_nonnull(strstr(offer, "a=simulcast:send h;m;l\r\n"));
    g_assert_cmpint(prism_peer_apply_offer(pair.b.peer, offer, strlen(offer), &err), ==, 0);
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    g_assert_cmpint(prism_peer_answer(pair.b.peer, &options, &answer, &err), ==, 0);
    g_assert_nonnull(strstr(answer, "a=simulcast:recv h;m;l\r\n"));
    g_assert_cmpint(prism_peer_apply_answer(pair.a.peer, answer, strlen(answer), &err), ==, 0);
    struct prism_peer_media_info info;
    g_assert_cmpint(prism_peer_media_info(pair.b.peer, 1, &info), ==, 0);
    g_assert_cmpuint(info.simulcast_layers, ==, 3);
    /* The audio m-line (the first) asked for none. */
    g_assert_true(strstr(offer, "a=rid") > strstr(offer, "m=video"));
    g_free(offer);
    g_free(answer);
    pair_teardown(&pair);
}

static void test_peer_answer_before_offer_is_refused(void)
{
    struct pair pair;
    pair_setup(&pair);
    struct prism_sdp_error err = {0};
    g_assert_cmpint(prism_peer_apply_answer(pair.a.peer, "v=0\r\n", 5, &err), ==, -ENOENT);
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    char *answer = NULL;
    g_assert_cmpint(prism_peer_answer(pair.b.peer, &options, &answer, &err), ==, -EINVAL);
    pair_teardown(&pair);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/peer/connects-and-echoes-audio-and-video",
                    test_peer_connects_and_echoes_audio_and_video);
    g_test_add_func("/peer/sender-reports-carry-the-given-clock",
                    test_peer_sender_reports_carry_the_given_clock);
    g_test_add_func("/peer/forwards-keyframe-requests-and-remb",
                    test_peer_forwards_keyframe_requests_and_remb);
    g_test_add_func("/peer/repairs-loss-with-nack-and-rtx",
                    test_peer_repairs_loss_with_nack_and_rtx);
    g_test_add_func("/peer/drops-retransmissions-of-packets-it-has",
                    test_peer_drops_retransmissions_of_packets_it_has);
    g_test_add_func("/peer/probes-with-padding-counted-by-feedback",
                    test_peer_probes_with_padding_counted_by_feedback);
    g_test_add_func("/peer/owner-answers-nacks-with-rtx", test_peer_owner_answers_nacks_with_rtx);
    g_test_add_func("/peer/owner-answers-nacks-without-rtx",
                    test_peer_owner_answers_nacks_without_rtx);
    g_test_add_func("/peer/data-channel-echoes-text-and-large-binary",
                    test_peer_data_channel_echoes_text_and_large_binary);
    g_test_add_func("/peer/remote-close-ends-the-other-side",
                    test_peer_remote_close_ends_the_other_side);
    g_test_add_func("/peer/rejects-fingerprint-mismatch", test_peer_rejects_fingerprint_mismatch);
    g_test_add_func("/peer/refuses-offer-without-bundle", test_peer_refuses_offer_without_bundle);
    g_test_add_func("/peer/offers-simulcast-rids", test_peer_offers_simulcast_rids);
    g_test_add_func("/peer/answer-before-offer-is-refused",
                    test_peer_answer_before_offer_is_refused);
    return g_test_run();
}
