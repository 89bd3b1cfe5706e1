/* The client-to-server byte stream of a WebSocket connection, checked for RFC 6455 section
 * 5.1: "a client MUST mask all frames that it sends to the server ... The server MUST close
 * the connection upon receiving a frame that is not masked." libwebsockets 4.1 (Debian 12)
 * neither enforces this nor tells its user whether a frame was masked, so the transport
 * reads the client's bytes itself, passes them through this check and hands them on.
 *
 * Sans-IO: bytes in as they arrive, in any pieces; out, how many of them may be passed on.
 * The opening handshake (an HTTP request head, up to its empty line) is skipped; from there
 * on the stream is read as frames: each header's mask bit is checked and its payload
 * skipped. Nothing else is judged (libwebsockets checks opcodes, lengths and the rest).
 * O(1) memory, whatever the frame sizes. One checker per connection, one thread at a time. */
#ifndef PRISM_SIGNALING_WS_MASK_CHECK_H
#define PRISM_SIGNALING_WS_MASK_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prism_ws_mask_check_state {
    PRISM_WS_CHECK_HANDSHAKE, /* in the HTTP request head */
    PRISM_WS_CHECK_HEADER,    /* in a frame header */
    PRISM_WS_CHECK_PAYLOAD,   /* in a frame's payload */
    PRISM_WS_CHECK_FAILED,    /* an unmasked frame came: nothing after it is valid */
};

struct prism_ws_mask_check {
    enum prism_ws_mask_check_state state;
    unsigned newlines;      /* handshake: 1 after "\n", 2 after "\n" then "\r" */
    unsigned header_read;   /* bytes of the current frame header seen */
    unsigned header_length; /* its full length, known after its second byte */
    uint64_t payload_left;  /* payload bytes still to skip */
    uint64_t frames;        /* frames whose header was checked, for tests and logs */
};

void prism_ws_mask_check_init(struct prism_ws_mask_check *check);

/* Feeds the next `size` bytes the client sent. Returns how many of them may be passed on:
 * all of them, or, when a frame header in them has the mask bit clear, the bytes before
 * that header byte, with *unmasked set (and the checker failed: later calls return 0). */
size_t prism_ws_mask_check_feed(struct prism_ws_mask_check *check, const uint8_t *data, size_t size,
                                bool *unmasked);

#endif
