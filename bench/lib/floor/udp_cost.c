/* The send share of the floor: CPU per UDP datagram to a socket of this process on
 * 127.0.0.1, with sendto (one system call per packet) and sendmmsg (one per batch). On
 * loopback the kernel also delivers to the receiving socket within the send call, so this is
 * an upper bound of what a send to the network costs the sending thread. */
#include "bench/lib/floor/cost.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Asked for the receiver so a batch never overflows it between drains (the kernel caps it at
 * net.core.rmem_max; draining after every batch keeps far below even the default). */
#define RECEIVE_BUFFER_BYTES (4 * 1024 * 1024)
#define DRAIN_BUFFER_BYTES 65536

/* A sender and a bound non-blocking receiver on 127.0.0.1 (an ephemeral port). */
struct udp_pair {
    int sender, receiver;
    struct sockaddr_in to;
};

static int errno_or_io(void)
{
    return errno > 0 ? -errno : -EIO;
}

static int open_pair(struct udp_pair *pair)
{
    pair->sender = pair->receiver = -1;
    memset(&pair->to, 0, sizeof(pair->to));
    pair->to.sin_family = AF_INET;
    pair->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t to_len = sizeof(pair->to);
    int buffer = RECEIVE_BUFFER_BYTES;
    pair->receiver = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (pair->receiver < 0)
        return errno_or_io();
    setsockopt(pair->receiver, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
    if (bind(pair->receiver, (struct sockaddr *)&pair->to, sizeof(pair->to)) < 0 ||
        getsockname(pair->receiver, (struct sockaddr *)&pair->to, &to_len) < 0)
        return errno_or_io();
    pair->sender = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (pair->sender < 0)
        return errno_or_io();
    return 0;
}

static void close_pair(struct udp_pair *pair)
{
    if (pair->sender >= 0)
        close(pair->sender);
    if (pair->receiver >= 0)
        close(pair->receiver);
}

/* One sendto per packet, as a forwarder without batching sends. */
static int send_each(const struct udp_pair *pair, const uint8_t *packet, size_t size)
{
    for (int i = 0; i < BENCH_FLOOR_UDP_BATCH; i++) {
        if (sendto(pair->sender, packet, size, 0, (const struct sockaddr *)&pair->to,
                   sizeof(pair->to)) < 0)
            return errno_or_io();
    }
    return 0;
}

/* One sendmmsg for the whole batch (repeated for what a partial send left). */
static int send_batch(const struct udp_pair *pair, uint8_t *packet, size_t size)
{
    struct iovec iov = {.iov_base = packet, .iov_len = size};
    struct mmsghdr messages[BENCH_FLOOR_UDP_BATCH];
    memset(messages, 0, sizeof(messages));
    for (int i = 0; i < BENCH_FLOOR_UDP_BATCH; i++) {
        messages[i].msg_hdr.msg_name = (void *)&pair->to;
        messages[i].msg_hdr.msg_namelen = sizeof(pair->to);
        messages[i].msg_hdr.msg_iov = &iov;
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    unsigned done = 0;
    while (done < BENCH_FLOOR_UDP_BATCH) {
        int sent = sendmmsg(pair->sender, messages + done, BENCH_FLOOR_UDP_BATCH - done, 0);
        if (sent <= 0)
            return errno_or_io();
        done += (unsigned)sent;
    }
    return 0;
}

/* Empties the receiver without blocking; returns the datagrams read. Not timed. */
static uint64_t drain(const struct udp_pair *pair, uint8_t *scratch)
{
    uint64_t received = 0;
    for (;;) {
        ssize_t got = recv(pair->receiver, scratch, DRAIN_BUFFER_BYTES, MSG_DONTWAIT);
        if (got < 0)
            return received;
        received++;
    }
}

int bench_floor_udp_cost(size_t packet_size, double seconds, bool batched, double *ns_per_packet)
{
    struct udp_pair pair;
    uint8_t *packet = malloc(packet_size);
    uint8_t *scratch = malloc(DRAIN_BUFFER_BYTES);
    int rc = open_pair(&pair);
    if (rc == 0 && (!packet || !scratch))
        rc = -ENOMEM;
    if (rc < 0)
        goto out;
    bench_floor_fill_rtp(packet, packet_size, 0);
    uint64_t deadline = bench_floor_wall_ns() + (uint64_t)(seconds * 1e9);
    uint64_t cpu_ns = 0, packets = 0, received = 0;
    while (rc == 0 && (cpu_ns == 0 || bench_floor_wall_ns() < deadline)) {
        uint64_t start = bench_floor_thread_ns();
        rc = batched ? send_batch(&pair, packet, packet_size)
                     : send_each(&pair, packet, packet_size);
        cpu_ns += bench_floor_thread_ns() - start;
        packets += BENCH_FLOOR_UDP_BATCH;
        received += drain(&pair, scratch);
    }
    /* Datagrams that never arrived would mean the sends measured went nowhere. */
    if (rc == 0 && received == 0)
        rc = -EIO;
    if (rc == 0)
        *ns_per_packet = (double)cpu_ns / (double)packets;
out:
    close_pair(&pair);
    free(scratch);
    free(packet);
    return rc;
}
