/* Simulcast from the remote: the layers it sends on one m-line, each on its own SSRC, named
 * by rid (a=simulcast + a=rid, RFC 8853/8851; packets carry the rid or repaired-rid header
 * extension, RFC 8852, until the SSRC is known) or listed in a=ssrc-group:SIM (older clients).
 * Layers are numbered as Janus numbers substreams: 0 is the lowest quality. */
#include "media/peer/peer_internal.h"

#include "media/rtp/extension.h"
#include "media/sdp/negotiate.h"

#include <string.h>

/* Where a rid sits by its name when the names say it (l/m/h, q/h/f); -1 when they do not. */
static int rank_by_name(const char *rid, bool quarter_half_full)
{
    static const char *const lmh[] = {"l", "m", "h"};
    static const char *const qhf[] = {"q", "h", "f"};
    const char *const *names = quarter_half_full ? qhf : lmh;
    for (int i = 0; i < PEER_MAX_LAYERS; i++) {
        if (strcmp(rid, names[i]) == 0)
            return i;
    }
    return -1;
}

static bool all_ranked(const struct prism_sdp_simulcast_list *list, unsigned count, bool qhf)
{
    for (unsigned i = 0; i < count; i++) {
        if (rank_by_name(list->streams[i].alternatives[0].rid, qhf) < 0)
            return false;
    }
    return true;
}

/* The rids of the offered send list, lowest layer first. Without telling names the list is
 * read highest first, as browsers list janus.js's encodings and as Janus reads it ("hml"). */
static void order_rids(const struct prism_sdp_simulcast_list *list, struct peer_simulcast *sc)
{
    unsigned count = list->count < PEER_MAX_LAYERS ? list->count : PEER_MAX_LAYERS;
    bool qhf = all_ranked(list, count, true);
    bool named = qhf || all_ranked(list, count, false);
    int ranks[PEER_MAX_LAYERS];
    for (unsigned i = 0; i < count; i++)
        ranks[i] = named ? rank_by_name(list->streams[i].alternatives[0].rid, qhf)
                         : (int)(count - 1 - i);
    char rids[PEER_MAX_LAYERS][PRISM_SDP_RID_LEN + 1];
    memset(rids, 0, sizeof(rids));
    for (unsigned i = 0; i < count; i++) {
        unsigned position = 0; /* how many rank below it: layers stay 0 .. count - 1 */
        for (unsigned j = 0; j < count; j++)
            position += ranks[j] < ranks[i] || (ranks[j] == ranks[i] && j < i);
        memcpy(rids[position], list->streams[i].alternatives[0].rid, sizeof(rids[position]));
    }
    if (sc->layer_count != count || memcmp(sc->rids, rids, sizeof(rids)) != 0) {
        memset(sc, 0, sizeof(*sc));
        memcpy(sc->rids, rids, sizeof(rids));
    }
    sc->layer_count = (uint8_t)count;
    sc->by_rid = true;
}

/* An RTX SSRC paired with `ssrc` by an a=ssrc-group:FID, or 0. */
static uint32_t rtx_of(const struct prism_sdp_media *offered, uint32_t ssrc)
{
    for (unsigned g = 0; g < offered->ssrc_group_count; g++) {
        const struct prism_sdp_ssrc_group *group = &offered->ssrc_groups[g];
        if (strcmp(group->semantics, "FID") == 0 && group->count >= 2 && group->ssrcs[0] == ssrc)
            return group->ssrcs[1];
    }
    return 0;
}

static bool from_ssrc_group(const struct prism_sdp_media *offered, struct peer_simulcast *sc)
{
    for (unsigned g = 0; g < offered->ssrc_group_count; g++) {
        const struct prism_sdp_ssrc_group *group = &offered->ssrc_groups[g];
        if (strcmp(group->semantics, "SIM") != 0 || group->count < 2)
            continue;
        memset(sc, 0, sizeof(*sc));
        sc->layer_count = group->count < PEER_MAX_LAYERS ? group->count : PEER_MAX_LAYERS;
        for (unsigned i = 0; i < sc->layer_count; i++) {
            sc->ssrcs[i] = group->ssrcs[i];
            sc->rtx_ssrcs[i] = rtx_of(offered, group->ssrcs[i]);
        }
        return true;
    }
    return false;
}

