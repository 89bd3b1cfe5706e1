/* The WebSocket transport under clients that misbehave at the socket level:
 * one that sends a burst and does not read (output cap, close 1008), one that
 * hangs up while replies are still being made, one that speaks plain HTTP. A
 * raw TCP client builds the frames by hand so that a whole burst reaches the
 * server in one segment. */
#include "ws_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

/* RFC 6455 section 1.3: this key must be answered with this accept value. */
#define HANDSHAKE_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define HANDSHAKE_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static int raw_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in address = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    g_assert_cmpint(connect(fd, (struct sockaddr *)&address, sizeof(address)), ==, 0);
    return fd;
}

/* Reads what is available within the test timeout; 0 at end of stream. */
static ssize_t raw_read(int fd, void *buffer, size_t size)
{
    struct pollfd poll_fd = {.fd = fd, .events = POLLIN};
    g_assert_cmpint(poll(&poll_fd, 1, WS_TEST_TIMEOUT_US / 1000), ==, 1);
    return read(fd, buffer, size);
}

static void raw_handshake(int fd)
{
    const char *request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Key: " HANDSHAKE_KEY "\r\n"
                          "Sec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Protocol: janus-protocol\r\n\r\n";
    g_assert_cmpint(write(fd, request, strlen(request)), ==, (ssize_t)strlen(request));
    GString *response = g_string_new(NULL);
    /* Byte by byte, so no frame after the headers is consumed here. */
    while (!g_str_has_suffix(response->str, "\r\n\r\n")) {
        char c;
        g_assert_cmpint(raw_read(fd, &c, 1), ==, 1);
        g_string_append_c(response, c);
    }
    g_assert_true(g_str_has_prefix(response->str, "HTTP/1.1 101"));
    g_assert_nonnull(strstr(response->str, HANDSHAKE_ACCEPT));
    g_string_free(response, TRUE);
}

/* Appends one masked, final text frame (payloads under 64 KiB). */
static void append_text_frame(GByteArray *out, const char *text)
{
    static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    size_t length = strlen(text);
    g_assert_cmpuint(length, <, 65536);
    uint8_t header[4] = {0x81, (uint8_t)(0x80 | length)};
    size_t header_length = 2;
    if (length >= 126) {
        header[1] = 0x80 | 126;
        header[2] = (uint8_t)(length >> 8);
        header[3] = (uint8_t)length;
        header_length = 4;
    }
    g_byte_array_append(out, header, (guint)header_length);
    g_byte_array_append(out, mask, 4);
    for (size_t i = 0; i < length; i++) {
        uint8_t byte = (uint8_t)text[i] ^ mask[i % 4];
        g_byte_array_append(out, &byte, 1);
    }
}

/* Appends one final text frame without a masking key, as only a server may
 * send (RFC 6455 section 5.1). */
static void append_unmasked_text_frame(GByteArray *out, const char *text)
{
    size_t length = strlen(text);
    g_assert_cmpuint(length, <, 126);
    uint8_t header[2] = {0x81, (uint8_t)length};
    g_byte_array_append(out, header, 2);
    g_byte_array_append(out, (const uint8_t *)text, (guint)length);
}

/* What read_until_close_or_end returns when the server ended the stream
 * (end of file or reset) without a close frame. */
#define CLOSED_WITHOUT_FRAME (-2)

/* Takes the (unmasked) server frame at the front of `in`, if it is complete: its opcode,
 * and its payload appended to `payload` when not NULL. */
static bool take_frame(GByteArray *in, uint8_t *opcode, GByteArray *payload)
{
    if (in->len < 2)
        return false;
    size_t length = in->data[1] & 0x7f, header = 2;
    if (length == 126) {
        if (in->len < 4)
            return false;
        length = (size_t)in->data[2] << 8 | in->data[3];
        header = 4;
    }
    g_assert_cmpuint(length, <, 127 * 1024);
    if (in->len < header + length)
        return false;
    *opcode = in->data[0] & 0x0f;
    if (payload)
        g_byte_array_append(payload, in->data + header, (guint)length);
    g_byte_array_remove_range(in, 0, (guint)(header + length));
    return true;
}

/* Reads server frames until a close frame; returns its status code (or
 * CLOSED_WITHOUT_FRAME) and counts the text frames before it. */
static int read_until_close_or_end(int fd, unsigned *text_frames)
{
    GByteArray *in = g_byte_array_new();
    GByteArray *payload = g_byte_array_new();
    *text_frames = 0;
    int status = -1;
    while (status < 0) {
        uint8_t chunk[4096];
        ssize_t got = raw_read(fd, chunk, sizeof(chunk));
        if (got == 0 || (got < 0 && errno == ECONNRESET)) {
            status = CLOSED_WITHOUT_FRAME;
            break;
        }
        g_assert_cmpint(got, >, 0);
        g_byte_array_append(in, chunk, (guint)got);
        uint8_t opcode;
        while (status < 0 && take_frame(in, &opcode, payload)) {
            if (opcode == 0x1)
                (*text_frames)++;
            else if (opcode == 0x8)
                status = payload->len >= 2 ? payload->data[0] << 8 | payload->data[1] : 0;
            g_byte_array_set_size(payload, 0);
        }
    }
    g_byte_array_free(payload, TRUE);
    g_byte_array_free(in, TRUE);
    return status;
}

