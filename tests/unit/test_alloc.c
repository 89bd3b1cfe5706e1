/* The automatic simulcast layer choice in virtual time: per-layer bitrates measured over a
 * sliding second, and the allocator following a subscriber's estimate down at once and up
 * after the hold, without flapping, with screen shares first and manual layers respected. */
#include "media/alloc/alloc.h"

#include <glib.h>

#define MS 1000u
#define TICK_US (500u * MS)

/* A camera's three layers and a screen share's, as a browser sends them. */
static const struct prism_alloc_stream camera = {
    .layer_bps = {150000, 500000, 1500000}, .simulcast = true, .manual = -1};
static const struct prism_alloc_stream screen = {
    .layer_bps = {200000, 600000, 1200000}, .simulcast = true, .screen = true, .manual = -1};

static void test_rate_measures_a_steady_stream(void)
{
    struct prism_layer_rate rate = {0};
    uint64_t now = 5000000;
    g_assert_cmpuint(prism_layer_rate_bps(&rate, now), ==, 0);
    /* 1000 bytes every 10 ms: 800 kbit/s, from the first whole bucket on. */
    for (int i = 0; i < 300; i++, now += 10 * MS) {
        prism_layer_rate_add(&rate, 1000, now);
        if (i >= 20) {
            uint64_t bps = prism_layer_rate_bps(&rate, now);
            g_assert_cmpuint(bps, >=, 780000);
            g_assert_cmpuint(bps, <=, 820000);
        }
    }
    /* Halved: the window follows within a second. */
    for (int i = 0; i < 150; i++, now += 20 * MS)
        prism_layer_rate_add(&rate, 1000, now);
    uint64_t bps = prism_layer_rate_bps(&rate, now);
    g_assert_cmpuint(bps, >=, 380000);
    g_assert_cmpuint(bps, <=, 420000);
    /* Silent: nothing within a second. */
    g_assert_cmpuint(prism_layer_rate_bps(&rate, now + 1100 * MS), ==, 0);
    /* The clock going back starts anew rather than counting garbage. */
    prism_layer_rate_add(&rate, 1000, now - 5000 * MS);
    g_assert_cmpuint(prism_layer_rate_bps(&rate, now - 5000 * MS), ==, 0);
}

/* Ticks every 500 ms until `until`, the estimate fixed: the last targets. */
static void run(struct prism_alloc *alloc, uint64_t *now, uint64_t until, uint64_t estimate,
                const struct prism_alloc_stream *streams, unsigned count, int *targets)
{
    for (; *now < until; *now += TICK_US)
        prism_alloc_tick(alloc, estimate, 40000, streams, count, targets, *now);
}

static void test_alloc_follows_estimate_steps(void)
{
    struct prism_alloc alloc;
    prism_alloc_init(&alloc, NULL);
    int target = -2;
    uint64_t now = 1000000;
    /* No estimate yet: the best layer. */
    prism_alloc_tick(&alloc, 0, 40000, &camera, 1, &target, now);
    g_assert_cmpint(target, ==, 2);
    /* 2.5 Mbit/s: 85% leaves room for the top layer and audio. */
    run(&alloc, &now, now + 2000000, 2500000, &camera, 1, &target);
    g_assert_cmpint(target, ==, 2);
    /* Down to 1 Mbit/s: the middle layer at the very next tick. */
    prism_alloc_tick(&alloc, 1000000, 40000, &camera, 1, &target, now);
    g_assert_cmpint(target, ==, 1);
    /* 300 kbit/s: the lowest at once. */
    now += TICK_US;
    prism_alloc_tick(&alloc, 300000, 40000, &camera, 1, &target, now);
    g_assert_cmpint(target, ==, 0);
    /* Even below the lowest layer's need, the lowest stays (nothing lower to send). */
    now += TICK_US;
    prism_alloc_tick(&alloc, 100000, 40000, &camera, 1, &target, now);
    g_assert_cmpint(target, ==, 0);
    /* Back to 2.5 Mbit/s: one layer at a time, each after the 3 s hold. */
    uint64_t raised = now + TICK_US;
    run(&alloc, &now, raised + 2500000, 2500000, &camera, 1, &target);
    g_assert_cmpint(target, ==, 0);
    run(&alloc, &now, raised + 3500000, 2500000, &camera, 1, &target);
    g_assert_cmpint(target, ==, 1);
    run(&alloc, &now, raised + 6000000, 2500000, &camera, 1, &target);
    g_assert_cmpint(target, ==, 1);
    run(&alloc, &now, raised + 7000000, 2500000, &camera, 1, &target);
    g_assert_cmpint(target, ==, 2);
    prism_alloc_clear(&alloc);
}

