/* The API engine's lifetime, session registry, timeouts and session ending. */
#include "signaling/api/engine_internal.h"

#include "core/events.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/plugin.h"
#include "core/worker.h"
#include "media/peer/handle_media.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void session_value_free(gpointer session)
{
    prism_session_unref(session);
}

int prism_api_create(struct prism_api **out, const struct prism_api_config *config,
                     const struct prism_plugin *const *plugins, size_t plugin_count,
                     struct prism_worker_pool *workers)
{
    if (!out || !config || !workers || (plugin_count && !plugins))
        return -EINVAL;
    struct prism_api *api = calloc(1, sizeof(*api));
    if (!api)
        return -ENOMEM;
    api->config = *config;
    api->server_name = strdup(config->server_name ? config->server_name : "Prism");
    api->plugins = calloc(plugin_count ? plugin_count : 1, sizeof(*api->plugins));
    if (!api->server_name || !api->plugins || prism_auth_create(&api->auth, &config->auth) < 0 ||
        api_limits_create(api) < 0) {
        api_limits_destroy(api);
        prism_auth_destroy(api->auth);
        free(api->server_name);
        free(api->plugins);
        free(api);
        return -ENOMEM;
    }
    api->config.server_name = api->server_name;
    /* The auth object holds its own copies of the secrets. */
    api->config.auth = (struct prism_auth_config){0};
    api->admin_secret = config->admin_secret && config->admin_secret[0]
                            ? g_strdup(config->admin_secret)
                            : NULL;
    api->config.admin_secret = NULL;
    for (size_t i = 0; i < plugin_count; i++)
        api->plugins[i] = plugins[i];
    api->plugin_count = plugin_count;
    api->workers = workers;
    api->transports = g_ptr_array_new();
    g_mutex_init(&api->lock);
    /* Keys point at the session's id, which is its first member. */
    api->sessions = g_hash_table_new_full(prism_id_hash, prism_id_equal, free, session_value_free);
    atomic_init(&api->accepting, true);
    atomic_init(&api->handle_count, 0);
    g_mutex_init(&api->jobs_lock);
    g_cond_init(&api->jobs_done);
    *out = api;
    return 0;
}

void api_job_begin(struct prism_api *api)
{
    g_mutex_lock(&api->jobs_lock);
    api->jobs_in_flight++;
    g_mutex_unlock(&api->jobs_lock);
}

void api_job_end(struct prism_api *api)
{
    g_mutex_lock(&api->jobs_lock);
    if (--api->jobs_in_flight == 0)
        g_cond_broadcast(&api->jobs_done);
    g_mutex_unlock(&api->jobs_lock);
}

static void wait_for_jobs(struct prism_api *api)
{
    g_mutex_lock(&api->jobs_lock);
    while (api->jobs_in_flight > 0)
        g_cond_wait(&api->jobs_done, &api->jobs_lock);
    g_mutex_unlock(&api->jobs_lock);
}

void prism_api_destroy(struct prism_api *api)
{
    if (!api)
        return;
    prism_api_shutdown(api);
    /* Sessions ended earlier (transport closed, timeout) or requests still
     * on a worker may reference the engine: let them finish first. */
    wait_for_jobs(api);
    g_mutex_clear(&api->jobs_lock);
    g_cond_clear(&api->jobs_done);
    g_hash_table_destroy(api->sessions);
    api_limits_destroy(api);
    g_ptr_array_free(api->transports, TRUE);
    g_mutex_clear(&api->lock);
    prism_auth_destroy(api->auth);
    g_free(api->admin_secret);
    free(api->plugins);
    free(api->server_name);
    free(api);
}

bool prism_api_check_credentials(struct prism_api *api, const char *apisecret, const char *token)
{
    return prism_auth_check_request(api->auth, apisecret, token);
}

struct prism_auth *prism_api_auth(struct prism_api *api)
{
    return api->auth;
}

void prism_api_add_transport(struct prism_api *api, const struct prism_transport_info *info)
{
    g_mutex_lock(&api->lock);
    if (!g_ptr_array_find(api->transports, info, NULL))
        g_ptr_array_add(api->transports, (gpointer)info);
    g_mutex_unlock(&api->lock);
}

void prism_api_remove_transport(struct prism_api *api, const struct prism_transport_info *info)
{
    g_mutex_lock(&api->lock);
    g_ptr_array_remove(api->transports, (gpointer)info);
    g_mutex_unlock(&api->lock);
}

struct prism_session *api_find_session(struct prism_api *api, uint64_t id)
{
    g_mutex_lock(&api->lock);
    struct prism_session *session = g_hash_table_lookup(api->sessions, &id);
    if (session)
        prism_session_ref(session);
    g_mutex_unlock(&api->lock);
    return session;
}

