/* Validation of a mountpoint's "media" array (see media_spec.h). */
#include "plugins/streaming/media_spec.h"

#include "core/params.h"
#include "plugins/streaming/streaming.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct prism_param stream_params[] = {
    {"type", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"mid", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED | PRISM_PARAM_NONEMPTY},
    {"label", PRISM_PARAM_STRING, 0},
    {"port", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_UNSIGNED},
    {"pt", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"codec", PRISM_PARAM_STRING, 0},
    {"rtpmap", PRISM_PARAM_STRING, 0},
    {"fmtp", PRISM_PARAM_STRING, 0},
    {"datatype", PRISM_PARAM_STRING, 0},
};

/* A codec named without an rtpmap gets the clock rate and channels every client expects. */
struct known_codec {
    const char *name; /* as written in SDP */
    enum prism_sdp_media_kind kind;
    uint32_t clock_rate;
    uint8_t channels;
};

static const struct known_codec known_codecs[] = {
    {"opus", PRISM_SDP_MEDIA_AUDIO, 48000, 2}, {"PCMU", PRISM_SDP_MEDIA_AUDIO, 8000, 0},
    {"PCMA", PRISM_SDP_MEDIA_AUDIO, 8000, 0},  {"G722", PRISM_SDP_MEDIA_AUDIO, 8000, 0},
    {"VP8", PRISM_SDP_MEDIA_VIDEO, 90000, 0},  {"VP9", PRISM_SDP_MEDIA_VIDEO, 90000, 0},
    {"H264", PRISM_SDP_MEDIA_VIDEO, 90000, 0}, {"AV1", PRISM_SDP_MEDIA_VIDEO, 90000, 0},
};

static const struct known_codec *find_codec(const char *name)
{
    for (size_t i = 0; i < sizeof(known_codecs) / sizeof(known_codecs[0]); i++) {
        if (g_ascii_strcasecmp(known_codecs[i].name, name) == 0)
            return &known_codecs[i];
    }
    return NULL;
}

static bool is_token(const char *text)
{
    for (const char *c = text; *c; c++) {
        if (!g_ascii_isalnum(*c) && !strchr("-_.+", *c))
            return false;
    }
    return true;
}

int st_rtpmap_parse(const char *rtpmap, struct prism_sdp_codec *codec)
{
    char name[PRISM_SDP_TOKEN_LEN + 1];
    const char *slash = strchr(rtpmap, '/');
    if (!slash || slash == rtpmap || (size_t)(slash - rtpmap) > PRISM_SDP_TOKEN_LEN)
        return -EINVAL;
    memcpy(name, rtpmap, (size_t)(slash - rtpmap));
    name[slash - rtpmap] = '\0';
    if (!is_token(name))
        return -EINVAL;
    char *end;
    unsigned long rate = strtoul(slash + 1, &end, 10);
    if (end == slash + 1 || rate == 0 || rate > 1000000)
        return -EINVAL;
    unsigned long channels = 0;
    if (*end == '/') {
        const char *start = end + 1;
        channels = strtoul(start, &end, 10);
        if (end == start || channels == 0 || channels > 8)
            return -EINVAL;
    }
    if (*end != '\0')
        return -EINVAL;
    g_strlcpy(codec->name, name, sizeof(codec->name));
    codec->id = prism_sdp_codec_id_from_name(name);
    codec->clock_rate = (uint32_t)rate;
    codec->channels = (uint8_t)channels;
    return 0;
}

static int invalid(char *reason, size_t size, const char *text, unsigned index)
{
    snprintf(reason, size, "Invalid element (media[%u]: %s)", index, text);
    return -PRISM_STREAMING_ERROR_INVALID_ELEMENT;
}

/* Fills the codec of one stream from its codec/rtpmap/pt/fmtp members. */
static int parse_codec(const json_t *entry, struct st_stream_spec *spec, unsigned index,
                       char *reason, size_t size)
{
    const char *name = json_string_value(json_object_get(entry, "codec"));
    const char *rtpmap = json_string_value(json_object_get(entry, "rtpmap"));
    const char *fmtp = json_string_value(json_object_get(entry, "fmtp"));
    if (!json_object_get(entry, "pt")) {
        snprintf(reason, size, "Missing mandatory element (media[%u].pt)", index);
        return -PRISM_STREAMING_ERROR_MISSING_ELEMENT;
    }
    json_int_t pt = json_integer_value(json_object_get(entry, "pt"));
    if (pt > 127)
        return invalid(reason, size, "pt must be 0-127", index);
    struct prism_sdp_codec codec = {.pt = (uint8_t)pt};
    if (rtpmap && st_rtpmap_parse(rtpmap, &codec) < 0)
        return invalid(reason, size, "rtpmap must be like VP8/90000 or opus/48000/2", index);
    if (!rtpmap) {
        if (!name) {
            snprintf(reason, size, "Missing mandatory element (media[%u].codec)", index);
            return -PRISM_STREAMING_ERROR_MISSING_ELEMENT;
        }
        const struct known_codec *known = find_codec(name);
        if (!known)
            return invalid(reason, size, "unknown codec; give an rtpmap", index);
        g_strlcpy(codec.name, known->name, sizeof(codec.name));
        codec.id = prism_sdp_codec_id_from_name(known->name);
        codec.clock_rate = known->clock_rate;
        codec.channels = known->channels;
    }
    const struct known_codec *known = find_codec(codec.name);
    if (!known || known->kind != spec->kind)
        return invalid(reason, size, "codec unknown or not of this type", index);
    if (fmtp && strlen(fmtp) > PRISM_SDP_FMTP_LEN)
        return invalid(reason, size, "fmtp too long", index);
    if (fmtp && strpbrk(fmtp, "\r\n"))
        return invalid(reason, size, "fmtp must be one line", index);
    if (fmtp)
        g_strlcpy(codec.fmtp, fmtp, sizeof(codec.fmtp));
    spec->codec = codec;
    return 0;
}

