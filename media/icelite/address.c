/* Validated remote addresses: the hash table that routes media by source address, each
 * peer's short list of candidate pairs, nomination and removal. */
#include "media/icelite/internal.h"

#include <netinet/in.h>
#include <string.h>

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool icelite_endpoint_from_sockaddr(const struct sockaddr *address, socklen_t length,
                                    struct icelite_endpoint *out)
{
    if (!address)
        return false;
    memset(out, 0, sizeof(*out));
    if (address->sa_family == AF_INET && length >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)address;
        out->ip.family = AF_INET;
        memcpy(out->ip.bytes, &in->sin_addr, 4);
        out->port = ntohs(in->sin_port);
        return true;
    }
    if (address->sa_family == AF_INET6 && length >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)address;
        const uint8_t *bytes = in6->sin6_addr.s6_addr;
        out->port = ntohs(in6->sin6_port);
        if (memcmp(bytes, v4_mapped_prefix, sizeof(v4_mapped_prefix)) == 0) {
            out->ip.family = AF_INET;
            memcpy(out->ip.bytes, bytes + 12, 4);
        } else {
            out->ip.family = AF_INET6;
            memcpy(out->ip.bytes, bytes, 16);
        }
        return true;
    }
    return false;
}

void icelite_endpoint_to_sockaddr(const struct icelite_endpoint *endpoint,
                                  struct sockaddr_storage *out, socklen_t *length)
{
    memset(out, 0, sizeof(*out));
    if (endpoint->ip.family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)out;
        in->sin_family = AF_INET;
        in->sin_port = htons(endpoint->port);
        memcpy(&in->sin_addr, endpoint->ip.bytes, 4);
        *length = sizeof(*in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(endpoint->port);
        memcpy(&in6->sin6_addr, endpoint->ip.bytes, 16);
        *length = sizeof(*in6);
    }
}

/* FNV-1a over family, port and address bytes. Only addresses that authenticated are stored,
 * so a remote cannot fill one bucket at will. */
static guint endpoint_hash(gconstpointer key)
{
    const struct icelite_endpoint *e = key;
    uint32_t hash = 2166136261u;
    uint8_t head[3] = {(uint8_t)e->ip.family, (uint8_t)(e->port >> 8), (uint8_t)e->port};
    for (size_t i = 0; i < sizeof(head); i++)
        hash = (hash ^ head[i]) * 16777619u;
    size_t length = e->ip.family == AF_INET ? 4 : 16;
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ e->ip.bytes[i]) * 16777619u;
    return hash;
}

static gboolean endpoint_equal(gconstpointer a, gconstpointer b)
{
    const struct icelite_endpoint *x = a, *y = b;
    return x->ip.family == y->ip.family && x->port == y->port &&
           memcmp(x->ip.bytes, y->ip.bytes, sizeof(x->ip.bytes)) == 0;
}

void icelite_addresses_init(struct prism_icelite *engine)
{
    engine->by_address = g_hash_table_new(endpoint_hash, endpoint_equal);
}

struct icelite_address *icelite_address_find(const struct prism_icelite *engine,
                                             const struct icelite_endpoint *endpoint)
{
    return g_hash_table_lookup(engine->by_address, endpoint);
}

static void unlink_from_peer(struct icelite_address *address)
{
    struct icelite_peer *peer = address->peer;
    for (struct icelite_address **link = &peer->addresses; *link; link = &(*link)->next_of_peer) {
        if (*link == address) {
            *link = address->next_of_peer;
            peer->address_count--;
            break;
        }
    }
    address->next_of_peer = NULL;
    if (peer->selected == address)
        peer->selected = NULL;
    address->peer = NULL;
}

static void link_to_peer(struct icelite_address *address, struct icelite_peer *peer)
{
    address->peer = peer;
    address->next_of_peer = peer->addresses;
    peer->addresses = address;
    peer->address_count++;
}

/* Takes `address` away from its peer; that peer's owner hears EXPIRED if it was selected. */
static void detach(struct prism_icelite *engine, struct icelite_address *address, bool notify)
{
    struct icelite_peer *peer = address->peer;
    bool was_selected = peer->selected == address;
    unlink_from_peer(address);
    if (was_selected && notify)
        icelite_event_push(engine, PRISM_ICELITE_EVENT_EXPIRED, peer->owner, &address->endpoint);
}

void icelite_address_remove(struct prism_icelite *engine, struct icelite_address *address,
                            bool notify)
{
    detach(engine, address, notify);
    icelite_consent_forget(engine, address);
    g_hash_table_remove(engine->by_address, &address->endpoint);
    engine->stats.addresses--;
    g_free(address);
}

/* A peer keeps at most max_addresses; the one checked longest ago (never the selected one)
 * makes room. */
static void make_room(struct prism_icelite *engine, struct icelite_peer *peer)
{
    if (peer->address_count < engine->max_addresses)
        return;
    struct icelite_address *stalest = NULL;
    for (struct icelite_address *a = peer->addresses; a; a = a->next_of_peer) {
        if (a != peer->selected && (!stalest || a->last_check_us < stalest->last_check_us))
            stalest = a;
    }
    if (stalest)
        icelite_address_remove(engine, stalest, false);
}

struct icelite_address *icelite_address_checked(struct prism_icelite *engine,
                                                struct icelite_peer *peer,
                                                const struct icelite_endpoint *endpoint,
                                                uint64_t now_us)
{
    struct icelite_address *address = icelite_address_find(engine, endpoint);
    if (address && address->peer != peer) {
        /* The latest authenticated owner of a source address wins: a remote port reused by
         * a new PeerConnection must not stay tied to a stale one for 30 s. */
        detach(engine, address, true);
        make_room(engine, peer);
        link_to_peer(address, peer);
    } else if (!address) {
        make_room(engine, peer);
        address = g_new0(struct icelite_address, 1);
        address->endpoint = *endpoint;
        g_hash_table_insert(engine->by_address, &address->endpoint, address);
        engine->stats.addresses++;
        link_to_peer(address, peer);
    }
    icelite_consent_refresh(engine, address, now_us);
    return address;
}

void icelite_address_select(struct prism_icelite *engine, struct icelite_address *address)
{
    struct icelite_peer *peer = address->peer;
    if (peer->selected == address)
        return;
    peer->selected = address;
    engine->stats.nominations++;
    icelite_event_push(engine, PRISM_ICELITE_EVENT_SELECTED, peer->owner, &address->endpoint);
}

bool prism_icelite_selected_address(const struct prism_icelite *engine, const void *owner,
                                    struct sockaddr_storage *address, socklen_t *address_len)
{
    if (!engine || !owner || !address || !address_len)
        return false;
    const struct icelite_peer *peer = g_hash_table_lookup(engine->by_owner, owner);
    if (!peer || !peer->selected)
        return false;
    icelite_endpoint_to_sockaddr(&peer->selected->endpoint, address, address_len);
    return true;
}
