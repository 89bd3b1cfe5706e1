/* A light client-side ICE agent, sans-IO: the connectivity checks of one PeerConnection that
 * has a single host candidate (one UDP socket) and talks to a server. Built for prism-bench,
 * whose simulated participants would otherwise each run a libnice agent with GSources on the
 * bench worker's GMainContext; Prism's server side never uses it.
 *
 * What it does (RFC 8445, a subset fit for a host-only client):
 * - checks each remote candidate (added from the SDP or trickle, or learnt as
 *   peer-reflexive from the remote's own checks) with a Binding request carrying USERNAME,
 *   PRIORITY, ICE-CONTROLLING or ICE-CONTROLLED, USE-CANDIDATE when controlling (aggressive
 *   nomination), MESSAGE-INTEGRITY and FINGERPRINT, built by libnice's STUN library
 *   (stun_usage_ice_conncheck_create); a request is retransmitted (same transaction) at 100 ms,
 *   doubling up to 1.6 s, until it is answered;
 * - the first authenticated success response selects its remote address (as controlling), or,
 *   as controlled, the remote's nominating check (USE-CANDIDATE) or our first success;
 * - answers the remote's checks (a full agent such as Janus sends them) through
 *   stun_usage_ice_conncheck_create_reply, role conflicts included (RFC 8445 section 7.3.1.1),
 *   and switches role on a 487 answer;
 * - once selected, sends a consent check every 5 s (RFC 7675; Prism's ICE-lite side expires
 *   a peer after 30 s without one) and fails when no check was answered for 30 s;
 * - fails when nothing is selected 30 s after the start.
 *
 * Use: init, set the credentials, add remote addresses, then feed every datagram read from the
 * socket to prism_iceclient_receive (which says whether it is media for the owner and may give
 * an answer to send), and call prism_iceclient_poll at prism_iceclient_deadline for the checks
 * to send. Events (selected, failed) are taken with prism_iceclient_take_event. Times are
 * CLOCK_MONOTONIC microseconds supplied by the caller. One thread. */
#ifndef PRISM_MEDIA_ICECLIENT_H
#define PRISM_MEDIA_ICECLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stun/stunagent.h>
#include <sys/socket.h>

/* Remote addresses checked at most (candidates and peer-reflexive ones). */
#define PRISM_ICECLIENT_MAX_REMOTES 8
/* Room for a check or an answer (ours stay under 200 bytes). */
#define PRISM_ICECLIENT_DATAGRAM_MAX 548
#define PRISM_ICECLIENT_CREDENTIAL_MAX 256

#define PRISM_ICECLIENT_RETRANSMIT_FIRST_US 100000u
#define PRISM_ICECLIENT_RETRANSMIT_MAX_US 1600000u
#define PRISM_ICECLIENT_CONNECT_TIMEOUT_US 30000000u
#define PRISM_ICECLIENT_CONSENT_INTERVAL_US 5000000u
#define PRISM_ICECLIENT_CONSENT_TIMEOUT_US 30000000u

enum prism_iceclient_verdict {
    PRISM_ICECLIENT_MEDIA, /* DTLS, RTP or RTCP from a known remote address: for the owner */
    PRISM_ICECLIENT_STUN,  /* handled here; out->reply_len > 0: send that answer back */
    PRISM_ICECLIENT_DROP,  /* malformed, unauthenticated or from an unknown address */
};

enum prism_iceclient_event {
    PRISM_ICECLIENT_EVENT_NONE,
    PRISM_ICECLIENT_EVENT_SELECTED, /* a remote address is selected: media can be sent */
    PRISM_ICECLIENT_EVENT_FAILED,   /* no address answered in time, or consent was lost */
};

struct prism_iceclient_stats {
    uint64_t checks_sent;       /* first transmissions and retransmissions */
    uint64_t responses;         /* authenticated success responses */
    uint64_t role_conflicts;    /* 487 received, or a conflict in the remote's check */
    uint64_t requests_answered; /* the remote's checks we answered */
    uint64_t dropped;           /* malformed, unauthenticated, unknown source */
};

struct iceclient_remote {
    struct sockaddr_storage address;
    socklen_t address_len;
    uint8_t request[PRISM_ICECLIENT_DATAGRAM_MAX]; /* the check in flight */
    size_t request_len;                            /* 0 = none in flight */
    StunTransactionId transaction;
    uint64_t next_send_us;
    uint32_t interval_us;
    bool succeeded;
};

