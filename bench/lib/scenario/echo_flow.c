/* The echo role: an EchoTest call sending audio and video (and data) and measuring what comes
 * back. Its latency figures are round trips through the server. */
#include "bench/lib/janus/janus_client.h"
#include "bench/lib/scenario/participant.h"

static void answered_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    if (!participant_plugin_data(participant, reply, "echotest call refused"))
        return;
    const char *sdp = json_string_value(json_object_get(json_object_get(reply, "jsep"), "sdp"));
    if (!sdp || bench_endpoint_apply_answer(participant->main_endpoint, sdp) < 0)
        participant_fail(participant, "echotest answer missing or unusable");
}

static void attached_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    json_t *id = json_object_get(json_object_get(reply, "data"), "id");
    if (!json_is_integer(id)) {
        participant_fail(participant, "attach to janus.plugin.echotest failed");
        return;
    }
    participant->main_handle = (uint64_t)json_integer_value(id);
    const struct bench_options *options = participant->scenario->options;
    struct bench_endpoint_params params = {.env = participant->scenario->env,
                                           .worker = participant->worker,
                                           .options = options,
                                           .events = &participant_endpoint_events,
                                           .owner = participant,
                                           .tag = participant->index,
                                           .started_us = participant->started_us,
                                           .measure_join = true,
                                           .send_plis = participant->index < 8,
                                           .offers = true};
    char *sdp = NULL;
    if (bench_endpoint_create(&participant->main_endpoint, &params) < 0 ||
        bench_endpoint_offer(participant->main_endpoint, PRISM_SDP_SENDRECV, options->data_channel,
                             &sdp) < 0) {
        participant_fail(participant, "cannot make an offer");
        return;
    }
    json_t *body = json_pack("{s:b,s:b}", "audio", options->audio, "video", options->video);
    json_t *jsep = json_pack("{s:s,s:s}", "type", "offer", "sdp", sdp);
    g_free(sdp);
    participant_send_message(participant, participant->main_handle, body, jsep, answered_cb);
}

void participant_start_echo(struct bench_participant *participant)
{
    json_t *request = participant_request(participant, "attach", 0);
    json_object_set_new(request, "plugin", json_string("janus.plugin.echotest"));
    bench_janus_send(participant->janus, request, attached_cb, participant);
}
