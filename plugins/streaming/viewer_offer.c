/* Viewers that bring their own offer: a WHEP client's recvonly offer to a mountpoint (POST
 * /whep/mountpoint/{id}, which sends "watch" with the offer as its jsep). The offer was applied
 * to the handle's PeerConnection before the plugin saw it; here each of its m-lines gets the
 * mountpoint stream offer_match.c picks, the answer is made with that stream's codec on that
 * m-line (every other m-line rejected), and the viewer is linked to the mountpoint exactly as a
 * "watch" viewer is, so keyframe replay, NACK answers, pause and switch are the same code.
 * Such a viewer stays on the mountpoint's worker (streaming.c's message_worker). */
#include "plugins/streaming/mountpoint.h"
#include "plugins/streaming/offer_match.h"

#include "core/session.h"
#include "media/peer/handle_media.h"

#include <stdlib.h>
#include <string.h>

/* Answers the offer applied last with `match`'s codec per m-line: we only send, no data
 * channel, no header extensions (the forwarder writes none). NULL with `reason` on failure. */
static json_t *answer(struct st_viewer *viewer, const struct st_offer_match *match, char *reason,
                      size_t reason_size)
{
    static const char *const no_extensions[1] = {NULL};
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    options.local_direction = PRISM_SDP_SENDONLY;
    options.accept_data_channels = false;
    options.accept_simulcast = false;
    options.extensions = no_extensions;
    options.extension_count = 0;
    options.media_codecs = match->codecs;
    options.media_codec_count = match->media_count;
    return prism_handle_media_answer(viewer->handle, &options, reason, reason_size);
}

/* Matches the handle's remote offer to the mountpoint: false with an error event in *error. */
static bool match_offer(struct st_viewer *viewer, const struct st_mountpoint_view *view,
                        struct st_offer_match *match, json_t **error)
{
    struct prism_peer *peer = prism_handle_peer(viewer->handle);
    const struct prism_sdp *offer = peer ? prism_peer_remote_description(peer) : NULL;
    char reason[256];
    if (!offer) {
        *error = st_error(PRISM_STREAMING_ERROR_INVALID_ELEMENT, "No offer to answer");
        return false;
    }
    if (st_offer_match(offer, view->specs, view->stream_count, match, reason, sizeof(reason)) < 0) {
        *error = st_error(PRISM_STREAMING_ERROR_INVALID_ELEMENT, "%s", reason);
        return false;
    }
    return true;
}

/* One viewer stream per m-line the answer accepted, fed by its matched mountpoint stream
 * (linked by st_viewer_join). The codec is the one answered: the viewer's payload type. */
static void collect_streams(struct st_viewer *viewer, const struct st_mountpoint_view *view,
                            const struct st_offer_match *match)
{
    struct prism_peer *peer = prism_handle_peer(viewer->handle);
    viewer->stream_count = 0;
    for (unsigned i = 0; i < match->media_count && viewer->stream_count < ST_MAX_STREAMS; i++) {
        struct prism_peer_media_info info;
        if (match->stream[i] < 0 || prism_peer_media_info(peer, i, &info) < 0 || !info.active ||
            !info.sends)
            continue;
        struct st_viewer_stream *vs = &viewer->streams[viewer->stream_count++];
        memset(vs, 0, sizeof(*vs));
        vs->viewer = viewer;
        vs->media_index = i;
        g_strlcpy(vs->mid, info.mid, sizeof(vs->mid));
        vs->codec = info.codec;
        vs->send = true;
        vs->source_index = (unsigned)match->stream[i];
        vs->kind = view->specs[vs->source_index].kind;
    }
}

json_t *st_viewer_answer_offer(struct st_viewer *viewer, const struct st_mountpoint_view *view,
                               const char *transaction)
{
    struct st_offer_match *match = g_new(struct st_offer_match, 1);
    json_t *error = NULL;
    json_t *jsep = NULL;
    char reason[256];
    if (!match_offer(viewer, view, match, &error))
        goto out;
    jsep = answer(viewer, match, reason, sizeof(reason));
    if (!jsep) {
        error = st_error(PRISM_STREAMING_ERROR_INVALID_ELEMENT, "%s", reason);
        goto out;
    }
    collect_streams(viewer, view, match);
    if (!viewer->stream_count) {
        json_decref(jsep);
        error = st_error(PRISM_STREAMING_ERROR_INVALID_ELEMENT,
                         "No m-line of the offer could be answered with a stream of mountpoint "
                         "%" G_GUINT64_FORMAT,
                         view->id);
        goto out;
    }
    viewer->answers_offers = true;
    viewer->started = true;
    st_viewer_join(viewer, view);
    prism_handle_push_event(viewer->handle, transaction, st_status("starting"), jsep);
out:
    g_free(match);
    return error;
}

json_t *st_viewer_reanswer(struct st_viewer *viewer, const char *transaction)
{
    if (!viewer->mountpoint_id || !viewer->answers_offers)
        return st_error(PRISM_STREAMING_ERROR_INVALID_STATE,
                        "Only a viewer that sent its own offer can send a new one");
    struct st_mountpoint_view view;
    char reason[256];
    int code = st_mountpoint_view(viewer->mountpoint_id, NULL, &view, reason, sizeof(reason));
    if (code == PRISM_STREAMING_ERROR_UNAUTHORIZED)
        code = 0; /* it was let in with the pin already */
    if (code)
        return st_error(code, "%s", reason);
    struct st_offer_match *match = g_new(struct st_offer_match, 1);
    json_t *error = NULL;
    if (match_offer(viewer, &view, match, &error)) {
        json_t *jsep = answer(viewer, match, reason, sizeof(reason));
        if (jsep)
            prism_handle_push_event(
                viewer->handle, transaction,
                json_pack("{s:s, s:{s:s}}", "streaming", "event", "result", "event", "configured"),
                jsep);
        else
            error = st_error(PRISM_STREAMING_ERROR_INVALID_ELEMENT, "%s", reason);
    }
    g_free(match);
    return error;
}
