/* Where the WebSocket transport listens: interface resolution, binding the
 * configured address only, and clean failures (taken port, unknown
 * interface) that leave nothing running. */
#include "signaling/ws/address.h"
#include "signaling/ws/ws.h"

#include "core/worker.h"
#include "plugins/builtin.h"
#include "signaling/api/api.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* TEST-NET-1 (RFC 5737): never an address of the test machine. */
#define FOREIGN_ADDRESS "192.0.2.1"

struct engine {
    struct prism_worker_pool *workers;
    struct prism_api *api;
};

static void engine_start(struct engine *engine)
{
    g_assert_cmpint(prism_worker_pool_create(&engine->workers, 0), ==, 0);
    size_t count = 0;
    const struct prism_plugin *const *plugins = prism_builtin_plugins(&count);
    struct prism_api_config config = {.server_name = "listen-test"};
    g_assert_cmpint(prism_api_create(&engine->api, &config, plugins, count, engine->workers), ==,
                    0);
}

static void engine_stop(struct engine *engine)
{
    prism_api_destroy(engine->api);
    prism_worker_pool_destroy(engine->workers);
}

static bool engine_lists_websockets(struct engine *engine)
{
    json_t *info = prism_api_server_info(engine->api, NULL);
    bool listed = json_object_get(json_object_get(info, "transports"),
                                  "janus.transport.websockets") != NULL;
    json_decref(info);
    return listed;
}

/* The ids of this process's threads (/proc/self/task), as a set. */
static GHashTable *thread_ids(void)
{
    GHashTable *ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    DIR *dir = opendir("/proc/self/task");
    g_assert_nonnull(dir);
    struct dirent *entry;
    while ((entry = readdir(dir)))
        if (entry->d_name[0] != '.')
            g_hash_table_add(ids, g_strdup(entry->d_name));
    closedir(dir);
    return ids;
}

/* Asserts no thread runs now that did not run at `before`. Threads that ended meanwhile (a
 * previous test's, winding down) do not count: only new ones left behind do. */
static void assert_no_new_thread(GHashTable *before)
{
    GHashTable *now = thread_ids();
    GHashTableIter iter;
    gpointer id;
    g_hash_table_iter_init(&iter, now);
    while (g_hash_table_iter_next(&iter, &id, NULL))
        if (!g_hash_table_contains(before, id))
            g_error("thread %s was left behind", (const char *)id);
    g_hash_table_destroy(now);
}

/* Looks for a listening socket on `port` in /proc/net/tcp or tcp6 and
 * returns its local address as the kernel prints it (hex), or NULL. */
static char *listening_address(const char *table, uint16_t port)
{
    FILE *file = fopen(table, "r");
    if (!file)
        return NULL;
    char line[512];
    char *found = NULL;
    while (!found && fgets(line, sizeof(line), file)) {
        char local[64];
        unsigned local_port, state;
        if (sscanf(line, " %*u: %63[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", local, &local_port,
                   &state) == 3 &&
            local_port == port && state == 0x0A /* TCP_LISTEN */)
            found = g_strdup(local);
    }
    fclose(file);
    return found;
}

static bool ipv6_loopback_available(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in6 address = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    bool ok = bind(fd, (struct sockaddr *)&address, sizeof(address)) == 0;
    close(fd);
    return ok;
}

static void test_ws_address_resolves_literals_and_names(void)
{
    struct prism_ws_address address;
    g_assert_cmpint(prism_ws_address_resolve("127.0.0.1", &address), ==, 0);
    g_assert_cmpstr(address.numeric, ==, "127.0.0.1");
    g_assert_false(address.ipv6);
    g_assert_cmpint(prism_ws_address_resolve("0.0.0.0", &address), ==, 0);
    g_assert_false(address.ipv6);
    g_assert_cmpint(prism_ws_address_resolve("lo", &address), ==, 0);
    g_assert_cmpstr(address.numeric, ==, "127.0.0.1");
    g_assert_false(address.ipv6);
    if (ipv6_loopback_available()) {
        g_assert_cmpint(prism_ws_address_resolve("::1", &address), ==, 0);
        g_assert_cmpstr(address.numeric, ==, "::1");
        g_assert_true(address.ipv6);
    }
}

static void test_ws_address_rejects_foreign_unknown_and_malformed(void)
{
    struct prism_ws_address address = {.numeric = "untouched"};
    g_assert_cmpint(prism_ws_address_resolve(FOREIGN_ADDRESS, &address), ==, -EADDRNOTAVAIL);
    g_assert_cmpint(prism_ws_address_resolve("prismnosuch0", &address), ==, -ENODEV);
    g_assert_cmpint(prism_ws_address_resolve("", &address), ==, -EINVAL);
    g_assert_cmpint(prism_ws_address_resolve(NULL, &address), ==, -EINVAL);
    char overlong[100];
    memset(overlong, 'a', sizeof(overlong) - 1);
    overlong[sizeof(overlong) - 1] = '\0';
    g_assert_cmpint(prism_ws_address_resolve(overlong, &address), ==, -EINVAL);
    g_assert_cmpstr(address.numeric, ==, "untouched");
}

static void assert_listens_on_ipv4_loopback_only(struct prism_ws *ws)
{
    uint16_t port = prism_ws_port(ws);
    char *v4 = listening_address("/proc/net/tcp", port);
    g_assert_cmpstr(v4, ==, "0100007F"); /* 127.0.0.1 as the kernel prints it */
    g_free(v4);
    /* Not also (or instead) an IPv6 socket, which could be dual-stack. */
    g_assert_null(listening_address("/proc/net/tcp6", port));
}

