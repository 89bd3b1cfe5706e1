/* The STUN path of the engine: authenticate a Binding request against the credentials its
 * USERNAME names, answer it through libnice's ICE usage, and record the candidate pair and
 * any nomination. libnice's agent does every byte of parsing, MESSAGE-INTEGRITY, FINGERPRINT
 * and reply building; this file decides who is asking and what the answer means.
 *
 * Answers to requests that fail, following RFC 5389 section 10.1.2 as libnice's full agent
 * does: a request without USERNAME or MESSAGE-INTEGRITY gets 400, an unknown USERNAME or a
 * wrong MESSAGE-INTEGRITY gets 401 (both unauthenticated: there is no key to sign with), and
 * an authenticated request with an unknown comprehension-required attribute gets 420. They
 * tell a remote with stale credentials (an old ufrag after a restart) why its checks fail
 * instead of leaving it to time out. Unauthenticated answers are sent only when they are no
 * larger than the request, so a spoofed flood cannot be amplified through us (a real check
 * with USERNAME and MESSAGE-INTEGRITY is always larger than a 401). A bad FINGERPRINT, a
 * truncated message and anything that is not a request are dropped without an answer
 * (RFC 5389 sections 7.3 and 7.3.1). A remote that also claims the controlled role gets 487
 * (below). */
#include "media/icelite/internal.h"

#include <stun/usages/ice.h>
#include <string.h>

#define USERNAME_MAX 513 /* RFC 5389 section 15.3 */
#define UFRAG_MAX 256

/* What the password lookup found, for the rest of the request's handling. */
struct check_context {
    struct prism_icelite *engine;
    struct icelite_peer *peer;
    const struct icelite_credentials *credentials;
};

static bool remote_ufrag_matches(const struct icelite_credentials *c, const uint8_t *remote,
                                 size_t length)
{
    if (!c->remote_ufrag)
        return true;
    return strlen(c->remote_ufrag) == length && memcmp(c->remote_ufrag, remote, length) == 0;
}

/* libnice asks for the key of USERNAME "<local ufrag>:<remote ufrag>" (RFC 8445 section
 * 7.2.2): the local part finds the credentials in the ufrag table, the remote part must be
 * the remote ufrag once it is known. */
static bool find_password_cb(StunAgent *agent, StunMessage *message, uint8_t *username,
                             uint16_t username_len, uint8_t **password, size_t *password_len,
                             void *user_data)
{
    struct check_context *context = user_data;
    const uint8_t *colon = username_len <= USERNAME_MAX ? memchr(username, ':', username_len)
                                                        : NULL;
    if (!colon)
        return false;
    size_t local_len = (size_t)(colon - username);
    if (local_len == 0 || local_len > UFRAG_MAX)
        return false;
    char local[UFRAG_MAX + 1];
    memcpy(local, username, local_len);
    local[local_len] = '\0';
    struct icelite_peer *peer = NULL;
    const struct icelite_credentials *c = icelite_credentials_find(context->engine, local, &peer);
    if (!c || !remote_ufrag_matches(c, colon + 1, username_len - local_len - 1))
        return false;
    context->peer = peer;
    context->credentials = c;
    *password = (uint8_t *)c->local_pwd;
    *password_len = c->local_pwd_len;
    return true;
}

/* An error answer; signed with the request's key when it authenticated. An unauthenticated
 * one goes out only when it is no larger than the request: anyone can send those from a
 * spoofed source, and the answer must not amplify them. */
static void answer_error(struct prism_icelite *engine, StunMessage *request, StunError code,
                         bool authenticated, struct prism_icelite_output *out)
{
    StunMessage reply;
    if (!out->reply || !stun_agent_init_error(&engine->agent, &reply, out->reply,
                                              out->reply_capacity, request, code))
        return;
    size_t length = stun_agent_finish_message(&engine->agent, &reply,
                                              authenticated ? request->key : NULL,
                                              authenticated ? request->key_len : 0);
    if (authenticated || length <= stun_message_length(request))
        out->reply_len = length;
}

static void answer_unknown_attributes(struct prism_icelite *engine, StunMessage *request,
                                      struct prism_icelite_output *out)
{
    StunMessage reply;
    if (out->reply)
        out->reply_len = stun_agent_build_unknown_attributes_error(
            &engine->agent, &reply, out->reply, out->reply_capacity, request);
}

