/* The ICE-lite backend behind media/ice: one host candidate per address on the worker's port,
 * gathering done at once, remote candidates checked for syntax only, the remote's nomination
 * making the agent connected then completed, media both ways on the worker's socket, an ICE
 * restart with new credentials, an agent destroyed from its own callback, and no lite agent
 * without a worker socket. */
#include "media/ice/ice_internal.h"
#include "udp_harness.h"

#include <errno.h>

#define CLIENT_UFRAG "cliU"
#define CLIENT_PWD "clientPassword0123456789"

struct agent_probe {
    struct prism_loop *loop;
    struct prism_ice *ice;
    char candidates[4][160];
    int candidate_count, gathering_done, received;
    enum prism_ice_state states[8];
    int state_count;
    uint8_t last[64];
    size_t last_len;
    bool destroy_on_receive;
};

static void candidate_cb(void *owner, const char *candidate)
{
    struct agent_probe *probe = owner;
    g_assert_cmpint(probe->candidate_count, <, 4);
    g_strlcpy(probe->candidates[probe->candidate_count++], candidate, 160);
}

static void gathering_done_cb(void *owner)
{
    ((struct agent_probe *)owner)->gathering_done++;
}

static void state_cb(void *owner, enum prism_ice_state state)
{
    struct agent_probe *probe = owner;
    g_assert_cmpint(probe->state_count, <, 8);
    probe->states[probe->state_count++] = state;
}

static void receive_cb(void *owner, const uint8_t *data, size_t length, uint64_t now_us)
{
    struct agent_probe *probe = owner;
    probe->received++;
    probe->last_len = length < sizeof(probe->last) ? length : sizeof(probe->last);
    memcpy(probe->last, data, probe->last_len);
    prism_loop_stop(probe->loop);
    if (probe->destroy_on_receive) {
        prism_ice_destroy(probe->ice);
        probe->ice = NULL;
    }
}

static const struct prism_ice_callbacks callbacks = {
    .local_candidate_cb = candidate_cb,
    .gathering_done_cb = gathering_done_cb,
    .state_cb = state_cb,
    .receive_cb = receive_cb,
};

static const uint8_t media_packet[] = {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};

struct fixture {
    struct prism_ice_settings settings;
    struct prism_loop *loop;
    struct prism_udp_hub *hub;
    struct prism_udp_port *port;
    uint16_t port_number;
    struct agent_probe probe;
    int client;
    struct sockaddr_storage client_address;
};

static void fixture_open(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->port_number = udp_free_ports(1);
    struct prism_ice_settings_text text = {
        .interfaces = "127.0.0.1", .ice_mode = "lite", .udp_port = f->port_number};
    char error[128];
    g_assert_cmpint(prism_ice_settings_parse(&f->settings, &text, error, sizeof(error)), ==, 0);
    g_assert_true(f->settings.lite);
    g_assert_cmpint(prism_loop_create(&f->loop), ==, 0);
    struct prism_ip loopback = udp_loopback();
    g_assert_cmpint(prism_udp_hub_create(&f->hub, &loopback, 1, f->port_number), ==, 0);
    g_assert_cmpint(prism_udp_hub_port(f->hub, f->loop, 0, &f->port), ==, 0);
    f->probe.loop = f->loop;
    struct prism_ice_params params = {
        .settings = &f->settings,
        .udp_port = f->port,
        .controlling = true, /* ignored: a lite agent is always controlled */
        .callbacks = &callbacks,
        .owner = &f->probe,
    };
    g_assert_cmpint(prism_ice_create(&f->probe.ice, &params), ==, 0);
    f->client = udp_client_open(&f->client_address);
}

static void fixture_close(struct fixture *f)
{
    prism_ice_destroy(f->probe.ice);
    close(f->client);
    prism_loop_destroy(f->loop);
    prism_udp_hub_destroy(f->hub);
}

