/* The sans-IO parts of prism-bench's broadcast ingest and viewer paths: the WHIP/WHEP trickle
 * fragment and resource URL, HTTP header lines, the streaming mountpoint's create request and
 * the ports in its answers, the --ingest/--viewers names and the WHIP base URL, and the stamp
 * order that keeps replayed keyframes out of the latency figures. */
#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "bench/lib/scenario/mountpoint_reply.h"
#include "bench/lib/scenario/options.h"
#include "bench/lib/synth/stamp.h"
#include "bench/lib/whip/fragment.h"
#include "bench/lib/whip/http.h"

static const char offer[] = "v=0\r\n"
                            "o=- 1 2 IN IP4 127.0.0.1\r\n"
                            "s=-\r\n"
                            "t=0 0\r\n"
                            "a=group:BUNDLE 0 1\r\n"
                            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                            "a=ice-ufrag:abcd\r\n"
                            "a=ice-pwd:0123456789abcdef012345\r\n"
                            "a=mid:0\r\n"
                            "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
                            "a=mid:1\r\n";

static void test_fragment_carries_credentials_first_mline_and_candidates(void)
{
    const char *candidates[] = {"candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host",
                                "2 1 udp 2122260222 127.0.0.1 40001 typ host"};
    char *fragment = bench_whip_trickle_fragment(offer, candidates, 2, true);
    g_assert_cmpstr(fragment, ==,
                    "a=ice-ufrag:abcd\r\n"
                    "a=ice-pwd:0123456789abcdef012345\r\n"
                    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                    "a=mid:0\r\n"
                    "a=candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host\r\n"
                    "a=candidate:2 1 udp 2122260222 127.0.0.1 40001 typ host\r\n"
                    "a=end-of-candidates\r\n");
    g_free(fragment);
    /* Only the end of candidates. */
    fragment = bench_whip_trickle_fragment(offer, NULL, 0, true);
    g_assert_nonnull(strstr(fragment, "a=end-of-candidates\r\n"));
    g_assert_null(strstr(fragment, "a=candidate"));
    g_free(fragment);
}

static void test_fragment_refuses_offers_without_ice_or_mid(void)
{
    g_assert_null(bench_whip_trickle_fragment(NULL, NULL, 0, true));
    g_assert_null(bench_whip_trickle_fragment("v=0\r\n", NULL, 0, true));
    g_assert_null(
        bench_whip_trickle_fragment("v=0\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n", NULL, 0, true));
    g_assert_null(bench_whip_trickle_fragment(
        "a=ice-ufrag:x\r\na=ice-pwd:y\r\nm=audio 9 RTP/AVP 0\r\n", NULL, 0, true));
    /* The mid must be the first m-line's, not the second's. */
    g_assert_null(bench_whip_trickle_fragment("a=ice-ufrag:x\r\na=ice-pwd:y\r\nm=audio 9 RTP/AVP "
                                              "0\r\nm=video 9 RTP/AVP 96\r\na=mid:1\r\n",
                                              NULL, 0, true));
    const char *injected[] = {"candidate:1 1 udp 1 127.0.0.1 1 typ host\r\na=ice-pwd:evil"};
    g_assert_null(bench_whip_trickle_fragment(offer, injected, 1, false));
}

static void test_resource_url_from_location(void)
{
    const char *endpoint = "http://127.0.0.1:8088/whip/endpoint/1234?display=x";
    char *url = bench_whip_resource_url(endpoint, "/whip/resource/42");
    g_assert_cmpstr(url, ==, "http://127.0.0.1:8088/whip/resource/42");
    g_free(url);
    url = bench_whip_resource_url(endpoint, "https://example.test/r/1");
    g_assert_cmpstr(url, ==, "https://example.test/r/1");
    g_free(url);
    url = bench_whip_resource_url(endpoint, "42");
    g_assert_cmpstr(url, ==, "http://127.0.0.1:8088/whip/endpoint/42");
    g_free(url);
    url = bench_whip_resource_url("http://h:1", "r");
    g_assert_cmpstr(url, ==, "http://h:1/r");
    g_free(url);
    g_assert_null(bench_whip_resource_url(endpoint, ""));
    g_assert_null(bench_whip_resource_url(endpoint, NULL));
    g_assert_null(bench_whip_resource_url(endpoint, "/a\r\nX-Evil: 1"));
    g_assert_null(bench_whip_resource_url("no-scheme", "/r"));
    g_assert_null(bench_whip_resource_url("http://", "/r"));
}

