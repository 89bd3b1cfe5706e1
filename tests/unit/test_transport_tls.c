/* HTTPS and WSS set-up of the two transports: a certificate and key start them in TLS mode;
 * a missing half, a missing file or a file that is not PEM stops the start with an error and
 * leaves the engine without the transport (tests/integration/tls.test.js speaks TLS to them). */
#include "core/worker.h"
#include "plugins/builtin.h"
#include "signaling/api/api.h"
#include "signaling/http/http.h"
#include "signaling/ws/ws.h"

#include <errno.h>
#include <glib.h>

#define CERT PRISM_TEST_DATA_DIR "/dtls/fixture-cert.pem"
#define KEY PRISM_TEST_DATA_DIR "/dtls/fixture-key.pem"
#define MISSING PRISM_TEST_DATA_DIR "/dtls/no-such-file.pem"
#define NOT_PEM PRISM_TEST_DATA_DIR "/sdp" /* a folder: readable as no PEM at all */

struct engine {
    struct prism_worker_pool *workers;
    struct prism_api *api;
};

static void engine_start(struct engine *engine)
{
    g_assert_cmpint(prism_worker_pool_create(&engine->workers, 1), ==, 0);
    size_t count = 0;
    const struct prism_plugin *const *plugins = prism_builtin_plugins(&count);
    struct prism_api_config config = {.server_name = "tls-test"};
    g_assert_cmpint(prism_api_create(&engine->api, &config, plugins, count, engine->workers), ==,
                    0);
}

static void engine_stop(struct engine *engine)
{
    prism_api_destroy(engine->api);
    prism_worker_pool_destroy(engine->workers);
}

static bool engine_lists(struct engine *engine, const char *package)
{
    json_t *info = prism_api_server_info(engine->api, NULL);
    bool listed = json_object_get(json_object_get(info, "transports"), package) != NULL;
    json_decref(info);
    return listed;
}

static int start_http(struct engine *engine, const char *cert, const char *key,
                      struct prism_http **out)
{
    struct prism_http_config config = {.port = 0, .cert_pem = cert, .cert_key = key};
    return prism_http_start(out, &config, engine->api);
}

static int start_ws(struct engine *engine, const char *cert, const char *key, struct prism_ws **out)
{
    struct prism_ws_config config = {.port = 0, .cert_pem = cert, .cert_key = key};
    return prism_ws_start(out, &config, engine->api);
}

static void test_http_serves_https_with_certificate_and_key(void)
{
    struct engine engine;
    engine_start(&engine);
    struct prism_http *http = NULL;
    g_assert_cmpint(start_http(&engine, CERT, KEY, &http), ==, 0);
    g_assert_true(prism_http_is_tls(http));
    prism_http_destroy(http);
    g_assert_cmpint(start_http(&engine, "", "", &http), ==, 0);
    g_assert_false(prism_http_is_tls(http));
    prism_http_destroy(http);
    engine_stop(&engine);
}

static void test_http_refuses_incomplete_or_unreadable_tls_files(void)
{
    struct engine engine;
    engine_start(&engine);
    struct prism_http *http = NULL;
    g_assert_cmpint(start_http(&engine, CERT, NULL, &http), ==, -EINVAL);
    g_assert_cmpint(start_http(&engine, NULL, KEY, &http), ==, -EINVAL);
    g_assert_cmpint(start_http(&engine, MISSING, KEY, &http), ==, -ENOENT);
    g_assert_cmpint(start_http(&engine, CERT, MISSING, &http), ==, -ENOENT);
    g_assert_cmpint(start_http(&engine, NOT_PEM, KEY, &http), <, 0);
    g_assert_cmpint(start_http(&engine, KEY, CERT, &http), <, 0); /* the two swapped */
    g_assert_null(http);
    g_assert_false(engine_lists(&engine, "janus.transport.http"));
    engine_stop(&engine);
}

static void test_ws_serves_wss_with_certificate_and_key(void)
{
    struct engine engine;
    engine_start(&engine);
    struct prism_ws *ws = NULL;
    g_assert_cmpint(start_ws(&engine, CERT, KEY, &ws), ==, 0);
    g_assert_true(prism_ws_is_tls(ws));
    g_assert_cmpuint(prism_ws_port(ws), >, 0);
    prism_ws_destroy(ws);
    g_assert_cmpint(start_ws(&engine, NULL, NULL, &ws), ==, 0);
    g_assert_false(prism_ws_is_tls(ws));
    prism_ws_destroy(ws);
    engine_stop(&engine);
}

static void test_ws_refuses_incomplete_or_unreadable_tls_files(void)
{
    struct engine engine;
    engine_start(&engine);
    struct prism_ws *ws = NULL;
    g_assert_cmpint(start_ws(&engine, CERT, "", &ws), ==, -EINVAL);
    g_assert_cmpint(start_ws(&engine, MISSING, KEY, &ws), ==, -EINVAL);
    g_assert_cmpint(start_ws(&engine, CERT, MISSING, &ws), ==, -EINVAL);
    g_assert_cmpint(start_ws(&engine, KEY, CERT, &ws), <, 0); /* the two swapped */
    g_assert_null(ws);
    g_assert_false(engine_lists(&engine, "janus.transport.websockets"));
    engine_stop(&engine);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/transport/tls/http_serves_https",
                    test_http_serves_https_with_certificate_and_key);
    g_test_add_func("/transport/tls/http_refuses_bad_files",
                    test_http_refuses_incomplete_or_unreadable_tls_files);
    g_test_add_func("/transport/tls/ws_serves_wss", test_ws_serves_wss_with_certificate_and_key);
    g_test_add_func("/transport/tls/ws_refuses_bad_files",
                    test_ws_refuses_incomplete_or_unreadable_tls_files);
    return g_test_run();
}
