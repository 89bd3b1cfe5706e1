/* The SPSC ring: FIFO order, a full ring refuses, staged messages stay invisible until
 * published, a publish asks for a wake-up only when the consumer had caught up (one per
 * batch), and across two threads with a consumer that sleeps on an eventfd no message is lost,
 * reordered or left without a wake-up. */
#include "core/spsc.h"

#include <glib.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void push(struct prism_spsc *ring, uint64_t value)
{
    uint64_t *slot = prism_spsc_stage(ring);
    g_assert_nonnull(slot);
    *slot = value;
}

static void test_spsc_rejects_bad_sizes(void)
{
    struct prism_spsc *ring = NULL;
    g_assert_cmpint(prism_spsc_create(&ring, 3, 8), <, 0);
    g_assert_cmpint(prism_spsc_create(&ring, 1, 8), <, 0);
    g_assert_cmpint(prism_spsc_create(&ring, 8, 0), <, 0);
    g_assert_null(ring);
}

static void test_spsc_keeps_order_and_refuses_when_full(void)
{
    struct prism_spsc *ring;
    g_assert_cmpint(prism_spsc_create(&ring, 8, sizeof(uint64_t)), ==, 0);
    for (uint64_t i = 0; i < 8; i++)
        push(ring, i);
    g_assert_null(prism_spsc_stage(ring)); /* staged messages count */
    g_assert_true(prism_spsc_publish(ring));
    g_assert_null(prism_spsc_stage(ring));
    uint64_t value;
    for (uint64_t i = 0; i < 5; i++) {
        g_assert_true(prism_spsc_pop(ring, &value));
        g_assert_cmpuint(value, ==, i);
    }
    /* Room again, and wrapping around keeps the order. */
    for (uint64_t i = 8; i < 13; i++)
        push(ring, i);
    prism_spsc_publish(ring);
    for (uint64_t i = 5; i < 13; i++) {
        g_assert_true(prism_spsc_pop(ring, &value));
        g_assert_cmpuint(value, ==, i);
    }
    g_assert_false(prism_spsc_pop(ring, &value));
    prism_spsc_destroy(ring);
}

static void test_spsc_staged_messages_are_invisible_until_published(void)
{
    struct prism_spsc *ring;
    g_assert_cmpint(prism_spsc_create(&ring, 16, sizeof(uint64_t)), ==, 0);
    uint64_t value;
    push(ring, 1);
    push(ring, 2);
    g_assert_cmpuint(prism_spsc_staged(ring), ==, 2);
    g_assert_false(prism_spsc_pop(ring, &value));
    g_assert_true(prism_spsc_publish(ring));
    g_assert_cmpuint(prism_spsc_staged(ring), ==, 0);
    g_assert_true(prism_spsc_pop(ring, &value));
    g_assert_cmpuint(value, ==, 1);
    prism_spsc_destroy(ring);
}

static void test_spsc_wakes_once_per_batch(void)
{
    struct prism_spsc *ring;
    g_assert_cmpint(prism_spsc_create(&ring, 64, sizeof(uint64_t)), ==, 0);
    uint64_t value;
    g_assert_false(prism_spsc_publish(ring)); /* nothing staged: nothing to wake for */
    for (int i = 0; i < 10; i++)
        push(ring, (uint64_t)i);
    g_assert_true(prism_spsc_publish(ring)); /* empty before: the consumer may sleep */
    /* The consumer has not taken the first batch: a second one needs no wake-up. */
    push(ring, 10);
    g_assert_false(prism_spsc_publish(ring));
    /* Part-way through, still busy: no wake-up. */
    g_assert_true(prism_spsc_pop(ring, &value));
    push(ring, 11);
    g_assert_false(prism_spsc_publish(ring));
    while (prism_spsc_pop(ring, &value))
        ;
    g_assert_cmpuint(value, ==, 11);
    /* It saw the ring empty: the next batch wakes it. */
    push(ring, 12);
    g_assert_true(prism_spsc_publish(ring));
    prism_spsc_destroy(ring);
}

/* Two threads: the producer publishes batches of varying size and kicks an eventfd only when
 * told to; the consumer sleeps in poll() on it and drains. A lost wake-up hangs the test. */
#define STRESS_MESSAGES 2000000u

struct stress {
    struct prism_spsc *ring;
    int wake_fd;
    atomic_uint wakeups;
    unsigned batches;
    bool out_of_order;
};

static gpointer consumer_main(gpointer data)
{
    struct stress *stress = data;
    uint64_t expected = 0, value, kicks;
    while (expected < STRESS_MESSAGES) {
        struct pollfd pfd = {.fd = stress->wake_fd, .events = POLLIN};
        g_assert_cmpint(poll(&pfd, 1, -1), ==, 1);
        ssize_t got = read(stress->wake_fd, &kicks, sizeof(kicks));
        g_assert_cmpint(got, ==, sizeof(kicks));
        while (prism_spsc_pop(stress->ring, &value)) {
            if (value != expected)
                stress->out_of_order = true;
            expected = value + 1;
        }
    }
    return NULL;
}

static void test_spsc_two_threads_lose_no_message_and_no_wakeup(void)
{
    struct stress stress = {.wake_fd = eventfd(0, 0)};
    g_assert_cmpint(stress.wake_fd, >=, 0);
    g_assert_cmpint(prism_spsc_create(&stress.ring, 1024, sizeof(uint64_t)), ==, 0);
    GThread *consumer = g_thread_new("consumer", consumer_main, &stress);
    uint64_t next = 0;
    while (next < STRESS_MESSAGES) {
        unsigned batch = 1 + (unsigned)(next % 97);
        for (unsigned i = 0; i < batch && next < STRESS_MESSAGES; i++) {
            uint64_t *slot;
            while (!(slot = prism_spsc_stage(stress.ring))) {
                /* Full: what is staged must be visible to be consumed. */
                if (prism_spsc_publish(stress.ring)) {
                    uint64_t one = 1;
                    g_assert_cmpint(write(stress.wake_fd, &one, sizeof(one)), ==, 8);
                    atomic_fetch_add(&stress.wakeups, 1);
                }
                g_thread_yield();
            }
            *slot = next++;
        }
        stress.batches++;
        if (prism_spsc_publish(stress.ring)) {
            uint64_t one = 1;
            g_assert_cmpint(write(stress.wake_fd, &one, sizeof(one)), ==, 8);
            atomic_fetch_add(&stress.wakeups, 1);
        }
    }
    g_thread_join(consumer);
    g_assert_false(stress.out_of_order);
    /* Never more than one wake-up per batch (plus the ones forced by a full ring). */
    g_assert_cmpuint(atomic_load(&stress.wakeups), <=, stress.batches + STRESS_MESSAGES / 1024);
    g_test_message("%u batches, %u wake-ups", stress.batches, atomic_load(&stress.wakeups));
    prism_spsc_destroy(stress.ring);
    close(stress.wake_fd);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spsc/rejects_bad_sizes", test_spsc_rejects_bad_sizes);
    g_test_add_func("/spsc/keeps_order_and_refuses_when_full",
                    test_spsc_keeps_order_and_refuses_when_full);
    g_test_add_func("/spsc/staged_messages_are_invisible_until_published",
                    test_spsc_staged_messages_are_invisible_until_published);
    g_test_add_func("/spsc/wakes_once_per_batch", test_spsc_wakes_once_per_batch);
    g_test_add_func("/spsc/two_threads_lose_no_message_and_no_wakeup",
                    test_spsc_two_threads_lose_no_message_and_no_wakeup);
    return g_test_run();
}
