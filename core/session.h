/* Sessions and handles: the objects the Janus API creates. A session belongs
 * to one client (its event sink) and holds handles; a handle attaches one
 * plugin instance, placed on one worker.
 *
 * Threads: both are refcounted and safe to reference from any thread. A
 * session's handle table and sink are guarded by the session's lock. A
 * handle's plugin data is touched only on the handle's worker. */
#ifndef PRISM_CORE_SESSION_H
#define PRISM_CORE_SESSION_H

#include "core/sink.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct prism_session;
struct prism_handle;
struct prism_plugin;
struct prism_worker;

/* Creates a session with one reference for the caller; it keeps a reference
 * to `sink`. Returns NULL when out of memory. */
struct prism_session *prism_session_new(uint64_t id, struct prism_event_sink *sink,
                                        uint64_t now_us);
struct prism_session *prism_session_ref(struct prism_session *session);
void prism_session_unref(struct prism_session *session);

uint64_t prism_session_id(const struct prism_session *session);

/* The client address the session counts against (its creator's; see
 * signaling/limits/client_address.h), "" when none. Set once, before the session is shared. */
void prism_session_set_client_address(struct prism_session *session, const char *address);
const char *prism_session_client_address(const struct prism_session *session);

/* Records client activity (any request or long-poll) for the timeout. */
void prism_session_touch(struct prism_session *session, uint64_t now_us);
uint64_t prism_session_last_activity(const struct prism_session *session);

/* Sends an event to the session's current sink (event reference stolen). */
void prism_session_push_event(struct prism_session *session, json_t *event);

/* Holds, on the calling thread, every event pushed to any session until
 * prism_session_flush_deferred, which sends them in order. The API engine
 * wraps plugin calls with it so a reply leaves before the events the plugin
 * pushed while producing it (janus.js expects "ack" before the "event"). */
void prism_session_defer_events(void);
void prism_session_flush_deferred(void);

/* Drops the session's sink, telling it the session is gone. Later events are
 * discarded. */
void prism_session_release_sink(struct prism_session *session);

/* Moves the session to `sink` (claim). The previous sink is told the session
 * is gone for it. Clears any orphaned mark. */
void prism_session_set_sink(struct prism_session *session, struct prism_event_sink *sink);
bool prism_session_has_sink(struct prism_session *session, const struct prism_event_sink *sink);

/* Orphaned: the client's transport went away; 0 when the session has one. */
void prism_session_set_orphaned(struct prism_session *session, uint64_t since_us);
uint64_t prism_session_orphaned_since(struct prism_session *session);

/* Adds a handle (the session takes a reference). False when the session is
 * already ending or has reached `max_handles` (0 = unlimited). */
bool prism_session_add_handle(struct prism_session *session, struct prism_handle *handle,
                              unsigned max_handles);
/* Returns a new reference to the handle, or NULL. */
struct prism_handle *prism_session_find_handle(struct prism_session *session, uint64_t handle_id);
/* Removes the handle and returns the session's reference to it, or NULL. */
struct prism_handle *prism_session_remove_handle(struct prism_session *session, uint64_t handle_id);
/* Marks the session as ending and returns every handle (the references move
 * to the array, which frees them with prism_handle_unref). */
GPtrArray *prism_session_take_handles(struct prism_session *session);
/* The ids (uint64_t) of the session's handles now, for the Admin API. */
GArray *prism_session_handle_ids(struct prism_session *session);
unsigned prism_session_handle_count(struct prism_session *session);
bool prism_session_is_ending(struct prism_session *session);

/* Counts one more PeerConnection in the session unless it already has `max_peers` (0 =
 * unlimited): true when counted. Any thread (the handles may be on different workers). */
bool prism_session_take_peer_slot(struct prism_session *session, unsigned max_peers);
/* Gives back a slot taken by prism_session_take_peer_slot. */
void prism_session_release_peer_slot(struct prism_session *session);

/* Creates a handle bound to `session` and `plugin`, placed on `worker` (the
 * handle releases the worker's load count when freed). */
struct prism_handle *prism_handle_new(uint64_t id, struct prism_session *session,
                                      const struct prism_plugin *plugin,
                                      struct prism_worker *worker, const char *opaque_id);
struct prism_handle *prism_handle_ref(struct prism_handle *handle);
void prism_handle_unref(struct prism_handle *handle);

uint64_t prism_handle_id(const struct prism_handle *handle);
uint64_t prism_handle_session_id(const struct prism_handle *handle);
struct prism_session *prism_handle_session(const struct prism_handle *handle);
const struct prism_plugin *prism_handle_plugin(const struct prism_handle *handle);
struct prism_worker *prism_handle_worker(const struct prism_handle *handle);
/* Moves the handle to `worker` (its load count moves too). Only on the handle's current worker,
 * and only while it has no media state: jobs already queued on the old worker for it must not
 * touch worker-owned state. */
void prism_handle_set_worker(struct prism_handle *handle, struct prism_worker *worker);
const char *prism_handle_opaque_id(const struct prism_handle *handle);

/* Plugin state, owned by the plugin, touched only on the handle's worker. */
void *prism_handle_plugin_data(const struct prism_handle *handle);
void prism_handle_set_plugin_data(struct prism_handle *handle, void *data);

/* The handle's media state (its PeerConnection glue), owned by media/peer/handle_media.c and
 * touched only on the handle's worker; NULL before the first SDP. */
void *prism_handle_media(const struct prism_handle *handle);
void prism_handle_set_media(struct prism_handle *handle, void *media);

/* Marks the handle detached; returns false if it already was, so detach work
 * (plugin destroy_session, the detached event) runs exactly once. */
bool prism_handle_mark_detached(struct prism_handle *handle);
bool prism_handle_is_detached(const struct prism_handle *handle);

/* Sends a plugin event to the handle's client, in the Janus shape
 * {"janus":"event","session_id","sender","transaction"?,"plugindata":{"plugin",
 * "data"},"jsep"?}. `data` and `jsep` (may be NULL) are stolen. Any thread;
 * dropped silently when the handle is detached. */
void prism_handle_push_event(struct prism_handle *handle, const char *transaction, json_t *data,
                             json_t *jsep);

/* Sends a core event about this handle, e.g. {"janus":"webrtcup"} or
 * {"janus":"hangup","reason":...}: session_id and sender are added. */
void prism_handle_push_core_event(struct prism_handle *handle, json_t *event);

#endif
