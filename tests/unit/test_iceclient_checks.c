/* The light client ICE engine against Prism's ICE-lite engine: nomination, retransmission,
 * connect timeout, consent, role conflict, and media admission by source address. */
#include "iceclient_rig.h"

#include <errno.h>

#define T0 (1000 * SECOND_US)

static StunMessage view(const uint8_t *data, size_t len)
{
    g_assert_cmpint(stun_message_validate_buffer_length(data, len, true), ==, (int)len);
    return (StunMessage){.buffer = (uint8_t *)data, .buffer_len = len};
}

static bool has_use_candidate(const uint8_t *data, size_t len)
{
    StunMessage message = view(data, len);
    return stun_usage_ice_conncheck_use_candidate(&message);
}

static bool claims_controlling(const uint8_t *data, size_t len)
{
    StunMessage message = view(data, len);
    uint64_t tie;
    return stun_message_find64(&message, STUN_ATTRIBUTE_ICE_CONTROLLING, &tie) ==
           STUN_MESSAGE_RETURN_SUCCESS;
}

static void test_selects_the_server_it_nominated(void)
{
    struct iceclient_rig rig;
    rig_init(&rig, true, RIG_SERVER_PWD);
    g_assert_cmpuint(prism_iceclient_deadline(&rig.client), ==, UINT64_MAX); /* not started */
    prism_iceclient_start(&rig.client, T0);
    uint8_t request[PRISM_ICECLIENT_DATAGRAM_MAX], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = rig_poll(&rig, T0, request, sizeof(request));
    g_assert_true(has_use_candidate(request, len));
    g_assert_true(claims_controlling(request, len));
    size_t reply_len = rig_to_server(&rig, request, len, T0, reply);
    g_assert_cmpuint(reply_len, >, 0);
    /* The server took the nomination. */
    struct prism_icelite_event event;
    g_assert_true(prism_icelite_poll_event(rig.server, &event));
    g_assert_cmpint(event.type, ==, PRISM_ICELITE_EVENT_SELECTED);
    g_assert_true(icelite_same_addr(&event.address, &rig.client_address));
    g_assert_null(prism_iceclient_selected(&rig.client, NULL));
    struct prism_iceclient_output out = {0};
    g_assert_cmpint(rig_to_client(&rig, reply, reply_len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_STUN);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_SELECTED);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_NONE);
    socklen_t selected_len = 0;
    const struct sockaddr_storage *selected = prism_iceclient_selected(&rig.client, &selected_len);
    g_assert_nonnull(selected);
    g_assert_true(icelite_same_addr(selected, &rig.server_address));
    g_assert_cmpuint(selected_len, ==, sizeof(struct sockaddr_in));
    /* The same answer again is a stale transaction. */
    g_assert_cmpint(rig_to_client(&rig, reply, reply_len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_DROP);
    /* Media only from the server's address. */
    uint8_t rtp[12] = {0x80, 96};
    g_assert_cmpint(rig_to_client(&rig, rtp, sizeof(rtp), &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_MEDIA);
    struct sockaddr_storage stranger = icelite_v4("127.0.0.1", 20001);
    g_assert_cmpint(rig_to_client(&rig, rtp, sizeof(rtp), &stranger, T0, &out), ==,
                    PRISM_ICECLIENT_DROP);
    rig_clear(&rig);
}

static void test_retransmits_the_same_transaction(void)
{
    struct iceclient_rig rig;
    rig_init(&rig, true, RIG_SERVER_PWD);
    prism_iceclient_start(&rig.client, T0);
    uint8_t first[PRISM_ICECLIENT_DATAGRAM_MAX], again[PRISM_ICECLIENT_DATAGRAM_MAX];
    size_t len = rig_poll(&rig, T0, first, sizeof(first));
    struct sockaddr_storage to;
    socklen_t to_len;
    g_assert_cmpuint(prism_iceclient_poll(&rig.client, T0, again, sizeof(again), &to, &to_len), ==,
                     0);
    g_assert_cmpuint(prism_iceclient_deadline(&rig.client), ==,
                     T0 + PRISM_ICECLIENT_RETRANSMIT_FIRST_US);
    g_assert_cmpuint(rig_poll(&rig, T0 + PRISM_ICECLIENT_RETRANSMIT_FIRST_US, again, sizeof(again)),
                     ==, len);
    g_assert_cmpmem(first, len, again, len);
    g_assert_cmpuint(prism_iceclient_deadline(&rig.client), ==,
                     T0 + 3 * PRISM_ICECLIENT_RETRANSMIT_FIRST_US); /* doubled */
    /* The answer to the retransmission selects. */
    uint8_t reply[PRISM_ICELITE_REPLY_MAX];
    size_t reply_len = rig_to_server(&rig, again, len, T0, reply);
    struct prism_iceclient_output out = {0};
    g_assert_cmpint(rig_to_client(&rig, reply, reply_len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_STUN);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_SELECTED);
    rig_clear(&rig);
}

static void test_fails_when_nobody_answers(void)
{
    struct iceclient_rig rig;
    rig_init(&rig, true, RIG_SERVER_PWD);
    prism_iceclient_start(&rig.client, T0);
    uint8_t buf[PRISM_ICECLIENT_DATAGRAM_MAX];
    struct sockaddr_storage to;
    socklen_t to_len;
    unsigned sent = 0;
    uint64_t now = T0;
    while (prism_iceclient_deadline(&rig.client) != UINT64_MAX) {
        now = prism_iceclient_deadline(&rig.client);
        while (prism_iceclient_poll(&rig.client, now, buf, sizeof(buf), &to, &to_len))
            sent++;
    }
    g_assert_cmpuint(now, ==, T0 + PRISM_ICECLIENT_CONNECT_TIMEOUT_US);
    g_assert_cmpuint(sent, >, 10);
    g_assert_cmpuint(sent, <, 40); /* backed off to 1.6 s */
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_FAILED);
    g_assert_null(prism_iceclient_selected(&rig.client, NULL));
    rig_clear(&rig);
}

