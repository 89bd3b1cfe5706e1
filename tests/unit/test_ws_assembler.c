/* WebSocket message reassembly: pieces in, whole messages out, never more
 * than the limit buffered. */
#include "signaling/ws/assembler.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

static int feed_text(struct prism_ws_assembler *assembler, const char *text, bool final,
                     const char **message, size_t *length)
{
    return prism_ws_assembler_feed(assembler, text, strlen(text), final, message, length);
}

static void test_ws_assembler_passes_single_piece_message(void)
{
    struct prism_ws_assembler assembler;
    prism_ws_assembler_init(&assembler, 64);
    const char *message = NULL;
    size_t length = 0;
    g_assert_cmpint(feed_text(&assembler, "{\"janus\":\"ping\"}", true, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MESSAGE);
    g_assert_cmpuint(length, ==, 16);
    g_assert_cmpmem(message, length, "{\"janus\":\"ping\"}", 16);
    prism_ws_assembler_free(&assembler);
}

static void test_ws_assembler_joins_fragments_in_order(void)
{
    struct prism_ws_assembler assembler;
    prism_ws_assembler_init(&assembler, 64);
    const char *message = NULL;
    size_t length = 0;
    g_assert_cmpint(feed_text(&assembler, "{\"janus\"", false, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MORE);
    g_assert_null(message);
    g_assert_cmpint(feed_text(&assembler, ":\"cre", false, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MORE);
    g_assert_cmpint(feed_text(&assembler, "ate\"}", true, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MESSAGE);
    g_assert_cmpmem(message, length, "{\"janus\":\"create\"}", 18);
    /* The next message starts from scratch. */
    g_assert_cmpint(feed_text(&assembler, "{}", true, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MESSAGE);
    g_assert_cmpmem(message, length, "{}", 2);
    prism_ws_assembler_free(&assembler);
}

static void test_ws_assembler_accepts_empty_pieces_and_messages(void)
{
    struct prism_ws_assembler assembler;
    prism_ws_assembler_init(&assembler, 8);
    const char *message = NULL;
    size_t length = 99;
    g_assert_cmpint(prism_ws_assembler_feed(&assembler, NULL, 0, true, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MESSAGE);
    g_assert_nonnull(message);
    g_assert_cmpuint(length, ==, 0);
    g_assert_cmpint(prism_ws_assembler_feed(&assembler, NULL, 0, false, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MORE);
    g_assert_cmpint(feed_text(&assembler, "ab", true, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MESSAGE);
    g_assert_cmpmem(message, length, "ab", 2);
    prism_ws_assembler_free(&assembler);
}

static void test_ws_assembler_accepts_message_of_exactly_the_limit(void)
{
    struct prism_ws_assembler assembler;
    prism_ws_assembler_init(&assembler, 6);
    const char *message = NULL;
    size_t length = 0;
    g_assert_cmpint(feed_text(&assembler, "abc", false, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MORE);
    g_assert_cmpint(feed_text(&assembler, "def", true, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MESSAGE);
    g_assert_cmpmem(message, length, "abcdef", 6);
    g_assert_cmpuint(assembler.capacity, <=, 6);
    prism_ws_assembler_free(&assembler);
}

static void test_ws_assembler_rejects_single_piece_over_the_limit(void)
{
    struct prism_ws_assembler assembler;
    prism_ws_assembler_init(&assembler, 6);
    const char *message = NULL;
    size_t length = 0;
    g_assert_cmpint(feed_text(&assembler, "abcdefg", true, &message, &length), ==, -EMSGSIZE);
    g_assert_null(message);
    g_assert_cmpuint(assembler.capacity, ==, 0);
    prism_ws_assembler_free(&assembler);
}

static void test_ws_assembler_rejects_fragments_adding_up_over_the_limit(void)
{
    struct prism_ws_assembler assembler;
    prism_ws_assembler_init(&assembler, 2000);
    const char *message = NULL;
    size_t length = 0;
    char piece[300];
    memset(piece, 'x', sizeof(piece));
    int rc = PRISM_WS_ASSEMBLER_MORE;
    size_t fed = 0;
    while (rc == PRISM_WS_ASSEMBLER_MORE) {
        rc = prism_ws_assembler_feed(&assembler, piece, sizeof(piece), false, &message, &length);
        if (rc == PRISM_WS_ASSEMBLER_MORE) {
            fed += sizeof(piece);
            /* The buffer grows with the message but never past the limit. */
            g_assert_cmpuint(assembler.capacity, >=, fed);
            g_assert_cmpuint(assembler.capacity, <=, 2000);
        }
    }
    g_assert_cmpint(rc, ==, -EMSGSIZE);
    g_assert_cmpuint(fed, ==, 1800); /* the seventh piece would make 2100 */
    /* The partial message is gone: a small message fits again. */
    g_assert_cmpint(feed_text(&assembler, "ok", true, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MESSAGE);
    g_assert_cmpmem(message, length, "ok", 2);
    prism_ws_assembler_free(&assembler);
}

static void test_ws_assembler_releases_a_large_buffer_for_the_next_message(void)
{
    struct prism_ws_assembler assembler;
    prism_ws_assembler_init(&assembler, 1 << 20);
    const char *message = NULL;
    size_t length = 0;
    char *big = g_malloc(200 * 1024);
    memset(big, 'y', 200 * 1024);
    g_assert_cmpint(prism_ws_assembler_feed(&assembler, big, 200 * 1024, true, &message, &length),
                    ==, PRISM_WS_ASSEMBLER_MESSAGE);
    g_assert_cmpuint(length, ==, 200 * 1024);
    g_assert_cmpuint(assembler.capacity, >=, 200 * 1024);
    g_assert_cmpint(feed_text(&assembler, "{}", true, &message, &length), ==,
                    PRISM_WS_ASSEMBLER_MESSAGE);
    g_assert_cmpuint(assembler.capacity, <, 200 * 1024);
    g_free(big);
    prism_ws_assembler_free(&assembler);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ws/assembler/passes-single-piece-message",
                    test_ws_assembler_passes_single_piece_message);
    g_test_add_func("/ws/assembler/joins-fragments-in-order",
                    test_ws_assembler_joins_fragments_in_order);
    g_test_add_func("/ws/assembler/accepts-empty-pieces-and-messages",
                    test_ws_assembler_accepts_empty_pieces_and_messages);
    g_test_add_func("/ws/assembler/accepts-message-of-exactly-the-limit",
                    test_ws_assembler_accepts_message_of_exactly_the_limit);
    g_test_add_func("/ws/assembler/rejects-single-piece-over-the-limit",
                    test_ws_assembler_rejects_single_piece_over_the_limit);
    g_test_add_func("/ws/assembler/rejects-fragments-adding-up-over-the-limit",
                    test_ws_assembler_rejects_fragments_adding_up_over_the_limit);
    g_test_add_func("/ws/assembler/releases-a-large-buffer-for-the-next-message",
                    test_ws_assembler_releases_a_large_buffer_for_the_next_message);
    return g_test_run();
}
