/* A client connection to a server speaking the Janus JSON API (Prism or Janus itself), over
 * WebSocket (subprotocol "janus-protocol") or HTTP (REST requests plus one long-poll per
 * session), both on libwebsockets' client side.
 *
 * Threads: one libwebsockets service thread for the whole process, started by the first
 * bench_janus_open and stopped by bench_janus_shutdown. Every callback runs on the
 * GMainContext given at open (a bench worker's), never on the service thread; every function
 * is called from that context's thread.
 *
 * What the client does by itself: adds a "transaction" to every request and matches the
 * answer; for "message" requests waits past the "ack" for the plugin's "event" carrying the
 * same transaction; sends a "keepalive" every 25 s for each session it created; over HTTP,
 * routes requests to /janus, /janus/<session> or /janus/<session>/<handle> from their
 * "session_id"/"handle_id" members and runs a long-poll per session for its events. */
#ifndef PRISM_BENCH_JANUS_CLIENT_H
#define PRISM_BENCH_JANUS_CLIENT_H

#include <glib.h>
#include <jansson.h>
#include <stdint.h>

struct bench_janus;

/* The final answer to a request ("success", "error", or the plugin "event" of a message),
 * borrowed for the call; NULL when the connection failed, closed or the request timed out. */
typedef void (*bench_janus_reply_cb)(void *owner, json_t *reply);

/* An asynchronous event with no pending request ("event" without a matching transaction,
 * "webrtcup", "media", "hangup", "slowlink", "trickle", "detached", "timeout"), borrowed. */
typedef void (*bench_janus_event_cb)(void *owner, json_t *event);

/* The connection opened (error 0) or failed (-errno); closed later by the server: -ECONNRESET.
 * Requests sent before it opened are queued. */
typedef void (*bench_janus_state_cb)(void *owner, int error);

struct bench_janus_params {
    const char *url; /* "ws://127.0.0.1:8188/" or "http://127.0.0.1:8088/janus" */
    GMainContext *context;
    bench_janus_event_cb event_cb; /* may be NULL */
    bench_janus_state_cb state_cb; /* may be NULL */
    void *owner;
    unsigned timeout_ms; /* per request; 0 = 15000 */
};

/* Opens a connection (asynchronously). Returns 0, -EINVAL (bad URL) or -ENOMEM. */
int bench_janus_open(struct bench_janus **out, const struct bench_janus_params *params);

/* Closes the connection; pending replies are dropped and no callback runs afterwards. Sessions
 * are not destroyed (send "destroy" first and wait for it when that matters). */
void bench_janus_close(struct bench_janus *janus);

/* Sends a request (reference stolen): the caller sets "janus" and, where they apply,
 * "session_id", "handle_id", "body", "jsep", "candidate". `cb` (may be NULL) gets the answer.
 * Returns 0 or -ENOTCONN (the connection failed or closed). */
int bench_janus_send(struct bench_janus *janus, json_t *request, bench_janus_reply_cb cb,
                     void *owner);

/* Requests still waiting for an answer. */
unsigned bench_janus_pending(const struct bench_janus *janus);

/* Stops the service thread after every connection closed (at exit). */
void bench_janus_shutdown(void);

/* Raises the soft RLIMIT_NOFILE to the hard limit, so 1000+ connections (and an HTTP
 * long-poll per session) fit; the first bench_janus_open calls it too, before the service's
 * socket table is sized. Returns the new soft limit or -errno. */
int bench_janus_raise_fd_limit(void);

#endif
