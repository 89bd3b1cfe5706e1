/* DTLS engine: lost flights are retransmitted on the timer, with backoff, and
 * a silent peer ends in a timeout failure; all in virtual time.
 *
 * OpenSSL 3.0 times DTLS retransmissions with gettimeofday(). This test binary
 * defines gettimeofday() itself, which interposes the libc function for the
 * whole process, OpenSSL included: OpenSSL's clock is then the test's virtual
 * clock, and retransmissions happen exactly when the test moves time, with no
 * sleeping. If the interposition ever stopped working, handle_timeout would do
 * nothing and these tests would fail rather than pass by luck. */
#include "dtls_pair.h"

#include <errno.h>
#include <sys/time.h>

static uint64_t virtual_now = 1700000000ull * 1000000;

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    tv->tv_sec = (time_t)(virtual_now / 1000000);
    tv->tv_usec = (suseconds_t)(virtual_now % 1000000);
    return 0;
}

static void set_time(struct dtls_pair *pair, uint64_t now)
{
    virtual_now = now;
    pair->now = now;
}

static void pair_init_now(struct dtls_pair *pair, const struct prism_dtls_config *config)
{
    dtls_pair_init_with(pair, config, NULL, NULL);
    set_time(pair, virtual_now);
}

/* Pops the next datagram of conn and returns the handshake type of its first
 * record (or the record type for non-handshake records). */
static int next_message_type(struct prism_dtls *conn, uint8_t *buf, int *len)
{
    *len = prism_dtls_poll_output(conn, buf, 1200);
    g_assert_cmpint(*len, >, 13);
    return buf[0] == 22 ? buf[13] : buf[0] << 8;
}

static void test_dtls_retransmits_lost_client_hello(void)
{
    struct dtls_pair pair;
    pair_init_now(&pair, NULL);
    uint64_t t0 = pair.now;
    dtls_pair_start(&pair);
    g_assert_cmpuint(dtls_drop(pair.client), ==, 1);
    g_assert_cmpuint(prism_dtls_next_timeout(pair.client), ==, t0 + 1000000);

    set_time(&pair, t0 + 999999);
    g_assert_cmpint(prism_dtls_handle_timeout(pair.client, pair.now), ==, 0);
    g_assert_cmpuint(dtls_drop(pair.client), ==, 0);

    set_time(&pair, t0 + 1000000);
    g_assert_cmpint(prism_dtls_handle_timeout(pair.client, pair.now), ==, 1);
    uint8_t buf[1200];
    int len;
    g_assert_cmpint(next_message_type(pair.client, buf, &len), ==, 1); /* ClientHello */
    g_assert_cmpint(prism_dtls_receive(pair.server, buf, (size_t)len, pair.now), ==, 0);
    /* The next timeout doubled to 2 s. */
    g_assert_cmpuint(prism_dtls_next_timeout(pair.client), ==, t0 + 3000000);

    dtls_pair_run(&pair, 1200);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_CONNECTED);
    g_assert_cmpint(prism_dtls_state(pair.server), ==, PRISM_DTLS_STATE_CONNECTED);
    dtls_pair_clear(&pair);
}

static void test_dtls_retransmits_lost_server_hello_flight(void)
{
    struct dtls_pair pair;
    pair_init_now(&pair, NULL);
    uint64_t t0 = pair.now;
    dtls_pair_start(&pair);
    g_assert_cmpuint(dtls_move(pair.client, pair.server, pair.now, 1200), ==, 1);
    g_assert_cmpuint(dtls_drop(pair.server), >=, 1);
    g_assert_cmpuint(prism_dtls_next_timeout(pair.server), ==, t0 + 1000000);

    set_time(&pair, t0 + 1000000);
    g_assert_cmpint(prism_dtls_handle_timeout(pair.server, pair.now), ==, 1);
    uint8_t buf[1200];
    int len;
    g_assert_cmpint(next_message_type(pair.server, buf, &len), ==, 2); /* ServerHello */
    g_assert_cmpint(prism_dtls_receive(pair.client, buf, (size_t)len, pair.now), ==, 0);

    dtls_pair_run(&pair, 1200);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_CONNECTED);
    g_assert_cmpint(prism_dtls_state(pair.server), ==, PRISM_DTLS_STATE_CONNECTED);
    dtls_pair_clear(&pair);
}

