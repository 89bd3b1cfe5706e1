/* The "info" reply: what this server is and what it runs, in Janus's shape
 * so that clients reading server_info (janus.js, janode) find their fields. */
#include "signaling/api/engine_internal.h"

#include "core/plugin.h"
#include "core/worker.h"

#include <libwebsockets.h>
#include <microhttpd.h>
#include <stdio.h>

static json_t *plugin_list(struct prism_api *api)
{
    json_t *plugins = json_object();
    for (size_t i = 0; i < api->plugin_count; i++) {
        const struct prism_plugin *plugin = api->plugins[i];
        json_object_set_new(plugins, plugin->package,
                            json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", plugin->name, "author",
                                      plugin->author, "description", plugin->description,
                                      "version_string", plugin->version_string, "version",
                                      plugin->version));
    }
    return plugins;
}

static json_t *transport_list(struct prism_api *api)
{
    json_t *transports = json_object();
    g_mutex_lock(&api->lock);
    for (guint i = 0; i < api->transports->len; i++) {
        const struct prism_transport_info *info = g_ptr_array_index(api->transports, i);
        json_object_set_new(transports, info->package,
                            json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", info->name, "author",
                                      info->author, "description", info->description,
                                      "version_string", info->version_string, "version",
                                      info->version));
    }
    g_mutex_unlock(&api->lock);
    return transports;
}

static json_t *dependency_list(void)
{
    char glib_version[32];
    g_snprintf(glib_version, sizeof(glib_version), "%u.%u.%u", glib_major_version,
               glib_minor_version, glib_micro_version);
    return json_pack("{s:s, s:s, s:s, s:s}", "glib2", glib_version, "jansson", JANSSON_VERSION,
                     "libmicrohttpd", MHD_get_version(), "libwebsockets",
                     lws_get_library_version());
}

/* The version as one integer (Janus has one too): major * 10000 + minor * 100
 * + patch, so 0.1.0 is 100. */
static int version_number(void)
{
    unsigned major = 0, minor = 0, patch = 0;
    sscanf(PRISM_VERSION_STRING, "%u.%u.%u", &major, &minor, &patch);
    return (int)(major * 10000 + minor * 100 + patch);
}

json_t *prism_api_server_info(struct prism_api *api, const char *transaction)
{
    json_t *info = api_reply_base("server_info", 0, transaction);
    json_object_update_new(
        info, json_pack("{s:s, s:i, s:s, s:s, s:s, s:b, s:i, s:i, s:b, s:b, s:b, s:i}", "name",
                        "Prism", "version", version_number(), "version_string",
                        PRISM_VERSION_STRING, "author", "The Prism developers", "server-name",
                        api->server_name, "accepting-new-sessions", atomic_load(&api->accepting),
                        "session-timeout", (int)api->config.session_timeout_s,
                        "reclaim-session-timeout", (int)api->config.reclaim_timeout_s, "api_secret",
                        prism_auth_api_secret_needed(api->auth), "auth_token",
                        prism_auth_token_needed(api->auth), "event_handlers", 0, "worker-threads",
                        (int)prism_worker_pool_size(api->workers)));
    json_object_set_new(info, "dependencies", dependency_list());
    json_object_set_new(info, "transports", transport_list(api));
    json_object_set_new(info, "events", json_object());
    json_object_set_new(info, "loggers", json_object());
    json_object_set_new(info, "plugins", plugin_list(api));
    return info;
}
