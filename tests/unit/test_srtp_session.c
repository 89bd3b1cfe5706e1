/* SRTP session pair: every DTLS-SRTP profile works with this libsrtp build, the
 * key layout matches RFC 3711 (checked against an independent computation),
 * replays and tampering are rejected, malformed input is refused, and
 * streams come and go with their SSRCs. */
#include "media/srtp/srtp.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define SSRC_A 0x11223344u
#define SSRC_B 0xcafebabeu

static void hex_to_bytes(const char *hex, uint8_t *out, size_t len)
{
    g_assert_cmpuint(strlen(hex), ==, len * 2);
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(g_ascii_xdigit_value(hex[2 * i]) << 4 |
                           g_ascii_xdigit_value(hex[2 * i + 1]));
}

/* Keys where side A's local keys are side B's remote keys. */
static void make_keys(enum prism_srtp_profile profile, struct prism_srtp_keys *a,
                      struct prism_srtp_keys *b)
{
    memset(a, 0, sizeof(*a));
    a->profile = profile;
    g_assert_cmpint(prism_srtp_profile_lengths(profile, &a->key_len, &a->salt_len), ==, 0);
    for (size_t i = 0; i < PRISM_SRTP_MAX_KEY_LEN; i++) {
        a->local_key[i] = (uint8_t)(i + 1);
        a->remote_key[i] = (uint8_t)(0xa0 + i);
    }
    for (size_t i = 0; i < PRISM_SRTP_MAX_SALT_LEN; i++) {
        a->local_salt[i] = (uint8_t)(0x40 + i);
        a->remote_salt[i] = (uint8_t)(0xe0 + i);
    }
    *b = *a;
    memcpy(b->local_key, a->remote_key, sizeof(b->local_key));
    memcpy(b->remote_key, a->local_key, sizeof(b->remote_key));
    memcpy(b->local_salt, a->remote_salt, sizeof(b->local_salt));
    memcpy(b->remote_salt, a->local_salt, sizeof(b->remote_salt));
}

static void make_pair(enum prism_srtp_profile profile, unsigned window, struct prism_srtp **a,
                      struct prism_srtp **b)
{
    struct prism_srtp_keys ka, kb;
    struct prism_srtp_config config = {.replay_window = window};
    make_keys(profile, &ka, &kb);
    g_assert_cmpint(prism_srtp_new(a, &ka, &config), ==, 0);
    g_assert_cmpint(prism_srtp_new(b, &kb, &config), ==, 0);
}

static size_t make_rtp(uint8_t *packet, size_t payload_len, uint16_t seq, uint32_t ssrc)
{
    packet[0] = 0x80;
    packet[1] = 111;
    packet[2] = (uint8_t)(seq >> 8);
    packet[3] = (uint8_t)seq;
    memset(packet + 4, 0x12, 4); /* timestamp */
    packet[8] = (uint8_t)(ssrc >> 24);
    packet[9] = (uint8_t)(ssrc >> 16);
    packet[10] = (uint8_t)(ssrc >> 8);
    packet[11] = (uint8_t)ssrc;
    for (size_t i = 0; i < payload_len; i++)
        packet[12 + i] = (uint8_t)(seq + i);
    return 12 + payload_len;
}

/* A sender report without report blocks. */
static size_t make_rtcp(uint8_t *packet, uint32_t ssrc)
{
    static const uint8_t sr[28] = {0x80, 200, 0x00, 0x06};
    memcpy(packet, sr, sizeof(sr));
    packet[4] = (uint8_t)(ssrc >> 24);
    packet[5] = (uint8_t)(ssrc >> 16);
    packet[6] = (uint8_t)(ssrc >> 8);
    packet[7] = (uint8_t)ssrc;
    memset(packet + 8, 0x77, 20);
    return sizeof(sr);
}

/* Protects with `from` and returns the SRTP length (packet modified). */
static size_t protect(struct prism_srtp *from, uint8_t *packet, size_t len)
{
    size_t out = 0;
    g_assert_cmpint(prism_srtp_protect_rtp(from, packet, len, 1500, &out), ==, PRISM_SRTP_OK);
    return out;
}

