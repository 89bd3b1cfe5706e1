/* Static file rules without I/O: request targets to paths (traversal and encoding tricks
 * refused), content types, containment, entity tags, HTTP dates and conditional GETs. */
#include "signaling/http/static_rules.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

/* RFC 9110 section 5.6.7's example date, in seconds since the epoch. */
#define RFC_EXAMPLE_SECONDS 784111777

static int resolve(const char *target, char *out)
{
    return prism_http_static_resolve(target, out, PRISM_HTTP_STATIC_PATH_MAX + 1);
}

static void assert_resolves(const char *target, const char *expected)
{
    char out[PRISM_HTTP_STATIC_PATH_MAX + 1];
    int rc = resolve(target, out);
    if (rc != 0)
        g_error("'%s' refused (%d), expected '%s'", target, rc, expected);
    g_assert_cmpstr(out, ==, expected);
}

static void assert_refused(const char *target, int expected)
{
    char out[PRISM_HTTP_STATIC_PATH_MAX + 1] = "untouched";
    int rc = resolve(target, out);
    if (rc != expected)
        g_error("'%s' gave %d ('%s'), expected %d", target, rc, rc == 0 ? out : "", expected);
    g_assert_cmpstr(out, ==, "untouched");
}

static void test_static_resolves_root_and_folders_to_their_index(void)
{
    assert_resolves("/", "index.html");
    assert_resolves("/?room=1234", "index.html");
    assert_resolves("/docs/", "docs/index.html");
    assert_resolves("/a/b/", "a/b/index.html");
}

static void test_static_resolves_files_and_ignores_the_query(void)
{
    assert_resolves("/echotest.html", "echotest.html");
    assert_resolves("/js/videoroom.js?v=3", "js/videoroom.js");
    assert_resolves("/node_modules/janus-gateway/npm/dist/janus.es.js",
                    "node_modules/janus-gateway/npm/dist/janus.es.js");
    assert_resolves("/a?b/../../c", "a");
    assert_resolves("/file.name.with.dots.js", "file.name.with.dots.js");
    assert_resolves("/a..b", "a..b");
}

static void test_static_decodes_percent_escapes_once(void)
{
    assert_resolves("/a%20b.txt", "a b.txt");
    assert_resolves("/%61%62%43.js", "abC.js");
    assert_resolves("/caf%C3%A9.html", "caf\xc3\xa9.html");
    assert_resolves("/dir%2Ffile", "dir/file"); /* an encoded slash still separates */
}

static void test_static_refuses_dot_dot_in_every_spelling(void)
{
    const char *targets[] = {
        "/../conf/prism.jcfg",
        "/%2e%2e/conf/prism.jcfg",
        "/%2E%2E/conf/prism.jcfg",
        "/.%2e/conf/prism.jcfg",
        "/%2e./conf/prism.jcfg",
        "/..%2fconf",
        "/..%2Fconf/prism.jcfg",
        "/a/../../conf",
        "/a/..",
        "/..",
        "/a/%2e%2e/%2e%2e/conf",
        "/a%2f..%2f..%2fconf",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++)
        assert_refused(targets[i], -EINVAL);
}

static void test_static_refuses_double_encoding(void)
{
    assert_refused("/%252e%252e/conf/prism.jcfg", -EINVAL);
    assert_refused("/%252e%252e%252fconf", -EINVAL);
    assert_refused("/%25", -EINVAL);
    assert_refused("/100%25.txt", -EINVAL);
}

static void test_static_refuses_backslashes_nul_and_control_bytes(void)
{
    const char *targets[] = {
        "/..\\conf\\prism.jcfg",
        "/a\\b",
        "/%5c..%5cconf",
        "/%5C",
        "/index.html%00.png",
        "/%00",
        "/a\001b",
        "/a%0d%0aSet-Cookie:x",
        "/a%09b",
        "/%7f",
        "/a\x7f",
        "/a#fragment",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++)
        assert_refused(targets[i], -EINVAL);
}

static void test_static_refuses_hidden_and_empty_segments(void)
{
    const char *targets[] = {"//etc/passwd", "/a//b", "/.git/config", "/.env",        "/a/.hidden",
                             "/a/./b",       "/.",    "/./",          "/%2egit/HEAD", "/a/%2e/b"};
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++)
        assert_refused(targets[i], -EINVAL);
}

