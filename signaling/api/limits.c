/* The per-client-address limits the engine enforces: sessions per address (counted while a
 * session is in the registry) and requests per second (a token bucket per address, asked by
 * the transports before they hand a request over). */
#include "signaling/api/engine_internal.h"

#include "core/log.h"
#include "signaling/api/errors.h"
#include "signaling/limits/rate_table.h"
#include "signaling/limits/rejections.h"

int api_limits_create(struct prism_api *api)
{
    api->address_sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_mutex_init(&api->rates_lock);
    struct prism_rate_config rates = {
        .rate = api->config.requests_per_second,
        .burst = api->config.request_burst,
    };
    return prism_rate_table_create(&api->rates, &rates);
}

void api_limits_destroy(struct prism_api *api)
{
    if (api->address_sessions)
        g_hash_table_destroy(api->address_sessions);
    prism_rate_table_destroy(api->rates);
    g_mutex_clear(&api->rates_lock);
}

bool api_address_reserve_locked(struct prism_api *api, const char *address)
{
    if (!address || !address[0])
        return true;
    unsigned count = GPOINTER_TO_UINT(g_hash_table_lookup(api->address_sessions, address));
    unsigned max = api->config.max_sessions_per_address;
    if (max && count >= max)
        return false;
    g_hash_table_insert(api->address_sessions, g_strdup(address), GUINT_TO_POINTER(count + 1));
    return true;
}

void api_address_release_locked(struct prism_api *api, const char *address)
{
    if (!address || !address[0])
        return;
    unsigned count = GPOINTER_TO_UINT(g_hash_table_lookup(api->address_sessions, address));
    if (count <= 1)
        g_hash_table_remove(api->address_sessions, address);
    else
        g_hash_table_insert(api->address_sessions, g_strdup(address), GUINT_TO_POINTER(count - 1));
}

unsigned prism_api_sessions_of_address(struct prism_api *api, const char *client_address)
{
    g_mutex_lock(&api->lock);
    unsigned count = client_address ? GPOINTER_TO_UINT(g_hash_table_lookup(api->address_sessions,
                                                                           client_address))
                                    : 0;
    g_mutex_unlock(&api->lock);
    return count;
}

bool prism_api_admit(struct prism_api *api, const char *client_address, const char *transport,
                     uint64_t now_us, uint64_t *retry_after_us)
{
    if (!api->config.requests_per_second || !client_address || !client_address[0])
        return true;
    struct prism_rate_decision decision;
    g_mutex_lock(&api->rates_lock);
    prism_rate_table_take(api->rates, client_address, now_us, &decision);
    g_mutex_unlock(&api->rates_lock);
    if (decision.allowed)
        return true;
    prism_rejection_count(PRISM_REJECT_REQUEST_RATE);
    if (decision.log)
        prism_warn("limits",
                   "%s: over %u requests per second (%s), refusing; %" G_GUINT64_FORMAT
                   " more refused since the last line",
                   client_address, api->config.requests_per_second, transport ? transport : "api",
                   decision.suppressed);
    if (retry_after_us)
        *retry_after_us = decision.retry_after_us;
    return false;
}

void prism_api_refuse(const struct prism_api_request *request, int code, const char *reason)
{
    json_t *root = request->body ? json_loadb(request->body, request->length, 0, NULL) : NULL;
    const char *transaction = json_string_value(json_object_get(root, "transaction"));
    json_t *reply = prism_api_error_reply(0, transaction, code, reason);
    json_decref(root);
    request->reply->deliver(request->reply, reply);
}
