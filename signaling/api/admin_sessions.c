/* The Admin API's requests on a session or a handle: destroy_session,
 * list_handles, detach_handle, hangup_webrtc and handle_info. Those that
 * touch a handle's plugin or PeerConnection run on the handle's worker and
 * reply from there. */
#include "signaling/api/engine_internal.h"

#include "core/log.h"
#include "core/plugin.h"
#include "core/worker.h"
#include "media/bwe/bwe.h"
#include "media/peer/handle_media.h"
#include "media/peer/peer.h"
#include "signaling/api/errors.h"

#include <stdlib.h>
#include <string.h>

/* A reply kept until work elsewhere is done. */
struct pending_reply {
    struct prism_reply_target *target;
    json_t *reply;
};

static struct pending_reply *pending_reply_new(const struct api_call *call)
{
    struct pending_reply *pending = g_new(struct pending_reply, 1);
    pending->target = call->request->reply;
    pending->reply = api_reply_base("success", call->session_id, call->transaction);
    return pending;
}

static void pending_reply_send_cb(void *data)
{
    struct pending_reply *pending = data;
    pending->target->deliver(pending->target, pending->reply);
    g_free(pending);
}

void api_admin_destroy_session(struct api_call *call)
{
    struct prism_session *session = api_remove_session(call->api, call->session_id);
    if (!session) {
        api_reply_error(call, PRISM_API_ERROR_SESSION_NOT_FOUND,
                        "No such session %" G_GUINT64_FORMAT, call->session_id);
        return;
    }
    prism_info("admin", "session %" G_GUINT64_FORMAT " destroyed", call->session_id);
    api_end_session(call->api, session, false, pending_reply_send_cb, pending_reply_new(call));
}

void api_admin_list_handles(struct api_call *call)
{
    GArray *ids = prism_session_handle_ids(call->session);
    json_t *list = json_array();
    for (guint i = 0; i < ids->len; i++)
        json_array_append_new(list, json_integer((json_int_t)g_array_index(ids, uint64_t, i)));
    g_array_free(ids, TRUE);
    json_t *reply = api_reply_base("success", call->session_id, call->transaction);
    json_object_set_new(reply, "handles", list);
    api_reply(call, reply);
}

void api_admin_detach_handle(struct api_call *call)
{
    struct prism_handle *handle = prism_session_remove_handle(call->session, call->handle_id);
    if (!handle) {
        api_reply_error(call, PRISM_API_ERROR_HANDLE_NOT_FOUND,
                        "No such handle %" G_GUINT64_FORMAT " in session %" G_GUINT64_FORMAT,
                        call->handle_id, call->session_id);
        return;
    }
    prism_info("admin", "handle %" G_GUINT64_FORMAT " detached", call->handle_id);
    api_detach_handle(call->api, handle, true, true, pending_reply_send_cb,
                      pending_reply_new(call));
}

/* Work on a handle's worker that replies from there. */
struct handle_work {
    struct prism_api *api;
    struct prism_session *session; /* reference */
    struct prism_handle *handle;   /* reference */
    struct pending_reply *pending;
    bool plugin_only;
};

static struct handle_work *handle_work_new(const struct api_call *call)
{
    struct handle_work *work = g_new0(struct handle_work, 1);
    api_job_begin(call->api);
    work->api = call->api;
    work->session = prism_session_ref(call->session);
    work->handle = prism_handle_ref(call->handle);
    work->pending = pending_reply_new(call);
    return work;
}

/* Sends the reply and frees the work: its last touch of the engine. */
static void handle_work_finish(struct handle_work *work)
{
    pending_reply_send_cb(work->pending);
    prism_handle_unref(work->handle);
    prism_session_unref(work->session);
    struct prism_api *api = work->api;
    g_free(work);
    api_job_end(api);
}

static void hangup_cb(void *data)
{
    struct handle_work *work = data;
    prism_session_defer_events();
    if (!prism_handle_is_detached(work->handle))
        prism_handle_media_hangup(work->handle, "Admin API");
    prism_session_flush_deferred();
    handle_work_finish(work);
}

void api_admin_hangup_webrtc(struct api_call *call)
{
    prism_info("admin", "hanging up the PeerConnection of handle %" G_GUINT64_FORMAT,
               call->handle_id);
    prism_worker_post(prism_handle_worker(call->handle), hangup_cb, handle_work_new(call));
}

