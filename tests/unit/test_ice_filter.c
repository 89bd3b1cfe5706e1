/* Pure parts of ICE filtering: CIDR parsing and matching (IPv4 and IPv6), the remote
 * candidate screening (mDNS, components, transports, networks, bad ports) and the choice of
 * local addresses. No socket is opened. */
#include "core/netaddr.h"
#include "media/ice/ice_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static struct prism_cidr cidr(const char *text)
{
    struct prism_cidr network;
    g_assert_cmpint(prism_cidr_parse(text, strlen(text), &network), ==, 0);
    return network;
}

static struct prism_ip ip(const char *text)
{
    struct prism_ip address;
    g_assert_cmpint(prism_ip_parse(text, strlen(text), &address), ==, 0);
    return address;
}

static bool contains(const char *network, const char *address)
{
    struct prism_cidr net = cidr(network);
    struct prism_ip addr = ip(address);
    return prism_cidr_contains(&net, &addr);
}

static void test_cidr_ipv4_matches_by_prefix(void)
{
    g_assert_true(contains("127.0.0.0/8", "127.0.0.1"));
    g_assert_true(contains("127.0.0.0/8", "127.255.255.254"));
    g_assert_false(contains("127.0.0.0/8", "128.0.0.1"));
    g_assert_true(contains("192.168.1.0/25", "192.168.1.127"));
    g_assert_false(contains("192.168.1.0/25", "192.168.1.128"));
    g_assert_true(contains("0.0.0.0/0", "203.0.113.9"));
    g_assert_true(contains("198.51.100.7", "198.51.100.7")); /* a bare address is a /32 */
    g_assert_false(contains("198.51.100.7", "198.51.100.8"));
}

static void test_cidr_clears_host_bits(void)
{
    struct prism_cidr network = cidr("192.168.1.77/24");
    char text[64];
    g_assert_cmpstr(prism_ip_format(&network.base, text, sizeof(text)), ==, "192.168.1.0");
    g_assert_cmpuint(network.prefix, ==, 24);
    network = cidr("2001:db8:abcd:12ff::1/52");
    g_assert_cmpstr(prism_ip_format(&network.base, text, sizeof(text)), ==, "2001:db8:abcd:1000::");
}

static void test_cidr_ipv6_matches_by_prefix(void)
{
    g_assert_true(contains("2001:db8::/32", "2001:db8:1::5"));
    g_assert_false(contains("2001:db8::/32", "2001:db9::5"));
    g_assert_true(contains("::1/128", "::1"));
    g_assert_false(contains("::1/128", "::2"));
    g_assert_true(contains("fd00::/7", "fdff::1"));
    g_assert_false(contains("fd00::/7", "fe00::1"));
    g_assert_true(contains("2001:db8::/33", "2001:db8:7fff::1"));
    g_assert_false(contains("2001:db8::/33", "2001:db8:8000::1"));
}

static void test_cidr_families_do_not_mix_except_mapped_ipv4(void)
{
    g_assert_false(contains("0.0.0.0/0", "::1"));
    g_assert_false(contains("::/0", "127.0.0.1"));
    /* ::ffff:10.1.2.3 is the IPv4 address 10.1.2.3 */
    g_assert_true(contains("10.0.0.0/8", "::ffff:10.1.2.3"));
    g_assert_false(contains("10.0.0.0/8", "::ffff:11.1.2.3"));
}

static void test_cidr_rejects_malformed_text(void)
{
    static const char *const bad[] = {
        "",
        "/8",
        "10.0.0.0/",
        "10.0.0.0/33",
        "10.0.0.0/-1",
        "10.0.0.0/8a",
        "10.0.0/8",
        "10.0.0.256/8",
        "10.0.0.0/ 8",
        " 10.0.0.0/8",
        "::1/129",
        "::1/1000",
        "2001:db8:::/32",
        "fe80::1%eth0",
        "localhost/8",
        "10.0.0.0/08x",
        "1.2.3.4/32/1",
        "01.2.3.4/8",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct prism_cidr network = {.prefix = 77};
        g_assert_cmpint(prism_cidr_parse(bad[i], strlen(bad[i]), &network), ==, -EINVAL);
        g_assert_cmpuint(network.prefix, ==, 77); /* untouched on failure */
    }
    /* the length bounds the read: a valid prefix of a longer buffer parses */
    struct prism_cidr network;
    g_assert_cmpint(prism_cidr_parse("10.0.0.0/8garbage", 10, &network), ==, 0);
    g_assert_cmpuint(network.prefix, ==, 8);
}

