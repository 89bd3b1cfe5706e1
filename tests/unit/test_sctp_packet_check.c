/* The framing check run on every inbound SCTP packet (media/sctp/packet_check.h): packets
 * usrsctp and RFC 9260 produce pass, malformed chunk and INIT parameter lengths are refused,
 * and a live association drops the fuzzer's INIT that made usrsctp loop forever. */
#include "sctp_pair.h"

#include "media/sctp/packet_check.h"

#include <errno.h>

static const struct prism_sctp_channel_options chat = {.label = "chat", .ordered = true};

/* An INIT as usrsctp sends it: Forward-TSN-Supported, Supported Extensions (7 bytes, padded),
 * Random, HMAC-Algo (6 bytes, padded) and Chunk List parameters. */
static const uint8_t usrsctp_init_packet[92] = {
    0x13, 0x88, 0x13, 0x88, 0x00, 0x00, 0x00, 0x00, 0x74, 0xda, 0xeb, 0x4d, 0x01, 0x00, 0x00, 0x50,
    0x42, 0x6d, 0x58, 0x67, 0x00, 0x10, 0x00, 0x00, 0x04, 0x00, 0x04, 0x00, 0x8e, 0xc7, 0xcd, 0xac,
    0xc0, 0x00, 0x00, 0x04, 0x80, 0x08, 0x00, 0x07, 0xc0, 0x0f, 0x82, 0x00, 0x80, 0x02, 0x00, 0x24,
    0x47, 0xd5, 0x5d, 0xbc, 0xab, 0x36, 0x8e, 0x42, 0x2c, 0x39, 0xfe, 0xe2, 0x73, 0x87, 0x60, 0x42,
    0x78, 0x77, 0x64, 0x68, 0x62, 0x42, 0xda, 0x55, 0xbe, 0x27, 0x39, 0x84, 0xbc, 0x66, 0x71, 0x8f,
    0x80, 0x04, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x80, 0x03, 0x00, 0x04,
};

/* The fuzzer's input (tests/fuzz/corpus/sctp/regress-init-zero-length-param without its mode
 * byte): the same INIT with the Random value mutated so that the parameter at offset 80 reads
 * type 0x7704, length 0. usrsctp's walk in sctp_are_there_new_addresses() adds the padded
 * length, 0, to its offset and reads the same header again, forever. */
static const uint8_t zero_length_param_init[92] = {
    0x88, 0x13, 0x01, 0x88, 0x00, 0x00, 0x00, 0x00, 0x74, 0xda, 0xeb, 0x4d, 0x01, 0x00, 0x00, 0x50,
    0x42, 0x6d, 0x58, 0x67, 0x00, 0x10, 0x00, 0x00, 0x04, 0x00, 0x04, 0x00, 0x8e, 0xc7, 0xcd, 0xac,
    0xc0, 0x00, 0x00, 0x04, 0x80, 0x08, 0x00, 0x07, 0xc0, 0x0f, 0x82, 0x00, 0x80, 0x02, 0x00, 0x24,
    0x47, 0xd5, 0x5d, 0xbc, 0xab, 0x36, 0x8e, 0x42, 0x2c, 0x74, 0x20, 0x6f, 0x6e, 0x65, 0x20, 0x00,
    0x00, 0x13, 0x00, 0x08, 0x70, 0x61, 0x72, 0x8e, 0xdf, 0x8c, 0xb5, 0xa8, 0x00, 0x03, 0x00, 0x74,
    0x77, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x80, 0x03, 0x00, 0x04,
};

/* A DATA chunk of 21 bytes ("hello", PPID 51) and its 3 bytes of padding. */
static const uint8_t data_packet[36] = {
    0x13, 0x88, 0x13, 0x88, 0xc3, 0x4a, 0x2b, 0xc6, 0xcd, 0xd9, 0x2d, 0x83,
    0x00, 0x03, 0x00, 0x15, 0x8e, 0xc7, 0xcd, 0xad, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x33, 'h',  'e',  'l',  'l',  'o',  0x00, 0x00, 0x00,
};

