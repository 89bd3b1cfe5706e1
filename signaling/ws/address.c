/* Listening address resolution for the WebSocket transport (see address.h). */
#include "signaling/ws/address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Checks that the address can be bound here, on a throwaway socket with an
 * ephemeral port, so a typo fails at start rather than listening nowhere. */
static int probe_bind(const struct sockaddr *address, socklen_t length)
{
    int fd = socket(address->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int rc = bind(fd, address, length) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

static int resolve_literal(const char *interface, struct prism_ws_address *out)
{
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    int rc;
    if (inet_pton(AF_INET, interface, &v4.sin_addr) == 1) {
        rc = probe_bind((const struct sockaddr *)&v4, sizeof(v4));
        out->ipv6 = false;
    } else if (inet_pton(AF_INET6, interface, &v6.sin6_addr) == 1) {
        rc = probe_bind((const struct sockaddr *)&v6, sizeof(v6));
        out->ipv6 = true;
    } else {
        return -EINVAL;
    }
    if (rc < 0)
        return rc;
    /* inet_pton accepted it, so it fits: its length is below INET6_ADDRSTRLEN. */
    strcpy(out->numeric, interface);
    return 0;
}

static int resolve_name(const char *interface, struct prism_ws_address *out)
{
    struct ifaddrs *list;
    if (getifaddrs(&list) < 0)
        return -errno;
    int rc = -ENODEV;
    for (struct ifaddrs *entry = list; entry; entry = entry->ifa_next) {
        if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET ||
            strcmp(entry->ifa_name, interface) != 0)
            continue;
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)entry->ifa_addr;
        if (!inet_ntop(AF_INET, &v4->sin_addr, out->numeric, sizeof(out->numeric))) {
            rc = -errno;
            break;
        }
        out->ipv6 = false;
        rc = 0;
        break;
    }
    freeifaddrs(list);
    return rc;
}

int prism_ws_address_resolve(const char *interface, struct prism_ws_address *out)
{
    if (!interface || !*interface || strlen(interface) >= PRISM_WS_ADDRESS_MAX)
        return -EINVAL;
    struct prism_ws_address address;
    int rc = resolve_literal(interface, &address);
    if (rc == -EINVAL)
        rc = resolve_name(interface, &address);
    if (rc == 0)
        *out = address;
    return rc;
}
