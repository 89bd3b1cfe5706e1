/* A simulated user's lifecycle: connection, session, events, trickle, leaving. */
#include "bench/lib/scenario/participant.h"

#include "bench/lib/janus/janus_client.h"
#include "core/ids.h"
#include "core/log.h"

#include <string.h>

struct bench_participant *bench_participant_new(struct bench_scenario *scenario,
                                                struct bench_worker *worker, enum bench_role role,
                                                unsigned index)
{
    struct bench_participant *participant = g_new0(struct bench_participant, 1);
    participant->scenario = scenario;
    participant->worker = worker;
    participant->role = role;
    participant->index = index;
    participant->wanted_feeds = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    participant->asked_feeds = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    participant->feeds = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    return participant;
}

void participant_fail(struct bench_participant *participant, const char *why)
{
    if (participant->is_failed || participant->stopping)
        return;
    participant->is_failed = true;
    participant->worker->meter.join_failures += participant->is_ready ? 0 : 1;
    participant->worker->meter.errors++;
    g_atomic_int_inc(&participant->scenario->failed);
    prism_warn("bench", "participant %u: %s", participant->index, why);
}

void participant_check_ready(struct bench_participant *participant)
{
    if (participant->is_ready || participant->is_failed)
        return;
    const struct bench_options *options = participant->scenario->options;
    bool ready = false;
    switch (participant->role) {
    case BENCH_ROLE_ECHO:
        ready = participant->sub_media;
        break;
    case BENCH_ROLE_BROADCASTER:
        ready = participant->published;
        break;
    case BENCH_ROLE_VIEWER:
        ready = participant->sub_media;
        break;
    case BENCH_ROLE_MEMBER: {
        /* In a fixed room everyone is ready once subscribed to all others; in churn, once it
         * publishes and gets media from whoever is there. */
        unsigned others = options->scenario == BENCH_SCENARIO_ROOM ? options->count - 1 : 0;
        ready = participant->published && g_hash_table_size(participant->feeds) >= others &&
                (others == 0 ? true : participant->sub_media);
        break;
    }
    }
    if (ready) {
        participant->is_ready = true;
        g_atomic_int_inc(&participant->scenario->ready);
    }
}

json_t *participant_request(struct bench_participant *participant, const char *verb,
                            uint64_t handle)
{
    json_t *request = json_pack("{s:s}", "janus", verb);
    if (participant->session_id)
        json_object_set_new(request, "session_id",
                            json_integer((json_int_t)participant->session_id));
    if (handle)
        json_object_set_new(request, "handle_id", json_integer((json_int_t)handle));
    return request;
}

int participant_send_message(struct bench_participant *participant, uint64_t handle, json_t *body,
                             json_t *jsep, void (*cb)(void *owner, json_t *reply))
{
    json_t *request = participant_request(participant, "message", handle);
    json_object_set_new(request, "body", body);
    if (jsep)
        json_object_set_new(request, "jsep", jsep);
    return bench_janus_send(participant->janus, request, cb, participant);
}

json_t *participant_plugin_data(struct bench_participant *participant, json_t *reply,
                                const char *what)
{
    /* A churn member leaves on its own timer, maybe while a request is in flight: its
     * PeerConnections are gone, and so is its interest in the answer. */
    if (participant->stopping)
        return NULL;
    if (!reply) {
        participant_fail(participant, what);
        return NULL;
    }
    const char *kind = json_string_value(json_object_get(reply, "janus"));
    json_t *data = json_object_get(json_object_get(reply, "plugindata"), "data");
    if (!kind || strcmp(kind, "error") == 0 || !json_is_object(data) ||
        json_object_get(data, "error_code")) {
        char *text = json_dumps(reply, JSON_COMPACT);
        char why[512];
        g_snprintf(why, sizeof(why), "%s: %s", what, text ? text : "?");
        free(text);
        participant_fail(participant, why);
        return NULL;
    }
    return data;
}

/* Trickle from the server: a candidate or the end of them, for whichever PeerConnection the
 * handle has. */
static void on_trickle(struct bench_participant *participant, uint64_t sender, json_t *event)
{
    struct bench_endpoint *endpoint = sender == participant->sub_handle
                                          ? participant->sub_endpoint
                                          : participant->main_endpoint;
    json_t *candidate = json_object_get(event, "candidate");
    if (!endpoint || !json_is_object(candidate))
        return;
    if (json_is_true(json_object_get(candidate, "completed")))
        bench_endpoint_add_candidate(endpoint, NULL);
    else if (json_is_string(json_object_get(candidate, "candidate")))
        bench_endpoint_add_candidate(endpoint,
                                     json_string_value(json_object_get(candidate, "candidate")));
}

