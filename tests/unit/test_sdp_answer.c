/* The SFU answerer: answers to every fixture, read back as the browser would, plus the offers
 * an SFU must refuse and the options that steer the answer. */
#include "sdp_test_util.h"

#include <errno.h>

/* Answers a parsed offer with the given options and returns the re-parsed answer. */
static struct prism_sdp *answer_with(const struct prism_sdp *offer,
                                     const struct prism_sdp_answer_options *o)
{
    struct prism_sdp *answer = NULL;
    struct prism_sdp_error err;
    if (prism_sdp_answer_create(offer, o, &answer, &err) != 0)
        g_error("answer failed: %s", err.message);
    struct prism_sdp *back = sdp_reparse(answer, NULL);
    prism_sdp_free(answer);
    return back;
}

static struct prism_sdp *answer_fixture(const char *name)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *offer = sdp_parse_fixture(name);
    struct prism_sdp *answer = answer_with(offer, &o);
    prism_sdp_free(offer);
    return answer;
}

/* What every answer must hold for every accepted m-line. */
static void check_transport(const struct prism_sdp *answer, const char *const *accepted,
                            size_t count)
{
    g_assert_cmpuint(answer->group_count, ==, count ? 1 : 0);
    if (count) {
        g_assert_cmpstr(answer->groups[0].semantics, ==, "BUNDLE");
        g_assert_cmpuint(answer->groups[0].count, ==, count);
    }
    for (size_t i = 0; i < count; i++) {
        g_assert_cmpstr(answer->groups[0].mids[i], ==, accepted[i]);
        const struct prism_sdp_media *m = prism_sdp_find_media(answer, accepted[i]);
        g_assert_nonnull(m);
        g_assert_false(prism_sdp_media_is_rejected(m));
        g_assert_cmpuint(m->port, ==, 9);
        g_assert_cmpint(m->transport.setup, ==, PRISM_SDP_SETUP_PASSIVE);
        g_assert_cmpstr(m->transport.ice_ufrag, ==, "Pr1s");
        g_assert_cmpstr(m->transport.ice_pwd, ==, "prismprismprismprismpr+/");
        g_assert_true(m->transport.ice_trickle);
        g_assert_cmpuint(m->transport.fingerprint_count, ==, 1);
        g_assert_cmpuint(m->transport.fingerprints[0].bytes[31], ==, 0xa0 + 31);
        if (m->kind != PRISM_SDP_MEDIA_APPLICATION)
            g_assert_true(m->rtcp_mux);
    }
}

static void check_codecs(const struct prism_sdp_media *m, uint8_t pt, const char *name, int rtx)
{
    g_assert_cmpuint(m->codec_count, ==, rtx >= 0 ? 2 : 1);
    g_assert_cmpuint(m->codecs[0].pt, ==, pt);
    g_assert_cmpstr(m->codecs[0].name, ==, name);
    if (rtx >= 0) {
        g_assert_cmpuint(m->codecs[1].pt, ==, rtx);
        g_assert_cmpint(prism_sdp_codec_apt(&m->codecs[1]), ==, pt);
    }
}

static void test_answer_chrome_simulcast_receives_layers(void)
{
    struct prism_sdp *a = answer_fixture("chrome_simulcast_datachannel.sdp");
    const char *mids[] = {"0", "1", "2"};
    check_transport(a, mids, 3);
    g_assert_cmpuint(a->media_count, ==, 3);
    g_assert_true(a->extmap_allow_mixed);
    const struct prism_sdp_media *audio = &a->media[0], *video = &a->media[1];
    check_codecs(audio, 111, "opus", -1);
    g_assert_cmpstr(audio->codecs[0].fmtp, ==, "minptime=10;useinbandfec=1");
    g_assert_cmpuint(audio->codecs[0].feedback, ==, PRISM_SDP_FB_TRANSPORT_CC);
    g_assert_cmpint(audio->direction, ==, PRISM_SDP_SENDRECV);
    g_assert_true(audio->rtcp_rsize);
    check_codecs(video, 96, "VP8", 97);
    g_assert_cmpuint(video->codecs[0].feedback, ==, 0x1f);
    g_assert_cmpuint(video->codecs[1].feedback, ==, 0);
    g_assert_cmpint(video->direction, ==, PRISM_SDP_RECVONLY);
    /* allow-listed extensions keep the offerer's ids; others are gone */
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_RID), ==, 10);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_DEPENDENCY_DESCRIPTOR), ==, 12);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_TWCC), ==, 3);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, "urn:ietf:params:rtp-hdrext:toffset"), ==, 0);
    g_assert_cmpuint(video->extmap_count, ==, 8);
    g_assert_cmpuint(video->rid_count, ==, 3);
    g_assert_cmpstr(video->rids[1].id, ==, "h");
    g_assert_false(video->rids[1].send);
    g_assert_cmpuint(video->simulcast_recv.count, ==, 3);
    g_assert_cmpuint(video->simulcast_send.count, ==, 0);
    const struct prism_sdp_media *data = &a->media[2];
    g_assert_cmpstr(data->formats, ==, "webrtc-datachannel");
    g_assert_cmpuint(data->sctp_port, ==, 5000);
    g_assert_cmpuint(data->max_message_size, ==, 262144);
    prism_sdp_free(a);
}

