/* Two SCTP associations back to back over usrsctp: association set-up, channels opened by
 * either side with the DTLS role's stream parity, text, binary and empty messages, ordering
 * and partial reliability on the wire, a message bigger than one chunk, the message size
 * limits, and channel close in both directions. */
#include "sctp_pair.h"

#include <errno.h>

static const struct prism_sctp_channel_options chat = {
    .label = "chat",
    .protocol = "json",
    .ordered = true,
};

static void test_sctp_association_comes_up_on_both_sides(void)
{
    struct sctp_pair pair;
    pair_start(&pair);
    g_assert_false(prism_sctp_is_up(pair.a.assoc));
    PUMP_UNTIL(&pair, pair.a.up && pair.b.up);
    g_assert_true(prism_sctp_is_up(pair.a.assoc));
    g_assert_true(prism_sctp_is_up(pair.b.assoc));
    g_assert_false(pair.a.lost || pair.b.lost);
    pair_finish(&pair);
}

static void test_sctp_peer_opened_channel_is_announced_with_label_and_protocol(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    g_assert_cmpuint(id, ==, 0); /* DTLS client: even ids, starting at 0 */
    const struct seen_channel *remote = last_opened(&pair.b);
    g_assert_cmpstr(remote->label, ==, "chat");
    g_assert_cmpstr(remote->protocol, ==, "json");
    g_assert_true(remote->ordered);
    g_assert_cmpint(remote->reliability, ==, PRISM_SCTP_RELIABLE);
    g_assert_false(remote->locally_opened);
    g_assert_true(last_opened(&pair.a)->locally_opened);
    /* The OPEN and the ACK both went as DCEP (PPID 50) on stream 0. */
    const struct seen_chunk *open = &g_array_index(pair.a.chunks, struct seen_chunk, 0);
    const struct seen_chunk *ack = &g_array_index(pair.b.chunks, struct seen_chunk, 0);
    g_assert_cmpuint(open->ppid, ==, 50);
    g_assert_cmpuint(ack->ppid, ==, 50);
    g_assert_cmpuint(ack->stream_id, ==, 0);
    pair_finish(&pair);
}

static void test_sctp_local_channels_follow_dtls_role_parity(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    g_assert_cmpuint(pair_open(&pair, &pair.a, &chat), ==, 0);
    g_assert_cmpuint(pair_open(&pair, &pair.a, &chat), ==, 2);
    struct prism_sctp_channel_options server = {.label = "from-b", .ordered = true};
    g_assert_cmpuint(pair_open(&pair, &pair.b, &server), ==, 1); /* DTLS server: odd ids */
    g_assert_cmpuint(pair_open(&pair, &pair.b, &server), ==, 3);
    g_assert_cmpstr(last_opened(&pair.a)->label, ==, "from-b");
    g_assert_cmpstr(last_opened(&pair.a)->protocol, ==, "");
    pair_finish(&pair);
}

static void test_sctp_text_and_binary_messages_cross_both_ways(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    static const uint8_t blob[] = {0x00, 0xff, 0x10, 0x80};
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"hello", 5), ==, 0);
    g_assert_cmpint(prism_sctp_send(pair.b.assoc, id, true, blob, sizeof(blob)), ==, 0);
    PUMP_UNTIL(&pair, pair.a.messages->len == 1 && pair.b.messages->len == 1);
    const struct seen_message *text = message_at(&pair.b, 0);
    g_assert_false(text->binary);
    g_assert_cmpstr(text->label, ==, "chat");
    assert_bytes(text->data, "hello", 5);
    const struct seen_message *binary = message_at(&pair.a, 0);
    g_assert_true(binary->binary);
    g_assert_cmpuint(binary->stream_id, ==, id);
    assert_bytes(binary->data, blob, sizeof(blob));
    /* On the wire: PPID 51 for text, 53 for binary, both ordered. */
    const struct seen_chunk *sent = &g_array_index(pair.a.chunks, struct seen_chunk, 1);
    g_assert_cmpuint(sent->ppid, ==, 51);
    g_assert_false(sent->unordered);
    const struct seen_chunk *back = &g_array_index(pair.b.chunks, struct seen_chunk, 1);
    g_assert_cmpuint(back->ppid, ==, 53);
    pair_finish(&pair);
}

