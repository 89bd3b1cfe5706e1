/* Forwarding continuity: output sequence numbers step by exactly one across switches, pauses,
 * SSRC changes and restarts, timestamps advance by the wall-clock time elapsed, real source
 * losses stay gaps, and packets dropped on purpose leave none. */
#include "forward_util.h"

#include <errno.h>

static void test_forward_switch_continues_seq_and_ts_by_elapsed_time(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p;
    test_audio_source(&src);
    test_stream(&s, &src, 1000, 5000);

    for (unsigned i = 0; i < 3; i++) {
        test_opus(&p, PUB_A_SSRC, (uint16_t)(200 + i), 10000 + 960 * i);
        struct prism_rtp_header h = test_send(&s, &p, 20 * MS * i);
        g_assert_cmpuint(h.seq, ==, 1000 + i);
        g_assert_cmpuint(h.timestamp, ==, 5000 + 960 * i);
        g_assert_cmpuint(h.payload_type, ==, SUB_OPUS_PT);
    }

    /* Another publisher, numbered from elsewhere entirely, 55 ms after the last packet. */
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    test_opus(&p, PUB_B_SSRC, 40000, 3000000000u);
    struct prism_rtp_header h = test_send(&s, &p, 95 * MS);
    g_assert_cmpuint(h.seq, ==, 1003);
    g_assert_cmpuint(h.timestamp, ==, 6920 + 55 * 48);
    test_opus(&p, PUB_B_SSRC, 40001, 3000000000u + 960);
    h = test_send(&s, &p, 115 * MS);
    g_assert_cmpuint(h.seq, ==, 1004);
    g_assert_cmpuint(h.timestamp, ==, 6920 + 55 * 48 + 960);
    g_assert_cmpuint(s.counters.switches, ==, 1);
    g_assert_cmpuint(s.counters.forwarded, ==, 5);
}

/* A sender report's timestamp maps the way the packets do, for the source being forwarded
 * only, and not before the segment's first packet went out. */
static void test_forward_maps_sender_report_timestamps(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p;
    uint32_t mapped = 0;
    test_audio_source(&src);
    test_stream(&s, &src, 1000, 5000);
    g_assert_cmpint(prism_forward_map_timestamp(&s, PUB_A_SSRC, 10000, &mapped), ==, -ENOENT);

    test_opus(&p, PUB_A_SSRC, 200, 10000);
    g_assert_cmpuint(test_send(&s, &p, 0).timestamp, ==, 5000);
    g_assert_cmpint(prism_forward_map_timestamp(&s, PUB_A_SSRC, 10000 + 4800, &mapped), ==, 0);
    g_assert_cmpuint(mapped, ==, 5000 + 4800);
    /* Wrapping: a report from just before the first packet. */
    g_assert_cmpint(prism_forward_map_timestamp(&s, PUB_A_SSRC, 9000, &mapped), ==, 0);
    g_assert_cmpuint(mapped, ==, 4000);
    g_assert_cmpint(prism_forward_map_timestamp(&s, PUB_B_SSRC, 10000, &mapped), ==, -ENOENT);

    /* After a switch, nothing until the new source's first packet set the new offset. */
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    g_assert_cmpint(prism_forward_map_timestamp(&s, PUB_A_SSRC, 10000, &mapped), ==, -ENOENT);
    test_opus(&p, PUB_B_SSRC, 40000, 3000000000u);
    uint32_t sent = test_send(&s, &p, 20 * MS).timestamp;
    g_assert_cmpint(prism_forward_map_timestamp(&s, PUB_A_SSRC, 10000, &mapped), ==, -ENOENT);
    g_assert_cmpint(prism_forward_map_timestamp(&s, PUB_B_SSRC, 3000000000u + 960, &mapped), ==, 0);
    g_assert_cmpuint(mapped, ==, sent + 960);
    g_assert_cmpint(prism_forward_map_timestamp(NULL, PUB_B_SSRC, 0, &mapped), ==, -ENOENT);
}

static void test_forward_video_switch_continues_on_the_keyframe(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p;
    test_video_source(&src);
    test_stream(&s, &src, 7, 90000);

    test_vp8_frame(&p, PUB_A_SSRC, 500, 1000, 1, true);
    g_assert_cmpuint(test_send(&s, &p, 0).seq, ==, 7);
    test_vp8_frame(&p, PUB_A_SSRC, 501, 4000, 2, false);
    struct prism_rtp_header h = test_send(&s, &p, 33 * MS);
    g_assert_cmpuint(h.seq, ==, 8);
    g_assert_cmpuint(h.timestamp, ==, 93000);

    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    struct test_packet out;
    test_vp8_frame(&p, PUB_B_SSRC, 60000, 77, 900, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 40 * MS), ==, PRISM_FORWARD_DROP_NEED_KEYFRAME);
    test_vp8_frame(&p, PUB_B_SSRC, 60001, 3077, 901, true);
    h = test_send(&s, &p, 133 * MS);
    g_assert_cmpuint(h.seq, ==, 9);
    g_assert_cmpuint(h.timestamp, ==, 93000 + 100 * 90);
}

