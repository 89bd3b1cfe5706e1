/* WebSocket message reassembly with a size limit (see assembler.h). */
#include "signaling/ws/assembler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* First allocation for a message: most Janus requests fit. */
#define INITIAL_CAPACITY 1024
/* A buffer kept between messages; one grown larger by a big message (an SDP
 * with many m-lines) is released when the next message starts, so an idle
 * connection does not pin up to `limit` bytes. */
#define RETAINED_CAPACITY (64 * 1024)

void prism_ws_assembler_init(struct prism_ws_assembler *assembler, size_t limit)
{
    memset(assembler, 0, sizeof(*assembler));
    assembler->limit = limit;
}

void prism_ws_assembler_free(struct prism_ws_assembler *assembler)
{
    free(assembler->data);
    assembler->data = NULL;
    assembler->length = 0;
    assembler->capacity = 0;
}

/* Makes room for `needed` bytes in total, doubling but capping at the limit.
 * The caller has already checked needed <= limit. */
static int reserve(struct prism_ws_assembler *assembler, size_t needed)
{
    if (needed <= assembler->capacity)
        return 0;
    size_t capacity = assembler->capacity ? assembler->capacity : INITIAL_CAPACITY;
    while (capacity < needed)
        capacity = capacity > assembler->limit / 2 ? assembler->limit : capacity * 2;
    if (capacity > assembler->limit)
        capacity = assembler->limit;
    char *data = realloc(assembler->data, capacity);
    if (!data)
        return -ENOMEM;
    assembler->data = data;
    assembler->capacity = capacity;
    return 0;
}

int prism_ws_assembler_feed(struct prism_ws_assembler *assembler, const void *piece, size_t size,
                            bool final, const char **message, size_t *length)
{
    if (assembler->length == 0 && assembler->capacity > RETAINED_CAPACITY)
        prism_ws_assembler_free(assembler);
    /* Invariant: length <= limit, so the subtraction cannot wrap. */
    if (size > assembler->limit - assembler->length) {
        prism_ws_assembler_free(assembler);
        return -EMSGSIZE;
    }
    if (size > 0) {
        int rc = reserve(assembler, assembler->length + size);
        if (rc < 0) {
            prism_ws_assembler_free(assembler);
            return rc;
        }
        memcpy(assembler->data + assembler->length, piece, size);
        assembler->length += size;
    }
    if (!final)
        return PRISM_WS_ASSEMBLER_MORE;
    *message = assembler->data ? assembler->data : "";
    *length = assembler->length;
    /* Keep the buffer for the next message; only the length restarts. */
    assembler->length = 0;
    return PRISM_WS_ASSEMBLER_MESSAGE;
}
