/* A VideoRoom subscriber m-line freed and later reused for another publisher's stream, as the
 * subscriber's offers drive it: the subscriber keeps the m-line's SSRC, so sequence numbers
 * and timestamps must continue as they do across a switch. */
#include "forward_util.h"

#include "plugins/videoroom/participant.h"

#include <stdlib.h>

#define SUB_SSRC 0x51AB5EEDu

struct feed {
    struct vr_publisher publisher;
    struct vr_pub_stream video;
};

static void feed_init(struct feed *feed, uint64_t id)
{
    memset(feed, 0, sizeof(*feed));
    feed->publisher.id = id;
    feed->video.publisher = &feed->publisher;
    feed->video.kind = PRISM_SDP_MEDIA_VIDEO;
    g_strlcpy(feed->video.mid, "1", sizeof(feed->video.mid));
    feed->video.codec = (struct prism_sdp_codec){
        .pt = PUB_VP8_PT, .name = "VP8", .clock_rate = 90000, .id = PRISM_SDP_CODEC_VP8};
    feed->video.subscribers = g_ptr_array_new();
}

/* A subscriber (with no handle, as in a unit test) and its one video stream; free both. */
static struct vr_sub_stream *video_stream_new(void)
{
    struct vr_subscriber *subscriber = calloc(1, sizeof(*subscriber));
    struct vr_sub_stream *stream = calloc(1, sizeof(*stream));
    g_assert_nonnull(subscriber);
    g_assert_nonnull(stream);
    g_assert_true(vr_subscriber_reserve_streams(subscriber, 1));
    subscriber->streams[0] = stream;
    stream->subscriber = subscriber;
    stream->kind = PRISM_SDP_MEDIA_VIDEO;
    return stream;
}

/* Forwards `count` frames of one packet each from `ssrc` (the first a keyframe), 33 ms apart;
 * returns the last packet the subscriber got. */
static struct test_packet forward_frames(struct vr_sub_stream *stream, uint32_t ssrc, uint16_t seq,
                                         uint32_t ts, unsigned count, uint64_t *now_us)
{
    struct test_packet in, out = {0};
    for (unsigned i = 0; i < count; i++, *now_us += 33 * MS) {
        test_vp8_frame(&in, ssrc, (uint16_t)(seq + i), ts + i * 3000u, (uint16_t)(100 + i), i == 0);
        size_t len = 0;
        g_assert_cmpint(prism_forward_packet(&stream->forward, &in.h, in.data, in.len, out.data,
                                             sizeof(out.data), &len, *now_us),
                        ==, PRISM_FORWARD_SEND);
        out.len = len;
        g_assert_cmpint(prism_rtp_parse(out.data, out.len, &out.h), ==, 0);
        g_assert_cmpuint(out.h.ssrc, ==, SUB_SSRC);
    }
    return out;
}

static void test_videoroom_reused_mline_continues_seq_and_ts(void)
{
    struct feed first, second;
    feed_init(&first, 1);
    feed_init(&second, 2);
    struct vr_sub_stream *stream = video_stream_new();
    struct vr_subscriber *subscriber = stream->subscriber;
    uint64_t now = 1000 * MS;

    /* Offer 1: the m-line carries the first publisher. */
    vr_sub_stream_link(stream, &first.publisher, &first.video);
    vr_forward_attach(stream, SUB_SSRC);
    struct test_packet last = forward_frames(stream, 0xF1F1F1F1u, 5000, 77000, 10, &now);

    /* The publisher leaves; offer 2 shows the m-line inactive (no SSRC sends on it). */
    vr_sub_stream_unlink(stream);
    stream->active = false;
    vr_forward_attach(stream, 0);
    now += 500 * MS;

    /* Offer 3 reuses it for the second publisher, on the same SSRC. */
    vr_sub_stream_link(stream, &second.publisher, &second.video);
    vr_forward_attach(stream, SUB_SSRC);
    struct test_packet next = forward_frames(stream, 0xF2F2F2F2u, 61000, 9000000, 1, &now);

    g_assert_cmpuint(next.h.seq, ==, (uint16_t)(last.h.seq + 1));
    uint32_t advance = next.h.timestamp - last.h.timestamp;
    g_assert_cmpuint(advance, >, 0);
    g_assert_cmpuint(advance, <=, 90000u); /* about the 0.5 s that passed, not a jump */
    g_assert_cmpuint(first.video.subscribers->len, ==, 0);
    g_assert_cmpuint(second.video.subscribers->len, ==, 1);

    vr_sub_stream_unlink(stream);
    g_ptr_array_free(first.video.subscribers, TRUE);
    g_ptr_array_free(second.video.subscribers, TRUE);
    free(stream);
    free(subscriber->streams);
    free(subscriber);
}

/* A publisher's sender report reaches a subscriber stream whose subscriber has no
 * PeerConnection any more (it hung up or left, and its streams are not detached yet): the
 * report is skipped, not applied to a missing peer. */
static void test_videoroom_sender_report_skips_subscriber_without_peer(void)
{
    struct feed feed;
    feed_init(&feed, 1);
    struct vr_sub_stream *stream = video_stream_new();
    struct vr_subscriber *subscriber = stream->subscriber;
    uint64_t now = 1000 * MS;
    vr_sub_stream_link(stream, &feed.publisher, &feed.video);
    vr_forward_attach(stream, SUB_SSRC);
    forward_frames(stream, 0xF1F1F1F1u, 100, 5000, 3, &now);

    vr_sub_stream_set_sender_clock(stream, 0xF1F1F1F1u, 0x1234567800000000ull, 5000, now);

    vr_sub_stream_unlink(stream);
    g_ptr_array_free(feed.video.subscribers, TRUE);
    free(stream);
    free(subscriber->streams);
    free(subscriber);
}

/* A member of a large room subscribes to two streams per other member: the array of streams
 * grows past the 63 a fixed table held, keeps what it held, and stops at its bound. */
static void test_videoroom_subscriber_streams_grow_to_the_bound(void)
{
    struct vr_subscriber subscriber = {0};
    struct vr_sub_stream streams[3];
    for (unsigned i = 0; i < VR_MAX_SUB_STREAMS; i++) {
        g_assert_true(vr_subscriber_reserve_streams(&subscriber, i + 1));
        g_assert_cmpuint(subscriber.stream_capacity, >=, i + 1);
        subscriber.streams[i] = &streams[i % 3];
        subscriber.stream_count = i + 1;
    }
    g_assert_cmpuint(subscriber.stream_capacity, ==, VR_MAX_SUB_STREAMS);
    g_assert_cmpuint(VR_MAX_SUB_STREAMS, >=, 2 * 39 + 1); /* a member of 40, and more */
    for (unsigned i = 0; i < VR_MAX_SUB_STREAMS; i++)
        g_assert_true(subscriber.streams[i] == &streams[i % 3]);
    g_assert_false(vr_subscriber_reserve_streams(&subscriber, VR_MAX_SUB_STREAMS + 1));
    free(subscriber.streams);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/reused-mline-continues-seq-and-ts",
                    test_videoroom_reused_mline_continues_seq_and_ts);
    g_test_add_func("/videoroom/subscriber-streams-grow-to-the-bound",
                    test_videoroom_subscriber_streams_grow_to_the_bound);
    g_test_add_func("/videoroom/sender-report-skips-subscriber-without-peer",
                    test_videoroom_sender_report_skips_subscriber_without_peer);
    return g_test_run();
}
