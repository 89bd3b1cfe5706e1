/* A worker's shared UDP socket at work: batched reads through the ICE-lite engine, STUN
 * answers sent back, media handed to the owning link, engine events turned into the links'
 * callbacks, the consent deadline kept on one timer of the worker's loop, and batched sends
 * flushed at the end of each loop turn. */
#include "core/log.h"
#include "media/udp/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/epoll.h>

/* At most one warning about dropped sends per this long. */
#define DROP_LOG_INTERVAL_US 1000000u

static void rearm_consent(struct prism_udp_port *port)
{
    uint64_t deadline = prism_icelite_next_deadline(port->engine);
    if (deadline == UINT64_MAX)
        prism_loop_timer_cancel(port->loop, &port->consent);
    else
        prism_loop_timer_arm(port->loop, &port->consent, deadline);
}

/* Turns the engine's events into the links' callbacks. `fd` is the socket whose batch caused
 * them (a nomination came in on it), or -1 after a timeout, which only expires. A callback may
 * close its own link (the engine then drops that link's later events) but the link is not
 * touched after its callback. */
static void drain_events(struct prism_udp_port *port, int fd)
{
    struct prism_icelite_event event;
    while (prism_icelite_poll_event(port->engine, &event)) {
        struct prism_udp_link *link = event.owner;
        if (event.type == PRISM_ICELITE_EVENT_SELECTED && fd >= 0) {
            link->fd = fd;
            link->remote = event.address;
            link->remote_len = event.address_len;
            link->ops->selected_cb(link);
        } else if (event.type == PRISM_ICELITE_EVENT_EXPIRED) {
            link->fd = -1;
            link->ops->expired_cb(link);
        }
    }
}

static void consent_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct prism_udp_port *port = data;
    prism_icelite_timeout(port->engine, now_us);
    drain_events(port, -1);
    rearm_consent(port);
}

static void prepare_batch(struct prism_udp_port *port)
{
    for (size_t i = 0; i < PRISM_UDP_BATCH; i++) {
        port->vectors[i] = (struct iovec){port->buffers[i], PRISM_UDP_DATAGRAM_MAX};
        port->messages[i].msg_hdr = (struct msghdr){
            .msg_name = &port->sources[i],
            .msg_namelen = sizeof(port->sources[i]),
            .msg_iov = &port->vectors[i],
            .msg_iovlen = 1,
        };
    }
}

/* One datagram of a batch: answered, routed or dropped by the engine. */
static void handle_datagram(struct prism_udp_port *port, int fd, size_t i, uint64_t now_us)
{
    const struct msghdr *header = &port->messages[i].msg_hdr;
    if (header->msg_flags & MSG_TRUNC)
        return;
    const uint8_t *data = port->buffers[i];
    size_t len = port->messages[i].msg_len;
    const struct sockaddr *from = (const struct sockaddr *)&port->sources[i];
    struct prism_icelite_output out = {.reply = port->reply, .reply_capacity = sizeof(port->reply)};
    prism_icelite_receive(port->engine, data, len, from, header->msg_namelen, now_us, &out);
    if (out.reply_len > 0)
        prism_udp_send_batch_queue(&port->send_batch, fd, from, header->msg_namelen, out.reply,
                                   out.reply_len);
    if (out.verdict == PRISM_ICELITE_MEDIA) {
        struct prism_udp_link *link = out.owner;
        link->ops->receive_cb(link, data, len, now_us);
    }
}

/* One batch per wake-up: the loop is level-triggered, so what is left wakes it again after
 * the other ready descriptors had their turn. */
static void readable_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us,
                        void *data)
{
    struct prism_udp_port *port = data;
    prepare_batch(port);
    int count = recvmmsg(fd, port->messages, PRISM_UDP_BATCH, MSG_DONTWAIT, NULL);
    if (count <= 0)
        return;
    prism_loop_defer(loop, &port->flush); /* STUN answers, media the batch caused */
    for (int i = 0; i < count; i++)
        handle_datagram(port, fd, (size_t)i, now_us);
    drain_events(port, fd);
    rearm_consent(port);
}

