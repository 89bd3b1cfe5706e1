/* The echo role: an EchoTest call sending audio and video (and data) and measuring what comes
 * back. Its latency figures are round trips through the server. */
#include "bench/lib/janus/janus_client.h"
#include "bench/lib/scenario/participant.h"

static void answered_cb(void *owner, json_t *reply)
{
    participant_apply_answer(owner, reply, "echotest call refused");
}

static void attached_cb(void *owner, json_t *reply)
{
    struct bench_participant *participant = owner;
    participant->main_handle = participant_reply_id(participant, reply,
                                                    "attach to janus.plugin.echotest failed");
    if (!participant->main_handle)
        return;
    const struct bench_options *options = participant->scenario->options;
    char *sdp = NULL;
    if (participant_create_endpoint(participant, true, true, participant->index < 8,
                                    &participant->main_endpoint) < 0 ||
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
