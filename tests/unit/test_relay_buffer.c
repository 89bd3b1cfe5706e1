/* Relay buffers: a copy holds one reference, the last unref returns it to its pool (from any
 * thread), the pool reuses returned buffers instead of allocating, and oversized packets are
 * refused. */
#include "media/relay/buffer.h"

#include <glib.h>
#include <string.h>

static void test_relay_buffer_copy_holds_the_packet(void)
{
    struct prism_relay_pool *pool;
    g_assert_cmpint(prism_relay_pool_create(&pool), ==, 0);
    uint8_t packet[20] = {0x80, 96, 0x12, 0x34};
    struct prism_relay_buffer *buffer = prism_relay_buffer_copy(pool, packet, sizeof(packet), 7);
    g_assert_nonnull(buffer);
    g_assert_cmpuint(buffer->len, ==, sizeof(packet));
    g_assert_cmpuint(buffer->sequence, ==, 0x1234);
    g_assert_cmpuint(buffer->arrival_us, ==, 7);
    g_assert_cmpmem(buffer->data, buffer->len, packet, sizeof(packet));
    g_assert_cmpuint(prism_relay_pool_outstanding(pool), ==, 1);
    prism_relay_buffer_unref(buffer);
    g_assert_cmpuint(prism_relay_pool_outstanding(pool), ==, 0);
    prism_relay_pool_destroy(pool);
}

static void test_relay_buffer_refuses_oversized_packets(void)
{
    struct prism_relay_pool *pool;
    g_assert_cmpint(prism_relay_pool_create(&pool), ==, 0);
    static uint8_t big[PRISM_RELAY_BUFFER_SIZE + 1];
    g_assert_null(prism_relay_buffer_copy(pool, big, sizeof(big), 0));
    g_assert_cmpuint(prism_relay_pool_allocated(pool), ==, 0);
    prism_relay_pool_destroy(pool);
}

static void test_relay_buffer_last_reference_returns_it(void)
{
    struct prism_relay_pool *pool;
    g_assert_cmpint(prism_relay_pool_create(&pool), ==, 0);
    uint8_t packet[12] = {0x80};
    struct prism_relay_buffer *buffer = prism_relay_buffer_copy(pool, packet, sizeof(packet), 0);
    prism_relay_buffer_ref(buffer);
    prism_relay_buffer_ref(buffer);
    prism_relay_buffer_unref(buffer);
    prism_relay_buffer_unref(buffer);
    g_assert_cmpuint(prism_relay_pool_outstanding(pool), ==, 1); /* one still held */
    prism_relay_buffer_unref(buffer);
    g_assert_cmpuint(prism_relay_pool_outstanding(pool), ==, 0);
    /* Reused, not allocated again. */
    struct prism_relay_buffer *again = prism_relay_buffer_copy(pool, packet, sizeof(packet), 0);
    g_assert_true(again == buffer);
    g_assert_cmpuint(prism_relay_pool_allocated(pool), ==, 1);
    prism_relay_buffer_unref(again);
    prism_relay_pool_destroy(pool);
}

/* Other threads drop the last references while the owner keeps taking: every buffer comes
 * back and the pool stops growing at what is in flight. */
#define ROUNDS 20000
#define IN_FLIGHT 32
#define RELEASERS 2

struct handoff {
    GAsyncQueue *queue;
};

static gpointer releaser_main(gpointer data)
{
    struct handoff *handoff = data;
    for (;;) {
        struct prism_relay_buffer *buffer = g_async_queue_pop(handoff->queue);
        if (buffer == (void *)handoff)
            return NULL;
        prism_relay_buffer_unref(buffer);
    }
}

static void test_relay_buffer_returns_from_other_threads(void)
{
    struct prism_relay_pool *pool;
    g_assert_cmpint(prism_relay_pool_create(&pool), ==, 0);
    struct handoff handoffs[RELEASERS];
    GThread *threads[RELEASERS];
    for (int i = 0; i < RELEASERS; i++) {
        handoffs[i].queue = g_async_queue_new();
        threads[i] = g_thread_new("releaser", releaser_main, &handoffs[i]);
    }
    uint8_t packet[100] = {0x80};
    for (int round = 0; round < ROUNDS; round++) {
        /* Wait while too many are out, so the pool's size is bounded by IN_FLIGHT. */
        while (prism_relay_pool_outstanding(pool) >= IN_FLIGHT)
            g_thread_yield();
        struct prism_relay_buffer *buffer = prism_relay_buffer_copy(pool, packet, sizeof(packet),
                                                                    (uint64_t)round);
        g_assert_nonnull(buffer);
        /* Both releasers hold it; whichever drops last returns it. */
        prism_relay_buffer_ref(buffer);
        g_async_queue_push(handoffs[0].queue, buffer);
        g_async_queue_push(handoffs[1].queue, buffer);
    }
    for (int i = 0; i < RELEASERS; i++) {
        g_async_queue_push(handoffs[i].queue, &handoffs[i]);
        g_thread_join(threads[i]);
        g_async_queue_unref(handoffs[i].queue);
    }
    g_assert_cmpuint(prism_relay_pool_outstanding(pool), ==, 0);
    g_assert_cmpuint(prism_relay_pool_allocated(pool), <=, IN_FLIGHT);
    prism_relay_pool_destroy(pool);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/relay_buffer/copy_holds_the_packet", test_relay_buffer_copy_holds_the_packet);
    g_test_add_func("/relay_buffer/refuses_oversized_packets",
                    test_relay_buffer_refuses_oversized_packets);
    g_test_add_func("/relay_buffer/last_reference_returns_it",
                    test_relay_buffer_last_reference_returns_it);
    g_test_add_func("/relay_buffer/returns_from_other_threads",
                    test_relay_buffer_returns_from_other_threads);
    return g_test_run();
}
