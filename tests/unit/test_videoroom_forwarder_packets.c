/* What a VideoRoom RTP forwarder puts on the wire (sans-IO): the publisher's packet with the
 * requested SSRC and payload type, SRTP that the recipient can authenticate and decrypt with
 * the key of the request (suites 80 and 32), its first RTCP, the keyframe requests it reads
 * back, and its Janus summary. */
#include "media/rtcp/feedback.h"
#include "media/rtcp/rtcp.h"
#include "media/rtp/header.h"
#include "media/srtp/srtp.h"
#include "plugins/videoroom/forwarder.h"

#include <glib.h>
#include <string.h>
#include <sys/socket.h>

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

static struct vr_forwarder *make_forwarder(const char *srtp)
{
    struct vr_forward_request request;
    make_request(srtp, &request);
    struct vr_forwarder *forwarder = NULL;
    g_assert_cmpint(
        vr_forwarder_new(&request, &request.targets[0], PRISM_SDP_MEDIA_VIDEO, 1, 77, &forwarder),
        ==, 0);
    return forwarder;
}

/* A publisher's VP8 packet: marker set, pt 120, seq 1000, ts 90000, ssrc 0x11223344. */
static size_t publisher_packet(uint8_t *out)
{
    struct prism_rtp_header_fields fields = {
        .marker = true, .payload_type = 120, .seq = 1000, .timestamp = 90000, .ssrc = 0x11223344};
    int header = prism_rtp_build_header(out, 1500, &fields);
    g_assert_cmpint(header, ==, 12);
    for (int i = 0; i < 100; i++)
        out[12 + i] = (uint8_t)(i * 7);
    return 112;
}

static void assert_rewritten(const uint8_t *original, const uint8_t *sent, size_t len)
{
    struct prism_rtp_header header;
    g_assert_cmpint(prism_rtp_parse(sent, len, &header), ==, 0);
    g_assert_cmpuint(header.ssrc, ==, 3735928559u);
    g_assert_cmpuint(header.payload_type, ==, 96);
    g_assert_true(header.marker);
    g_assert_cmpuint(header.seq, ==, 1000);
    g_assert_cmpuint(header.timestamp, ==, 90000);
    g_assert_cmpmem(sent + 12, len - 12, original + 12, 100);
}

static void test_forwarder_rewrites_ssrc_and_payload_type(void)
{
    struct vr_forwarder *forwarder = make_forwarder("");
    uint8_t packet[1500], out[1600];
    size_t len = publisher_packet(packet), out_len = 0;
    g_assert_cmpint(vr_forwarder_rewrite(forwarder, packet, len, out, sizeof(out), &out_len), ==,
                    0);
    g_assert_cmpuint(out_len, ==, len);
    assert_rewritten(packet, out, out_len);
    vr_forwarder_free(forwarder);

    /* Without ssrc and pt the packet goes on as the publisher sent it. */
    struct vr_forward_request request;
    make_request("", &request);
    request.targets[0].ssrc = 0;
    request.targets[0].has_pt = false;
    g_assert_cmpint(
        vr_forwarder_new(&request, &request.targets[0], PRISM_SDP_MEDIA_AUDIO, 0, 5, &forwarder),
        ==, 0);
    g_assert_cmpint(vr_forwarder_rewrite(forwarder, packet, len, out, sizeof(out), &out_len), ==,
                    0);
    g_assert_cmpmem(out, out_len, packet, len);
    vr_forwarder_free(forwarder);
}

/* The recipient's side of an SDES-keyed link: the request's key protects what it receives. */
static struct prism_srtp *recipient(enum prism_srtp_profile profile, uint8_t first_key_byte)
{
    struct prism_srtp_keys keys = {.profile = profile, .key_len = 16, .salt_len = 14};
    for (unsigned i = 0; i < 16; i++)
        keys.remote_key[i] = keys.local_key[i] = (uint8_t)i;
    for (unsigned i = 0; i < 14; i++)
        keys.remote_salt[i] = keys.local_salt[i] = (uint8_t)(16 + i);
    keys.remote_key[0] = first_key_byte;
    struct prism_srtp *srtp = NULL;
    g_assert_cmpint(prism_srtp_new(&srtp, &keys, NULL), ==, 0);
    return srtp;
}

