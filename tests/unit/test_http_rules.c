/* HTTP transport rules without sockets: paths, method decisions, maxev, body
 * limits and CORS. */
#include "signaling/api/errors.h"
#include "signaling/http/cors.h"
#include "signaling/http/route.h"

#include <glib.h>

static struct prism_http_path parse(const char *rest)
{
    struct prism_http_path path;
    prism_http_parse_path(rest, &path);
    return path;
}

static void test_http_strips_base_prefix_only_at_a_boundary(void)
{
    g_assert_cmpstr(prism_http_strip_prefix("/janus", "/janus"), ==, "");
    g_assert_cmpstr(prism_http_strip_prefix("/janus", "/janus/12"), ==, "/12");
    g_assert_cmpstr(prism_http_strip_prefix("/janus/", "/janus/12"), ==, "/12");
    g_assert_null(prism_http_strip_prefix("/janus", "/janusx"));
    g_assert_null(prism_http_strip_prefix("/janus", "/jan"));
    g_assert_null(prism_http_strip_prefix("/janus", "/admin"));
    g_assert_cmpstr(prism_http_strip_prefix("/", "/12"), ==, "/12");
    g_assert_cmpstr(prism_http_strip_prefix("", "/"), ==, "/");
}

static void test_http_parses_root_info_session_and_handle(void)
{
    g_assert_cmpint(parse("").kind, ==, PRISM_HTTP_PATH_ROOT);
    g_assert_cmpint(parse("/").kind, ==, PRISM_HTTP_PATH_ROOT);
    g_assert_cmpint(parse("/info").kind, ==, PRISM_HTTP_PATH_INFO);
    struct prism_http_path path = parse("/1234");
    g_assert_cmpint(path.kind, ==, PRISM_HTTP_PATH_SESSION);
    g_assert_cmpuint(path.session_id, ==, 1234);
    g_assert_cmpuint(path.handle_id, ==, 0);
    path = parse("/8791238472394857/5");
    g_assert_cmpint(path.kind, ==, PRISM_HTTP_PATH_HANDLE);
    g_assert_cmpuint(path.session_id, ==, 8791238472394857u);
    g_assert_cmpuint(path.handle_id, ==, 5);
}

static void test_http_accepts_one_trailing_slash(void)
{
    struct prism_http_path path = parse("/77/");
    g_assert_cmpint(path.kind, ==, PRISM_HTTP_PATH_SESSION);
    g_assert_cmpuint(path.session_id, ==, 77);
    path = parse("/77/88/");
    g_assert_cmpint(path.kind, ==, PRISM_HTTP_PATH_HANDLE);
    g_assert_cmpuint(path.handle_id, ==, 88);
    g_assert_cmpint(parse("/77//").kind, ==, PRISM_HTTP_PATH_INVALID);
    g_assert_cmpint(parse("//").kind, ==, PRISM_HTTP_PATH_INVALID);
}

static void test_http_rejects_non_numeric_and_signed_ids(void)
{
    const char *bad[] = {"/abc",  "/12a",  "/-5",     "/+5",   "/ 5",  "/5 ",  "/0",
                         "/12/x", "/12/0", "/info/3", "/INFO", "/1.5", "/0x10"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct prism_http_path path = parse(bad[i]);
        g_assert_cmpint(path.kind, ==, PRISM_HTTP_PATH_INVALID);
        g_assert_cmpuint(path.session_id, ==, 0);
        g_assert_cmpuint(path.handle_id, ==, 0);
    }
}

static void test_http_rejects_ids_beyond_53_bits(void)
{
    g_assert_cmpint(parse("/9007199254740991").kind, ==, PRISM_HTTP_PATH_SESSION);
    g_assert_cmpint(parse("/9007199254740992").kind, ==, PRISM_HTTP_PATH_INVALID);
    g_assert_cmpint(parse("/18446744073709551615").kind, ==, PRISM_HTTP_PATH_INVALID);
    g_assert_cmpint(parse("/18446744073709551616").kind, ==, PRISM_HTTP_PATH_INVALID);
    g_assert_cmpint(parse("/1/99999999999999999999999999").kind, ==, PRISM_HTTP_PATH_INVALID);
}

static void test_http_rejects_extra_and_empty_parts(void)
{
    g_assert_cmpint(parse("/1/2/3").kind, ==, PRISM_HTTP_PATH_INVALID);
    g_assert_cmpint(parse("/1/2/3/4").kind, ==, PRISM_HTTP_PATH_INVALID);
    g_assert_cmpint(parse("//1").kind, ==, PRISM_HTTP_PATH_INVALID);
    g_assert_cmpint(parse("/1//2").kind, ==, PRISM_HTTP_PATH_INVALID);
    g_assert_cmpint(parse("x").kind, ==, PRISM_HTTP_PATH_INVALID);
    g_assert_cmpint(parse(NULL).kind, ==, PRISM_HTTP_PATH_INVALID);
}

