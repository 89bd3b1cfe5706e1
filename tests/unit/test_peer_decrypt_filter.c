/* A PeerConnection with a decrypt filter (what prism-bench installs): the owner sees every RTP
 * packet's clear header before SRTP unprotect and decrypts only those it asks for. Two real
 * peers over 127.0.0.1 (peer_pair.h): A sends video with a sequence number wrap and loses every
 * 10th packet on the way; B decrypts 1 packet in 4. B still detects the losses from the clear
 * headers and NACKs them, A answers with RTX (which B always decrypts), and B decrypts exactly
 * the packets its filter chose, across the wrap. */
#include "peer_pair.h"

#include "media/srtp/srtp.h"

#define FIRST_SEQ 65500 /* wraps after 36 packets */
#define PACKETS 100
#define PAYLOAD_LEN 100
#define PLAIN_LEN (PRISM_RTP_FIXED_HEADER_LEN + PAYLOAD_LEN)

struct filtered {
    struct side side;      /* first: peer_pair's callbacks take it as the owner */
    unsigned filter_calls; /* packets the filter saw */
    unsigned chosen;       /* ... and asked to decrypt */
    bool chose[PACKETS];
    bool seen[PACKETS];
    unsigned decrypted, undecrypted, retransmissions, wrong;
};

static unsigned index_of(uint16_t seq)
{
    unsigned index = (uint16_t)(seq - FIRST_SEQ);
    g_assert_cmpuint(index, <, PACKETS);
    return index;
}

static bool filter_cb(void *owner, const struct prism_peer_rtp *packet)
{
    struct filtered *f = owner;
    g_assert_true(packet->video);
    g_assert_cmpuint(packet->media_index, ==, 1);
    g_assert_true(packet->payload_encrypted);
    g_assert_cmpuint(packet->len, ==, PLAIN_LEN);
    unsigned index = index_of(packet->header.seq);
    f->filter_calls++;
    f->chose[index] = index % 4 == 0;
    f->chosen += f->chose[index];
    return f->chose[index];
}

/* pair_build_rtp's payload: byte i is (seq + i). */
static bool payload_is_plain(const struct prism_peer_rtp *packet)
{
    if (packet->header.payload_len != PAYLOAD_LEN)
        return false;
    for (unsigned i = 0; i < PAYLOAD_LEN; i++)
        if (packet->header.payload[i] != (uint8_t)(packet->header.seq + i))
            return false;
    return true;
}

static void rtp_cb(void *owner, struct prism_peer_rtp *packet)
{
    struct filtered *f = owner;
    unsigned index = index_of(packet->header.seq);
    f->side.rtp_received[1]++;
    g_assert_cmpuint(packet->len, ==, PLAIN_LEN);
    bool first_time = !f->seen[index];
    f->seen[index] = true;
    if (packet->payload_encrypted) {
        f->undecrypted++;
        f->wrong += f->chose[index] || payload_is_plain(packet);
    } else {
        f->decrypted++;
        f->wrong += !payload_is_plain(packet);
        /* Decrypted without being chosen: a repair (RTX), the first time it arrives. */
        if (!f->chose[index]) {
            f->retransmissions++;
            f->wrong += !first_time;
        }
    }
}

static void connected_cb(void *owner)
{
    ((struct filtered *)owner)->side.connected = true;
}

static const struct prism_peer_callbacks filtered_callbacks = {
    .connected_cb = connected_cb,
    .rtp_cb = rtp_cb,
    .decrypt_filter_cb = filter_cb,
};

