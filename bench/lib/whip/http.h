/* Asynchronous HTTP requests for the bench's WHIP and WHEP clients: libcurl's blocking easy
 * interface run on a small process-wide thread pool, each answer handed back to the bench
 * worker that asked, as a job in its mailbox. Loopback servers answer in milliseconds, so a
 * few pool threads keep up with any ramp rate; a worker never blocks on a request.
 *
 * Threads: bench_http_send from a bench worker; the callback runs on that worker. The caller
 * keeps `owner` alive until its callback has run (every request gets exactly one). */
#ifndef PRISM_BENCH_WHIP_HTTP_H
#define PRISM_BENCH_WHIP_HTTP_H

#include "bench/lib/run/workers.h"

#include <stddef.h>

struct bench_http_request {
    const char *method;       /* "POST", "PATCH", "DELETE" */
    const char *url;          /* absolute */
    const char *content_type; /* of the body; NULL = none */
    const char *bearer;       /* "Authorization: Bearer ..."; NULL = none */
    const char *if_match;     /* "If-Match" (an ETag); NULL = none */
    const char *body;         /* NUL-terminated; NULL = empty */
};

/* Borrowed for the callback. */
struct bench_http_reply {
    int status;           /* HTTP status, or 0 when there was no answer (see error) */
    const char *body;     /* "" when none */
    const char *location; /* the Location header, NULL when absent */
    const char *etag;     /* the ETag header, NULL when absent */
    const char *error;    /* why there was no answer; "" otherwise */
};

typedef void (*bench_http_cb)(void *owner, const struct bench_http_reply *reply);

/* Queues the request (its strings are copied). Returns 0 or -ENOMEM. */
int bench_http_send(struct bench_worker *worker, const struct bench_http_request *request,
                    bench_http_cb cb, void *owner);

/* Waits for the queued requests and stops the pool (at exit). */
void bench_http_shutdown(void);

/* The value of header `name` in one raw header line ("Name: value\r\n"), trimmed, or NULL when
 * the line is another header. A string to g_free. Sans-IO, for the header callback. */
char *bench_http_header_value(const char *line, size_t length, const char *name);

#endif