static struct prism_http_decision decide(const char *method, const char *rest)
{
    struct prism_http_path path = parse(rest);
    struct prism_http_decision decision;
    prism_http_decide(method, &path, &decision);
    return decision;
}

static void test_http_routes_methods_as_janus(void)
{
    g_assert_cmpint(decide("POST", "").action, ==, PRISM_HTTP_ACTION_API);
    g_assert_cmpint(decide("POST", "/5").action, ==, PRISM_HTTP_ACTION_API);
    g_assert_cmpint(decide("POST", "/5/6").action, ==, PRISM_HTTP_ACTION_API);
    g_assert_cmpint(decide("GET", "/info").action, ==, PRISM_HTTP_ACTION_INFO);
    g_assert_cmpint(decide("GET", "/5").action, ==, PRISM_HTTP_ACTION_POLL);
    g_assert_cmpint(decide("GET", "/5/6").action, ==, PRISM_HTTP_ACTION_REDIRECT);
    g_assert_cmpint(decide("OPTIONS", "/5/6").action, ==, PRISM_HTTP_ACTION_PREFLIGHT);
    g_assert_cmpint(decide("OPTIONS", "/bad/path/x/y").action, ==, PRISM_HTTP_ACTION_PREFLIGHT);
}

static void test_http_answers_errors_with_janus_codes(void)
{
    struct prism_http_decision d = decide("POST", "/abc");
    g_assert_cmpint(d.action, ==, PRISM_HTTP_ACTION_ERROR);
    g_assert_cmpuint(d.status, ==, 404);
    g_assert_cmpint(d.code, ==, PRISM_API_ERROR_INVALID_REQUEST_PATH);
    d = decide("GET", "/1/2/3");
    g_assert_cmpuint(d.status, ==, 404);
    g_assert_cmpint(d.code, ==, 457);
    d = decide("GET", "");
    g_assert_cmpuint(d.status, ==, 404);
    g_assert_cmpint(d.code, ==, 457);
    d = decide("POST", "/info");
    g_assert_cmpuint(d.status, ==, 400);
    g_assert_cmpint(d.code, ==, PRISM_API_ERROR_TRANSPORT_SPECIFIC);
    d = decide("PUT", "/5");
    g_assert_cmpint(d.action, ==, PRISM_HTTP_ACTION_ERROR);
    g_assert_cmpuint(d.status, ==, 200);
    g_assert_cmpint(d.code, ==, 450);
    g_assert_cmpint(decide("DELETE", "").action, ==, PRISM_HTTP_ACTION_ERROR);
}

/* RFC 9110 section 9.1: "The method token is case-sensitive". A token that is not a method
 * HTTP defines is not implemented here (501, no Janus reply); one HTTP defines but the Janus
 * API does not serve keeps Janus's answer (200 with error 450). */
static void test_http_methods_are_case_sensitive(void)
{
    const char *unknown[] = {"post", "Post", "get", "options", "put", "FETCH", ""};
    for (size_t i = 0; i < G_N_ELEMENTS(unknown); i++) {
        struct prism_http_decision d = decide(unknown[i], "/5");
        g_assert_cmpint(d.action, ==, PRISM_HTTP_ACTION_UNKNOWN_METHOD);
        g_assert_cmpuint(d.status, ==, 501);
    }
    const char *unserved[] = {"PUT", "DELETE", "PATCH", "HEAD", "TRACE", "CONNECT"};
    for (size_t i = 0; i < G_N_ELEMENTS(unserved); i++) {
        struct prism_http_decision d = decide(unserved[i], "/5");
        g_assert_cmpint(d.action, ==, PRISM_HTTP_ACTION_ERROR);
        g_assert_cmpuint(d.status, ==, 200);
        g_assert_cmpint(d.code, ==, PRISM_API_ERROR_TRANSPORT_SPECIFIC);
    }
}

static void test_http_parses_maxev_like_janus(void)
{
    g_assert_cmpuint(prism_http_parse_maxev(NULL), ==, 1);
    g_assert_cmpuint(prism_http_parse_maxev(""), ==, 1);
    g_assert_cmpuint(prism_http_parse_maxev("1"), ==, 1);
    g_assert_cmpuint(prism_http_parse_maxev("5"), ==, 5);
    g_assert_cmpuint(prism_http_parse_maxev("0"), ==, 1);
    g_assert_cmpuint(prism_http_parse_maxev("-3"), ==, 1);
    g_assert_cmpuint(prism_http_parse_maxev("abc"), ==, 1);
    g_assert_cmpuint(prism_http_parse_maxev("5x"), ==, 1);
    g_assert_cmpuint(prism_http_parse_maxev("1000"), ==, 1000);
    g_assert_cmpuint(prism_http_parse_maxev("1001"), ==, PRISM_HTTP_MAXEV_LIMIT);
    g_assert_cmpuint(prism_http_parse_maxev("99999999999999999999999"), ==, PRISM_HTTP_MAXEV_LIMIT);
}

