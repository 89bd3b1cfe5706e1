/* A worker's shared UDP socket on a real loop and loopback sockets: a nominated check selects
 * the client's address and media reaches the link; garbage and checks with a wrong password
 * (from a stranger and from the selected address itself) are dropped without disturbing the
 * link; what a turn sends leaves at its end in one sendmmsg, in order; one port per worker on
 * consecutive ports; a port in use fails cleanly. */
#include "media/udp/worker_socket.h"
#include "udp_harness.h"

#include <errno.h>

#define SERVER_UFRAG "srvU"
#define SERVER_PWD "serverPassword0123456789"
#define CLIENT_UFRAG "cliU"

struct link_probe {
    struct prism_udp_link link; /* first: the callbacks get it back */
    struct prism_loop *loop;
    int selected, expired, received;
    uint8_t last[64];
    size_t last_len;
    uint64_t last_now_us;
    /* Answers each datagram with this many numbered ones, noting what had left by then. */
    unsigned answers;
    struct prism_udp_port *port;
    struct prism_udp_send_stats during;
};

static void probe_receive_cb(struct prism_udp_link *link, const uint8_t *data, size_t len,
                             uint64_t now_us)
{
    struct link_probe *probe = (struct link_probe *)link;
    probe->received++;
    probe->last_len = len < sizeof(probe->last) ? len : sizeof(probe->last);
    memcpy(probe->last, data, probe->last_len);
    probe->last_now_us = now_us;
    for (unsigned i = 0; i < probe->answers; i++) {
        uint8_t answer[] = {0x80, 0x6f, 0, (uint8_t)i, 0, 0, 0, 3, (uint8_t)i};
        g_assert_cmpint(prism_udp_link_send(link, answer, sizeof(answer)), ==, (int)sizeof(answer));
    }
    prism_udp_port_send_stats(probe->port, &probe->during);
    prism_loop_stop(probe->loop);
}

static void probe_selected_cb(struct prism_udp_link *link)
{
    ((struct link_probe *)link)->selected++;
}

static void probe_expired_cb(struct prism_udp_link *link)
{
    ((struct link_probe *)link)->expired++;
}

static const struct prism_udp_link_ops probe_ops = {
    .receive_cb = probe_receive_cb,
    .selected_cb = probe_selected_cb,
    .expired_cb = probe_expired_cb,
};

/* An RTP-looking datagram (RFC 7983: first byte 128..191). */
static const uint8_t media_packet[] = {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};

struct fixture {
    struct prism_loop *loop;
    struct prism_udp_hub *hub;
    struct prism_udp_port *port;
    uint16_t port_number;
    struct link_probe probe;
    int client;
    struct sockaddr_storage client_address;
    struct icelite_client stun;
};

static void fixture_open(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    g_assert_cmpint(prism_loop_create(&f->loop), ==, 0);
    f->port_number = udp_free_ports(2);
    struct prism_ip loopback = udp_loopback();
    g_assert_cmpint(prism_udp_hub_create(&f->hub, &loopback, 1, f->port_number), ==, 0);
    g_assert_cmpint(prism_udp_hub_port(f->hub, f->loop, 0, &f->port), ==, 0);
    f->probe.loop = f->loop;
    f->probe.port = f->port;
    struct prism_icelite_credentials credentials = {SERVER_UFRAG, SERVER_PWD, NULL};
    g_assert_cmpint(prism_udp_link_open(f->port, &f->probe.link, &probe_ops, &credentials), ==, 0);
    f->client = udp_client_open(&f->client_address);
    icelite_client_init(&f->stun, SERVER_UFRAG, CLIENT_UFRAG, SERVER_PWD);
}

static void fixture_close(struct fixture *f)
{
    prism_udp_link_close(&f->probe.link);
    close(f->client);
    prism_loop_destroy(f->loop);
    prism_udp_hub_destroy(f->hub);
}

