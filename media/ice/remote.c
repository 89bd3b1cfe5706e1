/* What the signaling exchanges with the agent: credentials (and ICE restarts, which change
 * them), remote candidates and end-of-candidates, and the local candidates for an SDP. */
#include "core/log.h"
#include "media/ice/ice_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

const char *prism_ice_local_ufrag(const struct prism_ice *ice)
{
    return ice->local.ufrag;
}

const char *prism_ice_local_pwd(const struct prism_ice *ice)
{
    return ice->local.pwd;
}

/* Restarts the stream with new local credentials, keeping the selected pair for media until
 * checks select a new one. The caller is inside prism_ice_enter. */
static int restart_stream(struct prism_ice *ice)
{
    struct prism_ice_credentials fresh;
    int rc = prism_ice_credentials_generate(&fresh);
    if (rc != 0)
        return rc;
    if (!nice_agent_restart_stream(ice->agent, ice->stream_id) ||
        !nice_agent_set_local_credentials(ice->agent, ice->stream_id, fresh.ufrag, fresh.pwd))
        return -EIO;
    ice->local = fresh;
    ice->remote_ufrag[0] = '\0';
    ice->remote_pwd[0] = '\0';
    ice->remote_done = false;
    if (ice->state == PRISM_ICE_FAILED)
        ice->state = PRISM_ICE_NEW; /* libnice's next state is reported again */
    prism_ice_flush_failure(ice, false);
    prism_verbose("ice", "agent %p: ICE restart", (void *)ice);
    return 0;
}

int prism_ice_restart(struct prism_ice *ice)
{
    if (ice->udp_port)
        return ice_lite_restart(ice);
    if (ice->client)
        return -EIO; /* the client mode has no ICE restart */
    prism_ice_enter(ice);
    int rc = restart_stream(ice);
    prism_ice_leave(ice);
    return rc;
}

int prism_ice_set_remote_credentials(struct prism_ice *ice, const char *ufrag, const char *pwd)
{
    if (!ufrag || !pwd || !prism_ice_ufrag_valid(ufrag) || !prism_ice_pwd_valid(pwd))
        return -EINVAL;
    if (ice->udp_port)
        return ice_lite_set_remote_credentials(ice, ufrag, pwd);
    if (ice->client)
        return ice_client_set_remote_credentials(ice, ufrag, pwd);
    bool known = ice->remote_ufrag[0] != '\0';
    bool changed = known &&
                   (strcmp(ufrag, ice->remote_ufrag) != 0 || strcmp(pwd, ice->remote_pwd) != 0);
    if (known && !changed)
        return 0;
    prism_ice_enter(ice);
    int rc = changed ? restart_stream(ice) : 0;
    if (rc == 0 && !ice->dead) {
        if (nice_agent_set_remote_credentials(ice->agent, ice->stream_id, ufrag, pwd)) {
            g_strlcpy(ice->remote_ufrag, ufrag, sizeof(ice->remote_ufrag));
            g_strlcpy(ice->remote_pwd, pwd, sizeof(ice->remote_pwd));
        } else {
            rc = -EIO;
        }
    }
    prism_ice_leave(ice);
    return rc < 0 ? rc : changed;
}

enum prism_ice_candidate_result prism_ice_add_remote_candidate(struct prism_ice *ice,
                                                               const char *text, size_t length)
{
    if (ice->udp_port)
        return ice_lite_add_remote_candidate(ice, text, length);
    if (ice->client)
        return ice_client_add_remote_candidate(ice, text, length);
    NiceCandidate *candidate = NULL;
    enum prism_ice_candidate_result result = prism_ice_candidate_screen(
        ice->agent, ice->stream_id, ice->settings, text, length, &candidate);
    if (result == PRISM_ICE_CANDIDATE_MDNS && !ice->mdns_logged) {
        ice->mdns_logged = true;
        prism_debug("ice", "agent %p: ignoring mDNS (.local) remote candidates", (void *)ice);
    }
    if (result != PRISM_ICE_CANDIDATE_ADDED)
        return result;
    GSList list = {.data = candidate, .next = NULL};
    prism_ice_enter(ice);
    int added = nice_agent_set_remote_candidates(ice->agent, ice->stream_id,
                                                 NICE_COMPONENT_TYPE_RTP, &list);
    prism_ice_leave(ice);
    nice_candidate_free(candidate);
    return added < 0 ? PRISM_ICE_CANDIDATE_MALFORMED : PRISM_ICE_CANDIDATE_ADDED;
}

void prism_ice_remote_gathering_done(struct prism_ice *ice)
{
    ice->remote_done = true;
    if (ice->udp_port || ice->client)
        return; /* lite: no checks of ours; client: its connect timeout decides */
    prism_ice_enter(ice);
    nice_agent_peer_candidate_gathering_done(ice->agent, ice->stream_id);
    prism_ice_flush_failure(ice, true);
    prism_ice_leave(ice);
}

size_t prism_ice_foreach_local_candidate(struct prism_ice *ice,
                                         void (*candidate_cb)(void *data, const char *candidate),
                                         void *data)
{
    if (ice->udp_port)
        return ice_lite_foreach_local_candidate(ice, candidate_cb, data);
    if (ice->client)
        return ice_client_foreach_local_candidate(ice, candidate_cb, data);
    GSList *candidates = nice_agent_get_local_candidates(ice->agent, ice->stream_id,
                                                         NICE_COMPONENT_TYPE_RTP);
    size_t count = 0;
    for (GSList *one = candidates; one; one = one->next)
        count += prism_ice_candidate_advertise(ice->agent, ice->settings, one->data, candidate_cb,
                                               data);
    g_slist_free_full(candidates, (GDestroyNotify)nice_candidate_free);
    return count;
}

static void format_end(const NiceCandidate *candidate, char *out, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "";
    nice_address_to_string(&candidate->addr, ip);
    bool udp = candidate->transport == NICE_CANDIDATE_TRANSPORT_UDP;
    bool v6 = candidate->addr.s.addr.sa_family == AF_INET6;
    g_snprintf(out, size, "%s%s%s:%u/%s", v6 ? "[" : "", ip, v6 ? "]" : "",
               nice_address_get_port(&candidate->addr), udp ? "udp" : "tcp");
}

int prism_ice_get_selected_pair(struct prism_ice *ice, char *local, size_t local_size, char *remote,
                                size_t remote_size)
{
    if (ice->udp_port)
        return ice_lite_get_selected_pair(ice, local, local_size, remote, remote_size);
    if (ice->client)
        return ice_client_get_selected_pair(ice, local, local_size, remote, remote_size);
    NiceCandidate *local_candidate = NULL, *remote_candidate = NULL;
    if (!nice_agent_get_selected_pair(ice->agent, ice->stream_id, NICE_COMPONENT_TYPE_RTP,
                                      &local_candidate, &remote_candidate))
        return -ENOTCONN;
    format_end(local_candidate, local, local_size);
    format_end(remote_candidate, remote, remote_size);
    return 0;
}