static void test_header_value_matches_name_case_insensitively(void)
{
    const char line[] = "location:  /whep/resource/7 \r\n";
    char *value = bench_http_header_value(line, strlen(line), "Location");
    g_assert_cmpstr(value, ==, "/whep/resource/7");
    g_free(value);
    const char etag[] = "ETag: \"abc\"\r\n";
    value = bench_http_header_value(etag, strlen(etag), "ETag");
    g_assert_cmpstr(value, ==, "\"abc\"");
    g_free(value);
    const char other[] = "Locationx: 1\r\n";
    g_assert_null(bench_http_header_value(other, strlen(other), "Location"));
    g_assert_null(bench_http_header_value("Loc", 3, "Location"));
    g_assert_null(bench_http_header_value("HTTP/1.1 201 Created\r\n", 22, "Location"));
}

static void test_mountpoint_create_body_asks_for_opus_and_vp8_on_any_port(void)
{
    json_t *body = bench_mountpoint_create_body(77, true, true);
    g_assert_cmpstr(json_string_value(json_object_get(body, "request")), ==, "create");
    g_assert_cmpstr(json_string_value(json_object_get(body, "type")), ==, "rtp");
    g_assert_cmpint(json_integer_value(json_object_get(body, "id")), ==, 77);
    json_t *media = json_object_get(body, "media");
    g_assert_cmpuint(json_array_size(media), ==, 2);
    json_t *audio = json_array_get(media, 0), *video = json_array_get(media, 1);
    g_assert_cmpstr(json_string_value(json_object_get(audio, "codec")), ==, "opus");
    g_assert_cmpint(json_integer_value(json_object_get(audio, "port")), ==, 0);
    g_assert_cmpint(json_integer_value(json_object_get(audio, "pt")), ==, 111);
    g_assert_cmpstr(json_string_value(json_object_get(video, "codec")), ==, "vp8");
    g_assert_cmpint(json_integer_value(json_object_get(video, "pt")), ==, 96);
    json_decref(body);
    body = bench_mountpoint_create_body(1, false, true);
    g_assert_cmpuint(json_array_size(json_object_get(body, "media")), ==, 1);
    json_decref(body);
}

static void check_ports(const char *text, int rc, uint16_t audio, uint16_t video)
{
    json_t *data = json_loads(text, 0, NULL);
    g_assert_nonnull(data);
    uint16_t a = 1, v = 1;
    g_assert_cmpint(bench_mountpoint_ports(data, &a, &v), ==, rc);
    if (rc == 0) {
        g_assert_cmpuint(a, ==, audio);
        g_assert_cmpuint(v, ==, video);
    } else {
        g_assert_cmpuint(a, ==, 1); /* untouched */
        g_assert_cmpuint(v, ==, 1);
    }
    json_decref(data);
}

static void test_mountpoint_ports_from_created_and_info_answers(void)
{
    /* Janus 1.x and Prism. */
    check_ports(
        "{\"streaming\":\"created\",\"stream\":{\"id\":1,\"ports\":[{\"type\":\"audio\","
        "\"mid\":\"a\",\"port\":20000},{\"type\":\"video\",\"mid\":\"v\",\"port\":20002}]}}",
        0, 20000, 20002);
    /* Janus 0.x. */
    check_ports("{\"stream\":{\"id\":1,\"audio_port\":5002,\"video_port\":5004}}", 0, 5002, 5004);
    /* info. */
    check_ports("{\"info\":{\"media\":[{\"type\":\"video\",\"port\":30000}]}}", 0, 0, 30000);
    /* Malformed: no ports, bad types, out of range. */
    check_ports("{}", -EINVAL, 0, 0);
    check_ports("{\"stream\":{\"ports\":[{\"type\":\"audio\",\"port\":\"20000\"}]}}", -EINVAL, 0,
                0);
    check_ports("{\"stream\":{\"ports\":[{\"type\":\"video\",\"port\":70000}]}}", -EINVAL, 0, 0);
    check_ports("{\"stream\":{\"ports\":{\"type\":\"audio\"}}}", -EINVAL, 0, 0);
    check_ports("{\"info\":{\"media\":[{\"type\":\"data\",\"port\":9}]}}", -EINVAL, 0, 0);
    check_ports("{\"stream\":[1,2]}", -EINVAL, 0, 0);
}