/* The success response, with XOR-MAPPED-ADDRESS = the request's source. */
static bool answer_success(struct prism_icelite *engine, StunMessage *request,
                           const struct icelite_endpoint *from, struct prism_icelite_output *out)
{
    struct sockaddr_storage mapped;
    socklen_t mapped_len;
    icelite_endpoint_to_sockaddr(from, &mapped, &mapped_len);
    StunMessage reply;
    size_t reply_len = out->reply ? out->reply_capacity : 0;
    bool controlling = false;
    StunUsageIceReturn result = stun_usage_ice_conncheck_create_reply(
        &engine->agent, request, &reply, out->reply, &reply_len, &mapped, mapped_len, &controlling,
        0, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    if (result != STUN_USAGE_ICE_RETURN_SUCCESS || reply_len == 0 || controlling)
        return false;
    out->reply_len = reply_len;
    return true;
}

/* An authenticated request. A lite agent is always controlled (RFC 8445 section 6.1.1) and
 * can never switch roles, as it sends no checks: a remote claiming controlled as well gets
 * 487 whatever the tie-breakers, so that it switches to controlling (section 7.2.5.1). libnice
 * would switch us instead when its tie-breaker wins, hence the check before it. */
static void handle_check(struct prism_icelite *engine, StunMessage *request,
                         const struct check_context *context, const struct icelite_endpoint *from,
                         uint64_t now_us, struct prism_icelite_output *out)
{
    uint64_t tie_breaker;
    if (stun_message_get_class(request) != STUN_REQUEST || !context->peer) {
        engine->stats.ignored++;
        return;
    }
    out->owner = context->peer->owner;
    if (stun_message_get_method(request) != STUN_BINDING) {
        engine->stats.bad_requests++;
        answer_error(engine, request, STUN_ERROR_BAD_REQUEST, true, out);
        return;
    }
    if (stun_message_find64(request, STUN_ATTRIBUTE_ICE_CONTROLLED, &tie_breaker) ==
        STUN_MESSAGE_RETURN_SUCCESS) {
        engine->stats.role_conflicts++;
        answer_error(engine, request, STUN_ERROR_ROLE_CONFLICT, true, out);
        return;
    }
    if (!answer_success(engine, request, from, out)) {
        engine->stats.ignored++;
        return;
    }
    engine->stats.checks_answered++;
    icelite_credentials_confirm(engine, context->peer, context->credentials);
    struct icelite_address *address = icelite_address_checked(engine, context->peer, from, now_us);
    if (stun_usage_ice_conncheck_use_candidate(request))
        icelite_address_select(engine, address);
}

void icelite_stun_receive(struct prism_icelite *engine, const uint8_t *data, size_t len,
                          const struct icelite_endpoint *from, uint64_t now_us,
                          struct prism_icelite_output *out)
{
    StunMessage request;
    struct check_context context = {.engine = engine};
    engine->stats.stun_received++;
    StunValidationStatus status = stun_agent_validate(&engine->agent, &request, data, len,
                                                      find_password_cb, &context);
    out->verdict = PRISM_ICELITE_STUN;
    switch (status) {
    case STUN_VALIDATION_SUCCESS:
        handle_check(engine, &request, &context, from, now_us, out);
        break;
    case STUN_VALIDATION_UNAUTHORIZED_BAD_REQUEST:
        engine->stats.bad_requests++;
        answer_error(engine, &request, STUN_ERROR_BAD_REQUEST, false, out);
        break;
    case STUN_VALIDATION_UNAUTHORIZED:
        engine->stats.unauthorized++;
        answer_error(engine, &request, STUN_ERROR_UNAUTHORIZED, false, out);
        break;
    case STUN_VALIDATION_UNKNOWN_REQUEST_ATTRIBUTE:
        engine->stats.unknown_attributes++;
        answer_unknown_attributes(engine, &request, out);
        break;
    case STUN_VALIDATION_UNMATCHED_RESPONSE:
    case STUN_VALIDATION_UNKNOWN_ATTRIBUTE:
        engine->stats.ignored++;
        break;
    default: /* not STUN, incomplete, bad FINGERPRINT or cookie */
        engine->stats.malformed++;
        out->verdict = PRISM_ICELITE_DROP;
        break;
    }
}