/* A SACK (cumulative TSN, a_rwnd, no gaps) bundled before the DATA chunk. */
static const uint8_t sack_chunk[16] = {0x03, 0x00, 0x00, 0x10, 0xa0, 0xef, 0x21, 0x8f,
                                       0x00, 0x0f, 0xfe, 0xff, 0x00, 0x00, 0x00, 0x00};

/* A RE-CONFIG with an 18-byte Outgoing SSN Reset Request, the chunk padded to 24. */
static const uint8_t reconfig_packet[36] = {
    0x13, 0x88, 0x13, 0x88, 0xc3, 0x4a, 0x2b, 0xc6, 0x59, 0xf9, 0x6e, 0xa4,
    0x82, 0x00, 0x00, 0x16, 0x00, 0x0d, 0x00, 0x12, 0x8e, 0xc7, 0xcd, 0xac,
    0xa0, 0xef, 0x21, 0x8e, 0x8e, 0xc7, 0xcd, 0xb1, 0x00, 0x00, 0x00, 0x00,
};

static void put16(uint8_t *p, size_t value)
{
    p[0] = (uint8_t)(value >> 8);
    p[1] = (uint8_t)value;
}

/* An INIT (or another chunk type) at offset 12 with the given bytes after its fixed part;
 * returns the packet length, the chunk padded to 4 unless told otherwise. */
static size_t make_init(uint8_t *packet, uint8_t type, const uint8_t *params, size_t params_len,
                        bool pad)
{
    static const uint8_t fixed[20] = {0x01, 0, 0,    0, 0x11, 0x22, 0x33, 0x44, 0, 1,
                                      0,    0, 0x04, 0, 0x04, 0,    0,    0,    0, 1};
    memset(packet, 0, 12);
    memcpy(packet + 12, fixed, sizeof(fixed));
    packet[12] = type;
    if (params_len > 0)
        memcpy(packet + 32, params, params_len);
    size_t chunk_len = 20 + params_len;
    put16(packet + 14, chunk_len);
    size_t len = 12 + chunk_len;
    if (pad) {
        while (len % 4)
            packet[len++] = 0;
    }
    return len;
}

static void test_sctp_packet_check_rejects_init_with_zero_length_parameter(void)
{
    g_assert_cmpint(prism_sctp_packet_check(zero_length_param_init, sizeof(zero_length_param_init)),
                    ==, PRISM_SCTP_PACKET_PARAM_LENGTH);
}

static void test_sctp_packet_check_accepts_usrsctp_init(void)
{
    g_assert_cmpint(prism_sctp_packet_check(usrsctp_init_packet, sizeof(usrsctp_init_packet)), ==,
                    PRISM_SCTP_PACKET_OK);
    /* The same INIT as an INIT ACK would be framed alike. */
    uint8_t ack[sizeof(usrsctp_init_packet)];
    memcpy(ack, usrsctp_init_packet, sizeof(ack));
    ack[12] = 0x02;
    g_assert_cmpint(prism_sctp_packet_check(ack, sizeof(ack)), ==, PRISM_SCTP_PACKET_OK);
}

static void test_sctp_packet_check_accepts_init_with_unpadded_last_parameter(void)
{
    /* IPv4 Address 192.0.2.1, then Supported Address Types (IPv4) of 6 bytes: the chunk
     * length leaves out the last parameter's padding (RFC 9260 3.2). */
    static const uint8_t params[] = {0x00, 0x05, 0x00, 0x08, 192,  0,    2,
                                     1,    0x00, 0x0c, 0x00, 0x06, 0x00, 0x05};
    uint8_t packet[64];
    size_t len = make_init(packet, 0x01, params, sizeof(params), true);
    g_assert_cmpuint(len, ==, 48);
    g_assert_cmpint(prism_sctp_packet_check(packet, len), ==, PRISM_SCTP_PACKET_OK);
    len = make_init(packet, 0x01, params, sizeof(params), false);
    g_assert_cmpuint(len, ==, 46);
    g_assert_cmpint(prism_sctp_packet_check(packet, len), ==, PRISM_SCTP_PACKET_OK);
    /* No parameters at all. */
    len = make_init(packet, 0x01, NULL, 0, true);
    g_assert_cmpint(prism_sctp_packet_check(packet, len), ==, PRISM_SCTP_PACKET_OK);
}

