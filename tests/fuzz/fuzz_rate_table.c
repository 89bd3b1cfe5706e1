/* Fuzzes the per-address token buckets with a script of requests: each step is a time step
 * (which may go back), an address picked from a small or a large space, and an address text
 * taken from the input (any bytes, cut to a key's size). Invariants: the table never holds
 * more than its capacity, a refusal always names a wait of at least 1 us and at most a token's
 * time, and an address that waited that long is served (when the clock did not go back
 * past an earlier request: a bucket refills only from the latest time it has seen). */
#include "signaling/limits/client_address.h"
#include "signaling/limits/rate_table.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAPACITY 8u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct prism_rate_config config = {
        .rate = 1u + data[0] % 50u, .burst = data[1] % 8u, .capacity = CAPACITY};
    struct prism_rate_table *table = NULL;
    if (prism_rate_table_create(&table, &config) != 0)
        abort();
    uint64_t now = 1000000, latest = now;
    for (size_t at = 2; at + 3 <= size; at += 3) {
        uint8_t step = data[at], pick = data[at + 1], length = data[at + 2];
        uint64_t back = (uint64_t)(step & 0x7f) * 1000u;
        if (step & 0x80) /* a clock that goes back (never below 0) */
            now = now > back ? now - back : 0;
        else
            now += (uint64_t)step * (step & 0x40 ? 100000u : 100u);
        char address[PRISM_CLIENT_ADDRESS_MAX];
        if (length & 1) {
            /* Arbitrary text from the input itself. */
            size_t take = length % (sizeof(address) - 1);
            if (take > size - at)
                take = size - at;
            memcpy(address, data + at, take);
            address[take] = '\0';
        } else {
            snprintf(address, sizeof(address), "10.0.%u.%u", pick & 3u, pick);
        }
        struct prism_rate_decision decision;
        prism_rate_table_take(table, address, now, &decision);
        bool monotonic = now >= latest;
        if (monotonic)
            latest = now;
        if (prism_rate_table_size(table) > CAPACITY)
            abort();
        if (!decision.allowed) {
            if (decision.retry_after_us == 0 ||
                decision.retry_after_us > 1000000u / config.rate + 1)
                abort();
            if (monotonic) {
                struct prism_rate_decision later;
                prism_rate_table_take(table, address, now + decision.retry_after_us, &later);
                if (!later.allowed)
                    abort();
                now += decision.retry_after_us;
                latest = now;
            }
        }
    }
    prism_rate_table_destroy(table);
    return 0;
}
