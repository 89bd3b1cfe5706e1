/* The fixture of the VideoRoom layer request tests (test_videoroom_simulcast, test_videoroom_svc):
 * a subscriber with an audio stream (mid "0") and two video streams ("1", "2"), none linked to
 * a publisher, no handle, and a configure body given as JSON text to one of the plugin's
 * configure functions. */
#ifndef PRISM_TESTS_VIDEOROOM_LAYERS_FIXTURE_H
#define PRISM_TESTS_VIDEOROOM_LAYERS_FIXTURE_H

#include "plugins/videoroom/participant.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

struct fixture {
    struct vr_subscriber subscriber;
    struct vr_sub_stream streams[3];
    struct vr_sub_stream *stream_slots[3]; /* the subscriber's array of them */
};

static inline void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->subscriber.streams = f->stream_slots;
    f->subscriber.stream_capacity = 3;
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

static inline void fixture_configure(struct fixture *f, const char *text,
                                     void (*configure)(struct vr_subscriber *, json_t *))
{
    json_t *body = json_loads(text, 0, NULL);
    g_assert_nonnull(body);
    configure(&f->subscriber, body);
    json_decref(body);
}

#endif
