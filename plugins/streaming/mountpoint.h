/* Private state of the Streaming plugin, shared by its files.
 *
 * Threads: every mountpoint, its ingest sockets and its viewers live on one worker, the
 * plugin's (st_worker()); every request runs there (the handle moves there on its first
 * message), so nothing here takes a lock. A viewer is a separate object linked to the
 * mountpoint's streams by pointers (st_stream.viewers), so that viewers can later be spread
 * over the workers behind a cross-worker fan-out without changing the ingest side. */
#ifndef PRISM_PLUGINS_STREAMING_MOUNTPOINT_H
#define PRISM_PLUGINS_STREAMING_MOUNTPOINT_H

#include "media/forward/forward.h"
#include "media/nack/history.h"
#include "media/nack/resend_guard.h"
#include "plugins/streaming/keyframe.h"
#include "plugins/streaming/media_spec.h"
#include "plugins/streaming/streaming.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct prism_handle;
struct prism_worker;
struct st_mountpoint;
struct st_viewer;

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

/* One stream of a mountpoint: its socket, what came last, its viewers. */
struct st_stream {
    struct st_mountpoint *mountpoint;
    unsigned index;
    struct st_stream_spec spec;         /* spec.port is the bound port */
    int fd;                             /* -1 when closed */
    GPtrArray *viewers;                 /* struct st_viewer_stream *, not owned */
    struct prism_nack_history *history; /* video: the packets as received, for NACKs */
    struct st_keyframe keyframe;        /* video only */
    bool has_last;
    bool last_marker;
    uint16_t last_seq;
    uint32_t last_timestamp;
    uint32_t last_ssrc;
    uint64_t last_received_us;
    struct st_ingest_counters counters;
};

struct st_mountpoint {
    uint64_t id;
    char *name, *description, *metadata, *secret, *pin; /* owned; NULL when unset */
    bool is_private;
    bool enabled;
    unsigned stream_count;
    struct st_stream streams[ST_MAX_STREAMS];
    GPtrArray *viewers; /* struct st_viewer *, not owned */
};

/* One viewer's stream: an m-line of its PeerConnection fed from a mountpoint stream. */
struct st_viewer_stream {
    struct st_viewer *viewer;
    struct st_stream *source; /* NULL when not linked */
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
    struct st_mountpoint *mountpoint;
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

/* viewer.c: the asynchronous requests of a viewer. */
json_t *st_viewer_request(struct st_viewer *viewer, const char *request, const char *transaction,
                          json_t *body, json_t *jsep);
void st_viewer_detach(struct st_viewer *viewer);
json_t *st_viewer_check_watchable(json_t *body, struct st_mountpoint **out);
/* Links the viewer's streams (their `source` set) to `mp` and starts their forwarders. */
void st_viewer_join(struct st_viewer *viewer, struct st_mountpoint *mp);

/* viewer_offer.c: viewers that bring their own (recvonly) offer, already applied to the
 * handle's PeerConnection: answered with the mountpoint's streams matched to its m-lines
 * (offer_match.h), then fed and served like "watch" viewers. An error event, or NULL once the
 * answer was pushed. */
json_t *st_viewer_answer_offer(struct st_viewer *viewer, struct st_mountpoint *mp,
                               const char *transaction);
/* "configure" with a new offer from such a viewer (an ICE restart): answered again with the
 * same streams. */
json_t *st_viewer_reanswer(struct st_viewer *viewer, const char *transaction);
void st_viewer_setup_media(struct st_viewer *viewer);
void st_viewer_hangup_media(struct st_viewer *viewer);

/* viewer_media.c: forwarding to viewers, keyframe replay, feedback. */
void st_viewer_stream_attach(struct st_viewer_stream *vs, uint32_t ssrc);
void st_viewer_stream_switch(struct st_viewer_stream *vs);
void st_stream_forward(struct st_stream *stream, const uint8_t *packet, size_t len,
                       const struct prism_rtp_header *header, uint64_t now_us);
void st_stream_forward_data(struct st_stream *stream, const uint8_t *data, size_t len);
void st_viewer_feedback(struct st_viewer *viewer, const struct prism_peer_feedback *feedback);

#endif