static void on_publisher_event(struct bench_participant *participant, json_t *data)
{
    json_t *publishers = json_object_get(data, "publishers");
    if (json_is_array(publishers))
        participant_add_feeds(participant, publishers);
    json_t *gone = json_object_get(data, "unpublished");
    if (!json_is_integer(gone))
        gone = json_object_get(data, "leaving");
    if (json_is_integer(gone))
        participant_remove_feed(participant, (uint64_t)json_integer_value(gone));
}

static void event_cb(void *owner, json_t *event)
{
    struct bench_participant *participant = owner;
    if (participant->stopping)
        return;
    const char *kind = json_string_value(json_object_get(event, "janus"));
    uint64_t sender = (uint64_t)json_integer_value(json_object_get(event, "sender"));
    if (!kind)
        return;
    if (strcmp(kind, "trickle") == 0) {
        on_trickle(participant, sender, event);
    } else if (strcmp(kind, "event") == 0) {
        json_t *data = json_object_get(json_object_get(event, "plugindata"), "data");
        if (sender && sender == participant->sub_handle)
            participant_subscriber_event(participant, event);
        else if (json_is_object(data) && participant->role != BENCH_ROLE_ECHO)
            on_publisher_event(participant, data);
    } else if (strcmp(kind, "hangup") == 0 || strcmp(kind, "detached") == 0 ||
               strcmp(kind, "timeout") == 0) {
        participant_fail(participant, kind);
    }
}

static void state_cb(void *owner, int error)
{
    struct bench_participant *participant = owner;
    if (error && !participant->stopping)
        participant_fail(participant, "connection to the server failed or closed");
}

uint64_t participant_reply_id(struct bench_participant *participant, json_t *reply,
                              const char *what)
{
    json_t *id = json_object_get(json_object_get(reply, "data"), "id");
    if (!json_is_integer(id) || json_integer_value(id) <= 0) {
        participant_fail(participant, what);
        return 0;
    }
    return (uint64_t)json_integer_value(id);
}

int participant_create_endpoint(struct bench_participant *participant, bool offers,
                                bool measure_join, bool send_plis, struct bench_endpoint **out)
{
    struct bench_endpoint_params params = {.env = participant->scenario->env,
                                           .worker = participant->worker,
                                           .options = participant->scenario->options,
                                           .events = &participant_endpoint_events,
                                           .owner = participant,
                                           .tag = participant->index,
                                           .started_us = participant->started_us,
                                           .measure_join = measure_join,
                                           .send_plis = send_plis,
                                           .offers = offers};
    return bench_endpoint_create(out, &params);
}

void participant_apply_answer(struct bench_participant *participant, json_t *reply,
                              const char *what)
{
    if (!participant_plugin_data(participant, reply, what))
        return;
    const char *sdp = json_string_value(json_object_get(json_object_get(reply, "jsep"), "sdp"));
    if (!sdp || bench_endpoint_apply_answer(participant->main_endpoint, sdp) < 0)
        participant_fail(participant, "the answer is missing or unusable");
}

static void created_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    participant->session_id = participant_reply_id(participant, reply, "create failed");
    if (!participant->session_id)
        return;
    switch (participant->role) {
    case BENCH_ROLE_ECHO:
        participant_start_echo(participant);
        break;
    case BENCH_ROLE_MEMBER:
    case BENCH_ROLE_BROADCASTER:
        participant_start_publisher(participant);
        break;
    case BENCH_ROLE_VIEWER:
        if (participant->scenario->options->ingest == BENCH_INGEST_RTP)
            participant_start_streaming_viewer(participant);
        else
            participant_start_viewer(participant);
        break;
    }
}

static gboolean leave_timer_cb(gpointer data)
{
    struct bench_participant *participant = data;
    g_source_unref(participant->leave_timer);
    participant->leave_timer = NULL;
    bench_participant_stop(participant);
    return G_SOURCE_REMOVE;
}

struct start_job {
    struct bench_participant *participant;
    double leave_after_s;
};

static void start_job(void *data)
{
    struct start_job *job = data;
    struct bench_participant *participant = job->participant;
    participant->started_us = prism_now_us();
    struct bench_janus_params params = {.url = participant->scenario->options->url,
                                        .context = participant->worker->context,
                                        .event_cb = event_cb,
                                        .state_cb = state_cb,
                                        .owner = participant};
    if (job->leave_after_s > 0) {
        participant->leave_timer = g_timeout_source_new((guint)(job->leave_after_s * 1000));
        g_source_set_callback(participant->leave_timer, leave_timer_cb, participant, NULL);
        g_source_attach(participant->leave_timer, participant->worker->context);
    }
    g_free(job);
    if (participant_uses_whip(participant)) {
        participant_start_whip(participant);
        return;
    }
    if (bench_janus_open(&participant->janus, &params) < 0) {
        participant_fail(participant, "cannot open a connection");
        return;
    }
    bench_janus_send(participant->janus, participant_request(participant, "create", 0), created_cb,
                     participant);
}

