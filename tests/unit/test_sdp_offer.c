/* The SFU as offerer (subscribers): building the offer, reading a remote answer back and
 * refusing answers that do not fit. */
#include "sdp_test_util.h"

#include <errno.h>

static struct prism_sdp_codec make_codec(uint8_t pt, const char *name, uint32_t clock,
                                         uint8_t channels, const char *fmtp, uint32_t feedback)
{
    struct prism_sdp_codec c;
    memset(&c, 0, sizeof(c));
    c.pt = pt;
    snprintf(c.name, sizeof(c.name), "%s", name);
    c.clock_rate = clock;
    c.channels = channels;
    snprintf(c.fmtp, sizeof(c.fmtp), "%s", fmtp);
    c.feedback = feedback;
    return c;
}

static struct prism_sdp_extmap make_ext(uint8_t id, const char *uri)
{
    struct prism_sdp_extmap e;
    memset(&e, 0, sizeof(e));
    e.id = id;
    snprintf(e.uri, sizeof(e.uri), "%s", uri);
    return e;
}

/* A subscriber of one publisher: audio, video with RTX, data, and a freed slot. */
struct subscriber {
    struct prism_sdp_codec audio_codecs[1], video_codecs[4];
    struct prism_sdp_extmap audio_ext[3], video_ext[4];
    struct prism_sdp_source audio_src, video_src;
    struct prism_sdp_offer_media media[4];
    struct prism_sdp_offer_options options;
};

static void subscriber_init(struct subscriber *s)
{
    memset(s, 0, sizeof(*s));
    uint32_t video_fb = PRISM_SDP_FB_NACK | PRISM_SDP_FB_NACK_PLI | PRISM_SDP_FB_CCM_FIR |
                        PRISM_SDP_FB_TRANSPORT_CC;
    s->audio_codecs[0] = make_codec(111, "opus", 48000, 2, "minptime=10;useinbandfec=1",
                                    PRISM_SDP_FB_TRANSPORT_CC);
    s->video_codecs[0] = make_codec(96, "VP8", 90000, 0, "", video_fb);
    s->video_codecs[1] = make_codec(97, "rtx", 90000, 0, "apt=96", 0);
    s->video_codecs[2] = make_codec(102, "H264", 90000, 0,
                                    "level-asymmetry-allowed=1;packetization-mode=1;"
                                    "profile-level-id=42e01f",
                                    video_fb);
    s->video_codecs[3] = make_codec(103, "rtx", 90000, 0, "apt=102", 0);
    s->audio_ext[0] = make_ext(1, PRISM_SDP_EXT_MID);
    s->audio_ext[1] = make_ext(2, PRISM_SDP_EXT_AUDIO_LEVEL);
    s->audio_ext[2] = make_ext(3, PRISM_SDP_EXT_TWCC);
    s->video_ext[0] = make_ext(1, PRISM_SDP_EXT_MID);
    s->video_ext[1] = make_ext(3, PRISM_SDP_EXT_TWCC);
    s->video_ext[2] = make_ext(4, PRISM_SDP_EXT_ABS_SEND_TIME);
    s->video_ext[3] = make_ext(5, PRISM_SDP_EXT_PLAYOUT_DELAY);
    s->audio_src = (struct prism_sdp_source){
        .ssrc = 1001, .cname = "prism-feed-7", .stream_id = "feed7", .track_id = "feed7-audio"};
    s->video_src = (struct prism_sdp_source){.ssrc = 2002,
                                             .rtx_ssrc = 2003,
                                             .cname = "prism-feed-7",
                                             .stream_id = "feed7",
                                             .track_id = "feed7-video"};
    s->media[0] = (struct prism_sdp_offer_media){.kind = PRISM_SDP_MEDIA_AUDIO,
                                                 .mid = "a0",
                                                 .direction = PRISM_SDP_SENDONLY,
                                                 .codecs = s->audio_codecs,
                                                 .codec_count = 1,
                                                 .extmaps = s->audio_ext,
                                                 .extmap_count = 3,
                                                 .source = &s->audio_src};
    s->media[1] = (struct prism_sdp_offer_media){.kind = PRISM_SDP_MEDIA_VIDEO,
                                                 .mid = "v1",
                                                 .direction = PRISM_SDP_SENDONLY,
                                                 .codecs = s->video_codecs,
                                                 .codec_count = 4,
                                                 .extmaps = s->video_ext,
                                                 .extmap_count = 4,
                                                 .source = &s->video_src};
    s->media[2] = (struct prism_sdp_offer_media){.kind = PRISM_SDP_MEDIA_APPLICATION, .mid = "d2"};
    s->media[3] = (struct prism_sdp_offer_media){.kind = PRISM_SDP_MEDIA_VIDEO,
                                                 .mid = "v3",
                                                 .rejected = true,
                                                 .codecs = s->video_codecs,
                                                 .codec_count = 1};
    s->options.session_id = 777;
    s->options.session_version = 3;
    s->options.transport.ice_ufrag = "Sub1";
    s->options.transport.ice_pwd = "subscribersubscriber22";
    memcpy(s->options.transport.fingerprint.algorithm, "sha-256", 8);
    s->options.transport.fingerprint.length = 32;
    s->options.media = s->media;
    s->options.media_count = 4;
}

