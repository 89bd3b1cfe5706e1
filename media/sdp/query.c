/* Readers over a parsed or built description: the lookups plugins make after negotiation. */
#include "media/sdp/internal.h"

#include <string.h>

const struct prism_sdp_media *prism_sdp_find_media(const struct prism_sdp *sdp, const char *mid)
{
    if (!sdp || !mid || !mid[0])
        return NULL;
    for (unsigned i = 0; i < sdp->media_count; i++) {
        if (strcmp(sdp->media[i].mid, mid) == 0)
            return &sdp->media[i];
    }
    return NULL;
}

bool prism_sdp_media_is_rejected(const struct prism_sdp_media *media)
{
    return media->port == 0 && !media->bundle_only;
}

bool prism_sdp_bundle_contains(const struct prism_sdp *sdp, const char *mid)
{
    for (uint8_t g = 0; g < sdp->group_count && g < PRISM_SDP_MAX_GROUPS; g++) {
        const struct prism_sdp_group *group = &sdp->groups[g];
        if (strcmp(group->semantics, "BUNDLE") != 0)
            continue;
        for (unsigned i = 0; i < group->count && i < PRISM_SDP_MAX_MEDIA; i++) {
            if (strcmp(group->mids[i], mid) == 0)
                return true;
        }
    }
    return false;
}

const struct prism_sdp_transport *prism_sdp_media_transport(const struct prism_sdp *sdp,
                                                            const struct prism_sdp_media *media)
{
    if (media->transport.ice_ufrag[0])
        return &media->transport;
    for (uint8_t g = 0; g < sdp->group_count && g < PRISM_SDP_MAX_GROUPS; g++) {
        const struct prism_sdp_group *group = &sdp->groups[g];
        if (strcmp(group->semantics, "BUNDLE") != 0 || group->count == 0 ||
            !prism_sdp_bundle_contains(sdp, media->mid))
            continue;
        const struct prism_sdp_media *tagged = prism_sdp_find_media(sdp, group->mids[0]);
        if (tagged)
            return &tagged->transport;
    }
    return &media->transport;
}

const struct prism_sdp_codec *prism_sdp_media_primary_codec(const struct prism_sdp_media *media)
{
    for (uint8_t i = 0; i < media->codec_count && i < PRISM_SDP_MAX_CODECS; i++) {
        if (sdp_codec_is_media(&media->codecs[i]))
            return &media->codecs[i];
    }
    return NULL;
}

const struct prism_sdp_codec *prism_sdp_media_codec(const struct prism_sdp_media *media, uint8_t pt)
{
    for (uint8_t i = 0; i < media->codec_count && i < PRISM_SDP_MAX_CODECS; i++) {
        if (media->codecs[i].pt == pt)
            return &media->codecs[i];
    }
    return NULL;
}

const struct prism_sdp_codec *prism_sdp_media_rtx_for(const struct prism_sdp_media *media,
                                                      uint8_t pt)
{
    for (uint8_t i = 0; i < media->codec_count && i < PRISM_SDP_MAX_CODECS; i++) {
        if (prism_sdp_codec_apt(&media->codecs[i]) == pt)
            return &media->codecs[i];
    }
    return NULL;
}

uint8_t prism_sdp_media_extmap_id(const struct prism_sdp_media *media, const char *uri)
{
    for (uint8_t i = 0; uri && i < media->extmap_count && i < PRISM_SDP_MAX_EXTMAPS; i++) {
        if (strcmp(media->extmaps[i].uri, uri) == 0)
            return media->extmaps[i].id;
    }
    return 0;
}

uint32_t prism_sdp_media_rtx_ssrc(const struct prism_sdp_media *media, uint32_t ssrc)
{
    for (uint8_t i = 0; i < media->ssrc_group_count && i < PRISM_SDP_MAX_SSRC_GROUPS; i++) {
        const struct prism_sdp_ssrc_group *g = &media->ssrc_groups[i];
        if (strcmp(g->semantics, "FID") == 0 && g->count >= 2 && g->ssrcs[0] == ssrc)
            return g->ssrcs[1];
    }
    return 0;
}