static void check_round_trip(enum prism_srtp_profile profile, size_t rtp_tag, size_t rtcp_extra)
{
    struct prism_srtp *a, *b;
    make_pair(profile, 0, &a, &b);
    g_assert_cmpuint(prism_srtp_rtp_overhead(a), ==, rtp_tag);
    g_assert_cmpuint(prism_srtp_rtcp_overhead(a), ==, rtcp_extra);

    uint8_t plain[1500], packet[1500];
    size_t len = make_rtp(plain, 1188, 4242, SSRC_A), out;
    memcpy(packet, plain, len);
    size_t srtp_len = protect(a, packet, len);
    g_assert_cmpuint(srtp_len, ==, len + rtp_tag);
    g_assert_cmpmem(packet, 12, plain, 12); /* header stays clear */
    g_assert_true(memcmp(packet + 12, plain + 12, 64) != 0);
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, packet, srtp_len, &out), ==, PRISM_SRTP_OK);
    g_assert_cmpmem(packet, out, plain, len);

    len = make_rtcp(plain, SSRC_B);
    memcpy(packet, plain, len);
    g_assert_cmpint(prism_srtp_protect_rtcp(b, packet, len, sizeof(packet), &srtp_len), ==,
                    PRISM_SRTP_OK);
    g_assert_cmpuint(srtp_len, ==, len + rtcp_extra);
    g_assert_cmpint(prism_srtp_unprotect_rtcp(a, packet, srtp_len, &out), ==, PRISM_SRTP_OK);
    g_assert_cmpmem(packet, out, plain, len);
    prism_srtp_free(a);
    prism_srtp_free(b);
}

static void test_srtp_round_trips_with_every_profile(void)
{
    /* Debian's libsrtp2 is built with NSS; this proves its GCM is usable. */
    check_round_trip(PRISM_SRTP_AEAD_AES_128_GCM, 16, 20);
    check_round_trip(PRISM_SRTP_AEAD_AES_256_GCM, 16, 20);
    check_round_trip(PRISM_SRTP_AES128_CM_SHA1_80, 10, 14);
    /* 32-bit RTP tag, but SRTCP keeps its 80-bit one (RFC 3711 section 5.2). */
    check_round_trip(PRISM_SRTP_AES128_CM_SHA1_32, 4, 14);
    g_assert_cmpstr(prism_srtp_profile_name(PRISM_SRTP_AEAD_AES_128_GCM), ==,
                    "SRTP_AEAD_AES_128_GCM");
}

/* RFC 3711 section 4.3.3: AES-CM PRF, key_id = label || index/kdr (kdr 0). */
static void derive(const uint8_t *master_key, const uint8_t *master_salt, uint8_t label,
                   uint8_t *out, size_t len)
{
    uint8_t iv[16] = {0}, zeros[32] = {0};
    memcpy(iv, master_salt, 14);
    iv[7] ^= label;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    g_assert_cmpint(EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, master_key, iv), ==, 1);
    g_assert_cmpint(EVP_EncryptUpdate(ctx, out, &n, zeros, (int)len), ==, 1);
    EVP_CIPHER_CTX_free(ctx);
}

