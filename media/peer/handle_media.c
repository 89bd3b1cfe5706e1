/* Binds a PeerConnection to an API handle: Janus events out, plugin callbacks in. */
#include "media/peer/handle_media.h"

#include "core/events.h"
#include "core/log.h"
#include "core/plugin.h"
#include "core/session.h"
#include "core/worker.h"
#include "media/peer/handle_events.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PENDING_CANDIDATES 64

/* A handle's media state. Owned by the handle (its media slot), worker thread only. */
struct handle_media {
    struct prism_handle *handle; /* borrowed: this state is freed before the handle */
    struct prism_peer *peer;
    bool holds_peer_slot; /* `peer` counts in the session's PeerConnections */
    bool peer_closed;     /* ended by itself; destroyed by a posted job */
    bool webrtc_up;
    char bundle_mid[PRISM_SDP_MID_LEN + 1]; /* sdpMid of our trickled candidates */
    GPtrArray *pending_candidates;          /* trickled before the offer */
    bool pending_completed;
    struct prism_timer stats_timer; /* webhook statistics while connected (worker loop) */
    enum prism_pc_state pc_state;   /* for the metrics page */
};

/* PeerConnections in each state, and on each worker (its metrics block), for the metrics
 * page. Changed on the handle's worker; read by the scraping thread. */
static atomic_uint pc_counts[PRISM_PC_STATE_COUNT];
static atomic_uint_fast64_t peers_refused;

uint64_t prism_handle_media_peers_refused(void)
{
    return atomic_load(&peers_refused);
}

static void set_pc_state(struct handle_media *media, enum prism_pc_state state)
{
    if (media->pc_state == state)
        return;
    if (media->pc_state != PRISM_PC_NONE)
        atomic_fetch_sub(&pc_counts[media->pc_state], 1);
    if (state != PRISM_PC_NONE)
        atomic_fetch_add(&pc_counts[state], 1);
    struct prism_worker *worker = prism_handle_worker(media->handle);
    if (worker && (media->pc_state == PRISM_PC_NONE) != (state == PRISM_PC_NONE))
        prism_metrics_peers_add(prism_worker_metrics(worker), state == PRISM_PC_NONE ? -1 : 1);
    media->pc_state = state;
}

void prism_handle_media_pc_counts(unsigned counts[PRISM_PC_STATE_COUNT])
{
    for (int i = 0; i < PRISM_PC_STATE_COUNT; i++)
        counts[i] = atomic_load(&pc_counts[i]);
}

static void release_peer_slot(struct handle_media *media)
{
    if (media->holds_peer_slot)
        prism_session_release_peer_slot(prism_handle_session(media->handle));
    media->holds_peer_slot = false;
}

static void drop_peer(struct handle_media *media)
{
    prism_peer_destroy(media->peer);
    media->peer = NULL;
    release_peer_slot(media);
    media->peer_closed = false;
    set_pc_state(media, PRISM_PC_NONE);
}

static const struct prism_peer_env *peer_env;

static void stats_timer_cb(struct prism_timer *timer, uint64_t now_us, void *data);

void prism_handle_media_set_env(const struct prism_peer_env *env)
{
    peer_env = env;
}

static struct handle_media *media_of(struct prism_handle *handle)
{
    return prism_handle_media(handle);
}

static struct handle_media *media_get_or_create(struct prism_handle *handle)
{
    struct handle_media *media = media_of(handle);
    if (!media) {
        media = calloc(1, sizeof(*media));
        if (!media)
            abort();
        media->handle = handle;
        media->pending_candidates = g_ptr_array_new_with_free_func(g_free);
        prism_timer_init(&media->stats_timer, stats_timer_cb, media);
        prism_handle_set_media(handle, media);
    }
    return media;
}

struct prism_peer *prism_handle_peer(struct prism_handle *handle)
{
    struct handle_media *media = media_of(handle);
    return media && !media->peer_closed ? media->peer : NULL;
}

static void push_core_event(struct handle_media *media, json_t *event)
{
    prism_handle_push_core_event(media->handle, event);
}

static void local_candidate_cb(void *owner, const char *candidate)
{
    struct handle_media *media = owner;
    push_core_event(media,
                    json_pack("{s:s, s:{s:s, s:i, s:s}}", "janus", "trickle", "candidate", "sdpMid",
                              media->bundle_mid, "sdpMLineIndex", 0, "candidate", candidate));
}

