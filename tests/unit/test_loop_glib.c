/* A GMainContext nested under the epoll loop: GLib timeouts and idle sources
 * in order, a GSocket source reading datagrams, the loop's own wake-ups not
 * iterating GLib, sources attached from the loop's own callbacks noticed,
 * a descriptor number closed and reused between two queries, and a real
 * libnice agent pair connecting and carrying datagrams on the nested context.
 * Each wait is bounded by a guard timer that fails the test. */
#include "core/loop.h"

#include <gio/gio.h>
#include <nice/agent.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void guard_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    g_error("%s: the awaited event never came", (const char *)data);
}

/* Runs the loop until a callback stops it, failing after `seconds`. */
static void run_guarded(struct prism_loop *loop, unsigned seconds, const char *what)
{
    struct prism_timer guard;
    prism_timer_init(&guard, guard_cb, (void *)what);
    prism_loop_timer_arm(loop, &guard, prism_loop_clock_us() + seconds * 1000000ull);
    g_assert_cmpint(prism_loop_run(loop), ==, 0);
    prism_loop_timer_cancel(loop, &guard);
}

struct glib_order {
    struct prism_loop *loop;
    GString *order;
    size_t stop_at;
};

struct tagged {
    struct glib_order *state;
    char tag;
};

static gboolean tagged_cb(gpointer data)
{
    struct tagged *tagged = data;
    g_string_append_c(tagged->state->order, tagged->tag);
    if (tagged->state->order->len == tagged->state->stop_at)
        prism_loop_stop(tagged->state->loop);
    return G_SOURCE_REMOVE;
}

static void attach_timeout(GMainContext *context, guint ms, struct tagged *tagged)
{
    GSource *source = ms ? g_timeout_source_new(ms) : g_idle_source_new();
    g_source_set_callback(source, tagged_cb, tagged, NULL);
    g_source_attach(source, context);
    g_source_unref(source);
}

static void test_loop_glib_timeouts_and_idle_fire_in_order(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    GMainContext *context = prism_loop_glib_context(loop);
    g_assert_nonnull(context);
    struct glib_order state = {loop, g_string_new(NULL), 4};
    /* Attached in deadline order: a thread starved past 60 ms finds all three due in one
     * iteration, and GLib then dispatches them in the order they were attached. */
    struct tagged tags[4] = {{&state, 'i'}, {&state, 'a'}, {&state, 'b'}, {&state, 'c'}};
    attach_timeout(context, 0, &tags[0]);
    attach_timeout(context, 20, &tags[1]);
    attach_timeout(context, 40, &tags[2]);
    attach_timeout(context, 60, &tags[3]);
    uint64_t start = prism_loop_clock_us();
    run_guarded(loop, 5, "GLib timeouts");
    /* The idle source runs first unless the thread was starved past 20 ms, when the
     * timeouts' higher priority puts them ahead: only the timeouts' order is fixed. */
    GString *timeouts = g_string_new(NULL);
    for (const char *tag = state.order->str; *tag; tag++)
        if (*tag != 'i')
            g_string_append_c(timeouts, *tag);
    g_assert_cmpstr(timeouts->str, ==, "abc");
    g_assert_cmpuint(state.order->len, ==, 4);
    g_string_free(timeouts, TRUE);
    g_assert_cmpuint(prism_loop_clock_us() - start, >=, 60000);
    /* a handful of iterations, not a spin until the last timeout */
    g_assert_cmpuint(prism_loop_glib_iterations(loop), <=, 12);
    g_string_free(state.order, TRUE);
    prism_loop_destroy(loop);
}

static GSocket *udp_socket(void)
{
    GSocket *socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                   G_SOCKET_PROTOCOL_UDP, NULL);
    g_assert_nonnull(socket);
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *address = g_inet_socket_address_new(loopback, 0);
    g_assert_true(g_socket_bind(socket, address, FALSE, NULL));
    g_object_unref(address);
    g_object_unref(loopback);
    g_socket_set_blocking(socket, FALSE);
    return socket;
}

static void send_to(GSocket *from, GSocket *to, const char *text)
{
    GSocketAddress *address = g_socket_get_local_address(to, NULL);
    g_assert_cmpint(g_socket_send_to(from, address, text, strlen(text), NULL, NULL), ==,
                    (gssize)strlen(text));
    g_object_unref(address);
}

