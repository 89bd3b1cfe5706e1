/* The broadcaster of `--ingest rtp`: what ffmpeg, GStreamer's udpsink or a VideoRoom RTP
 * forwarder sends a streaming mountpoint. Plain RTP by UDP to the mountpoint's audio and video
 * ports on 127.0.0.1, from the bench's synthetic Opus and VP8 (with the send stamps, so the
 * viewers measure latency as for the other paths), paced by its own 5 ms timer on a bench
 * worker. Nothing comes back on plain RTP, so PLIs cannot reach it: like an encoder with a
 * fixed keyframe interval it sends a keyframe every KEYFRAME_INTERVAL (rtp_source.c). */
#ifndef PRISM_BENCH_SCENARIO_RTP_SOURCE_H
#define PRISM_BENCH_SCENARIO_RTP_SOURCE_H

#include "bench/lib/run/workers.h"
#include "bench/lib/scenario/options.h"

#include <stdint.h>

struct bench_rtp_source;

/* Starts sending on `worker` (controller thread; waits until it runs). A port of 0 sends no
 * media of that kind. Returns 0 or -errno. */
int bench_rtp_source_start(struct bench_rtp_source **out, struct bench_worker *worker,
                           const struct bench_options *options, uint16_t audio_port,
                           uint16_t video_port);
/* Stops sending and frees it (controller thread). */
void bench_rtp_source_stop(struct bench_rtp_source *source);

#endif