/* Embedded in its owner; fields are private to iceclient.c. */
struct prism_iceclient {
    StunAgent agent;
    bool controlling;
    uint64_t tie_breaker;
    uint32_t priority; /* of our host candidate, sent in PRIORITY */
    char local_ufrag[PRISM_ICECLIENT_CREDENTIAL_MAX + 1];
    char local_pwd[PRISM_ICECLIENT_CREDENTIAL_MAX + 1];
    char remote_ufrag[PRISM_ICECLIENT_CREDENTIAL_MAX + 1];
    char remote_pwd[PRISM_ICECLIENT_CREDENTIAL_MAX + 1];
    char username[2 * PRISM_ICECLIENT_CREDENTIAL_MAX + 2]; /* "<remote>:<local>" of our checks */
    struct iceclient_remote remotes[PRISM_ICECLIENT_MAX_REMOTES];
    unsigned remote_count;
    int selected; /* index in remotes, -1 = none */
    bool started, failed;
    uint64_t started_us;
    uint64_t last_response_us; /* consent: the last answer from the selected address */
    uint64_t next_consent_us;
    unsigned pending_events; /* bit 0 selected, bit 1 failed */
    struct prism_iceclient_stats stats;
};

struct prism_iceclient_output {
    uint8_t *reply; /* caller's buffer for an answer to a remote check */
    size_t reply_capacity;
    size_t reply_len; /* set by receive: 0 = nothing to send */
};

/* Resets `client` for a PeerConnection whose role starts as `controlling` (the side that made
 * the offer; a conflict may switch it), with its random tie-breaker and the PRIORITY of its
 * host candidate. */
void prism_iceclient_init(struct prism_iceclient *client, bool controlling, uint64_t tie_breaker,
                          uint32_t priority);

/* Our credentials (those of our SDP) and the remote's (from its SDP). Strings are copied.
 * Setting the remote ones again with other values is not supported (no ICE restart): -EBUSY.
 * Returns 0 or -EINVAL (empty or longer than PRISM_ICECLIENT_CREDENTIAL_MAX). */
int prism_iceclient_set_local_credentials(struct prism_iceclient *client, const char *ufrag,
                                          const char *pwd);
int prism_iceclient_set_remote_credentials(struct prism_iceclient *client, const char *ufrag,
                                           const char *pwd);

/* A remote candidate's address. Returns 0, 1 when it is already known, -EAFNOSUPPORT or
 * -ENOSPC. Checks towards it start at the next poll once started. */
int prism_iceclient_add_remote(struct prism_iceclient *client, const struct sockaddr *address,
                               socklen_t address_len);

/* Starts checking (once the remote credentials are known; before that, start is remembered
 * and checks begin when they arrive). The connect timeout runs from `now_us`. */
void prism_iceclient_start(struct prism_iceclient *client, uint64_t now_us);

/* One datagram read from the socket, from `from`. See the verdicts. */
enum prism_iceclient_verdict prism_iceclient_receive(struct prism_iceclient *client,
                                                     const uint8_t *data, size_t len,
                                                     const struct sockaddr *from,
                                                     socklen_t from_len, uint64_t now_us,
                                                     struct prism_iceclient_output *out);

/* Writes the next datagram due at `now_us` into `buf` and its destination into `to`; returns
 * its length, 0 when nothing more is due now (call again until 0). May queue a failure. */
size_t prism_iceclient_poll(struct prism_iceclient *client, uint64_t now_us, uint8_t *buf,
                            size_t capacity, struct sockaddr_storage *to, socklen_t *to_len);

/* When poll has something to do next; UINT64_MAX = nothing (not started, or failed). */
uint64_t prism_iceclient_deadline(const struct prism_iceclient *client);

/* The next pending event, oldest first; NONE when there is none. */
enum prism_iceclient_event prism_iceclient_take_event(struct prism_iceclient *client);

/* The selected remote address, NULL before selection or after failure. */
const struct sockaddr_storage *prism_iceclient_selected(const struct prism_iceclient *client,
                                                        socklen_t *len);

bool prism_iceclient_controlling(const struct prism_iceclient *client);

#endif
