/* Fuzzes SRTP/SRTCP unprotect with arbitrary packets on sessions with fixed
 * keys, and checks that whatever protect accepts, unprotect restores.
 * Input: one byte choosing the profile and RTP or RTCP, then the packet. */
#include "media/srtp/srtp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PACKET 2048

static const enum prism_srtp_profile profiles[] = {
    PRISM_SRTP_AEAD_AES_128_GCM,
    PRISM_SRTP_AEAD_AES_256_GCM,
    PRISM_SRTP_AES128_CM_SHA1_80,
};

/* Fixed keys: byte i of the sender's key is i + 1, of its salt 0x40 + i; the
 * receiver's remote keys are the sender's local keys. */
static void make_pair(enum prism_srtp_profile profile, struct prism_srtp **sender,
                      struct prism_srtp **receiver)
{
    struct prism_srtp_keys keys = {.profile = profile};
    if (prism_srtp_profile_lengths(profile, &keys.key_len, &keys.salt_len) < 0)
        abort();
    for (size_t i = 0; i < PRISM_SRTP_MAX_KEY_LEN; i++)
        keys.local_key[i] = keys.remote_key[i] = (uint8_t)(i + 1);
    for (size_t i = 0; i < PRISM_SRTP_MAX_SALT_LEN; i++)
        keys.local_salt[i] = keys.remote_salt[i] = (uint8_t)(0x40 + i);
    if (prism_srtp_new(sender, &keys, NULL) < 0 || prism_srtp_new(receiver, &keys, NULL) < 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > MAX_PACKET)
        return 0;
    enum prism_srtp_profile profile = profiles[(data[0] & 0x7f) % 3];
    int rtcp = data[0] & 0x80;
    const uint8_t *packet = data + 1;
    size_t len = size - 1, out;
    struct prism_srtp *sender, *receiver;
    make_pair(profile, &sender, &receiver);

    /* Exactly sized copies so ASan sees any read or write past the packet. */
    uint8_t *buf = malloc(len ? len : 1);
    memcpy(buf, packet, len);
    if (rtcp)
        prism_srtp_unprotect_rtcp(receiver, buf, len, &out);
    else
        prism_srtp_unprotect_rtp(receiver, buf, len, &out);
    free(buf);

    size_t room = len + (rtcp ? PRISM_SRTP_MAX_RTCP_OVERHEAD : PRISM_SRTP_MAX_RTP_OVERHEAD);
    buf = malloc(room);
    memcpy(buf, packet, len);
    enum prism_srtp_status status = rtcp ? prism_srtp_protect_rtcp(sender, buf, len, room, &out)
                                         : prism_srtp_protect_rtp(sender, buf, len, room, &out);
    if (status == PRISM_SRTP_OK) {
        size_t plain_len = 0;
        status = rtcp ? prism_srtp_unprotect_rtcp(receiver, buf, out, &plain_len)
                      : prism_srtp_unprotect_rtp(receiver, buf, out, &plain_len);
        /* The first unprotect may have claimed this SSRC and index (a replay);
         * anything else must round-trip exactly. */
        if (status != PRISM_SRTP_ERR_REPLAY &&
            (status != PRISM_SRTP_OK || plain_len != len || memcmp(buf, packet, len) != 0))
            abort();
    }
    free(buf);
    prism_srtp_free(sender);
    prism_srtp_free(receiver);
    return 0;
}
