/* Fuzzes the remote-candidate path: arbitrary text as a candidate attribute through libnice's
 * parser and Prism's screening (mDNS, component, transport, address kind, allowed networks),
 * and as a CIDR list for the network filter. An accepted candidate must satisfy the filter. */
#include "media/ice/ice_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static NiceAgent *agent;
static guint stream_id;
static struct prism_ice_settings udp_only, with_tcp;

static void setup(void)
{
    agent = nice_agent_new(NULL, NICE_COMPATIBILITY_RFC5245);
    stream_id = nice_agent_add_stream(agent, 1);
    const char *networks = "127.0.0.0/8, 10.0.0.0/8, 2001:db8::/32";
    if (!stream_id ||
        prism_cidr_list_parse(networks, udp_only.remote_networks, PRISM_NETADDR_LIST_MAX,
                              &udp_only.remote_network_count) != 0)
        abort();
    with_tcp = udp_only;
    with_tcp.tcp = true;
}

static void check_accepted(const NiceCandidate *candidate,
                           const struct prism_ice_settings *settings)
{
    struct prism_ip ip;
    if (candidate->component_id != 1 || !prism_ice_ip_from_nice(&candidate->addr, &ip) ||
        !prism_cidr_list_allows(settings->remote_networks, settings->remote_network_count, &ip))
        abort();
    if (candidate->transport != NICE_CANDIDATE_TRANSPORT_UDP && !settings->tcp)
        abort();
}

static void fuzz_cidr_list(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    struct prism_cidr networks[PRISM_NETADDR_LIST_MAX];
    size_t count = 0;
    if (prism_cidr_list_parse(text, networks, PRISM_NETADDR_LIST_MAX, &count) == 0) {
        struct prism_ip loopback = {.family = AF_INET, .bytes = {127, 0, 0, 1}};
        for (size_t i = 0; i < count; i++) {
            if (networks[i].prefix > (networks[i].base.family == AF_INET ? 32u : 128u))
                abort();
            if (!prism_cidr_contains(&networks[i], &networks[i].base))
                abort(); /* a network contains its own base address */
        }
        (void)prism_cidr_list_allows(networks, count, &loopback);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!agent)
        setup();
    const struct prism_ice_settings *settings = (size && (data[0] & 1)) ? &with_tcp : &udp_only;
    NiceCandidate *candidate = NULL;
    if (prism_ice_candidate_screen(agent, stream_id, settings, (const char *)data, size,
                                   &candidate) == PRISM_ICE_CANDIDATE_ADDED) {
        check_accepted(candidate, settings);
        nice_candidate_free(candidate);
    } else if (candidate) {
        abort();
    }
    fuzz_cidr_list(data, size);
    return 0;
}
