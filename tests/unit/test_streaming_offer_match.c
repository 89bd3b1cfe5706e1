/* A WHEP viewer's own offer matched to a mountpoint's streams: each recvonly audio/video m-line
 * gets the first free stream of its kind whose codec it offers; everything else is rejected,
 * and an offer with nothing usable is refused with a reason. */
#include "plugins/streaming/offer_match.h"

#include "sdp_test_util.h"

#include <errno.h>

static struct st_stream_spec spec(enum prism_sdp_media_kind kind, enum prism_sdp_codec_id id,
                                  const char *fmtp)
{
    struct st_stream_spec s = {.kind = kind};
    s.codec.id = id;
    g_strlcpy(s.codec.fmtp, fmtp ? fmtp : "", sizeof(s.codec.fmtp));
    return s;
}

static void test_offer_match_audio_and_video_of_chrome(void)
{
    struct prism_sdp *offer = sdp_parse_fixture("chrome_recvonly.sdp");
    /* the mountpoint lists video first: matched by kind, not by order */
    struct st_stream_spec specs[] = {spec(PRISM_SDP_MEDIA_VIDEO, PRISM_SDP_CODEC_VP8, NULL),
                                     spec(PRISM_SDP_MEDIA_AUDIO, PRISM_SDP_CODEC_OPUS, NULL)};
    struct st_offer_match match;
    char reason[256] = "";
    g_assert_cmpint(st_offer_match(offer, specs, 2, &match, reason, sizeof(reason)), ==, 2);
    g_assert_cmpuint(match.media_count, ==, 2);
    g_assert_cmpint(match.stream[0], ==, 1);
    g_assert_cmpint(match.stream[1], ==, 0);
    g_assert_cmpint(match.codecs[0].id, ==, PRISM_SDP_CODEC_OPUS);
    g_assert_cmpint(match.codecs[1].id, ==, PRISM_SDP_CODEC_VP8);
    g_assert_null(match.codecs[1].profile);
    prism_sdp_free(offer);
}

static void test_offer_match_keeps_h264_and_vp9_profiles(void)
{
    struct prism_sdp *offer = sdp_parse_fixture("chrome_recvonly.sdp");
    struct st_stream_spec h264[] = {spec(PRISM_SDP_MEDIA_VIDEO, PRISM_SDP_CODEC_H264,
                                         "packetization-mode=1;profile-level-id=42e01f")};
    struct st_offer_match match;
    char reason[256];
    g_assert_cmpint(st_offer_match(offer, h264, 1, &match, reason, sizeof(reason)), ==, 1);
    g_assert_cmpint(match.stream[0], ==, -1);
    g_assert_cmpint(match.codecs[0].id, ==, PRISM_SDP_CODEC_UNKNOWN);
    g_assert_cmpint(match.stream[1], ==, 0);
    g_assert_cmpstr(match.codecs[1].profile, ==, "42e01f");
    /* a VP9 profile the offer lacks (it has 0 to 3): no match; profile 2: a match */
    struct st_stream_spec vp9[] = {
        spec(PRISM_SDP_MEDIA_VIDEO, PRISM_SDP_CODEC_VP9, "profile-id=7")};
    g_assert_cmpint(st_offer_match(offer, vp9, 1, &match, reason, sizeof(reason)), ==, -EINVAL);
    g_strlcpy(vp9[0].codec.fmtp, "profile-id=2", sizeof(vp9[0].codec.fmtp));
    g_assert_cmpint(st_offer_match(offer, vp9, 1, &match, reason, sizeof(reason)), ==, 1);
    g_assert_cmpstr(match.codecs[1].profile, ==, "2");
    prism_sdp_free(offer);
}

/* Two video m-lines and two video streams of different codecs: each m-line its own. */
static const char two_videos
    [] = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE v1 v2 a1\r\n"
         "a=fingerprint:sha-256 "
         "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:"
         "1D:1E:1F\r\n"
         "a=setup:actpass\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
         "m=video 9 UDP/TLS/RTP/SAVPF 96 98\r\nc=IN IP4 0.0.0.0\r\na=mid:v1\r\na=recvonly\r\n"
         "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:98 VP9/90000\r\n"
         "m=video 9 UDP/TLS/RTP/SAVPF 96 98\r\nc=IN IP4 0.0.0.0\r\na=mid:v2\r\na=sendonly\r\n"
         "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:98 VP9/90000\r\n"
         "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:a1\r\na=recvonly\r\n"
         "a=rtcp-mux\r\na=rtpmap:0 PCMU/8000\r\n";

