/* Shared by the fuzz targets that parse transport-wide CC feedback: walks a parsed feedback and
 * traps unless it yields exactly what its header and chunks counted. */
#ifndef PRISM_TESTS_FUZZ_TWCC_WALK_H
#define PRISM_TESTS_FUZZ_TWCC_WALK_H

#include "media/rtcp/feedback.h"

static inline void fuzz_twcc_walk(const struct prism_rtcp_twcc *twcc)
{
    struct prism_rtcp_twcc_iter it;
    struct prism_rtcp_twcc_status s;
    size_t n = 0, received = 0;
    int rc;
    prism_rtcp_twcc_iter_init(&it, twcc);
    while ((rc = prism_rtcp_twcc_next(&it, &s)) > 0) {
        n++;
        received += s.received;
    }
    if (rc != 0 || n != twcc->status_count || received != twcc->received_count)
        __builtin_trap();
}

#endif
