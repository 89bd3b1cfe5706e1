/* The WebSocket transport of the Janus API (package
 * "janus.transport.websockets"), on libwebsockets: subprotocol
 * "janus-protocol", also chosen for clients that name none. Every connection
 * is an event sink for the sessions it creates; requests go to the API engine
 * and replies and events go back in the order they were produced.
 *
 * Threads: one service thread runs the libwebsockets loop; any thread may
 * push events or deliver replies. start, stop and destroy are called from one
 * controlling thread (the process's main thread). */
#ifndef PRISM_SIGNALING_WS_H
#define PRISM_SIGNALING_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_api;
struct prism_ws;

#define PRISM_WS_DEFAULT_INTERFACE "127.0.0.1"
#define PRISM_WS_DEFAULT_MAX_MESSAGE_SIZE (1024 * 1024)
#define PRISM_WS_DEFAULT_MAX_QUEUED_BYTES (8 * 1024 * 1024)
/* How long prism_ws_stop lets connections flush their queued output. */
#define PRISM_WS_DRAIN_TIMEOUT_MS 1000

struct prism_ws_config {
    /* Where to listen: an IPv4 address (that address only, IPv4 only), an
     * IPv6 address (IPv6 only), or an interface name such as "lo" (its IPv4
     * address). "0.0.0.0" is every IPv4 interface, "::" every interface.
     * NULL or "" means PRISM_WS_DEFAULT_INTERFACE. */
    const char *interface;
    uint16_t port;           /* 0: an ephemeral port, see prism_ws_port */
    size_t max_message_size; /* larger requests close the socket (1009); 0: default */
    size_t max_queued_bytes; /* output a client may leave unread before it is
                                closed (1008); 0: default */
    /* Concurrent connections from one client address; more are closed as they are accepted.
     * 0: unlimited. */
    unsigned max_connections_per_address;
    /* Serve the Admin API instead, on subprotocol "janus-admin-protocol"
     * (also chosen for clients that name none): messages go to
     * prism_api_handle_admin and the transport is not listed in "info". */
    bool admin;
    /* WSS: PEM files of the certificate (chain) and its private key. NULL or "": plain
     * WebSocket. `cert_pwd` decrypts an encrypted key (NULL or "": none). */
    const char *cert_pem;
    const char *cert_key;
    const char *cert_pwd;
};

/* Opens the listening socket, starts the service thread and lists the
 * transport in the engine's "info". Returns 0, or -errno with a log line
 * saying why: -EADDRINUSE for a taken port, -EADDRNOTAVAIL for an address
 * this machine does not have, -ENODEV for an unknown interface name, -EINVAL
 * for missing arguments. On failure nothing is left running and the engine
 * is untouched. `api` must outlive the transport. */
int prism_ws_start(struct prism_ws **out, const struct prism_ws_config *config,
                   struct prism_api *api);

/* True when the transport serves WebSocket over TLS. */
bool prism_ws_is_tls(const struct prism_ws *ws);

/* The port actually bound (useful when the configured port was 0). */
uint16_t prism_ws_port(const struct prism_ws *ws);

/* Lets every connection flush its queued output for up to
 * PRISM_WS_DRAIN_TIMEOUT_MS, closes them (status 1001, going away), reports
 * each closed client to the engine (prism_api_sink_closed) and stops the
 * service thread. Events pushed afterwards are dropped. Idempotent. */
void prism_ws_stop(struct prism_ws *ws);

/* Stops the transport if needed and frees it. Sessions may still hold their
 * clients' sinks: those stay valid, closed, until the engine releases them. */
void prism_ws_destroy(struct prism_ws *ws);

#endif
