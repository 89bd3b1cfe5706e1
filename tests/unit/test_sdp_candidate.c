/* ICE candidate lines: parsing the shapes browsers and libnice send, writing them back, and
 * refusing malformed ones. */
#include "media/sdp/candidate.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

static int parse(const char *text, struct prism_sdp_candidate *c)
{
    return prism_sdp_candidate_parse(text, strlen(text), c);
}

static void test_candidate_parses_host_udp(void)
{
    struct prism_sdp_candidate c;
    g_assert_cmpint(parse("candidate:842163049 1 udp 1677729535 192.0.2.3 61665 typ host "
                          "generation 0 ufrag EEtu network-id 3 network-cost 10",
                          &c),
                    ==, 0);
    g_assert_cmpstr(c.foundation, ==, "842163049");
    g_assert_cmpuint(c.component, ==, 1);
    g_assert_false(c.tcp);
    g_assert_cmpuint(c.priority, ==, 1677729535u);
    g_assert_cmpstr(c.address, ==, "192.0.2.3");
    g_assert_cmpint(c.address_kind, ==, PRISM_SDP_ADDRESS_IPV4);
    g_assert_cmpuint(c.port, ==, 61665);
    g_assert_cmpint(c.type, ==, PRISM_SDP_CANDIDATE_HOST);
    g_assert_false(c.has_related);
    g_assert_cmpint(c.tcptype, ==, PRISM_SDP_TCPTYPE_NONE);
}

static void test_candidate_recognises_mdns_name(void)
{
    struct prism_sdp_candidate c;
    g_assert_cmpint(parse("a=candidate:1 1 UDP 2122252543 "
                          "4f1c6d2e-7a3b-4c5d-9e8f-0a1b2c3d4e5f.local 50999 typ host",
                          &c),
                    ==, 0);
    g_assert_cmpint(c.address_kind, ==, PRISM_SDP_ADDRESS_MDNS);
    g_assert_cmpint(parse("candidate:1 1 UDP 1 turn.example.org 3478 typ relay", &c), ==, 0);
    g_assert_cmpint(c.address_kind, ==, PRISM_SDP_ADDRESS_FQDN);
    /* ".local" alone is not a name */
    g_assert_cmpint(parse("candidate:1 1 UDP 1 x.LOCAL 3478 typ host", &c), ==, 0);
    g_assert_cmpint(c.address_kind, ==, PRISM_SDP_ADDRESS_MDNS);
}

static void test_candidate_parses_related_and_tcptype(void)
{
    struct prism_sdp_candidate c;
    g_assert_cmpint(parse("candidate:3 1 tcp 1518280447 2001:db8::1 443 typ srflx raddr "
                          "fe80::1 rport 9 tcptype passive",
                          &c),
                    ==, 0);
    g_assert_true(c.tcp);
    g_assert_cmpint(c.address_kind, ==, PRISM_SDP_ADDRESS_IPV6);
    g_assert_true(c.has_related);
    g_assert_cmpstr(c.related_address, ==, "fe80::1");
    g_assert_cmpuint(c.related_port, ==, 9);
    g_assert_cmpint(c.tcptype, ==, PRISM_SDP_TCPTYPE_PASSIVE);
}

static void test_candidate_writes_canonical_form(void)
{
    struct prism_sdp_candidate c;
    const char *in = "candidate:7 2 UDP 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.4 "
                     "rport 5000 generation 0";
    g_assert_cmpint(parse(in, &c), ==, 0);
    char out[256];
    int n = prism_sdp_candidate_write(&c, out, sizeof(out));
    const char *want = "candidate:7 2 udp 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.4 "
                       "rport 5000";
    g_assert_cmpstr(out, ==, want);
    g_assert_cmpint(n, ==, (int)strlen(want));
    char small[20];
    g_assert_cmpint(prism_sdp_candidate_write(&c, small, sizeof(small)), ==, -ENOSPC);
    struct prism_sdp_candidate back;
    g_assert_cmpint(parse(out, &back), ==, 0);
    g_assert_cmpmem(&back, sizeof(back), &c, sizeof(c));
}

static void test_candidate_rejects_malformed(void)
{
    static const char *const bad[] = {
        "",
        "candidate:",
        "candidat:1 1 udp 1 192.0.2.1 1 typ host",
        "candidate:1 1 udp 1 192.0.2.1 1 typ",
        "candidate:1 1 udp 1 192.0.2.1 1 type host",
        "candidate:1 1 udp 1 192.0.2.1 1 typ bogus",
        "candidate:1 1 sctp 1 192.0.2.1 1 typ host",
        "candidate:1 0 udp 1 192.0.2.1 1 typ host",          /* component 0 */
        "candidate:1 1 udp 0 192.0.2.1 1 typ host",          /* priority 0 */
        "candidate:1 1 udp 4294967296 192.0.2.1 1 typ host", /* priority > 2^32-1 */
        "candidate:1 1 udp 1 192.0.2.1 65536 typ host",      /* port too big */
        "candidate:1 1 udp 1 192.0.2.1 -1 typ host",
        "candidate:1 1 udp 1 bad_host! 1 typ host",
        "candidate:1 1 udp 1 192.0.2.1 1 typ srflx raddr", /* dangling extension */
        "candidate:1 1 udp 1 192.0.2.1 1 typ srflx rport x",
        "candidate:1 1 udp 1 192.0.2.1 1 typ host tcptype passive", /* tcptype on UDP */
        "candidate:1 1 tcp 1 192.0.2.1 1 typ host tcptype sideways",
        "candidate:f@o 1 udp 1 192.0.2.1 1 typ host", /* foundation not ice-char */
        "candidate:123456789012345678901234567890123 1 udp 1 192.0.2.1 1 typ host",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct prism_sdp_candidate c;
        memset(&c, 0x5a, sizeof(c));
        struct prism_sdp_candidate before = c;
        g_assert_cmpint(parse(bad[i], &c), <, 0);
        g_assert_cmpmem(&c, sizeof(c), &before, sizeof(before)); /* untouched on failure */
    }
}

static void test_candidate_rejects_oversized_address(void)
{
    char line[256];
    char name[80];
    memset(name, 'a', 70);
    strcpy(name + 70, ".local");
    snprintf(line, sizeof(line), "candidate:1 1 udp 1 %s 1 typ host", name);
    struct prism_sdp_candidate c;
    g_assert_cmpint(parse(line, &c), ==, -E2BIG);
}

static void test_candidate_does_not_need_nul(void)
{
    const char text[] = "candidate:1 1 udp 5 192.0.2.1 40 typ hostXXXX";
    struct prism_sdp_candidate c;
    g_assert_cmpint(prism_sdp_candidate_parse(text, strlen(text) - 4, &c), ==, 0);
    g_assert_cmpint(c.type, ==, PRISM_SDP_CANDIDATE_HOST);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/candidate/host-udp", test_candidate_parses_host_udp);
    g_test_add_func("/sdp/candidate/mdns-name", test_candidate_recognises_mdns_name);
    g_test_add_func("/sdp/candidate/related-and-tcptype",
                    test_candidate_parses_related_and_tcptype);
    g_test_add_func("/sdp/candidate/writes-canonical-form", test_candidate_writes_canonical_form);
    g_test_add_func("/sdp/candidate/rejects-malformed", test_candidate_rejects_malformed);
    g_test_add_func("/sdp/candidate/rejects-oversized-address",
                    test_candidate_rejects_oversized_address);
    g_test_add_func("/sdp/candidate/no-nul-needed", test_candidate_does_not_need_nul);
    return g_test_run();
}
