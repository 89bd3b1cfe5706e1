/* Test helper: a DTLS client and server, each with its own certificate,
 * connected through an in-memory "network" the test can drop from. */
#ifndef PRISM_TESTS_DTLS_PAIR_H
#define PRISM_TESTS_DTLS_PAIR_H

#include "media/dtls/dtls.h"

#include <glib.h>
#include <string.h>

struct dtls_pair {
    struct prism_dtls_cert *client_cert, *server_cert;
    struct prism_dtls_context *client_ctx, *server_ctx;
    struct prism_dtls *client, *server;
    uint64_t now;
    /* Datagrams moved client->server and server->client so far. */
    unsigned sent_by_client, sent_by_server;
};

/* Builds the pair; the fingerprints each side expects are the real ones
 * unless a wrong one is given. */
static inline void dtls_pair_init_with(struct dtls_pair *pair,
                                       const struct prism_dtls_config *config,
                                       const struct prism_dtls_fingerprint *client_expects,
                                       const struct prism_dtls_fingerprint *server_expects)
{
    memset(pair, 0, sizeof(*pair));
    pair->now = 1000000;
    g_assert_cmpint(prism_dtls_cert_generate(&pair->client_cert, "client"), ==, 0);
    g_assert_cmpint(prism_dtls_cert_generate(&pair->server_cert, "server"), ==, 0);
    g_assert_cmpint(prism_dtls_context_new(&pair->client_ctx, pair->client_cert, config), ==, 0);
    g_assert_cmpint(prism_dtls_context_new(&pair->server_ctx, pair->server_cert, config), ==, 0);
    if (!client_expects)
        client_expects = prism_dtls_cert_fingerprint(pair->server_cert);
    if (!server_expects)
        server_expects = prism_dtls_cert_fingerprint(pair->client_cert);
    g_assert_cmpint(
        prism_dtls_new(&pair->client, pair->client_ctx, PRISM_DTLS_ROLE_CLIENT, client_expects), ==,
        0);
    g_assert_cmpint(
        prism_dtls_new(&pair->server, pair->server_ctx, PRISM_DTLS_ROLE_SERVER, server_expects), ==,
        0);
}

static inline void dtls_pair_init(struct dtls_pair *pair)
{
    dtls_pair_init_with(pair, NULL, NULL, NULL);
}

static inline void dtls_pair_start(struct dtls_pair *pair)
{
    g_assert_cmpint(prism_dtls_start(pair->server, pair->now), ==, 0);
    g_assert_cmpint(prism_dtls_start(pair->client, pair->now), ==, 0);
}

static inline void dtls_pair_clear(struct dtls_pair *pair)
{
    prism_dtls_free(pair->client);
    prism_dtls_free(pair->server);
    prism_dtls_context_unref(pair->client_ctx);
    prism_dtls_context_unref(pair->server_ctx);
    prism_dtls_cert_unref(pair->client_cert);
    prism_dtls_cert_unref(pair->server_cert);
}

/* Moves every queued datagram of `from` to `to`; returns how many. Each
 * datagram is checked against the MTU given. */
static inline unsigned dtls_move(struct prism_dtls *from, struct prism_dtls *to, uint64_t now,
                                 size_t mtu)
{
    uint8_t buf[65536];
    unsigned moved = 0;
    int len;
    while ((len = prism_dtls_poll_output(from, buf, sizeof(buf))) > 0) {
        g_assert_cmpint(len, <=, (int)mtu);
        prism_dtls_receive(to, buf, (size_t)len, now);
        moved++;
    }
    g_assert_cmpint(len, ==, 0);
    return moved;
}

/* Discards every queued datagram of `conn`; returns how many. */
static inline unsigned dtls_drop(struct prism_dtls *conn)
{
    uint8_t buf[65536];
    unsigned dropped = 0;
    while (prism_dtls_poll_output(conn, buf, sizeof(buf)) > 0)
        dropped++;
    return dropped;
}

/* Shuttles datagrams both ways, at the same instant, until neither side has
 * anything to send. */
static inline void dtls_pair_run(struct dtls_pair *pair, size_t mtu)
{
    for (int round = 0; round < 20; round++) {
        unsigned a = dtls_move(pair->client, pair->server, pair->now, mtu);
        unsigned b = dtls_move(pair->server, pair->client, pair->now, mtu);
        pair->sent_by_client += a;
        pair->sent_by_server += b;
        if (a == 0 && b == 0)
            return;
    }
    g_assert_not_reached();
}

static inline void dtls_pair_connect(struct dtls_pair *pair)
{
    dtls_pair_start(pair);
    dtls_pair_run(pair, 1200);
    g_assert_cmpint(prism_dtls_state(pair->client), ==, PRISM_DTLS_STATE_CONNECTED);
    g_assert_cmpint(prism_dtls_state(pair->server), ==, PRISM_DTLS_STATE_CONNECTED);
}

#endif
