/* The libnice agent of one PeerConnection: creation on the worker's context, gathering,
 * libnice's signals turned into the owner's callbacks, the send and receive hot paths, and
 * a destroy after which nothing of the agent runs. */
#include "core/ids.h"
#include "core/log.h"
#include "media/ice/ice_internal.h"

#include <errno.h>
#include <stdlib.h>

/* Most host addresses handed to libnice. */
#define MAX_LOCAL_ADDRESSES 64

const char *prism_ice_state_name(enum prism_ice_state state)
{
    switch (state) {
    case PRISM_ICE_NEW:
        return "new";
    case PRISM_ICE_CHECKING:
        return "checking";
    case PRISM_ICE_CONNECTED:
        return "connected";
    case PRISM_ICE_COMPLETED:
        return "completed";
    case PRISM_ICE_FAILED:
        return "failed";
    }
    return "unknown";
}

static void cancel_grace(struct prism_ice *ice)
{
    if (!ice->failure_grace)
        return;
    g_source_destroy(ice->failure_grace);
    g_source_unref(ice->failure_grace);
    ice->failure_grace = NULL;
}

static void release(struct prism_ice *ice)
{
    cancel_grace(ice);
    g_signal_handlers_disconnect_by_data(ice->agent, ice);
    nice_agent_attach_recv(ice->agent, ice->stream_id, NICE_COMPONENT_TYPE_RTP, ice->context, NULL,
                           NULL);
    g_object_unref(ice->agent);
    g_main_context_unref(ice->context);
    free(ice);
}

static gboolean release_cb(gpointer data)
{
    release(data);
    return G_SOURCE_REMOVE;
}

void prism_ice_leave(struct prism_ice *ice)
{
    if (--ice->depth > 0 || !ice->dead)
        return;
    if (ice->udp_port) {
        ice_lite_release(ice); /* nothing of libnice on the stack */
        return;
    }
    if (ice->client) {
        ice_client_release(ice);
        return;
    }
    /* libnice is still on the stack: release from a fresh iteration of the context. */
    GSource *source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_HIGH);
    g_source_set_callback(source, release_cb, ice, NULL);
    g_source_attach(source, ice->context);
    g_source_unref(source);
}

void prism_ice_destroy(struct prism_ice *ice)
{
    if (!ice || ice->dead)
        return;
    ice->dead = true;
    if (ice->depth > 0)
        return;
    if (ice->udp_port)
        ice_lite_release(ice);
    else if (ice->client)
        ice_client_release(ice);
    else
        release(ice);
}

void prism_ice_set_state(struct prism_ice *ice, enum prism_ice_state state)
{
    if (state == ice->state)
        return;
    prism_verbose("ice", "agent %p: %s -> %s", (void *)ice, prism_ice_state_name(ice->state),
                  prism_ice_state_name(state));
    ice->state = state;
    if (state == PRISM_ICE_FAILED)
        ice->can_send = false;
    ice->callbacks.state_cb(ice->owner, state);
}

void prism_ice_flush_failure(struct prism_ice *ice, bool report)
{
    if (!ice->failure_grace)
        return;
    cancel_grace(ice);
    if (report && !ice->dead) {
        prism_ice_enter(ice);
        prism_ice_set_state(ice, PRISM_ICE_FAILED);
        prism_ice_leave(ice);
    }
}

static gboolean failure_grace_cb(gpointer data)
{
    prism_ice_flush_failure(data, true);
    return G_SOURCE_REMOVE;
}

/* libnice failed before any pair worked and before the peer's end-of-candidates: more
 * candidates may still revive it, so wait a little before telling the owner. */
static void hold_failure(struct prism_ice *ice)
{
    if (ice->failure_grace)
        return;
    ice->failure_grace = g_timeout_source_new(PRISM_ICE_FAILURE_GRACE_MS);
    g_source_set_callback(ice->failure_grace, failure_grace_cb, ice, NULL);
    g_source_attach(ice->failure_grace, ice->context);
}

static void receive_cb(NiceAgent *agent, guint stream_id, guint component_id, guint length,
                       gchar *data, gpointer user_data)
{
    struct prism_ice *ice = user_data;
    if (G_UNLIKELY(ice->dead))
        return;
    prism_ice_enter(ice);
    ice->callbacks.receive_cb(ice->owner, (const uint8_t *)data, length, prism_now_us());
    prism_ice_leave(ice);
}

