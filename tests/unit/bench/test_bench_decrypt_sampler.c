/* The bench's receive path: which packets it decrypts (bench_decrypt_sampler), the statistics it
 * keeps from the clear header of packets it does not decrypt, and libsrtp's rollover counter
 * staying right when only the sampled packets of a stream are unprotected (across wraps and
 * losses). */
#include <glib.h>
#include <string.h>

#include "bench/lib/stats/decrypt_sampler.h"
#include "bench/lib/stats/seq_stats.h"
#include "media/rtp/header.h"
#include "media/srtp/srtp.h"

#define SSRC 0x11223344u

/* Feeds `count` in-order packets from `first` (one frame each) and returns how many the sampler
 * took; `taken` (if not NULL) gets their sequence numbers. */
static unsigned feed_in_order(struct bench_decrypt_sampler *s, uint16_t first, unsigned count,
                              uint16_t *taken)
{
    unsigned n = 0;
    for (unsigned i = 0; i < count; i++) {
        uint16_t seq = (uint16_t)(first + i);
        if (bench_decrypt_sampler_decide(s, SSRC, seq, 960u * i, false)) {
            if (taken)
                taken[n] = seq;
            n++;
        }
    }
    return n;
}

static void test_sampler_takes_one_in_n_across_a_wrap(void)
{
    struct bench_decrypt_sampler s;
    bench_decrypt_sampler_init(&s, 16);
    uint16_t taken[200];
    unsigned n = feed_in_order(&s, 65000, 1601, taken); /* wraps after 536 packets */
    g_assert_cmpuint(n, ==, 101);                       /* the first, then every 16th */
    g_assert_cmpuint(taken[0], ==, 65000);
    for (unsigned i = 1; i < n; i++)
        g_assert_cmpuint((uint16_t)(taken[i] - taken[i - 1]), ==, 16);
}

static void test_sampler_every_one_takes_everything(void)
{
    struct bench_decrypt_sampler s;
    bench_decrypt_sampler_init(&s, 1);
    g_assert_cmpuint(feed_in_order(&s, 100, 50, NULL), ==, 50);
    /* Reordered and duplicated packets too. */
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC, 120, 0, false));
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC, 149, 0, false));
}

static void test_sampler_after_a_lost_sample_takes_the_next_packet(void)
{
    struct bench_decrypt_sampler s;
    bench_decrypt_sampler_init(&s, 16);
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC, 0, 0, false));
    for (uint16_t seq = 1; seq < 16; seq++)
        g_assert_false(bench_decrypt_sampler_decide(&s, SSRC, seq, 0, false));
    /* 16 to 20 are lost: 21 is the first one far enough from 0. */
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC, 21, 0, false));
    g_assert_false(bench_decrypt_sampler_decide(&s, SSRC, 22, 0, false));
    /* A late packet from before the last sample is not taken. */
    g_assert_false(bench_decrypt_sampler_decide(&s, SSRC, 17, 0, false));
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC, 37, 0, false));
}

static void test_sampler_takes_new_ssrcs_and_jumps(void)
{
    struct bench_decrypt_sampler s;
    bench_decrypt_sampler_init(&s, 16);
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC, 5000, 0, false));
    g_assert_false(bench_decrypt_sampler_decide(&s, SSRC, 5001, 0, false));
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC + 1, 5002, 0, false)); /* new SSRC */
    g_assert_false(bench_decrypt_sampler_decide(&s, SSRC + 1, 5003, 0, false));
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC + 1, 100, 0, false)); /* restart back */
    g_assert_false(bench_decrypt_sampler_decide(&s, SSRC + 1, 101, 0, false));
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC + 1, 40000, 0, false)); /* far ahead */
    g_assert_false(bench_decrypt_sampler_decide(&s, SSRC + 1, 40001, 0, false));
}

/* Video of 5 packets per frame: waiting for a keyframe, the first packet of every frame is
 * taken; a frame's first packet arriving after its second is taken too. */
