/* SRTP session pair over libsrtp2: policy setup from DTLS-SRTP keys, in-place
 * protect/unprotect with explicit headroom checks, status mapping. */
#include "media/srtp/internal.h"

#include "core/log.h"
#include "media/bytes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define RTP_HEADER_LEN 12
#define RTCP_HEADER_LEN 8
#define SRTCP_INDEX_LEN 4

/* The two libsrtp sessions of one transport. Owned by the transport's worker;
 * no field is shared with another thread. */
struct prism_srtp {
    struct srtp_shards outbound; /* ssrc_any_outbound templates: protect (internal.h) */
    srtp_t inbound;              /* ssrc_any_inbound template: unprotect, replay-checked */
    size_t rtp_tag_len;
    size_t rtcp_tag_len; /* differs with AES_CM_128_HMAC_SHA1_32, whose SRTCP keeps 80 bits */
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result = -EIO;

/* libsrtp reports rare conditions (key usage limits, internal errors); send
 * them to our log instead of its default stderr printer. */
static void log_handler(srtp_log_level_t level, const char *msg, void *data)
{
    if (level == srtp_log_level_error)
        prism_error("srtp", "libsrtp: %s", msg);
    else if (level == srtp_log_level_warning)
        prism_warn("srtp", "libsrtp: %s", msg);
    else
        prism_debug("srtp", "libsrtp: %s", msg);
}

static void init_library(void)
{
    srtp_install_log_handler(log_handler, NULL);
    init_result = srtp_init() == srtp_err_status_ok ? 0 : -EIO;
}

int prism_srtp_init(void)
{
    pthread_once(&init_once, init_library);
    return init_result;
}

int prism_srtp_profile_lengths(enum prism_srtp_profile profile, size_t *key_len, size_t *salt_len)
{
    switch (profile) {
    case PRISM_SRTP_AES128_CM_SHA1_80:
    case PRISM_SRTP_AES128_CM_SHA1_32:
        *key_len = SRTP_AES_128_KEY_LEN;
        *salt_len = SRTP_SALT_LEN;
        return 0;
    case PRISM_SRTP_AEAD_AES_128_GCM:
        *key_len = SRTP_AES_128_KEY_LEN;
        *salt_len = SRTP_AEAD_SALT_LEN;
        return 0;
    case PRISM_SRTP_AEAD_AES_256_GCM:
        *key_len = SRTP_AES_256_KEY_LEN;
        *salt_len = SRTP_AEAD_SALT_LEN;
        return 0;
    }
    return -ENOTSUP;
}

const char *prism_srtp_profile_name(enum prism_srtp_profile profile)
{
    switch (profile) {
    case PRISM_SRTP_AES128_CM_SHA1_80:
        return "SRTP_AES128_CM_SHA1_80";
    case PRISM_SRTP_AES128_CM_SHA1_32:
        return "SRTP_AES128_CM_SHA1_32";
    case PRISM_SRTP_AEAD_AES_128_GCM:
        return "SRTP_AEAD_AES_128_GCM";
    case PRISM_SRTP_AEAD_AES_256_GCM:
        return "SRTP_AEAD_AES_256_GCM";
    }
    return NULL;
}

const char *prism_srtp_status_name(enum prism_srtp_status status)
{
    switch (status) {
    case PRISM_SRTP_OK:
        return "ok";
    case PRISM_SRTP_ERR_MALFORMED:
        return "malformed";
    case PRISM_SRTP_ERR_NO_ROOM:
        return "no room for trailer";
    case PRISM_SRTP_ERR_AUTH:
        return "authentication failed";
    case PRISM_SRTP_ERR_REPLAY:
        return "replayed";
    case PRISM_SRTP_ERR_FAILED:
        return "failed";
    }
    return "unknown";
}

/* Fills the crypto policies of a profile; returns the RTP tag length. */
static size_t set_crypto_policy(srtp_policy_t *policy, enum prism_srtp_profile profile)
{
    switch (profile) {
    case PRISM_SRTP_AEAD_AES_128_GCM:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtcp);
        return 16;
    case PRISM_SRTP_AEAD_AES_256_GCM:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy->rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy->rtcp);
        return 16;
    case PRISM_SRTP_AES128_CM_SHA1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
        return 10;
    case PRISM_SRTP_AES128_CM_SHA1_32:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy->rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
        return 4;
    }
    return 0;
}

