/* The remote side for ICE-lite engine tests: a full ICE agent's checks built by libnice's own
 * STUN agent (the controlling role, as a browser facing an ICE-lite server takes), answers read
 * back and verified by it, and helpers to feed datagrams from IPv4 and IPv6 sources. */
#ifndef PRISM_TESTS_ICELITE_CLIENT_H
#define PRISM_TESTS_ICELITE_CLIENT_H

#include "media/icelite/icelite.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <stun/stunagent.h>
#include <stun/usages/ice.h>

#define SECOND_US 1000000ull

struct icelite_client {
    StunAgent agent;
    char username[600]; /* "<server ufrag>:<client ufrag>" */
    char password[257]; /* the server's password, signing our checks */
};

static const uint16_t icelite_client_known[] = {
    STUN_ATTRIBUTE_USERNAME,   STUN_ATTRIBUTE_MESSAGE_INTEGRITY,  STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
    STUN_ATTRIBUTE_ERROR_CODE, STUN_ATTRIBUTE_UNKNOWN_ATTRIBUTES, 0};

static inline void icelite_client_init(struct icelite_client *c, const char *server_ufrag,
                                       const char *client_ufrag, const char *server_pwd)
{
    memset(c, 0, sizeof(*c));
    stun_agent_init(&c->agent, icelite_client_known, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    g_snprintf(c->username, sizeof(c->username), "%s:%s", server_ufrag, client_ufrag);
    g_strlcpy(c->password, server_pwd, sizeof(c->password));
}

/* A connectivity check (Binding request) as a full agent sends it. */
static inline size_t icelite_client_check_role(struct icelite_client *c, uint8_t *buf, size_t cap,
                                               bool use_candidate, bool controlling,
                                               uint64_t tie_breaker)
{
    StunMessage msg;
    size_t len = stun_usage_ice_conncheck_create(
        &c->agent, &msg, buf, cap, (const uint8_t *)c->username, strlen(c->username),
        (const uint8_t *)c->password, strlen(c->password), use_candidate, controlling, 0x6E7F1EFFu,
        tie_breaker, NULL, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    g_assert_cmpuint(len, >, 0);
    return len;
}

static inline size_t icelite_client_check(struct icelite_client *c, uint8_t *buf, size_t cap,
                                          bool use_candidate)
{
    return icelite_client_check_role(c, buf, cap, use_candidate, true, 0x1122334455667788ull);
}

/* Verifies an answer as the client would (transaction, MESSAGE-INTEGRITY, FINGERPRINT) and
 * returns libnice's verdict on it; a success also gives the mapped address. */
static inline StunUsageIceReturn icelite_client_read(struct icelite_client *c, const uint8_t *reply,
                                                     size_t len, struct sockaddr_storage *mapped)
{
    StunMessage msg;
    StunValidationStatus status = stun_agent_validate(&c->agent, &msg, reply, len, NULL, NULL);
    g_assert_cmpint(status, ==, STUN_VALIDATION_SUCCESS);
    socklen_t mapped_len = sizeof(*mapped);
    return stun_usage_ice_conncheck_process(&msg, mapped, &mapped_len,
                                            STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
}

/* The ERROR-CODE of an error answer, without authenticating it (401 and 400 are unsigned);
 * 0 when the answer is not an error. */
static inline int icelite_reply_error_code(StunAgent *agent, const uint8_t *reply, size_t len)
{
    g_assert_cmpint(stun_message_validate_buffer_length(reply, len, true), ==, (int)len);
    StunMessage msg = {.buffer = (uint8_t *)reply, .buffer_len = len, .agent = agent};
    int code = 0;
    if (stun_message_get_class(&msg) != STUN_ERROR)
        return 0;
    g_assert_cmpint(stun_message_find_error(&msg, &code), ==, STUN_MESSAGE_RETURN_SUCCESS);
    return code;
}

static inline bool icelite_reply_is_signed(StunAgent *agent, const uint8_t *reply, size_t len)
{
    StunMessage msg = {.buffer = (uint8_t *)reply, .buffer_len = len, .agent = agent};
    return stun_message_has_attribute(&msg, STUN_ATTRIBUTE_MESSAGE_INTEGRITY);
}

static inline struct sockaddr_storage icelite_v4(const char *ip, uint16_t port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    g_assert_cmpint(inet_pton(AF_INET, ip, &in->sin_addr), ==, 1);
    return ss;
}

static inline struct sockaddr_storage icelite_v6(const char *ip, uint16_t port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    g_assert_cmpint(inet_pton(AF_INET6, ip, &in6->sin6_addr), ==, 1);
    return ss;
}

static inline socklen_t icelite_addr_len(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static inline bool icelite_same_addr(const struct sockaddr_storage *a,
                                     const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

/* Feeds one datagram from `from` and returns the output, with a fresh reply buffer. */
static inline struct prism_icelite_output icelite_feed(struct prism_icelite *engine,
                                                       const uint8_t *data, size_t len,
                                                       const struct sockaddr_storage *from,
                                                       uint64_t now_us, uint8_t *reply)
{
    struct prism_icelite_output out = {.reply = reply, .reply_capacity = PRISM_ICELITE_REPLY_MAX};
    prism_icelite_receive(engine, data, len, (const struct sockaddr *)from, icelite_addr_len(from),
                          now_us, &out);
    return out;
}

static inline struct prism_icelite *icelite_engine_new(void)
{
    struct prism_icelite *engine = NULL;
    g_assert_cmpint(prism_icelite_create(&engine, NULL), ==, 0);
    return engine;
}

static inline void icelite_register(struct prism_icelite *engine, void *owner, const char *ufrag,
                                    const char *pwd, const char *remote_ufrag)
{
    struct prism_icelite_credentials c = {ufrag, pwd, remote_ufrag};
    g_assert_cmpint(prism_icelite_register(engine, owner, &c), ==, 0);
}

#endif
