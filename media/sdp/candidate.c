/* ICE candidate lines (RFC 8839 section 5.1), shared by SDP and trickle messages. */
#include "media/sdp/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const type_names[] = {
    [PRISM_SDP_CANDIDATE_HOST] = "host",
    [PRISM_SDP_CANDIDATE_SRFLX] = "srflx",
    [PRISM_SDP_CANDIDATE_PRFLX] = "prflx",
    [PRISM_SDP_CANDIDATE_RELAY] = "relay",
};

static const char *const tcptype_names[] = {
    [PRISM_SDP_TCPTYPE_NONE] = "",
    [PRISM_SDP_TCPTYPE_ACTIVE] = "active",
    [PRISM_SDP_TCPTYPE_PASSIVE] = "passive",
    [PRISM_SDP_TCPTYPE_SO] = "so",
};

static bool is_hostname(struct sdp_view v)
{
    for (size_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return false;
    }
    return v.len > 0;
}

/* Copies an address and says what it is: IPv4, IPv6, an mDNS name or another hostname. */
static int take_address(struct sdp_view v, char *dst, enum prism_sdp_address_kind *kind)
{
    if (sdp_view_copy(v, dst, PRISM_SDP_ADDRESS_LEN + 1) < 0)
        return -E2BIG;
    unsigned char scratch[16];
    if (inet_pton(AF_INET, dst, scratch) == 1) {
        *kind = PRISM_SDP_ADDRESS_IPV4;
    } else if (inet_pton(AF_INET6, dst, scratch) == 1) {
        *kind = PRISM_SDP_ADDRESS_IPV6;
    } else if (is_hostname(v)) {
        bool mdns = v.len > 6 && sdp_view_ieq((struct sdp_view){v.ptr + v.len - 6, 6}, ".local");
        *kind = mdns ? PRISM_SDP_ADDRESS_MDNS : PRISM_SDP_ADDRESS_FQDN;
    } else {
        return -EINVAL;
    }
    return 0;
}

static bool take_port(struct sdp_view *v, uint16_t *port)
{
    struct sdp_view text;
    uint32_t value;
    if (!sdp_view_token(v, &text) || !sdp_view_u32(text, 65535, &value))
        return false;
    *port = (uint16_t)value;
    return true;
}

static int parse_type(struct sdp_view *v, struct prism_sdp_candidate *c)
{
    struct sdp_view typ, type;
    if (!sdp_view_token(v, &typ) || !sdp_view_eq(typ, "typ") || !sdp_view_token(v, &type))
        return -EINVAL;
    for (int i = PRISM_SDP_CANDIDATE_HOST; i <= PRISM_SDP_CANDIDATE_RELAY; i++) {
        if (sdp_view_eq(type, type_names[i])) {
            c->type = (enum prism_sdp_candidate_type)i;
            return 0;
        }
    }
    return -EINVAL;
}

/* raddr, rport, tcptype, then extension name/value pairs that we skip. */
static int parse_tail(struct sdp_view *v, struct prism_sdp_candidate *c)
{
    struct sdp_view name, value;
    enum prism_sdp_address_kind related_kind;
    while (sdp_view_token(v, &name)) {
        if (sdp_view_eq(name, "rport")) {
            if (!take_port(v, &c->related_port))
                return -EINVAL;
            continue;
        }
        if (!sdp_view_token(v, &value))
            return -EINVAL;
        if (sdp_view_eq(name, "raddr")) {
            int rc = take_address(value, c->related_address, &related_kind);
            if (rc < 0)
                return rc;
            c->has_related = true;
        } else if (sdp_view_eq(name, "tcptype")) {
            int i = PRISM_SDP_TCPTYPE_ACTIVE;
            while (i <= PRISM_SDP_TCPTYPE_SO && !sdp_view_eq(value, tcptype_names[i]))
                i++;
            if (i > PRISM_SDP_TCPTYPE_SO)
                return -EINVAL;
            c->tcptype = (enum prism_sdp_tcptype)i;
        }
    }
    return 0;
}

int prism_sdp_candidate_parse(const char *text, size_t length, struct prism_sdp_candidate *out)
{
    struct sdp_view v = {text, length}, foundation, component, transport, priority, address;
    struct prism_sdp_candidate c;
    uint32_t number;
    if (!text || !out)
        return -EINVAL;
    memset(&c, 0, sizeof(c));
    if (sdp_view_has_prefix(v, "a=")) {
        v.ptr += 2;
        v.len -= 2;
    }
    if (!sdp_view_has_prefix(v, "candidate:"))
        return -EINVAL;
    v.ptr += 10;
    v.len -= 10;
    if (!sdp_view_token(&v, &foundation) || !sdp_view_is_ice_chars(foundation) ||
        sdp_view_copy(foundation, c.foundation, sizeof(c.foundation)) < 0)
        return -EINVAL;
    if (!sdp_view_token(&v, &component) || !sdp_view_u32(component, 256, &number) || number == 0)
        return -EINVAL;
    c.component = (uint16_t)number;
    if (!sdp_view_token(&v, &transport) ||
        !(sdp_view_ieq(transport, "udp") || (c.tcp = sdp_view_ieq(transport, "tcp"))))
        return -EINVAL;
    if (!sdp_view_token(&v, &priority) || !sdp_view_u32(priority, UINT32_MAX, &c.priority) ||
        c.priority == 0)
        return -EINVAL;
    if (!sdp_view_token(&v, &address))
        return -EINVAL;
    int rc = take_address(address, c.address, &c.address_kind);
    if (rc < 0)
        return rc;
    if (!take_port(&v, &c.port) || parse_type(&v, &c) < 0)
        return -EINVAL;
    rc = parse_tail(&v, &c);
    if (rc < 0)
        return rc;
    if (!c.tcp && c.tcptype != PRISM_SDP_TCPTYPE_NONE) /* tcptype belongs to TCP only */
        return -EINVAL;
    *out = c;
    return 0;
}

int prism_sdp_candidate_write(const struct prism_sdp_candidate *c, char *buf, size_t size)
{
    if (!c || !buf || (unsigned)c->type > PRISM_SDP_CANDIDATE_RELAY ||
        (unsigned)c->tcptype > PRISM_SDP_TCPTYPE_SO || !c->foundation[0] || !c->address[0] ||
        memchr(c->address, ' ', strlen(c->address)))
        return -EINVAL;
    int n = snprintf(buf, size, "candidate:%s %u %s %u %s %u typ %s", c->foundation, c->component,
                     c->tcp ? "tcp" : "udp", c->priority, c->address, c->port, type_names[c->type]);
    size_t used = n < 0 ? 0 : (size_t)n;
    if (c->has_related && used < size)
        used += (size_t)snprintf(buf + used, size - used, " raddr %s rport %u", c->related_address,
                                 c->related_port);
    if (c->tcp && c->tcptype != PRISM_SDP_TCPTYPE_NONE && used < size)
        used += (size_t)snprintf(buf + used, size - used, " tcptype %s", tcptype_names[c->tcptype]);
    if (n < 0 || used >= size)
        return -ENOSPC;
    return (int)used;
}
