/* The light client ICE engine facing a full agent's checks (as Janus sends them) and bad input:
 * truncated and garbage STUN, wrong MESSAGE-INTEGRITY both ways, answers from the wrong
 * address. Nothing bad is answered, selects or crashes. */
#include "iceclient_rig.h"

#define T0 (1000 * SECOND_US)

/* A full agent's check towards the client: USERNAME "<client ufrag>:<server ufrag>", signed
 * with the client's password (or `pwd`). */
static size_t remote_check(struct icelite_client *full, const char *pwd, bool use_candidate,
                           bool controlling, uint8_t *buf, size_t cap)
{
    icelite_client_init(full, RIG_CLIENT_UFRAG, RIG_SERVER_UFRAG, pwd);
    return icelite_client_check_role(full, buf, cap, use_candidate, controlling,
                                     0x0fffffffffffffffull);
}

static void test_answers_a_full_agents_nomination(void)
{
    struct iceclient_rig rig;
    rig_init(&rig, false, RIG_SERVER_PWD);
    prism_iceclient_start(&rig.client, T0);
    struct icelite_client full;
    uint8_t check[512], reply[PRISM_ICECLIENT_DATAGRAM_MAX];
    size_t len = remote_check(&full, RIG_CLIENT_PWD, false, true, check, sizeof(check));
    /* From a port not in the candidates: learnt as peer-reflexive, answered, not selected. */
    struct sockaddr_storage prflx = icelite_v4("127.0.0.1", 30000);
    struct prism_iceclient_output out = {.reply = reply, .reply_capacity = sizeof(reply)};
    g_assert_cmpint(rig_to_client(&rig, check, len, &prflx, T0, &out), ==, PRISM_ICECLIENT_STUN);
    g_assert_cmpuint(out.reply_len, >, 0);
    struct sockaddr_storage mapped;
    g_assert_cmpint(icelite_client_read(&full, reply, out.reply_len, &mapped), ==,
                    STUN_USAGE_ICE_RETURN_SUCCESS);
    g_assert_true(icelite_same_addr(&mapped, &prflx));
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_NONE);
    g_assert_cmpuint(rig.client.remote_count, ==, 2);
    /* Its nomination selects that address (we are controlled). */
    len = remote_check(&full, RIG_CLIENT_PWD, true, true, check, sizeof(check));
    g_assert_cmpint(rig_to_client(&rig, check, len, &prflx, T0, &out), ==, PRISM_ICECLIENT_STUN);
    g_assert_cmpint(icelite_client_read(&full, reply, out.reply_len, &mapped), ==,
                    STUN_USAGE_ICE_RETURN_SUCCESS);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_SELECTED);
    g_assert_true(icelite_same_addr(prism_iceclient_selected(&rig.client, NULL), &prflx));
    g_assert_false(prism_iceclient_controlling(&rig.client));
    rig_clear(&rig);
}

