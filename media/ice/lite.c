/* The ICE-lite backend of media/ice (media.ice_mode "lite"): no agent of its own, a place
 * (link) on the worker's shared socket instead. Local candidates are the socket's addresses,
 * known at once; the remote's candidates are not needed (its checks tell where it is); the
 * remote nominates and we follow, always as the controlled side (RFC 8445 section 2.5). */
#include "core/log.h"
#include "media/ice/ice_internal.h"
#include "media/sdp/candidate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Host candidates on the worker's port; RFC 8445 section 5.1.2.1 priority with type
 * preference 126 and a local preference that keeps the configured order. */
#define HOST_TYPE_PREFERENCE 126u

static struct prism_ice *ice_of(struct prism_udp_link *link)
{
    return (struct prism_ice *)((char *)link - offsetof(struct prism_ice, link));
}

static void link_receive_cb(struct prism_udp_link *link, const uint8_t *data, size_t len,
                            uint64_t now_us)
{
    struct prism_ice *ice = ice_of(link);
    if (__builtin_expect(ice->dead, 0))
        return;
    prism_ice_enter(ice);
    ice->callbacks.receive_cb(ice->owner, data, len, now_us);
    prism_ice_leave(ice);
}

static bool remote_allowed(const struct prism_ice *ice, char *shown, size_t size)
{
    struct prism_ip ip = {.family = ice->link.remote.ss_family};
    if (ip.family == AF_INET)
        memcpy(ip.bytes, &((const struct sockaddr_in *)&ice->link.remote)->sin_addr, 4);
    else
        memcpy(ip.bytes, &((const struct sockaddr_in6 *)&ice->link.remote)->sin6_addr, 16);
    prism_ip_format(&ip, shown, size);
    const struct prism_ice_settings *settings = ice->settings;
    return prism_cidr_list_allows(settings->remote_networks, settings->remote_network_count, &ip);
}

static void link_selected_cb(struct prism_udp_link *link)
{
    struct prism_ice *ice = ice_of(link);
    if (ice->dead || ice->state == PRISM_ICE_FAILED)
        return;
    char shown[64];
    ice->has_pair = true;
    ice->pair_allowed = remote_allowed(ice, shown, sizeof(shown));
    ice->can_send = ice->pair_allowed;
    prism_loop_timer_cancel(prism_udp_port_loop(ice->udp_port), &ice->connect_deadline);
    prism_ice_enter(ice);
    if (!ice->pair_allowed) {
        prism_warn("ice", "agent %p: peer at %s is outside ice_remote_networks; not using it",
                   (void *)ice, shown);
        prism_ice_set_state(ice, PRISM_ICE_FAILED);
    } else {
        prism_ice_set_state(ice, PRISM_ICE_CONNECTED);
        if (!ice->dead)
            prism_ice_set_state(ice, PRISM_ICE_COMPLETED);
    }
    prism_ice_leave(ice);
}

static void link_expired_cb(struct prism_udp_link *link)
{
    struct prism_ice *ice = ice_of(link);
    ice->can_send = false;
    if (ice->dead || ice->state == PRISM_ICE_FAILED)
        return;
    prism_verbose("ice", "agent %p: consent lost", (void *)ice);
    prism_ice_enter(ice);
    prism_ice_set_state(ice, PRISM_ICE_FAILED);
    prism_ice_leave(ice);
}

static const struct prism_udp_link_ops link_ops = {
    .receive_cb = link_receive_cb,
    .selected_cb = link_selected_cb,
    .expired_cb = link_expired_cb,
};

/* The remote never checked us (gone before connecting, or unable to reach the port). */
static void connect_deadline_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    struct prism_ice *ice = data;
    if (ice->dead || ice->has_pair || ice->state == PRISM_ICE_FAILED)
        return;
    prism_ice_enter(ice);
    prism_ice_set_state(ice, PRISM_ICE_FAILED);
    prism_ice_leave(ice);
}