/* Rate-limited: a sustained overload would otherwise log per turn. */
static void log_drops(struct prism_udp_port *port)
{
    const struct prism_udp_send_stats *stats = &port->send_batch.stats;
    uint64_t now = prism_loop_clock_us(); /* only while drops wait to be logged */
    if (port->drop_log_us && now - port->drop_log_us < DROP_LOG_INTERVAL_US)
        return;
    prism_warn("udp", "port %u: %" PRIu64 " outgoing datagrams dropped (%s)",
               port->socket_count ? port->sockets[0].local.port : 0u,
               stats->dropped - port->drops_logged, g_strerror(stats->last_error));
    port->drops_logged = stats->dropped;
    port->drop_log_us = now;
}

void udp_port_flush(struct prism_udp_port *port)
{
    prism_udp_send_batch_flush(&port->send_batch);
    if (port->send_batch.stats.dropped != port->drops_logged)
        log_drops(port);
}

static void flush_cb(struct prism_loop_deferred *deferred, void *data)
{
    udp_port_flush(data);
}

void udp_port_init_sending(struct prism_udp_port *port)
{
    prism_udp_send_batch_init(&port->send_batch, prism_udp_sendmmsg, NULL);
    prism_loop_deferred_init(&port->flush, flush_cb, port);
}

int udp_port_attach(struct prism_udp_port *port, struct prism_loop *loop)
{
    port->loop = loop;
    prism_timer_init(&port->consent, consent_cb, port);
    for (size_t i = 0; i < port->socket_count; i++) {
        int rc = prism_loop_add_fd(loop, port->sockets[i].fd, EPOLLIN, readable_cb, port);
        if (rc < 0) {
            while (i-- > 0)
                prism_loop_remove_fd(loop, port->sockets[i].fd);
            return rc;
        }
    }
    return 0;
}

size_t prism_udp_port_locals(const struct prism_udp_port *port, struct prism_udp_local *out,
                             size_t capacity)
{
    size_t count = port->socket_count < capacity ? port->socket_count : capacity;
    for (size_t i = 0; i < count; i++)
        out[i] = port->sockets[i].local;
    return count;
}

void prism_udp_port_stats(const struct prism_udp_port *port, struct prism_icelite_stats *out)
{
    prism_icelite_get_stats(port->engine, out);
}

void prism_udp_port_send_stats(const struct prism_udp_port *port, struct prism_udp_send_stats *out)
{
    *out = port->send_batch.stats;
}

struct prism_loop *prism_udp_port_loop(const struct prism_udp_port *port)
{
    return port->loop;
}

int prism_udp_link_open(struct prism_udp_port *port, struct prism_udp_link *link,
                        const struct prism_udp_link_ops *ops,
                        const struct prism_icelite_credentials *credentials)
{
    if (!port || !link || !ops || (link->port && link->port != port))
        return -EINVAL;
    int rc = prism_icelite_register(port->engine, link, credentials);
    if (rc < 0)
        return rc;
    if (!link->port) {
        link->port = port;
        link->fd = -1;
        link->remote_len = 0;
    }
    link->ops = ops;
    return 0;
}

int prism_udp_link_set_remote_ufrag(struct prism_udp_link *link, const char *remote_ufrag)
{
    if (!link->port)
        return -ENOENT;
    return prism_icelite_set_remote_ufrag(link->port->engine, link, remote_ufrag);
}

int prism_udp_link_send(struct prism_udp_link *link, const uint8_t *data, size_t len)
{
    if (__builtin_expect(link->fd < 0, 0))
        return -ENOTCONN;
    struct prism_udp_port *port = link->port;
    int rc = prism_udp_send_batch_queue(&port->send_batch, link->fd,
                                        (const struct sockaddr *)&link->remote, link->remote_len,
                                        data, len);
    if (rc < 0)
        return rc;
    if (prism_loop_in_turn(port->loop))
        prism_loop_defer(port->loop, &port->flush);
    else
        udp_port_flush(port);
    return (int)len;
}

void prism_udp_link_close(struct prism_udp_link *link)
{
    struct prism_udp_port *port = link->port;
    if (!port)
        return;
    prism_icelite_unregister(port->engine, link);
    link->port = NULL;
    link->fd = -1;
    rearm_consent(port);
}