static const char *media_type_name(enum prism_sdp_media_kind kind)
{
    switch (kind) {
    case PRISM_SDP_MEDIA_AUDIO:
        return "audio";
    case PRISM_SDP_MEDIA_VIDEO:
        return "video";
    case PRISM_SDP_MEDIA_APPLICATION:
        return "data";
    case PRISM_SDP_MEDIA_OTHER:
        break;
    }
    return "other";
}

/* The send-side bandwidth estimator of the PeerConnection, or JSON null without one. */
static json_t *bandwidth_info(struct prism_peer *peer)
{
    static const char *const signals[] = {"normal", "overuse", "underuse"};
    struct prism_bwe_state state;
    if (prism_peer_bandwidth_state(peer, &state) < 0)
        return json_null();
    json_t *info = json_pack("{s:I, s:I, s:I, s:I, s:s, s:f}", "estimate",
                             (json_int_t)prism_peer_bandwidth_estimate(peer), "delay_based",
                             (json_int_t)state.delay_based_bps, "loss_based",
                             (json_int_t)state.loss_based_bps, "acknowledged",
                             (json_int_t)state.acknowledged_bps, "signal", signals[state.signal],
                             "loss_fraction", state.loss_fraction);
    if (info)
        json_object_set_new(info, "probes",
                            json_pack("{s:I, s:I, s:I, s:I}", "sent", (json_int_t)state.probes,
                                      "succeeded", (json_int_t)state.probes_succeeded, "target",
                                      (json_int_t)state.probe_target_bps, "result",
                                      (json_int_t)state.probe_result_bps));
    return info;
}

static json_t *transport_info(struct prism_peer *peer)
{
    struct prism_peer_transport_info transport;
    prism_peer_get_transport_info(peer, &transport);
    json_t *ice = json_pack("{s:s?}", "state", transport.ice_state);
    if (transport.local[0])
        json_object_set_new(
            ice, "selected-pair",
            json_pack("{s:s, s:s}", "local", transport.local, "remote", transport.remote));
    return json_pack("{s:o, s:{s:s?, s:s?, s:s?}, s:s?}", "ice", ice, "dtls", "state",
                     transport.dtls_state, "role", transport.dtls_role, "cipher",
                     transport.dtls_cipher, "srtp-profile", transport.srtp_profile);
}

/* One m-line's counters, as Janus's handle_info shows them per stream. */
static json_t *stream_stats(struct prism_peer *peer, unsigned media_index)
{
    struct prism_peer_stream_stats stats;
    if (prism_peer_media_stats(peer, media_index, &stats) < 0)
        return json_object();
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i}", "packets_received",
                     (json_int_t)stats.packets_in, "bytes_received", (json_int_t)stats.bytes_in,
                     "packets_sent", (json_int_t)stats.packets_out, "bytes_sent",
                     (json_int_t)stats.bytes_out, "nacks_received", (json_int_t)stats.nacks_in,
                     "nacks_sent", (json_int_t)stats.nacks_out, "retransmissions_sent",
                     (json_int_t)stats.retransmissions_out, "plis_received",
                     (json_int_t)stats.plis_in, "plis_sent", (json_int_t)stats.plis_out, "lost",
                     (json_int_t)stats.lost, "jitter_ms", (int)stats.jitter_ms);
}

/* The PeerConnection's part of handle_info: transport state, negotiated
 * m-lines and counters. */