/* The client checks with USE-CANDIDATE and sends media; both come in one loop turn or two. */
static void connect_client(struct fixture *f)
{
    uint8_t check[256];
    size_t check_len = icelite_client_check(&f->stun, check, sizeof(check), true);
    udp_send_to(f->client, f->port_number, check, check_len);
    udp_send_to(f->client, f->port_number, media_packet, sizeof(media_packet));
    udp_run_loop(f->loop);
    uint8_t reply[PRISM_ICELITE_REPLY_MAX];
    size_t reply_len = udp_receive(f->client, reply, sizeof(reply));
    g_assert_cmpuint(reply_len, >, 0);
    struct sockaddr_storage mapped;
    g_assert_cmpint(icelite_client_read(&f->stun, reply, reply_len, &mapped), ==,
                    STUN_USAGE_ICE_RETURN_SUCCESS);
    g_assert_true(icelite_same_addr(&mapped, &f->client_address));
}

static void test_udp_port_selects_checked_address_and_routes_media(void)
{
    struct fixture f;
    fixture_open(&f);
    g_assert_cmpint(prism_udp_link_send(&f.probe.link, media_packet, sizeof(media_packet)), ==,
                    -ENOTCONN);
    connect_client(&f);
    g_assert_cmpint(f.probe.selected, ==, 1);
    g_assert_cmpint(f.probe.received, ==, 1);
    g_assert_cmpmem(f.probe.last, f.probe.last_len, media_packet, sizeof(media_packet));
    g_assert_true(icelite_same_addr(&f.probe.link.remote, &f.client_address));

    static const uint8_t answer[] = {0x80, 0x6f, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4};
    g_assert_cmpint(prism_udp_link_send(&f.probe.link, answer, sizeof(answer)), ==,
                    (int)sizeof(answer));
    uint8_t got[64];
    g_assert_cmpmem(got, udp_receive(f.client, got, sizeof(got)), answer, sizeof(answer));

    struct prism_udp_local locals[2];
    g_assert_cmpuint(prism_udp_port_locals(f.port, locals, 2), ==, 1);
    g_assert_cmpuint(locals[0].port, ==, f.port_number);
    fixture_close(&f);
}

static void test_udp_port_drops_garbage_and_wrong_password(void)
{
    struct fixture f;
    fixture_open(&f);
    connect_client(&f);
    struct sockaddr_storage stranger_address;
    int stranger = udp_client_open(&stranger_address);
    struct icelite_client forger;
    icelite_client_init(&forger, SERVER_UFRAG, CLIENT_UFRAG, "wrongPassword0123456789x");
    uint8_t forged[256];
    size_t forged_len = icelite_client_check(&forger, forged, sizeof(forged), true);
    static const uint8_t garbage[] = {0xff, 0x00, 0x13, 0x37, 0x42};

    /* A stranger sends media-looking garbage, plain garbage and a forged nomination. */
    udp_send_to(stranger, f.port_number, media_packet, sizeof(media_packet));
    udp_send_to(stranger, f.port_number, garbage, sizeof(garbage));
    udp_send_to(stranger, f.port_number, forged, forged_len);
    /* The selected address itself sends garbage and a check signed with the wrong password. */
    udp_send_to(f.client, f.port_number, garbage, sizeof(garbage));
    udp_send_to(f.client, f.port_number, forged, forged_len);
    /* Then real media still arrives. */
    static const uint8_t later[] = {0x80, 0x60, 0, 9, 0, 0, 0, 9, 9, 9, 9, 9};
    udp_send_to(f.client, f.port_number, later, sizeof(later));
    while (f.probe.received < 2)
        udp_run_loop(f.loop);

    g_assert_cmpint(f.probe.received, ==, 2);
    g_assert_cmpmem(f.probe.last, f.probe.last_len, later, sizeof(later));
    g_assert_cmpint(f.probe.selected, ==, 1);
    g_assert_cmpint(f.probe.expired, ==, 0);
    g_assert_true(icelite_same_addr(&f.probe.link.remote, &f.client_address));
    uint8_t reply[PRISM_ICELITE_REPLY_MAX];
    size_t reply_len = udp_receive(stranger, reply, sizeof(reply));
    g_assert_cmpint(icelite_reply_error_code(&forger.agent, reply, reply_len), ==, 401);
    struct prism_icelite_stats stats;
    prism_udp_port_stats(f.port, &stats);
    g_assert_cmpuint(stats.unauthorized, ==, 2);
    g_assert_cmpuint(stats.media_unknown, ==, 3);
    g_assert_cmpuint(stats.media_routed, ==, 2);
    g_assert_cmpuint(stats.nominations, ==, 1);
    close(stranger);
    fixture_close(&f);
}

