/* The light client backend of media/ice (settings->client, prism-bench only): no libnice agent
 * and no GSource. One non-blocking UDP socket on the first local address, registered with the
 * worker's prism_loop, read with recvmmsg in batches; the checks come from the sans-IO engine
 * of media/iceclient, their retransmissions and consent from one timer of the loop's heap.
 * A wake-up costs what its own socket or timer needs, whatever the worker's number of peers. */
#include "core/ids.h"
#include "core/log.h"
#include "media/ice/ice_internal.h"
#include "media/iceclient/iceclient.h"
#include "media/sdp/candidate.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Datagrams read per recvmmsg, and most batches read per wake-up. */
#define CLIENT_BATCH 16
#define CLIENT_MAX_BATCHES 32
#define CLIENT_DATAGRAM_MAX 2048
#define SOCKET_BUFFER_BYTES (1024 * 1024)
/* Host candidate priority: type preference 126, local preference 65535, component 1. */
#define CLIENT_PRIORITY ((126u << 24) | (65535u << 8) | 255u)

struct ice_client {
    struct prism_loop *loop; /* borrowed: the worker's */
    int fd;
    struct prism_ip ip;
    uint16_t port;
    struct prism_timer timer;
    uint64_t armed_us; /* the timer's deadline when armed */
    struct prism_iceclient engine;
};

/* One receive batch per thread, shared by the thread's agents: a batch is consumed before the
 * next read. */
static _Thread_local struct {
    struct mmsghdr messages[CLIENT_BATCH];
    struct iovec vectors[CLIENT_BATCH];
    struct sockaddr_storage sources[CLIENT_BATCH];
    uint8_t buffers[CLIENT_BATCH][CLIENT_DATAGRAM_MAX];
    uint8_t reply[PRISM_ICECLIENT_DATAGRAM_MAX];
} batch;

static void deliver_events(struct prism_ice *ice)
{
    enum prism_iceclient_event event;
    while (!ice->dead && (event = prism_iceclient_take_event(&ice->client->engine)) !=
                             PRISM_ICECLIENT_EVENT_NONE) {
        if (event == PRISM_ICECLIENT_EVENT_SELECTED) {
            ice->has_pair = ice->pair_allowed = ice->can_send = true;
            prism_ice_set_state(ice, PRISM_ICE_CONNECTED);
            if (!ice->dead)
                prism_ice_set_state(ice, PRISM_ICE_COMPLETED);
        } else {
            ice->can_send = false;
            prism_ice_set_state(ice, PRISM_ICE_FAILED);
        }
    }
}

/* Sends every check due now and re-arms the timer to the engine's next deadline. */
static void pump(struct prism_ice *ice, uint64_t now_us)
{
    struct ice_client *client = ice->client;
    uint8_t buf[PRISM_ICECLIENT_DATAGRAM_MAX];
    struct sockaddr_storage to;
    socklen_t to_len;
    size_t len;
    while ((len = prism_iceclient_poll(&client->engine, now_us, buf, sizeof(buf), &to, &to_len)))
        (void)sendto(client->fd, buf, len, 0, (struct sockaddr *)&to, to_len);
    uint64_t deadline = prism_iceclient_deadline(&client->engine);
    if (deadline == client->armed_us && prism_timer_is_armed(&client->timer))
        return; /* the usual case on a media batch: nothing moved */
    client->armed_us = deadline;
    if (deadline == UINT64_MAX)
        prism_loop_timer_cancel(client->loop, &client->timer);
    else
        prism_loop_timer_arm(client->loop, &client->timer, deadline);
}

static void timer_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct prism_ice *ice = data;
    if (ice->dead)
        return;
    prism_ice_enter(ice);
    pump(ice, now_us);
    deliver_events(ice);
    prism_ice_leave(ice);
}

static void handle_datagram(struct prism_ice *ice, unsigned i, uint64_t now_us)
{
    struct ice_client *client = ice->client;
    struct prism_iceclient_output out = {.reply = batch.reply,
                                         .reply_capacity = sizeof(batch.reply)};
    size_t len = batch.messages[i].msg_len;
    if (batch.messages[i].msg_hdr.msg_flags & MSG_TRUNC)
        return;
    const struct sockaddr *from = (const struct sockaddr *)&batch.sources[i];
    socklen_t from_len = batch.messages[i].msg_hdr.msg_namelen;
    switch (prism_iceclient_receive(&client->engine, batch.buffers[i], len, from, from_len, now_us,
                                    &out)) {
    case PRISM_ICECLIENT_MEDIA:
        ice->callbacks.receive_cb(ice->owner, batch.buffers[i], len, now_us);
        break;
    case PRISM_ICECLIENT_STUN:
        if (out.reply_len)
            (void)sendto(client->fd, out.reply, out.reply_len, 0, from, from_len);
        break;
    case PRISM_ICECLIENT_DROP:
        break;
    }
}