static void test_sctp_packet_check_rejects_parameter_lengths_below_header(void)
{
    uint8_t packet[64];
    for (size_t param_len = 0; param_len < 4; param_len++) {
        /* Alone, and after a valid Forward-TSN-Supported parameter, in INIT and INIT ACK. */
        uint8_t alone[8] = {0x80, 0x00, 0, 0, 0, 0, 0, 0};
        uint8_t second[12] = {0xc0, 0x00, 0x00, 0x04, 0x80, 0x00, 0, 0, 0, 0, 0, 0};
        put16(alone + 2, param_len);
        put16(second + 6, param_len);
        for (uint8_t type = 1; type <= 2; type++) {
            size_t len = make_init(packet, type, alone, sizeof(alone), true);
            g_assert_cmpint(prism_sctp_packet_check(packet, len), ==,
                            PRISM_SCTP_PACKET_PARAM_LENGTH);
            len = make_init(packet, type, second, sizeof(second), true);
            g_assert_cmpint(prism_sctp_packet_check(packet, len), ==,
                            PRISM_SCTP_PACKET_PARAM_LENGTH);
        }
    }
}

static void test_sctp_packet_check_rejects_parameter_running_past_its_chunk(void)
{
    uint8_t packet[64];
    /* A 12-byte IPv4 Address claim with 8 bytes left in the chunk. */
    static const uint8_t long_param[] = {0x00, 0x05, 0x00, 0x0c, 192, 0, 2, 1};
    size_t len = make_init(packet, 0x01, long_param, sizeof(long_param), true);
    g_assert_cmpint(prism_sctp_packet_check(packet, len), ==, PRISM_SCTP_PACKET_PARAM_TRUNCATED);
    /* Two bytes after the last parameter: with the chunk's padding they would read as a
     * parameter header of length 0. */
    static const uint8_t tail[] = {0xc0, 0x00, 0x00, 0x04, 0x80, 0x00};
    len = make_init(packet, 0x01, tail, sizeof(tail), true);
    g_assert_cmpuint(len, ==, 40);
    g_assert_cmpint(prism_sctp_packet_check(packet, len), ==, PRISM_SCTP_PACKET_PARAM_TRUNCATED);
}

static void test_sctp_packet_check_rejects_short_init_and_bundled_init(void)
{
    uint8_t packet[128];
    size_t len = make_init(packet, 0x01, NULL, 0, true);
    put16(packet + 14, 16); /* shorter than the fixed part, padding to the packet's end */
    g_assert_cmpint(prism_sctp_packet_check(packet, 28), ==, PRISM_SCTP_PACKET_INIT_SHORT);
    /* INIT then DATA; DATA then INIT ACK. */
    len = make_init(packet, 0x01, NULL, 0, true);
    memcpy(packet + len, data_packet + 12, sizeof(data_packet) - 12);
    len += sizeof(data_packet) - 12;
    g_assert_cmpint(prism_sctp_packet_check(packet, len), ==, PRISM_SCTP_PACKET_INIT_BUNDLED);
    memcpy(packet, data_packet, sizeof(data_packet));
    memcpy(packet + sizeof(data_packet), usrsctp_init_packet + 12,
           sizeof(usrsctp_init_packet) - 12);
    packet[sizeof(data_packet)] = 0x02;
    len = sizeof(data_packet) + sizeof(usrsctp_init_packet) - 12;
    g_assert_cmpint(prism_sctp_packet_check(packet, len), ==, PRISM_SCTP_PACKET_INIT_BUNDLED);
}