static void test_alloc_does_not_flap(void)
{
    struct prism_alloc alloc;
    prism_alloc_init(&alloc, NULL);
    int target = -2, last = -2, ups = 0, downs = 0;
    uint64_t now = 1000000;
    /* The estimate swings every second across the top layer's need (2.2 Mbit/s fits it and
     * audio, 1.6 Mbit/s does not): the stream goes down at the first fall, and the swings
     * within the 3 s hold never take it up. As the estimate sits above what the middle layer
     * needs, it probes up now and then; each failed probe doubles the wait for the next, so
     * over two minutes only a few. */
    for (int i = 0; i < 240; i++, now += TICK_US) {
        uint64_t estimate = (i / 2) % 2 ? 1600000 : 2200000;
        prism_alloc_tick(&alloc, estimate, 40000, &camera, 1, &target, now);
        if (i == 5)
            g_assert_cmpint(target, ==, 1);
        ups += last >= 0 && target > last;
        downs += last >= 0 && target < last;
        last = target;
    }
    g_assert_cmpint(ups, <=, 5);
    g_assert_cmpint(downs, <=, ups + 1);
    prism_alloc_clear(&alloc);
}

static void test_alloc_serves_screen_share_first(void)
{
    struct prism_alloc alloc;
    prism_alloc_init(&alloc, NULL);
    struct prism_alloc_stream streams[2] = {camera, screen};
    int targets[2];
    uint64_t now = 1000000;
    /* 1.8 Mbit/s * 0.85 = 1.53 Mbit/s - 40 kbit/s audio: the screen's top layer (1.2 M) and
     * the camera's lowest (150 k) fit; the camera's middle one would not. (The estimate limits
     * once it fell.) */
    prism_alloc_tick(&alloc, 5000000, 40000, streams, 2, targets, now);
    prism_alloc_tick(&alloc, 1800000, 40000, streams, 2, targets, now);
    g_assert_cmpint(targets[1], ==, 2);
    g_assert_cmpint(targets[0], ==, 0);
    /* Without the screen flag both go up in turn: each its middle layer (1.1 M together). */
    streams[1].screen = false;
    prism_alloc_clear(&alloc);
    prism_alloc_init(&alloc, NULL);
    prism_alloc_tick(&alloc, 5000000, 40000, streams, 2, targets, now);
    prism_alloc_tick(&alloc, 1800000, 40000, streams, 2, targets, now);
    g_assert_cmpint(targets[0], ==, 1);
    g_assert_cmpint(targets[1], ==, 1);
    prism_alloc_clear(&alloc);
}

static void test_alloc_respects_manual_and_fixed_streams(void)
{
    struct prism_alloc alloc;
    prism_alloc_init(&alloc, NULL);
    struct prism_alloc_stream streams[3] = {camera, camera, {.layer_bps = {700000}}};
    streams[0].manual = 2; /* configure substream 2: 1.5 Mbit/s the allocator does not touch */
    int targets[3];
    uint64_t now = 1000000;
    /* 3.5 Mbit/s * 0.85 = 2.975 M - 40 k audio - 1.5 M manual - 700 k without simulcast:
     * 735 k left for the automatic camera: its middle layer. */
    prism_alloc_tick(&alloc, 10000000, 40000, streams, 3, targets, now);
    prism_alloc_tick(&alloc, 3500000, 40000, streams, 3, targets, now);
    g_assert_cmpint(targets[0], ==, -1);
    g_assert_cmpint(targets[2], ==, -1);
    g_assert_cmpint(targets[1], ==, 1);
    /* Back to automatic: the cameras go up in turn: both middle layers, then the first's top
     * (2.935 M - 700 k fixed - 1.5 M - 500 k leaves 235 k, short of the second's top). */
    streams[0].manual = -1;
    prism_alloc_reset_stream(&alloc, 0);
    now += TICK_US;
    prism_alloc_tick(&alloc, 3500000, 40000, streams, 3, targets, now);
    g_assert_cmpint(targets[0], ==, 2);
    g_assert_cmpint(targets[1], ==, 1);
    g_assert_cmpint(targets[2], ==, -1);
    prism_alloc_clear(&alloc);
}

static void test_alloc_skips_layers_that_do_not_arrive(void)
{
    struct prism_alloc alloc;
    prism_alloc_init(&alloc, NULL);
    /* The middle layer stopped (the publisher's own link): the choice is the lowest or top. */
    struct prism_alloc_stream s = camera;
    s.layer_bps[1] = 0;
    int target;
    prism_alloc_tick(&alloc, 5000000, 40000, &s, 1, &target, 500000);
    prism_alloc_tick(&alloc, 1000000, 40000, &s, 1, &target, 1000000);
    g_assert_cmpint(target, ==, 0);
    prism_alloc_tick(&alloc, 3000000, 40000, &s, 1, &target, 1500000);
    g_assert_cmpint(target, ==, 0); /* the hold first */
    prism_alloc_tick(&alloc, 3000000, 40000, &s, 1, &target, 5000000);
    g_assert_cmpint(target, ==, 2);
    /* Nothing measured at all: left alone. */
    struct prism_alloc_stream none = {.simulcast = true, .manual = -1};
    prism_alloc_tick(&alloc, 3000000, 40000, &none, 1, &target, 5500000);
    g_assert_cmpint(target, ==, -1);
    prism_alloc_clear(&alloc);
}

