/* Sessions: a client's handles, its event sink and its activity clock. */
#include "core/session.h"

#include "core/ids.h"

#include <stdatomic.h>
#include <stdlib.h>

struct prism_session {
    uint64_t id;
    atomic_int refs;
    _Atomic uint64_t last_activity_us;
    GMutex lock;                   /* guards everything below */
    GHashTable *handles;           /* uint64 id -> handle (one reference each) */
    struct prism_event_sink *sink; /* one reference */
    uint64_t orphaned_since_us;    /* 0 while a transport owns the session */
    char client_address[48];       /* set before the session is shared, then read-only */
    bool ending;                   /* destroy or timeout started: no new handles */
    /* PeerConnections of the session's handles, which may live on different workers. */
    atomic_uint peer_count;
};

static void handle_value_free(gpointer handle)
{
    prism_handle_unref(handle);
}

struct prism_session *prism_session_new(uint64_t id, struct prism_event_sink *sink, uint64_t now_us)
{
    struct prism_session *session = calloc(1, sizeof(*session));
    if (!session)
        return NULL;
    session->id = id;
    atomic_init(&session->refs, 1);
    atomic_init(&session->last_activity_us, now_us);
    atomic_init(&session->peer_count, 0);
    g_mutex_init(&session->lock);
    /* Keys point into the handle itself, which the table keeps alive. */
    session->handles = g_hash_table_new_full(prism_id_hash, prism_id_equal, NULL,
                                             handle_value_free);
    session->sink = prism_event_sink_ref(sink);
    return session;
}

struct prism_session *prism_session_ref(struct prism_session *session)
{
    atomic_fetch_add(&session->refs, 1);
    return session;
}

void prism_session_unref(struct prism_session *session)
{
    if (!session || atomic_fetch_sub(&session->refs, 1) != 1)
        return;
    g_hash_table_destroy(session->handles);
    prism_event_sink_unref(session->sink);
    g_mutex_clear(&session->lock);
    free(session);
}

uint64_t prism_session_id(const struct prism_session *session)
{
    return session->id;
}

void prism_session_set_client_address(struct prism_session *session, const char *address)
{
    g_strlcpy(session->client_address, address ? address : "", sizeof(session->client_address));
}

const char *prism_session_client_address(const struct prism_session *session)
{
    return session->client_address;
}

void prism_session_touch(struct prism_session *session, uint64_t now_us)
{
    atomic_store(&session->last_activity_us, now_us);
}

uint64_t prism_session_last_activity(const struct prism_session *session)
{
    return atomic_load(&((struct prism_session *)session)->last_activity_us);
}

struct deferred_event {
    struct prism_session *session;
    json_t *event;
};

/* Events held while this thread is inside a deferring section; NULL otherwise. */
static _Thread_local GArray *deferred_events;

void prism_session_defer_events(void)
{
    if (!deferred_events)
        deferred_events = g_array_new(FALSE, FALSE, sizeof(struct deferred_event));
}

void prism_session_flush_deferred(void)
{
    GArray *held = deferred_events;
    deferred_events = NULL;
    if (!held)
        return;
    for (guint i = 0; i < held->len; i++) {
        struct deferred_event *item = &g_array_index(held, struct deferred_event, i);
        prism_session_push_event(item->session, item->event);
        prism_session_unref(item->session);
    }
    g_array_free(held, TRUE);
}

void prism_session_push_event(struct prism_session *session, json_t *event)
{
    if (deferred_events) {
        struct deferred_event item = {prism_session_ref(session), event};
        g_array_append_val(deferred_events, item);
        return;
    }
    g_mutex_lock(&session->lock);
    struct prism_event_sink *sink = prism_event_sink_ref(session->sink);
    g_mutex_unlock(&session->lock);
    if (sink)
        sink->ops->push(sink, session->id, event);
    else
        json_decref(event);
    prism_event_sink_unref(sink);
}

void prism_session_set_sink(struct prism_session *session, struct prism_event_sink *sink)
{
    g_mutex_lock(&session->lock);
    struct prism_event_sink *previous = session->sink;
    session->sink = prism_event_sink_ref(sink);
    session->orphaned_since_us = 0;
    g_mutex_unlock(&session->lock);
    if (previous && previous != sink)
        previous->ops->session_gone(previous, session->id);
    prism_event_sink_unref(previous);
}