static void test_sctp_packet_check_rejects_truncated_chunk(void)
{
    /* The DATA chunk says 21 bytes; the packet stops 2 bytes into its payload. */
    g_assert_cmpint(prism_sctp_packet_check(data_packet, 30), ==,
                    PRISM_SCTP_PACKET_CHUNK_TRUNCATED);
    /* A chunk header cut short after a complete chunk. */
    uint8_t packet[40];
    memcpy(packet, data_packet, sizeof(data_packet));
    packet[36] = 0x03;
    packet[37] = 0x00;
    g_assert_cmpint(prism_sctp_packet_check(packet, 38), ==, PRISM_SCTP_PACKET_CHUNK_TRUNCATED);
    /* A length far beyond the packet. */
    memcpy(packet, data_packet, sizeof(data_packet));
    put16(packet + 14, 0x4000);
    g_assert_cmpint(prism_sctp_packet_check(packet, sizeof(data_packet)), ==,
                    PRISM_SCTP_PACKET_CHUNK_TRUNCATED);
}

static void test_sctp_packet_check_rejects_chunk_lengths_below_header(void)
{
    uint8_t packet[40];
    for (size_t chunk_len = 0; chunk_len < 4; chunk_len++) {
        memcpy(packet, data_packet, sizeof(data_packet));
        put16(packet + 14, chunk_len);
        g_assert_cmpint(prism_sctp_packet_check(packet, sizeof(data_packet)), ==,
                        PRISM_SCTP_PACKET_CHUNK_LENGTH);
        /* Second in the packet, after a valid SACK. */
        memcpy(packet + 12, sack_chunk, sizeof(sack_chunk));
        memset(packet + 28, 0, 8);
        put16(packet + 30, chunk_len);
        g_assert_cmpint(prism_sctp_packet_check(packet, 36), ==, PRISM_SCTP_PACKET_CHUNK_LENGTH);
    }
}

static void test_sctp_packet_check_accepts_data_sack_and_reconfig(void)
{
    g_assert_cmpint(prism_sctp_packet_check(data_packet, sizeof(data_packet)), ==,
                    PRISM_SCTP_PACKET_OK);
    /* The last chunk may end the packet without its padding. */
    g_assert_cmpint(prism_sctp_packet_check(data_packet, 33), ==, PRISM_SCTP_PACKET_OK);
    uint8_t packet[64];
    memcpy(packet, data_packet, 12);
    memcpy(packet + 12, sack_chunk, sizeof(sack_chunk));
    memcpy(packet + 28, data_packet + 12, sizeof(data_packet) - 12);
    g_assert_cmpint(prism_sctp_packet_check(packet, 28 + sizeof(data_packet) - 12), ==,
                    PRISM_SCTP_PACKET_OK);
    g_assert_cmpint(prism_sctp_packet_check(reconfig_packet, sizeof(reconfig_packet)), ==,
                    PRISM_SCTP_PACKET_OK);
}

static void test_sctp_packet_check_rejects_short_and_empty_packets(void)
{
    g_assert_cmpint(prism_sctp_packet_check(NULL, 0), ==, PRISM_SCTP_PACKET_SHORT);
    g_assert_cmpint(prism_sctp_packet_check(data_packet, 11), ==, PRISM_SCTP_PACKET_SHORT);
    g_assert_cmpint(prism_sctp_packet_check(data_packet, 12), ==, PRISM_SCTP_PACKET_NO_CHUNKS);
    g_assert_cmpstr(prism_sctp_packet_verdict_name(PRISM_SCTP_PACKET_PARAM_LENGTH), ==,
                    "parameter length below 4");
}

/* The fuzzer's packet with the ports, a zero verification tag (as an INIT has) and a valid
 * CRC32c, so that without the check usrsctp would reach its parameter walk. */
