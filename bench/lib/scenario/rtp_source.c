/* Plain RTP to a mountpoint's ports, paced on a bench worker. */
#include "bench/lib/scenario/rtp_source.h"

#include "bench/lib/synth/audio.h"
#include "bench/lib/synth/video.h"
#include "core/ids.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TICK_MS 5
#define MAX_PACKET 1500
#define KEYFRAME_INTERVAL_US 2000000 /* OBS's and most encoders' default GOP: 2 s */
#define AUDIO_PT 111
#define VIDEO_PT 96

struct bench_rtp_source {
    struct bench_worker *worker;
    int fd;
    struct sockaddr_in audio_to, video_to;
    bool sends_audio, sends_video;
    struct bench_audio audio;
    struct bench_video video;
    uint64_t next_keyframe_us;
    GSource *timer;
};

static void send_to(struct bench_rtp_source *source, const struct sockaddr_in *to,
                    const uint8_t *buf, int len)
{
    if (sendto(source->fd, buf, (size_t)len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
        return; /* a full socket buffer loses the packet, as it would for any RTP sender */
    source->worker->meter.packets_sent++;
    source->worker->meter.bytes_sent += (uint64_t)len;
}

static gboolean tick_cb(gpointer data)
{
    struct bench_rtp_source *source = data;
    uint64_t now = prism_now_us();
    uint8_t buf[MAX_PACKET];
    int len;
    if (source->sends_audio)
        while ((len = bench_audio_next(&source->audio, now, buf, sizeof(buf))) > 0)
            send_to(source, &source->audio_to, buf, len);
    if (source->sends_video) {
        if (now >= source->next_keyframe_us) {
            if (source->next_keyframe_us)
                bench_video_request_keyframe(&source->video);
            source->next_keyframe_us = now + KEYFRAME_INTERVAL_US;
        }
        while ((len = bench_video_next(&source->video, now, buf, sizeof(buf))) > 0)
            send_to(source, &source->video_to, buf, len);
    }
    return G_SOURCE_CONTINUE;
}

static void start_job(void *data)
{
    struct bench_rtp_source *source = data;
    source->timer = g_timeout_source_new(TICK_MS);
    g_source_set_priority(source->timer, G_PRIORITY_HIGH);
    g_source_set_callback(source->timer, tick_cb, source, NULL);
    g_source_attach(source->timer, source->worker->context);
}

static void stop_job(void *data)
{
    struct bench_rtp_source *source = data;
    g_source_destroy(source->timer);
    g_source_unref(source->timer);
}

static void set_destination(struct sockaddr_in *to, uint16_t port)
{
    memset(to, 0, sizeof(*to));
    to->sin_family = AF_INET;
    to->sin_port = htons(port);
    to->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

int bench_rtp_source_start(struct bench_rtp_source **out, struct bench_worker *worker,
                           const struct bench_options *options, uint16_t audio_port,
                           uint16_t video_port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct bench_rtp_source *source = g_new0(struct bench_rtp_source, 1);
    source->worker = worker;
    source->fd = fd;
    source->sends_audio = options->audio && audio_port;
    source->sends_video = options->video && video_port;
    set_destination(&source->audio_to, audio_port);
    set_destination(&source->video_to, video_port);
    /* The publisher tag 0 is the broadcaster's, as for the other ingest paths. */
    struct bench_audio_params audio = {.ssrc = (uint32_t)prism_random_id(),
                                       .payload_type = AUDIO_PT,
                                       .payload_size = options->audio_bytes};
    struct bench_video_params video = {.ssrc = (uint32_t)prism_random_id(),
                                       .payload_type = VIDEO_PT,
                                       .bitrate = options->video_bitrate,
                                       .fps = options->video_fps,
                                       .max_payload = options->video_mtu};
    bench_audio_init(&source->audio, &audio);
    bench_video_init(&source->video, &video);
    prism_worker_run_sync(worker->worker, start_job, source);
    *out = source;
    return 0;
}

void bench_rtp_source_stop(struct bench_rtp_source *source)
{
    if (!source)
        return;
    prism_worker_run_sync(source->worker->worker, stop_job, source);
    close(source->fd);
    g_free(source);
}
