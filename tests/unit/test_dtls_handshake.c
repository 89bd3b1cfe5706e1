/* DTLS engine: handshakes between two in-memory engines, DTLS-SRTP key export,
 * fingerprint checks, bad input, MTU, application data and close. */
#include "dtls_pair.h"

#include "media/srtp/srtp.h"

#include <errno.h>

static void fill_rtp(uint8_t *packet, size_t len, uint16_t seq, uint32_t ssrc)
{
    memset(packet, 0, len);
    packet[0] = 0x80;
    packet[1] = 96;
    packet[2] = (uint8_t)(seq >> 8);
    packet[3] = (uint8_t)seq;
    packet[8] = (uint8_t)(ssrc >> 24);
    packet[9] = (uint8_t)(ssrc >> 16);
    packet[10] = (uint8_t)(ssrc >> 8);
    packet[11] = (uint8_t)ssrc;
    for (size_t i = 12; i < len; i++)
        packet[i] = (uint8_t)(i * 7);
}

static void test_dtls_handshake_connects_and_exports_matching_keys(void)
{
    struct dtls_pair pair;
    dtls_pair_init(&pair);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_NEW);
    g_assert_null(prism_dtls_cipher(pair.client));
    dtls_pair_connect(&pair);
    g_assert_null(prism_dtls_failure_reason(pair.client));
    g_assert_cmpstr(prism_dtls_cipher(pair.client), ==, "ECDHE-ECDSA-AES128-GCM-SHA256");
    g_assert_cmpstr(prism_dtls_cipher(pair.server), ==, "ECDHE-ECDSA-AES128-GCM-SHA256");

    struct prism_srtp_keys c, s;
    g_assert_cmpint(prism_dtls_srtp_keys(pair.client, &c), ==, 0);
    g_assert_cmpint(prism_dtls_srtp_keys(pair.server, &s), ==, 0);
    g_assert_cmpint(c.profile, ==, PRISM_SRTP_AEAD_AES_128_GCM);
    g_assert_cmpint(s.profile, ==, PRISM_SRTP_AEAD_AES_128_GCM);
    g_assert_cmpuint(c.key_len, ==, 16);
    g_assert_cmpuint(c.salt_len, ==, 12);
    /* What one side sends with, the other receives with. */
    g_assert_cmpmem(c.local_key, 16, s.remote_key, 16);
    g_assert_cmpmem(c.remote_key, 16, s.local_key, 16);
    g_assert_cmpmem(c.local_salt, 12, s.remote_salt, 12);
    g_assert_cmpmem(c.remote_salt, 12, s.local_salt, 12);
    g_assert_true(memcmp(c.local_key, c.remote_key, 16) != 0);
    /* The client received the last flight: nothing left to retransmit. */
    g_assert_cmpuint(prism_dtls_next_timeout(pair.client), ==, PRISM_DTLS_NO_TIMEOUT);
    dtls_pair_clear(&pair);
}

static void round_trip_rtp(struct prism_srtp *sender, struct prism_srtp *receiver, uint16_t seq)
{
    uint8_t original[1200], packet[1200 + PRISM_SRTP_MAX_RTP_OVERHEAD];
    fill_rtp(original, sizeof(original), seq, 0x11223344);
    memcpy(packet, original, sizeof(original));
    size_t len = 0;
    g_assert_cmpint(prism_srtp_protect_rtp(sender, packet, sizeof(original), sizeof(packet), &len),
                    ==, PRISM_SRTP_OK);
    g_assert_cmpuint(len, ==, sizeof(original) + 16);
    g_assert_true(memcmp(packet + 12, original + 12, 100) != 0);
    g_assert_cmpint(prism_srtp_unprotect_rtp(receiver, packet, len, &len), ==, PRISM_SRTP_OK);
    g_assert_cmpmem(packet, len, original, sizeof(original));
}

