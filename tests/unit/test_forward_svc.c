/* VP9 SVC in the forwarding engine: a subscriber stream keeps the spatial and temporal layers
 * up to its targets out of one RTP stream, drops the rest without sequence gaps, marks the end
 * of each picture it keeps, goes up a spatial layer only at a keyframe (asking for one) and
 * down at the next picture, in flexible and non-flexible mode; bad descriptors are dropped. */
#include "forward_util.h"

#include "media/rtp/header.h"

#define PUB_VP9_PT 98
#define SUB_VP9_PT 101
#define SVC_SSRC 0x59000001u

/* The publisher: one RTP stream, pictures of up to three spatial layers, two packets per
 * layer frame, a picture every 33 ms. */
struct publisher {
    uint16_t seq;
    uint32_t ts;
    uint16_t picture_id;
    uint8_t tl0picidx;
    bool flexible;
};

/* A VP9 packet of layer frame (sid, tid) of the current picture: descriptor as RFC 9628
 * section 4.2 lays it out (I with a 15-bit picture id, L, TL0PICIDX in non-flexible mode, one
 * reference in flexible mode for inter pictures, a scalability structure on keyframes). */
static void vp9_packet(struct publisher *pub, struct test_packet *p, uint8_t sid, uint8_t tid,
                       bool begin, bool end, bool keyframe, bool switching_up, bool marker)
{
    uint8_t d[32];
    size_t n = 0;
    bool inter = !keyframe;
    bool ss = keyframe && sid == 0 && begin;
    d[n++] = (uint8_t)(0x80 | (inter ? 0x40 : 0) | 0x20 | (pub->flexible ? 0x10 : 0) |
                       (begin ? 0x08 : 0) | (end ? 0x04 : 0) | (ss ? 0x02 : 0));
    d[n++] = (uint8_t)(0x80 | (pub->picture_id >> 8));
    d[n++] = (uint8_t)pub->picture_id;
    d[n++] = (uint8_t)(tid << 5 | (switching_up ? 0x10 : 0) | sid << 1 | (sid > 0 ? 1 : 0));
    if (!pub->flexible)
        d[n++] = pub->tl0picidx;
    if (pub->flexible && inter)
        d[n++] = 1 << 1; /* P_DIFF 1, no more */
    if (ss) {
        d[n++] = (2 << 5) | 0x10; /* N_S = 2 (three layers), Y */
        for (int l = 0; l < 3; l++) {
            uint16_t w = (uint16_t)(320 << l), h = (uint16_t)(180 << l);
            d[n++] = (uint8_t)(w >> 8), d[n++] = (uint8_t)w;
            d[n++] = (uint8_t)(h >> 8), d[n++] = (uint8_t)h;
        }
    }
    struct prism_rtp_header_fields f = {.marker = marker,
                                        .payload_type = PUB_VP9_PT,
                                        .seq = pub->seq++,
                                        .timestamp = pub->ts,
                                        .ssrc = SVC_SSRC};
    test_build(p, &f, d, n, 80);
}

/* What one subscriber stream made of one picture. */
struct picture_result {
    unsigned sent;
    unsigned sent_per_layer[3];
    bool asked; /* an answer asked for a keyframe */
    bool marker_in_middle;
    bool last_marked;
    uint16_t first_seq, last_seq;
};

/* One picture of `layers` spatial layers on temporal layer tid through stream s. The first
 * layer frame carries U; the publisher marks the last packet of the picture. */