static void test_forward_seq_wraps_at_65535(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p;
    test_audio_source(&src);
    test_stream(&s, &src, 65534, 0xFFFFFC00u);

    /* Both the source and the output wrap, at different places. */
    const uint16_t in[] = {65533, 65534, 65535, 0, 1};
    const uint16_t expected[] = {65534, 65535, 0, 1, 2};
    for (unsigned i = 0; i < 5; i++) {
        test_opus(&p, PUB_A_SSRC, in[i], 960 * i);
        struct prism_rtp_header h = test_send(&s, &p, 20 * MS * i);
        g_assert_cmpuint(h.seq, ==, expected[i]);
        g_assert_cmpuint(h.timestamp, ==, (uint32_t)(0xFFFFFC00u + 960 * i));
    }
}

static void test_forward_keeps_source_losses_as_gaps(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p;
    test_audio_source(&src);
    test_stream(&s, &src, 100, 0);

    const uint16_t in[] = {10, 11, 13, 14, 17, 12};
    const uint16_t expected[] = {100, 101, 103, 104, 107, 102};
    for (unsigned i = 0; i < 6; i++) {
        test_opus(&p, PUB_A_SSRC, in[i], 960u * in[i]);
        g_assert_cmpuint(test_send(&s, &p, 20 * MS * i).seq, ==, expected[i]);
    }
}

static void test_forward_drops_packets_from_before_the_segment(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_video_source(&src);
    test_stream(&s, &src, 100, 0);

    test_vp8_frame(&p, PUB_A_SSRC, 50, 3000, 1, true);
    g_assert_cmpuint(test_send(&s, &p, 0).seq, ==, 100);
    /* 49 was dropped while waiting for the keyframe; 100 - 1 was never ours to give. */
    test_vp8_frame(&p, PUB_A_SSRC, 49, 0, 0, false);
    g_assert_cmpint(test_forward(&s, &p, &out, MS), ==, PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.dropped_invalid, ==, 1);
}

static void test_forward_pause_resume_continues_without_gap(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_audio_source(&src);
    test_stream(&s, &src, 300, 0);

    test_opus(&p, PUB_A_SSRC, 1, 960);
    g_assert_cmpuint(test_send(&s, &p, 0).seq, ==, 300);
    prism_forward_pause(&s, true);
    prism_forward_pause(&s, true);
    for (uint16_t i = 2; i < 50; i++) {
        test_opus(&p, PUB_A_SSRC, i, 960u * i);
        g_assert_cmpint(test_forward(&s, &p, &out, 20 * MS * i), ==, PRISM_FORWARD_DROP);
    }
    g_assert_cmpuint(s.counters.dropped_paused, ==, 48);
    prism_forward_pause(&s, false);
    test_opus(&p, PUB_A_SSRC, 50, 960 * 50);
    struct prism_rtp_header h = test_send(&s, &p, 1000 * MS);
    g_assert_cmpuint(h.seq, ==, 301);
    g_assert_cmpuint(h.timestamp, ==, 48000);
    test_opus(&p, PUB_A_SSRC, 51, 960 * 51);
    h = test_send(&s, &p, 1020 * MS);
    g_assert_cmpuint(h.seq, ==, 302);
    g_assert_cmpuint(h.timestamp, ==, 48960);
    g_assert_cmpuint(s.counters.switches, ==, 0);
}

static void test_forward_ssrc_change_is_treated_like_a_switch(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_video_source(&src);
    test_stream(&s, &src, 10, 0);

    test_vp8_frame(&p, PUB_A_SSRC, 1000, 90000, 5, true);
    test_send(&s, &p, 0);
    test_vp8_frame(&p, PUB_A_SSRC, 1001, 93000, 6, false);
    test_send(&s, &p, 33 * MS);
    /* The publisher renegotiated: new SSRC, numbering and clock, and an inter frame first. */
    test_vp8_frame(&p, PUB_B_SSRC, 1, 0, 0, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 40 * MS), ==, PRISM_FORWARD_DROP_NEED_KEYFRAME);
    g_assert_true(prism_forward_waiting_keyframe(&s));
    g_assert_cmpuint(s.counters.source_changes, ==, 1);
    /* A late packet of the old SSRC does not flip the source back. */
    test_vp8_frame(&p, PUB_A_SSRC, 1002, 96000, 7, false);
    g_assert_cmpint(test_forward(&s, &p, &out, 45 * MS), ==, PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.source_changes, ==, 1);
    g_assert_cmpuint(s.counters.dropped_invalid, ==, 1);

    test_vp8_frame(&p, PUB_B_SSRC, 2, 3000, 1, true);
    struct prism_rtp_header h = test_send(&s, &p, 83 * MS);
    g_assert_cmpuint(h.seq, ==, 12);
    g_assert_cmpuint(h.timestamp, ==, 3000 + 50 * 90);
    g_assert_false(prism_forward_waiting_keyframe(&s));
    g_assert_cmpuint(s.counters.switches, ==, 0);
}