static void test_srtp_matches_rfc3711_key_derivation_and_packet_format(void)
{
    /* Master key and salt of RFC 3711 appendix B.3, and the session keys the
     * appendix derives from them. */
    uint8_t master_key[16], master_salt[14], want_key[16], want_salt[14], want_auth[20];
    hex_to_bytes("E1F97A0D3E018BE0D64FA32C06DE4139", master_key, 16);
    hex_to_bytes("0EC675AD498AFEEBB6960B3AABE6", master_salt, 14);
    hex_to_bytes("C61E7A93744F39EE10734AFE3FF7A087", want_key, 16);
    hex_to_bytes("30CBBC08863D8C85D49DB34A9AE1", want_salt, 14);
    hex_to_bytes("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", want_auth, 20);
    uint8_t key[16], salt[14], auth[20];
    derive(master_key, master_salt, 0x00, key, 16);
    derive(master_key, master_salt, 0x01, auth, 20);
    derive(master_key, master_salt, 0x02, salt, 14);
    g_assert_cmpmem(key, 16, want_key, 16);
    g_assert_cmpmem(salt, 14, want_salt, 14);
    g_assert_cmpmem(auth, 20, want_auth, 20);

    struct prism_srtp_keys keys = {
        .profile = PRISM_SRTP_AES128_CM_SHA1_80, .key_len = 16, .salt_len = 14};
    memcpy(keys.local_key, master_key, 16);
    memcpy(keys.local_salt, master_salt, 14);
    struct prism_srtp *srtp;
    g_assert_cmpint(prism_srtp_new(&srtp, &keys, NULL), ==, 0);
    uint8_t plain[64], packet[128];
    size_t len = make_rtp(plain, 40, 0x1234, SSRC_A);
    memcpy(packet, plain, len);
    g_assert_cmpuint(protect(srtp, packet, len), ==, len + 10);
    prism_srtp_free(srtp);

    /* The expected packet, computed here: AES-CTR with IV = salt ^ SSRC ^
     * index (RFC 3711 section 4.1.1), then HMAC-SHA1-80 over the packet and
     * the rollover counter (section 4.2). */
    uint8_t iv[16] = {0}, expected[64 + 10];
    memcpy(iv, salt, 14);
    for (int i = 0; i < 4; i++)
        iv[4 + i] ^= plain[8 + i];
    iv[12] ^= 0x12;
    iv[13] ^= 0x34;
    memcpy(expected, plain, 12);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv);
    EVP_EncryptUpdate(ctx, expected + 12, &n, plain + 12, 40);
    EVP_CIPHER_CTX_free(ctx);
    uint8_t authenticated[64 + 4] = {0}, mac[20];
    unsigned mac_len = 0;
    memcpy(authenticated, expected, len); /* followed by ROC = 0 */
    HMAC(EVP_sha1(), auth, 20, authenticated, len + 4, mac, &mac_len);
    memcpy(expected + len, mac, 10);
    g_assert_cmpmem(packet, len + 10, expected, len + 10);
}

static void test_srtp_rejects_replayed_packets(void)
{
    struct prism_srtp *a, *b;
    make_pair(PRISM_SRTP_AEAD_AES_128_GCM, 0, &a, &b);
    uint8_t packet[1500], copy[1500];
    size_t len = protect(a, packet, make_rtp(packet, 100, 7, SSRC_A)), out;
    memcpy(copy, packet, len);
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, packet, len, &out), ==, PRISM_SRTP_OK);
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, copy, len, &out), ==, PRISM_SRTP_ERR_REPLAY);

    size_t rtcp_len;
    len = make_rtcp(packet, SSRC_A);
    g_assert_cmpint(prism_srtp_protect_rtcp(a, packet, len, sizeof(packet), &rtcp_len), ==,
                    PRISM_SRTP_OK);
    memcpy(copy, packet, rtcp_len);
    g_assert_cmpint(prism_srtp_unprotect_rtcp(b, packet, rtcp_len, &out), ==, PRISM_SRTP_OK);
    g_assert_cmpint(prism_srtp_unprotect_rtcp(b, copy, rtcp_len, &out), ==, PRISM_SRTP_ERR_REPLAY);
    prism_srtp_free(a);
    prism_srtp_free(b);
}

static void test_srtp_detects_tampering(void)
{
    static const enum prism_srtp_profile profiles[] = {PRISM_SRTP_AEAD_AES_128_GCM,
                                                       PRISM_SRTP_AES128_CM_SHA1_80};
    for (size_t p = 0; p < G_N_ELEMENTS(profiles); p++) {
        struct prism_srtp *a, *b;
        make_pair(profiles[p], 0, &a, &b);
        uint8_t packet[1500];
        size_t out;
        /* A flipped payload bit, a flipped header bit, a flipped tag bit. */
        const size_t flips[] = {40, 1, 12 + 100 + 3};
        for (size_t i = 0; i < G_N_ELEMENTS(flips); i++) {
            size_t len = protect(a, packet, make_rtp(packet, 100, (uint16_t)(10 + i), SSRC_A));
            packet[flips[i]] ^= 0x01;
            g_assert_cmpint(prism_srtp_unprotect_rtp(b, packet, len, &out), ==,
                            PRISM_SRTP_ERR_AUTH);
        }
        size_t len = make_rtcp(packet, SSRC_A), rtcp_len;
        g_assert_cmpint(prism_srtp_protect_rtcp(a, packet, len, sizeof(packet), &rtcp_len), ==,
                        PRISM_SRTP_OK);
        packet[20] ^= 0x80;
        g_assert_cmpint(prism_srtp_unprotect_rtcp(b, packet, rtcp_len, &out), ==,
                        PRISM_SRTP_ERR_AUTH);
        prism_srtp_free(a);
        prism_srtp_free(b);
    }
}

