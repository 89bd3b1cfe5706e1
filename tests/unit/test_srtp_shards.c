/* The outbound SRTP sessions of a transport split into shards of at most SRTP_SHARD_STREAMS
 * SSRCs: a receiver with one session decrypts every SSRC's packets and SRTCP, an SSRC keeps its
 * shard (its rollover counter carries on past sequence number 65535 while other SSRCs come),
 * and a removed SSRC starts anew in its shard. */
#include "media/srtp/internal.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#define SSRCS 100

static void make_pair(struct prism_srtp **sender, struct prism_srtp **receiver)
{
    struct prism_srtp_keys a = {
        .profile = PRISM_SRTP_AEAD_AES_128_GCM, .key_len = 16, .salt_len = 12};
    for (size_t i = 0; i < PRISM_SRTP_MAX_KEY_LEN; i++) {
        a.local_key[i] = (uint8_t)(i + 1);
        a.remote_key[i] = (uint8_t)(0xa0 + i);
    }
    for (size_t i = 0; i < PRISM_SRTP_MAX_SALT_LEN; i++) {
        a.local_salt[i] = (uint8_t)(0x40 + i);
        a.remote_salt[i] = (uint8_t)(0xe0 + i);
    }
    struct prism_srtp_keys b = a;
    memcpy(b.local_key, a.remote_key, sizeof(b.local_key));
    memcpy(b.remote_key, a.local_key, sizeof(b.remote_key));
    memcpy(b.local_salt, a.remote_salt, sizeof(b.local_salt));
    memcpy(b.remote_salt, a.local_salt, sizeof(b.remote_salt));
    struct prism_srtp_config config = {.replay_window = 1024};
    g_assert_cmpint(prism_srtp_new(sender, &a, &config), ==, 0);
    g_assert_cmpint(prism_srtp_new(receiver, &b, &config), ==, 0);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Protects one RTP packet of `ssrc` and checks the receiver gets it back as it was. */
static void send_rtp(struct prism_srtp *sender, struct prism_srtp *receiver, uint32_t ssrc,
                     uint16_t seq)
{
    uint8_t packet[200] = {0x80, 96, (uint8_t)(seq >> 8), (uint8_t)seq};
    put_u32(packet + 8, ssrc);
    for (size_t i = 12; i < 60; i++)
        packet[i] = (uint8_t)(ssrc + seq + i);
    uint8_t clear[60];
    memcpy(clear, packet, sizeof(clear));
    size_t len = 0, back = 0;
    g_assert_cmpint(prism_srtp_protect_rtp(sender, packet, 60, sizeof(packet), &len), ==,
                    PRISM_SRTP_OK);
    g_assert_cmpint(prism_srtp_unprotect_rtp(receiver, packet, len, &back), ==, PRISM_SRTP_OK);
    g_assert_cmpuint(back, ==, 60);
    g_assert_cmpmem(packet, back, clear, sizeof(clear));
}

static void send_rtcp(struct prism_srtp *sender, struct prism_srtp *receiver, uint32_t ssrc)
{
    uint8_t packet[100] = {0x80, 200, 0x00, 0x06};
    put_u32(packet + 4, ssrc);
    size_t len = 0, back = 0;
    g_assert_cmpint(prism_srtp_protect_rtcp(sender, packet, 28, sizeof(packet), &len), ==,
                    PRISM_SRTP_OK);
    g_assert_cmpint(prism_srtp_unprotect_rtcp(receiver, packet, len, &back), ==, PRISM_SRTP_OK);
    g_assert_cmpuint(back, ==, 28);
}

static void test_srtp_shards_split_many_ssrcs(void)
{
    struct prism_srtp *sender, *receiver;
    make_pair(&sender, &receiver);
    for (uint16_t seq = 1; seq <= 3; seq++) {
        for (uint32_t i = 0; i < SSRCS; i++)
            send_rtp(sender, receiver, 0x10000000u + i, seq);
    }
    for (uint32_t i = 0; i < SSRCS; i++)
        send_rtcp(sender, receiver, 0x10000000u + i);
    prism_srtp_free(sender);
    prism_srtp_free(receiver);
}

/* The shards themselves: sizes, and the same session for an SSRC however many came since. */
static void test_srtp_shards_keep_an_ssrc_in_its_session(void)
{
    struct prism_srtp_keys keys = {
        .profile = PRISM_SRTP_AEAD_AES_128_GCM, .key_len = 16, .salt_len = 12};
    g_assert_cmpint(prism_srtp_init(), ==, 0);
    struct srtp_shards shards;
    g_assert_cmpint(srtp_shards_init(&shards, &keys, 0), ==, 0);
    srtp_t first = srtp_shards_session(&shards, 7);
    g_assert_nonnull(first);
    for (uint32_t ssrc = 1000; ssrc < 1000 + SSRCS; ssrc++)
        g_assert_nonnull(srtp_shards_session(&shards, ssrc));
    g_assert_true(srtp_shards_session(&shards, 7) == first);
    g_assert_true(first == shards.first);
    g_assert_cmpuint(shards.first_count, ==, SRTP_SHARD_STREAMS);
    unsigned past_first = SSRCS + 1 - SRTP_SHARD_STREAMS;
    g_assert_cmpuint(shards.more_count, ==,
                     (past_first + SRTP_SHARD_STREAMS - 1) / SRTP_SHARD_STREAMS);
    for (unsigned i = 0; i < shards.more_count; i++)
        g_assert_cmpuint(shards.more_streams[i], <=, SRTP_SHARD_STREAMS);
    g_assert_cmpuint(shards.map_used, ==, past_first);
    g_assert_cmpuint(2 * shards.map_used, <=, shards.map_size);
    /* Every SSRC still finds the session it was given. */
    for (uint32_t ssrc = 1000; ssrc < 1000 + SSRCS; ssrc++) {
        srtp_t session = srtp_shards_session(&shards, ssrc);
        g_assert_true(session == srtp_shards_session(&shards, ssrc));
    }
    g_assert_cmpuint(shards.map_used, ==, past_first);
    g_assert_cmpint(srtp_shards_remove(&shards, 99), ==, -ENOENT);
    /* A viewer's few SSRCs stay in the first session, and no table is made. */
    struct srtp_shards viewer;
    g_assert_cmpint(srtp_shards_init(&viewer, &keys, 0), ==, 0);
    for (uint32_t ssrc = 1; ssrc <= SRTP_SHARD_STREAMS; ssrc++)
        g_assert_true(srtp_shards_session(&viewer, ssrc) == viewer.first);
    g_assert_null(viewer.map);
    g_assert_cmpuint(viewer.more_count, ==, 0);
    srtp_shards_clear(&viewer);
    srtp_shards_clear(&shards);
}

/* One SSRC wraps its sequence numbers while 40 others arrive: the receiver follows (the
 * rollover counter stayed with the stream). */
static void test_srtp_shards_keep_the_rollover_counter(void)
{
    struct prism_srtp *sender, *receiver;
    make_pair(&sender, &receiver);
    uint32_t ssrc = 0xabcdef01u;
    for (uint32_t seq = 65500; seq < 65536 + 40; seq++) {
        send_rtp(sender, receiver, ssrc, (uint16_t)seq);
        send_rtp(sender, receiver, 0x20000000u + seq % 65536, 1);
    }
    /* Removed, it starts again as a new stream in its session. */
    g_assert_cmpint(prism_srtp_remove_outbound_ssrc(sender, ssrc), ==, 0);
    g_assert_cmpint(prism_srtp_remove_inbound_ssrc(receiver, ssrc), ==, 0);
    send_rtp(sender, receiver, ssrc, 5);
    prism_srtp_free(sender);
    prism_srtp_free(receiver);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/srtp/shards/split-many-ssrcs", test_srtp_shards_split_many_ssrcs);
    g_test_add_func("/srtp/shards/keep-an-ssrc-in-its-session",
                    test_srtp_shards_keep_an_ssrc_in_its_session);
    g_test_add_func("/srtp/shards/keep-the-rollover-counter",
                    test_srtp_shards_keep_the_rollover_counter);
    return g_test_run();
}