/* Reads one batch; returns how many datagrams it held (0 when none or on error). */
static int read_batch(int fd)
{
    for (unsigned i = 0; i < CLIENT_BATCH; i++) {
        batch.vectors[i] = (struct iovec){batch.buffers[i], CLIENT_DATAGRAM_MAX};
        batch.messages[i].msg_hdr = (struct msghdr){.msg_name = &batch.sources[i],
                                                    .msg_namelen = sizeof(batch.sources[i]),
                                                    .msg_iov = &batch.vectors[i],
                                                    .msg_iovlen = 1};
    }
    int count = recvmmsg(fd, batch.messages, CLIENT_BATCH, MSG_DONTWAIT, NULL);
    return count > 0 ? count : 0;
}

/* Drains the socket, up to CLIENT_MAX_BATCHES batches a wake-up: a bench worker starved of CPU
 * for a while finds a few hundred datagrams queued on each socket, and reading only one batch
 * per socket and turn would let the kernel drop the rest. */
static void read_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us, void *data)
{
    (void)loop;
    (void)events;
    struct prism_ice *ice = data;
    if (ice->dead)
        return;
    prism_ice_enter(ice);
    int count = CLIENT_BATCH;
    for (unsigned b = 0; b < CLIENT_MAX_BATCHES && count == CLIENT_BATCH && !ice->dead; b++) {
        count = read_batch(fd);
        for (int i = 0; i < count && !ice->dead; i++)
            handle_datagram(ice, (unsigned)i, now_us);
    }
    if (!ice->dead) {
        pump(ice, now_us); /* triggered checks, and a deadline that may have moved */
        deliver_events(ice);
    }
    prism_ice_leave(ice);
}

/* The first local address the settings select, IPv4 preferred (the bench uses 127.0.0.1). */
static int pick_address(const struct prism_ice_settings *settings, struct prism_ip *out)
{
    struct prism_ip addresses[16];
    size_t count = 0;
    int rc = prism_ice_local_addresses(settings, addresses, 16, &count);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < count; i++)
        if (addresses[i].family == AF_INET) {
            *out = addresses[i];
            return 0;
        }
    if (count == 0)
        return -EADDRNOTAVAIL;
    *out = addresses[0];
    return 0;
}

