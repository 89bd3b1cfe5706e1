/* Private state of the Streaming plugin, shared by its files.
 *
 * Threads: every mountpoint and its ingest sockets live on one worker, the plugin's
 * (st_worker(), the mountpoint's `worker`); the synchronous requests run there. A viewer lives
 * on its handle's worker and its requests run there: the ingest worker while the mountpoint
 * has fewer viewers than the `spread_viewers` setting, else the least-loaded worker (placed
 * at "watch"). Viewers on the ingest worker are fed straight from the stream (its st_feed);
 * viewers on another worker from that worker's relay group for the stream (relay.c), which
 * gets each packet once through media/relay. The registry is written by the plugin's worker
 * under a lock that other workers take to read a mountpoint's description (st_mountpoint_view);
 * nothing on the packet path takes it. */
#ifndef PRISM_PLUGINS_STREAMING_MOUNTPOINT_H
#define PRISM_PLUGINS_STREAMING_MOUNTPOINT_H

#include "media/forward/forward.h"
#include "media/nack/history.h"
#include "media/nack/resend_guard.h"
#include "media/relay/buffer.h"
#include "plugins/streaming/keyframe.h"
#include "plugins/streaming/media_spec.h"
#include "plugins/streaming/streaming.h"

#include <glib.h>
#include <jansson.h>
#include <libconfig.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct prism_handle;
struct prism_worker;
struct st_mountpoint;
struct st_viewer;
struct st_relay_group;

/* Largest RTP packet a mountpoint takes in; larger datagrams are counted and dropped. */
#define ST_MAX_RTP_SIZE 1500
/* Ingest counters of one stream. */
struct st_ingest_counters {
    uint64_t packets, bytes;
    uint64_t dropped_invalid;  /* not RTP, or a payload type other than the stream's */
    uint64_t dropped_oversize; /* datagrams over ST_MAX_RTP_SIZE */
    uint64_t frames;           /* video: packets with the marker bit (ends of frames) */
    uint64_t keyframes;        /* complete keyframes kept */
};

/* What the viewers of one mountpoint stream on one worker are fed from: the stream itself on
 * the ingest worker, a relay group on any other. Owned by that worker's thread. */
struct st_feed {
    const struct st_stream_spec *spec; /* the stream's, or the group's copy */
    GPtrArray *viewers;                /* struct st_viewer_stream *, not owned */
    struct st_keyframe keyframe;       /* video: the last complete one, for replays */
    bool has_last;                     /* the last packet forwarded: */
    bool last_marker;
    uint16_t last_seq;
    uint32_t last_timestamp;
    uint32_t last_ssrc;
    /* Video, for NACKs: the stream's own history (ingest worker), or the group's. */
    struct prism_nack_history *history;
    struct st_relay_group *group; /* NULL on the ingest worker */
};

/* One stream of a mountpoint: its socket, what came last, its viewers. */
struct st_stream {
    struct st_mountpoint *mountpoint;
    unsigned index;
    struct st_stream_spec spec; /* spec.port is the bound port */
    int fd;                     /* -1 when closed */
    struct st_feed feed;        /* viewers on the ingest worker */
    GPtrArray *remote_groups;   /* struct st_relay_group * on other workers (owned there) */
    uint64_t last_received_us;
    struct st_ingest_counters counters;
};

struct st_mountpoint {
    uint64_t id;
    struct prism_worker *worker; /* where its sockets are read: the plugin's */
    char *name, *description, *metadata, *secret, *pin; /* owned; NULL when unset */
    bool is_private;
    bool enabled; /* written under the registry lock */
    unsigned stream_count;
    struct st_stream streams[ST_MAX_STREAMS];
    GPtrArray *viewers;       /* struct st_viewer * on the ingest worker, not owned */
    atomic_uint viewer_count; /* on every worker; changed under the registry lock */
};

/* What a viewer on any worker needs of a mountpoint, copied under the registry lock. */
struct st_mountpoint_view {
    uint64_t id;
    struct prism_worker *worker;
    unsigned stream_count;
    struct st_stream_spec specs[ST_MAX_STREAMS];
};

/* One viewer's stream: an m-line of its PeerConnection fed from a mountpoint stream. */
struct st_viewer_stream {
    struct st_viewer *viewer;
    struct st_feed *feed;  /* NULL when not linked */
    unsigned source_index; /* the mountpoint stream it receives */
    enum prism_sdp_media_kind kind;
    unsigned media_index;
    char mid[ST_MID_LEN + 1];
    struct prism_sdp_codec codec; /* as offered to the viewer */
    bool send;                    /* configure "send" */
    struct prism_forward_stream forward;
    struct prism_nack_resend_guard resend_guard;
    bool data;                /* a data channel stream (no RTP, no forwarder) */
    bool replay_pending;      /* send the kept keyframe at the next frame boundary */
    uint64_t replay_asked_us; /* throttle of viewer keyframe requests */
    uint16_t replay_first;    /* source sequence numbers the last replay used */
    uint16_t replay_count;
};

