/* DTLS 1.2 as a sans-IO engine for DTLS-SRTP (RFC 5764) and SCTP over DTLS
 * (RFC 8261): fed datagrams and the time, drained for datagrams to send, the
 * next retransmission deadline, application data and, once connected, the
 * SRTP keys. OpenSSL does the protocol; no socket is involved.
 *
 * Clock: every time is the caller's clock in microseconds. OpenSSL 3.0 reads
 * gettimeofday() itself for its retransmission timer; the engine maps that
 * timer onto the caller's clock after every call (deadline = now + time left),
 * so both agree as long as the caller's clock runs at real speed. A caller
 * whose clock runs ahead of real time (a test jumping forward) sees
 * handle_timeout do nothing until OpenSSL's own timer is due, then retransmit. */
#ifndef PRISM_MEDIA_DTLS_DTLS_H
#define PRISM_MEDIA_DTLS_DTLS_H

#include "media/dtls/cert.h"
#include "media/srtp/srtp.h"

#include <stddef.h>
#include <stdint.h>

/* prism_dtls_next_timeout() when no retransmission is pending. */
#define PRISM_DTLS_NO_TIMEOUT UINT64_MAX

/* Who sends the ClientHello; the caller decides from a=setup (RFC 8842):
 * "active" is the client, "passive" the server. */
enum prism_dtls_role {
    PRISM_DTLS_ROLE_CLIENT,
    PRISM_DTLS_ROLE_SERVER,
};

enum prism_dtls_state {
    PRISM_DTLS_STATE_NEW,        /* created, prism_dtls_start not called yet */
    PRISM_DTLS_STATE_CONNECTING, /* handshake in progress */
    PRISM_DTLS_STATE_CONNECTED,  /* handshake done, peer fingerprint verified */
    PRISM_DTLS_STATE_FAILED,     /* see prism_dtls_failure_reason(); final */
    PRISM_DTLS_STATE_CLOSED,     /* close_notify sent or received; final */
};

struct prism_dtls_config {
    size_t mtu;                  /* largest datagram sent, 256..65507; 0 = 1200 */
    uint64_t initial_timeout_us; /* first retransmission timeout; 0 = 1 s (RFC 6347) */
    uint64_t max_timeout_us;     /* cap of the doubling backoff; 0 = 60 s */
};

/* The process-wide DTLS setup: one SSL_CTX with our certificate, DTLS 1.2
 * only, ECDHE with AES-GCM first, use_srtp profiles AEAD_AES_128_GCM,
 * AEAD_AES_256_GCM, AES128_CM_SHA1_80 in that order of preference, peer
 * certificates accepted only by fingerprint. Immutable once created, so every
 * worker thread may create connections from it concurrently; refcounted
 * atomically, and each connection holds a reference. */
struct prism_dtls_context;

/* Creates the context (takes its own reference on `cert`); config may be NULL.
 * Returns 0, -EINVAL (bad config), -ENOMEM or -EIO. */
int prism_dtls_context_new(struct prism_dtls_context **out, struct prism_dtls_cert *cert,
                           const struct prism_dtls_config *config);
struct prism_dtls_context *prism_dtls_context_ref(struct prism_dtls_context *ctx);
void prism_dtls_context_unref(struct prism_dtls_context *ctx);

/* One DTLS association (one per PeerConnection transport with BUNDLE).
 * Belongs to the worker thread of its transport: every function below must be
 * called from that thread only. Owns its SSL object, its queues of datagrams
 * to send and of application data received, and a context reference. */
struct prism_dtls;

/* Creates a connection in state NEW. `remote` is the fingerprint from the
 * remote SDP; the peer's certificate must hash to it with the same algorithm.
 * Returns 0, -EINVAL, -ENOMEM or -EIO. */
int prism_dtls_new(struct prism_dtls **out, struct prism_dtls_context *ctx,
                   enum prism_dtls_role role, const struct prism_dtls_fingerprint *remote);

