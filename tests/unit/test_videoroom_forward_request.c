/* VideoRoom rtp_forward / stop_rtp_forward request checks (sans-IO): what Janus 1.x accepts,
 * its error codes for what it refuses, and Prism's stricter rules (IP literals only, ports and
 * payload types in range, SRTP suite and key together). */
#include "plugins/videoroom/forwarder.h"
#include "plugins/videoroom/videoroom.h"

#include <glib.h>
#include <string.h>
#include <sys/socket.h>

/* 30 bytes 0x00..0x1d in base64: the SDES inline key layout (16-byte key, 14-byte salt). */
#define KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"

static json_t *parse_json(const char *text)
{
    json_error_t error;
    json_t *body = json_loads(text, 0, &error);
    if (!body)
        g_error("bad test JSON %s: %s", text, error.text);
    return body;
}

static int parse(const char *text, const char *admin_key, struct vr_forward_request *out,
                 char *reason)
{
    json_t *body = parse_json(text);
    int code = vr_forward_request_parse(body, admin_key, out, reason, 256);
    json_decref(body);
    return code;
}

/* Asserts the body is refused with `code` and a reason containing `text`. */
static void assert_refused(const char *text, const char *admin_key, int code, const char *why)
{
    struct vr_forward_request request;
    char reason[256] = "";
    g_assert_cmpint(parse(text, admin_key, &request, reason), ==, code);
    if (!strstr(reason, why))
        g_error("\"%s\" does not contain \"%s\" (body %s)", reason, why, text);
}

#define BASE "\"request\":\"rtp_forward\",\"room\":1234,\"publisher_id\":99,\"host\":\"127.0.0.1\""

static void test_forward_request_reads_janus_multistream_fields(void)
{
    struct vr_forward_request request;
    char reason[256] = "";
    g_assert_cmpint(parse("{" BASE ",\"secret\":\"s\",\"streams\":["
                          "{\"mid\":\"0\",\"port\":5002,\"pt\":111,\"ssrc\":4242},"
                          "{\"mid\":\"1\",\"port\":5004,\"host\":\"::1\",\"host_family\":\"ipv6\","
                          "\"rtcp_port\":5005,\"simulcast\":true,\"pt\":0}],"
                          "\"srtp_suite\":80,\"srtp_crypto\":\"" KEY "\"}",
                          NULL, &request, reason),
                    ==, 0);
    g_assert_cmpuint(request.room_id, ==, 1234);
    g_assert_cmpuint(request.publisher_id, ==, 99);
    g_assert_cmpuint(request.target_count, ==, 2);
    const struct vr_forward_target *audio = &request.targets[0];
    g_assert_cmpstr(audio->mid, ==, "0");
    g_assert_cmpint(audio->ip.family, ==, AF_INET);
    g_assert_cmpmem(audio->ip.bytes, 4, ((uint8_t[]){127, 0, 0, 1}), 4);
    g_assert_cmpuint(audio->port, ==, 5002);
    g_assert_cmpuint(audio->rtcp_port, ==, 0);
    g_assert_cmpuint(audio->ssrc, ==, 4242);
    g_assert_true(audio->has_pt);
    g_assert_cmpuint(audio->pt, ==, 111);
    const struct vr_forward_target *video = &request.targets[1];
    g_assert_cmpint(video->ip.family, ==, AF_INET6); /* the stream's own host wins */
    g_assert_cmpuint(video->rtcp_port, ==, 5005);
    g_assert_cmpuint(video->ssrc, ==, 0); /* keep the publisher's */
    g_assert_true(video->has_pt);         /* pt 0 (PCMU) is a payload type like any other */
    g_assert_cmpuint(video->pt, ==, 0);
    g_assert_true(video->simulcast);
    g_assert_cmpuint(request.srtp_suite, ==, 80);
    for (unsigned i = 0; i < VR_SRTP_CRYPTO_LEN; i++)
        g_assert_cmpuint(request.srtp_crypto[i], ==, i);

    g_assert_cmpint(
        parse("{" BASE ",\"streams\":[{\"mid\":\"v\",\"port\":1}]}", NULL, &request, reason), ==,
        0);
    g_assert_false(request.targets[0].has_pt);
    g_assert_cmpuint(request.srtp_suite, ==, 0);
}

static void test_forward_request_refuses_missing_fields_as_janus(void)
{
    const int missing = PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT;
    assert_refused("{\"room\":1,\"publisher_id\":2,\"streams\":[{\"mid\":\"0\",\"port\":1}]}", NULL,
                   missing, "host");
    assert_refused("{\"publisher_id\":2,\"host\":\"127.0.0.1\",\"streams\":[]}", NULL, missing,
                   "room");
    assert_refused("{\"room\":1,\"host\":\"127.0.0.1\"}", NULL, missing, "publisher_id");
    assert_refused("{" BASE "}", NULL, missing, "streams");
    assert_refused("{" BASE ",\"streams\":[]}", NULL, missing, "streams");
    assert_refused("{" BASE ",\"streams\":[{\"port\":5002}]}", NULL, missing, "mid");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\"}]}", NULL, missing, "port");
}

