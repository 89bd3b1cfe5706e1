/* Test peers for the ICE agent: a prism_ice with recording callbacks, optional trickle to
 * another peer, and a context pump with a deadline. Everything stays on 127.0.0.1. */
#ifndef PRISM_TESTS_ICE_HARNESS_H
#define PRISM_TESTS_ICE_HARNESS_H

#include "media/ice/ice.h"

#include <errno.h>
#include <string.h>

#define PEER_MAX_STATES 32

struct peer {
    const char *name;
    struct prism_ice *ice;
    struct peer *trickle_to;                /* receives our candidates and end-of-candidates */
    bool (*forward)(const char *candidate); /* which candidates to trickle; NULL = all */
    GPtrArray *candidates;                  /* every local candidate reported (char *) */
    GPtrArray *trickle_results;             /* what trickle_to made of each, as GINT_TO_POINTER */
    bool gathering_done;
    enum prism_ice_state states[PEER_MAX_STATES];
    size_t state_count;
    GThread *expected_thread; /* callbacks must run here */
    bool wrong_thread;
    uint64_t received, received_bytes;
    uint8_t last[2048];
    size_t last_length;
    bool destroy_on_failure; /* destroy from inside state_cb on PRISM_ICE_FAILED */
    bool destroy_on_receive; /* destroy from inside receive_cb */
    uint64_t callbacks_after_destroy;
    bool destroyed;
};

static inline struct prism_ice_settings loopback_settings(void)
{
    struct prism_ice_settings_text text = {.interfaces = "127.0.0.1", .port_range = "10000-60000"};
    struct prism_ice_settings settings;
    char error[256];
    g_assert_cmpint(prism_ice_settings_parse(&settings, &text, error, sizeof(error)), ==, 0);
    return settings;
}

static inline void peer_note_callback(struct peer *peer)
{
    if (peer->expected_thread && g_thread_self() != peer->expected_thread)
        peer->wrong_thread = true;
    if (peer->destroyed)
        peer->callbacks_after_destroy++;
}

static inline void peer_destroy(struct peer *peer)
{
    prism_ice_destroy(peer->ice);
    peer->ice = NULL;
    peer->destroyed = true;
}

static inline void peer_local_candidate_cb(void *owner, const char *candidate)
{
    struct peer *peer = owner;
    peer_note_callback(peer);
    g_ptr_array_add(peer->candidates, g_strdup(candidate));
    if (!peer->trickle_to || !peer->trickle_to->ice || (peer->forward && !peer->forward(candidate)))
        return;
    enum prism_ice_candidate_result result = prism_ice_add_remote_candidate(
        peer->trickle_to->ice, candidate, strlen(candidate));
    g_ptr_array_add(peer->trickle_results, GINT_TO_POINTER(result));
}

static inline void peer_gathering_done_cb(void *owner)
{
    struct peer *peer = owner;
    peer_note_callback(peer);
    peer->gathering_done = true;
    if (peer->trickle_to && peer->trickle_to->ice)
        prism_ice_remote_gathering_done(peer->trickle_to->ice);
}

static inline void peer_state_cb(void *owner, enum prism_ice_state state)
{
    struct peer *peer = owner;
    peer_note_callback(peer);
    if (peer->state_count < PEER_MAX_STATES)
        peer->states[peer->state_count++] = state;
    if (state == PRISM_ICE_FAILED && peer->destroy_on_failure)
        peer_destroy(peer);
}

static inline void peer_receive_cb(void *owner, const uint8_t *data, size_t length, uint64_t now_us)
{
    struct peer *peer = owner;
    peer_note_callback(peer);
    peer->received++;
    peer->received_bytes += length;
    peer->last_length = length < sizeof(peer->last) ? length : sizeof(peer->last);
    memcpy(peer->last, data, peer->last_length);
    if (peer->destroy_on_receive)
        peer_destroy(peer);
}

static const struct prism_ice_callbacks peer_callbacks = {
    .local_candidate_cb = peer_local_candidate_cb,
    .gathering_done_cb = peer_gathering_done_cb,
    .state_cb = peer_state_cb,
    .receive_cb = peer_receive_cb,
};

