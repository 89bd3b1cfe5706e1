/* The Streaming plugin's "media" array of a create request: valid streams, and every kind of
 * bad input refused with Janus's code and a reason. */
#include "plugins/streaming/media_spec.h"
#include "plugins/streaming/streaming.h"

#include <glib.h>
#include <string.h>

static int parse(const char *json, struct st_stream_spec *out, char *reason)
{
    json_error_t error;
    json_t *media = json_loads(json, 0, &error);
    g_assert_nonnull(media);
    int rc = st_media_spec_parse(media, out, reason, 256);
    json_decref(media);
    return rc;
}

static void test_streaming_spec_parses_audio_and_video(void)
{
    struct st_stream_spec specs[ST_MAX_STREAMS];
    char reason[256];
    int count = parse("[{\"type\":\"audio\",\"mid\":\"a\",\"port\":5002,\"pt\":111,"
                      "\"codec\":\"opus\"},"
                      "{\"type\":\"video\",\"mid\":\"v\",\"port\":0,\"pt\":96,"
                      "\"rtpmap\":\"VP8/90000\",\"fmtp\":\"max-fs=12288\",\"label\":\"cam\"}]",
                      specs, reason);
    g_assert_cmpint(count, ==, 2);
    g_assert_cmpint(specs[0].kind, ==, PRISM_SDP_MEDIA_AUDIO);
    g_assert_cmpstr(specs[0].mid, ==, "a");
    g_assert_cmpstr(specs[0].label, ==, "a");
    g_assert_cmpuint(specs[0].port, ==, 5002);
    g_assert_cmpuint(specs[0].codec.pt, ==, 111);
    g_assert_cmpint(specs[0].codec.id, ==, PRISM_SDP_CODEC_OPUS);
    g_assert_cmpuint(specs[0].codec.clock_rate, ==, 48000);
    g_assert_cmpuint(specs[0].codec.channels, ==, 2);
    g_assert_cmpint(specs[1].kind, ==, PRISM_SDP_MEDIA_VIDEO);
    g_assert_cmpuint(specs[1].port, ==, 0);
    g_assert_cmpint(specs[1].codec.id, ==, PRISM_SDP_CODEC_VP8);
    g_assert_cmpstr(specs[1].codec.name, ==, "VP8");
    g_assert_cmpuint(specs[1].codec.clock_rate, ==, 90000);
    g_assert_cmpstr(specs[1].codec.fmtp, ==, "max-fs=12288");
    g_assert_cmpstr(specs[1].label, ==, "cam");
}

/* What the config file's "permanent" mountpoints are written as reads back as the same streams
 * (the codec as an rtpmap, whatever the request named it by). */
static void test_streaming_spec_round_trips_through_json(void)
{
    struct st_stream_spec specs[ST_MAX_STREAMS], again[ST_MAX_STREAMS];
    char reason[256];
    int count = parse("[{\"type\":\"audio\",\"mid\":\"a\",\"port\":5002,\"pt\":111,"
                      "\"codec\":\"opus\"},"
                      "{\"type\":\"video\",\"mid\":\"v\",\"port\":5004,\"pt\":96,"
                      "\"rtpmap\":\"H264/90000\",\"fmtp\":\"packetization-mode=1\","
                      "\"label\":\"cam \\\"1\\\"\"},"
                      "{\"type\":\"data\",\"mid\":\"d\",\"port\":5006,\"datatype\":\"binary\"}]",
                      specs, reason);
    g_assert_cmpint(count, ==, 3);
    json_t *media = json_array();
    for (int i = 0; i < count; i++)
        json_array_append_new(media, st_media_spec_to_json(&specs[i]));
    memset(again, 0, sizeof(again));
    g_assert_cmpint(st_media_spec_parse(media, again, reason, sizeof(reason)), ==, count);
    json_decref(media);
    for (int i = 0; i < count; i++) {
        g_assert_cmpint(again[i].kind, ==, specs[i].kind);
        g_assert_cmpstr(again[i].mid, ==, specs[i].mid);
        g_assert_cmpstr(again[i].label, ==, specs[i].label);
        g_assert_cmpuint(again[i].port, ==, specs[i].port);
        g_assert_cmpuint(again[i].binary, ==, specs[i].binary);
        g_assert_cmpuint(again[i].codec.pt, ==, specs[i].codec.pt);
        g_assert_cmpint(again[i].codec.id, ==, specs[i].codec.id);
        g_assert_cmpstr(again[i].codec.name, ==, specs[i].codec.name);
        g_assert_cmpuint(again[i].codec.clock_rate, ==, specs[i].codec.clock_rate);
        g_assert_cmpuint(again[i].codec.channels, ==, specs[i].codec.channels);
        g_assert_cmpstr(again[i].codec.fmtp, ==, specs[i].codec.fmtp);
    }
    g_assert_true(again[2].binary);
}