static void test_answer_chrome_sendrecv_echoes(void)
{
    struct prism_sdp *a = answer_fixture("chrome_sendrecv.sdp");
    const char *mids[] = {"0", "1"};
    check_transport(a, mids, 2);
    check_codecs(&a->media[1], 96, "VP8", 97);
    g_assert_cmpint(a->media[0].direction, ==, PRISM_SDP_SENDRECV);
    g_assert_cmpint(a->media[1].direction, ==, PRISM_SDP_SENDRECV);
    g_assert_false(a->media[1].has_msid); /* nothing sent until the caller says so */
    prism_sdp_free(a);
}

static void test_answer_recvonly_offer_gets_sendonly(void)
{
    struct prism_sdp *a = answer_fixture("chrome_recvonly.sdp");
    g_assert_cmpint(a->media[0].direction, ==, PRISM_SDP_SENDONLY);
    g_assert_cmpint(a->media[1].direction, ==, PRISM_SDP_SENDONLY);
    prism_sdp_free(a);
    /* a publisher-only room cannot send: the same offer becomes inactive */
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    o.local_direction = PRISM_SDP_RECVONLY;
    struct prism_sdp *offer = sdp_parse_fixture("chrome_recvonly.sdp");
    a = answer_with(offer, &o);
    g_assert_cmpint(a->media[1].direction, ==, PRISM_SDP_INACTIVE);
    prism_sdp_free(a);
    prism_sdp_free(offer);
}

static void test_answer_libwebrtc_node_offer(void)
{
    struct prism_sdp *a = answer_fixture("libwebrtc_node_sendonly.sdp");
    const char *mids[] = {"0", "1", "2"};
    check_transport(a, mids, 3);
    check_codecs(&a->media[0], 111, "opus", -1);
    check_codecs(&a->media[1], 96, "VP8", 97);
    g_assert_cmpint(a->media[1].direction, ==, PRISM_SDP_RECVONLY);
    prism_sdp_free(a);
}

/* A publisher offering frame marking (an H.264 sender with temporal layers) keeps it, under its
 * id: the SFU reads the temporal layer from it. */
static void test_answer_accepts_frame_marking(void)
{
    size_t length = 0;
    char *text = sdp_fixture("chrome_simulcast_datachannel.sdp", &length);
    char **parts = g_strsplit(text, "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset", -1);
    g_assert_cmpuint(g_strv_length(parts), ==, 2);
    char *edited = g_strjoinv("a=extmap:14 " PRISM_SDP_EXT_FRAME_MARKING, parts);
    g_strfreev(parts);
    struct prism_sdp *offer = sdp_parse_text(edited);
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *a = answer_with(offer, &o);
    g_assert_cmpuint(prism_sdp_media_extmap_id(&a->media[1], PRISM_SDP_EXT_FRAME_MARKING), ==, 14);
    g_assert_cmpuint(a->media[1].extmap_count, ==, 9);
    prism_sdp_free(a);
    prism_sdp_free(offer);
    g_free(edited);
    g_free(text);
}

