/* Per-session event queues and waiting long-polls of the HTTP transport,
 * sans-IO: callers pass the time in and get back the long-polls that are
 * answered, and do the network work themselves.
 *
 * Janus semantics: a long-poll takes up to `max_events` queued events (one
 * event as an object when max_events is 1, else an array); with nothing
 * queued it waits. An event arriving answers every waiting long-poll of the
 * session, oldest first: the first ones get the events, the rest a keepalive.
 * A waiter whose deadline passes gets a keepalive. When the session is gone,
 * what is still queued waits for the next poll during a grace time, then is
 * dropped. A session with nothing queued and nobody waiting costs nothing.
 *
 * Threads: none of its own, not thread-safe; the caller holds a lock. */
#ifndef PRISM_SIGNALING_HTTP_QUEUE_H
#define PRISM_SIGNALING_HTTP_QUEUE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_http_queue;
struct http_queue_entry;

/* One long-poll. The caller owns the memory (it lives in its request object)
 * and fills the first three fields before prism_http_queue_poll. */
struct prism_http_waiter {
    uint64_t session_id;
    unsigned max_events; /* >= 1 */
    uint64_t deadline_us;
    /* Set when answered: an event, an array of events or a keepalive. The
     * caller takes this reference. */
    json_t *answer;
    /* Private to the queue. */
    struct http_queue_entry *entry; /* non-NULL while parked */
    GList session_link;
    GList deadline_link;
};

enum prism_http_poll_result {
    PRISM_HTTP_POLL_ANSWERED,   /* waiter->answer is set */
    PRISM_HTTP_POLL_WAITING,    /* parked until an event, the session's end or the deadline */
    PRISM_HTTP_POLL_NO_SESSION, /* nothing queued and the session does not exist */
};

/* Creates the queues. `max_queued` caps the events kept per session (more
 * are dropped); `gone_grace_us` is how long the events of an ended session
 * wait for a poll. Returns 0 or -errno. */
int prism_http_queue_create(struct prism_http_queue **out, size_t max_queued,
                            uint64_t gone_grace_us);

/* Frees every queue and queued event. No waiter may be parked any more
 * (answer them with prism_http_queue_answer_all first). */
void prism_http_queue_destroy(struct prism_http_queue *queue);

/* A long-poll for waiter->session_id. `session_exists` is what the API engine
 * said; it clears the "gone" mark of a session that was claimed back. With
 * `may_wait` false (shutting down) an empty queue answers a keepalive at once
 * instead of parking. */
enum prism_http_poll_result prism_http_queue_poll(struct prism_http_queue *queue,
                                                  struct prism_http_waiter *waiter,
                                                  bool session_exists, bool may_wait);

/* Queues `event` (reference stolen) for the session and answers its waiters,
 * appending each to `answered`. Returns false when the session's queue was
 * full and the event was dropped. */
bool prism_http_queue_push(struct prism_http_queue *queue, uint64_t session_id, json_t *event,
                           GPtrArray *answered);

/* The session ended: its waiters are answered with what is queued (or a
 * keepalive), and the rest waits `gone_grace_us` for one more poll. */
void prism_http_queue_session_gone(struct prism_http_queue *queue, uint64_t session_id,
                                   uint64_t now_us, GPtrArray *answered);

/* Answers the waiters whose deadline is <= now with a keepalive and drops
 * ended sessions whose grace time ran out. */
void prism_http_queue_expire(struct prism_http_queue *queue, uint64_t now_us, GPtrArray *answered);

/* The earliest waiter deadline or grace end, UINT64_MAX when there is none. */
uint64_t prism_http_queue_next_deadline(const struct prism_http_queue *queue);

/* Shutdown: answers every waiter with what is queued for it or a keepalive. */
void prism_http_queue_answer_all(struct prism_http_queue *queue, GPtrArray *answered);

/* Takes a parked waiter out without answering it (its connection died). */
void prism_http_queue_cancel(struct prism_http_queue *queue, struct prism_http_waiter *waiter);

/* Sessions that have a queue (queued events or waiters), and their events. */
size_t prism_http_queue_session_count(const struct prism_http_queue *queue);
size_t prism_http_queue_event_count(const struct prism_http_queue *queue, uint64_t session_id);
size_t prism_http_queue_waiter_count(const struct prism_http_queue *queue);

#endif