static void expect_refused(const char *json, int code, const char *words)
{
    struct st_stream_spec specs[ST_MAX_STREAMS];
    memset(specs, 0x5a, sizeof(specs));
    char reason[256] = "";
    int rc = parse(json, specs, reason);
    if (rc != -code || !strstr(reason, words))
        g_error("%s: got %d \"%s\", expected -%d with \"%s\"", json, rc, reason, code, words);
    /* Nothing written on failure. */
    g_assert_cmpuint(((uint8_t *)specs)[0], ==, 0x5a);
}

static void test_streaming_spec_rejects_bad_input(void)
{
    const int missing = PRISM_STREAMING_ERROR_MISSING_ELEMENT;
    const int invalid = PRISM_STREAMING_ERROR_INVALID_ELEMENT;
    expect_refused("[]", invalid, "media");
    expect_refused("{}", invalid, "media");
    expect_refused("[1]", invalid, "object");
    expect_refused("[{\"mid\":\"a\",\"port\":1,\"pt\":111,\"codec\":\"opus\"}]", missing, "type");
    expect_refused("[{\"type\":\"audio\",\"port\":1,\"pt\":111,\"codec\":\"opus\"}]", missing,
                   "mid");
    expect_refused("[{\"type\":\"audio\",\"mid\":\"a\",\"pt\":111,\"codec\":\"opus\"}]", missing,
                   "port");
    expect_refused("[{\"type\":\"audio\",\"mid\":\"a\",\"port\":1,\"codec\":\"opus\"}]", missing,
                   "pt");
    expect_refused("[{\"type\":\"audio\",\"mid\":\"a\",\"port\":1,\"pt\":111}]", missing, "codec");
    expect_refused("[{\"type\":\"text\",\"mid\":\"a\",\"port\":1,\"pt\":111,\"codec\":\"opus\"}]",
                   invalid, "type");
    expect_refused("[{\"type\":\"data\",\"mid\":\"d\",\"port\":1,\"datatype\":\"json\"}]", invalid,
                   "datatype");
    expect_refused("[{\"type\":\"data\",\"mid\":\"d\",\"port\":1},"
                   "{\"type\":\"data\",\"mid\":\"e\",\"port\":2}]",
                   invalid, "one data");
    expect_refused("[{\"type\":\"data\",\"mid\":\"d\"}]", missing, "port");
    expect_refused("[{\"type\":\"audio\",\"mid\":\"a\",\"port\":70000,\"pt\":111,"
                   "\"codec\":\"opus\"}]",
                   invalid, "port");
    expect_refused("[{\"type\":\"audio\",\"mid\":\"a\",\"port\":-1,\"pt\":111,"
                   "\"codec\":\"opus\"}]",
                   invalid, "port");
    expect_refused("[{\"type\":\"audio\",\"mid\":\"a\",\"port\":1,\"pt\":128,\"codec\":\"opus\"}]",
                   invalid, "pt");
    expect_refused(
        "[{\"type\":\"audio\",\"mid\":\"a\",\"port\":1,\"pt\":\"x\",\"codec\":\"opus\"}]", invalid,
        "pt");
    expect_refused("[{\"type\":\"audio\",\"mid\":\"a\",\"port\":1,\"pt\":111,\"codec\":\"mp3\"}]",
                   invalid, "codec");
    expect_refused("[{\"type\":\"audio\",\"mid\":\"a\",\"port\":1,\"pt\":96,\"codec\":\"vp8\"}]",
                   invalid, "codec");
    expect_refused("[{\"type\":\"video\",\"mid\":\"v\",\"port\":1,\"pt\":96,\"rtpmap\":\"VP8\"}]",
                   invalid, "rtpmap");
    expect_refused("[{\"type\":\"video\",\"mid\":\"v\",\"port\":1,\"pt\":96,"
                   "\"rtpmap\":\"VP8/0\"}]",
                   invalid, "rtpmap");
    expect_refused("[{\"type\":\"video\",\"mid\":\"v\",\"port\":1,\"pt\":96,"
                   "\"rtpmap\":\"VP8/90000/x\"}]",
                   invalid, "rtpmap");
    expect_refused("[{\"type\":\"video\",\"mid\":\"v v\",\"port\":1,\"pt\":96,\"codec\":\"vp8\"}]",
                   invalid, "mid");
    expect_refused("[{\"type\":\"video\",\"mid\":\"v\",\"port\":1,\"pt\":96,\"codec\":\"vp8\","
                   "\"fmtp\":\"a=1\\r\\nm=audio\"}]",
                   invalid, "fmtp");
    expect_refused("[{\"type\":\"video\",\"mid\":\"v\",\"port\":1,\"pt\":96,\"codec\":\"vp8\"},"
                   "{\"type\":\"video\",\"mid\":\"v\",\"port\":2,\"pt\":96,\"codec\":\"vp8\"}]",
                   invalid, "mid already");
    expect_refused("[{\"type\":\"video\",\"mid\":\"v\",\"port\":7,\"pt\":96,\"codec\":\"vp8\"},"
                   "{\"type\":\"audio\",\"mid\":\"a\",\"port\":7,\"pt\":111,\"codec\":\"opus\"}]",
                   invalid, "port already");
    GString *many = g_string_new("[");
    for (int i = 0; i <= ST_MAX_STREAMS; i++)
        g_string_append_printf(many,
                               "%s{\"type\":\"audio\",\"mid\":\"a%d\",\"port\":0,\"pt\":111,"
                               "\"codec\":\"opus\"}",
                               i ? "," : "", i);
    g_string_append(many, "]");
    expect_refused(many->str, invalid, "media");
    g_string_free(many, TRUE);
}

