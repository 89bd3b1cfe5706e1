/* Inside the ICE module: the agent's state and the pure pieces (credentials, local address
 * choice, remote candidate screening, local candidate advertising) that agent.c and
 * remote.c combine. Included by the module's unit tests and fuzz target, not by its users. */
#ifndef PRISM_MEDIA_ICE_INTERNAL_H
#define PRISM_MEDIA_ICE_INTERNAL_H

#include "media/ice/ice.h"
#include "core/loop.h"
#include "media/udp/worker_socket.h"

#include <nice/agent.h>

/* RFC 8445 section 5.3 asks for at least 24 random bits in a ufrag and 128 in a password;
 * each ice-char carries 6 bits, so 8 and 24 characters give 48 and 144 bits. */
#define PRISM_ICE_UFRAG_LENGTH 8
#define PRISM_ICE_PWD_LENGTH 24
/* RFC 8839 section 5.4: ice-ufrag is 4 to 256 ice-chars, ice-pwd 22 to 256. */
#define PRISM_ICE_CREDENTIAL_MAX 256
#define PRISM_ICE_CREDENTIAL_RANDOM_BYTES (PRISM_ICE_UFRAG_LENGTH + PRISM_ICE_PWD_LENGTH)

struct prism_ice_credentials {
    char ufrag[PRISM_ICE_UFRAG_LENGTH + 1];
    char pwd[PRISM_ICE_PWD_LENGTH + 1];
};

/* Maps random bytes to ice-chars (ALPHA / DIGIT / "+" / "/": 64 symbols, 6 bits a byte). */
void prism_ice_credentials_from_random(struct prism_ice_credentials *out,
                                       const uint8_t random[PRISM_ICE_CREDENTIAL_RANDOM_BYTES]);

/* Fresh credentials from the kernel's CSPRNG (libnice's own come from a non-cryptographic
 * generator, and the password keys STUN message integrity). Returns 0 or -errno. */
int prism_ice_credentials_generate(struct prism_ice_credentials *out);

/* RFC 8839 syntax checks of a remote ice-ufrag / ice-pwd (NUL-terminated). */
bool prism_ice_ufrag_valid(const char *ufrag);
bool prism_ice_pwd_valid(const char *pwd);

/* Whether a host address yields candidates: never link-local (169.254.0.0/16, fe80::/10);
 * otherwise any address when no interface is configured, else one listed by address or
 * whose interface is listed by name. */
bool prism_ice_address_selected(const struct prism_ice_settings *settings,
                                const char *interface_name, const struct prism_ip *address);

/* libnice (0.1.21) fails a component about 7 s after its last check failed even while the
 * peer may still trickle candidates, and revives it when new candidates come. Such an early
 * failure is held back until the peer's end-of-candidates or this long, whichever is first. */
#define PRISM_ICE_FAILURE_GRACE_MS 5000

/* Longest candidate attribute accepted, "a=" included. */
#define PRISM_ICE_CANDIDATE_MAX 1024

/* Parses a remote candidate with libnice (on `agent`'s stream `stream_id`) and screens it
 * against `settings`. On PRISM_ICE_CANDIDATE_ADDED, *out is the parsed candidate, to free
 * with nice_candidate_free; otherwise *out is untouched. `text` as for
 * prism_ice_add_remote_candidate. */
enum prism_ice_candidate_result
prism_ice_candidate_screen(NiceAgent *agent, guint stream_id,
                           const struct prism_ice_settings *settings, const char *text,
                           size_t length, NiceCandidate **out);

/* Calls `emit` with each form in which a local candidate is advertised: none for active and
 * simultaneous-open TCP candidates (only passive ICE-TCP is offered), the candidate itself,
 * and/or its copy carrying the 1:1 NAT address. Returns how many were emitted. */
size_t prism_ice_candidate_advertise(NiceAgent *agent, const struct prism_ice_settings *settings,
                                     const NiceCandidate *candidate,
                                     void (*emit)(void *data, const char *candidate), void *data);

/* Converts a libnice address; false for a family other than IPv4 and IPv6. */
bool prism_ice_ip_from_nice(const NiceAddress *address, struct prism_ip *out);

/* One PeerConnection's agent. Owned by its creator; touched only on the thread running
 * `context`. A full agent drives libnice; a lite one (lite.c) has no NiceAgent and answers
 * on its worker's shared socket through `link`. */
