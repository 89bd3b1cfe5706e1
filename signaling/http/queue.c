/* Per-session event queues and waiting long-polls (sans-IO, see queue.h). */
#include "signaling/http/queue.h"

#include <errno.h>
#include <stdlib.h>

/* One session's state. Exists only while it has queued events or waiters. */
struct http_queue_entry {
    uint64_t session_id; /* first member: the hash table's key points here */
    GQueue events;       /* json_t *, oldest first, one reference each */
    GQueue waiters;      /* struct prism_http_waiter *, oldest first (session_link) */
    bool gone;
    uint64_t gone_until_us;
    GList gone_link; /* in queue->gone_entries while gone */
};

struct prism_http_queue {
    GHashTable *entries; /* &entry->session_id -> entry (owned) */
    GQueue by_deadline;  /* every parked waiter, earliest deadline first */
    GQueue gone_entries; /* ended sessions with events, earliest grace end first */
    size_t waiter_count;
    size_t max_queued;
    uint64_t gone_grace_us;
};

static guint id_hash(gconstpointer key)
{
    uint64_t id = *(const uint64_t *)key;
    return (guint)(id ^ (id >> 32));
}

static gboolean id_equal(gconstpointer a, gconstpointer b)
{
    return *(const uint64_t *)a == *(const uint64_t *)b;
}

static void entry_free(gpointer data)
{
    struct http_queue_entry *entry = data;
    g_queue_clear_full(&entry->events, (GDestroyNotify)json_decref);
    free(entry);
}

int prism_http_queue_create(struct prism_http_queue **out, size_t max_queued,
                            uint64_t gone_grace_us)
{
    if (!out || max_queued == 0)
        return -EINVAL;
    struct prism_http_queue *queue = calloc(1, sizeof(*queue));
    if (!queue)
        return -ENOMEM;
    queue->entries = g_hash_table_new_full(id_hash, id_equal, NULL, entry_free);
    g_queue_init(&queue->by_deadline);
    g_queue_init(&queue->gone_entries);
    queue->max_queued = max_queued;
    queue->gone_grace_us = gone_grace_us;
    *out = queue;
    return 0;
}

void prism_http_queue_destroy(struct prism_http_queue *queue)
{
    if (!queue)
        return;
    g_warn_if_fail(queue->waiter_count == 0);
    g_hash_table_destroy(queue->entries);
    free(queue);
}

static struct http_queue_entry *find_entry(const struct prism_http_queue *queue,
                                           uint64_t session_id)
{
    return g_hash_table_lookup(queue->entries, &session_id);
}

static struct http_queue_entry *get_entry(struct prism_http_queue *queue, uint64_t session_id)
{
    struct http_queue_entry *entry = find_entry(queue, session_id);
    if (entry)
        return entry;
    entry = calloc(1, sizeof(*entry));
    if (!entry)
        abort(); /* GLib aborts on exhaustion too; nothing sensible to do */
    entry->session_id = session_id;
    g_queue_init(&entry->events);
    g_queue_init(&entry->waiters);
    entry->gone_link.data = entry;
    g_hash_table_insert(queue->entries, &entry->session_id, entry);
    return entry;
}

static void clear_gone(struct prism_http_queue *queue, struct http_queue_entry *entry)
{
    if (!entry->gone)
        return;
    g_queue_unlink(&queue->gone_entries, &entry->gone_link);
    entry->gone = false;
}

/* Drops the entry when it holds nothing any more. */
static void release_if_empty(struct prism_http_queue *queue, struct http_queue_entry *entry)
{
    if (!g_queue_is_empty(&entry->events) || !g_queue_is_empty(&entry->waiters))
        return;
    clear_gone(queue, entry);
    g_hash_table_remove(queue->entries, &entry->session_id);
}

static json_t *keepalive(unsigned max_events)
{
    json_t *event = json_pack("{s:s}", "janus", "keepalive");
    if (max_events <= 1)
        return event;
    json_t *list = json_array();
    json_array_append_new(list, event);
    return list;
}

/* The answer for one poll: the oldest event, or an array of up to
 * max_events events, or a keepalive in the same shape when none is queued. */
static json_t *take_answer(struct http_queue_entry *entry, unsigned max_events)
{
    if (g_queue_is_empty(&entry->events))
        return keepalive(max_events);
    if (max_events <= 1)
        return g_queue_pop_head(&entry->events);
    json_t *list = json_array();
    for (unsigned i = 0; i < max_events && !g_queue_is_empty(&entry->events); i++)
        json_array_append_new(list, g_queue_pop_head(&entry->events));
    return list;
}

static void park(struct prism_http_queue *queue, struct http_queue_entry *entry,
                 struct prism_http_waiter *waiter)
{
    waiter->entry = entry;
    waiter->session_link = (GList){.data = waiter};
    waiter->deadline_link = (GList){.data = waiter};
    g_queue_push_tail_link(&entry->waiters, &waiter->session_link);
    /* Deadlines mostly grow with arrival: search from the tail. */
    GList *after = queue->by_deadline.tail;
    while (after && ((struct prism_http_waiter *)after->data)->deadline_us > waiter->deadline_us)
        after = after->prev;
    if (after)
        g_queue_insert_after_link(&queue->by_deadline, after, &waiter->deadline_link);
    else
        g_queue_push_head_link(&queue->by_deadline, &waiter->deadline_link);
    queue->waiter_count++;
}