int prism_ice_send(struct prism_ice *ice, const uint8_t *data, size_t length)
{
    if (G_UNLIKELY(!ice->can_send))
        return -ENOTCONN;
    if (G_UNLIKELY(length > 65535))
        return -EMSGSIZE;
    if (ice->udp_port)
        return ice_lite_send(ice, data, length);
    if (ice->client)
        return ice_client_send(ice, data, length);
    prism_ice_enter(ice);
    gint sent = nice_agent_send(ice->agent, ice->stream_id, NICE_COMPONENT_TYPE_RTP, (guint)length,
                                (const gchar *)data);
    prism_ice_leave(ice);
    return sent < 0 ? -EIO : sent;
}

static void emit_local_cb(void *data, const char *candidate)
{
    struct prism_ice *ice = data;
    if (!ice->dead)
        ice->callbacks.local_candidate_cb(ice->owner, candidate);
}

static void new_candidate_cb(NiceAgent *agent, NiceCandidate *candidate, gpointer user_data)
{
    struct prism_ice *ice = user_data;
    if (ice->dead || candidate->stream_id != ice->stream_id)
        return;
    prism_ice_enter(ice);
    prism_ice_candidate_advertise(agent, ice->settings, candidate, emit_local_cb, ice);
    prism_ice_leave(ice);
}

static void gathering_done_cb(NiceAgent *agent, guint stream_id, gpointer user_data)
{
    struct prism_ice *ice = user_data;
    if (ice->dead || stream_id != ice->stream_id)
        return;
    ice->gathering_done = true;
    prism_ice_enter(ice);
    ice->callbacks.gathering_done_cb(ice->owner);
    prism_ice_leave(ice);
}

static void component_state_cb(NiceAgent *agent, guint stream_id, guint component_id,
                               guint nice_state, gpointer user_data)
{
    struct prism_ice *ice = user_data;
    /* A reported failure stands until a restart, whatever libnice does next. */
    if (ice->dead || stream_id != ice->stream_id || ice->state == PRISM_ICE_FAILED)
        return;
    enum prism_ice_state state;
    switch (nice_state) {
    case NICE_COMPONENT_STATE_CONNECTING:
        state = PRISM_ICE_CHECKING;
        break;
    case NICE_COMPONENT_STATE_CONNECTED:
        state = PRISM_ICE_CONNECTED;
        break;
    case NICE_COMPONENT_STATE_READY:
        state = PRISM_ICE_COMPLETED;
        break;
    case NICE_COMPONENT_STATE_FAILED:
        state = PRISM_ICE_FAILED;
        break;
    default:
        return; /* gathering and disconnected say nothing about connectivity */
    }
    if (state == PRISM_ICE_FAILED && !ice->has_pair && !ice->remote_done) {
        hold_failure(ice);
        return;
    }
    cancel_grace(ice);
    if (state == PRISM_ICE_CONNECTED || state == PRISM_ICE_COMPLETED)
        ice->can_send = ice->has_pair && ice->pair_allowed; /* back after a restart */
    prism_ice_enter(ice);
    prism_ice_set_state(ice, state);
    prism_ice_leave(ice);
}

/* A pair was selected (or replaced): media may go to it only when its remote address is in
 * the allowed networks. Peer-reflexive remotes, learnt from checks that reached us, bypass
 * the candidate screening, so they are checked here. */
static void selected_pair_cb(NiceAgent *agent, guint stream_id, guint component_id,
                             NiceCandidate *local, NiceCandidate *remote, gpointer user_data)
{
    struct prism_ice *ice = user_data;
    if (ice->dead || stream_id != ice->stream_id || ice->state == PRISM_ICE_FAILED)
        return;
    const struct prism_ice_settings *settings = ice->settings;
    struct prism_ip ip = {0};
    bool allowed = prism_ice_ip_from_nice(&remote->addr, &ip) &&
                   prism_cidr_list_allows(settings->remote_networks, settings->remote_network_count,
                                          &ip);
    ice->has_pair = true;
    ice->pair_allowed = allowed;
    ice->can_send = allowed;
    if (allowed)
        return;
    char shown[64];
    prism_warn("ice", "agent %p: peer at %s is outside ice_remote_networks; not using it",
               (void *)ice, prism_ip_format(&ip, shown, sizeof(shown)));
    prism_ice_enter(ice);
    prism_ice_set_state(ice, PRISM_ICE_FAILED);
    prism_ice_leave(ice);
}

static bool params_valid(const struct prism_ice_params *params)
{
    const struct prism_ice_callbacks *callbacks = params ? params->callbacks : NULL;
    return params && params->settings && callbacks && callbacks->local_candidate_cb &&
           callbacks->gathering_done_cb && callbacks->state_cb && callbacks->receive_cb;
}