static void test_consent_checks_keep_the_server_and_their_loss_fails(void)
{
    struct iceclient_rig rig;
    rig_init(&rig, true, RIG_SERVER_PWD);
    prism_iceclient_start(&rig.client, T0);
    g_assert_cmpint(rig_round(&rig, T0), ==, PRISM_ICECLIENT_STUN);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_SELECTED);
    struct prism_icelite_event event;
    while (prism_icelite_poll_event(rig.server, &event))
        ;
    /* A minute of consent checks, answered: the server never expires us, we never fail. */
    uint64_t now = T0;
    for (int i = 0; i < 12; i++) {
        now += PRISM_ICECLIENT_CONSENT_INTERVAL_US;
        g_assert_cmpuint(prism_iceclient_deadline(&rig.client), ==, now);
        uint8_t request[PRISM_ICECLIENT_DATAGRAM_MAX], reply[PRISM_ICELITE_REPLY_MAX];
        size_t len = rig_poll(&rig, now, request, sizeof(request));
        g_assert_false(has_use_candidate(request, len));
        size_t reply_len = rig_to_server(&rig, request, len, now, reply);
        prism_icelite_timeout(rig.server, now);
        g_assert_false(prism_icelite_poll_event(rig.server, &event));
        struct prism_iceclient_output out = {0};
        g_assert_cmpint(rig_to_client(&rig, reply, reply_len, &rig.server_address, now, &out), ==,
                        PRISM_ICECLIENT_STUN);
    }
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_NONE);
    /* Then the server goes silent: failed 30 s after its last answer. */
    uint64_t last_answer = now;
    uint8_t buf[PRISM_ICECLIENT_DATAGRAM_MAX];
    struct sockaddr_storage to;
    socklen_t to_len;
    while (prism_iceclient_deadline(&rig.client) != UINT64_MAX) {
        now = prism_iceclient_deadline(&rig.client);
        while (prism_iceclient_poll(&rig.client, now, buf, sizeof(buf), &to, &to_len))
            ;
    }
    g_assert_cmpuint(now, ==, last_answer + PRISM_ICECLIENT_CONSENT_TIMEOUT_US);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_FAILED);
    g_assert_null(prism_iceclient_selected(&rig.client, NULL));
    rig_clear(&rig);
}

