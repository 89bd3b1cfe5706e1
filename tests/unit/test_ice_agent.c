/* Two real ICE agents in one process on 127.0.0.1: gathering, trickle through the callbacks,
 * connection, datagrams both ways, ICE restart with media flowing, destroy (also from inside
 * a callback) leaving no GSource behind, and callbacks on the worker's thread. */
#include "core/worker.h"
#include "ice_harness.h"
#include "media/ice/ice_internal.h"

#include <stdio.h>

#define PACKET_SIZE 1200

static void fill_packet(uint8_t *packet, size_t size, uint32_t seed)
{
    for (size_t i = 0; i < size; i++)
        packet[i] = (uint8_t)(seed * 31 + i * 7);
}

static bool received_at_least(void *data)
{
    struct peer **pair = data;
    return pair[0]->received >= 100 && pair[1]->received >= 100;
}

static void test_ice_agents_connect_over_loopback_and_carry_datagrams(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    struct peer a, b;
    peer_init(&a, "prism", context, &settings, false);
    peer_init(&b, "browser", context, &settings, true);
    g_assert_cmpint(prism_ice_send(a.ice, (const uint8_t *)"x", 1), ==, -ENOTCONN);
    g_assert_cmpstr(prism_ice_local_ufrag(a.ice), !=, prism_ice_local_ufrag(b.ice));
    peers_connect(context, &a, &b);

    /* host candidates only on 127.0.0.1, each trickled and added on the other side */
    g_assert_cmpuint(a.candidates->len, >=, 1);
    for (guint i = 0; i < a.candidates->len; i++) {
        const char *candidate = g_ptr_array_index(a.candidates, i);
        g_assert_true(g_str_has_prefix(candidate, "candidate:"));
        g_assert_nonnull(strstr(candidate, " UDP "));
        g_assert_nonnull(strstr(candidate, " 127.0.0.1 "));
        g_assert_nonnull(strstr(candidate, " typ host"));
        g_assert_cmpint(GPOINTER_TO_INT(g_ptr_array_index(a.trickle_results, i)), ==,
                        PRISM_ICE_CANDIDATE_ADDED);
    }
    g_assert_true(a.gathering_done && prism_ice_gathering_done(a.ice));
    g_assert_cmpint(a.states[0], ==, PRISM_ICE_CHECKING);
    g_assert_true(peer_went_through(&a, PRISM_ICE_CONNECTED));
    g_assert_false(peer_went_through(&a, PRISM_ICE_FAILED));
    g_assert_cmpint(prism_ice_get_state(a.ice), ==, PRISM_ICE_COMPLETED);
    char local[64], remote[64];
    g_assert_cmpint(
        prism_ice_get_selected_pair(a.ice, local, sizeof(local), remote, sizeof(remote)), ==, 0);
    g_assert_true(g_str_has_prefix(local, "127.0.0.1:") && g_str_has_suffix(local, "/udp"));
    g_assert_true(g_str_has_prefix(remote, "127.0.0.1:") && g_str_has_suffix(remote, "/udp"));

    /* in bursts of 10, well within the default socket receive buffer */
    uint8_t packet[PACKET_SIZE], expected[PACKET_SIZE];
    struct peer *pair[2] = {&a, &b};
    for (uint32_t i = 0; i < 100; i++) {
        fill_packet(packet, sizeof(packet), i);
        g_assert_cmpint(prism_ice_send(a.ice, packet, sizeof(packet)), ==, PACKET_SIZE);
        g_assert_cmpint(prism_ice_send(b.ice, packet, 100 + i), ==, 100 + (int)i);
        if (i % 10 == 9)
            pump_for(context, 0.01);
    }
    g_assert_true(pump_until(context, received_at_least, pair, 5));
    g_assert_cmpuint(b.received, ==, 100);
    g_assert_cmpuint(b.received_bytes, ==, 100 * PACKET_SIZE);
    fill_packet(expected, sizeof(expected), 99);
    g_assert_cmpmem(b.last, b.last_length, expected, sizeof(expected));
    g_assert_cmpuint(a.received, ==, 100);
    g_assert_cmpuint(a.received_bytes, ==, 100 * 100 + 99 * 100 / 2);
    g_assert_cmpmem(a.last, a.last_length, expected, 199);
    g_assert_cmpint(prism_ice_send(a.ice, packet, 65536), ==, -EMSGSIZE);

    peer_clear(&a);
    peer_clear(&b);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

static void test_ice_agent_destroyed_before_connecting_leaves_no_source(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    struct peer a;
    peer_init(&a, "lonely", context, &settings, false);
    g_assert_cmpint(prism_ice_gather(a.ice), ==, 0);
    g_assert_cmpint(prism_ice_gather(a.ice), ==, -EALREADY);
    g_assert_cmpint(prism_ice_set_remote_credentials(a.ice, "abcd", "0123456789012345678901"), ==,
                    0);
    const char *candidate = "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host";
    g_assert_cmpint(prism_ice_add_remote_candidate(a.ice, candidate, strlen(candidate)), ==,
                    PRISM_ICE_CANDIDATE_ADDED);
    pump_for(context, 0.1);
    g_assert_false(context_is_idle(context)); /* sockets and check timers are attached */
    peer_clear(&a);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

static void test_ice_agent_rejects_bad_parameters_and_credentials(void)
{
    struct prism_ice_settings settings = loopback_settings();
    struct prism_ice *ice = NULL;
    struct prism_ice_callbacks partial = peer_callbacks;
    partial.receive_cb = NULL;
    struct prism_ice_params params = {.settings = &settings, .callbacks = &partial};
    g_assert_cmpint(prism_ice_create(&ice, &params), ==, -EINVAL);
    params.callbacks = &peer_callbacks;
    params.settings = NULL;
    g_assert_cmpint(prism_ice_create(&ice, &params), ==, -EINVAL);
    g_assert_null(ice);

    GMainContext *context = g_main_context_new();
    struct peer a;
    peer_init(&a, "strict", context, &settings, false);
    g_assert_cmpint(prism_ice_set_remote_credentials(a.ice, "abc", "0123456789012345678901"), ==,
                    -EINVAL);
    g_assert_cmpint(prism_ice_set_remote_credentials(a.ice, "abcd", "short"), ==, -EINVAL);
    g_assert_cmpint(prism_ice_set_remote_credentials(a.ice, "abcd", "0123456789012345678901"), ==,
                    0);
    /* the same credentials again are no restart */
    const char *ufrag = prism_ice_local_ufrag(a.ice);
    char before[16];
    g_strlcpy(before, ufrag, sizeof(before));
    g_assert_cmpint(prism_ice_set_remote_credentials(a.ice, "abcd", "0123456789012345678901"), ==,
                    0);
    g_assert_cmpstr(prism_ice_local_ufrag(a.ice), ==, before);
    peer_clear(&a);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

/* A sender on the context: both peers send one numbered datagram every 2 ms. */
struct flow {
    struct peer *a, *b;
    uint32_t sent;
    uint32_t refused;            /* sends that failed */
    uint64_t a_target, b_target; /* for flowed_to: packets each side must have received */
};

/* Both sides received their target count: waited for rather than timed, since a busy machine
 * may run the 2 ms sender far less often. */
static bool flowed_to(void *data)
{
    struct flow *flow = data;
    return flow->a->received >= flow->a_target && flow->b->received >= flow->b_target;
}

static gboolean flow_tick_cb(gpointer data)
{
    struct flow *flow = data;
    uint8_t packet[200];
    fill_packet(packet, sizeof(packet), flow->sent++);
    if (prism_ice_send(flow->a->ice, packet, sizeof(packet)) != (int)sizeof(packet))
        flow->refused++;
    if (prism_ice_send(flow->b->ice, packet, sizeof(packet)) != (int)sizeof(packet))
        flow->refused++;
    return G_SOURCE_CONTINUE;
}

static void collect_candidate_cb(void *data, const char *candidate)
{
    g_ptr_array_add(data, g_strdup(candidate));
}

/* Hands `from`'s current candidates to `to`, as an offer or answer SDP would. */
static void give_candidates(struct peer *from, struct peer *to)
{
    GPtrArray *candidates = g_ptr_array_new_with_free_func(g_free);
    g_assert_cmpuint(prism_ice_foreach_local_candidate(from->ice, collect_candidate_cb, candidates),
                     >=, 1);
    for (guint i = 0; i < candidates->len; i++) {
        const char *candidate = g_ptr_array_index(candidates, i);
        g_assert_cmpint(prism_ice_add_remote_candidate(to->ice, candidate, strlen(candidate)), ==,
                        PRISM_ICE_CANDIDATE_ADDED);
    }
    g_ptr_array_unref(candidates);
    prism_ice_remote_gathering_done(to->ice);
}

static bool both_completed_again(void *data)
{
    struct peer **pair = data;
    return both_completed(data) && pair[0]->state_count > 3 && pair[1]->state_count > 3;
}

static void test_ice_restart_keeps_media_flowing(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    struct peer a, b;
    peer_init(&a, "prism", context, &settings, false);
    peer_init(&b, "browser", context, &settings, true);
    peers_connect(context, &a, &b);
    size_t states_before = a.state_count;
    g_assert_cmpuint(states_before, ==, 3); /* checking, connected, completed */

    struct flow flow = {.a = &a, .b = &b};
    GSource *sender = g_timeout_source_new(2);
    g_source_set_callback(sender, flow_tick_cb, &flow, NULL);
    g_source_attach(sender, context);
    flow.a_target = flow.b_target = 11;
    g_assert_true(pump_until(context, flowed_to, &flow, 10));
    uint64_t b_before = b.received;

    /* The browser offers an ICE restart: new credentials; Prism answers with new ones. */
    char old_ufrag[16], old_pwd[32];
    g_strlcpy(old_ufrag, prism_ice_local_ufrag(a.ice), sizeof(old_ufrag));
    g_strlcpy(old_pwd, prism_ice_local_pwd(a.ice), sizeof(old_pwd));
    a.trickle_to = b.trickle_to = NULL;
    g_assert_cmpint(prism_ice_restart(b.ice), ==, 0);
    g_assert_cmpint(prism_ice_set_remote_credentials(a.ice, prism_ice_local_ufrag(b.ice),
                                                     prism_ice_local_pwd(b.ice)),
                    ==, 1);
    g_assert_cmpstr(prism_ice_local_ufrag(a.ice), !=, old_ufrag);
    g_assert_cmpstr(prism_ice_local_pwd(a.ice), !=, old_pwd);
    g_assert_true(prism_ice_ufrag_valid(prism_ice_local_ufrag(a.ice)));
    give_candidates(&b, &a);
    pump_for(context, 0.1); /* the answer takes a round trip: media still flows meanwhile */
    g_assert_cmpint(prism_ice_set_remote_credentials(b.ice, prism_ice_local_ufrag(a.ice),
                                                     prism_ice_local_pwd(a.ice)),
                    ==, 0);
    give_candidates(&a, &b);

    struct peer *pair[2] = {&a, &b};
    g_assert_true(pump_until(context, both_completed_again, pair, 10));
    g_assert_cmpint(a.states[states_before], ==, PRISM_ICE_CHECKING);
    g_assert_false(peer_went_through(&a, PRISM_ICE_FAILED));
    g_assert_false(peer_went_through(&b, PRISM_ICE_FAILED));
    /* Media keeps flowing on the new pair. */
    flow.a_target = a.received + 11;
    flow.b_target = b_before + 101;
    g_assert_true(pump_until(context, flowed_to, &flow, 10));
    g_source_destroy(sender);
    g_source_unref(sender);
    g_assert_cmpuint(flow.refused, ==, 0); /* no send failed, before, during or after */
    /* loopback loses nothing: every datagram sent arrived */
    flow.a_target = flow.b_target = flow.sent;
    g_assert_true(pump_until(context, flowed_to, &flow, 5));
    pump_for(context, 0.05); /* and nothing more (no duplicates) */
    g_assert_cmpuint(a.received, ==, flow.sent);
    g_assert_cmpuint(b.received, ==, flow.sent);
    peer_clear(&a);
    peer_clear(&b);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

static bool received_one(void *data)
{
    return ((struct peer *)data)->destroyed;
}

static void test_ice_agent_destroyed_inside_its_receive_callback(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    struct peer a, b;
    peer_init(&a, "prism", context, &settings, false);
    peer_init(&b, "browser", context, &settings, true);
    peers_connect(context, &a, &b);
    a.destroy_on_receive = true;
    b.trickle_to = NULL;
    uint8_t packet[100] = {1};
    for (int i = 0; i < 10; i++)
        g_assert_cmpint(prism_ice_send(b.ice, packet, sizeof(packet)), ==, sizeof(packet));
    g_assert_true(pump_until(context, received_one, &a, 5));
    pump_for(context, 0.1);
    g_assert_cmpuint(a.received, ==, 1); /* the other nine found no callback */
    g_assert_cmpuint(a.callbacks_after_destroy, ==, 0);
    peer_clear(&a);
    peer_clear(&b);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

/* On a real worker: creation, gathering and destruction are posted to the worker, and every
 * callback must run on the worker's thread. */
struct worker_case {
    struct prism_worker *worker;
    struct prism_ice_settings settings;
    struct peer a, b;
    GThread *thread;
    gint completed; /* atomic */
};

static void worker_start_job(void *data)
{
    struct worker_case *c = data;
    c->thread = g_thread_self();
    GMainContext *context = prism_worker_context(c->worker);
    peer_init(&c->a, "prism", context, &c->settings, false);
    peer_init(&c->b, "browser", context, &c->settings, true);
    c->a.expected_thread = c->b.expected_thread = c->thread;
    peers_link(&c->a, &c->b);
    g_assert_cmpint(prism_ice_gather(c->a.ice), ==, 0);
    g_assert_cmpint(prism_ice_gather(c->b.ice), ==, 0);
}

static void worker_poll_job(void *data)
{
    struct worker_case *c = data;
    struct peer *pair[2] = {&c->a, &c->b};
    g_atomic_int_set(&c->completed, both_completed(pair));
}

static void worker_stop_job(void *data)
{
    struct worker_case *c = data;
    peer_clear(&c->a);
    peer_clear(&c->b);
}

static void test_ice_callbacks_run_on_the_worker_thread(void)
{
    struct prism_worker_pool *pool = NULL;
    g_assert_cmpint(prism_worker_pool_create(&pool, 1), ==, 0);
    struct worker_case c = {.settings = loopback_settings()};
    c.worker = prism_worker_pool_acquire(pool);
    prism_worker_run_sync(c.worker, worker_start_job, &c);
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!g_atomic_int_get(&c.completed) && g_get_monotonic_time() < deadline) {
        g_usleep(5000);
        prism_worker_run_sync(c.worker, worker_poll_job, &c);
    }
    g_assert_true(g_atomic_int_get(&c.completed));
    g_assert_true(c.thread != g_thread_self());
    prism_worker_run_sync(c.worker, worker_stop_job, &c);
    g_assert_false(c.a.wrong_thread);
    g_assert_false(c.b.wrong_thread);
    prism_worker_release(c.worker);
    prism_worker_pool_destroy(pool);
}

/* Informational: the cost of the receive path (libnice dispatch, recvmsg, our callback) on
 * one thread, measured apart from the sends that feed it. */
static void test_ice_receive_path_rate(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    struct peer a, b;
    peer_init(&a, "prism", context, &settings, false);
    peer_init(&b, "browser", context, &settings, true);
    peers_connect(context, &a, &b);
    uint8_t packet[PACKET_SIZE];
    fill_packet(packet, sizeof(packet), 1);
    enum { BURST = 64, BURSTS = 500 };
    gint64 sending = 0, receiving = 0;
    uint64_t expected = a.received;
    for (int burst = 0; burst < BURSTS; burst++) {
        gint64 t0 = g_get_monotonic_time();
        for (int i = 0; i < BURST; i++)
            g_assert_cmpint(prism_ice_send(b.ice, packet, sizeof(packet)), ==, PACKET_SIZE);
        gint64 t1 = g_get_monotonic_time();
        expected += BURST;
        while (a.received < expected && g_main_context_iteration(context, FALSE))
            ;
        gint64 t2 = g_get_monotonic_time();
        sending += t1 - t0;
        receiving += t2 - t1;
        if (a.received < expected)
            break; /* lost on the way: the rate is still fair for what arrived */
    }
    g_assert_cmpuint(a.received, >, 0);
    double packets = (double)a.received;
    g_test_message("send %.2f us/packet; receive %.2f us/packet (%.0f packets/s on one thread)",
                   (double)sending / (BURST * BURSTS), (double)receiving / packets,
                   packets / ((double)receiving / G_USEC_PER_SEC));
    peer_clear(&a);
    peer_clear(&b);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/agent/connects-over-loopback-and-carries-datagrams",
                    test_ice_agents_connect_over_loopback_and_carry_datagrams);
    g_test_add_func("/ice/agent/destroyed-before-connecting-leaves-no-source",
                    test_ice_agent_destroyed_before_connecting_leaves_no_source);
    g_test_add_func("/ice/agent/rejects-bad-parameters-and-credentials",
                    test_ice_agent_rejects_bad_parameters_and_credentials);
    g_test_add_func("/ice/agent/restart-keeps-media-flowing", test_ice_restart_keeps_media_flowing);
    g_test_add_func("/ice/agent/destroyed-inside-its-receive-callback",
                    test_ice_agent_destroyed_inside_its_receive_callback);
    g_test_add_func("/ice/agent/callbacks-run-on-the-worker-thread",
                    test_ice_callbacks_run_on_the_worker_thread);
    g_test_add_func("/ice/agent/receive-path-rate", test_ice_receive_path_rate);
    return g_test_run();
}
