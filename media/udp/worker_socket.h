/* Single-port media: each worker owns one UDP socket per configured address, all on the same
 * port (udp_port + worker index), shared by every PeerConnection of that worker, and one
 * ICE-lite engine (media/icelite) that answers the remote agents' checks and says which
 * PeerConnection each datagram belongs to.
 *
 * A PeerConnection takes part through a `struct prism_udp_link` embedded in its ICE agent: the
 * link carries its credentials into the engine, receives its datagrams and the selection or
 * loss of its remote address, and sends to that address.
 *
 * Reading: the sockets are non-blocking and registered with the worker's loop
 * (level-triggered); each wake-up reads one batch with recvmmsg, passes every datagram through
 * the engine with the wake-up's time, queues STUN answers, hands media to the owning link with
 * that time, then drains the engine's events. The engine's consent deadline is one timer of
 * the loop.
 *
 * Sending: during a loop turn, every datagram for the port's sockets (media, DTLS, STUN
 * answers) is queued in the port's send batch (media/udp/send_batch.h) and leaves with one
 * sendmmsg per batch, when the batch is full and at the end of the turn; outside a turn it
 * leaves at once. Drops (a full socket buffer) are counted and logged at most once a second.
 *
 * Threads: a port, its links and their callbacks belong to the worker thread running the
 * loop. The hub (the table of ports, one per worker) is shared read-only; each slot is created
 * lazily and touched only by its worker. */
#ifndef PRISM_MEDIA_UDP_WORKER_SOCKET_H
#define PRISM_MEDIA_UDP_WORKER_SOCKET_H

#include "core/netaddr.h"
#include "media/icelite/icelite.h"
#include "media/udp/send_batch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct prism_loop;
struct prism_udp_port;
struct prism_udp_hub;
struct prism_udp_link;

/* Most addresses a worker listens on. */
#define PRISM_UDP_MAX_ADDRESSES 16
/* Datagrams read per wake-up and socket. */
#define PRISM_UDP_BATCH 32
/* Largest datagram read; larger ones are truncated and dropped. */
#define PRISM_UDP_DATAGRAM_MAX 2048
/* Most workers a hub serves (general.workers is at most 1024). */
#define PRISM_UDP_HUB_MAX_WORKERS 1024

/* What a link's owner is told. Each runs on the worker thread, from the port's read callback
 * or its consent timer; none may close another link's owner synchronously. */
struct prism_udp_link_ops {
    /* A DTLS, RTP or RTCP datagram from the link's validated remote address, read at `now_us`
     * (the batch's time, CLOCK_MONOTONIC); `data` is valid only during the call. */
    void (*receive_cb)(struct prism_udp_link *link, const uint8_t *data, size_t len,
                       uint64_t now_us);
    /* The remote nominated an address (link->remote): sending works from now on. */
    void (*selected_cb)(struct prism_udp_link *link);
    /* The selected address lost consent: nothing can be sent until a new selection. */
    void (*expired_cb)(struct prism_udp_link *link);
};

/* One PeerConnection on a port. Embedded in its owner; fields are read-only outside
 * worker_socket.c. */
struct prism_udp_link {
    const struct prism_udp_link_ops *ops;
    struct prism_udp_port *port;
    int fd; /* the socket the selected address checked us on; -1 = none selected */
    struct sockaddr_storage remote;
    socklen_t remote_len;
};

/* One local address and the port the worker listens on there, for candidates. */
struct prism_udp_local {
    struct prism_ip ip;
    uint16_t port;
};

/* Makes a hub for `count` addresses (at least one), worker i listening on base_port + i.
 * No socket opens here. Returns 0, -EINVAL or -ENOMEM. */
int prism_udp_hub_create(struct prism_udp_hub **out, const struct prism_ip *addresses, size_t count,
                         uint16_t base_port);

/* Closes every port's sockets and frees the hub. Call once no link is open and the workers'
 * loops are destroyed (or never ran again): it does not touch the loops. NULL is allowed. */
void prism_udp_hub_destroy(struct prism_udp_hub *hub);

/* The port of worker `index` running `loop`, created on first use: sockets bound and
 * registered with the loop. From that worker's thread only. Returns 0, -EINVAL (no loop, an
 * index out of range or a port above 65535), -EADDRINUSE or another -errno from bind. */
int prism_udp_hub_port(struct prism_udp_hub *hub, struct prism_loop *loop, unsigned index,
                       struct prism_udp_port **out);

/* The port's local addresses (at most `capacity`); returns how many. */
size_t prism_udp_port_locals(const struct prism_udp_port *port, struct prism_udp_local *out,
                             size_t capacity);

/* The worker loop the port is registered with. */
struct prism_loop *prism_udp_port_loop(const struct prism_udp_port *port);

/* The port's engine counters. */
void prism_udp_port_stats(const struct prism_udp_port *port, struct prism_icelite_stats *out);

/* The port's send counters (datagrams sent, dropped, sendmmsg calls). */
void prism_udp_port_send_stats(const struct prism_udp_port *port, struct prism_udp_send_stats *out);

/* Registers `link` with its local credentials; remote_ufrag may be NULL until known. Called
 * again on an open link, it is an ICE restart (see prism_icelite_register). Returns 0,
 * -EINVAL or -EEXIST. */
int prism_udp_link_open(struct prism_udp_port *port, struct prism_udp_link *link,
                        const struct prism_udp_link_ops *ops,
                        const struct prism_icelite_credentials *credentials);

/* The remote ufrag arrived. Returns 0, -EINVAL or -ENOENT. */
int prism_udp_link_set_remote_ufrag(struct prism_udp_link *link, const char *remote_ufrag);

/* Sends one datagram to the selected address: queued in the port's send batch during a loop
 * turn, sent at once outside one. Returns `len`, -ENOTCONN with no selected address or
 * -EINVAL; a datagram the kernel refuses later is counted as dropped (see
 * prism_udp_port_send_stats). The hot path: no allocation, no clock, no logging. */
int prism_udp_link_send(struct prism_udp_link *link, const uint8_t *data, size_t len);

/* Unregisters the link; no callback of it runs afterwards. Safe on a link never opened if it
 * was zeroed. */
void prism_udp_link_close(struct prism_udp_link *link);

#endif