void bench_participant_start(struct bench_participant *participant, double leave_after_s)
{
    struct start_job *job = g_new0(struct start_job, 1);
    job->participant = participant;
    job->leave_after_s = leave_after_s;
    bench_worker_post(participant->worker, start_job, job);
}

static void finish(struct bench_participant *participant)
{
    if (participant->janus)
        bench_janus_close(participant->janus);
    participant->janus = NULL;
    g_atomic_int_inc(&participant->scenario->finished);
    g_atomic_int_set(&participant->finished, 1);
}

static void destroyed_cb(void *owner, json_t *reply)
{
    finish(owner);
}

/* The DELETE was answered: the PeerConnections close after it, as a WHIP/WHEP client does
 * (closing them first would end the resource on the server before the DELETE arrives). */
static void whip_closed_cb(void *owner)
{
    struct bench_participant *participant = owner;
    bench_endpoint_destroy(participant->main_endpoint);
    bench_endpoint_destroy(participant->sub_endpoint);
    participant->main_endpoint = participant->sub_endpoint = NULL;
    finish(participant);
}

static void stop_job(void *data)
{
    struct bench_participant *participant = data;
    if (participant->stopping)
        return;
    participant->stopping = true;
    if (participant->leave_timer) {
        g_source_destroy(participant->leave_timer);
        g_source_unref(participant->leave_timer);
        participant->leave_timer = NULL;
    }
    participant_layer_stop(participant);
    if (participant->whip) {
        participant_close_whip(participant, whip_closed_cb);
        return;
    }
    bench_endpoint_destroy(participant->main_endpoint);
    bench_endpoint_destroy(participant->sub_endpoint);
    participant->main_endpoint = participant->sub_endpoint = NULL;
    if (participant->janus && participant->session_id &&
        bench_janus_send(participant->janus, participant_request(participant, "destroy", 0),
                         destroyed_cb, participant) == 0)
        return;
    finish(participant);
}

void bench_participant_stop(struct bench_participant *participant)
{
    bench_worker_post(participant->worker, stop_job, participant);
}

bool bench_participant_finished(struct bench_participant *participant)
{
    return g_atomic_int_get(&participant->finished) != 0;
}

void bench_participant_free(struct bench_participant *participant)
{
    g_array_free(participant->wanted_feeds, TRUE);
    g_array_free(participant->asked_feeds, TRUE);
    g_hash_table_destroy(participant->feeds);
    g_free(participant);
}

/* PeerConnection events, shared by every role. */
static void endpoint_connected_cb(void *owner, struct bench_endpoint *endpoint)
{
    struct bench_participant *participant = owner;
    if (endpoint == participant->main_endpoint && participant->role != BENCH_ROLE_ECHO) {
        participant->published = true;
        participant_check_ready(participant);
    }
}

static void endpoint_closed_cb(void *owner, struct bench_endpoint *endpoint, const char *reason)
{
    participant_fail(owner, reason);
}

static void endpoint_candidate_cb(void *owner, struct bench_endpoint *endpoint,
                                  const char *candidate)
{
    struct bench_participant *participant = owner;
    if (participant->whip) {
        participant_whip_candidate(participant, candidate);
        return;
    }
    uint64_t handle = endpoint == participant->sub_endpoint ? participant->sub_handle
                                                            : participant->main_handle;
    if (!participant->janus || !handle)
        return;
    json_t *request = participant_request(participant, "trickle", handle);
    if (candidate)
        json_object_set_new(
            request, "candidate",
            json_pack("{s:s,s:s,s:i}", "candidate", candidate, "sdpMid", "0", "sdpMLineIndex", 0));
    else
        json_object_set_new(request, "candidate", json_pack("{s:b}", "completed", 1));
    bench_janus_send(participant->janus, request, NULL, NULL);
}

static void endpoint_first_media_cb(void *owner, struct bench_endpoint *endpoint)
{
    struct bench_participant *participant = owner;
    if (endpoint == participant->sub_endpoint || participant->role == BENCH_ROLE_ECHO) {
        participant->sub_media = true;
        participant_check_ready(participant);
    }
}

const struct bench_endpoint_events participant_endpoint_events = {
    .connected_cb = endpoint_connected_cb,
    .closed_cb = endpoint_closed_cb,
    .candidate_cb = endpoint_candidate_cb,
    .first_media_cb = endpoint_first_media_cb,
};
