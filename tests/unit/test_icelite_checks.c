/* ICE-lite engine, answering checks: libnice's own client builds the requests and verifies the
 * answers; USERNAME lookup, wrong credentials, role conflict, unknown attributes, IPv6. */
#include "icelite_client.h"

#include <errno.h>

#define UFRAG "srvA"
#define PWD "serverpassword0123456789"
#define REMOTE "cli1"

static int owner_a, owner_b, owner_c;

static void test_icelite_answers_valid_check(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, UFRAG, PWD, REMOTE);
    struct icelite_client client;
    icelite_client_init(&client, UFRAG, REMOTE, PWD);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&client, request, sizeof(request), false);
    struct sockaddr_storage from = icelite_v4("192.0.2.10", 50000);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &from, 0, reply);
    g_assert_cmpint(out.verdict, ==, PRISM_ICELITE_STUN);
    g_assert_cmpint(out.kind, ==, PRISM_DEMUX_STUN);
    g_assert_true(out.owner == &owner_a);
    g_assert_cmpuint(out.reply_len, >, 0);
    struct sockaddr_storage mapped;
    g_assert_cmpint(icelite_client_read(&client, reply, out.reply_len, &mapped), ==,
                    STUN_USAGE_ICE_RETURN_SUCCESS);
    g_assert_true(icelite_same_addr(&mapped, &from));
    g_assert_true(icelite_reply_is_signed(&client.agent, reply, out.reply_len));
    struct prism_icelite_event event;
    g_assert_false(prism_icelite_poll_event(engine, &event)); /* no USE-CANDIDATE: no selection */
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.checks_answered, ==, 1);
    g_assert_cmpuint(stats.addresses, ==, 1);
    prism_icelite_destroy(engine);
}

static void test_icelite_finds_peer_by_username(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remA");
    icelite_register(engine, &owner_b, "ufragB", "passwordBBBBBBBBBBBBBBBB", "remB");
    icelite_register(engine, &owner_c, "ufragC", "passwordCCCCCCCCCCCCCCCC", "remC");
    struct icelite_client client;
    icelite_client_init(&client, "ufragB", "remB", "passwordBBBBBBBBBBBBBBBB");
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&client, request, sizeof(request), false);
    struct sockaddr_storage from = icelite_v4("198.51.100.2", 4000);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &from, 0, reply);
    g_assert_true(out.owner == &owner_b);
    g_assert_cmpint(
        icelite_client_read(&client, reply, out.reply_len, &(struct sockaddr_storage){0}), ==,
        STUN_USAGE_ICE_RETURN_SUCCESS);
    prism_icelite_destroy(engine);
}

/* Sends a check signed with `pwd` to "<ufrag>:<remote>" and returns the error code answered
 * (0 for a success). */
static int check_with(struct prism_icelite *engine, const char *ufrag, const char *remote,
                      const char *pwd, size_t *reply_len)
{
    struct icelite_client client;
    icelite_client_init(&client, ufrag, remote, pwd);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&client, request, sizeof(request), true);
    struct sockaddr_storage from = icelite_v4("203.0.113.5", 6000);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &from, 0, reply);
    *reply_len = out.reply_len;
    return out.reply_len ? icelite_reply_error_code(&client.agent, reply, out.reply_len) : -1;
}

static void test_icelite_rejects_wrong_credentials_with_401(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, UFRAG, PWD, REMOTE);
    size_t reply_len;
    g_assert_cmpint(check_with(engine, UFRAG, REMOTE, "wrongpassword0123456789", &reply_len), ==,
                    401);
    g_assert_cmpint(check_with(engine, "nobody", REMOTE, PWD, &reply_len), ==, 401);
    g_assert_cmpint(check_with(engine, UFRAG, "someoneelse", PWD, &reply_len), ==, 401);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.unauthorized, ==, 3);
    g_assert_cmpuint(stats.checks_answered, ==, 0);
    g_assert_cmpuint(stats.addresses, ==, 0); /* nothing recorded, nothing selected */
    struct prism_icelite_event event;
    g_assert_false(prism_icelite_poll_event(engine, &event));
    uint8_t rtp[12] = {0x80, 96}, reply[PRISM_ICELITE_REPLY_MAX];
    struct sockaddr_storage from = icelite_v4("203.0.113.5", 6000);
    g_assert_cmpint(icelite_feed(engine, rtp, sizeof(rtp), &from, 0, reply).verdict, ==,
                    PRISM_ICELITE_DROP);
    prism_icelite_destroy(engine);
}