static struct picture_result send_picture(struct prism_forward_stream *s, struct publisher *pub,
                                          int layers, uint8_t tid, bool keyframe, uint64_t now)
{
    struct picture_result r = {0};
    for (int sid = 0; sid < layers; sid++) {
        for (int k = 0; k < 2; k++) {
            struct test_packet p, out;
            bool last = sid == layers - 1 && k == 1;
            vp9_packet(pub, &p, (uint8_t)sid, tid, k == 0, k == 1, keyframe, true, last);
            enum prism_forward_result res = test_forward(s, &p, &out, now);
            if (res == PRISM_FORWARD_DROP_NEED_KEYFRAME)
                r.asked = true;
            if (res != PRISM_FORWARD_SEND)
                continue;
            if (r.sent == 0)
                r.first_seq = out.h.seq;
            else
                g_assert_cmpuint(out.h.seq, ==, (uint16_t)(r.last_seq + 1));
            if (r.sent > 0 && r.last_marked)
                r.marker_in_middle = true;
            r.last_seq = out.h.seq;
            r.last_marked = out.h.marker;
            g_assert_cmpuint(out.h.payload_type, ==, SUB_VP9_PT);
            r.sent++;
            r.sent_per_layer[sid]++;
        }
    }
    pub->picture_id = (uint16_t)((pub->picture_id + 1) & 0x7FFF);
    if (tid == 0)
        pub->tl0picidx++;
    pub->ts += 3000;
    return r;
}

static void svc_stream(struct prism_forward_stream *s, struct publisher *pub, bool flexible)
{
    struct prism_forward_source src;
    memset(&src, 0, sizeof(src));
    src.video = true;
    src.clock_rate = 90000;
    src.payload_types[0] = (struct prism_forward_payload_type){
        .publisher = PUB_VP9_PT, .subscriber = SUB_VP9_PT, .codec = PRISM_SDP_CODEC_VP9};
    src.payload_type_count = 1;
    test_stream(s, &src, 5000, 1000);
    *pub = (struct publisher){.seq = 100, .ts = 90000, .picture_id = 7, .flexible = flexible};
}

/* The output sequence numbers run on without a gap from one picture to the next. */
static void assert_follows(const struct picture_result *prev, const struct picture_result *next)
{
    g_assert_cmpuint(next->first_seq, ==, (uint16_t)(prev->last_seq + 1));
}

static void test_drops_spatial_layers_above_target(bool flexible)
{
    struct prism_forward_stream s;
    struct publisher pub;
    svc_stream(&s, &pub, flexible);
    prism_forward_svc_configure(&s, 1, -1);
    struct picture_result key = send_picture(&s, &pub, 3, 0, true, 0);
    g_assert_cmpuint(key.sent, ==, 4);
    g_assert_cmpuint(key.sent_per_layer[2], ==, 0);
    /* The publisher's mark went with layer 2: the subscriber's is on layer 1's end. */
    g_assert_true(key.last_marked);
    g_assert_false(key.marker_in_middle);
    struct picture_result prev = key;
    for (int i = 1; i < 6; i++) {
        struct picture_result r = send_picture(&s, &pub, 3, 0, false, (uint64_t)i * 33 * MS);
        g_assert_cmpuint(r.sent, ==, 4);
        g_assert_true(r.last_marked);
        g_assert_false(r.marker_in_middle);
        assert_follows(&prev, &r);
        prev = r;
    }
    g_assert_cmpint(prism_forward_svc_state(&s)->spatial, ==, 1);
    g_assert_cmpuint(prism_forward_counters(&s)->dropped_layer, ==, 12);
}

static void test_forward_svc_drops_spatial_layers_above_target(void)
{
    test_drops_spatial_layers_above_target(false);
}

static void test_forward_svc_drops_spatial_layers_above_target_flexible(void)
{
    test_drops_spatial_layers_above_target(true);
}

/* L1T3: temporal layers 0 2 1 2 0 ...; "temporal_layer" 0 keeps one picture in four, 1 two. */
static void test_forward_svc_drops_temporal_layers_above_target(void)
{
    static const uint8_t pattern[4] = {0, 2, 1, 2};
    struct prism_forward_stream s;
    struct publisher pub;
    svc_stream(&s, &pub, false);
    struct picture_result prev = send_picture(&s, &pub, 1, 0, true, 0);
    g_assert_cmpuint(prev.sent, ==, 2);
    prism_forward_svc_configure(&s, -1, 0);
    unsigned pictures = 0;
    for (int i = 1; i < 16; i++) {
        struct picture_result r = send_picture(&s, &pub, 1, pattern[i % 4], false,
                                               (uint64_t)i * 33 * MS);
        if (r.sent == 0)
            continue;
        g_assert_cmpuint(pattern[i % 4], ==, 0);
        assert_follows(&prev, &r);
        prev = r;
        pictures++;
    }
    g_assert_cmpuint(pictures, ==, 3);
    g_assert_cmpint(prism_forward_svc_state(&s)->temporal, ==, 0);
    /* Up again at the next switching-up point (every picture here sets U). */
    prism_forward_svc_configure(&s, -1, 1);
    pictures = 0;
    for (int i = 16; i < 24; i++) {
        struct picture_result r = send_picture(&s, &pub, 1, pattern[i % 4], false,
                                               (uint64_t)i * 33 * MS);
        if (r.sent == 0)
            continue;
        g_assert_cmpuint(pattern[i % 4], <=, 1);
        assert_follows(&prev, &r);
        prev = r;
        pictures++;
    }
    g_assert_cmpuint(pictures, ==, 4);
    g_assert_cmpint(prism_forward_svc_state(&s)->temporal, ==, 1);
}

