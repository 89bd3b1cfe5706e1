/* Offering: our offer with the transport filled in, then the remote answer applied to it. */
#include "media/peer/peer_internal.h"

#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Our SSRCs for the m-lines we will send on, kept per mid across offers. */
static int prepare_media(struct prism_peer *peer, const struct prism_peer_offer_media *media,
                         size_t count, struct prism_sdp_offer_media *out)
{
    if (count == 0 || peer_media_reserve(peer, (unsigned)count) < 0)
        return -EINVAL;
    for (size_t i = 0; i < count; i++) {
        if (!media[i].mid)
            return -EINVAL;
        struct peer_media *slot = peer_media_slot(peer, (unsigned)i, media[i].mid);
        slot->kind = media[i].kind;
        out[i] = (struct prism_sdp_offer_media){
            .kind = media[i].kind,
            .mid = media[i].mid,
            .direction = media[i].direction,
            .codecs = media[i].codecs,
            .codec_count = media[i].codec_count,
            .extmaps = media[i].extmaps,
            .extmap_count = media[i].extmap_count,
            .extmap_allow_mixed = media[i].extmap_allow_mixed,
            .rejected = media[i].rejected,
        };
    }
    return 0;
}

/* Declares our sources on the m-lines we send on: the slots know their SSRCs, the offer
 * says the directions. */
static int add_offer_sources(struct prism_peer *peer, struct prism_sdp *offer)
{
    for (unsigned i = 0; i < offer->media_count; i++) {
        enum prism_sdp_direction direction = offer->media[i].direction;
        peer->media[i].sends = direction == PRISM_SDP_SENDRECV || direction == PRISM_SDP_SENDONLY;
        peer->media[i].active = !prism_sdp_media_is_rejected(&offer->media[i]);
        peer->media[i].rtx_pt = 0;
        for (unsigned c = 0; c < offer->media[i].codec_count; c++) {
            if (offer->media[i].codecs[c].id == PRISM_SDP_CODEC_RTX)
                peer->media[i].rtx_pt = offer->media[i].codecs[c].pt;
        }
    }
    peer->media_count = offer->media_count;
    return peer_add_sources(peer, offer);
}

/* a=rid send lines and a=simulcast:send for the m-lines that ask for them. */
static void add_send_rids(struct prism_sdp *offer, const struct prism_peer_offer_media *media)
{
    for (unsigned i = 0; i < offer->media_count; i++) {
        struct prism_sdp_media *m = &offer->media[i];
        size_t count = media[i].send_rid_count;
        if (count > PRISM_SDP_MAX_RIDS)
            count = PRISM_SDP_MAX_RIDS;
        for (size_t r = 0; r < count && media[i].send_rids && m->rid_count < PRISM_SDP_MAX_RIDS;
             r++) {
            struct prism_sdp_rid *rid = &m->rids[m->rid_count++];
            memset(rid, 0, sizeof(*rid));
            g_strlcpy(rid->id, media[i].send_rids[r], sizeof(rid->id));
            rid->send = true;
            struct prism_sdp_simulcast_stream *stream = &m->simulcast_send
                                                             .streams[m->simulcast_send.count++];
            memset(stream, 0, sizeof(*stream));
            stream->count = 1;
            g_strlcpy(stream->alternatives[0].rid, rid->id, sizeof(stream->alternatives[0].rid));
        }
    }
}

static int build_offer(struct prism_peer *peer, struct prism_sdp_offer_options *options,
                       const struct prism_peer_offer_media *media, char **sdp_out,
                       struct prism_sdp_error *err)
{
    GPtrArray *candidates = g_ptr_array_new_with_free_func(g_free);
    options->session_id = peer->sdp_session_id;
    options->session_version = ++peer->sdp_version;
    peer_local_transport(peer, candidates, &options->transport);
    struct prism_sdp *offer = NULL;
    int rc = prism_sdp_offer_create(options, &offer, err);
    if (rc == 0) {
        add_send_rids(offer, media);
        peer_description_sent(peer, &options->transport);
        rc = add_offer_sources(peer, offer);
    }
    size_t length;
    if (rc == 0)
        rc = prism_sdp_write_alloc(offer, sdp_out, &length);
    g_ptr_array_free(candidates, TRUE);
    if (rc < 0) {
        prism_sdp_free(offer);
        return rc;
    }
    prism_sdp_free(peer->local_offer);
    peer->local_offer = offer;
    return 0;
}

int prism_peer_offer(struct prism_peer *peer, const struct prism_peer_offer_media *media,
                     size_t count, char **sdp_out, struct prism_sdp_error *err)
{
    struct prism_sdp_offer_media described[PEER_MAX_MEDIA];
    if (peer->closed || prepare_media(peer, media, count, described) < 0) {
        peer_set_error(err, PRISM_SDP_ERR_INVALID_ARGUMENT, "invalid offer request");
        return -EINVAL;
    }
    if (!peer->ice_gathering) {
        if (prism_ice_gather(peer->ice) < 0) {
            peer_set_error(err, PRISM_SDP_ERR_INVALID_ARGUMENT, "cannot gather ICE candidates");
            return -EIO;
        }
        peer->ice_gathering = true;
    }
    struct prism_sdp_offer_options options = {.media = described, .media_count = count};
    return build_offer(peer, &options, media, sdp_out, err);
}

bool prism_peer_has_pending_offer(const struct prism_peer *peer)
{
    return peer->local_offer != NULL;
}

int prism_peer_apply_answer(struct prism_peer *peer, const char *sdp, size_t len,
                            struct prism_sdp_error *err)
{
    if (!peer->local_offer || peer->closed) {
        peer_set_error(err, PRISM_SDP_ERR_MISMATCH, "no offer of ours is pending");
        return -ENOENT;
    }
    struct prism_sdp *answer = NULL;
    if (prism_sdp_parse(sdp, len, &answer, err) < 0)
        return -EINVAL;
    int rc = prism_sdp_validate_answer(peer->local_offer, answer, err);
    if (rc == 0)
        rc = peer_apply_remote_transport(peer, answer, err);
    if (rc == 0)
        rc = peer_streams_from_exchange(peer, peer->local_offer, answer, false);
    if (rc == 0) {
        peer_recovery_setup(peer);
        peer_congestion_setup(peer);
        peer_data_from_description(peer, answer);
    }
    prism_sdp_free(answer);
    if (rc < 0)
        return -EINVAL;
    prism_sdp_free(peer->local_offer);
    peer->local_offer = NULL;
    if (peer->dtls_role == PRISM_DTLS_ROLE_CLIENT &&
        prism_dtls_state(peer->dtls) == PRISM_DTLS_STATE_NEW &&
        prism_ice_get_state(peer->ice) >= PRISM_ICE_CONNECTED)
        peer_start_dtls(peer);
    return 0;
}