struct prism_session *api_remove_session(struct prism_api *api, uint64_t id)
{
    g_mutex_lock(&api->lock);
    gpointer key = NULL, session = NULL;
    if (g_hash_table_lookup_extended(api->sessions, &id, &key, &session)) {
        g_hash_table_steal(api->sessions, &id);
        free(key);
        api_address_release_locked(api, prism_session_client_address(session));
    }
    g_mutex_unlock(&api->lock);
    return session;
}

int prism_api_session_poll(struct prism_api *api, uint64_t session_id,
                           const struct prism_event_sink *sink, uint64_t now_us)
{
    struct prism_session *session = api_find_session(api, session_id);
    if (!session)
        return -ENOENT;
    prism_session_touch(session, now_us);
    bool owned = prism_session_has_sink(session, sink);
    prism_session_unref(session);
    return owned ? 0 : -EPERM;
}

unsigned prism_api_session_count(struct prism_api *api)
{
    g_mutex_lock(&api->lock);
    unsigned count = g_hash_table_size(api->sessions);
    g_mutex_unlock(&api->lock);
    return count;
}

unsigned prism_api_handle_count(struct prism_api *api)
{
    return atomic_load(&api->handle_count);
}

/* Ending a session: a countdown shared by the detach jobs of its handles. */
struct session_end {
    struct prism_api *api;
    struct prism_session *session;
    atomic_uint pending;
    api_done_cb done;
    void *data;
};

static void session_end_finish(struct session_end *end)
{
    struct prism_api *api = end->api;
    prism_session_release_sink(end->session);
    prism_session_unref(end->session);
    if (end->done)
        end->done(end->data);
    free(end);
    api_job_end(api);
}

static void session_end_step_cb(void *data)
{
    struct session_end *end = data;
    if (atomic_fetch_sub(&end->pending, 1) == 1)
        session_end_finish(end);
}

void api_end_session(struct prism_api *api, struct prism_session *session, bool notify_detached,
                     api_done_cb done, void *data)
{
    struct session_end *end = calloc(1, sizeof(*end));
    if (!end)
        abort();
    api_job_begin(api);
    end->api = api;
    end->session = session;
    prism_events_session(prism_session_id(session), "destroyed", NULL);
    end->done = done;
    end->data = data;
    GPtrArray *handles = prism_session_take_handles(session);
    /* One extra count so that the end cannot finish while jobs are posted. */
    atomic_init(&end->pending, handles->len + 1);
    for (guint i = 0; i < handles->len; i++) {
        struct prism_handle *handle = prism_handle_ref(g_ptr_array_index(handles, i));
        api_detach_handle(api, handle, notify_detached, false, session_end_step_cb, end);
    }
    g_ptr_array_free(handles, TRUE);
    session_end_step_cb(end);
}

struct detach_job {
    struct prism_api *api;
    struct prism_handle *handle;
    bool notify;
    bool reply_first;
    api_done_cb done;
    void *data;
};

static void detach_job_cb(void *data)
{
    struct detach_job *job = data;
    struct prism_handle *handle = job->handle;
    /* A "detach" request is answered before its "detached" event, as Janus does. A session
     * ending must send the event first: its sink goes when the last handle is done. */
    if (job->reply_first)
        prism_session_defer_events();
    if (prism_handle_mark_detached(handle)) {
        const struct prism_plugin *plugin = prism_handle_plugin(handle);
        prism_handle_media_free(handle, "Detach");
        plugin->destroy_session(handle);
        if (job->notify)
            prism_handle_push_core_event(handle, json_pack("{s:s}", "janus", "detached"));
        prism_events_handle(prism_handle_session_id(handle), prism_handle_id(handle), "detached",
                            plugin->package, prism_handle_opaque_id(handle));
        atomic_fetch_sub(&job->api->handle_count, 1);
    }
    if (job->done)
        job->done(job->data);
    if (job->reply_first)
        prism_session_flush_deferred();
    prism_handle_unref(handle);
    struct prism_api *api = job->api;
    free(job);
    api_job_end(api);
}

void api_detach_handle(struct prism_api *api, struct prism_handle *handle, bool notify,
                       bool reply_first, api_done_cb done, void *data)
{
    struct detach_job *job = malloc(sizeof(*job));
    if (!job)
        abort();
    *job = (struct detach_job){api, handle, notify, reply_first, done, data};
    api_job_begin(api);
    prism_worker_post(prism_handle_worker(handle), detach_job_cb, job);
}

/* Removes and returns the sessions matching `select`, under the lock. */
static GPtrArray *remove_sessions_where(struct prism_api *api,
                                        bool (*select)(struct prism_api *, struct prism_session *,
                                                       const void *),
                                        const void *arg)
{
    GPtrArray *removed = g_ptr_array_new();
    g_mutex_lock(&api->lock);
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init(&iter, api->sessions);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        if (!select(api, value, arg))
            continue;
        g_ptr_array_add(removed, value);
        g_hash_table_iter_steal(&iter);
        free(key);
        api_address_release_locked(api, prism_session_client_address(value));
    }
    g_mutex_unlock(&api->lock);
    return removed;
}

