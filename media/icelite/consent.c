/* Consent freshness (RFC 7675) as seen by a lite agent: the remote keeps checking the pairs it
 * uses, so an address is alive while its authenticated checks keep coming. Every address has
 * the same lifetime after its last check, so a list ordered by that check (a check moves its
 * address to the end) keeps the next expiry at the head: refresh, deadline and expiry are
 * O(1) each, whatever the number of peers. */
#include "media/icelite/internal.h"

void icelite_consent_forget(struct prism_icelite *engine, struct icelite_address *address)
{
    if (address->older)
        address->older->newer = address->newer;
    else if (engine->oldest == address)
        engine->oldest = address->newer;
    if (address->newer)
        address->newer->older = address->older;
    else if (engine->newest == address)
        engine->newest = address->older;
    address->older = address->newer = NULL;
}

void icelite_consent_refresh(struct prism_icelite *engine, struct icelite_address *address,
                             uint64_t now_us)
{
    icelite_consent_forget(engine, address);
    /* A clock that steps back must not break the order the list relies on. */
    if (engine->newest && engine->newest->last_check_us > now_us)
        now_us = engine->newest->last_check_us;
    address->last_check_us = now_us;
    address->older = engine->newest;
    if (engine->newest)
        engine->newest->newer = address;
    else
        engine->oldest = address;
    engine->newest = address;
}

uint64_t prism_icelite_next_deadline(const struct prism_icelite *engine)
{
    if (!engine || !engine->oldest)
        return UINT64_MAX;
    return engine->oldest->last_check_us + engine->consent_timeout_us;
}

void prism_icelite_timeout(struct prism_icelite *engine, uint64_t now_us)
{
    if (!engine)
        return;
    while (engine->oldest && prism_icelite_next_deadline(engine) <= now_us) {
        engine->stats.expired++;
        icelite_address_remove(engine, engine->oldest, true);
    }
}
