/* A connection's outbound messages, first in first out, each stored with
 * writing headroom in front of it (libwebsockets needs LWS_PRE bytes before
 * the payload to build the frame header in place) and a cap on the queued
 * bytes, so a client that stops reading cannot grow our memory without end.
 * Sans-IO and lock-free: the owner serialises access (the WebSocket client
 * guards its queue with its mutex). */
#ifndef PRISM_SIGNALING_WS_OUTQUEUE_H
#define PRISM_SIGNALING_WS_OUTQUEUE_H

#include <stddef.h>

/* One queued message. `payload` points `headroom` bytes into the same
 * allocation, so the bytes in front of it may be overwritten by the writer. */
struct prism_ws_message {
    struct prism_ws_message *next;
    size_t length;
    unsigned char *payload;
};

struct prism_ws_outqueue {
    struct prism_ws_message *head; /* owned, linked through `next` */
    struct prism_ws_message *tail;
    size_t count;
    size_t bytes;    /* payload bytes queued */
    size_t headroom; /* bytes reserved before each payload */
    size_t limit;    /* queued payload bytes allowed; 0 = unlimited */
};

/* Prepares an empty queue. */
void prism_ws_outqueue_init(struct prism_ws_outqueue *queue, size_t headroom, size_t limit);

/* Frees every queued message. */
void prism_ws_outqueue_clear(struct prism_ws_outqueue *queue);

/* Copies `payload` to the tail. Returns 0, -ENOBUFS when the queue already
 * holds messages and this one would take it past the limit (a message alone
 * is always accepted, however large, so a big reply can still go out), or
 * -ENOMEM. Nothing is queued on error. */
int prism_ws_outqueue_push(struct prism_ws_outqueue *queue, const void *payload, size_t length);

/* Removes the head and hands it to the caller (free it with
 * prism_ws_message_free), or returns NULL when the queue is empty. */
struct prism_ws_message *prism_ws_outqueue_pop(struct prism_ws_outqueue *queue);

void prism_ws_message_free(struct prism_ws_message *message);

#endif