static void test_ingest_and_viewer_names(void)
{
    enum bench_ingest ingest = BENCH_INGEST_VIDEOROOM;
    g_assert_cmpint(bench_ingest_from_name("rtp", &ingest), ==, 0);
    g_assert_cmpint(ingest, ==, BENCH_INGEST_RTP);
    g_assert_cmpint(bench_ingest_from_name("whip", &ingest), ==, 0);
    g_assert_cmpint(ingest, ==, BENCH_INGEST_WHIP);
    g_assert_cmpint(bench_ingest_from_name("RTP", &ingest), ==, -EINVAL);
    g_assert_cmpint(bench_ingest_from_name(NULL, &ingest), ==, -EINVAL);
    g_assert_cmpint(ingest, ==, BENCH_INGEST_WHIP);
    g_assert_cmpstr(bench_ingest_name(BENCH_INGEST_VIDEOROOM), ==, "videoroom");
    enum bench_viewers viewers = BENCH_VIEWERS_JANUS;
    g_assert_cmpint(bench_viewers_from_name("whep", &viewers), ==, 0);
    g_assert_cmpint(viewers, ==, BENCH_VIEWERS_WHEP);
    g_assert_cmpint(bench_viewers_from_name("whip", &viewers), ==, -EINVAL);
    g_assert_cmpstr(bench_viewers_name(BENCH_VIEWERS_JANUS), ==, "janus");
    struct bench_options defaults;
    bench_options_defaults(&defaults);
    g_assert_cmpint(defaults.ingest, ==, BENCH_INGEST_VIDEOROOM);
    g_assert_cmpint(defaults.viewers, ==, BENCH_VIEWERS_JANUS);
}

static void check_base(const char *url, const char *http_url, const char *expected)
{
    struct bench_options options;
    bench_options_defaults(&options);
    options.url = url;
    options.http_url = http_url;
    char *base = bench_options_http_base(&options);
    g_assert_cmpstr(base, ==, expected);
    g_free(base);
}

static void test_http_base_from_options(void)
{
    check_base("ws://127.0.0.1:8188/", NULL, "http://127.0.0.1:8088");
    check_base("wss://localhost:8989/", NULL, "https://localhost:8088");
    check_base("http://127.0.0.1:9000/janus", NULL, "http://127.0.0.1:9000");
    check_base("ws://[::1]:8188/", NULL, "http://[::1]:8088");
    check_base("ws://127.0.0.1:8188/", "http://127.0.0.1:7000//", "http://127.0.0.1:7000");
    check_base("garbage", NULL, "http://127.0.0.1:8088");
}

static void test_stamp_order_skips_replayed_keyframes(void)
{
    struct bench_stamp_order order = {0};
    /* Frames at 1000 us intervals, RTP timestamps +3000. */
    g_assert_true(bench_stamp_order_fresh(&order, 1000, 3000));
    g_assert_true(bench_stamp_order_fresh(&order, 2000, 6000));
    g_assert_true(bench_stamp_order_fresh(&order, 2000, 6000)); /* same frame */
    /* A retransmission of an older frame keeps its timestamp: a real (late) delivery. */
    g_assert_true(bench_stamp_order_fresh(&order, 1000, 3000));
    /* A kept keyframe replayed under a new timestamp: every packet of it is a replay. */
    g_assert_false(bench_stamp_order_fresh(&order, 500, 6500));
    g_assert_false(bench_stamp_order_fresh(&order, 500, 6500));
    /* The stream goes on. */
    g_assert_true(bench_stamp_order_fresh(&order, 3000, 9000));
    /* Across the 32-bit timestamp wrap. */
    struct bench_stamp_order wrap = {0};
    g_assert_true(bench_stamp_order_fresh(&wrap, 10, 0xfffffff0u));
    g_assert_true(bench_stamp_order_fresh(&wrap, 20, 0x10));
    g_assert_false(bench_stamp_order_fresh(&wrap, 5, 0x20));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bench/ingest/fragment_carries_credentials_first_mline_and_candidates",
                    test_fragment_carries_credentials_first_mline_and_candidates);
    g_test_add_func("/bench/ingest/fragment_refuses_offers_without_ice_or_mid",
                    test_fragment_refuses_offers_without_ice_or_mid);
    g_test_add_func("/bench/ingest/resource_url_from_location", test_resource_url_from_location);
    g_test_add_func("/bench/ingest/header_value_matches_name_case_insensitively",
                    test_header_value_matches_name_case_insensitively);
    g_test_add_func("/bench/ingest/mountpoint_create_body_asks_for_opus_and_vp8_on_any_port",
                    test_mountpoint_create_body_asks_for_opus_and_vp8_on_any_port);
    g_test_add_func("/bench/ingest/mountpoint_ports_from_created_and_info_answers",
                    test_mountpoint_ports_from_created_and_info_answers);
    g_test_add_func("/bench/ingest/ingest_and_viewer_names", test_ingest_and_viewer_names);
    g_test_add_func("/bench/ingest/http_base_from_options", test_http_base_from_options);
    g_test_add_func("/bench/ingest/stamp_order_skips_replayed_keyframes",
                    test_stamp_order_skips_replayed_keyframes);
    return g_test_run();
}
