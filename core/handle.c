/* Handles: one plugin instance of a session, placed on a worker. */
#include "core/session.h"

#include "core/plugin.h"
#include "core/worker.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* `id` must stay the first member: the session's table keys on it. */
struct prism_handle {
    uint64_t id;
    atomic_int refs;
    atomic_bool detached;
    struct prism_session *session;         /* one reference */
    const struct prism_plugin *plugin;     /* static, lives for the process */
    _Atomic(struct prism_worker *) worker; /* placement; load released on free */
    void *plugin_data;                     /* plugin-owned; worker thread only */
    void *media;                           /* media/peer/handle_media.c; worker thread only */
    char *opaque_id;
};

struct prism_handle *prism_handle_new(uint64_t id, struct prism_session *session,
                                      const struct prism_plugin *plugin,
                                      struct prism_worker *worker, const char *opaque_id)
{
    struct prism_handle *handle = calloc(1, sizeof(*handle));
    if (!handle)
        return NULL;
    if (opaque_id && !(handle->opaque_id = strdup(opaque_id))) {
        free(handle);
        return NULL;
    }
    handle->id = id;
    atomic_init(&handle->refs, 1);
    atomic_init(&handle->detached, false);
    handle->session = prism_session_ref(session);
    handle->plugin = plugin;
    atomic_init(&handle->worker, worker);
    return handle;
}

struct prism_handle *prism_handle_ref(struct prism_handle *handle)
{
    atomic_fetch_add(&handle->refs, 1);
    return handle;
}

void prism_handle_unref(struct prism_handle *handle)
{
    if (!handle || atomic_fetch_sub(&handle->refs, 1) != 1)
        return;
    struct prism_worker *worker = atomic_load(&handle->worker);
    if (worker)
        prism_worker_release(worker);
    prism_session_unref(handle->session);
    free(handle->opaque_id);
    free(handle);
}

uint64_t prism_handle_id(const struct prism_handle *handle)
{
    return handle->id;
}

uint64_t prism_handle_session_id(const struct prism_handle *handle)
{
    return prism_session_id(handle->session);
}

struct prism_session *prism_handle_session(const struct prism_handle *handle)
{
    return handle->session;
}

const struct prism_plugin *prism_handle_plugin(const struct prism_handle *handle)
{
    return handle->plugin;
}

struct prism_worker *prism_handle_worker(const struct prism_handle *handle)
{
    return atomic_load(&((struct prism_handle *)handle)->worker);
}

void prism_handle_set_worker(struct prism_handle *handle, struct prism_worker *worker)
{
    struct prism_worker *previous = atomic_exchange(&handle->worker, worker);
    if (previous == worker)
        return;
    prism_worker_acquire(worker);
    if (previous)
        prism_worker_release(previous);
}

const char *prism_handle_opaque_id(const struct prism_handle *handle)
{
    return handle->opaque_id;
}

void *prism_handle_plugin_data(const struct prism_handle *handle)
{
    return handle->plugin_data;
}

void prism_handle_set_plugin_data(struct prism_handle *handle, void *data)
{
    handle->plugin_data = data;
}

void *prism_handle_media(const struct prism_handle *handle)
{
    return handle->media;
}

void prism_handle_set_media(struct prism_handle *handle, void *media)
{
    handle->media = media;
}

bool prism_handle_mark_detached(struct prism_handle *handle)
{
    return !atomic_exchange(&handle->detached, true);
}

bool prism_handle_is_detached(const struct prism_handle *handle)
{
    return atomic_load(&((struct prism_handle *)handle)->detached);
}

void prism_handle_push_event(struct prism_handle *handle, const char *transaction, json_t *data,
                             json_t *jsep)
{
    if (prism_handle_is_detached(handle)) {
        json_decref(data);
        json_decref(jsep);
        return;
    }
    json_t *event = json_pack("{s:s, s:I, s:I}", "janus", "event", "session_id",
                              (json_int_t)prism_handle_session_id(handle), "sender",
                              (json_int_t)handle->id);
    if (transaction)
        json_object_set_new(event, "transaction", json_string(transaction));
    json_t *plugindata = json_pack("{s:s}", "plugin", handle->plugin->package);
    json_object_set_new(plugindata, "data", data ? data : json_object());
    json_object_set_new(event, "plugindata", plugindata);
    if (jsep)
        json_object_set_new(event, "jsep", jsep);
    prism_session_push_event(handle->session, event);
}

void prism_handle_push_core_event(struct prism_handle *handle, json_t *event)
{
    json_object_set_new(event, "session_id",
                        json_integer((json_int_t)prism_handle_session_id(handle)));
    json_object_set_new(event, "sender", json_integer((json_int_t)handle->id));
    prism_session_push_event(handle->session, event);
}
