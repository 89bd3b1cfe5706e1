/* Inside media/udp: the port's state, shared by worker_socket.c (reading, links, consent) and
 * hub.c (the table of ports and the sockets' set-up). */
#ifndef PRISM_MEDIA_UDP_INTERNAL_H
#define PRISM_MEDIA_UDP_INTERNAL_H

#include "core/loop.h"
#include "media/udp/send_batch.h"
#include "media/udp/worker_socket.h"

#include <sys/uio.h>

struct udp_socket {
    int fd; /* owned */
    struct prism_udp_local local;
};

/* One worker's port. Owned by the hub; worker thread only once registered with the loop. */
struct prism_udp_port {
    struct prism_loop *loop; /* borrowed: the worker's */
    struct prism_icelite *engine;
    struct udp_socket sockets[PRISM_UDP_MAX_ADDRESSES];
    size_t socket_count;
    struct prism_timer consent; /* armed to the engine's next deadline */
    /* The receive batch: one recvmmsg fills them. */
    struct mmsghdr messages[PRISM_UDP_BATCH];
    struct iovec vectors[PRISM_UDP_BATCH];
    struct sockaddr_storage sources[PRISM_UDP_BATCH];
    uint8_t buffers[PRISM_UDP_BATCH][PRISM_UDP_DATAGRAM_MAX];
    uint8_t reply[PRISM_ICELITE_REPLY_MAX];
    /* Everything sent on the sockets during a turn, flushed when full and at the turn's end. */
    struct prism_udp_send_batch send_batch;
    struct prism_loop_deferred flush;
    uint64_t drops_logged; /* send_batch.stats.dropped when last logged */
    uint64_t drop_log_us;  /* when that was */
};

/* Sets up the port's send batch (worker_socket.c); before udp_port_attach. */
void udp_port_init_sending(struct prism_udp_port *port);

/* Sends what the batch holds now (worker_socket.c). */
void udp_port_flush(struct prism_udp_port *port);

/* Registers the port's open sockets and consent timer with `loop` (worker_socket.c).
 * Returns 0 or -errno. */
int udp_port_attach(struct prism_udp_port *port, struct prism_loop *loop);

#endif
