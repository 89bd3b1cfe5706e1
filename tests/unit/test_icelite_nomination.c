/* ICE-lite engine, after the checks: USE-CANDIDATE nomination and re-nomination, media routed
 * by source address, ICE restart, unregistering, and the per-peer address limit. */
#include "icelite_client.h"

#include <errno.h>

static int owner_a, owner_b;

struct remote {
    struct icelite_client client;
    struct sockaddr_storage from;
};

static void remote_init(struct remote *r, const char *ufrag, const char *pwd, const char *ip,
                        uint16_t port)
{
    icelite_client_init(&r->client, ufrag, "remote", pwd);
    r->from = ip[0] == '[' ? icelite_v6(ip + 1, port) : icelite_v4(ip, port);
}

/* A check from r->from; returns the owner the engine attributed it to (asserting success). */
static void *check(struct prism_icelite *engine, struct remote *r, bool use_candidate,
                   uint64_t now_us)
{
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&r->client, request, sizeof(request), use_candidate);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &r->from, now_us, reply);
    g_assert_cmpuint(out.reply_len, >, 0);
    g_assert_cmpint(
        icelite_client_read(&r->client, reply, out.reply_len, &(struct sockaddr_storage){0}), ==,
        STUN_USAGE_ICE_RETURN_SUCCESS);
    return out.owner;
}

static struct prism_icelite_output media_from(struct prism_icelite *engine, uint8_t first,
                                              uint8_t second, const struct sockaddr_storage *from)
{
    static uint8_t reply[PRISM_ICELITE_REPLY_MAX];
    uint8_t packet[16] = {first, second};
    return icelite_feed(engine, packet, sizeof(packet), from, 0, reply);
}

static void expect_event(struct prism_icelite *engine, enum prism_icelite_event_type type,
                         void *owner, const struct sockaddr_storage *address)
{
    struct prism_icelite_event event;
    g_assert_true(prism_icelite_poll_event(engine, &event));
    g_assert_cmpint(event.type, ==, type);
    g_assert_true(event.owner == owner);
    g_assert_true(icelite_same_addr(&event.address, address));
}

static void expect_no_event(struct prism_icelite *engine)
{
    struct prism_icelite_event event;
    g_assert_false(prism_icelite_poll_event(engine, &event));
}

static void test_icelite_selects_on_use_candidate(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    struct remote r;
    remote_init(&r, "ufragA", "passwordAAAAAAAAAAAAAAAA", "192.0.2.1", 5000);
    struct sockaddr_storage selected;
    socklen_t selected_len;
    g_assert_true(check(engine, &r, false, 0) == &owner_a);
    expect_no_event(engine);
    g_assert_false(prism_icelite_selected_address(engine, &owner_a, &selected, &selected_len));
    g_assert_true(check(engine, &r, true, 0) == &owner_a);
    expect_event(engine, PRISM_ICELITE_EVENT_SELECTED, &owner_a, &r.from);
    expect_no_event(engine);
    g_assert_true(prism_icelite_selected_address(engine, &owner_a, &selected, &selected_len));
    g_assert_true(icelite_same_addr(&selected, &r.from));
    g_assert_cmpuint(selected_len, ==, sizeof(struct sockaddr_in));
    /* Browsers keep USE-CANDIDATE on their consent checks: no new event for the same pair. */
    check(engine, &r, true, SECOND_US);
    expect_no_event(engine);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.nominations, ==, 1);
    prism_icelite_destroy(engine);
}

static void test_icelite_renomination_switches_address(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    struct remote wifi, cellular;
    remote_init(&wifi, "ufragA", "passwordAAAAAAAAAAAAAAAA", "192.0.2.1", 5000);
    remote_init(&cellular, "ufragA", "passwordAAAAAAAAAAAAAAAA", "[2001:db8::9", 6000);
    check(engine, &wifi, true, 0);
    expect_event(engine, PRISM_ICELITE_EVENT_SELECTED, &owner_a, &wifi.from);
    check(engine, &cellular, false, SECOND_US); /* checked, not yet nominated */
    expect_no_event(engine);
    check(engine, &cellular, true, 2 * SECOND_US);
    expect_event(engine, PRISM_ICELITE_EVENT_SELECTED, &owner_a, &cellular.from);
    struct sockaddr_storage selected;
    socklen_t selected_len;
    g_assert_true(prism_icelite_selected_address(engine, &owner_a, &selected, &selected_len));
    g_assert_true(icelite_same_addr(&selected, &cellular.from));
    /* Packets still in flight on the old path are delivered. */
    g_assert_true(media_from(engine, 0x80, 96, &wifi.from).owner == &owner_a);
    check(engine, &wifi, true, 3 * SECOND_US); /* and the remote may switch back */
    expect_event(engine, PRISM_ICELITE_EVENT_SELECTED, &owner_a, &wifi.from);
    prism_icelite_destroy(engine);
}

