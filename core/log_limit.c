/* Rate-limited log lines (see core/log_limit.h). */
#include "core/log_limit.h"

bool prism_log_limit_allow(struct prism_log_limit *limit, uint64_t now_us, uint64_t *suppressed)
{
    if (limit->used && now_us - limit->last_us < PRISM_LOG_LIMIT_INTERVAL_US) {
        limit->suppressed++;
        return false;
    }
    *suppressed = limit->suppressed;
    limit->suppressed = 0;
    limit->last_us = now_us;
    limit->used = true;
    return true;
}