/* The client (controlling, as a browser facing a lite server) nominates and sends media. */
static void client_connects(struct fixture *f, const char *client_ufrag)
{
    struct icelite_client stun;
    icelite_client_init(&stun, prism_ice_local_ufrag(f->probe.ice), client_ufrag,
                        prism_ice_local_pwd(f->probe.ice));
    uint8_t check[256];
    size_t check_len = icelite_client_check(&stun, check, sizeof(check), true);
    udp_send_to(f->client, f->port_number, check, check_len);
    udp_send_to(f->client, f->port_number, media_packet, sizeof(media_packet));
    udp_run_loop(f->loop);
    uint8_t reply[PRISM_ICELITE_REPLY_MAX];
    size_t reply_len = udp_receive(f->client, reply, sizeof(reply));
    struct sockaddr_storage mapped;
    g_assert_cmpint(icelite_client_read(&stun, reply, reply_len, &mapped), ==,
                    STUN_USAGE_ICE_RETURN_SUCCESS);
}

static void test_ice_lite_gathers_one_host_candidate_at_once(void)
{
    struct fixture f;
    fixture_open(&f);
    g_assert_true(prism_ice_is_lite(f.probe.ice));
    g_assert_cmpint(prism_ice_gather(f.probe.ice), ==, 0);
    g_assert_cmpint(prism_ice_gather(f.probe.ice), ==, -EALREADY);
    g_assert_true(prism_ice_gathering_done(f.probe.ice));
    g_assert_cmpint(f.probe.gathering_done, ==, 1);
    g_assert_cmpint(f.probe.candidate_count, ==, 1);
    char expected[160];
    g_snprintf(expected, sizeof(expected), "candidate:1 1 udp 2130706431 127.0.0.1 %u typ host",
               f.port_number);
    g_assert_cmpstr(f.probe.candidates[0], ==, expected);

    const char *remote = "candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host";
    g_assert_cmpint(prism_ice_add_remote_candidate(f.probe.ice, remote, strlen(remote)), ==,
                    PRISM_ICE_CANDIDATE_UNUSED);
    const char *mdns = "candidate:2 1 udp 2122260223 7a1e3c9b-1d2f.local 5000 typ host";
    g_assert_cmpint(prism_ice_add_remote_candidate(f.probe.ice, mdns, strlen(mdns)), ==,
                    PRISM_ICE_CANDIDATE_MDNS);
    g_assert_cmpint(prism_ice_add_remote_candidate(f.probe.ice, "candidate:x", 11), ==,
                    PRISM_ICE_CANDIDATE_MALFORMED);
    prism_ice_remote_gathering_done(f.probe.ice);
    g_assert_cmpint(prism_ice_get_state(f.probe.ice), ==, PRISM_ICE_NEW);
    fixture_close(&f);
}

static void test_ice_lite_connects_on_nomination_and_carries_media(void)
{
    struct fixture f;
    fixture_open(&f);
    g_assert_cmpint(prism_ice_gather(f.probe.ice), ==, 0);
    g_assert_cmpint(prism_ice_set_remote_credentials(f.probe.ice, CLIENT_UFRAG, CLIENT_PWD), ==, 0);
    g_assert_cmpint(prism_ice_send(f.probe.ice, media_packet, sizeof(media_packet)), ==, -ENOTCONN);
    client_connects(&f, CLIENT_UFRAG);
    g_assert_cmpint(f.probe.state_count, ==, 2);
    g_assert_cmpint(f.probe.states[0], ==, PRISM_ICE_CONNECTED);
    g_assert_cmpint(f.probe.states[1], ==, PRISM_ICE_COMPLETED);
    g_assert_cmpmem(f.probe.last, f.probe.last_len, media_packet, sizeof(media_packet));

    static const uint8_t answer[] = {0x80, 0x6f, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4};
    g_assert_cmpint(prism_ice_send(f.probe.ice, answer, sizeof(answer)), ==, (int)sizeof(answer));
    uint8_t got[64];
    g_assert_cmpmem(got, udp_receive(f.client, got, sizeof(got)), answer, sizeof(answer));
    char local[64], remote[64], expected[64];
    g_assert_cmpint(
        prism_ice_get_selected_pair(f.probe.ice, local, sizeof(local), remote, sizeof(remote)), ==,
        0);
    g_snprintf(expected, sizeof(expected), "127.0.0.1:%u/udp", f.port_number);
    g_assert_cmpstr(local, ==, expected);
    g_snprintf(expected, sizeof(expected), "127.0.0.1:%u/udp",
               ntohs(((struct sockaddr_in *)&f.client_address)->sin_port));
    g_assert_cmpstr(remote, ==, expected);
    fixture_close(&f);
}

