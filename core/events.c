/* The event queue and the emitters (see core/events.h). The mutex is held for a push or a pop
 * only; workers emit on state changes and every few seconds per PeerConnection, never per
 * packet. */
#include "core/events.h"

#include <errno.h>
#include <glib.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct prism_event_queue {
    GMutex lock;
    GCond ready;
    GQueue events; /* json_t *, oldest first */
    size_t capacity;
    uint32_t mask;
    char *emitter;
    bool closed;
    atomic_uint_fast64_t dropped;
};

static const struct {
    const char *label;
    uint32_t type;
} kinds[] = {
    {"sessions", PRISM_EVENT_SESSION},  {"handles", PRISM_EVENT_HANDLE},
    {"external", PRISM_EVENT_EXTERNAL}, {"jsep", PRISM_EVENT_JSEP},
    {"webrtc", PRISM_EVENT_WEBRTC},     {"media", PRISM_EVENT_MEDIA},
    {"plugins", PRISM_EVENT_PLUGIN},    {"transports", PRISM_EVENT_TRANSPORT},
    {"core", PRISM_EVENT_CORE},
};

static int kind_of(const char *label, uint32_t *type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        if (g_ascii_strcasecmp(label, kinds[i].label) == 0) {
            *type = kinds[i].type;
            return 0;
        }
    }
    return -EINVAL;
}

int prism_event_mask_parse(const char *list, uint32_t *mask)
{
    if (!list)
        return -EINVAL;
    char *copy = g_strstrip(g_strdup(list));
    uint32_t result = 0;
    int rc = 0;
    if (g_ascii_strcasecmp(copy, "all") == 0)
        result = PRISM_EVENT_ALL;
    else if (g_ascii_strcasecmp(copy, "none") != 0) {
        char **items = g_strsplit(copy, ",", -1);
        for (char **item = items; *item && rc == 0; item++) {
            uint32_t type = 0;
            rc = kind_of(g_strstrip(*item), &type);
            result |= type;
        }
        g_strfreev(items);
        if (result == 0)
            rc = -EINVAL;
    }
    g_free(copy);
    if (rc == 0)
        *mask = result;
    return rc;
}

bool prism_event_url_valid(const char *url)
{
    if (!url)
        return false;
    const char *rest = g_str_has_prefix(url, "http://")    ? url + 7
                       : g_str_has_prefix(url, "https://") ? url + 8
                                                           : NULL;
    return rest && *rest && *rest != '/' && !strpbrk(url, " \t\r\n");
}

int prism_event_queue_create(struct prism_event_queue **out, size_t capacity, uint32_t mask,
                             const char *emitter)
{
    if (!capacity)
        return -EINVAL;
    struct prism_event_queue *queue = calloc(1, sizeof(*queue));
    if (!queue)
        return -ENOMEM;
    g_mutex_init(&queue->lock);
    g_cond_init(&queue->ready);
    g_queue_init(&queue->events);
    queue->capacity = capacity;
    queue->mask = mask;
    queue->emitter = emitter ? g_strdup(emitter) : NULL;
    atomic_init(&queue->dropped, 0);
    *out = queue;
    return 0;
}

void prism_event_queue_destroy(struct prism_event_queue *queue)
{
    if (!queue)
        return;
    g_queue_clear_full(&queue->events, (GDestroyNotify)json_decref);
    g_mutex_clear(&queue->lock);
    g_cond_clear(&queue->ready);
    g_free(queue->emitter);
    free(queue);
}

static void push(struct prism_event_queue *queue, json_t *event)
{
    g_mutex_lock(&queue->lock);
    bool accepted = !queue->closed && queue->events.length < queue->capacity;
    if (accepted) {
        g_queue_push_tail(&queue->events, event);
        g_cond_signal(&queue->ready);
    }
    g_mutex_unlock(&queue->lock);
    if (!accepted) {
        atomic_fetch_add(&queue->dropped, 1);
        json_decref(event);
    }
}

size_t prism_event_queue_pop(struct prism_event_queue *queue, json_t **events, size_t max,
                             uint64_t wait_us)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)wait_us;
    g_mutex_lock(&queue->lock);
    while (!queue->events.length && !queue->closed) {
        if (!g_cond_wait_until(&queue->ready, &queue->lock, deadline))
            break;
    }
    size_t count = 0;
    while (count < max && queue->events.length)
        events[count++] = g_queue_pop_head(&queue->events);
    g_mutex_unlock(&queue->lock);
    return count;
}

