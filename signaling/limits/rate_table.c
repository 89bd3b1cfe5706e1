/* Token buckets per client address (see rate_table.h). Tokens are counted in millionths, so
 * that a bucket refills by exactly `rate` units per microsecond. */
#include "signaling/limits/rate_table.h"

#include "core/log_limit.h"
#include "signaling/limits/client_address.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define UNITS_PER_TOKEN 1000000u

/* One address. Lives in `table->by_address` (which owns it) and in `table->lru`. */
struct rate_entry {
    char address[PRISM_CLIENT_ADDRESS_MAX];
    uint64_t units;      /* tokens saved, in millionths */
    uint64_t updated_us; /* when `units` was last brought up to date */
    struct prism_log_limit log;
    GList link; /* in table->lru; head = seen longest ago */
};

struct prism_rate_table {
    unsigned rate;
    uint64_t max_units;
    uint64_t full_after_us; /* an idle bucket is full again after this long */
    uint64_t forget_after_us;
    size_t capacity;
    GHashTable *by_address; /* entry->address -> entry (owned) */
    GQueue lru;
};

int prism_rate_table_create(struct prism_rate_table **out, const struct prism_rate_config *config)
{
    if (!out || !config)
        return -EINVAL;
    struct prism_rate_table *table = calloc(1, sizeof(*table));
    if (!table)
        return -ENOMEM;
    table->rate = config->rate;
    unsigned burst = config->burst ? config->burst : config->rate;
    table->max_units = (uint64_t)burst * UNITS_PER_TOKEN;
    table->full_after_us = config->rate ? (table->max_units + config->rate - 1) / config->rate : 0;
    /* Forgetting an address also forgets when it was last logged: keep it for a log interval
     * at least, so that its next refusal is not logged early. */
    table->forget_after_us = table->full_after_us > PRISM_LOG_LIMIT_INTERVAL_US
                                 ? table->full_after_us
                                 : PRISM_LOG_LIMIT_INTERVAL_US;
    table->capacity = config->capacity ? config->capacity : PRISM_RATE_TABLE_DEFAULT_CAPACITY;
    table->by_address = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, free);
    g_queue_init(&table->lru);
    *out = table;
    return 0;
}

void prism_rate_table_destroy(struct prism_rate_table *table)
{
    if (!table)
        return;
    g_hash_table_destroy(table->by_address);
    free(table);
}

size_t prism_rate_table_size(const struct prism_rate_table *table)
{
    return g_hash_table_size(table->by_address);
}

static void forget(struct prism_rate_table *table, struct rate_entry *entry)
{
    g_queue_unlink(&table->lru, &entry->link);
    g_hash_table_remove(table->by_address, entry->address);
}

/* Forgets a few addresses that have been idle long enough (each call, so the work stays
 * constant), and the least recently seen one when the table is full. */
static void make_room(struct prism_rate_table *table, uint64_t now_us)
{
    for (int i = 0; i < 2 && table->lru.head; i++) {
        struct rate_entry *oldest = table->lru.head->data;
        if (now_us < oldest->updated_us || now_us - oldest->updated_us < table->forget_after_us)
            break;
        forget(table, oldest);
    }
    if (g_hash_table_size(table->by_address) >= table->capacity && table->lru.head)
        forget(table, table->lru.head->data);
}

static struct rate_entry *find_or_add(struct prism_rate_table *table, const char *address,
                                      uint64_t now_us)
{
    struct rate_entry *entry = g_hash_table_lookup(table->by_address, address);
    if (entry) {
        g_queue_unlink(&table->lru, &entry->link);
        g_queue_push_tail_link(&table->lru, &entry->link);
        return entry;
    }
    make_room(table, now_us);
    entry = calloc(1, sizeof(*entry));
    if (!entry)
        return NULL;
    g_strlcpy(entry->address, address, sizeof(entry->address));
    entry->units = table->max_units;
    entry->updated_us = now_us;
    entry->link.data = entry;
    g_hash_table_insert(table->by_address, entry->address, entry);
    g_queue_push_tail_link(&table->lru, &entry->link);
    return entry;
}

static void refill(const struct prism_rate_table *table, struct rate_entry *entry, uint64_t now_us)
{
    if (now_us <= entry->updated_us)
        return; /* a clock that went back refills nothing */
    uint64_t elapsed = now_us - entry->updated_us;
    entry->updated_us = now_us;
    if (elapsed >= table->full_after_us) {
        entry->units = table->max_units;
        return;
    }
    entry->units += elapsed * table->rate;
    if (entry->units > table->max_units)
        entry->units = table->max_units;
}

void prism_rate_table_take(struct prism_rate_table *table, const char *address, uint64_t now_us,
                           struct prism_rate_decision *out)
{
    *out = (struct prism_rate_decision){.allowed = true};
    if (!table || !table->rate || !address || !address[0])
        return;
    struct rate_entry *entry = find_or_add(table, address, now_us);
    if (!entry)
        return; /* out of memory: let the request through rather than refuse everyone */
    refill(table, entry, now_us);
    if (entry->units >= UNITS_PER_TOKEN) {
        entry->units -= UNITS_PER_TOKEN;
        return;
    }
    out->allowed = false;
    out->retry_after_us = (UNITS_PER_TOKEN - entry->units + table->rate - 1) / table->rate;
    out->log = prism_log_limit_allow(&entry->log, now_us, &out->suppressed);
}
