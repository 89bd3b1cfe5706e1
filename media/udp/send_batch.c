/* The send batch: copies in, one send call per run of datagrams for the same socket out, and
 * the accounting of what the kernel would not take. */
#include "media/udp/send_batch.h"

#include <errno.h>
#include <string.h>

/* sendmmsg with MSG_DONTWAIT does not sleep, so EINTR is rare; a few retries, then a drop. */
#define INTERRUPT_RETRIES 3

void prism_udp_send_batch_init(struct prism_udp_send_batch *batch, prism_udp_send_fn send,
                               void *context)
{
    memset(batch, 0, sizeof(*batch));
    batch->send = send;
    batch->context = context;
    for (size_t i = 0; i < PRISM_UDP_SEND_BATCH; i++) {
        batch->vectors[i].iov_base = batch->buffers[i];
        batch->messages[i].msg_hdr.msg_name = &batch->destinations[i];
        batch->messages[i].msg_hdr.msg_iov = &batch->vectors[i];
        batch->messages[i].msg_hdr.msg_iovlen = 1;
    }
}

static bool socket_full(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS;
}

static void drop(struct prism_udp_send_batch *batch, unsigned count, int error)
{
    batch->stats.dropped += count;
    batch->stats.last_error = error;
}

/* Sends `count` messages on `fd` until each left or was dropped. Every call either sends or
 * drops at least one message (but a bounded number of EINTR retries), so this ends. */
static void send_run(struct prism_udp_send_batch *batch, int fd, struct mmsghdr *messages,
                     unsigned count)
{
    unsigned position = 0, interrupts = 0;
    while (position < count) {
        int rc = batch->send(batch->context, fd, messages + position, count - position);
        batch->stats.calls++;
        if (rc > 0) {
            unsigned sent = (unsigned)rc < count - position ? (unsigned)rc : count - position;
            batch->stats.sent += sent;
            position += sent;
            continue;
        }
        int error = rc < 0 ? -rc : EIO;
        if (error == EINTR && interrupts++ < INTERRUPT_RETRIES)
            continue;
        if (socket_full(error)) {
            /* The rest would meet the same full buffer: media is late anyway, never wait. */
            drop(batch, count - position, error);
            return;
        }
        drop(batch, 1, error); /* this datagram's own problem (size, route, filter) */
        position++;
    }
}

void prism_udp_send_batch_flush(struct prism_udp_send_batch *batch)
{
    unsigned start = 0;
    while (start < batch->count) {
        unsigned end = start + 1;
        while (end < batch->count && batch->fds[end] == batch->fds[start])
            end++;
        send_run(batch, batch->fds[start], batch->messages + start, end - start);
        start = end;
    }
    batch->count = 0;
}

/* Too large for a slot: what is queued leaves first, then this one from the caller's buffer. */
static void send_alone(struct prism_udp_send_batch *batch, int fd,
                       const struct sockaddr *destination, socklen_t destination_len,
                       const uint8_t *data, size_t len)
{
    prism_udp_send_batch_flush(batch);
    struct iovec vector = {.iov_base = (void *)data, .iov_len = len};
    struct mmsghdr message = {.msg_hdr = {.msg_name = (void *)destination,
                                          .msg_namelen = destination_len,
                                          .msg_iov = &vector,
                                          .msg_iovlen = 1}};
    send_run(batch, fd, &message, 1);
}

int prism_udp_send_batch_queue(struct prism_udp_send_batch *batch, int fd,
                               const struct sockaddr *destination, socklen_t destination_len,
                               const uint8_t *data, size_t len)
{
    if (destination_len > sizeof(struct sockaddr_storage))
        return -EINVAL;
    if (len > PRISM_UDP_SEND_SLOT) {
        send_alone(batch, fd, destination, destination_len, data, len);
        return 0;
    }
    if (batch->count == PRISM_UDP_SEND_BATCH)
        prism_udp_send_batch_flush(batch);
    unsigned i = batch->count++;
    batch->fds[i] = fd;
    memcpy(&batch->destinations[i], destination, destination_len);
    memcpy(batch->buffers[i], data, len);
    batch->vectors[i].iov_len = len;
    batch->messages[i].msg_hdr.msg_namelen = destination_len;
    return 0;
}

int prism_udp_sendmmsg(void *context, int fd, struct mmsghdr *messages, unsigned count)
{
    (void)context;
    int rc = sendmmsg(fd, messages, count, MSG_DONTWAIT);
    return rc < 0 ? -errno : rc;
}