static void test_icelite_accepts_any_remote_ufrag_until_known(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, UFRAG, PWD, NULL);
    size_t reply_len;
    g_assert_cmpint(check_with(engine, UFRAG, "whoever", PWD, &reply_len), ==, 0);
    g_assert_cmpint(prism_icelite_set_remote_ufrag(engine, &owner_a, REMOTE), ==, 0);
    g_assert_cmpint(check_with(engine, UFRAG, "whoever", PWD, &reply_len), ==, 401);
    g_assert_cmpint(check_with(engine, UFRAG, REMOTE, PWD, &reply_len), ==, 0);
    g_assert_cmpint(prism_icelite_set_remote_ufrag(engine, &owner_b, REMOTE), ==, -ENOENT);
    g_assert_cmpint(prism_icelite_set_remote_ufrag(engine, &owner_a, "a:b"), ==, -EINVAL);
    prism_icelite_destroy(engine);
}

/* RFC 8445 section 7.3.1.1 with a lite agent on our side: it is always controlled, so a remote
 * claiming controlled too gets 487 whatever its tie-breaker, signed, and is not recorded. */
static void test_icelite_role_conflict_answers_487(void)
{
    static const uint64_t tie_breakers[] = {0, 1, 0x8000000000000000ull, UINT64_MAX};
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, UFRAG, PWD, REMOTE);
    struct sockaddr_storage from = icelite_v4("192.0.2.10", 50000);
    for (size_t i = 0; i < G_N_ELEMENTS(tie_breakers); i++) {
        struct icelite_client client;
        icelite_client_init(&client, UFRAG, REMOTE, PWD);
        uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
        size_t len = icelite_client_check_role(&client, request, sizeof(request), false, false,
                                               tie_breakers[i]);
        struct prism_icelite_output out = icelite_feed(engine, request, len, &from, 0, reply);
        g_assert_cmpuint(out.reply_len, >, 0);
        g_assert_cmpint(icelite_reply_error_code(&client.agent, reply, out.reply_len), ==, 487);
        g_assert_cmpint(
            icelite_client_read(&client, reply, out.reply_len, &(struct sockaddr_storage){0}), ==,
            STUN_USAGE_ICE_RETURN_ROLE_CONFLICT);
    }
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.role_conflicts, ==, G_N_ELEMENTS(tie_breakers));
    g_assert_cmpuint(stats.addresses, ==, 0);
    /* The remote switches to controlling (RFC 8445 section 7.2.5.1); its next check passes. */
    size_t reply_len;
    g_assert_cmpint(check_with(engine, UFRAG, REMOTE, PWD, &reply_len), ==, 0);
    prism_icelite_destroy(engine);
}

/* A signed Binding request carrying one comprehension-required attribute nobody knows. */
static size_t request_with_unknown_attribute(struct icelite_client *c, uint8_t *buf, size_t cap)
{
    StunMessage msg;
    g_assert_true(stun_agent_init_request(&c->agent, &msg, buf, cap, STUN_BINDING));
    g_assert_cmpint(stun_message_append32(&msg, STUN_ATTRIBUTE_PRIORITY, 1), ==, 0);
    g_assert_cmpint(stun_message_append64(&msg, STUN_ATTRIBUTE_ICE_CONTROLLING, 7), ==, 0);
    g_assert_cmpint(stun_message_append_string(&msg, STUN_ATTRIBUTE_USERNAME, c->username), ==, 0);
    g_assert_cmpint(stun_message_append64(&msg, 0x7FF0, 42), ==, 0);
    size_t len = stun_agent_finish_message(&c->agent, &msg, (const uint8_t *)c->password,
                                           strlen(c->password));
    g_assert_cmpuint(len, >, 0);
    return len;
}

static void test_icelite_answers_unknown_attribute_with_420(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, UFRAG, PWD, REMOTE);
    struct icelite_client client;
    icelite_client_init(&client, UFRAG, REMOTE, PWD);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = request_with_unknown_attribute(&client, request, sizeof(request));
    struct sockaddr_storage from = icelite_v4("192.0.2.10", 50000);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &from, 0, reply);
    g_assert_cmpuint(out.reply_len, >, 0);
    g_assert_cmpint(icelite_reply_error_code(&client.agent, reply, out.reply_len), ==, 420);
    g_assert_cmpint(
        icelite_client_read(&client, reply, out.reply_len, &(struct sockaddr_storage){0}), ==,
        STUN_USAGE_ICE_RETURN_ERROR);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.unknown_attributes, ==, 1);
    g_assert_cmpuint(stats.addresses, ==, 0);
    prism_icelite_destroy(engine);
}