void peer_simulcast_setup(struct prism_peer *peer, struct peer_media *media,
                          const struct prism_sdp_media *offered,
                          const struct prism_sdp_media *answered)
{
    struct peer_simulcast *sc = &media->simulcast;
    uint8_t rid_id = prism_sdp_media_extmap_id(answered, PRISM_SDP_EXT_RID);
    if (answered->simulcast_recv.count >= 2 && rid_id) {
        order_rids(&answered->simulcast_recv, sc);
        peer->rid_ext_id = rid_id;
        peer->repaired_rid_ext_id = prism_sdp_media_extmap_id(answered, PRISM_SDP_EXT_REPAIRED_RID);
    } else if (!from_ssrc_group(offered, sc)) {
        memset(sc, 0, sizeof(*sc));
        return;
    }
    /* The lowest layer is the m-line's primary SSRC: loss reports, NACKs and RTX go by it. */
    media->remote_ssrc = sc->ssrcs[0];
    media->remote_rtx_ssrc = sc->rtx_ssrcs[0];
}

int peer_simulcast_layer_of(const struct peer_media *media, uint32_t ssrc)
{
    const struct peer_simulcast *sc = &media->simulcast;
    for (int i = 0; i < sc->layer_count; i++) {
        if (ssrc && (sc->ssrcs[i] == ssrc || sc->rtx_ssrcs[i] == ssrc))
            return i;
    }
    return -1;
}

static int layer_named(const struct peer_simulcast *sc, const struct prism_rtp_ext *rid)
{
    for (int i = 0; i < sc->layer_count; i++) {
        if (prism_rtp_ext_string_equals(rid, sc->rids[i]))
            return i;
    }
    return -1;
}

/* The m-line of a packet that names a rid: by its mid, or the only rid-simulcast m-line. */
static struct peer_media *rid_media(struct prism_peer *peer, const struct prism_rtp_header *h)
{
    struct prism_rtp_ext mid;
    bool has_mid = peer->mid_ext_id && prism_rtp_ext_find(h, peer->mid_ext_id, &mid) == 0;
    struct peer_media *found = NULL;
    for (unsigned i = 0; i < peer->media_count; i++) {
        struct peer_media *media = &peer->media[i];
        if (!media->active || !media->receives || !media->simulcast.by_rid)
            continue;
        if (has_mid && prism_rtp_ext_string_equals(&mid, media->mid))
            return media;
        if (!has_mid && found)
            return NULL; /* ambiguous */
        if (!has_mid)
            found = media;
    }
    return found;
}

struct peer_media *peer_simulcast_learn(struct prism_peer *peer, const struct prism_rtp_header *h,
                                        int *layer)
{
    struct prism_rtp_ext rid;
    bool repaired = false;
    if (!peer->rid_ext_id)
        return NULL;
    if (prism_rtp_ext_find(h, peer->rid_ext_id, &rid) != 0) {
        if (!peer->repaired_rid_ext_id ||
            prism_rtp_ext_find(h, peer->repaired_rid_ext_id, &rid) != 0)
            return NULL;
        repaired = true;
    }
    struct peer_media *media = rid_media(peer, h);
    int found = media ? layer_named(&media->simulcast, &rid) : -1;
    if (found < 0)
        return NULL;
    struct peer_simulcast *sc = &media->simulcast;
    repaired |= media->rtx_pt && h->payload_type == media->rtx_pt;
    if (repaired) {
        sc->rtx_ssrcs[found] = h->ssrc;
    } else {
        /* A layer on a new SSRC: its loss tracking starts over (recovery.c makes it again). */
        prism_nack_receiver_destroy(media->layer_receivers[found]);
        media->layer_receivers[found] = NULL;
        sc->ssrcs[found] = h->ssrc;
    }
    if (found == 0) {
        media->remote_ssrc = sc->ssrcs[0];
        media->remote_rtx_ssrc = sc->rtx_ssrcs[0];
    }
    *layer = found;
    return media;
}

unsigned peer_simulcast_ssrcs(const struct peer_media *media, uint32_t *out)
{
    unsigned count = 0;
    for (unsigned i = 0; i < media->simulcast.layer_count; i++) {
        if (media->simulcast.ssrcs[i])
            out[count++] = media->simulcast.ssrcs[i];
    }
    return count;
}