/* Going up waits for a keyframe (the decoder has no earlier frame of the layer), asking for one
 * at most every retry interval; going down happens at the next picture. */
static void test_forward_svc_switches_up_only_at_keyframe(void)
{
    struct prism_forward_stream s;
    struct publisher pub;
    svc_stream(&s, &pub, false);
    prism_forward_svc_configure(&s, 0, -1);
    struct picture_result prev = send_picture(&s, &pub, 3, 0, true, 0);
    g_assert_cmpuint(prev.sent, ==, 2);
    g_assert_true(prev.last_marked);
    prism_forward_svc_configure(&s, 2, -1);
    unsigned asks = 0;
    for (int i = 1; i < 40; i++) {
        struct picture_result r = send_picture(&s, &pub, 3, 0, false, (uint64_t)i * 33 * MS);
        g_assert_cmpuint(r.sent, ==, 2);
        g_assert_cmpuint(r.sent_per_layer[0], ==, 2);
        assert_follows(&prev, &r);
        asks += r.asked;
        prev = r;
    }
    /* At once, then once a second (PRISM_FORWARD_DEFAULT_KEYFRAME_RETRY_US) over 1.3 s. */
    g_assert_cmpuint(asks, ==, 2);
    g_assert_cmpint(prism_forward_svc_state(&s)->spatial, ==, 0);
    uint64_t switches = prism_forward_counters(&s)->layer_switches;
    struct picture_result key = send_picture(&s, &pub, 3, 0, true, 40 * 33 * MS);
    g_assert_cmpuint(key.sent, ==, 6);
    g_assert_false(key.marker_in_middle);
    g_assert_true(key.last_marked);
    assert_follows(&prev, &key);
    g_assert_cmpint(prism_forward_svc_state(&s)->spatial, ==, 2);
    g_assert_cmpuint(prism_forward_counters(&s)->layer_switches, ==, switches + 1);
    /* Down: a configure in the middle of a picture leaves that picture whole. */
    struct test_packet p, out;
    vp9_packet(&pub, &p, 0, 0, true, false, false, true, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 41 * 33 * MS), ==, PRISM_FORWARD_SEND);
    prism_forward_svc_configure(&s, 0, -1);
    for (int sid = 0; sid < 3; sid++) {
        vp9_packet(&pub, &p, (uint8_t)sid, 0, sid > 0, true, false, true, sid == 2);
        g_assert_cmpint(test_forward(&s, &p, &out, 41 * 33 * MS), ==, PRISM_FORWARD_SEND);
        g_assert_cmpint(out.h.marker, ==, sid == 2);
    }
    pub.ts += 3000;
    prev.last_seq = out.h.seq;
    struct picture_result down = send_picture(&s, &pub, 3, 0, false, 42 * 33 * MS);
    g_assert_cmpuint(down.sent, ==, 2);
    g_assert_true(down.last_marked);
    assert_follows(&prev, &down);
    g_assert_cmpint(prism_forward_svc_state(&s)->spatial, ==, 0);
}

/* A keyframe's scalability structure says how many layers there are: a target above them
 * forwards all of them and reports the highest one sent. */
