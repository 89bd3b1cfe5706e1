/* Simulcast subscribers (--simulcast): each asks the VideoRoom for one layer of every video
 * stream it receives (its index mod 3), again after each renegotiation (a configure covers the
 * streams that exist), and with --switch-interval moves to the next layer periodically. The
 * server's "substream" events count the layer switches; the endpoint measures the keyframe
 * delay of each switch and which layer's keyframes arrive (bench_endpoint_ask_layer). */
#include "bench/lib/janus/janus_client.h"
#include "bench/lib/scenario/participant.h"

#include "core/ids.h"

static void configured_cb(void *owner, json_t *reply)
{
    participant_plugin_data(owner, reply, "configure refused");
}

static void ask_layer(struct bench_participant *participant)
{
    if (!participant->sub_endpoint || participant->is_failed || participant->stopping)
        return;
    json_t *body = json_pack("{s:s,s:i,s:i}", "request", "configure", "substream",
                             (int)participant->sub_layer, "temporal", 2);
    bench_endpoint_ask_layer(participant->sub_endpoint,
                             bench_endpoint_layer_width(participant->sub_layer), prism_now_us());
    participant_send_message(participant, participant->sub_handle, body, NULL, configured_cb);
}

static gboolean switch_timer_cb(gpointer data)
{
    struct bench_participant *participant = data;
    participant->sub_layer = (participant->sub_layer + 1) % BENCH_SIMULCAST_LAYERS;
    ask_layer(participant);
    return G_SOURCE_CONTINUE;
}

void participant_layer_started(struct bench_participant *participant)
{
    const struct bench_options *options = participant->scenario->options;
    if (!options->simulcast)
        return;
    if (!participant->layer_asked) {
        participant->layer_asked = true;
        participant->sub_layer = participant->index % BENCH_SIMULCAST_LAYERS;
    }
    ask_layer(participant);
    if (options->switch_interval_s > 0 && !participant->switch_timer) {
        participant->switch_timer = g_timeout_source_new(
            (guint)(options->switch_interval_s * 1000));
        g_source_set_callback(participant->switch_timer, switch_timer_cb, participant, NULL);
        g_source_attach(participant->switch_timer, participant->worker->context);
    }
}

void participant_layer_event(struct bench_participant *participant, json_t *data)
{
    if (json_is_integer(json_object_get(data, "substream")))
        participant->worker->meter.layer_switches++;
}

void participant_layer_stop(struct bench_participant *participant)
{
    if (!participant->switch_timer)
        return;
    g_source_destroy(participant->switch_timer);
    g_source_unref(participant->switch_timer);
    participant->switch_timer = NULL;
}
