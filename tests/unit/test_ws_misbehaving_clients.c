/* The WebSocket transport under clients that misbehave at the socket level:
 * one that sends a burst and does not read (output cap, close 1008), one that
 * hangs up while replies are still being made, one that speaks plain HTTP. A
 * raw TCP client builds the frames by hand so that a whole burst reaches the
 * server in one segment. */
#include "ws_harness.h"

#include <arpa/inet.h>
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

/* Appends one masked, final text frame (payloads under 126 bytes). */
static void append_text_frame(GByteArray *out, const char *text)
{
    static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    size_t length = strlen(text);
    g_assert_cmpuint(length, <, 126);
    uint8_t header[2] = {0x81, (uint8_t)(0x80 | length)};
    g_byte_array_append(out, header, 2);
    g_byte_array_append(out, mask, 4);
    for (size_t i = 0; i < length; i++) {
        uint8_t byte = (uint8_t)text[i] ^ mask[i % 4];
        g_byte_array_append(out, &byte, 1);
    }
}

/* Reads server frames until a close frame; returns its status code and
 * counts the text frames before it. */
static int read_until_close(int fd, unsigned *text_frames)
{
    GByteArray *in = g_byte_array_new();
    *text_frames = 0;
    int status = -1;
    while (status < 0) {
        uint8_t chunk[4096];
        ssize_t got = raw_read(fd, chunk, sizeof(chunk));
        g_assert_cmpint(got, >, 0);
        g_byte_array_append(in, chunk, (guint)got);
        /* Consume every complete (unmasked) frame at the front. */
        while (status < 0 && in->len >= 2) {
            size_t length = in->data[1] & 0x7f, header = 2;
            if (length == 126) {
                if (in->len < 4)
                    break;
                length = (size_t)in->data[2] << 8 | in->data[3];
                header = 4;
            }
            g_assert_cmpuint(length, <, 127 * 1024);
            if (in->len < header + length)
                break;
            uint8_t opcode = in->data[0] & 0x0f;
            if (opcode == 0x1)
                (*text_frames)++;
            else if (opcode == 0x8)
                status = length >= 2 ? in->data[header] << 8 | in->data[header + 1] : 0;
            g_byte_array_remove_range(in, 0, (guint)(header + length));
        }
    }
    g_byte_array_free(in, TRUE);
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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ws/misbehaving/closes-a-client-that-leaves-output-unread",
                    test_ws_closes_a_client_that_leaves_output_unread);
    g_test_add_func("/ws/misbehaving/drops-replies-for-a-client-that-hung-up",
                    test_ws_drops_replies_for_a_client_that_hung_up);
    g_test_add_func("/ws/misbehaving/answers-plain-http-without-upgrading",
                    test_ws_answers_plain_http_without_upgrading);
    return g_test_run();
}