static void gathering_done_cb(void *owner)
{
    push_core_event(owner,
                    json_pack("{s:s, s:{s:b}}", "janus", "trickle", "candidate", "completed", 1));
}

static struct prism_loop *loop_of(struct handle_media *media)
{
    return prism_worker_loop(prism_handle_worker(media->handle));
}

static void stats_timer_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct handle_media *media = data;
    (void)timer;
    if (!media->peer || media->peer_closed)
        return;
    handle_events_stats(media->handle, media->peer);
    prism_loop_timer_arm(loop_of(media), &media->stats_timer,
                         now_us + handle_events_stats_period());
}

static void stop_stats(struct handle_media *media)
{
    struct prism_loop *loop = loop_of(media);
    if (loop && prism_timer_is_armed(&media->stats_timer))
        prism_loop_timer_cancel(loop, &media->stats_timer);
}

static void start_stats(struct handle_media *media)
{
    struct prism_loop *loop = loop_of(media);
    if (!loop || !handle_events_stats_period() || !prism_events_wanted(PRISM_EVENT_MEDIA))
        return;
    stop_stats(media);
    prism_loop_timer_arm(loop, &media->stats_timer,
                         prism_loop_now_us(loop) + handle_events_stats_period());
}

static void connected_cb(void *owner)
{
    struct handle_media *media = owner;
    media->webrtc_up = true;
    set_pc_state(media, PRISM_PC_CONNECTED);
    push_core_event(media, json_pack("{s:s}", "janus", "webrtcup"));
    handle_events_connection(media->handle, "webrtcup", NULL);
    start_stats(media);
    const struct prism_plugin *plugin = prism_handle_plugin(media->handle);
    if (plugin->setup_media)
        plugin->setup_media(media->handle);
}

static void destroy_closed_peer_cb(void *data)
{
    struct prism_handle *handle = data;
    struct handle_media *media = media_of(handle);
    if (media && media->peer_closed) {
        drop_peer(media);
    }
    prism_handle_unref(handle);
}

/* Tells the plugin and the client that the PeerConnection ended. */
static void announce_hangup(struct handle_media *media, const char *reason)
{
    const struct prism_plugin *plugin = prism_handle_plugin(media->handle);
    if (plugin->hangup_media)
        plugin->hangup_media(media->handle);
    push_core_event(media, json_pack("{s:s, s:s}", "janus", "hangup", "reason", reason));
    handle_events_connection(media->handle, "hangup", reason);
    stop_stats(media);
    media->webrtc_up = false;
}

static void closed_cb(void *owner, const char *reason)
{
    struct handle_media *media = owner;
    media->peer_closed = true;
    set_pc_state(media, PRISM_PC_CLOSED);
    announce_hangup(media, reason);
    /* The peer is on the stack: free it from the worker's mailbox. */
    prism_worker_post(prism_handle_worker(media->handle), destroy_closed_peer_cb,
                      prism_handle_ref(media->handle));
}

static void media_cb(void *owner, const char *mid, bool video, bool receiving)
{
    handle_events_media(((struct handle_media *)owner)->handle, mid, video, receiving);
    push_core_event(owner, json_pack("{s:s, s:s, s:s, s:b}", "janus", "media", "mid", mid, "type",
                                     video ? "video" : "audio", "receiving", receiving));
}

static void slowlink_cb(void *owner, const char *mid, bool video, bool uplink, unsigned lost)
{
    handle_events_slowlink(((struct handle_media *)owner)->handle, mid, video, uplink, lost);
    push_core_event(owner,
                    json_pack("{s:s, s:s, s:s, s:b, s:i}", "janus", "slowlink", "mid", mid, "media",
                              video ? "video" : "audio", "uplink", uplink, "lost", (int)lost));
}

static void rtp_cb(void *owner, struct prism_peer_rtp *packet)
{
    struct handle_media *media = owner;
    const struct prism_plugin *plugin = prism_handle_plugin(media->handle);
    if (plugin->incoming_rtp)
        plugin->incoming_rtp(media->handle, packet);
}

static void feedback_cb(void *owner, const struct prism_peer_feedback *feedback)
{
    struct handle_media *media = owner;
    const struct prism_plugin *plugin = prism_handle_plugin(media->handle);
    if (plugin->incoming_rtcp)
        plugin->incoming_rtcp(media->handle, feedback);
}

