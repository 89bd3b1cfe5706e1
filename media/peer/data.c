/* Data channels of a PeerConnection: the SCTP association rides on DTLS application data. */
#include "media/peer/peer_internal.h"

#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void peer_data_from_description(struct prism_peer *peer, const struct prism_sdp *remote)
{
    peer->data_negotiated = false;
    for (unsigned i = 0; i < remote->media_count; i++) {
        const struct prism_sdp_media *media = &remote->media[i];
        if (media->kind != PRISM_SDP_MEDIA_APPLICATION || i >= peer->media_count ||
            !peer->media[i].active)
            continue;
        peer->data_negotiated = true;
        peer->remote_sctp_port = media->sctp_port ? media->sctp_port : PRISM_SCTP_DEFAULT_PORT;
        peer->remote_max_message_size = media->max_message_size
                                            ? media->max_message_size
                                            : PRISM_SCTP_SDP_DEFAULT_MAX_MESSAGE_SIZE;
    }
}

static void sctp_send_cb(void *user_data, const uint8_t *packet, size_t len)
{
    struct prism_peer *peer = user_data;
    if (peer->closed || prism_dtls_send_app(peer->dtls, packet, len) < 0)
        return;
    peer_flush_dtls(peer);
}

static void channel_open_cb(void *user_data, const struct prism_sctp_channel_info *channel)
{
    struct prism_peer *peer = user_data;
    if (peer->channel_count == PEER_MAX_CHANNELS)
        return;
    struct peer_channel *entry = &peer->channels[peer->channel_count++];
    entry->stream_id = channel->stream_id;
    g_strlcpy(entry->label, channel->label ? channel->label : "", sizeof(entry->label));
    prism_debug("peer", "data channel %u \"%s\" open", channel->stream_id, entry->label);
}

static void channel_closed_cb(void *user_data, uint16_t stream_id, const char *label)
{
    struct prism_peer *peer = user_data;
    for (unsigned i = 0; i < peer->channel_count; i++) {
        if (peer->channels[i].stream_id == stream_id) {
            peer->channels[i] = peer->channels[--peer->channel_count];
            return;
        }
    }
}

static void message_cb(void *user_data, const struct prism_sctp_message *message)
{
    struct prism_peer *peer = user_data;
    if (!peer->callbacks.data_cb || peer->closed)
        return;
    struct prism_peer_data data = {
        .label = message->label,
        .stream_id = message->stream_id,
        .binary = message->binary,
        .data = message->data,
        .len = message->len,
    };
    peer->callbacks.data_cb(peer->owner, &data);
}

void peer_data_start(struct prism_peer *peer)
{
    prism_debug("peer", "data channels %s (DTLS %s, remote port %u)",
                peer->data_negotiated ? "negotiated" : "not negotiated",
                peer->dtls_role == PRISM_DTLS_ROLE_CLIENT ? "client" : "server",
                peer->remote_sctp_port);
    if (!peer->data_negotiated || peer->sctp)
        return;
    struct prism_sctp_config config = {
        .context = peer->context,
        .dtls_client = peer->dtls_role == PRISM_DTLS_ROLE_CLIENT,
        .local_port = PRISM_SCTP_DEFAULT_PORT,
        .remote_port = peer->remote_sctp_port,
        .remote_max_message_size = (size_t)peer->remote_max_message_size,
        .callbacks = {.send_cb = sctp_send_cb,
                      .channel_open_cb = channel_open_cb,
                      .channel_closed_cb = channel_closed_cb,
                      .message_cb = message_cb},
        .user_data = peer,
    };
    peer->app_buffer = malloc(PEER_APP_BUFFER_SIZE);
    if (!peer->app_buffer || prism_sctp_association_create(&peer->sctp, &config) < 0) {
        prism_warn("peer", "data channels unavailable: cannot start SCTP");
        free(peer->app_buffer);
        peer->app_buffer = NULL;
        peer->sctp = NULL;
    }
}

/* Hands every DTLS application record waiting in the engine to SCTP. */
void peer_data_receive(struct prism_peer *peer)
{
    int len;
    while (peer->sctp &&
           (len = prism_dtls_poll_app(peer->dtls, peer->app_buffer, PEER_APP_BUFFER_SIZE)) > 0)
        prism_sctp_receive(peer->sctp, peer->app_buffer, (size_t)len);
}

void peer_data_stop(struct prism_peer *peer)
{
    prism_sctp_association_destroy(peer->sctp);
    peer->sctp = NULL;
    free(peer->app_buffer);
    peer->app_buffer = NULL;
    peer->channel_count = 0;
}

int prism_peer_send_data(struct prism_peer *peer, const char *label, bool binary,
                         const uint8_t *data, size_t len)
{
    if (!peer || !peer->sctp || peer->closed)
        return -ENOTCONN;
    for (unsigned i = 0; i < peer->channel_count; i++) {
        if (!label || strcmp(peer->channels[i].label, label) == 0)
            return prism_sctp_send(peer->sctp, peer->channels[i].stream_id, binary, data, len);
    }
    return -ENOENT;
}

int prism_peer_open_data_channel(struct prism_peer *peer, const char *label)
{
    if (!peer || !peer->sctp || peer->closed)
        return -ENOTCONN;
    struct prism_sctp_channel_options options = {.label = label, .ordered = true};
    uint16_t stream_id;
    return prism_sctp_channel_open(peer->sctp, &options, &stream_id);
}
