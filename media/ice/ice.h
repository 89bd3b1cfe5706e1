/* ICE for one PeerConnection: thin glue over a libnice agent (full ICE, RFC 5245/8445
 * compatibility, trickle both ways, RFC 7675 consent freshness), BUNDLE and rtcp-mux only,
 * so one stream with one component.
 *
 * Typical use by the PeerConnection, on its worker thread:
 *   prism_ice_create(&ice, &params);            no callback runs yet
 *   prism_ice_gather(ice);                      local candidates start to arrive
 *   prism_ice_set_remote_credentials(ice, ufrag, pwd);  from the offer's ice-ufrag/ice-pwd
 *   prism_ice_add_remote_candidate(ice, ...);   for each a=candidate of the offer or trickle
 *   prism_ice_remote_gathering_done(ice);       on a=end-of-candidates / trickle "completed"
 *   ... receive_cb delivers datagrams (STUN is handled inside), prism_ice_send sends ...
 *   prism_ice_destroy(ice);
 *
 * Role: per RFC 8445 section 6.1.1 the full agent that makes the offer (the initiating agent)
 * is controlling, the answerer controlled. Prism answers publishers (controlled, the default)
 * and makes offers to subscribers, where `controlling` should be true; a browser that also
 * thinks it controls is sorted out by the role-conflict rule (RFC 8445 section 7.3.1.1),
 * which libnice implements, at the cost of one extra check round.
 *
 * Threads: an agent belongs to the thread running its GMainContext (a worker's). Every
 * function must be called there, and every callback runs there. Callbacks may run inside the
 * functions that drive libnice (gather, credentials, remote candidates, end-of-candidates,
 * restart, send), never inside prism_ice_create or prism_ice_destroy. A callback may call
 * prism_ice_destroy on its own agent; the function that led to the callback then returns
 * normally and the agent must not be used again.
 *
 * Consent: libnice 0.1.21 sends a consent check every few seconds on the selected pair and
 * declares the component failed about 10 s after the last answer (measured; stricter than
 * RFC 7675's 30 s); the delay is fixed inside libnice, so it is not a setting. The owner
 * sees PRISM_ICE_FAILED and ends the PeerConnection.
 *
 * ICE-lite (settings->lite, media.ice_mode "lite"): the same functions drive a lite agent
 * instead (lite.c) that shares its worker's UDP socket (media/udp/worker_socket.h, given as
 * params->udp_port): one host candidate per address on the worker's port, gathering done at
 * once, remote candidates only checked for syntax (the remote's checks tell its address), the
 * remote's nomination makes it connected then completed, consent loss (30 s, RFC 7675) or no
 * nomination within 30 s makes it failed. It is always the controlled side.
 *
 * TURN: not configured yet. The place for it is right after the stream is added
 * (nice_agent_set_relay_info per server), with nice_agent_close_async before the release
 * in prism_ice_destroy so that allocations are freed on the server. */
#ifndef PRISM_MEDIA_ICE_H
#define PRISM_MEDIA_ICE_H

#include "core/netaddr.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_config;
struct prism_ice;
struct prism_loop;
struct prism_udp_port;

/* ICE settings of the process, from section "media" of prism.jcfg. Plain values: parse once
 * at start, then share read-only between workers. */
struct prism_ice_settings {
    /* Where host candidates come from; no entry = every address of the host but link-local
     * ones, loopback included. */
    struct prism_interface_match interfaces[PRISM_NETADDR_LIST_MAX];
    size_t interface_count;
    uint16_t port_min, port_max;
    char stun_address[64]; /* resolved IP literal; "" = no STUN server */
    uint16_t stun_port;
    bool has_nat_address; /* 1:1 NAT: advertise nat_address for host candidates */
    struct prism_ip nat_address;
    bool nat_keep_host; /* ... and the private host address too */
    struct prism_cidr remote_networks[PRISM_NETADDR_LIST_MAX]; /* none = any */
    size_t remote_network_count;
    bool tcp; /* passive ICE-TCP host candidates */
    /* media.ice_mode "lite": ICE-lite on each worker's shared socket (media/udp) instead of
     * a libnice agent per PeerConnection; worker i listens on udp_port + i. */
    bool lite;
    uint16_t udp_port;
    /* The light client mode (media/ice/client.c, media/iceclient): prism-bench's endpoints set
     * it; never read from prism.jcfg. One UDP socket per agent on the first selected address,
     * read through params->loop (no libnice, no GSource), checks as a host-only client. */
    bool client;
};

