/* The HTTP transport's static route end to end on 127.0.0.1: a temporary folder served
 * through plain sockets, with targets sent byte for byte as written here (no client-side
 * normalisation), symlinks, FIFOs, conditional requests and requests cut short. */
#include "http_client.h"

#include "core/worker.h"
#include "plugins/builtin.h"
#include "signaling/api/api.h"
#include "signaling/http/http.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#define INDEX_HTML "<!doctype html><title>Prism</title>\n"

struct fixture {
    char *dir;  /* temporary folder holding root/ and outside/ */
    char *root; /* what is served */
    struct prism_worker_pool *workers;
    struct prism_api *api;
    struct prism_http *http;
    uint16_t port;
};

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    g_free(path);
}

/* root/: index.html, app.js, css/demo.css, empty/ (a folder without index), janus/info
 * (shadowed by the API), a symlink inside and one escaping, a FIFO; outside/: a secret. */
static void make_tree(struct fixture *f)
{
    GError *error = NULL;
    f->dir = g_dir_make_tmp("prism-static-XXXXXX", &error);
    g_assert_no_error(error);
    f->root = g_build_filename(f->dir, "root", NULL);
    char *outside = g_build_filename(f->dir, "outside", NULL);
    g_assert_cmpint(g_mkdir(f->root, 0755), ==, 0);
    g_assert_cmpint(g_mkdir(outside, 0755), ==, 0);
    write_file(outside, "secret.txt", "secret\n");
    write_file(f->root, "index.html", INDEX_HTML);
    write_file(f->root, "app.js", "export const x = 1;\n");
    char *sub = g_build_filename(f->root, "css", NULL);
    g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);
    write_file(sub, "demo.css", "body { margin: 0 }\n");
    g_free(sub);
    sub = g_build_filename(f->root, "empty", NULL);
    g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);
    g_free(sub);
    sub = g_build_filename(f->root, "janus", NULL);
    g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);
    write_file(sub, "info", "not the API\n");
    g_free(sub);

    char *link = g_build_filename(f->root, "escape.txt", NULL);
    char *target = g_build_filename(outside, "secret.txt", NULL);
    g_assert_cmpint(symlink(target, link), ==, 0);
    g_free(link);
    g_free(target);
    link = g_build_filename(f->root, "outside", NULL);
    g_assert_cmpint(symlink("../outside", link), ==, 0);
    g_free(link);
    link = g_build_filename(f->root, "alias.js", NULL);
    g_assert_cmpint(symlink("app.js", link), ==, 0);
    g_free(link);
    char *fifo = g_build_filename(f->root, "pipe.txt", NULL);
    g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
    g_free(fifo);
    g_free(outside);
}

static void start(struct fixture *f, const char *static_dir)
{
    g_assert_cmpint(prism_worker_pool_create(&f->workers, 1), ==, 0);
    size_t count = 0;
    const struct prism_plugin *const *plugins = prism_builtin_plugins(&count);
    struct prism_api_config api_config = {.server_name = "static-test", .session_timeout_s = 60};
    g_assert_cmpint(prism_api_create(&f->api, &api_config, plugins, count, f->workers), ==, 0);
    struct prism_http_config config = {.static_dir = static_dir};
    g_assert_cmpint(prism_http_start(&f->http, &config, f->api), ==, 0);
    f->port = prism_http_port(f->http);
}

static void setup(struct fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    make_tree(f);
    start(f, f->root);
}

static void teardown(struct fixture *f, gconstpointer data)
{
    prism_api_shutdown(f->api);
    prism_http_stop(f->http);
    prism_worker_pool_destroy(f->workers);
    prism_api_destroy(f->api);
    prism_http_destroy(f->http);
    if (f->dir) {
        char *argv[] = {"rm", "-rf", f->dir, NULL};
        g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                                   NULL, NULL));
    }
    g_free(f->dir);
    g_free(f->root);
}

static struct http_reply get(struct fixture *f, const char *target, const char *headers)
{
    return http_client_request(f->port, "GET", target, headers, NULL);
}

static void assert_header(const struct http_reply *reply, const char *name, const char *value)
{
    char *actual = http_reply_header(reply, name);
    g_assert_cmpstr(actual, ==, value);
    g_free(actual);
}

static void assert_not_found(struct fixture *f, const char *target)
{
    struct http_reply reply = get(f, target, NULL);
    if (reply.status != 404)
        g_error("%s answered %d: %s", target, reply.status, reply.body);
    g_assert_null(strstr(reply.body, "secret"));
    http_reply_clear(&reply);
}