static void test_forward_request_refuses_bad_ports_and_numbers(void)
{
    const int invalid = PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\",\"port\":0}]}", NULL, invalid, "port");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\",\"port\":-5}]}", NULL, invalid, "port");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\",\"port\":65536}]}", NULL, invalid,
                   "port should be at most 65535");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\",\"port\":\"5002\"}]}", NULL, invalid,
                   "port");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\",\"port\":1,\"rtcp_port\":70000}]}", NULL,
                   invalid, "rtcp_port");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\",\"port\":1,\"pt\":128}]}", NULL, invalid,
                   "pt should be at most 127");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\",\"port\":1,\"ssrc\":4294967296}]}", NULL,
                   invalid, "ssrc");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\",\"port\":1,\"port_2\":2}]}", NULL,
                   invalid, "port_2");
    assert_refused("{" BASE ",\"streams\":[7]}", NULL, invalid, "streams");
    assert_refused("{" BASE ",\"streams\":{}}", NULL, invalid, "streams");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0123456789012345678901234567890123\","
                   "\"port\":1}]}",
                   NULL, invalid, "mid too long");
    assert_refused("{\"room\":\"1234\",\"publisher_id\":2,\"host\":\"127.0.0.1\"}", NULL, invalid,
                   "room");
    GString *many = g_string_new("{" BASE ",\"streams\":[");
    for (int i = 0; i <= VR_FORWARD_MAX_STREAMS; i++)
        g_string_append_printf(many, "%s{\"mid\":\"%d\",\"port\":%d}", i ? "," : "", i, 5000 + i);
    g_string_append(many, "]}");
    assert_refused(many->str, NULL, invalid, "at most");
    g_string_free(many, TRUE);
}

static void test_forward_request_refuses_hosts_it_would_have_to_resolve(void)
{
    const int invalid = PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    const char *stream = ",\"streams\":[{\"mid\":\"0\",\"port\":5002}]}";
    char body[512];
    snprintf(body, sizeof(body), "{\"room\":1,\"publisher_id\":2,\"host\":\"localhost\"%s", stream);
    assert_refused(body, NULL, invalid, "Could not resolve address (localhost)");
    snprintf(body, sizeof(body), "{\"room\":1,\"publisher_id\":2,\"host\":\"\"%s", stream);
    assert_refused(body, NULL, invalid, "Could not resolve address");
    snprintf(body, sizeof(body), "{\"room\":1,\"publisher_id\":2,\"host\":\"0.0.0.0\"%s", stream);
    assert_refused(body, NULL, invalid, "Could not resolve address (0.0.0.0)");
    snprintf(body, sizeof(body), "{\"room\":1,\"publisher_id\":2,\"host\":\"127.0.0.1:80\"%s",
             stream);
    assert_refused(body, NULL, invalid, "Could not resolve address");
    snprintf(body, sizeof(body), "{" BASE ",\"host_family\":\"ipv6\"%s", stream);
    assert_refused(body, NULL, invalid, "Could not resolve address (127.0.0.1)");
    snprintf(body, sizeof(body), "{" BASE ",\"host_family\":\"ipx\"%s", stream);
    assert_refused(body, NULL, invalid, "Unsupported protocol family (ipx)");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\",\"port\":1,\"host\":\"recorder\"}]}",
                   NULL, invalid, "Could not resolve address (recorder)");
    assert_refused("{" BASE ",\"streams\":[{\"mid\":\"0\",\"port\":1,\"host_family\":\"ipv6\"}]}",
                   NULL, invalid, "Could not resolve address (127.0.0.1)");
}

static void test_forward_request_refuses_bad_srtp_parameters(void)
{
    const int invalid = PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    const int missing = PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT;
#define STREAM ",\"streams\":[{\"mid\":\"0\",\"port\":5002}]"
    assert_refused("{" BASE STREAM ",\"srtp_suite\":40,\"srtp_crypto\":\"" KEY "\"}", NULL, invalid,
                   "Invalid SRTP suite (40)");
    assert_refused("{" BASE STREAM ",\"srtp_suite\":0,\"srtp_crypto\":\"" KEY "\"}", NULL, invalid,
                   "srtp_suite");
    assert_refused("{" BASE STREAM ",\"srtp_suite\":80}", NULL, missing, "srtp_crypto");
    assert_refused("{" BASE STREAM ",\"srtp_crypto\":\"" KEY "\"}", NULL, missing, "srtp_suite");
    assert_refused("{" BASE STREAM ",\"srtp_suite\":80,\"srtp_crypto\":\"short\"}", NULL, invalid,
                   "Invalid SRTP crypto");
    /* 29 and 31 bytes, a character outside base64, and an embedded blank. */
    assert_refused("{" BASE STREAM ",\"srtp_suite\":80,"
                   "\"srtp_crypto\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw=\"}",
                   NULL, invalid, "Invalid SRTP crypto");
    assert_refused("{" BASE STREAM ",\"srtp_suite\":32,"
                   "\"srtp_crypto\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\"}",
                   NULL, invalid, "Invalid SRTP crypto");
    assert_refused("{" BASE STREAM ",\"srtp_suite\":32,"
                   "\"srtp_crypto\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx*d\"}",
                   NULL, invalid, "Invalid SRTP crypto");
    assert_refused("{" BASE STREAM ",\"srtp_suite\":32,"
                   "\"srtp_crypto\":\"AAECAwQFBgcICQoLDA0ODxAREhMU FRYXGBkaGxw\"}",
                   NULL, invalid, "Invalid SRTP crypto");
    assert_refused("{" BASE STREAM ",\"srtp_suite\":80,\"srtp_crypto\":30}", NULL, invalid,
                   "srtp_crypto");
    struct vr_forward_request request;
    char reason[256];
    g_assert_cmpint(parse("{" BASE STREAM ",\"srtp_suite\":32,\"srtp_crypto\":\"" KEY "\"}", NULL,
                          &request, reason),
                    ==, 0);
    g_assert_cmpuint(request.srtp_suite, ==, 32);
}

