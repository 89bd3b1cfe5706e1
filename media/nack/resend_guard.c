/* Per-receiver retransmission throttle: a small ring of recent resends. */
#include "media/nack/resend_guard.h"

#include <string.h>

void prism_nack_resend_guard_reset(struct prism_nack_resend_guard *g)
{
    memset(g, 0, sizeof(*g));
}

bool prism_nack_resend_guard_allow(struct prism_nack_resend_guard *g, uint16_t seq, uint64_t now_us,
                                   uint64_t interval_us)
{
    for (unsigned i = 0; i < g->count; i++) {
        if (g->seq[i] != seq)
            continue;
        if (now_us >= g->at_us[i] && now_us - g->at_us[i] < interval_us)
            return false;
        g->at_us[i] = now_us;
        return true;
    }
    g->seq[g->next] = seq;
    g->at_us[g->next] = now_us;
    g->next = (uint8_t)((g->next + 1) % PRISM_NACK_RESEND_GUARD_SLOTS);
    if (g->count < PRISM_NACK_RESEND_GUARD_SLOTS)
        g->count++;
    return true;
}