static void test_icelite_routes_media_by_source_address(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    icelite_register(engine, &owner_b, "ufragB", "passwordBBBBBBBBBBBBBBBB", "remote");
    struct remote a, b;
    remote_init(&a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "192.0.2.1", 5000);
    remote_init(&b, "ufragB", "passwordBBBBBBBBBBBBBBBB", "192.0.2.1", 5002); /* same host */
    g_assert_cmpint(media_from(engine, 22, 254, &a.from).verdict, ==, PRISM_ICELITE_DROP);
    check(engine, &a, false, 0);
    check(engine, &b, true, 0);
    struct prism_icelite_output out = media_from(engine, 22, 254, &a.from); /* DTLS */
    g_assert_cmpint(out.verdict, ==, PRISM_ICELITE_MEDIA);
    g_assert_cmpint(out.kind, ==, PRISM_DEMUX_DTLS);
    g_assert_true(out.owner == &owner_a);
    out = media_from(engine, 0x80, 111, &b.from);
    g_assert_cmpint(out.kind, ==, PRISM_DEMUX_RTP);
    g_assert_true(out.owner == &owner_b);
    out = media_from(engine, 0x81, 201, &b.from);
    g_assert_cmpint(out.kind, ==, PRISM_DEMUX_RTCP);
    g_assert_true(out.owner == &owner_b);
    g_assert_cmpuint(out.reply_len, ==, 0);
    /* Same host, another port, never checked: dropped. So are kinds no peer takes. */
    struct sockaddr_storage stranger = icelite_v4("192.0.2.1", 5004);
    g_assert_cmpint(media_from(engine, 0x80, 96, &stranger).verdict, ==, PRISM_ICELITE_DROP);
    g_assert_cmpint(media_from(engine, 17, 0, &a.from).verdict, ==, PRISM_ICELITE_DROP); /* ZRTP */
    g_assert_cmpint(media_from(engine, 64, 1, &a.from).verdict, ==, PRISM_ICELITE_DROP);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.media_routed, ==, 3);
    g_assert_cmpuint(stats.media_unknown, ==, 4);
    prism_icelite_destroy(engine);
}

static void test_icelite_restart_keeps_old_credentials_until_new_ones_are_used(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufrag1", "password1111111111111111", "remote");
    struct remote before, after;
    remote_init(&before, "ufrag1", "password1111111111111111", "192.0.2.1", 5000);
    remote_init(&after, "ufrag2", "password2222222222222222", "192.0.2.1", 5010);
    check(engine, &before, true, 0);
    expect_event(engine, PRISM_ICELITE_EVENT_SELECTED, &owner_a, &before.from);
    struct prism_icelite_credentials renewed = {"ufrag2", "password2222222222222222", "remote"};
    g_assert_cmpint(prism_icelite_register(engine, &owner_a, &renewed), ==, 0);
    g_assert_cmpint(prism_icelite_register(engine, &owner_b, &renewed), ==, -EEXIST);
    /* Consent checks with the old credentials still pass while the remote catches up. */
    g_assert_true(check(engine, &before, true, SECOND_US) == &owner_a);
    g_assert_true(media_from(engine, 0x80, 96, &before.from).owner == &owner_a);
    g_assert_true(check(engine, &after, true, 2 * SECOND_US) == &owner_a);
    expect_event(engine, PRISM_ICELITE_EVENT_SELECTED, &owner_a, &after.from);
    /* Now that the new ones are in use, the old ones are gone. */
    uint8_t request[512], reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = icelite_client_check(&before.client, request, sizeof(request), true);
    struct prism_icelite_output out = icelite_feed(engine, request, len, &before.from, 0, reply);
    g_assert_cmpint(icelite_reply_error_code(&before.client.agent, reply, out.reply_len), ==, 401);
    /* ... and free for someone else. */
    struct prism_icelite_credentials reused = {"ufrag1", "password3333333333333333", NULL};
    g_assert_cmpint(prism_icelite_register(engine, &owner_b, &reused), ==, 0);
    prism_icelite_destroy(engine);
}

