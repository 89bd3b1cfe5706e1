/* The event webhook (general.event_webhook): a thread that takes the events of core/events.h
 * in batches and POSTs each batch as a JSON array to an HTTP(S) URL with libcurl, retrying a
 * few times with back-off before it gives the batch up (counted as dropped). Workers never
 * wait for it: they only push into the bounded queue. */
#ifndef PRISM_SIGNALING_WEBHOOK_H
#define PRISM_SIGNALING_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

struct prism_event_queue;
struct prism_webhook;

struct prism_webhook_config {
    const char *url;     /* http:// or https:// */
    size_t max_batch;    /* events per POST: 100 when 0 */
    unsigned retries;    /* attempts after the first: Janus's default 5 */
    uint64_t backoff_us; /* first wait before a retry, doubled each time: 100 ms when 0 */
    uint64_t timeout_us; /* per POST: 5 s when 0 */
};

/* Starts the sender thread on `queue`, which it owns from now on (also when it fails).
 * Returns 0 or -errno. */
int prism_webhook_start(struct prism_webhook **out, const struct prism_webhook_config *config,
                        struct prism_event_queue *queue);

/* Closes the queue, sends what it still holds (one attempt per batch), joins the thread and
 * frees the queue. Uninstall the queue first (prism_events_install(NULL)). */
void prism_webhook_stop(struct prism_webhook *webhook);

/* Batches posted successfully so far (tests, metrics). */
uint64_t prism_webhook_batches_sent(const struct prism_webhook *webhook);
/* Events dropped so far: queue full, or the receiver failed every attempt. */
uint64_t prism_webhook_events_dropped(const struct prism_webhook *webhook);

struct prism_config;
/* From general.event_webhook and friends: creates the queue, installs it for every emitter,
 * starts the sender and sets the statistics period. *out is NULL when no webhook is set.
 * Returns 0 or -errno (with a reason logged). Before any worker starts. */
int prism_webhook_start_from_config(struct prism_webhook **out, const struct prism_config *config);
/* Uninstalls the queue, then stops as prism_webhook_stop. After the workers stopped. */
void prism_webhook_shutdown(struct prism_webhook *webhook);

#endif
