/* ICE-lite engine against bad input: truncated and corrupted checks, garbage in the STUN range,
 * requests without credentials, other methods and classes, and unusable source addresses.
 * None may crash, be answered with a success, or record an address; each is counted. */
#include "icelite_client.h"

#include <sys/un.h>

#define UFRAG "srvA"
#define PWD "serverpassword0123456789"

static int owner;

static struct prism_icelite *engine_with_peer(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner, UFRAG, PWD, "cli1");
    return engine;
}

static void assert_nothing_recorded(struct prism_icelite *engine)
{
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.checks_answered, ==, 0);
    g_assert_cmpuint(stats.addresses, ==, 0);
    struct prism_icelite_event event;
    g_assert_false(prism_icelite_poll_event(engine, &event));
}

static void test_icelite_drops_truncated_checks(void)
{
    struct prism_icelite *engine = engine_with_peer();
    struct icelite_client client;
    icelite_client_init(&client, UFRAG, "cli1", PWD);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&client, request, sizeof(request), true);
    struct sockaddr_storage from = icelite_v4("192.0.2.10", 50000);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = g_memdup2(request, cut); /* exact size: ASan sees any overread */
        struct prism_icelite_output out = icelite_feed(engine, copy, cut, &from, 0, reply);
        g_assert_cmpuint(out.reply_len, ==, 0);
        g_assert_cmpint(out.verdict, ==, PRISM_ICELITE_DROP);
        g_free(copy);
    }
    assert_nothing_recorded(engine);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.malformed + stats.media_unknown, ==, len); /* 0 bytes: no kind */
    prism_icelite_destroy(engine);
}

/* Every single-bit error in a valid check: never a success; the ones that break FINGERPRINT
 * or the framing get no answer at all. */
static void test_icelite_rejects_every_flipped_bit(void)
{
    struct prism_icelite *engine = engine_with_peer();
    struct icelite_client client;
    icelite_client_init(&client, UFRAG, "cli1", PWD);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&client, request, sizeof(request), true);
    struct sockaddr_storage from = icelite_v4("192.0.2.10", 50000);
    for (size_t bit = 0; bit < len * 8; bit++) {
        request[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        struct prism_icelite_output out = icelite_feed(engine, request, len, &from, 0, reply);
        if (out.reply_len)
            g_assert_cmpint(icelite_reply_error_code(&client.agent, reply, out.reply_len), >=, 400);
        request[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    assert_nothing_recorded(engine);
    /* The untouched request still works. */
    struct prism_icelite_output out = icelite_feed(engine, request, len, &from, 0, reply);
    g_assert_cmpint(
        icelite_client_read(&client, reply, out.reply_len, &(struct sockaddr_storage){0}), ==,
        STUN_USAGE_ICE_RETURN_SUCCESS);
    prism_icelite_destroy(engine);
}

/* ICE connectivity checks carry FINGERPRINT (RFC 8445 section 7); a signed request without
 * it is not taken for a check, and gets no answer. */
static void test_icelite_drops_check_without_fingerprint(void)
{
    struct prism_icelite *engine = engine_with_peer();
    struct icelite_client client;
    icelite_client_init(&client, UFRAG, "cli1", PWD);
    stun_agent_init(&client.agent, icelite_client_known, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&client, request, sizeof(request), true);
    struct sockaddr_storage from = icelite_v4("192.0.2.10", 50000);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &from, 0, reply);
    g_assert_cmpint(out.verdict, ==, PRISM_ICELITE_DROP);
    g_assert_cmpuint(out.reply_len, ==, 0);
    assert_nothing_recorded(engine);
    prism_icelite_destroy(engine);
}

static void test_icelite_drops_garbage_in_stun_range(void)
{
    struct prism_icelite *engine = engine_with_peer();
    uint8_t reply[PRISM_ICELITE_REPLY_MAX];
    struct sockaddr_storage from = icelite_v6("2001:db8::1", 1);
    GRand *rand = g_rand_new_with_seed(7);
    for (int i = 0; i < 2000; i++) {
        uint8_t garbage[128];
        size_t len = (size_t)g_rand_int_range(rand, 1, sizeof(garbage) + 1);
        for (size_t j = 0; j < len; j++)
            garbage[j] = (uint8_t)g_rand_int(rand);
        garbage[0] &= 0x03; /* always classified as STUN */
        if (len >= 20 && i % 2) {
            /* Half of them with a plausible header: the magic cookie and a length that fits. */
            garbage[2] = 0;
            garbage[3] = (uint8_t)((len - 20) & ~3u);
            garbage[4] = 0x21, garbage[5] = 0x12, garbage[6] = 0xA4, garbage[7] = 0x42;
        }
        struct prism_icelite_output out = icelite_feed(engine, garbage, len, &from, 0, reply);
        g_assert_cmpint(out.verdict, !=, PRISM_ICELITE_MEDIA);
        g_assert_true(out.owner == NULL);
    }
    g_rand_free(rand);
    assert_nothing_recorded(engine);
    prism_icelite_destroy(engine);
}

/* A request built by libnice with only some of what a check needs, unsigned. */
static size_t unsigned_request(StunAgent *agent, uint8_t *buf, size_t cap, const char *username)
{
    StunMessage msg;
    g_assert_true(stun_agent_init_request(agent, &msg, buf, cap, STUN_BINDING));
    if (username)
        g_assert_cmpint(stun_message_append_string(&msg, STUN_ATTRIBUTE_USERNAME, username), ==, 0);
    size_t len = stun_agent_finish_message(agent, &msg, NULL, 0);
    g_assert_cmpuint(len, >, 0);
    return len;
}

/* RFC 5389 section 10.1.2: no MESSAGE-INTEGRITY is a 400, but only when the answer is no larger
 * than the request (no amplification of spoofed requests). */
static void test_icelite_answers_400_to_unsigned_request(void)
{
    struct prism_icelite *engine = engine_with_peer();
    struct icelite_client client;
    icelite_client_init(&client, UFRAG, "cli1", PWD);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    struct sockaddr_storage from = icelite_v4("192.0.2.10", 50000);
    char long_name[81];
    memset(long_name, 'x', 80);
    long_name[80] = '\0';
    size_t len = unsigned_request(&client.agent, request, sizeof(request), long_name);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &from, 0, reply);
    g_assert_cmpint(icelite_reply_error_code(&client.agent, reply, out.reply_len), ==, 400);
    g_assert_false(icelite_reply_is_signed(&client.agent, reply, out.reply_len));
    g_assert_cmpuint(out.reply_len, <=, len);
    len = unsigned_request(&client.agent, request, sizeof(request), NULL); /* 28 bytes */
    out = icelite_feed(engine, request, len, &from, 0, reply);
    g_assert_cmpint(out.verdict, ==, PRISM_ICELITE_STUN);
    g_assert_cmpuint(out.reply_len, ==, 0);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.bad_requests, ==, 2);
    assert_nothing_recorded(engine);
    prism_icelite_destroy(engine);
}

