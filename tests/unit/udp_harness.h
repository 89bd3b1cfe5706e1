/* Helpers for tests of the workers' shared UDP sockets: a free port on loopback, a client
 * socket playing the browser, and running a loop until a callback stops it (with a guard
 * timer, so a missing event fails the test instead of hanging it). */
#ifndef PRISM_TESTS_UDP_HARNESS_H
#define PRISM_TESTS_UDP_HARNESS_H

#include "core/loop.h"
#include "icelite_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#define UDP_GUARD_US 5000000u

static inline struct prism_ip udp_loopback(void)
{
    struct prism_ip ip = {.family = AF_INET, .bytes = {127, 0, 0, 1}};
    return ip;
}

/* A client socket on 127.0.0.1 with a kernel-chosen port; *address says which. */
static inline int udp_client_open(struct sockaddr_storage *address)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_storage any = icelite_v4("127.0.0.1", 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&any, sizeof(struct sockaddr_in)), ==, 0);
    socklen_t length = sizeof(*address);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)address, &length), ==, 0);
    return fd;
}

/* `count` consecutive UDP ports free on 127.0.0.1 right now (the first is returned). */
static inline uint16_t udp_free_ports(unsigned count)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        struct sockaddr_storage probe;
        int fd = udp_client_open(&probe);
        uint16_t base = ntohs(((struct sockaddr_in *)&probe)->sin_port);
        close(fd);
        bool free_run = base + count <= 65535;
        for (unsigned i = 1; i < count && free_run; i++) {
            struct sockaddr_storage next = icelite_v4("127.0.0.1", (uint16_t)(base + i));
            int other = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            free_run = bind(other, (struct sockaddr *)&next, sizeof(struct sockaddr_in)) == 0;
            close(other);
        }
        if (free_run)
            return base;
    }
    g_assert_not_reached();
    return 0;
}

static inline void udp_send_to(int fd, uint16_t port, const void *data, size_t len)
{
    struct sockaddr_storage to = icelite_v4("127.0.0.1", port);
    g_assert_cmpint(sendto(fd, data, len, 0, (struct sockaddr *)&to, sizeof(struct sockaddr_in)),
                    ==, (ssize_t)len);
}

/* Reads one datagram, waiting at most 2 s; returns its length (0 = none came). */
static inline size_t udp_receive(int fd, uint8_t *buffer, size_t capacity)
{
    struct pollfd ready = {.fd = fd, .events = POLLIN};
    if (poll(&ready, 1, 2000) != 1)
        return 0;
    ssize_t got = recv(fd, buffer, capacity, 0);
    return got > 0 ? (size_t)got : 0;
}

struct udp_guard {
    struct prism_timer timer;
    struct prism_loop *loop;
    bool fired;
};

static inline void udp_guard_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct udp_guard *guard = data;
    guard->fired = true;
    prism_loop_stop(guard->loop);
}

/* Runs `loop` until something calls prism_loop_stop; fails when the guard fires first. */
static inline void udp_run_loop(struct prism_loop *loop)
{
    struct udp_guard guard = {.loop = loop};
    prism_timer_init(&guard.timer, udp_guard_cb, &guard);
    prism_loop_timer_arm(loop, &guard.timer, prism_loop_clock_us() + UDP_GUARD_US);
    g_assert_cmpint(prism_loop_run(loop), ==, 0);
    prism_loop_timer_cancel(loop, &guard.timer);
    g_assert_false(guard.fired);
}

#endif