static void test_static_refuses_targets_not_starting_with_a_slash(void)
{
    assert_refused("", -EINVAL);
    assert_refused("index.html", -EINVAL);
    assert_refused("http://127.0.0.1/index.html", -EINVAL);
    assert_refused("*", -EINVAL);
    char out[16];
    g_assert_cmpint(prism_http_static_resolve(NULL, out, sizeof(out)), ==, -EINVAL);
}

static void test_static_refuses_malformed_escapes(void)
{
    const char *targets[] = {"/%", "/%2", "/a%", "/%zz", "/%g0", "/%0g", "/%%41", "/%+1"};
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++)
        assert_refused(targets[i], -EINVAL);
}

static void test_static_refuses_overlong_segments_and_paths(void)
{
    GString *target = g_string_new("/");
    for (unsigned i = 0; i < PRISM_HTTP_STATIC_SEGMENT_MAX; i++)
        g_string_append_c(target, 'a');
    char out[PRISM_HTTP_STATIC_PATH_MAX + 1];
    g_assert_cmpint(resolve(target->str, out), ==, 0);
    g_string_append_c(target, 'a');
    assert_refused(target->str, -ENAMETOOLONG);

    g_string_assign(target, "");
    while (target->len <= PRISM_HTTP_STATIC_PATH_MAX)
        g_string_append(target, "/abcdefgh");
    assert_refused(target->str, -ENAMETOOLONG);
    g_string_free(target, TRUE);
}

static void test_static_refuses_a_result_longer_than_the_buffer(void)
{
    char out[8] = "same";
    g_assert_cmpint(prism_http_static_resolve("/", out, sizeof(out)), ==, -ENAMETOOLONG);
    g_assert_cmpstr(out, ==, "same");
    g_assert_cmpint(prism_http_static_resolve("/abcdefg", out, sizeof(out)), ==, 0);
    g_assert_cmpstr(out, ==, "abcdefg");
    g_assert_cmpint(prism_http_static_resolve("/abcdefgh", out, sizeof(out)), ==, -ENAMETOOLONG);
}