static void round_trip_rtcp(struct prism_srtp *sender, struct prism_srtp *receiver)
{
    /* A receiver report with one report block. */
    uint8_t original[32] = {0x81, 201, 0x00, 0x07, 0xde, 0xad, 0xbe, 0xef, 0x11, 0x22, 0x33, 0x44};
    uint8_t packet[32 + PRISM_SRTP_MAX_RTCP_OVERHEAD];
    memcpy(packet, original, sizeof(original));
    size_t len = 0;
    g_assert_cmpint(prism_srtp_protect_rtcp(sender, packet, sizeof(original), sizeof(packet), &len),
                    ==, PRISM_SRTP_OK);
    g_assert_cmpuint(len, ==, sizeof(original) + 20);
    g_assert_cmpint(prism_srtp_unprotect_rtcp(receiver, packet, len, &len), ==, PRISM_SRTP_OK);
    g_assert_cmpmem(packet, len, original, sizeof(original));
}

static void test_dtls_exported_keys_round_trip_srtp_both_ways(void)
{
    struct dtls_pair pair;
    dtls_pair_init(&pair);
    dtls_pair_connect(&pair);
    struct prism_srtp_keys keys;
    struct prism_srtp *client, *server;
    g_assert_cmpint(prism_dtls_srtp_keys(pair.client, &keys), ==, 0);
    g_assert_cmpint(prism_srtp_new(&client, &keys, NULL), ==, 0);
    g_assert_cmpint(prism_dtls_srtp_keys(pair.server, &keys), ==, 0);
    g_assert_cmpint(prism_srtp_new(&server, &keys, NULL), ==, 0);

    round_trip_rtp(client, server, 1);
    round_trip_rtp(server, client, 500);
    round_trip_rtcp(client, server);
    round_trip_rtcp(server, client);

    prism_srtp_free(client);
    prism_srtp_free(server);
    dtls_pair_clear(&pair);
}

static void test_dtls_accepts_other_fingerprint_algorithms(void)
{
    struct dtls_pair pair;
    dtls_pair_init(&pair);
    struct prism_dtls_fingerprint sha512, sha1;
    g_assert_cmpint(
        prism_dtls_fingerprint_of_x509(&sha512, prism_dtls_cert_x509(pair.server_cert), "sha-512"),
        ==, 0);
    g_assert_cmpint(
        prism_dtls_fingerprint_of_x509(&sha1, prism_dtls_cert_x509(pair.client_cert), "SHA-1"), ==,
        0);
    struct prism_dtls *client, *server;
    g_assert_cmpint(prism_dtls_new(&client, pair.client_ctx, PRISM_DTLS_ROLE_CLIENT, &sha512), ==,
                    0);
    g_assert_cmpint(prism_dtls_new(&server, pair.server_ctx, PRISM_DTLS_ROLE_SERVER, &sha1), ==, 0);
    prism_dtls_free(pair.client);
    prism_dtls_free(pair.server);
    pair.client = client;
    pair.server = server;
    dtls_pair_connect(&pair);
    dtls_pair_clear(&pair);
}

static struct prism_dtls_fingerprint wrong_fingerprint(void)
{
    struct prism_dtls_fingerprint fp;
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "sha-256",
                                                 "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                                 "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"),
                    ==, 0);
    return fp;
}

static void test_dtls_client_rejects_server_with_wrong_fingerprint(void)
{
    struct dtls_pair pair;
    struct prism_dtls_fingerprint wrong = wrong_fingerprint();
    dtls_pair_init_with(&pair, NULL, &wrong, NULL);
    dtls_pair_start(&pair);
    dtls_pair_run(&pair, 1200);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_FAILED);
    g_assert_nonnull(strstr(prism_dtls_failure_reason(pair.client), "fingerprint"));
    /* The alert reached the server, which gives up too. */
    g_assert_cmpint(prism_dtls_state(pair.server), ==, PRISM_DTLS_STATE_FAILED);
    g_assert_nonnull(strstr(prism_dtls_failure_reason(pair.server), "bad certificate"));
    struct prism_srtp_keys keys;
    g_assert_cmpint(prism_dtls_srtp_keys(pair.client, &keys), ==, -ENOTCONN);
    g_assert_cmpuint(prism_dtls_next_timeout(pair.client), ==, PRISM_DTLS_NO_TIMEOUT);
    uint8_t byte = 22;
    g_assert_cmpint(prism_dtls_receive(pair.client, &byte, 1, pair.now), ==, -ENOTCONN);
    dtls_pair_clear(&pair);
}