static void test_forward_svc_caps_at_layers_sent(void)
{
    struct prism_forward_svc svc;
    prism_forward_svc_init(&svc);
    struct prism_forward_svc_frame f = {
        .timestamp = 1, .begin = true, .end = true, .keyframe = true, .spatial_layers = 2};
    g_assert_cmpint(prism_forward_svc_decide(&svc, &f, 1000, 0), ==, PRISM_FORWARD_SVC_PASS);
    g_assert_cmpint(svc.spatial, ==, 1);
    f = (struct prism_forward_svc_frame){.timestamp = 1, .spatial = 1, .begin = true, .end = true};
    g_assert_cmpint(prism_forward_svc_decide(&svc, &f, 1000, 0), ==, PRISM_FORWARD_SVC_PASS_MARK);
    /* A third layer appearing without a keyframe: dropped, and a keyframe asked for once. */
    f = (struct prism_forward_svc_frame){.timestamp = 1, .spatial = 2, .begin = true, .end = true};
    g_assert_cmpint(prism_forward_svc_decide(&svc, &f, 1000, 0), ==, PRISM_FORWARD_SVC_DROP_ASK);
    g_assert_cmpint(prism_forward_svc_decide(&svc, &f, 1000, 10), ==, PRISM_FORWARD_SVC_DROP);
    /* Before any keyframe, nothing is decided (the keyframe gate holds packets back). */
    prism_forward_svc_reset(&svc);
    f = (struct prism_forward_svc_frame){.timestamp = 9, .spatial = 2, .temporal = 2};
    g_assert_cmpint(prism_forward_svc_decide(&svc, &f, 1000, 0), ==, PRISM_FORWARD_SVC_PASS);
    g_assert_cmpint(svc.spatial, ==, -1);
}

/* Sends p, which must go out; returns its output sequence number and marker. */
static uint16_t send_one(struct prism_forward_stream *s, const struct test_packet *p, bool *marker,
                         uint64_t now)
{
    struct test_packet out;
    g_assert_cmpint(test_forward(s, p, &out, now), ==, PRISM_FORWARD_SEND);
    *marker = out.h.marker;
    return out.h.seq;
}

/* The retransmission of p as out_seq must be sent with the given marker. */
static void assert_resend_marker(const struct prism_forward_stream *s, const struct test_packet *p,
                                 uint16_t out_seq, bool marker)
{
    struct test_packet again;
    size_t len = 0;
    g_assert_cmpint(prism_forward_resend(s, out_seq, &p->h, p->data, p->len, again.data,
                                         sizeof(again.data), &len),
                    ==, PRISM_FORWARD_SEND);
    g_assert_cmpint(prism_rtp_parse(again.data, len, &again.h), ==, 0);
    g_assert_cmpuint(again.h.seq, ==, out_seq);
    g_assert_cmpint(again.h.marker, ==, marker);
}

/* A retransmission carries the marker its original had, even after the spatial layer changed
 * in between (the end of layer 0 is a picture end at layer 0, not at layer 2). */
static void test_forward_svc_resend_keeps_marker(void)
{
    struct prism_forward_stream s;
    struct publisher pub;
    svc_stream(&s, &pub, false);
    prism_forward_svc_configure(&s, 0, -1);
    struct test_packet p0, p1, p2;
    bool marker;
    vp9_packet(&pub, &p0, 0, 0, true, false, true, true, false);
    vp9_packet(&pub, &p1, 0, 0, false, true, true, true, false);
    vp9_packet(&pub, &p2, 1, 0, true, true, true, true, true);
    send_one(&s, &p0, &marker, 0);
    uint16_t marked_seq = send_one(&s, &p1, &marker, 0);
    g_assert_true(marker);
    struct test_packet out;
    g_assert_cmpint(test_forward(&s, &p2, &out, 0), !=, PRISM_FORWARD_SEND);
    assert_resend_marker(&s, &p1, marked_seq, true);
    pub.ts += 3000;
    /* Up to layer 2 at a keyframe: the old end of layer 0 keeps its mark. */
    prism_forward_svc_configure(&s, 2, -1);
    g_assert_cmpuint(send_picture(&s, &pub, 3, 0, true, 33 * MS).sent, ==, 6);
    assert_resend_marker(&s, &p1, marked_seq, true);
    /* An end of layer 0 sent unmarked at layer 2 stays unmarked after going down. */
    vp9_packet(&pub, &p0, 0, 0, true, false, false, true, false);
    vp9_packet(&pub, &p1, 0, 0, false, true, false, true, false);
    send_one(&s, &p0, &marker, 66 * MS);
    uint16_t unmarked_seq = send_one(&s, &p1, &marker, 66 * MS);
    g_assert_false(marker);
    pub.ts += 3000;
    prism_forward_svc_configure(&s, 0, -1);
    g_assert_cmpuint(send_picture(&s, &pub, 3, 0, false, 99 * MS).sent, ==, 2);
    assert_resend_marker(&s, &p1, unmarked_seq, false);
}

