/* Viewers of a mountpoint: watch (our offer), start (their answer, or resume), pause,
 * configure (per-stream send), switch (another mountpoint on the same PeerConnection, sequence
 * numbers and timestamps continuing) and stop. On the viewer's worker: the mountpoint's own
 * (its streams feed the viewer directly) or another (fed by relay groups, relay.c). */
#include "plugins/streaming/mountpoint.h"

#include "core/params.h"
#include "core/session.h"
#include "core/worker.h"
#include "media/peer/handle_media.h"

#include <stdio.h>
#include <string.h>

static const struct prism_param_codes param_codes = {PRISM_STREAMING_ERROR_MISSING_ELEMENT,
                                                     PRISM_STREAMING_ERROR_INVALID_ELEMENT};

/* Feeds `vs` from stream `index` of the mountpoint: straight from the stream on its own
 * worker, else from this worker's relay group for it. */
static void link_stream(struct st_viewer_stream *vs, const struct st_mountpoint_view *view,
                        unsigned index)
{
    vs->source_index = index;
    vs->kind = view->specs[index].kind;
    if (!vs->viewer->local) {
        st_relay_link(vs, view, index); /* out of memory: the stream stays without a feed */
        return;
    }
    struct st_mountpoint *mp = st_mountpoint_find(view->id);
    if (!mp)
        return;
    vs->feed = &mp->streams[index].feed;
    g_ptr_array_add(vs->feed->viewers, vs);
}

static void unlink_stream(struct st_viewer_stream *vs)
{
    if (vs->feed && vs->feed->group)
        st_relay_unlink(vs);
    else if (vs->feed)
        g_ptr_array_remove_fast(vs->feed->viewers, vs);
    vs->feed = NULL;
}

/* Counts the viewer in the mountpoint (and in its list when on its worker). */
static void enter(struct st_viewer *viewer, const struct st_mountpoint_view *view)
{
    viewer->mountpoint_id = view->id;
    viewer->local = prism_worker_is_current(view->worker);
    struct st_mountpoint *mp = viewer->local ? st_mountpoint_find(view->id) : NULL;
    if (mp)
        g_ptr_array_add(mp->viewers, viewer);
    st_mountpoint_count_viewer(view->id, 1);
}

static void leave(struct st_viewer *viewer)
{
    struct st_mountpoint *mp = viewer->local ? st_mountpoint_find(viewer->mountpoint_id) : NULL;
    if (mp)
        g_ptr_array_remove_fast(mp->viewers, viewer);
    st_mountpoint_count_viewer(viewer->mountpoint_id, -1);
    viewer->mountpoint_id = 0;
    viewer->local = false;
}

/* Leaves the mountpoint (no event, no hangup): the viewer is an idle handle again. */
void st_viewer_detach(struct st_viewer *viewer)
{
    for (unsigned i = 0; i < viewer->stream_count; i++)
        unlink_stream(&viewer->streams[i]);
    if (viewer->mountpoint_id) {
        leave(viewer);
        st_count_viewers(-1);
    }
    viewer->stream_count = 0;
    viewer->started = viewer->paused = viewer->answers_offers = false;
}

void st_viewer_source_gone(struct st_viewer_stream *vs)
{
    struct st_viewer *viewer = vs->viewer;
    if (!viewer->mountpoint_id) {
        unlink_stream(vs);
        return;
    }
    prism_handle_push_event(viewer->handle, NULL, st_status("stopped"), NULL);
    st_viewer_detach(viewer);
    prism_handle_media_hangup(viewer->handle, "Mountpoint destroyed");
}

/* True when `mid` is named by the watch request's "media" list (or there is none). */
static bool wanted(json_t *media, const char *mid)
{
    if (!json_array_size(media))
        return true;
    size_t index;
    json_t *entry;
    json_array_foreach(media, index, entry)
    {
        if (json_is_string(entry) && strcmp(json_string_value(entry), mid) == 0)
            return true;
    }
    return false;
}

/* One m-line per stream: the mountpoint's codec, with RTX for video so NACKs can be answered
 * on a stream of their own. */
