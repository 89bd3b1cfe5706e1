/* Rate limit for repeated log lines of one kind: at most one line per interval, and the
 * next line says how many were held back. Pure (time in), one limiter per kind of warning;
 * not thread-safe: keep a limiter per thread or under the caller's lock. */
#ifndef PRISM_CORE_LOG_LIMIT_H
#define PRISM_CORE_LOG_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define PRISM_LOG_LIMIT_INTERVAL_US 10000000u

struct prism_log_limit {
    uint64_t last_us;    /* when a line was last allowed */
    uint64_t suppressed; /* lines held back since */
    bool used;
};

/* True when a line may be written now; *suppressed is how many were held back before it. */
bool prism_log_limit_allow(struct prism_log_limit *limit, uint64_t now_us, uint64_t *suppressed);

#endif