struct receiver {
    struct prism_loop *loop;
    GSocket *socket;
    GSource *source;
    unsigned received, stop_at;
};

static gboolean receive_cb(GSocket *socket, GIOCondition condition, gpointer data)
{
    struct receiver *receiver = data;
    char buffer[64];
    while (g_socket_receive(socket, buffer, sizeof(buffer), NULL, NULL) > 0)
        receiver->received++;
    if (receiver->received >= receiver->stop_at)
        prism_loop_stop(receiver->loop);
    return G_SOURCE_CONTINUE;
}

static void receiver_watch(struct receiver *receiver, GMainContext *context)
{
    receiver->source = g_socket_create_source(receiver->socket, G_IO_IN, NULL);
    g_source_set_callback(receiver->source, G_SOURCE_FUNC(receive_cb), receiver, NULL);
    g_source_attach(receiver->source, context);
}

static void receiver_close(struct receiver *receiver)
{
    g_source_destroy(receiver->source);
    g_source_unref(receiver->source);
    g_object_unref(receiver->socket);
}

struct sender {
    struct prism_timer timer;
    struct prism_loop *loop;
    GSocket *socket, *to;
    unsigned left;
};

static void send_tick_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct sender *sender = data;
    send_to(sender->socket, sender->to, "datagram");
    if (--sender->left)
        prism_loop_timer_arm(sender->loop, timer, now_us + 500);
}

struct ping {
    int pair[2];
    unsigned left;
};

static void ping_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us, void *data)
{
    struct ping *ping = data;
    char byte;
    g_assert_cmpint(read(fd, &byte, 1), ==, 1);
    if (--ping->left == 0)
        prism_loop_stop(loop);
    else
        g_assert_cmpint(write(ping->pair[1], "p", 1), ==, 1);
}

/* Datagrams through a GSocket source; then 500 wake-ups of the loop's own
 * descriptor while GLib holds an idle socket and a far timeout: GLib is not
 * iterated for them. */
static void test_loop_glib_socket_source_and_own_wakeups_leave_glib_alone(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    GMainContext *context = prism_loop_glib_context(loop);
    struct receiver receiver = {.loop = loop, .socket = udp_socket(), .stop_at = 50};
    receiver_watch(&receiver, context);
    struct sender sender = {
        .loop = loop, .socket = udp_socket(), .to = receiver.socket, .left = 50};
    prism_timer_init(&sender.timer, send_tick_cb, &sender);
    prism_loop_timer_arm(loop, &sender.timer, prism_loop_clock_us());
    run_guarded(loop, 5, "datagrams on the GSocket source");
    g_assert_cmpuint(receiver.received, ==, 50);

    struct tagged far = {NULL, 'f'};
    attach_timeout(context, 600000, &far);
    struct ping ping = {.left = 500};
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, ping.pair), ==, 0);
    prism_loop_add_fd(loop, ping.pair[0], EPOLLIN, ping_cb, &ping);
    g_assert_cmpint(write(ping.pair[1], "p", 1), ==, 1);
    run_guarded(loop, 5, "own wake-ups"); /* GLib's wake-up from the attach: a few */
    uint64_t before = prism_loop_glib_iterations(loop);
    ping.left = 500;
    g_assert_cmpint(write(ping.pair[1], "p", 1), ==, 1);
    run_guarded(loop, 5, "own wake-ups");
    g_assert_cmpuint(prism_loop_glib_iterations(loop), ==, before);

    prism_loop_remove_fd(loop, ping.pair[0]);
    close(ping.pair[0]);
    close(ping.pair[1]);
    receiver_close(&receiver);
    g_object_unref(sender.socket);
    prism_loop_destroy(loop);
}

struct swap {
    struct prism_timer timer;
    struct prism_loop *loop;
    GMainContext *context;
    struct receiver *receiver;
    GSocket *sender;
    int old_fd, new_fd;
};

/* In one callback of the loop (no GLib iteration in between): close the
 * watched socket, open another that gets the same descriptor number, watch
 * it and send to it. The kernel dropped the old registration with the old
 * socket; the loop must register the new one although the number is the same. */
static void swap_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct swap *swap = data;
    swap->old_fd = g_socket_get_fd(swap->receiver->socket);
    receiver_close(swap->receiver);
    swap->receiver->socket = udp_socket();
    swap->new_fd = g_socket_get_fd(swap->receiver->socket);
    receiver_watch(swap->receiver, swap->context);
    send_to(swap->sender, swap->receiver->socket, "after swap");
}

