/* The listening address of the WebSocket transport, resolved before
 * libwebsockets sees it. lws 4.1 handles its `iface` setting loosely: with
 * IPv6 enabled an IPv4 address is not matched and the socket silently binds
 * every interface, and an address or name the machine lacks leaves a vhost
 * that reports the port but never listens. So Prism resolves the setting to
 * one numeric address of this machine, picks the address family, and only
 * then hands it over. */
#ifndef PRISM_SIGNALING_WS_ADDRESS_H
#define PRISM_SIGNALING_WS_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

/* Large enough for any numeric IPv6 address (INET6_ADDRSTRLEN). */
#define PRISM_WS_ADDRESS_MAX 46

struct prism_ws_address {
    char numeric[PRISM_WS_ADDRESS_MAX]; /* what to pass to lws as `iface` */
    bool ipv6;                          /* false: create the socket IPv4-only */
};

/* Resolves `interface`: an IPv4 or IPv6 literal must be an address of this
 * machine (or a wildcard), a name such as "lo" resolves to the interface's
 * first IPv4 address. Returns 0, -EINVAL for NULL, empty or overlong text,
 * -EADDRNOTAVAIL for an address that is not local, -ENODEV for an unknown
 * interface or one without an IPv4 address, or another -errno from the
 * system. Writes *out only on success. */
int prism_ws_address_resolve(const char *interface, struct prism_ws_address *out);

#endif