static json_t *make_offer(struct st_viewer *viewer, char *reason, size_t reason_size)
{
    struct prism_peer_offer_media media[ST_MAX_STREAMS];
    struct prism_sdp_codec codecs[ST_MAX_STREAMS][2];
    for (unsigned i = 0; i < viewer->stream_count; i++) {
        struct st_viewer_stream *vs = &viewer->streams[i];
        if (vs->data) {
            /* One data m-line; SCTP over the same DTLS (as the VideoRoom offers it). */
            media[i] = (struct prism_peer_offer_media){.kind = PRISM_SDP_MEDIA_APPLICATION,
                                                       .mid = vs->mid,
                                                       .direction = PRISM_SDP_SENDRECV};
            continue;
        }
        size_t count = 1;
        codecs[i][0] = vs->codec;
        codecs[i][0].feedback = 0;
        enum prism_sdp_media_kind kind = vs->kind;
        if (kind == PRISM_SDP_MEDIA_VIDEO) {
            codecs[i][0].feedback = PRISM_SDP_FB_NACK | PRISM_SDP_FB_NACK_PLI |
                                    PRISM_SDP_FB_CCM_FIR | PRISM_SDP_FB_GOOG_REMB;
            uint8_t rtx_pt = vs->codec.pt == 97 ? 98 : 97;
            codecs[i][1] = (struct prism_sdp_codec){
                .pt = rtx_pt, .clock_rate = 90000, .id = PRISM_SDP_CODEC_RTX};
            g_strlcpy(codecs[i][1].name, "rtx", sizeof(codecs[i][1].name));
            snprintf(codecs[i][1].fmtp, sizeof(codecs[i][1].fmtp), "apt=%u", vs->codec.pt);
            count = 2;
        }
        media[i] = (struct prism_peer_offer_media){.kind = kind,
                                                   .mid = vs->mid,
                                                   .direction = PRISM_SDP_SENDONLY,
                                                   .codecs = codecs[i],
                                                   .codec_count = count};
    }
    return prism_handle_media_offer(viewer->handle, media, viewer->stream_count, reason,
                                    reason_size);
}

