/* Data channel m-lines in both syntaxes: RFC 8841 ("UDP/DTLS/SCTP webrtc-datachannel" with
 * a=sctp-port) and the legacy draft-ietf-mmusic-sctp-sdp-05 one ("DTLS/SCTP 5000" with
 * a=sctpmap) that aiortc 1.4 and old browsers send: parsing, answering, writing, bad input. */
#include "sdp_test_util.h"

#include <errno.h>

#define HEAD                                                                                     \
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE d\r\n"                      \
    "a=ice-ufrag:ufrg\r\na=ice-pwd:passwordpasswordpassword\r\n"                                 \
    "a=fingerprint:sha-256 "                                                                     \
    "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:" \
    "1E:1F\r\na=setup:actpass\r\n"
#define LEGACY "m=application 9 DTLS/SCTP 5000\r\nc=IN IP4 0.0.0.0\r\na=mid:d\r\n"

/* Answers text with the test options (adjusted by the caller) and returns the written answer. */
static char *answer_text(const char *offer_text, const struct prism_sdp_answer_options *o,
                         struct prism_sdp **parsed)
{
    struct prism_sdp *offer = sdp_parse_text(offer_text), *answer = NULL;
    struct prism_sdp_error err;
    if (prism_sdp_answer_create(offer, o, &answer, &err) != 0)
        g_error("answer failed: %s", err.message);
    char *text = NULL;
    *parsed = sdp_reparse(answer, &text);
    g_assert_cmpint(prism_sdp_validate_answer(offer, *parsed, &err), ==, 0);
    prism_sdp_free(answer);
    prism_sdp_free(offer);
    return text;
}

static void test_sdp_parses_aiortc_legacy_sctpmap(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("aiortc-1.4-offer.sdp");
    g_assert_cmpuint(sdp->media_count, ==, 3);
    const struct prism_sdp_media *data = &sdp->media[2];
    g_assert_cmpint(data->kind, ==, PRISM_SDP_MEDIA_APPLICATION);
    g_assert_cmpstr(data->proto, ==, "DTLS/SCTP");
    g_assert_cmpstr(data->formats, ==, "5000");
    g_assert_true(data->sctpmap);
    g_assert_cmpuint(data->sctp_port, ==, 5000);
    g_assert_cmpstr(data->sctpmap_protocol, ==, "webrtc-datachannel");
    g_assert_cmpuint(data->sctpmap_streams, ==, 65535);
    g_assert_cmpuint(data->max_message_size, ==, 65536);
    g_assert_cmpstr(data->transport.ice_ufrag, ==, "ODqM"); /* its own, as on every aiortc line */
    g_assert_cmpstr(data->transport.ice_pwd, ==, "U3wPZJa8e22BagTkKheS3H");
    prism_sdp_free(sdp);
}

static void test_sdp_parses_modern_sctp_port_without_legacy_flag(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("chrome_simulcast_datachannel.sdp");
    const struct prism_sdp_media *data = &sdp->media[2];
    g_assert_false(data->sctpmap);
    g_assert_cmpuint(data->sctp_port, ==, 5000);
    g_assert_cmpstr(data->sctpmap_protocol, ==, "");
    prism_sdp_free(sdp);
}

static void test_sdp_parses_sctpmap_without_stream_count(void)
{
    struct prism_sdp *sdp = sdp_parse_text(HEAD LEGACY "a=sctpmap:5000 webrtc-datachannel\r\n");
    g_assert_true(sdp->media[0].sctpmap);
    g_assert_cmpuint(sdp->media[0].sctpmap_streams, ==, 0);
    char *text = NULL;
    struct prism_sdp *back = sdp_reparse(sdp, &text);
    g_assert_nonnull(strstr(text, "\r\na=sctpmap:5000 webrtc-datachannel\r\n"));
    g_assert_null(strstr(text, "a=sctp-port"));
    g_assert_cmpuint(back->media[0].sctpmap_streams, ==, 0);
    free(text);
    prism_sdp_free(back);
    prism_sdp_free(sdp);
}

static void test_answer_legacy_offer_in_legacy_syntax(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *a = NULL;
    char *text = answer_text(HEAD LEGACY "a=sctpmap:5000 webrtc-datachannel 256\r\n"
                                         "a=max-message-size:65536\r\n",
                             &o, &a);
    g_assert_nonnull(strstr(text, "\r\nm=application 9 DTLS/SCTP 5000\r\n"));
    g_assert_nonnull(strstr(text, "\r\na=sctpmap:5000 webrtc-datachannel 1024\r\n"));
    g_assert_nonnull(strstr(text, "\r\na=max-message-size:262144\r\n"));
    g_assert_null(strstr(text, "a=sctp-port"));
    g_assert_null(strstr(text, "webrtc-datachannel\r\nc="));
    const struct prism_sdp_media *data = &a->media[0];
    g_assert_false(prism_sdp_media_is_rejected(data));
    g_assert_true(data->sctpmap);
    g_assert_cmpuint(data->sctp_port, ==, 5000);
    g_assert_cmpstr(data->transport.ice_ufrag, ==, "Pr1s");
    g_assert_cmpstr(data->transport.ice_pwd, ==, "prismprismprismprismpr+/");
    g_assert_cmpuint(data->transport.fingerprint_count, ==, 1);
    g_assert_cmpint(data->transport.setup, ==, PRISM_SDP_SETUP_PASSIVE);
    g_assert_true(prism_sdp_bundle_contains(a, "d"));
    free(text);
    prism_sdp_free(a);
}