struct attach_later {
    struct prism_timer timer;
    GMainContext *context;
    struct tagged *tagged;
};

static void attach_later_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct attach_later *later = data;
    attach_timeout(later->context, 5, later->tagged);
}

static void test_loop_glib_notices_sources_added_by_own_callbacks_and_reused_fds(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    GMainContext *context = prism_loop_glib_context(loop);
    struct receiver receiver = {.loop = loop, .socket = udp_socket(), .stop_at = 1};
    receiver_watch(&receiver, context);
    GSocket *sender = udp_socket();
    send_to(sender, receiver.socket, "before swap");
    run_guarded(loop, 5, "first datagram");

    struct swap swap = {.loop = loop, .context = context, .receiver = &receiver, .sender = sender};
    prism_timer_init(&swap.timer, swap_cb, &swap);
    prism_loop_timer_arm(loop, &swap.timer, prism_loop_clock_us() + 1000);
    receiver.received = 0;
    run_guarded(loop, 5, "datagram on the reused descriptor");
    g_assert_cmpuint(receiver.received, ==, 1);
    g_assert_cmpint(swap.new_fd, ==, swap.old_fd); /* the case this test is about */

    /* a timeout without descriptors attached from the loop's own timer: no
     * descriptor is added, only the ownerless-polling wake-up tells the loop */
    struct glib_order state = {loop, g_string_new(NULL), 1};
    struct tagged soon = {&state, 's'};
    struct attach_later later = {.context = context, .tagged = &soon};
    prism_timer_init(&later.timer, attach_later_cb, &later);
    prism_loop_timer_arm(loop, &later.timer, prism_loop_clock_us() + 1000);
    run_guarded(loop, 5, "timeout attached from the loop's own callback");
    g_assert_cmpstr(state.order->str, ==, "s");
    g_string_free(state.order, TRUE);
    receiver_close(&receiver);
    g_object_unref(sender);
    prism_loop_destroy(loop);
}

/* Two libnice agents, each on the nested context of one loop. */
struct nice_side {
    NiceAgent *agent;
    guint stream;
    bool gathered, connected;
    unsigned received;
};

struct nice_pair {
    struct prism_loop *loop;
    struct nice_side side[2];
    GThread *loop_thread;
    bool wrong_thread;
    enum { GATHERING, CONNECTING, CARRYING } phase;
    unsigned wanted;
};

static void nice_check_stop(struct nice_pair *pair)
{
    if (g_thread_self() != pair->loop_thread)
        pair->wrong_thread = true;
    bool gathered = pair->side[0].gathered && pair->side[1].gathered;
    bool connected = pair->side[0].connected && pair->side[1].connected;
    bool received = pair->side[1].received >= pair->wanted;
    if ((pair->phase == GATHERING && gathered) || (pair->phase == CONNECTING && connected) ||
        (pair->phase == CARRYING && received))
        prism_loop_stop(pair->loop);
}

static void nice_gathered_cb(NiceAgent *agent, guint stream, gpointer data)
{
    struct nice_pair *pair = data;
    pair->side[agent == pair->side[0].agent ? 0 : 1].gathered = true;
    nice_check_stop(pair);
}

static void nice_state_cb(NiceAgent *agent, guint stream, guint component, guint state,
                          gpointer data)
{
    struct nice_pair *pair = data;
    if (state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY)
        pair->side[agent == pair->side[0].agent ? 0 : 1].connected = true;
    g_assert_cmpuint(state, !=, NICE_COMPONENT_STATE_FAILED);
    nice_check_stop(pair);
}

static void nice_receive_cb(NiceAgent *agent, guint stream, guint component, guint length,
                            gchar *buffer, gpointer data)
{
    struct nice_pair *pair = data;
    if (length == 4 && memcmp(buffer, "rtp!", 4) == 0)
        pair->side[agent == pair->side[0].agent ? 0 : 1].received++;
    nice_check_stop(pair);
}

