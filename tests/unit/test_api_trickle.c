/* "trickle" requests: what Janus 1.x accepts (a candidate object, "completed", an array of
 * them) and every malformed shape, answered with Janus's code and text (janus.c and
 * janus_ice_trickle_parse in ice.c) instead of an ack that would drop the candidate. */
#include "api_harness.h"

#include "signaling/api/errors.h"

#include <stdio.h>

#define HOST_CANDIDATE "\"candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\""

struct trickle_fixture {
    struct harness h;
    uint64_t session;
    uint64_t handle;
};

static void fixture_start(struct trickle_fixture *f)
{
    harness_start(&f->h);
    f->session = harness_create_session(&f->h);
    f->handle = harness_attach(&f->h, f->session);
}

/* Sends {"janus":"trickle", ..., <members>} to the fixture's handle. */
static json_t *send_trickle(struct trickle_fixture *f, const char *members)
{
    char text[1024];
    snprintf(text, sizeof(text),
             "{\"janus\":\"trickle\",\"transaction\":\"t\",\"session_id\":%" G_GUINT64_FORMAT
             ",\"handle_id\":%" G_GUINT64_FORMAT "%s%s}",
             f->session, f->handle, members ? "," : "", members ? members : "");
    return harness_send(&f->h, text);
}

static void assert_ack(struct trickle_fixture *f, const char *members)
{
    json_t *reply = send_trickle(f, members);
    if (g_strcmp0(reply_kind(reply), "ack") != 0)
        g_error("%s: expected an ack, got %s", members, json_dumps(reply, 0));
    g_assert_cmpstr(json_string_value(json_object_get(reply, "transaction")), ==, "t");
    json_decref(reply);
}

static void assert_refused(struct trickle_fixture *f, const char *members, int code,
                           const char *reason)
{
    json_t *reply = send_trickle(f, members);
    if (g_strcmp0(reply_kind(reply), "error") != 0)
        g_error("%s: expected error %d, got %s", members, code, json_dumps(reply, 0));
    json_t *error = json_object_get(reply, "error");
    g_assert_cmpint(json_integer_value(json_object_get(error, "code")), ==, code);
    g_assert_cmpstr(json_string_value(json_object_get(error, "reason")), ==, reason);
    g_assert_cmpstr(json_string_value(json_object_get(reply, "transaction")), ==, "t");
    json_decref(reply);
}

static void test_trickle_accepts_what_janus_accepts(void)
{
    struct trickle_fixture f;
    fixture_start(&f);
    assert_ack(&f, "\"candidate\":{\"candidate\":" HOST_CANDIDATE ",\"sdpMid\":\"0\"}");
    assert_ack(&f, "\"candidate\":{\"candidate\":" HOST_CANDIDATE ",\"sdpMLineIndex\":0}");
    assert_ack(&f, "\"candidate\":{\"candidate\":" HOST_CANDIDATE
                   ",\"sdpMid\":\"audio\",\"sdpMLineIndex\":1}");
    /* A browser's end of candidates, and Janus's own "completed" form. */
    assert_ack(&f, "\"candidate\":{\"candidate\":\"\",\"sdpMid\":\"0\"}");
    assert_ack(&f, "\"candidate\":{\"completed\":true}");
    assert_ack(&f, "\"candidates\":[]");
    assert_ack(&f, "\"candidates\":[{\"candidate\":" HOST_CANDIDATE
                   ",\"sdpMid\":\"0\"},{\"completed\":true}]");
    harness_stop(&f.h);
}

static void test_trickle_refuses_both_or_neither_member(void)
{
    struct trickle_fixture f;
    fixture_start(&f);
    assert_refused(&f, NULL, PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT,
                   "Missing mandatory element (candidate|candidates)");
    assert_refused(&f, "\"candidate\":{\"completed\":true},\"candidates\":[{\"completed\":true}]",
                   PRISM_API_ERROR_INVALID_JSON, "Can't have both candidate and candidates");
    harness_stop(&f.h);
}

