/* Janus's signed tokens: the parser with good and bad input, and every check
 * of the verification (expiry, realm, plugin list, signature). The expected
 * signatures were computed independently (Python's hmac module), as an
 * application signing tokens for Janus would. */
#include "signaling/auth/signed_token.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#define SECRET "prism-test-secret"
#define ECHO_TOKEN "1900000000,janus,janus.plugin.echotest:E+FYdyq8WTYnIppShAguKAxCdtk="
#define BARE_TOKEN "2000000000,janus:trfBvwOHucYu2Ja2chBc2Wa4MW8="
#define NOW 1800000000

static int parse(const char *text, struct prism_signed_token *out)
{
    return prism_signed_token_parse(text, strlen(text), out);
}

static void test_signed_token_parse_splits_fields(void)
{
    struct prism_signed_token token;
    g_assert_cmpint(parse("123,janus,a,b:sig:more", &token), ==, 0);
    g_assert_cmpint(token.expiry, ==, 123);
    g_assert_cmpint((int)token.data_length, ==, (int)strlen("123,janus,a,b"));
    g_assert_cmpint((int)token.realm_length, ==, 5);
    g_assert_true(strncmp(token.realm, "janus", 5) == 0);
    g_assert_cmpint((int)token.plugins_length, ==, 3);
    /* Everything after the first ':' is the signature, as g_strsplit(.., 2). */
    g_assert_cmpint((int)token.signature_length, ==, (int)strlen("sig:more"));
    g_assert_true(prism_signed_token_lists_plugin(&token, "a"));
    g_assert_true(prism_signed_token_lists_plugin(&token, "b"));
    g_assert_false(prism_signed_token_lists_plugin(&token, "a,b"));
    g_assert_false(prism_signed_token_lists_plugin(&token, ""));

    g_assert_cmpint(parse("5,janus:", &token), ==, 0);
    g_assert_null(token.plugins);
    g_assert_cmpint((int)token.signature_length, ==, 0);
    g_assert_false(prism_signed_token_lists_plugin(&token, "a"));
}

static void test_signed_token_parse_rejects_bad_input(void)
{
    static const char *const bad[] = {
        "", ":", "janus", "123", "123,janus", ":123,janus", "123:janus,x", ",", "abc:def",
    };
    struct prism_signed_token token;
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(parse(bad[i], &token), ==, -EINVAL);
    g_assert_cmpint(prism_signed_token_parse(NULL, 0, &token), ==, -EINVAL);
    /* The length bounds the parse: the ':' past it is not seen. */
    g_assert_cmpint(prism_signed_token_parse("1,janus:sig", 7, &token), ==, -EINVAL);
}

static void test_signed_token_expiry_reads_like_strtoll(void)
{
    struct prism_signed_token token;
    g_assert_cmpint(parse(" 42x,janus:s", &token), ==, 0);
    g_assert_cmpint(token.expiry, ==, 42);
    g_assert_cmpint(parse("x,janus:s", &token), ==, 0);
    g_assert_cmpint(token.expiry, ==, 0);
    g_assert_cmpint(parse("-7,janus:s", &token), ==, 0);
    g_assert_cmpint(token.expiry, ==, -7);
    g_assert_cmpint(parse("99999999999999999999999,janus:s", &token), ==, 0);
    g_assert_cmpint(token.expiry, ==, G_MAXINT64);
    g_assert_cmpint(parse("-99999999999999999999999,janus:s", &token), ==, 0);
    g_assert_cmpint(token.expiry, ==, G_MININT64);
}

static void test_signed_token_verifies_janus_signature(void)
{
    g_assert_true(prism_signed_token_verify(BARE_TOKEN, SECRET, "janus", NULL, NOW));
    g_assert_true(prism_signed_token_verify(ECHO_TOKEN, SECRET, "janus", NULL, NOW));
    g_assert_true(
        prism_signed_token_verify(ECHO_TOKEN, SECRET, "janus", "janus.plugin.echotest", NOW));
}