/* A packet with no payload, only padding (a bandwidth probe). */
static void make_padding_only(struct test_packet *p, uint16_t seq)
{
    struct prism_rtp_header_fields f = {
        .payload_type = PUB_OPUS_PT, .seq = seq, .timestamp = 1, .ssrc = PUB_A_SSRC};
    int len = prism_rtp_build_header(p->data, sizeof(p->data), &f);
    g_assert_cmpint(len, ==, 12);
    len = prism_rtp_add_padding(p->data, 12, sizeof(p->data), 200);
    g_assert_cmpint(len, ==, 212);
    p->len = 212;
    g_assert_cmpint(prism_rtp_parse(p->data, p->len, &p->h), ==, 0);
    g_assert_cmpuint(p->h.payload_len, ==, 0);
}

static void test_forward_padding_only_packets_leave_no_gap(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_audio_source(&src);
    test_stream(&s, &src, 100, 0);

    test_opus(&p, PUB_A_SSRC, 10, 0);
    g_assert_cmpuint(test_send(&s, &p, 0).seq, ==, 100);
    test_opus(&p, PUB_A_SSRC, 12, 1920); /* 11 is late */
    g_assert_cmpuint(test_send(&s, &p, 40 * MS).seq, ==, 102);
    make_padding_only(&p, 13);
    g_assert_cmpint(test_forward(&s, &p, &out, 41 * MS), ==, PRISM_FORWARD_DROP);
    test_opus(&p, PUB_A_SSRC, 14, 2880);
    g_assert_cmpuint(test_send(&s, &p, 60 * MS).seq, ==, 103);
    /* The late one still lands in its own gap, before the skip. */
    test_opus(&p, PUB_A_SSRC, 11, 960);
    g_assert_cmpuint(test_send(&s, &p, 61 * MS).seq, ==, 101);
    g_assert_cmpuint(s.counters.dropped_filtered, ==, 1);
}

static void test_forward_forgets_old_skips_and_drops_what_came_before_them(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_audio_source(&src);
    test_stream(&s, &src, 100, 0);

    test_opus(&p, PUB_A_SSRC, 10, 0);
    test_send(&s, &p, 0);
    for (uint16_t seq = 12; seq < 12 + PRISM_FORWARD_SKIP_HISTORY + 1; seq++) {
        make_padding_only(&p, seq);
        g_assert_cmpint(test_forward(&s, &p, &out, MS), ==, PRISM_FORWARD_DROP);
    }
    test_opus(&p, PUB_A_SSRC, 12 + PRISM_FORWARD_SKIP_HISTORY + 1, 960);
    g_assert_cmpuint(test_send(&s, &p, 2 * MS).seq, ==, 102); /* 101 stays 11's gap */
    /* 11 comes before the forgotten skip of 12: its place can no longer be known. */
    test_opus(&p, PUB_A_SSRC, 11, 960);
    g_assert_cmpint(test_forward(&s, &p, &out, 3 * MS), ==, PRISM_FORWARD_DROP);
    g_assert_cmpuint(s.counters.dropped_invalid, ==, 1);
}

static void test_forward_sequence_restart_continues_after_one_gap(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    test_audio_source(&src);
    test_stream(&s, &src, 1000, 0);

    for (uint16_t i = 0; i < 3; i++) {
        test_opus(&p, PUB_A_SSRC, (uint16_t)(100 + i), 960u * i);
        test_send(&s, &p, 20 * MS * i);
    }
    /* Same SSRC, numbering restarted far away: the first is held, the next confirms. */
    test_opus(&p, PUB_A_SSRC, 50000, 123456);
    g_assert_cmpint(test_forward(&s, &p, &out, 60 * MS), ==, PRISM_FORWARD_DROP);
    test_opus(&p, PUB_A_SSRC, 50001, 124416);
    struct prism_rtp_header h = test_send(&s, &p, 80 * MS);
    g_assert_cmpuint(h.seq, ==, 1004);
    g_assert_cmpuint(h.timestamp, ==, 1920 + 40 * 48);
    g_assert_cmpuint(s.counters.source_changes, ==, 1);
    /* A single stray far-away packet is only dropped. */
    test_opus(&p, PUB_A_SSRC, 10, 0);
    g_assert_cmpint(test_forward(&s, &p, &out, 90 * MS), ==, PRISM_FORWARD_DROP);
    test_opus(&p, PUB_A_SSRC, 50002, 125376);
    g_assert_cmpuint(test_send(&s, &p, 100 * MS).seq, ==, 1005);
    g_assert_cmpuint(s.counters.source_changes, ==, 1);
}