static const struct seen_chunk *last_chunk(const struct sctp_peer *peer)
{
    g_assert_cmpuint(peer->chunks->len, >, 0);
    return &g_array_index(peer->chunks, struct seen_chunk, peer->chunks->len - 1);
}

static void test_sctp_unordered_channel_goes_ordered_until_acknowledged(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    struct prism_sctp_channel_options options = {
        .label = "state",
        .ordered = false,
        .reliability = PRISM_SCTP_MAX_RETRANSMITS,
        .reliability_value = 0,
    };
    uint16_t id = 0;
    g_assert_cmpint(prism_sctp_channel_open(pair.a.assoc, &options, &id), ==, 0);
    /* Sent before the ACK: ordered, so it cannot overtake the OPEN (RFC 8832 section 6). */
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"early", 5), ==, 0);
    PUMP_UNTIL(&pair, pair.a.opened->len == 1 && pair.b.messages->len == 1);
    g_assert_false(last_chunk(&pair.a)->unordered);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"late", 4), ==, 0);
    PUMP_UNTIL(&pair, pair.b.messages->len == 2);
    g_assert_true(last_chunk(&pair.a)->unordered);
    assert_bytes(message_at(&pair.b, 1)->data, "late", 4);
    const struct seen_channel *remote = last_opened(&pair.b);
    g_assert_false(remote->ordered);
    g_assert_cmpint(remote->reliability, ==, PRISM_SCTP_MAX_RETRANSMITS);
    g_assert_cmpuint(remote->reliability_value, ==, 0);
    pair_finish(&pair);
}

static void test_sctp_lifetime_channel_reports_its_reliability(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    struct prism_sctp_channel_options options = {
        .label = "timed",
        .ordered = true,
        .reliability = PRISM_SCTP_MAX_LIFETIME,
        .reliability_value = 150,
    };
    uint16_t id = pair_open(&pair, &pair.b, &options);
    const struct seen_channel *remote = last_opened(&pair.a);
    g_assert_true(remote->ordered);
    g_assert_cmpint(remote->reliability, ==, PRISM_SCTP_MAX_LIFETIME);
    g_assert_cmpuint(remote->reliability_value, ==, 150);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, true, (const uint8_t *)"x", 1), ==, 0);
    PUMP_UNTIL(&pair, pair.b.messages->len == 1);
    g_assert_false(last_chunk(&pair.a)->unordered);
    pair_finish(&pair);
}

static GByteArray *pattern(size_t len, unsigned seed)
{
    GByteArray *bytes = g_byte_array_sized_new((guint)len);
    g_byte_array_set_size(bytes, (guint)len);
    for (size_t i = 0; i < len; i++)
        bytes->data[i] = (uint8_t)((i * 31 + seed) ^ (i >> 8));
    return bytes;
}

static void test_sctp_message_of_200_kib_crosses_intact(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    guint chunks_before = pair.a.chunks->len;
    GByteArray *big = pattern(200 * 1024, 7);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, true, big->data, big->len), ==, 0);
    PUMP_UNTIL(&pair, pair.b.messages->len == 1);
    const struct seen_message *got = message_at(&pair.b, 0);
    g_assert_true(got->binary);
    assert_bytes(got->data, big->data, big->len);
    /* It was cut into many DATA chunks, in packets that fit a DTLS record on a 1280-byte path. */
    g_assert_cmpuint(pair.a.chunks->len - chunks_before, >, 100);
    g_assert_cmpuint(pair.a.largest_packet, <=, 1160);
    g_assert_cmpuint(pair.a.largest_packet, >, 1100);
    g_byte_array_unref(big);
    pair_finish(&pair);
}