static void test_dtls_server_rejects_client_with_wrong_fingerprint(void)
{
    struct dtls_pair pair;
    struct prism_dtls_fingerprint wrong = wrong_fingerprint();
    dtls_pair_init_with(&pair, NULL, NULL, &wrong);
    dtls_pair_start(&pair);
    dtls_pair_run(&pair, 1200);
    g_assert_cmpint(prism_dtls_state(pair.server), ==, PRISM_DTLS_STATE_FAILED);
    g_assert_nonnull(strstr(prism_dtls_failure_reason(pair.server), "fingerprint"));
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_FAILED);
    dtls_pair_clear(&pair);
}

static void test_dtls_fingerprint_with_other_algorithm_does_not_match(void)
{
    /* The right digest labelled with another algorithm must not pass. */
    struct dtls_pair pair;
    dtls_pair_init(&pair);
    struct prism_dtls_fingerprint relabelled = *prism_dtls_cert_fingerprint(pair.server_cert);
    memcpy(relabelled.algorithm, "sha-1", 6);
    prism_dtls_free(pair.client);
    g_assert_cmpint(
        prism_dtls_new(&pair.client, pair.client_ctx, PRISM_DTLS_ROLE_CLIENT, &relabelled), ==, 0);
    dtls_pair_start(&pair);
    dtls_pair_run(&pair, 1200);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_FAILED);
    dtls_pair_clear(&pair);
}

/* Datagrams that are not DTLS, or whose records are cut or corrupted. */
static void feed_garbage(struct prism_dtls *conn, const uint8_t *client_hello, size_t hello_len,
                         uint64_t now)
{
    uint8_t junk[300];
    GRand *rand = g_rand_new_with_seed(7);
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)g_rand_int(rand);
    g_rand_free(rand);

    junk[0] = 0x80; /* RTP, not DTLS */
    g_assert_cmpint(prism_dtls_receive(conn, junk, sizeof(junk), now), ==, -EBADMSG);
    g_assert_cmpint(prism_dtls_receive(conn, junk, 0, now), ==, -EBADMSG);
    junk[0] = 22;
    g_assert_cmpint(prism_dtls_receive(conn, junk, 12, now), ==, -EBADMSG);
    /* Handshake content type with random version, epoch and lengths. */
    g_assert_cmpint(prism_dtls_receive(conn, junk, sizeof(junk), now), ==, 0);
    /* A plausible header whose length runs past the datagram. */
    uint8_t header[13] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0x01, 0x00};
    g_assert_cmpint(prism_dtls_receive(conn, header, sizeof(header), now), ==, 0);
    /* The real ClientHello cut at several places, and with a byte flipped in
     * its record length. */
    for (size_t cut = 13; cut < hello_len; cut += 37)
        g_assert_cmpint(prism_dtls_receive(conn, client_hello, cut, now), ==, 0);
    uint8_t bent[1200];
    memcpy(bent, client_hello, hello_len);
    bent[11] ^= 0x40;
    g_assert_cmpint(prism_dtls_receive(conn, bent, hello_len, now), ==, 0);
}

