/* The table of worker ports: one per worker, created on the worker's first PeerConnection
 * (sockets bound to every configured address on base_port + worker index, non-blocking),
 * closed when the process stops. */
#include "core/log.h"
#include "media/udp/internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A deep receive buffer rides out bursts from many peers between two wake-ups (the kernel
 * caps it at net.core.rmem_max). */
#define SOCKET_BUFFER_BYTES (4 * 1024 * 1024)

/* Shared read-only after creation but for `ports`, whose slot i only worker i touches. */
struct prism_udp_hub {
    struct prism_ip addresses[PRISM_UDP_MAX_ADDRESSES];
    size_t address_count;
    uint16_t base_port;
    struct prism_udp_port *ports[PRISM_UDP_HUB_MAX_WORKERS];
};

int prism_udp_hub_create(struct prism_udp_hub **out, const struct prism_ip *addresses, size_t count,
                         uint16_t base_port)
{
    if (!out || !addresses || count == 0 || count > PRISM_UDP_MAX_ADDRESSES || base_port == 0)
        return -EINVAL;
    struct prism_udp_hub *hub = calloc(1, sizeof(*hub));
    if (!hub)
        return -ENOMEM;
    memcpy(hub->addresses, addresses, count * sizeof(addresses[0]));
    hub->address_count = count;
    hub->base_port = base_port;
    *out = hub;
    return 0;
}

/* A non-blocking UDP socket bound to ip:port. Returns the descriptor or -errno. */
static int open_socket(const struct prism_ip *ip, uint16_t port)
{
    int fd = socket(ip->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1, size = SOCKET_BUFFER_BYTES;
    if (ip->family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    struct sockaddr_storage address;
    socklen_t length = prism_ip_to_sockaddr(ip, port, &address);
    if (bind(fd, (struct sockaddr *)&address, length) < 0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

static void port_free(struct prism_udp_port *port)
{
    prism_udp_send_batch_flush(&port->send_batch); /* its loop may be gone: no logging */
    for (size_t i = 0; i < port->socket_count; i++)
        close(port->sockets[i].fd);
    prism_icelite_destroy(port->engine);
    free(port);
}

static int port_open(const struct prism_udp_hub *hub, uint16_t number, struct prism_udp_port **out)
{
    struct prism_udp_port *port = calloc(1, sizeof(*port));
    if (!port)
        return -ENOMEM;
    udp_port_init_sending(port);
    int rc = prism_icelite_create(&port->engine, NULL);
    for (size_t i = 0; rc == 0 && i < hub->address_count; i++) {
        int fd = open_socket(&hub->addresses[i], number);
        if (fd < 0) {
            char text[64];
            prism_error("udp", "cannot bind UDP %s port %u: %s",
                        prism_ip_format(&hub->addresses[i], text, sizeof(text)), number,
                        g_strerror(-fd));
            rc = fd;
            break;
        }
        port->sockets[i] = (struct udp_socket){.fd = fd, .local = {hub->addresses[i], number}};
        port->socket_count++;
    }
    if (rc < 0) {
        port_free(port);
        return rc;
    }
    *out = port;
    return 0;
}

int prism_udp_hub_port(struct prism_udp_hub *hub, struct prism_loop *loop, unsigned index,
                       struct prism_udp_port **out)
{
    if (!hub || !loop || index >= PRISM_UDP_HUB_MAX_WORKERS ||
        (unsigned)hub->base_port + index > 65535)
        return -EINVAL;
    struct prism_udp_port *port = hub->ports[index];
    if (port) {
        *out = port;
        return port->loop == loop ? 0 : -EINVAL;
    }
    int rc = port_open(hub, (uint16_t)(hub->base_port + index), &port);
    if (rc == 0) {
        rc = udp_port_attach(port, loop);
        if (rc < 0)
            port_free(port);
    }
    if (rc < 0)
        return rc;
    prism_info("udp", "worker %u: ICE-lite media on UDP port %u (%zu address%s)", index,
               hub->base_port + index, port->socket_count, port->socket_count == 1 ? "" : "es");
    hub->ports[index] = port;
    *out = port;
    return 0;
}

void prism_udp_hub_destroy(struct prism_udp_hub *hub)
{
    if (!hub)
        return;
    for (size_t i = 0; i < PRISM_UDP_HUB_MAX_WORKERS; i++) {
        if (hub->ports[i])
            port_free(hub->ports[i]);
    }
    free(hub);
}
