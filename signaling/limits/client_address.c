/* Client address keys (see client_address.h). */
#include "signaling/limits/client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static bool write_ipv4(const void *bytes, char *out, size_t size)
{
    return inet_ntop(AF_INET, bytes, out, (socklen_t)size) != NULL;
}

static bool write_ipv6_prefix(const struct in6_addr *address, char *out, size_t size)
{
    struct in6_addr prefix = *address;
    memset(prefix.s6_addr + 8, 0, 8);
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(AF_INET6, &prefix, text, sizeof(text)))
        return false;
    int n = snprintf(out, size, "%s/64", text);
    return n > 0 && (size_t)n < size;
}

bool prism_client_address_key(const struct sockaddr *address, char *out, size_t size)
{
    if (!out || size == 0)
        return false;
    out[0] = '\0';
    bool written = false;
    if (address && address->sa_family == AF_INET) {
        written = write_ipv4(&((const struct sockaddr_in *)address)->sin_addr, out, size);
    } else if (address && address->sa_family == AF_INET6) {
        const struct in6_addr *v6 = &((const struct sockaddr_in6 *)address)->sin6_addr;
        written = IN6_IS_ADDR_V4MAPPED(v6) ? write_ipv4(v6->s6_addr + 12, out, size)
                                           : write_ipv6_prefix(v6, out, size);
    }
    if (!written)
        out[0] = '\0';
    return written;
}

bool prism_client_address_of_socket(int fd, char *out, size_t size)
{
    struct sockaddr_storage address;
    socklen_t length = sizeof(address);
    if (fd < 0 || getpeername(fd, (struct sockaddr *)&address, &length) != 0) {
        if (out && size)
            out[0] = '\0';
        return false;
    }
    return prism_client_address_key((const struct sockaddr *)&address, out, size);
}
