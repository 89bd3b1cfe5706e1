/* The VideoRoom's VP9 SVC requests: a subscriber's configure of spatial_layer / temporal_layer
 * reaches the forwarding state of the streams it names (per stream, or at the top for every
 * video stream), bad values change nothing, wishes outlive a new forwarding state, and the
 * "svc" object of a stream list appears once layered packets came, with the layers sent. */
#include "plugins/videoroom/participant.h"

#include <glib.h>
#include <string.h>

/* A subscriber with an audio stream (mid "0") and two video streams ("1", "2"), none linked to
 * a publisher, no handle. */
struct fixture {
    struct vr_subscriber subscriber;
    struct vr_sub_stream streams[3];
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    for (unsigned i = 0; i < 3; i++) {
        struct vr_sub_stream *stream = &f->streams[i];
        stream->subscriber = &f->subscriber;
        stream->media_index = i;
        snprintf(stream->mid, sizeof(stream->mid), "%u", i);
        stream->kind = i == 0 ? PRISM_SDP_MEDIA_AUDIO : PRISM_SDP_MEDIA_VIDEO;
        vr_simulcast_stream_init(stream);
        vr_svc_stream_init(stream);
        struct prism_forward_config config = {.ssrc = 1000 + i};
        g_assert_cmpint(prism_forward_init(&stream->forward, &config), ==, 0);
        f->subscriber.streams[f->subscriber.stream_count++] = stream;
    }
}

static void configure(struct fixture *f, const char *text)
{
    json_t *body = json_loads(text, 0, NULL);
    g_assert_nonnull(body);
    vr_svc_configure(&f->subscriber, body);
    json_decref(body);
}

static const struct prism_forward_svc *svc_of(const struct fixture *f, unsigned i)
{
    return prism_forward_svc_state(&f->streams[i].forward);
}

static void test_videoroom_svc_configure_per_stream(void)
{
    struct fixture f;
    fixture_init(&f);
    configure(&f, "{\"request\":\"configure\",\"streams\":[{\"mid\":\"2\",\"spatial_layer\":0,"
                  "\"temporal_layer\":1}]}");
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 0);
    g_assert_cmpint(svc_of(&f, 2)->temporal_target, ==, 1);
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 2); /* the other keeps the defaults */
    g_assert_cmpint(svc_of(&f, 1)->temporal_target, ==, 2);
    /* The wish outlives a new forwarding state (a new SSRC after renegotiation). */
    struct prism_forward_config config = {.ssrc = 77};
    prism_forward_init(&f.streams[2].forward, &config);
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 2);
    vr_svc_apply(&f.streams[2]);
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 0);
    g_assert_cmpint(svc_of(&f, 2)->temporal_target, ==, 1);
    /* Only one of the two: the other stays. */
    configure(&f, "{\"request\":\"configure\",\"streams\":[{\"mid\":\"2\",\"temporal_layer\":0}]}");
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 0);
    g_assert_cmpint(svc_of(&f, 2)->temporal_target, ==, 0);
}

static void test_videoroom_svc_configure_top_level_reaches_every_video_stream(void)
{
    struct fixture f;
    fixture_init(&f);
    configure(&f, "{\"request\":\"configure\",\"spatial_layer\":1}");
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 1);
    g_assert_cmpint(svc_of(&f, 2)->spatial_target, ==, 1);
    g_assert_cmpint(f.streams[0].spatial_layer, ==, -1); /* audio untouched */
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"temporal_layer\":0}");
    g_assert_cmpint(svc_of(&f, 1)->temporal_target, ==, 0);
    g_assert_cmpint(svc_of(&f, 2)->temporal_target, ==, 2);
}

static void test_videoroom_svc_configure_ignores_bad_values(void)
{
    struct fixture f;
    fixture_init(&f);
    configure(&f, "{\"request\":\"configure\",\"streams\":[{\"mid\":\"1\",\"spatial_layer\":3,"
                  "\"temporal_layer\":-1}, 7, {\"mid\":\"1\",\"spatial_layer\":\"1\"},"
                  "{\"mid\":\"9\",\"spatial_layer\":0}, {\"mid\":\"1\",\"temporal_layer\":1.5}]}");
    g_assert_cmpint(svc_of(&f, 1)->spatial_target, ==, 2);
    g_assert_cmpint(svc_of(&f, 1)->temporal_target, ==, 2);
    g_assert_cmpint(f.streams[1].spatial_layer, ==, -1);
    g_assert_cmpint(f.streams[1].temporal_layer, ==, -1);
}

static void test_videoroom_svc_json_and_notify_once_layered(void)
{
    struct fixture f;
    fixture_init(&f);
    struct vr_sub_stream *stream = &f.streams[1];
    g_assert_null(vr_svc_json(stream));
    configure(&f, "{\"request\":\"configure\",\"mid\":\"1\",\"spatial_layer\":1}");
    /* A keyframe of three spatial layers reaches the stream's layer choice. */
    struct prism_forward_svc_frame frame = {
        .timestamp = 3000, .begin = true, .keyframe = true, .spatial_layers = 3};
    prism_forward_svc_decide(&stream->forward.svc, &frame, 1000000, 0);
    json_t *json = vr_svc_json(stream);
    g_assert_nonnull(json);
    json_t *expected = json_pack("{s:i, s:i, s:i, s:i}", "spatial-layer", 1, "target-spatial-layer",
                                 1, "temporal-layer", 2, "target-temporal-layer", 2);
    g_assert_true(json_equal(json, expected));
    json_decref(json);
    json_decref(expected);
    /* Told once per change (no handle here: the event is not pushed, but remembered). */
    vr_svc_notify(stream);
    g_assert_cmpint(stream->notified_spatial, ==, 1);
    g_assert_cmpint(stream->notified_temporal_layer, ==, 2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/svc/configure_per_stream", test_videoroom_svc_configure_per_stream);
    g_test_add_func("/videoroom/svc/configure_top_level_reaches_every_video_stream",
                    test_videoroom_svc_configure_top_level_reaches_every_video_stream);
    g_test_add_func("/videoroom/svc/configure_ignores_bad_values",
                    test_videoroom_svc_configure_ignores_bad_values);
    g_test_add_func("/videoroom/svc/json_and_notify_once_layered",
                    test_videoroom_svc_json_and_notify_once_layered);
    return g_test_run();
}
