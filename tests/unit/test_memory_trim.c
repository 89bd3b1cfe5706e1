/* When the process trims malloc's free memory, and the fixed malloc thresholds. */
#include "core/memory.h"
#include "core/worker.h"

#include <glib.h>
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define SECOND 1000000ull

static void test_memory_trim_waits_for_releases_to_pause(void)
{
    struct prism_memory_trim_policy policy;
    prism_memory_trim_policy_init(&policy, 0);
    g_assert_false(prism_memory_trim_due(&policy, 3, 1 * SECOND)); /* churn going on */
    g_assert_false(prism_memory_trim_due(&policy, 7, 2 * SECOND));
    g_assert_true(prism_memory_trim_due(&policy, 7, 3 * SECOND));  /* a quiet tick */
    g_assert_false(prism_memory_trim_due(&policy, 7, 4 * SECOND)); /* nothing new since */
    g_assert_false(prism_memory_trim_due(&policy, 7, 60 * SECOND));
}

static void test_memory_trim_never_without_releases(void)
{
    struct prism_memory_trim_policy policy;
    prism_memory_trim_policy_init(&policy, 5 * SECOND);
    for (uint64_t tick = 6; tick < 100; tick++)
        g_assert_false(prism_memory_trim_due(&policy, 0, tick * SECOND));
}

static void test_memory_trim_runs_during_endless_churn(void)
{
    struct prism_memory_trim_policy policy;
    prism_memory_trim_policy_init(&policy, 0);
    unsigned trims = 0;
    uint64_t last = 0;
    for (uint64_t tick = 1; tick <= 35; tick++) {
        if (!prism_memory_trim_due(&policy, tick, tick * SECOND))
            continue;
        trims++;
        g_assert_cmpuint(tick * SECOND - last, >=, PRISM_MEMORY_TRIM_MAX_DELAY_US);
        last = tick * SECOND;
    }
    g_assert_cmpuint(trims, ==, 3); /* at 10, 20 and 30 s */
}

static void test_memory_worker_pool_counts_releases(void)
{
    struct prism_worker_pool *pool = NULL;
    g_assert_cmpint(prism_worker_pool_create(&pool, 0), ==, 0);
    g_assert_cmpuint(prism_worker_pool_releases(pool), ==, 0);
    struct prism_worker *first = prism_worker_pool_acquire(pool);
    struct prism_worker *second = prism_worker_pool_acquire(pool);
    g_assert_cmpuint(prism_worker_pool_releases(pool), ==, 0);
    prism_worker_release(first);
    prism_worker_release(second);
    g_assert_cmpuint(prism_worker_pool_releases(pool), ==, 2);
    g_assert_cmpuint(prism_worker_load(first), ==, 0);
    prism_worker_pool_destroy(pool);
}

/* A session description is a calloc of about 3 MB that must stay a mapping of its own after
 * one was freed (glibc would otherwise raise its threshold past that size). */
static void test_memory_large_blocks_stay_mapped_after_one_is_freed(void)
{
#if defined(__GLIBC__) && !defined(UNDER_ASAN)
    prism_memory_configure();
    const size_t size = 3 * 1024 * 1024;
    void *volatile freed = calloc(1, size); /* volatile: the compiler may drop a calloc + free */
    g_assert_nonnull(freed);
    free(freed);
    size_t mapped_before = mallinfo2().hblkhd;
    void *block = calloc(1, size);
    g_assert_nonnull(block);
    g_assert_cmpuint(mallinfo2().hblkhd - mapped_before, >=, size);
    free(block);
    g_assert_cmpuint(mallinfo2().hblkhd, ==, mapped_before);
#else
    g_test_skip("glibc malloc only (AddressSanitizer brings its own allocator)");
#endif
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/trim-waits-for-releases-to-pause",
                    test_memory_trim_waits_for_releases_to_pause);
    g_test_add_func("/memory/trim-never-without-releases", test_memory_trim_never_without_releases);
    g_test_add_func("/memory/trim-runs-during-endless-churn",
                    test_memory_trim_runs_during_endless_churn);
    g_test_add_func("/memory/worker-pool-counts-releases", test_memory_worker_pool_counts_releases);
    g_test_add_func("/memory/large-blocks-stay-mapped-after-one-is-freed",
                    test_memory_large_blocks_stay_mapped_after_one_is_freed);
    return g_test_run();
}