static void unpark(struct prism_http_queue *queue, struct prism_http_waiter *waiter)
{
    g_queue_unlink(&waiter->entry->waiters, &waiter->session_link);
    g_queue_unlink(&queue->by_deadline, &waiter->deadline_link);
    waiter->entry = NULL;
    queue->waiter_count--;
}

enum prism_http_poll_result prism_http_queue_poll(struct prism_http_queue *queue,
                                                  struct prism_http_waiter *waiter,
                                                  bool session_exists, bool may_wait)
{
    waiter->answer = NULL;
    waiter->entry = NULL;
    if (waiter->max_events == 0)
        waiter->max_events = 1;
    struct http_queue_entry *entry = find_entry(queue, waiter->session_id);
    if (entry && session_exists)
        clear_gone(queue, entry);
    if (entry && !g_queue_is_empty(&entry->events)) {
        waiter->answer = take_answer(entry, waiter->max_events);
        release_if_empty(queue, entry);
        return PRISM_HTTP_POLL_ANSWERED;
    }
    if (!session_exists)
        return PRISM_HTTP_POLL_NO_SESSION;
    if (!may_wait) {
        waiter->answer = keepalive(waiter->max_events);
        return PRISM_HTTP_POLL_ANSWERED;
    }
    park(queue, get_entry(queue, waiter->session_id), waiter);
    return PRISM_HTTP_POLL_WAITING;
}

/* Answers every waiter of the entry, oldest first, then drops it if empty. */
static void answer_waiters(struct prism_http_queue *queue, struct http_queue_entry *entry,
                           GPtrArray *answered)
{
    while (!g_queue_is_empty(&entry->waiters)) {
        struct prism_http_waiter *waiter = entry->waiters.head->data;
        unpark(queue, waiter);
        waiter->answer = take_answer(entry, waiter->max_events);
        g_ptr_array_add(answered, waiter);
    }
    release_if_empty(queue, entry);
}

bool prism_http_queue_push(struct prism_http_queue *queue, uint64_t session_id, json_t *event,
                           GPtrArray *answered)
{
    struct http_queue_entry *entry = get_entry(queue, session_id);
    if (g_queue_get_length(&entry->events) >= queue->max_queued) {
        json_decref(event);
        return false;
    }
    g_queue_push_tail(&entry->events, event);
    answer_waiters(queue, entry, answered);
    return true;
}

void prism_http_queue_session_gone(struct prism_http_queue *queue, uint64_t session_id,
                                   uint64_t now_us, GPtrArray *answered)
{
    struct http_queue_entry *entry = find_entry(queue, session_id);
    if (!entry)
        return;
    answer_waiters(queue, entry, answered);
    entry = find_entry(queue, session_id);
    if (!entry || entry->gone)
        return;
    entry->gone = true;
    entry->gone_until_us = now_us + queue->gone_grace_us;
    /* Grace ends grow with time: append, unless the clock went backwards. */
    GList *after = queue->gone_entries.tail;
    while (after && ((struct http_queue_entry *)after->data)->gone_until_us > entry->gone_until_us)
        after = after->prev;
    if (after)
        g_queue_insert_after_link(&queue->gone_entries, after, &entry->gone_link);
    else
        g_queue_push_head_link(&queue->gone_entries, &entry->gone_link);
}

void prism_http_queue_expire(struct prism_http_queue *queue, uint64_t now_us, GPtrArray *answered)
{
    while (queue->by_deadline.head) {
        struct prism_http_waiter *waiter = queue->by_deadline.head->data;
        if (waiter->deadline_us > now_us)
            break;
        struct http_queue_entry *entry = waiter->entry;
        unpark(queue, waiter);
        waiter->answer = take_answer(entry, waiter->max_events);
        g_ptr_array_add(answered, waiter);
        release_if_empty(queue, entry);
    }
    while (queue->gone_entries.head) {
        struct http_queue_entry *entry = queue->gone_entries.head->data;
        if (entry->gone_until_us > now_us)
            break;
        /* Gone entries have no waiters: a poll either took the events,
         * found no session, or cleared the mark. */
        clear_gone(queue, entry);
        g_hash_table_remove(queue->entries, &entry->session_id);
    }
}

uint64_t prism_http_queue_next_deadline(const struct prism_http_queue *queue)
{
    uint64_t next = UINT64_MAX;
    if (queue->by_deadline.head)
        next = ((struct prism_http_waiter *)queue->by_deadline.head->data)->deadline_us;
    if (queue->gone_entries.head) {
        uint64_t until = ((struct http_queue_entry *)queue->gone_entries.head->data)->gone_until_us;
        if (until < next)
            next = until;
    }
    return next;
}

void prism_http_queue_answer_all(struct prism_http_queue *queue, GPtrArray *answered)
{
    while (queue->by_deadline.head) {
        struct prism_http_waiter *waiter = queue->by_deadline.head->data;
        answer_waiters(queue, waiter->entry, answered);
    }
}

void prism_http_queue_cancel(struct prism_http_queue *queue, struct prism_http_waiter *waiter)
{
    struct http_queue_entry *entry = waiter->entry;
    if (!entry)
        return;
    unpark(queue, waiter);
    release_if_empty(queue, entry);
}

size_t prism_http_queue_session_count(const struct prism_http_queue *queue)
{
    return g_hash_table_size(queue->entries);
}

size_t prism_http_queue_event_count(const struct prism_http_queue *queue, uint64_t session_id)
{
    struct http_queue_entry *entry = find_entry(queue, session_id);
    return entry ? g_queue_get_length(&entry->events) : 0;
}

size_t prism_http_queue_waiter_count(const struct prism_http_queue *queue)
{
    return queue->waiter_count;
}
