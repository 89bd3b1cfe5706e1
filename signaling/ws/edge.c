/* Client connections relayed through the mask check (see edge.h). */
#include "signaling/ws/edge.h"

#include "core/ids.h"
#include "core/log.h"
#include "signaling/limits/client_address.h"
#include "signaling/limits/rejections.h"
#include "signaling/ws/client.h"
#include "signaling/ws/mask_check.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Client bytes waiting for the WebSocket end: above the high mark the client is not read
 * until they drain below the low one, as TCP would hold back a client lws does not read. */
#define EDGE_INBOUND_HIGH (256u * 1024u)
#define EDGE_INBOUND_LOW (64u * 1024u)
/* How long the client's socket stays open, once the WebSocket end closed, for the client to
 * read what it wrote last. */
#define EDGE_FLUSH_TIMEOUT_S 5

/* One client connection. `outer` is the client's TCP socket, `inner` our end of the pair;
 * each is NULL once lws closed it, and the edge is freed when both are. */
struct ws_edge {
    struct prism_ws_edges *edges;
    struct ws_edge *prev, *next;
    struct lws *outer;
    struct lws *inner;
    struct prism_ws_client *client; /* once the WebSocket connection is established */
    struct prism_ws_mask_check check;
    /* Bytes on their way to each socket, sent with send() rather than lws_write: lws stops
     * reading a socket while it holds back part of a write to it, and the two directions
     * of an edge must not wait on each other. */
    GByteArray *to_inner; /* checked client bytes */
    GByteArray *to_outer; /* what the WebSocket end wrote */
    bool client_paused;   /* not reading the client: too much waits for the WebSocket end */
    bool close_outer_when_flushed;
    bool upgraded;         /* a WebSocket connection was established on it */
    ino_t websocket_inode; /* the pair's other end, which lws serves as the WebSocket */
    char peer[64];
    char address[PRISM_CLIENT_ADDRESS_MAX]; /* the key counted in edges->per_address, or "" */
};

/* Counts one more connection from `address`; false (nothing counted) when it already holds
 * max_per_address. An unknown address ("") is not counted. */
static bool reserve_address(struct prism_ws_edges *edges, const char *address)
{
    if (!address[0])
        return true;
    if (!edges->per_address)
        edges->per_address = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    unsigned count = GPOINTER_TO_UINT(g_hash_table_lookup(edges->per_address, address));
    if (edges->max_per_address && count >= edges->max_per_address)
        return false;
    g_hash_table_insert(edges->per_address, g_strdup(address), GUINT_TO_POINTER(count + 1));
    return true;
}

static void release_address(struct prism_ws_edges *edges, const char *address)
{
    if (!address[0] || !edges->per_address)
        return;
    unsigned count = GPOINTER_TO_UINT(g_hash_table_lookup(edges->per_address, address));
    if (count <= 1)
        g_hash_table_remove(edges->per_address, address);
    else
        g_hash_table_insert(edges->per_address, g_strdup(address), GUINT_TO_POINTER(count - 1));
}

/* Over websockets.max_connections_per_address: the connection is closed before a byte is
 * read, and one line per interval says so. */
static void refuse_connection(struct prism_ws_edges *edges, const char *address)
{
    prism_rejection_count(PRISM_REJECT_WS_CONNECTIONS_PER_ADDRESS);
    uint64_t suppressed = 0;
    if (prism_log_limit_allow(&edges->refused_log, prism_now_us(), &suppressed))
        prism_warn("ws",
                   "%s: already holds %u connections (max_connections_per_address), closing a "
                   "new one; %" G_GUINT64_FORMAT " more closed since the last line",
                   address, edges->max_per_address, suppressed);
}

static void edge_free(struct ws_edge *edge)
{
    struct prism_ws_edges *edges = edge->edges;
    if (edge->prev)
        edge->prev->next = edge->next;
    else
        edges->list = edge->next;
    if (edge->next)
        edge->next->prev = edge->prev;
    edges->count--;
    release_address(edges, edge->address);
    if (edge->client)
        edge->client->edge = NULL;
    g_byte_array_free(edge->to_inner, TRUE);
    g_byte_array_free(edge->to_outer, TRUE);
    free(edge);
}

