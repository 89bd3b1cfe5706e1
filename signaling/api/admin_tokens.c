/* The Admin API's token requests, over the stored tokens of token_auth:
 * add_token, list_tokens, allow_token, disallow_token, remove_token, with
 * Janus's replies and errors (490 when tokens are not stored ones, 470 for
 * an unknown token, 467 for bad plugin lists). */
#include "signaling/api/engine_internal.h"

#include "core/log.h"
#include "core/plugin.h"
#include "signaling/api/errors.h"
#include "signaling/auth/token_store.h"

/* The store, or NULL after replying 490 as Janus does outside stored mode. */
static struct prism_token_store *stored_tokens(const struct api_call *call)
{
    struct prism_token_store *store = prism_auth_token_store(call->api->auth);
    if (!store)
        api_reply_error(call, PRISM_API_ERROR_UNKNOWN,
                        "Stored-Token based authentication disabled");
    return store;
}

static const struct prism_param token_params[] = {
    {"token", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"plugins", PRISM_PARAM_ARRAY, 0},
};

/* {"janus": "success", "data": {"plugins": [...]}} for the token. */
static void reply_plugins(const struct api_call *call, struct prism_token_store *store,
                          const char *token)
{
    json_t *plugins = prism_token_store_plugins(store, token);
    json_t *reply = api_reply_base("success", 0, call->transaction);
    json_object_set_new(reply, "data",
                        json_pack("{s:o}", "plugins", plugins ? plugins : json_array()));
    api_reply(call, reply);
}

/* True when every entry of `plugins` names a plugin Prism runs. */
static bool all_plugins_known(struct prism_api *api, const json_t *plugins)
{
    size_t i;
    json_t *entry;
    json_array_foreach(plugins, i, entry)
    {
        if (!json_is_string(entry) || !api_find_plugin(api, json_string_value(entry)))
            return false;
    }
    return true;
}

void api_admin_add_token(struct api_call *call)
{
    struct prism_token_store *store = stored_tokens(call);
    if (!store ||
        !api_check_params(call, call->root, token_params, PRISM_PARAMS_COUNT(token_params)))
        return;
    const char *token = json_string_value(json_object_get(call->root, "token"));
    json_t *plugins = json_object_get(call->root, "plugins");
    /* As Janus: the plugins named that exist (others are skipped), or every
     * plugin when none is named. */
    GPtrArray *allowed = g_ptr_array_new();
    if (json_array_size(plugins) > 0) {
        size_t i;
        json_t *entry;
        json_array_foreach(plugins, i, entry)
        {
            const char *package = json_string_value(entry);
            const struct prism_plugin *plugin = package ? api_find_plugin(call->api, package)
                                                        : NULL;
            if (plugin)
                g_ptr_array_add(allowed, (gpointer)plugin->package);
        }
    } else {
        for (size_t i = 0; i < call->api->plugin_count; i++)
            g_ptr_array_add(allowed, (gpointer)call->api->plugins[i]->package);
    }
    int rc = prism_token_store_add(store, token, (const char *const *)allowed->pdata, allowed->len);
    g_ptr_array_free(allowed, TRUE);
    if (rc < 0) {
        api_reply_error(call, PRISM_API_ERROR_UNKNOWN, "Error adding token");
        return;
    }
    prism_verbose("admin", "token added");
    reply_plugins(call, store, token);
}

void api_admin_list_tokens(struct api_call *call)
{
    struct prism_token_store *store = stored_tokens(call);
    if (!store)
        return;
    /* Janus lists only the tokens that may attach to some plugin. */
    json_t *all = prism_token_store_list(store);
    json_t *tokens = json_array();
    size_t i;
    json_t *entry;
    json_array_foreach(all, i, entry)
    {
        if (json_array_size(json_object_get(entry, "allowed_plugins")) > 0)
            json_array_append(tokens, entry);
    }
    json_decref(all);
    json_t *reply = api_reply_base("success", 0, call->transaction);
    json_object_set_new(reply, "data", json_pack("{s:o}", "tokens", tokens));
    api_reply(call, reply);
}

static void change_token(struct api_call *call, bool allow)
{
    struct prism_token_store *store = stored_tokens(call);
    if (!store ||
        !api_check_params(call, call->root, token_params, PRISM_PARAMS_COUNT(token_params)))
        return;
    json_t *plugins = json_object_get(call->root, "plugins");
    if (json_array_size(plugins) == 0) {
        api_reply_error(call, PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
                        "Invalid element type (plugins should be a non-empty array)");
        return;
    }
    const char *token = json_string_value(json_object_get(call->root, "token"));
    if (!prism_token_store_contains(store, token)) {
        api_reply_error(call, PRISM_API_ERROR_TOKEN_NOT_FOUND, "Token %s not found", token);
        return;
    }
    if (!all_plugins_known(call->api, plugins)) {
        api_reply_error(call, PRISM_API_ERROR_INVALID_ELEMENT_TYPE,
                        "Invalid element type (some of the provided plugins are invalid)");
        return;
    }
    size_t i;
    json_t *entry;
    json_array_foreach(plugins, i, entry)
    {
        const char *plugin = json_string_value(entry);
        if (allow)
            prism_token_store_allow(store, token, plugin);
        else
            prism_token_store_disallow(store, token, plugin);
    }
    reply_plugins(call, store, token);
}

void api_admin_allow_token(struct api_call *call)
{
    change_token(call, true);
}

void api_admin_disallow_token(struct api_call *call)
{
    change_token(call, false);
}

void api_admin_remove_token(struct api_call *call)
{
    static const struct prism_param remove_params[] = {
        {"token", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    };
    struct prism_token_store *store = stored_tokens(call);
    if (!store ||
        !api_check_params(call, call->root, remove_params, PRISM_PARAMS_COUNT(remove_params)))
        return;
    const char *token = json_string_value(json_object_get(call->root, "token"));
    if (prism_token_store_remove(store, token) < 0) {
        api_reply_error(call, PRISM_API_ERROR_UNKNOWN, "Error removing token");
        return;
    }
    prism_verbose("admin", "token removed");
    api_reply(call, api_reply_base("success", 0, call->transaction));
}