static void test_srtp_refuses_malformed_lengths_and_missing_room(void)
{
    struct prism_srtp *a, *b;
    make_pair(PRISM_SRTP_AEAD_AES_128_GCM, 0, &a, &b);
    uint8_t packet[1500] = {0x80};
    size_t out = 12345;
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, packet, 0, &out), ==, PRISM_SRTP_ERR_MALFORMED);
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, packet, 27, &out), ==, PRISM_SRTP_ERR_MALFORMED);
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, NULL, 100, &out), ==, PRISM_SRTP_ERR_MALFORMED);
    g_assert_cmpint(prism_srtp_unprotect_rtcp(b, packet, 8 + 19, &out), ==,
                    PRISM_SRTP_ERR_MALFORMED);
    g_assert_cmpint(prism_srtp_protect_rtp(a, packet, 11, sizeof(packet), &out), ==,
                    PRISM_SRTP_ERR_MALFORMED);
    g_assert_cmpint(prism_srtp_protect_rtcp(a, packet, 7, sizeof(packet), &out), ==,
                    PRISM_SRTP_ERR_MALFORMED);
    g_assert_cmpuint(out, ==, 12345);

    /* Not RTP version 2. */
    size_t len = make_rtp(packet, 50, 1, SSRC_A);
    packet[0] = 0x40;
    g_assert_cmpint(prism_srtp_protect_rtp(a, packet, len, sizeof(packet), &out), ==,
                    PRISM_SRTP_ERR_MALFORMED);
    /* A header claiming 15 CSRCs that the packet does not hold. */
    len = protect(a, packet, make_rtp(packet, 20, 2, SSRC_A));
    packet[0] = 0x8f;
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, packet, len, &out), ==, PRISM_SRTP_ERR_MALFORMED);

    /* One byte short of the room the tag needs. */
    len = make_rtp(packet, 100, 3, SSRC_A);
    g_assert_cmpint(prism_srtp_protect_rtp(a, packet, len, len + 15, &out), ==,
                    PRISM_SRTP_ERR_NO_ROOM);
    g_assert_cmpint(prism_srtp_protect_rtp(a, packet, len, len - 1, &out), ==,
                    PRISM_SRTP_ERR_NO_ROOM);
    len = make_rtcp(packet, SSRC_A);
    g_assert_cmpint(prism_srtp_protect_rtcp(a, packet, len, len + 19, &out), ==,
                    PRISM_SRTP_ERR_NO_ROOM);
    g_assert_cmpint(prism_srtp_protect_rtcp(a, packet, len, len + 20, &out), ==, PRISM_SRTP_OK);
    g_assert_cmpstr(prism_srtp_status_name(PRISM_SRTP_ERR_REPLAY), ==, "replayed");
    prism_srtp_free(a);
    prism_srtp_free(b);
}

/* Delivers sequence 1000 then 900, returning the status of the late one. */
static enum prism_srtp_status late_packet_status(unsigned window)
{
    struct prism_srtp *a, *b;
    make_pair(PRISM_SRTP_AEAD_AES_128_GCM, window, &a, &b);
    uint8_t early[1500], late[1500];
    size_t late_len = protect(a, late, make_rtp(late, 80, 900, SSRC_A));
    size_t early_len = protect(a, early, make_rtp(early, 80, 1000, SSRC_A)), out;
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, early, early_len, &out), ==, PRISM_SRTP_OK);
    enum prism_srtp_status status = prism_srtp_unprotect_rtp(b, late, late_len, &out);
    prism_srtp_free(a);
    prism_srtp_free(b);
    return status;
}

static void test_srtp_replay_window_is_configurable(void)
{
    g_assert_cmpint(late_packet_status(64), ==, PRISM_SRTP_ERR_REPLAY);
    g_assert_cmpint(late_packet_status(0), ==, PRISM_SRTP_OK); /* default 128 */
    g_assert_cmpint(late_packet_status(1024), ==, PRISM_SRTP_OK);
}

