/* Outbound message queue with headroom and a byte cap (see outqueue.h). */
#include "signaling/ws/outqueue.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void prism_ws_outqueue_init(struct prism_ws_outqueue *queue, size_t headroom, size_t limit)
{
    memset(queue, 0, sizeof(*queue));
    queue->headroom = headroom;
    queue->limit = limit;
}

void prism_ws_outqueue_clear(struct prism_ws_outqueue *queue)
{
    struct prism_ws_message *message;
    while ((message = prism_ws_outqueue_pop(queue)))
        prism_ws_message_free(message);
}

int prism_ws_outqueue_push(struct prism_ws_outqueue *queue, const void *payload, size_t length)
{
    if (queue->limit && queue->count > 0 &&
        (queue->bytes > queue->limit || length > queue->limit - queue->bytes))
        return -ENOBUFS;
    size_t front = sizeof(struct prism_ws_message) + queue->headroom;
    if (length > SIZE_MAX - front)
        return -ENOMEM;
    struct prism_ws_message *message = malloc(front + length);
    if (!message)
        return -ENOMEM;
    message->next = NULL;
    message->length = length;
    message->payload = (unsigned char *)message + front;
    if (length)
        memcpy(message->payload, payload, length);
    if (queue->tail)
        queue->tail->next = message;
    else
        queue->head = message;
    queue->tail = message;
    queue->count++;
    queue->bytes += length;
    return 0;
}

struct prism_ws_message *prism_ws_outqueue_pop(struct prism_ws_outqueue *queue)
{
    struct prism_ws_message *message = queue->head;
    if (!message)
        return NULL;
    queue->head = message->next;
    if (!queue->head)
        queue->tail = NULL;
    queue->count--;
    queue->bytes -= message->length;
    message->next = NULL;
    return message;
}

void prism_ws_message_free(struct prism_ws_message *message)
{
    free(message);
}