static void test_answer_legacy_offer_uses_our_port_and_streams(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    o.sctp_port = 6000;
    o.sctp_streams = 256;
    struct prism_sdp *a = NULL;
    char *text = answer_text(HEAD LEGACY "a=sctpmap:5000 webrtc-datachannel 1024\r\n", &o, &a);
    g_assert_nonnull(strstr(text, "\r\nm=application 9 DTLS/SCTP 6000\r\n"));
    g_assert_nonnull(strstr(text, "\r\na=sctpmap:6000 webrtc-datachannel 256\r\n"));
    g_assert_cmpstr(a->media[0].formats, ==, "6000");
    free(text);
    prism_sdp_free(a);
}

static void test_answer_modern_offer_in_modern_syntax(void)
{
    static const char *const protos[] = {"UDP/DTLS/SCTP", "TCP/DTLS/SCTP"};
    for (size_t i = 0; i < G_N_ELEMENTS(protos); i++) {
        char *offer = g_strdup_printf(HEAD "m=application 9 %s webrtc-datachannel\r\n"
                                           "c=IN IP4 0.0.0.0\r\na=mid:d\r\na=sctp-port:5000\r\n",
                                      protos[i]);
        char *line = g_strdup_printf("\r\nm=application 9 %s webrtc-datachannel\r\n", protos[i]);
        struct prism_sdp_answer_options o;
        sdp_test_answer_options(&o);
        struct prism_sdp *a = NULL;
        char *text = answer_text(offer, &o, &a);
        g_assert_nonnull(strstr(text, line));
        g_assert_nonnull(strstr(text, "\r\na=sctp-port:5000\r\n"));
        g_assert_null(strstr(text, "sctpmap"));
        g_assert_false(a->media[0].sctpmap);
        free(text);
        prism_sdp_free(a);
        g_free(line);
        g_free(offer);
    }
}

/* A legacy m-line for another SCTP protocol, or data channels switched off: port 0, and still
 * the transport lines aiortc insists on. */
static void test_answer_rejects_legacy_m_line_it_cannot_use(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *a = NULL;
    char *text = answer_text(HEAD LEGACY "a=sctpmap:5000 t38 16\r\n", &o, &a);
    g_assert_nonnull(strstr(text, "\r\nm=application 0 DTLS/SCTP 5000\r\n"));
    g_assert_null(strstr(text, "sctpmap"));
    g_assert_true(prism_sdp_media_is_rejected(&a->media[0]));
    g_assert_cmpstr(a->media[0].transport.ice_ufrag, ==, "Pr1s");
    g_assert_cmpint(a->media[0].transport.setup, ==, PRISM_SDP_SETUP_PASSIVE);
    g_assert_cmpuint(a->group_count, ==, 0);
    free(text);
    prism_sdp_free(a);

    o.accept_data_channels = false;
    text = answer_text(HEAD LEGACY "a=sctpmap:5000 webrtc-datachannel 1024\r\n", &o, &a);
    g_assert_true(prism_sdp_media_is_rejected(&a->media[0]));
    g_assert_nonnull(strstr(text, "\r\na=ice-ufrag:Pr1s\r\n"));
    free(text);
    prism_sdp_free(a);
}

/* Writing what was parsed and parsing it again keeps the legacy form, and the second writing is
 * the same text as the first. */
static void test_sdp_legacy_write_parse_round_trip(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("aiortc-1.4-offer.sdp");
    char *first = NULL, *second = NULL;
    struct prism_sdp *back = sdp_reparse(sdp, &first);
    struct prism_sdp *again = sdp_reparse(back, &second);
    g_assert_cmpstr(first, ==, second);
    g_assert_nonnull(strstr(first, "\r\nm=application 9 DTLS/SCTP 5000\r\n"));
    g_assert_nonnull(strstr(first, "\r\na=sctpmap:5000 webrtc-datachannel 65535\r\n"));
    const struct prism_sdp_media *data = &again->media[2];
    g_assert_true(data->sctpmap);
    g_assert_cmpuint(data->sctp_port, ==, 5000);
    g_assert_cmpuint(data->sctpmap_streams, ==, 65535);
    g_assert_cmpstr(data->sctpmap_protocol, ==, "webrtc-datachannel");
    free(first);
    free(second);
    prism_sdp_free(again);
    prism_sdp_free(back);
    prism_sdp_free(sdp);
}