/* (Re-)registers the current credentials; the remote ufrag follows when known. */
static int register_link(struct prism_ice *ice)
{
    struct prism_icelite_credentials credentials = {
        .local_ufrag = ice->local.ufrag,
        .local_pwd = ice->local.pwd,
        .remote_ufrag = ice->remote_ufrag[0] ? ice->remote_ufrag : NULL,
    };
    return prism_udp_link_open(ice->udp_port, &ice->link, &link_ops, &credentials);
}

int ice_lite_create(struct prism_ice **out, const struct prism_ice_params *params)
{
    if (!params->udp_port)
        return -EINVAL; /* lite needs a worker's loop and socket */
    struct prism_ice *ice = calloc(1, sizeof(*ice));
    if (!ice)
        return -ENOMEM;
    ice->settings = params->settings;
    ice->callbacks = *params->callbacks;
    ice->owner = params->owner;
    ice->udp_port = params->udp_port;
    prism_timer_init(&ice->connect_deadline, connect_deadline_cb, ice);
    int rc = prism_ice_credentials_generate(&ice->local);
    if (rc == 0)
        rc = register_link(ice);
    if (rc < 0) {
        free(ice);
        return rc;
    }
    *out = ice;
    return 0;
}

void ice_lite_release(struct prism_ice *ice)
{
    prism_loop_timer_cancel(prism_udp_port_loop(ice->udp_port), &ice->connect_deadline);
    prism_udp_link_close(&ice->link);
    free(ice);
}

