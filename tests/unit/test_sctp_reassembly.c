/* Reassembly of SCTP user messages from partial reads: joining pieces, the size limit (over-limit
 * messages dropped, the next one intact), interrupted partial deliveries, notifications with
 * their own bound, empty messages, and the buffer shrinking back after a big message. */
#include "media/sctp/internal.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

static const struct sctp_piece_info text_more = {.stream_id = 3, .ppid = 51};
static const struct sctp_piece_info text_end = {.stream_id = 3, .ppid = 51, .end_of_record = true};

static void test_reassembly_delivers_a_single_piece_message(void)
{
    struct sctp_reassembly r;
    sctp_reassembly_init(&r, 100);
    struct sctp_user_message m;
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"hi", 2, &text_end, &m), ==, 1);
    g_assert_cmpmem(m.data, m.len, "hi", 2);
    g_assert_cmpuint(m.stream_id, ==, 3);
    g_assert_cmpuint(m.ppid, ==, 51);
    g_assert_false(m.notification);
    sctp_reassembly_clear(&r);
}

static void test_reassembly_joins_pieces_until_end_of_record(void)
{
    struct sctp_reassembly r;
    sctp_reassembly_init(&r, 100);
    struct sctp_user_message m;
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"hel", 3, &text_more, &m), ==, 0);
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"lo ", 3, &text_more, &m), ==, 0);
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"you", 3, &text_end, &m), ==, 1);
    g_assert_cmpmem(m.data, m.len, "hello you", 9);
    sctp_reassembly_clear(&r);
}

static void test_reassembly_drops_over_limit_message_and_keeps_the_next(void)
{
    struct sctp_reassembly r;
    sctp_reassembly_init(&r, 8);
    struct sctp_user_message m;
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"12345", 5, &text_more, &m), ==, 0);
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"6789", 4, &text_more, &m), ==, 0);
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"0", 1, &text_end, &m), ==,
                    -EMSGSIZE);
    /* Exactly at the limit is fine, in one piece or several. */
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"abcdefgh", 8, &text_end, &m), ==, 1);
    g_assert_cmpmem(m.data, m.len, "abcdefgh", 8);
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"abcd", 4, &text_more, &m), ==, 0);
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"efgh", 4, &text_end, &m), ==, 1);
    g_assert_cmpmem(m.data, m.len, "abcdefgh", 8);
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"abcdefghi", 9, &text_end, &m), ==,
                    -EMSGSIZE);
    sctp_reassembly_clear(&r);
}

static void test_reassembly_drops_a_partial_message_interrupted_by_another(void)
{
    struct sctp_reassembly r;
    sctp_reassembly_init(&r, 100);
    struct sctp_user_message m;
    struct sctp_piece_info other = {.stream_id = 4, .ppid = 53, .end_of_record = true};
    struct sctp_piece_info note = {.notification = true, .end_of_record = true};
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"lost", 4, &text_more, &m), ==, 0);
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"kept", 4, &other, &m), ==, 1);
    g_assert_cmpmem(m.data, m.len, "kept", 4);
    g_assert_cmpuint(m.stream_id, ==, 4);
    g_assert_cmpuint(r.interrupted, ==, 1);
    /* An aborted partial delivery is followed by its notification. */
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"half", 4, &text_more, &m), ==, 0);
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"NOTE", 4, &note, &m), ==, 1);
    g_assert_true(m.notification);
    g_assert_cmpmem(m.data, m.len, "NOTE", 4);
    g_assert_cmpuint(r.interrupted, ==, 2);
    sctp_reassembly_clear(&r);
}

static void test_reassembly_bounds_notifications_apart_from_messages(void)
{
    struct sctp_reassembly r;
    sctp_reassembly_init(&r, 4);
    struct sctp_user_message m;
    uint8_t event[300];
    memset(event, 0xab, sizeof(event));
    struct sctp_piece_info note = {.notification = true, .end_of_record = true};
    g_assert_cmpint(sctp_reassembly_push(&r, event, sizeof(event), &note, &m), ==, 1);
    g_assert_cmpuint(m.len, ==, sizeof(event));
    sctp_reassembly_clear(&r);
}

static void test_reassembly_delivers_empty_messages(void)
{
    struct sctp_reassembly r;
    sctp_reassembly_init(&r, 4);
    struct sctp_user_message m;
    g_assert_cmpint(sctp_reassembly_push(&r, NULL, 0, &text_end, &m), ==, 1);
    g_assert_null(m.data);
    g_assert_cmpuint(m.len, ==, 0);
    sctp_reassembly_clear(&r);
}

static void test_reassembly_shrinks_after_a_big_message(void)
{
    struct sctp_reassembly r;
    sctp_reassembly_init(&r, 256 * 1024);
    struct sctp_user_message m;
    size_t len = 200 * 1024;
    uint8_t *big = g_malloc(len);
    for (size_t i = 0; i < len; i++)
        big[i] = (uint8_t)(i * 7);
    g_assert_cmpint(sctp_reassembly_push(&r, big, len, &text_end, &m), ==, 1);
    g_assert_cmpmem(m.data, m.len, big, len);
    g_assert_cmpuint(r.cap, >=, len);
    g_assert_cmpint(sctp_reassembly_push(&r, (const uint8_t *)"small", 5, &text_end, &m), ==, 1);
    g_assert_cmpuint(r.cap, <=, 64 * 1024);
    g_free(big);
    sctp_reassembly_clear(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sctp/reassembly/single_piece",
                    test_reassembly_delivers_a_single_piece_message);
    g_test_add_func("/sctp/reassembly/joins_pieces",
                    test_reassembly_joins_pieces_until_end_of_record);
    g_test_add_func("/sctp/reassembly/over_limit",
                    test_reassembly_drops_over_limit_message_and_keeps_the_next);
    g_test_add_func("/sctp/reassembly/interrupted",
                    test_reassembly_drops_a_partial_message_interrupted_by_another);
    g_test_add_func("/sctp/reassembly/notifications",
                    test_reassembly_bounds_notifications_apart_from_messages);
    g_test_add_func("/sctp/reassembly/empty", test_reassembly_delivers_empty_messages);
    g_test_add_func("/sctp/reassembly/shrinks", test_reassembly_shrinks_after_a_big_message);
    return g_test_run();
}