void prism_event_queue_close(struct prism_event_queue *queue)
{
    g_mutex_lock(&queue->lock);
    queue->closed = true;
    g_cond_broadcast(&queue->ready);
    g_mutex_unlock(&queue->lock);
}

uint64_t prism_event_queue_dropped(const struct prism_event_queue *queue)
{
    return atomic_load(&((struct prism_event_queue *)queue)->dropped);
}

void prism_event_queue_count_dropped(struct prism_event_queue *queue, uint64_t count)
{
    atomic_fetch_add(&queue->dropped, count);
}

static _Atomic(struct prism_event_queue *) installed;

void prism_events_install(struct prism_event_queue *queue)
{
    atomic_store(&installed, queue);
}

struct prism_event_queue *prism_events_installed(void)
{
    return atomic_load(&installed);
}

bool prism_events_wanted(enum prism_event_type type)
{
    struct prism_event_queue *queue = atomic_load_explicit(&installed, memory_order_acquire);
    return queue && (queue->mask & (uint32_t)type);
}

/* The envelope every event shares; `session_id` 0 is left out (core events). */
static void emit(enum prism_event_type type, uint64_t session_id, uint64_t handle_id,
                 const char *opaque_id, json_t *body)
{
    struct prism_event_queue *queue = atomic_load_explicit(&installed, memory_order_acquire);
    if (!queue || !(queue->mask & (uint32_t)type)) {
        json_decref(body);
        return;
    }
    json_t *event = json_pack("{s:i, s:I}", "type", (int)type, "timestamp",
                              (json_int_t)g_get_real_time());
    if (queue->emitter)
        json_object_set_new(event, "emitter", json_string(queue->emitter));
    if (session_id)
        json_object_set_new(event, "session_id", json_integer((json_int_t)session_id));
    if (handle_id)
        json_object_set_new(event, "handle_id", json_integer((json_int_t)handle_id));
    if (opaque_id)
        json_object_set_new(event, "opaque_id", json_string(opaque_id));
    json_object_set_new(event, "event", body ? body : json_object());
    push(queue, event);
}

void prism_events_session(uint64_t session_id, const char *name, json_t *transport)
{
    if (!prism_events_wanted(PRISM_EVENT_SESSION)) {
        json_decref(transport);
        return;
    }
    json_t *body = json_pack("{s:s}", "name", name);
    if (transport)
        json_object_set_new(body, "transport", transport);
    emit(PRISM_EVENT_SESSION, session_id, 0, NULL, body);
}

void prism_events_handle(uint64_t session_id, uint64_t handle_id, const char *name,
                         const char *plugin, const char *opaque_id)
{
    if (!prism_events_wanted(PRISM_EVENT_HANDLE))
        return;
    json_t *body = json_pack("{s:s, s:s}", "name", name, "plugin", plugin ? plugin : "");
    if (opaque_id) /* Janus puts it in the body too, for older receivers */
        json_object_set_new(body, "opaque_id", json_string(opaque_id));
    emit(PRISM_EVENT_HANDLE, session_id, handle_id, opaque_id, body);
}

void prism_events_jsep(uint64_t session_id, uint64_t handle_id, const char *opaque_id,
                       const char *owner, const char *sdp_type, const char *sdp)
{
    if (!prism_events_wanted(PRISM_EVENT_JSEP))
        return;
    json_t *body = json_pack("{s:s, s:{s:s, s:s}}", "owner", owner, "jsep", "type", sdp_type, "sdp",
                             sdp ? sdp : "");
    emit(PRISM_EVENT_JSEP, session_id, handle_id, opaque_id, body);
}

void prism_events_handle_body(enum prism_event_type type, uint64_t session_id, uint64_t handle_id,
                              const char *opaque_id, json_t *body)
{
    emit(type, session_id, handle_id, opaque_id, body);
}

void prism_events_plugin(uint64_t session_id, uint64_t handle_id, const char *opaque_id,
                         const char *plugin, json_t *data)
{
    if (!prism_events_wanted(PRISM_EVENT_PLUGIN)) {
        json_decref(data);
        return;
    }
    json_t *body = json_pack("{s:s}", "plugin", plugin);
    json_object_set_new(body, "data", data ? data : json_object());
    emit(PRISM_EVENT_PLUGIN, session_id, handle_id, opaque_id, body);
}

void prism_events_core(json_t *body)
{
    emit(PRISM_EVENT_CORE, 0, 0, NULL, body);
}