/* A send-side estimator as media/bwe behaves, per 500 ms tick: above the link's capacity it
 * falls to 85 % of it; otherwise it grows 4 % but not past 1.5 times what was acknowledged
 * over the last 500 ms, which jitters: one tick in two 10 % less. */
static uint64_t estimator(uint64_t estimate, uint64_t sent, uint64_t capacity)
{
    static unsigned tick;
    if (sent > capacity)
        return capacity / 100 * 85;
    uint64_t grown = estimate / 100 * 104;
    uint64_t cap = sent / 2 * 3 / 100 * (tick++ % 2 ? 90 : 100);
    return grown < cap ? grown : cap;
}

static uint64_t sent_for(int target)
{
    return 40000 + camera.layer_bps[target >= 0 ? target : 2];
}

static void test_alloc_ignores_the_start_guess(void)
{
    struct prism_alloc alloc;
    prism_alloc_init(&alloc, NULL);
    int target = -2;
    uint64_t estimate = 300000, now = 1000000;
    /* An estimator starting at 300 kbit/s on a fast link: it only grows; the top layer stays. */
    for (int i = 0; i < 40; i++, now += TICK_US) {
        prism_alloc_tick(&alloc, estimate, 40000, &camera, 1, &target, now);
        g_assert_cmpint(target, ==, 2);
        estimate = estimator(estimate, sent_for(target), 100000000);
    }
    prism_alloc_clear(&alloc);
}

/* Runs the camera against the estimator over a link of `capacity` for `ticks`: how many times
 * the layer went up; the last layer in *target. */
static int against_link(struct prism_alloc *alloc, uint64_t *estimate, uint64_t capacity, int ticks,
                        int *target, uint64_t *now)
{
    int ups = 0;
    for (int i = 0; i < ticks; i++, *now += TICK_US) {
        int last = *target;
        prism_alloc_tick(alloc, *estimate, 40000, &camera, 1, target, *now);
        ups += last >= 0 && *target > last;
        *estimate = estimator(*estimate, sent_for(*target), capacity);
    }
    return ups;
}

static void test_alloc_probes_up_when_the_limit_lifts(void)
{
    struct prism_alloc alloc;
    prism_alloc_init(&alloc, NULL);
    int target = -1;
    uint64_t estimate = 300000, now = 1000000;
    /* A 300 kbit/s link: down to the lowest layer within two ticks (1 s), and kept there:
     * probes up fail and back off (3, 6, 12, 24, 48 s), a handful in two minutes. */
    against_link(&alloc, &estimate, 300000, 2, &target, &now);
    g_assert_cmpint(target, ==, 0);
    /* Held below the best layer: it wants what the best layer and audio need, with headroom,
     * for the estimator to probe for. */
    g_assert_cmpuint(alloc.wanted_bps, ==, (40000 + 1500000) / 85 * 100);
    int ups = against_link(&alloc, &estimate, 300000, 240, &target, &now);
    g_assert_cmpint(target, ==, 0);
    g_assert_cmpint(ups, >=, 1);
    g_assert_cmpint(ups, <=, 6);
    /* The limit lifted: the estimate stays near 1.5 x what is sent (it cannot know more), yet
     * the layers go up, one at a time, once the last back-off (at most 60 s) has passed. */
    ups = against_link(&alloc, &estimate, 100000000, 160, &target, &now);
    g_assert_cmpint(target, ==, 2);
    g_assert_cmpint(ups, ==, 2);
    g_assert_cmpuint(alloc.wanted_bps, ==, 0); /* at the best layer: no probing */
    prism_alloc_clear(&alloc);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/alloc/rate_measures_a_steady_stream", test_rate_measures_a_steady_stream);
    g_test_add_func("/alloc/follows_estimate_steps", test_alloc_follows_estimate_steps);
    g_test_add_func("/alloc/does_not_flap", test_alloc_does_not_flap);
    g_test_add_func("/alloc/serves_screen_share_first", test_alloc_serves_screen_share_first);
    g_test_add_func("/alloc/respects_manual_and_fixed_streams",
                    test_alloc_respects_manual_and_fixed_streams);
    g_test_add_func("/alloc/ignores_the_start_guess", test_alloc_ignores_the_start_guess);
    g_test_add_func("/alloc/probes_up_when_the_limit_lifts",
                    test_alloc_probes_up_when_the_limit_lifts);
    g_test_add_func("/alloc/skips_layers_that_do_not_arrive",
                    test_alloc_skips_layers_that_do_not_arrive);
    return g_test_run();
}
