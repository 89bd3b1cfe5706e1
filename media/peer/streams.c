/* The negotiated m-lines of a PeerConnection: built from offer and answer, matched to
 * incoming packets, and watched for media starting and stopping. */
#include "media/peer/peer_internal.h"

#include "core/ids.h"
#include "media/rtp/extension.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t random_ssrc(void)
{
    uint32_t ssrc;
    do {
        ssrc = (uint32_t)prism_random_id();
    } while (ssrc == 0);
    return ssrc;
}

/* The remote's primary SSRC on an m-line: the first of an FID group, else the first listed. */
static void remote_ssrcs(const struct prism_sdp_media *offered, struct peer_media *media)
{
    media->remote_ssrc = 0;
    media->remote_rtx_ssrc = 0;
    for (unsigned g = 0; g < offered->ssrc_group_count; g++) {
        const struct prism_sdp_ssrc_group *group = &offered->ssrc_groups[g];
        if (strcmp(group->semantics, "FID") == 0 && group->count >= 2) {
            media->remote_ssrc = group->ssrcs[0];
            media->remote_rtx_ssrc = group->ssrcs[1];
            return;
        }
    }
    if (offered->ssrc_count > 0)
        media->remote_ssrc = offered->ssrcs[0].ssrc;
}

/* Reads an answered m-line's direction from our side: our own answer says what we do, a
 * remote answer says what the remote does. */
static void set_directions(struct peer_media *media, enum prism_sdp_direction answered,
                           bool local_answer)
{
    bool answerer_sends = answered == PRISM_SDP_SENDRECV || answered == PRISM_SDP_SENDONLY;
    bool answerer_receives = answered == PRISM_SDP_SENDRECV || answered == PRISM_SDP_RECVONLY;
    media->sends = local_answer ? answerer_sends : answerer_receives;
    media->receives = local_answer ? answerer_receives : answerer_sends;
}

static void set_codecs(struct peer_media *media, const struct prism_sdp_media *answered)
{
    const struct prism_sdp_codec *codec = prism_sdp_media_primary_codec(answered);
    media->red_pt = 0;
    if (!codec)
        return;
    media->codec = *codec;
    media->send_pt = media->recv_pt = codec->pt;
    media->clock_rate = codec->clock_rate;
    media->feedback = codec->feedback;
    const struct prism_sdp_codec *rtx = prism_sdp_media_rtx_for(answered, codec->pt);
    media->rtx_pt = rtx ? rtx->pt : 0;
    const struct prism_sdp_codec *red = prism_sdp_media_red_for(answered, codec);
    media->red_pt = red ? red->pt : 0;
}