/* A handle of the plugin; a viewer while `mountpoint` is set. */
struct st_viewer {
    struct prism_handle *handle;
    uint64_t mountpoint_id; /* 0: not watching */
    bool local;             /* fed on the mountpoint's own worker (in its `viewers`) */
    unsigned stream_count;
    struct st_viewer_stream streams[ST_MAX_STREAMS];
    bool started;        /* answered ("start" with the answer, or we answered its own offer) */
    bool answers_offers; /* brought its own offer (a WHEP viewer): "watch" with a jsep */
    bool paused;
};

/* streaming.c */
struct prism_worker *st_worker(void);
json_t *st_error(int code, const char *format, ...) G_GNUC_PRINTF(2, 3);
json_t *st_status(const char *status);
bool st_secret_equal(const char *expected, const char *given);

/* mountpoints.c: the registry (worker thread only). */
void st_mountpoints_init(void);
void st_mountpoints_shutdown(void);
struct st_mountpoint *st_mountpoint_find(uint64_t id);
/* Any thread: copies what viewers need of mountpoint `id` into *view. 0, or the Janus error
 * code with `reason`: no such mountpoint, not enabled, wrong pin (`pin` may be NULL). */
int st_mountpoint_view(uint64_t id, const char *pin, struct st_mountpoint_view *view, char *reason,
                       size_t reason_size);
/* Any thread: the viewers of mountpoint `id` (0 when there is none). */
unsigned st_mountpoint_viewers(uint64_t id);
/* Any thread: counts a viewer in or out of mountpoint `id` (nothing when it is gone). */
void st_mountpoint_count_viewer(uint64_t id, int delta);
/* The lock writers of `enabled`, `pin` and the registry hold (plugin worker). */
void st_registry_lock(void);
void st_registry_unlock(void);
/* Creates a mountpoint from a create request's (or the config file's) object: 0 and *out,
 * or a negative Janus error code with `reason`. */
int st_mountpoint_create(json_t *request, struct st_mountpoint **out, char *reason,
                         size_t reason_size);
void st_mountpoint_destroy(struct st_mountpoint *mountpoint);
json_t *st_mountpoint_summary(const struct st_mountpoint *mountpoint);
json_t *st_mountpoint_info(const struct st_mountpoint *mountpoint, bool full);
json_t *st_mountpoint_ports(const struct st_mountpoint *mountpoint);
void st_mountpoints_foreach(void (*each)(struct st_mountpoint *mp, void *data), void *data);
void st_set_rtp_interface(const char *address);
/* The metrics page: mountpoints and viewers (counted by viewer.c), from any thread. */
void st_count_viewers(int delta);
/* Refusals for the metrics page: a create over max_mountpoints, a watch over max_viewers. */
void st_count_refusal(bool mountpoint);
struct prism_metrics_gauges;
void st_collect_metrics(struct prism_metrics_gauges *out);

/* ingest.c: the sockets and what arrives on them. */
int st_stream_open(struct st_stream *stream, char *reason, size_t reason_size);
void st_stream_close(struct st_stream *stream);

/* requests.c: the synchronous requests. */
json_t *st_request_list(json_t *body);
json_t *st_request_info(json_t *body);
json_t *st_request_create(json_t *body);
json_t *st_request_destroy(json_t *body);
json_t *st_request_edit(json_t *body);
json_t *st_request_enable(json_t *body, bool enable);
void st_set_admin_key(const char *key);
/* streaming.max_mountpoints (a "create" beyond fails with 456) and streaming.max_viewers (a
 * "watch" of a mountpoint that has them fails with 470); 0 = unlimited, the default until
 * set. Worker thread only, like the registry. */
void st_set_limits(unsigned max_mountpoints, unsigned max_viewers);
unsigned st_max_viewers(void);

/* mountpoint_file.c: the config file that "permanent" requests rewrite. `path` NULL (no
 * config directory): nothing can be permanent. `tree` is the file as read (NULL: none). */
