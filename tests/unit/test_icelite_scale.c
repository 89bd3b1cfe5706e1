/* ICE-lite engine with a worker's worth of PeerConnections: 10,000 registered, each checked and
 * nominated from its own address (IPv4 and IPv6 mixed), every check and every media datagram
 * attributed to the right owner through the hash tables, then all expiring at once. */
#include "icelite_client.h"

#include <stdio.h>

#define PEERS 10000

struct fixture {
    int owners[PEERS];
    char ufrags[PEERS][16];
    char pwds[PEERS][32];
    struct sockaddr_storage addresses[PEERS];
};

static void make_peer(struct fixture *f, size_t i)
{
    g_snprintf(f->ufrags[i], sizeof(f->ufrags[i]), "u%05zu", i);
    g_snprintf(f->pwds[i], sizeof(f->pwds[i]), "pwd%05zuxxxxxxxxxxxxxxxxxx", i);
    char ip[64];
    if (i % 2) {
        g_snprintf(ip, sizeof(ip), "10.%zu.%zu.1", i / 256, i % 256);
        f->addresses[i] = icelite_v4(ip, (uint16_t)(20000 + i % 1000));
    } else {
        g_snprintf(ip, sizeof(ip), "2001:db8::%zx", i);
        f->addresses[i] = icelite_v6(ip, 443);
    }
}

static void check_and_nominate(struct prism_icelite *engine, struct fixture *f, size_t i)
{
    struct icelite_client client;
    icelite_client_init(&client, f->ufrags[i], "remote", f->pwds[i]);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&client, request, sizeof(request), true);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &f->addresses[i], i,
                                                   reply);
    g_assert_true(out.owner == &f->owners[i]);
    struct sockaddr_storage mapped;
    g_assert_cmpint(icelite_client_read(&client, reply, out.reply_len, &mapped), ==,
                    STUN_USAGE_ICE_RETURN_SUCCESS);
    g_assert_true(icelite_same_addr(&mapped, &f->addresses[i]));
}

static void route_all(struct prism_icelite *engine, struct fixture *f)
{
    uint8_t rtp[64] = {0x80, 96}, reply[PRISM_ICELITE_REPLY_MAX];
    gint64 start = g_get_monotonic_time();
    for (int round = 0; round < 10; round++) {
        for (size_t i = 0; i < PEERS; i++) {
            struct prism_icelite_output out = icelite_feed(engine, rtp, sizeof(rtp),
                                                           &f->addresses[i], 0, reply);
            g_assert_true(out.owner == &f->owners[i]);
        }
    }
    /* Informational only (a busy machine must not fail a test): the cost per routed datagram. */
    g_test_message("routed %d datagrams among %d peers: %.0f ns each", 10 * PEERS, PEERS,
                   (double)(g_get_monotonic_time() - start) * 1000.0 / (10.0 * PEERS));
}

static void test_icelite_serves_ten_thousand_peers(void)
{
    struct fixture *f = g_new0(struct fixture, 1);
    struct prism_icelite *engine = icelite_engine_new();
    for (size_t i = 0; i < PEERS; i++) {
        make_peer(f, i);
        icelite_register(engine, &f->owners[i], f->ufrags[i], f->pwds[i], "remote");
    }
    for (size_t i = 0; i < PEERS; i++)
        check_and_nominate(engine, f, i);
    struct prism_icelite_event event;
    for (size_t i = 0; i < PEERS; i++) {
        g_assert_true(prism_icelite_poll_event(engine, &event));
        g_assert_cmpint(event.type, ==, PRISM_ICELITE_EVENT_SELECTED);
        g_assert_true(event.owner == &f->owners[i]);
    }
    g_assert_false(prism_icelite_poll_event(engine, &event));
    route_all(engine, f);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.peers, ==, PEERS);
    g_assert_cmpuint(stats.addresses, ==, PEERS);
    /* The first check was at t = 0 us, the last at t = PEERS - 1 us. */
    g_assert_cmpuint(prism_icelite_next_deadline(engine), ==,
                     PRISM_ICELITE_DEFAULT_CONSENT_TIMEOUT_US);
    prism_icelite_timeout(engine, PRISM_ICELITE_DEFAULT_CONSENT_TIMEOUT_US + PEERS / 2);
    size_t expired = 0;
    while (prism_icelite_poll_event(engine, &event)) {
        g_assert_cmpint(event.type, ==, PRISM_ICELITE_EVENT_EXPIRED);
        g_assert_true(event.owner == &f->owners[expired]); /* oldest check first */
        expired++;
    }
    g_assert_cmpuint(expired, ==, PEERS / 2 + 1);
    for (size_t i = 0; i < PEERS; i += 2)
        prism_icelite_unregister(engine, &f->owners[i]);
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.peers, ==, PEERS / 2);
    /* Left: peers 5001 to 9999 kept their address, and the odd ones among them are registered. */
    g_assert_cmpuint(stats.addresses, ==, 2500);
    prism_icelite_destroy(engine); /* frees the rest */
    g_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/icelite/serves-ten-thousand-peers", test_icelite_serves_ten_thousand_peers);
    return g_test_run();
}
