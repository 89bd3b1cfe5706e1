/* One RTP forwarder, sans-IO: made from a checked request, it turns a publisher's decrypted
 * packet into what goes on the wire (SSRC and payload type rewritten when asked, SRTP when
 * keyed) and describes itself as Janus does. Sockets are forwarders.c's. */
#include "plugins/videoroom/forwarder.h"

#include "media/rtcp/rtcp.h"
#include "media/rtp/header.h"
#include "media/srtp/srtp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int make_srtp(const struct vr_forward_request *request, struct prism_srtp **out)
{
    struct prism_srtp_keys keys = {
        .profile = request->srtp_suite == 32 ? PRISM_SRTP_AES128_CM_SHA1_32
                                             : PRISM_SRTP_AES128_CM_SHA1_80,
        .key_len = 16,
        .salt_len = 14,
    };
    /* One key for both directions: the recipient's RTCP (if any) is keyed the same way. */
    memcpy(keys.local_key, request->srtp_crypto, 16);
    memcpy(keys.local_salt, request->srtp_crypto + 16, 14);
    memcpy(keys.remote_key, keys.local_key, 16);
    memcpy(keys.remote_salt, keys.local_salt, 14);
    int rc = prism_srtp_new(out, &keys, NULL);
    explicit_bzero(&keys, sizeof(keys));
    return rc < 0 ? (rc == -ENOMEM ? -ENOMEM : -EIO) : 0;
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
    forwarder->fd = -1;
    if (request->srtp_suite && kind != PRISM_SDP_MEDIA_APPLICATION) {
        int rc = make_srtp(request, &forwarder->srtp);
        if (rc < 0) {
            free(forwarder);
            return rc;
        }
        forwarder->srtp_suite = request->srtp_suite;
    }
    *out = forwarder;
    return 0;
}

void vr_forwarder_free(struct vr_forwarder *forwarder)
{
    if (!forwarder)
        return;
    prism_srtp_free(forwarder->srtp);
    free(forwarder);
}

int vr_forwarder_rewrite(struct vr_forwarder *forwarder, const uint8_t *packet, size_t len,
                         uint8_t *out, size_t cap, size_t *out_len)
{
    if (len < 12)
        return -EBADMSG;
    size_t tag = forwarder->srtp ? prism_srtp_rtp_overhead(forwarder->srtp) : 0;
    if (cap < len || cap - len < tag)
        return -EMSGSIZE;
    memcpy(out, packet, len);
    if (forwarder->target.ssrc)
        prism_rtp_set_ssrc(out, forwarder->target.ssrc);
    if (forwarder->target.has_pt)
        prism_rtp_set_payload_type(out, forwarder->target.pt);
    if (!forwarder->srtp) {
        *out_len = len;
        return 0;
    }
    return prism_srtp_protect_rtp(forwarder->srtp, out, len, cap, out_len) == PRISM_SRTP_OK ? 0
                                                                                            : -EIO;
}

int vr_forwarder_hello_rtcp(struct vr_forwarder *forwarder, uint8_t *out, size_t cap)
{
    int len = prism_rtcp_build_rr(out, cap, forwarder->target.ssrc ? forwarder->target.ssrc : 1,
                                  NULL, 0);
    if (len < 0 || !forwarder->srtp)
        return len;
    size_t protected_len = 0;
    if (prism_srtp_protect_rtcp(forwarder->srtp, out, (size_t)len, cap, &protected_len) !=
        PRISM_SRTP_OK)
        return -EIO;
    return (int)protected_len;
}

bool vr_forwarder_rtcp_wants_keyframe(struct vr_forwarder *forwarder, uint8_t *packet, size_t len)
{
    if (forwarder->srtp &&
        prism_srtp_unprotect_rtcp(forwarder->srtp, packet, len, &len) != PRISM_SRTP_OK)
        return false;
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet rtcp;
    prism_rtcp_iter_init(&it, packet, len);
    while (prism_rtcp_next(&it, &rtcp) == 1) {
        /* Payload-specific feedback, FMT 1 = PLI and 4 = FIR (RFC 4585, RFC 5104). */
        if (rtcp.type == PRISM_RTCP_PSFB && (rtcp.count == 1 || rtcp.count == 4))
            return true;
    }
    return false;
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
        json_object_set_new(summary, "local_rtcp_port", json_integer(forwarder->local_rtcp_port));
        json_object_set_new(summary, "remote_rtcp_port", json_integer(forwarder->target.rtcp_port));
    }
    if (forwarder->target.ssrc)
        json_object_set_new(summary, "ssrc", json_integer(forwarder->target.ssrc));
    if (forwarder->target.has_pt)
        json_object_set_new(summary, "pt", json_integer(forwarder->target.pt));
    if (forwarder->kind != PRISM_SDP_MEDIA_APPLICATION)
        json_object_set_new(summary, "srtp", json_boolean(forwarder->srtp != NULL));
    return summary;
}
