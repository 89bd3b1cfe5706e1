/* Parsing of network address text used by settings: IP literals, CIDR lists, interface lists,
 * host:port and port ranges. Every parser reads within the bounds it is given. */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Decimal number of 1 to `max_digits` digits, no sign, no blanks, at most `max`. */
static int parse_decimal(const char *text, size_t length, size_t max_digits, unsigned max,
                         unsigned *out)
{
    if (length == 0 || length > max_digits)
        return -EINVAL;
    unsigned value = 0;
    for (size_t i = 0; i < length; i++) {
        if (!is_digit(text[i]))
            return -EINVAL;
        value = value * 10 + (unsigned)(text[i] - '0');
    }
    if (value > max)
        return -EINVAL;
    *out = value;
    return 0;
}

int prism_ip_parse(const char *text, size_t length, struct prism_ip *out)
{
    char copy[INET6_ADDRSTRLEN];
    if (length == 0 || length >= sizeof(copy))
        return -EINVAL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    if (strlen(copy) != length)
        return -EINVAL; /* an embedded NUL */
    struct prism_ip ip = {0};
    ip.family = memchr(copy, ':', length) ? AF_INET6 : AF_INET;
    if (inet_pton(ip.family, copy, ip.bytes) != 1)
        return -EINVAL;
    *out = ip;
    return 0;
}

const char *prism_ip_format(const struct prism_ip *ip, char *out, size_t size)
{
    if (size == 0)
        return out;
    if (!inet_ntop(ip->family, ip->bytes, out, (socklen_t)size))
        snprintf(out, size, "?");
    return out;
}

static unsigned address_bits(int family)
{
    return family == AF_INET ? 32 : 128;
}