static void expect_bad_line(const char *lines, int errnum, enum prism_sdp_error_code code)
{
    char *text = g_strconcat(HEAD LEGACY, lines, NULL);
    struct prism_sdp *sdp = NULL;
    struct prism_sdp_error err;
    int rc = prism_sdp_parse(text, strlen(text), &sdp, &err);
    if (rc != -errnum || err.code != code)
        g_error("expected %d/%d, got %d/%d (%s) for:\n%s", -errnum, code, rc, err.code, err.message,
                lines);
    g_assert_null(sdp);
    g_assert_cmpuint(err.line, ==, 13 + (strstr(lines, "\r\na=") ? 1 : 0));
    g_free(text);
}

static void test_sdp_rejects_malformed_sctpmap(void)
{
    static const char *const syntax[] = {
        "a=sctpmap:\r\n",
        "a=sctpmap:5000\r\n",
        "a=sctpmap: webrtc-datachannel 1024\r\n",
        "a=sctpmap:abc webrtc-datachannel 1024\r\n",
        "a=sctpmap:-5000 webrtc-datachannel 1024\r\n",
        "a=sctpmap:0 webrtc-datachannel 1024\r\n",
        "a=sctpmap:70000 webrtc-datachannel 1024\r\n",
        "a=sctpmap:184467440737095516160000 webrtc-datachannel\r\n",
        "a=sctpmap:5001 webrtc-datachannel 1024\r\n", /* not the m-line's format */
        "a=sctpmap:5000 webrtc-datachannel 0\r\n",
        "a=sctpmap:5000 webrtc-datachannel 65536\r\n",
        "a=sctpmap:5000 webrtc-datachannel 99999999999999999999999\r\n",
        "a=sctpmap:5000 webrtc-datachannel 1k\r\n",
        "a=sctpmap:5000 webrtc-datachannel 1024 16\r\n",
        "a=sctpmap:5000 web\"rtc 1024\r\n",
        "a=sctpmap:5000 webrtc-datachannel\r\na=sctpmap:5000 webrtc-datachannel\r\n",
        "a=sctp-port:5000\r\na=sctpmap:5000 webrtc-datachannel\r\n",
        "a=sctpmap:5000 webrtc-datachannel\r\na=sctp-port:5000\r\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(syntax); i++)
        expect_bad_line(syntax[i], EINVAL, PRISM_SDP_ERR_SYNTAX);
    char *long_protocol = g_strdup_printf("a=sctpmap:5000 %0*d 16\r\n", PRISM_SDP_TOKEN_LEN + 1, 7);
    expect_bad_line(long_protocol, E2BIG, PRISM_SDP_ERR_LIMIT);
    g_free(long_protocol);

    /* an a=sctpmap on a modern m-line has no numeric format to match */
    const char *modern = HEAD "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                              "a=sctpmap:5000 webrtc-datachannel 1024\r\n";
    struct prism_sdp *sdp = NULL;
    struct prism_sdp_error err;
    g_assert_cmpint(prism_sdp_parse(modern, strlen(modern), &sdp, &err), ==, -EINVAL);
    g_assert_cmpint(err.code, ==, PRISM_SDP_ERR_SYNTAX);
    g_assert_null(sdp);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/datachannel/parses-aiortc-legacy-sctpmap",
                    test_sdp_parses_aiortc_legacy_sctpmap);
    g_test_add_func("/sdp/datachannel/parses-modern-sctp-port",
                    test_sdp_parses_modern_sctp_port_without_legacy_flag);
    g_test_add_func("/sdp/datachannel/sctpmap-without-streams",
                    test_sdp_parses_sctpmap_without_stream_count);
    g_test_add_func("/sdp/datachannel/answer-legacy-in-legacy-syntax",
                    test_answer_legacy_offer_in_legacy_syntax);
    g_test_add_func("/sdp/datachannel/answer-legacy-our-port-and-streams",
                    test_answer_legacy_offer_uses_our_port_and_streams);
    g_test_add_func("/sdp/datachannel/answer-modern-in-modern-syntax",
                    test_answer_modern_offer_in_modern_syntax);
    g_test_add_func("/sdp/datachannel/answer-rejects-unusable-legacy",
                    test_answer_rejects_legacy_m_line_it_cannot_use);
    g_test_add_func("/sdp/datachannel/legacy-round-trip", test_sdp_legacy_write_parse_round_trip);
    g_test_add_func("/sdp/datachannel/rejects-malformed-sctpmap",
                    test_sdp_rejects_malformed_sctpmap);
    return g_test_run();
}
