/* The subscription list of a publisher stream: add once, remove anywhere, grow, clear; and a
 * fan-out through it giving each subscriber its own SSRC and numbering. */
#include "forward_util.h"

#include <errno.h>

static bool contains(const struct prism_forward_list *list, const struct prism_forward_stream *s,
                     void *owner)
{
    for (unsigned i = 0; i < list->count; i++) {
        if (list->items[i].stream == s)
            return list->items[i].owner == owner;
    }
    return false;
}

static void test_forward_list_adds_removes_and_grows(void)
{
    struct prism_forward_list list = {0};
    struct prism_forward_stream streams[20];
    int owners[20];
    for (unsigned i = 0; i < 20; i++)
        g_assert_cmpint(prism_forward_list_add(&list, &streams[i], &owners[i]), ==, 0);
    g_assert_cmpuint(list.count, ==, 20);
    g_assert_cmpint(prism_forward_list_add(&list, &streams[3], NULL), ==, -EEXIST);
    g_assert_cmpint(prism_forward_list_add(&list, NULL, NULL), ==, -EINVAL);

    g_assert_true(prism_forward_list_remove(&list, &streams[3]));
    g_assert_false(prism_forward_list_remove(&list, &streams[3]));
    g_assert_true(prism_forward_list_remove(&list, &streams[19]));
    g_assert_true(prism_forward_list_remove(&list, &streams[0]));
    g_assert_cmpuint(list.count, ==, 17);
    for (unsigned i = 0; i < 20; i++) {
        bool removed = i == 0 || i == 3 || i == 19;
        g_assert_true(contains(&list, &streams[i], &owners[i]) != removed);
    }
    g_assert_cmpint(prism_forward_list_add(&list, &streams[3], &owners[3]), ==, 0);
    g_assert_true(contains(&list, &streams[3], &owners[3]));

    prism_forward_list_clear(&list);
    g_assert_cmpuint(list.count, ==, 0);
    g_assert_null(list.items);
    g_assert_false(prism_forward_list_remove(&list, &streams[1]));
}

static void test_forward_fan_out_gives_each_subscriber_its_own_stream(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream subscribers[3];
    struct prism_forward_list list = {0};
    test_audio_source(&src);
    for (unsigned i = 0; i < 3; i++) {
        struct prism_forward_config cfg = {.ssrc = 100 + i, .initial_seq = (uint16_t)(1000 * i)};
        g_assert_cmpint(prism_forward_init(&subscribers[i], &cfg), ==, 0);
        g_assert_cmpint(prism_forward_switch(&subscribers[i], &src), ==, 0);
        g_assert_cmpint(prism_forward_list_add(&list, &subscribers[i], NULL), ==, 0);
    }
    prism_forward_pause(&subscribers[1], true);

    struct test_packet p;
    uint8_t out[1500];
    size_t len;
    test_opus(&p, PUB_A_SSRC, 7, 0);
    unsigned sent = 0;
    for (unsigned i = 0; i < list.count; i++) {
        struct prism_forward_stream *s = list.items[i].stream;
        if (prism_forward_packet(s, &p.h, p.data, p.len, out, sizeof(out), &len, 0) !=
            PRISM_FORWARD_SEND)
            continue;
        unsigned n = (unsigned)(s - subscribers);
        g_assert_cmpuint(prism_read_be32(out + 8), ==, 100 + n);
        g_assert_cmpuint(prism_read_be16(out + 2), ==, 1000 * n);
        sent++;
    }
    g_assert_cmpuint(sent, ==, 2);
    g_assert_cmpuint(subscribers[1].counters.dropped_paused, ==, 1);
    prism_forward_list_clear(&list);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/list_adds_removes_and_grows",
                    test_forward_list_adds_removes_and_grows);
    g_test_add_func("/forward/fan_out_gives_each_subscriber_its_own_stream",
                    test_forward_fan_out_gives_each_subscriber_its_own_stream);
    return g_test_run();
}