/* The settings as text, the way prism.jcfg spells them. */
struct prism_ice_settings_text {
    const char *interfaces;      /* "lo, 192.0.2.1" or "" */
    const char *port_range;      /* "10000-60000" */
    const char *stun_server;     /* "stun.example.net:3478", "[2001:db8::1]:3478" or "" */
    const char *nat_1_1_mapping; /* "198.51.100.7" or "" */
    bool nat_1_1_keep_host;
    const char *remote_networks; /* "10.0.0.0/8, fd00::/8" or "" */
    bool tcp;
    const char *ice_mode; /* "full" (or NULL) or "lite" */
    int udp_port;         /* 1..65535; 0 = 20000 */
};

/* Parses and checks `text`, resolving a STUN host name once (this may block on DNS: call
 * it at start-up). Returns 0, -EINVAL (a bad value) or -EHOSTUNREACH (the STUN host does
 * not resolve); on failure `error` says which and *out is untouched. */
int prism_ice_settings_parse(struct prism_ice_settings *out,
                             const struct prism_ice_settings_text *text, char *error,
                             size_t error_size);

/* The same from a loaded configuration's "media" section. */
int prism_ice_settings_from_config(struct prism_ice_settings *out,
                                   const struct prism_config *config, char *error,
                                   size_t error_size);

enum prism_ice_state {
    PRISM_ICE_NEW,       /* created or gathering; no check yet */
    PRISM_ICE_CHECKING,  /* checks running; after a restart, the old pair still carries media */
    PRISM_ICE_CONNECTED, /* a pair works; media can flow */
    PRISM_ICE_COMPLETED, /* the pair is nominated and final */
    PRISM_ICE_FAILED,    /* no pair works, consent was lost, or the pair is not allowed;
                            final until an ICE restart */
};

const char *prism_ice_state_name(enum prism_ice_state state);

/* What the agent tells its owner; `owner` is the pointer given at creation. */
struct prism_ice_callbacks {
    /* A local candidate, as the value of an SDP "a=candidate:" attribute without the "a="
     * ("candidate:1 1 UDP 2015364095 192.0.2.1 40000 typ host"): for trickle or the SDP. */
    void (*local_candidate_cb)(void *owner, const char *candidate);
    /* Gathering finished: send end-of-candidates / trickle "completed". */
    void (*gathering_done_cb)(void *owner);
    /* The state changed. On PRISM_ICE_FAILED the owner hangs up (or restarts ICE). */
    void (*state_cb)(void *owner, enum prism_ice_state state);
    /* A datagram arrived (DTLS, SRTP or SRTCP; never STUN) at `now_us` (CLOCK_MONOTONIC: the
     * time of its receive batch in lite mode, read for each datagram from libnice). `data`
     * points into the receive buffer and is valid only during the call. The hot path: it runs
     * once per packet with no allocation and no logging before it. */
    void (*receive_cb)(void *owner, const uint8_t *data, size_t length, uint64_t now_us);
};

struct prism_ice_params {
    GMainContext *context; /* the worker's; NULL = this thread's default */
    /* Lite mode (settings->lite): the worker's shared socket, which must outlive the agent;
     * the agent is then always the controlled side, whatever `controlling` says. */
    struct prism_udp_port *udp_port;
    /* Client mode (settings->client): the worker's loop, which must outlive the agent. */
    struct prism_loop *loop;
    const struct prism_ice_settings *settings;   /* must outlive the agent */
    bool controlling;                            /* true only when Prism makes the offer */
    const struct prism_ice_callbacks *callbacks; /* all four required; copied */
    void *owner;
};

/* Creates an agent on params->context with fresh random local credentials. No network
 * activity and no callback until prism_ice_gather. Returns 0, -EINVAL or -ENOMEM. */
int prism_ice_create(struct prism_ice **out, const struct prism_ice_params *params);

/* Opens the host candidates' sockets and starts STUN discovery. local_candidate_cb (and,
 * with host candidates only, gathering_done_cb) may run before this returns. Returns 0,
 * -EADDRNOTAVAIL when no configured address exists on this host, -EALREADY, or -EIO when
 * libnice cannot open the sockets (ports in use). */
int prism_ice_gather(struct prism_ice *ice);