/* Frees the connection without sending anything (call prism_dtls_close first
 * for a polite close_notify). NULL is a no-op. */
void prism_dtls_free(struct prism_dtls *conn);

/* Starts the handshake: a client queues its ClientHello, a server starts
 * accepting. Returns 0, -EALREADY if already started, -EIO on failure. */
int prism_dtls_start(struct prism_dtls *conn, uint64_t now);

/* Feeds one received datagram (RFC 7983 first byte 20..63). Drain output,
 * application data and state afterwards (also after a failure: the output may
 * hold the alert that tells the peer). Returns 0 when processed (records
 * OpenSSL finds invalid are dropped silently, as DTLS requires), -EBADMSG if
 * it is not a DTLS datagram, -ENOTCONN before start or after the end, -EPROTO
 * if it made the connection fail. */
int prism_dtls_receive(struct prism_dtls *conn, const uint8_t *data, size_t len, uint64_t now);

/* Copies the next datagram to send into buf and removes it from the queue.
 * Returns its length, 0 when nothing is queued, -EMSGSIZE if cap is too small
 * (the datagram stays queued; it is never larger than the configured mtu). */
int prism_dtls_poll_output(struct prism_dtls *conn, uint8_t *buf, size_t cap);

/* The absolute time (caller's clock) at which prism_dtls_handle_timeout is
 * due, or PRISM_DTLS_NO_TIMEOUT. */
uint64_t prism_dtls_next_timeout(const struct prism_dtls *conn);

/* Retransmits the last flight if its timer has expired. Returns 1 if a flight
 * was queued again, 0 if nothing was due, -ETIMEDOUT if the peer stayed silent
 * through every retransmission (the connection has failed). */
int prism_dtls_handle_timeout(struct prism_dtls *conn, uint64_t now);

enum prism_dtls_state prism_dtls_state(const struct prism_dtls *conn);
enum prism_dtls_role prism_dtls_role(const struct prism_dtls *conn);

/* The negotiated cipher suite in OpenSSL's naming (e.g.
 * "ECDHE-ECDSA-AES128-GCM-SHA256"), for logs and stats; NULL before connecting. */
const char *prism_dtls_cipher(const struct prism_dtls *conn);

/* Why the connection failed (e.g. a fingerprint mismatch, an alert from the
 * peer, a timeout), or NULL if it has not. Valid until the connection is freed. */
const char *prism_dtls_failure_reason(const struct prism_dtls *conn);

/* The negotiated profile and the SRTP master keys for each direction, exported
 * with "EXTRACTOR-dtls_srtp". Returns 0, -ENOTCONN before the handshake
 * completed, -ENOENT if the peer negotiated no SRTP profile. */
int prism_dtls_srtp_keys(const struct prism_dtls *conn, struct prism_srtp_keys *keys);

/* Largest application payload one datagram can carry with the negotiated
 * cipher within the mtu (SCTP's path MTU), or 0 before connecting. */
size_t prism_dtls_app_mtu(const struct prism_dtls *conn);

/* Encrypts one application message (e.g. an SCTP packet) into one datagram on
 * the output queue. Returns 0, -ENOTCONN, -EMSGSIZE (empty or above the app
 * mtu), -ENOBUFS (output queue full: drain it first) or -EIO. */
int prism_dtls_send_app(struct prism_dtls *conn, const uint8_t *data, size_t len);

/* Copies the next received application message into buf and removes it.
 * Returns its length, 0 when none is queued, -EMSGSIZE if cap is too small
 * (the message stays queued; messages are at most 16384 bytes). */
int prism_dtls_poll_app(struct prism_dtls *conn, uint8_t *buf, size_t cap);

/* Queues a close_notify (when connected) and moves to CLOSED. Idempotent. */
void prism_dtls_close(struct prism_dtls *conn);

#endif
