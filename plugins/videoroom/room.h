/* VideoRoom rooms: their settings, the process-wide registry, and the participants they hold.
 *
 * Threads: a room is pinned to one worker at creation (the least loaded). Its participants
 * (publishers and subscribers) live on that worker, and every change to them, and every packet
 * forwarded between them, happens there without locks. The registry and a room's settings are
 * shared: the registry's lock guards the table, the room's `lock` guards the fields marked
 * "settings" (edit writes them on the room's worker; list/exists may read them from any thread),
 * and `participant_count` is atomic for listings. */
#ifndef PRISM_PLUGINS_VIDEOROOM_ROOM_H
#define PRISM_PLUGINS_VIDEOROOM_ROOM_H

#include "media/sdp/sdp.h"

#include <glib.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_config;
struct prism_worker;
struct prism_worker_pool;
struct vr_publisher;
struct vr_subscriber;

#define VR_MAX_CODECS 4

/* Publishers as subscribers on other workers see them: the room worker takes `lock` while it
 * changes `publishers` or a publisher's display, publishing flag or streams, and a subscriber on
 * another worker takes it to read them (vr_room_find_publisher and friends). The room worker
 * reads them without it (it is their only writer), so the media path takes no lock. */

/* A room. Refcounted: the registry holds one reference, and so does every participant. */
struct vr_room {
    uint64_t id;
    atomic_int refs;
    struct prism_worker *worker; /* where the room lives; fixed; load released on free */

    GMutex lock; /* guards the settings below */
    /* Settings (Janus VideoRoom names). */
    char *description;
    char *secret;        /* NULL: none; needed to edit/destroy/kick/moderate/allowed */
    char *pin;           /* NULL: none; needed to join */
    bool is_private;     /* left out of "list" */
    bool check_allowed;  /* only tokens in `allowed` may join */
    GHashTable *allowed; /* char* token set */
    unsigned max_publishers;
    uint32_t bitrate;  /* bits/s cap sent to publishers as REMB; 0 = none */
    bool bitrate_cap;  /* publishers may not raise their bitrate above `bitrate` */
    unsigned fir_freq; /* seconds between periodic keyframe requests; 0 = none */
    enum prism_sdp_codec_id audiocodecs[VR_MAX_CODECS];
    unsigned audiocodec_count;
    enum prism_sdp_codec_id videocodecs[VR_MAX_CODECS];
    unsigned videocodec_count;
    /* Janus's h264_profile / vp9_profile: the profile-level-id ("42e01f") or profile-id ("2")
     * preferred for publishers offering H.264 / VP9; "" = the first one they offer. */
    char h264_profile[7];
    char vp9_profile[2];
    bool opus_fec;
    bool opus_dtx; /* ask publishers for Opus DTX (usedtx=1 in our answer) */
    /* Janus's *_ext: whether new publishers' answers accept these header extensions. */
    bool audiolevel_ext;
    bool videoorient_ext, playoutdelay_ext, transport_wide_cc_ext;
    bool audiolevel_event;
    unsigned audio_active_packets; /* packets averaged for "talking" (Janus default 100) */
    unsigned audio_level_average;  /* threshold 0..127 (Janus default 25) */
    bool notify_joining;
    bool require_pvtid;
    bool permanent; /* kept in the config file */
    /* Subscribers beyond this many go to the least-loaded worker, fed through the relay
     * (media/relay); 0 keeps them all on the room's worker. */
    unsigned spread_subscribers;
    /* Most subscribers at once (WHEP viewers included), counted in subscriber_count; 0 =
     * unlimited. Fixed at creation. */
    unsigned max_subscribers;

