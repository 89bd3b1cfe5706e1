/* The usrsctp socket of one association, on the owner's thread: options for WebRTC (RFC 8831
 * section 6), AF_CONN bind and connect (both ends connect; SCTP resolves the simultaneous
 * open), sends with PR-SCTP, stream resets, and reads of messages and notifications into the
 * reassembly and the channels. The upcall is the one part usrsctp runs on any thread. */
#include "media/sctp/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <usrsctp.h>

#include "core/log.h"

/* Send and receive buffers: room for a few maximum-size messages in flight. */
#define SOCKET_BUFFER (1024 * 1024)
/* Largest SCTP packet. With DTLS 1.2 record overhead (up to 65 bytes with AES-CBC-SHA1, 37
 * with AES-GCM), IPv6 and UDP headers, the datagram stays within the 1280-byte IPv6 minimum. */
#define MAX_PACKET 1160
/* In AF_CONN mode usrsctp sends packets of the path MTU plus the 12-byte common header. */
#define PATH_MTU (MAX_PACKET - 12)

static unsigned log_id(const struct prism_sctp_association *a)
{
    return (unsigned)a->id;
}

/* Any thread, usrsctp's locks held: only marks the association for its owner. */
static void upcall_cb(struct socket *sock, void *arg, int flags)
{
    struct prism_sctp_association *a = sctp_registry_ref((uintptr_t)arg);
    if (a) {
        sctp_association_mark_readable(a);
        sctp_association_unref(a);
    }
}

/* ---- setup ---- */

static int set_option(struct socket *sock, int level, int name, const void *value, socklen_t len,
                      const char *what)
{
    if (usrsctp_setsockopt(sock, level, name, value, len) == 0)
        return 0;
    int err = errno ? errno : EINVAL;
    prism_warn("sctp", "cannot set SCTP socket option %s: %s", what, g_strerror(err));
    return -err;
}

static int subscribe_events(struct socket *sock)
{
    /* Send failures are not subscribed: with partial reliability every abandoned message
     * would come back as a notification carrying its data. */
    static const uint16_t types[] = {
        SCTP_ASSOC_CHANGE,           SCTP_STREAM_RESET_EVENT, SCTP_STREAM_CHANGE_EVENT,
        SCTP_PARTIAL_DELIVERY_EVENT, SCTP_REMOTE_ERROR,       SCTP_SHUTDOWN_EVENT,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        struct sctp_event event = {
            .se_assoc_id = SCTP_FUTURE_ASSOC, .se_type = types[i], .se_on = 1};
        int rc = set_option(sock, IPPROTO_SCTP, SCTP_EVENT, &event, sizeof(event), "SCTP_EVENT");
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int configure(struct socket *sock)
{
    /* Close aborts at once: the owner is going away and DTLS with it. */
    struct linger linger = {.l_onoff = 1, .l_linger = 0};
    int buffer = SOCKET_BUFFER, one = 1, zero = 0;
    struct sctp_assoc_value reset = {
        .assoc_id = SCTP_FUTURE_ASSOC,
        .assoc_value = SCTP_ENABLE_RESET_STREAM_REQ | SCTP_ENABLE_CHANGE_ASSOC_REQ,
    };
    struct sctp_initmsg init = {
        .sinit_num_ostreams = PRISM_SCTP_MAX_STREAMS,
        .sinit_max_instreams = PRISM_SCTP_MAX_STREAMS,
    };
    int rc = 0;
    if (usrsctp_set_non_blocking(sock, 1) < 0)
        rc = errno ? -errno : -EINVAL;
    if (rc == 0)
        rc = set_option(sock, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger), "SO_LINGER");
    if (rc == 0)
        rc = set_option(sock, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer), "SO_RCVBUF");
    if (rc == 0)
        rc = set_option(sock, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof(buffer), "SO_SNDBUF");
    if (rc == 0)
        rc = set_option(sock, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof(one), "SCTP_NODELAY");
    if (rc == 0)
        rc = set_option(sock, IPPROTO_SCTP, SCTP_RECVRCVINFO, &one, sizeof(one),
                        "SCTP_RECVRCVINFO");
    /* One partial delivery at a time, so one reassembly buffer per association suffices. */
    if (rc == 0)
        rc = set_option(sock, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, &zero, sizeof(zero),
                        "SCTP_FRAGMENT_INTERLEAVE");
    if (rc == 0)
        rc = set_option(sock, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &reset, sizeof(reset),
                        "SCTP_ENABLE_STREAM_RESET");
    if (rc == 0)
        rc = set_option(sock, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init), "SCTP_INITMSG");
    if (rc == 0)
        rc = subscribe_events(sock);
    return rc;
}

