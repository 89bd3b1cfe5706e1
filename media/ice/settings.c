/* The ICE settings of section "media": parsed and checked once at start, STUN host resolved. */
#include "core/config.h"
#include "media/ice/ice.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Resolves a STUN host name or literal to an address literal, as libnice wants one. */
static int resolve_stun_host(const char *host, char *out, size_t size)
{
    struct prism_ip literal;
    if (prism_ip_parse(host, strlen(host), &literal) == 0) {
        prism_ip_format(&literal, out, size);
        return 0;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *found = NULL;
    if (getaddrinfo(host, NULL, &hints, &found) != 0 || !found)
        return -EHOSTUNREACH;
    int rc = getnameinfo(found->ai_addr, found->ai_addrlen, out, (socklen_t)size, NULL, 0,
                         NI_NUMERICHOST);
    freeaddrinfo(found);
    return rc == 0 ? 0 : -EHOSTUNREACH;
}

static int parse_stun(struct prism_ice_settings *settings, const char *text, char *error,
                      size_t error_size)
{
    if (!text[0])
        return 0;
    char host[256];
    if (prism_host_port_parse(text, host, sizeof(host), &settings->stun_port) != 0) {
        snprintf(error, error_size, "media.stun_server: must be \"host:port\" (got \"%.64s\")",
                 text);
        return -EINVAL;
    }
    if (resolve_stun_host(host, settings->stun_address, sizeof(settings->stun_address)) != 0) {
        snprintf(error, error_size, "media.stun_server: cannot resolve \"%.64s\"", host);
        return -EHOSTUNREACH;
    }
    return 0;
}

static int invalid(char *error, size_t error_size, const char *key, const char *value)
{
    snprintf(error, error_size, "media.%s: invalid value \"%.64s\"", key, value);
    return -EINVAL;
}

int prism_ice_settings_parse(struct prism_ice_settings *out,
                             const struct prism_ice_settings_text *text, char *error,
                             size_t error_size)
{
    struct prism_ice_settings settings = {.tcp = text->tcp,
                                          .nat_keep_host = text->nat_1_1_keep_host};
    const char *interfaces = text->interfaces ? text->interfaces : "";
    const char *port_range = text->port_range ? text->port_range : "10000-60000";
    const char *nat = text->nat_1_1_mapping ? text->nat_1_1_mapping : "";
    const char *networks = text->remote_networks ? text->remote_networks : "";
    if (prism_interface_list_parse(interfaces, settings.interfaces, PRISM_NETADDR_LIST_MAX,
                                   &settings.interface_count) != 0)
        return invalid(error, error_size, "ice_interfaces", interfaces);
    if (prism_port_range_parse(port_range, &settings.port_min, &settings.port_max) != 0)
        return invalid(error, error_size, "rtp_port_range", port_range);
    if (nat[0]) {
        if (prism_ip_parse(nat, strlen(nat), &settings.nat_address) != 0)
            return invalid(error, error_size, "nat_1_1_mapping", nat);
        settings.has_nat_address = true;
    }
    if (prism_cidr_list_parse(networks, settings.remote_networks, PRISM_NETADDR_LIST_MAX,
                              &settings.remote_network_count) != 0)
        return invalid(error, error_size, "ice_remote_networks", networks);
    const char *mode = text->ice_mode ? text->ice_mode : "full";
    if (g_ascii_strcasecmp(mode, "lite") == 0)
        settings.lite = true;
    else if (g_ascii_strcasecmp(mode, "full") != 0)
        return invalid(error, error_size, "ice_mode", mode);
    if (text->udp_port < 0 || text->udp_port > 65535) {
        snprintf(error, error_size, "media.udp_port: must be 1..65535");
        return -EINVAL;
    }
    settings.udp_port = text->udp_port ? (uint16_t)text->udp_port : 20000;
    int rc = parse_stun(&settings, text->stun_server ? text->stun_server : "", error, error_size);
    if (rc != 0)
        return rc;
    *out = settings;
    return 0;
}

int prism_ice_settings_from_config(struct prism_ice_settings *out,
                                   const struct prism_config *config, char *error,
                                   size_t error_size)
{
    struct prism_ice_settings_text text = {
        .interfaces = prism_config_get_string(config, "media", "ice_interfaces"),
        .port_range = prism_config_get_string(config, "media", "rtp_port_range"),
        .stun_server = prism_config_get_string(config, "media", "stun_server"),
        .nat_1_1_mapping = prism_config_get_string(config, "media", "nat_1_1_mapping"),
        .nat_1_1_keep_host = prism_config_get_bool(config, "media", "nat_1_1_keep_host"),
        .remote_networks = prism_config_get_string(config, "media", "ice_remote_networks"),
        .tcp = prism_config_get_bool(config, "media", "ice_tcp"),
        .ice_mode = prism_config_get_string(config, "media", "ice_mode"),
        .udp_port = prism_config_get_int(config, "media", "udp_port"),
    };
    return prism_ice_settings_parse(out, &text, error, error_size);
}