    /* Participants: room worker only. Both containers own nothing: a publisher's key points at
     * its own id (prism_id_hash/prism_id_equal), and each participant removes itself before it
     * drops its room reference, so both are empty when the room is freed. */
    GHashTable *publishers; /* uint64 id -> struct vr_publisher * */
    GPtrArray *subscribers; /* struct vr_subscriber * */
    /* Subscribers on other workers (struct prism_handle *, not owned): under `lock`, so that
     * destroy can reach them; each removes itself when it leaves. */
    GPtrArray *remote_subscribers;
    bool destroyed;                /* destroy ran: nobody may join (set by the participant code) */
    atomic_uint participant_count; /* publishers, active or not: "num_participants" in list */
    atomic_uint subscriber_count;  /* on every worker: decides where the next one goes */
};

struct vr_room *vr_room_ref(struct vr_room *room);
void vr_room_unref(struct vr_room *room);

/* Registry, any thread. */
void vr_rooms_init(void);
void vr_rooms_shutdown(void); /* drops every room; participants are gone by then */
/* Rooms and participants for the metrics page; any thread. */
struct prism_metrics_gauges;
void vr_rooms_collect_metrics(struct prism_metrics_gauges *out);
/* The pool rooms take their worker from (the least loaded one); set by the plugin's init
 * before any room is created, NULL to forget it. Rooms keep their worker until freed. */
void vr_rooms_set_workers(struct prism_worker_pool *pool);
/* Plugin init, after vr_rooms_init and vr_rooms_set_workers: reads the "videoroom" settings
 * (admin_key) and creates the rooms listed in prism.plugin.videoroom.jcfg; they are
 * permanent. Also remembers where that file lives, so "permanent" requests can rewrite it.
 * Returns 0, or -EINVAL with `error` saying "<file>:<line>: room <id>: <reason>" (rooms
 * created before the bad one stay: the caller fails start-up and calls vr_rooms_shutdown). */
int vr_rooms_load_config(const struct prism_config *config, char *error, size_t error_size);
/* A new reference to the room, or NULL. */
struct vr_room *vr_rooms_find(uint64_t id);
/* Creates a room from a "create" body (or a room of the config file), pinned to the least
 * loaded worker. `id` 0 draws a random one; the body's own "room", "permanent" and
 * "admin_key" are the caller's business (vr_request_create). Returns 0 or a VideoRoom error
 * code with `reason` (427 taken id, 429/430 bad settings, 499 no worker pool); on success
 * *out holds a new reference. */
int vr_rooms_create(uint64_t id, json_t *settings, struct vr_room **out, char *reason,
                    size_t reason_size);
/* The same for a "create" request: fails with 499 when `max_rooms` (0 = unlimited) rooms
 * exist already. */
int vr_rooms_create_limited(uint64_t id, json_t *settings, unsigned max_rooms, struct vr_room **out,
                            char *reason, size_t reason_size);
/* The plugin-wide limits (videoroom.max_rooms, videoroom.max_subscribers: the default of
 * rooms that do not set theirs), read by vr_rooms_load_config; both 0 (unlimited) until then.
 * Rooms created later use them. */
void vr_rooms_set_limits(unsigned max_rooms, unsigned default_max_subscribers);
unsigned vr_rooms_max_rooms(void);
unsigned vr_rooms_default_max_subscribers(void);
/* Counts one more subscriber in the room unless it has max_subscribers already: true when
 * counted (vr_subscriber_free gives it back). Any thread. */
bool vr_room_take_subscriber_slot(struct vr_room *room);
/* Removes the room from the registry (destroy): returns the registry's reference, or NULL. */
struct vr_room *vr_rooms_remove(uint64_t id);
/* Calls `each` for every room, under the registry lock (keep it short). */
void vr_rooms_foreach(void (*each)(struct vr_room *room, void *data), void *data);

/* Secret/pin/token checks (constant-time compare), any thread (they take the room's lock).
 * True when the room needs none, or when the given one (NULL: none given) matches. */
bool vr_room_check_secret(struct vr_room *room, const char *secret);
bool vr_room_check_pin(struct vr_room *room, const char *pin);
/* True unless the room checks tokens (its "allowed" list is enabled) and `token` is not in it. */
bool vr_room_check_token(struct vr_room *room, const char *token);

#endif
