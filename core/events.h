/* Event notifications for an external receiver (the webhook), in Janus's event handler
 * shapes: {"emitter", "type", "timestamp", "session_id", "handle_id", "opaque_id", "event"}
 * with Janus's type codes. Any thread emits; a bounded queue holds the events until the
 * sender thread takes them in batches. A full queue drops the event and counts it: emitting
 * never waits for the receiver. When no queue is installed every emit is one atomic load. */
#ifndef PRISM_CORE_EVENTS_H
#define PRISM_CORE_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prism_event_type {
    PRISM_EVENT_SESSION = 1 << 0,
    PRISM_EVENT_HANDLE = 1 << 1,
    PRISM_EVENT_EXTERNAL = 1 << 2,
    PRISM_EVENT_JSEP = 1 << 3,
    PRISM_EVENT_WEBRTC = 1 << 4,
    PRISM_EVENT_MEDIA = 1 << 5,
    PRISM_EVENT_PLUGIN = 1 << 6,
    PRISM_EVENT_TRANSPORT = 1 << 7,
    PRISM_EVENT_CORE = 1 << 8,
    PRISM_EVENT_ALL = 0x1ff,
};

/* Parses Janus's list of event kinds: "all", "none", or a comma-separated list of
 * "sessions", "handles", "external", "jsep", "webrtc", "media", "plugins", "transports",
 * "core" (case-insensitive, spaces allowed). Returns 0 or -EINVAL (mask untouched). */
int prism_event_mask_parse(const char *list, uint32_t *mask);

/* True for an http:// or https:// URL with a host and no whitespace (the webhook setting). */
bool prism_event_url_valid(const char *url);

struct prism_event_queue;

/* A queue holding at most `capacity` events of the kinds in `mask`; `emitter` names this
 * server in every event (may be NULL). Returns 0 or -errno. */
int prism_event_queue_create(struct prism_event_queue **out, size_t capacity, uint32_t mask,
                             const char *emitter);
void prism_event_queue_destroy(struct prism_event_queue *queue);

/* Takes up to `max` events, oldest first, waiting up to `wait_us` for the first one.
 * Returns how many (0 on timeout, or once the queue is closed and empty). */
size_t prism_event_queue_pop(struct prism_event_queue *queue, json_t **events, size_t max,
                             uint64_t wait_us);
/* Wakes the popper; later pushes are dropped (and counted). */
void prism_event_queue_close(struct prism_event_queue *queue);
uint64_t prism_event_queue_dropped(const struct prism_event_queue *queue);
/* Counts events the sender gave up on (receiver down), for the metrics page. */
void prism_event_queue_count_dropped(struct prism_event_queue *queue, uint64_t count);

/* Installs the queue every emit below goes to (NULL: none). Set before workers start and
 * cleared after they stopped. */
void prism_events_install(struct prism_event_queue *queue);
struct prism_event_queue *prism_events_installed(void);

/* True when events of this type are wanted: check first, then build the body. */
bool prism_events_wanted(enum prism_event_type type);

/* Emitters (each does nothing when the type is not wanted; `body`/`data` are stolen). */
void prism_events_session(uint64_t session_id, const char *name, json_t *transport);
void prism_events_handle(uint64_t session_id, uint64_t handle_id, const char *name,
                         const char *plugin, const char *opaque_id);
void prism_events_jsep(uint64_t session_id, uint64_t handle_id, const char *opaque_id,
                       const char *owner, const char *sdp_type, const char *sdp);
/* PRISM_EVENT_WEBRTC or PRISM_EVENT_MEDIA: the body says what happened. */
void prism_events_handle_body(enum prism_event_type type, uint64_t session_id, uint64_t handle_id,
                              const char *opaque_id, json_t *body);
void prism_events_plugin(uint64_t session_id, uint64_t handle_id, const char *opaque_id,
                         const char *plugin, json_t *data);
void prism_events_core(json_t *body);

#endif
