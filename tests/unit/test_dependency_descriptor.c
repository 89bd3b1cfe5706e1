/* The Dependency Descriptor parser (AV1 RTP specification, Appendix A): the structure a
 * keyframe carries, later packets resolved through it by template id, frame-level overrides,
 * active decode targets, and bad input (truncated, unknown templates, absurd counts) refused
 * without touching the state kept. */
#include "dd_writer.h"
#include "media/rtp/dependency_descriptor.h"

#include <errno.h>
#include <glib.h>

static struct prism_dd_state *state_new(void)
{
    return g_new0(struct prism_dd_state, 1);
}

static void test_dd_keyframe_structure_is_kept(void)
{
    struct prism_dd_state *state = state_new();
    struct dd_writer w;
    size_t len = dd_l1t3_keyframe(&w, 7, 1000);
    struct prism_dd_frame frame;
    g_assert_cmpint(prism_dd_parse(state, w.data, len, &frame), ==, 0);
    g_assert_true(frame.start_of_frame && frame.end_of_frame && frame.new_structure);
    g_assert_cmpuint(frame.frame_number, ==, 1000);
    g_assert_cmpuint(frame.template_id, ==, 7);
    g_assert_cmpuint(frame.spatial_id, ==, 0);
    g_assert_cmpuint(frame.temporal_id, ==, 0);
    g_assert_cmpuint(frame.fdiff_count, ==, 0);
    g_assert_cmpuint(frame.active_decode_targets, ==, 0x7);

    const struct prism_dd_structure *st = &state->structure;
    g_assert_true(state->has_structure);
    g_assert_cmpuint(st->template_id_offset, ==, 7);
    g_assert_cmpuint(st->decode_target_count, ==, 3);
    g_assert_cmpuint(st->template_count, ==, 5);
    g_assert_cmpuint(st->max_spatial_id, ==, 0);
    g_assert_cmpuint(st->max_temporal_id, ==, 2);
    g_assert_cmpuint(st->chain_count, ==, 1);
    for (unsigned t = 0; t < DD_L1T3_TEMPLATES; t++) {
        g_assert_cmpuint(st->template_temporal_id[t], ==, dd_l1t3_tid[t]);
        g_assert_cmpuint(st->template_fdiff_count[t], ==, dd_l1t3_fdiff[t] ? 1 : 0);
        g_assert_cmpuint(st->template_chain_fdiff[t][0], ==, dd_l1t3_chain[t]);
        for (unsigned dt = 0; dt < 3; dt++)
            g_assert_cmpuint(st->template_dti[t][dt], ==, dd_dti_value(dd_l1t3_dtis[t][dt]));
    }
    g_assert_cmpuint(st->template_fdiff[1][0], ==, 4);
    /* Decode target layers are derived: T0, T0-T1, T0-T2. */
    for (unsigned dt = 0; dt < 3; dt++) {
        g_assert_cmpuint(st->decode_target_spatial_id[dt], ==, 0);
        g_assert_cmpuint(st->decode_target_temporal_id[dt], ==, dt);
    }
    g_assert_true(st->has_resolutions);
    g_assert_cmpuint(st->render_width[0], ==, 640);
    g_assert_cmpuint(st->render_height[0], ==, 360);
    g_free(state);
}

static void test_dd_later_packets_resolve_their_template(void)
{
    struct prism_dd_state *state = state_new();
    struct dd_writer w;
    struct prism_dd_frame frame;
    /* An offset near the end of the id space: ids wrap around 64. */
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_l1t3_keyframe(&w, 62, 1), &frame), ==, 0);
    static const struct {
        unsigned index, tid;
        bool in_dt0, in_dt1, switch_dt2;
    } cases[] = {{1, 0, true, true, true}, {2, 1, false, true, false}, {3, 2, false, false, false}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        size_t len = dd_l1t3_frame(&w, 62, cases[i].index, 2 + (unsigned)i, true, false);
        g_assert_cmpuint(len, ==, 3);
        g_assert_cmpint(prism_dd_parse(state, w.data, len, &frame), ==, 0);
        g_assert_false(frame.new_structure);
        g_assert_cmpuint(frame.template_id, ==, (62 + cases[i].index) % 64);
        g_assert_cmpuint(frame.temporal_id, ==, cases[i].tid);
        g_assert_cmpuint(frame.frame_number, ==, 2 + i);
        g_assert_true(prism_dd_frame_in_decode_target(&frame, 0) == cases[i].in_dt0);
        g_assert_true(prism_dd_frame_in_decode_target(&frame, 1) == cases[i].in_dt1);
        g_assert_true(prism_dd_frame_in_decode_target(&frame, 2));
        g_assert_true(prism_dd_frame_is_switch(&frame, 2) == cases[i].switch_dt2);
        g_assert_false(prism_dd_frame_in_decode_target(&frame, 3)); /* no such target */
    }
    g_free(state);
}