int peer_media_reserve(struct prism_peer *peer, unsigned count)
{
    if (count > PEER_MAX_MEDIA)
        return -EINVAL;
    if (count <= peer->media_capacity)
        return 0;
    struct peer_media *grown = realloc(peer->media, count * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    memset(&grown[peer->media_capacity], 0, (count - peer->media_capacity) * sizeof(*grown));
    peer->media = grown;
    peer->media_capacity = count;
    return 0;
}

struct peer_media *peer_media_slot(struct prism_peer *peer, unsigned index, const char *mid)
{
    struct peer_media *media = &peer->media[index];
    if (strcmp(media->mid, mid) != 0 || !media->local_ssrc) {
        memset(media, 0, sizeof(*media));
        snprintf(media->mid, sizeof(media->mid), "%s", mid);
        media->local_ssrc = random_ssrc();
        media->local_rtx_ssrc = random_ssrc();
        media->rtx_seq = (uint16_t)prism_random_id();
    }
    return media;
}

int peer_streams_from_exchange(struct prism_peer *peer, const struct prism_sdp *offer,
                               const struct prism_sdp *answer, bool local_answer)
{
    if (offer->media_count != answer->media_count)
        return -EINVAL;
    int rc = peer_media_reserve(peer, answer->media_count);
    if (rc < 0)
        return rc;
    const struct prism_sdp *remote = local_answer ? offer : answer;
    for (unsigned i = 0; i < answer->media_count; i++) {
        const struct prism_sdp_media *answered = &answer->media[i];
        struct peer_media *media = peer_media_slot(peer, i, answered->mid);
        media->kind = answered->kind;
        media->active = !prism_sdp_media_is_rejected(answered);
        set_directions(media, answered->direction, local_answer);
        set_codecs(media, answered);
        media->extmap_count = 0;
        for (unsigned e = 0; e < answered->extmap_count && e < PRISM_PEER_MAX_EXTMAPS; e++)
            media->extmaps[media->extmap_count++] = answered->extmaps[e];
        media->extmap_allow_mixed = answer->extmap_allow_mixed || answered->extmap_allow_mixed;
        remote_ssrcs(&remote->media[i], media);
        peer_simulcast_setup(peer, media, &remote->media[i], answered);
        uint8_t mid_id = prism_sdp_media_extmap_id(answered, PRISM_SDP_EXT_MID);
        if (mid_id)
            peer->mid_ext_id = mid_id;
    }
    peer->media_count = answer->media_count;
    return 0;
}

/* Learns an SSRC the description did not list, from the mid extension or, failing that,
 * from a payload type only one m-line uses. */
static struct peer_media *learn_ssrc(struct prism_peer *peer, const struct prism_rtp_header *h)
{
    struct peer_media *found = NULL;
    struct prism_rtp_ext mid;
    if (peer->mid_ext_id && prism_rtp_ext_find(h, peer->mid_ext_id, &mid) == 0) {
        for (unsigned i = 0; i < peer->media_count && !found; i++) {
            if (peer->media[i].receives && prism_rtp_ext_string_equals(&mid, peer->media[i].mid))
                found = &peer->media[i];
        }
    } else {
        for (unsigned i = 0; i < peer->media_count; i++) {
            struct peer_media *media = &peer->media[i];
            if (!media->receives || (media->recv_pt != h->payload_type &&
                                     (!media->rtx_pt || media->rtx_pt != h->payload_type) &&
                                     (!media->red_pt || media->red_pt != h->payload_type)))
                continue;
            if (found)
                return NULL; /* ambiguous */
            found = media;
        }
    }
    /* A simulcast m-line learns its SSRCs by rid only (peer_simulcast_learn). */
    if (!found || found->simulcast.layer_count)
        return NULL;
    if (found->rtx_pt && h->payload_type == found->rtx_pt)
        found->remote_rtx_ssrc = h->ssrc;
    else
        found->remote_ssrc = h->ssrc;
    return found;
}

struct peer_media *peer_media_for_packet(struct prism_peer *peer,
                                         const struct prism_rtp_header *header, int *layer)
{
    *layer = -1;
    for (unsigned i = 0; i < peer->media_count; i++) {
        struct peer_media *media = &peer->media[i];
        if (!media->active || !media->receives)
            continue;
        if (media->simulcast.layer_count) {
            *layer = peer_simulcast_layer_of(media, header->ssrc);
            if (*layer >= 0)
                return media;
        } else if (header->ssrc == media->remote_ssrc || header->ssrc == media->remote_rtx_ssrc)
            return media;
    }
    struct peer_media *media = peer_simulcast_learn(peer, header, layer);
    return media ? media : learn_ssrc(peer, header);
}

void peer_media_check_activity(struct prism_peer *peer, uint64_t now)
{
    for (unsigned i = 0; i < peer->media_count; i++) {
        struct peer_media *media = &peer->media[i];
        /* A packet may carry a later time than this check's (read when it arrived): no
         * unsigned wrap-around. */
        if (!media->receiving || now < media->last_packet_us + PEER_MEDIA_TIMEOUT_US)
            continue;
        media->receiving = false;
        if (peer->callbacks.media_cb)
            peer->callbacks.media_cb(peer->owner, media->mid, media->kind == PRISM_SDP_MEDIA_VIDEO,
                                     false);
    }
}
