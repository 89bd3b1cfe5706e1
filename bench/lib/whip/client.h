/* One WHIP or WHEP session of a simulated user (RFC 9725): POST of our offer to the endpoint,
 * the answer and Location, our candidates trickled by PATCH once the resource exists, and a
 * DELETE when the user leaves. The PeerConnection is the caller's (bench/lib/peer); this is
 * the HTTP side only. Worker thread only. */
#ifndef PRISM_BENCH_WHIP_CLIENT_H
#define PRISM_BENCH_WHIP_CLIENT_H

#include "bench/lib/run/workers.h"

struct bench_whip_client;

/* The 201's answer SDP, or NULL with `error` saying why (the status and the server's body). */
typedef void (*bench_whip_answer_cb)(void *owner, const char *answer, const char *error);

/* `endpoint_url`: .../whip/endpoint/{room}, .../whep/endpoint/{room} or
 * .../whep/mountpoint/{id}; `bearer` may be NULL. */
struct bench_whip_client *bench_whip_client_new(struct bench_worker *worker,
                                                const char *endpoint_url, const char *bearer,
                                                void *owner);

/* POSTs the offer; `answer_cb` runs once with the answer or the error. Returns 0 or -errno. */
int bench_whip_client_post(struct bench_whip_client *client, const char *offer,
                           bench_whip_answer_cb answer_cb);

/* A local candidate, or NULL when gathering finished: PATCHed once the resource exists. */
void bench_whip_client_candidate(struct bench_whip_client *client, const char *candidate);

/* Ends the session: DELETEs the resource (once the POST in flight has answered, if any) and
 * runs `closed_cb` when no request is in flight any more; the client frees itself then. No
 * answer_cb runs after this. */
void bench_whip_client_close(struct bench_whip_client *client, void (*closed_cb)(void *owner));

#endif
