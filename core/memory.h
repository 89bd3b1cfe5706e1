/* How the process uses glibc's malloc: thresholds fixed at start, and free memory handed back
 * to the kernel at quiet points after churn, so the resident size follows what is in use
 * instead of staying at the busiest moment's level. The policy that picks the quiet points is
 * sans-IO (fed a count and the time); the rest is two calls into the C library. */
#ifndef PRISM_CORE_MEMORY_H
#define PRISM_CORE_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

/* Longest wait for a quiet tick while churn goes on: trim at least this often then. */
#define PRISM_MEMORY_TRIM_MAX_DELAY_US (10 * 1000000ull)

/* When to trim, from a count of objects released so far (worker placements: handles, rooms)
 * sampled once a tick. Owned and used by one thread. */
struct prism_memory_trim_policy {
    uint64_t releases_seen; /* the count at the previous tick */
    uint64_t last_trim_us;
    bool pending; /* something was released since the last trim */
};

/* Sets up the thresholds before any thread starts (no-op under AddressSanitizer, whose
 * allocator replaces malloc, and off glibc). */
void prism_memory_configure(void);

void prism_memory_trim_policy_init(struct prism_memory_trim_policy *policy, uint64_t now_us);

/* Called once a tick. True when objects were released since the last trim and either the count
 * stood still for this whole tick (the churn paused: a quiet point) or the last trim is
 * PRISM_MEMORY_TRIM_MAX_DELAY_US old (the churn goes on); the caller then trims. */
bool prism_memory_trim_due(struct prism_memory_trim_policy *policy, uint64_t releases,
                           uint64_t now_us);

/* Gives the free memory of every malloc arena back to the kernel (malloc_trim). Takes each
 * arena's lock in turn while it walks that arena's free blocks: call it off the media path. */
void prism_memory_trim(void);

#endif