static void test_forward_switch_without_elapsed_time_still_advances_ts(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p;
    test_audio_source(&src);
    test_stream(&s, &src, 0, 4000);

    test_opus(&p, PUB_A_SSRC, 1, 1);
    test_send(&s, &p, 5 * MS);
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    test_opus(&p, PUB_B_SSRC, 9, 9);
    g_assert_cmpuint(test_send(&s, &p, 5 * MS).timestamp, ==, 4001);
    /* A clock that went backwards counts as no time at all. */
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    test_opus(&p, PUB_A_SSRC, 2, 2);
    g_assert_cmpuint(test_send(&s, &p, 1 * MS).timestamp, ==, 4002);
}

/* Elapsed time to ticks for a clock rate: the timestamp step of a switch after elapsed_us. */
static uint32_t step_after(uint32_t clock_rate, uint64_t elapsed_us)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p;
    test_audio_source(&src);
    src.clock_rate = clock_rate;
    test_stream(&s, &src, 0, 0);
    test_opus(&p, PUB_A_SSRC, 1, 1);
    test_send(&s, &p, 1000);
    g_assert_cmpint(prism_forward_switch(&s, &src), ==, 0);
    return test_send(&s, &p, 1000 + elapsed_us).timestamp;
}

static void test_forward_converts_elapsed_time_with_the_clock_rate(void)
{
    g_assert_cmpuint(step_after(48000, 1000000), ==, 48000);
    g_assert_cmpuint(step_after(90000, 1000000), ==, 90000);
    g_assert_cmpuint(step_after(8000, 20000), ==, 160);
    g_assert_cmpuint(step_after(90000, 33333), ==, 2999);
    g_assert_cmpuint(step_after(90000, 7), ==, 1);
    g_assert_cmpuint(step_after(1000000, 123456789), ==, 123456789);
    /* A day-long pause: 35 minutes' worth at most, still a step forward. */
    g_assert_cmpuint(step_after(90000, 86400000000ull), ==, (uint32_t)((1ull << 31) * 9 / 100));
    g_assert_cmpuint(step_after(1000000, 86400000000ull), ==, 1u << 30);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/switch_continues_seq_and_ts_by_elapsed_time",
                    test_forward_switch_continues_seq_and_ts_by_elapsed_time);
    g_test_add_func("/forward/maps_sender_report_timestamps",
                    test_forward_maps_sender_report_timestamps);
    g_test_add_func("/forward/video_switch_continues_on_the_keyframe",
                    test_forward_video_switch_continues_on_the_keyframe);
    g_test_add_func("/forward/seq_wraps_at_65535", test_forward_seq_wraps_at_65535);
    g_test_add_func("/forward/keeps_source_losses_as_gaps",
                    test_forward_keeps_source_losses_as_gaps);
    g_test_add_func("/forward/drops_packets_from_before_the_segment",
                    test_forward_drops_packets_from_before_the_segment);
    g_test_add_func("/forward/pause_resume_continues_without_gap",
                    test_forward_pause_resume_continues_without_gap);
    g_test_add_func("/forward/ssrc_change_is_treated_like_a_switch",
                    test_forward_ssrc_change_is_treated_like_a_switch);
    g_test_add_func("/forward/padding_only_packets_leave_no_gap",
                    test_forward_padding_only_packets_leave_no_gap);
    g_test_add_func("/forward/forgets_old_skips_and_drops_what_came_before_them",
                    test_forward_forgets_old_skips_and_drops_what_came_before_them);
    g_test_add_func("/forward/sequence_restart_continues_after_one_gap",
                    test_forward_sequence_restart_continues_after_one_gap);
    g_test_add_func("/forward/switch_without_elapsed_time_still_advances_ts",
                    test_forward_switch_without_elapsed_time_still_advances_ts);
    g_test_add_func("/forward/converts_elapsed_time_with_the_clock_rate",
                    test_forward_converts_elapsed_time_with_the_clock_rate);
    return g_test_run();
}
