/* RTP out, the I/O side: the sender's UDP socket, what it sends, and the recipient's RTCP it
 * reads when asked to (rtcp_port). Owner thread only. */
#include "media/rtpout/rtpout.h"

#include "core/loop.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* A packet is written here, then protected in place. */
static _Thread_local uint8_t scratch[1600];

static void send_to(struct prism_rtpout *sender, uint16_t port, const uint8_t *data, size_t len)
{
    struct sockaddr_storage address;
    socklen_t address_len = prism_ip_to_sockaddr(&sender->ip, port, &address);
    if (sender->fd >= 0 && sendto(sender->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&address,
                                  address_len) == (ssize_t)len)
        sender->packets++;
    else
        sender->send_errors++;
}

void prism_rtpout_send_rtp(struct prism_rtpout *sender, const uint8_t *packet, size_t len)
{
    size_t out_len = 0;
    if (prism_rtpout_rewrite(sender, packet, len, scratch, sizeof(scratch), &out_len) == 0)
        send_to(sender, sender->port, scratch, out_len);
    else
        sender->send_errors++;
}

void prism_rtpout_send_datagram(struct prism_rtpout *sender, const uint8_t *data, size_t len)
{
    send_to(sender, sender->port, data, len);
}

/* True when `from` is the recipient's address (any port: RTCP may come from another one). */
static bool from_recipient(const struct prism_rtpout *sender, const struct sockaddr_storage *from)
{
    if (from->ss_family == AF_INET && sender->ip.family == AF_INET)
        return memcmp(&((const struct sockaddr_in *)from)->sin_addr, sender->ip.bytes, 4) == 0;
    if (from->ss_family == AF_INET6 && sender->ip.family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr, sender->ip.bytes, 16) == 0;
    return false;
}

static void readable_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us,
                        void *data)
{
    struct prism_rtpout *sender = data;
    /* A bounded batch per wake-up; the loop is level-triggered and calls again for the rest. */
    for (int i = 0; i < 16; i++) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof(from);
        ssize_t len = recvfrom(fd, scratch, sizeof(scratch), MSG_DONTWAIT, (struct sockaddr *)&from,
                               &from_len);
        if (len < 0)
            return;
        if (from_recipient(sender, &from) &&
            prism_rtpout_rtcp_wants_keyframe(sender, scratch, (size_t)len) && sender->on_keyframe)
            sender->on_keyframe(sender->user, now_us);
    }
}

/* Binds to a free port of the address family, watches the socket and greets the recipient. */
static int listen_for_rtcp(struct prism_rtpout *sender, struct prism_loop *loop)
{
    int family = sender->ip.family;
    struct sockaddr_storage local = {.ss_family = (sa_family_t)family};
    socklen_t local_len = family == AF_INET ? sizeof(struct sockaddr_in)
                                            : sizeof(struct sockaddr_in6);
    if (bind(sender->fd, (struct sockaddr *)&local, local_len) < 0 ||
        getsockname(sender->fd, (struct sockaddr *)&local, &local_len) < 0)
        return -errno;
    sender->local_rtcp_port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&local)->sin_port
                                                      : ((struct sockaddr_in6 *)&local)->sin6_port);
    int rc = prism_loop_add_fd(loop, sender->fd, EPOLLIN, readable_cb, sender);
    if (rc < 0)
        return rc;
    sender->loop = loop;
    int len = prism_rtpout_hello_rtcp(sender, scratch, sizeof(scratch));
    if (len > 0)
        send_to(sender, sender->rtcp_port, scratch, (size_t)len);
    return 0;
}

int prism_rtpout_open(struct prism_rtpout *sender, struct prism_loop *loop,
                      prism_rtpout_keyframe_cb on_keyframe, void *user)
{
    if (!sender || sender->fd >= 0 || (sender->rtcp_port && !loop))
        return -EINVAL;
    sender->fd = socket(sender->ip.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (sender->fd < 0)
        return -errno;
    sender->on_keyframe = on_keyframe;
    sender->user = user;
    if (sender->rtcp_port)
        return listen_for_rtcp(sender, loop);
    /* Nothing is read: keep what strays in to the kernel's minimum buffer. */
    int size = 0;
    setsockopt(sender->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    return 0;
}

void prism_rtpout_free(struct prism_rtpout *sender)
{
    if (!sender)
        return;
    if (sender->loop)
        prism_loop_remove_fd(sender->loop, sender->fd);
    if (sender->fd >= 0)
        close(sender->fd);
    prism_srtp_free(sender->srtp);
    free(sender);
}