static void test_static_serves_the_index_with_validators(struct fixture *f, gconstpointer data)
{
    struct http_reply reply = get(f, "/", NULL);
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpstr(reply.body, ==, INDEX_HTML);
    assert_header(&reply, "Content-Type", "text/html; charset=utf-8");
    assert_header(&reply, "Cache-Control", "no-cache");
    char *etag = http_reply_header(&reply, "ETag");
    char *modified = http_reply_header(&reply, "Last-Modified");
    g_assert_true(etag && etag[0] == '"');
    g_assert_true(modified && g_str_has_suffix(modified, " GMT"));
    http_reply_clear(&reply);

    reply = get(f, "/index.html?cache=bust", NULL);
    g_assert_cmpint(reply.status, ==, 200);
    assert_header(&reply, "ETag", etag);
    http_reply_clear(&reply);
    g_free(etag);
    g_free(modified);
}

static void test_static_types_files_by_extension(struct fixture *f, gconstpointer data)
{
    struct http_reply reply = get(f, "/app.js", NULL);
    g_assert_cmpint(reply.status, ==, 200);
    assert_header(&reply, "Content-Type", "text/javascript; charset=utf-8");
    g_assert_cmpstr(reply.body, ==, "export const x = 1;\n");
    http_reply_clear(&reply);
    reply = get(f, "/css/demo.css", NULL);
    g_assert_cmpint(reply.status, ==, 200);
    assert_header(&reply, "Content-Type", "text/css; charset=utf-8");
    http_reply_clear(&reply);
    reply = get(f, "/alias.js", NULL); /* a symlink that stays inside */
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpstr(reply.body, ==, "export const x = 1;\n");
    http_reply_clear(&reply);
}

static void test_static_answers_304_to_matching_validators(struct fixture *f, gconstpointer data)
{
    struct http_reply first = get(f, "/app.js", NULL);
    char *etag = http_reply_header(&first, "ETag");
    char *modified = http_reply_header(&first, "Last-Modified");
    char *headers = g_strdup_printf("If-None-Match: %s\r\n", etag);
    struct http_reply reply = get(f, "/app.js", headers);
    g_assert_cmpint(reply.status, ==, 304);
    g_assert_cmpuint(reply.body_length, ==, 0);
    assert_header(&reply, "ETag", etag);
    http_reply_clear(&reply);
    g_free(headers);

    headers = g_strdup_printf("If-Modified-Since: %s\r\n", modified);
    reply = get(f, "/app.js", headers);
    g_assert_cmpint(reply.status, ==, 304);
    http_reply_clear(&reply);
    g_free(headers);

    /* A stale tag wins over a date that alone would give 304. */
    headers = g_strdup_printf("If-None-Match: \"stale\"\r\nIf-Modified-Since: %s\r\n", modified);
    reply = get(f, "/app.js", headers);
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpstr(reply.body, ==, "export const x = 1;\n");
    http_reply_clear(&reply);
    g_free(headers);

    /* The file changes: the old tag no longer matches. */
    write_file(f->root, "app.js", "export const x = 2;\n");
    headers = g_strdup_printf("If-None-Match: %s\r\n", etag);
    reply = get(f, "/app.js", headers);
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpstr(reply.body, ==, "export const x = 2;\n");
    char *new_etag = http_reply_header(&reply, "ETag");
    g_assert_cmpstr(new_etag, !=, etag);
    http_reply_clear(&reply);
    g_free(headers);
    g_free(new_etag);
    g_free(etag);
    g_free(modified);
    http_reply_clear(&first);
}