static bool session_timed_out(struct prism_api *api, struct prism_session *session, const void *arg)
{
    uint64_t now = *(const uint64_t *)arg;
    uint64_t timeout = (uint64_t)api->config.session_timeout_s * 1000000u;
    return timeout && now > prism_session_last_activity(session) + timeout;
}

static bool session_reclaim_expired(struct prism_api *api, struct prism_session *session,
                                    const void *arg)
{
    uint64_t now = *(const uint64_t *)arg;
    uint64_t since = prism_session_orphaned_since(session);
    return since && now >= since + (uint64_t)api->config.reclaim_timeout_s * 1000000u;
}

void prism_api_tick(struct prism_api *api, uint64_t now_us)
{
    GPtrArray *expired = remove_sessions_where(api, session_timed_out, &now_us);
    for (guint i = 0; i < expired->len; i++) {
        struct prism_session *session = g_ptr_array_index(expired, i);
        prism_info("api", "session %" G_GUINT64_FORMAT " timed out", prism_session_id(session));
        json_t *event = json_pack("{s:s, s:I}", "janus", "timeout", "session_id",
                                  (json_int_t)prism_session_id(session));
        prism_session_push_event(session, event);
        prism_events_session(prism_session_id(session), "timeout", NULL);
        api_end_session(api, session, false, NULL, NULL);
    }
    g_ptr_array_free(expired, TRUE);

    GPtrArray *orphans = remove_sessions_where(api, session_reclaim_expired, &now_us);
    for (guint i = 0; i < orphans->len; i++)
        api_end_session(api, g_ptr_array_index(orphans, i), false, NULL, NULL);
    g_ptr_array_free(orphans, TRUE);
}

static bool session_uses_sink(struct prism_api *api, struct prism_session *session,
                              const void *sink)
{
    return prism_session_has_sink(session, sink);
}

void prism_api_sink_closed(struct prism_api *api, struct prism_event_sink *sink, uint64_t now_us)
{
    if (api->config.reclaim_timeout_s > 0) {
        g_mutex_lock(&api->lock);
        GHashTableIter iter;
        gpointer session;
        g_hash_table_iter_init(&iter, api->sessions);
        while (g_hash_table_iter_next(&iter, NULL, &session)) {
            if (prism_session_has_sink(session, sink))
                prism_session_set_orphaned(session, now_us ? now_us : 1);
        }
        g_mutex_unlock(&api->lock);
        return;
    }
    GPtrArray *owned = remove_sessions_where(api, session_uses_sink, sink);
    for (guint i = 0; i < owned->len; i++)
        api_end_session(api, g_ptr_array_index(owned, i), false, NULL, NULL);
    g_ptr_array_free(owned, TRUE);
}

/* Shutdown waits until every session has ended, so that the transports can
 * flush the final events before they close. */
struct shutdown_wait {
    GMutex lock;
    GCond cond;
    unsigned pending;
};

static void shutdown_step_cb(void *data)
{
    struct shutdown_wait *wait = data;
    g_mutex_lock(&wait->lock);
    wait->pending--;
    g_cond_signal(&wait->cond);
    g_mutex_unlock(&wait->lock);
}

static bool any_session(struct prism_api *api, struct prism_session *session, const void *arg)
{
    return true;
}

void prism_api_set_accepting(struct prism_api *api, bool accepting)
{
    atomic_store(&api->accepting, accepting);
}

void prism_api_counts(struct prism_api *api, unsigned *sessions, unsigned *handles)
{
    g_mutex_lock(&api->lock);
    *sessions = g_hash_table_size(api->sessions);
    g_mutex_unlock(&api->lock);
    *handles = atomic_load(&api->handle_count);
}

bool prism_api_is_accepting(struct prism_api *api)
{
    return atomic_load(&api->accepting);
}

void prism_api_shutdown(struct prism_api *api)
{
    atomic_store(&api->accepting, false);
    GPtrArray *all = remove_sessions_where(api, any_session, NULL);
    struct shutdown_wait wait = {.pending = all->len};
    g_mutex_init(&wait.lock);
    g_cond_init(&wait.cond);
    for (guint i = 0; i < all->len; i++)
        api_end_session(api, g_ptr_array_index(all, i), true, shutdown_step_cb, &wait);
    g_mutex_lock(&wait.lock);
    while (wait.pending > 0)
        g_cond_wait(&wait.cond, &wait.lock);
    g_mutex_unlock(&wait.lock);
    g_mutex_clear(&wait.lock);
    g_cond_clear(&wait.cond);
    g_ptr_array_free(all, TRUE);
}
