/* SVC from the Dependency Descriptor (AV1 with spatial layers, or any codec that carries the
 * descriptor): a subscriber stream keeps the spatial layers up to its target out of one RTP
 * stream, marks the end of each picture it keeps, drops the rest without sequence gaps, and
 * goes back up a spatial layer only at a keyframe (asking for one). The publisher here sends
 * an L2T1 structure: two spatial layers, one temporal layer, one packet per layer frame. */
#include "dd_writer.h"
#include "forward_util.h"
#include "media/rtp/dependency_descriptor.h"

/* L2T1 templates: S0 key, S0, S1 (from S0 of the picture), S1; decode targets S0 and S0+S1. */
#define L2T1_TEMPLATES 4
static const uint8_t l2t1_next[L2T1_TEMPLATES] = {0, 2, 0, 3}; /* next_layer_idc */
static const char *const l2t1_dtis[L2T1_TEMPLATES] = {"SS", "RR", "-S", "-R"};
static const uint8_t l2t1_fdiff[L2T1_TEMPLATES] = {0, 2, 1, 2};

static void l2t1_structure(struct dd_writer *w)
{
    dd_put(w, 0, 6);     /* template_id_offset */
    dd_put(w, 2 - 1, 5); /* two decode targets */
    for (unsigned t = 0; t < L2T1_TEMPLATES; t++)
        dd_put(w, l2t1_next[t], 2);
    for (unsigned t = 0; t < L2T1_TEMPLATES; t++)
        for (unsigned dt = 0; dt < 2; dt++)
            dd_put(w, dd_dti_value(l2t1_dtis[t][dt]), 2);
    for (unsigned t = 0; t < L2T1_TEMPLATES; t++) {
        if (l2t1_fdiff[t]) {
            dd_put(w, 1, 1);
            dd_put(w, l2t1_fdiff[t] - 1u, 4);
        }
        dd_put(w, 0, 1);
    }
    dd_put(w, 0, 1); /* chain_cnt = ns(3) of 0: one bit */
    dd_put(w, 0, 1); /* no resolutions */
}

struct rig {
    struct prism_forward_stream s;
    struct prism_dd_state state;
    uint16_t seq;
    uint32_t ts;
    unsigned frame_number;
    uint16_t last_out_seq;
    bool has_out;
};

/* What the subscriber stream made of one picture. */
struct picture {
    unsigned sent;
    bool s1_sent;
    bool asked;
    bool last_marked;      /* the last packet sent carries the marker */
    bool marker_in_middle; /* a packet sent before the last carries one */
};

static void rig_init(struct rig *rig)
{
    memset(rig, 0, sizeof(*rig));
    struct prism_forward_source src;
    test_video_source(&src);
    test_stream(&rig->s, &src, 5000, 90000);
    rig->seq = 100;
    rig->ts = 3000;
}

/* One layer frame (one packet) of spatial layer sid; the publisher marks the S1 packet. */
static enum prism_forward_result layer_frame(struct rig *rig, unsigned sid, bool keyframe,
                                             struct test_packet *out)
{
    struct dd_writer w;
    unsigned template_id = keyframe && sid == 0 ? 0 : sid == 0 ? 1 : keyframe ? 2 : 3;
    dd_mandatory(&w, true, true, template_id, rig->frame_number++);
    if (template_id == 0) {
        dd_flags(&w, true, false, false, false, false);
        l2t1_structure(&w);
    }
    struct prism_dd_frame dd;
    g_assert_cmpint(prism_dd_parse(&rig->state, w.data, dd_bytes(&w), &dd), ==, 0);
    g_assert_cmpuint(dd.spatial_id, ==, sid);
    struct test_packet p;
    struct prism_rtp_vp8 d = {.start_of_partition = true};
    test_vp8(&p, PUB_A_SSRC, rig->seq++, rig->ts, &d, keyframe && sid == 0);
    if (sid == 1) {
        p.data[1] |= 0x80;
        g_assert_cmpint(prism_rtp_parse(p.data, p.len, &p.h), ==, 0);
    }
    /* What the automatic choice counts the packet's bitrate under: its spatial layer. */
    g_assert_cmpint(prism_forward_svc_spatial_layer(PRISM_SDP_CODEC_VP8, &dd, &p.h), ==, (int)sid);
    size_t out_len = 0;
    enum prism_forward_result r = prism_forward_packet_dd(&rig->s, 0, &dd, &p.h, p.data, p.len,
                                                          out->data, sizeof(out->data), &out_len,
                                                          rig->ts * 11ull);
    if (r == PRISM_FORWARD_SEND)
        g_assert_cmpint(prism_rtp_parse(out->data, out_len, &out->h), ==, 0);
    return r;
}