void st_file_open(const char *path, const config_t *tree);
void st_file_close(void);
bool st_file_available(void);
bool st_file_lists(uint64_t id);
/* The mountpoint as the file lists it (a "create" request that makes it again). */
json_t *st_mountpoint_to_config(const struct st_mountpoint *mp);
/* Keeps `settings` (stolen) as what the file lists for `id` without writing (loading). */
void st_file_remember(uint64_t id, json_t *settings);
/* Lists `settings` (stolen; NULL: nothing) for `id` and rewrites the file: 0, or -ENOENT (no
 * file), -EINVAL, -ENOMEM, -EIO with nothing changed. */
int st_file_store(uint64_t id, json_t *settings);

/* relay.c: viewers on other workers than the ingest one, fed through media/relay. */
int st_relay_init(struct prism_worker_pool *pool);
void st_relay_shutdown(void);
/* Viewer's worker: feeds `vs` from this worker's group for stream `index` of `view`'s
 * mountpoint, made and registered with the ingest worker when new. -ENOMEM: not linked. */
int st_relay_link(struct st_viewer_stream *vs, const struct st_mountpoint_view *view,
                  unsigned index);
void st_relay_unlink(struct st_viewer_stream *vs);
/* Ingest worker: relays the packet to every remote group of the stream. */
void st_relay_fanout(struct st_stream *stream, const uint8_t *packet, size_t len,
                     uint64_t arrival_us);
/* Ingest worker: the stream goes away; its groups' viewers are stopped on their workers. */
void st_relay_detach_all(struct st_stream *stream);
/* Any thread: the worker a new viewer of mountpoint `id` goes to, or NULL for the ingest one.
 * `here` is the handle's worker now. */
struct prism_worker *st_relay_place_viewer(uint64_t id, struct prism_worker *here);
void st_set_spread_viewers(unsigned threshold);
/* Viewer's worker: the packet with sequence `seq` in the group's history, for NACKs. */
bool st_relay_group_find(struct st_relay_group *group, uint16_t seq, uint64_t now_us,
                         const uint8_t **data, size_t *len);

/* viewer.c: the asynchronous requests of a viewer. */
json_t *st_viewer_request(struct st_viewer *viewer, const char *request, const char *transaction,
                          json_t *body, json_t *jsep);
void st_viewer_detach(struct st_viewer *viewer);
/* The mountpoint a watch or switch names, when it may be watched; else an error event. */
json_t *st_viewer_check_watchable(json_t *body, struct st_mountpoint_view *out);
/* Counts the viewer in the mountpoint, links its streams (their `source_index` set) and
 * starts their forwarders. */
void st_viewer_join(struct st_viewer *viewer, const struct st_mountpoint_view *view);

/* viewer_offer.c: viewers that bring their own (recvonly) offer, already applied to the
 * handle's PeerConnection: answered with the mountpoint's streams matched to its m-lines
 * (offer_match.h), then fed and served like "watch" viewers. An error event, or NULL once the
 * answer was pushed. */
json_t *st_viewer_answer_offer(struct st_viewer *viewer, const struct st_mountpoint_view *view,
                               const char *transaction);
/* "configure" with a new offer from such a viewer (an ICE restart): answered again with the
 * same streams. */
json_t *st_viewer_reanswer(struct st_viewer *viewer, const char *transaction);
void st_viewer_setup_media(struct st_viewer *viewer);
void st_viewer_hangup_media(struct st_viewer *viewer);
/* The stream's mountpoint went away (destroyed): "stopped", detached and hung up. */
void st_viewer_source_gone(struct st_viewer_stream *vs);

/* viewer_media.c: forwarding to viewers, keyframe replay, feedback. */
void st_viewer_stream_attach(struct st_viewer_stream *vs, uint32_t ssrc);
void st_viewer_stream_switch(struct st_viewer_stream *vs);
/* A feed's packets, in arrival order, on its worker: st_feed_take (video: the kept keyframe;
 * true when this packet completed one), st_feed_forward to its viewers, st_feed_advance. */
void st_feed_init(struct st_feed *feed, const struct st_stream_spec *spec);
void st_feed_clear(struct st_feed *feed);
bool st_feed_take(struct st_feed *feed, const uint8_t *packet, size_t len,
                  const struct prism_rtp_header *header);
void st_feed_forward(struct st_feed *feed, const uint8_t *packet, size_t len,
                     const struct prism_rtp_header *header, uint64_t now_us);
void st_feed_advance(struct st_feed *feed, const struct prism_rtp_header *header);
void st_feed_forward_data(struct st_feed *feed, const uint8_t *data, size_t len);
void st_viewer_feedback(struct st_viewer *viewer, const struct prism_peer_feedback *feedback);

#endif