static void kill_later(struct lws *wsi)
{
    lws_set_timeout(wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
}

/* Adopts our end of the pair, raw on the edge protocol, as the edge's. NULL on failure
 * (lws closed `fd`). */
static struct lws *adopt_inner(struct ws_edge *edge, struct lws_vhost *vhost, int fd)
{
    lws_adopt_desc_t desc;
    memset(&desc, 0, sizeof(desc));
    desc.vh = vhost;
    desc.type = LWS_ADOPT_SOCKET; /* no LWS_ADOPT_HTTP: raw */
    desc.fd.sockfd = fd;
    desc.vh_prot_name = PRISM_WS_EDGE_PROTOCOL;
    desc.opaque = edge;
    edge->edges->adopting = edge;
    struct lws *wsi = lws_adopt_descriptor_vhost_via_info(&desc);
    edge->edges->adopting = NULL;
    if (wsi)
        lws_set_opaque_user_data(wsi, edge);
    return wsi;
}

/* The inode of the socket `fd`, which names it for as long as the system runs (descriptor
 * numbers are reused; socket inodes are not). 0 when unknown. */
static ino_t socket_inode(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* A client connected: a pair, our end raw on this protocol, the other one served as a
 * WebSocket connection. Returns 0, or -1 to refuse the client. */
static int on_accepted(struct prism_ws_edges *edges, struct lws *outer)
{
    if (atomic_load(edges->draining))
        return -1;
    char address[PRISM_CLIENT_ADDRESS_MAX];
    prism_client_address_of_socket(lws_get_socket_fd(outer), address, sizeof(address));
    if (!reserve_address(edges, address)) {
        refuse_connection(edges, address);
        return -1;
    }
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) < 0) {
        prism_error("ws", "cannot accept a connection: socketpair: %s", strerror(errno));
        release_address(edges, address);
        return -1;
    }
    struct ws_edge *edge = calloc(1, sizeof(*edge));
    if (!edge) {
        close(pair[0]);
        close(pair[1]);
        release_address(edges, address);
        return -1;
    }
    edge->edges = edges;
    g_strlcpy(edge->address, address, sizeof(edge->address));
    edge->outer = outer;
    prism_ws_mask_check_init(&edge->check);
    edge->to_inner = g_byte_array_new();
    edge->to_outer = g_byte_array_new();
    lws_get_peer_simple(outer, edge->peer, sizeof(edge->peer));
    edge->next = edges->list;
    if (edges->list)
        edges->list->prev = edge;
    edges->list = edge;
    edges->count++;
    edge->websocket_inode = socket_inode(pair[1]);
    edge->inner = adopt_inner(edge, lws_get_vhost(outer), pair[0]);
    if (!edge->inner) {
        close(pair[1]);
        edge_free(edge);
        return -1;
    }
    /* As an HTTP server connection: lws answers the upgrade and serves the WebSocket. */
    if (!lws_adopt_socket_vhost(edges->inner_vhost, pair[1])) {
        lws_set_opaque_user_data(edge->inner, NULL);
        kill_later(edge->inner);
        edge_free(edge);
        return -1;
    }
    lws_set_opaque_user_data(outer, edge);
    return 0;
}

/* An unmasked frame: nothing more goes in. An established connection closes with 1002 (the
 * transport writes the close frame after what it already queued); one still in its
 * handshake is dropped. */
static void fail_unmasked(struct ws_edge *edge)
{
    prism_warn("ws", "%s: unmasked frame from the client, closing (1002)", edge->peer);
    if (edge->client && edge->client->wsi) {
        edge->client->protocol_error = true;
        lws_callback_on_writable(edge->client->wsi);
    } else if (edge->inner) {
        kill_later(edge->inner);
    }
}

/* Both ends go: the client's socket at once, and the WebSocket end sees ours close. */
static void drop(struct ws_edge *edge)
{
    if (edge->outer)
        kill_later(edge->outer);
    if (edge->inner)
        kill_later(edge->inner);
}

/* Client bytes: checked, then queued for the WebSocket end; the client is read no further
 * while too many wait. */
static void from_client(struct ws_edge *edge, const uint8_t *data, size_t size)
{
    bool unmasked;
    size_t passed = prism_ws_mask_check_feed(&edge->check, data, size, &unmasked);
    if (passed > 0 && edge->inner) {
        g_byte_array_append(edge->to_inner, data, (guint)passed);
        lws_callback_on_writable(edge->inner);
        if (edge->to_inner->len > EDGE_INBOUND_HIGH && !edge->client_paused) {
            edge->client_paused = true;
            lws_rx_flow_control(edge->outer, 0);
        }
    }
    if (unmasked)
        fail_unmasked(edge);
}

/* What the WebSocket end wrote, queued for the client. The end is never held back (it
 * must go on reading the client's requests); a client that leaves more than the
 * transport's output limit unread is cut off, as the transport itself does (1008). */
static void from_websocket(struct ws_edge *edge, const uint8_t *data, size_t size)
{
    if (!edge->outer)
        return;
    g_byte_array_append(edge->to_outer, data, (guint)size);
    lws_callback_on_writable(edge->outer);
    if (edge->edges->max_queued_bytes && edge->to_outer->len > edge->edges->max_queued_bytes) {
        prism_warn("ws", "%s: over %zu bytes of output unread, closing", edge->peer,
                   edge->edges->max_queued_bytes);
        g_byte_array_set_size(edge->to_outer, 0);
        drop(edge);
    }
}

/* The largest piece of client output handed to lws in one writable callback over TLS. */
#define EDGE_TLS_CHUNK 16384u

/* Takes up to `size` bytes off the front of `queue` into the socket `to` without blocking.
 * Plain sockets get send(): lws stops reading a socket while it holds back part of a write
 * to it, and the two directions of an edge must not wait on each other. The client's socket
 * over TLS must be written through lws, which encrypts; lws keeps what the kernel does not
 * take and calls back once it is out, so one piece per callback. Returns -1 on failure. */