/* Both layer frames of one picture; checks the output sequence numbers have no gap. */
static struct picture picture(struct rig *rig, bool keyframe)
{
    struct picture pic = {0};
    for (unsigned sid = 0; sid < 2; sid++) {
        struct test_packet out;
        enum prism_forward_result r = layer_frame(rig, sid, keyframe, &out);
        pic.asked |= r == PRISM_FORWARD_DROP_NEED_KEYFRAME;
        if (r != PRISM_FORWARD_SEND)
            continue;
        if (rig->has_out)
            g_assert_cmpuint(out.h.seq, ==, (uint16_t)(rig->last_out_seq + 1));
        rig->has_out = true;
        rig->last_out_seq = out.h.seq;
        pic.marker_in_middle |= pic.last_marked;
        pic.last_marked = out.h.marker;
        pic.sent++;
        pic.s1_sent |= sid == 1;
    }
    rig->ts += 3000;
    return pic;
}

static void test_forward_dd_svc_keeps_the_spatial_layers_asked_for(void)
{
    struct rig rig;
    rig_init(&rig);
    struct picture pic = picture(&rig, true);
    g_assert_cmpuint(pic.sent, ==, 2); /* the top layer by default */
    g_assert_true(pic.last_marked);
    g_assert_false(pic.marker_in_middle);
    g_assert_true(prism_forward_svc_state(&rig.s)->active);

    prism_forward_svc_configure(&rig.s, 0, -1);
    for (int i = 0; i < 5; i++) {
        pic = picture(&rig, false);
        g_assert_cmpuint(pic.sent, ==, 1);
        g_assert_false(pic.s1_sent);
        g_assert_true(pic.last_marked); /* the S0 frame now ends the picture */
    }
    g_assert_cmpint(prism_forward_svc_state(&rig.s)->spatial, ==, 0);
}

static void test_forward_dd_svc_goes_up_at_a_keyframe(void)
{
    struct rig rig;
    rig_init(&rig);
    prism_forward_svc_configure(&rig.s, 0, -1);
    picture(&rig, true);
    picture(&rig, false);

    prism_forward_svc_configure(&rig.s, 1, -1);
    struct picture pic = picture(&rig, false);
    g_assert_true(pic.asked); /* S1 is wanted: a keyframe is asked for */
    g_assert_false(pic.s1_sent);
    g_assert_true(pic.last_marked);
    pic = picture(&rig, true);
    g_assert_true(pic.s1_sent);
    g_assert_cmpuint(pic.sent, ==, 2);
    g_assert_true(pic.last_marked);
    g_assert_false(pic.marker_in_middle);
    g_assert_cmpint(prism_forward_svc_state(&rig.s)->spatial, ==, 1);
}

/* One spatial layer in the descriptor (L1T3, simulcast layers): not SVC, every layer passes. */
static void test_forward_dd_svc_ignores_a_single_spatial_layer(void)
{
    struct rig rig;
    rig_init(&rig);
    prism_forward_svc_configure(&rig.s, 0, 0);
    struct dd_writer w;
    struct prism_dd_frame dd;
    size_t len = dd_l1t3_keyframe(&w, 0, 0);
    g_assert_cmpint(prism_dd_parse(&rig.state, w.data, len, &dd), ==, 0);
    struct test_packet p, out;
    struct prism_rtp_vp8 d = {.start_of_partition = true};
    test_vp8(&p, PUB_A_SSRC, 1, 1000, &d, true);
    g_assert_cmpint(prism_forward_svc_spatial_layer(PRISM_SDP_CODEC_VP8, &dd, &p.h), ==, -1);
    size_t out_len = 0;
    g_assert_cmpint(prism_forward_packet_dd(&rig.s, 0, &dd, &p.h, p.data, p.len, out.data,
                                            sizeof(out.data), &out_len, 1000),
                    ==, PRISM_FORWARD_SEND);
    g_assert_false(prism_forward_svc_state(&rig.s)->active);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/dd_svc/keeps_the_spatial_layers_asked_for",
                    test_forward_dd_svc_keeps_the_spatial_layers_asked_for);
    g_test_add_func("/forward/dd_svc/goes_up_at_a_keyframe",
                    test_forward_dd_svc_goes_up_at_a_keyframe);
    g_test_add_func("/forward/dd_svc/ignores_a_single_spatial_layer",
                    test_forward_dd_svc_ignores_a_single_spatial_layer);
    return g_test_run();
}
