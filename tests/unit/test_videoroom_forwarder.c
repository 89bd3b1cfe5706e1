/* A VideoRoom forwarder made from a checked rtp_forward request: its sender configured from the
 * target (SSRC, payload type, SRTP with the request's key, never for data) and its summary as
 * Janus 1.x's rtp_forward and listforwarders give it. */
#include "media/rtp/header.h"
#include "media/rtpout/rtpout.h"
#include "media/srtp/srtp.h"
#include "plugins/videoroom/forwarder.h"

#include <glib.h>
#include <string.h>

#define KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"

static void make_request(const char *srtp, struct vr_forward_request *out)
{
    char text[512];
    snprintf(text, sizeof(text),
             "{\"room\":1,\"publisher_id\":2,\"host\":\"127.0.0.1\",\"streams\":[{\"mid\":\"1\","
             "\"port\":6004,\"ssrc\":3735928559,\"pt\":96,\"rtcp_port\":6005}]%s}",
             srtp);
    json_t *body = json_loads(text, 0, NULL);
    char reason[256];
    g_assert_cmpint(vr_forward_request_parse(body, NULL, out, reason, sizeof(reason)), ==, 0);
    json_decref(body);
}

static void assert_json(json_t *actual, const char *expected_text)
{
    json_t *expected = json_loads(expected_text, 0, NULL);
    g_assert_nonnull(expected);
    if (!json_equal(actual, expected)) {
        char *text = json_dumps(actual, JSON_SORT_KEYS);
        g_error("got %s, expected %s", text, expected_text);
    }
    json_decref(expected);
    json_decref(actual);
}

static void test_forwarder_keys_its_sender_from_the_request(void)
{
    struct vr_forward_request request;
    make_request(",\"srtp_suite\":32,\"srtp_crypto\":\"" KEY "\"", &request);
    struct vr_forwarder *forwarder = NULL;
    g_assert_cmpint(
        vr_forwarder_new(&request, &request.targets[0], PRISM_SDP_MEDIA_VIDEO, 1, 77, &forwarder),
        ==, 0);
    struct prism_rtpout *out = forwarder->out;
    g_assert_nonnull(out->srtp);
    g_assert_cmpuint(prism_srtp_rtp_overhead(out->srtp), ==, 4); /* suite 32 */
    g_assert_cmpuint(out->ssrc, ==, 3735928559u);
    g_assert_true(out->set_payload_type);
    g_assert_cmpuint(out->payload_type, ==, 96);
    g_assert_cmpuint(out->port, ==, 6004);
    g_assert_cmpuint(out->rtcp_port, ==, 6005);
    g_assert_cmpint(out->fd, ==, -1); /* no socket before forwarders.c opens it */

    /* What it sends decrypts with the key of the request. */
    struct prism_srtp_keys keys = {
        .profile = PRISM_SRTP_AES128_CM_SHA1_32, .key_len = 16, .salt_len = 14};
    memcpy(keys.remote_key, request.srtp_crypto, 16);
    memcpy(keys.remote_salt, request.srtp_crypto + 16, 14);
    memcpy(keys.local_key, keys.remote_key, 16);
    memcpy(keys.local_salt, keys.remote_salt, 14);
    struct prism_srtp *recipient = NULL;
    g_assert_cmpint(prism_srtp_new(&recipient, &keys, NULL), ==, 0);
    uint8_t packet[64] = {0x80, 120, 0, 1, 0, 0, 0, 9, 1, 2, 3, 4, 0xaa, 0xbb}, sent[128];
    size_t len = 0, plain = 0;
    g_assert_cmpint(prism_rtpout_rewrite(out, packet, 14, sent, sizeof(sent), &len), ==, 0);
    g_assert_cmpuint(len, ==, 18);
    g_assert_cmpint(prism_srtp_unprotect_rtp(recipient, sent, len, &plain), ==, PRISM_SRTP_OK);
    g_assert_cmpuint(plain, ==, 14);
    g_assert_cmpmem(sent + 12, 2, packet + 12, 2);
    prism_srtp_free(recipient);
    vr_forwarder_free(forwarder);
}

