/* Stored tokens and the plugins each may use (see token_store.h). */
#include "signaling/auth/token_store.h"

#include "signaling/auth/compare.h"

#include <errno.h>
#include <glib.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* One stored token. Owned by the store's table. */
struct stored_token {
    unsigned char digest[PRISM_SECRET_DIGEST_SIZE]; /* the table's key */
    char *token;
    GPtrArray *plugins; /* char * package names, in the order allowed */
};

struct prism_token_store {
    GMutex lock;
    GHashTable *tokens; /* digest -> struct stored_token * */
};

static guint digest_hash(gconstpointer key)
{
    guint hash;
    memcpy(&hash, key, sizeof(hash));
    return hash;
}

static gboolean digest_equal(gconstpointer a, gconstpointer b)
{
    return CRYPTO_memcmp(a, b, PRISM_SECRET_DIGEST_SIZE) == 0;
}

static void stored_token_free(gpointer data)
{
    struct stored_token *stored = data;
    g_ptr_array_free(stored->plugins, TRUE);
    g_free(stored->token);
    g_free(stored);
}

int prism_token_store_create(struct prism_token_store **out)
{
    struct prism_token_store *store = g_try_new0(struct prism_token_store, 1);
    if (!store)
        return -ENOMEM;
    g_mutex_init(&store->lock);
    store->tokens = g_hash_table_new_full(digest_hash, digest_equal, NULL, stored_token_free);
    *out = store;
    return 0;
}

void prism_token_store_destroy(struct prism_token_store *store)
{
    if (!store)
        return;
    g_hash_table_destroy(store->tokens);
    g_mutex_clear(&store->lock);
    g_free(store);
}

/* The stored token, or NULL. Must hold store->lock. */
static struct stored_token *find_locked(struct prism_token_store *store, const char *token)
{
    if (!token)
        return NULL;
    unsigned char digest[PRISM_SECRET_DIGEST_SIZE];
    prism_secret_digest(token, strlen(token), digest);
    return g_hash_table_lookup(store->tokens, digest);
}

static bool plugin_index(const struct stored_token *stored, const char *plugin, guint *index)
{
    for (guint i = 0; i < stored->plugins->len; i++) {
        if (strcmp(g_ptr_array_index(stored->plugins, i), plugin) == 0) {
            if (index)
                *index = i;
            return true;
        }
    }
    return false;
}

static void allow_locked(struct stored_token *stored, const char *plugin)
{
    if (!plugin_index(stored, plugin, NULL))
        g_ptr_array_add(stored->plugins, g_strdup(plugin));
}

int prism_token_store_add(struct prism_token_store *store, const char *token,
                          const char *const *plugins, size_t count)
{
    if (!token || !token[0])
        return -EINVAL;
    g_mutex_lock(&store->lock);
    struct stored_token *stored = find_locked(store, token);
    if (!stored) {
        stored = g_new0(struct stored_token, 1);
        prism_secret_digest(token, strlen(token), stored->digest);
        stored->token = g_strdup(token);
        stored->plugins = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(store->tokens, stored->digest, stored);
    }
    for (size_t i = 0; i < count; i++)
        if (plugins[i])
            allow_locked(stored, plugins[i]);
    g_mutex_unlock(&store->lock);
    return 0;
}

int prism_token_store_remove(struct prism_token_store *store, const char *token)
{
    g_mutex_lock(&store->lock);
    struct stored_token *stored = find_locked(store, token);
    if (stored)
        g_hash_table_remove(store->tokens, stored->digest);
    g_mutex_unlock(&store->lock);
    return stored ? 0 : -ENOENT;
}

int prism_token_store_allow(struct prism_token_store *store, const char *token, const char *plugin)
{
    if (!plugin)
        return -EINVAL;
    g_mutex_lock(&store->lock);
    struct stored_token *stored = find_locked(store, token);
    if (stored)
        allow_locked(stored, plugin);
    g_mutex_unlock(&store->lock);
    return stored ? 0 : -ENOENT;
}

int prism_token_store_disallow(struct prism_token_store *store, const char *token,
                               const char *plugin)
{
    if (!plugin)
        return -EINVAL;
    g_mutex_lock(&store->lock);
    struct stored_token *stored = find_locked(store, token);
    guint index;
    if (stored && plugin_index(stored, plugin, &index))
        g_ptr_array_remove_index(stored->plugins, index);
    g_mutex_unlock(&store->lock);
    return stored ? 0 : -ENOENT;
}

bool prism_token_store_contains(struct prism_token_store *store, const char *token)
{
    g_mutex_lock(&store->lock);
    bool found = find_locked(store, token) != NULL;
    g_mutex_unlock(&store->lock);
    return found;
}

bool prism_token_store_allows(struct prism_token_store *store, const char *token,
                              const char *plugin)
{
    if (!plugin)
        return false;
    g_mutex_lock(&store->lock);
    struct stored_token *stored = find_locked(store, token);
    bool allowed = stored && plugin_index(stored, plugin, NULL);
    g_mutex_unlock(&store->lock);
    return allowed;
}

static json_t *plugin_array_locked(const struct stored_token *stored)
{
    json_t *array = json_array();
    for (guint i = 0; i < stored->plugins->len; i++)
        json_array_append_new(array, json_string(g_ptr_array_index(stored->plugins, i)));
    return array;
}

json_t *prism_token_store_plugins(struct prism_token_store *store, const char *token)
{
    g_mutex_lock(&store->lock);
    struct stored_token *stored = find_locked(store, token);
    json_t *plugins = stored ? plugin_array_locked(stored) : NULL;
    g_mutex_unlock(&store->lock);
    return plugins;
}

json_t *prism_token_store_list(struct prism_token_store *store)
{
    json_t *list = json_array();
    g_mutex_lock(&store->lock);
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, store->tokens);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        const struct stored_token *stored = value;
        json_array_append_new(list, json_pack("{s:s, s:o}", "token", stored->token,
                                              "allowed_plugins", plugin_array_locked(stored)));
    }
    g_mutex_unlock(&store->lock);
    return list;
}

size_t prism_token_store_count(struct prism_token_store *store)
{
    g_mutex_lock(&store->lock);
    size_t count = g_hash_table_size(store->tokens);
    g_mutex_unlock(&store->lock);
    return count;
}