static void test_static_content_types_follow_the_extension(void)
{
    struct {
        const char *path, *type;
    } cases[] = {
        {"index.html", "text/html; charset=utf-8"},
        {"a/page.HTM", "text/html; charset=utf-8"},
        {"js/app.js", "text/javascript; charset=utf-8"},
        {"js/app.mjs", "text/javascript; charset=utf-8"},
        {"css/demo.CSS", "text/css; charset=utf-8"},
        {"package.json", "application/json"},
        {"janus.es.js.map", "application/json"},
        {"favicon.svg", "image/svg+xml"},
        {"docs/videoroom.png", "image/png"},
        {"favicon.ico", "image/vnd.microsoft.icon"},
        {"codec.wasm", "application/wasm"},
        {"robots.txt", "text/plain; charset=utf-8"},
        {"archive.tar.gz", "application/octet-stream"},
        {"README", "application/octet-stream"},
        {"dir.js/file", "application/octet-stream"},
        {"a/.js", "application/octet-stream"},
        {"trailing.", "application/octet-stream"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpstr(prism_http_static_content_type(cases[i].path), ==, cases[i].type);
}

static void test_static_containment_needs_a_path_strictly_below_the_root(void)
{
    g_assert_true(prism_http_static_path_within("/srv/web", "/srv/web/index.html"));
    g_assert_true(prism_http_static_path_within("/srv/web", "/srv/web/a/b.js"));
    g_assert_false(prism_http_static_path_within("/srv/web", "/srv/web"));
    g_assert_false(prism_http_static_path_within("/srv/web", "/srv/web/"));
    g_assert_false(prism_http_static_path_within("/srv/web", "/srv/webx/index.html"));
    g_assert_false(prism_http_static_path_within("/srv/web", "/srv/conf/prism.jcfg"));
    g_assert_false(prism_http_static_path_within("/srv/web", "/srv"));
    g_assert_false(prism_http_static_path_within("/srv/web", "srv/web/a"));
    g_assert_false(prism_http_static_path_within("/srv/web", NULL));
    g_assert_true(prism_http_static_path_within("/", "/etc/hosts"));
    g_assert_false(prism_http_static_path_within("/", "/"));
}

static void test_static_etag_changes_with_inode_size_and_time(void)
{
    char a[PRISM_HTTP_ETAG_SIZE], b[PRISM_HTTP_ETAG_SIZE];
    prism_http_static_etag(0x2a, 0x1f4, 0x17c3b2e1a0, a);
    g_assert_cmpstr(a, ==, "\"2a-1f4-17c3b2e1a0\"");
    prism_http_static_etag(0x2b, 0x1f4, 0x17c3b2e1a0, b);
    g_assert_cmpstr(a, !=, b);
    prism_http_static_etag(0x2a, 0x1f5, 0x17c3b2e1a0, b);
    g_assert_cmpstr(a, !=, b);
    prism_http_static_etag(0x2a, 0x1f4, 0x17c3b2e1a1, b);
    g_assert_cmpstr(a, !=, b);
}

static void test_static_formats_imf_fixdate(void)
{
    char text[PRISM_HTTP_DATE_SIZE];
    prism_http_date_format(RFC_EXAMPLE_SECONDS, text);
    g_assert_cmpstr(text, ==, "Sun, 06 Nov 1994 08:49:37 GMT");
    prism_http_date_format(0, text);
    g_assert_cmpstr(text, ==, "Thu, 01 Jan 1970 00:00:00 GMT");
    prism_http_date_format(951782400, text); /* a leap day */
    g_assert_cmpstr(text, ==, "Tue, 29 Feb 2000 00:00:00 GMT");
}

static void test_static_parses_the_three_http_date_forms(void)
{
    const char *forms[] = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                           "Sun Nov  6 08:49:37 1994"};
    for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
        int64_t seconds = 0;
        g_assert_true(prism_http_date_parse(forms[i], &seconds));
        g_assert_cmpint(seconds, ==, RFC_EXAMPLE_SECONDS);
    }
    int64_t seconds = 0;
    g_assert_true(prism_http_date_parse("Tue, 29 Feb 2000 00:00:00 GMT", &seconds));
    g_assert_cmpint(seconds, ==, 951782400);
    g_assert_true(prism_http_date_parse("Thursday, 01-Jan-15 00:00:00 GMT", &seconds));
    g_assert_cmpint(seconds, ==, 1420070400);
}

static void test_static_refuses_malformed_dates(void)
{
    const char *bad[] = {
        "",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 29 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT ",
        "Sun, 06 Nov 1994 08:49:37 GMTx",
        "Sunday, 06 Nov 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "1994-11-06T08:49:37Z",
        "784111777",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        int64_t seconds = 42;
        if (prism_http_date_parse(bad[i], &seconds))
            g_error("'%s' parsed as %" G_GINT64_FORMAT, bad[i], seconds);
        g_assert_cmpint(seconds, ==, 42);
    }
    g_assert_false(prism_http_date_parse(NULL, NULL));
}

static void test_static_refuses_every_truncated_date(void)
{
    const char *full = "Sun, 06 Nov 1994 08:49:37 GMT";
    for (size_t length = 0; length < strlen(full); length++) {
        char *prefix = g_strndup(full, length);
        int64_t seconds;
        g_assert_false(prism_http_date_parse(prefix, &seconds));
        g_free(prefix);
    }
}

static void test_static_if_none_match_decides_alone_when_present(void)
{
    const char *etag = "\"2a-1f4-17c\"";
    const int64_t mtime = RFC_EXAMPLE_SECONDS, now = RFC_EXAMPLE_SECONDS + 100;
    const char *since = "Sun, 06 Nov 1994 08:49:37 GMT"; /* would say 304 on its own */
    g_assert_true(prism_http_static_not_modified("\"2a-1f4-17c\"", NULL, etag, mtime, now));
    g_assert_true(prism_http_static_not_modified("W/\"2a-1f4-17c\"", NULL, etag, mtime, now));
    g_assert_true(prism_http_static_not_modified("\"x\", \"2a-1f4-17c\"", NULL, etag, mtime, now));
    g_assert_true(
        prism_http_static_not_modified("\"x\",W/\"2a-1f4-17c\" ", NULL, etag, mtime, now));
    g_assert_true(prism_http_static_not_modified(" * ", NULL, etag, mtime, now));
    g_assert_false(prism_http_static_not_modified("\"other\"", since, etag, mtime, now));
    g_assert_false(prism_http_static_not_modified("\"2a-1f4-17\"", since, etag, mtime, now));
    g_assert_false(prism_http_static_not_modified("2a-1f4-17c", since, etag, mtime, now));
    g_assert_false(prism_http_static_not_modified("\"2a-1f4-17c", since, etag, mtime, now));
    g_assert_false(
        prism_http_static_not_modified("\"x\" junk, \"2a-1f4-17c\"", NULL, etag, mtime, now));
    g_assert_false(prism_http_static_not_modified("*, \"x\"", NULL, etag, mtime, now));
    g_assert_false(prism_http_static_not_modified("", since, etag, mtime, now));
}

