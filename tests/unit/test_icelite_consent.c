/* ICE-lite engine, consent freshness (RFC 7675) in virtual time: a selected address whose
 * checks stop for 30 s expires with an event, checks keep it alive, other addresses expire
 * quietly, and the deadline always names the next expiry. */
#include "icelite_client.h"

#define TIMEOUT_US PRISM_ICELITE_DEFAULT_CONSENT_TIMEOUT_US

static int owner_a, owner_b;

struct remote {
    struct icelite_client client;
    struct sockaddr_storage from;
};

static void remote_init(struct remote *r, const char *ufrag, const char *pwd, uint16_t port)
{
    icelite_client_init(&r->client, ufrag, "remote", pwd);
    r->from = icelite_v4("192.0.2.1", port);
}

static void check(struct prism_icelite *engine, struct remote *r, bool use_candidate,
                  uint64_t now_us)
{
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&r->client, request, sizeof(request), use_candidate);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &r->from, now_us, reply);
    g_assert_cmpint(
        icelite_client_read(&r->client, reply, out.reply_len, &(struct sockaddr_storage){0}), ==,
        STUN_USAGE_ICE_RETURN_SUCCESS);
}

static bool routed(struct prism_icelite *engine, const struct sockaddr_storage *from)
{
    uint8_t rtp[12] = {0x80, 96}, reply[PRISM_ICELITE_REPLY_MAX];
    return icelite_feed(engine, rtp, sizeof(rtp), from, 0, reply).verdict == PRISM_ICELITE_MEDIA;
}

static void drain_selected(struct prism_icelite *engine)
{
    struct prism_icelite_event event;
    while (prism_icelite_poll_event(engine, &event))
        g_assert_cmpint(event.type, ==, PRISM_ICELITE_EVENT_SELECTED);
}

static void test_icelite_consent_expires_after_30s_of_silence(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    struct remote r;
    remote_init(&r, "ufragA", "passwordAAAAAAAAAAAAAAAA", 5000);
    uint64_t start = 1000 * SECOND_US;
    g_assert_cmpuint(prism_icelite_next_deadline(engine), ==, UINT64_MAX);
    check(engine, &r, true, start);
    drain_selected(engine);
    g_assert_cmpuint(prism_icelite_next_deadline(engine), ==, start + TIMEOUT_US);
    prism_icelite_timeout(engine, start + TIMEOUT_US - 1);
    struct prism_icelite_event event;
    g_assert_false(prism_icelite_poll_event(engine, &event));
    g_assert_true(routed(engine, &r.from));
    prism_icelite_timeout(engine, start + TIMEOUT_US);
    g_assert_true(prism_icelite_poll_event(engine, &event));
    g_assert_cmpint(event.type, ==, PRISM_ICELITE_EVENT_EXPIRED);
    g_assert_true(event.owner == &owner_a);
    g_assert_true(icelite_same_addr(&event.address, &r.from));
    g_assert_false(prism_icelite_poll_event(engine, &event));
    g_assert_false(routed(engine, &r.from));
    g_assert_cmpuint(prism_icelite_next_deadline(engine), ==, UINT64_MAX);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.expired, ==, 1);
    g_assert_cmpuint(stats.peers, ==, 1); /* the owner decides what to do */
    /* The remote comes back (or restarts ICE): a new nomination selects again. */
    check(engine, &r, true, start + TIMEOUT_US + SECOND_US);
    g_assert_true(prism_icelite_poll_event(engine, &event));
    g_assert_cmpint(event.type, ==, PRISM_ICELITE_EVENT_SELECTED);
    prism_icelite_destroy(engine);
}

static void test_icelite_consent_checks_keep_address_alive(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    struct remote r;
    remote_init(&r, "ufragA", "passwordAAAAAAAAAAAAAAAA", 5000);
    check(engine, &r, true, 0);
    drain_selected(engine);
    /* A consent check every 5 s (RFC 7675 section 5.1) for ten minutes. */
    for (uint64_t now = 5 * SECOND_US; now <= 600 * SECOND_US; now += 5 * SECOND_US) {
        prism_icelite_timeout(engine, now);
        check(engine, &r, false, now);
        g_assert_cmpuint(prism_icelite_next_deadline(engine), ==, now + TIMEOUT_US);
    }
    struct prism_icelite_event event;
    g_assert_false(prism_icelite_poll_event(engine, &event));
    g_assert_true(routed(engine, &r.from));
    prism_icelite_destroy(engine);
}