/* One session keyed with key || salt (the layout libsrtp expects). */
int srtp_session_create(srtp_t *out, const struct prism_srtp_keys *keys, bool outbound,
                        unsigned window)
{
    uint8_t master[PRISM_SRTP_MAX_KEY_LEN + PRISM_SRTP_MAX_SALT_LEN];
    srtp_policy_t policy;
    memset(&policy, 0, sizeof(policy));
    set_crypto_policy(&policy, keys->profile);
    memcpy(master, outbound ? keys->local_key : keys->remote_key, keys->key_len);
    memcpy(master + keys->key_len, outbound ? keys->local_salt : keys->remote_salt, keys->salt_len);
    policy.key = master;
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.window_size = window;
    /* NACK answered without RTX resends the very same packet (same sequence
     * number, same payload), which libsrtp refuses unless told otherwise. */
    policy.allow_repeat_tx = outbound ? 1 : 0;

    srtp_err_status_t status = srtp_create(out, &policy);
    explicit_bzero(master, sizeof(master));
    if (status == srtp_err_status_ok)
        return 0;
    if (status == srtp_err_status_alloc_fail)
        return -ENOMEM;
    /* bad_param / cipher_fail here means the cipher is missing from this
     * libsrtp build (e.g. GCM without a crypto backend). */
    return status == srtp_err_status_init_fail ? -EIO : -ENOTSUP;
}

static int check_keys(const struct prism_srtp_keys *keys, const struct prism_srtp_config *config)
{
    size_t key_len, salt_len;
    if (prism_srtp_profile_lengths(keys->profile, &key_len, &salt_len) < 0)
        return -ENOTSUP;
    if (keys->key_len != key_len || keys->salt_len != salt_len)
        return -EINVAL;
    if (config && config->replay_window != 0 &&
        (config->replay_window < 64 || config->replay_window > 32767))
        return -EINVAL;
    return 0;
}

int prism_srtp_new(struct prism_srtp **out, const struct prism_srtp_keys *keys,
                   const struct prism_srtp_config *config)
{
    if (!out || !keys)
        return -EINVAL;
    int rc = check_keys(keys, config);
    if (rc < 0)
        return rc;
    rc = prism_srtp_init();
    if (rc < 0)
        return rc;

    struct prism_srtp *srtp = calloc(1, sizeof(*srtp));
    if (!srtp)
        return -ENOMEM;
    unsigned window = config ? config->replay_window : 0;
    rc = srtp_shards_init(&srtp->outbound, keys, window);
    if (rc < 0)
        goto out;
    rc = srtp_session_create(&srtp->inbound, keys, false, window);
    if (rc < 0)
        goto out;
    srtp->rtp_tag_len = set_crypto_policy(&(srtp_policy_t){0}, keys->profile);
    srtp->rtcp_tag_len = keys->profile == PRISM_SRTP_AES128_CM_SHA1_32 ? 10 : srtp->rtp_tag_len;
    *out = srtp;
    return 0;

out:
    prism_srtp_free(srtp);
    return rc;
}

void prism_srtp_free(struct prism_srtp *srtp)
{
    if (!srtp)
        return;
    /* libsrtp zeroes the cipher contexts (the session keys) as it frees them. */
    srtp_shards_clear(&srtp->outbound);
    if (srtp->inbound)
        srtp_dealloc(srtp->inbound);
    free(srtp);
}

size_t prism_srtp_rtp_overhead(const struct prism_srtp *srtp)
{
    return srtp->rtp_tag_len;
}

size_t prism_srtp_rtcp_overhead(const struct prism_srtp *srtp)
{
    return srtp->rtcp_tag_len + SRTCP_INDEX_LEN;
}

