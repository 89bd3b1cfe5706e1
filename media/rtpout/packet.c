/* RTP out, sans-IO: the sender's state, the packets it writes (SSRC and payload type
 * rewritten, SRTP with the configured key) and the RTCP it reads back. */
#include "media/rtpout/rtpout.h"

#include "media/rtcp/rtcp.h"
#include "media/rtp/header.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* One key for both directions: the recipient's SRTCP is keyed the same way. */
static int make_srtp(const struct prism_rtpout_config *config, struct prism_srtp **out)
{
    struct prism_srtp_keys keys = {.profile = config->srtp_profile, .key_len = 16, .salt_len = 14};
    memcpy(keys.local_key, config->srtp_key, 16);
    memcpy(keys.local_salt, config->srtp_salt, 14);
    memcpy(keys.remote_key, config->srtp_key, 16);
    memcpy(keys.remote_salt, config->srtp_salt, 14);
    int rc = prism_srtp_new(out, &keys, NULL);
    explicit_bzero(&keys, sizeof(keys));
    return rc == 0 || rc == -ENOMEM ? rc : -EIO;
}

static bool config_valid(const struct prism_rtpout_config *config)
{
    bool family_ok = config->ip.family == AF_INET || config->ip.family == AF_INET6;
    bool profile_ok = config->srtp_profile == 0 ||
                      config->srtp_profile == PRISM_SRTP_AES128_CM_SHA1_80 ||
                      config->srtp_profile == PRISM_SRTP_AES128_CM_SHA1_32;
    return family_ok && profile_ok && config->port && config->payload_type <= 127;
}

int prism_rtpout_new(const struct prism_rtpout_config *config, struct prism_rtpout **out)
{
    if (!config || !out || !config_valid(config))
        return -EINVAL;
    struct prism_rtpout *sender = calloc(1, sizeof(*sender));
    if (!sender)
        return -ENOMEM;
    sender->ip = config->ip;
    sender->port = config->port;
    sender->rtcp_port = config->rtcp_port;
    sender->ssrc = config->ssrc;
    sender->set_payload_type = config->set_payload_type;
    sender->payload_type = config->payload_type;
    sender->fd = -1;
    if (config->srtp_profile) {
        int rc = make_srtp(config, &sender->srtp);
        if (rc < 0) {
            free(sender);
            return rc;
        }
    }
    *out = sender;
    return 0;
}

int prism_rtpout_rewrite(struct prism_rtpout *sender, const uint8_t *packet, size_t len,
                         uint8_t *out, size_t cap, size_t *out_len)
{
    if (len < 12)
        return -EBADMSG;
    size_t tag = sender->srtp ? prism_srtp_rtp_overhead(sender->srtp) : 0;
    if (cap < len || cap - len < tag)
        return -EMSGSIZE;
    memcpy(out, packet, len);
    if (sender->ssrc)
        prism_rtp_set_ssrc(out, sender->ssrc);
    if (sender->set_payload_type)
        prism_rtp_set_payload_type(out, sender->payload_type);
    if (!sender->srtp) {
        *out_len = len;
        return 0;
    }
    return prism_srtp_protect_rtp(sender->srtp, out, len, cap, out_len) == PRISM_SRTP_OK ? 0 : -EIO;
}

int prism_rtpout_hello_rtcp(struct prism_rtpout *sender, uint8_t *out, size_t cap)
{
    int len = prism_rtcp_build_rr(out, cap, sender->ssrc ? sender->ssrc : 1, NULL, 0);
    if (len < 0 || !sender->srtp)
        return len;
    size_t protected_len = 0;
    if (prism_srtp_protect_rtcp(sender->srtp, out, (size_t)len, cap, &protected_len) !=
        PRISM_SRTP_OK)
        return -EIO;
    return (int)protected_len;
}

bool prism_rtpout_rtcp_wants_keyframe(struct prism_rtpout *sender, uint8_t *packet, size_t len)
{
    if (sender->srtp && prism_srtp_unprotect_rtcp(sender->srtp, packet, len, &len) != PRISM_SRTP_OK)
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
