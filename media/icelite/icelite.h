/* ICE-lite server for single-port media (RFC 8445 section 2.5): one engine per worker socket
 * answers the connectivity checks of every PeerConnection on that worker and tells which
 * PeerConnection each received datagram belongs to.
 *
 * Sans-IO: the engine is fed (datagram, source address, now) and returns what to do with the
 * datagram (a STUN answer to send back to the source, media to hand to its PeerConnection, or
 * drop), plus events and its next deadline. It never reads a clock or touches a socket. STUN is
 * parsed, authenticated and answered by libnice's public STUN library (stun/stunagent.h,
 * stun/usages/ice.h); nothing here encodes STUN by hand.
 *
 * The server side is always the controlled, lite agent: it never sends checks. A remote full
 * agent checks one of our host candidates (the worker's socket); a valid Binding request whose
 * USERNAME is "<local ufrag>:<remote ufrag>" and whose MESSAGE-INTEGRITY matches the local
 * password makes the source address a candidate pair of that PeerConnection, and USE-CANDIDATE
 * selects it. A later nomination of another address switches (a network change). Demultiplexing:
 * STUN by USERNAME (a hash table of local ufrags), everything else by source address (a hash
 * table of validated addresses); neither scans the peers.
 *
 * Consent (RFC 7675): an address expires when no authenticated check has come from it for
 * consent_timeout_us (30 s by default). When the selected address of a PeerConnection expires,
 * PRISM_ICELITE_EVENT_EXPIRED tells its owner, who ends it or waits for an ICE restart.
 *
 * Typical use by a worker, on its own thread:
 *   prism_icelite_create(&engine, &config);
 *   prism_icelite_register(engine, peer, &credentials);    when the PeerConnection is created
 *   for each datagram read from the socket:
 *       prism_icelite_receive(engine, data, len, from, from_len, now, &out);
 *       if (out.reply_len) sendto(socket, out.reply, out.reply_len, from);
 *       while (prism_icelite_poll_event(engine, &event)) ...;   SELECTED, EXPIRED
 *       if (out.verdict == PRISM_ICELITE_MEDIA) hand data to out.owner (out.kind says
 * DTLS/RTP/RTCP) when prism_icelite_next_deadline(engine) has passed: prism_icelite_timeout(engine,
 * now), then poll the events again; prism_icelite_unregister(engine, peer);                  when
 * the PeerConnection ends prism_icelite_destroy(engine);
 *
 * Threads: an engine belongs to one thread (the worker that owns the socket); no function is
 * thread-safe. Owners are opaque pointers the engine never dereferences; an owner stays valid
 * until it is unregistered, and unregistering also drops its pending events. */
#ifndef PRISM_MEDIA_ICELITE_H
#define PRISM_MEDIA_ICELITE_H

#include "media/demux.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct prism_icelite;

/* A reply buffer of this size always holds the engine's answer to any request. */
#define PRISM_ICELITE_REPLY_MAX 1280
#define PRISM_ICELITE_DEFAULT_CONSENT_TIMEOUT_US 30000000u /* RFC 7675 section 5.1 */
#define PRISM_ICELITE_DEFAULT_MAX_ADDRESSES 8

struct prism_icelite_config {
    uint64_t consent_timeout_us;     /* 0 = PRISM_ICELITE_DEFAULT_CONSENT_TIMEOUT_US */
    unsigned max_addresses_per_peer; /* 0 = PRISM_ICELITE_DEFAULT_MAX_ADDRESSES; at least 2 */
};

/* One PeerConnection's ICE credentials. Strings are copied by the engine. */
struct prism_icelite_credentials {
    const char *local_ufrag;  /* 4 to 256 ice-chars (RFC 8839: letters, digits, '+', '/') */
    const char *local_pwd;    /* 22 to 256 ice-chars */
    const char *remote_ufrag; /* NULL or "" while the remote description is not applied yet */
};

/* What the caller does with a received datagram. */
enum prism_icelite_verdict {
    PRISM_ICELITE_DROP = 0, /* not for anyone: unknown source, bad STUN, a stray response */
    PRISM_ICELITE_STUN,     /* STUN consumed here; send out->reply if reply_len > 0 */
    PRISM_ICELITE_MEDIA,    /* DTLS, RTP or RTCP from a validated address of out->owner */
};

/* In/out of prism_icelite_receive. The caller sets reply and reply_capacity. */
struct prism_icelite_output {
    uint8_t *reply;        /* in: buffer for a STUN answer (PRISM_ICELITE_REPLY_MAX is enough) */
    size_t reply_capacity; /* in */
    size_t reply_len;      /* out: bytes to send back to the source address, 0 = none */
    enum prism_icelite_verdict verdict;
    enum prism_demux_kind kind; /* the datagram's first-byte class (RFC 7983) */
    void *owner;                /* MEDIA, or an authenticated check: whose; else NULL */
};

