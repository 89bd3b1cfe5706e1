/* Requests per second per client address: a token bucket per address (`rate` tokens a second,
 * at most `burst` saved up, one taken per request), in a table of bounded size. The table
 * forgets the least recently seen address when it is full, and addresses idle long enough that
 * their bucket is full again (nothing is lost by forgetting those), so a flood from many
 * (spoofed or rotated) addresses cannot grow it without bound.
 *
 * Sans-IO: time comes in, a decision goes out. It also says when to log a refusal: at most one
 * line per address per PRISM_LOG_LIMIT_INTERVAL_US (core/log_limit.h), however many requests
 * are refused. Not thread-safe: the caller serialises. */
#ifndef PRISM_SIGNALING_LIMITS_RATE_TABLE_H
#define PRISM_SIGNALING_LIMITS_RATE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_rate_table;

struct prism_rate_config {
    unsigned rate;   /* tokens per second; 0 = no limit (every request allowed, nothing kept) */
    unsigned burst;  /* most tokens saved up; 0 = `rate` */
    size_t capacity; /* most addresses remembered; 0 = PRISM_RATE_TABLE_DEFAULT_CAPACITY */
};

#define PRISM_RATE_TABLE_DEFAULT_CAPACITY 16384u

struct prism_rate_decision {
    bool allowed;
    uint64_t retry_after_us; /* refused: time until the address has a token again */
    bool log;                /* refused, and a log line for this address is due */
    uint64_t suppressed;     /* with `log`: refusals of the address not logged before it */
};

/* Returns 0, -EINVAL or -ENOMEM; writes *out only on success. */
int prism_rate_table_create(struct prism_rate_table **out, const struct prism_rate_config *config);
void prism_rate_table_destroy(struct prism_rate_table *table);

/* One request from `address` (a key from client_address.h; NULL or "" is never limited) at
 * `now_us`: takes a token if there is one. */
void prism_rate_table_take(struct prism_rate_table *table, const char *address, uint64_t now_us,
                           struct prism_rate_decision *out);

/* Addresses remembered now. */
size_t prism_rate_table_size(const struct prism_rate_table *table);

#endif
