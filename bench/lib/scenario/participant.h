/* One simulated user of a media scenario, driven through the Janus API like janus.js drives a
 * browser: its own connection and session, an EchoTest call (echo), or a VideoRoom publisher
 * handle and one multistream subscriber handle (room member, broadcaster, viewer). Callbacks
 * chain the requests; everything runs on the participant's bench worker. The controller only
 * reads the atomic flags and frees the participant once `finished` is set. */
#ifndef PRISM_BENCH_SCENARIO_PARTICIPANT_H
#define PRISM_BENCH_SCENARIO_PARTICIPANT_H

#include "bench/lib/peer/endpoint.h"
#include "bench/lib/run/workers.h"
#include "bench/lib/scenario/options.h"

#include <glib.h>
#include <jansson.h>
#include <stdint.h>

enum bench_role {
    BENCH_ROLE_ECHO,        /* EchoTest call: sends and gets its own media back */
    BENCH_ROLE_MEMBER,      /* room: publishes and subscribes to every other publisher */
    BENCH_ROLE_BROADCASTER, /* publishes only */
    BENCH_ROLE_VIEWER,      /* subscribes to the broadcaster only */
};

/* What the participants of one run share; read-only for them except the counters. */
struct bench_scenario {
    const struct bench_options *options;
    const struct bench_env *env;
    struct bench_workers *workers;
    uint64_t room_id;
    uint64_t mountpoint_id;  /* rtp ingest */
    const char *http_base;   /* WHIP/WHEP: scheme://host:port */
    gint64 broadcaster_feed; /* set before viewers start */
    gint ready;              /* participants fully joined (atomic) */
    gint failed;             /* participants that gave up (atomic) */
    gint finished;           /* participants torn down (atomic) */
};

struct bench_janus;
struct bench_whip_client;

struct bench_participant {
    struct bench_scenario *scenario;
    struct bench_worker *worker;
    enum bench_role role;
    unsigned index;
    uint64_t started_us;
    struct bench_janus *janus;
    struct bench_whip_client *whip; /* WHIP publisher or WHEP viewer: no Janus connection */
    uint64_t session_id;
    uint64_t main_handle; /* echotest or videoroom publisher */
    uint64_t feed_id;     /* our publisher id in the room */
    struct bench_endpoint *main_endpoint;
    bool published;
    /* The subscriber side. */
    uint64_t sub_handle;
    struct bench_endpoint *sub_endpoint;
    bool sub_attaching, sub_busy; /* a join or subscribe waits for its answer */
    bool sub_joined;              /* the subscriber handle joined the room */
    GArray *wanted_feeds;         /* uint64_t: feeds to subscribe to next */
    GArray *asked_feeds;          /* uint64_t: feeds of the join or subscribe in flight */
    GHashTable *feeds;            /* feed id -> 1: subscribed (or requested) */
    bool sub_media;
    /* Simulcast (layer_flow.c): the layer asked for, and the timer of --switch-interval. */
    unsigned sub_layer;
    bool layer_asked;
    GSource *switch_timer;
    bool is_ready, is_failed, stopping;
    GSource *leave_timer; /* churn */
    gint finished;        /* atomic: the worker is done with it */
};

/* Creates a participant placed on `worker` (not started). */
struct bench_participant *bench_participant_new(struct bench_scenario *scenario,
                                                struct bench_worker *worker, enum bench_role role,
                                                unsigned index);
/* Starts joining (posted to its worker). With leave_after_s > 0 it leaves by itself then. */
void bench_participant_start(struct bench_participant *participant, double leave_after_s);
/* Leaves (posted to its worker): destroys the session, closes the PeerConnections. */
void bench_participant_stop(struct bench_participant *participant);
bool bench_participant_finished(struct bench_participant *participant);
/* Frees a finished participant (controller thread). */
void bench_participant_free(struct bench_participant *participant);

/* Internal to the scenario folder: the flows of each role. */
void participant_fail(struct bench_participant *participant, const char *why);
void participant_check_ready(struct bench_participant *participant);
json_t *participant_request(struct bench_participant *participant, const char *verb,
                            uint64_t handle);
int participant_send_message(struct bench_participant *participant, uint64_t handle, json_t *body,
                             json_t *jsep, void (*cb)(void *owner, json_t *reply));
/* The plugin data of an answer, or NULL with the participant failed when it is an error. */
json_t *participant_plugin_data(struct bench_participant *participant, json_t *reply,
                                const char *what);
extern const struct bench_endpoint_events participant_endpoint_events;
/* The "id" of a create/attach answer, or 0 with the participant failed (`what` failed). */
uint64_t participant_reply_id(struct bench_participant *participant, json_t *reply,
                              const char *what);
/* A PeerConnection of this participant on its worker: 0 or -errno. */
int participant_create_endpoint(struct bench_participant *participant, bool offers,
                                bool measure_join, bool send_plis, struct bench_endpoint **out);
/* Applies the answer carried by a plugin event to the main PeerConnection; fails the
 * participant (`what` refused) otherwise. */
void participant_apply_answer(struct bench_participant *participant, json_t *reply,
                              const char *what);
void participant_start_echo(struct bench_participant *participant);
void participant_start_publisher(struct bench_participant *participant);
void participant_start_viewer(struct bench_participant *participant);
/* A server offer on the subscriber handle answered with "start" (VideoRoom and Streaming). */
void participant_answer_offer(struct bench_participant *participant, json_t *reply);
void participant_start_streaming_viewer(struct bench_participant *participant);
/* WHIP publisher / WHEP viewer (whip_flow.c): true when this participant is one. */
bool participant_uses_whip(const struct bench_participant *participant);
void participant_start_whip(struct bench_participant *participant);
void participant_whip_candidate(struct bench_participant *participant, const char *candidate);
/* Ends the WHIP/WHEP session; `done` runs once no request is in flight. */
void participant_close_whip(struct bench_participant *participant, void (*done)(void *participant));
void participant_add_feeds(struct bench_participant *participant, json_t *publishers);
void participant_remove_feed(struct bench_participant *participant, uint64_t feed);
void participant_subscriber_event(struct bench_participant *participant, json_t *event);
/* Simulcast subscribers (layer_flow.c): the subscription (re)started, an event of the
 * subscriber handle's plugin, and leaving. */
void participant_layer_started(struct bench_participant *participant);
void participant_layer_event(struct bench_participant *participant, json_t *data);
void participant_layer_stop(struct bench_participant *participant);

#endif