static void conn_address(const struct prism_sctp_association *a, uint16_t port,
                         struct sockaddr_conn *address)
{
    memset(address, 0, sizeof(*address));
    address->sconn_family = AF_CONN;
    address->sconn_port = htons(port);
    address->sconn_addr = (void *)a->id;
}

/* The path MTU is fixed: no ICMP reaches SCTP inside DTLS, so discovery cannot work. */
static void fix_path_mtu(const struct prism_sctp_association *a, const struct sockaddr_conn *remote)
{
    struct sctp_paddrparams params;
    memset(&params, 0, sizeof(params));
    memcpy(&params.spp_address, remote, sizeof(*remote));
    params.spp_flags = SPP_PMTUD_DISABLE;
    params.spp_pathmtu = PATH_MTU;
    if (usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &params, sizeof(params)) <
        0)
        prism_warn("sctp", "association %u: cannot fix the path MTU: %s", log_id(a),
                   g_strerror(errno));
}

int sctp_socket_open(struct prism_sctp_association *a)
{
    usrsctp_register_address((void *)a->id);
    a->registered = true;
    a->sock = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    if (!a->sock)
        return errno ? -errno : -ENOMEM;
    int rc = configure(a->sock);
    if (rc < 0)
        return rc;
    if (usrsctp_set_upcall(a->sock, upcall_cb, (void *)a->id) < 0)
        return errno ? -errno : -EINVAL;
    struct sockaddr_conn local, remote;
    conn_address(a, a->local_port, &local);
    conn_address(a, a->remote_port, &remote);
    if (usrsctp_bind(a->sock, (struct sockaddr *)&local, sizeof(local)) < 0)
        return errno ? -errno : -EINVAL;
    if (usrsctp_connect(a->sock, (struct sockaddr *)&remote, sizeof(remote)) < 0 &&
        errno != EINPROGRESS)
        return errno ? -errno : -EINVAL;
    fix_path_mtu(a, &remote);
    return 0;
}

void sctp_socket_close(struct prism_sctp_association *a)
{
    if (a->sock) {
        usrsctp_close(a->sock);
        a->sock = NULL;
    }
    if (a->registered) {
        usrsctp_deregister_address((void *)a->id);
        a->registered = false;
    }
}

void sctp_socket_input(struct prism_sctp_association *a, const uint8_t *data, size_t len)
{
    if (a->sock)
        usrsctp_conninput((void *)a->id, data, len, 0);
}

/* ---- the transport the channels use ---- */

static int transport_send(void *ctx, const struct sctp_outgoing *message)
{
    struct prism_sctp_association *a = ctx;
    if (!a->sock)
        return -EPIPE;
    struct sctp_sendv_spa spa;
    memset(&spa, 0, sizeof(spa));
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = message->stream_id;
    spa.sendv_sndinfo.snd_ppid = htonl(message->ppid);
    if (message->unordered)
        spa.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
    if (message->reliability != PRISM_SCTP_RELIABLE) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo.pr_policy = message->reliability == PRISM_SCTP_MAX_RETRANSMITS
                                         ? SCTP_PR_SCTP_RTX
                                         : SCTP_PR_SCTP_TTL;
        spa.sendv_prinfo.pr_value = message->reliability_value;
    }
    ssize_t sent = usrsctp_sendv(a->sock, message->data, message->len, NULL, 0, &spa,
                                 (socklen_t)sizeof(spa), SCTP_SENDV_SPA, 0);
    if (sent < 0)
        return errno == EWOULDBLOCK || errno == EAGAIN ? -EAGAIN : -(errno ? errno : EIO);
    return (size_t)sent == message->len ? 0 : -EIO;
}