static int open_socket(struct ice_client *client)
{
    int fd = socket(client->ip.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int size = SOCKET_BUFFER_BYTES;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    struct sockaddr_storage address;
    socklen_t length = prism_ip_to_sockaddr(&client->ip, 0, &address);
    if (bind(fd, (struct sockaddr *)&address, length) < 0 ||
        getsockname(fd, (struct sockaddr *)&address, &length) < 0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    client->port = ntohs(address.ss_family == AF_INET6
                             ? ((struct sockaddr_in6 *)&address)->sin6_port
                             : ((struct sockaddr_in *)&address)->sin_port);
    client->fd = fd;
    return 0;
}

int ice_client_create(struct prism_ice **out, const struct prism_ice_params *params)
{
    if (!params->loop)
        return -EINVAL; /* the client mode runs on a worker's prism_loop */
    struct prism_ice *ice = calloc(1, sizeof(*ice));
    struct ice_client *client = calloc(1, sizeof(*client));
    int rc = ice && client ? 0 : -ENOMEM;
    if (rc == 0) {
        ice->client = client;
        ice->settings = params->settings;
        ice->callbacks = *params->callbacks;
        ice->owner = params->owner;
        client->loop = params->loop;
        client->fd = -1;
        prism_timer_init(&client->timer, timer_cb, ice);
        prism_iceclient_init(&client->engine, params->controlling, prism_random_id(),
                             CLIENT_PRIORITY);
        rc = prism_ice_credentials_generate(&ice->local);
    }
    if (rc == 0)
        rc = prism_iceclient_set_local_credentials(&client->engine, ice->local.ufrag,
                                                   ice->local.pwd);
    if (rc == 0)
        rc = pick_address(params->settings, &client->ip);
    if (rc == 0)
        rc = open_socket(client);
    if (rc == 0) {
        rc = prism_loop_add_fd(client->loop, client->fd, EPOLLIN, read_cb, ice);
        if (rc < 0)
            close(client->fd);
    }
    if (rc < 0) {
        free(client);
        free(ice);
        return rc;
    }
    *out = ice;
    return 0;
}

void ice_client_release(struct prism_ice *ice)
{
    struct ice_client *client = ice->client;
    prism_loop_timer_cancel(client->loop, &client->timer);
    prism_loop_remove_fd(client->loop, client->fd);
    close(client->fd);
    free(client);
    free(ice);
}

size_t ice_client_foreach_local_candidate(struct prism_ice *ice,
                                          void (*candidate_cb)(void *data, const char *candidate),
                                          void *data)
{
    char text[160];
    if (!ice->gathering_started ||
        ice_lite_candidate_text(&ice->client->ip, ice->client->port, 0, text, sizeof(text)) < 0)
        return 0;
    candidate_cb(data, text);
    return 1;
}

static void emit_local_cb(void *data, const char *candidate)
{
    struct prism_ice *ice = data;
    if (!ice->dead)
        ice->callbacks.local_candidate_cb(ice->owner, candidate);
}

int ice_client_gather(struct prism_ice *ice)
{
    ice->gathering_started = true;
    ice->gathering_done = true;
    uint64_t now_us = prism_loop_clock_us();
    prism_iceclient_start(&ice->client->engine, now_us);
    prism_ice_enter(ice);
    ice_client_foreach_local_candidate(ice, emit_local_cb, ice);
    if (!ice->dead)
        ice->callbacks.gathering_done_cb(ice->owner);
    if (!ice->dead)
        pump(ice, now_us);
    prism_ice_leave(ice);
    return 0;
}

int ice_client_set_remote_credentials(struct prism_ice *ice, const char *ufrag, const char *pwd)
{
    int rc = prism_iceclient_set_remote_credentials(&ice->client->engine, ufrag, pwd);
    if (rc == -EBUSY)
        return -EIO; /* an ICE restart: not supported by the client mode */
    if (rc < 0)
        return rc;
    g_strlcpy(ice->remote_ufrag, ufrag, sizeof(ice->remote_ufrag));
    g_strlcpy(ice->remote_pwd, pwd, sizeof(ice->remote_pwd));
    pump(ice, prism_loop_clock_us());
    return 0;
}

enum prism_ice_candidate_result ice_client_add_remote_candidate(struct prism_ice *ice,
                                                                const char *text, size_t length)
{
    struct prism_sdp_candidate candidate;
    while (length > 0 && (text[length - 1] == '\r' || text[length - 1] == '\n' ||
                          text[length - 1] == ' ' || text[length - 1] == '\t'))
        length--;
    if (prism_sdp_candidate_parse(text, length, &candidate) < 0 || candidate.port == 0)
        return PRISM_ICE_CANDIDATE_MALFORMED;
    if (candidate.address_kind == PRISM_SDP_ADDRESS_MDNS)
        return PRISM_ICE_CANDIDATE_MDNS;
    struct prism_ip ip;
    if (candidate.component != 1 || candidate.tcp ||
        prism_ip_parse(candidate.address, strlen(candidate.address), &ip) < 0 ||
        ip.family != ice->client->ip.family)
        return PRISM_ICE_CANDIDATE_UNUSED;
    const struct prism_ice_settings *settings = ice->settings;
    if (!prism_cidr_list_allows(settings->remote_networks, settings->remote_network_count, &ip))
        return PRISM_ICE_CANDIDATE_FILTERED;
    struct sockaddr_storage address;
    socklen_t address_len = prism_ip_to_sockaddr(&ip, candidate.port, &address);
    if (prism_iceclient_add_remote(&ice->client->engine, (struct sockaddr *)&address, address_len) <
        0)
        return PRISM_ICE_CANDIDATE_UNUSED;
    pump(ice, prism_loop_clock_us());
    return PRISM_ICE_CANDIDATE_ADDED;
}

int ice_client_send(struct prism_ice *ice, const uint8_t *data, size_t length)
{
    socklen_t to_len;
    const struct sockaddr_storage *to = prism_iceclient_selected(&ice->client->engine, &to_len);
    if (!to)
        return -ENOTCONN;
    ssize_t sent = sendto(ice->client->fd, data, length, 0, (const struct sockaddr *)to, to_len);
    return sent < 0 ? -EIO : (int)sent;
}

int ice_client_get_selected_pair(struct prism_ice *ice, char *local, size_t local_size,
                                 char *remote, size_t remote_size)
{
    socklen_t to_len;
    const struct sockaddr_storage *to = prism_iceclient_selected(&ice->client->engine, &to_len);
    if (!to)
        return -ENOTCONN;
    struct sockaddr_storage own;
    prism_ip_to_sockaddr(&ice->client->ip, ice->client->port, &own);
    ice_format_address(&own, local, local_size);
    ice_format_address(to, remote, remote_size);
    return 0;
}