static void test_icelite_ignores_responses_indications_and_other_methods(void)
{
    struct prism_icelite *engine = engine_with_peer();
    struct icelite_client client;
    icelite_client_init(&client, UFRAG, "cli1", PWD);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX], echo[PRISM_ICELITE_REPLY_MAX];
    struct sockaddr_storage from = icelite_v4("192.0.2.10", 50000);
    /* Our own success response sent back at us: a response to nothing we asked. */
    size_t len = icelite_client_check(&client, request, sizeof(request), false);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &from, 0, reply);
    size_t reply_len = out.reply_len;
    g_assert_cmpuint(reply_len, >, 0);
    memcpy(echo, reply, reply_len);
    out = icelite_feed(engine, echo, reply_len, &from, 0, reply);
    g_assert_cmpuint(out.reply_len, ==, 0);
    /* A signed Binding indication (a keepalive): never answered. */
    StunMessage msg;
    g_assert_true(
        stun_agent_init_indication(&client.agent, &msg, request, sizeof(request), STUN_BINDING));
    g_assert_cmpint(stun_message_append_string(&msg, STUN_ATTRIBUTE_USERNAME, client.username), ==,
                    0);
    len = stun_agent_finish_message(&client.agent, &msg, (const uint8_t *)client.password,
                                    strlen(client.password));
    g_assert_cmpuint(icelite_feed(engine, request, len, &from, 0, reply).reply_len, ==, 0);
    /* A signed request of another method: 400, signed, nothing recorded. */
    g_assert_true(
        stun_agent_init_request(&client.agent, &msg, request, sizeof(request), STUN_ALLOCATE));
    g_assert_cmpint(stun_message_append_string(&msg, STUN_ATTRIBUTE_USERNAME, client.username), ==,
                    0);
    len = stun_agent_finish_message(&client.agent, &msg, (const uint8_t *)client.password,
                                    strlen(client.password));
    out = icelite_feed(engine, request, len, &from, 0, reply);
    g_assert_cmpint(icelite_reply_error_code(&client.agent, reply, out.reply_len), ==, 400);
    g_assert_true(icelite_reply_is_signed(&client.agent, reply, out.reply_len));
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.ignored, ==, 2);
    g_assert_cmpuint(stats.bad_requests, ==, 1);
    g_assert_cmpuint(stats.checks_answered, ==, 1);
    prism_icelite_destroy(engine);
}

static void test_icelite_drops_unusable_source_address(void)
{
    struct prism_icelite *engine = engine_with_peer();
    struct icelite_client client;
    icelite_client_init(&client, UFRAG, "cli1", PWD);
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&client, request, sizeof(request), true);
    struct sockaddr_un local = {.sun_family = AF_UNIX};
    struct sockaddr_in short_v4 = {.sin_family = AF_INET};
    struct prism_icelite_output out = {.reply = reply, .reply_capacity = sizeof(reply)};
    prism_icelite_receive(engine, request, len, (struct sockaddr *)&local, sizeof(local), 0, &out);
    g_assert_cmpint(out.verdict, ==, PRISM_ICELITE_DROP);
    prism_icelite_receive(engine, request, len, (struct sockaddr *)&short_v4, 4, 0, &out);
    g_assert_cmpint(out.verdict, ==, PRISM_ICELITE_DROP);
    prism_icelite_receive(engine, request, len, NULL, 0, 0, &out);
    g_assert_cmpint(out.verdict, ==, PRISM_ICELITE_DROP);
    g_assert_cmpuint(out.reply_len, ==, 0);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.bad_source, ==, 3);
    assert_nothing_recorded(engine);
    prism_icelite_destroy(engine);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/icelite/drops-truncated-checks", test_icelite_drops_truncated_checks);
    g_test_add_func("/icelite/rejects-every-flipped-bit", test_icelite_rejects_every_flipped_bit);
    g_test_add_func("/icelite/drops-check-without-fingerprint",
                    test_icelite_drops_check_without_fingerprint);
    g_test_add_func("/icelite/drops-garbage-in-stun-range",
                    test_icelite_drops_garbage_in_stun_range);
    g_test_add_func("/icelite/answers-400-to-unsigned-request",
                    test_icelite_answers_400_to_unsigned_request);
    g_test_add_func("/icelite/ignores-responses-indications-and-other-methods",
                    test_icelite_ignores_responses_indications_and_other_methods);
    g_test_add_func("/icelite/drops-unusable-source-address",
                    test_icelite_drops_unusable_source_address);
    return g_test_run();
}