/* Only the selected address's silence is news; a pair the remote stopped using goes quietly,
 * and the deadline moves on to the next address in order. */
static void test_icelite_unselected_addresses_expire_quietly(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    icelite_register(engine, &owner_b, "ufragB", "passwordBBBBBBBBBBBBBBBB", "remote");
    struct remote old_path, new_path, other;
    remote_init(&old_path, "ufragA", "passwordAAAAAAAAAAAAAAAA", 5000);
    remote_init(&new_path, "ufragA", "passwordAAAAAAAAAAAAAAAA", 5001);
    remote_init(&other, "ufragB", "passwordBBBBBBBBBBBBBBBB", 6000);
    check(engine, &old_path, true, 0);
    check(engine, &other, true, 2 * SECOND_US);
    check(engine, &new_path, true, 4 * SECOND_US); /* network change */
    drain_selected(engine);
    g_assert_cmpuint(prism_icelite_next_deadline(engine), ==, TIMEOUT_US);
    prism_icelite_timeout(engine, TIMEOUT_US);
    struct prism_icelite_event event;
    g_assert_false(prism_icelite_poll_event(engine, &event));
    g_assert_false(routed(engine, &old_path.from));
    g_assert_true(routed(engine, &new_path.from));
    g_assert_cmpuint(prism_icelite_next_deadline(engine), ==, 2 * SECOND_US + TIMEOUT_US);
    /* One late call expires everything due, in order, with one event per selected address. */
    prism_icelite_timeout(engine, 100 * SECOND_US);
    g_assert_true(prism_icelite_poll_event(engine, &event));
    g_assert_true(event.owner == &owner_b);
    g_assert_true(prism_icelite_poll_event(engine, &event));
    g_assert_true(event.owner == &owner_a);
    g_assert_true(icelite_same_addr(&event.address, &new_path.from));
    g_assert_false(prism_icelite_poll_event(engine, &event));
    prism_icelite_destroy(engine);
}

/* A caller whose clock steps back must not reorder the expiry list: times are clamped to the
 * latest one seen, so the deadline never goes backwards. */
static void test_icelite_consent_survives_clock_stepping_back(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    struct remote first, second;
    remote_init(&first, "ufragA", "passwordAAAAAAAAAAAAAAAA", 5000);
    remote_init(&second, "ufragA", "passwordAAAAAAAAAAAAAAAA", 5001);
    check(engine, &first, false, 10 * SECOND_US);
    check(engine, &second, false, 4 * SECOND_US);
    g_assert_cmpuint(prism_icelite_next_deadline(engine), ==, 10 * SECOND_US + TIMEOUT_US);
    prism_icelite_timeout(engine, 10 * SECOND_US + TIMEOUT_US);
    g_assert_false(routed(engine, &first.from));
    g_assert_false(routed(engine, &second.from)); /* clamped to 10 s, so due as well */
    prism_icelite_destroy(engine);
}

static void test_icelite_consent_timeout_is_configurable(void)
{
    struct prism_icelite_config config = {.consent_timeout_us = 5 * SECOND_US};
    struct prism_icelite *engine = NULL;
    g_assert_cmpint(prism_icelite_create(&engine, &config), ==, 0);
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    struct remote r;
    remote_init(&r, "ufragA", "passwordAAAAAAAAAAAAAAAA", 5000);
    check(engine, &r, true, 0);
    g_assert_cmpuint(prism_icelite_next_deadline(engine), ==, 5 * SECOND_US);
    prism_icelite_destroy(engine);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/icelite/consent-expires-after-30s-of-silence",
                    test_icelite_consent_expires_after_30s_of_silence);
    g_test_add_func("/icelite/consent-checks-keep-address-alive",
                    test_icelite_consent_checks_keep_address_alive);
    g_test_add_func("/icelite/unselected-addresses-expire-quietly",
                    test_icelite_unselected_addresses_expire_quietly);
    g_test_add_func("/icelite/consent-survives-clock-stepping-back",
                    test_icelite_consent_survives_clock_stepping_back);
    g_test_add_func("/icelite/consent-timeout-is-configurable",
                    test_icelite_consent_timeout_is_configurable);
    return g_test_run();
}
