/* The port pre-flight check. */
#include "core/portcheck.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* Listens on an ephemeral loopback port; returns the fd and writes the port. */
static int listen_somewhere(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    g_assert_cmpint(bind(fd, (struct sockaddr *)&address, sizeof(address)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    socklen_t length = sizeof(address);
    getsockname(fd, (struct sockaddr *)&address, &length);
    *port = ntohs(address.sin_port);
    return fd;
}

static void test_portcheck_reports_port_in_use(void)
{
    uint16_t port;
    int fd = listen_somewhere(&port);
    char reason[128] = "";
    g_assert_cmpint(prism_port_check_tcp("127.0.0.1", port, reason, sizeof(reason)), ==,
                    -EADDRINUSE);
    g_assert_nonnull(strstr(reason, "in use"));
    close(fd);
    g_assert_cmpint(prism_port_check_tcp("127.0.0.1", port, reason, sizeof(reason)), ==, 0);
}

static void test_portcheck_rejects_names_and_foreign_addresses(void)
{
    char reason[128] = "";
    g_assert_cmpint(prism_port_check_tcp("localhost", 8088, reason, sizeof(reason)), ==, -EINVAL);
    g_assert_nonnull(strstr(reason, "not an IP address"));
    /* An address this host does not have cannot be bound. */
    g_assert_cmpint(prism_port_check_tcp("192.0.2.1", 8088, reason, sizeof(reason)), ==,
                    -EADDRNOTAVAIL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/portcheck/reports-port-in-use", test_portcheck_reports_port_in_use);
    g_test_add_func("/portcheck/rejects-names-and-foreign-addresses",
                    test_portcheck_rejects_names_and_foreign_addresses);
    return g_test_run();
}