static void test_answer_firefox_mirrors_extmap_direction(void)
{
    struct prism_sdp *a = answer_fixture("firefox_sendrecv.sdp");
    const char *mids[] = {"0", "1", "2"};
    check_transport(a, mids, 3);
    check_codecs(&a->media[0], 109, "opus", -1);
    g_assert_cmpstr(a->media[0].codecs[0].fmtp, ==,
                    "maxplaybackrate=48000;stereo=1;useinbandfec=1");
    const struct prism_sdp_media *video = &a->media[1];
    check_codecs(video, 120, "VP8", 124);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_PLAYOUT_DELAY), ==, 6);
    for (uint8_t i = 0; i < video->extmap_count; i++) {
        if (video->extmaps[i].id == 6) {
            g_assert_true(video->extmaps[i].has_direction);
            g_assert_cmpint(video->extmaps[i].direction, ==, PRISM_SDP_SENDONLY);
        }
    }
    /* csrc-audio-level is not on the allow-list */
    g_assert_cmpuint(a->media[0].extmap_count, ==, 2);
    g_assert_cmpuint(a->media[2].sctp_port, ==, 5000);
    /* candidates given by the caller go to the first m-line only */
    g_assert_cmpuint(a->media[0].candidate_count, ==, 0);
    prism_sdp_free(a);
}

/* The room's opus_fec and opus_dtx decide useinbandfec and usedtx; the rest stays as offered. */
static void test_answer_opus_fec_and_dtx_follow_the_options(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *offer = sdp_parse_fixture("firefox_sendrecv.sdp");
    o.opus_override = true;
    o.opus_fec = false;
    o.opus_dtx = true;
    struct prism_sdp *a = answer_with(offer, &o);
    g_assert_cmpstr(a->media[0].codecs[0].fmtp, ==, "maxplaybackrate=48000;stereo=1;usedtx=1");
    prism_sdp_free(a);
    o.opus_fec = true;
    o.opus_dtx = false;
    a = answer_with(offer, &o);
    g_assert_cmpstr(a->media[0].codecs[0].fmtp, ==,
                    "maxplaybackrate=48000;stereo=1;useinbandfec=1");
    prism_sdp_free(a);
    /* Empty parameters, a refused DTX and spaces are tidied away. */
    g_strlcpy(offer->media[0].codecs[0].fmtp, " ;usedtx=0; ;minptime=10;;sprop-stereo=1; UseDTX=1",
              sizeof(offer->media[0].codecs[0].fmtp));
    a = answer_with(offer, &o);
    g_assert_cmpstr(a->media[0].codecs[0].fmtp, ==, "minptime=10;sprop-stereo=1;useinbandfec=1");
    prism_sdp_free(a);
    /* An offer whose parameters fill the whole fmtp: what does not fit is left out whole. */
    char *full = g_strnfill(PRISM_SDP_FMTP_LEN - 2, 'x');
    full[0] = 'a';
    full[1] = '=';
    g_strlcpy(offer->media[0].codecs[0].fmtp, full, sizeof(offer->media[0].codecs[0].fmtp));
    o.opus_dtx = true;
    a = answer_with(offer, &o);
    g_assert_cmpstr(a->media[0].codecs[0].fmtp, ==, full);
    prism_sdp_free(a);
    g_free(full);
    /* Without the override the offer's fmtp is echoed as before. */
    o.opus_override = false;
    g_strlcpy(offer->media[0].codecs[0].fmtp, "useinbandfec=1;usedtx=1",
              sizeof(offer->media[0].codecs[0].fmtp));
    a = answer_with(offer, &o);
    g_assert_cmpstr(a->media[0].codecs[0].fmtp, ==, "useinbandfec=1;usedtx=1");
    prism_sdp_free(a);
    prism_sdp_free(offer);
}

static void test_answer_firefox_simulcast_with_ssrcs(void)
{
    struct prism_sdp *a = answer_fixture("firefox_simulcast.sdp");
    const struct prism_sdp_media *video = &a->media[1];
    check_codecs(video, 120, "VP8", 124);
    g_assert_cmpint(video->direction, ==, PRISM_SDP_RECVONLY);
    g_assert_cmpuint(video->rid_count, ==, 3);
    g_assert_cmpstr(video->rids[0].restrictions, ==, "");
    g_assert_cmpstr(video->simulcast_recv.streams[2].alternatives[0].rid, ==, "f");
    g_assert_cmpint(a->media[0].direction, ==, PRISM_SDP_RECVONLY);
    prism_sdp_free(a);
}

