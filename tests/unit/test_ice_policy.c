/* What the agent offers and whom it talks to: remote candidates outside the allowed networks
 * are never sent to (watched with a plain UDP socket), a peer outside them never connects,
 * mDNS candidates are ignored, 1:1 NAT addresses are advertised, ICE-TCP is passive only, and
 * a STUN server yields a server-reflexive candidate. Everything on 127.0.0.1. */
#include "ice_harness.h"
#include "media/ice/ice_internal.h"

#include <arpa/inet.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <stun/stunagent.h>
#include <stun/stunmessage.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* A plain UDP socket on 127.0.0.1 standing in for a remote candidate. */
static int open_watch_socket(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    g_assert_cmpint(bind(fd, (struct sockaddr *)&address, sizeof(address)), ==, 0);
    socklen_t length = sizeof(address);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&address, &length), ==, 0);
    *port = ntohs(address.sin_port);
    return fd;
}

/* Counts the STUN Binding requests waiting on `fd` (RFC 5389: type 0x0001, magic cookie). */
static unsigned count_binding_requests(int fd)
{
    unsigned count = 0;
    uint8_t buffer[1500];
    ssize_t length;
    while ((length = recv(fd, buffer, sizeof(buffer), 0)) >= 0) {
        if (length >= 20 && buffer[0] == 0x00 && buffer[1] == 0x01 && buffer[4] == 0x21 &&
            buffer[5] == 0x12 && buffer[6] == 0xa4 && buffer[7] == 0x42)
            count++;
    }
    return count;
}

/* An agent is given one remote candidate pointing at a watch socket; returns how many
 * connectivity checks reached the socket in `seconds`. */
static unsigned checks_sent_to_candidate(const char *remote_networks,
                                         enum prism_ice_candidate_result expected, double seconds,
                                         enum prism_ice_state *final_state)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    g_assert_cmpint(prism_cidr_list_parse(remote_networks, settings.remote_networks,
                                          PRISM_NETADDR_LIST_MAX, &settings.remote_network_count),
                    ==, 0);
    uint16_t port;
    int fd = open_watch_socket(&port);
    struct peer a;
    peer_init(&a, "prism", context, &settings, false);
    g_assert_cmpint(prism_ice_set_remote_credentials(a.ice, "wxyz", "0123456789012345678901"), ==,
                    0);
    char *candidate = g_strdup_printf("candidate:1 1 udp 2122260223 127.0.0.1 %u typ host", port);
    g_assert_cmpint(prism_ice_add_remote_candidate(a.ice, candidate, strlen(candidate)), ==,
                    expected);
    g_free(candidate);
    g_assert_cmpint(prism_ice_gather(a.ice), ==, 0);
    pump_for(context, seconds);
    unsigned checks = count_binding_requests(fd);
    *final_state = peer_state(&a);
    g_assert_cmpint(prism_ice_send(a.ice, (const uint8_t *)"x", 1), ==, -ENOTCONN);
    peer_clear(&a);
    close(fd);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
    return checks;
}

static void test_ice_candidate_outside_allowed_networks_is_never_sent_to(void)
{
    enum prism_ice_state state;
    g_assert_cmpuint(
        checks_sent_to_candidate("10.0.0.0/8, fd00::/8", PRISM_ICE_CANDIDATE_FILTERED, 1.0, &state),
        ==, 0);
    g_assert_cmpint(state, !=, PRISM_ICE_CONNECTED);
    g_assert_cmpint(state, !=, PRISM_ICE_COMPLETED);
    /* the same candidate inside the allowed networks gets checks at once */
    g_assert_cmpuint(
        checks_sent_to_candidate("127.0.0.0/8", PRISM_ICE_CANDIDATE_ADDED, 1.0, &state), >, 0);
    g_assert_cmpint(state, ==, PRISM_ICE_CHECKING);
}

static bool failed(void *data)
{
    return peer_state(data) == PRISM_ICE_FAILED;
}

/* The browser's candidates are all filtered; it still reaches Prism with checks (Prism's
 * candidates are allowed on its side), but Prism must not take the peer-reflexive pair. */