/* Both claim controlling: the larger tie-breaker keeps it (RFC 8445 section 7.3.1.1). */
static void test_role_conflict_in_a_remote_check(void)
{
    struct iceclient_rig rig;
    rig_init(&rig, true, RIG_SERVER_PWD); /* our tie-breaker 0x0102..., theirs 0x0fff... */
    prism_iceclient_start(&rig.client, T0);
    struct icelite_client full;
    uint8_t check[512], reply[PRISM_ICECLIENT_DATAGRAM_MAX];
    size_t len = remote_check(&full, RIG_CLIENT_PWD, false, true, check, sizeof(check));
    struct prism_iceclient_output out = {.reply = reply, .reply_capacity = sizeof(reply)};
    g_assert_cmpint(rig_to_client(&rig, check, len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_STUN);
    g_assert_cmpuint(out.reply_len, >, 0);
    g_assert_false(prism_iceclient_controlling(&rig.client)); /* theirs is larger: we yield */
    g_assert_cmpuint(rig.client.stats.role_conflicts, ==, 1);
    g_assert_cmpint(icelite_client_read(&full, reply, out.reply_len, &(struct sockaddr_storage){0}),
                    ==, STUN_USAGE_ICE_RETURN_SUCCESS);
    rig_clear(&rig);
}

static void test_bad_remote_checks_get_no_answer(void)
{
    struct iceclient_rig rig;
    rig_init(&rig, false, RIG_SERVER_PWD);
    prism_iceclient_start(&rig.client, T0);
    struct icelite_client full;
    uint8_t check[512], reply[PRISM_ICECLIENT_DATAGRAM_MAX];
    struct prism_iceclient_output out = {.reply = reply, .reply_capacity = sizeof(reply)};
    /* Wrong password: MESSAGE-INTEGRITY fails. */
    size_t len = remote_check(&full, "notthe+clientpassword0123", true, true, check, sizeof(check));
    g_assert_cmpint(rig_to_client(&rig, check, len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_DROP);
    g_assert_cmpuint(out.reply_len, ==, 0);
    /* Wrong USERNAME. */
    icelite_client_init(&full, "someone-else", RIG_SERVER_UFRAG, RIG_CLIENT_PWD);
    len = icelite_client_check(&full, check, sizeof(check), true);
    g_assert_cmpint(rig_to_client(&rig, check, len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_DROP);
    /* A good check cut short, and with a flipped byte (FINGERPRINT fails). */
    len = remote_check(&full, RIG_CLIENT_PWD, true, true, check, sizeof(check));
    for (size_t cut = 0; cut < len; cut += 3)
        g_assert_cmpint(rig_to_client(&rig, check, cut, &rig.server_address, T0, &out), ==,
                        PRISM_ICECLIENT_DROP);
    check[len / 2] ^= 0x40;
    g_assert_cmpint(rig_to_client(&rig, check, len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_DROP);
    /* Garbage in every first-byte class. */
    uint8_t garbage[64];
    struct sockaddr_storage stranger = icelite_v4("10.0.0.9", 9);
    for (unsigned first = 0; first < 256; first += 7) {
        for (size_t i = 0; i < sizeof(garbage); i++)
            garbage[i] = (uint8_t)(first * 31 + i * 17);
        garbage[0] = (uint8_t)first;
        enum prism_iceclient_verdict verdict = rig_to_client(&rig, garbage, sizeof(garbage),
                                                             &stranger, T0, &out);
        g_assert_cmpint(verdict, ==, PRISM_ICECLIENT_DROP);
    }
    /* Sources that are no address at all. */
    g_assert_cmpint(
        prism_iceclient_receive(&rig.client, garbage, sizeof(garbage), NULL, 0, T0, &out), ==,
        PRISM_ICECLIENT_DROP);
    g_assert_cmpint(prism_iceclient_receive(&rig.client, garbage, 0,
                                            (struct sockaddr *)&rig.server_address,
                                            sizeof(struct sockaddr_in), T0, &out),
                    ==, PRISM_ICECLIENT_DROP);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_NONE);
    g_assert_null(prism_iceclient_selected(&rig.client, NULL));
    rig_clear(&rig);
}

/* A success response to `request` with a valid FINGERPRINT but MESSAGE-INTEGRITY keyed with
 * a password that is not the server's. */
static size_t forged_answer(const uint8_t *request, size_t len, const struct sockaddr_storage *to,
                            uint8_t *out)
{
    static const uint16_t known[] = {STUN_ATTRIBUTE_USERNAME, 0};
    StunAgent forger;
    stun_agent_init(&forger, known, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    StunMessage req = {.buffer = (uint8_t *)request, .buffer_len = len, .agent = &forger};
    StunMessage msg;
    g_assert_true(stun_agent_init_response(&forger, &msg, out, PRISM_ICELITE_REPLY_MAX, &req));
    g_assert_cmpint(stun_message_append_xor_addr(&msg, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, to,
                                                 icelite_addr_len(to)),
                    ==, STUN_MESSAGE_RETURN_SUCCESS);
    static const char wrong[] = "a-forger-does-not-know-it";
    size_t n = stun_agent_finish_message(&forger, &msg, (const uint8_t *)wrong, strlen(wrong));
    g_assert_cmpuint(n, >, 0);
    return n;
}

static void test_bad_answers_do_not_select(void)
{
    struct iceclient_rig rig;
    /* The server signs with another password than the one in our SDP. */
    rig_init(&rig, true, "adifferentserverpassword00");
    prism_iceclient_start(&rig.client, T0);
    uint8_t request[PRISM_ICECLIENT_DATAGRAM_MAX], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = rig_poll(&rig, T0, request, sizeof(request));
    size_t reply_len = rig_to_server(&rig, request, len, T0, reply);
    g_assert_cmpuint(reply_len, >, 0); /* a 401 */
    struct prism_iceclient_output out = {0};
    g_assert_cmpint(rig_to_client(&rig, reply, reply_len, &rig.server_address, T0, &out), !=,
                    PRISM_ICECLIENT_MEDIA);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_NONE);
    g_assert_null(prism_iceclient_selected(&rig.client, NULL));
    rig_clear(&rig);

    /* A right answer, but truncated, corrupted, or from another address. */
    rig_init(&rig, true, RIG_SERVER_PWD);
    prism_iceclient_start(&rig.client, T0);
    len = rig_poll(&rig, T0, request, sizeof(request));
    reply_len = rig_to_server(&rig, request, len, T0, reply);
    for (size_t cut = 0; cut < reply_len; cut += 5)
        g_assert_cmpint(rig_to_client(&rig, reply, cut, &rig.server_address, T0, &out), ==,
                        PRISM_ICECLIENT_DROP);
    uint8_t corrupted[PRISM_ICELITE_REPLY_MAX];
    memcpy(corrupted, reply, reply_len);
    corrupted[reply_len - 20] ^= 1; /* inside MESSAGE-INTEGRITY (FINGERPRINT fails too) */
    g_assert_cmpint(rig_to_client(&rig, corrupted, reply_len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_DROP);
    size_t forged_len = forged_answer(request, len, &rig.client_address, corrupted);
    g_assert_cmpint(rig_to_client(&rig, corrupted, forged_len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_DROP);
    struct sockaddr_storage elsewhere = icelite_v4("127.0.0.1", 20002);
    g_assert_cmpint(rig_to_client(&rig, reply, reply_len, &elsewhere, T0, &out), ==,
                    PRISM_ICECLIENT_DROP);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_NONE);
    /* The check goes out again (a new transaction when the old one was spent) and works. */
    uint64_t next = prism_iceclient_deadline(&rig.client);
    g_assert_cmpuint(next, <=, T0 + PRISM_ICECLIENT_RETRANSMIT_FIRST_US);
    g_assert_cmpint(rig_round(&rig, next), ==, PRISM_ICECLIENT_STUN);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_SELECTED);
    rig_clear(&rig);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iceclient/answers-a-full-agents-nomination",
                    test_answers_a_full_agents_nomination);
    g_test_add_func("/iceclient/role-conflict-in-a-remote-check",
                    test_role_conflict_in_a_remote_check);
    g_test_add_func("/iceclient/bad-remote-checks-get-no-answer",
                    test_bad_remote_checks_get_no_answer);
    g_test_add_func("/iceclient/bad-answers-do-not-select", test_bad_answers_do_not_select);
    return g_test_run();
}