static json_t *peer_info(struct prism_peer *peer)
{
    struct prism_peer_stats stats;
    prism_peer_get_stats(peer, &stats);
    json_t *streams = json_array();
    unsigned count = prism_peer_media_count(peer);
    for (unsigned i = 0; i < count; i++) {
        struct prism_peer_media_info media;
        if (prism_peer_media_info(peer, i, &media) < 0)
            continue;
        json_array_append_new(
            streams,
            json_pack("{s:i, s:s?, s:s, s:b, s:b, s:b, s:s, s:i, s:I, s:I, s:o}", "mindex", (int)i,
                      "mid", media.mid, "type", media_type_name(media.kind), "active", media.active,
                      "send", media.sends, "receive", media.receives, "codec", media.codec.name,
                      "payload_type", (int)media.codec.pt, "remote_ssrc",
                      (json_int_t)media.remote_ssrc, "local_ssrc",
                      (json_int_t)prism_peer_local_ssrc(peer, i), "stats", stream_stats(peer, i)));
    }
    json_t *counters = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, "
        "s:I, s:I, s:I}",
        "packets_received", (json_int_t)stats.rtp_packets_in, "bytes_received",
        (json_int_t)stats.rtp_bytes_in, "packets_sent", (json_int_t)stats.rtp_packets_out,
        "bytes_sent", (json_int_t)stats.rtp_bytes_out, "rtcp_received",
        (json_int_t)stats.rtcp_packets_in, "rtcp_sent", (json_int_t)stats.rtcp_packets_out,
        "nacks_received", (json_int_t)stats.nacks_in, "nacks_sent", (json_int_t)stats.nacks_out,
        "retransmissions_sent", (json_int_t)stats.retransmissions_out, "plis_received",
        (json_int_t)stats.plis_in, "plis_sent", (json_int_t)stats.plis_out, "firs_received",
        (json_int_t)stats.firs_in, "srtp_errors", (json_int_t)stats.srtp_errors, "lost",
        (json_int_t)stats.lost_packets, "dropped", (json_int_t)stats.dropped_packets, "jitter_ms",
        (int)stats.jitter_ms, "rtt_ms", (int)stats.rtt_ms, "twcc_feedback_sent",
        (json_int_t)stats.twcc_feedback_out, "twcc_feedback_received",
        (json_int_t)stats.twcc_feedback_in, "bandwidth_estimate",
        (json_int_t)prism_peer_bandwidth_estimate(peer));
    json_t *info = transport_info(peer);
    json_object_update_new(info, json_pack("{s:b, s:o, s:o, s:o}", "connected",
                                           prism_peer_is_connected(peer), "streams", streams,
                                           "stats", counters, "bandwidth", bandwidth_info(peer)));
    return info;
}

static void handle_info_cb(void *data)
{
    struct handle_work *work = data;
    struct prism_handle *handle = work->handle;
    const struct prism_plugin *plugin = prism_handle_plugin(handle);
    json_t *info = json_object();
    json_object_set_new(info, "session_id",
                        json_integer((json_int_t)prism_handle_session_id(handle)));
    json_object_set_new(info, "session_last_activity",
                        json_integer((json_int_t)prism_session_last_activity(work->session)));
    json_object_set_new(info, "session_timeout",
                        json_integer((json_int_t)work->api->config.session_timeout_s));
    json_object_set_new(info, "handle_id", json_integer((json_int_t)prism_handle_id(handle)));
    if (prism_handle_opaque_id(handle))
        json_object_set_new(info, "opaque_id", json_string(prism_handle_opaque_id(handle)));
    json_object_set_new(info, "current_time", json_integer((json_int_t)g_get_monotonic_time()));
    json_object_set_new(info, "plugin", json_string(plugin->package));
    if (!prism_handle_is_detached(handle) && plugin->query_session) {
        json_t *specific = plugin->query_session(handle);
        if (json_is_object(specific))
            json_object_set_new(info, "plugin_specific", specific);
        else
            json_decref(specific);
    }
    struct prism_peer *peer = prism_handle_is_detached(handle) ? NULL : prism_handle_peer(handle);
    if (!work->plugin_only && peer)
        json_object_set_new(info, "webrtc", peer_info(peer));
    json_object_set_new(work->pending->reply, "handle_id",
                        json_integer((json_int_t)prism_handle_id(handle)));
    json_object_set_new(work->pending->reply, "info", info);
    handle_work_finish(work);
}

static const struct prism_param handle_info_params[] = {
    {"plugin_only", PRISM_PARAM_BOOLEAN, 0},
};

void api_admin_handle_info(struct api_call *call)
{
    if (!api_check_params(call, call->root, handle_info_params,
                          PRISM_PARAMS_COUNT(handle_info_params)))
        return;
    struct handle_work *work = handle_work_new(call);
    work->plugin_only = json_is_true(json_object_get(call->root, "plugin_only"));
    prism_worker_post(prism_handle_worker(call->handle), handle_info_cb, work);
}