static void test_srtp_streams_follow_ssrcs(void)
{
    struct prism_srtp *a, *b;
    make_pair(PRISM_SRTP_AEAD_AES_128_GCM, 0, &a, &b);
    uint8_t packet[1500], copy[1500];
    size_t out;
    /* Any SSRC works without configuration, each with its own state. */
    size_t len = protect(a, packet, make_rtp(packet, 60, 5, SSRC_A));
    memcpy(copy, packet, len);
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, packet, len, &out), ==, PRISM_SRTP_OK);
    len = protect(a, packet, make_rtp(packet, 60, 5, SSRC_B));
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, packet, len, &out), ==, PRISM_SRTP_OK);

    /* Removing a stream forgets its replay state. */
    g_assert_cmpint(prism_srtp_remove_inbound_ssrc(b, SSRC_A), ==, 0);
    g_assert_cmpint(prism_srtp_remove_inbound_ssrc(b, SSRC_A), ==, -ENOENT);
    g_assert_cmpint(prism_srtp_remove_inbound_ssrc(b, 0x99), ==, -ENOENT);
    memcpy(packet, copy, len);
    g_assert_cmpint(prism_srtp_unprotect_rtp(b, packet, len, &out), ==, PRISM_SRTP_OK);

    /* Sending: a retransmission of the same sequence number is allowed, and a
     * removed outbound stream starts again. */
    len = protect(a, packet, make_rtp(packet, 60, 6, SSRC_B));
    len = protect(a, packet, make_rtp(packet, 60, 6, SSRC_B));
    g_assert_cmpint(prism_srtp_remove_outbound_ssrc(a, SSRC_B), ==, 0);
    g_assert_cmpint(prism_srtp_remove_outbound_ssrc(a, SSRC_B), ==, -ENOENT);
    len = protect(a, packet, make_rtp(packet, 60, 1, SSRC_B));
    prism_srtp_free(a);
    prism_srtp_free(b);
}

static void test_srtp_rejects_bad_keys_and_config(void)
{
    struct prism_srtp_keys keys, other;
    struct prism_srtp *srtp = NULL;
    make_keys(PRISM_SRTP_AEAD_AES_128_GCM, &keys, &other);
    keys.salt_len = 14;
    g_assert_cmpint(prism_srtp_new(&srtp, &keys, NULL), ==, -EINVAL);
    keys.salt_len = 12;
    keys.profile = (enum prism_srtp_profile)0x0005; /* SRTP_NULL_HMAC_SHA1_80: not supported */
    g_assert_cmpint(prism_srtp_new(&srtp, &keys, NULL), ==, -ENOTSUP);
    keys.profile = PRISM_SRTP_AEAD_AES_128_GCM;
    struct prism_srtp_config config = {.replay_window = 32};
    g_assert_cmpint(prism_srtp_new(&srtp, &keys, &config), ==, -EINVAL);
    config.replay_window = 40000;
    g_assert_cmpint(prism_srtp_new(&srtp, &keys, &config), ==, -EINVAL);
    g_assert_null(srtp);
    prism_srtp_free(NULL);
}

static gpointer init_thread(gpointer data)
{
    return GINT_TO_POINTER(prism_srtp_init());
}

static void test_srtp_init_is_idempotent_across_threads(void)
{
    GThread *threads[4];
    for (size_t i = 0; i < G_N_ELEMENTS(threads); i++)
        threads[i] = g_thread_new("srtp-init", init_thread, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(threads); i++)
        g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(threads[i])), ==, 0);
    g_assert_cmpint(prism_srtp_init(), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/srtp/round-trips-with-every-profile",
                    test_srtp_round_trips_with_every_profile);
    g_test_add_func("/srtp/matches-rfc3711-key-derivation-and-packet-format",
                    test_srtp_matches_rfc3711_key_derivation_and_packet_format);
    g_test_add_func("/srtp/rejects-replayed-packets", test_srtp_rejects_replayed_packets);
    g_test_add_func("/srtp/detects-tampering", test_srtp_detects_tampering);
    g_test_add_func("/srtp/refuses-malformed-lengths-and-missing-room",
                    test_srtp_refuses_malformed_lengths_and_missing_room);
    g_test_add_func("/srtp/replay-window-is-configurable", test_srtp_replay_window_is_configurable);
    g_test_add_func("/srtp/streams-follow-ssrcs", test_srtp_streams_follow_ssrcs);
    g_test_add_func("/srtp/rejects-bad-keys-and-config", test_srtp_rejects_bad_keys_and_config);
    g_test_add_func("/srtp/init-is-idempotent-across-threads",
                    test_srtp_init_is_idempotent_across_threads);
    return g_test_run();
}