/* The same, for a server that must send a close frame. */
static int read_until_close(int fd, unsigned *text_frames)
{
    int status = read_until_close_or_end(fd, text_frames);
    g_assert_cmpint(status, !=, CLOSED_WITHOUT_FRAME);
    return status;
}

static void test_ws_closes_a_client_that_leaves_output_unread(void)
{
    struct ws_harness h;
    struct prism_ws_config config = {.interface = "127.0.0.1", .max_queued_bytes = 512};
    ws_harness_start_with(&h, &config);
    struct test_client *bystander = ws_client_connect(&h, "janus-protocol");

    int fd = raw_connect(prism_ws_port(h.ws));
    raw_handshake(fd);
    /* 60 pings in one write: the server reads them in one go and queues 60
     * pongs (about 2.5 kB) before it gets a chance to write any. */
    GByteArray *burst = g_byte_array_new();
    for (int i = 0; i < 60; i++) {
        char ping[64];
        snprintf(ping, sizeof(ping), "{\"janus\":\"ping\",\"transaction\":\"burst-%02d\"}", i);
        append_text_frame(burst, ping);
    }
    g_assert_cmpint(write(fd, burst->data, burst->len), ==, (ssize_t)burst->len);
    g_byte_array_free(burst, TRUE);

    unsigned text_frames = 0;
    g_assert_cmpint(read_until_close(fd, &text_frames), ==, LWS_CLOSE_STATUS_POLICY_VIOLATION);
    g_assert_cmpuint(text_frames, <, 60);
    close(fd);

    /* Other clients are not affected. */
    json_t *pong = ws_client_request(&h, bystander, "{\"janus\":\"ping\",\"transaction\":\"b\"}");
    g_assert_cmpstr(message_kind(pong), ==, "pong");
    ws_harness_stop(&h);
}

static void test_ws_drops_replies_for_a_client_that_hung_up(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    int fd = raw_connect(prism_ws_port(h.ws));
    raw_handshake(fd);
    GByteArray *out = g_byte_array_new();
    append_text_frame(out, "{\"janus\":\"create\",\"transaction\":\"c\"}");
    g_assert_cmpint(write(fd, out->data, out->len), ==, (ssize_t)out->len);
    g_byte_array_free(out, TRUE);
    unsigned char reply[512];
    g_assert_cmpint(raw_read(fd, reply, sizeof(reply)), >, 2);
    /* Parse the session id from the reply frame (a short unmasked frame). */
    g_assert_cmpuint(reply[0], ==, 0x81);
    size_t length = reply[1] & 0x7f, header = 2;
    if (length == 126) {
        length = (size_t)reply[2] << 8 | reply[3];
        header = 4;
    }
    json_t *created = json_loadb((const char *)reply + header, length, 0, NULL);
    g_assert_nonnull(created);
    uint64_t session = message_data_id(created);
    json_decref(created);

    /* An attach (answered from the worker) and a hang-up right behind it: the
     * reply, if it comes after the close, must be dropped without harm. */
    char attach[200];
    snprintf(attach, sizeof(attach),
             "{\"janus\":\"attach\",\"transaction\":\"a\",\"session_id\":%" G_GUINT64_FORMAT
             ",\"plugin\":\"janus.plugin.echotest\"}",
             session);
    out = g_byte_array_new();
    for (int i = 0; i < 10; i++)
        append_text_frame(out, attach);
    g_assert_cmpint(write(fd, out->data, out->len), ==, (ssize_t)out->len);
    g_byte_array_free(out, TRUE);
    close(fd);

    WS_PUMP_UNTIL(&h, prism_api_session_count(h.api) == 0);
    WS_PUMP_UNTIL(&h, prism_api_handle_count(h.api) == 0);
    ws_harness_stop(&h);
}

static void test_ws_answers_plain_http_without_upgrading(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    int fd = raw_connect(prism_ws_port(h.ws));
    const char *request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    g_assert_cmpint(write(fd, request, strlen(request)), ==, (ssize_t)strlen(request));
    char response[1024] = "";
    g_assert_cmpint(raw_read(fd, response, sizeof(response) - 1), >, 12);
    /* Nothing is served over HTTP on this port. */
    g_assert_true(g_str_has_prefix(response, "HTTP/1.1 404"));
    close(fd);
    struct test_client *client = ws_client_connect(&h, "janus-protocol");
    json_t *pong = ws_client_request(&h, client, "{\"janus\":\"ping\",\"transaction\":\"p\"}");
    g_assert_cmpstr(message_kind(pong), ==, "pong");
    ws_harness_stop(&h);
}