static void test_trickle_refuses_malformed_candidate(void)
{
    struct trickle_fixture f;
    fixture_start(&f);
    assert_refused(&f, "\"candidate\":{}", PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT,
                   "Trickle error: missing mandatory element (sdpMid or sdpMLineIndex)");
    assert_refused(&f, "\"candidate\":{\"candidate\":" HOST_CANDIDATE "}",
                   PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT,
                   "Trickle error: missing mandatory element (sdpMid or sdpMLineIndex)");
    assert_refused(&f, "\"candidate\":{\"candidate\":" HOST_CANDIDATE ",\"sdpMid\":0}",
                   PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
                   "Trickle error: invalid element type (sdpMid should be a string)");
    const char *bad_indexes[] = {"-1", "\"0\"", "0.5", "null", "true"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad_indexes); i++) {
        char members[256];
        snprintf(members, sizeof(members),
                 "\"candidate\":{\"candidate\":" HOST_CANDIDATE ",\"sdpMLineIndex\":%s}",
                 bad_indexes[i]);
        assert_refused(
            &f, members, PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
            "Trickle error: invalid element type (sdpMLineIndex should be a positive integer)");
    }
    assert_refused(&f, "\"candidate\":{\"sdpMid\":\"0\"}",
                   PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT,
                   "Trickle error: missing mandatory element (candidate)");
    assert_refused(&f, "\"candidate\":{\"sdpMid\":\"0\",\"candidate\":7}",
                   PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
                   "Trickle error: invalid element type (candidate should be a string)");
    harness_stop(&f.h);
}

/* Janus would read a candidate that is not an object as "no more candidates"; Prism refuses
 * it (467), since no client sends one on purpose and an ack would hide the mistake. */
static void test_trickle_refuses_candidate_that_is_not_an_object(void)
{
    struct trickle_fixture f;
    fixture_start(&f);
    const char *values[] = {"3", "\"candidate:1 1 udp 1 127.0.0.1 9 typ host\"", "[]", "null",
                            "true"};
    for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
        char members[128];
        snprintf(members, sizeof(members), "\"candidate\":%s", values[i]);
        assert_refused(&f, members, PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
                       "Invalid element type (candidate should be an object)");
    }
    harness_stop(&f.h);
}

/* Janus checks the array's type ("candidates is not an array") and then drops the elements
 * it cannot parse without a word; Prism answers the first bad element's error and applies
 * none of them. */
static void test_trickle_refuses_malformed_candidates_array(void)
{
    struct trickle_fixture f;
    fixture_start(&f);
    assert_refused(&f, "\"candidates\":{\"completed\":true}", PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
                   "candidates is not an array");
    assert_refused(&f, "\"candidates\":[{}]", PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT,
                   "Trickle error: missing mandatory element (sdpMid or sdpMLineIndex)");
    assert_refused(&f, "\"candidates\":[{\"candidate\":" HOST_CANDIDATE ",\"sdpMid\":\"0\"},3]",
                   PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
                   "Invalid element type (candidate should be an object)");
    assert_refused(
        &f,
        "\"candidates\":[{\"candidate\":" HOST_CANDIDATE ",\"sdpMid\":\"0\",\"sdpMLineIndex\":-2}]",
        PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
        "Trickle error: invalid element type (sdpMLineIndex should be a positive integer)");
    harness_stop(&f.h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/api/trickle/accepts-what-janus-accepts",
                    test_trickle_accepts_what_janus_accepts);
    g_test_add_func("/api/trickle/refuses-both-or-neither-member",
                    test_trickle_refuses_both_or_neither_member);
    g_test_add_func("/api/trickle/refuses-malformed-candidate",
                    test_trickle_refuses_malformed_candidate);
    g_test_add_func("/api/trickle/refuses-candidate-that-is-not-an-object",
                    test_trickle_refuses_candidate_that_is_not_an_object);
    g_test_add_func("/api/trickle/refuses-malformed-candidates-array",
                    test_trickle_refuses_malformed_candidates_array);
    return g_test_run();
}