static void test_offer_match_each_stream_once(void)
{
    struct prism_sdp *offer = sdp_parse_text(two_videos);
    struct st_stream_spec specs[] = {spec(PRISM_SDP_MEDIA_VIDEO, PRISM_SDP_CODEC_VP9, NULL),
                                     spec(PRISM_SDP_MEDIA_VIDEO, PRISM_SDP_CODEC_VP8, NULL),
                                     spec(PRISM_SDP_MEDIA_AUDIO, PRISM_SDP_CODEC_OPUS, NULL)};
    struct st_offer_match match;
    char reason[256];
    /* v1 takes the first video stream (VP9); v2 is sendonly (we cannot send on it); the audio
     * m-line offers no Opus */
    g_assert_cmpint(st_offer_match(offer, specs, 3, &match, reason, sizeof(reason)), ==, 1);
    g_assert_cmpint(match.stream[0], ==, 0);
    g_assert_cmpint(match.codecs[0].id, ==, PRISM_SDP_CODEC_VP9);
    g_assert_cmpint(match.stream[1], ==, -1);
    g_assert_cmpint(match.stream[2], ==, -1);
    prism_sdp_free(offer);
    char *text = g_strdup(two_videos);
    memcpy(strstr(text, "a=sendonly"), "a=sendrecv", 10);
    offer = sdp_parse_text(text);
    g_assert_cmpint(st_offer_match(offer, specs, 3, &match, reason, sizeof(reason)), ==, 2);
    g_assert_cmpint(match.stream[1], ==, 1);
    g_assert_cmpint(match.codecs[1].id, ==, PRISM_SDP_CODEC_VP8);
    /* a mountpoint of one stream: only the first m-line gets it */
    g_assert_cmpint(st_offer_match(offer, &specs[1], 1, &match, reason, sizeof(reason)), ==, 1);
    g_assert_cmpint(match.stream[0], ==, 0);
    g_assert_cmpint(match.stream[1], ==, -1);
    prism_sdp_free(offer);
    g_free(text);
}

static void test_offer_match_refuses_what_cannot_be_served(void)
{
    struct st_offer_match match;
    char reason[256] = "";
    struct st_stream_spec data = {.kind = PRISM_SDP_MEDIA_APPLICATION};
    struct st_stream_spec opus = spec(PRISM_SDP_MEDIA_AUDIO, PRISM_SDP_CODEC_OPUS, NULL);
    struct prism_sdp *offer = sdp_parse_text(two_videos);
    /* only a data stream; no stream at all; no offer at all */
    g_assert_cmpint(st_offer_match(offer, &data, 1, &match, reason, sizeof(reason)), ==, -EINVAL);
    g_assert_nonnull(strstr(reason, "no recvonly audio or video m-line"));
    g_assert_cmpint(st_offer_match(offer, NULL, 0, &match, reason, sizeof(reason)), ==, -EINVAL);
    g_assert_cmpint(st_offer_match(NULL, &opus, 1, &match, reason, sizeof(reason)), ==, -EINVAL);
    g_assert_cmpuint(match.media_count, ==, 0);
    prism_sdp_free(offer);
    /* every m-line rejected (port 0) or inactive */
    char *text = g_strdup(two_videos);
    char *audio = strstr(text, "m=audio 9");
    audio[8] = '0';
    memcpy(strstr(text, "a=recvonly"), "a=inactive", 10);
    offer = sdp_parse_text(text);
    g_assert_cmpint(st_offer_match(offer, &opus, 1, &match, reason, sizeof(reason)), ==, -EINVAL);
    prism_sdp_free(offer);
    g_free(text);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/streaming/offer-match/chrome", test_offer_match_audio_and_video_of_chrome);
    g_test_add_func("/streaming/offer-match/profiles",
                    test_offer_match_keeps_h264_and_vp9_profiles);
    g_test_add_func("/streaming/offer-match/each-stream-once", test_offer_match_each_stream_once);
    g_test_add_func("/streaming/offer-match/refusals",
                    test_offer_match_refuses_what_cannot_be_served);
    return g_test_run();
}