int prism_cidr_parse(const char *text, size_t length, struct prism_cidr *out)
{
    const char *slash = memchr(text, '/', length);
    size_t address_length = slash ? (size_t)(slash - text) : length;
    struct prism_cidr network = {0};
    if (prism_ip_parse(text, address_length, &network.base) != 0)
        return -EINVAL;
    unsigned bits = address_bits(network.base.family);
    network.prefix = bits;
    if (slash &&
        parse_decimal(slash + 1, length - address_length - 1, 3, bits, &network.prefix) != 0)
        return -EINVAL;
    for (unsigned bit = network.prefix; bit < bits; bit++)
        network.base.bytes[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    *out = network;
    return 0;
}

/* The IPv4 address carried by an IPv4-mapped IPv6 address, or `ip` itself. */
static struct prism_ip unmapped(const struct prism_ip *ip)
{
    static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (ip->family != AF_INET6 || memcmp(ip->bytes, mapped_prefix, sizeof(mapped_prefix)) != 0)
        return *ip;
    struct prism_ip v4 = {.family = AF_INET};
    memcpy(v4.bytes, ip->bytes + 12, 4);
    return v4;
}

bool prism_cidr_contains(const struct prism_cidr *network, const struct prism_ip *ip)
{
    struct prism_ip candidate = unmapped(ip);
    if (candidate.family != network->base.family ||
        network->prefix > address_bits(candidate.family))
        return false;
    unsigned whole = network->prefix / 8, rest = network->prefix % 8;
    if (memcmp(candidate.bytes, network->base.bytes, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff00u >> rest);
    return (candidate.bytes[whole] & mask) == (network->base.bytes[whole] & mask);
}

bool prism_cidr_list_allows(const struct prism_cidr *networks, size_t count,
                            const struct prism_ip *ip)
{
    if (count == 0)
        return true;
    for (size_t i = 0; i < count; i++) {
        if (prism_cidr_contains(&networks[i], ip))
            return true;
    }
    return false;
}

/* Steps through a comma-separated list: sets the next item (blanks trimmed) and returns true,
 * or returns false at the end. A list that is empty or only blanks has no items. */
static bool next_item(const char **cursor, const char *end, const char **item, size_t *length)
{
    const char *at = *cursor;
    if (!at)
        return false;
    const char *comma = memchr(at, ',', (size_t)(end - at));
    const char *stop = comma ? comma : end;
    while (at < stop && is_blank(*at))
        at++;
    const char *last = stop;
    while (last > at && is_blank(last[-1]))
        last--;
    *item = at;
    *length = (size_t)(last - at);
    *cursor = comma ? comma + 1 : NULL;
    return true;
}

static bool only_blanks(const char *text)
{
    while (is_blank(*text))
        text++;
    return *text == '\0';
}

int prism_cidr_list_parse(const char *text, struct prism_cidr *out, size_t capacity, size_t *count)
{
    size_t found = 0;
    if (!only_blanks(text)) {
        const char *cursor = text, *end = text + strlen(text), *item;
        size_t length;
        while (next_item(&cursor, end, &item, &length)) {
            if (found == capacity)
                return -E2BIG;
            if (prism_cidr_parse(item, length, &out[found]) != 0)
                return -EINVAL;
            found++;
        }
    }
    *count = found;
    return 0;
}

/* Interface names as Linux allows them in practice: a letter first, then letters, digits and
 * "_.:@-" (":" for alias labels such as "eth0:1"), never "::", at most 15 characters. */
static bool is_interface_name(const char *text, size_t length)
{
    if (length == 0 || length > 15 || !is_letter(text[0]))
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (!is_letter(c) && !is_digit(c) && !strchr("_.:@-", c))
            return false;
        if (c == ':' && i + 1 < length && text[i + 1] == ':')
            return false;
    }
    return true;
}

int prism_interface_list_parse(const char *text, struct prism_interface_match *out, size_t capacity,
                               size_t *count)
{
    size_t found = 0;
    if (!only_blanks(text)) {
        const char *cursor = text, *end = text + strlen(text), *item;
        size_t length;
        while (next_item(&cursor, end, &item, &length)) {
            if (found == capacity)
                return -E2BIG;
            struct prism_interface_match match = {0};
            if (prism_ip_parse(item, length, &match.address) == 0)
                match.is_address = true;
            else if (is_interface_name(item, length))
                memcpy(match.name, item, length);
            else
                return -EINVAL;
            out[found++] = match;
        }
    }
    *count = found;
    return 0;
}

static bool is_host_name(const char *text, size_t length)
{
    if (length == 0 || length > 253 || text[0] == '-' || text[0] == '.')
        return false;
    for (size_t i = 0; i < length; i++) {
        if (!is_letter(text[i]) && !is_digit(text[i]) && text[i] != '-' && text[i] != '.')
            return false;
    }
    return true;
}

int prism_host_port_parse(const char *text, char *host, size_t host_size, uint16_t *port)
{
    size_t length = strlen(text);
    const char *host_start = text, *colon;
    size_t host_length;
    if (length > 0 && text[0] == '[') {
        const char *close = memchr(text, ']', length);
        if (!close || close[1] != ':')
            return -EINVAL;
        host_start = text + 1;
        host_length = (size_t)(close - host_start);
        struct prism_ip ip;
        if (prism_ip_parse(host_start, host_length, &ip) != 0 || ip.family != AF_INET6)
            return -EINVAL;
        colon = close + 1;
    } else {
        colon = memchr(text, ':', length);
        if (!colon || memchr(colon + 1, ':', length - (size_t)(colon + 1 - text)))
            return -EINVAL;
        host_length = (size_t)(colon - text);
        if (!is_host_name(text, host_length))
            return -EINVAL;
    }
    unsigned number;
    size_t port_length = length - (size_t)(colon + 1 - text);
    if (parse_decimal(colon + 1, port_length, 5, 65535, &number) != 0 || number == 0)
        return -EINVAL;
    if (host_length >= host_size)
        return -EINVAL;
    memcpy(host, host_start, host_length);
    host[host_length] = '\0';
    *port = (uint16_t)number;
    return 0;
}

int prism_port_range_parse(const char *text, uint16_t *min, uint16_t *max)
{
    size_t length = strlen(text);
    const char *dash = memchr(text, '-', length);
    if (!dash)
        return -EINVAL;
    unsigned low, high;
    size_t low_length = (size_t)(dash - text);
    if (parse_decimal(text, low_length, 5, 65535, &low) != 0 ||
        parse_decimal(dash + 1, length - low_length - 1, 5, 65535, &high) != 0)
        return -EINVAL;
    if (low == 0 || low > high)
        return -EINVAL;
    *min = (uint16_t)low;
    *max = (uint16_t)high;
    return 0;
}

socklen_t prism_ip_to_sockaddr(const struct prism_ip *ip, uint16_t port,
                               struct sockaddr_storage *out)
{
    memset(out, 0, sizeof(*out));
    if (ip->family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)out;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        memcpy(&in->sin_addr, ip->bytes, 4);
        return sizeof(*in);
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    memcpy(&in6->sin6_addr, ip->bytes, 16);
    return sizeof(*in6);
}