static void test_dtls_garbage_does_not_break_a_later_handshake(void)
{
    struct dtls_pair pair;
    dtls_pair_init(&pair);
    dtls_pair_start(&pair);
    uint8_t hello[1200];
    int hello_len = prism_dtls_poll_output(pair.client, hello, sizeof(hello));
    g_assert_cmpint(hello_len, >, 13);
    g_assert_cmpint(hello[0], ==, 22);
    g_assert_cmpint(prism_dtls_poll_output(pair.client, hello + 600, 600), ==, 0);

    feed_garbage(pair.server, hello, (size_t)hello_len, pair.now);
    g_assert_cmpint(prism_dtls_state(pair.server), ==, PRISM_DTLS_STATE_CONNECTING);
    g_assert_cmpint(prism_dtls_receive(pair.server, hello, (size_t)hello_len, pair.now), ==, 0);
    /* The server's flight reaches the client after more garbage. */
    feed_garbage(pair.client, hello, (size_t)hello_len, pair.now);
    dtls_pair_run(&pair, 1200);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_CONNECTED);
    g_assert_cmpint(prism_dtls_state(pair.server), ==, PRISM_DTLS_STATE_CONNECTED);
    dtls_pair_clear(&pair);
}

static void test_dtls_malformed_client_hello_fails_with_local_reason(void)
{
    /* A well-formed record carrying a ClientHello whose body is junk: unlike
     * noise, this is a protocol error and ends the handshake, as in any DTLS
     * stack; the peer is told with an alert and the cause is ours, not its. */
    struct dtls_pair pair;
    dtls_pair_init(&pair);
    dtls_pair_start(&pair);
    /* Record header: handshake, DTLS 1.2, epoch 0, sequence 0, length 22. */
    uint8_t record[35] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 22};
    /* ClientHello of length 10, message 0, one fragment 0..10. */
    static const uint8_t hello_header[12] = {1, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 10};
    memcpy(record + 13, hello_header, sizeof(hello_header));
    memset(record + 25, 0xab, 10);
    g_assert_cmpint(prism_dtls_receive(pair.server, record, sizeof(record), pair.now), ==, -EPROTO);
    g_assert_cmpint(prism_dtls_state(pair.server), ==, PRISM_DTLS_STATE_FAILED);
    const char *reason = prism_dtls_failure_reason(pair.server);
    g_assert_nonnull(strstr(reason, "handshake: "));
    g_assert_null(strstr(reason, "peer sent"));
    uint8_t alert[1200];
    g_assert_cmpint(prism_dtls_poll_output(pair.server, alert, sizeof(alert)), >, 13);
    g_assert_cmpint(alert[0], ==, 21); /* alert record */
    dtls_pair_clear(&pair);
}

static unsigned server_datagrams_with_mtu(size_t mtu)
{
    struct dtls_pair pair;
    struct prism_dtls_config config = {.mtu = mtu};
    dtls_pair_init_with(&pair, &config, NULL, NULL);
    dtls_pair_start(&pair);
    dtls_pair_run(&pair, mtu);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_CONNECTED);
    g_assert_cmpint(prism_dtls_state(pair.server), ==, PRISM_DTLS_STATE_CONNECTED);
    unsigned count = pair.sent_by_server;
    dtls_pair_clear(&pair);
    return count;
}

static void test_dtls_flights_respect_a_small_mtu(void)
{
    /* dtls_pair_run asserts every datagram fits the MTU. */
    unsigned at_1200 = server_datagrams_with_mtu(1200);
    unsigned at_256 = server_datagrams_with_mtu(256);
    g_assert_cmpuint(at_256, >, at_1200);
}

