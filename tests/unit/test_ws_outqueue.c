/* The WebSocket outbound queue: order, headroom and the byte cap. */
#include "signaling/ws/outqueue.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

static int push_text(struct prism_ws_outqueue *queue, const char *text)
{
    return prism_ws_outqueue_push(queue, text, strlen(text));
}

static void assert_pop(struct prism_ws_outqueue *queue, const char *expected)
{
    struct prism_ws_message *message = prism_ws_outqueue_pop(queue);
    g_assert_nonnull(message);
    g_assert_cmpmem(message->payload, message->length, expected, strlen(expected));
    prism_ws_message_free(message);
}

static void test_ws_outqueue_pops_in_push_order(void)
{
    struct prism_ws_outqueue queue;
    prism_ws_outqueue_init(&queue, 16, 0);
    g_assert_null(prism_ws_outqueue_pop(&queue));
    g_assert_cmpint(push_text(&queue, "{\"janus\":\"ack\"}"), ==, 0);
    g_assert_cmpint(push_text(&queue, "{\"janus\":\"event\"}"), ==, 0);
    g_assert_cmpint(push_text(&queue, "{\"janus\":\"webrtcup\"}"), ==, 0);
    g_assert_cmpuint(queue.count, ==, 3);
    g_assert_cmpuint(queue.bytes, ==, 15 + 17 + 20);
    assert_pop(&queue, "{\"janus\":\"ack\"}");
    g_assert_cmpint(push_text(&queue, "{\"janus\":\"media\"}"), ==, 0);
    assert_pop(&queue, "{\"janus\":\"event\"}");
    assert_pop(&queue, "{\"janus\":\"webrtcup\"}");
    assert_pop(&queue, "{\"janus\":\"media\"}");
    g_assert_null(prism_ws_outqueue_pop(&queue));
    g_assert_cmpuint(queue.count, ==, 0);
    g_assert_cmpuint(queue.bytes, ==, 0);
    g_assert_null(queue.tail);
}

static void test_ws_outqueue_leaves_writable_headroom_before_payload(void)
{
    struct prism_ws_outqueue queue;
    prism_ws_outqueue_init(&queue, 16, 0);
    g_assert_cmpint(push_text(&queue, "hello"), ==, 0);
    struct prism_ws_message *message = prism_ws_outqueue_pop(&queue);
    /* The writer builds the frame header in place: scribbling over the 16
     * bytes in front of the payload must be allowed (ASan checks) and must
     * leave the payload intact. */
    memset(message->payload - 16, 0xa5, 16);
    g_assert_cmpmem(message->payload, message->length, "hello", 5);
    prism_ws_message_free(message);
}

static void test_ws_outqueue_refuses_messages_past_the_cap(void)
{
    struct prism_ws_outqueue queue;
    prism_ws_outqueue_init(&queue, 0, 10);
    g_assert_cmpint(push_text(&queue, "123456"), ==, 0);
    g_assert_cmpint(push_text(&queue, "7890"), ==, 0); /* exactly 10 */
    g_assert_cmpint(push_text(&queue, "x"), ==, -ENOBUFS);
    g_assert_cmpuint(queue.count, ==, 2);
    g_assert_cmpuint(queue.bytes, ==, 10);
    assert_pop(&queue, "123456");
    g_assert_cmpint(push_text(&queue, "abcdef"), ==, 0); /* room again: 4 + 6 */
    prism_ws_outqueue_clear(&queue);
    g_assert_cmpuint(queue.count, ==, 0);
    g_assert_null(prism_ws_outqueue_pop(&queue));
}

static void test_ws_outqueue_accepts_one_oversized_message_when_empty(void)
{
    struct prism_ws_outqueue queue;
    prism_ws_outqueue_init(&queue, 4, 10);
    g_assert_cmpint(push_text(&queue, "a reply longer than ten bytes"), ==, 0);
    g_assert_cmpint(push_text(&queue, "x"), ==, -ENOBUFS);
    assert_pop(&queue, "a reply longer than ten bytes");
    g_assert_cmpint(push_text(&queue, "x"), ==, 0);
    prism_ws_outqueue_clear(&queue);
}

static void test_ws_outqueue_copies_the_payload(void)
{
    struct prism_ws_outqueue queue;
    prism_ws_outqueue_init(&queue, 0, 0);
    char text[] = "original";
    g_assert_cmpint(push_text(&queue, text), ==, 0);
    memcpy(text, "modified", 8);
    assert_pop(&queue, "original");
    g_assert_cmpint(prism_ws_outqueue_push(&queue, NULL, 0), ==, 0);
    struct prism_ws_message *empty = prism_ws_outqueue_pop(&queue);
    g_assert_cmpuint(empty->length, ==, 0);
    prism_ws_message_free(empty);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ws/outqueue/pops-in-push-order", test_ws_outqueue_pops_in_push_order);
    g_test_add_func("/ws/outqueue/leaves-writable-headroom-before-payload",
                    test_ws_outqueue_leaves_writable_headroom_before_payload);
    g_test_add_func("/ws/outqueue/refuses-messages-past-the-cap",
                    test_ws_outqueue_refuses_messages_past_the_cap);
    g_test_add_func("/ws/outqueue/accepts-one-oversized-message-when-empty",
                    test_ws_outqueue_accepts_one_oversized_message_when_empty);
    g_test_add_func("/ws/outqueue/copies-the-payload", test_ws_outqueue_copies_the_payload);
    return g_test_run();
}
