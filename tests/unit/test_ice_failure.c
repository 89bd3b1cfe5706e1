/* Failure detection, so the owner can hang up: a peer that disappears after connecting is
 * detected through consent freshness (libnice 0.1.21: about 10 s, fixed); checks that all
 * fail end in failure at once after the peer's end-of-candidates, else after a grace period
 * in which late candidates can still connect. */
#include "ice_harness.h"
#include "media/ice/ice_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static bool failed(void *data)
{
    return peer_state(data) == PRISM_ICE_FAILED;
}

static void test_ice_peer_gone_after_connecting_is_reported_failed(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    struct peer a, b;
    peer_init(&a, "prism", context, &settings, false);
    peer_init(&b, "browser", context, &settings, true);
    peers_connect(context, &a, &b);
    a.trickle_to = NULL;
    a.destroy_on_failure = true; /* the owner hangs up from inside the state callback */

    peer_destroy(&b); /* the browser tab closes: no more consent answers */
    gint64 start = g_get_monotonic_time();
    g_assert_true(pump_until(context, failed, &a, 40));
    double seconds = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    g_test_message("consent loss detected after %.1f s", seconds);
    g_assert_cmpfloat(seconds, >, 2.0); /* not a spurious failure: consent took its time */
    g_assert_cmpfloat(seconds, <, 35.0);
    g_assert_true(a.destroyed);
    pump_for(context, 0.1);
    g_assert_cmpuint(a.callbacks_after_destroy, ==, 0);
    peer_clear(&a);
    peer_clear(&b);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

static bool failure_held(void *data)
{
    return ((struct peer *)data)->ice->failure_grace != NULL;
}

/* A bound UDP socket on 127.0.0.1 that never answers. */
static int open_silent_socket(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof(address);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&address, sizeof(address)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&address, &length), ==, 0);
    *port = ntohs(address.sin_port);
    return fd;
}

/* An agent whose only remote candidate is a socket that never answers checks. */
static void start_unanswered(struct peer *peer, GMainContext *context,
                             const struct prism_ice_settings *settings, int *fd)
{
    uint16_t port;
    *fd = open_silent_socket(&port);
    peer_init(peer, "prism", context, settings, false);
    g_assert_cmpint(prism_ice_set_remote_credentials(peer->ice, "wxyz", "0123456789012345678901"),
                    ==, 0);
    char *candidate = g_strdup_printf("candidate:1 1 udp 2122260223 127.0.0.1 %u typ host", port);
    g_assert_cmpint(prism_ice_add_remote_candidate(peer->ice, candidate, strlen(candidate)), ==,
                    PRISM_ICE_CANDIDATE_ADDED);
    g_free(candidate);
    g_assert_cmpint(prism_ice_gather(peer->ice), ==, 0);
}

static void test_ice_failure_waits_for_end_of_candidates_or_grace(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    struct peer told, waiting;
    int told_fd, waiting_fd;
    start_unanswered(&told, context, &settings, &told_fd);
    start_unanswered(&waiting, context, &settings, &waiting_fd);
    prism_ice_remote_gathering_done(told.ice);
    g_assert_true(pump_until(context, failed, &told, 30));
    g_assert_true(peer_went_through(&told, PRISM_ICE_CHECKING));
    /* Without end-of-candidates more may still come: once libnice gives up on it too (about
     * when it gave up on the other; later on a busy machine), the failure is held back for
     * the grace period. */
    g_assert_true(pump_until(context, failure_held, &waiting, 10));
    gint64 held = g_get_monotonic_time();
    g_assert_cmpint(peer_state(&waiting), ==, PRISM_ICE_CHECKING);
    g_assert_true(pump_until(context, failed, &waiting, 10));
    double held_seconds = (double)(g_get_monotonic_time() - held) / G_USEC_PER_SEC;
    g_test_message("the failure without end-of-candidates was held %.1f s", held_seconds);
    g_assert_cmpfloat(held_seconds, >, PRISM_ICE_FAILURE_GRACE_MS / 1000.0 - 1);
    peer_clear(&told);
    peer_clear(&waiting);
    close(told_fd);
    close(waiting_fd);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

static void give_candidates(struct peer *from, struct peer *to)
{
    for (guint i = 0; i < from->candidates->len; i++) {
        const char *candidate = g_ptr_array_index(from->candidates, i);
        g_assert_cmpint(prism_ice_add_remote_candidate(to->ice, candidate, strlen(candidate)), ==,
                        PRISM_ICE_CANDIDATE_ADDED);
    }
}

/* All checks to the first candidate failed; the browser's real candidates arrive late. */
static void test_ice_late_candidates_save_a_held_failure(void)
{
    GMainContext *context = g_main_context_new();
    struct prism_ice_settings settings = loopback_settings();
    struct peer a, b;
    peer_init(&a, "prism", context, &settings, false);
    peer_init(&b, "browser", context, &settings, true);
    peers_link(&a, &b);
    a.trickle_to = b.trickle_to = NULL; /* candidates are held back for now */
    uint16_t port;
    int fd = open_silent_socket(&port);
    char *bogus = g_strdup_printf("candidate:1 1 udp 2122260223 127.0.0.1 %u typ host", port);
    g_assert_cmpint(prism_ice_add_remote_candidate(a.ice, bogus, strlen(bogus)), ==,
                    PRISM_ICE_CANDIDATE_ADDED);
    g_free(bogus);
    g_assert_cmpint(prism_ice_gather(a.ice), ==, 0);
    g_assert_cmpint(prism_ice_gather(b.ice), ==, 0);
    g_assert_true(pump_until(context, failure_held, &a, 30));
    g_assert_cmpuint(a.state_count, ==, 1); /* checking, and nothing else so far */

    give_candidates(&b, &a);
    give_candidates(&a, &b);
    struct peer *pair[2] = {&a, &b};
    g_assert_true(pump_until(context, both_completed, pair, 10));
    g_assert_false(peer_went_through(&a, PRISM_ICE_FAILED));
    g_assert_null(a.ice->failure_grace);
    peer_clear(&a);
    peer_clear(&b);
    close(fd);
    g_assert_true(context_is_idle(context));
    g_main_context_unref(context);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/failure/peer-gone-after-connecting-is-reported-failed",
                    test_ice_peer_gone_after_connecting_is_reported_failed);
    g_test_add_func("/ice/failure/waits-for-end-of-candidates-or-grace",
                    test_ice_failure_waits_for_end_of_candidates_or_grace);
    g_test_add_func("/ice/failure/late-candidates-save-a-held-failure",
                    test_ice_late_candidates_save_a_held_failure);
    return g_test_run();
}
