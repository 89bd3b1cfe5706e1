/* Malformed and hostile SDP: every case must fail with an error (and its code), never crash,
 * never read past the given length. */
#include "sdp_test_util.h"

#include <errno.h>

#define HEAD "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
#define VIDEO "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"

/* Parses text (strlen) and checks the errno, the code and, when given, the line. */
static void expect_failure(const char *text, int errnum, enum prism_sdp_error_code code,
                           unsigned line)
{
    struct prism_sdp *sdp = (struct prism_sdp *)0x1;
    struct prism_sdp_error err;
    int rc = prism_sdp_parse(text, strlen(text), &sdp, &err);
    if (rc != -errnum || err.code != code)
        g_error("expected %d/%d, got %d/%d (%s) for:\n%s", -errnum, code, rc, err.code, err.message,
                text);
    g_assert_true(sdp == (struct prism_sdp *)0x1); /* out untouched on failure */
    g_assert_cmpstr(err.message, !=, "");
    if (line)
        g_assert_cmpuint(err.line, ==, line);
}

static void test_sdp_rejects_empty_input(void)
{
    struct prism_sdp *sdp = NULL;
    struct prism_sdp_error err;
    g_assert_cmpint(prism_sdp_parse("", 0, &sdp, &err), ==, -EINVAL);
    g_assert_cmpint(err.code, ==, PRISM_SDP_ERR_SYNTAX);
    g_assert_cmpint(prism_sdp_parse(NULL, 0, &sdp, NULL), ==, -EINVAL);
    g_assert_cmpint(prism_sdp_parse(NULL, 5, &sdp, &err), ==, -EINVAL);
    expect_failure("\r\n\n\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 0);
    g_assert_null(sdp);
}

static void test_sdp_rejects_missing_version(void)
{
    expect_failure("o=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 1);
    expect_failure("v=1\r\no=- 1 1 IN IP4 0.0.0.0\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 1);
    expect_failure("v=0\r\nv=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 2);
    expect_failure("v=0\r\ns=-\r\nt=0 0\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 0); /* no o= */
}

static void test_sdp_rejects_truncated_lines(void)
{
    expect_failure("v=0\r\no=- 1 1 IN IP4\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 2);
    expect_failure(HEAD "m=video 9\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    expect_failure(HEAD "m=video 9 UDP/TLS/RTP/SAVPF\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    expect_failure(HEAD VIDEO "a=rtpmap:96\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=rtpmap:96 VP8\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=extmap:3\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=ssrc:1234\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=ssrc-group:FID\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=rid:f\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=simulcast:send\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=candidate:1 1 udp 5 192.0.2.1\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX,
                   6);
    expect_failure(HEAD VIDEO "a=fingerprint:sha-256\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD "a\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    expect_failure(HEAD "a=\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    expect_failure(HEAD "=x\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    expect_failure(HEAD "A=x\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
}

static void test_sdp_rejects_huge_numbers(void)
{
    expect_failure("v=0\r\no=- 18446744073709551616 1 IN IP4 0.0.0.0\r\n", EINVAL,
                   PRISM_SDP_ERR_SYNTAX, 2);
    expect_failure("v=0\r\no=- 1 99999999999999999999999999 IN IP4 0.0.0.0\r\n", EINVAL,
                   PRISM_SDP_ERR_SYNTAX, 2);
    expect_failure(HEAD "m=video 65536 UDP/TLS/RTP/SAVPF 96\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    expect_failure(HEAD VIDEO "a=ssrc:4294967296 cname:x\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=rtpmap:96 VP8/4294967296\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=extmap:256 urn:x\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=extmap:0 urn:x\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=sctp-port:70000\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=max-message-size:184467440737095516160\r\n", EINVAL,
                   PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD "b=AS:4294967296\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    /* the largest values still parse */
    struct prism_sdp *sdp = sdp_parse_text(
        "v=0\r\no=- 18446744073709551615 1 IN IP4 0.0.0.0\r\n"
        "m=audio 65535 RTP/AVP 0\r\na=ssrc:4294967295 cname:x\r\n");
    g_assert_cmpuint(sdp->session_id, ==, UINT64_MAX);
    g_assert_cmpuint(sdp->media[0].ssrcs[0].ssrc, ==, UINT32_MAX);
    prism_sdp_free(sdp);
}

static void test_sdp_rejects_bad_payload_types(void)
{
    expect_failure(HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96 128\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    expect_failure(HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96 x\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    expect_failure(HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96 96\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    expect_failure(HEAD VIDEO "a=rtpmap:200 VP8/90000\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=fmtp:300 apt=96\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=rtcp-fb:128 nack\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=rtpmap:96 VP8/90000\r\na=rtpmap:96 VP9/90000\r\n", EINVAL,
                   PRISM_SDP_ERR_SYNTAX, 7);
    /* an rtpmap for a payload type not on the m= line is ignored, not an error */
    struct prism_sdp *sdp = sdp_parse_text(HEAD VIDEO "a=rtpmap:97 VP9/90000\r\n");
    g_assert_cmpuint(sdp->media[0].codec_count, ==, 1);
    g_assert_cmpstr(sdp->media[0].codecs[0].name, ==, "");
    prism_sdp_free(sdp);
}

static void test_sdp_rejects_too_many_m_lines(void)
{
    GString *text = g_string_new(HEAD);
    for (int i = 0; i < PRISM_SDP_MAX_MEDIA; i++)
        g_string_append_printf(text, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:%d\r\n", i);
    struct prism_sdp *sdp = sdp_parse_text(text->str); /* exactly the bound: fine */
    g_assert_cmpuint(sdp->media_count, ==, PRISM_SDP_MAX_MEDIA);
    prism_sdp_free(sdp);
    g_string_append(text, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
    expect_failure(text->str, E2BIG, PRISM_SDP_ERR_LIMIT, 4 + 2 * PRISM_SDP_MAX_MEDIA + 1);
    g_string_free(text, TRUE);
}

static void test_sdp_rejects_too_many_payload_types_and_extmaps(void)
{
    GString *text = g_string_new(HEAD "m=video 9 UDP/TLS/RTP/SAVPF");
    for (int pt = 0; pt <= PRISM_SDP_MAX_CODECS; pt++)
        g_string_append_printf(text, " %d", pt);
    g_string_append(text, "\r\n");
    expect_failure(text->str, E2BIG, PRISM_SDP_ERR_LIMIT, 5);
    g_string_assign(text, HEAD VIDEO);
    for (int id = 1; id <= PRISM_SDP_MAX_EXTMAPS + 1; id++)
        g_string_append_printf(text, "a=extmap:%d urn:example:%d\r\n", id, id);
    expect_failure(text->str, E2BIG, PRISM_SDP_ERR_LIMIT, 5 + PRISM_SDP_MAX_EXTMAPS + 1);
    g_string_assign(text, HEAD VIDEO);
    for (int i = 0; i <= PRISM_SDP_MAX_SSRCS; i++)
        g_string_append_printf(text, "a=ssrc:%d cname:c\r\n", 1000 + i);
    expect_failure(text->str, E2BIG, PRISM_SDP_ERR_LIMIT, 0);
    g_string_assign(text, HEAD VIDEO);
    for (int i = 0; i <= PRISM_SDP_MAX_CANDIDATES; i++)
        g_string_append_printf(text, "a=candidate:%d 1 udp 9 192.0.2.1 %d typ host\r\n", i, i);
    expect_failure(text->str, E2BIG, PRISM_SDP_ERR_LIMIT, 0);
    g_string_free(text, TRUE);
}

static void test_sdp_rejects_oversized_fields(void)
{
    char *long_uri = g_strnfill(PRISM_SDP_URI_LEN + 1, 'u');
    char *text = g_strdup_printf(HEAD VIDEO "a=extmap:1 %s\r\n", long_uri);
    expect_failure(text, E2BIG, PRISM_SDP_ERR_LIMIT, 6);
    g_free(text);
    char *long_ufrag = g_strnfill(PRISM_SDP_ICE_CRED_LEN + 1, 'f');
    text = g_strdup_printf(HEAD "a=ice-ufrag:%s\r\n", long_ufrag);
    expect_failure(text, E2BIG, PRISM_SDP_ERR_LIMIT, 5);
    g_free(text);
    char *long_fmtp = g_strnfill(PRISM_SDP_FMTP_LEN + 1, 'p');
    text = g_strdup_printf(HEAD VIDEO "a=fmtp:96 %s\r\n", long_fmtp);
    expect_failure(text, E2BIG, PRISM_SDP_ERR_LIMIT, 6);
    g_free(text);
    char *long_mid = g_strnfill(PRISM_SDP_MID_LEN + 1, 'm');
    text = g_strdup_printf(HEAD VIDEO "a=mid:%s\r\n", long_mid);
    expect_failure(text, E2BIG, PRISM_SDP_ERR_LIMIT, 6);
    g_free(text);
    g_free(long_uri);
    g_free(long_ufrag);
    g_free(long_fmtp);
    g_free(long_mid);
}

static void test_sdp_rejects_bad_fingerprint(void)
{
    const char *const bad[] = {
        "a=fingerprint:sha-256 4C:4C:18\r\n", /* too short */
        ("a=fingerprint:sha-256 4G:4C:18:51:C1:1B:C3:82:23:CD:94:D2:52:07:82:08:48:74:F1:0E:32:"
         "ED:C2:07:33:16:98:EB:3B:1D:C4:88\r\n"), /* not hex */
        "a=fingerprint:sha-256 4C4C:18:51\r\n",   /* no separator */
        "a=fingerprint:sha-1 4C:4C:18:\r\n",      /* trailing colon */
        "a=fingerprint:sha-1 ::\r\n",
        "a=fingerprint:sha-1 4C:4C:18:51:C1:1B:C3:82:23:CD:94:D2:52:07:82:08:48:74:F1:0E:32\r\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *text = g_strconcat(HEAD VIDEO, bad[i], NULL);
        expect_failure(text, EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
        g_free(text);
    }
    GString *many = g_string_new(HEAD "a=fingerprint:x-hash");
    for (int i = 0; i < PRISM_SDP_FINGERPRINT_MAX_BYTES + 1; i++)
        g_string_append(many, i ? ":AB" : " AB");
    g_string_append(many, "\r\n");
    expect_failure(many->str, E2BIG, PRISM_SDP_ERR_LIMIT, 5);
    g_string_free(many, TRUE);
    /* an unknown hash of any sane length, upper-case name, is kept */
    struct prism_sdp *sdp = sdp_parse_text(HEAD "a=fingerprint:SHA-3 01:02:03\r\n");
    g_assert_cmpstr(sdp->transport.fingerprints[0].algorithm, ==, "sha-3");
    g_assert_cmpuint(sdp->transport.fingerprints[0].length, ==, 3);
    prism_sdp_free(sdp);
}

static void test_sdp_rejects_garbage_and_control_bytes(void)
{
    expect_failure("\x89PNG\r\n\x1a\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 1);
    expect_failure(HEAD "s=caf\x01\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 5);
    expect_failure(HEAD VIDEO "a=mid:0\rX\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=mid:caf\xc3\xa9\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=ice-ufrag:ab cd\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=setup:sideways\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=mid:0\r\na=mid:1\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 7);
    expect_failure(HEAD VIDEO "a=extmap:1/sideways urn:x\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n", EINVAL,
                   PRISM_SDP_ERR_SYNTAX, 7);
    expect_failure(HEAD VIDEO "a=rid:f both\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=simulcast:send a;;b\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX, 6);
    expect_failure(HEAD VIDEO "a=simulcast:send a recv b send c\r\n", EINVAL, PRISM_SDP_ERR_SYNTAX,
                   6);
    /* UTF-8 in free text is fine */
    struct prism_sdp *sdp = sdp_parse_text(HEAD "s=caf\xc3\xa9\r\n");
    g_assert_cmpstr(sdp->session_name, ==, "caf\xc3\xa9");
    prism_sdp_free(sdp);
}

static void test_sdp_rejects_embedded_nul(void)
{
    const char text[] = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=a\0b\r\n";
    struct prism_sdp *sdp = NULL;
    struct prism_sdp_error err;
    g_assert_cmpint(prism_sdp_parse(text, sizeof(text) - 1, &sdp, &err), ==, -EINVAL);
    g_assert_cmpint(err.code, ==, PRISM_SDP_ERR_SYNTAX);
    g_assert_cmpuint(err.line, ==, 3);
    g_assert_null(sdp);
}

static void test_sdp_reads_only_the_given_length(void)
{
    /* The buffer goes on with a bad line the parser must never see. */
    const char text[] = "v=0\no=- 1 1 IN IP4 0.0.0.0\nm=audio 9 RTP/AVP 0\nm=bad";
    struct prism_sdp *sdp = NULL;
    size_t cut = strlen(text) - strlen("m=bad");
    g_assert_cmpint(prism_sdp_parse(text, cut, &sdp, NULL), ==, 0);
    g_assert_cmpuint(sdp->media_count, ==, 1);
    prism_sdp_free(sdp);
    /* a copy with no NUL after it, so ASan sees any overread */
    char *exact = g_memdup2(text, cut);
    g_assert_cmpint(prism_sdp_parse(exact, cut, &sdp, NULL), ==, 0);
    prism_sdp_free(sdp);
    /* and the last line may lack its line end */
    g_assert_cmpint(prism_sdp_parse(exact, cut - 1, &sdp, NULL), ==, 0);
    g_assert_cmpstr(sdp->media[0].proto, ==, "RTP/AVP");
    prism_sdp_free(sdp);
    g_free(exact);
}

static void test_sdp_every_prefix_of_a_fixture_is_safe(void)
{
    size_t length;
    char *text = sdp_fixture("firefox_sendrecv.sdp", &length);
    for (size_t cut = 0; cut <= length; cut++) {
        char *prefix = g_memdup2(text, cut);
        struct prism_sdp *sdp = NULL;
        int rc = prism_sdp_parse(prefix, cut, &sdp, NULL);
        g_assert_true(rc == 0 || rc == -EINVAL || rc == -E2BIG);
        g_assert_true((rc == 0) == (sdp != NULL));
        prism_sdp_free(sdp);
        g_free(prefix);
    }
    g_free(text);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/malformed/empty", test_sdp_rejects_empty_input);
    g_test_add_func("/sdp/malformed/missing-version", test_sdp_rejects_missing_version);
    g_test_add_func("/sdp/malformed/truncated-lines", test_sdp_rejects_truncated_lines);
    g_test_add_func("/sdp/malformed/huge-numbers", test_sdp_rejects_huge_numbers);
    g_test_add_func("/sdp/malformed/bad-payload-types", test_sdp_rejects_bad_payload_types);
    g_test_add_func("/sdp/malformed/too-many-m-lines", test_sdp_rejects_too_many_m_lines);
    g_test_add_func("/sdp/malformed/too-many-entries",
                    test_sdp_rejects_too_many_payload_types_and_extmaps);
    g_test_add_func("/sdp/malformed/oversized-fields", test_sdp_rejects_oversized_fields);
    g_test_add_func("/sdp/malformed/bad-fingerprint", test_sdp_rejects_bad_fingerprint);
    g_test_add_func("/sdp/malformed/garbage-and-control-bytes",
                    test_sdp_rejects_garbage_and_control_bytes);
    g_test_add_func("/sdp/malformed/embedded-nul", test_sdp_rejects_embedded_nul);
    g_test_add_func("/sdp/malformed/reads-only-given-length", test_sdp_reads_only_the_given_length);
    g_test_add_func("/sdp/malformed/every-prefix-safe", test_sdp_every_prefix_of_a_fixture_is_safe);
    return g_test_run();
}
