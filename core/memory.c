/* glibc malloc settings and trimming at quiet points (see memory.h).
 *
 * Why both, as measured with tests/integration/videoroom_churn.test.js (cycles of create,
 * attach, join, publish, subscribe with media and leave, four at a time, Release build):
 *
 * glibc maps blocks of at least M_MMAP_THRESHOLD (128 KiB) on their own, but by default it
 * raises that threshold to the size of each mapped block freed (up to 32 MiB), and its trim
 * threshold to twice that. A session description (struct prism_sdp) is a calloc of about 3 MB
 * that counts on being such a mapping: untouched pages cost address space, not memory. After
 * the first one is freed the threshold sits just above its size, so every later one comes from
 * a worker's arena, is cleared byte by byte (all of it resident for as long as its
 * PeerConnection keeps it) and goes back to the arena, which returns memory only from its top
 * and only past 6 MB. The resident size jumped from 18 MB idle to 35-43 MB with the first four
 * cycles and rose again at each busier moment; one worker's arena held 23 MB of which 0.4 MB
 * was in use. A fixed threshold turns the adjustment off, for the trim threshold too (kept at
 * its 128 KiB default): the same churn levels off at 24-26 MB. Fewer arenas (M_ARENA_MAX = 1)
 * left it at 37 MB: the memory sat in one arena, not spread over many.
 *
 * Smaller blocks freed among live ones still stay resident: after a burst of eight cycles at
 * once the threshold alone left 27.6 MB where four at a time had left 24.9 MB (10 MB held by
 * malloc for 1.8 MB in use). malloc_trim gives those pages back. It walks every arena under
 * that arena's lock (0.6 to 2.3 ms in all here), so it runs on the main thread, only after
 * releases: once they pause for a whole tick, or every PRISM_MEMORY_TRIM_MAX_DELAY_US while
 * churn goes on. With both, the test's churn peaks at 28 MB and settles at 22 MB; trimming
 * alone settled at 25 MB but peaked at 47 MB, the descriptions being resident again. */
#include "core/memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void prism_memory_configure(void)
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

void prism_memory_trim_policy_init(struct prism_memory_trim_policy *policy, uint64_t now_us)
{
    *policy = (struct prism_memory_trim_policy){.last_trim_us = now_us};
}

bool prism_memory_trim_due(struct prism_memory_trim_policy *policy, uint64_t releases,
                           uint64_t now_us)
{
    bool moved = releases != policy->releases_seen;
    policy->releases_seen = releases;
    policy->pending = policy->pending || moved;
    if (!policy->pending)
        return false;
    if (moved && now_us - policy->last_trim_us < PRISM_MEMORY_TRIM_MAX_DELAY_US)
        return false;
    policy->pending = false;
    policy->last_trim_us = now_us;
    return true;
}

void prism_memory_trim(void)
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