static int parse_stream(const json_t *entry, struct st_stream_spec *spec, unsigned index,
                        char *reason, size_t size)
{
    static const struct prism_param_codes codes = {PRISM_STREAMING_ERROR_MISSING_ELEMENT,
                                                   PRISM_STREAMING_ERROR_INVALID_ELEMENT};
    if (!json_is_object(entry))
        return invalid(reason, size, "each stream must be an object", index);
    int code = prism_params_validate(entry, stream_params, PRISM_PARAMS_COUNT(stream_params),
                                     &codes, reason, size);
    if (code)
        return -code;
    const char *type = json_string_value(json_object_get(entry, "type"));
    if (strcmp(type, "audio") == 0)
        spec->kind = PRISM_SDP_MEDIA_AUDIO;
    else if (strcmp(type, "video") == 0)
        spec->kind = PRISM_SDP_MEDIA_VIDEO;
    else if (strcmp(type, "data") == 0)
        spec->kind = PRISM_SDP_MEDIA_APPLICATION;
    else
        return invalid(reason, size, "type must be audio, video or data", index);
    const char *mid = json_string_value(json_object_get(entry, "mid"));
    if (strlen(mid) > ST_MID_LEN || !is_token(mid))
        return invalid(reason, size, "mid must be a short token", index);
    g_strlcpy(spec->mid, mid, sizeof(spec->mid));
    const char *label = json_string_value(json_object_get(entry, "label"));
    g_strlcpy(spec->label, label ? label : mid, sizeof(spec->label));
    json_int_t port = json_integer_value(json_object_get(entry, "port"));
    if (port > 65535)
        return invalid(reason, size, "port must be 0-65535", index);
    spec->port = (uint16_t)port;
    if (spec->kind != PRISM_SDP_MEDIA_APPLICATION)
        return parse_codec(entry, spec, index, reason, size);
    const char *datatype = json_string_value(json_object_get(entry, "datatype"));
    if (datatype && strcmp(datatype, "text") != 0 && strcmp(datatype, "binary") != 0)
        return invalid(reason, size, "datatype must be text or binary", index);
    spec->binary = datatype && strcmp(datatype, "binary") == 0;
    return 0;
}

int st_media_spec_parse(const json_t *media, struct st_stream_spec out[ST_MAX_STREAMS],
                        char *reason, size_t reason_size)
{
    if (!json_is_array(media) || json_array_size(media) == 0 ||
        json_array_size(media) > ST_MAX_STREAMS) {
        snprintf(reason, reason_size, "Invalid element (media must be an array of 1 to %d streams)",
                 ST_MAX_STREAMS);
        return -PRISM_STREAMING_ERROR_INVALID_ELEMENT;
    }
    struct st_stream_spec specs[ST_MAX_STREAMS];
    memset(specs, 0, sizeof(specs));
    unsigned count = (unsigned)json_array_size(media);
    for (unsigned i = 0; i < count; i++) {
        int rc = parse_stream(json_array_get(media, i), &specs[i], i, reason, reason_size);
        if (rc < 0)
            return rc;
        for (unsigned j = 0; j < i; j++) {
            if (strcmp(specs[j].mid, specs[i].mid) == 0)
                return invalid(reason, reason_size, "mid already used", i);
            if (specs[i].port && specs[j].port == specs[i].port)
                return invalid(reason, reason_size, "port already used", i);
            if (specs[i].kind == PRISM_SDP_MEDIA_APPLICATION &&
                specs[j].kind == PRISM_SDP_MEDIA_APPLICATION)
                return invalid(reason, reason_size, "only one data stream", i);
        }
    }
    memcpy(out, specs, sizeof(specs[0]) * count);
    return (int)count;
}

void st_codec_rtpmap(const struct prism_sdp_codec *codec, char *out, size_t size)
{
    if (codec->channels)
        snprintf(out, size, "%s/%u/%u", codec->name, codec->clock_rate, codec->channels);
    else
        snprintf(out, size, "%s/%u", codec->name, codec->clock_rate);
}

json_t *st_media_spec_to_json(const struct st_stream_spec *spec)
{
    json_t *entry = json_object();
    bool data = spec->kind == PRISM_SDP_MEDIA_APPLICATION;
    json_object_set_new(entry, "type",
                        json_string(data                                  ? "data"
                                    : spec->kind == PRISM_SDP_MEDIA_VIDEO ? "video"
                                                                          : "audio"));
    json_object_set_new(entry, "mid", json_string(spec->mid));
    json_object_set_new(entry, "label", json_string(spec->label));
    json_object_set_new(entry, "port", json_integer(spec->port));
    if (data) {
        json_object_set_new(entry, "datatype", json_string(spec->binary ? "binary" : "text"));
        return entry;
    }
    const struct prism_sdp_codec *codec = &spec->codec;
    json_object_set_new(entry, "pt", json_integer(codec->pt));
    char rtpmap[PRISM_SDP_TOKEN_LEN + 32];
    st_codec_rtpmap(codec, rtpmap, sizeof(rtpmap));
    json_object_set_new(entry, "rtpmap", json_string(rtpmap));
    if (codec->fmtp[0])
        json_object_set_new(entry, "fmtp", json_string(codec->fmtp));
    return entry;
}