static void test_icelite_unregister_forgets_everything(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    icelite_register(engine, &owner_b, "ufragB", "passwordBBBBBBBBBBBBBBBB", "remote");
    struct remote a, b;
    remote_init(&a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "192.0.2.1", 5000);
    remote_init(&b, "ufragB", "passwordBBBBBBBBBBBBBBBB", "192.0.2.2", 5000);
    check(engine, &a, true, 0);
    check(engine, &b, true, 0);
    prism_icelite_unregister(engine, &owner_a); /* its SELECTED event was not polled yet */
    expect_event(engine, PRISM_ICELITE_EVENT_SELECTED, &owner_b, &b.from);
    expect_no_event(engine);
    g_assert_cmpint(media_from(engine, 0x80, 96, &a.from).verdict, ==, PRISM_ICELITE_DROP);
    g_assert_true(media_from(engine, 0x80, 96, &b.from).owner == &owner_b);
    g_assert_cmpuint(prism_icelite_next_deadline(engine), <, UINT64_MAX); /* b's consent */
    prism_icelite_unregister(engine, &owner_b);
    prism_icelite_unregister(engine, &owner_b); /* twice: ignored */
    g_assert_cmpuint(prism_icelite_next_deadline(engine), ==, UINT64_MAX);
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.peers, ==, 0);
    g_assert_cmpuint(stats.addresses, ==, 0);
    prism_icelite_destroy(engine);
}

/* A remote port reused by a new PeerConnection: the latest authenticated owner wins, and the
 * one that loses its selected address is told. */
static void test_icelite_address_moves_to_latest_authenticated_owner(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    icelite_register(engine, &owner_b, "ufragB", "passwordBBBBBBBBBBBBBBBB", "remote");
    struct remote a, b;
    remote_init(&a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "192.0.2.1", 5000);
    remote_init(&b, "ufragB", "passwordBBBBBBBBBBBBBBBB", "192.0.2.1", 5000);
    check(engine, &a, true, 0);
    expect_event(engine, PRISM_ICELITE_EVENT_SELECTED, &owner_a, &a.from);
    check(engine, &b, true, SECOND_US);
    expect_event(engine, PRISM_ICELITE_EVENT_EXPIRED, &owner_a, &a.from);
    expect_event(engine, PRISM_ICELITE_EVENT_SELECTED, &owner_b, &b.from);
    g_assert_true(media_from(engine, 0x80, 96, &a.from).owner == &owner_b);
    struct sockaddr_storage selected;
    socklen_t selected_len;
    g_assert_false(prism_icelite_selected_address(engine, &owner_a, &selected, &selected_len));
    prism_icelite_destroy(engine);
}

static void test_icelite_limits_addresses_per_peer(void)
{
    struct prism_icelite *engine = icelite_engine_new();
    icelite_register(engine, &owner_a, "ufragA", "passwordAAAAAAAAAAAAAAAA", "remote");
    struct remote r;
    remote_init(&r, "ufragA", "passwordAAAAAAAAAAAAAAAA", "192.0.2.1", 5000);
    struct sockaddr_storage first = r.from;
    check(engine, &r, true, 0); /* selected: never the one evicted */
    for (uint16_t i = 1; i <= 3 * PRISM_ICELITE_DEFAULT_MAX_ADDRESSES; i++) {
        r.from = icelite_v4("192.0.2.1", (uint16_t)(5000 + i));
        check(engine, &r, false, i);
    }
    struct prism_icelite_stats stats;
    prism_icelite_get_stats(engine, &stats);
    g_assert_cmpuint(stats.addresses, ==, PRISM_ICELITE_DEFAULT_MAX_ADDRESSES);
    g_assert_true(media_from(engine, 0x80, 96, &first).owner == &owner_a);
    g_assert_true(media_from(engine, 0x80, 96, &r.from).owner == &owner_a); /* the latest */
    struct sockaddr_storage evicted = icelite_v4("192.0.2.1", 5001);
    g_assert_cmpint(media_from(engine, 0x80, 96, &evicted).verdict, ==, PRISM_ICELITE_DROP);
    prism_icelite_destroy(engine);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/icelite/selects-on-use-candidate", test_icelite_selects_on_use_candidate);
    g_test_add_func("/icelite/renomination-switches-address",
                    test_icelite_renomination_switches_address);
    g_test_add_func("/icelite/routes-media-by-source-address",
                    test_icelite_routes_media_by_source_address);
    g_test_add_func("/icelite/restart-keeps-old-credentials-until-new-ones-are-used",
                    test_icelite_restart_keeps_old_credentials_until_new_ones_are_used);
    g_test_add_func("/icelite/unregister-forgets-everything",
                    test_icelite_unregister_forgets_everything);
    g_test_add_func("/icelite/address-moves-to-latest-authenticated-owner",
                    test_icelite_address_moves_to_latest_authenticated_owner);
    g_test_add_func("/icelite/limits-addresses-per-peer", test_icelite_limits_addresses_per_peer);
    return g_test_run();
}