static void test_sampler_takes_frame_starts_while_a_keyframe_is_awaited(void)
{
    struct bench_decrypt_sampler s;
    bench_decrypt_sampler_init(&s, 16);
    unsigned taken = 0, starts_taken = 0;
    for (unsigned i = 0; i < 100; i++) {
        bool start = i % 5 == 0;
        bool take = bench_decrypt_sampler_decide(&s, SSRC, (uint16_t)(1000 + i), 3000u * (i / 5),
                                                 true);
        taken += take;
        starts_taken += start && take;
    }
    g_assert_cmpuint(starts_taken, ==, 20);
    g_assert_cmpuint(taken, <=, 20 + 100 / 16 + 1);
    /* Frame of 1100-1104 with 1101 arriving first. */
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC, 1101, 3000u * 20, true));
    g_assert_true(bench_decrypt_sampler_decide(&s, SSRC, 1100, 3000u * 20, true));
    g_assert_false(bench_decrypt_sampler_decide(&s, SSRC, 1102, 3000u * 20, true));
    /* Not waiting: the same frames go by with 1 in 16 only. */
    unsigned later = 0;
    for (unsigned i = 5; i < 105; i++)
        later += bench_decrypt_sampler_decide(&s, SSRC, (uint16_t)(1100 + i), 3000u * (20 + i / 5),
                                              false);
    g_assert_cmpuint(later, >=, 6);
    g_assert_cmpuint(later, <=, 7);
}

static void make_keys(struct prism_srtp_keys *sender, struct prism_srtp_keys *receiver)
{
    memset(sender, 0, sizeof(*sender));
    sender->profile = PRISM_SRTP_AEAD_AES_128_GCM;
    g_assert_cmpint(
        prism_srtp_profile_lengths(sender->profile, &sender->key_len, &sender->salt_len), ==, 0);
    for (size_t i = 0; i < PRISM_SRTP_MAX_KEY_LEN; i++) {
        sender->local_key[i] = (uint8_t)(i + 1);
        sender->remote_key[i] = (uint8_t)(0x80 + i);
    }
    for (size_t i = 0; i < PRISM_SRTP_MAX_SALT_LEN; i++) {
        sender->local_salt[i] = (uint8_t)(0x30 + i);
        sender->remote_salt[i] = (uint8_t)(0xc0 + i);
    }
    *receiver = *sender;
    memcpy(receiver->local_key, sender->remote_key, sizeof(receiver->local_key));
    memcpy(receiver->remote_key, sender->local_key, sizeof(receiver->remote_key));
    memcpy(receiver->local_salt, sender->remote_salt, sizeof(receiver->local_salt));
    memcpy(receiver->remote_salt, sender->local_salt, sizeof(receiver->remote_salt));
}

/* A protected 20 ms audio packet whose payload is its packet index. */
static size_t protect_packet(struct prism_srtp *sender, uint32_t index, uint8_t *buf, size_t cap)
{
    struct prism_rtp_header_fields f = {
        .payload_type = 111, .seq = (uint16_t)index, .timestamp = 960u * index, .ssrc = SSRC};
    int header = prism_rtp_build_header(buf, cap, &f);
    g_assert_cmpint(header, ==, PRISM_RTP_FIXED_HEADER_LEN);
    memcpy(buf + header, &index, sizeof(index));
    memset(buf + header + sizeof(index), 0x5a, 60);
    size_t out;
    g_assert_cmpint(
        prism_srtp_protect_rtp(sender, buf, (size_t)header + sizeof(index) + 60, cap, &out), ==,
        PRISM_SRTP_OK);
    return out;
}

/* 200,000 packets (three sequence number wraps): a loss pattern with bursts of up to 40, a
 * packet duplicated and pairs swapped now and then. The receiver keeps its statistics from the
 * clear header of every packet and unprotects only what the sampler takes: every one of those
 * authenticates (the rollover counter follows the wraps) and carries the right index, and the
 * header statistics equal the truth. */