static void test_cidr_list_parses_trims_and_bounds(void)
{
    struct prism_cidr networks[3];
    size_t count = 99;
    g_assert_cmpint(prism_cidr_list_parse("", networks, 3, &count), ==, 0);
    g_assert_cmpuint(count, ==, 0);
    g_assert_cmpint(prism_cidr_list_parse("  ", networks, 3, &count), ==, 0);
    g_assert_cmpuint(count, ==, 0);
    g_assert_cmpint(prism_cidr_list_parse(" 127.0.0.0/8 ,::1/128,10.0.0.0/8 ", networks, 3, &count),
                    ==, 0);
    g_assert_cmpuint(count, ==, 3);
    g_assert_cmpuint(networks[1].prefix, ==, 128);
    g_assert_cmpint(
        prism_cidr_list_parse("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8", networks, 3, &count), ==,
        -E2BIG);
    g_assert_cmpint(prism_cidr_list_parse("1.0.0.0/8,,2.0.0.0/8", networks, 3, &count), ==,
                    -EINVAL);
    g_assert_cmpint(prism_cidr_list_parse("1.0.0.0/8,", networks, 3, &count), ==, -EINVAL);
    g_assert_cmpint(prism_cidr_list_parse("1.0.0.0/8 2.0.0.0/8", networks, 3, &count), ==, -EINVAL);
}

static void test_cidr_empty_list_allows_any_address(void)
{
    struct prism_ip loopback = ip("127.0.0.1"), other = ip("192.0.2.1");
    g_assert_true(prism_cidr_list_allows(NULL, 0, &loopback));
    struct prism_cidr networks[2] = {cidr("127.0.0.0/8"), cidr("::1")};
    g_assert_true(prism_cidr_list_allows(networks, 2, &loopback));
    g_assert_false(prism_cidr_list_allows(networks, 2, &other));
}

static void test_netaddr_parses_host_port_and_port_range(void)
{
    char host[64];
    uint16_t port = 0, min = 0, max = 0;
    g_assert_cmpint(prism_host_port_parse("stun.example.net:3478", host, sizeof(host), &port), ==,
                    0);
    g_assert_cmpstr(host, ==, "stun.example.net");
    g_assert_cmpuint(port, ==, 3478);
    g_assert_cmpint(prism_host_port_parse("[2001:db8::1]:19302", host, sizeof(host), &port), ==, 0);
    g_assert_cmpstr(host, ==, "2001:db8::1");
    g_assert_cmpuint(port, ==, 19302);
    static const char *const bad_hosts[] = {"stun.example.net", "host:0",    "host:65536", ":3478",
                                            "2001:db8::1:3478", "[::1]3478", "[host]:1",   "a b:1",
                                            "host:12x"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad_hosts); i++)
        g_assert_cmpint(prism_host_port_parse(bad_hosts[i], host, sizeof(host), &port), ==,
                        -EINVAL);
    g_assert_cmpint(prism_host_port_parse("abcdefgh:1", host, 8, &port), ==, -EINVAL);

    g_assert_cmpint(prism_port_range_parse("10000-60000", &min, &max), ==, 0);
    g_assert_cmpuint(min, ==, 10000);
    g_assert_cmpuint(max, ==, 60000);
    g_assert_cmpint(prism_port_range_parse("5000-5000", &min, &max), ==, 0);
    static const char *const bad_ranges[] = {"",    "10000", "0-10", "20-10", "1-65536",
                                             "a-b", "-5",    "5-",   "1 - 5", "1-2-3"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad_ranges); i++)
        g_assert_cmpint(prism_port_range_parse(bad_ranges[i], &min, &max), ==, -EINVAL);
}