static enum prism_srtp_status map_status(srtp_err_status_t status)
{
    switch (status) {
    case srtp_err_status_ok:
        return PRISM_SRTP_OK;
    case srtp_err_status_auth_fail:
        return PRISM_SRTP_ERR_AUTH;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        return PRISM_SRTP_ERR_REPLAY;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
        return PRISM_SRTP_ERR_MALFORMED;
    default:
        return PRISM_SRTP_ERR_FAILED;
    }
}

/* Shared length checks: the fixed header is present and the length fits an
 * int once the trailer is added (libsrtp counts in int). */
static bool length_ok(const uint8_t *packet, size_t len, size_t min_len)
{
    return packet && len >= min_len && len <= INT_MAX - PRISM_SRTP_MAX_RTCP_OVERHEAD &&
           (packet[0] >> 6) == 2;
}

enum prism_srtp_status prism_srtp_protect_rtp(struct prism_srtp *srtp, uint8_t *packet, size_t len,
                                              size_t cap, size_t *out_len)
{
    if (!length_ok(packet, len, RTP_HEADER_LEN))
        return PRISM_SRTP_ERR_MALFORMED;
    if (cap < len || cap - len < prism_srtp_rtp_overhead(srtp))
        return PRISM_SRTP_ERR_NO_ROOM;
    srtp_t session = srtp_shards_session(&srtp->outbound, prism_read_be32(packet + 8));
    if (!session)
        return PRISM_SRTP_ERR_FAILED;
    int n = (int)len;
    enum prism_srtp_status status = map_status(srtp_protect(session, packet, &n));
    if (status == PRISM_SRTP_OK)
        *out_len = (size_t)n;
    return status;
}

enum prism_srtp_status prism_srtp_unprotect_rtp(struct prism_srtp *srtp, uint8_t *packet,
                                                size_t len, size_t *out_len)
{
    if (!length_ok(packet, len, RTP_HEADER_LEN + srtp->rtp_tag_len))
        return PRISM_SRTP_ERR_MALFORMED;
    int n = (int)len;
    enum prism_srtp_status status = map_status(srtp_unprotect(srtp->inbound, packet, &n));
    if (status == PRISM_SRTP_OK)
        *out_len = (size_t)n;
    return status;
}

enum prism_srtp_status prism_srtp_protect_rtcp(struct prism_srtp *srtp, uint8_t *packet, size_t len,
                                               size_t cap, size_t *out_len)
{
    if (!length_ok(packet, len, RTCP_HEADER_LEN))
        return PRISM_SRTP_ERR_MALFORMED;
    if (cap < len || cap - len < prism_srtp_rtcp_overhead(srtp))
        return PRISM_SRTP_ERR_NO_ROOM;
    srtp_t session = srtp_shards_session(&srtp->outbound, prism_read_be32(packet + 4));
    if (!session)
        return PRISM_SRTP_ERR_FAILED;
    int n = (int)len;
    enum prism_srtp_status status = map_status(srtp_protect_rtcp(session, packet, &n));
    if (status == PRISM_SRTP_OK)
        *out_len = (size_t)n;
    return status;
}

enum prism_srtp_status prism_srtp_unprotect_rtcp(struct prism_srtp *srtp, uint8_t *packet,
                                                 size_t len, size_t *out_len)
{
    if (!length_ok(packet, len, RTCP_HEADER_LEN + prism_srtp_rtcp_overhead(srtp)))
        return PRISM_SRTP_ERR_MALFORMED;
    int n = (int)len;
    enum prism_srtp_status status = map_status(srtp_unprotect_rtcp(srtp->inbound, packet, &n));
    if (status == PRISM_SRTP_OK)
        *out_len = (size_t)n;
    return status;
}

int prism_srtp_remove_inbound_ssrc(struct prism_srtp *srtp, uint32_t ssrc)
{
    /* libsrtp wants the SSRC as it appears on the wire. */
    return srtp_remove_stream(srtp->inbound, htonl(ssrc)) == srtp_err_status_ok ? 0 : -ENOENT;
}

int prism_srtp_remove_outbound_ssrc(struct prism_srtp *srtp, uint32_t ssrc)
{
    return srtp_shards_remove(&srtp->outbound, ssrc);
}
