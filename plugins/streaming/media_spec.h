/* The "media" array of a Streaming "create" request (or of a mountpoint in the config file):
 * validated and turned into stream descriptions. Sans-IO: JSON in, structs or an error out. */
#ifndef PRISM_PLUGINS_STREAMING_MEDIA_SPEC_H
#define PRISM_PLUGINS_STREAMING_MEDIA_SPEC_H

#include "media/sdp/sdp.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_MAX_STREAMS 8
#define ST_MID_LEN 31
#define ST_LABEL_LEN 63

/* One stream of a mountpoint as asked for. */
struct st_stream_spec {
    enum prism_sdp_media_kind kind; /* audio, video or application (data) */
    char mid[ST_MID_LEN + 1];
    char label[ST_LABEL_LEN + 1];
    uint16_t port;                /* 0: any free port, reported after binding */
    struct prism_sdp_codec codec; /* audio and video: pt, name, clock rate, channels, fmtp */
    bool binary;                  /* data: relayed as binary messages ("datatype") */
};

/* Parses `media` (a JSON array of stream objects: type, mid, port, pt, codec or rtpmap, fmtp,
 * label; a data stream has only type, mid, label, port and datatype, at most one of them). Returns
 * the number of streams (1..ST_MAX_STREAMS), or a negative Janus-style error code (-453 missing
 * element, -454 invalid element) with `reason` filled. `out` is written only on success. */
int st_media_spec_parse(const json_t *media, struct st_stream_spec out[ST_MAX_STREAMS],
                        char *reason, size_t reason_size);

/* The codec as an rtpmap value, "VP8/90000" or "opus/48000/2" (st_rtpmap_parse reads it). */
void st_codec_rtpmap(const struct prism_sdp_codec *codec, char *out, size_t size);

/* One stream as a "media" entry that st_media_spec_parse reads back as `spec` (the codec as
 * an rtpmap, the port as bound): for the config file's "permanent" mountpoints. */
json_t *st_media_spec_to_json(const struct st_stream_spec *spec);

/* Parses an rtpmap value "VP8/90000" or "opus/48000/2" into `codec` (name, id, clock rate,
 * channels). Returns 0 or -EINVAL. */
int st_rtpmap_parse(const char *rtpmap, struct prism_sdp_codec *codec);

#endif