static void test_netaddr_interface_list_takes_names_and_addresses(void)
{
    struct prism_interface_match items[4];
    size_t count = 0;
    g_assert_cmpint(prism_interface_list_parse("lo, 127.0.0.1,eth0:1, ::1", items, 4, &count), ==,
                    0);
    g_assert_cmpuint(count, ==, 4);
    g_assert_false(items[0].is_address);
    g_assert_cmpstr(items[0].name, ==, "lo");
    g_assert_true(items[1].is_address);
    g_assert_cmpstr(items[2].name, ==, "eth0:1");
    g_assert_true(items[3].is_address);
    g_assert_cmpint(items[3].address.family, ==, AF_INET6);
    static const char *const bad[] = {"1.2.3.999", "-eth0", "averyveryverylongname0",
                                      "fe80::zz",  "eth 0", "lo,,eth0"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(prism_interface_list_parse(bad[i], items, 4, &count), ==, -EINVAL);
}

/* A libnice agent with one stream, never started: enough for libnice's candidate parser. */
struct screen_fixture {
    NiceAgent *agent;
    guint stream_id;
    struct prism_ice_settings settings;
};

static void fixture_init(struct screen_fixture *fixture, const char *networks, bool tcp)
{
    memset(fixture, 0, sizeof(*fixture));
    fixture->agent = nice_agent_new(NULL, NICE_COMPATIBILITY_RFC5245);
    fixture->stream_id = nice_agent_add_stream(fixture->agent, 1);
    g_assert_cmpuint(fixture->stream_id, >, 0);
    fixture->settings.tcp = tcp;
    g_assert_cmpint(prism_cidr_list_parse(networks, fixture->settings.remote_networks,
                                          PRISM_NETADDR_LIST_MAX,
                                          &fixture->settings.remote_network_count),
                    ==, 0);
}

static void fixture_clear(struct screen_fixture *fixture)
{
    g_object_unref(fixture->agent);
}

static enum prism_ice_candidate_result screen(struct screen_fixture *fixture, const char *text,
                                              char *address_out)
{
    NiceCandidate *candidate = NULL;
    enum prism_ice_candidate_result result = prism_ice_candidate_screen(
        fixture->agent, fixture->stream_id, &fixture->settings, text, strlen(text), &candidate);
    g_assert_true((result == PRISM_ICE_CANDIDATE_ADDED) == (candidate != NULL));
    if (candidate) {
        if (address_out) {
            nice_address_to_string(&candidate->addr, address_out);
            sprintf(address_out + strlen(address_out), ":%u",
                    nice_address_get_port(&candidate->addr));
        }
        nice_candidate_free(candidate);
    }
    return result;
}

static void test_ice_screen_accepts_browser_candidates(void)
{
    struct screen_fixture f;
    fixture_init(&f, "", false);
    char address[64];
    g_assert_cmpint(screen(&f,
                           "candidate:3442447574 1 udp 2122260223 192.168.0.196 56143 typ host "
                           "generation 0 network-id 1 network-cost 10",
                           address),
                    ==, PRISM_ICE_CANDIDATE_ADDED);
    g_assert_cmpstr(address, ==, "192.168.0.196:56143");
    /* "a=" prefix and CRLF tolerated, as found in a raw SDP line */
    g_assert_cmpint(screen(&f,
                           "a=candidate:1 1 UDP 2015363327 203.0.113.5 5000 typ srflx raddr "
                           "10.0.0.2 rport 5000\r\n",
                           address),
                    ==, PRISM_ICE_CANDIDATE_ADDED);
    g_assert_cmpstr(address, ==, "203.0.113.5:5000");
    g_assert_cmpint(screen(&f, "candidate:2 1 udp 2122262783 2001:db8::7 40000 typ host", address),
                    ==, PRISM_ICE_CANDIDATE_ADDED);
    g_assert_cmpstr(address, ==, "2001:db8::7:40000");
    fixture_clear(&f);
}

static void test_ice_screen_ignores_mdns_candidates(void)
{
    struct screen_fixture f;
    fixture_init(&f, "", false);
    g_assert_cmpint(screen(&f,
                           "candidate:1 1 udp 2122260223 "
                           "6f1d3e0a-2b7c-4c1e-9a55-0c3f7f4b2a11.local 56143 typ host",
                           NULL),
                    ==, PRISM_ICE_CANDIDATE_MDNS);
    g_assert_cmpint(screen(&f, "candidate:1 1 udp 1 Host.LOCAL 9 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_MDNS);
    /* ".local" alone is no name; other host names are not addresses at all */
    g_assert_cmpint(screen(&f, "candidate:1 1 udp 1 .local 9 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_MALFORMED);
    g_assert_cmpint(screen(&f, "candidate:1 1 udp 1 example.org 9 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_MALFORMED);
    fixture_clear(&f);
}

static void test_ice_screen_filters_by_remote_networks(void)
{
    struct screen_fixture f;
    fixture_init(&f, "127.0.0.0/8, ::1/128", false);
    g_assert_cmpint(screen(&f, "candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_ADDED);
    g_assert_cmpint(screen(&f, "candidate:1 1 udp 2122260223 ::1 5000 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_ADDED);
    g_assert_cmpint(screen(&f, "candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_FILTERED);
    g_assert_cmpint(screen(&f, "candidate:1 1 udp 2122260223 2001:db8::1 5000 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_FILTERED);
    /* a relay or srflx candidate is judged by the address media would go to, not raddr */
    g_assert_cmpint(screen(&f,
                           "candidate:1 1 udp 5 198.51.100.1 5000 typ relay raddr 127.0.0.1 "
                           "rport 5000",
                           NULL),
                    ==, PRISM_ICE_CANDIDATE_FILTERED);
    fixture_clear(&f);
}

static void test_ice_screen_keeps_only_rtp_component_and_enabled_transports(void)
{
    struct screen_fixture f;
    fixture_init(&f, "", false);
    g_assert_cmpint(screen(&f, "candidate:1 2 udp 2122260222 10.0.0.1 5001 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_UNUSED);
    g_assert_cmpint(
        screen(&f, "candidate:1 1 tcp 1518280447 10.0.0.1 9 typ host tcptype active", NULL), ==,
        PRISM_ICE_CANDIDATE_UNUSED);
    g_assert_cmpint(screen(&f, "candidate:1 1 udp 1 0.0.0.0 5000 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_UNUSED);
    g_assert_cmpint(screen(&f, "candidate:1 1 udp 1 224.0.0.251 5353 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_UNUSED);
    g_assert_cmpint(screen(&f, "candidate:1 1 udp 1 ff02::1 5000 typ host", NULL), ==,
                    PRISM_ICE_CANDIDATE_UNUSED);
    fixture_clear(&f);
    fixture_init(&f, "", true);
    g_assert_cmpint(
        screen(&f, "candidate:1 1 tcp 1518280447 10.0.0.1 9 typ host tcptype active", NULL), ==,
        PRISM_ICE_CANDIDATE_ADDED);
    fixture_clear(&f);
}

static void test_ice_screen_rejects_malformed_candidates(void)
{
    struct screen_fixture f;
    fixture_init(&f, "", false);
    static const char *const bad[] = {
        "",
        "candidate:",
        "candidate:1 1 udp 1 10.0.0.1",
        "candidate:1 1 udp 1 10.0.0.1 5000",           /* no typ */
        "candidate:1 1 udp 1 10.0.0.1 70000 typ host", /* libnice would wrap it to 4464 */
        "candidate:1 1 udp 1 10.0.0.1 -1 typ host",
        "candidate:1 1 udp 1 10.0.0.1 0 typ host", /* nothing to send to */
        "candidate:1 1 udp 1 10.0.0.1 5000 typ bogus",
        "candidate:1 1 sctp 1 10.0.0.1 5000 typ host",
        "candidate:1 1 udp 1 [::1] 5000 typ host",
        "candidate:1 1 udp 1 10.0.0.256 5000 typ host",
        "cand:1 1 udp 1 10.0.0.1 5000 typ host",
        "a=a=candidate:1 1 udp 1 10.0.0.1 5000 typ host",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (screen(&f, bad[i], NULL) != PRISM_ICE_CANDIDATE_MALFORMED)
            g_error("accepted: \"%s\"", bad[i]);
    }
    /* embedded NUL, and a line longer than the limit */
    static const char with_nul[] = "candidate:1 1 udp 1 10.0.0.1 5000 typ host\0x";
    NiceCandidate *candidate = NULL;
    g_assert_cmpint(prism_ice_candidate_screen(f.agent, f.stream_id, &f.settings, with_nul,
                                               sizeof(with_nul) - 1, &candidate),
                    ==, PRISM_ICE_CANDIDATE_MALFORMED);
    GString *long_line = g_string_new("candidate:1 1 udp 1 10.0.0.1 5000 typ host");
    while (long_line->len < PRISM_ICE_CANDIDATE_MAX)
        g_string_append(long_line, " generation 0");
    g_assert_cmpint(screen(&f, long_line->str, NULL), ==, PRISM_ICE_CANDIDATE_MALFORMED);
    g_string_free(long_line, TRUE);
    g_assert_null(candidate);
    fixture_clear(&f);
}

static bool selected(const char *interfaces, const char *name, const char *address)
{
    struct prism_ice_settings settings = {0};
    g_assert_cmpint(prism_interface_list_parse(interfaces, settings.interfaces,
                                               PRISM_NETADDR_LIST_MAX, &settings.interface_count),
                    ==, 0);
    struct prism_ip addr = ip(address);
    return prism_ice_address_selected(&settings, name, &addr);
}

static void test_ice_default_interfaces_include_loopback_but_not_link_local(void)
{
    g_assert_true(selected("", "lo", "127.0.0.1"));
    g_assert_true(selected("", "lo", "::1"));
    g_assert_true(selected("", "eth0", "10.0.0.5"));
    g_assert_true(selected("", "eth0", "2001:db8::5"));
    g_assert_false(selected("", "eth0", "169.254.10.1"));
    g_assert_false(selected("", "eth0", "fe80::1"));
    g_assert_false(selected("", "eth0", "febf::1"));
    g_assert_true(selected("", "eth0", "fec0::1")); /* just past fe80::/10 */
}

static void test_ice_configured_interfaces_select_by_name_or_address(void)
{
    g_assert_true(selected("lo", "lo", "127.0.0.1"));
    g_assert_false(selected("lo", "eth0", "10.0.0.5"));
    g_assert_true(selected("127.0.0.1", "lo", "127.0.0.1"));
    g_assert_false(selected("127.0.0.1", "lo", "::1"));
    g_assert_true(selected("eth0, ::1", "lo", "::1"));
    g_assert_false(selected("eth0", "eth0", "fe80::1"));
}

/* Whatever else the host has, loopback is up, so 127.0.0.1 is always among the defaults: a
 * namespace with only "lo" still gets candidates. */
static void test_ice_host_enumeration_offers_loopback(void)
{
    struct prism_ice_settings settings = {0};
    struct prism_ip addresses[64];
    size_t count = 0;
    g_assert_cmpint(prism_ice_local_addresses(&settings, addresses, 64, &count), ==, 0);
    struct prism_ip loopback = ip("127.0.0.1");
    bool found = false;
    for (size_t i = 0; i < count; i++)
        found = found ||
                (addresses[i].family == AF_INET && !memcmp(addresses[i].bytes, loopback.bytes, 4));
    g_assert_true(found);
    g_assert_cmpint(prism_interface_list_parse("127.0.0.1", settings.interfaces,
                                               PRISM_NETADDR_LIST_MAX, &settings.interface_count),
                    ==, 0);
    g_assert_cmpint(prism_ice_local_addresses(&settings, addresses, 64, &count), ==, 0);
    g_assert_cmpuint(count, ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cidr/ipv4-matches-by-prefix", test_cidr_ipv4_matches_by_prefix);
    g_test_add_func("/cidr/clears-host-bits", test_cidr_clears_host_bits);
    g_test_add_func("/cidr/ipv6-matches-by-prefix", test_cidr_ipv6_matches_by_prefix);
    g_test_add_func("/cidr/families-do-not-mix-except-mapped-ipv4",
                    test_cidr_families_do_not_mix_except_mapped_ipv4);
    g_test_add_func("/cidr/rejects-malformed-text", test_cidr_rejects_malformed_text);
    g_test_add_func("/cidr/list-parses-trims-and-bounds", test_cidr_list_parses_trims_and_bounds);
    g_test_add_func("/cidr/empty-list-allows-any-address", test_cidr_empty_list_allows_any_address);
    g_test_add_func("/netaddr/parses-host-port-and-port-range",
                    test_netaddr_parses_host_port_and_port_range);
    g_test_add_func("/netaddr/interface-list-takes-names-and-addresses",
                    test_netaddr_interface_list_takes_names_and_addresses);
    g_test_add_func("/ice/screen/accepts-browser-candidates",
                    test_ice_screen_accepts_browser_candidates);
    g_test_add_func("/ice/screen/ignores-mdns-candidates", test_ice_screen_ignores_mdns_candidates);
    g_test_add_func("/ice/screen/filters-by-remote-networks",
                    test_ice_screen_filters_by_remote_networks);
    g_test_add_func("/ice/screen/keeps-only-rtp-component-and-enabled-transports",
                    test_ice_screen_keeps_only_rtp_component_and_enabled_transports);
    g_test_add_func("/ice/screen/rejects-malformed-candidates",
                    test_ice_screen_rejects_malformed_candidates);
    g_test_add_func("/ice/interfaces/default-includes-loopback-not-link-local",
                    test_ice_default_interfaces_include_loopback_but_not_link_local);
    g_test_add_func("/ice/interfaces/configured-select-by-name-or-address",
                    test_ice_configured_interfaces_select_by_name_or_address);
    g_test_add_func("/ice/interfaces/host-enumeration-offers-loopback",
                    test_ice_host_enumeration_offers_loopback);
    return g_test_run();
}
