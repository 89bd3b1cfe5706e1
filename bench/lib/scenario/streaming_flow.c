/* The Janus API viewer of `--ingest rtp`: a janus.plugin.streaming handle that "watch"es the
 * bench's mountpoint, answers the server's offer and sends "start", as janus.js's streaming
 * demo does. Its PeerConnection and handle are the participant's subscriber side, so trickle
 * and renegotiation offers go through the same paths as a VideoRoom subscriber's. */
#include "bench/lib/janus/janus_client.h"
#include "bench/lib/scenario/participant.h"

static void watched_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    if (!participant_plugin_data(participant, reply, "watch refused"))
        return;
    if (!json_object_get(reply, "jsep")) {
        participant_fail(participant, "watch answered without an offer");
        return;
    }
    participant_answer_offer(participant, reply);
}

static void attached_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    participant->sub_handle = participant_reply_id(participant, reply,
                                                   "attach to janus.plugin.streaming failed");
    if (!participant->sub_handle)
        return;
    json_t *body = json_pack("{s:s,s:I}", "request", "watch", "id",
                             (json_int_t)participant->scenario->mountpoint_id);
    const char *token = participant->scenario->options->token;
    if (token)
        json_object_set_new(body, "pin", json_string(token)); /* the mountpoint's pin */
    participant->sub_busy = true;
    participant_send_message(participant, participant->sub_handle, body, NULL, watched_cb);
}

void participant_start_streaming_viewer(struct bench_participant *participant)
{
    json_t *request = participant_request(participant, "attach", 0);
    json_object_set_new(request, "plugin", json_string("janus.plugin.streaming"));
    bench_janus_send(participant->janus, request, attached_cb, participant);
}