static void test_ws_binds_the_configured_address_only(void)
{
    struct engine engine;
    engine_start(&engine);
    struct prism_ws *ws = NULL;
    struct prism_ws_config config = {.interface = "127.0.0.1"};
    g_assert_cmpint(prism_ws_start(&ws, &config, engine.api), ==, 0);
    assert_listens_on_ipv4_loopback_only(ws);
    g_assert_true(engine_lists_websockets(&engine));
    prism_ws_destroy(ws);
    engine_stop(&engine);
}

static void test_ws_defaults_to_loopback_and_resolves_interface_names(void)
{
    struct engine engine;
    engine_start(&engine);
    struct prism_ws *ws = NULL;
    struct prism_ws_config config = {.interface = NULL};
    g_assert_cmpint(prism_ws_start(&ws, &config, engine.api), ==, 0);
    assert_listens_on_ipv4_loopback_only(ws);
    prism_ws_destroy(ws);
    config.interface = "lo";
    g_assert_cmpint(prism_ws_start(&ws, &config, engine.api), ==, 0);
    assert_listens_on_ipv4_loopback_only(ws);
    prism_ws_destroy(ws);
    engine_stop(&engine);
}

static void test_ws_binds_ipv6_loopback(void)
{
    if (!ipv6_loopback_available()) {
        g_test_skip("no IPv6 loopback on this machine");
        return;
    }
    struct engine engine;
    engine_start(&engine);
    struct prism_ws *ws = NULL;
    struct prism_ws_config config = {.interface = "::1"};
    g_assert_cmpint(prism_ws_start(&ws, &config, engine.api), ==, 0);
    char *v6 = listening_address("/proc/net/tcp6", prism_ws_port(ws));
    g_assert_cmpstr(v6, ==, "00000000000000000000000001000000"); /* ::1 */
    g_free(v6);
    g_assert_null(listening_address("/proc/net/tcp", prism_ws_port(ws)));
    prism_ws_destroy(ws);
    engine_stop(&engine);
}

/* Asserts a start that must fail returns `expected`, writes no transport,
 * leaves no thread behind and does not list the transport in "info". */
static void assert_start_fails(struct engine *engine, const struct prism_ws_config *config,
                               int expected)
{
    GHashTable *threads = thread_ids();
    struct prism_ws *sentinel = (struct prism_ws *)&threads;
    struct prism_ws *ws = sentinel;
    g_assert_cmpint(prism_ws_start(&ws, config, engine->api), ==, expected);
    g_assert_true(ws == sentinel);
    assert_no_new_thread(threads);
    g_hash_table_destroy(threads);
    g_assert_false(engine_lists_websockets(engine));
}

static void test_ws_start_fails_cleanly_on_a_taken_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    g_assert_cmpint(bind(fd, (struct sockaddr *)&address, sizeof(address)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    socklen_t length = sizeof(address);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&address, &length), ==, 0);

    struct engine engine;
    engine_start(&engine);
    struct prism_ws_config config = {.interface = "127.0.0.1", .port = ntohs(address.sin_port)};
    assert_start_fails(&engine, &config, -EADDRINUSE);
    close(fd);
    engine_stop(&engine);
}

static void test_ws_start_fails_cleanly_on_a_missing_interface(void)
{
    struct engine engine;
    engine_start(&engine);
    struct prism_ws_config config = {.interface = "prismnosuch0", .port = 0};
    assert_start_fails(&engine, &config, -ENODEV);
    /* A fixed port too: lws would report it as bound without listening. */
    config.interface = FOREIGN_ADDRESS;
    config.port = 18089;
    assert_start_fails(&engine, &config, -EADDRNOTAVAIL);
    engine_stop(&engine);
}

static void test_ws_start_rejects_missing_arguments(void)
{
    struct engine engine;
    engine_start(&engine);
    struct prism_ws *ws = NULL;
    struct prism_ws_config config = {.interface = "127.0.0.1"};
    g_assert_cmpint(prism_ws_start(NULL, &config, engine.api), ==, -EINVAL);
    g_assert_cmpint(prism_ws_start(&ws, NULL, engine.api), ==, -EINVAL);
    g_assert_cmpint(prism_ws_start(&ws, &config, NULL), ==, -EINVAL);
    g_assert_null(ws);
    engine_stop(&engine);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ws/listen/address-resolves-literals-and-names",
                    test_ws_address_resolves_literals_and_names);
    g_test_add_func("/ws/listen/address-rejects-foreign-unknown-and-malformed",
                    test_ws_address_rejects_foreign_unknown_and_malformed);
    g_test_add_func("/ws/listen/binds-the-configured-address-only",
                    test_ws_binds_the_configured_address_only);
    g_test_add_func("/ws/listen/defaults-to-loopback-and-resolves-interface-names",
                    test_ws_defaults_to_loopback_and_resolves_interface_names);
    g_test_add_func("/ws/listen/binds-ipv6-loopback", test_ws_binds_ipv6_loopback);
    g_test_add_func("/ws/listen/start-fails-cleanly-on-a-taken-port",
                    test_ws_start_fails_cleanly_on_a_taken_port);
    g_test_add_func("/ws/listen/start-fails-cleanly-on-a-missing-interface",
                    test_ws_start_fails_cleanly_on_a_missing_interface);
    g_test_add_func("/ws/listen/start-rejects-missing-arguments",
                    test_ws_start_rejects_missing_arguments);
    return g_test_run();
}