static void test_forwarder_summary_is_janus_shaped(void)
{
    struct vr_forward_request request;
    make_request(",\"srtp_suite\":80,\"srtp_crypto\":\"" KEY "\"", &request);
    struct vr_forwarder *forwarder = NULL;
    g_assert_cmpint(
        vr_forwarder_new(&request, &request.targets[0], PRISM_SDP_MEDIA_VIDEO, 1, 77, &forwarder),
        ==, 0);
    forwarder->out->local_rtcp_port = 40000;
    assert_json(vr_forwarder_summary(forwarder),
                "{\"stream_id\":77,\"type\":\"video\",\"mid\":\"1\",\"host\":\"127.0.0.1\","
                "\"port\":6004,\"local_rtcp_port\":40000,\"remote_rtcp_port\":6005,"
                "\"ssrc\":3735928559,\"pt\":96,\"srtp\":true}");
    vr_forwarder_free(forwarder);

    /* Data forwarders are never encrypted and say nothing about SRTP. */
    request.targets[0].rtcp_port = 0;
    request.targets[0].ssrc = 0;
    request.targets[0].has_pt = false;
    g_assert_cmpint(vr_forwarder_new(&request, &request.targets[0], PRISM_SDP_MEDIA_APPLICATION, 2,
                                     9, &forwarder),
                    ==, 0);
    g_assert_null(forwarder->out->srtp);
    assert_json(vr_forwarder_summary(forwarder),
                "{\"stream_id\":9,\"type\":\"data\",\"mid\":\"1\",\"host\":\"127.0.0.1\","
                "\"port\":6004}");
    vr_forwarder_free(forwarder);

    /* An IPv6 target, plain audio. */
    json_t *body = json_loads("{\"room\":1,\"publisher_id\":2,\"host\":\"::1\",\"streams\":[{"
                              "\"mid\":\"a\",\"port\":7000}]}",
                              0, NULL);
    char reason[256];
    g_assert_cmpint(vr_forward_request_parse(body, NULL, &request, reason, sizeof(reason)), ==, 0);
    json_decref(body);
    g_assert_cmpint(
        vr_forwarder_new(&request, &request.targets[0], PRISM_SDP_MEDIA_AUDIO, 0, 5, &forwarder),
        ==, 0);
    assert_json(vr_forwarder_summary(forwarder),
                "{\"stream_id\":5,\"type\":\"audio\",\"mid\":\"a\",\"host\":\"::1\","
                "\"port\":7000,\"srtp\":false}");
    vr_forwarder_free(forwarder);
    g_assert_cmpint(
        vr_forwarder_new(&request, &request.targets[0], PRISM_SDP_MEDIA_AUDIO, 0, 0, &forwarder),
        ==, -EINVAL); /* stream ids start at 1 */
}

/* A VP8 packet: a keyframe start or an interframe (RFC 7741: S=1 PID=0, then P bit). */
static size_t vp8_packet(uint8_t *out, bool keyframe, struct prism_rtp_header *header)
{
    struct prism_rtp_header_fields fields = {.payload_type = 96, .seq = 7, .ssrc = 5};
    g_assert_cmpint(prism_rtp_build_header(out, 64, &fields), ==, 12);
    out[12] = 0x10;                   /* S=1, PID 0 */
    out[13] = keyframe ? 0x00 : 0x01; /* P=0: keyframe */
    out[14] = out[15] = 0;
    g_assert_cmpint(prism_rtp_parse(out, 16, header), ==, 0);
    return 16;
}

static void test_forwarder_asks_for_keyframes_until_one_goes_out(void)
{
    struct vr_forward_request request;
    make_request("", &request);
    struct vr_forwarder *video = NULL, *audio = NULL;
    g_assert_cmpint(
        vr_forwarder_new(&request, &request.targets[0], PRISM_SDP_MEDIA_VIDEO, 1, 1, &video), ==,
        0);
    g_assert_cmpint(
        vr_forwarder_new(&request, &request.targets[0], PRISM_SDP_MEDIA_AUDIO, 0, 2, &audio), ==,
        0);
    uint8_t packet[64];
    struct prism_rtp_header delta, key;
    vp8_packet(packet, false, &delta);
    uint8_t key_packet[64];
    vp8_packet(key_packet, true, &key);
    const uint64_t t0 = 1000000;
    vr_forwarder_keyframe_asked(video, t0);
    vr_forwarder_keyframe_asked(audio, t0);
    g_assert_false(audio->awaiting_keyframe); /* audio decodes from any packet */
    g_assert_true(video->awaiting_keyframe);

    g_assert_false(vr_forwarder_keyframe_due(video, PRISM_SDP_CODEC_VP8, &delta, t0 + 100000));
    g_assert_true(vr_forwarder_keyframe_due(video, PRISM_SDP_CODEC_VP8, &delta,
                                            t0 + VR_FORWARD_KEYFRAME_RETRY_US));
    /* Asked again: the next request is one retry interval later. */
    g_assert_false(vr_forwarder_keyframe_due(video, PRISM_SDP_CODEC_VP8, &delta,
                                             t0 + VR_FORWARD_KEYFRAME_RETRY_US + 1000));
    g_assert_true(vr_forwarder_keyframe_due(video, PRISM_SDP_CODEC_VP8, &delta,
                                            t0 + 2 * VR_FORWARD_KEYFRAME_RETRY_US));
    /* The keyframe ends the wait for good. */
    g_assert_false(vr_forwarder_keyframe_due(video, PRISM_SDP_CODEC_VP8, &key, t0 + 3000000));
    g_assert_false(video->awaiting_keyframe);
    g_assert_false(vr_forwarder_keyframe_due(video, PRISM_SDP_CODEC_VP8, &delta, t0 + 9000000));
    /* A codec Prism cannot look into does not keep the publisher asked forever. */
    vr_forwarder_keyframe_asked(video, t0);
    g_assert_false(vr_forwarder_keyframe_due(video, PRISM_SDP_CODEC_UNKNOWN, &delta, t0 + 5000000));
    g_assert_false(video->awaiting_keyframe);
    vr_forwarder_free(video);
    vr_forwarder_free(audio);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/forwarder/keys_its_sender_from_the_request",
                    test_forwarder_keys_its_sender_from_the_request);
    g_test_add_func("/videoroom/forwarder/asks_for_keyframes_until_one_goes_out",
                    test_forwarder_asks_for_keyframes_until_one_goes_out);
    g_test_add_func("/videoroom/forwarder/summary_is_janus_shaped",
                    test_forwarder_summary_is_janus_shaped);
    return g_test_run();
}