static inline void peer_init(struct peer *peer, const char *name, GMainContext *context,
                             const struct prism_ice_settings *settings, bool controlling)
{
    memset(peer, 0, sizeof(*peer));
    peer->name = name;
    peer->candidates = g_ptr_array_new_with_free_func(g_free);
    peer->trickle_results = g_ptr_array_new();
    struct prism_ice_params params = {.context = context,
                                      .settings = settings,
                                      .controlling = controlling,
                                      .callbacks = &peer_callbacks,
                                      .owner = peer};
    g_assert_cmpint(prism_ice_create(&peer->ice, &params), ==, 0);
}

static inline void peer_clear(struct peer *peer)
{
    if (peer->ice)
        peer_destroy(peer);
    g_ptr_array_unref(peer->candidates);
    g_ptr_array_unref(peer->trickle_results);
}

static inline enum prism_ice_state peer_state(const struct peer *peer)
{
    return peer->state_count ? peer->states[peer->state_count - 1] : PRISM_ICE_NEW;
}

static inline bool peer_went_through(const struct peer *peer, enum prism_ice_state state)
{
    for (size_t i = 0; i < peer->state_count; i++) {
        if (peer->states[i] == state)
            return true;
    }
    return false;
}

/* Both peers trickle to each other and know each other's credentials. */
static inline void peers_link(struct peer *a, struct peer *b)
{
    a->trickle_to = b;
    b->trickle_to = a;
    g_assert_cmpint(prism_ice_set_remote_credentials(a->ice, prism_ice_local_ufrag(b->ice),
                                                     prism_ice_local_pwd(b->ice)),
                    ==, 0);
    g_assert_cmpint(prism_ice_set_remote_credentials(b->ice, prism_ice_local_ufrag(a->ice),
                                                     prism_ice_local_pwd(a->ice)),
                    ==, 0);
}

static inline gboolean pump_tick_cb(gpointer data)
{
    return G_SOURCE_CONTINUE;
}

/* Runs `context` until `done(data)` or `seconds` elapse; returns done's last answer. */
static inline bool pump_until(GMainContext *context, bool (*done)(void *data), void *data,
                              double seconds)
{
    GSource *tick = g_timeout_source_new(5);
    g_source_set_callback(tick, pump_tick_cb, NULL, NULL);
    g_source_attach(tick, context);
    gint64 deadline = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    bool finished = done && done(data);
    while (!finished && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(context, TRUE);
        finished = done && done(data);
    }
    g_source_destroy(tick);
    g_source_unref(tick);
    return finished;
}

static inline void pump_for(GMainContext *context, double seconds)
{
    pump_until(context, NULL, NULL, seconds);
}

static inline bool both_completed(void *data)
{
    struct peer **pair = data;
    return peer_state(pair[0]) == PRISM_ICE_COMPLETED && peer_state(pair[1]) == PRISM_ICE_COMPLETED;
}

/* Connects two linked peers (gathering both); asserts it happens within 10 s. */
static inline void peers_connect(GMainContext *context, struct peer *a, struct peer *b)
{
    peers_link(a, b);
    g_assert_cmpint(prism_ice_gather(a->ice), ==, 0);
    g_assert_cmpint(prism_ice_gather(b->ice), ==, 0);
    struct peer *pair[2] = {a, b};
    g_assert_true(pump_until(context, both_completed, pair, 10));
}

/* True when nothing is left attached to `context` but its own wake-up: no fd to poll and no
 * timer. Shows that destroyed agents left no GSource behind. */
static inline bool context_is_idle(GMainContext *context)
{
    while (g_main_context_iteration(context, FALSE))
        ;
    g_assert_true(g_main_context_acquire(context));
    gint priority = 0, timeout = 0;
    g_main_context_prepare(context, &priority);
    GPollFD fds[32];
    gint n = g_main_context_query(context, G_MAXINT, &timeout, fds, G_N_ELEMENTS(fds));
    g_main_context_check(context, priority, fds, MIN(n, (gint)G_N_ELEMENTS(fds)));
    g_main_context_release(context);
    return n <= 1 && timeout == -1;
}

#endif