/* An answerer starts controlled; the lite server answers 487 and the client takes over. */
static void test_role_conflict_with_a_lite_server_makes_it_controlling(void)
{
    struct iceclient_rig rig;
    rig_init(&rig, false, RIG_SERVER_PWD);
    prism_iceclient_start(&rig.client, T0);
    uint8_t request[PRISM_ICECLIENT_DATAGRAM_MAX], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = rig_poll(&rig, T0, request, sizeof(request));
    g_assert_false(claims_controlling(request, len));
    g_assert_false(has_use_candidate(request, len));
    size_t reply_len = rig_to_server(&rig, request, len, T0, reply);
    g_assert_cmpint(icelite_reply_error_code(&rig.client.agent, reply, reply_len), ==, 487);
    struct prism_iceclient_output out = {0};
    g_assert_cmpint(rig_to_client(&rig, reply, reply_len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_STUN);
    g_assert_true(prism_iceclient_controlling(&rig.client));
    g_assert_cmpuint(rig.client.stats.role_conflicts, ==, 1);
    len = rig_poll(&rig, T0, request, sizeof(request)); /* at once, in the new role */
    g_assert_true(claims_controlling(request, len));
    g_assert_true(has_use_candidate(request, len));
    reply_len = rig_to_server(&rig, request, len, T0, reply);
    g_assert_cmpint(rig_to_client(&rig, reply, reply_len, &rig.server_address, T0, &out), ==,
                    PRISM_ICECLIENT_STUN);
    g_assert_cmpint(prism_iceclient_take_event(&rig.client), ==, PRISM_ICECLIENT_EVENT_SELECTED);
    rig_clear(&rig);
}

static void test_credentials_and_addresses_are_checked(void)
{
    struct prism_iceclient client;
    prism_iceclient_init(&client, true, 1, 1);
    char long_value[PRISM_ICECLIENT_CREDENTIAL_MAX + 2];
    memset(long_value, 'a', sizeof(long_value) - 1);
    long_value[sizeof(long_value) - 1] = '\0';
    g_assert_cmpint(prism_iceclient_set_local_credentials(&client, "", "pwd"), ==, -EINVAL);
    g_assert_cmpint(prism_iceclient_set_local_credentials(&client, long_value, "pwd"), ==, -EINVAL);
    g_assert_cmpint(prism_iceclient_set_remote_credentials(&client, "ufrag", NULL), ==, -EINVAL);
    g_assert_cmpint(prism_iceclient_set_remote_credentials(&client, "ufrag", "pwd"), ==, 0);
    g_assert_cmpint(prism_iceclient_set_remote_credentials(&client, "ufrag", "pwd"), ==, 0);
    g_assert_cmpint(prism_iceclient_set_remote_credentials(&client, "other", "pwd"), ==, -EBUSY);
    struct sockaddr_storage a = icelite_v4("127.0.0.1", 1000);
    g_assert_cmpint(prism_iceclient_add_remote(&client, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(prism_iceclient_add_remote(&client, (struct sockaddr *)&a, sizeof(a)), ==, 1);
    g_assert_cmpint(prism_iceclient_add_remote(&client, (struct sockaddr *)&a, 4), ==,
                    -EAFNOSUPPORT);
    struct sockaddr_storage unix_address = {.ss_family = AF_UNIX};
    g_assert_cmpint(
        prism_iceclient_add_remote(&client, (struct sockaddr *)&unix_address, sizeof(unix_address)),
        ==, -EAFNOSUPPORT);
    for (uint16_t port = 1001; port < 1001 + PRISM_ICECLIENT_MAX_REMOTES - 1; port++) {
        struct sockaddr_storage b = icelite_v6("::1", port);
        g_assert_cmpint(prism_iceclient_add_remote(&client, (struct sockaddr *)&b, sizeof(b)), ==,
                        0);
    }
    struct sockaddr_storage c = icelite_v4("127.0.0.2", 1000);
    g_assert_cmpint(prism_iceclient_add_remote(&client, (struct sockaddr *)&c, sizeof(c)), ==,
                    -ENOSPC);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iceclient/selects-the-server-it-nominated",
                    test_selects_the_server_it_nominated);
    g_test_add_func("/iceclient/retransmits-the-same-transaction",
                    test_retransmits_the_same_transaction);
    g_test_add_func("/iceclient/fails-when-nobody-answers", test_fails_when_nobody_answers);
    g_test_add_func("/iceclient/consent-checks-keep-the-server-and-their-loss-fails",
                    test_consent_checks_keep_the_server_and_their_loss_fails);
    g_test_add_func("/iceclient/role-conflict-with-a-lite-server-makes-it-controlling",
                    test_role_conflict_with_a_lite_server_makes_it_controlling);
    g_test_add_func("/iceclient/credentials-and-addresses-are-checked",
                    test_credentials_and_addresses_are_checked);
    return g_test_run();
}