static NiceAgent *new_agent(GMainContext *context, const struct prism_ice_params *params)
{
    const struct prism_ice_settings *settings = params->settings;
    NiceAgent *agent = nice_agent_new_full(context, NICE_COMPATIBILITY_RFC5245,
                                           NICE_AGENT_OPTION_ICE_TRICKLE |
                                               NICE_AGENT_OPTION_CONSENT_FRESHNESS);
    if (!agent)
        return NULL;
    g_object_set(agent, "controlling-mode", params->controlling, "upnp", FALSE, "ice-udp", TRUE,
                 "ice-tcp", settings->tcp, NULL);
    if (settings->stun_address[0])
        g_object_set(agent, "stun-server", settings->stun_address, "stun-server-port",
                     (guint)settings->stun_port, NULL);
    nice_agent_set_software(agent, "Prism");
    return agent;
}

static void connect_signals(struct prism_ice *ice)
{
    g_signal_connect(ice->agent, "new-candidate-full", G_CALLBACK(new_candidate_cb), ice);
    g_signal_connect(ice->agent, "candidate-gathering-done", G_CALLBACK(gathering_done_cb), ice);
    g_signal_connect(ice->agent, "component-state-changed", G_CALLBACK(component_state_cb), ice);
    g_signal_connect(ice->agent, "new-selected-pair-full", G_CALLBACK(selected_pair_cb), ice);
}

int prism_ice_create(struct prism_ice **out, const struct prism_ice_params *params)
{
    if (!out || !params_valid(params))
        return -EINVAL;
    if (params->settings->lite)
        return ice_lite_create(out, params);
    if (params->settings->client)
        return ice_client_create(out, params);
    int rc = -ENOMEM;
    struct prism_ice *ice = calloc(1, sizeof(*ice));
    if (!ice)
        return -ENOMEM;
    ice->context = params->context ? g_main_context_ref(params->context)
                                   : g_main_context_ref_thread_default();
    ice->settings = params->settings;
    ice->callbacks = *params->callbacks;
    ice->owner = params->owner;
    rc = prism_ice_credentials_generate(&ice->local);
    if (rc != 0)
        goto fail;
    rc = -ENOMEM;
    ice->agent = new_agent(ice->context, params);
    if (!ice->agent)
        goto fail;
    ice->stream_id = nice_agent_add_stream(ice->agent, 1);
    if (ice->stream_id == 0)
        goto fail;
    nice_agent_set_port_range(ice->agent, ice->stream_id, NICE_COMPONENT_TYPE_RTP,
                              params->settings->port_min, params->settings->port_max);
    if (!nice_agent_set_local_credentials(ice->agent, ice->stream_id, ice->local.ufrag,
                                          ice->local.pwd) ||
        !nice_agent_attach_recv(ice->agent, ice->stream_id, NICE_COMPONENT_TYPE_RTP, ice->context,
                                receive_cb, ice))
        goto fail;
    connect_signals(ice);
    *out = ice;
    return 0;

fail:
    if (ice->agent)
        g_object_unref(ice->agent);
    g_main_context_unref(ice->context);
    free(ice);
    return rc;
}

static bool add_local_addresses(struct prism_ice *ice)
{
    struct prism_ip addresses[MAX_LOCAL_ADDRESSES];
    size_t count = 0;
    int rc = prism_ice_local_addresses(ice->settings, addresses, MAX_LOCAL_ADDRESSES, &count);
    if (rc != 0)
        prism_warn("ice", "cannot list the host's addresses: %s", g_strerror(-rc));
    for (size_t i = 0; i < count; i++) {
        char text[64];
        NiceAddress address;
        nice_address_init(&address);
        if (nice_address_set_from_string(&address,
                                         prism_ip_format(&addresses[i], text, sizeof(text))))
            nice_agent_add_local_address(ice->agent, &address);
    }
    return count > 0;
}

int prism_ice_gather(struct prism_ice *ice)
{
    if (ice->gathering_started)
        return -EALREADY;
    if (ice->udp_port)
        return ice_lite_gather(ice);
    if (ice->client)
        return ice_client_gather(ice);
    if (!add_local_addresses(ice)) {
        prism_warn("ice", "no host address matches media.ice_interfaces: no candidates");
        return -EADDRNOTAVAIL;
    }
    ice->gathering_started = true;
    prism_ice_enter(ice);
    gboolean started = nice_agent_gather_candidates(ice->agent, ice->stream_id);
    prism_ice_leave(ice);
    return started ? 0 : -EIO;
}

bool prism_ice_gathering_done(const struct prism_ice *ice)
{
    return ice->gathering_done;
}

enum prism_ice_state prism_ice_get_state(const struct prism_ice *ice)
{
    return ice->state;
}

bool prism_ice_is_lite(const struct prism_ice *ice)
{
    return ice->udp_port != NULL;
}
