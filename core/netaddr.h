/* Network address text as settings spell it: IP literals, CIDR networks and lists, interface
 * lists, "host:port" and "min-max" port ranges. Pure functions with no I/O, shared by the
 * settings checks (which reject bad values at config load) and the media layer (which uses
 * the parsed values), so both accept exactly the same syntax.
 *
 * Lists are comma-separated; blanks around items are ignored; an empty string is an empty
 * list. Addresses are kept in network byte order. */
#ifndef PRISM_CORE_NETADDR_H
#define PRISM_CORE_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Most items a settings list may hold (interfaces, networks). */
#define PRISM_NETADDR_LIST_MAX 32

/* An IPv4 (family AF_INET, 4 bytes used) or IPv6 (AF_INET6, 16 bytes) address. */
struct prism_ip {
    int family;
    uint8_t bytes[16];
};

/* A network: `prefix` leading bits of `base` (host bits cleared when parsed). */
struct prism_cidr {
    struct prism_ip base;
    unsigned prefix;
};

/* One entry of an interface list: an address literal, or an interface name ("eth0"). */
struct prism_interface_match {
    bool is_address;
    struct prism_ip address;
    char name[16]; /* IFNAMSIZ; empty for an address */
};

/* Parses a whole IPv4 or IPv6 literal of `length` bytes (no brackets, no zone, no blanks).
 * Returns 0 or -EINVAL; writes *out only on success. */
int prism_ip_parse(const char *text, size_t length, struct prism_ip *out);

/* Formats `ip` into `out` (at least 46 bytes for IPv6); returns out. */
const char *prism_ip_format(const struct prism_ip *ip, char *out, size_t size);
/* ip:port as a socket address for bind/sendto; returns its length. */
socklen_t prism_ip_to_sockaddr(const struct prism_ip *ip, uint16_t port,
                               struct sockaddr_storage *out);

/* Parses "a.b.c.d/n" or "v6/n" (a bare address is a whole-address network). The prefix is
 * decimal, at most 32 (IPv4) or 128 (IPv6); host bits beyond the prefix are cleared, so
 * "192.168.1.7/24" is 192.168.1.0/24. Returns 0 or -EINVAL; *out only on success. */
int prism_cidr_parse(const char *text, size_t length, struct prism_cidr *out);

/* Parses a comma-separated CIDR list into out[0..capacity). Returns 0 with *count set,
 * -EINVAL for a bad item or an empty item ("a,,b"), -E2BIG when more than `capacity`. */
int prism_cidr_list_parse(const char *text, struct prism_cidr *out, size_t capacity, size_t *count);

/* True when `ip` lies in `network`. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
 * compared as the IPv4 address it carries; otherwise families must match. */
bool prism_cidr_contains(const struct prism_cidr *network, const struct prism_ip *ip);

/* True when `ip` lies in one of the networks, or when the list is empty (no restriction). */
bool prism_cidr_list_allows(const struct prism_cidr *networks, size_t count,
                            const struct prism_ip *ip);

/* Parses a comma-separated list of IP literals and interface names (1 to 15 characters
 * among letters, digits and "_.:@-", not starting with '-'). Same results as
 * prism_cidr_list_parse. */
int prism_interface_list_parse(const char *text, struct prism_interface_match *out, size_t capacity,
                               size_t *count);

/* Parses "host:port" or "[v6-address]:port": the host is a name or address of at most
 * `host_size` - 1 bytes, the port 1 to 65535. Returns 0 or -EINVAL; outputs only on
 * success. */
int prism_host_port_parse(const char *text, char *host, size_t host_size, uint16_t *port);

/* Parses "min-max", 1 <= min <= max <= 65535. Returns 0 or -EINVAL; outputs only on
 * success. */
int prism_port_range_parse(const char *text, uint16_t *min, uint16_t *max);

#endif
