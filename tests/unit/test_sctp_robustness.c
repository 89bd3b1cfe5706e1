/* SCTP associations under stress: the peer aborting, destroy while packets and dispatches are
 * in flight (also from inside a callback), and garbage or malformed input fed to receive.
 * Run under ASan, these also check that nothing leaks and no callback follows a destroy. */
#include "sctp_pair.h"

#include "media/sctp/internal.h"

#include <errno.h>

static const struct prism_sctp_channel_options chat = {.label = "chat", .ordered = true};

static void test_sctp_peer_abort_closes_channels_then_loses_association(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t first = pair_open(&pair, &pair.a, &chat);
    uint16_t second = pair_open(&pair, &pair.a, &chat);
    static const uint8_t abort_chunk[] = {6, 0, 0, 4}; /* ABORT, no causes */
    g_assert_cmpint(pair_inject(&pair.b, abort_chunk, sizeof(abort_chunk)), ==, 0);
    PUMP_UNTIL(&pair, pair.b.lost);
    g_assert_cmpuint(pair.b.closed_before_lost, ==, 2);
    g_assert_cmpuint(g_array_index(pair.b.closed, uint16_t, 0), ==, first);
    g_assert_cmpuint(g_array_index(pair.b.closed, uint16_t, 1), ==, second);
    g_assert_false(prism_sctp_is_up(pair.b.assoc));
    g_assert_cmpint(prism_sctp_send(pair.b.assoc, first, false, (const uint8_t *)"x", 1), ==,
                    -ENOENT);
    uint16_t id = 0;
    g_assert_cmpint(prism_sctp_channel_open(pair.b.assoc, &chat, &id), ==, -ENOTCONN);
    pair_finish(&pair);
}

static void send_burst(struct sctp_peer *from, uint16_t id, unsigned count, size_t size)
{
    uint8_t *payload = g_malloc0(size);
    for (unsigned i = 0; i < count; i++) {
        payload[0] = (uint8_t)i;
        int rc = prism_sctp_send(from->assoc, id, true, payload, size);
        g_assert_true(rc == 0 || rc == -EAGAIN);
    }
    g_free(payload);
}

static void test_sctp_destroy_with_packets_queued_sends_nothing_more(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    unsigned sent_before = pair.a.packets_sent;
    /* The sends queue packets and schedule a dispatch; destroy comes before it runs. */
    send_burst(&pair.a, id, 30, 8 * 1024);
    send_burst(&pair.b, id, 5, 1000);
    pair_destroy_peer(&pair.a);
    pair_pump_for(&pair, 50);
    g_assert_cmpuint(pair.a.packets_sent, ==, sent_before);
    g_assert_cmpuint(pair.a.callbacks_after_destroy, ==, 0);
    g_assert_cmpuint(pair.b.messages->len, ==, 0);
    pair_finish(&pair);
}

static void test_sctp_destroy_mid_transfer_stops_callbacks(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    send_burst(&pair.a, id, 40, 16 * 1024);
    send_burst(&pair.b, id, 40, 16 * 1024);
    PUMP_UNTIL(&pair, pair.b.messages->len >= 3);
    pair_destroy_peer(&pair.b);
    pair_pump_for(&pair, 100);
    g_assert_cmpuint(pair.b.callbacks_after_destroy, ==, 0);
    g_assert_false(pair.a.lost); /* A only stops hearing from B */
    pair_finish(&pair);
}

static void test_sctp_destroy_from_message_callback_stops_callbacks(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    pair.b.destroy_on_message = true;
    for (int i = 0; i < 5; i++)
        g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"bye", 3), ==, 0);
    PUMP_UNTIL(&pair, pair.b.destroyed);
    pair_pump_for(&pair, 50);
    g_assert_cmpuint(pair.b.messages->len, ==, 1);
    g_assert_cmpuint(pair.b.callbacks_after_destroy, ==, 0);
    pair_finish(&pair);
}

static const struct seen_chunk *last_data(const struct sctp_peer *peer)
{
    g_assert_cmpuint(peer->chunks->len, >, 0);
    return &g_array_index(peer->chunks, struct seen_chunk, peer->chunks->len - 1);
}

/* Sends raw bytes from A through its real SCTP socket, bypassing the channel layer, as a
 * misbehaving peer would. */
static void send_raw(struct sctp_pair *pair, uint16_t stream, uint32_t ppid, const uint8_t *data,
                     size_t len)
{
    struct sctp_transport transport = sctp_socket_transport(pair->a.assoc);
    struct sctp_outgoing message = {
        .stream_id = stream,
        .ppid = ppid,
        .reliability = PRISM_SCTP_RELIABLE,
        .data = data,
        .len = len,
    };
    g_assert_cmpint(transport.send(transport.ctx, &message), ==, 0);
}

