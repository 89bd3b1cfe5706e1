/* Matching a viewer's own offer to a mountpoint's streams (see offer_match.h). */
#include "plugins/streaming/offer_match.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

/* The profile the answerer must keep for a stream's codec, from the mountpoint's fmtp: H.264
 * profile-level-id, VP9 profile-id; "" when the mountpoint does not say. */
static void stream_profile(const struct st_stream_spec *spec, char *profile, size_t size)
{
    const char *key = spec->codec.id == PRISM_SDP_CODEC_H264  ? "profile-level-id"
                      : spec->codec.id == PRISM_SDP_CODEC_VP9 ? "profile-id"
                                                              : NULL;
    profile[0] = '\0';
    if (!key || !prism_sdp_fmtp_get(spec->codec.fmtp, key, profile, size))
        profile[0] = '\0';
}

static bool offers_codec(const struct prism_sdp_media *media, const struct st_stream_spec *spec,
                         const char *profile)
{
    for (uint8_t i = 0; i < media->codec_count; i++) {
        const struct prism_sdp_codec *codec = &media->codecs[i];
        if (codec->id != spec->codec.id)
            continue;
        if (!profile[0])
            return true;
        char offered[ST_OFFER_PROFILE_LEN + 1], answer[7];
        if (spec->codec.id == PRISM_SDP_CODEC_VP9) {
            if (!prism_sdp_fmtp_get(codec->fmtp, "profile-id", offered, sizeof(offered)))
                g_strlcpy(offered, "0", sizeof(offered)); /* profile 0 when unsaid */
            if (strcmp(offered, profile) == 0)
                return true;
        } else if (prism_sdp_fmtp_get(codec->fmtp, "profile-level-id", offered, sizeof(offered)) &&
                   prism_sdp_h264_profile_match(offered, profile, answer)) {
            return true;
        }
    }
    return false;
}

static bool we_may_send(const struct prism_sdp_media *media)
{
    return (media->kind == PRISM_SDP_MEDIA_AUDIO || media->kind == PRISM_SDP_MEDIA_VIDEO) &&
           !prism_sdp_media_is_rejected(media) &&
           (media->direction == PRISM_SDP_RECVONLY || media->direction == PRISM_SDP_SENDRECV);
}

int st_offer_match(const struct prism_sdp *offer, const struct st_stream_spec *specs,
                   unsigned spec_count, struct st_offer_match *out, char *reason,
                   size_t reason_size)
{
    memset(out, 0, sizeof(*out));
    bool taken[ST_MAX_STREAMS] = {false};
    int matched = 0;
    out->media_count = offer ? offer->media_count : 0;
    if (out->media_count > PRISM_SDP_MAX_MEDIA)
        out->media_count = PRISM_SDP_MAX_MEDIA;
    if (spec_count > ST_MAX_STREAMS)
        spec_count = ST_MAX_STREAMS;
    for (unsigned m = 0; m < out->media_count; m++) {
        const struct prism_sdp_media *media = &offer->media[m];
        out->stream[m] = -1;
        out->codecs[m] = (struct prism_sdp_codec_pref){PRISM_SDP_CODEC_UNKNOWN, NULL};
        if (!we_may_send(media))
            continue;
        for (unsigned s = 0; s < spec_count; s++) {
            char profile[ST_OFFER_PROFILE_LEN + 1];
            stream_profile(&specs[s], profile, sizeof(profile));
            if (taken[s] || specs[s].kind != media->kind ||
                !offers_codec(media, &specs[s], profile))
                continue;
            taken[s] = true;
            out->stream[m] = (int)s;
            g_strlcpy(out->profiles[m], profile, sizeof(out->profiles[m]));
            out->codecs[m] = (struct prism_sdp_codec_pref){specs[s].codec.id,
                                                           profile[0] ? out->profiles[m] : NULL};
            matched++;
            break;
        }
    }
    if (matched == 0) {
        snprintf(reason, reason_size,
                 "The offer has no recvonly audio or video m-line with a codec of the "
                 "mountpoint's streams");
        return -EINVAL;
    }
    return matched;
}
