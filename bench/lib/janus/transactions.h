/* The sans-IO half of the Janus API client: gives every request a transaction, matches
 * answers to pending requests (waiting past the "ack" of a "message" for its plugin "event"),
 * times requests out, schedules a keepalive per created session and, over HTTP, routes each
 * request to its path and runs one long-poll per session. No sockets, no clock, no threads:
 * the caller feeds text and the time, and drains what to send and what to deliver.
 *
 * Threads: one owner thread (the connection's GMainContext); nothing here locks. */
#ifndef PRISM_BENCH_JANUS_TRANSACTIONS_H
#define PRISM_BENCH_JANUS_TRANSACTIONS_H

#include "bench/lib/janus/janus_client.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_JANUS_DEFAULT_TIMEOUT_US (15 * (uint64_t)1000000)
#define BENCH_JANUS_KEEPALIVE_US (25 * (uint64_t)1000000)
/* A failed long-poll (connection refused, 5xx) is tried again after this long. */
#define BENCH_JANUS_POLL_RETRY_US (500 * (uint64_t)1000)
/* Events one long-poll asks for ("?maxev="). */
#define BENCH_JANUS_POLL_MAX_EVENTS 10
#define BENCH_JANUS_PATH_MAX 128

struct bench_janus_tx;

struct bench_janus_tx_config {
    bool http;             /* route by path and long-poll; false: WebSocket */
    const char *base_path; /* HTTP: "/janus" (copied); ignored for WebSocket */
    uint64_t timeout_us;   /* per request; 0 = BENCH_JANUS_DEFAULT_TIMEOUT_US */
    uint64_t keepalive_us; /* per created session; 0 = BENCH_JANUS_KEEPALIVE_US */
};

/* Something to send. WebSocket: `text` only. HTTP: a POST of `text` to `path`, or (text NULL)
 * a long-poll GET of `path` for `poll_session`; `transaction` names the POST's request for
 * bench_janus_tx_post_done. Owned by the caller once drained: bench_janus_output_clear. */
struct bench_janus_output {
    char *text;
    size_t length;
    char path[BENCH_JANUS_PATH_MAX];
    char *transaction;
    uint64_t poll_session;
};

/* Something to deliver: a reply (`cb` set; `message` NULL on timeout or failure) or an
 * asynchronous event (`cb` NULL). `message` is owned: bench_janus_delivery_clear. */
struct bench_janus_delivery {
    bench_janus_reply_cb cb;
    void *owner;
    json_t *message;
};

/* Returns 0, -EINVAL (HTTP without a base path that starts with '/') or -ENOMEM. */
int bench_janus_tx_create(struct bench_janus_tx **out, const struct bench_janus_tx_config *config);
/* Frees everything, pending requests included, without delivering anything. */
void bench_janus_tx_destroy(struct bench_janus_tx *tx);

/* Takes `request` (stolen), adds a transaction and queues it for sending. Returns 0 or -EINVAL
 * (not an object with a string "janus"; the request is freed). */
int bench_janus_tx_send(struct bench_janus_tx *tx, json_t *request, bench_janus_reply_cb cb,
                        void *owner, uint64_t now_us);

/* A WebSocket message (or any answer text): one object, or an array of them as an HTTP
 * long-poll returns. Returns how many messages it held, or -EBADMSG (not JSON, not an object
 * or array; nothing changes). */
int bench_janus_tx_receive(struct bench_janus_tx *tx, const char *text, size_t length,
                           uint64_t now_us);

/* HTTP: the answer to a POST (status 0 = no answer at all). A request the body did not answer
 * (and that is not a message past its ack) completes with NULL. */
void bench_janus_tx_post_done(struct bench_janus_tx *tx, const char *transaction, int status,
                              const char *body, size_t length, uint64_t now_us);

/* HTTP: the answer to a long-poll of `session_id`. Polls again while the session lives; a 404
 * or error 458 ends the session here, a failure retries after BENCH_JANUS_POLL_RETRY_US. */
void bench_janus_tx_poll_done(struct bench_janus_tx *tx, uint64_t session_id, int status,
                              const char *body, size_t length, uint64_t now_us);

/* The connection is gone: every pending request completes with NULL, sessions are forgotten. */
void bench_janus_tx_fail_all(struct bench_janus_tx *tx);

/* Times out requests and sends keepalives and delayed polls that are due. */
void bench_janus_tx_tick(struct bench_janus_tx *tx, uint64_t now_us);
/* When bench_janus_tx_tick has work next; UINT64_MAX when never. */
uint64_t bench_janus_tx_deadline(const struct bench_janus_tx *tx);

/* Requests of the caller still waiting (keepalives and polls not counted). */
unsigned bench_janus_tx_pending(const struct bench_janus_tx *tx);
/* Sessions this client created and keeps alive. */
unsigned bench_janus_tx_sessions(const struct bench_janus_tx *tx);

/* Drains one output / one delivery, oldest first; false when none is left. */
bool bench_janus_tx_next_output(struct bench_janus_tx *tx, struct bench_janus_output *out);
bool bench_janus_tx_next_delivery(struct bench_janus_tx *tx, struct bench_janus_delivery *out);

void bench_janus_output_clear(struct bench_janus_output *output);
void bench_janus_delivery_clear(struct bench_janus_delivery *delivery);
/* Clears and frees a heap-allocated output. */
void bench_janus_output_free(struct bench_janus_output *output);

/* The HTTP path of a request: base, base/<session> or base/<session>/<handle> from its
 * "session_id" and "handle_id". Returns 0 or -ENOSPC. */
int bench_janus_http_path(const char *base_path, const json_t *request, char *out, size_t size);

#endif