static struct prism_sdp *build_offer(const struct subscriber *s, char **text)
{
    struct prism_sdp *offer = NULL;
    struct prism_sdp_error err;
    if (prism_sdp_offer_create(&s->options, &offer, &err) != 0)
        g_error("offer failed: %s", err.message);
    struct prism_sdp *back = sdp_reparse(offer, text);
    prism_sdp_free(offer);
    return back;
}

static void test_offer_describes_subscriber_streams(void)
{
    struct subscriber s;
    subscriber_init(&s);
    char *text = NULL;
    struct prism_sdp *offer = build_offer(&s, &text);
    g_assert_true(g_str_has_prefix(text, "v=0\r\no=- 777 3 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                                         "a=group:BUNDLE a0 v1 d2\r\n"));
    g_assert_nonnull(strstr(text, "\r\na=setup:actpass\r\n"));
    g_assert_nonnull(strstr(text, "\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\n"));
    for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        g_assert_cmpint(p[-1], ==, '\r'); /* CRLF only */
    g_assert_cmpuint(offer->media_count, ==, 4);
    const struct prism_sdp_media *audio = &offer->media[0], *video = &offer->media[1];
    g_assert_cmpint(audio->transport.setup, ==, PRISM_SDP_SETUP_ACTPASS);
    g_assert_cmpint(audio->direction, ==, PRISM_SDP_SENDONLY);
    g_assert_true(audio->rtcp_mux && audio->rtcp_rsize);
    g_assert_cmpstr(audio->stream_id, ==, "feed7");
    g_assert_cmpuint(audio->ssrcs[0].ssrc, ==, 1001);
    g_assert_cmpstr(audio->ssrcs[0].cname, ==, "prism-feed-7");
    g_assert_cmpuint(video->codec_count, ==, 4);
    g_assert_cmpint(prism_sdp_codec_apt(&video->codecs[3]), ==, 102);
    g_assert_cmpuint(video->codecs[2].feedback & PRISM_SDP_FB_NACK_PLI, !=, 0);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_PLAYOUT_DELAY), ==, 5);
    g_assert_cmpuint(prism_sdp_media_rtx_ssrc(video, 2002), ==, 2003);
    g_assert_cmpstr(video->ssrcs[1].track_id, ==, "feed7-video");
    g_assert_cmpstr(offer->media[2].proto, ==, "UDP/DTLS/SCTP");
    g_assert_cmpuint(offer->media[2].sctp_port, ==, 5000);
    g_assert_cmpuint(offer->media[2].max_message_size, ==, 262144);
    g_assert_cmpint(prism_sdp_set_source(offer, "d2", &s.audio_src), ==, -EINVAL);
    g_assert_true(prism_sdp_media_is_rejected(&offer->media[3]));
    g_assert_false(prism_sdp_bundle_contains(offer, "v3"));
    g_assert_cmpint(offer->media[3].direction, ==, PRISM_SDP_INACTIVE);
    free(text);
    prism_sdp_free(offer);
}

/* A browser answering our offer, modelled by our own answerer as a receive-only peer. */
static struct prism_sdp *browser_answer(const struct prism_sdp *offer)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    o.local_direction = PRISM_SDP_RECVONLY;
    struct prism_sdp *answer = NULL;
    g_assert_cmpint(prism_sdp_answer_create(offer, &o, &answer, NULL), ==, 0);
    struct prism_sdp *back = sdp_reparse(answer, NULL);
    prism_sdp_free(answer);
    return back;
}

static void test_offer_answer_round_trip_reads_choices(void)
{
    struct subscriber s;
    subscriber_init(&s);
    struct prism_sdp *offer = build_offer(&s, NULL);
    struct prism_sdp *answer = browser_answer(offer);
    struct prism_sdp_error err;
    g_assert_cmpint(prism_sdp_validate_answer(offer, answer, &err), ==, 0);
    const struct prism_sdp_media *video = prism_sdp_find_media(answer, "v1");
    g_assert_cmpint(video->transport.setup, ==, PRISM_SDP_SETUP_PASSIVE);
    g_assert_cmpint(video->direction, ==, PRISM_SDP_RECVONLY);
    const struct prism_sdp_codec *chosen = prism_sdp_media_primary_codec(video);
    g_assert_cmpuint(chosen->pt, ==, 96);
    g_assert_cmpuint(prism_sdp_media_rtx_for(video, chosen->pt)->pt, ==, 97);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_TWCC), ==, 3);
    g_assert_true(prism_sdp_media_is_rejected(&answer->media[3]));
    g_assert_cmpuint(answer->media[2].sctp_port, ==, 5000);
    prism_sdp_free(answer);
    prism_sdp_free(offer);
}