static void test_static_head_sends_headers_only(struct fixture *f, gconstpointer data)
{
    struct http_reply reply = http_client_request(f->port, "HEAD", "/index.html", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpuint(reply.body_length, ==, 0);
    char *length = g_strdup_printf("%zu", strlen(INDEX_HTML));
    assert_header(&reply, "Content-Length", length);
    g_free(length);
    http_reply_clear(&reply);
}

static void test_static_refuses_other_methods_with_405(struct fixture *f, gconstpointer data)
{
    struct http_reply reply = http_client_request(f->port, "POST", "/index.html", NULL, "x=1");
    g_assert_cmpint(reply.status, ==, 405);
    assert_header(&reply, "Allow", "GET, HEAD");
    http_reply_clear(&reply);
}

static void test_static_never_lists_folders(struct fixture *f, gconstpointer data)
{
    assert_not_found(f, "/css");
    assert_not_found(f, "/css/");
    assert_not_found(f, "/empty/");
    assert_not_found(f, "/missing.html");
}

static void test_static_refuses_traversal_in_every_spelling(struct fixture *f, gconstpointer data)
{
    const char *targets[] = {
        "/../outside/secret.txt",
        "/%2e%2e/outside/secret.txt",
        "/..%2foutside%2fsecret.txt",
        "/%252e%252e/outside/secret.txt",
        "/..\\outside\\secret.txt",
        "/%5c..%5coutside",
        "/css/../../outside/secret.txt",
        "/escape.txt",
        "/outside/secret.txt",
        "/index.html%00.png",
        "//index.html",
        "/.%2e/outside/secret.txt",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++)
        assert_not_found(f, targets[i]);
}

static void test_static_refuses_a_raw_nul_in_the_target(struct fixture *f, gconstpointer data)
{
    static const char request[] = "GET /index.html\0.png HTTP/1.1\r\nHost: x\r\n"
                                  "Connection: close\r\n\r\n";
    int fd = http_client_connect(f->port);
    http_client_write(fd, request, sizeof(request) - 1);
    struct http_reply reply = http_client_read(fd);
    /* MHD refuses the request line itself (400), or the route sees a target it refuses. */
    g_assert_true(reply.status == 400 || reply.status == 404);
    g_assert_null(strstr(reply.body, "<title>"));
    http_reply_clear(&reply);
}

static void test_static_refuses_fifos_without_blocking(struct fixture *f, gconstpointer data)
{
    gint64 started = g_get_monotonic_time();
    assert_not_found(f, "/pipe.txt");
    g_assert_cmpint(g_get_monotonic_time() - started, <, 2 * G_USEC_PER_SEC);
}

static void test_static_api_paths_keep_priority(struct fixture *f, gconstpointer data)
{
    struct http_reply reply = get(f, "/janus/info", NULL);
    g_assert_cmpint(reply.status, ==, 200);
    assert_header(&reply, "Content-Type", "application/json");
    g_assert_nonnull(strstr(reply.body, "server_info"));
    http_reply_clear(&reply);
}

static void test_static_streams_a_large_file(struct fixture *f, gconstpointer data)
{
    const size_t size = 3 * 1024 * 1024 + 17;
    char *text = g_malloc(size + 1);
    for (size_t i = 0; i < size; i++)
        text[i] = (char)('a' + i % 26);
    text[size] = '\0';
    write_file(f->root, "big.txt", text);
    struct http_reply reply = get(f, "/big.txt", NULL);
    g_assert_cmpint(reply.status, ==, 200);
    g_assert_cmpuint(reply.body_length, ==, size);
    g_assert_true(memcmp(reply.body, text, size) == 0);
    http_reply_clear(&reply);
    g_free(text);
}

/* Requests cut short after the request line: their objects (born in MHD's URI callback)
 * are freed all the same; ASan's leak check fails the test otherwise. */
static void test_static_frees_requests_cut_short(struct fixture *f, gconstpointer data)
{
    const char *partial[] = {"GET /index.html HTTP/1.1\r\n",
                             "GET /index.html HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n",
                             "GET /index.html HTTP/1.1\r\nHost"};
    for (size_t i = 0; i < G_N_ELEMENTS(partial); i++) {
        int fd = http_client_connect(f->port);
        http_client_write(fd, partial[i], strlen(partial[i]));
        shutdown(fd, SHUT_WR);
        struct http_reply reply = http_client_read(fd);
        g_assert_cmpint(reply.status, !=, 200);
        http_reply_clear(&reply);
    }
    struct http_reply reply = get(f, "/", NULL);
    g_assert_cmpint(reply.status, ==, 200);
    http_reply_clear(&reply);
}

static void test_static_missing_folder_leaves_the_api_running(void)
{
    struct fixture f = {0};
    start(&f, "/nonexistent/prism-static-folder");
    struct http_reply reply = http_client_request(f.port, "GET", "/index.html", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 404);
    assert_header(&reply, "Content-Type", "application/json"); /* the API's own 404 */
    http_reply_clear(&reply);
    reply = http_client_request(f.port, "GET", "/janus/info", NULL, NULL);
    g_assert_cmpint(reply.status, ==, 200);
    http_reply_clear(&reply);
    teardown(&f, NULL);
}

#define ADD(name, function) \
    g_test_add("/http-static/" name, struct fixture, NULL, setup, function, teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("serves-the-index-with-validators", test_static_serves_the_index_with_validators);
    ADD("types-files-by-extension", test_static_types_files_by_extension);
    ADD("answers-304-to-matching-validators", test_static_answers_304_to_matching_validators);
    ADD("head-sends-headers-only", test_static_head_sends_headers_only);
    ADD("refuses-other-methods-with-405", test_static_refuses_other_methods_with_405);
    ADD("never-lists-folders", test_static_never_lists_folders);
    ADD("refuses-traversal-in-every-spelling", test_static_refuses_traversal_in_every_spelling);
    ADD("refuses-a-raw-nul-in-the-target", test_static_refuses_a_raw_nul_in_the_target);
    ADD("refuses-fifos-without-blocking", test_static_refuses_fifos_without_blocking);
    ADD("api-paths-keep-priority", test_static_api_paths_keep_priority);
    ADD("streams-a-large-file", test_static_streams_a_large_file);
    ADD("frees-requests-cut-short", test_static_frees_requests_cut_short);
    g_test_add_func("/http-static/missing-folder-leaves-the-api-running",
                    test_static_missing_folder_leaves_the_api_running);
    return g_test_run();
}