static void test_dtls_application_data_flows_both_ways(void)
{
    struct dtls_pair pair;
    dtls_pair_init(&pair);
    uint8_t msg[1163], buf[2048];
    memset(msg, 0x5a, sizeof(msg));
    g_assert_cmpint(prism_dtls_send_app(pair.client, msg, 10), ==, -ENOTCONN);
    g_assert_cmpuint(prism_dtls_app_mtu(pair.client), ==, 0);
    dtls_pair_connect(&pair);

    /* 1200 minus record header (13), GCM explicit nonce (8) and tag (16). */
    g_assert_cmpuint(prism_dtls_app_mtu(pair.client), ==, 1163);
    g_assert_cmpint(prism_dtls_send_app(pair.client, msg, sizeof(msg)), ==, 0);
    g_assert_cmpint(prism_dtls_send_app(pair.client, (const uint8_t *)"second", 6), ==, 0);
    g_assert_cmpint(prism_dtls_send_app(pair.client, buf, 1164), ==, -EMSGSIZE);
    g_assert_cmpint(prism_dtls_send_app(pair.client, buf, 0), ==, -EMSGSIZE);
    g_assert_cmpuint(dtls_move(pair.client, pair.server, pair.now, 1200), ==, 2);
    g_assert_cmpint(prism_dtls_poll_app(pair.server, buf, 100), ==, -EMSGSIZE);
    g_assert_cmpint(prism_dtls_poll_app(pair.server, buf, sizeof(buf)), ==, (int)sizeof(msg));
    g_assert_cmpmem(buf, sizeof(msg), msg, sizeof(msg));
    g_assert_cmpint(prism_dtls_poll_app(pair.server, buf, sizeof(buf)), ==, 6);
    g_assert_cmpmem(buf, 6, "second", 6);
    g_assert_cmpint(prism_dtls_poll_app(pair.server, buf, sizeof(buf)), ==, 0);

    g_assert_cmpint(prism_dtls_send_app(pair.server, (const uint8_t *)"reply", 5), ==, 0);
    g_assert_cmpuint(dtls_move(pair.server, pair.client, pair.now, 1200), ==, 1);
    g_assert_cmpint(prism_dtls_poll_app(pair.client, buf, sizeof(buf)), ==, 5);
    g_assert_cmpmem(buf, 5, "reply", 5);
    dtls_pair_clear(&pair);
}

static void test_dtls_close_notify_closes_the_peer(void)
{
    struct dtls_pair pair;
    dtls_pair_init(&pair);
    dtls_pair_connect(&pair);
    prism_dtls_close(pair.client);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_CLOSED);
    g_assert_cmpuint(dtls_move(pair.client, pair.server, pair.now, 1200), ==, 1);
    g_assert_cmpint(prism_dtls_state(pair.server), ==, PRISM_DTLS_STATE_CLOSED);
    g_assert_null(prism_dtls_failure_reason(pair.server));
    /* The server answers with its own close_notify. */
    g_assert_cmpuint(dtls_drop(pair.server), ==, 1);
    g_assert_cmpint(prism_dtls_send_app(pair.server, (const uint8_t *)"late", 4), ==, -ENOTCONN);
    prism_dtls_close(pair.client);
    g_assert_cmpuint(dtls_drop(pair.client), ==, 0);
    dtls_pair_clear(&pair);
}

static void test_dtls_refuses_datagrams_before_start(void)
{
    struct dtls_pair pair;
    dtls_pair_init(&pair);
    uint8_t record[20] = {22, 0xfe, 0xfd};
    g_assert_cmpint(prism_dtls_receive(pair.server, record, sizeof(record), 0), ==, -ENOTCONN);
    g_assert_cmpint(prism_dtls_start(pair.server, 0), ==, 0);
    g_assert_cmpint(prism_dtls_start(pair.server, 0), ==, -EALREADY);
    /* A server sends nothing until it hears a ClientHello. */
    g_assert_cmpuint(dtls_drop(pair.server), ==, 0);
    g_assert_cmpuint(prism_dtls_next_timeout(pair.server), ==, PRISM_DTLS_NO_TIMEOUT);
    dtls_pair_clear(&pair);
}

static void test_dtls_poll_output_keeps_datagram_for_a_bigger_buffer(void)
{
    struct dtls_pair pair;
    dtls_pair_init(&pair);
    dtls_pair_start(&pair);
    uint8_t buf[1200];
    g_assert_cmpint(prism_dtls_poll_output(pair.client, buf, 20), ==, -EMSGSIZE);
    int len = prism_dtls_poll_output(pair.client, buf, sizeof(buf));
    g_assert_cmpint(len, >, 20);
    g_assert_cmpint(buf[0], ==, 22);                     /* handshake record */
    g_assert_cmpint(buf[1] << 8 | buf[2], ==, 0xfeff);   /* record version DTLS 1.0 */
    g_assert_cmpint(buf[13], ==, 1);                     /* ClientHello */
    g_assert_cmpint(buf[25] << 8 | buf[26], ==, 0xfefd); /* client_version DTLS 1.2 */
    g_assert_cmpint(prism_dtls_poll_output(pair.client, buf, sizeof(buf)), ==, 0);
    /* The ClientHello's retransmission is due after the initial 1 s. */
    g_assert_cmpuint(prism_dtls_next_timeout(pair.client), >, pair.now + 500000);
    g_assert_cmpuint(prism_dtls_next_timeout(pair.client), <=, pair.now + 1000000);
    dtls_pair_clear(&pair);
}