static int send_some(struct ws_edge *edge, struct lws *to, GByteArray *queue)
{
    if (to == edge->outer && edge->edges->tls) {
        uint8_t buffer[LWS_PRE + EDGE_TLS_CHUNK];
        size_t piece = queue->len < EDGE_TLS_CHUNK ? queue->len : EDGE_TLS_CHUNK;
        memcpy(buffer + LWS_PRE, queue->data, piece);
        if (lws_write(to, buffer + LWS_PRE, piece, LWS_WRITE_RAW) < (int)piece)
            return -1;
        g_byte_array_remove_range(queue, 0, (guint)piece);
        return 0;
    }
    ssize_t sent = send(lws_get_socket_fd(to), queue->data, queue->len,
                        MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return -1;
    if (sent > 0)
        g_byte_array_remove_range(queue, 0, (guint)sent);
    return 0;
}

/* Sends what waits for `to` without blocking. Returns -1 to close `to`: it failed, or it is
 * the client's socket, the WebSocket end is gone and all it wrote is out. */
static int on_writeable(struct ws_edge *edge, struct lws *to)
{
    bool to_outer = to == edge->outer;
    GByteArray *queue = to_outer ? edge->to_outer : edge->to_inner;
    bool wrote = queue->len > 0;
    if (wrote && send_some(edge, to, queue) < 0)
        return -1;
    /* Over TLS lws may still hold part of the last piece: it calls back once that is out. */
    if (queue->len > 0 || (wrote && to_outer && edge->edges->tls && edge->close_outer_when_flushed))
        lws_callback_on_writable(to);
    else if (to_outer && edge->close_outer_when_flushed)
        return -1;
    if (!to_outer && edge->client_paused && queue->len < EDGE_INBOUND_LOW && edge->outer) {
        edge->client_paused = false;
        lws_rx_flow_control(edge->outer, 1);
    }
    return 0;
}

/* One side closed. The client gone: our end of the pair goes too, and the WebSocket end
 * sees it close. The WebSocket end gone: the client gets what it wrote last (its close
 * frame), then is closed. */
static void on_closed(struct ws_edge *edge, struct lws *wsi)
{
    if (wsi == edge->outer) {
        edge->outer = NULL;
        if (edge->inner)
            kill_later(edge->inner);
    } else {
        edge->inner = NULL;
        if (edge->outer && edge->to_outer->len > 0) {
            edge->close_outer_when_flushed = true;
            lws_callback_on_writable(edge->outer);
            /* A client that does not read its last bytes is not waited for long. */
            lws_set_timeout(edge->outer, PENDING_TIMEOUT_CLOSE_SEND, EDGE_FLUSH_TIMEOUT_S);
        } else if (edge->outer) {
            kill_later(edge->outer);
        }
    }
    if (!edge->outer && !edge->inner)
        edge_free(edge);
}

int prism_ws_edge_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len)
{
    struct prism_ws_edges *edges = prism_ws_edges_of(lws_get_context(wsi));
    struct ws_edge *edge = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_RAW_ADOPT:
        /* Our end of a pair being adopted, or a new client. */
        return edges->adopting ? 0 : on_accepted(edges, wsi);
    case LWS_CALLBACK_RAW_RX:
        if (edge && wsi == edge->outer)
            from_client(edge, in, len);
        else if (edge && wsi == edge->inner)
            from_websocket(edge, in, len);
        return 0;
    case LWS_CALLBACK_RAW_WRITEABLE:
        return edge && (wsi == edge->outer || wsi == edge->inner) ? on_writeable(edge, wsi) : 0;
    case LWS_CALLBACK_RAW_CLOSE:
        if (edge && (wsi == edge->outer || wsi == edge->inner))
            on_closed(edge, wsi);
        return 0;
    default:
        return 0;
    }
}

bool prism_ws_edge_attach(struct lws *wsi, struct prism_ws_client *client, char *peer,
                          size_t peer_size)
{
    struct prism_ws_edges *edges = prism_ws_edges_of(lws_get_context(wsi));
    ino_t inode = socket_inode(lws_get_socket_fd(wsi));
    struct ws_edge *edge = edges->list;
    while (edge && (inode == 0 || edge->websocket_inode != inode))
        edge = edge->next;
    if (!edge)
        return false;
    edge->client = client;
    edge->upgraded = true;
    client->edge = edge;
    snprintf(peer, peer_size, "%s", edge->peer);
    g_strlcpy(client->address, edge->address, sizeof(client->address));
    return true;
}

void prism_ws_edge_detach(struct prism_ws_client *client)
{
    if (client->edge)
        client->edge->client = NULL;
    client->edge = NULL;
}

void prism_ws_edges_drain(struct prism_ws_edges *edges)
{
    for (struct ws_edge *edge = edges->list; edge; edge = edge->next) {
        if (!edge->upgraded && edge->inner)
            kill_later(edge->inner);
    }
}

void prism_ws_edges_free_all(struct prism_ws_edges *edges)
{
    while (edges->list)
        edge_free(edges->list);
    if (edges->per_address)
        g_hash_table_destroy(edges->per_address);
    edges->per_address = NULL;
}
