/* The client address the per-address limits count by: the text form of the peer's IP, with an
 * IPv4-mapped IPv6 address written as IPv4 and an IPv6 address cut to its /64 (one subscriber
 * line or one host usually holds a whole /64, so counting single IPv6 addresses would let one
 * client pose as 2^64 of them). Pure. */
#ifndef PRISM_SIGNALING_LIMITS_CLIENT_ADDRESS_H
#define PRISM_SIGNALING_LIMITS_CLIENT_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Room for any key: an IPv6 /64 prefix with "/64", or an IPv4 address. */
#define PRISM_CLIENT_ADDRESS_MAX 48

/* Writes the key of `address` ("192.0.2.7", "2001:db8:1:2::/64") to `out`. False (and `out`
 * left empty) for a family that is not IPv4 or IPv6, e.g. a Unix socket. */
bool prism_client_address_key(const struct sockaddr *address, char *out, size_t size);

/* The key of the peer of the connected socket `fd`; false when there is none. */
bool prism_client_address_of_socket(int fd, char *out, size_t size);

#endif
