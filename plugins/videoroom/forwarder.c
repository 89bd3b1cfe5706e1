/* One VideoRoom RTP forwarder, sans-IO: made from a checked request (its sender configured
 * from the target and the SRTP key) and described as Janus describes it. */
#include "plugins/videoroom/forwarder.h"

#include "media/rtp/codec.h"
#include "media/rtp/header.h"
#include "media/rtpout/rtpout.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void sender_config(const struct vr_forward_request *request,
                          const struct vr_forward_target *target, bool keyed,
                          struct prism_rtpout_config *config)
{
    *config = (struct prism_rtpout_config){
        .ip = target->ip,
        .port = target->port,
        .rtcp_port = target->rtcp_port,
        .ssrc = target->ssrc,
        .set_payload_type = target->has_pt,
        .payload_type = target->pt,
    };
    if (!keyed)
        return;
    config->srtp_profile = request->srtp_suite == 32 ? PRISM_SRTP_AES128_CM_SHA1_32
                                                     : PRISM_SRTP_AES128_CM_SHA1_80;
    memcpy(config->srtp_key, request->srtp_crypto, 16);
    memcpy(config->srtp_salt, request->srtp_crypto + 16, 14);
}

int vr_forwarder_new(const struct vr_forward_request *request,
                     const struct vr_forward_target *target, enum prism_sdp_media_kind kind,
                     unsigned media_index, uint32_t id, struct vr_forwarder **out)
{
    if (!request || !target || !out || !id)
        return -EINVAL;
    struct vr_forwarder *forwarder = calloc(1, sizeof(*forwarder));
    if (!forwarder)
        return -ENOMEM;
    forwarder->id = id;
    forwarder->kind = kind;
    forwarder->media_index = media_index;
    forwarder->target = *target;
    struct prism_rtpout_config config;
    sender_config(request, target, request->srtp_suite && kind != PRISM_SDP_MEDIA_APPLICATION,
                  &config);
    int rc = prism_rtpout_new(&config, &forwarder->out);
    explicit_bzero(&config, sizeof(config));
    if (rc < 0) {
        free(forwarder);
        return rc;
    }
    *out = forwarder;
    return 0;
}

void vr_forwarder_free(struct vr_forwarder *forwarder)
{
    if (!forwarder)
        return;
    prism_rtpout_free(forwarder->out);
    free(forwarder);
}

void vr_forwarder_keyframe_asked(struct vr_forwarder *forwarder, uint64_t now_us)
{
    forwarder->awaiting_keyframe = forwarder->kind == PRISM_SDP_MEDIA_VIDEO;
    forwarder->keyframe_asked_us = now_us;
}

/* AV1 aggregation header: N starts a coded video sequence, i.e. a keyframe. */
#define AV1_AGGREGATION_N 0x08

/* True for the first packet of a keyframe; a codec Prism cannot look into counts as one, so
 * that nobody is asked for keyframes forever. */
static bool starts_keyframe(enum prism_sdp_codec_id codec, const struct prism_rtp_header *header)
{
    struct prism_rtp_vp8 vp8;
    struct prism_rtp_vp9 vp9;
    if (!header->payload_len)
        return false;
    switch (codec) {
    case PRISM_SDP_CODEC_VP8:
        return prism_rtp_vp8_parse(header->payload, header->payload_len, &vp8) == 0 && vp8.keyframe;
    case PRISM_SDP_CODEC_VP9:
        return prism_rtp_vp9_parse(header->payload, header->payload_len, &vp9) == 0 && vp9.keyframe;
    case PRISM_SDP_CODEC_H264:
        return prism_rtp_h264_is_keyframe(header->payload, header->payload_len);
    case PRISM_SDP_CODEC_AV1:
        return (header->payload[0] & AV1_AGGREGATION_N) != 0;
    default:
        return true;
    }
}

bool vr_forwarder_keyframe_due(struct vr_forwarder *forwarder, enum prism_sdp_codec_id codec,
                               const struct prism_rtp_header *header, uint64_t now_us)
{
    if (!forwarder->awaiting_keyframe)
        return false;
    if (starts_keyframe(codec, header)) {
        forwarder->awaiting_keyframe = false;
        return false;
    }
    if (now_us - forwarder->keyframe_asked_us < VR_FORWARD_KEYFRAME_RETRY_US)
        return false;
    forwarder->keyframe_asked_us = now_us;
    return true;
}

static const char *kind_name(enum prism_sdp_media_kind kind)
{
    return kind == PRISM_SDP_MEDIA_AUDIO   ? "audio"
           : kind == PRISM_SDP_MEDIA_VIDEO ? "video"
                                           : "data";
}

json_t *vr_forwarder_summary(const struct vr_forwarder *forwarder)
{
    char host[64];
    prism_ip_format(&forwarder->target.ip, host, sizeof(host));
    json_t *summary = json_pack("{s:I, s:s, s:s, s:s, s:i}", "stream_id", (json_int_t)forwarder->id,
                                "type", kind_name(forwarder->kind), "mid", forwarder->target.mid,
                                "host", host, "port", (int)forwarder->target.port);
    if (forwarder->target.rtcp_port) {
        json_object_set_new(summary, "local_rtcp_port",
                            json_integer(forwarder->out->local_rtcp_port));
        json_object_set_new(summary, "remote_rtcp_port", json_integer(forwarder->target.rtcp_port));
    }
    if (forwarder->target.ssrc)
        json_object_set_new(summary, "ssrc", json_integer(forwarder->target.ssrc));
    if (forwarder->target.has_pt)
        json_object_set_new(summary, "pt", json_integer(forwarder->target.pt));
    if (forwarder->kind != PRISM_SDP_MEDIA_APPLICATION)
        json_object_set_new(summary, "srtp", json_boolean(forwarder->out->srtp != NULL));
    return summary;
}