static void check_srtp_suite(const char *suite_json, enum prism_srtp_profile profile, size_t tag)
{
    struct vr_forwarder *forwarder = make_forwarder(suite_json);
    uint8_t packet[1500], out[1600], copy[1600];
    size_t len = publisher_packet(packet), out_len = 0, plain_len = 0;
    g_assert_cmpint(vr_forwarder_rewrite(forwarder, packet, len, out, sizeof(out), &out_len), ==,
                    0);
    g_assert_cmpuint(out_len, ==, len + tag);
    g_assert_true(memcmp(out + 12, packet + 12, 100) != 0); /* the payload is encrypted */

    /* With a wrong key the tag does not check out. */
    struct prism_srtp *wrong = recipient(profile, 0xff);
    memcpy(copy, out, out_len);
    g_assert_cmpint(prism_srtp_unprotect_rtp(wrong, copy, out_len, &plain_len), ==,
                    PRISM_SRTP_ERR_AUTH);
    prism_srtp_free(wrong);

    struct prism_srtp *right = recipient(profile, 0);
    g_assert_cmpint(prism_srtp_unprotect_rtp(right, out, out_len, &plain_len), ==, PRISM_SRTP_OK);
    g_assert_cmpuint(plain_len, ==, len);
    assert_rewritten(packet, out, plain_len);

    /* The next packet is protected too, each in its own index. */
    prism_rtp_set_seq(packet, 1001);
    g_assert_cmpint(vr_forwarder_rewrite(forwarder, packet, len, out, sizeof(out), &out_len), ==,
                    0);
    g_assert_cmpint(prism_srtp_unprotect_rtp(right, out, out_len, &plain_len), ==, PRISM_SRTP_OK);
    prism_srtp_free(right);
    vr_forwarder_free(forwarder);
}

static void test_forwarder_protects_with_the_requested_key_suite_80(void)
{
    check_srtp_suite(",\"srtp_suite\":80,\"srtp_crypto\":\"" KEY "\"", PRISM_SRTP_AES128_CM_SHA1_80,
                     10);
}

static void test_forwarder_protects_with_the_requested_key_suite_32(void)
{
    check_srtp_suite(",\"srtp_suite\":32,\"srtp_crypto\":\"" KEY "\"", PRISM_SRTP_AES128_CM_SHA1_32,
                     4);
}

static void test_forwarder_refuses_packets_it_cannot_hold(void)
{
    struct vr_forwarder *forwarder = make_forwarder(",\"srtp_suite\":80,\"srtp_crypto\":\"" KEY
                                                    "\"");
    uint8_t packet[1500], out[1600];
    size_t len = publisher_packet(packet), out_len = 0;
    g_assert_cmpint(vr_forwarder_rewrite(forwarder, packet, 11, out, sizeof(out), &out_len), ==,
                    -EBADMSG);
    /* Room for the packet but not for its tag. */
    g_assert_cmpint(vr_forwarder_rewrite(forwarder, packet, len, out, len + 9, &out_len), ==,
                    -EMSGSIZE);
    g_assert_cmpint(vr_forwarder_rewrite(forwarder, packet, len, out, len + 10, &out_len), ==, 0);
    vr_forwarder_free(forwarder);
}