/* A Chrome-shaped answer to the same offer, written out by hand, with the transport lines only
 * in the BUNDLE-tagged m-line as RFC 8843 allows. */
static const char chrome_answer
    [] = "v=0\r\no=- 5012 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a0 v1 d2\r\n"
         "a=msid-semantic: WMS\r\n"
         "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:Zq7e\r\n"
         "a=ice-pwd:Wc9h2kKq8vYt3LmPn5RsXa0B\r\na=ice-options:trickle\r\n"
         "a=fingerprint:sha-256 11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:"
         "77:88:99:AA:BB:CC:DD:EE:FF:00\r\na=setup:active\r\na=mid:a0\r\n"
         "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
         "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
         "a=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
         "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
         "m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\nc=IN IP4 0.0.0.0\r\na=mid:v1\r\n"
         "a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
         "a=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:102 H264/90000\r\n"
         "a=rtcp-fb:102 nack pli\r\n"
         "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
         "a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n"
         "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:d2\r\n"
         "a=sctp-port:5000\r\na=max-message-size:262144\r\n"
         "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:v3\r\na=inactive\r\n";

/* The answer text with one replacement. */
static char *answer_text(const char *from, const char *to)
{
    GString *text = g_string_new(chrome_answer);
    if (from)
        g_assert_cmpuint(g_string_replace(text, from, to, 1), ==, 1);
    return g_string_free(text, FALSE);
}

static void test_offer_reads_chrome_answer(void)
{
    struct subscriber s;
    subscriber_init(&s);
    struct prism_sdp *offer = build_offer(&s, NULL);
    char *text = answer_text(NULL, NULL);
    struct prism_sdp *answer = sdp_parse_text(text);
    g_assert_cmpint(prism_sdp_validate_answer(offer, answer, NULL), ==, 0);
    const struct prism_sdp_media *video = &answer->media[1];
    g_assert_cmpuint(prism_sdp_media_primary_codec(video)->pt, ==, 102);
    g_assert_cmpuint(prism_sdp_media_rtx_for(video, 102)->pt, ==, 103);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_ABS_SEND_TIME), ==, 4);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_TWCC), ==, 0);
    g_assert_cmpint(answer->media[0].transport.setup, ==, PRISM_SDP_SETUP_ACTIVE);
    g_assert_true(prism_sdp_media_transport(answer, video) == &answer->media[0].transport);
    g_assert_cmpstr(prism_sdp_media_transport(answer, video)->ice_ufrag, ==, "Zq7e");
    prism_sdp_free(answer);
    g_free(text);
    prism_sdp_free(offer);
}

static void expect_bad_answer(const struct prism_sdp *offer, const char *from, const char *to,
                              enum prism_sdp_error_code code)
{
    char *text = answer_text(from, to);
    struct prism_sdp *answer = sdp_parse_text(text);
    struct prism_sdp_error err;
    g_assert_cmpint(prism_sdp_validate_answer(offer, answer, &err), ==, -EINVAL);
    if (err.code != code)
        g_error("%s -> %s: expected code %d, got %d (%s)", from, to, code, err.code, err.message);
    prism_sdp_free(answer);
    g_free(text);
}

static void test_offer_refuses_answers_that_do_not_fit(void)
{
    struct subscriber s;
    subscriber_init(&s);
    struct prism_sdp *offer = build_offer(&s, NULL);
    expect_bad_answer(offer, "a=mid:v1", "a=mid:v9", PRISM_SDP_ERR_MISMATCH);
    expect_bad_answer(offer, "a=rtpmap:102 H264", "a=rtpmap:102 VP9", PRISM_SDP_ERR_MISMATCH);
    expect_bad_answer(offer, "UDP/TLS/RTP/SAVPF 102 103", "UDP/TLS/RTP/SAVPF 104 103",
                      PRISM_SDP_ERR_MISMATCH);
    expect_bad_answer(offer, "a=extmap:4 ", "a=extmap:6 ", PRISM_SDP_ERR_MISMATCH);
    expect_bad_answer(offer, "a=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize",
                      "a=sendonly\r\na=rtcp-mux\r\na=rtcp-rsize", PRISM_SDP_ERR_MISMATCH);
    expect_bad_answer(offer, "a=setup:active", "a=setup:actpass", PRISM_SDP_ERR_BAD_SETUP);
    expect_bad_answer(offer, "a=fingerprint:", "a=x-fingerprint:", PRISM_SDP_ERR_NO_FINGERPRINT);
    expect_bad_answer(offer, "a=recvonly\r\na=rtcp-mux\r\na=rtpmap", "a=recvonly\r\na=rtpmap",
                      PRISM_SDP_ERR_NO_RTCP_MUX);
    expect_bad_answer(offer, "a=group:BUNDLE a0 v1 d2", "a=group:BUNDLE a0 v1",
                      PRISM_SDP_ERR_NO_BUNDLE);
    expect_bad_answer(offer, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:v3",
                      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:v3",
                      PRISM_SDP_ERR_MISMATCH);
    expect_bad_answer(offer,
                      "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
                      "a=mid:v3\r\na=inactive\r\n",
                      "", PRISM_SDP_ERR_MISMATCH); /* one m-line short */
    prism_sdp_free(offer);
}