static void data_cb(void *owner, const struct prism_peer_data *message)
{
    struct handle_media *media = owner;
    const struct prism_plugin *plugin = prism_handle_plugin(media->handle);
    if (plugin->incoming_data)
        plugin->incoming_data(media->handle, message);
}

static const struct prism_peer_callbacks peer_callbacks = {
    .local_candidate_cb = local_candidate_cb,
    .gathering_done_cb = gathering_done_cb,
    .connected_cb = connected_cb,
    .closed_cb = closed_cb,
    .media_cb = media_cb,
    .slowlink_cb = slowlink_cb,
    .rtp_cb = rtp_cb,
    .feedback_cb = feedback_cb,
    .data_cb = data_cb,
};

static void flush_pending_candidates(struct handle_media *media)
{
    for (guint i = 0; i < media->pending_candidates->len; i++)
        prism_peer_add_remote_candidate(media->peer,
                                        g_ptr_array_index(media->pending_candidates, i));
    g_ptr_array_set_size(media->pending_candidates, 0);
    if (media->pending_completed)
        prism_peer_add_remote_candidate(media->peer, NULL);
    media->pending_completed = false;
}

/* Creates the handle's PeerConnection unless it has one: 0, -EDQUOT when the session already
 * holds its most PeerConnections, or another -errno. */
static int ensure_peer(struct handle_media *media, bool controlling)
{
    if (media->peer && media->peer_closed) {
        drop_peer(media);
    }
    if (media->peer)
        return 0;
    if (!prism_session_take_peer_slot(prism_handle_session(media->handle),
                                      peer_env->max_peers_per_session)) {
        atomic_fetch_add(&peers_refused, 1);
        return -EDQUOT;
    }
    media->holds_peer_slot = true;
    struct prism_worker *worker = prism_handle_worker(media->handle);
    struct prism_peer_params params = {
        .env = peer_env,
        .context = prism_worker_context(worker),
        .loop = prism_worker_loop(worker),
        .worker_index = prism_worker_index(worker),
        .callbacks = &peer_callbacks,
        .owner = media,
        .controlling = controlling,
    };
    int rc = prism_peer_create(&media->peer, &params);
    if (rc == 0)
        set_pc_state(media, PRISM_PC_CONNECTING);
    else
        release_peer_slot(media);
    return rc;
}

/* The mid our trickled candidates name: the first active m-line of the BUNDLE group. */
static void remember_bundle_mid(struct handle_media *media, const struct prism_sdp *offer)
{
    for (unsigned i = 0; i < offer->media_count; i++) {
        if (!prism_sdp_media_is_rejected(&offer->media[i])) {
            snprintf(media->bundle_mid, sizeof(media->bundle_mid), "%s", offer->media[i].mid);
            return;
        }
    }
}

/* Why ensure_peer failed, for the client. */
static void explain_peer_failure(int rc, char *reason, size_t size)
{
    if (rc == -EDQUOT)
        snprintf(reason, size,
                 "Too many PeerConnections in this session (at most %u: "
                 "general.max_peers_per_session)",
                 peer_env->max_peers_per_session);
    else
        snprintf(reason, size, "Could not create the PeerConnection");
}

static int apply_offer(struct handle_media *media, const char *sdp, char *reason, size_t size)
{
    int rc = ensure_peer(media, false);
    if (rc < 0) {
        explain_peer_failure(rc, reason, size);
        return 490;
    }
    struct prism_sdp_error err = {0};
    if (prism_peer_apply_offer(media->peer, sdp, strlen(sdp), &err) < 0) {
        snprintf(reason, size, "Invalid SDP (%s)", err.message[0] ? err.message : "malformed");
        return 465;
    }
    remember_bundle_mid(media, prism_peer_remote_description(media->peer));
    flush_pending_candidates(media);
    return 0;
}

static int apply_answer(struct handle_media *media, const char *sdp, char *reason, size_t size)
{
    if (!media || !media->peer || media->peer_closed ||
        !prism_peer_has_pending_offer(media->peer)) {
        snprintf(reason, size, "Unexpected ANSWER (no OFFER)");
        return 469;
    }
    struct prism_sdp_error err = {0};
    if (prism_peer_apply_answer(media->peer, sdp, strlen(sdp), &err) < 0) {
        snprintf(reason, size, "Invalid SDP (%s)", err.message[0] ? err.message : "malformed");
        return 465;
    }
    flush_pending_candidates(media);
    return 0;
}

