/* Which host addresses get ICE host candidates. libnice's own enumeration skips loopback,
 * which a namespace or container with only "lo" needs, and cannot select by interface name,
 * so Prism picks the addresses and hands them to libnice one by one. */
#include "media/ice/ice_internal.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

static bool is_link_local(const struct prism_ip *address)
{
    if (address->family == AF_INET)
        return address->bytes[0] == 169 && address->bytes[1] == 254;
    return address->bytes[0] == 0xfe && (address->bytes[1] & 0xc0) == 0x80;
}

static bool same_ip(const struct prism_ip *a, const struct prism_ip *b)
{
    size_t size = a->family == AF_INET ? 4 : 16;
    return a->family == b->family && memcmp(a->bytes, b->bytes, size) == 0;
}

bool prism_ice_address_selected(const struct prism_ice_settings *settings,
                                const char *interface_name, const struct prism_ip *address)
{
    if (is_link_local(address))
        return false;
    if (settings->interface_count == 0)
        return true;
    for (size_t i = 0; i < settings->interface_count; i++) {
        const struct prism_interface_match *match = &settings->interfaces[i];
        if (match->is_address ? same_ip(&match->address, address)
                              : strcmp(match->name, interface_name) == 0)
            return true;
    }
    return false;
}

static bool ip_from_sockaddr(const struct sockaddr *sa, struct prism_ip *out)
{
    struct prism_ip ip = {.family = sa->sa_family};
    if (sa->sa_family == AF_INET)
        memcpy(ip.bytes, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
    else if (sa->sa_family == AF_INET6)
        memcpy(ip.bytes, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
    else
        return false;
    *out = ip;
    return true;
}

int prism_ice_local_addresses(const struct prism_ice_settings *settings, struct prism_ip *out,
                              size_t capacity, size_t *count)
{
    struct ifaddrs *all;
    if (getifaddrs(&all) != 0)
        return -errno;
    size_t found = 0;
    for (struct ifaddrs *one = all; one && found < capacity; one = one->ifa_next) {
        struct prism_ip ip;
        if (!one->ifa_addr || !(one->ifa_flags & IFF_UP) || !ip_from_sockaddr(one->ifa_addr, &ip))
            continue;
        if (!prism_ice_address_selected(settings, one->ifa_name, &ip))
            continue;
        bool seen = false;
        for (size_t i = 0; i < found && !seen; i++)
            seen = same_ip(&out[i], &ip);
        if (!seen)
            out[found++] = ip;
    }
    freeifaddrs(all);
    *count = found;
    return 0;
}