int ice_lite_candidate_text(const struct prism_ip *ip, uint16_t port, unsigned index, char *out,
                            size_t size)
{
    char address[64];
    uint32_t local_preference = 65535u - (index & 0xffffu);
    uint32_t priority = (HOST_TYPE_PREFERENCE << 24) | (local_preference << 8) | 255u;
    int n = snprintf(out, size, "candidate:%u 1 udp %u %s %u typ host", index + 1, priority,
                     prism_ip_format(ip, address, sizeof(address)), port);
    return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

static size_t emit_candidate(const struct prism_ip *ip, uint16_t port, unsigned index,
                             void (*candidate_cb)(void *data, const char *candidate), void *data)
{
    char text[160];
    if (ice_lite_candidate_text(ip, port, index, text, sizeof(text)) < 0)
        return 0;
    candidate_cb(data, text);
    return 1;
}

size_t ice_lite_foreach_local_candidate(struct prism_ice *ice,
                                        void (*candidate_cb)(void *data, const char *candidate),
                                        void *data)
{
    if (!ice->gathering_started)
        return 0;
    struct prism_udp_local locals[PRISM_UDP_MAX_ADDRESSES];
    size_t count = prism_udp_port_locals(ice->udp_port, locals, PRISM_UDP_MAX_ADDRESSES);
    const struct prism_ice_settings *settings = ice->settings;
    size_t emitted = 0;
    unsigned index = 0;
    for (size_t i = 0; i < count; i++) {
        bool nat = settings->has_nat_address && settings->nat_address.family == locals[i].ip.family;
        if (!nat || settings->nat_keep_host)
            emitted += emit_candidate(&locals[i].ip, locals[i].port, index++, candidate_cb, data);
        if (nat)
            emitted += emit_candidate(&settings->nat_address, locals[i].port, index++, candidate_cb,
                                      data);
    }
    return emitted;
}

static void emit_local_cb(void *data, const char *candidate)
{
    struct prism_ice *ice = data;
    if (!ice->dead)
        ice->callbacks.local_candidate_cb(ice->owner, candidate);
}

int ice_lite_gather(struct prism_ice *ice)
{
    ice->gathering_started = true;
    ice->gathering_done = true;
    prism_loop_timer_arm(prism_udp_port_loop(ice->udp_port), &ice->connect_deadline,
                         prism_loop_clock_us() + PRISM_ICE_LITE_CONNECT_TIMEOUT_US);
    prism_ice_enter(ice);
    ice_lite_foreach_local_candidate(ice, emit_local_cb, ice);
    if (!ice->dead)
        ice->callbacks.gathering_done_cb(ice->owner);
    prism_ice_leave(ice);
    return 0;
}

/* New local credentials, registered as an ICE restart: the old ones answer until checks
 * with the new ones arrive, and the selected address keeps carrying media until then. */
static int restart_credentials(struct prism_ice *ice)
{
    struct prism_ice_credentials previous = ice->local;
    int rc = prism_ice_credentials_generate(&ice->local);
    if (rc == 0) {
        ice->remote_ufrag[0] = '\0';
        rc = register_link(ice);
    }
    if (rc < 0) {
        ice->local = previous;
        return rc;
    }
    ice->remote_pwd[0] = '\0';
    ice->remote_done = false;
    if (ice->state == PRISM_ICE_FAILED)
        ice->state = PRISM_ICE_NEW;
    prism_verbose("ice", "agent %p: ICE restart", (void *)ice);
    return 0;
}

int ice_lite_restart(struct prism_ice *ice)
{
    return restart_credentials(ice) < 0 ? -EIO : 0;
}

int ice_lite_set_remote_credentials(struct prism_ice *ice, const char *ufrag, const char *pwd)
{
    bool known = ice->remote_ufrag[0] != '\0';
    bool changed = known &&
                   (strcmp(ufrag, ice->remote_ufrag) != 0 || strcmp(pwd, ice->remote_pwd) != 0);
    if (known && !changed)
        return 0;
    if (changed && restart_credentials(ice) < 0)
        return -EIO;
    if (prism_udp_link_set_remote_ufrag(&ice->link, ufrag) < 0)
        return -EIO;
    g_strlcpy(ice->remote_ufrag, ufrag, sizeof(ice->remote_ufrag));
    g_strlcpy(ice->remote_pwd, pwd, sizeof(ice->remote_pwd));
    return changed;
}

/* Checked for syntax only: the remote's address comes from its own checks. */
enum prism_ice_candidate_result ice_lite_add_remote_candidate(struct prism_ice *ice,
                                                              const char *text, size_t length)
{
    struct prism_sdp_candidate candidate;
    while (length > 0 && (text[length - 1] == '\r' || text[length - 1] == '\n' ||
                          text[length - 1] == ' ' || text[length - 1] == '\t'))
        length--;
    if (prism_sdp_candidate_parse(text, length, &candidate) < 0)
        return PRISM_ICE_CANDIDATE_MALFORMED;
    if (candidate.address_kind == PRISM_SDP_ADDRESS_MDNS)
        return PRISM_ICE_CANDIDATE_MDNS;
    return PRISM_ICE_CANDIDATE_UNUSED;
}

int ice_lite_send(struct prism_ice *ice, const uint8_t *data, size_t length)
{
    int sent = prism_udp_link_send(&ice->link, data, length);
    return sent == -ENOTCONN ? sent : sent < 0 ? -EIO : sent;
}

void ice_format_address(const struct sockaddr_storage *address, char *out, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "";
    bool v6 = address->ss_family == AF_INET6;
    const void *bytes = v6 ? (const void *)&((const struct sockaddr_in6 *)address)->sin6_addr
                           : (const void *)&((const struct sockaddr_in *)address)->sin_addr;
    uint16_t port = ntohs(v6 ? ((const struct sockaddr_in6 *)address)->sin6_port
                             : ((const struct sockaddr_in *)address)->sin_port);
    inet_ntop(address->ss_family, bytes, ip, sizeof(ip));
    snprintf(out, size, "%s%s%s:%u/udp", v6 ? "[" : "", ip, v6 ? "]" : "", port);
}

int ice_lite_get_selected_pair(struct prism_ice *ice, char *local, size_t local_size, char *remote,
                               size_t remote_size)
{
    struct sockaddr_storage own;
    socklen_t own_len = sizeof(own);
    if (ice->link.fd < 0 || getsockname(ice->link.fd, (struct sockaddr *)&own, &own_len) < 0)
        return -ENOTCONN;
    ice_format_address(&own, local, local_size);
    ice_format_address(&ice->link.remote, remote, remote_size);
    return 0;
}
