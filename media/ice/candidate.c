/* Candidates crossing the signaling boundary: remote ones are parsed by libnice and then
 * screened (mDNS names, RTCP components, transports, address kinds, allowed networks);
 * local ones are turned into SDP attribute values by libnice, with the 1:1 NAT address
 * substituted when configured. */
#include "media/ice/ice_internal.h"

#include <netinet/in.h>
#include <string.h>
#include <strings.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Field `index` (0-based, space-separated) of `text`: "candidate:F" is field 0, the
 * component 1, transport 2, priority 3, address 4, port 5. */
static bool find_field(const char *text, size_t length, unsigned index, const char **field,
                       size_t *field_length)
{
    size_t at = 0;
    for (unsigned n = 0;; n++) {
        while (at < length && text[at] == ' ')
            at++;
        size_t start = at;
        while (at < length && text[at] != ' ')
            at++;
        if (start == at)
            return false;
        if (n == index) {
            *field = text + start;
            *field_length = at - start;
            return true;
        }
    }
}

static bool ends_with_local(const char *field, size_t length)
{
    static const char suffix[] = ".local";
    size_t suffix_length = sizeof(suffix) - 1;
    return length > suffix_length &&
           strncasecmp(field + length - suffix_length, suffix, suffix_length) == 0;
}

/* libnice reads the port with atoi and truncates it to 16 bits, so "70000" would become
 * port 4464: accept only 1 to 5 digits that fit. */
static bool port_field_valid(const char *field, size_t length)
{
    if (length == 0 || length > 5)
        return false;
    unsigned port = 0;
    for (size_t i = 0; i < length; i++) {
        if (field[i] < '0' || field[i] > '9')
            return false;
        port = port * 10 + (unsigned)(field[i] - '0');
    }
    return port <= 65535;
}

bool prism_ice_ip_from_nice(const NiceAddress *address, struct prism_ip *out)
{
    struct prism_ip ip = {.family = address->s.addr.sa_family};
    if (ip.family == AF_INET)
        memcpy(ip.bytes, &address->s.ip4.sin_addr, 4);
    else if (ip.family == AF_INET6)
        memcpy(ip.bytes, &address->s.ip6.sin6_addr, 16);
    else
        return false;
    *out = ip;
    return true;
}

/* Addresses nothing should be sent to: unspecified, multicast, IPv4 broadcast. */
static bool is_unusable(const struct prism_ip *ip)
{
    static const uint8_t zero[16];
    if (ip->family == AF_INET) {
        static const uint8_t broadcast[4] = {255, 255, 255, 255};
        return memcmp(ip->bytes, zero, 4) == 0 || (ip->bytes[0] & 0xf0) == 0xe0 ||
               memcmp(ip->bytes, broadcast, 4) == 0;
    }
    return memcmp(ip->bytes, zero, 16) == 0 || ip->bytes[0] == 0xff;
}

static enum prism_ice_candidate_result screen_parsed(const NiceCandidate *candidate,
                                                     const struct prism_ice_settings *settings)
{
    struct prism_ip ip;
    if (!prism_ice_ip_from_nice(&candidate->addr, &ip))
        return PRISM_ICE_CANDIDATE_MALFORMED;
    bool udp = candidate->transport == NICE_CANDIDATE_TRANSPORT_UDP;
    if (udp && nice_address_get_port(&candidate->addr) == 0)
        return PRISM_ICE_CANDIDATE_MALFORMED;
    if (candidate->component_id != NICE_COMPONENT_TYPE_RTP || (!udp && !settings->tcp) ||
        is_unusable(&ip))
        return PRISM_ICE_CANDIDATE_UNUSED;
    if (!prism_cidr_list_allows(settings->remote_networks, settings->remote_network_count, &ip))
        return PRISM_ICE_CANDIDATE_FILTERED;
    return PRISM_ICE_CANDIDATE_ADDED;
}