static void test_sampled_unprotect_keeps_the_rollover_counter_and_header_stats(void)
{
    struct prism_srtp_keys ks, kr;
    make_keys(&ks, &kr);
    struct prism_srtp_config config = {.replay_window = 1024};
    struct prism_srtp *sender, *receiver;
    g_assert_cmpint(prism_srtp_new(&sender, &ks, &config), ==, 0);
    g_assert_cmpint(prism_srtp_new(&receiver, &kr, &config), ==, 0);
    struct bench_decrypt_sampler sampler;
    bench_decrypt_sampler_init(&sampler, 16);
    struct bench_seq_stats stats;
    bench_seq_stats_init(&stats, 48000);
    size_t tag = prism_srtp_rtp_overhead(receiver);
    GRand *rand = g_rand_new_with_seed(11);
    enum { PACKETS = 200000 };
    unsigned lost = 0, decrypted = 0, reordered = 0, duplicated = 0, burst = 0;
    uint8_t held[128], now[128];
    size_t held_len = 0;
    for (uint32_t i = 0; i < PACKETS; i++) {
        size_t len = protect_packet(sender, i, now, sizeof(now));
        if (burst == 0 && g_rand_int_range(rand, 0, 2000) == 0)
            burst = (unsigned)g_rand_int_range(rand, 1, 41);
        if (burst > 0 && i > 0 && i < PACKETS - 1) {
            burst--;
            lost++;
            continue;
        }
        /* The receiving side, for one datagram (or two when one was held back). */
        uint8_t *deliver[3] = {now, NULL, NULL};
        size_t lens[3] = {len, 0, 0};
        if (held_len) {
            deliver[1] = held; /* arrives after the next one */
            lens[1] = held_len;
            held_len = 0;
            reordered++;
        } else if (i > 0 && i < PACKETS - 1 && g_rand_int_range(rand, 0, 500) == 0) {
            memcpy(held, now, len);
            held_len = len;
            continue;
        } else if (g_rand_int_range(rand, 0, 700) == 0) {
            deliver[1] = now;
            lens[1] = len;
            duplicated++;
        }
        for (unsigned d = 0; d < 3 && deliver[d]; d++) {
            uint8_t copy[128];
            memcpy(copy, deliver[d], lens[d]);
            struct prism_rtp_header h;
            g_assert_cmpint(prism_rtp_parse(copy, lens[d] - tag, &h), ==, 0);
            bench_seq_stats_update(&stats, h.seq, h.timestamp, (uint64_t)h.timestamp * 1000 / 48,
                                   lens[d] - tag);
            if (!bench_decrypt_sampler_decide(&sampler, h.ssrc, h.seq, h.timestamp, false))
                continue;
            size_t plain;
            enum prism_srtp_status st = prism_srtp_unprotect_rtp(receiver, copy, lens[d], &plain);
            if (d == 1 && deliver[1] == now) {
                g_assert_cmpint(st, ==, PRISM_SRTP_ERR_REPLAY); /* a duplicate taken twice */
                continue;
            }
            g_assert_cmpint(st, ==, PRISM_SRTP_OK);
            uint32_t index;
            memcpy(&index, copy + PRISM_RTP_FIXED_HEADER_LEN, sizeof(index));
            g_assert_cmpuint(index & 0xffff, ==, h.seq);
            decrypted++;
        }
    }
    g_test_message("lost %u, reordered %u, duplicated %u, decrypted %u", lost, reordered,
                   duplicated, decrypted);
    g_assert_cmpuint(bench_seq_stats_expected(&stats), ==, PACKETS);
    g_assert_cmpuint(bench_seq_stats_lost(&stats), ==, lost);
    g_assert_cmpuint(stats.reordered, ==, reordered);
    g_assert_cmpuint(stats.duplicates, ==, duplicated);
    g_assert_cmpuint(stats.received, ==, PACKETS - lost);
    g_assert_cmpfloat(bench_seq_stats_jitter_ms(&stats), <, 0.1); /* arrivals on the clock */
    /* About one in 16 of what arrived. */
    g_assert_cmpuint(decrypted, >=, (PACKETS - lost) / 17);
    g_assert_cmpuint(decrypted, <=, (PACKETS - lost) / 15);
    g_assert_cmpuint(lost, >, 1000);
    g_assert_cmpuint(reordered, >, 100);
    g_assert_cmpuint(duplicated, >, 100);
    g_rand_free(rand);
    prism_srtp_free(sender);
    prism_srtp_free(receiver);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bench/sampler/one-in-n-across-a-wrap",
                    test_sampler_takes_one_in_n_across_a_wrap);
    g_test_add_func("/bench/sampler/every-one-takes-everything",
                    test_sampler_every_one_takes_everything);
    g_test_add_func("/bench/sampler/next-after-a-lost-sample",
                    test_sampler_after_a_lost_sample_takes_the_next_packet);
    g_test_add_func("/bench/sampler/new-ssrcs-and-jumps", test_sampler_takes_new_ssrcs_and_jumps);
    g_test_add_func("/bench/sampler/frame-starts-while-awaiting-a-keyframe",
                    test_sampler_takes_frame_starts_while_a_keyframe_is_awaited);
    g_test_add_func("/bench/sampler/rollover-counter-and-header-stats",
                    test_sampled_unprotect_keeps_the_rollover_counter_and_header_stats);
    return g_test_run();
}