static int transport_reset(void *ctx, const uint16_t *stream_ids, size_t count)
{
    struct prism_sctp_association *a = ctx;
    if (!a->sock)
        return -EPIPE;
    if (count == 0 || count > UINT16_MAX)
        return -EINVAL;
    size_t size = sizeof(struct sctp_reset_streams) + count * sizeof(uint16_t);
    struct sctp_reset_streams *request = g_malloc0(size);
    request->srs_assoc_id = SCTP_ALL_ASSOC;
    request->srs_flags = SCTP_STREAM_RESET_OUTGOING;
    request->srs_number_streams = (uint16_t)count;
    memcpy(request->srs_stream_list, stream_ids, count * sizeof(uint16_t));
    int rc = usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_RESET_STREAMS, request,
                                (socklen_t)size);
    int err = errno;
    g_free(request);
    if (rc == 0)
        return 0;
    /* One reset request may be outstanding at a time (RFC 6525). */
    if (err == EALREADY || err == EBUSY || err == EAGAIN || err == EINPROGRESS)
        return -EAGAIN;
    return -(err ? err : EINVAL);
}

struct sctp_transport sctp_socket_transport(struct prism_sctp_association *a)
{
    return (struct sctp_transport){
        .send = transport_send, .reset_streams = transport_reset, .ctx = a};
}

/* ---- notifications ---- */

static void on_assoc_change(struct prism_sctp_association *a, const struct sctp_assoc_change *c)
{
    switch (c->sac_state) {
    case SCTP_COMM_UP:
        prism_verbose("sctp", "association %u up, %u/%u streams", log_id(a),
                      c->sac_outbound_streams, c->sac_inbound_streams);
        sctp_channels_on_up(&a->channels, c->sac_outbound_streams);
        break;
    case SCTP_RESTART:
        prism_info("sctp", "association %u: peer restarted", log_id(a));
        break;
    case SCTP_COMM_LOST:
    case SCTP_SHUTDOWN_COMP:
    case SCTP_CANT_STR_ASSOC:
        prism_info("sctp", "association %u ended (state %u, error %u)", log_id(a), c->sac_state,
                   c->sac_error);
        sctp_channels_on_lost(&a->channels);
        break;
    default:
        break;
    }
}

static void on_stream_reset(struct prism_sctp_association *a,
                            const struct sctp_stream_reset_event *event, size_t len)
{
    size_t size = event->strreset_length < len ? event->strreset_length : len;
    size_t count = (size - sizeof(*event)) / sizeof(uint16_t);
    uint16_t flags = event->strreset_flags;
    bool failed = flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED);
    for (size_t i = 0; i < count && !a->closed; i++) {
        uint16_t id = event->strreset_stream_list[i];
        if ((flags & SCTP_STREAM_RESET_INCOMING_SSN) && !failed)
            sctp_channels_on_incoming_reset(&a->channels, id);
        if ((flags & SCTP_STREAM_RESET_OUTGOING_SSN) && !a->closed)
            sctp_channels_on_outgoing_reset(&a->channels, id, failed);
    }
    /* A finished reset lets the next one go. */
    if (!a->closed)
        sctp_channels_flush_resets(&a->channels);
}