static void test_sctp_over_limit_message_is_dropped_and_later_ones_arrive(void)
{
    struct sctp_pair pair;
    pair_prepare(&pair);
    struct prism_sctp_config a = pair_config(&pair, &pair.a, true);
    struct prism_sctp_config b = pair_config(&pair, &pair.b, false);
    b.max_message_size = 64 * 1024;
    pair_create(&pair, &a, &b);
    PUMP_UNTIL(&pair, pair.a.up && pair.b.up);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    GByteArray *too_big = pattern(100 * 1024, 1);
    GByteArray *at_limit = pattern(64 * 1024, 2);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, true, too_big->data, too_big->len), ==, 0);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, true, at_limit->data, at_limit->len), ==, 0);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"after", 5), ==, 0);
    PUMP_UNTIL(&pair, pair.b.messages->len == 2);
    assert_bytes(message_at(&pair.b, 0)->data, at_limit->data, at_limit->len);
    assert_bytes(message_at(&pair.b, 1)->data, "after", 5);
    pair_pump_for(&pair, 50);
    g_assert_cmpuint(pair.b.messages->len, ==, 2);
    g_byte_array_unref(too_big);
    g_byte_array_unref(at_limit);
    pair_finish(&pair);
}

static void test_sctp_send_honours_the_peer_max_message_size(void)
{
    struct sctp_pair pair;
    pair_prepare(&pair);
    struct prism_sctp_config a = pair_config(&pair, &pair.a, true);
    struct prism_sctp_config b = pair_config(&pair, &pair.b, false);
    a.remote_max_message_size = 1000;
    pair_create(&pair, &a, &b);
    PUMP_UNTIL(&pair, pair.a.up && pair.b.up);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    GByteArray *bytes = pattern(1001, 3);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, true, bytes->data, 1001), ==, -EMSGSIZE);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, true, bytes->data, 1000), ==, 0);
    PUMP_UNTIL(&pair, pair.b.messages->len == 1);
    assert_bytes(message_at(&pair.b, 0)->data, bytes->data, 1000);
    g_byte_array_unref(bytes);
    pair_finish(&pair);
}

static void test_sctp_empty_messages_use_the_empty_ppids(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, NULL, 0), ==, 0);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, true, NULL, 0), ==, 0);
    PUMP_UNTIL(&pair, pair.b.messages->len == 2);
    g_assert_false(message_at(&pair.b, 0)->binary);
    assert_bytes(message_at(&pair.b, 0)->data, NULL, 0);
    g_assert_true(message_at(&pair.b, 1)->binary);
    assert_bytes(message_at(&pair.b, 1)->data, NULL, 0);
    const struct seen_chunk *chunks = (const struct seen_chunk *)(void *)pair.a.chunks->data;
    guint n = pair.a.chunks->len;
    g_assert_cmpuint(chunks[n - 2].ppid, ==, 56);
    g_assert_cmpuint(chunks[n - 1].ppid, ==, 57);
    g_assert_cmpuint(chunks[n - 1].length, ==, 17); /* 16-byte header and one byte */
    pair_finish(&pair);
}

static void test_sctp_send_before_up_or_on_unknown_stream_fails(void)
{
    struct sctp_pair pair;
    pair_start(&pair);
    uint16_t id = 0;
    g_assert_cmpint(prism_sctp_channel_open(pair.a.assoc, &chat, &id), ==, 0);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"x", 1), ==,
                    -ENOTCONN);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, 40, false, (const uint8_t *)"x", 1), ==, -ENOENT);
    /* The pending OPEN goes out once the association is up. */
    PUMP_UNTIL(&pair, pair.a.opened->len == 1 && pair.b.opened->len == 1);
    g_assert_cmpstr(last_opened(&pair.b)->label, ==, "chat");
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"x", 1), ==, 0);
    pair_finish(&pair);
}

static bool has_closed(const struct sctp_peer *peer, uint16_t id)
{
    for (guint i = 0; i < peer->closed->len; i++) {
        if (g_array_index(peer->closed, uint16_t, i) == id)
            return true;
    }
    return false;
}