static void test_streaming_spec_parses_a_data_stream(void)
{
    struct st_stream_spec specs[ST_MAX_STREAMS];
    char reason[256];
    int count = parse("[{\"type\":\"video\",\"mid\":\"v\",\"port\":0,\"pt\":96,"
                      "\"codec\":\"vp8\"},"
                      "{\"type\":\"data\",\"mid\":\"d\",\"port\":0,\"datatype\":\"binary\"}]",
                      specs, reason);
    g_assert_cmpint(count, ==, 2);
    g_assert_cmpint(specs[1].kind, ==, PRISM_SDP_MEDIA_APPLICATION);
    g_assert_cmpstr(specs[1].mid, ==, "d");
    g_assert_true(specs[1].binary);
    count = parse("[{\"type\":\"data\",\"mid\":\"d\",\"port\":0}]", specs, reason);
    g_assert_cmpint(count, ==, 1);
    g_assert_false(specs[0].binary);
}

static void test_streaming_rtpmap_parses_channels(void)
{
    struct prism_sdp_codec codec = {0};
    g_assert_cmpint(st_rtpmap_parse("opus/48000/2", &codec), ==, 0);
    g_assert_cmpstr(codec.name, ==, "opus");
    g_assert_cmpuint(codec.channels, ==, 2);
    g_assert_cmpint(st_rtpmap_parse("/90000", &codec), <, 0);
    g_assert_cmpint(st_rtpmap_parse("VP8/90000/", &codec), <, 0);
    g_assert_cmpint(st_rtpmap_parse("VP8/99999999999", &codec), <, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/streaming/spec/round-trips-through-json",
                    test_streaming_spec_round_trips_through_json);
    g_test_add_func("/streaming/spec_parses_audio_and_video",
                    test_streaming_spec_parses_audio_and_video);
    g_test_add_func("/streaming/spec_rejects_bad_input", test_streaming_spec_rejects_bad_input);
    g_test_add_func("/streaming/spec_parses_a_data_stream",
                    test_streaming_spec_parses_a_data_stream);
    g_test_add_func("/streaming/rtpmap_parses_channels", test_streaming_rtpmap_parses_channels);
    return g_test_run();
}