static void on_notification(struct prism_sctp_association *a, const uint8_t *data, size_t len)
{
    /* data is the start of a malloc'd buffer, so aligned for these structures. */
    const union sctp_notification *n = (const void *)data;
    if (len < sizeof(n->sn_header))
        return;
    switch (n->sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE:
        if (len >= sizeof(n->sn_assoc_change))
            on_assoc_change(a, &n->sn_assoc_change);
        break;
    case SCTP_STREAM_RESET_EVENT:
        if (len >= sizeof(n->sn_strreset_event) &&
            n->sn_strreset_event.strreset_length >= sizeof(n->sn_strreset_event))
            on_stream_reset(a, &n->sn_strreset_event, len);
        break;
    case SCTP_STREAM_CHANGE_EVENT:
        if (len >= sizeof(n->sn_strchange_event))
            sctp_channels_on_stream_change(&a->channels, n->sn_strchange_event.strchange_outstrms);
        break;
    case SCTP_PARTIAL_DELIVERY_EVENT:
        prism_verbose("sctp", "association %u: a partial delivery was aborted", log_id(a));
        break;
    case SCTP_REMOTE_ERROR:
        prism_verbose("sctp", "association %u: peer reported an error", log_id(a));
        break;
    case SCTP_SHUTDOWN_EVENT:
        prism_verbose("sctp", "association %u: peer shut down", log_id(a));
        break;
    default:
        break;
    }
}

/* ---- reading ---- */

static void on_complete(struct prism_sctp_association *a, const struct sctp_user_message *m)
{
    if (m->notification)
        on_notification(a, m->data, m->len);
    else
        sctp_channels_on_message(&a->channels, m->stream_id, m->ppid, m->data, m->len);
}

static void commit_piece(struct prism_sctp_association *a, size_t n, int flags,
                         const struct sctp_rcvinfo *info, unsigned info_type)
{
    struct sctp_piece_info piece = {
        .notification = (flags & MSG_NOTIFICATION) != 0,
        .end_of_record = (flags & MSG_EOR) != 0,
    };
    if (!piece.notification && info_type == SCTP_RECVV_RCVINFO) {
        piece.stream_id = info->rcv_sid;
        piece.ppid = ntohl(info->rcv_ppid);
    }
    unsigned interrupted = a->rx.interrupted;
    struct sctp_user_message message;
    int rc = sctp_reassembly_commit(&a->rx, n, &piece, &message);
    if (a->rx.interrupted != interrupted && sctp_problem_first(&a->problems.interrupted))
        prism_warn("sctp", "association %u: a partly received message was abandoned", log_id(a));
    if (rc == -EMSGSIZE && sctp_problem_first(&a->problems.oversized))
        prism_warn("sctp", "association %u: message over %zu bytes on stream %u dropped", log_id(a),
                   a->rx.limit, piece.stream_id);
    if (rc == 1)
        on_complete(a, &message);
}

/* Returns true when something was read. */
static bool read_once(struct prism_sctp_association *a)
{
    size_t space;
    uint8_t *where = sctp_reassembly_space(&a->rx, &space);
    if (!where)
        return false;
    struct sctp_rcvinfo info;
    memset(&info, 0, sizeof(info));
    socklen_t info_len = sizeof(info);
    unsigned info_type = SCTP_RECVV_NOINFO;
    int flags = 0;
    ssize_t n = usrsctp_recvv(a->sock, where, space, NULL, NULL, &info, &info_len, &info_type,
                              &flags);
    if (n < 0) {
        /* Would-block is the normal end; the others follow the end of the association,
         * which its notification already reported. */
        bool expected = errno == EWOULDBLOCK || errno == EAGAIN || errno == ENOTCONN ||
                        errno == ECONNRESET || errno == ECONNABORTED;
        if (!expected && sctp_problem_first(&a->problems.read_failed))
            prism_warn("sctp", "association %u: read failed: %s", log_id(a), g_strerror(errno));
        return false;
    }
    if (n == 0)
        return false; /* the association is gone; its notification said so */
    commit_piece(a, (size_t)n, flags, &info, info_type);
    return true;
}

bool sctp_socket_read(struct prism_sctp_association *a, unsigned budget)
{
    for (unsigned i = 0; i < budget; i++) {
        if (a->closed || !a->sock || !read_once(a))
            return false;
    }
    return true;
}