enum prism_ice_candidate_result
prism_ice_candidate_screen(NiceAgent *agent, guint stream_id,
                           const struct prism_ice_settings *settings, const char *text,
                           size_t length, NiceCandidate **out)
{
    if (length >= 2 && memcmp(text, "a=", 2) == 0) {
        text += 2;
        length -= 2;
    }
    while (length > 0 && is_space(text[length - 1]))
        length--;
    static const char prefix[] = "candidate:";
    size_t prefix_length = sizeof(prefix) - 1;
    if (length < prefix_length || length + 3 > PRISM_ICE_CANDIDATE_MAX ||
        memcmp(text, prefix, prefix_length) != 0 || memchr(text, '\0', length))
        return PRISM_ICE_CANDIDATE_MALFORMED;

    const char *address, *port;
    size_t address_length, port_length;
    if (!find_field(text, length, 4, &address, &address_length) ||
        !find_field(text, length, 5, &port, &port_length))
        return PRISM_ICE_CANDIDATE_MALFORMED;
    if (ends_with_local(address, address_length))
        return PRISM_ICE_CANDIDATE_MDNS;
    if (!port_field_valid(port, port_length))
        return PRISM_ICE_CANDIDATE_MALFORMED;

    char attribute[PRISM_ICE_CANDIDATE_MAX];
    memcpy(attribute, "a=", 2);
    memcpy(attribute + 2, text, length);
    attribute[length + 2] = '\0';
    NiceCandidate *candidate = nice_agent_parse_remote_candidate_sdp(agent, stream_id, attribute);
    if (!candidate)
        return PRISM_ICE_CANDIDATE_MALFORMED;
    enum prism_ice_candidate_result result = screen_parsed(candidate, settings);
    if (result == PRISM_ICE_CANDIDATE_ADDED)
        *out = candidate;
    else
        nice_candidate_free(candidate);
    return result;
}

/* Emits one candidate as "candidate:..." (libnice writes "a=candidate:..."). */
static size_t emit_sdp(NiceAgent *agent, NiceCandidate *candidate,
                       void (*emit)(void *data, const char *candidate), void *data)
{
    gchar *sdp = nice_agent_generate_local_candidate_sdp(agent, candidate);
    if (!sdp)
        return 0;
    emit(data, g_str_has_prefix(sdp, "a=") ? sdp + 2 : sdp);
    g_free(sdp);
    return 1;
}

static bool nat_applies(const struct prism_ice_settings *settings, const NiceCandidate *candidate)
{
    return settings->has_nat_address && candidate->type == NICE_CANDIDATE_TYPE_HOST &&
           candidate->addr.s.addr.sa_family == settings->nat_address.family;
}

size_t prism_ice_candidate_advertise(NiceAgent *agent, const struct prism_ice_settings *settings,
                                     const NiceCandidate *candidate,
                                     void (*emit)(void *data, const char *candidate), void *data)
{
    if (candidate->transport == NICE_CANDIDATE_TRANSPORT_TCP_ACTIVE ||
        candidate->transport == NICE_CANDIDATE_TRANSPORT_TCP_SO)
        return 0;
    NiceCandidate *copy = nice_candidate_copy(candidate);
    if (!copy)
        return 0;
    size_t emitted = 0;
    if (!nat_applies(settings, candidate) || settings->nat_keep_host)
        emitted += emit_sdp(agent, copy, emit, data);
    if (nat_applies(settings, candidate)) {
        char public_ip[64];
        prism_ip_format(&settings->nat_address, public_ip, sizeof(public_ip));
        guint port = nice_address_get_port(&candidate->addr);
        if (nice_address_set_from_string(&copy->addr, public_ip)) {
            nice_address_set_port(&copy->addr, port);
            /* libnice writes "raddr <base>" when they differ: keep the private address out */
            copy->base_addr = copy->addr;
            emitted += emit_sdp(agent, copy, emit, data);
        }
    }
    nice_candidate_free(copy);
    return emitted;
}
