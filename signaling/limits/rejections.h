/* Counts of what the client limits refused, by kind, for the metrics page. Atomics: any
 * thread records, the metrics page reads. */
#ifndef PRISM_SIGNALING_LIMITS_REJECTIONS_H
#define PRISM_SIGNALING_LIMITS_REJECTIONS_H

#include <stdint.h>

enum prism_rejection {
    PRISM_REJECT_SESSIONS_PER_ADDRESS,       /* "create" over general.max_sessions_per_address */
    PRISM_REJECT_REQUEST_RATE,               /* over general.requests_per_second */
    PRISM_REJECT_WS_CONNECTIONS_PER_ADDRESS, /* websockets.max_connections_per_address */
    PRISM_REJECT_WS_MESSAGE_SIZE,            /* websockets.max_message_size */
    PRISM_REJECT_HTTP_BODY_SIZE,             /* http.max_body_size */
    PRISM_REJECT_KIND_COUNT,
};

void prism_rejection_count(enum prism_rejection kind);
uint64_t prism_rejection_total(enum prism_rejection kind);
/* The label value of the kind on the metrics page ("sessions_per_address", ...). */
const char *prism_rejection_name(enum prism_rejection kind);

#endif