static void test_http_refuses_declared_body_over_limit(void)
{
    g_assert_false(prism_http_declared_too_large(NULL, 100));
    g_assert_false(prism_http_declared_too_large("100", 100));
    g_assert_true(prism_http_declared_too_large("101", 100));
    g_assert_false(prism_http_declared_too_large("0", 100));
    g_assert_true(prism_http_declared_too_large("18446744073709551616", 100));
    /* Malformed lengths are MHD's to refuse with 400, not ours with 413. */
    g_assert_false(prism_http_declared_too_large("", 100));
    g_assert_false(prism_http_declared_too_large("12a", 100));
    g_assert_false(prism_http_declared_too_large("-1", 100));
}

static void test_http_counts_chunks_against_the_limit(void)
{
    g_assert_false(prism_http_chunk_too_large(0, 100, 100));
    g_assert_false(prism_http_chunk_too_large(60, 40, 100));
    g_assert_true(prism_http_chunk_too_large(60, 41, 100));
    g_assert_true(prism_http_chunk_too_large(101, 0, 100));
    g_assert_true(prism_http_chunk_too_large(50, SIZE_MAX, 100));
    g_assert_false(prism_http_discard_exhausted(400, 100));
    g_assert_true(prism_http_discard_exhausted(404, 100));
    g_assert_true(prism_http_discard_exhausted(SIZE_MAX, 100));
}

static void test_http_cors_echoes_origin_for_wildcard(void)
{
    struct prism_http_cors cors;
    prism_http_cors_decide("*", "https://app.example", &cors);
    g_assert_cmpstr(cors.allow_origin, ==, "https://app.example");
    g_assert_true(cors.allow_credentials);
    g_assert_true(cors.vary_origin);
    prism_http_cors_decide(NULL, "https://app.example", &cors);
    g_assert_cmpstr(cors.allow_origin, ==, "https://app.example");
}

static void test_http_cors_answers_star_without_origin(void)
{
    struct prism_http_cors cors;
    prism_http_cors_decide("*", NULL, &cors);
    g_assert_cmpstr(cors.allow_origin, ==, "*");
    g_assert_false(cors.allow_credentials);
    g_assert_false(cors.vary_origin);
    prism_http_cors_decide("", "", &cors);
    g_assert_cmpstr(cors.allow_origin, ==, "*");
    g_assert_false(cors.allow_credentials);
}

static void test_http_cors_sends_configured_origin_as_is(void)
{
    struct prism_http_cors cors;
    prism_http_cors_decide("https://only.example", "https://other.example", &cors);
    g_assert_cmpstr(cors.allow_origin, ==, "https://only.example");
    g_assert_true(cors.allow_credentials);
    g_assert_false(cors.vary_origin);
    prism_http_cors_decide("https://only.example", NULL, &cors);
    g_assert_cmpstr(cors.allow_origin, ==, "https://only.example");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/http/strips-base-prefix-only-at-a-boundary",
                    test_http_strips_base_prefix_only_at_a_boundary);
    g_test_add_func("/http/parses-root-info-session-and-handle",
                    test_http_parses_root_info_session_and_handle);
    g_test_add_func("/http/accepts-one-trailing-slash", test_http_accepts_one_trailing_slash);
    g_test_add_func("/http/rejects-non-numeric-and-signed-ids",
                    test_http_rejects_non_numeric_and_signed_ids);
    g_test_add_func("/http/rejects-ids-beyond-53-bits", test_http_rejects_ids_beyond_53_bits);
    g_test_add_func("/http/rejects-extra-and-empty-parts", test_http_rejects_extra_and_empty_parts);
    g_test_add_func("/http/routes-methods-as-janus", test_http_routes_methods_as_janus);
    g_test_add_func("/http/methods-are-case-sensitive", test_http_methods_are_case_sensitive);
    g_test_add_func("/http/answers-errors-with-janus-codes",
                    test_http_answers_errors_with_janus_codes);
    g_test_add_func("/http/parses-maxev-like-janus", test_http_parses_maxev_like_janus);
    g_test_add_func("/http/refuses-declared-body-over-limit",
                    test_http_refuses_declared_body_over_limit);
    g_test_add_func("/http/counts-chunks-against-the-limit",
                    test_http_counts_chunks_against_the_limit);
    g_test_add_func("/http/cors-echoes-origin-for-wildcard",
                    test_http_cors_echoes_origin_for_wildcard);
    g_test_add_func("/http/cors-answers-star-without-origin",
                    test_http_cors_answers_star_without_origin);
    g_test_add_func("/http/cors-sends-configured-origin-as-is",
                    test_http_cors_sends_configured_origin_as_is);
    return g_test_run();
}
