/* The IO side of bandwidth probing (media/bwe/probe.c): the estimator says when a probe packet
 * is due and how much padding it carries; this sends it. A probe packet is what libwebrtc's own
 * sender pads with when RTX is negotiated: an RTP packet on the video m-line's RTX SSRC and
 * payload type, with the next RTX sequence number, the media's last timestamp, the padding bit
 * set and a payload of padding only (RFC 3550 section 5.1: the last octet counts the padding,
 * itself included), plus our transport-wide sequence number. The receiver counts it in its
 * transport-cc feedback and drops it before any decoder (an RTX packet shorter than its 2-byte
 * original sequence number restores nothing), so decoding is not disturbed, and the media's own
 * sequence numbers, which subscribers' forwarding keeps continuous, are not touched. Without
 * RTX on a video m-line there is no probing. */
#include "media/peer/peer_internal.h"

#include "media/rtp/header.h"

#include <string.h>

/* The m-line probes are sent on: the first active video m-line we send on with RTX, or NULL. */
static struct peer_media *probe_media(struct prism_peer *peer)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        struct peer_media *media = &peer->media[i];
        if (media->active && media->sends && media->kind == PRISM_SDP_MEDIA_VIDEO &&
            media->rtx_pt && media->packets_sent)
            return media;
    }
    return NULL;
}

/* A padding-only RTX packet with `padding` bytes of padding (1-255) in buf: its length. */
static size_t build_padding(const struct peer_media *media, uint16_t seq, size_t padding,
                            uint8_t *buf)
{
    buf[0] = 0x80 | 0x20; /* version 2, padding */
    buf[1] = media->rtx_pt & 0x7F;
    prism_rtp_set_seq(buf, seq);
    prism_rtp_set_timestamp(buf, media->last_rtp_timestamp);
    prism_rtp_set_ssrc(buf, media->local_rtx_ssrc);
    memset(buf + PRISM_RTP_FIXED_HEADER_LEN, 0, padding - 1);
    buf[PRISM_RTP_FIXED_HEADER_LEN + padding - 1] = (uint8_t)padding;
    return PRISM_RTP_FIXED_HEADER_LEN + padding;
}

/* Sends one probe packet of `padding` bytes of padding; false when it could not. */
static bool send_probe(struct prism_peer *peer, struct peer_media *media, size_t padding,
                       uint64_t now)
{
    static _Thread_local uint8_t packet[PEER_BUFFER_SIZE];
    if (padding < 1 || padding > 255)
        return false;
    size_t len = build_padding(media, media->rtx_seq, padding, packet);
    int stamped = peer_congestion_stamp_probe(peer, packet, len,
                                              sizeof(packet) - PRISM_SRTP_MAX_RTP_OVERHEAD, now);
    if (stamped < 0)
        return false;
    media->rtx_seq++;
    size_t protected_len;
    if (prism_srtp_protect_rtp(peer->srtp, packet, (size_t)stamped, sizeof(packet),
                               &protected_len) != PRISM_SRTP_OK)
        return false;
    if (prism_ice_send(peer->ice, packet, protected_len) < 0)
        return false;
    peer->stats.probe_packets_out++;
    return true;
}

void peer_probe_send_due(struct prism_peer *peer, uint64_t now)
{
    if (!peer->bwe || !peer->connected || peer->closed)
        return;
    struct peer_media *media = probe_media(peer);
    size_t padding;
    /* Each call plans one packet (the estimator counts it as sent): a packet that fails is
     * missing from the cluster, whose result then says so. */
    while ((padding = prism_bwe_probe_padding(peer->bwe, now)) > 0) {
        if (media)
            (void)send_probe(peer, media, padding, now);
    }
}

void prism_peer_want_bandwidth(struct prism_peer *peer, uint64_t wanted_bps)
{
    if (!peer || !peer->bwe || !peer->connected || peer->closed || !peer->stats.twcc_feedback_in ||
        !probe_media(peer))
        return;
    uint64_t now = peer_now(peer);
    prism_bwe_want(peer->bwe, wanted_bps, now);
    peer_probe_send_due(peer, now);
    peer_timer_rearm(peer);
}
