/* API request counters (see core/request_metrics.h). */
#include "core/request_metrics.h"

#include <glib.h>
#include <string.h>

/* Distinct (transport, verb, status) triples kept; callers bound verbs and statuses, this
 * bounds the table should they not. */
#define MAX_ENTRIES 256

static GMutex lock;
static struct prism_request_count entries[MAX_ENTRIES];
static size_t entry_count;
static struct prism_latency_histogram latency[2];

static void copy_bounded(char *to, size_t size, const char *from)
{
    g_strlcpy(to, from ? from : "", size);
}

static struct prism_request_count *find_or_add(const char *transport, const char *verb,
                                               const char *status)
{
    struct prism_request_count key = {0};
    copy_bounded(key.transport, sizeof(key.transport), transport);
    copy_bounded(key.verb, sizeof(key.verb), verb);
    copy_bounded(key.status, sizeof(key.status), status);
    for (size_t i = 0; i < entry_count; i++) {
        if (!strcmp(entries[i].transport, key.transport) && !strcmp(entries[i].verb, key.verb) &&
            !strcmp(entries[i].status, key.status))
            return &entries[i];
    }
    if (entry_count == MAX_ENTRIES)
        return NULL;
    entries[entry_count] = key;
    return &entries[entry_count++];
}

static struct prism_latency_histogram *latency_of(const char *transport)
{
    return &latency[transport && !strcmp(transport, "websocket") ? 1 : 0];
}

void prism_request_metrics_record(const char *transport, const char *verb, const char *status,
                                  uint64_t elapsed_us)
{
    g_mutex_lock(&lock);
    struct prism_request_count *entry = find_or_add(transport, verb, status);
    if (entry)
        entry->count++;
    g_mutex_unlock(&lock);
    prism_latency_observe(latency_of(transport), elapsed_us);
}

size_t prism_request_metrics_read(struct prism_request_count *out, size_t max)
{
    g_mutex_lock(&lock);
    size_t count = entry_count < max ? entry_count : max;
    memcpy(out, entries, count * sizeof(*out));
    g_mutex_unlock(&lock);
    return count;
}

const struct prism_latency_histogram *prism_request_metrics_latency(const char *transport)
{
    return latency_of(transport);
}

void prism_request_metrics_reset(void)
{
    g_mutex_lock(&lock);
    entry_count = 0;
    for (size_t t = 0; t < 2; t++) {
        for (size_t i = 0; i <= PRISM_LATENCY_BOUNDS; i++)
            atomic_store_explicit(&latency[t].buckets[i], 0, memory_order_relaxed);
        atomic_store_explicit(&latency[t].sum_us, 0, memory_order_relaxed);
    }
    g_mutex_unlock(&lock);
}
