/* The sans-IO side of `--ingest rtp`'s mountpoint: the streaming "create" request the bench
 * sends (Janus 1.x shape, accepted by Prism and Janus alike) and the RTP ports read back from
 * its answer or from an "info" answer. */
#ifndef PRISM_BENCH_SCENARIO_MOUNTPOINT_REPLY_H
#define PRISM_BENCH_SCENARIO_MOUNTPOINT_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* {"request":"create","type":"rtp","id":id,...,"media":[Opus audio mid "a", VP8 video mid
 * "v"], each with port 0 (the server picks one)}: the streams `audio`/`video` ask for. */
json_t *bench_mountpoint_create_body(uint64_t id, bool audio, bool video);

/* The audio and video ports in the plugin data of a "created" answer (stream.ports[] of
 * Janus 1.x and Prism, or the older stream.audio_port/video_port) or of an "info" answer
 * (info.media[].port). A kind not found is 0. Returns 0, or -EINVAL when neither was found. */
int bench_mountpoint_ports(json_t *data, uint16_t *audio_port, uint16_t *video_port);

#endif