static void test_dtls_recovers_lost_final_flight(void)
{
    /* The server's last flight (ChangeCipherSpec, Finished) has no timer of
     * its own: the client's retransmitted flight makes the server resend it. */
    struct dtls_pair pair;
    pair_init_now(&pair, NULL);
    uint64_t t0 = pair.now;
    dtls_pair_start(&pair);
    dtls_move(pair.client, pair.server, pair.now, 1200);
    dtls_move(pair.server, pair.client, pair.now, 1200);
    dtls_move(pair.client, pair.server, pair.now, 1200);
    g_assert_cmpint(prism_dtls_state(pair.server), ==, PRISM_DTLS_STATE_CONNECTED);
    g_assert_cmpuint(prism_dtls_next_timeout(pair.server), ==, PRISM_DTLS_NO_TIMEOUT);
    g_assert_cmpuint(dtls_drop(pair.server), >=, 1);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_CONNECTING);

    set_time(&pair, t0 + 1000000);
    g_assert_cmpint(prism_dtls_handle_timeout(pair.client, pair.now), ==, 1);
    dtls_pair_run(&pair, 1200);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_CONNECTED);
    struct prism_srtp_keys c, s;
    g_assert_cmpint(prism_dtls_srtp_keys(pair.client, &c), ==, 0);
    g_assert_cmpint(prism_dtls_srtp_keys(pair.server, &s), ==, 0);
    g_assert_cmpmem(c.local_key, c.key_len, s.remote_key, s.key_len);
    dtls_pair_clear(&pair);
}

static void test_dtls_times_out_with_backoff_when_peer_is_silent(void)
{
    struct prism_dtls_config config = {.initial_timeout_us = 100000, .max_timeout_us = 400000};
    struct dtls_pair pair;
    pair_init_now(&pair, &config);
    dtls_pair_start(&pair);
    dtls_drop(pair.client);
    static const uint64_t expected_gaps[] = {100000, 200000, 400000, 400000, 400000};
    unsigned retransmissions = 0;
    int rc;
    for (;;) {
        uint64_t deadline = prism_dtls_next_timeout(pair.client);
        g_assert_cmpuint(deadline, !=, PRISM_DTLS_NO_TIMEOUT);
        if (retransmissions < G_N_ELEMENTS(expected_gaps))
            g_assert_cmpuint(deadline - pair.now, ==, expected_gaps[retransmissions]);
        set_time(&pair, deadline);
        rc = prism_dtls_handle_timeout(pair.client, pair.now);
        if (rc != 1)
            break;
        g_assert_cmpuint(dtls_drop(pair.client), ==, 1);
        retransmissions++;
        g_assert_cmpuint(retransmissions, <, 100);
    }
    g_assert_cmpint(rc, ==, -ETIMEDOUT);
    /* OpenSSL gives up after 12 unanswered retransmissions. */
    g_assert_cmpuint(retransmissions, ==, 12);
    g_assert_cmpint(prism_dtls_state(pair.client), ==, PRISM_DTLS_STATE_FAILED);
    g_assert_nonnull(strstr(prism_dtls_failure_reason(pair.client), "timed out"));
    g_assert_cmpuint(prism_dtls_next_timeout(pair.client), ==, PRISM_DTLS_NO_TIMEOUT);
    dtls_pair_clear(&pair);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dtls/retransmit/lost-client-hello", test_dtls_retransmits_lost_client_hello);
    g_test_add_func("/dtls/retransmit/lost-server-hello-flight",
                    test_dtls_retransmits_lost_server_hello_flight);
    g_test_add_func("/dtls/retransmit/lost-final-flight", test_dtls_recovers_lost_final_flight);
    g_test_add_func("/dtls/retransmit/times-out-with-backoff-when-peer-is-silent",
                    test_dtls_times_out_with_backoff_when_peer_is_silent);
    return g_test_run();
}
