/* Deferred work on the epoll loop: it runs once at the end of the turn that queued it, after
 * the descriptor callbacks and timers of that turn and before the loop waits again; queuing
 * twice runs it once; work queued by deferred work runs in the same turn; cancel takes it off;
 * work queued outside a turn runs in the next one, or when the loop is destroyed. */
#include "core/loop.h"

#include <glib.h>
#include <sys/socket.h>
#include <unistd.h>

/* The order things happened in, as letters. */
struct trace {
    char steps[32];
    size_t count;
};

static void note(struct trace *trace, char step)
{
    g_assert_cmpuint(trace->count, <, sizeof(trace->steps) - 1);
    trace->steps[trace->count++] = step;
}

struct work {
    struct prism_loop_deferred deferred;
    struct prism_loop *loop;
    struct trace *trace;
    char letter;
    struct work *then; /* queued from this one's callback */
    bool saw_in_turn;
};

static void work_cb(struct prism_loop_deferred *deferred, void *data)
{
    struct work *work = data;
    g_assert_true(deferred == &work->deferred);
    work->saw_in_turn = prism_loop_in_turn(work->loop);
    note(work->trace, work->letter);
    if (work->then)
        prism_loop_defer(work->loop, &work->then->deferred);
}

static void work_init(struct work *work, struct prism_loop *loop, struct trace *trace, char letter)
{
    *work = (struct work){.loop = loop, .trace = trace, .letter = letter};
    prism_loop_deferred_init(&work->deferred, work_cb, work);
}

/* A readable descriptor that queues `first` (twice) and `cancelled`, then cancels the latter. */
struct reader {
    struct trace *trace;
    struct work *first, *cancelled;
    bool saw_in_turn;
};

static void reader_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us, void *data)
{
    struct reader *reader = data;
    char byte;
    g_assert_cmpint(read(fd, &byte, 1), ==, 1);
    reader->saw_in_turn = prism_loop_in_turn(loop);
    note(reader->trace, 'R');
    prism_loop_defer(loop, &reader->cancelled->deferred);
    prism_loop_defer(loop, &reader->first->deferred);
    prism_loop_defer(loop, &reader->first->deferred);
    prism_loop_defer_cancel(loop, &reader->cancelled->deferred);
    prism_loop_stop(loop);
}

struct ticker {
    struct prism_timer timer;
    struct trace *trace;
};

static void ticker_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    note(((struct ticker *)data)->trace, 'T');
}

static void test_loop_runs_deferred_work_at_the_end_of_the_turn(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    g_assert_false(prism_loop_in_turn(loop));
    struct trace trace = {0};
    struct work first, second, cancelled;
    work_init(&first, loop, &trace, 'A');
    work_init(&second, loop, &trace, 'B');
    work_init(&cancelled, loop, &trace, 'X');
    first.then = &second;
    struct reader reader = {.trace = &trace, .first = &first, .cancelled = &cancelled};
    int pair[2];
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), ==,
                    0);
    g_assert_cmpint(prism_loop_add_fd(loop, pair[0], EPOLLIN, reader_cb, &reader), ==, 0);
    /* A timer already due runs in the same turn as the reader, before the deferred work. */
    struct ticker ticker = {.trace = &trace};
    prism_timer_init(&ticker.timer, ticker_cb, &ticker);
    g_assert_cmpint(write(pair[1], "x", 1), ==, 1);
    g_assert_cmpint(prism_loop_timer_arm(loop, &ticker.timer, 1), ==, 0);
    g_assert_cmpint(prism_loop_run(loop), ==, 0);

    g_assert_cmpstr(trace.steps, ==, "RTAB");
    g_assert_true(reader.saw_in_turn);
    g_assert_true(first.saw_in_turn);
    g_assert_true(second.saw_in_turn);
    g_assert_false(first.deferred.queued);
    g_assert_false(prism_loop_in_turn(loop));
    prism_loop_remove_fd(loop, pair[0]);
    close(pair[0]);
    close(pair[1]);
    prism_loop_destroy(loop);
}

static void stop_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    prism_loop_stop(data);
}

static void test_loop_runs_work_deferred_outside_a_turn_later(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    struct trace trace = {0};
    struct work early, at_destroy;
    work_init(&early, loop, &trace, 'E');
    work_init(&at_destroy, loop, &trace, 'D');
    prism_loop_defer(loop, &early.deferred);
    g_assert_cmpuint(trace.count, ==, 0); /* not at once */
    struct prism_timer stopper;
    prism_timer_init(&stopper, stop_cb, loop);
    g_assert_cmpint(prism_loop_timer_arm(loop, &stopper, 1), ==, 0);
    g_assert_cmpint(prism_loop_run(loop), ==, 0);
    g_assert_cmpstr(trace.steps, ==, "E");
    g_assert_true(early.saw_in_turn);

    prism_loop_defer(loop, &at_destroy.deferred);
    prism_loop_destroy(loop);
    g_assert_cmpstr(trace.steps, ==, "ED");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/loop/deferred/end-of-turn",
                    test_loop_runs_deferred_work_at_the_end_of_the_turn);
    g_test_add_func("/loop/deferred/outside-a-turn",
                    test_loop_runs_work_deferred_outside_a_turn_later);
    return g_test_run();
}