static void test_forward_request_needs_the_admin_key_when_locked(void)
{
    const char *body = "{" BASE STREAM "}";
    assert_refused(body, "adminpwd", PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "admin_key");
    assert_refused("{" BASE STREAM ",\"admin_key\":\"nope\"}", "adminpwd",
                   PRISM_VIDEOROOM_ERROR_UNAUTHORIZED, "Unauthorized");
    assert_refused("{" BASE STREAM ",\"admin_key\":5}", "adminpwd",
                   PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "admin_key");
    struct vr_forward_request request;
    char reason[256];
    g_assert_cmpint(
        parse("{" BASE STREAM ",\"admin_key\":\"adminpwd\"}", "adminpwd", &request, reason), ==, 0);
    /* Without the lock, a key is neither needed nor checked. */
    g_assert_cmpint(parse("{" BASE STREAM ",\"admin_key\":\"whatever\"}", NULL, &request, reason),
                    ==, 0);
}

static int parse_stop(const char *text, const char *admin_key, uint32_t *stream_id, char *reason)
{
    json_t *body = parse_json(text);
    uint64_t room = 0, publisher = 0;
    int code = vr_forward_stop_parse(body, admin_key, &room, &publisher, stream_id, reason, 256);
    json_decref(body);
    return code;
}

static void test_stop_forward_request_checks_its_ids(void)
{
    uint32_t id = 0;
    char reason[256];
    g_assert_cmpint(
        parse_stop("{\"room\":1,\"publisher_id\":2,\"stream_id\":4000000000}", NULL, &id, reason),
        ==, 0);
    g_assert_cmpuint(id, ==, 4000000000u);
    g_assert_cmpint(parse_stop("{\"room\":1,\"publisher_id\":2}", NULL, &id, reason), ==,
                    PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT);
    g_assert_nonnull(strstr(reason, "stream_id"));
    g_assert_cmpint(parse_stop("{\"room\":1,\"stream_id\":3}", NULL, &id, reason), ==,
                    PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT);
    g_assert_cmpint(
        parse_stop("{\"room\":1,\"publisher_id\":2,\"stream_id\":\"3\"}", NULL, &id, reason), ==,
        PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT);
    g_assert_cmpint(
        parse_stop("{\"room\":1,\"publisher_id\":2,\"stream_id\":4294967296}", NULL, &id, reason),
        ==, PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT);
    g_assert_cmpint(parse_stop("{\"room\":1,\"publisher_id\":2,\"stream_id\":3}", "k", &id, reason),
                    ==, PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT);
    g_assert_cmpint(
        parse_stop("{\"room\":1,\"publisher_id\":2,\"stream_id\":3,\"admin_key\":\"x\"}", "k", &id,
                   reason),
        ==, PRISM_VIDEOROOM_ERROR_UNAUTHORIZED);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/forward_request/reads_janus_multistream_fields",
                    test_forward_request_reads_janus_multistream_fields);
    g_test_add_func("/videoroom/forward_request/refuses_missing_fields_as_janus",
                    test_forward_request_refuses_missing_fields_as_janus);
    g_test_add_func("/videoroom/forward_request/refuses_bad_ports_and_numbers",
                    test_forward_request_refuses_bad_ports_and_numbers);
    g_test_add_func("/videoroom/forward_request/refuses_hosts_it_would_have_to_resolve",
                    test_forward_request_refuses_hosts_it_would_have_to_resolve);
    g_test_add_func("/videoroom/forward_request/refuses_bad_srtp_parameters",
                    test_forward_request_refuses_bad_srtp_parameters);
    g_test_add_func("/videoroom/forward_request/needs_the_admin_key_when_locked",
                    test_forward_request_needs_the_admin_key_when_locked);
    g_test_add_func("/videoroom/forward_request/stop_checks_its_ids",
                    test_stop_forward_request_checks_its_ids);
    return g_test_run();
}