static void test_dd_frame_overrides_and_active_targets(void)
{
    struct prism_dd_state *state = state_new();
    struct dd_writer w;
    struct prism_dd_frame frame;
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_l1t3_keyframe(&w, 0, 1), &frame), ==, 0);
    /* Template 2 (T1) with every override and only decode target 0 active. */
    dd_mandatory(&w, true, true, 2, 2);
    dd_flags(&w, false, true, true, true, true);
    dd_put(&w, 0x1, 3);       /* active decode targets: DT0 */
    dd_put(&w, 0x3, 2);       /* DT0 required */
    dd_put(&w, 0x0, 2);       /* DT1 not present */
    dd_put(&w, 0x2, 2);       /* DT2 switch */
    dd_put(&w, 1, 2);         /* fdiff of 4 bits */
    dd_put(&w, 5 - 1, 4);     /* 5 */
    dd_put(&w, 3, 2);         /* fdiff of 12 bits */
    dd_put(&w, 1000 - 1, 12); /* 1000 */
    dd_put(&w, 0, 2);         /* no more */
    dd_put(&w, 200, 8);       /* chain 0 diff */
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_bytes(&w), &frame), ==, 0);
    g_assert_cmpuint(frame.temporal_id, ==, 1);
    g_assert_cmpuint(frame.active_decode_targets, ==, 0x1);
    g_assert_cmpuint(state->active_decode_targets, ==, 0x1);
    g_assert_cmpuint(frame.dti[0], ==, PRISM_DD_DTI_REQUIRED);
    g_assert_false(prism_dd_frame_in_decode_target(&frame, 1));
    g_assert_true(prism_dd_frame_is_switch(&frame, 2));
    g_assert_cmpuint(frame.fdiff_count, ==, 2);
    g_assert_cmpuint(frame.fdiff[0], ==, 5);
    g_assert_cmpuint(frame.fdiff[1], ==, 1000);
    g_assert_cmpuint(frame.chain_fdiff[0], ==, 200);
    /* The bitmask stays for later packets, until a structure resets it to all. */
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_l1t3_frame(&w, 0, 1, 3, true, true), &frame),
                    ==, 0);
    g_assert_cmpuint(frame.active_decode_targets, ==, 0x1);
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_l1t3_keyframe(&w, 0, 4), &frame), ==, 0);
    g_assert_cmpuint(frame.active_decode_targets, ==, 0x7);
    g_free(state);
}

static void test_dd_template_unknown_before_structure(void)
{
    struct prism_dd_state *state = state_new();
    struct dd_writer w;
    struct prism_dd_frame frame;
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_l1t3_frame(&w, 0, 1, 1, true, true), &frame),
                    ==, -ENOENT);
    /* Extended fields without a structure do not help either. */
    dd_mandatory(&w, true, true, 0, 1);
    dd_flags(&w, false, false, true, false, false);
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_bytes(&w) + 1, &frame), ==, -ENOENT);
    g_assert_false(state->has_structure);
    /* With a structure, an id outside its templates. */
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_l1t3_keyframe(&w, 10, 1), &frame), ==, 0);
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_l1t3_frame(&w, 10, 5, 2, true, true), &frame),
                    ==, -ENOENT);
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_l1t3_frame(&w, 10, 63, 2, true, true), &frame),
                    ==, -ENOENT);
    g_assert_cmpint(prism_dd_parse(NULL, w.data, 3, &frame), ==, -EINVAL);
    g_assert_cmpint(prism_dd_parse(state, NULL, 3, &frame), ==, -EINVAL);
    g_free(state);
}