enum prism_icelite_event_type {
    /* The owner's selected remote address is now `address` (first nomination or a switch):
     * send media there from now on. */
    PRISM_ICELITE_EVENT_SELECTED = 1,
    /* The owner has no selected address any more: consent expired, or the address was taken
     * by another registration's authenticated checks. Media cannot be sent until a new
     * SELECTED. */
    PRISM_ICELITE_EVENT_EXPIRED,
};

struct prism_icelite_event {
    enum prism_icelite_event_type type;
    void *owner;
    struct sockaddr_storage address; /* SELECTED: the new remote address; EXPIRED: the old one */
    socklen_t address_len;
};

/* Counters since creation, for metrics and tests. */
struct prism_icelite_stats {
    uint64_t stun_received;      /* every datagram classified as STUN */
    uint64_t checks_answered;    /* success responses written */
    uint64_t nominations;        /* USE-CANDIDATE that changed the selected address */
    uint64_t bad_requests;       /* 400: a request without USERNAME or MESSAGE-INTEGRITY */
    uint64_t unauthorized;       /* 401: unknown ufrag, wrong remote ufrag or password */
    uint64_t unknown_attributes; /* 420: unknown comprehension-required attribute */
    uint64_t role_conflicts;     /* 487: the remote also claims the controlled role */
    uint64_t malformed;          /* not STUN after all, bad FINGERPRINT, truncated: dropped */
    uint64_t ignored;            /* responses, indications, replies that did not fit: dropped */
    uint64_t media_routed;       /* non-STUN datagrams from a validated address */
    uint64_t media_unknown;      /* other non-STUN datagrams (unknown source, ZRTP, TURN
                                  * channel data, reserved first bytes): dropped */
    uint64_t bad_source;         /* source address neither IPv4 nor IPv6: dropped */
    uint64_t expired;            /* addresses removed by consent expiry */
    uint64_t peers;              /* registered owners now */
    uint64_t addresses;          /* validated remote addresses now */
};

/* Creates an engine (config may be NULL for the defaults). Returns 0 or -EINVAL / -ENOMEM;
 * writes *out only on success. */
int prism_icelite_create(struct prism_icelite **out, const struct prism_icelite_config *config);

/* Frees the engine and everything registered in it. NULL is allowed. */
void prism_icelite_destroy(struct prism_icelite *engine);

/* Registers `owner` with its credentials. Called again for an owner already registered, this
 * is an ICE restart (RFC 8445 section 9): the new credentials take over, the previous ones keep
 * answering until a check authenticates with the new ones (so consent holds while the remote
 * applies the new description), and validated addresses keep routing media until a new
 * nomination. Returns 0, -EINVAL (bad arguments or credentials) or -EEXIST (the local ufrag is
 * already registered, by anyone). */
int prism_icelite_register(struct prism_icelite *engine, void *owner,
                           const struct prism_icelite_credentials *credentials);

/* Sets the remote ufrag of the owner's current credentials (the remote description arrived
 * after the registration). Until it is set, any remote part of USERNAME is accepted (RFC 8445
 * section 7.3: a check may arrive before the answer). Returns 0, -EINVAL or -ENOENT. */
int prism_icelite_set_remote_ufrag(struct prism_icelite *engine, void *owner,
                                   const char *remote_ufrag);

/* Forgets the owner: its credentials, addresses and pending events. Unknown owners are
 * ignored. */
void prism_icelite_unregister(struct prism_icelite *engine, void *owner);

/* Handles one received datagram from `from` at time now_us (monotonic microseconds) and fills
 * *out (see struct prism_icelite_output). Never fails: what cannot be used is dropped and
 * counted. */
void prism_icelite_receive(struct prism_icelite *engine, const uint8_t *data, size_t len,
                           const struct sockaddr *from, socklen_t from_len, uint64_t now_us,
                           struct prism_icelite_output *out);

/* Takes the oldest pending event into *event: true, or false when there is none. */
bool prism_icelite_poll_event(struct prism_icelite *engine, struct prism_icelite_event *event);

/* When prism_icelite_timeout() has something to do: UINT64_MAX for never. */
uint64_t prism_icelite_next_deadline(const struct prism_icelite *engine);

/* Expires the addresses whose consent ran out by now_us; queues EXPIRED events. */
void prism_icelite_timeout(struct prism_icelite *engine, uint64_t now_us);

/* Copies the owner's selected remote address: true, or false when it has none (or is not
 * registered). */
bool prism_icelite_selected_address(const struct prism_icelite *engine, const void *owner,
                                    struct sockaddr_storage *address, socklen_t *address_len);

void prism_icelite_get_stats(const struct prism_icelite *engine, struct prism_icelite_stats *out);

#endif