/* A fan-out: five datagrams sent while one received datagram is handled stay queued until the
 * turn ends, then leave in one call, in order. */
static void test_udp_port_sends_a_turn_in_one_batch(void)
{
    struct fixture f;
    fixture_open(&f);
    connect_client(&f);
    g_assert_cmpuint(f.probe.last_now_us, ==, prism_loop_now_us(f.loop));
    struct prism_udp_send_stats before;
    prism_udp_port_send_stats(f.port, &before);
    f.probe.answers = 5;
    udp_send_to(f.client, f.port_number, media_packet, sizeof(media_packet));
    while (f.probe.received < 2)
        udp_run_loop(f.loop);

    g_assert_cmpuint(f.probe.during.sent, ==, before.sent); /* nothing left inside the turn */
    struct prism_udp_send_stats after;
    prism_udp_port_send_stats(f.port, &after);
    g_assert_cmpuint(after.sent - before.sent, ==, 5);
    g_assert_cmpuint(after.calls - before.calls, ==, 1);
    g_assert_cmpuint(after.dropped, ==, 0);
    for (unsigned i = 0; i < 5; i++) {
        uint8_t got[64];
        g_assert_cmpuint(udp_receive(f.client, got, sizeof(got)), ==, 9);
        g_assert_cmpuint(got[8], ==, i);
    }
    fixture_close(&f);
}

static void test_udp_hub_gives_each_worker_its_port(void)
{
    struct fixture f;
    fixture_open(&f);
    struct prism_loop *other_loop;
    g_assert_cmpint(prism_loop_create(&other_loop), ==, 0);
    struct prism_udp_port *second = NULL, *again = NULL;
    g_assert_cmpint(prism_udp_hub_port(f.hub, other_loop, 1, &second), ==, 0);
    g_assert_true(second != f.port);
    struct prism_udp_local local;
    g_assert_cmpuint(prism_udp_port_locals(second, &local, 1), ==, 1);
    g_assert_cmpuint(local.port, ==, f.port_number + 1);
    g_assert_cmpint(prism_udp_hub_port(f.hub, f.loop, 0, &again), ==, 0);
    g_assert_true(again == f.port);
    g_assert_cmpint(prism_udp_hub_port(f.hub, other_loop, 0, &again), ==, -EINVAL);
    g_assert_cmpint(prism_udp_hub_port(f.hub, NULL, 2, &again), ==, -EINVAL);
    prism_loop_destroy(other_loop);
    fixture_close(&f);
}

static void test_udp_hub_reports_a_port_in_use(void)
{
    uint16_t base = udp_free_ports(1);
    struct sockaddr_storage taken = icelite_v4("127.0.0.1", base);
    int squatter = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(squatter, (struct sockaddr *)&taken, sizeof(struct sockaddr_in)), ==, 0);
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    struct prism_udp_hub *hub;
    struct prism_ip loopback = udp_loopback();
    g_assert_cmpint(prism_udp_hub_create(&hub, &loopback, 1, base), ==, 0);
    struct prism_udp_port *port = NULL;
    g_assert_cmpint(prism_udp_hub_port(hub, loop, 0, &port), ==, -EADDRINUSE);
    g_assert_null(port);
    prism_loop_destroy(loop);
    prism_udp_hub_destroy(hub);
    close(squatter);
    g_assert_cmpint(prism_udp_hub_create(&hub, &loopback, 0, base), ==, -EINVAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/udp/port/selects-checked-address-and-routes-media",
                    test_udp_port_selects_checked_address_and_routes_media);
    g_test_add_func("/udp/port/drops-garbage-and-wrong-password",
                    test_udp_port_drops_garbage_and_wrong_password);
    g_test_add_func("/udp/port/sends-a-turn-in-one-batch", test_udp_port_sends_a_turn_in_one_batch);
    g_test_add_func("/udp/hub/each-worker-its-port", test_udp_hub_gives_each_worker_its_port);
    g_test_add_func("/udp/hub/port-in-use", test_udp_hub_reports_a_port_in_use);
    return g_test_run();
}