static void test_sctp_garbage_and_malformed_input_are_survived(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"one", 3), ==, 0);
    PUMP_UNTIL(&pair, pair.b.messages->len == 1);

    uint8_t noise[2000];
    for (size_t i = 0; i < sizeof(noise); i++)
        noise[i] = (uint8_t)g_test_rand_int_range(0, 256);
    g_assert_cmpint(prism_sctp_receive(pair.b.assoc, NULL, 0), ==, -EBADMSG);
    g_assert_cmpint(prism_sctp_receive(pair.b.assoc, noise, 5), ==, -EBADMSG);
    /* Noise is mostly refused by the framing check; what passes it, usrsctp drops. */
    for (size_t len = 12; len <= sizeof(noise); len += 97) {
        int rc = prism_sctp_receive(pair.b.assoc, noise, len);
        g_assert_true(rc == 0 || rc == -EBADMSG);
    }
    static const uint8_t zeros[12] = {0};
    g_assert_cmpint(prism_sctp_receive(pair.b.assoc, zeros, sizeof(zeros)), ==, -EBADMSG);
    /* A valid checksum around a chunk longer than the packet. */
    static const uint8_t overlong[] = {0, 3, 0x40, 0, 1, 2, 3, 4};
    g_assert_cmpint(pair_inject(&pair.b, overlong, sizeof(overlong)), ==, -EBADMSG);
    /* A well-framed chunk of an unknown type (high bits 01: drop the packet, report it). */
    static const uint8_t unknown[] = {0x7f, 0, 0, 8, 1, 2, 3, 4};
    g_assert_cmpint(pair_inject(&pair.b, unknown, sizeof(unknown)), ==, 0);
    /* From the peer over SCTP: a truncated DCEP OPEN, an OPEN with a label running past its
     * end, an unknown DCEP type, a stray ACK, text on a stream with no channel, an unknown
     * PPID, and a second OPEN on a stream in use. */
    static const uint8_t truncated_open[] = {0x03, 0x00, 0x01};
    static const uint8_t overlong_label[] = {0x03, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x09, 0, 0, 'a'};
    static const uint8_t unknown_type[] = {0x07};
    static const uint8_t ack[] = {0x02};
    static const uint8_t reopen[] = {0x03, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 'x'};
    send_raw(&pair, 5, 50, truncated_open, sizeof(truncated_open));
    send_raw(&pair, 5, 50, overlong_label, sizeof(overlong_label));
    send_raw(&pair, 5, 50, unknown_type, sizeof(unknown_type));
    send_raw(&pair, 9, 50, ack, sizeof(ack));
    send_raw(&pair, 7, 51, (const uint8_t *)"stray", 5);
    send_raw(&pair, id, 99, (const uint8_t *)"what", 4);
    send_raw(&pair, id, 50, reopen, sizeof(reopen));
    pair_pump_for(&pair, 20);
    g_assert_cmpuint(pair.b.opened->len, ==, 1);
    g_assert_cmpuint(pair.b.messages->len, ==, 1);

    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"two", 3), ==, 0);
    g_assert_cmpint(prism_sctp_send(pair.b.assoc, id, false, (const uint8_t *)"back", 4), ==, 0);
    PUMP_UNTIL(&pair, pair.b.messages->len == 2 && pair.a.messages->len == 1);
    assert_bytes(message_at(&pair.b, 1)->data, "two", 3);
    g_assert_false(pair.a.lost || pair.b.lost);
    pair_finish(&pair);
}

static void test_sctp_protocol_violation_by_peer_aborts_cleanly(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    /* A DATA chunk without user data: RFC 9260 section 6.2 has the receiver abort. */
    static const uint8_t empty_data[16] = {0, 3, 0, 16};
    uint8_t chunk[16];
    memcpy(chunk, empty_data, sizeof(chunk));
    uint32_t tsn = last_data(&pair.a)->tsn + 1;
    chunk[4] = (uint8_t)(tsn >> 24);
    chunk[5] = (uint8_t)(tsn >> 16);
    chunk[6] = (uint8_t)(tsn >> 8);
    chunk[7] = (uint8_t)tsn;
    g_assert_cmpint(pair_inject(&pair.b, chunk, sizeof(chunk)), ==, 0);
    /* B aborts; its ABORT reaches A, and both report their channel closed. */
    PUMP_UNTIL(&pair, pair.a.lost && pair.b.lost);
    g_assert_cmpuint(pair.a.closed_before_lost, ==, 1);
    g_assert_cmpuint(pair.b.closed_before_lost, ==, 1);
    g_assert_cmpuint(g_array_index(pair.b.closed, uint16_t, 0), ==, id);
    pair_finish(&pair);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sctp/robustness/peer_abort",
                    test_sctp_peer_abort_closes_channels_then_loses_association);
    g_test_add_func("/sctp/robustness/destroy_with_queued_packets",
                    test_sctp_destroy_with_packets_queued_sends_nothing_more);
    g_test_add_func("/sctp/robustness/destroy_mid_transfer",
                    test_sctp_destroy_mid_transfer_stops_callbacks);
    g_test_add_func("/sctp/robustness/destroy_from_callback",
                    test_sctp_destroy_from_message_callback_stops_callbacks);
    g_test_add_func("/sctp/robustness/garbage", test_sctp_garbage_and_malformed_input_are_survived);
    g_test_add_func("/sctp/robustness/protocol_violation",
                    test_sctp_protocol_violation_by_peer_aborts_cleanly);
    return g_test_run();
}
