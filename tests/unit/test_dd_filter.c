/* The decode target filter (media/forward/dd_filter.h): a subscriber stream asking for fewer
 * temporal or spatial layers gets only the frames of its decode target, moves up only at a
 * switch point or keyframe and down at any frame, and gets the marker bit where its temporal
 * unit ends. */
#include "dd_writer.h"
#include "media/forward/dd_filter.h"

#include <glib.h>

struct rig {
    struct prism_dd_state state;
    struct dd_writer w;
    unsigned frame_number;
};

/* Parses one single-packet frame of L1T3 template `index` (0: keyframe with the structure). */
static struct prism_dd_frame l1t3(struct rig *rig, unsigned index)
{
    size_t len = index == 0 ? dd_l1t3_keyframe(&rig->w, 0, rig->frame_number)
                            : dd_l1t3_frame(&rig->w, 0, index, rig->frame_number, true, true);
    rig->frame_number++;
    struct prism_dd_frame frame;
    g_assert_cmpint(prism_dd_parse(&rig->state, rig->w.data, len, &frame), ==, 0);
    return frame;
}

static bool forwards(struct prism_dd_filter *f, struct rig *rig, unsigned index)
{
    struct prism_dd_frame frame = l1t3(rig, index);
    return prism_dd_filter_packet(f, &frame).forward;
}

/* The L1T3 pattern after a keyframe: T0 (index 1), T2 (3), T1 (2), T2 (4). */
static const unsigned pattern[] = {1, 3, 2, 4};

static void test_dd_filter_keeps_the_temporal_layers_asked_for(void)
{
    for (int temporal = 0; temporal <= 2; temporal++) {
        struct rig *rig = g_new0(struct rig, 1);
        struct prism_dd_filter f;
        prism_dd_filter_init(&f);
        prism_dd_filter_set_target(&f, 0, temporal);
        g_assert_true(forwards(&f, rig, 0));
        unsigned forwarded = 0;
        for (int i = 0; i < 40; i++) {
            unsigned index = pattern[i % 4];
            bool sent = forwards(&f, rig, index);
            g_assert_true(sent == (dd_l1t3_tid[index] <= temporal));
            forwarded += sent;
        }
        g_assert_cmpuint(forwarded, ==, temporal == 0 ? 10 : temporal == 1 ? 20 : 40);
        g_free(rig);
    }
}

static void test_dd_filter_moves_up_at_a_switch_point_and_down_at_once(void)
{
    struct rig *rig = g_new0(struct rig, 1);
    struct prism_dd_filter f;
    prism_dd_filter_init(&f);
    /* A frame without decode targets (nothing parsed) is never forwarded. */
    struct prism_dd_frame none = {.start_of_frame = true};
    g_assert_false(prism_dd_filter_packet(&f, &none).forward);
    prism_dd_filter_set_target(&f, 0, 0);
    g_assert_true(forwards(&f, rig, 0));
    g_assert_false(forwards(&f, rig, 3));
    /* Asked for everything at a T2 frame: T2 and T1 frames wait for the next T0 frame, which
     * is a switch point for every decode target. */
    prism_dd_filter_set_target(&f, 0, 2);
    g_assert_false(forwards(&f, rig, 2));
    g_assert_false(forwards(&f, rig, 4));
    g_assert_true(forwards(&f, rig, 1));
    g_assert_true(forwards(&f, rig, 3));
    g_assert_true(forwards(&f, rig, 2));
    /* Down to T0 at the very next frame. */
    prism_dd_filter_set_target(&f, -1, 0);
    g_assert_false(forwards(&f, rig, 4));
    g_assert_true(forwards(&f, rig, 1));
    g_free(rig);
}

/* Two spatial layers, one temporal: DT0 = S0 only, DT1 = S0 + S1; no chains. */
static size_t l2t1(struct dd_writer *w, bool structure, unsigned spatial, unsigned frame, bool end)
{
    dd_mandatory(w, true, end, spatial, frame);
    if (!structure)
        return dd_bytes(w);
    dd_flags(w, true, false, false, false, false);
    dd_put(w, 0, 6);
    dd_put(w, 2 - 1, 5);
    dd_put(w, 2, 2);   /* template 0: S0T0, then spatial + 1 */
    dd_put(w, 3, 2);   /* template 1: S1T0, the last */
    dd_put(w, 0xA, 4); /* template 0: "SS" -> 10 10 */
    dd_put(w, 0x2, 4); /* template 1: "-S" -> 00 10 */
    dd_put(w, 0, 2);   /* no fdiffs */
    dd_put(w, 0, 1);   /* chain_cnt = ns(3) = 0 */
    dd_put(w, 0, 1);   /* no resolutions */
    return dd_bytes(w);
}

static void test_dd_filter_drops_spatial_layers_and_moves_the_marker(void)
{
    struct prism_dd_state *state = g_new0(struct prism_dd_state, 1);
    struct dd_writer w;
    struct prism_dd_frame frame;
    struct prism_dd_filter low, high;
    prism_dd_filter_init(&low);
    prism_dd_filter_init(&high);
    prism_dd_filter_set_target(&low, 0, 7);
    g_assert_cmpint(prism_dd_parse(state, w.data, l2t1(&w, true, 0, 1, true), &frame), ==, 0);
    g_assert_cmpint(prism_dd_filter_choose(&frame, 0, 7), ==, 0);
    g_assert_cmpint(prism_dd_filter_choose(&frame, 3, 7), ==, 1);
    struct prism_dd_frame only_top = frame;
    only_top.active_decode_targets = 0x2;
    g_assert_cmpint(prism_dd_filter_choose(&only_top, 0, 7), ==, 1);
    struct prism_dd_decision d = prism_dd_filter_packet(&low, &frame);
    g_assert_true(d.forward && d.end_of_frame);
    d = prism_dd_filter_packet(&high, &frame);
    g_assert_true(d.forward && !d.end_of_frame); /* S1 of the same temporal unit follows */
    g_assert_cmpint(prism_dd_parse(state, w.data, l2t1(&w, false, 1, 2, true), &frame), ==, 0);
    g_assert_cmpuint(frame.spatial_id, ==, 1);
    d = prism_dd_filter_packet(&low, &frame);
    g_assert_false(d.forward);
    d = prism_dd_filter_packet(&high, &frame);
    g_assert_true(d.forward && d.end_of_frame);
    g_free(state);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dd_filter/keeps_the_temporal_layers_asked_for",
                    test_dd_filter_keeps_the_temporal_layers_asked_for);
    g_test_add_func("/dd_filter/moves_up_at_a_switch_point_and_down_at_once",
                    test_dd_filter_moves_up_at_a_switch_point_and_down_at_once);
    g_test_add_func("/dd_filter/drops_spatial_layers_and_moves_the_marker",
                    test_dd_filter_drops_spatial_layers_and_moves_the_marker);
    return g_test_run();
}