static void test_peer_decrypt_filter_keeps_nacks_and_decrypts_what_it_chose(void)
{
    struct pair pair;
    pair_setup(&pair);
    /* B again, with the filter. */
    static struct filtered f;
    memset(&f, 0, sizeof(f));
    prism_peer_destroy(pair.b.peer);
    struct prism_peer_params params = {.env = &pair.env_b,
                                       .context = pair.context,
                                       .controlling = false,
                                       .callbacks = &filtered_callbacks,
                                       .owner = &f};
    g_assert_cmpint(prism_peer_create(&pair.b.peer, &params), ==, 0);
    f.side.peer = pair.b.peer;
    pair.env.simulate_loss_out = 10; /* A loses every 10th packet it sends (kept for NACKs) */
    pair_negotiate(&pair);
    g_assert_true(pair_run_until(&pair, &pair.a.connected, 10));
    g_assert_true(pair_run_until(&pair, &f.side.connected, 10));

    uint8_t buf[1500];
    for (unsigned burst = 0; burst < PACKETS / 10; burst++) {
        for (unsigned i = 0; i < 10; i++) {
            uint16_t seq = (uint16_t)(FIRST_SEQ + burst * 10 + i);
            size_t len = pair_build_rtp(&pair, 1, seq, buf, sizeof(buf));
            g_assert_cmpint(prism_peer_send_rtp(pair.a.peer, 1, buf, len, sizeof(buf)), ==, 0);
        }
        pair_run_until_count(&pair, &f.side.rtp_received[1], (burst + 1) * 10 - 1, 10);
    }
    pair_run_for(&pair, 0.2); /* nothing more may come */

    struct prism_peer_stats a_stats, b_stats;
    prism_peer_get_stats(pair.a.peer, &a_stats);
    prism_peer_get_stats(pair.b.peer, &b_stats);
    /* Packets 9, 19, ..., 99 were lost; the last one has no later packet to reveal it. The
     * other nine were NACKed from clear headers and came back as RTX, decrypted. */
    g_assert_cmpuint(f.filter_calls, ==, 90);
    g_assert_cmpuint(f.retransmissions, ==, 9);
    g_assert_cmpuint(f.side.rtp_received[1], ==, 99);
    for (unsigned i = 0; i < PACKETS - 1; i++)
        g_assert_true(f.seen[i]);
    g_assert_false(f.seen[PACKETS - 1]);
    g_assert_cmpuint(b_stats.nacks_out, >, 0);
    g_assert_cmpuint(a_stats.nacks_in, >, 0);
    g_assert_cmpuint(a_stats.retransmissions_out, >=, 9);
    /* Exactly the chosen ones and the repairs were decrypted, all of them successfully (the
     * rollover counter followed the wrap with three packets in four never unprotected). */
    g_assert_cmpuint(f.wrong, ==, 0);
    g_assert_cmpuint(f.chosen, ==, 25); /* indexes 0, 4, ..., 96 (the lost ones are odd) */
    g_assert_cmpuint(f.decrypted, ==, f.chosen + 9);
    g_assert_cmpuint(f.undecrypted, ==, 90 - f.chosen);
    g_assert_cmpuint(b_stats.rtp_packets_undecrypted, ==, f.undecrypted);
    g_assert_cmpuint(b_stats.rtp_packets_in, ==, 99);
    g_assert_cmpuint(b_stats.rtp_bytes_in, ==, 90 * PLAIN_LEN + 9 * (PLAIN_LEN + 2));
    g_assert_cmpuint(b_stats.srtp_errors, ==, 0);
    g_assert_cmpuint(b_stats.dropped_packets, ==, 0);
    pair_teardown(&pair);
}

/* The server's path (no filter) is unchanged: every packet is decrypted. */
static void test_peer_without_filter_decrypts_everything(void)
{
    struct pair pair;
    pair_setup(&pair);
    pair_negotiate(&pair);
    g_assert_true(pair_run_until(&pair, &pair.a.connected, 10));
    g_assert_true(pair_run_until(&pair, &pair.b.connected, 10));
    uint8_t buf[1500];
    for (unsigned i = 0; i < 40; i++) {
        size_t len = pair_build_rtp(&pair, 1, (uint16_t)(FIRST_SEQ + i), buf, sizeof(buf));
        g_assert_cmpint(prism_peer_send_rtp(pair.a.peer, 1, buf, len, sizeof(buf)), ==, 0);
    }
    pair_run_until_count(&pair, &pair.b.rtp_received[1], 40, 10);
    struct prism_peer_stats stats;
    prism_peer_get_stats(pair.b.peer, &stats);
    g_assert_cmpuint(stats.rtp_packets_in, ==, 40);
    g_assert_cmpuint(stats.rtp_packets_undecrypted, ==, 0);
    g_assert_cmpuint(pair.b.last_payload[0], ==, (uint8_t)(FIRST_SEQ + 39));
    pair_teardown(&pair);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/peer/decrypt-filter/nacks-and-exactly-the-chosen-packets",
                    test_peer_decrypt_filter_keeps_nacks_and_decrypts_what_it_chose);
    g_test_add_func("/peer/decrypt-filter/none-decrypts-everything",
                    test_peer_without_filter_decrypts_everything);
    return g_test_run();
}