struct prism_ice {
    NiceAgent *agent;      /* owned; unreferenced by the release; NULL when lite */
    GMainContext *context; /* referenced */
    guint stream_id;       /* the one stream; its component 1 carries everything */
    const struct prism_ice_settings *settings; /* borrowed: outlives the agent */
    struct prism_ice_callbacks callbacks;
    void *owner;
    struct prism_ice_credentials local;
    char remote_ufrag[PRISM_ICE_CREDENTIAL_MAX + 1]; /* "" until the peer's arrive */
    char remote_pwd[PRISM_ICE_CREDENTIAL_MAX + 1];
    enum prism_ice_state state;
    bool gathering_started, gathering_done;
    bool has_pair;          /* libnice selected a pair at least once */
    bool can_send;          /* a selected, allowed pair and no failure since */
    bool pair_allowed;      /* the selected pair's remote is inside ice_remote_networks */
    bool remote_done;       /* the peer sent end-of-candidates (this ICE generation) */
    GSource *failure_grace; /* a held-back early failure; see PRISM_ICE_FAILURE_GRACE_MS */
    bool mdns_logged;
    /* prism_ice_destroy was called: no more owner callbacks; released when depth is 0. */
    bool dead;
    /* How many of our frames that libnice may return into are on the stack (libnice
     * signal handlers, and our calls into libnice that can emit). The agent may only be
     * unreferenced when this is 0. */
    unsigned depth;
    /* Lite mode: the worker's shared socket (borrowed) and this agent's place on it. */
    struct prism_udp_port *udp_port;
    struct prism_udp_link link;
    struct prism_timer connect_deadline; /* no nomination by then: failed */
    /* Client mode (settings->client, prism-bench): its socket and check engine (client.c). */
    struct ice_client *client;
};

/* Brackets a call into libnice, or a callback from it, during which the owner may destroy
 * the agent. After prism_ice_leave the agent must not be touched: it may be gone. */
static inline void prism_ice_enter(struct prism_ice *ice)
{
    ice->depth++;
}
void prism_ice_leave(struct prism_ice *ice);

/* Moves to `state` and tells the owner (agent.c). */
void prism_ice_set_state(struct prism_ice *ice, enum prism_ice_state state);

/* lite.c: the ICE-lite backend behind the same functions (each public function hands over
 * to these when ice->udp_port is set). */
#define PRISM_ICE_LITE_CONNECT_TIMEOUT_US 30000000u
int ice_lite_create(struct prism_ice **out, const struct prism_ice_params *params);
int ice_lite_gather(struct prism_ice *ice);
size_t ice_lite_foreach_local_candidate(struct prism_ice *ice,
                                        void (*candidate_cb)(void *data, const char *candidate),
                                        void *data);
int ice_lite_set_remote_credentials(struct prism_ice *ice, const char *ufrag, const char *pwd);
int ice_lite_restart(struct prism_ice *ice);
enum prism_ice_candidate_result ice_lite_add_remote_candidate(struct prism_ice *ice,
                                                              const char *text, size_t length);
int ice_lite_send(struct prism_ice *ice, const uint8_t *data, size_t length);
int ice_lite_get_selected_pair(struct prism_ice *ice, char *local, size_t local_size, char *remote,
                               size_t remote_size);
void ice_lite_release(struct prism_ice *ice);
/* Writes a host candidate as "candidate:<foundation> 1 udp <priority> <ip> <port> typ host". */
int ice_lite_candidate_text(const struct prism_ip *ip, uint16_t port, unsigned index, char *out,
                            size_t size);

/* client.c: the light client backend (settings->client), used by prism-bench's endpoints
 * instead of a libnice agent; each public function hands over when ice->client is set. */
int ice_client_create(struct prism_ice **out, const struct prism_ice_params *params);
int ice_client_gather(struct prism_ice *ice);
size_t ice_client_foreach_local_candidate(struct prism_ice *ice,
                                          void (*candidate_cb)(void *data, const char *candidate),
                                          void *data);
int ice_client_set_remote_credentials(struct prism_ice *ice, const char *ufrag, const char *pwd);
enum prism_ice_candidate_result ice_client_add_remote_candidate(struct prism_ice *ice,
                                                                const char *text, size_t length);
int ice_client_send(struct prism_ice *ice, const uint8_t *data, size_t length);
int ice_client_get_selected_pair(struct prism_ice *ice, char *local, size_t local_size,
                                 char *remote, size_t remote_size);
void ice_client_release(struct prism_ice *ice);

/* Writes a socket address as "ip:port/udp" ("[ip]:port/udp" for IPv6). */
void ice_format_address(const struct sockaddr_storage *address, char *out, size_t size);

/* Reports a held-back failure now (end-of-candidates arrived), or forgets it (restart). */
void prism_ice_flush_failure(struct prism_ice *ice, bool report);

#endif
