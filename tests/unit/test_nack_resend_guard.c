/* The per-receiver retransmission throttle: once per interval per sequence number, a clock
 * going backwards never blocks, the oldest entries are forgotten first, wrap-around is plain
 * 16-bit equality. */
#include "media/nack/resend_guard.h"

#include <glib.h>

#define MS 1000ull

static void test_guard_throttles_within_the_interval(void)
{
    struct prism_nack_resend_guard g;
    prism_nack_resend_guard_reset(&g);
    g_assert_true(prism_nack_resend_guard_allow(&g, 100, 1000 * MS, 20 * MS));
    g_assert_false(prism_nack_resend_guard_allow(&g, 100, 1019 * MS, 20 * MS));
    g_assert_true(prism_nack_resend_guard_allow(&g, 101, 1019 * MS, 20 * MS)); /* another */
    g_assert_true(prism_nack_resend_guard_allow(&g, 100, 1020 * MS, 20 * MS));
    /* Allowed again at 1020: the interval counts from there. */
    g_assert_false(prism_nack_resend_guard_allow(&g, 100, 1030 * MS, 20 * MS));
    /* A clock that went backwards does not block resends. */
    g_assert_true(prism_nack_resend_guard_allow(&g, 100, 500 * MS, 20 * MS));
}

static void test_guard_forgets_the_oldest_first(void)
{
    struct prism_nack_resend_guard g;
    prism_nack_resend_guard_reset(&g);
    for (unsigned i = 0; i < PRISM_NACK_RESEND_GUARD_SLOTS; i++)
        g_assert_true(prism_nack_resend_guard_allow(&g, (uint16_t)(65530 + i), 0, 20 * MS));
    for (unsigned i = 0; i < PRISM_NACK_RESEND_GUARD_SLOTS; i++)
        g_assert_false(prism_nack_resend_guard_allow(&g, (uint16_t)(65530 + i), MS, 20 * MS));
    /* One more pushes out 65530, the oldest; the others stay throttled. */
    g_assert_true(prism_nack_resend_guard_allow(&g, 1000, 2 * MS, 20 * MS));
    g_assert_true(prism_nack_resend_guard_allow(&g, 65530, 3 * MS, 20 * MS));
    g_assert_false(prism_nack_resend_guard_allow(&g, 9, 3 * MS, 20 * MS));
    g_assert_false(prism_nack_resend_guard_allow(&g, 1000, 3 * MS, 20 * MS));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nack/resend-guard/interval", test_guard_throttles_within_the_interval);
    g_test_add_func("/nack/resend-guard/oldest-first", test_guard_forgets_the_oldest_first);
    return g_test_run();
}
