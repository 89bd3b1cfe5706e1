/* The client stream check of RFC 6455 section 5.1 (masked frames only), without sockets:
 * frames of every length encoding, fed whole and byte by byte, and the unmasked ones. */
#include "signaling/ws/mask_check.h"

#include <glib.h>
#include <string.h>

#define HANDSHAKE                                                                        \
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

/* Appends a frame of `length` payload bytes (zeros), masked or not, with the shortest
 * length encoding (RFC 6455 section 5.2). */
static void append_frame(GByteArray *out, uint8_t opcode, uint64_t length, bool masked)
{
    uint8_t header[14] = {(uint8_t)(0x80 | opcode)};
    size_t header_length = 2;
    uint8_t mask_bit = masked ? 0x80 : 0;
    if (length < 126) {
        header[1] = (uint8_t)(mask_bit | length);
    } else if (length <= 0xffff) {
        header[1] = mask_bit | 126;
        header[2] = (uint8_t)(length >> 8);
        header[3] = (uint8_t)length;
        header_length = 4;
    } else {
        header[1] = mask_bit | 127;
        for (int i = 0; i < 8; i++)
            header[2 + i] = (uint8_t)(length >> (56 - 8 * i));
        header_length = 10;
    }
    g_byte_array_append(out, header, (guint)header_length);
    if (masked) {
        const uint8_t key[4] = {0x11, 0x22, 0x33, 0x44};
        g_byte_array_append(out, key, 4);
    }
    guint at = out->len;
    g_byte_array_set_size(out, at + (guint)length);
    memset(out->data + at, 0, length);
}

static GByteArray *stream_with_handshake(const char *handshake)
{
    GByteArray *stream = g_byte_array_new();
    g_byte_array_append(stream, (const guint8 *)handshake, (guint)strlen(handshake));
    return stream;
}

/* Feeds `stream` in pieces of `piece` bytes; returns the bytes passed on. */
static size_t feed_in_pieces(struct prism_ws_mask_check *check, const GByteArray *stream,
                             size_t piece, bool *unmasked)
{
    size_t passed = 0;
    *unmasked = false;
    for (size_t at = 0; at < stream->len; at += piece) {
        size_t size = MIN(piece, stream->len - at);
        bool this_unmasked;
        passed += prism_ws_mask_check_feed(check, stream->data + at, size, &this_unmasked);
        *unmasked = *unmasked || this_unmasked;
    }
    return passed;
}

static void test_ws_mask_check_passes_masked_frames_of_every_length(void)
{
    GByteArray *stream = stream_with_handshake(HANDSHAKE);
    const uint64_t lengths[] = {0, 1, 125, 126, 65535, 65536, 70000};
    for (size_t i = 0; i < G_N_ELEMENTS(lengths); i++)
        append_frame(stream, 0x1, lengths[i], true);
    append_frame(stream, 0x9, 4, true); /* ping */
    append_frame(stream, 0x8, 2, true); /* close */
    const size_t pieces[] = {stream->len, 1, 3, 4096};
    for (size_t i = 0; i < G_N_ELEMENTS(pieces); i++) {
        struct prism_ws_mask_check check;
        prism_ws_mask_check_init(&check);
        bool unmasked;
        g_assert_cmpuint(feed_in_pieces(&check, stream, pieces[i], &unmasked), ==, stream->len);
        g_assert_false(unmasked);
        g_assert_cmpuint(check.frames, ==, G_N_ELEMENTS(lengths) + 2);
        g_assert_cmpint(check.state, ==, PRISM_WS_CHECK_HEADER);
    }
    g_byte_array_free(stream, TRUE);
}

static void test_ws_mask_check_stops_at_an_unmasked_frame(void)
{
    const uint64_t lengths[] = {0, 41, 300, 70000};
    for (size_t i = 0; i < G_N_ELEMENTS(lengths); i++) {
        GByteArray *stream = stream_with_handshake(HANDSHAKE);
        append_frame(stream, 0x1, 10, true);
        size_t bad_frame = stream->len;
        append_frame(stream, 0x1, lengths[i], false);
        append_frame(stream, 0x1, 10, true);
        const size_t pieces[] = {stream->len, 1, 7};
        for (size_t p = 0; p < G_N_ELEMENTS(pieces); p++) {
            struct prism_ws_mask_check check;
            prism_ws_mask_check_init(&check);
            bool unmasked;
            /* Everything before the header byte that carries the (clear) mask bit. */
            g_assert_cmpuint(feed_in_pieces(&check, stream, pieces[p], &unmasked), ==,
                             bad_frame + 1);
            g_assert_true(unmasked);
            g_assert_cmpint(check.state, ==, PRISM_WS_CHECK_FAILED);
            const uint8_t more[] = {0x81, 0x80, 0, 0, 0, 0};
            g_assert_cmpuint(prism_ws_mask_check_feed(&check, more, sizeof(more), &unmasked), ==,
                             0);
        }
        g_byte_array_free(stream, TRUE);
    }
}

static void test_ws_mask_check_checks_control_frames_too(void)
{
    GByteArray *stream = stream_with_handshake(HANDSHAKE);
    append_frame(stream, 0x8, 2, false); /* an unmasked close */
    struct prism_ws_mask_check check;
    prism_ws_mask_check_init(&check);
    bool unmasked;
    g_assert_cmpuint(prism_ws_mask_check_feed(&check, stream->data, stream->len, &unmasked), ==,
                     strlen(HANDSHAKE) + 1);
    g_assert_true(unmasked);
    g_byte_array_free(stream, TRUE);
}

/* The request head is not judged, whatever its bytes, and may end with bare newlines. */
static void test_ws_mask_check_skips_the_request_head(void)
{
    const char *heads[] = {HANDSHAKE, "GET / HTTP/1.1\nHost: x\n\n",
                           "GET /\x01\x7f HTTP/1.1\r\nX: \r\n\r\r\n\r\n"};
    for (size_t i = 0; i < G_N_ELEMENTS(heads); i++) {
        GByteArray *stream = stream_with_handshake(heads[i]);
        struct prism_ws_mask_check check;
        prism_ws_mask_check_init(&check);
        bool unmasked;
        g_assert_cmpuint(feed_in_pieces(&check, stream, 1, &unmasked), ==, stream->len);
        g_assert_false(unmasked);
        g_assert_cmpint(check.state, ==, PRISM_WS_CHECK_HEADER);
        g_assert_cmpuint(check.frames, ==, 0);
        g_byte_array_free(stream, TRUE);
    }
    /* Still in the head: a lone "\r\n" ends a line, not the head. */
    struct prism_ws_mask_check check;
    prism_ws_mask_check_init(&check);
    bool unmasked;
    const uint8_t partial[] = "GET / HTTP/1.1\r\nHost: x\r\n\r";
    g_assert_cmpuint(prism_ws_mask_check_feed(&check, partial, sizeof(partial) - 1, &unmasked), ==,
                     sizeof(partial) - 1);
    g_assert_cmpint(check.state, ==, PRISM_WS_CHECK_HANDSHAKE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ws/mask-check/passes-masked-frames-of-every-length",
                    test_ws_mask_check_passes_masked_frames_of_every_length);
    g_test_add_func("/ws/mask-check/stops-at-an-unmasked-frame",
                    test_ws_mask_check_stops_at_an_unmasked_frame);
    g_test_add_func("/ws/mask-check/checks-control-frames-too",
                    test_ws_mask_check_checks_control_frames_too);
    g_test_add_func("/ws/mask-check/skips-the-request-head",
                    test_ws_mask_check_skips_the_request_head);
    return g_test_run();
}