int prism_handle_media_apply_jsep(struct prism_handle *handle, json_t *jsep, char *reason,
                                  size_t reason_size)
{
    const char *type = json_string_value(json_object_get(jsep, "type"));
    const char *sdp = json_string_value(json_object_get(jsep, "sdp"));
    if (!type || !sdp) {
        snprintf(reason, reason_size, "Missing mandatory element (type|sdp)");
        return 456;
    }
    handle_events_jsep(handle, "remote", type, sdp);
    if (strcmp(type, "answer") == 0)
        return apply_answer(media_of(handle), sdp, reason, reason_size);
    if (!peer_env) {
        snprintf(reason, reason_size, "Invalid SDP (media is not enabled on this server)");
        return 465;
    }
    return apply_offer(media_get_or_create(handle), sdp, reason, reason_size);
}

void prism_handle_media_trickle(struct prism_handle *handle, json_t *candidate)
{
    struct handle_media *media = media_get_or_create(handle);
    const char *text = json_string_value(json_object_get(candidate, "candidate"));
    bool completed = json_is_true(json_object_get(candidate, "completed")) || (text && !*text);
    bool has_peer = media->peer && !media->peer_closed;
    if (completed) {
        if (has_peer)
            prism_peer_add_remote_candidate(media->peer, NULL);
        else
            media->pending_completed = true;
    } else if (text) {
        if (has_peer)
            prism_peer_add_remote_candidate(media->peer, text);
        else if (media->pending_candidates->len < MAX_PENDING_CANDIDATES)
            g_ptr_array_add(media->pending_candidates, g_strdup(text));
    }
}

void prism_handle_media_hangup(struct prism_handle *handle, const char *reason)
{
    struct handle_media *media = media_of(handle);
    if (!media || !media->peer)
        return;
    bool was_open = !media->peer_closed;
    drop_peer(media);
    if (was_open)
        announce_hangup(media, reason);
}

void prism_handle_media_free(struct prism_handle *handle, const char *reason)
{
    struct handle_media *media = media_of(handle);
    if (!media)
        return;
    prism_handle_media_hangup(handle, reason);
    stop_stats(media);
    g_ptr_array_free(media->pending_candidates, TRUE);
    prism_handle_set_media(handle, NULL);
    free(media);
}

json_t *prism_handle_media_answer(struct prism_handle *handle,
                                  struct prism_sdp_answer_options *options, char *reason,
                                  size_t reason_size)
{
    struct prism_peer *peer = prism_handle_peer(handle);
    if (!peer) {
        snprintf(reason, reason_size, "No PeerConnection to answer for");
        return NULL;
    }
    struct prism_sdp_error err = {0};
    char *sdp = NULL;
    if (prism_peer_answer(peer, options, &sdp, &err) < 0) {
        snprintf(reason, reason_size, "%s", err.message[0] ? err.message : "cannot answer");
        return NULL;
    }
    handle_events_jsep(handle, "local", "answer", sdp);
    json_t *jsep = json_pack("{s:s, s:s}", "type", "answer", "sdp", sdp);
    free(sdp);
    return jsep;
}

json_t *prism_handle_media_offer(struct prism_handle *handle,
                                 const struct prism_peer_offer_media *media, size_t count,
                                 char *reason, size_t reason_size)
{
    if (!peer_env) {
        snprintf(reason, reason_size, "media is not enabled on this server");
        return NULL;
    }
    struct handle_media *state = media_get_or_create(handle);
    int rc = ensure_peer(state, true);
    if (rc < 0) {
        explain_peer_failure(rc, reason, reason_size);
        return NULL;
    }
    struct prism_sdp_error err = {0};
    char *sdp = NULL;
    if (prism_peer_offer(state->peer, media, count, &sdp, &err) < 0) {
        snprintf(reason, reason_size, "%s", err.message[0] ? err.message : "cannot make an offer");
        return NULL;
    }
    if (count > 0 && media[0].mid)
        snprintf(state->bundle_mid, sizeof(state->bundle_mid), "%s", media[0].mid);
    handle_events_jsep(handle, "local", "offer", sdp);
    json_t *jsep = json_pack("{s:s, s:s}", "type", "offer", "sdp", sdp);
    free(sdp);
    return jsep;
}
