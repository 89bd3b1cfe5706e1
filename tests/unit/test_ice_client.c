/* The light client backend behind media/ice (settings->client, prism-bench's endpoints): one
 * socket on the worker's loop, one host candidate at once, remote candidates screened, checks
 * towards an ICE-lite agent of Prism on the same loop until both sides complete, media both
 * ways, an agent destroyed from its own callback, no ICE restart, and no client without a loop. */
#include "media/ice/ice_internal.h"
#include "udp_harness.h"

#include <errno.h>

struct probe {
    struct prism_loop *loop;
    struct prism_ice *ice;
    struct probe *other;
    char candidate[160];
    int candidate_count, gathering_done, received;
    bool completed, failed;
    bool destroy_on_receive;
};

static void candidate_cb(void *owner, const char *candidate)
{
    struct probe *probe = owner;
    probe->candidate_count++;
    g_strlcpy(probe->candidate, candidate, sizeof(probe->candidate));
}

static void gathering_done_cb(void *owner)
{
    ((struct probe *)owner)->gathering_done++;
}

static void state_cb(void *owner, enum prism_ice_state state)
{
    struct probe *probe = owner;
    probe->completed |= state == PRISM_ICE_COMPLETED;
    probe->failed |= state == PRISM_ICE_FAILED;
    if (probe->completed && probe->other->completed)
        prism_loop_stop(probe->loop);
}