static void test_sctp_receive_drops_zero_length_parameter_init_and_stays_up(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t id = pair_open(&pair, &pair.a, &chat);
    uint8_t packet[sizeof(zero_length_param_init)];
    memcpy(packet, zero_length_param_init, sizeof(packet));
    put16(packet, PRISM_SCTP_DEFAULT_PORT);
    put16(packet + 2, PRISM_SCTP_DEFAULT_PORT);
    memset(packet + 8, 0, 4);
    uint32_t crc = usrsctp_crc32c(packet, sizeof(packet));
    memcpy(packet + 8, &crc, sizeof(crc));
    g_assert_cmpint(prism_sctp_receive(pair.b.assoc, packet, sizeof(packet)), ==, -EBADMSG);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, id, false, (const uint8_t *)"still", 5), ==, 0);
    PUMP_UNTIL(&pair, pair.b.messages->len == 1);
    assert_bytes(message_at(&pair.b, 0)->data, "still", 5);
    g_assert_false(pair.a.lost || pair.b.lost);
    pair_finish(&pair);
}

/* Everything usrsctp sends in a session (INIT to COOKIE ACK, DATA fragments, SACKs, stream
 * resets) passes the check, so the receive side never drops a legitimate packet. */
static void test_sctp_usrsctp_packets_pass_the_check(void)
{
    struct sctp_pair pair;
    pair_connect(&pair);
    uint16_t from_a = pair_open(&pair, &pair.a, &chat);
    uint16_t from_b = pair_open(&pair, &pair.b, &chat);
    size_t big_len = 100000;
    uint8_t *big = g_malloc(big_len);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (uint8_t)(i * 7);
    g_assert_cmpint(prism_sctp_send(pair.a.assoc, from_a, true, big, big_len), ==, 0);
    g_assert_cmpint(prism_sctp_send(pair.b.assoc, from_b, false, (const uint8_t *)"hi", 2), ==, 0);
    PUMP_UNTIL(&pair, pair.b.messages->len == 1 && pair.a.messages->len == 1);
    assert_bytes(message_at(&pair.b, 0)->data, big, big_len);
    g_assert_cmpint(prism_sctp_channel_close(pair.a.assoc, from_a), ==, 0);
    g_assert_cmpint(prism_sctp_channel_close(pair.b.assoc, from_b), ==, 0);
    PUMP_UNTIL(&pair, pair.a.closed->len == 2 && pair.b.closed->len == 2);
    g_assert_cmpuint(pair.a.packets_sent, >, 20);
    g_assert_cmpuint(pair.b.packets_sent, >, 5);
    g_assert_cmpuint(pair.a.malformed_sent, ==, 0);
    g_assert_cmpuint(pair.b.malformed_sent, ==, 0);
    g_free(big);
    pair_finish(&pair);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sctp/packet_check/zero_length_parameter",
                    test_sctp_packet_check_rejects_init_with_zero_length_parameter);
    g_test_add_func("/sctp/packet_check/usrsctp_init", test_sctp_packet_check_accepts_usrsctp_init);
    g_test_add_func("/sctp/packet_check/unpadded_last_parameter",
                    test_sctp_packet_check_accepts_init_with_unpadded_last_parameter);
    g_test_add_func("/sctp/packet_check/parameter_length_below_header",
                    test_sctp_packet_check_rejects_parameter_lengths_below_header);
    g_test_add_func("/sctp/packet_check/parameter_past_chunk",
                    test_sctp_packet_check_rejects_parameter_running_past_its_chunk);
    g_test_add_func("/sctp/packet_check/short_and_bundled_init",
                    test_sctp_packet_check_rejects_short_init_and_bundled_init);
    g_test_add_func("/sctp/packet_check/truncated_chunk",
                    test_sctp_packet_check_rejects_truncated_chunk);
    g_test_add_func("/sctp/packet_check/chunk_length_below_header",
                    test_sctp_packet_check_rejects_chunk_lengths_below_header);
    g_test_add_func("/sctp/packet_check/data_sack_reconfig",
                    test_sctp_packet_check_accepts_data_sack_and_reconfig);
    g_test_add_func("/sctp/packet_check/short_and_empty",
                    test_sctp_packet_check_rejects_short_and_empty_packets);
    g_test_add_func("/sctp/packet_check/live_zero_length_parameter",
                    test_sctp_receive_drops_zero_length_parameter_init_and_stays_up);
    g_test_add_func("/sctp/packet_check/usrsctp_packets_pass",
                    test_sctp_usrsctp_packets_pass_the_check);
    return g_test_run();
}
