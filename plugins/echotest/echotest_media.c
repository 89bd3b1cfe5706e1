/* The EchoTest's media: each packet goes back to its sender on the same m-line, rewritten
 * in place for our outgoing stream; keyframe requests are passed on; data is echoed. */
#include "plugins/echotest/echotest_internal.h"

#include "core/session.h"
#include "media/peer/handle_media.h"
#include "media/rtp/header.h"

#include <stdio.h>

json_t *echotest_answer(struct prism_handle *handle, char *reason, size_t reason_size)
{
    struct prism_sdp_answer_options options;
    prism_sdp_answer_options_init(&options);
    options.local_direction = PRISM_SDP_SENDRECV;
    options.accept_data_channels = true;
    return prism_handle_media_answer(handle, &options, reason, reason_size);
}

/* Applies the bitrate cap and, if asked, requests a keyframe on every video m-line. */
void echotest_apply_media_settings(struct prism_handle *handle, bool keyframe)
{
    struct echotest_state *state = prism_handle_plugin_data(handle);
    struct prism_peer *peer = prism_handle_peer(handle);
    if (!peer || !prism_peer_is_connected(peer))
        return;
    prism_peer_set_bitrate_cap(peer, state->bitrate);
    for (unsigned i = 0; keyframe && i < prism_peer_media_count(peer); i++) {
        if (prism_peer_media_is_video(peer, i))
            prism_peer_request_keyframe(peer, i);
    }
}

void echotest_setup_media(struct prism_handle *handle)
{
    echotest_apply_media_settings(handle, true);
}

void echotest_hangup_media(struct prism_handle *handle)
{
    prism_handle_push_event(handle, NULL,
                            json_pack("{s:s, s:s}", "echotest", "event", "result", "done"), NULL);
}

void echotest_incoming_rtp(struct prism_handle *handle, struct prism_peer_rtp *packet)
{
    struct echotest_state *state = prism_handle_plugin_data(handle);
    if (packet->video ? !state->video : !state->audio)
        return;
    struct prism_peer *peer = prism_handle_peer(handle);
    uint32_t ssrc = prism_peer_local_ssrc(peer, packet->media_index);
    if (!ssrc)
        return;
    prism_rtp_set_ssrc(packet->data, ssrc);
    prism_peer_send_rtp(peer, packet->media_index, packet->data, packet->len, packet->cap);
}

void echotest_incoming_rtcp(struct prism_handle *handle, const struct prism_peer_feedback *feedback)
{
    /* What the remote asks of our stream on an m-line it must ask of its own on the same one:
     * that is where our stream comes from. */
    if (feedback->kind == PRISM_PEER_FEEDBACK_KEYFRAME)
        prism_peer_request_keyframe(prism_handle_peer(handle), feedback->media_index);
}

void echotest_incoming_data(struct prism_handle *handle, const struct prism_peer_data *message)
{
    struct echotest_state *state = prism_handle_plugin_data(handle);
    if (state->data)
        prism_peer_send_data(prism_handle_peer(handle), message->label, message->binary,
                             message->data, message->len);
}