static void test_dtls_context_rejects_bad_config(void)
{
    struct prism_dtls_cert *cert;
    struct prism_dtls_context *ctx = NULL;
    g_assert_cmpint(prism_dtls_cert_generate(&cert, NULL), ==, 0);
    struct prism_dtls_config small_mtu = {.mtu = 100};
    g_assert_cmpint(prism_dtls_context_new(&ctx, cert, &small_mtu), ==, -EINVAL);
    struct prism_dtls_config inverted = {.initial_timeout_us = 5000000, .max_timeout_us = 1000000};
    g_assert_cmpint(prism_dtls_context_new(&ctx, cert, &inverted), ==, -EINVAL);
    g_assert_null(ctx);
    g_assert_cmpint(prism_dtls_context_new(&ctx, cert, NULL), ==, 0);
    struct prism_dtls *conn = NULL;
    struct prism_dtls_fingerprint empty = {.len = 0};
    g_assert_cmpint(prism_dtls_new(&conn, ctx, PRISM_DTLS_ROLE_CLIENT, &empty), ==, -EINVAL);
    g_assert_null(conn);
    prism_dtls_context_unref(ctx);
    prism_dtls_cert_unref(cert);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dtls/handshake/connects-and-exports-matching-keys",
                    test_dtls_handshake_connects_and_exports_matching_keys);
    g_test_add_func("/dtls/handshake/exported-keys-round-trip-srtp-both-ways",
                    test_dtls_exported_keys_round_trip_srtp_both_ways);
    g_test_add_func("/dtls/handshake/accepts-other-fingerprint-algorithms",
                    test_dtls_accepts_other_fingerprint_algorithms);
    g_test_add_func("/dtls/handshake/client-rejects-server-with-wrong-fingerprint",
                    test_dtls_client_rejects_server_with_wrong_fingerprint);
    g_test_add_func("/dtls/handshake/server-rejects-client-with-wrong-fingerprint",
                    test_dtls_server_rejects_client_with_wrong_fingerprint);
    g_test_add_func("/dtls/handshake/fingerprint-with-other-algorithm-does-not-match",
                    test_dtls_fingerprint_with_other_algorithm_does_not_match);
    g_test_add_func("/dtls/handshake/garbage-does-not-break-a-later-handshake",
                    test_dtls_garbage_does_not_break_a_later_handshake);
    g_test_add_func("/dtls/handshake/malformed-client-hello-fails-with-local-reason",
                    test_dtls_malformed_client_hello_fails_with_local_reason);
    g_test_add_func("/dtls/handshake/flights-respect-a-small-mtu",
                    test_dtls_flights_respect_a_small_mtu);
    g_test_add_func("/dtls/handshake/application-data-flows-both-ways",
                    test_dtls_application_data_flows_both_ways);
    g_test_add_func("/dtls/handshake/close-notify-closes-the-peer",
                    test_dtls_close_notify_closes_the_peer);
    g_test_add_func("/dtls/handshake/refuses-datagrams-before-start",
                    test_dtls_refuses_datagrams_before_start);
    g_test_add_func("/dtls/handshake/poll-output-keeps-datagram-for-a-bigger-buffer",
                    test_dtls_poll_output_keeps_datagram_for_a_bigger_buffer);
    g_test_add_func("/dtls/handshake/context-rejects-bad-config",
                    test_dtls_context_rejects_bad_config);
    return g_test_run();
}