static void test_ice_peer_outside_allowed_networks_never_connects(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    struct prism_ice_settings strict = loopback_settings();
    g_assert_cmpint(prism_cidr_list_parse("10.0.0.0/8", strict.remote_networks,
                                          PRISM_NETADDR_LIST_MAX, &strict.remote_network_count),
                    ==, 0);
    struct peer a, b;
    peer_init(&a, "prism", context, &strict, false);
    peer_init(&b, "browser", context, &settings, true);
    peers_link(&a, &b);
    g_assert_cmpint(prism_ice_gather(a.ice), ==, 0);
    g_assert_cmpint(prism_ice_gather(b.ice), ==, 0);
    g_assert_true(pump_until(context, failed, &a, 10));
    for (guint i = 0; i < b.trickle_results->len; i++)
        g_assert_cmpint(GPOINTER_TO_INT(g_ptr_array_index(b.trickle_results, i)), ==,
                        PRISM_ICE_CANDIDATE_FILTERED);
    pump_for(context, 0.3);
    g_assert_false(peer_went_through(&a, PRISM_ICE_CONNECTED));
    g_assert_false(peer_went_through(&a, PRISM_ICE_COMPLETED));
    g_assert_cmpint(peer_state(&a), ==, PRISM_ICE_FAILED);
    g_assert_cmpint(prism_ice_send(a.ice, (const uint8_t *)"x", 1), ==, -ENOTCONN);
    peer_clear(&a);
    peer_clear(&b);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

static void test_ice_mdns_candidate_is_ignored(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    struct peer a;
    peer_init(&a, "prism", context, &settings, false);
    const char *mdns = "candidate:1 1 udp 2122260223 0b3d6c5e-1f2a-4e8b-9c7d-3a2b1c0d9e8f.local "
                       "54321 typ host generation 0";
    for (int i = 0; i < 2; i++) /* logged once at debug, ignored every time */
        g_assert_cmpint(prism_ice_add_remote_candidate(a.ice, mdns, strlen(mdns)), ==,
                        PRISM_ICE_CANDIDATE_MDNS);
    g_assert_cmpint(prism_ice_set_remote_credentials(a.ice, "wxyz", "0123456789012345678901"), ==,
                    0);
    g_assert_cmpint(prism_ice_gather(a.ice), ==, 0);
    pump_for(context, 0.2);
    g_assert_cmpuint(a.state_count, ==, 0); /* nothing to check against */
    peer_clear(&a);
    g_main_context_unref(context);
}

static bool gathered(void *data)
{
    return ((struct peer *)data)->gathering_done;
}

static GPtrArray *gather_alone(const struct prism_ice_settings *settings)
{
    GMainContext *context = g_main_context_new();
    struct peer a;
    peer_init(&a, "prism", context, settings, false);
    g_assert_cmpint(prism_ice_gather(a.ice), ==, 0);
    g_assert_true(pump_until(context, gathered, &a, 5));
    GPtrArray *candidates = g_ptr_array_ref(a.candidates);
    peer_clear(&a);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
    return candidates;
}

/* The port field (sixth) of a candidate line. */
static unsigned candidate_port(const char *candidate)
{
    gchar **fields = g_strsplit(candidate, " ", 0);
    g_assert_cmpuint(g_strv_length(fields), >=, 8);
    unsigned port = (unsigned)atoi(fields[5]);
    g_strfreev(fields);
    return port;
}

static void test_ice_nat_1_1_mapping_is_advertised(void)
{
    struct prism_ice_settings settings = loopback_settings();
    struct prism_ip public_ip;
    g_assert_cmpint(prism_ip_parse("198.51.100.7", 12, &public_ip), ==, 0);
    settings.has_nat_address = true;
    settings.nat_address = public_ip;
    GPtrArray *candidates = gather_alone(&settings);
    g_assert_cmpuint(candidates->len, ==, 1);
    const char *only = g_ptr_array_index(candidates, 0);
    g_assert_nonnull(strstr(only, " 198.51.100.7 "));
    g_assert_nonnull(strstr(only, " typ host"));
    g_assert_null(strstr(only, "127.0.0.1"));
    g_ptr_array_unref(candidates);

    settings.nat_keep_host = true;
    candidates = gather_alone(&settings);
    g_assert_cmpuint(candidates->len, ==, 2);
    const char *private_one = g_ptr_array_index(candidates, 0);
    const char *public_one = g_ptr_array_index(candidates, 1);
    g_assert_nonnull(strstr(private_one, " 127.0.0.1 "));
    g_assert_nonnull(strstr(public_one, " 198.51.100.7 "));
    g_assert_cmpuint(candidate_port(private_one), ==, candidate_port(public_one));
    g_ptr_array_unref(candidates);

    /* an IPv6 public address leaves IPv4 candidates alone */
    g_assert_cmpint(prism_ip_parse("2001:db8::7", 11, &settings.nat_address), ==, 0);
    settings.nat_keep_host = false;
    candidates = gather_alone(&settings);
    g_assert_cmpuint(candidates->len, ==, 1);
    g_assert_nonnull(strstr(g_ptr_array_index(candidates, 0), " 127.0.0.1 "));
    g_ptr_array_unref(candidates);
}

static void test_ice_port_range_bounds_host_candidates(void)
{
    struct prism_ice_settings settings = loopback_settings();
    settings.port_min = 47100;
    settings.port_max = 47199;
    GPtrArray *candidates = gather_alone(&settings);
    g_assert_cmpuint(candidates->len, ==, 1);
    unsigned port = candidate_port(g_ptr_array_index(candidates, 0));
    g_assert_cmpuint(port, >=, 47100);
    g_assert_cmpuint(port, <=, 47199);
    g_ptr_array_unref(candidates);
}

static bool is_tcp(const char *candidate)
{
    return strstr(candidate, " TCP ") != NULL;
}

/* Only TCP candidates are exchanged: the controlling side's active TCP candidates are not
 * advertised, but libnice still pairs them with the passive ones it is given. */
static void test_ice_tcp_offers_passive_candidates_and_connects(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    settings.tcp = true;
    struct peer a, b;
    peer_init(&a, "prism", context, &settings, false);
    peer_init(&b, "client", context, &settings, true);
    a.forward = b.forward = is_tcp;
    peers_connect(context, &a, &b);
    unsigned udp = 0, passive = 0;
    for (guint i = 0; i < a.candidates->len; i++) {
        const char *candidate = g_ptr_array_index(a.candidates, i);
        g_assert_null(strstr(candidate, "tcptype active"));
        g_assert_null(strstr(candidate, "tcptype so"));
        udp += strstr(candidate, " UDP ") != NULL;
        passive += strstr(candidate, "tcptype passive") != NULL;
    }
    g_assert_cmpuint(udp, ==, 1);
    g_assert_cmpuint(passive, ==, 1);
    char local[64], remote[64];
    g_assert_cmpint(
        prism_ice_get_selected_pair(a.ice, local, sizeof(local), remote, sizeof(remote)), ==, 0);
    g_assert_true(g_str_has_suffix(local, "/tcp"));
    uint8_t packet[500];
    memset(packet, 0x5a, sizeof(packet));
    g_assert_cmpint(prism_ice_send(b.ice, packet, sizeof(packet)), ==, sizeof(packet));
    g_assert_cmpint(prism_ice_send(b.ice, packet, 300), ==, 300);
    pump_for(context, 0.2);
    g_assert_cmpuint(a.received, ==, 2); /* datagram boundaries kept over TCP (RFC 4571) */
    g_assert_cmpuint(a.received_bytes, ==, 800);
    g_assert_cmpmem(a.last, a.last_length, packet, 300);
    peer_clear(&a);
    peer_clear(&b);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

/* A STUN server on 127.0.0.1 that answers every Binding request with a made-up public
 * address (MAPPED-ADDRESS 203.0.113.9:61000), built with libnice's own STUN library. */
struct fake_stun {
    int fd;
    uint16_t port;
    StunAgent agent;
    unsigned answered;
};

static gboolean fake_stun_cb(gint fd, GIOCondition condition, gpointer data)
{
    struct fake_stun *server = data;
    uint8_t request_buffer[1500], response_buffer[1500];
    struct sockaddr_storage from;
    socklen_t from_length = sizeof(from);
    ssize_t length = recvfrom(fd, request_buffer, sizeof(request_buffer), 0,
                              (struct sockaddr *)&from, &from_length);
    StunMessage request, response;
    if (length <= 0 || stun_agent_validate(&server->agent, &request, request_buffer, (size_t)length,
                                           NULL, NULL) != STUN_VALIDATION_SUCCESS)
        return G_SOURCE_CONTINUE;
    stun_agent_init_response(&server->agent, &response, response_buffer, sizeof(response_buffer),
                             &request);
    struct sockaddr_in mapped = {.sin_family = AF_INET, .sin_port = htons(61000)};
    inet_pton(AF_INET, "203.0.113.9", &mapped.sin_addr);
    stun_message_append_addr(&response, STUN_ATTRIBUTE_MAPPED_ADDRESS, (struct sockaddr *)&mapped,
                             sizeof(mapped));
    size_t size = stun_agent_finish_message(&server->agent, &response, NULL, 0);
    if (sendto(fd, response_buffer, size, 0, (struct sockaddr *)&from, from_length) > 0)
        server->answered++;
    return G_SOURCE_CONTINUE;
}

static void test_ice_stun_server_yields_server_reflexive_candidate(void)
{
    GMainContext *context = g_main_context_new();
    static const uint16_t known[] = {STUN_ATTRIBUTE_MAPPED_ADDRESS, STUN_ATTRIBUTE_SOFTWARE, 0};
    struct fake_stun server = {0};
    /* libnice asks STUN servers in RFC 3489 form (no magic cookie) for compatibility */
    stun_agent_init(&server.agent, known, STUN_COMPATIBILITY_RFC3489,
                    STUN_AGENT_USAGE_IGNORE_CREDENTIALS);
    server.fd = open_watch_socket(&server.port);
    GSource *source = g_unix_fd_source_new(server.fd, G_IO_IN);
    g_source_set_callback(source, G_SOURCE_FUNC(fake_stun_cb), &server, NULL);
    g_source_attach(source, context);

    struct prism_ice_settings settings = loopback_settings();
    g_strlcpy(settings.stun_address, "127.0.0.1", sizeof(settings.stun_address));
    settings.stun_port = server.port;
    struct peer a;
    peer_init(&a, "prism", context, &settings, false);
    g_assert_cmpint(prism_ice_gather(a.ice), ==, 0);
    g_assert_true(pump_until(context, gathered, &a, 5));
    g_assert_cmpuint(server.answered, >=, 1);
    g_assert_cmpuint(a.candidates->len, ==, 2);
    const char *reflexive = g_ptr_array_index(a.candidates, 1);
    g_assert_nonnull(strstr(reflexive, " 203.0.113.9 61000 typ srflx raddr 127.0.0.1 rport "));
    peer_clear(&a);
    g_source_destroy(source);
    g_source_unref(source);
    close(server.fd);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/policy/candidate-outside-allowed-networks-is-never-sent-to",
                    test_ice_candidate_outside_allowed_networks_is_never_sent_to);
    g_test_add_func("/ice/policy/peer-outside-allowed-networks-never-connects",
                    test_ice_peer_outside_allowed_networks_never_connects);
    g_test_add_func("/ice/policy/mdns-candidate-is-ignored", test_ice_mdns_candidate_is_ignored);
    g_test_add_func("/ice/policy/nat-1-1-mapping-is-advertised",
                    test_ice_nat_1_1_mapping_is_advertised);
    g_test_add_func("/ice/policy/port-range-bounds-host-candidates",
                    test_ice_port_range_bounds_host_candidates);
    g_test_add_func("/ice/policy/tcp-offers-passive-candidates-and-connects",
                    test_ice_tcp_offers_passive_candidates_and_connects);
    g_test_add_func("/ice/policy/stun-server-yields-server-reflexive-candidate",
                    test_ice_stun_server_yields_server_reflexive_candidate);
    return g_test_run();
}