/* Truncated descriptors are dropped as invalid without touching the layer state or leaving a
 * gap; VP9 without layer indices passes untouched. */
static void test_forward_svc_bad_descriptor_and_plain_vp9(void)
{
    struct prism_forward_stream s;
    struct publisher pub;
    svc_stream(&s, &pub, false);
    prism_forward_svc_configure(&s, 0, -1);
    struct picture_result prev = send_picture(&s, &pub, 3, 0, true, 0);
    static const uint8_t truncated[][4] = {
        {0xA8, 0x81},             /* I, L, B; 15-bit picture id cut short */
        {0xA8, 0x05},             /* layer indices missing */
        {0xAA, 0x05, 0x00, 0x00}, /* V set, scalability structure missing */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(truncated); i++) {
        struct test_packet p, out;
        struct prism_rtp_header_fields f = {
            .payload_type = PUB_VP9_PT, .seq = pub.seq++, .timestamp = pub.ts, .ssrc = SVC_SSRC};
        size_t n = i < 2 ? 2 : 4;
        /* The payload is just the descriptor: nothing follows it. */
        int hl = prism_rtp_build_header(p.data, sizeof(p.data), &f);
        memcpy(p.data + hl, truncated[i], n);
        p.len = (size_t)hl + n;
        g_assert_cmpint(prism_rtp_parse(p.data, p.len, &p.h), ==, 0);
        g_assert_cmpint(test_forward(&s, &p, &out, MS), ==, PRISM_FORWARD_DROP);
    }
    g_assert_cmpuint(prism_forward_counters(&s)->dropped_invalid, ==, 3);
    g_assert_cmpint(prism_forward_svc_state(&s)->spatial, ==, 0);
    /* Plain VP9 (no L bit): forwarded as it is, marker untouched. */
    struct test_packet p, out;
    struct prism_rtp_header_fields f = {
        .payload_type = PUB_VP9_PT, .seq = pub.seq++, .timestamp = pub.ts, .ssrc = SVC_SSRC};
    static const uint8_t plain[] = {0xCC, 0x12, 0x00, 0x00};
    test_build(&p, &f, plain, sizeof(plain), 40);
    g_assert_cmpint(test_forward(&s, &p, &out, MS), ==, PRISM_FORWARD_SEND);
    g_assert_false(out.h.marker);
    g_assert_cmpuint(out.h.seq, ==, (uint16_t)(prev.last_seq + 4)); /* three losses shown */
}

/* The spatial layer a packet counts under for the automatic choice: read from the VP9
 * descriptor without forwarding anything; -1 for what has none or cannot be read. */
