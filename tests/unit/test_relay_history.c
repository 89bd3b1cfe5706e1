/* The relayed-packet history a receiving worker keeps for NACKs: a stored packet is found by
 * its sequence number, a newer one in the same slot replaces it (and its reference is
 * dropped), packets older than the age limit are not found, and clearing returns every buffer
 * to its pool. */
#include "media/relay/history.h"

#include <glib.h>
#include <string.h>

static struct prism_relay_buffer *packet(struct prism_relay_pool *pool, uint16_t seq,
                                         uint64_t arrival_us)
{
    uint8_t data[24] = {0x80, 96, (uint8_t)(seq >> 8), (uint8_t)seq};
    data[12] = (uint8_t)seq; /* payload tells packets apart */
    return prism_relay_buffer_copy(pool, data, sizeof(data), arrival_us);
}

static void test_relay_history_finds_stored_packets(void)
{
    struct prism_relay_pool *pool;
    g_assert_cmpint(prism_relay_pool_create(&pool), ==, 0);
    struct prism_relay_history history;
    prism_relay_history_init(&history, 1000000);
    for (uint16_t seq = 65530; seq != 10; seq++) {
        struct prism_relay_buffer *buffer = packet(pool, seq, 100);
        prism_relay_history_store(&history, buffer);
        prism_relay_buffer_unref(buffer); /* the history holds its own reference */
    }
    const uint8_t *data = NULL;
    size_t len = 0;
    g_assert_true(prism_relay_history_find(&history, 65533, 200, &data, &len));
    g_assert_cmpuint(len, ==, 24);
    g_assert_cmpuint(data[12], ==, (uint8_t)65533);
    g_assert_true(prism_relay_history_find(&history, 3, 200, &data, &len));
    g_assert_cmpuint(data[12], ==, 3);
    g_assert_false(prism_relay_history_find(&history, 11, 200, &data, &len));
    g_assert_false(prism_relay_history_find(&history, 500, 200, &data, &len));
    g_assert_cmpuint(prism_relay_pool_outstanding(pool), ==, 16);
    prism_relay_history_clear(&history);
    g_assert_cmpuint(prism_relay_pool_outstanding(pool), ==, 0);
    prism_relay_pool_destroy(pool);
}

static void test_relay_history_newer_packet_replaces_the_slot(void)
{
    struct prism_relay_pool *pool;
    g_assert_cmpint(prism_relay_pool_create(&pool), ==, 0);
    struct prism_relay_history history;
    prism_relay_history_init(&history, 0);
    struct prism_relay_buffer *old = packet(pool, 7, 1);
    struct prism_relay_buffer *newer = packet(pool, 7 + PRISM_RELAY_HISTORY_SIZE, 2);
    prism_relay_history_store(&history, old);
    prism_relay_history_store(&history, newer);
    prism_relay_buffer_unref(newer);
    g_assert_cmpuint(atomic_load(&old->refs), ==, 1); /* only ours is left */
    prism_relay_buffer_unref(old);
    const uint8_t *data;
    size_t len;
    g_assert_false(prism_relay_history_find(&history, 7, 3, &data, &len));
    g_assert_true(prism_relay_history_find(&history, 7 + PRISM_RELAY_HISTORY_SIZE, 3, &data, &len));
    prism_relay_history_clear(&history);
    g_assert_cmpuint(prism_relay_pool_outstanding(pool), ==, 0);
    prism_relay_pool_destroy(pool);
}

static void test_relay_history_does_not_resend_old_packets(void)
{
    struct prism_relay_pool *pool;
    g_assert_cmpint(prism_relay_pool_create(&pool), ==, 0);
    struct prism_relay_history history;
    prism_relay_history_init(&history, 1000);
    struct prism_relay_buffer *buffer = packet(pool, 42, 5000);
    prism_relay_history_store(&history, buffer);
    prism_relay_buffer_unref(buffer);
    const uint8_t *data;
    size_t len;
    g_assert_true(prism_relay_history_find(&history, 42, 6000, &data, &len));
    g_assert_false(prism_relay_history_find(&history, 42, 6001, &data, &len));
    prism_relay_history_clear(&history);
    prism_relay_history_clear(&history); /* twice is harmless */
    prism_relay_pool_destroy(pool);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/relay_history/finds_stored_packets", test_relay_history_finds_stored_packets);
    g_test_add_func("/relay_history/newer_packet_replaces_the_slot",
                    test_relay_history_newer_packet_replaces_the_slot);
    g_test_add_func("/relay_history/does_not_resend_old_packets",
                    test_relay_history_does_not_resend_old_packets);
    return g_test_run();
}