static void expect_bad_options(struct subscriber *s, int errnum, enum prism_sdp_error_code code)
{
    struct prism_sdp *offer = NULL;
    struct prism_sdp_error err;
    g_assert_cmpint(prism_sdp_offer_create(&s->options, &offer, &err), ==, -errnum);
    g_assert_cmpint(err.code, ==, code);
    g_assert_null(offer);
    subscriber_init(s);
}

static void test_offer_refuses_invalid_streams(void)
{
    struct subscriber s;
    subscriber_init(&s);
    s.options.media_count = 0;
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.options.media_count = PRISM_SDP_MAX_MEDIA + 1;
    expect_bad_options(&s, E2BIG, PRISM_SDP_ERR_LIMIT);
    s.media[1].mid = "a0";
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.media[1].mid = "has space";
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.media[1].mid = NULL;
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.video_codecs[1].pt = 96;
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.video_codecs[0].pt = 128;
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    memcpy(s.video_codecs[0].name, "VP8\r\n", 6);
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.video_codecs[0].clock_rate = 0;
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.media[1].codec_count = 0;
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.video_ext[1].id = 1;
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.video_ext[1].id = 0;
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.video_src.cname = NULL;
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.media[0].kind = PRISM_SDP_MEDIA_OTHER;
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    s.options.transport.ice_ufrag = "ab";
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
    memcpy(s.options.transport.fingerprint.algorithm, "sha-999", 8);
    expect_bad_options(&s, EINVAL, PRISM_SDP_ERR_INVALID_ARGUMENT);
}

static void test_offer_two_byte_extension_ids_allow_mixed(void)
{
    struct subscriber s;
    subscriber_init(&s);
    s.video_ext[3].id = 200;
    struct prism_sdp *offer = build_offer(&s, NULL);
    g_assert_true(offer->extmap_allow_mixed);
    g_assert_cmpuint(prism_sdp_media_extmap_id(&offer->media[1], PRISM_SDP_EXT_PLAYOUT_DELAY), ==,
                     200);
    prism_sdp_free(offer);
}

/* An ICE-lite server says so at session level (RFC 8839 section 5.3), and only then. */
static void test_offer_from_lite_agent_says_ice_lite(void)
{
    struct subscriber s;
    subscriber_init(&s);
    char *text = NULL;
    struct prism_sdp *offer = build_offer(&s, &text);
    g_assert_false(offer->ice_lite);
    g_assert_null(strstr(text, "a=ice-lite"));
    free(text);
    prism_sdp_free(offer);
    s.options.transport.ice_lite = true;
    offer = build_offer(&s, &text);
    g_assert_true(offer->ice_lite);
    g_assert_nonnull(strstr(text, "\r\nt=0 0\r\na=group:BUNDLE a0 v1 d2\r\na=ice-lite\r\n"));
    free(text);
    prism_sdp_free(offer);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/offer/describes-subscriber-streams",
                    test_offer_describes_subscriber_streams);
    g_test_add_func("/sdp/offer/answer-round-trip", test_offer_answer_round_trip_reads_choices);
    g_test_add_func("/sdp/offer/reads-chrome-answer", test_offer_reads_chrome_answer);
    g_test_add_func("/sdp/offer/refuses-unfit-answers", test_offer_refuses_answers_that_do_not_fit);
    g_test_add_func("/sdp/offer/refuses-invalid-streams", test_offer_refuses_invalid_streams);
    g_test_add_func("/sdp/offer/two-byte-extension-ids",
                    test_offer_two_byte_extension_ids_allow_mixed);
    g_test_add_func("/sdp/offer/lite-agent-says-ice-lite",
                    test_offer_from_lite_agent_says_ice_lite);
    return g_test_run();
}