static void receive_cb(void *owner, const uint8_t *data, size_t length, uint64_t now_us)
{
    struct probe *probe = owner;
    g_assert_cmpuint(length, ==, 4);
    g_assert_cmpmem(data, 2, "\x80\x60", 2);
    probe->received++;
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

struct fixture {
    struct prism_ice_settings lite, client;
    struct prism_loop *loop;
    struct prism_udp_hub *hub;
    struct prism_udp_port *port;
    struct probe server, bench;
};

static void settings(struct prism_ice_settings *out, const struct prism_ice_settings_text *text)
{
    char error[128];
    g_assert_cmpint(prism_ice_settings_parse(out, text, error, sizeof(error)), ==, 0);
}

static void fixture_open(struct fixture *f, bool bench_controlling)
{
    memset(f, 0, sizeof(*f));
    uint16_t port = udp_free_ports(1);
    settings(&f->lite, &(struct prism_ice_settings_text){
                           .interfaces = "127.0.0.1", .ice_mode = "lite", .udp_port = port});
    settings(&f->client, &(struct prism_ice_settings_text){.interfaces = "127.0.0.1",
                                                           .remote_networks = "127.0.0.0/8"});
    f->client.client = true;
    g_assert_cmpint(prism_loop_create(&f->loop), ==, 0);
    struct prism_ip loopback = udp_loopback();
    g_assert_cmpint(prism_udp_hub_create(&f->hub, &loopback, 1, port), ==, 0);
    g_assert_cmpint(prism_udp_hub_port(f->hub, f->loop, 0, &f->port), ==, 0);
    f->server = (struct probe){.loop = f->loop, .other = &f->bench};
    f->bench = (struct probe){.loop = f->loop, .other = &f->server};
    struct prism_ice_params server = {
        .settings = &f->lite, .udp_port = f->port, .callbacks = &callbacks, .owner = &f->server};
    g_assert_cmpint(prism_ice_create(&f->server.ice, &server), ==, 0);
    struct prism_ice_params bench = {.settings = &f->client,
                                     .loop = f->loop,
                                     .controlling = bench_controlling,
                                     .callbacks = &callbacks,
                                     .owner = &f->bench};
    g_assert_cmpint(prism_ice_create(&f->bench.ice, &bench), ==, 0);
}

static void fixture_close(struct fixture *f)
{
    prism_ice_destroy(f->bench.ice);
    prism_ice_destroy(f->server.ice);
    prism_loop_destroy(f->loop);
    prism_udp_hub_destroy(f->hub);
}

/* Gathering, the descriptions' credentials and candidates, then the loop until both complete. */
static void connect_both(struct fixture *f)
{
    g_assert_cmpint(prism_ice_gather(f->server.ice), ==, 0);
    g_assert_cmpint(prism_ice_gather(f->bench.ice), ==, 0);
    g_assert_true(prism_ice_gathering_done(f->bench.ice));
    g_assert_cmpint(f->bench.gathering_done, ==, 1);
    g_assert_cmpint(f->bench.candidate_count, ==, 1);
    g_assert_true(g_str_has_prefix(f->bench.candidate, "candidate:1 1 udp 2130706431 127.0.0.1 "));
    g_assert_false(prism_ice_is_lite(f->bench.ice));
    g_assert_cmpint(prism_ice_set_remote_credentials(f->server.ice,
                                                     prism_ice_local_ufrag(f->bench.ice),
                                                     prism_ice_local_pwd(f->bench.ice)),
                    ==, 0);
    g_assert_cmpint(prism_ice_set_remote_credentials(f->bench.ice,
                                                     prism_ice_local_ufrag(f->server.ice),
                                                     prism_ice_local_pwd(f->server.ice)),
                    ==, 0);
    g_assert_cmpint(prism_ice_add_remote_candidate(f->bench.ice, f->server.candidate,
                                                   strlen(f->server.candidate)),
                    ==, PRISM_ICE_CANDIDATE_ADDED);
    udp_run_loop(f->loop);
    g_assert_true(f->server.completed && f->bench.completed);
    g_assert_false(f->server.failed || f->bench.failed);
    g_assert_cmpint(prism_ice_get_state(f->bench.ice), ==, PRISM_ICE_COMPLETED);
}

static void send_and_receive(struct fixture *f, struct probe *from, struct probe *to)
{
    int received = to->received;
    g_assert_cmpint(prism_ice_send(from->ice, (const uint8_t *)"\x80\x60\x00\x01", 4), ==, 4);
    udp_run_loop(f->loop);
    g_assert_cmpint(to->received, ==, received + 1);
}

static void test_client_connects_to_a_lite_agent_and_carries_media(gconstpointer data)
{
    struct fixture f;
    fixture_open(&f, GPOINTER_TO_INT(data));
    g_assert_cmpint(prism_ice_send(f.bench.ice, (const uint8_t *)"\x80\x60\x00\x01", 4), ==,
                    -ENOTCONN);
    connect_both(&f);
    char local[64], remote[64];
    g_assert_cmpint(
        prism_ice_get_selected_pair(f.bench.ice, local, sizeof(local), remote, sizeof(remote)), ==,
        0);
    g_assert_true(g_str_has_prefix(local, "127.0.0.1:"));
    g_assert_true(g_str_has_prefix(remote, "127.0.0.1:"));
    send_and_receive(&f, &f.bench, &f.server);
    send_and_receive(&f, &f.server, &f.bench);
    /* Destroyed from its own receive callback: nothing of it runs afterwards. */
    f.bench.destroy_on_receive = true;
    send_and_receive(&f, &f.server, &f.bench);
    g_assert_null(f.bench.ice);
    fixture_close(&f);
}

static void test_client_screens_candidates_and_refuses_a_restart(void)
{
    struct fixture f;
    fixture_open(&f, true);
    g_assert_cmpint(prism_ice_gather(f.bench.ice), ==, 0);
    g_assert_cmpint(prism_ice_gather(f.bench.ice), ==, -EALREADY);
    static const char *const cases[][2] = {
        {"candidate:1 1 udp", "malformed"},
        {"candidate:1 1 udp 1 10.0.0.1 9 typ host", "filtered"},
        {"candidate:1 2 udp 1 127.0.0.1 9 typ host", "unused"},
        {"candidate:1 1 tcp 1 127.0.0.1 9 typ host tcptype passive", "unused"},
        {"candidate:1 1 udp 1 ::1 9 typ host", "unused"},
        {"candidate:1 1 udp 1 abc.local 9 typ host", "mdns"},
        {"candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n", "added"},
    };
    static const enum prism_ice_candidate_result expected[] = {
        PRISM_ICE_CANDIDATE_MALFORMED, PRISM_ICE_CANDIDATE_FILTERED, PRISM_ICE_CANDIDATE_UNUSED,
        PRISM_ICE_CANDIDATE_UNUSED,    PRISM_ICE_CANDIDATE_UNUSED,   PRISM_ICE_CANDIDATE_MDNS,
        PRISM_ICE_CANDIDATE_ADDED};
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_test_message("%s: %s", cases[i][1], cases[i][0]);
        g_assert_cmpint(
            prism_ice_add_remote_candidate(f.bench.ice, cases[i][0], strlen(cases[i][0])), ==,
            expected[i]);
    }
    g_assert_cmpint(
        prism_ice_set_remote_credentials(f.bench.ice, "ufrag1", "passwordpasswordpassword"), ==, 0);
    g_assert_cmpint(
        prism_ice_set_remote_credentials(f.bench.ice, "ufrag1", "passwordpasswordpassword"), ==, 0);
    g_assert_cmpint(
        prism_ice_set_remote_credentials(f.bench.ice, "ufrag2", "passwordpasswordpassword"), ==,
        -EIO);
    g_assert_cmpint(prism_ice_restart(f.bench.ice), ==, -EIO);
    fixture_close(&f);
}

static void test_client_needs_a_loop(void)
{
    struct prism_ice_settings client;
    settings(&client, &(struct prism_ice_settings_text){.interfaces = "127.0.0.1"});
    client.client = true;
    struct probe probe = {0};
    struct prism_ice_params params = {
        .settings = &client, .callbacks = &callbacks, .owner = &probe};
    struct prism_ice *ice = NULL;
    g_assert_cmpint(prism_ice_create(&ice, &params), ==, -EINVAL);
    g_assert_null(ice);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/ice/client/connects-as-offerer", GINT_TO_POINTER(1),
                         test_client_connects_to_a_lite_agent_and_carries_media);
    g_test_add_data_func("/ice/client/connects-as-answerer-after-a-role-conflict",
                         GINT_TO_POINTER(0),
                         test_client_connects_to_a_lite_agent_and_carries_media);
    g_test_add_func("/ice/client/screens-candidates-and-refuses-a-restart",
                    test_client_screens_candidates_and_refuses_a_restart);
    g_test_add_func("/ice/client/needs-a-loop", test_client_needs_a_loop);
    return g_test_run();
}
