/* The light client-side ICE agent (iceclient.h): checks, their answers, the remote's checks,
 * selection, consent. libnice's STUN library builds, parses and authenticates every message;
 * this file decides what to send when and what the answers mean. */
#include "media/iceclient/iceclient.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stun/usages/ice.h>

#define EVENT_SELECTED 1u
#define EVENT_FAILED 2u

/* Comprehension-required attributes we understand (libnice rejects others), zero-terminated;
 * the ICE ones above 0x7fff need no listing. */
static const uint16_t known_attributes[] = {
    STUN_ATTRIBUTE_USERNAME,      STUN_ATTRIBUTE_MESSAGE_INTEGRITY,  STUN_ATTRIBUTE_PRIORITY,
    STUN_ATTRIBUTE_USE_CANDIDATE, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, STUN_ATTRIBUTE_MAPPED_ADDRESS,
    STUN_ATTRIBUTE_ERROR_CODE,    STUN_ATTRIBUTE_UNKNOWN_ATTRIBUTES, 0};

void prism_iceclient_init(struct prism_iceclient *client, bool controlling, uint64_t tie_breaker,
                          uint32_t priority)
{
    memset(client, 0, sizeof(*client));
    stun_agent_init(&client->agent, known_attributes, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    client->controlling = controlling;
    client->tie_breaker = tie_breaker;
    client->priority = priority;
    client->selected = -1;
}

static bool credential_valid(const char *value)
{
    return value && value[0] && strlen(value) <= PRISM_ICECLIENT_CREDENTIAL_MAX;
}

int prism_iceclient_set_local_credentials(struct prism_iceclient *client, const char *ufrag,
                                          const char *pwd)
{
    if (!credential_valid(ufrag) || !credential_valid(pwd))
        return -EINVAL;
    snprintf(client->local_ufrag, sizeof(client->local_ufrag), "%s", ufrag);
    snprintf(client->local_pwd, sizeof(client->local_pwd), "%s", pwd);
    return 0;
}

int prism_iceclient_set_remote_credentials(struct prism_iceclient *client, const char *ufrag,
                                           const char *pwd)
{
    if (!credential_valid(ufrag) || !credential_valid(pwd))
        return -EINVAL;
    if (client->remote_ufrag[0])
        return strcmp(ufrag, client->remote_ufrag) == 0 && strcmp(pwd, client->remote_pwd) == 0
                   ? 0
                   : -EBUSY;
    snprintf(client->remote_ufrag, sizeof(client->remote_ufrag), "%s", ufrag);
    snprintf(client->remote_pwd, sizeof(client->remote_pwd), "%s", pwd);
    return 0;
}

static bool same_address(const struct sockaddr_storage *a, const struct sockaddr *b)
{
    if (a->ss_family != b->sa_family)
        return false;
    if (b->sa_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)a;
        const struct sockaddr_in *y = (const struct sockaddr_in *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
    const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

static int find_remote(const struct prism_iceclient *client, const struct sockaddr *address)
{
    for (unsigned i = 0; i < client->remote_count; i++)
        if (same_address(&client->remotes[i].address, address))
            return (int)i;
    return -1;
}

int prism_iceclient_add_remote(struct prism_iceclient *client, const struct sockaddr *address,
                               socklen_t address_len)
{
    socklen_t need = address->sa_family == AF_INET    ? sizeof(struct sockaddr_in)
                     : address->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                      : 0;
    if (need == 0 || address_len < need)
        return -EAFNOSUPPORT;
    if (find_remote(client, address) >= 0)
        return 1;
    if (client->remote_count == PRISM_ICECLIENT_MAX_REMOTES)
        return -ENOSPC;
    struct iceclient_remote *remote = &client->remotes[client->remote_count++];
    memset(remote, 0, sizeof(*remote));
    memcpy(&remote->address, address, need);
    remote->address_len = need;
    remote->interval_us = PRISM_ICECLIENT_RETRANSMIT_FIRST_US;
    return 0;
}

void prism_iceclient_start(struct prism_iceclient *client, uint64_t now_us)
{
    if (client->started)
        return;
    client->started = true;
    client->started_us = now_us;
}

bool prism_iceclient_controlling(const struct prism_iceclient *client)
{
    return client->controlling;
}

static void forget_request(struct prism_iceclient *client, struct iceclient_remote *remote)
{
    if (remote->request_len)
        stun_agent_forget_transaction(&client->agent, remote->transaction);
    remote->request_len = 0;
}

/* A new check towards `remote`: USE-CANDIDATE while nominating (controlling, nothing selected
 * yet); consent checks carry none. */
static bool build_check(struct prism_iceclient *client, struct iceclient_remote *remote)
{
    forget_request(client, remote);
    int n = snprintf(client->username, sizeof(client->username), "%s:%s", client->remote_ufrag,
                     client->local_ufrag);
    if (n <= 0 || (size_t)n >= sizeof(client->username))
        return false;
    StunMessage message;
    size_t len = stun_usage_ice_conncheck_create(
        &client->agent, &message, remote->request, sizeof(remote->request),
        (const uint8_t *)client->username, (size_t)n, (const uint8_t *)client->remote_pwd,
        strlen(client->remote_pwd), client->controlling && client->selected < 0,
        client->controlling, client->priority, client->tie_breaker, NULL,
        STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    if (len == 0)
        return false;
    stun_message_id(&message, remote->transaction);
    remote->request_len = len;
    return true;
}

static void select_remote(struct prism_iceclient *client, int index, uint64_t now_us)
{
    client->selected = index;
    client->last_response_us = now_us;
    client->next_consent_us = now_us + PRISM_ICECLIENT_CONSENT_INTERVAL_US;
    client->pending_events |= EVENT_SELECTED;
    for (unsigned i = 0; i < client->remote_count; i++)
        if ((int)i != index)
            forget_request(client, &client->remotes[i]);
}

static void fail(struct prism_iceclient *client)
{
    client->failed = true;
    client->selected = -1;
    client->pending_events |= EVENT_FAILED;
    for (unsigned i = 0; i < client->remote_count; i++)
        forget_request(client, &client->remotes[i]);
}

/* The role changed: checks in flight carry the old one, so they start again now. */
static void switch_role(struct prism_iceclient *client, bool controlling, uint64_t now_us)
{
    client->controlling = controlling;
    client->stats.role_conflicts++;
    for (unsigned i = 0; i < client->remote_count; i++) {
        struct iceclient_remote *remote = &client->remotes[i];
        if (remote->request_len) {
            forget_request(client, remote);
            remote->next_send_us = now_us;
            remote->interval_us = PRISM_ICECLIENT_RETRANSMIT_FIRST_US;
        }
    }
}

/* The key of the remote's checks: USERNAME "<our ufrag>:<its ufrag>", our password. */
static bool find_password_cb(StunAgent *agent, StunMessage *message, uint8_t *username,
                             uint16_t username_len, uint8_t **password, size_t *password_len,
                             void *user_data)
{
    (void)agent;
    (void)message;
    struct prism_iceclient *client = user_data;
    size_t local_len = strlen(client->local_ufrag);
    if (!local_len || username_len <= local_len || username[local_len] != ':' ||
        memcmp(username, client->local_ufrag, local_len) != 0)
        return false;
    size_t remote_len = username_len - local_len - 1;
    if (client->remote_ufrag[0] &&
        (strlen(client->remote_ufrag) != remote_len ||
         memcmp(username + local_len + 1, client->remote_ufrag, remote_len) != 0))
        return false;
    *password = (uint8_t *)client->local_pwd;
    *password_len = strlen(client->local_pwd);
    return true;
}

static enum prism_iceclient_verdict handle_response(struct prism_iceclient *client,
                                                    StunMessage *message,
                                                    const struct sockaddr *from, uint64_t now_us)
{
    StunTransactionId id;
    stun_message_id(message, id);
    int index = find_remote(client, from);
    struct iceclient_remote *remote = index >= 0 ? &client->remotes[index] : NULL;
    if (!remote || !remote->request_len || memcmp(id, remote->transaction, sizeof(id)) != 0) {
        /* Not from where the check went (RFC 8445 section 7.2.5.2.1): dropped, and the
         * transaction libnice just spent is built again at the next retransmission. */
        for (unsigned i = 0; i < client->remote_count; i++)
            if (client->remotes[i].request_len &&
                memcmp(id, client->remotes[i].transaction, sizeof(id)) == 0)
                client->remotes[i].request_len = 0;
        client->stats.dropped++;
        return PRISM_ICECLIENT_DROP;
    }
    remote->request_len = 0; /* validated: libnice forgot the transaction */
    struct sockaddr_storage mapped;
    socklen_t mapped_len = sizeof(mapped);
    switch (stun_usage_ice_conncheck_process(message, &mapped, &mapped_len,
                                             STUN_USAGE_ICE_COMPATIBILITY_RFC5245)) {
    case STUN_USAGE_ICE_RETURN_SUCCESS:
        client->stats.responses++;
        remote->succeeded = true;
        if (client->selected == index)
            client->last_response_us = now_us;
        else if (client->selected < 0)
            select_remote(client, index, now_us);
        break;
    case STUN_USAGE_ICE_RETURN_ROLE_CONFLICT:
        remote->next_send_us = now_us;
        switch_role(client, !client->controlling, now_us);
        break;
    default: /* another error: a new transaction after the current interval */
        break;
    }
    return PRISM_ICECLIENT_STUN;
}

static bool reply_is_error(const uint8_t *reply, size_t len)
{
    StunMessage message = {.buffer = (uint8_t *)reply, .buffer_len = len};
    return len >= 20 && stun_message_get_class(&message) == STUN_ERROR;
}

/* A check from the remote (a full agent). Answered, role conflicts included; its source
 * becomes a remote address (peer-reflexive when new) that gets a triggered check. */
static enum prism_iceclient_verdict
handle_request(struct prism_iceclient *client, StunMessage *request, const struct sockaddr *from,
               socklen_t from_len, uint64_t now_us, struct prism_iceclient_output *out)
{
    struct sockaddr_storage source;
    memset(&source, 0, sizeof(source));
    memcpy(&source, from, from_len <= sizeof(source) ? from_len : sizeof(source));
    StunMessage reply;
    size_t reply_len = out->reply_capacity;
    bool controlling = client->controlling;
    StunUsageIceReturn result = stun_usage_ice_conncheck_create_reply(
        &client->agent, request, &reply, out->reply, &reply_len, &source, from_len, &controlling,
        client->tie_breaker, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    out->reply_len = reply_len;
    if (controlling != client->controlling)
        switch_role(client, controlling, now_us);
    if ((result != STUN_USAGE_ICE_RETURN_SUCCESS &&
         result != STUN_USAGE_ICE_RETURN_ROLE_CONFLICT) ||
        reply_len == 0 || reply_is_error(out->reply, reply_len))
        return PRISM_ICECLIENT_STUN; /* an error answer (487, 400) or none */
    client->stats.requests_answered++;
    if (client->failed)
        return PRISM_ICECLIENT_STUN;
    int index = find_remote(client, from);
    if (index < 0 && prism_iceclient_add_remote(client, from, from_len) == 0)
        index = (int)client->remote_count - 1;
    if (index < 0)
        return PRISM_ICECLIENT_STUN;
    struct iceclient_remote *remote = &client->remotes[index];
    if (client->selected == index)
        client->last_response_us = now_us;
    else if (client->selected < 0 && !client->controlling &&
             stun_usage_ice_conncheck_use_candidate(request))
        select_remote(client, index, now_us);
    else if (client->selected < 0 && !remote->succeeded && !remote->request_len)
        remote->next_send_us = now_us; /* triggered check */
    return PRISM_ICECLIENT_STUN;
}

enum prism_iceclient_verdict prism_iceclient_receive(struct prism_iceclient *client,
                                                     const uint8_t *data, size_t len,
                                                     const struct sockaddr *from,
                                                     socklen_t from_len, uint64_t now_us,
                                                     struct prism_iceclient_output *out)
{
    out->reply_len = 0;
    if (len == 0 || !from || from_len < (socklen_t)sizeof(struct sockaddr_in)) {
        client->stats.dropped++;
        return PRISM_ICECLIENT_DROP;
    }
    if (data[0] > 3) { /* RFC 7983: DTLS, RTP, RTCP */
        if (find_remote(client, from) >= 0)
            return PRISM_ICECLIENT_MEDIA;
        client->stats.dropped++;
        return PRISM_ICECLIENT_DROP;
    }
    StunMessage message;
    StunValidationStatus status = stun_agent_validate(&client->agent, &message, data, len,
                                                      find_password_cb, client);
    if (status != STUN_VALIDATION_SUCCESS) {
        client->stats.dropped++;
        return PRISM_ICECLIENT_DROP;
    }
    switch (stun_message_get_class(&message)) {
    case STUN_RESPONSE:
    case STUN_ERROR:
        return handle_response(client, &message, from, now_us);
    case STUN_REQUEST:
        if (out->reply && out->reply_capacity)
            return handle_request(client, &message, from, from_len, now_us, out);
        break;
    default:
        break;
    }
    client->stats.dropped++;
    return PRISM_ICECLIENT_DROP;
}

static size_t emit(struct prism_iceclient *client, struct iceclient_remote *remote, uint64_t now_us,
                   uint8_t *buf, size_t capacity, struct sockaddr_storage *to, socklen_t *to_len)
{
    if (!remote->request_len && !build_check(client, remote))
        return 0;
    if (remote->request_len > capacity)
        return 0;
    memcpy(buf, remote->request, remote->request_len);
    memcpy(to, &remote->address, remote->address_len);
    *to_len = remote->address_len;
    remote->next_send_us = now_us + remote->interval_us;
    remote->interval_us = remote->interval_us * 2 > PRISM_ICECLIENT_RETRANSMIT_MAX_US
                              ? PRISM_ICECLIENT_RETRANSMIT_MAX_US
                              : remote->interval_us * 2;
    client->stats.checks_sent++;
    return remote->request_len;
}

static bool running(const struct prism_iceclient *client)
{
    return client->started && !client->failed && client->remote_ufrag[0] && client->local_ufrag[0];
}

size_t prism_iceclient_poll(struct prism_iceclient *client, uint64_t now_us, uint8_t *buf,
                            size_t capacity, struct sockaddr_storage *to, socklen_t *to_len)
{
    if (!running(client))
        return 0;
    if (client->selected < 0) {
        if (now_us >= client->started_us + PRISM_ICECLIENT_CONNECT_TIMEOUT_US) {
            fail(client);
            return 0;
        }
        for (unsigned i = 0; i < client->remote_count; i++) {
            struct iceclient_remote *remote = &client->remotes[i];
            if (!remote->succeeded && now_us >= remote->next_send_us)
                return emit(client, remote, now_us, buf, capacity, to, to_len);
        }
        return 0;
    }
    if (now_us >= client->last_response_us + PRISM_ICECLIENT_CONSENT_TIMEOUT_US) {
        fail(client);
        return 0;
    }
    struct iceclient_remote *remote = &client->remotes[client->selected];
    if (now_us >= client->next_consent_us) {
        forget_request(client, remote);
        remote->interval_us = PRISM_ICECLIENT_RETRANSMIT_FIRST_US;
        client->next_consent_us = now_us + PRISM_ICECLIENT_CONSENT_INTERVAL_US;
        return emit(client, remote, now_us, buf, capacity, to, to_len);
    }
    if (remote->request_len && now_us >= remote->next_send_us)
        return emit(client, remote, now_us, buf, capacity, to, to_len);
    return 0;
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

uint64_t prism_iceclient_deadline(const struct prism_iceclient *client)
{
    if (!running(client))
        return UINT64_MAX;
    if (client->selected < 0) {
        uint64_t deadline = client->started_us + PRISM_ICECLIENT_CONNECT_TIMEOUT_US;
        for (unsigned i = 0; i < client->remote_count; i++)
            if (!client->remotes[i].succeeded) /* 0: due since the start */
                deadline = earlier(deadline, client->remotes[i].next_send_us > client->started_us
                                                 ? client->remotes[i].next_send_us
                                                 : client->started_us);
        return deadline;
    }
    const struct iceclient_remote *remote = &client->remotes[client->selected];
    uint64_t deadline = earlier(client->next_consent_us,
                                client->last_response_us + PRISM_ICECLIENT_CONSENT_TIMEOUT_US);
    return remote->request_len ? earlier(deadline, remote->next_send_us) : deadline;
}

enum prism_iceclient_event prism_iceclient_take_event(struct prism_iceclient *client)
{
    if (client->pending_events & EVENT_SELECTED) {
        client->pending_events &= ~EVENT_SELECTED;
        return PRISM_ICECLIENT_EVENT_SELECTED;
    }
    if (client->pending_events & EVENT_FAILED) {
        client->pending_events &= ~EVENT_FAILED;
        return PRISM_ICECLIENT_EVENT_FAILED;
    }
    return PRISM_ICECLIENT_EVENT_NONE;
}

const struct sockaddr_storage *prism_iceclient_selected(const struct prism_iceclient *client,
                                                        socklen_t *len)
{
    if (client->selected < 0 || client->failed)
        return NULL;
    if (len)
        *len = client->remotes[client->selected].address_len;
    return &client->remotes[client->selected].address;
}