static void nice_side_init(struct nice_pair *pair, int index, GMainContext *context)
{
    struct nice_side *side = &pair->side[index];
    side->agent = nice_agent_new(context, NICE_COMPATIBILITY_RFC5245);
    g_object_set(side->agent, "controlling-mode", index == 0, "ice-tcp", FALSE, "upnp", FALSE,
                 NULL);
    NiceAddress address;
    nice_address_init(&address);
    g_assert_true(nice_address_set_from_string(&address, "127.0.0.1"));
    nice_agent_add_local_address(side->agent, &address);
    g_signal_connect(side->agent, "candidate-gathering-done", G_CALLBACK(nice_gathered_cb), pair);
    g_signal_connect(side->agent, "component-state-changed", G_CALLBACK(nice_state_cb), pair);
    side->stream = nice_agent_add_stream(side->agent, 1);
    g_assert_cmpuint(side->stream, >, 0);
    nice_agent_attach_recv(side->agent, side->stream, 1, context, nice_receive_cb, pair);
    g_assert_true(nice_agent_gather_candidates(side->agent, side->stream));
}

static void nice_tell(struct nice_side *from, struct nice_side *to)
{
    gchar *ufrag, *password;
    g_assert_true(nice_agent_get_local_credentials(from->agent, from->stream, &ufrag, &password));
    g_assert_true(nice_agent_set_remote_credentials(to->agent, to->stream, ufrag, password));
    g_free(ufrag);
    g_free(password);
    GSList *candidates = nice_agent_get_local_candidates(from->agent, from->stream, 1);
    g_assert_nonnull(candidates);
    g_assert_cmpint(nice_agent_set_remote_candidates(to->agent, to->stream, 1, candidates), >, 0);
    g_slist_free_full(candidates, (GDestroyNotify)nice_candidate_free);
}

struct nice_sender {
    struct prism_timer timer;
    struct nice_pair *pair;
    unsigned left;
};

static void nice_send_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct nice_sender *sender = data;
    struct nice_side *side = &sender->pair->side[0];
    g_assert_cmpint(nice_agent_send(side->agent, side->stream, 1, 4, "rtp!"), ==, 4);
    if (--sender->left)
        prism_loop_timer_arm(sender->pair->loop, timer, now_us + 1000);
}

static void test_loop_glib_drives_a_libnice_agent_pair(void)
{
    struct nice_pair pair = {.loop_thread = g_thread_self()};
    g_assert_cmpint(prism_loop_create(&pair.loop), ==, 0);
    GMainContext *context = prism_loop_glib_context(pair.loop);
    nice_side_init(&pair, 0, context);
    nice_side_init(&pair, 1, context);
    run_guarded(pair.loop, 10, "gathering");
    pair.phase = CONNECTING;
    nice_tell(&pair.side[0], &pair.side[1]);
    nice_tell(&pair.side[1], &pair.side[0]);
    run_guarded(pair.loop, 10, "connectivity checks");
    g_assert_true(pair.side[0].connected && pair.side[1].connected);

    pair.phase = CARRYING;
    pair.wanted = 100;
    struct nice_sender sender = {.pair = &pair, .left = 100};
    prism_timer_init(&sender.timer, nice_send_cb, &sender);
    prism_loop_timer_arm(pair.loop, &sender.timer, prism_loop_clock_us());
    run_guarded(pair.loop, 10, "datagrams over ICE");
    g_assert_cmpuint(pair.side[1].received, >=, 95); /* UDP on loopback: allow a few drops */
    g_assert_false(pair.wrong_thread);
    g_test_message("GLib iterations for the whole pair: %" G_GUINT64_FORMAT,
                   prism_loop_glib_iterations(pair.loop));
    prism_loop_timer_cancel(pair.loop, &sender.timer);
    g_object_unref(pair.side[0].agent);
    g_object_unref(pair.side[1].agent);
    prism_loop_destroy(pair.loop);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/loop_glib/timeouts_and_idle_fire_in_order",
                    test_loop_glib_timeouts_and_idle_fire_in_order);
    g_test_add_func("/loop_glib/socket_source_and_own_wakeups_leave_glib_alone",
                    test_loop_glib_socket_source_and_own_wakeups_leave_glib_alone);
    g_test_add_func("/loop_glib/notices_sources_added_by_own_callbacks_and_reused_fds",
                    test_loop_glib_notices_sources_added_by_own_callbacks_and_reused_fds);
    g_test_add_func("/loop_glib/drives_a_libnice_agent_pair",
                    test_loop_glib_drives_a_libnice_agent_pair);
    return g_test_run();
}
