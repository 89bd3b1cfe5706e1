/* Private state of the ICE-lite engine, shared by its files: the registry of PeerConnections
 * (registry.c), their validated remote addresses (address.c), consent expiry (consent.c), the
 * event queue (events.c) and the STUN path (stun.c). Everything belongs to the engine's thread. */
#ifndef PRISM_MEDIA_ICELITE_INTERNAL_H
#define PRISM_MEDIA_ICELITE_INTERNAL_H

#include "media/icelite/icelite.h"

#include "core/netaddr.h"

#include <glib.h>
#include <stun/stunagent.h>

/* A remote transport address as a hash key: an IPv4-mapped IPv6 source is stored as the IPv4
 * address it carries, so a dual-stack socket and an IPv4 socket give the same key. Bytes past
 * the family's length are zero. */
struct icelite_endpoint {
    struct prism_ip ip;
    uint16_t port; /* host byte order */
};

/* One generation of a PeerConnection's credentials; strings owned here (g_free). */
struct icelite_credentials {
    char *local_ufrag; /* NULL: this generation is empty */
    char *local_pwd;
    size_t local_pwd_len;
    char *remote_ufrag; /* NULL: not known yet, any remote part of USERNAME is accepted */
};

struct icelite_peer;

/* A remote address that sent an authenticated check: a candidate pair of `peer` (our side is
 * always the worker's one socket). Owned by the engine's address table; listed in its peer
 * and in the engine's consent list. */
struct icelite_address {
    struct icelite_endpoint endpoint; /* the key in engine->by_address */
    struct icelite_peer *peer;
    uint64_t last_check_us;                /* last authenticated check from here */
    struct icelite_address *older, *newer; /* consent list, oldest check first */
    struct icelite_address *next_of_peer;
};

/* A registered PeerConnection. Owned by engine->by_owner. */
struct icelite_peer {
    void *owner;
    struct icelite_credentials current;
    struct icelite_credentials previous; /* before an ICE restart, until the new ones are used */
    struct icelite_address *addresses;   /* at most engine->max_addresses */
    unsigned address_count;
    struct icelite_address *selected; /* nominated by USE-CANDIDATE; NULL before */
};

struct prism_icelite {
    StunAgent agent; /* server side: validates requests and finishes replies */
    uint64_t consent_timeout_us;
    unsigned max_addresses;
    GHashTable *by_owner;   /* owner -> peer (owns the peers) */
    GHashTable *by_ufrag;   /* local ufrag (the peer's string) -> peer, both generations */
    GHashTable *by_address; /* &address->endpoint -> address (owns the addresses) */
    struct icelite_address *oldest, *newest; /* consent list */
    GArray *events;                          /* of struct prism_icelite_event */
    guint event_head;                        /* first event not yet polled */
    struct prism_icelite_stats stats;
};

/* registry.c */
void icelite_registry_init(struct prism_icelite *engine);
void icelite_registry_free(struct prism_icelite *engine);
/* The credentials whose local ufrag is `ufrag` (NUL-terminated), and their peer in *peer. */
const struct icelite_credentials *icelite_credentials_find(struct prism_icelite *engine,
                                                           const char *ufrag,
                                                           struct icelite_peer **peer);
/* A check authenticated with `used`: once the current generation is in use, the previous one
 * (before an ICE restart) is forgotten. */
void icelite_credentials_confirm(struct prism_icelite *engine, struct icelite_peer *peer,
                                 const struct icelite_credentials *used);

/* address.c */
bool icelite_endpoint_from_sockaddr(const struct sockaddr *address, socklen_t length,
                                    struct icelite_endpoint *out);
void icelite_endpoint_to_sockaddr(const struct icelite_endpoint *endpoint,
                                  struct sockaddr_storage *out, socklen_t *length);
void icelite_addresses_init(struct prism_icelite *engine);
struct icelite_address *icelite_address_find(const struct prism_icelite *engine,
                                             const struct icelite_endpoint *endpoint);
/* Records an authenticated check of `peer` from `endpoint` at now_us: creates the address (or
 * takes it from another peer), refreshes its consent and returns it. */
struct icelite_address *icelite_address_checked(struct prism_icelite *engine,
                                                struct icelite_peer *peer,
                                                const struct icelite_endpoint *endpoint,
                                                uint64_t now_us);
/* Makes `address` its peer's selected one; queues SELECTED when it changed. */
void icelite_address_select(struct prism_icelite *engine, struct icelite_address *address);
/* Removes and frees `address`; if it was selected, its owner gets EXPIRED when `notify`. */
void icelite_address_remove(struct prism_icelite *engine, struct icelite_address *address,
                            bool notify);

/* consent.c */
void icelite_consent_refresh(struct prism_icelite *engine, struct icelite_address *address,
                             uint64_t now_us);
void icelite_consent_forget(struct prism_icelite *engine, struct icelite_address *address);

/* events.c */
void icelite_events_init(struct prism_icelite *engine);
void icelite_event_push(struct prism_icelite *engine, enum prism_icelite_event_type type,
                        void *owner, const struct icelite_endpoint *endpoint);
void icelite_events_drop_owner(struct prism_icelite *engine, const void *owner);

/* stun.c */
void icelite_stun_receive(struct prism_icelite *engine, const uint8_t *data, size_t len,
                          const struct icelite_endpoint *from, uint64_t now_us,
                          struct prism_icelite_output *out);

#endif