static void test_forwarder_reads_keyframe_requests_from_its_recipient(void)
{
    struct vr_forwarder *plain = make_forwarder("");
    uint8_t rtcp[256];
    int len = prism_rtcp_build_pli(rtcp, sizeof(rtcp), 1, 3735928559u);
    g_assert_cmpint(len, >, 0);
    g_assert_true(vr_forwarder_rtcp_wants_keyframe(plain, rtcp, (size_t)len));
    len = prism_rtcp_build_rr(rtcp, sizeof(rtcp), 1, NULL, 0);
    g_assert_false(vr_forwarder_rtcp_wants_keyframe(plain, rtcp, (size_t)len));
    memset(rtcp, 0xab, 40);
    g_assert_false(vr_forwarder_rtcp_wants_keyframe(plain, rtcp, 40));
    g_assert_false(vr_forwarder_rtcp_wants_keyframe(plain, rtcp, 0));

    /* The first RTCP packet is an empty receiver report. */
    len = vr_forwarder_hello_rtcp(plain, rtcp, sizeof(rtcp));
    g_assert_cmpint(len, ==, 8);
    g_assert_cmpuint(rtcp[1], ==, PRISM_RTCP_RR);
    vr_forwarder_free(plain);

    /* Keyed: a PLI protected with the key counts, a clear one does not. */
    struct vr_forwarder *keyed = make_forwarder(",\"srtp_suite\":80,\"srtp_crypto\":\"" KEY "\"");
    struct prism_srtp *other_end = recipient(PRISM_SRTP_AES128_CM_SHA1_80, 0);
    len = prism_rtcp_build_pli(rtcp, sizeof(rtcp), 1, 3735928559u);
    g_assert_false(vr_forwarder_rtcp_wants_keyframe(keyed, rtcp, (size_t)len));
    size_t protected_len = 0;
    g_assert_cmpint(
        prism_srtp_protect_rtcp(other_end, rtcp, (size_t)len, sizeof(rtcp), &protected_len), ==,
        PRISM_SRTP_OK);
    g_assert_true(vr_forwarder_rtcp_wants_keyframe(keyed, rtcp, protected_len));
    len = vr_forwarder_hello_rtcp(keyed, rtcp, sizeof(rtcp));
    g_assert_cmpint(len, ==, 8 + 14);
    size_t plain_len = 0;
    g_assert_cmpint(prism_srtp_unprotect_rtcp(other_end, rtcp, (size_t)len, &plain_len), ==,
                    PRISM_SRTP_OK);
    g_assert_cmpuint(plain_len, ==, 8);
    prism_srtp_free(other_end);
    vr_forwarder_free(keyed);
}

static void test_forwarder_summary_is_janus_shaped(void)
{
    struct vr_forwarder *forwarder = make_forwarder(",\"srtp_suite\":80,\"srtp_crypto\":\"" KEY
                                                    "\"");
    forwarder->local_rtcp_port = 40000;
    json_t *summary = vr_forwarder_summary(forwarder);
    json_t *expected = json_loads(
        "{\"stream_id\":77,\"type\":\"video\",\"mid\":\"1\",\"host\":\"127.0.0.1\",\"port\":6004,"
        "\"local_rtcp_port\":40000,\"remote_rtcp_port\":6005,\"ssrc\":3735928559,\"pt\":96,"
        "\"srtp\":true}",
        0, NULL);
    if (!json_equal(summary, expected))
        g_error("summary %s", json_dumps(summary, JSON_SORT_KEYS));
    json_decref(summary);
    json_decref(expected);
    vr_forwarder_free(forwarder);

    /* Data forwarders are never encrypted and say nothing about SRTP. */
    struct vr_forward_request request;
    make_request(",\"srtp_suite\":80,\"srtp_crypto\":\"" KEY "\"", &request);
    request.targets[0].rtcp_port = 0;
    request.targets[0].ssrc = 0;
    request.targets[0].has_pt = false;
    g_assert_cmpint(vr_forwarder_new(&request, &request.targets[0], PRISM_SDP_MEDIA_APPLICATION, 2,
                                     9, &forwarder),
                    ==, 0);
    g_assert_null(forwarder->srtp);
    summary = vr_forwarder_summary(forwarder);
    expected = json_loads("{\"stream_id\":9,\"type\":\"data\",\"mid\":\"1\",\"host\":\"127.0.0.1\","
                          "\"port\":6004}",
                          0, NULL);
    g_assert_true(json_equal(summary, expected));
    json_decref(summary);
    json_decref(expected);
    vr_forwarder_free(forwarder);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/forwarder/rewrites_ssrc_and_payload_type",
                    test_forwarder_rewrites_ssrc_and_payload_type);
    g_test_add_func("/videoroom/forwarder/protects_with_the_requested_key_suite_80",
                    test_forwarder_protects_with_the_requested_key_suite_80);
    g_test_add_func("/videoroom/forwarder/protects_with_the_requested_key_suite_32",
                    test_forwarder_protects_with_the_requested_key_suite_32);
    g_test_add_func("/videoroom/forwarder/refuses_packets_it_cannot_hold",
                    test_forwarder_refuses_packets_it_cannot_hold);
    g_test_add_func("/videoroom/forwarder/reads_keyframe_requests_from_its_recipient",
                    test_forwarder_reads_keyframe_requests_from_its_recipient);
    g_test_add_func("/videoroom/forwarder/summary_is_janus_shaped",
                    test_forwarder_summary_is_janus_shaped);
    return g_test_run();
}
