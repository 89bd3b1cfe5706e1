/* Timers on the epoll loop (one timerfd over the heap): order, the wake-up's
 * time passed to callbacks, cancel and re-arm, and stop from a callback. */
#include "core/loop.h"

#include <glib.h>

struct timer_probe {
    struct prism_timer timer;
    struct prism_loop *loop;
    int id;
    int *order;
    size_t *count;
    int stop_after; /* stop the loop when this many fired */
    int repeats;    /* re-arm itself this many times, 1 ms apart */
};

static void timer_probe_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct timer_probe *probe = data;
    g_assert_cmpuint(now_us, >=, timer->deadline_us);
    g_assert_cmpuint(now_us, ==, prism_loop_now_us(probe->loop));
    probe->order[(*probe->count)++] = probe->id;
    if (probe->repeats > 0) {
        probe->repeats--;
        prism_loop_timer_arm(probe->loop, timer, now_us + 1000);
    }
    if ((int)*probe->count == probe->stop_after)
        prism_loop_stop(probe->loop);
}

static void test_loop_timers_fire_in_deadline_order(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    int order[16];
    size_t count = 0;
    struct timer_probe probes[5];
    uint64_t start = prism_loop_clock_us();
    static const int offsets_ms[5] = {40, 10, 30, 20, 0};
    for (int i = 0; i < 5; i++) {
        probes[i] = (struct timer_probe){
            .loop = loop, .id = i, .order = order, .count = &count, .stop_after = 5};
        prism_timer_init(&probes[i].timer, timer_probe_cb, &probes[i]);
        prism_loop_timer_arm(loop, &probes[i].timer, start + offsets_ms[i] * 1000u);
    }
    g_assert_cmpint(prism_loop_run(loop), ==, 0);
    g_assert_cmpuint(count, ==, 5);
    static const int expected[5] = {4, 1, 3, 2, 0};
    for (int i = 0; i < 5; i++)
        g_assert_cmpint(order[i], ==, expected[i]);
    g_assert_cmpuint(prism_loop_clock_us() - start, >=, 40000);
    prism_loop_destroy(loop);
}

static void test_loop_timers_cancel_and_rearm(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    int order[16];
    size_t count = 0;
    struct timer_probe cancelled = {.loop = loop, .id = 1, .order = order, .count = &count};
    struct timer_probe moved = {.loop = loop, .id = 2, .order = order, .count = &count};
    struct timer_probe repeating = {
        .loop = loop, .id = 3, .order = order, .count = &count, .repeats = 3, .stop_after = 5};
    prism_timer_init(&cancelled.timer, timer_probe_cb, &cancelled);
    prism_timer_init(&moved.timer, timer_probe_cb, &moved);
    prism_timer_init(&repeating.timer, timer_probe_cb, &repeating);
    uint64_t now = prism_loop_clock_us();
    prism_loop_timer_arm(loop, &cancelled.timer, now + 1000);
    prism_loop_timer_arm(loop, &moved.timer, now + 1000000); /* would stall the test */
    prism_loop_timer_arm(loop, &repeating.timer, now + 2000);
    prism_loop_timer_cancel(loop, &cancelled.timer);
    prism_loop_timer_arm(loop, &moved.timer, now); /* moved to the past: fires first */
    g_assert_cmpint(prism_loop_run(loop), ==, 0);
    g_assert_cmpuint(count, ==, 5);
    static const int expected[5] = {2, 3, 3, 3, 3};
    for (int i = 0; i < 5; i++)
        g_assert_cmpint(order[i], ==, expected[i]);
    g_assert_false(prism_timer_is_armed(&cancelled.timer));
    prism_loop_destroy(loop);
}

static void stop_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    prism_loop_stop(data);
}

static void never_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    g_assert_not_reached();
}

/* Stop takes effect after the current turn; the loop can run again. */
static void test_loop_stops_from_a_callback_and_runs_again(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    struct prism_timer stop, later;
    prism_timer_init(&stop, stop_cb, loop);
    prism_timer_init(&later, never_cb, NULL);
    uint64_t now = prism_loop_clock_us();
    prism_loop_timer_arm(loop, &stop, now + 1000);
    prism_loop_timer_arm(loop, &later, now + 60000000);
    g_assert_cmpint(prism_loop_run(loop), ==, 0);
    g_assert_true(prism_timer_is_armed(&later));
    prism_loop_timer_arm(loop, &stop, prism_loop_clock_us() + 1000);
    g_assert_cmpint(prism_loop_run(loop), ==, 0);
    prism_loop_destroy(loop); /* disarms `later` */
    g_assert_false(prism_timer_is_armed(&later));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/loop/timers_fire_in_deadline_order", test_loop_timers_fire_in_deadline_order);
    g_test_add_func("/loop/timers_cancel_and_rearm", test_loop_timers_cancel_and_rearm);
    g_test_add_func("/loop/stops_from_a_callback_and_runs_again",
                    test_loop_stops_from_a_callback_and_runs_again);
    return g_test_run();
}
