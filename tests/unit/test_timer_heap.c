/* The timer heap: deadline order (arm order on ties), cancel and re-arm,
 * re-arming from a callback, and O(log n) moves with 100,000 timers. */
#include "core/timer_heap.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>

struct fired {
    uint64_t deadlines[256];
    int ids[256];
    size_t count;
};

struct probe {
    struct prism_timer timer;
    int id;
    struct fired *fired;
    struct prism_timer_heap *heap;
    bool rearm;
    uint64_t rearm_step; /* re-arm this far after now */
};

static void record_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct probe *probe = data;
    g_assert_false(prism_timer_is_armed(timer));
    g_assert_cmpuint(timer->deadline_us, <=, now_us);
    struct fired *fired = probe->fired;
    if (fired->count < G_N_ELEMENTS(fired->ids)) {
        fired->deadlines[fired->count] = timer->deadline_us;
        fired->ids[fired->count] = probe->id;
    }
    fired->count++;
    if (probe->rearm)
        g_assert_cmpint(prism_timer_heap_arm(probe->heap, timer, now_us + probe->rearm_step), ==,
                        0);
}

static void test_timer_heap_fires_in_deadline_order_and_arm_order_on_ties(void)
{
    struct prism_timer_heap heap;
    prism_timer_heap_init(&heap);
    struct fired fired = {0};
    struct probe probes[200];
    GRand *rand = g_rand_new_with_seed(7);
    for (int i = 0; i < 200; i++) {
        probes[i] = (struct probe){.id = i, .fired = &fired, .heap = &heap};
        prism_timer_init(&probes[i].timer, record_cb, &probes[i]);
        g_assert_cmpint(
            prism_timer_heap_arm(&heap, &probes[i].timer, g_rand_int_range(rand, 0, 20)), ==, 0);
    }
    g_assert_cmpuint(prism_timer_heap_run_due(&heap, 1000), ==, 200);
    for (size_t i = 1; i < fired.count; i++) {
        g_assert_cmpuint(fired.deadlines[i - 1], <=, fired.deadlines[i]);
        if (fired.deadlines[i - 1] == fired.deadlines[i])
            g_assert_cmpint(fired.ids[i - 1], <, fired.ids[i]);
    }
    g_assert_null(prism_timer_heap_first(&heap));
    g_rand_free(rand);
    prism_timer_heap_deinit(&heap);
}

static void test_timer_heap_cancel_and_rearm(void)
{
    struct prism_timer_heap heap;
    prism_timer_heap_init(&heap);
    struct fired fired = {0};
    struct probe a = {.id = 1, .fired = &fired}, b = {.id = 2, .fired = &fired},
                 c = {.id = 3, .fired = &fired};
    prism_timer_init(&a.timer, record_cb, &a);
    prism_timer_init(&b.timer, record_cb, &b);
    prism_timer_init(&c.timer, record_cb, &c);
    prism_timer_heap_arm(&heap, &a.timer, 10);
    prism_timer_heap_arm(&heap, &b.timer, 20);
    prism_timer_heap_arm(&heap, &c.timer, 30);
    prism_timer_heap_cancel(&heap, &b.timer);
    prism_timer_heap_cancel(&heap, &b.timer); /* not armed: nothing */
    g_assert_false(prism_timer_is_armed(&b.timer));
    prism_timer_heap_arm(&heap, &a.timer, 40); /* moved later */
    g_assert_true(prism_timer_heap_first(&heap) == &c.timer);
    g_assert_cmpuint(prism_timer_heap_run_due(&heap, 25), ==, 0);
    g_assert_cmpuint(prism_timer_heap_run_due(&heap, 35), ==, 1);
    g_assert_cmpint(fired.ids[0], ==, 3);
    prism_timer_heap_arm(&heap, &c.timer, 5); /* re-armed earlier than a */
    g_assert_true(prism_timer_heap_first(&heap) == &c.timer);
    g_assert_cmpuint(prism_timer_heap_run_due(&heap, 100), ==, 2);
    g_assert_cmpint(fired.ids[1], ==, 3);
    g_assert_cmpint(fired.ids[2], ==, 1);
    g_assert_cmpuint(fired.count, ==, 3);
    prism_timer_heap_deinit(&heap);
}

