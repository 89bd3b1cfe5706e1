/* Rejection counters (see rejections.h). */
#include "signaling/limits/rejections.h"

#include <stdatomic.h>

static _Atomic uint64_t totals[PRISM_REJECT_KIND_COUNT];

void prism_rejection_count(enum prism_rejection kind)
{
    if (kind < PRISM_REJECT_KIND_COUNT)
        atomic_fetch_add_explicit(&totals[kind], 1, memory_order_relaxed);
}

uint64_t prism_rejection_total(enum prism_rejection kind)
{
    return kind < PRISM_REJECT_KIND_COUNT
               ? atomic_load_explicit(&totals[kind], memory_order_relaxed)
               : 0;
}

const char *prism_rejection_name(enum prism_rejection kind)
{
    static const char *const names[PRISM_REJECT_KIND_COUNT] = {
        [PRISM_REJECT_SESSIONS_PER_ADDRESS] = "sessions_per_address",
        [PRISM_REJECT_REQUEST_RATE] = "request_rate",
        [PRISM_REJECT_WS_CONNECTIONS_PER_ADDRESS] = "ws_connections_per_address",
        [PRISM_REJECT_WS_MESSAGE_SIZE] = "ws_message_size",
        [PRISM_REJECT_HTTP_BODY_SIZE] = "http_body_size",
    };
    return kind < PRISM_REJECT_KIND_COUNT ? names[kind] : "other";
}