/* The current local ufrag and password (for the SDP); valid until the next restart. */
const char *prism_ice_local_ufrag(const struct prism_ice *ice);
const char *prism_ice_local_pwd(const struct prism_ice *ice);

/* Calls `candidate_cb` with every local candidate gathered so far, in the same form as
 * local_candidate_cb (for an answer or an offer, notably after a restart). Returns the count.
 * `candidate_cb` must not destroy the agent. */
size_t prism_ice_foreach_local_candidate(struct prism_ice *ice,
                                         void (*candidate_cb)(void *data, const char *candidate),
                                         void *data);

/* True once gathering finished (the SDP may carry a=end-of-candidates). */
bool prism_ice_gathering_done(const struct prism_ice *ice);

/* Takes the peer's ice-ufrag and ice-pwd from an offer or answer. Returns 0 when they are
 * new or unchanged, 1 when they differ from the current ones: the peer restarts ICE, so the
 * agent restarted too, with new local credentials that the answer must carry (with the local
 * candidates from prism_ice_foreach_local_candidate); media keeps flowing on the old pair
 * until a new one is selected. -EINVAL when they break RFC 8839 (ufrag 4 to 256 ice-chars,
 * password 22 to 256). */
int prism_ice_set_remote_credentials(struct prism_ice *ice, const char *ufrag, const char *pwd);

/* Starts an ICE restart from this side (an offer with new credentials): new local
 * credentials now, the peer's new ones later through prism_ice_set_remote_credentials.
 * Returns 0 or -EIO. */
int prism_ice_restart(struct prism_ice *ice);

/* What became of a remote candidate. */
enum prism_ice_candidate_result {
    PRISM_ICE_CANDIDATE_ADDED,     /* checks will run towards it */
    PRISM_ICE_CANDIDATE_MALFORMED, /* libnice cannot parse it, or its port is invalid */
    PRISM_ICE_CANDIDATE_MDNS,      /* a ".local" name: ignored */
    PRISM_ICE_CANDIDATE_FILTERED,  /* outside ice_remote_networks: never sent to */
    PRISM_ICE_CANDIDATE_UNUSED,    /* RTCP component, TCP while ICE-TCP is off, or an
                                      unspecified, multicast or broadcast address */
};

/* Adds a remote candidate: the value of an "a=candidate:" attribute ("candidate:..."; a
 * leading "a=" and trailing blanks or CRLF are accepted), as found in an SDP or a trickle
 * message. `text` need not be NUL-terminated. Candidates that are not added are ignored
 * silently (an mDNS name is logged once per agent at debug level). */
enum prism_ice_candidate_result prism_ice_add_remote_candidate(struct prism_ice *ice,
                                                               const char *text, size_t length);

/* The peer sent end-of-candidates: once every check failed, the state becomes failed at once.
 * Before it, a failure of all checks is reported only after a grace period of 5 s in which
 * a late candidate can still save the connection (libnice retries when one comes). */
void prism_ice_remote_gathering_done(struct prism_ice *ice);

/* Sends one datagram on the selected pair. Returns the bytes sent, -ENOTCONN before a pair is
 * selected, after failure or when the selected pair is not allowed, -EMSGSIZE above 65535
 * bytes, or -EIO. The hot path: no allocation, no logging. */
int prism_ice_send(struct prism_ice *ice, const uint8_t *data, size_t length);

enum prism_ice_state prism_ice_get_state(const struct prism_ice *ice);

/* True for an ICE-lite agent (our descriptions then carry a=ice-lite). */
bool prism_ice_is_lite(const struct prism_ice *ice);

/* The host's addresses (interfaces that are up) that yield candidates under `settings`, each
 * once. Returns 0 or -errno from getifaddrs; at most `capacity` are written. */
int prism_ice_local_addresses(const struct prism_ice_settings *settings, struct prism_ip *out,
                              size_t capacity, size_t *count);

/* Writes the selected pair's addresses as "ip:port/udp" (or "/tcp") into `local` and
 * `remote`. Returns 0, or -ENOTCONN when no pair is selected. For logs and admin queries. */
int prism_ice_get_selected_pair(struct prism_ice *ice, char *local, size_t local_size, char *remote,
                                size_t remote_size);

/* Stops the agent: no callback of it runs after this returns, its sockets close and its
 * GSources leave the context. Called from a callback of this very agent, the libnice agent
 * is released on the context's next iteration instead (libnice is still on the stack). */
void prism_ice_destroy(struct prism_ice *ice);

#endif