static void test_timer_heap_rearm_from_callback_waits_for_next_run(void)
{
    struct prism_timer_heap heap;
    prism_timer_heap_init(&heap);
    struct fired fired = {0};
    /* re-armed for "now" each time: must not loop forever within one run */
    struct probe immediate = {.id = 1, .fired = &fired, .heap = &heap, .rearm = true};
    struct probe ticker = {
        .id = 2, .fired = &fired, .heap = &heap, .rearm = true, .rearm_step = 10};
    prism_timer_init(&immediate.timer, record_cb, &immediate);
    prism_timer_init(&ticker.timer, record_cb, &ticker);
    prism_timer_heap_arm(&heap, &ticker.timer, 10);
    for (uint64_t now = 10; now <= 50; now += 10)
        g_assert_cmpuint(prism_timer_heap_run_due(&heap, now), ==, 1);
    g_assert_cmpuint(fired.count, ==, 5);
    g_assert_cmpuint(ticker.timer.deadline_us, ==, 60);
    prism_timer_heap_arm(&heap, &immediate.timer, 55);
    g_assert_cmpuint(prism_timer_heap_run_due(&heap, 55), ==, 1);
    g_assert_cmpuint(prism_timer_heap_run_due(&heap, 55), ==, 1);
    g_assert_true(prism_timer_is_armed(&immediate.timer));
    prism_timer_heap_deinit(&heap);
    g_assert_false(prism_timer_is_armed(&ticker.timer));
    g_assert_false(prism_timer_is_armed(&immediate.timer));
}

static void count_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    uint64_t *last = data;
    g_assert_cmpuint(timer->deadline_us, >=, last[0]);
    last[0] = timer->deadline_us;
    last[1]++;
}

/* Sift moves are counted by the heap: each operation must stay within the
 * height of the tree (log2(100,000) < 17), whatever the pattern. */
static void test_timer_heap_100000_timers_cost_log_n_moves(void)
{
    enum { N = 100000 };
    struct prism_timer_heap heap;
    prism_timer_heap_init(&heap);
    struct prism_timer *timers = calloc(N, sizeof(*timers));
    uint64_t last[2] = {0, 0};
    GRand *rand = g_rand_new_with_seed(11);
    double height = ceil(log2(N)) + 1;
    for (int i = 0; i < N; i++) {
        prism_timer_init(&timers[i], count_cb, last);
        uint64_t before = heap.moves;
        /* decreasing deadlines: every insert climbs the whole tree */
        g_assert_cmpint(prism_timer_heap_arm(&heap, &timers[i], 10000000 - (uint64_t)i), ==, 0);
        g_assert_cmpuint(heap.moves - before, <=, height);
    }
    for (int i = 0; i < N; i++) {
        uint64_t before = heap.moves;
        int which = g_rand_int_range(rand, 0, N);
        prism_timer_heap_arm(&heap, &timers[which], g_rand_int_range(rand, 1, 20000000));
        g_assert_cmpuint(heap.moves - before, <=, height);
    }
    for (int i = 0; i < N; i += 2) {
        uint64_t before = heap.moves;
        prism_timer_heap_cancel(&heap, &timers[i]);
        g_assert_cmpuint(heap.moves - before, <=, height);
    }
    g_assert_cmpuint(heap.count, ==, N / 2);
    g_assert_cmpuint(prism_timer_heap_run_due(&heap, UINT64_MAX - 1), ==, N / 2);
    g_assert_cmpuint(last[1], ==, N / 2);
    g_rand_free(rand);
    prism_timer_heap_deinit(&heap);
    free(timers);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/timer_heap/fires_in_deadline_order_and_arm_order_on_ties",
                    test_timer_heap_fires_in_deadline_order_and_arm_order_on_ties);
    g_test_add_func("/timer_heap/cancel_and_rearm", test_timer_heap_cancel_and_rearm);
    g_test_add_func("/timer_heap/rearm_from_callback_waits_for_next_run",
                    test_timer_heap_rearm_from_callback_waits_for_next_run);
    g_test_add_func("/timer_heap/100000_timers_cost_log_n_moves",
                    test_timer_heap_100000_timers_cost_log_n_moves);
    return g_test_run();
}