static void test_ice_lite_restart_takes_new_credentials(void)
{
    struct fixture f;
    fixture_open(&f);
    g_assert_cmpint(prism_ice_gather(f.probe.ice), ==, 0);
    g_assert_cmpint(prism_ice_set_remote_credentials(f.probe.ice, CLIENT_UFRAG, CLIENT_PWD), ==, 0);
    client_connects(&f, CLIENT_UFRAG);
    char old_ufrag[PRISM_ICE_UFRAG_LENGTH + 1];
    g_strlcpy(old_ufrag, prism_ice_local_ufrag(f.probe.ice), sizeof(old_ufrag));
    g_assert_cmpint(prism_ice_set_remote_credentials(f.probe.ice, "newU", "newClientPassword01234"),
                    ==, 1);
    g_assert_cmpstr(prism_ice_local_ufrag(f.probe.ice), !=, old_ufrag);
    /* Media still flows on the old selection, and checks with the new credentials work. */
    client_connects(&f, "newU");
    g_assert_cmpint(f.probe.received, ==, 2);
    g_assert_cmpint(prism_ice_get_state(f.probe.ice), ==, PRISM_ICE_COMPLETED);
    fixture_close(&f);
}

static void test_ice_lite_agent_destroyed_from_its_callback(void)
{
    struct fixture f;
    fixture_open(&f);
    g_assert_cmpint(prism_ice_gather(f.probe.ice), ==, 0);
    f.probe.destroy_on_receive = true;
    client_connects(&f, CLIENT_UFRAG);
    g_assert_null(f.probe.ice);
    struct prism_icelite_stats stats;
    prism_udp_port_stats(f.port, &stats);
    g_assert_cmpuint(stats.peers, ==, 0);
    fixture_close(&f);
}

static void test_ice_lite_needs_a_worker_socket(void)
{
    struct prism_ice_settings_text text = {.ice_mode = "lite", .udp_port = 20000};
    struct prism_ice_settings settings;
    char error[128];
    g_assert_cmpint(prism_ice_settings_parse(&settings, &text, error, sizeof(error)), ==, 0);
    struct agent_probe probe = {0};
    struct prism_ice_params params = {
        .settings = &settings, .callbacks = &callbacks, .owner = &probe};
    struct prism_ice *ice = NULL;
    g_assert_cmpint(prism_ice_create(&ice, &params), ==, -EINVAL);
    g_assert_null(ice);
    text.ice_mode = "half";
    g_assert_cmpint(prism_ice_settings_parse(&settings, &text, error, sizeof(error)), ==, -EINVAL);
    g_assert_nonnull(strstr(error, "ice_mode"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/lite/gathers-one-host-candidate-at-once",
                    test_ice_lite_gathers_one_host_candidate_at_once);
    g_test_add_func("/ice/lite/connects-on-nomination-and-carries-media",
                    test_ice_lite_connects_on_nomination_and_carries_media);
    g_test_add_func("/ice/lite/restart-takes-new-credentials",
                    test_ice_lite_restart_takes_new_credentials);
    g_test_add_func("/ice/lite/destroyed-from-its-callback",
                    test_ice_lite_agent_destroyed_from_its_callback);
    g_test_add_func("/ice/lite/needs-a-worker-socket", test_ice_lite_needs_a_worker_socket);
    return g_test_run();
}
