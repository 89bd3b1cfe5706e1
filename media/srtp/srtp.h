/* SRTP and SRTCP protection with libsrtp2, keyed by DTLS-SRTP (RFC 5764):
 * one transport owns a pair of libsrtp sessions, outbound and inbound. */
#ifndef PRISM_MEDIA_SRTP_SRTP_H
#define PRISM_MEDIA_SRTP_SRTP_H

#include <stddef.h>
#include <stdint.h>

/* DTLS-SRTP protection profiles; the values are the IANA identifiers carried
 * in the use_srtp extension (RFC 5764 section 4.1.2, RFC 7714 section 14.2). */
enum prism_srtp_profile {
    PRISM_SRTP_AES128_CM_SHA1_80 = 0x0001,
    /* Not offered in DTLS-SRTP by Prism: for SDES-keyed links (VideoRoom RTP forwarders,
     * "srtp_suite": 32). Its SRTCP tag stays 80 bits (RFC 3711 section 5.2). */
    PRISM_SRTP_AES128_CM_SHA1_32 = 0x0002,
    PRISM_SRTP_AEAD_AES_128_GCM = 0x0007,
    PRISM_SRTP_AEAD_AES_256_GCM = 0x0008,
};

#define PRISM_SRTP_MAX_KEY_LEN 32
#define PRISM_SRTP_MAX_SALT_LEN 14

/* Bytes protect may append, whatever the profile: the RTP tag is 16 bytes with
 * GCM and 10 with HMAC-SHA1-80; SRTCP adds the 4-byte E flag + index to the
 * tag. A buffer handed to protect needs this much room after the packet
 * (prism_srtp_rtp_overhead() gives the exact figure for one session). */
#define PRISM_SRTP_MAX_RTP_OVERHEAD 16
#define PRISM_SRTP_MAX_RTCP_OVERHEAD 20

/* Master keys and salts of one DTLS-SRTP association, already split by
 * direction: "local" protects what this side sends, "remote" unprotects what
 * it receives. Plain data, copied by value; wipe it after use. */
struct prism_srtp_keys {
    enum prism_srtp_profile profile;
    size_t key_len;  /* 16 or 32 */
    size_t salt_len; /* 12 for GCM, 14 for AES-CM */
    uint8_t local_key[PRISM_SRTP_MAX_KEY_LEN];
    uint8_t local_salt[PRISM_SRTP_MAX_SALT_LEN];
    uint8_t remote_key[PRISM_SRTP_MAX_KEY_LEN];
    uint8_t remote_salt[PRISM_SRTP_MAX_SALT_LEN];
};

struct prism_srtp_config {
    /* Inbound replay window in packets, 64 to 32767; 0 keeps libsrtp's default
     * (128). Video with deep reordering or NACK wants more, e.g. 1024. */
    unsigned replay_window;
};

/* Result of protect/unprotect. Errors are returned, never logged, so a flood of
 * bad packets costs nothing but the check; callers count them. */
enum prism_srtp_status {
    PRISM_SRTP_OK = 0,
    PRISM_SRTP_ERR_MALFORMED = -1, /* too short, or header inconsistent with length */
    PRISM_SRTP_ERR_NO_ROOM = -2,   /* protect: buffer lacks room for the trailer */
    PRISM_SRTP_ERR_AUTH = -3,      /* tag check failed: corrupted or forged */
    PRISM_SRTP_ERR_REPLAY = -4,    /* index already seen or older than the window */
    PRISM_SRTP_ERR_FAILED = -5,    /* any other libsrtp failure */
};

/* One transport's SRTP state: an outbound session (template ssrc_any_outbound)
 * and an inbound one (template ssrc_any_inbound), so streams for new SSRCs are
 * created on their first packet. Owned by the transport and used only on its
 * worker thread (libsrtp sessions are not thread-safe). */
struct prism_srtp;

/* Initializes libsrtp once per process. Any thread, any number of times;
 * prism_srtp_new calls it too. Returns 0 or -EIO. */
int prism_srtp_init(void);

/* Key and salt lengths of a profile. Returns 0, or -ENOTSUP for an unknown one. */
int prism_srtp_profile_lengths(enum prism_srtp_profile profile, size_t *key_len, size_t *salt_len);

/* The RFC 5764 / RFC 7714 profile name, e.g. "SRTP_AEAD_AES_128_GCM", or NULL. */
const char *prism_srtp_profile_name(enum prism_srtp_profile profile);

/* Short text for a status, for counters and logs. */
const char *prism_srtp_status_name(enum prism_srtp_status status);

/* Creates the session pair from exported keys. config may be NULL (defaults).
 * Returns 0, -EINVAL (lengths do not match the profile, bad window), -ENOTSUP
 * (profile unknown or not built into libsrtp), -ENOMEM or -EIO. */
int prism_srtp_new(struct prism_srtp **out, const struct prism_srtp_keys *keys,
                   const struct prism_srtp_config *config);

/* Frees both sessions and wipes their keys. NULL is a no-op. */
void prism_srtp_free(struct prism_srtp *srtp);

/* Exact bytes protect appends to an RTP / RTCP packet with this session. */
size_t prism_srtp_rtp_overhead(const struct prism_srtp *srtp);
size_t prism_srtp_rtcp_overhead(const struct prism_srtp *srtp);

/* Encrypts the RTP packet of `len` bytes in place; `cap` is the buffer size,
 * which must leave prism_srtp_rtp_overhead() bytes after the packet. Writes the
 * protected length to *out_len on success. Sending the same sequence number
 * again (a retransmission) is allowed and must carry the same payload. */
enum prism_srtp_status prism_srtp_protect_rtp(struct prism_srtp *srtp, uint8_t *packet, size_t len,
                                              size_t cap, size_t *out_len);

/* Decrypts and authenticates an SRTP packet in place, checking replay; writes
 * the plain RTP length to *out_len on success. On error the buffer content is
 * unspecified. */
enum prism_srtp_status prism_srtp_unprotect_rtp(struct prism_srtp *srtp, uint8_t *packet,
                                                size_t len, size_t *out_len);

/* The same for compound RTCP packets (SRTCP, always encrypted). */
enum prism_srtp_status prism_srtp_protect_rtcp(struct prism_srtp *srtp, uint8_t *packet, size_t len,
                                               size_t cap, size_t *out_len);
enum prism_srtp_status prism_srtp_unprotect_rtcp(struct prism_srtp *srtp, uint8_t *packet,
                                                 size_t len, size_t *out_len);

/* Drops the per-SSRC state (rollover counter, replay window) of a stream that
 * went away, received (inbound) or sent (outbound). A later packet with the
 * same SSRC starts a fresh stream. Returns 0 or -ENOENT if it was never seen. */
int prism_srtp_remove_inbound_ssrc(struct prism_srtp *srtp, uint32_t ssrc);
int prism_srtp_remove_outbound_ssrc(struct prism_srtp *srtp, uint32_t ssrc);

#endif
