/* The bench mountpoint's create request and the ports in the answers. */
#include "bench/lib/scenario/mountpoint_reply.h"

#include <errno.h>
#include <string.h>

json_t *bench_mountpoint_create_body(uint64_t id, bool audio, bool video)
{
    json_t *media = json_array();
    if (audio)
        json_array_append_new(media, json_pack("{s:s,s:s,s:i,s:i,s:s}", "type", "audio", "mid", "a",
                                               "port", 0, "pt", 111, "codec", "opus"));
    if (video)
        json_array_append_new(media, json_pack("{s:s,s:s,s:i,s:i,s:s}", "type", "video", "mid", "v",
                                               "port", 0, "pt", 96, "codec", "vp8"));
    return json_pack("{s:s,s:s,s:I,s:s,s:s,s:b,s:o}", "request", "create", "type", "rtp", "id",
                     (json_int_t)id, "name", "prism-bench", "description", "prism-bench",
                     "permanent", 0, "media", media);
}

/* A port value: an integer in 1..65535, else 0. */
static uint16_t port_of(json_t *value)
{
    json_int_t port = json_is_integer(value) ? json_integer_value(value) : 0;
    return port > 0 && port <= 65535 ? (uint16_t)port : 0;
}

/* The first entry of kind audio/video in an array of {type, port} objects. */
static void ports_from_array(json_t *entries, uint16_t *audio_port, uint16_t *video_port)
{
    size_t i;
    json_t *entry;
    json_array_foreach(entries, i, entry)
    {
        const char *type = json_string_value(json_object_get(entry, "type"));
        uint16_t port = port_of(json_object_get(entry, "port"));
        if (!type || !port)
            continue;
        if (strcmp(type, "audio") == 0 && !*audio_port)
            *audio_port = port;
        else if (strcmp(type, "video") == 0 && !*video_port)
            *video_port = port;
    }
}

int bench_mountpoint_ports(json_t *data, uint16_t *audio_port, uint16_t *video_port)
{
    uint16_t audio = 0, video = 0;
    json_t *stream = json_object_get(data, "stream");
    json_t *info = json_object_get(data, "info");
    if (json_is_object(stream)) {
        ports_from_array(json_object_get(stream, "ports"), &audio, &video);
        if (!audio)
            audio = port_of(json_object_get(stream, "audio_port"));
        if (!video)
            video = port_of(json_object_get(stream, "video_port"));
    } else if (json_is_object(info)) {
        ports_from_array(json_object_get(info, "media"), &audio, &video);
    }
    if (!audio && !video)
        return -EINVAL;
    *audio_port = audio;
    *video_port = video;
    return 0;
}
