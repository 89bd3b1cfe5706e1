/* The WHIP/WHEP PATCH body (application/trickle-ice-sdpfrag, RFC 8840): candidates, ICE
 * restarts, malformed fragments, and the fragment answering a restart. */
#include "signaling/whip/sdpfrag.h"

#include <glib.h>
#include <string.h>

/* RFC 9725 section 4.3.1's example, with CRLF line ends. */
static const char rfc_fragment
    [] = "a=ice-ufrag:EsAw\r\n"
         "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
         "m=audio 9 RTP/AVP 0\r\n"
         "a=mid:0\r\n"
         "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw "
         "network-id 1\r\n"
         "a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag "
         "EsAw network-id 2\r\n"
         "a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 "
         "ufrag EsAw network-id 1\r\n"
         "a=end-of-candidates\r\n";

static int parse(const char *text, struct prism_sdpfrag *frag, char *reason)
{
    return prism_sdpfrag_parse(text, strlen(text), frag, reason, 128);
}

static void test_sdpfrag_parses_rfc_trickle_example(void)
{
    struct prism_sdpfrag *frag = g_new0(struct prism_sdpfrag, 1);
    char reason[128];
    g_assert_cmpint(parse(rfc_fragment, frag, reason), ==, 0);
    g_assert_cmpstr(frag->ufrag, ==, "EsAw");
    g_assert_cmpstr(frag->pwd, ==, "P2uYro0UCOQ4zxjKXaWCBui1");
    g_assert_cmpuint(frag->candidate_count, ==, 3);
    g_assert_true(g_str_has_prefix(frag->candidates[0].text, "candidate:1387637174 1 udp"));
    g_assert_true(g_str_has_suffix(frag->candidates[0].text, "network-id 1"));
    g_assert_cmpstr(frag->candidates[2].mid, ==, "0");
    g_assert_cmpuint(frag->candidates[2].mline_index, ==, 0);
    g_assert_true(frag->end_of_candidates);
    g_assert_false(prism_sdpfrag_is_restart(frag, "EsAw"));
    g_assert_true(prism_sdpfrag_is_restart(frag, "other"));
    g_free(frag);
}

static void test_sdpfrag_counts_mlines_and_accepts_lf(void)
{
    struct prism_sdpfrag *frag = g_new0(struct prism_sdpfrag, 1);
    char reason[128];
    const char *text = "m=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:a\na=candidate:1 1 udp 1 "
                       "127.0.0.1 5000 typ host\nm=video 9 UDP/TLS/RTP/SAVPF 96\na=mid:v\n"
                       "a=candidate:2 1 udp 1 127.0.0.1 5002 typ host";
    g_assert_cmpint(parse(text, frag, reason), ==, 0);
    g_assert_cmpuint(frag->candidate_count, ==, 2);
    g_assert_cmpstr(frag->candidates[1].mid, ==, "v");
    g_assert_cmpuint(frag->candidates[1].mline_index, ==, 1);
    g_assert_false(frag->end_of_candidates);
    g_assert_cmpstr(frag->ufrag, ==, "");
    g_assert_false(prism_sdpfrag_is_restart(frag, "x")); /* no credentials: a trickle */
    g_free(frag);
}

static void test_sdpfrag_refuses_malformed_fragments(void)
{
    static const char *const bad[] = {
        "hello world\r\n",                                   /* not x=value */
        "a=ice-ufrag:abc\r\n",                               /* pwd missing */
        "a=ice-pwd:abcdefabcdefabcdefabcdef\r\n",            /* ufrag missing */
        "a=ice-ufrag:\r\na=ice-pwd:x\r\n",                   /* empty ufrag */
        "a=ice-ufrag:a\r\na=ice-pwd:b\r\na=ice-ufrag:c\r\n", /* two different ufrags */
        "A=candidate:1 1 udp 1 1.2.3.4 5 typ host\r\n",      /* upper-case type */
        "=\r\n",
        "a=mid:\r\n",
    };
    struct prism_sdpfrag *frag = g_new0(struct prism_sdpfrag, 1);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char reason[128] = "";
        g_assert_cmpint(parse(bad[i], frag, reason), <, 0);
        g_assert_cmpstr(reason, !=, "");
    }
    char reason[128];
    /* A NUL byte inside. */
    g_assert_cmpint(prism_sdpfrag_parse("a=mid:0\0x\r\n", 11, frag, reason, sizeof(reason)), <, 0);
    g_free(frag);
}