void prism_session_release_sink(struct prism_session *session)
{
    g_mutex_lock(&session->lock);
    struct prism_event_sink *previous = session->sink;
    session->sink = NULL;
    g_mutex_unlock(&session->lock);
    if (previous)
        previous->ops->session_gone(previous, session->id);
    prism_event_sink_unref(previous);
}

bool prism_session_has_sink(struct prism_session *session, const struct prism_event_sink *sink)
{
    g_mutex_lock(&session->lock);
    bool same = session->sink == sink;
    g_mutex_unlock(&session->lock);
    return same;
}

void prism_session_set_orphaned(struct prism_session *session, uint64_t since_us)
{
    g_mutex_lock(&session->lock);
    session->orphaned_since_us = since_us;
    g_mutex_unlock(&session->lock);
}

uint64_t prism_session_orphaned_since(struct prism_session *session)
{
    g_mutex_lock(&session->lock);
    uint64_t since = session->orphaned_since_us;
    g_mutex_unlock(&session->lock);
    return since;
}

bool prism_session_add_handle(struct prism_session *session, struct prism_handle *handle,
                              unsigned max_handles)
{
    g_mutex_lock(&session->lock);
    bool ok = !session->ending &&
              (max_handles == 0 || g_hash_table_size(session->handles) < max_handles);
    if (ok) {
        const uint64_t *key = (const uint64_t *)handle; /* id is the first member */
        g_hash_table_insert(session->handles, (gpointer)key, prism_handle_ref(handle));
    }
    g_mutex_unlock(&session->lock);
    return ok;
}

struct prism_handle *prism_session_find_handle(struct prism_session *session, uint64_t handle_id)
{
    g_mutex_lock(&session->lock);
    struct prism_handle *handle = g_hash_table_lookup(session->handles, &handle_id);
    if (handle)
        prism_handle_ref(handle);
    g_mutex_unlock(&session->lock);
    return handle;
}

struct prism_handle *prism_session_remove_handle(struct prism_session *session, uint64_t handle_id)
{
    g_mutex_lock(&session->lock);
    struct prism_handle *handle = g_hash_table_lookup(session->handles, &handle_id);
    if (handle)
        g_hash_table_steal(session->handles, &handle_id);
    g_mutex_unlock(&session->lock);
    return handle;
}

GPtrArray *prism_session_take_handles(struct prism_session *session)
{
    GPtrArray *taken = g_ptr_array_new_with_free_func(handle_value_free);
    g_mutex_lock(&session->lock);
    session->ending = true;
    GHashTableIter iter;
    gpointer handle;
    g_hash_table_iter_init(&iter, session->handles);
    while (g_hash_table_iter_next(&iter, NULL, &handle)) {
        g_ptr_array_add(taken, handle);
        g_hash_table_iter_steal(&iter);
    }
    g_mutex_unlock(&session->lock);
    return taken;
}

GArray *prism_session_handle_ids(struct prism_session *session)
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    g_mutex_lock(&session->lock);
    GHashTableIter iter;
    gpointer handle;
    g_hash_table_iter_init(&iter, session->handles);
    while (g_hash_table_iter_next(&iter, NULL, &handle)) {
        uint64_t id = prism_handle_id(handle);
        g_array_append_val(ids, id);
    }
    g_mutex_unlock(&session->lock);
    return ids;
}

unsigned prism_session_handle_count(struct prism_session *session)
{
    g_mutex_lock(&session->lock);
    unsigned count = g_hash_table_size(session->handles);
    g_mutex_unlock(&session->lock);
    return count;
}

bool prism_session_is_ending(struct prism_session *session)
{
    g_mutex_lock(&session->lock);
    bool ending = session->ending;
    g_mutex_unlock(&session->lock);
    return ending;
}

bool prism_session_take_peer_slot(struct prism_session *session, unsigned max_peers)
{
    unsigned count = atomic_load(&session->peer_count);
    do {
        if (max_peers && count >= max_peers)
            return false;
    } while (!atomic_compare_exchange_weak(&session->peer_count, &count, count + 1));
    return true;
}

void prism_session_release_peer_slot(struct prism_session *session)
{
    atomic_fetch_sub(&session->peer_count, 1);
}
