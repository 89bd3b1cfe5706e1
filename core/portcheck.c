/* Port pre-flight check: bind and close. */
#include "core/portcheck.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Fills `storage` from an IP literal; returns its length or 0. */
static socklen_t parse_address(const char *address, uint16_t port, struct sockaddr_storage *storage)
{
    memset(storage, 0, sizeof(*storage));
    struct sockaddr_in *v4 = (struct sockaddr_in *)storage;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)storage;
    if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        return sizeof(*v4);
    }
    if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        return sizeof(*v6);
    }
    return 0;
}

int prism_port_check_tcp(const char *address, uint16_t port, char *reason, size_t reason_size)
{
    struct sockaddr_storage storage;
    socklen_t length = parse_address(address, port, &storage);
    if (length == 0) {
        snprintf(reason, reason_size, "'%s' is not an IP address", address);
        return -EINVAL;
    }
    int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int error = errno;
        snprintf(reason, reason_size, "%s", strerror(error));
        return -error;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    int rc = 0;
    if (bind(fd, (struct sockaddr *)&storage, length) < 0 || listen(fd, 1) < 0) {
        rc = -errno;
        snprintf(reason, reason_size, "%s", strerror(-rc));
    }
    close(fd);
    return rc;
}