static void test_sctp_close_by_the_opener_reaches_both_sides(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    g_assert_cmpint(prism_sctp_channel_close(pair.a.assoc, id), ==, 0);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"x", 1), ==, -EPIPE);
    PUMP_UNTIL(&pair, has_closed(&pair.a, id) && has_closed(&pair.b, id));
    g_assert_cmpuint(pair.a.closed->len, ==, 1);
    g_assert_cmpuint(pair.b.closed->len, ==, 1);
    /* Once both directions are reset the stream id is free again. */
    PUMP_UNTIL(&pair, prism_sctp_channel_close(pair.a.assoc, id) == -ENOENT);
    g_assert_cmpuint(pair_open(&pair, &pair.a, &chat), ==, id);
    pair_finish(&pair);
}

static void test_sctp_close_by_the_peer_reaches_both_sides(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t first = pair_open(&pair, &pair.a, &chat);
    uint16_t second = pair_open(&pair, &pair.a, &chat);
    g_assert_cmpint(prism_sctp_channel_close(pair.b.assoc, first), ==, 0);
    g_assert_cmpint(prism_sctp_channel_close(pair.b.assoc, 99), ==, -ENOENT);
    PUMP_UNTIL(&pair, has_closed(&pair.a, first) && has_closed(&pair.b, first));
    g_assert_false(has_closed(&pair.a, second));
    /* The other channel still works. */
    g_assert_cmpint(prism_sctp_send(pair.b.assoc, second, false, (const uint8_t *)"on", 2), ==, 0);
    PUMP_UNTIL(&pair, pair.a.messages->len == 1);
    g_assert_cmpuint(message_at(&pair.a, 0)->stream_id, ==, second);
    pair_finish(&pair);
}

static void test_sctp_rejects_bad_channel_options(void)
{
    struct sctp_pair pair;
    pair_start(&pair);
    uint16_t id = 0;
    struct prism_sctp_channel_options bad_utf8 = {.label = "\xc3\x28"};
    struct prism_sctp_channel_options bad_reliability = {.reliability = 7};
    g_assert_cmpint(prism_sctp_channel_open(pair.a.assoc, &bad_utf8, &id), ==, -EINVAL);
    g_assert_cmpint(prism_sctp_channel_open(pair.a.assoc, &bad_reliability, &id), ==, -EINVAL);
    g_assert_cmpint(prism_sctp_channel_open(pair.a.assoc, NULL, &id), ==, -EINVAL);
    struct prism_sctp_config config = pair_config(&pair, &pair.a, true);
    config.remote_port = 0;
    struct prism_sctp_association *assoc = NULL;
    g_assert_cmpint(prism_sctp_association_create(&assoc, &config), ==, -EINVAL);
    g_assert_null(assoc);
    pair_finish(&pair);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sctp/association/comes_up", test_sctp_association_comes_up_on_both_sides);
    g_test_add_func("/sctp/association/peer_opened_channel",
                    test_sctp_peer_opened_channel_is_announced_with_label_and_protocol);
    g_test_add_func("/sctp/association/parity", test_sctp_local_channels_follow_dtls_role_parity);
    g_test_add_func("/sctp/association/text_and_binary",
                    test_sctp_text_and_binary_messages_cross_both_ways);
    g_test_add_func("/sctp/association/unordered",
                    test_sctp_unordered_channel_goes_ordered_until_acknowledged);
    g_test_add_func("/sctp/association/lifetime",
                    test_sctp_lifetime_channel_reports_its_reliability);
    g_test_add_func("/sctp/association/large_message", test_sctp_message_of_200_kib_crosses_intact);
    g_test_add_func("/sctp/association/over_limit",
                    test_sctp_over_limit_message_is_dropped_and_later_ones_arrive);
    g_test_add_func("/sctp/association/remote_limit",
                    test_sctp_send_honours_the_peer_max_message_size);
    g_test_add_func("/sctp/association/empty", test_sctp_empty_messages_use_the_empty_ppids);
    g_test_add_func("/sctp/association/not_up",
                    test_sctp_send_before_up_or_on_unknown_stream_fails);
    g_test_add_func("/sctp/association/close_by_opener",
                    test_sctp_close_by_the_opener_reaches_both_sides);
    g_test_add_func("/sctp/association/close_by_peer",
                    test_sctp_close_by_the_peer_reaches_both_sides);
    g_test_add_func("/sctp/association/bad_options", test_sctp_rejects_bad_channel_options);
    return g_test_run();
}
