/* Outgoing datagrams of one worker's shared sockets, queued during a loop turn and sent with
 * one sendmmsg per run of datagrams for the same socket: a fan-out of one packet to N
 * subscribers costs a system call per batch instead of one per copy.
 *
 * The batch owns copies of the datagrams (the caller's buffer is reused at once, for the next
 * subscriber's copy). It is flushed when full and by its owner at the end of the loop turn;
 * datagrams leave in the order they were queued, so the order per destination is kept.
 *
 * Sans-IO but for the send function it is given: sendmmsg on real sockets, a fake in tests.
 * A failed send never blocks or retries in a loop: a full socket (EAGAIN, ENOBUFS) drops the
 * rest of that run, any other error drops the one datagram it names, and both are counted.
 *
 * Threads: a batch belongs to the worker thread of its port. */
#ifndef PRISM_MEDIA_UDP_SEND_BATCH_H
#define PRISM_MEDIA_UDP_SEND_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Datagrams queued before a flush is forced. */
#define PRISM_UDP_SEND_BATCH 64
/* Largest datagram copied into the batch (an SRTP packet of a full MTU, a DTLS record); a
 * larger one is sent alone, after what is queued. */
#define PRISM_UDP_SEND_SLOT 2048

/* Sends `count` (>= 1) messages on `fd`: returns how many left (>= 1, from the first), or a
 * negative errno when the first one could not be sent. sendmmsg's contract. */
typedef int (*prism_udp_send_fn)(void *context, int fd, struct mmsghdr *messages, unsigned count);

struct prism_udp_send_stats {
    uint64_t sent;    /* datagrams the kernel took */
    uint64_t dropped; /* datagrams given up on */
    uint64_t calls;   /* send function calls */
    int last_error;   /* errno of the last drop, 0 = none yet */
};

/* Not movable once initialised (the messages point into it). */
struct prism_udp_send_batch {
    prism_udp_send_fn send;
    void *context;
    unsigned count;
    int fds[PRISM_UDP_SEND_BATCH];
    struct mmsghdr messages[PRISM_UDP_SEND_BATCH];
    struct iovec vectors[PRISM_UDP_SEND_BATCH];
    struct sockaddr_storage destinations[PRISM_UDP_SEND_BATCH];
    uint8_t buffers[PRISM_UDP_SEND_BATCH][PRISM_UDP_SEND_SLOT];
    struct prism_udp_send_stats stats;
};

void prism_udp_send_batch_init(struct prism_udp_send_batch *batch, prism_udp_send_fn send,
                               void *context);

/* Copies one datagram for `destination` on socket `fd` into the batch, flushing first when it
 * is full; a datagram over PRISM_UDP_SEND_SLOT is sent at once after a flush. Returns 0 or
 * -EINVAL (a destination larger than sockaddr_storage). */
int prism_udp_send_batch_queue(struct prism_udp_send_batch *batch, int fd,
                               const struct sockaddr *destination, socklen_t destination_len,
                               const uint8_t *data, size_t len);

/* Sends everything queued, in order, and empties the batch. */
void prism_udp_send_batch_flush(struct prism_udp_send_batch *batch);

static inline bool prism_udp_send_batch_empty(const struct prism_udp_send_batch *batch)
{
    return batch->count == 0;
}

/* The sendmmsg of the system, with MSG_DONTWAIT; `context` is unused. */
int prism_udp_sendmmsg(void *context, int fd, struct mmsghdr *messages, unsigned count);

#endif