static void test_forward_svc_spatial_of_a_packet(void)
{
    struct prism_forward_stream s;
    struct publisher pub;
    svc_stream(&s, &pub, false);
    struct test_packet p;
    for (uint8_t sid = 0; sid < 3; sid++) {
        vp9_packet(&pub, &p, sid, 1, true, true, sid == 0, true, sid == 2);
        g_assert_cmpint(prism_forward_svc_spatial_layer(PRISM_SDP_CODEC_VP9, NULL, &p.h), ==, sid);
    }
    g_assert_false(prism_forward_svc_state(&s)->active); /* nothing decided or forwarded */
    g_assert_cmpuint(prism_forward_counters(&s)->forwarded, ==, 0);
    struct prism_rtp_header_fields f = {
        .payload_type = PUB_VP9_PT, .seq = pub.seq++, .timestamp = pub.ts, .ssrc = SVC_SSRC};
    static const uint8_t plain[] = {0xCC, 0x12, 0x00, 0x00};
    test_build(&p, &f, plain, sizeof(plain), 40);
    g_assert_cmpint(prism_forward_svc_spatial_layer(PRISM_SDP_CODEC_VP9, NULL, &p.h), ==, -1);
    static const uint8_t truncated[] = {0xA8, 0x81};
    test_build(&p, &f, truncated, sizeof(truncated), 0);
    g_assert_cmpint(prism_forward_svc_spatial_layer(PRISM_SDP_CODEC_VP9, NULL, &p.h), ==, -1);
    test_build(&p, &f, NULL, 0, 0); /* padding only */
    g_assert_cmpint(prism_forward_svc_spatial_layer(PRISM_SDP_CODEC_VP9, NULL, &p.h), ==, -1);
    /* A layered VP9 packet is only read as VP9 when its payload type is. */
    vp9_packet(&pub, &p, 1, 0, true, true, false, true, false);
    g_assert_cmpint(prism_forward_svc_spatial_layer(PRISM_SDP_CODEC_UNKNOWN, NULL, &p.h), ==, -1);
    g_assert_cmpint(prism_forward_svc_spatial_layer(PRISM_SDP_CODEC_VP8, NULL, &p.h), ==, -1);
    g_assert_cmpint(prism_forward_svc_spatial_layer(PRISM_SDP_CODEC_VP9, NULL, NULL), ==, -1);
}

/* A new source forwards nothing until its keyframe; the targets stay. */
static void test_forward_svc_switch_keeps_targets(void)
{
    struct prism_forward_stream s;
    struct publisher pub;
    svc_stream(&s, &pub, false);
    prism_forward_svc_configure(&s, 1, 0);
    send_picture(&s, &pub, 3, 0, true, 0);
    g_assert_true(prism_forward_svc_state(&s)->active);
    struct prism_forward_source src;
    memset(&src, 0, sizeof(src));
    src.video = true;
    src.clock_rate = 90000;
    src.payload_types[0] = (struct prism_forward_payload_type){
        .publisher = PUB_VP9_PT, .subscriber = SUB_VP9_PT, .codec = PRISM_SDP_CODEC_VP9};
    src.payload_type_count = 1;
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    const struct prism_forward_svc *svc = prism_forward_svc_state(&s);
    g_assert_false(svc->active);
    g_assert_cmpint(svc->spatial, ==, -1);
    g_assert_cmpint(svc->spatial_target, ==, 1);
    g_assert_cmpint(svc->temporal_target, ==, 0);
    struct picture_result r = send_picture(&s, &pub, 3, 0, false, 100 * MS);
    g_assert_cmpuint(r.sent, ==, 0);
    g_assert_true(r.asked);
    r = send_picture(&s, &pub, 3, 0, true, 133 * MS);
    g_assert_cmpuint(r.sent, ==, 4);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/svc/drops_spatial_layers_above_target",
                    test_forward_svc_drops_spatial_layers_above_target);
    g_test_add_func("/forward/svc/drops_spatial_layers_above_target_flexible",
                    test_forward_svc_drops_spatial_layers_above_target_flexible);
    g_test_add_func("/forward/svc/drops_temporal_layers_above_target",
                    test_forward_svc_drops_temporal_layers_above_target);
    g_test_add_func("/forward/svc/switches_up_only_at_keyframe",
                    test_forward_svc_switches_up_only_at_keyframe);
    g_test_add_func("/forward/svc/caps_at_layers_sent", test_forward_svc_caps_at_layers_sent);
    g_test_add_func("/forward/svc/resend_keeps_marker", test_forward_svc_resend_keeps_marker);
    g_test_add_func("/forward/svc/spatial_of_a_packet", test_forward_svc_spatial_of_a_packet);
    g_test_add_func("/forward/svc/bad_descriptor_and_plain_vp9",
                    test_forward_svc_bad_descriptor_and_plain_vp9);
    g_test_add_func("/forward/svc/switch_keeps_targets", test_forward_svc_switch_keeps_targets);
    return g_test_run();
}
