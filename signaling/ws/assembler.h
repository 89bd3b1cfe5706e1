/* Reassembly of one WebSocket message from the pieces the library hands us
 * (continuation frames, and frames split by its receive buffer), with a hard
 * size limit. Sans-IO: bytes in, a complete message or an error out.
 *
 * Threads: one assembler per connection, used by one thread at a time. */
#ifndef PRISM_SIGNALING_WS_ASSEMBLER_H
#define PRISM_SIGNALING_WS_ASSEMBLER_H

#include <stdbool.h>
#include <stddef.h>

/* The buffer grows geometrically as pieces arrive but never past `limit`,
 * so a hostile client cannot make us reserve more than one message's worth. */
struct prism_ws_assembler {
    char *data;      /* owned; NULL until the first non-empty piece */
    size_t length;   /* bytes of the message received so far */
    size_t capacity; /* allocated bytes, <= limit */
    size_t limit;    /* largest message accepted */
};

/* Results of prism_ws_assembler_feed other than negative errors. */
enum {
    PRISM_WS_ASSEMBLER_MORE = 0,    /* waiting for further pieces */
    PRISM_WS_ASSEMBLER_MESSAGE = 1, /* a complete message is available */
};

/* Prepares an empty assembler accepting messages of up to `limit` bytes. */
void prism_ws_assembler_init(struct prism_ws_assembler *assembler, size_t limit);

/* Releases the buffer. The assembler may be initialised again afterwards. */
void prism_ws_assembler_free(struct prism_ws_assembler *assembler);

/* Appends one piece; `final` marks the last piece of the message. Returns
 * PRISM_WS_ASSEMBLER_MORE, or PRISM_WS_ASSEMBLER_MESSAGE with *message and
 * *length set to the whole message (valid until the next feed or free; an
 * empty message has length 0), or -EMSGSIZE when the message would exceed the
 * limit, or -ENOMEM. After an error the partial message is discarded. */
int prism_ws_assembler_feed(struct prism_ws_assembler *assembler, const void *piece, size_t size,
                            bool final, const char **message, size_t *length);

#endif
