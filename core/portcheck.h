/* Checks, before any transport opens, that a TCP address can be listened on. */
#ifndef PRISM_CORE_PORTCHECK_H
#define PRISM_CORE_PORTCHECK_H

#include <stddef.h>
#include <stdint.h>

/* Binds (and closes at once) a TCP socket on `address` (an IPv4 or IPv6
 * literal) and `port`. Returns 0, or -errno with a reason in `reason`
 * ("Address already in use", "not an IP address"). */
int prism_port_check_tcp(const char *address, uint16_t port, char *reason, size_t reason_size);

#endif
