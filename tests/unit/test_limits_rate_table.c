/* Requests per second per client address, in virtual time: refill, burst, independent
 * addresses, the retry wait, one log line per address per interval, and a table that stays
 * bounded under a flood of addresses. */
#include "core/log_limit.h"
#include "signaling/limits/client_address.h"
#include "signaling/limits/rate_table.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#define SECOND 1000000ull

static struct prism_rate_table *table_new(unsigned rate, unsigned burst, size_t capacity)
{
    struct prism_rate_config config = {.rate = rate, .burst = burst, .capacity = capacity};
    struct prism_rate_table *table = NULL;
    g_assert_cmpint(prism_rate_table_create(&table, &config), ==, 0);
    return table;
}

static bool take(struct prism_rate_table *table, const char *address, uint64_t now_us)
{
    struct prism_rate_decision decision;
    prism_rate_table_take(table, address, now_us, &decision);
    return decision.allowed;
}

/* How many requests in a row pass at `now_us`. */
static unsigned passes(struct prism_rate_table *table, const char *address, uint64_t now_us)
{
    unsigned count = 0;
    while (count < 100000 && take(table, address, now_us))
        count++;
    return count;
}

static void test_rate_allows_a_burst_then_refuses(void)
{
    struct prism_rate_table *table = table_new(10, 20, 0);
    g_assert_cmpuint(passes(table, "192.0.2.1", SECOND), ==, 20);
    struct prism_rate_decision decision;
    prism_rate_table_take(table, "192.0.2.1", SECOND, &decision);
    g_assert_false(decision.allowed);
    g_assert_cmpuint(decision.retry_after_us, ==, SECOND / 10); /* one token at 10/s */
    prism_rate_table_destroy(table);
}

static void test_rate_refills_at_the_configured_rate(void)
{
    struct prism_rate_table *table = table_new(10, 20, 0);
    uint64_t now = SECOND;
    g_assert_cmpuint(passes(table, "192.0.2.1", now), ==, 20);
    now += SECOND / 10 - 1; /* not quite one token */
    g_assert_false(take(table, "192.0.2.1", now));
    now += 1;
    g_assert_true(take(table, "192.0.2.1", now));
    g_assert_false(take(table, "192.0.2.1", now));
    now += SECOND / 2; /* five tokens */
    g_assert_cmpuint(passes(table, "192.0.2.1", now), ==, 5);
    now += 60 * SECOND; /* a long pause refills no more than the burst */
    g_assert_cmpuint(passes(table, "192.0.2.1", now), ==, 20);
    /* A steady 10 a second goes through forever. */
    for (int i = 0; i < 1000; i++) {
        now += SECOND / 10;
        g_assert_true(take(table, "192.0.2.1", now));
    }
    prism_rate_table_destroy(table);
}

static void test_rate_burst_zero_means_the_rate(void)
{
    struct prism_rate_table *table = table_new(7, 0, 0);
    g_assert_cmpuint(passes(table, "192.0.2.1", SECOND), ==, 7);
    prism_rate_table_destroy(table);
}

static void test_rate_addresses_have_their_own_buckets(void)
{
    struct prism_rate_table *table = table_new(5, 5, 0);
    g_assert_cmpuint(passes(table, "192.0.2.1", SECOND), ==, 5);
    g_assert_cmpuint(passes(table, "192.0.2.2", SECOND), ==, 5);
    g_assert_cmpuint(passes(table, "2001:db8::/64", SECOND), ==, 5);
    g_assert_false(take(table, "192.0.2.1", SECOND));
    g_assert_cmpuint(prism_rate_table_size(table), ==, 3);
    prism_rate_table_destroy(table);
}

static void test_rate_zero_rate_and_unknown_address_are_never_limited(void)
{
    struct prism_rate_table *table = table_new(0, 0, 0);
    g_assert_cmpuint(passes(table, "192.0.2.1", SECOND), ==, 100000);
    g_assert_cmpuint(prism_rate_table_size(table), ==, 0);
    prism_rate_table_destroy(table);
    table = table_new(1, 1, 0);
    g_assert_true(take(table, "", SECOND));
    g_assert_true(take(table, "", SECOND));
    g_assert_true(take(table, NULL, SECOND));
    g_assert_cmpuint(prism_rate_table_size(table), ==, 0);
    prism_rate_table_destroy(table);
}

static void test_rate_logs_once_per_address_per_interval(void)
{
    struct prism_rate_table *table = table_new(1, 1, 0);
    uint64_t now = SECOND;
    g_assert_true(take(table, "192.0.2.1", now));
    unsigned logged = 0;
    uint64_t suppressed = 0;
    for (int i = 0; i < 500; i++) {
        struct prism_rate_decision decision;
        prism_rate_table_take(table, "192.0.2.1", now, &decision);
        g_assert_false(decision.allowed);
        if (decision.log) {
            logged++;
            suppressed = decision.suppressed;
        }
    }
    g_assert_cmpuint(logged, ==, 1);
    g_assert_cmpuint(suppressed, ==, 0);
    /* Another address gets its own line. */
    g_assert_true(take(table, "192.0.2.2", now));
    struct prism_rate_decision other;
    prism_rate_table_take(table, "192.0.2.2", now, &other);
    g_assert_true(other.log);
    /* After the interval the next refusal logs again, with the count held back. */
    now += PRISM_LOG_LIMIT_INTERVAL_US;
    g_assert_true(take(table, "192.0.2.1", now));
    struct prism_rate_decision later;
    prism_rate_table_take(table, "192.0.2.1", now, &later);
    g_assert_true(later.log);
    g_assert_cmpuint(later.suppressed, ==, 499);
    prism_rate_table_destroy(table);
}