static void test_sdpfrag_refuses_oversize_values_and_counts(void)
{
    struct prism_sdpfrag *frag = g_new0(struct prism_sdpfrag, 1);
    char reason[128];
    GString *text = g_string_new("a=ice-ufrag:");
    for (int i = 0; i < 300; i++)
        g_string_append_c(text, 'u');
    g_string_append(text, "\r\na=ice-pwd:p\r\n");
    g_assert_cmpint(parse(text->str, frag, reason), <, 0);

    g_string_assign(text, "a=candidate:");
    for (int i = 0; i < 600; i++)
        g_string_append_c(text, '1');
    g_assert_cmpint(parse(text->str, frag, reason), <, 0);

    g_string_assign(text, "");
    for (unsigned i = 0; i <= PRISM_SDPFRAG_MAX_CANDIDATES; i++)
        g_string_append_printf(text, "a=candidate:%u 1 udp 1 127.0.0.1 %u typ host\r\n", i,
                               5000 + i);
    g_assert_cmpint(parse(text->str, frag, reason), <, 0);
    g_assert_nonnull(strstr(reason, "too many"));
    g_string_free(text, TRUE);
    g_free(frag);
}

static void test_sdpfrag_empty_body_is_an_empty_trickle(void)
{
    struct prism_sdpfrag *frag = g_new0(struct prism_sdpfrag, 1);
    char reason[128];
    g_assert_cmpint(prism_sdpfrag_parse(NULL, 0, frag, reason, sizeof(reason)), ==, 0);
    g_assert_cmpuint(frag->candidate_count, ==, 0);
    g_assert_cmpint(prism_sdpfrag_parse("", 0, frag, reason, sizeof(reason)), ==, 0);
    g_free(frag);
}

static void test_sdpfrag_answers_a_restart_from_the_new_answer(void)
{
    const char *answer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                         "a=group:BUNDLE 0 1\r\n"
                         "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=ice-ufrag:NEWU\r\n"
                         "a=ice-pwd:NEWPASSWORDNEWPASSWORD\r\n"
                         "a=candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host\r\n"
                         "a=end-of-candidates\r\n"
                         "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n";
    char *frag = prism_sdpfrag_from_answer(answer);
    g_assert_nonnull(frag);
    g_assert_true(
        g_str_has_prefix(frag, "a=ice-ufrag:NEWU\r\na=ice-pwd:NEWPASSWORDNEWPASSWORD\r\n"));
    g_assert_nonnull(
        strstr(frag, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:1 1 "));
    g_assert_nonnull(strstr(frag, "a=end-of-candidates\r\nm=video"));
    g_assert_null(strstr(frag, "v=0"));
    /* The fragment made for the client parses back. */
    struct prism_sdpfrag *parsed = g_new0(struct prism_sdpfrag, 1);
    char reason[128];
    g_assert_cmpint(parse(frag, parsed, reason), ==, 0);
    g_assert_cmpstr(parsed->ufrag, ==, "NEWU");
    g_assert_cmpuint(parsed->candidate_count, ==, 1);
    g_free(parsed);
    g_free(frag);
    g_assert_null(prism_sdpfrag_from_answer("v=0\r\nm=audio 9 RTP/AVP 0\r\n"));
    g_assert_null(prism_sdpfrag_from_answer(NULL));
}

static void test_sdpfrag_restart_offer_swaps_credentials_and_drops_candidates(void)
{
    const char *offer = "v=0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                        "a=ice-ufrag:OLD\r\na=ice-pwd:OLDPWD\r\n"
                        "a=candidate:1 1 udp 1 127.0.0.1 5 typ host\r\na=end-of-candidates\r\n"
                        "a=mid:0\r\n";
    char *restarted = prism_sdpfrag_restart_offer(offer, "NEW", "NEWPWD");
    g_assert_cmpstr(restarted, ==,
                    "v=0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                    "a=ice-ufrag:NEW\r\na=ice-pwd:NEWPWD\r\na=mid:0\r\n");
    g_free(restarted);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/whip/sdpfrag/rfc_trickle_example", test_sdpfrag_parses_rfc_trickle_example);
    g_test_add_func("/whip/sdpfrag/mlines_and_lf", test_sdpfrag_counts_mlines_and_accepts_lf);
    g_test_add_func("/whip/sdpfrag/malformed", test_sdpfrag_refuses_malformed_fragments);
    g_test_add_func("/whip/sdpfrag/oversize", test_sdpfrag_refuses_oversize_values_and_counts);
    g_test_add_func("/whip/sdpfrag/empty", test_sdpfrag_empty_body_is_an_empty_trickle);
    g_test_add_func("/whip/sdpfrag/restart_answer",
                    test_sdpfrag_answers_a_restart_from_the_new_answer);
    g_test_add_func("/whip/sdpfrag/restart_offer",
                    test_sdpfrag_restart_offer_swaps_credentials_and_drops_candidates);
    return g_test_run();
}
