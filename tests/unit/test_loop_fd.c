/* Descriptors on the epoll loop: only ready descriptors are called (one
 * ready among 400 idle), modify, remove (also of another descriptor from a
 * callback), errors for double add and unknown descriptors, hang-up. */
#include "core/loop.h"

#include <errno.h>
#include <glib.h>
#include <sys/socket.h>
#include <unistd.h>

#define IDLE_PAIRS 400

struct fd_probe {
    int calls;
    uint32_t last_events;
    int remove_fd; /* removes this descriptor from the callback, when >= 0 */
    bool stop;     /* stops the loop from the callback */
    bool drain;    /* reads what is there */
};

static void fd_probe_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us,
                        void *data)
{
    struct fd_probe *probe = data;
    probe->calls++;
    probe->last_events = events;
    g_assert_cmpuint(now_us, ==, prism_loop_now_us(loop));
    if (probe->drain) {
        char buffer[64];
        while (read(fd, buffer, sizeof(buffer)) > 0)
            ;
    }
    if (probe->remove_fd >= 0) {
        g_assert_cmpint(prism_loop_remove_fd(loop, probe->remove_fd), ==, 0);
        probe->remove_fd = -1;
    }
    if (probe->stop)
        prism_loop_stop(loop);
}

static void socket_pair(int pair[2])
{
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), ==,
                    0);
}

static void test_loop_calls_only_the_ready_descriptor(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    static int idle[IDLE_PAIRS][2];
    struct fd_probe idle_probe = {.remove_fd = -1};
    for (int i = 0; i < IDLE_PAIRS; i++) {
        socket_pair(idle[i]);
        g_assert_cmpint(prism_loop_add_fd(loop, idle[i][0], EPOLLIN, fd_probe_cb, &idle_probe), ==,
                        0);
    }
    int ready[2];
    socket_pair(ready);
    struct fd_probe ready_probe = {.remove_fd = -1, .stop = true, .drain = true};
    g_assert_cmpint(prism_loop_add_fd(loop, ready[0], EPOLLIN, fd_probe_cb, &ready_probe), ==, 0);
    g_assert_cmpint(prism_loop_add_fd(loop, ready[0], EPOLLIN, fd_probe_cb, &ready_probe), ==,
                    -EEXIST);
    for (int round = 0; round < 100; round++) {
        g_assert_cmpint(write(ready[1], "x", 1), ==, 1);
        g_assert_cmpint(prism_loop_run(loop), ==, 0);
    }
    g_assert_cmpint(ready_probe.calls, ==, 100);
    g_assert_cmpuint(ready_probe.last_events, ==, EPOLLIN);
    g_assert_cmpint(idle_probe.calls, ==, 0);
    for (int i = 0; i < IDLE_PAIRS; i++) {
        g_assert_cmpint(prism_loop_remove_fd(loop, idle[i][0]), ==, 0);
        close(idle[i][0]);
        close(idle[i][1]);
    }
    g_assert_cmpint(prism_loop_remove_fd(loop, idle[0][0]), ==, -ENOENT);
    g_assert_cmpint(prism_loop_modify_fd(loop, idle[0][0], EPOLLIN), ==, -ENOENT);
    prism_loop_remove_fd(loop, ready[0]);
    close(ready[0]);
    close(ready[1]);
    prism_loop_destroy(loop);
}

/* Level-triggered: data left unread is reported again on the next turn. */
static void test_loop_reports_unread_data_again(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    int pair[2];
    socket_pair(pair);
    struct fd_probe probe = {.remove_fd = -1, .stop = true};
    prism_loop_add_fd(loop, pair[0], EPOLLIN, fd_probe_cb, &probe);
    g_assert_cmpint(write(pair[1], "x", 1), ==, 1);
    for (int i = 0; i < 3; i++)
        g_assert_cmpint(prism_loop_run(loop), ==, 0);
    g_assert_cmpint(probe.calls, ==, 3);
    prism_loop_remove_fd(loop, pair[0]);
    close(pair[0]);
    close(pair[1]);
    prism_loop_destroy(loop);
}

static void test_loop_modify_remove_and_hangup(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    int a[2], b[2];
    socket_pair(a);
    socket_pair(b);
    /* a[0] is writable at once; with EPOLLIN only it is not reported */
    struct fd_probe probe_a = {.remove_fd = b[0], .stop = true};
    struct fd_probe probe_b = {.remove_fd = -1};
    prism_loop_add_fd(loop, a[0], EPOLLIN, fd_probe_cb, &probe_a);
    prism_loop_add_fd(loop, b[0], EPOLLIN, fd_probe_cb, &probe_b);
    g_assert_cmpint(prism_loop_modify_fd(loop, a[0], EPOLLOUT), ==, 0);
    g_assert_cmpint(write(b[1], "x", 1), ==, 1); /* b ready in the same turn as a */
    g_assert_cmpint(prism_loop_run(loop), ==, 0);
    g_assert_cmpint(probe_a.calls, ==, 1);
    g_assert_cmpuint(probe_a.last_events & EPOLLOUT, ==, EPOLLOUT);
    /* removed by a's callback: never called, whichever order epoll gave */
    g_assert_cmpint(probe_b.calls, <=, 1);
    int b_calls = probe_b.calls;
    g_assert_cmpint(prism_loop_modify_fd(loop, a[0], EPOLLIN), ==, 0);
    g_assert_cmpint(write(b[1], "y", 1), ==, 1);
    close(a[1]); /* hang-up on a[0] */
    probe_a.stop = true;
    g_assert_cmpint(prism_loop_run(loop), ==, 0);
    g_assert_cmpint(probe_a.calls, ==, 2);
    g_assert_cmpuint(probe_a.last_events & (EPOLLHUP | EPOLLIN), !=, 0);
    g_assert_cmpint(probe_b.calls, ==, b_calls);
    prism_loop_remove_fd(loop, a[0]);
    close(a[0]);
    close(b[0]);
    close(b[1]);
    prism_loop_destroy(loop);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/loop/calls_only_the_ready_descriptor",
                    test_loop_calls_only_the_ready_descriptor);
    g_test_add_func("/loop/reports_unread_data_again", test_loop_reports_unread_data_again);
    g_test_add_func("/loop/modify_remove_and_hangup", test_loop_modify_remove_and_hangup);
    return g_test_run();
}
