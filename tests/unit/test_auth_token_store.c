/* The stored tokens: add, allow, disallow, remove, list, and use from several
 * threads at once. */
#include "signaling/auth/compare.h"
#include "signaling/auth/token_store.h"

#include <errno.h>
#include <glib.h>

static const char *const echo_only[] = {"janus.plugin.echotest"};

static void test_token_store_add_and_check(void)
{
    struct prism_token_store *store;
    g_assert_cmpint(prism_token_store_create(&store), ==, 0);
    g_assert_false(prism_token_store_contains(store, "t1"));
    g_assert_cmpint(prism_token_store_add(store, "t1", echo_only, 1), ==, 0);
    g_assert_true(prism_token_store_contains(store, "t1"));
    g_assert_false(prism_token_store_contains(store, "t2"));
    g_assert_false(prism_token_store_contains(store, "t1 "));
    g_assert_false(prism_token_store_contains(store, NULL));
    g_assert_true(prism_token_store_allows(store, "t1", "janus.plugin.echotest"));
    g_assert_false(prism_token_store_allows(store, "t1", "janus.plugin.videoroom"));
    g_assert_false(prism_token_store_allows(store, "t2", "janus.plugin.echotest"));
    g_assert_false(prism_token_store_allows(store, NULL, "janus.plugin.echotest"));
    g_assert_cmpint(prism_token_store_add(store, "", echo_only, 1), ==, -EINVAL);
    g_assert_cmpint(prism_token_store_add(store, NULL, echo_only, 1), ==, -EINVAL);
    /* Adding again keeps the token and what it was allowed. */
    g_assert_cmpint(prism_token_store_add(store, "t1", NULL, 0), ==, 0);
    g_assert_true(prism_token_store_allows(store, "t1", "janus.plugin.echotest"));
    g_assert_cmpint((int)prism_token_store_count(store), ==, 1);
    prism_token_store_destroy(store);
}

static void test_token_store_allow_disallow_remove(void)
{
    struct prism_token_store *store;
    g_assert_cmpint(prism_token_store_create(&store), ==, 0);
    g_assert_cmpint(prism_token_store_add(store, "t1", NULL, 0), ==, 0);
    g_assert_false(prism_token_store_allows(store, "t1", "janus.plugin.echotest"));
    g_assert_cmpint(prism_token_store_allow(store, "t1", "janus.plugin.echotest"), ==, 0);
    g_assert_cmpint(prism_token_store_allow(store, "t1", "janus.plugin.echotest"), ==, 0);
    g_assert_cmpint(prism_token_store_allow(store, "t1", "janus.plugin.videoroom"), ==, 0);
    json_t *plugins = prism_token_store_plugins(store, "t1");
    g_assert_cmpint((int)json_array_size(plugins), ==, 2);
    json_decref(plugins);
    g_assert_cmpint(prism_token_store_disallow(store, "t1", "janus.plugin.echotest"), ==, 0);
    g_assert_cmpint(prism_token_store_disallow(store, "t1", "janus.plugin.echotest"), ==, 0);
    g_assert_false(prism_token_store_allows(store, "t1", "janus.plugin.echotest"));
    g_assert_true(prism_token_store_allows(store, "t1", "janus.plugin.videoroom"));
    g_assert_cmpint(prism_token_store_allow(store, "nope", "x"), ==, -ENOENT);
    g_assert_cmpint(prism_token_store_disallow(store, "nope", "x"), ==, -ENOENT);
    g_assert_null(prism_token_store_plugins(store, "nope"));
    g_assert_cmpint(prism_token_store_remove(store, "t1"), ==, 0);
    g_assert_cmpint(prism_token_store_remove(store, "t1"), ==, -ENOENT);
    g_assert_false(prism_token_store_contains(store, "t1"));
    g_assert_false(prism_token_store_allows(store, "t1", "janus.plugin.videoroom"));
    prism_token_store_destroy(store);
}

static void test_token_store_lists_as_janus(void)
{
    struct prism_token_store *store;
    g_assert_cmpint(prism_token_store_create(&store), ==, 0);
    g_assert_cmpint(prism_token_store_add(store, "alpha", echo_only, 1), ==, 0);
    json_t *list = prism_token_store_list(store);
    g_assert_cmpint((int)json_array_size(list), ==, 1);
    json_t *entry = json_array_get(list, 0);
    g_assert_cmpstr(json_string_value(json_object_get(entry, "token")), ==, "alpha");
    json_t *allowed = json_object_get(entry, "allowed_plugins");
    g_assert_cmpstr(json_string_value(json_array_get(allowed, 0)), ==, "janus.plugin.echotest");
    json_decref(list);
    prism_token_store_destroy(store);
}

struct worker_args {
    struct prism_token_store *store;
    int index;
};

static gpointer churn_thread(gpointer data)
{
    struct worker_args *args = data;
    for (int i = 0; i < 2000; i++) {
        char token[32];
        g_snprintf(token, sizeof(token), "w%d-%d", args->index, i % 50);
        g_assert_cmpint(prism_token_store_add(args->store, token, echo_only, 1), ==, 0);
        g_assert_true(prism_token_store_allows(args->store, token, "janus.plugin.echotest"));
        g_assert_true(prism_token_store_contains(args->store, "shared"));
        json_decref(prism_token_store_list(args->store));
        g_assert_cmpint(prism_token_store_remove(args->store, token), ==, 0);
    }
    return NULL;
}

static void test_token_store_is_thread_safe(void)
{
    struct prism_token_store *store;
    g_assert_cmpint(prism_token_store_create(&store), ==, 0);
    g_assert_cmpint(prism_token_store_add(store, "shared", NULL, 0), ==, 0);
    struct worker_args args[4];
    GThread *threads[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct worker_args){store, i};
        threads[i] = g_thread_new("churn", churn_thread, &args[i]);
    }
    for (int i = 0; i < 4; i++)
        g_thread_join(threads[i]);
    g_assert_cmpint((int)prism_token_store_count(store), ==, 1);
    prism_token_store_destroy(store);
}

static void test_secret_equal(void)
{
    g_assert_true(prism_secret_equal("abc", "abc"));
    g_assert_true(prism_secret_equal("", ""));
    g_assert_false(prism_secret_equal("abc", "abd"));
    g_assert_false(prism_secret_equal("abc", "abcd"));
    g_assert_false(prism_secret_equal("abcd", "abc"));
    g_assert_false(prism_secret_equal(NULL, "abc"));
    g_assert_false(prism_secret_equal("abc", NULL));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/auth/token_store/add_and_check", test_token_store_add_and_check);
    g_test_add_func("/auth/token_store/allow_disallow_remove",
                    test_token_store_allow_disallow_remove);
    g_test_add_func("/auth/token_store/lists_as_janus", test_token_store_lists_as_janus);
    g_test_add_func("/auth/token_store/is_thread_safe", test_token_store_is_thread_safe);
    g_test_add_func("/auth/secret_equal", test_secret_equal);
    return g_test_run();
}