static const struct prism_param watch_params[] = {
    {"id", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
    {"pin", PRISM_PARAM_STRING, 0},
    {"media", PRISM_PARAM_ARRAY, 0},
};

json_t *st_viewer_check_watchable(json_t *body, struct st_mountpoint_view *out)
{
    char reason[256];
    int code = prism_params_validate(body, watch_params, PRISM_PARAMS_COUNT(watch_params),
                                     &param_codes, reason, sizeof(reason));
    if (code)
        return st_error(code, "%s", reason);
    json_int_t id = json_integer_value(json_object_get(body, "id"));
    code = st_mountpoint_view((uint64_t)id, json_string_value(json_object_get(body, "pin")), out,
                              reason, sizeof(reason));
    return code ? st_error(code, "%s", reason) : NULL;
}

void st_viewer_join(struct st_viewer *viewer, const struct st_mountpoint_view *view)
{
    enter(viewer, view);
    st_count_viewers(1);
    struct prism_peer *peer = prism_handle_peer(viewer->handle);
    for (unsigned i = 0; i < viewer->stream_count; i++) {
        struct st_viewer_stream *vs = &viewer->streams[i];
        link_stream(vs, view, vs->source_index);
        st_viewer_stream_attach(vs, prism_peer_local_ssrc(peer, vs->media_index));
    }
}

static json_t *watch(struct st_viewer *viewer, const char *transaction, json_t *body,
                     json_t *client_jsep)
{
    if (viewer->mountpoint_id)
        return st_error(PRISM_STREAMING_ERROR_INVALID_STATE,
                        "Already watching mountpoint %" G_GUINT64_FORMAT, viewer->mountpoint_id);
    struct st_mountpoint_view view;
    json_t *error = st_viewer_check_watchable(body, &view);
    if (error)
        return error;
    if (st_max_viewers() && st_mountpoint_viewers(view.id) >= st_max_viewers()) {
        st_count_refusal(false);
        return st_error(PRISM_STREAMING_ERROR_UNKNOWN,
                        "Maximum number of viewers (%u) of mountpoint %" G_GUINT64_FORMAT
                        " reached",
                        st_max_viewers(), view.id);
    }
    const char *type = json_string_value(json_object_get(client_jsep, "type"));
    if (type && strcmp(type, "offer") == 0)
        return st_viewer_answer_offer(viewer, &view, transaction);
    json_t *media = json_object_get(body, "media");
    for (unsigned i = 0; i < view.stream_count; i++) {
        const struct st_stream_spec *spec = &view.specs[i];
        if (!wanted(media, spec->mid))
            continue;
        struct st_viewer_stream *vs = &viewer->streams[viewer->stream_count];
        memset(vs, 0, sizeof(*vs));
        vs->viewer = viewer;
        vs->media_index = viewer->stream_count++;
        g_strlcpy(vs->mid, spec->mid, sizeof(vs->mid));
        vs->codec = spec->codec;
        vs->kind = spec->kind;
        vs->source_index = i;
        vs->data = spec->kind == PRISM_SDP_MEDIA_APPLICATION;
        vs->send = true;
    }
    if (!viewer->stream_count)
        return st_error(PRISM_STREAMING_ERROR_INVALID_ELEMENT,
                        "No stream of the mountpoint named in media");
    char reason[256];
    json_t *jsep = make_offer(viewer, reason, sizeof(reason));
    if (!jsep) {
        viewer->stream_count = 0;
        return st_error(PRISM_STREAMING_ERROR_UNKNOWN, "Could not make an offer (%s)", reason);
    }
    st_viewer_join(viewer, &view);
    prism_handle_push_event(viewer->handle, transaction, st_status("preparing"), jsep);
    return NULL;
}

/* "start": with the answer to our offer, or to resume after "pause". */
static json_t *start(struct st_viewer *viewer, json_t *jsep)
{
    if (!viewer->mountpoint_id)
        return st_error(PRISM_STREAMING_ERROR_INVALID_STATE, "Can't start: not watching anything");
    struct prism_peer *peer = prism_handle_peer(viewer->handle);
    if (!jsep && !viewer->started && (!peer || prism_peer_has_pending_offer(peer)))
        return st_error(PRISM_STREAMING_ERROR_INVALID_STATE,
                        "Can't start: no answer to our offer yet");
    if (viewer->paused) {
        for (unsigned i = 0; i < viewer->stream_count; i++)
            st_viewer_stream_switch(&viewer->streams[i]);
    }
    viewer->started = true;
    viewer->paused = false;
    return st_status("starting");
}

static json_t *pause_viewer(struct st_viewer *viewer)
{
    if (!viewer->mountpoint_id || !viewer->started)
        return st_error(PRISM_STREAMING_ERROR_INVALID_STATE, "Can't pause: not started");
    viewer->paused = true;
    return st_status("pausing");
}

static const struct prism_param configure_params[] = {
    {"mid", PRISM_PARAM_STRING, 0},
    {"send", PRISM_PARAM_BOOLEAN, 0},
};

static json_t *configure(struct st_viewer *viewer, const char *transaction, json_t *body,
                         json_t *jsep)
{
    const char *type = json_string_value(json_object_get(jsep, "type"));
    if (type && strcmp(type, "offer") == 0)
        return st_viewer_reanswer(viewer, transaction);
    char reason[256];
    int code = prism_params_validate(body, configure_params, PRISM_PARAMS_COUNT(configure_params),
                                     &param_codes, reason, sizeof(reason));
    if (code)
        return st_error(code, "%s", reason);
    if (!viewer->mountpoint_id)
        return st_error(PRISM_STREAMING_ERROR_INVALID_STATE,
                        "Can't configure: not watching anything");
    const char *mid = json_string_value(json_object_get(body, "mid"));
    json_t *send = json_object_get(body, "send");
    bool found = false;
    for (unsigned i = 0; i < viewer->stream_count; i++) {
        struct st_viewer_stream *vs = &viewer->streams[i];
        if (mid && strcmp(mid, vs->mid) != 0)
            continue;
        found = true;
        if (!send || json_is_true(send) == vs->send)
            continue;
        vs->send = json_is_true(send);
        if (vs->send)
            st_viewer_stream_switch(vs); /* resumes on a (kept) keyframe */
    }
    if (mid && !found)
        return st_error(PRISM_STREAMING_ERROR_INVALID_ELEMENT, "No such mid '%s'", mid);
    return json_pack("{s:s, s:{s:s}}", "streaming", "event", "result", "event", "configured");
}

/* The new mountpoint must carry the same streams (kind and codec, in order): the viewer's
 * PeerConnection stays as negotiated. */
static json_t *switch_mountpoint(struct st_viewer *viewer, json_t *body)
{
    if (!viewer->mountpoint_id || !viewer->started)
        return st_error(PRISM_STREAMING_ERROR_INVALID_STATE, "Can't switch: not watching anything");
    struct st_mountpoint_view target;
    json_t *error = st_viewer_check_watchable(body, &target);
    if (error)
        return error;
    for (unsigned i = 0; i < viewer->stream_count; i++) {
        const struct st_viewer_stream *vs = &viewer->streams[i];
        unsigned index = vs->source_index;
        if (index >= target.stream_count || target.specs[index].kind != vs->kind ||
            target.specs[index].codec.id != vs->codec.id)
            return st_error(PRISM_STREAMING_ERROR_CANT_SWITCH,
                            "Can't switch: mountpoint %" G_GUINT64_FORMAT
                            " does not have the same streams",
                            target.id);
    }
    for (unsigned i = 0; i < viewer->stream_count; i++)
        unlink_stream(&viewer->streams[i]);
    leave(viewer);
    enter(viewer, &target);
    for (unsigned i = 0; i < viewer->stream_count; i++) {
        struct st_viewer_stream *vs = &viewer->streams[i];
        link_stream(vs, &target, vs->source_index);
        st_viewer_stream_switch(vs);
    }
    return json_pack("{s:s, s:{s:s, s:I}}", "streaming", "event", "result", "switched", "ok", "id",
                     (json_int_t)target.id);
}

json_t *st_viewer_request(struct st_viewer *viewer, const char *request, const char *transaction,
                          json_t *body, json_t *jsep)
{
    if (strcmp(request, "watch") == 0)
        return watch(viewer, transaction, body, jsep);
    if (strcmp(request, "start") == 0)
        return start(viewer, jsep);
    if (strcmp(request, "pause") == 0)
        return pause_viewer(viewer);
    if (strcmp(request, "configure") == 0)
        return configure(viewer, transaction, body, jsep);
    if (strcmp(request, "switch") == 0)
        return switch_mountpoint(viewer, body);
    /* stop */
    if (!viewer->mountpoint_id)
        return st_error(PRISM_STREAMING_ERROR_INVALID_STATE, "Can't stop: not watching anything");
    prism_handle_push_event(viewer->handle, transaction, st_status("stopping"), NULL);
    prism_handle_media_hangup(viewer->handle, "Stopped");
    st_viewer_detach(viewer);
    return NULL;
}

void st_viewer_setup_media(struct st_viewer *viewer)
{
    if (!viewer->mountpoint_id)
        return;
    for (unsigned i = 0; i < viewer->stream_count; i++) {
        viewer->streams[i].replay_pending = true;
        if (viewer->streams[i].data)
            prism_peer_open_data_channel(prism_handle_peer(viewer->handle), "JanusDataChannel");
    }
    prism_handle_push_event(viewer->handle, NULL, st_status("started"), NULL);
}

void st_viewer_hangup_media(struct st_viewer *viewer)
{
    if (!viewer->mountpoint_id)
        return;
    st_viewer_detach(viewer);
    prism_handle_push_event(viewer->handle, NULL, st_status("stopped"), NULL);
}