static void test_answer_safari_follows_our_codec_order(void)
{
    struct prism_sdp *a = answer_fixture("safari_sendrecv.sdp");
    check_codecs(&a->media[1], 127, "VP8", 125); /* VP8 first in our default list */
    prism_sdp_free(a);

    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    const struct prism_sdp_codec_pref baseline[] = {{PRISM_SDP_CODEC_H264, "42e01f"}};
    o.video_codecs = baseline;
    o.video_codec_count = 1;
    struct prism_sdp *offer = sdp_parse_fixture("safari_sendrecv.sdp");
    a = answer_with(offer, &o);
    check_codecs(&a->media[1], 98, "H264", 99); /* 96 is High profile: skipped */
    g_assert_cmpstr(a->media[1].codecs[0].fmtp, ==,
                    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
    prism_sdp_free(a);

    const struct prism_sdp_codec_pref high[] = {{PRISM_SDP_CODEC_H264, "640c29"}};
    o.video_codecs = high;
    a = answer_with(offer, &o);
    check_codecs(&a->media[1], 96, "H264", 97);
    g_assert_cmpstr(a->media[1].codecs[0].fmtp, ==,
                    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f");
    prism_sdp_free(a);

    const struct prism_sdp_codec_pref low_level[] = {{PRISM_SDP_CODEC_H264, "42e00a"}};
    o.video_codecs = low_level;
    a = answer_with(offer, &o);
    g_assert_cmpstr(a->media[1].codecs[0].fmtp, ==,
                    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e00a");
    prism_sdp_free(a);
    prism_sdp_free(offer);
}

static void test_answer_gstreamer_bundle_only_and_constrained_baseline(void)
{
    struct prism_sdp *a = answer_fixture("whip_gstreamer_candidates.sdp");
    const char *mids[] = {"video0", "audio1"};
    check_transport(a, mids, 2);
    const struct prism_sdp_media *video = &a->media[0];
    check_codecs(video, 96, "H264", 97);
    /* 42c01f is constrained baseline, like our 42e01f: kept as offered */
    g_assert_cmpstr(video->codecs[0].fmtp, ==,
                    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42c01f");
    g_assert_cmpuint(video->codecs[0].feedback, ==,
                     PRISM_SDP_FB_NACK | PRISM_SDP_FB_NACK_PLI | PRISM_SDP_FB_CCM_FIR |
                         PRISM_SDP_FB_TRANSPORT_CC);
    g_assert_false(a->media[1].bundle_only);
    check_codecs(&a->media[1], 111, "OPUS", -1);
    prism_sdp_free(a);
}

static void test_answer_rejects_video_with_h264_mode0_only(void)
{
    struct prism_sdp *a = answer_fixture("h264_mode0_only.sdp");
    const char *mids[] = {"0"};
    check_transport(a, mids, 1);
    const struct prism_sdp_media *video = &a->media[1];
    g_assert_cmpstr(video->mid, ==, "1");
    g_assert_cmpuint(video->port, ==, 0);
    g_assert_true(prism_sdp_media_is_rejected(video));
    g_assert_cmpint(video->direction, ==, PRISM_SDP_INACTIVE);
    g_assert_cmpuint(video->codec_count, ==, 1);
    g_assert_cmpuint(video->codecs[0].pt, ==, 104);
    g_assert_false(prism_sdp_bundle_contains(a, "1"));
    prism_sdp_free(a);
}

static void test_answer_options_steer_codecs_extensions_and_data(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    const struct prism_sdp_codec_pref audio[] = {{PRISM_SDP_CODEC_PCMU, NULL}};
    const struct prism_sdp_codec_pref video[] = {{PRISM_SDP_CODEC_VP9, "2"},
                                                 {PRISM_SDP_CODEC_AV1, NULL}};
    const char *const extensions[] = {PRISM_SDP_EXT_MID};
    o.audio_codecs = audio;
    o.audio_codec_count = 1;
    o.video_codecs = video;
    o.video_codec_count = 2;
    o.extensions = extensions;
    o.extension_count = 1;
    o.use_rtx = false;
    o.accept_data_channels = false;
    o.accept_simulcast = false;
    struct prism_sdp *offer = sdp_parse_fixture("chrome_simulcast_datachannel.sdp");
    struct prism_sdp *a = answer_with(offer, &o);
    check_codecs(&a->media[0], 0, "PCMU", -1);
    check_codecs(&a->media[1], 100, "VP9", -1); /* profile-id=2 */
    g_assert_cmpuint(a->media[1].extmap_count, ==, 1);
    g_assert_cmpuint(prism_sdp_media_extmap_id(&a->media[1], PRISM_SDP_EXT_MID), ==, 4);
    /* transport-cc feedback needs the transport-wide-cc extension */
    g_assert_cmpuint(a->media[1].codecs[0].feedback & PRISM_SDP_FB_TRANSPORT_CC, ==, 0);
    g_assert_cmpuint(a->media[1].rid_count, ==, 0);
    g_assert_true(prism_sdp_media_is_rejected(&a->media[2]));
    g_assert_cmpstr(a->media[2].formats, ==, "webrtc-datachannel");
    g_assert_cmpuint(a->groups[0].count, ==, 2);
    prism_sdp_free(a);
    prism_sdp_free(offer);
}

static void test_answer_skips_unknown_codecs_and_media(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *offer = sdp_parse_text(
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a v t p\r\n"
        "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\na=setup:passive\r\n"
        "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 98 111\r\na=mid:a\r\na=rtcp-mux\r\n"
        "a=rtpmap:98 x-secret/48000/2\r\na=rtpmap:111 opus/48000/2\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 100 101\r\na=mid:v\r\na=rtcp-mux\r\n"
        "a=rtpmap:100 H265/90000\r\na=rtpmap:101 VP8/8000\r\n"
        "m=text 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:t\r\na=rtcp-mux\r\n"
        "m=audio 9 RTP/AVP 0\r\na=mid:p\r\na=rtcp-mux\r\n");
    struct prism_sdp *a = answer_with(offer, &o);
    check_codecs(&a->media[0], 111, "opus", -1);
    g_assert_true(prism_sdp_media_is_rejected(&a->media[1])); /* VP8 at the wrong clock */
    g_assert_true(prism_sdp_media_is_rejected(&a->media[2]));
    g_assert_cmpstr(a->media[2].kind_name, ==, "text");
    g_assert_true(prism_sdp_media_is_rejected(&a->media[3])); /* plain RTP/AVP: no SRTP */
    g_assert_cmpstr(a->media[3].proto, ==, "RTP/AVP");
    /* the offer took passive: we connect, as DTLS client */
    g_assert_cmpint(a->media[0].transport.setup, ==, PRISM_SDP_SETUP_ACTIVE);
    g_assert_cmpuint(a->groups[0].count, ==, 1);
    prism_sdp_free(a);
    prism_sdp_free(offer);
}

static void test_answer_places_candidates_in_first_m_line(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    const char *const candidates[] = {
        "candidate:1 1 udp 2130706431 192.0.2.5 40000 typ host",
        "a=candidate:2 1 tcp 1518280447 192.0.2.5 4443 typ host tcptype passive",
    };
    o.transport.candidates = candidates;
    o.transport.candidate_count = 2;
    o.transport.end_of_candidates = true;
    struct prism_sdp *offer = sdp_parse_fixture("h264_mode0_only.sdp");
    struct prism_sdp *a = answer_with(offer, &o);
    g_assert_cmpuint(a->media[0].candidate_count, ==, 2);
    g_assert_cmpuint(a->media[0].candidates[1].port, ==, 4443);
    g_assert_true(a->media[0].end_of_candidates);
    g_assert_cmpuint(a->media[1].candidate_count, ==, 0);
    prism_sdp_free(a);
    const char *const bad[] = {"candidate:1 1 udp 1 192.0.2.5 x typ host"};
    o.transport.candidates = bad;
    o.transport.candidate_count = 1;
    struct prism_sdp_error err;
    g_assert_cmpint(prism_sdp_answer_create(offer, &o, &a, &err), ==, -EINVAL);
    g_assert_cmpint(err.code, ==, PRISM_SDP_ERR_INVALID_ARGUMENT);
    prism_sdp_free(offer);
}

static void test_answer_refuses_incomplete_local_transport(void)
{
    struct prism_sdp *offer = sdp_parse_fixture("chrome_sendrecv.sdp");
    struct prism_sdp_answer_options o;
    struct prism_sdp *a = NULL;
    struct prism_sdp_error err;
    sdp_test_answer_options(&o);
    o.transport.ice_pwd = "short";
    g_assert_cmpint(prism_sdp_answer_create(offer, &o, &a, &err), ==, -EINVAL);
    g_assert_cmpint(err.code, ==, PRISM_SDP_ERR_INVALID_ARGUMENT);
    sdp_test_answer_options(&o);
    o.transport.ice_ufrag = NULL;
    g_assert_cmpint(prism_sdp_answer_create(offer, &o, &a, &err), ==, -EINVAL);
    sdp_test_answer_options(&o);
    o.transport.fingerprint.length = 20; /* not a sha-256 digest */
    g_assert_cmpint(prism_sdp_answer_create(offer, &o, &a, &err), ==, -EINVAL);
    g_assert_null(a);
    prism_sdp_free(offer);
}

static void test_answer_with_source_lines(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *offer = sdp_parse_fixture("chrome_sendrecv.sdp");
    struct prism_sdp *answer = NULL;
    g_assert_cmpint(prism_sdp_answer_create(offer, &o, &answer, NULL), ==, 0);
    struct prism_sdp_source src = {.ssrc = 11111,
                                   .rtx_ssrc = 22222,
                                   .cname = "prism",
                                   .stream_id = "echo",
                                   .track_id = "video-echo"};
    g_assert_cmpint(prism_sdp_set_source(answer, "1", &src), ==, 0);
    g_assert_cmpint(prism_sdp_set_source(answer, "9", &src), ==, -ENOENT);
    g_assert_cmpint(prism_sdp_set_source(answer, "", &src), ==, -ENOENT);
    struct prism_sdp_source bad = src;
    bad.cname = "has space";
    g_assert_cmpint(prism_sdp_set_source(answer, "1", &bad), ==, -EINVAL);
    bad = src;
    bad.rtx_ssrc = bad.ssrc;
    g_assert_cmpint(prism_sdp_set_source(answer, "1", &bad), ==, -EINVAL);
    struct prism_sdp *back = sdp_reparse(answer, NULL);
    const struct prism_sdp_media *video = &back->media[1];
    g_assert_true(video->has_msid);
    g_assert_cmpstr(video->stream_id, ==, "echo");
    g_assert_cmpstr(video->track_id, ==, "video-echo");
    g_assert_cmpuint(video->ssrc_count, ==, 2);
    g_assert_cmpstr(video->ssrcs[1].cname, ==, "prism");
    g_assert_cmpstr(video->ssrcs[1].track_id, ==, "video-echo");
    g_assert_cmpuint(prism_sdp_media_rtx_ssrc(video, 11111), ==, 22222);
    prism_sdp_free(back);
    prism_sdp_free(answer);
    prism_sdp_free(offer);
}

/* Validation: the offer text with some lines removed or changed. */
static char *edit_fixture(const char *name, const char *drop_prefix, const char *from,
                          const char *to)
{
    size_t length;
    char *text = sdp_fixture(name, &length);
    char **lines = g_strsplit(text, "\r\n", -1);
    GString *out = g_string_new("");
    for (char **l = lines; *l; l++) {
        if (**l == '\0' || (drop_prefix && g_str_has_prefix(*l, drop_prefix)))
            continue;
        if (from && strcmp(*l, from) == 0)
            g_string_append_printf(out, "%s\r\n", to);
        else
            g_string_append_printf(out, "%s\r\n", *l);
    }
    g_strfreev(lines);
    g_free(text);
    return g_string_free(out, FALSE);
}

static void expect_invalid_offer(char *text, enum prism_sdp_error_code code, const char *words)
{
    struct prism_sdp *offer = sdp_parse_text(text);
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *answer = NULL;
    struct prism_sdp_error err;
    g_assert_cmpint(prism_sdp_validate_offer(offer, &err), ==, -EINVAL);
    g_assert_cmpint(err.code, ==, code);
    g_assert_nonnull(strstr(err.message, words));
    g_assert_cmpint(prism_sdp_answer_create(offer, &o, &answer, &err), ==, -EINVAL);
    g_assert_cmpint(err.code, ==, code);
    g_assert_null(answer);
    prism_sdp_free(offer);
    g_free(text);
}

static void test_validate_refuses_what_an_sfu_cannot_serve(void)
{
    const char *f = "chrome_sendrecv.sdp";
    expect_invalid_offer(edit_fixture(f, "a=group:BUNDLE", NULL, NULL), PRISM_SDP_ERR_NO_BUNDLE,
                         "offer without BUNDLE");
    expect_invalid_offer(edit_fixture(f, NULL, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0"),
                         PRISM_SDP_ERR_NO_BUNDLE, "mid 1");
    expect_invalid_offer(edit_fixture(f, "a=rtcp-mux", NULL, NULL), PRISM_SDP_ERR_NO_RTCP_MUX,
                         "rtcp-mux required");
    expect_invalid_offer(edit_fixture(f, "a=ice-pwd", NULL, NULL), PRISM_SDP_ERR_NO_ICE, "ice-pwd");
    expect_invalid_offer(edit_fixture(f, "a=ice-ufrag", NULL, NULL), PRISM_SDP_ERR_NO_ICE,
                         "ice-ufrag");
    expect_invalid_offer(edit_fixture(f, "a=fingerprint", NULL, NULL), PRISM_SDP_ERR_NO_FINGERPRINT,
                         "fingerprint");
    expect_invalid_offer(edit_fixture(f, NULL, "a=mid:1", "a=mid:0"), PRISM_SDP_ERR_NO_MID,
                         "twice");
    expect_invalid_offer(edit_fixture(f, "a=mid:", NULL, NULL), PRISM_SDP_ERR_NO_MID, "a=mid");
    char *holdconn = edit_fixture(f, NULL, "a=setup:actpass", "a=setup:holdconn");
    expect_invalid_offer(holdconn, PRISM_SDP_ERR_BAD_SETUP, "holdconn");
    expect_invalid_offer(g_strdup("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"),
                         PRISM_SDP_ERR_NO_MEDIA, "no m-line");
    g_assert_cmpstr(prism_sdp_error_string(PRISM_SDP_ERR_NO_BUNDLE), ==, "offer without BUNDLE");
    g_assert_cmpstr(prism_sdp_error_string(PRISM_SDP_ERR_NO_RTCP_MUX), ==, "rtcp-mux required");
}

static void test_validate_ignores_rejected_m_lines(void)
{
    /* A stopped transceiver (port 0) needs neither BUNDLE membership nor rtcp-mux. */
    char *text = edit_fixture("chrome_sendrecv.sdp", NULL, "a=group:BUNDLE 0 1",
                              "a=group:BUNDLE 0");
    char **halves = g_strsplit(text, "m=video 9 ", 2);
    char *rejected = g_strjoinv("m=video 0 ", halves);
    g_strfreev(halves);
    struct prism_sdp *offer = sdp_parse_text(rejected);
    g_assert_cmpint(prism_sdp_validate_offer(offer, NULL), ==, 0);
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *a = answer_with(offer, &o);
    g_assert_true(prism_sdp_media_is_rejected(&a->media[1]));
    g_assert_cmpuint(a->groups[0].count, ==, 1);
    prism_sdp_free(a);
    prism_sdp_free(offer);
    g_free(rejected);
    g_free(text);
}

/* A per-m-line codec choice overrides the per-kind lists; UNKNOWN rejects the m-line. */
/* Chrome's red/48000/2 "111/111" is answered first, before Opus, only when asked for; RED
 * naming another payload type than the chosen codec's is left out. */
static void test_answer_audio_red_before_opus_when_accepted(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *offer = sdp_parse_fixture("chrome_sendrecv.sdp");
    struct prism_sdp *plain = answer_with(offer, &o);
    check_codecs(&plain->media[0], 111, "opus", -1);
    prism_sdp_free(plain);
    o.accept_audio_red = true;
    struct prism_sdp *a = answer_with(offer, &o);
    g_assert_cmpuint(a->media[0].codec_count, ==, 2);
    g_assert_cmpuint(a->media[0].codecs[0].pt, ==, 63);
    g_assert_cmpstr(a->media[0].codecs[0].name, ==, "red");
    g_assert_cmpstr(a->media[0].codecs[0].fmtp, ==, "111/111");
    g_assert_cmpuint(a->media[0].codecs[1].pt, ==, 111);
    g_assert_cmpuint(prism_sdp_media_primary_codec(&a->media[0])->pt, ==, 111);
    /* Video's red/90000 is never answered. */
    for (unsigned i = 0; i < a->media[1].codec_count; i++)
        g_assert_cmpint(a->media[1].codecs[i].id, !=, PRISM_SDP_CODEC_RED);
    prism_sdp_free(a);
    prism_sdp_free(offer);

    char *text = edit_fixture("chrome_sendrecv.sdp", NULL, "a=fmtp:63 111/111", "a=fmtp:63 111/9");
    offer = sdp_parse_text(text);
    a = answer_with(offer, &o);
    check_codecs(&a->media[0], 111, "opus", -1);
    prism_sdp_free(a);
    prism_sdp_free(offer);
    g_free(text);
}

static void test_answer_per_mline_codecs(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp_codec_pref per_line[2] = {{PRISM_SDP_CODEC_UNKNOWN, NULL},
                                               {PRISM_SDP_CODEC_H264, "42e01f"}};
    o.media_codecs = per_line;
    o.media_codec_count = 2;
    struct prism_sdp *offer = sdp_parse_fixture("chrome_recvonly.sdp");
    struct prism_sdp *a = answer_with(offer, &o);
    g_assert_true(prism_sdp_media_is_rejected(&a->media[0]));
    g_assert_false(prism_sdp_media_is_rejected(&a->media[1]));
    g_assert_cmpstr(a->media[1].codecs[0].name, ==, "H264");
    g_assert_cmpuint(a->groups[0].count, ==, 1);
    prism_sdp_free(a);
    /* a codec the m-line does not offer rejects it too */
    per_line[0] = (struct prism_sdp_codec_pref){PRISM_SDP_CODEC_VP8, NULL};
    per_line[1] = (struct prism_sdp_codec_pref){PRISM_SDP_CODEC_OPUS, NULL};
    a = answer_with(offer, &o);
    g_assert_true(prism_sdp_media_is_rejected(&a->media[0]));
    g_assert_true(prism_sdp_media_is_rejected(&a->media[1]));
    prism_sdp_free(a);
    prism_sdp_free(offer);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/answer/chrome-simulcast", test_answer_chrome_simulcast_receives_layers);
    g_test_add_func("/sdp/answer/chrome-sendrecv", test_answer_chrome_sendrecv_echoes);
    g_test_add_func("/sdp/answer/audio-red-before-opus",
                    test_answer_audio_red_before_opus_when_accepted);
    g_test_add_func("/sdp/answer/recvonly-offer", test_answer_recvonly_offer_gets_sendonly);
    g_test_add_func("/sdp/answer/libwebrtc-node", test_answer_libwebrtc_node_offer);
    g_test_add_func("/sdp/answer/frame-marking", test_answer_accepts_frame_marking);
    g_test_add_func("/sdp/answer/firefox-extmap-direction",
                    test_answer_firefox_mirrors_extmap_direction);
    g_test_add_func("/sdp/answer/firefox-simulcast", test_answer_firefox_simulcast_with_ssrcs);
    g_test_add_func("/sdp/answer/safari-codec-order", test_answer_safari_follows_our_codec_order);
    g_test_add_func("/sdp/answer/gstreamer-bundle-only",
                    test_answer_gstreamer_bundle_only_and_constrained_baseline);
    g_test_add_func("/sdp/answer/h264-mode0-rejected",
                    test_answer_rejects_video_with_h264_mode0_only);
    g_test_add_func("/sdp/answer/options", test_answer_options_steer_codecs_extensions_and_data);
    g_test_add_func("/sdp/answer/unknown-codecs-and-media",
                    test_answer_skips_unknown_codecs_and_media);
    g_test_add_func("/sdp/answer/candidates-first-m-line",
                    test_answer_places_candidates_in_first_m_line);
    g_test_add_func("/sdp/answer/incomplete-local-transport",
                    test_answer_refuses_incomplete_local_transport);
    g_test_add_func("/sdp/answer/source-lines", test_answer_with_source_lines);
    g_test_add_func("/sdp/answer/per-m-line-codecs", test_answer_per_mline_codecs);
    g_test_add_func("/sdp/answer/opus-fec-and-dtx-follow-the-options",
                    test_answer_opus_fec_and_dtx_follow_the_options);
    g_test_add_func("/sdp/validate/refusals", test_validate_refuses_what_an_sfu_cannot_serve);
    g_test_add_func("/sdp/validate/rejected-m-lines", test_validate_ignores_rejected_m_lines);
    return g_test_run();
}