/* A client that sends far more than the socket buffers hold and reads nothing until it is
 * done: the relay in front of the transport (edge.h) holds back and resumes each way as the
 * other side drains, and every reply arrives, whole and in order. */
static void test_ws_relays_every_reply_to_a_client_that_reads_late(void)
{
    struct ws_harness h;
    /* The replies stay queued in the transport meanwhile: let them (12 MB). */
    struct prism_ws_config config = {.interface = "127.0.0.1", .max_queued_bytes = 64u << 20};
    ws_harness_start_with(&h, &config);
    int fd = raw_connect(prism_ws_port(h.ws));
    raw_handshake(fd);
    enum { PINGS = 200, PADDING = 60000 };
    char *padding = g_malloc(PADDING + 1);
    memset(padding, 'p', PADDING);
    padding[PADDING] = '\0';
    GByteArray *burst = g_byte_array_new();
    for (int i = 0; i < PINGS; i++) {
        char *ping = g_strdup_printf("{\"janus\":\"ping\",\"transaction\":\"%03d%s\"}", i, padding);
        append_text_frame(burst, ping);
        g_free(ping);
    }
    g_assert_cmpint(write(fd, burst->data, burst->len), ==, (ssize_t)burst->len);
    g_byte_array_free(burst, TRUE);

    GByteArray *in = g_byte_array_new();
    GByteArray *payload = g_byte_array_new();
    for (int i = 0; i < PINGS;) {
        uint8_t chunk[65536];
        ssize_t got = raw_read(fd, chunk, sizeof(chunk));
        g_assert_cmpint(got, >, 0);
        g_byte_array_append(in, chunk, (guint)got);
        uint8_t opcode;
        while (i < PINGS && take_frame(in, &opcode, payload)) {
            g_assert_cmpuint(opcode, ==, 0x1);
            json_t *pong = json_loadb((const char *)payload->data, payload->len, 0, NULL);
            g_assert_nonnull(pong);
            char expected[16];
            snprintf(expected, sizeof(expected), "%03d", i);
            const char *transaction = message_transaction(pong);
            g_assert_cmpuint(strlen(transaction), ==, 3 + PADDING);
            g_assert_cmpint(strncmp(transaction, expected, 3), ==, 0);
            json_decref(pong);
            g_byte_array_set_size(payload, 0);
            i++;
        }
    }
    g_byte_array_free(payload, TRUE);
    g_byte_array_free(in, TRUE);
    g_free(padding);
    close(fd);
    ws_harness_stop(&h);
}

/* RFC 6455 section 5.1: "The server MUST close the connection upon receiving
 * a frame that is not masked." The request in it is not answered; the server
 * says 1002 (protocol error) or just closes. Other clients go on. */
static void test_ws_closes_a_client_sending_an_unmasked_frame(void)
{
    struct ws_harness h;
    ws_harness_start(&h);
    struct test_client *bystander = ws_client_connect(&h, "janus-protocol");
    int fd = raw_connect(prism_ws_port(h.ws));
    raw_handshake(fd);
    GByteArray *out = g_byte_array_new();
    append_unmasked_text_frame(out, "{\"janus\":\"ping\",\"transaction\":\"unmasked\"}");
    g_assert_cmpint(write(fd, out->data, out->len), ==, (ssize_t)out->len);
    g_byte_array_free(out, TRUE);

    unsigned text_frames = 0;
    g_assert_cmpint(read_until_close_or_end(fd, &text_frames), ==, LWS_CLOSE_STATUS_PROTOCOL_ERR);
    g_assert_cmpuint(text_frames, ==, 0);
    /* Then the connection ends, though this client never answers the close. */
    uint8_t rest[64];
    g_assert_cmpint(raw_read(fd, rest, sizeof(rest)), ==, 0);
    close(fd);

    json_t *pong = ws_client_request(&h, bystander, "{\"janus\":\"ping\",\"transaction\":\"b\"}");
    g_assert_cmpstr(message_kind(pong), ==, "pong");
    ws_harness_stop(&h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ws/misbehaving/closes-a-client-that-leaves-output-unread",
                    test_ws_closes_a_client_that_leaves_output_unread);
    g_test_add_func("/ws/misbehaving/drops-replies-for-a-client-that-hung-up",
                    test_ws_drops_replies_for_a_client_that_hung_up);
    g_test_add_func("/ws/misbehaving/answers-plain-http-without-upgrading",
                    test_ws_answers_plain_http_without_upgrading);
    g_test_add_func("/ws/misbehaving/relays-every-reply-to-a-client-that-reads-late",
                    test_ws_relays_every_reply_to_a_client_that_reads_late);
    g_test_add_func("/ws/misbehaving/closes-a-client-sending-an-unmasked-frame",
                    test_ws_closes_a_client_sending_an_unmasked_frame);
    return g_test_run();
}