static void test_dd_truncated_structure_leaves_state(void)
{
    struct prism_dd_state *state = state_new();
    struct dd_writer w;
    struct prism_dd_frame frame;
    /* A structure with offset 0 known; every cut of one with offset 20 is refused whole. */
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_l1t3_keyframe(&w, 0, 1), &frame), ==, 0);
    size_t len = dd_l1t3_keyframe(&w, 20, 2);
    for (size_t cut = 0; cut < len; cut++) {
        /* Three bytes are a packet without extended fields, naming an unknown template. */
        int rc = prism_dd_parse(state, w.data, cut, &frame);
        g_assert_cmpint(rc, ==, cut == 3 ? -ENOENT : -EBADMSG);
        g_assert_cmpuint(state->structure.template_id_offset, ==, 0);
    }
    g_assert_cmpint(prism_dd_parse(state, w.data, len, &frame), ==, 0);
    g_assert_cmpuint(state->structure.template_id_offset, ==, 20);
    g_free(state);
}

/* A structure with one decode target whose template layers follow `idc` (next_layer_idc values,
 * the last one 3), all indications "switch", no fdiffs, no chains, no resolutions. */
static size_t layers_structure(struct dd_writer *w, const uint8_t *idc, size_t count)
{
    dd_mandatory(w, true, true, 0, 1);
    dd_flags(w, true, false, false, false, false);
    dd_put(w, 0, 6);
    dd_put(w, 0, 5);
    for (size_t i = 0; i < count; i++)
        dd_put(w, idc[i], 2);
    for (size_t i = 0; i < count; i++)
        dd_put(w, 2, 2);
    for (size_t i = 0; i < count; i++)
        dd_put(w, 0, 1);
    dd_put(w, 0, 1); /* chain_cnt = ns(2) = 0: one bit */
    dd_put(w, 0, 1);
    return dd_bytes(w);
}

static void test_dd_absurd_counts_are_refused(void)
{
    struct prism_dd_state *state = state_new();
    struct dd_writer w;
    struct prism_dd_frame frame;
    uint8_t idc[80];
    /* 64 templates is the most: fine; 65 is not. */
    memset(idc, 0, sizeof(idc));
    idc[63] = 3;
    g_assert_cmpint(prism_dd_parse(state, w.data, layers_structure(&w, idc, 64), &frame), ==, 0);
    g_assert_cmpuint(state->structure.template_count, ==, 64);
    memset(idc, 0, sizeof(idc));
    idc[64] = 3;
    memset(state, 0, sizeof(*state));
    g_assert_cmpint(prism_dd_parse(state, w.data, layers_structure(&w, idc, 65), &frame), ==,
                    -EBADMSG);
    /* Temporal ids 0-7 and spatial ids 0-3 only. */
    memset(idc, 1, sizeof(idc));
    idc[8] = 3;
    g_assert_cmpint(prism_dd_parse(state, w.data, layers_structure(&w, idc, 9), &frame), ==,
                    -EBADMSG);
    memset(idc, 2, sizeof(idc));
    idc[4] = 3;
    g_assert_cmpint(prism_dd_parse(state, w.data, layers_structure(&w, idc, 5), &frame), ==,
                    -EBADMSG);
    g_assert_false(state->has_structure);
    /* 17 frame diffs on one template. */
    dd_mandatory(&w, true, true, 0, 1);
    dd_flags(&w, true, false, false, false, false);
    dd_put(&w, 0, 6);
    dd_put(&w, 0, 5);
    dd_put(&w, 3, 2);
    dd_put(&w, 2, 2);
    for (int i = 0; i < 17; i++)
        dd_put(&w, 0x10, 5);
    dd_put(&w, 0, 1);
    dd_put(&w, 0, 2);
    g_assert_cmpint(prism_dd_parse(state, w.data, dd_bytes(&w), &frame), ==, -EBADMSG);
    g_assert_false(state->has_structure);
    g_free(state);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dd/keyframe_structure_is_kept", test_dd_keyframe_structure_is_kept);
    g_test_add_func("/dd/later_packets_resolve_their_template",
                    test_dd_later_packets_resolve_their_template);
    g_test_add_func("/dd/frame_overrides_and_active_targets",
                    test_dd_frame_overrides_and_active_targets);
    g_test_add_func("/dd/template_unknown_before_structure",
                    test_dd_template_unknown_before_structure);
    g_test_add_func("/dd/truncated_structure_leaves_state",
                    test_dd_truncated_structure_leaves_state);
    g_test_add_func("/dd/absurd_counts_are_refused", test_dd_absurd_counts_are_refused);
    return g_test_run();
}