static void test_static_if_modified_since_compares_whole_seconds(void)
{
    const char *etag = "\"e\"";
    const char *since = "Sun, 06 Nov 1994 08:49:37 GMT";
    const int64_t now = RFC_EXAMPLE_SECONDS + 100;
    g_assert_true(prism_http_static_not_modified(NULL, since, etag, RFC_EXAMPLE_SECONDS, now));
    g_assert_true(prism_http_static_not_modified(NULL, since, etag, RFC_EXAMPLE_SECONDS - 1, now));
    g_assert_false(prism_http_static_not_modified(NULL, since, etag, RFC_EXAMPLE_SECONDS + 1, now));
    /* A date in the server's future or not a date at all is ignored. */
    g_assert_false(prism_http_static_not_modified(NULL, since, etag, RFC_EXAMPLE_SECONDS,
                                                  RFC_EXAMPLE_SECONDS - 1));
    g_assert_false(prism_http_static_not_modified(NULL, "yesterday", etag, 0, now));
    g_assert_false(prism_http_static_not_modified(NULL, NULL, etag, 0, now));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/static/resolves-root-and-folders-to-their-index",
                    test_static_resolves_root_and_folders_to_their_index);
    g_test_add_func("/static/resolves-files-and-ignores-the-query",
                    test_static_resolves_files_and_ignores_the_query);
    g_test_add_func("/static/decodes-percent-escapes-once",
                    test_static_decodes_percent_escapes_once);
    g_test_add_func("/static/refuses-dot-dot-in-every-spelling",
                    test_static_refuses_dot_dot_in_every_spelling);
    g_test_add_func("/static/refuses-double-encoding", test_static_refuses_double_encoding);
    g_test_add_func("/static/refuses-backslashes-nul-and-control-bytes",
                    test_static_refuses_backslashes_nul_and_control_bytes);
    g_test_add_func("/static/refuses-hidden-and-empty-segments",
                    test_static_refuses_hidden_and_empty_segments);
    g_test_add_func("/static/refuses-targets-not-starting-with-a-slash",
                    test_static_refuses_targets_not_starting_with_a_slash);
    g_test_add_func("/static/refuses-malformed-escapes", test_static_refuses_malformed_escapes);
    g_test_add_func("/static/refuses-overlong-segments-and-paths",
                    test_static_refuses_overlong_segments_and_paths);
    g_test_add_func("/static/refuses-a-result-longer-than-the-buffer",
                    test_static_refuses_a_result_longer_than_the_buffer);
    g_test_add_func("/static/content-types-follow-the-extension",
                    test_static_content_types_follow_the_extension);
    g_test_add_func("/static/containment-needs-a-path-strictly-below-the-root",
                    test_static_containment_needs_a_path_strictly_below_the_root);
    g_test_add_func("/static/etag-changes-with-inode-size-and-time",
                    test_static_etag_changes_with_inode_size_and_time);
    g_test_add_func("/static/formats-imf-fixdate", test_static_formats_imf_fixdate);
    g_test_add_func("/static/parses-the-three-http-date-forms",
                    test_static_parses_the_three_http_date_forms);
    g_test_add_func("/static/refuses-malformed-dates", test_static_refuses_malformed_dates);
    g_test_add_func("/static/refuses-every-truncated-date",
                    test_static_refuses_every_truncated_date);
    g_test_add_func("/static/if-none-match-decides-alone-when-present",
                    test_static_if_none_match_decides_alone_when_present);
    g_test_add_func("/static/if-modified-since-compares-whole-seconds",
                    test_static_if_modified_since_compares_whole_seconds);
    return g_test_run();
}