static void test_signed_token_refuses_expired(void)
{
    g_assert_true(prism_signed_token_verify(BARE_TOKEN, SECRET, "janus", NULL, 2000000000));
    g_assert_false(prism_signed_token_verify(BARE_TOKEN, SECRET, "janus", NULL, 2000000001));
    char token[256];
    g_assert_cmpint(prism_signed_token_sign(SECRET, -1, "janus", NULL, token, sizeof(token)), >, 0);
    g_assert_false(prism_signed_token_verify(token, SECRET, "janus", NULL, -5));
}

static void test_signed_token_refuses_tampering(void)
{
    /* A later expiry, another plugin, a flipped signature byte, a lost
     * signature, another secret, another realm. */
    g_assert_false(prism_signed_token_verify(
        "2100000000,janus,janus.plugin.echotest:E+FYdyq8WTYnIppShAguKAxCdtk=", SECRET, "janus",
        NULL, NOW));
    g_assert_false(prism_signed_token_verify(
        "1900000000,janus,janus.plugin.videoroom:E+FYdyq8WTYnIppShAguKAxCdtk=", SECRET, "janus",
        "janus.plugin.videoroom", NOW));
    g_assert_false(prism_signed_token_verify(
        "1900000000,janus,janus.plugin.echotest:E+FYdyq8WTYnIppShAguKAxCdtK=", SECRET, "janus",
        NULL, NOW));
    g_assert_false(prism_signed_token_verify("2000000000,janus:", SECRET, "janus", NULL, NOW));
    g_assert_false(prism_signed_token_verify(BARE_TOKEN, "other", "janus", NULL, NOW));
    g_assert_false(prism_signed_token_verify(BARE_TOKEN, SECRET, "other", NULL, NOW));
    g_assert_false(prism_signed_token_verify(NULL, SECRET, "janus", NULL, NOW));
    g_assert_false(prism_signed_token_verify(BARE_TOKEN, NULL, "janus", NULL, NOW));
}

static void test_signed_token_plugin_must_be_listed(void)
{
    g_assert_false(
        prism_signed_token_verify(BARE_TOKEN, SECRET, "janus", "janus.plugin.echotest", NOW));
    g_assert_false(
        prism_signed_token_verify(ECHO_TOKEN, SECRET, "janus", "janus.plugin.videoroom", NOW));
    /* A prefix of a listed plugin is not the plugin. */
    g_assert_false(prism_signed_token_verify(ECHO_TOKEN, SECRET, "janus", "janus.plugin", NOW));
}

static void test_signed_token_sign_round_trips(void)
{
    char token[256];
    int length = prism_signed_token_sign(SECRET, 1900000000, "janus", "janus.plugin.echotest",
                                         token, sizeof(token));
    g_assert_cmpint(length, ==, (int)strlen(ECHO_TOKEN));
    g_assert_cmpstr(token, ==, ECHO_TOKEN);
    g_assert_cmpint(prism_signed_token_sign(SECRET, 1, "janus", NULL, token, 8), ==, -ENOSPC);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/auth/signed_token/parse_splits_fields",
                    test_signed_token_parse_splits_fields);
    g_test_add_func("/auth/signed_token/parse_rejects_bad_input",
                    test_signed_token_parse_rejects_bad_input);
    g_test_add_func("/auth/signed_token/expiry_reads_like_strtoll",
                    test_signed_token_expiry_reads_like_strtoll);
    g_test_add_func("/auth/signed_token/verifies_janus_signature",
                    test_signed_token_verifies_janus_signature);
    g_test_add_func("/auth/signed_token/refuses_expired", test_signed_token_refuses_expired);
    g_test_add_func("/auth/signed_token/refuses_tampering", test_signed_token_refuses_tampering);
    g_test_add_func("/auth/signed_token/plugin_must_be_listed",
                    test_signed_token_plugin_must_be_listed);
    g_test_add_func("/auth/signed_token/sign_round_trips", test_signed_token_sign_round_trips);
    return g_test_run();
}
