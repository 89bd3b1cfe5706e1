/* Test rig for the light client ICE engine (media/iceclient): a client wired to Prism's own
 * ICE-lite engine as the server, datagrams carried by hand between the two with virtual time. */
#ifndef PRISM_TESTS_ICECLIENT_RIG_H
#define PRISM_TESTS_ICECLIENT_RIG_H

#include "icelite_client.h"
#include "media/iceclient/iceclient.h"

#define RIG_CLIENT_UFRAG "cufrag01"
#define RIG_CLIENT_PWD "clientpassword0123456789"
#define RIG_SERVER_UFRAG "sufrag01"
#define RIG_SERVER_PWD "serverpassword0123456789"

struct iceclient_rig {
    struct prism_iceclient client;
    struct prism_icelite *server;
    int owner; /* the server's PeerConnection */
    struct sockaddr_storage client_address, server_address;
};

static inline void rig_init(struct iceclient_rig *rig, bool controlling, const char *server_pwd)
{
    memset(rig, 0, sizeof(*rig));
    rig->server = icelite_engine_new();
    icelite_register(rig->server, &rig->owner, RIG_SERVER_UFRAG, server_pwd, RIG_CLIENT_UFRAG);
    rig->client_address = icelite_v4("127.0.0.1", 40000);
    rig->server_address = icelite_v4("127.0.0.1", 20000);
    prism_iceclient_init(&rig->client, controlling, 0x0102030405060708ull, 0x7effffffu);
    g_assert_cmpint(
        prism_iceclient_set_local_credentials(&rig->client, RIG_CLIENT_UFRAG, RIG_CLIENT_PWD), ==,
        0);
    g_assert_cmpint(
        prism_iceclient_set_remote_credentials(&rig->client, RIG_SERVER_UFRAG, RIG_SERVER_PWD), ==,
        0);
    g_assert_cmpint(prism_iceclient_add_remote(&rig->client,
                                               (struct sockaddr *)&rig->server_address,
                                               sizeof(struct sockaddr_in)),
                    ==, 0);
}

static inline void rig_clear(struct iceclient_rig *rig)
{
    prism_icelite_destroy(rig->server);
}

/* The client's next datagram due at `now_us` (asserting one is due and goes to the server). */
static inline size_t rig_poll(struct iceclient_rig *rig, uint64_t now_us, uint8_t *buf,
                              size_t capacity)
{
    struct sockaddr_storage to;
    socklen_t to_len = 0;
    size_t len = prism_iceclient_poll(&rig->client, now_us, buf, capacity, &to, &to_len);
    g_assert_cmpuint(len, >, 0);
    g_assert_true(icelite_same_addr(&to, &rig->server_address));
    return len;
}

/* Hands `data` to the server; returns its answer's length in `reply` (0 = none). */
static inline size_t rig_to_server(struct iceclient_rig *rig, const uint8_t *data, size_t len,
                                   uint64_t now_us, uint8_t *reply)
{
    struct prism_icelite_output out = icelite_feed(rig->server, data, len, &rig->client_address,
                                                   now_us, reply);
    return out.reply_len;
}

static inline enum prism_iceclient_verdict rig_to_client(struct iceclient_rig *rig,
                                                         const uint8_t *data, size_t len,
                                                         const struct sockaddr_storage *from,
                                                         uint64_t now_us,
                                                         struct prism_iceclient_output *out)
{
    return prism_iceclient_receive(&rig->client, data, len, (const struct sockaddr *)from,
                                   icelite_addr_len(from), now_us, out);
}

/* One check from the client, answered by the server and the answer read by the client. */
static inline enum prism_iceclient_verdict rig_round(struct iceclient_rig *rig, uint64_t now_us)
{
    uint8_t request[PRISM_ICECLIENT_DATAGRAM_MAX], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = rig_poll(rig, now_us, request, sizeof(request));
    size_t reply_len = rig_to_server(rig, request, len, now_us, reply);
    g_assert_cmpuint(reply_len, >, 0);
    struct prism_iceclient_output out = {0};
    return rig_to_client(rig, reply, reply_len, &rig->server_address, now_us, &out);
}

#endif