static void test_rate_table_stays_bounded_under_an_address_flood(void)
{
    struct prism_rate_table *table = table_new(1, 1, 64);
    char address[32];
    for (unsigned i = 0; i < 100000; i++) {
        snprintf(address, sizeof(address), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        g_assert_true(take(table, address, SECOND));
        g_assert_cmpuint(prism_rate_table_size(table), <=, 64);
    }
    g_assert_cmpuint(prism_rate_table_size(table), ==, 64);
    prism_rate_table_destroy(table);
}

static void test_rate_flood_evicts_the_least_recently_seen(void)
{
    struct prism_rate_table *table = table_new(1, 1, 3);
    g_assert_true(take(table, "192.0.2.1", SECOND));
    g_assert_true(take(table, "192.0.2.2", SECOND));
    g_assert_true(take(table, "192.0.2.3", SECOND));
    g_assert_false(take(table, "192.0.2.1", SECOND)); /* .1 is now the most recent */
    g_assert_true(take(table, "192.0.2.4", SECOND));  /* evicts .2 */
    g_assert_false(take(table, "192.0.2.1", SECOND)); /* still remembered: still empty */
    g_assert_false(take(table, "192.0.2.3", SECOND));
    g_assert_true(take(table, "192.0.2.2", SECOND)); /* forgotten: a fresh bucket */
    g_assert_cmpuint(prism_rate_table_size(table), ==, 3);
    prism_rate_table_destroy(table);
}

static void test_rate_idle_addresses_are_forgotten(void)
{
    struct prism_rate_table *table = table_new(100, 100, 0);
    g_assert_true(take(table, "192.0.2.1", SECOND));
    g_assert_true(take(table, "192.0.2.2", SECOND));
    /* Much later, each new request forgets a few idle addresses. */
    uint64_t later = SECOND + 2 * PRISM_LOG_LIMIT_INTERVAL_US;
    g_assert_true(take(table, "192.0.2.3", later));
    g_assert_cmpuint(prism_rate_table_size(table), ==, 1);
    prism_rate_table_destroy(table);
}

static void test_rate_clock_going_back_refills_nothing(void)
{
    struct prism_rate_table *table = table_new(10, 2, 0);
    g_assert_cmpuint(passes(table, "192.0.2.1", 10 * SECOND), ==, 2);
    g_assert_false(take(table, "192.0.2.1", 5 * SECOND));
    g_assert_false(take(table, "192.0.2.1", 10 * SECOND));
    prism_rate_table_destroy(table);
}

static void test_client_address_keys(void)
{
    char key[PRISM_CLIENT_ADDRESS_MAX];
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    inet_pton(AF_INET, "203.0.113.5", &v4.sin_addr);
    g_assert_true(prism_client_address_key((struct sockaddr *)&v4, key, sizeof(key)));
    g_assert_cmpstr(key, ==, "203.0.113.5");
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "::ffff:203.0.113.5", &v6.sin6_addr);
    g_assert_true(prism_client_address_key((struct sockaddr *)&v6, key, sizeof(key)));
    g_assert_cmpstr(key, ==, "203.0.113.5");
    inet_pton(AF_INET6, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", &v6.sin6_addr);
    g_assert_true(prism_client_address_key((struct sockaddr *)&v6, key, sizeof(key)));
    g_assert_cmpstr(key, ==, "2001:db8:1:2::/64");
    struct sockaddr unix_socket = {.sa_family = AF_UNIX};
    g_assert_false(prism_client_address_key(&unix_socket, key, sizeof(key)));
    g_assert_cmpstr(key, ==, "");
    g_assert_false(prism_client_address_key(NULL, key, sizeof(key)));
    g_assert_false(prism_client_address_key((struct sockaddr *)&v6, key, 8)); /* too small */
    g_assert_cmpstr(key, ==, "");
    g_assert_false(prism_client_address_of_socket(-1, key, sizeof(key)));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/limits/rate-allows-a-burst-then-refuses",
                    test_rate_allows_a_burst_then_refuses);
    g_test_add_func("/limits/rate-refills-at-the-configured-rate",
                    test_rate_refills_at_the_configured_rate);
    g_test_add_func("/limits/rate-burst-zero-means-the-rate", test_rate_burst_zero_means_the_rate);
    g_test_add_func("/limits/rate-addresses-have-their-own-buckets",
                    test_rate_addresses_have_their_own_buckets);
    g_test_add_func("/limits/rate-zero-rate-and-unknown-address-are-never-limited",
                    test_rate_zero_rate_and_unknown_address_are_never_limited);
    g_test_add_func("/limits/rate-logs-once-per-address-per-interval",
                    test_rate_logs_once_per_address_per_interval);
    g_test_add_func("/limits/rate-table-stays-bounded-under-an-address-flood",
                    test_rate_table_stays_bounded_under_an_address_flood);
    g_test_add_func("/limits/rate-flood-evicts-the-least-recently-seen",
                    test_rate_flood_evicts_the_least_recently_seen);
    g_test_add_func("/limits/rate-idle-addresses-are-forgotten",
                    test_rate_idle_addresses_are_forgotten);
    g_test_add_func("/limits/rate-clock-going-back-refills-nothing",
                    test_rate_clock_going_back_refills_nothing);
    g_test_add_func("/limits/client-address-keys", test_client_address_keys);
    return g_test_run();
}
