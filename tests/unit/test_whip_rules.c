/* WHIP request rules without sockets: paths, content types, bearer tokens, the offer
 * checks (no media, no BUNDLE) and the HTTP status of VideoRoom errors. */
#include "signaling/whip/rules.h"

#include <glib.h>
#include <string.h>

static struct prism_whip_path parse(const char *rest)
{
    struct prism_whip_path path;
    prism_whip_parse_path(rest, &path);
    return path;
}

static void test_whip_parses_endpoint_and_resource_paths(void)
{
    struct prism_whip_path path = parse("/endpoint/1234");
    g_assert_cmpint(path.kind, ==, PRISM_WHIP_PATH_ENDPOINT);
    g_assert_cmpuint(path.id, ==, 1234);
    path = parse("/resource/8791238472394857/");
    g_assert_cmpint(path.kind, ==, PRISM_WHIP_PATH_RESOURCE);
    g_assert_cmpuint(path.id, ==, 8791238472394857u);
    path = parse("/mountpoint/7");
    g_assert_cmpint(path.kind, ==, PRISM_WHIP_PATH_MOUNTPOINT);
    g_assert_cmpuint(path.id, ==, 7);
    static const char *const bad[] = {"/mountpoint/",
                                      "/mountpoint/0",
                                      "/mountpoint/7/x",
                                      "/mountpoints/7",
                                      "",
                                      "/",
                                      "/endpoint",
                                      "/endpoint/",
                                      "/endpoint/0",
                                      "/endpoint/x1",
                                      "/endpoint/1/2",
                                      "/resource/99999999999999999",
                                      "/resource/-1",
                                      "/endpoint//1",
                                      "/other/1",
                                      "/endpoint/1//"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(parse(bad[i]).kind, ==, PRISM_WHIP_PATH_INVALID);
    g_assert_cmpint(parse(NULL).kind, ==, PRISM_WHIP_PATH_INVALID);
}

static void test_whip_matches_content_types_with_parameters(void)
{
    g_assert_true(prism_whip_content_type_is("application/sdp", "application/sdp"));
    g_assert_true(prism_whip_content_type_is("Application/SDP; charset=utf-8", "application/sdp"));
    g_assert_true(prism_whip_content_type_is(" application/sdp ", "application/sdp"));
    g_assert_false(prism_whip_content_type_is("application/sdpx", "application/sdp"));
    g_assert_false(prism_whip_content_type_is("application/json", "application/sdp"));
    g_assert_false(prism_whip_content_type_is("", "application/sdp"));
    g_assert_false(prism_whip_content_type_is(NULL, "application/sdp"));
}

static void test_whip_reads_bearer_tokens(void)
{
    size_t length = 0;
    const char *token = prism_whip_bearer("Bearer secret-pin ", &length);
    g_assert_nonnull(token);
    g_assert_cmpmem(token, length, "secret-pin", 10);
    token = prism_whip_bearer("bearer  abc", &length);
    g_assert_cmpmem(token, length, "abc", 3);
    g_assert_null(prism_whip_bearer("Basic dXNlcjpwYXNz", &length));
    g_assert_null(prism_whip_bearer("Bearer ", &length));
    g_assert_null(prism_whip_bearer("Bearer", &length));
    g_assert_null(prism_whip_bearer(NULL, &length));
}

static bool check(const char *sdp, char *reason)
{
    return prism_whip_check_offer(sdp, sdp ? strlen(sdp) : 0, reason, 128);
}

static void test_whip_checks_offers_for_media_and_bundle(void)
{
    char reason[128];
    const char *good = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                       "a=group:BUNDLE 0 1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
                       "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n";
    g_assert_true(check(good, reason));
    g_assert_false(check("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", reason));
    g_assert_nonnull(strstr(reason, "no audio or video m-line"));
    g_assert_false(check("v=0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP "
                         "webrtc-datachannel\r\n",
                         reason));
    g_assert_nonnull(strstr(reason, "no audio or video m-line"));
    g_assert_false(check("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n", reason));
    g_assert_nonnull(strstr(reason, "BUNDLE"));
    g_assert_false(check("{\"not\":\"sdp\"}", reason));
    g_assert_nonnull(strstr(reason, "not an SDP offer"));
    g_assert_false(check(NULL, reason));
    g_assert_false(prism_whip_check_offer("v=0\r\n\0m=audio 9 X 0\r\n", 20, reason, 128));
    g_assert_nonnull(strstr(reason, "NUL"));
}

static void test_whip_maps_videoroom_errors_to_http(void)
{
    g_assert_cmpuint(prism_whip_status_for_error(426), ==, 404);
    g_assert_cmpuint(prism_whip_status_for_error(433), ==, 401);
    g_assert_cmpuint(prism_whip_status_for_error(465), ==, 400);
    g_assert_cmpuint(prism_whip_status_for_error(437), ==, 400);
    g_assert_cmpuint(prism_whip_status_for_error(432), ==, 503);
    g_assert_cmpuint(prism_whip_status_for_error(499), ==, 500);
    /* a mountpoint viewer's errors are the Streaming plugin's */
    g_assert_cmpuint(prism_whep_mountpoint_status_for_error(455), ==, 404);
    g_assert_cmpuint(prism_whep_mountpoint_status_for_error(457), ==, 401);
    g_assert_cmpuint(prism_whep_mountpoint_status_for_error(454), ==, 400);
    g_assert_cmpuint(prism_whep_mountpoint_status_for_error(470), ==, 503);
    g_assert_cmpuint(prism_whep_mountpoint_status_for_error(426), ==, 500);
    g_assert_cmpuint(prism_whep_mountpoint_status_for_error(-1), ==, 500);
    /* and the engine's own */
    g_assert_cmpuint(prism_whip_status_for_api_error(403), ==, 401);
    g_assert_cmpuint(prism_whip_status_for_api_error(405), ==, 401);
    g_assert_cmpuint(prism_whip_status_for_api_error(472), ==, 503);
    g_assert_cmpuint(prism_whip_status_for_api_error(465), ==, 400);
    g_assert_cmpuint(prism_whip_status_for_api_error(458), ==, 500);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/whip/rules/paths", test_whip_parses_endpoint_and_resource_paths);
    g_test_add_func("/whip/rules/content_types", test_whip_matches_content_types_with_parameters);
    g_test_add_func("/whip/rules/bearer", test_whip_reads_bearer_tokens);
    g_test_add_func("/whip/rules/offer_checks", test_whip_checks_offers_for_media_and_bundle);
    g_test_add_func("/whip/rules/error_status", test_whip_maps_videoroom_errors_to_http);
    return g_test_run();
}
