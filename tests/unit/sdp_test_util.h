/* Shared helpers for the SDP unit tests: loading fixtures and parsing them. */
#ifndef PRISM_TESTS_SDP_TEST_UTIL_H
#define PRISM_TESTS_SDP_TEST_UTIL_H

#include "media/sdp/negotiate.h"
#include "media/sdp/sdp.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* Reads tests/data/sdp/<name>; the caller g_free()s it. */
static inline char *sdp_fixture(const char *name, size_t *length)
{
    char *path = g_build_filename(PRISM_TEST_DATA_DIR, "sdp", name, NULL);
    char *text = NULL;
    gsize len = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, &len, &error))
        g_error("cannot read fixture %s: %s", path, error->message);
    g_free(path);
    *length = len;
    return text;
}

/* Parses a fixture that must parse. */
static inline struct prism_sdp *sdp_parse_fixture(const char *name)
{
    size_t length;
    char *text = sdp_fixture(name, &length);
    struct prism_sdp *sdp = NULL;
    struct prism_sdp_error err;
    int rc = prism_sdp_parse(text, length, &sdp, &err);
    if (rc != 0)
        g_error("%s: line %u: %s", name, err.line, err.message);
    g_free(text);
    return sdp;
}

/* Parses a string that must parse. */
static inline struct prism_sdp *sdp_parse_text(const char *text)
{
    struct prism_sdp *sdp = NULL;
    struct prism_sdp_error err;
    if (prism_sdp_parse(text, strlen(text), &sdp, &err) != 0)
        g_error("line %u: %s", err.line, err.message);
    return sdp;
}

/* Options with a valid local transport, as the PeerConnection glue would fill them. */
static inline void sdp_test_answer_options(struct prism_sdp_answer_options *o)
{
    prism_sdp_answer_options_init(o);
    o->session_id = 4242424242u;
    o->session_version = 1;
    o->transport.ice_ufrag = "Pr1s";
    o->transport.ice_pwd = "prismprismprismprismpr+/";
    memcpy(o->transport.fingerprint.algorithm, "sha-256", 8);
    o->transport.fingerprint.length = 32;
    for (int i = 0; i < 32; i++)
        o->transport.fingerprint.bytes[i] = (uint8_t)(0xa0 + i);
}

/* Writes a description and parses the text back: what a remote peer would read. */
static inline struct prism_sdp *sdp_reparse(const struct prism_sdp *sdp, char **text_out)
{
    char *text = NULL;
    size_t length = 0;
    g_assert_cmpint(prism_sdp_write_alloc(sdp, &text, &length), ==, 0);
    g_assert_cmpuint(length, ==, strlen(text));
    g_assert_true(g_str_has_suffix(text, "\r\n"));
    struct prism_sdp *back = NULL;
    struct prism_sdp_error err;
    if (prism_sdp_parse(text, length, &back, &err) != 0)
        g_error("re-parse failed at line %u: %s\n%s", err.line, err.message, text);
    if (text_out)
        *text_out = text;
    else
        free(text);
    return back;
}

#endif