static void test_icelite_answers_ipv6_and_v4_mapped_sources(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, UFRAG, PWD, REMOTE);
    struct icelite_client client;
    icelite_client_init(&client, UFRAG, REMOTE, PWD);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    struct sockaddr_storage v6 = icelite_v6("2001:db8::7", 40000), mapped;
    size_t len = icelite_client_check(&client, request, sizeof(request), false);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &v6, 0, reply);
    g_assert_cmpint(icelite_client_read(&client, reply, out.reply_len, &mapped), ==,
                    STUN_USAGE_ICE_RETURN_SUCCESS);
    g_assert_true(icelite_same_addr(&mapped, &v6));
    /* A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d: answered and keyed as IPv4. */
    struct sockaddr_storage v4_mapped = icelite_v6("::ffff:192.0.2.7", 40001);
    struct sockaddr_storage v4 = icelite_v4("192.0.2.7", 40001);
    len = icelite_client_check(&client, request, sizeof(request), false);
    out = icelite_feed(engine, request, len, &v4_mapped, 0, reply);
    g_assert_cmpint(icelite_client_read(&client, reply, out.reply_len, &mapped), ==,
                    STUN_USAGE_ICE_RETURN_SUCCESS);
    g_assert_true(icelite_same_addr(&mapped, &v4));
    uint8_t rtcp[8] = {0x80, 200};
    g_assert_true(icelite_feed(engine, rtcp, sizeof(rtcp), &v4, 0, reply).owner == &owner_a);
    g_assert_true(icelite_feed(engine, rtcp, sizeof(rtcp), &v6, 0, reply).owner == &owner_a);
    prism_icelite_destroy(engine);
}

static void test_icelite_sends_nothing_when_reply_does_not_fit(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, UFRAG, PWD, REMOTE);
    struct icelite_client client;
    icelite_client_init(&client, UFRAG, REMOTE, PWD);
    uint8_t request[512], reply[32];
    size_t len = icelite_client_check(&client, request, sizeof(request), true);
    struct sockaddr_storage from = icelite_v4("192.0.2.10", 50000);
    struct prism_icelite_output out = {.reply = reply, .reply_capacity = sizeof(reply)};
    prism_icelite_receive(engine, request, len, (struct sockaddr *)&from,
                          sizeof(struct sockaddr_in), 0, &out);
    g_assert_cmpuint(out.reply_len, ==, 0);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.addresses, ==, 0); /* an unanswered check selects nothing */
    g_assert_cmpuint(stats.ignored, ==, 1);
    prism_icelite_destroy(engine);
}

static void test_icelite_register_checks_credentials(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    struct prism_icelite_credentials bad[] = {
        {"abc", PWD, NULL},      /* ufrag under 4 characters */
        {"ab:c", PWD, NULL},     /* not an ice-char */
        {UFRAG, "short", NULL},  /* password under 22 characters */
        {UFRAG, PWD " x", NULL}, /* blank in the password */
        {UFRAG, PWD, "re:mote"}, /* would break the USERNAME split */
        {NULL, PWD, NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(prism_icelite_register(engine, &owner_a, &bad[i]), ==, -EINVAL);
    icelite_register(engine, &owner_a, UFRAG, PWD, REMOTE);
    struct prism_icelite_credentials taken = {UFRAG, PWD, NULL};
    g_assert_cmpint(prism_icelite_register(engine, &owner_b, &taken), ==, -EEXIST);
    g_assert_cmpint(prism_icelite_register(engine, NULL, &taken), ==, -EINVAL);
    struct prism_icelite_config one_address = {.max_addresses_per_peer = 1};
    struct prism_icelite *other = NULL;
    g_assert_cmpint(prism_icelite_create(&other, &one_address), ==, -EINVAL);
    g_assert_null(other);
    prism_icelite_destroy(engine);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/icelite/answers-valid-check", test_icelite_answers_valid_check);
    g_test_add_func("/icelite/finds-peer-by-username", test_icelite_finds_peer_by_username);
    g_test_add_func("/icelite/rejects-wrong-credentials-with-401",
                    test_icelite_rejects_wrong_credentials_with_401);
    g_test_add_func("/icelite/accepts-any-remote-ufrag-until-known",
                    test_icelite_accepts_any_remote_ufrag_until_known);
    g_test_add_func("/icelite/role-conflict-answers-487", test_icelite_role_conflict_answers_487);
    g_test_add_func("/icelite/answers-unknown-attribute-with-420",
                    test_icelite_answers_unknown_attribute_with_420);
    g_test_add_func("/icelite/answers-ipv6-and-v4-mapped-sources",
                    test_icelite_answers_ipv6_and_v4_mapped_sources);
    g_test_add_func("/icelite/sends-nothing-when-reply-does-not-fit",
                    test_icelite_sends_nothing_when_reply_does_not_fit);
    g_test_add_func("/icelite/register-checks-credentials",
                    test_icelite_register_checks_credentials);
    return g_test_run();
}
