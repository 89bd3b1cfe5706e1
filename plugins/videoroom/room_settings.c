/* A room's settings with Janus VideoRoom's names, types and defaults: read from a "create"
 * body or a room of the config file, and written back as such a body for the config file. */
#include "plugins/videoroom/room_internal.h"

#include "core/ids.h"
#include "plugins/videoroom/videoroom.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct prism_param_codes vr_param_codes = {PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT,
                                                 PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT};

static const struct prism_param setting_params[] = {
    {"description", PRISM_PARAM_STRING, 0},
    {"secret", PRISM_PARAM_STRING, 0},
    {"pin", PRISM_PARAM_STRING, 0},
    {"is_private", PRISM_PARAM_BOOLEAN, 0},
    {"allowed", PRISM_PARAM_ARRAY, 0},
    {"publishers", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"bitrate", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"bitrate_cap", PRISM_PARAM_BOOLEAN, 0},
    {"fir_freq", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"audiocodec", PRISM_PARAM_STRING, 0},
    {"videocodec", PRISM_PARAM_STRING, 0},
    {"h264_profile", PRISM_PARAM_STRING, 0},
    {"vp9_profile", PRISM_PARAM_STRING, 0},
    {"opus_fec", PRISM_PARAM_BOOLEAN, 0},
    {"opus_dtx", PRISM_PARAM_BOOLEAN, 0},
    {"audiolevel_ext", PRISM_PARAM_BOOLEAN, 0},
    {"audiolevel_event", PRISM_PARAM_BOOLEAN, 0},
    {"videoorient_ext", PRISM_PARAM_BOOLEAN, 0},
    {"playoutdelay_ext", PRISM_PARAM_BOOLEAN, 0},
    {"transport_wide_cc_ext", PRISM_PARAM_BOOLEAN, 0},
    {"audio_active_packets", PRISM_PARAM_INTEGER, PRISM_PARAM_POSITIVE},
    {"audio_level_average", PRISM_PARAM_INTEGER, PRISM_PARAM_POSITIVE},
    {"notify_joining", PRISM_PARAM_BOOLEAN, 0},
    {"require_pvtid", PRISM_PARAM_BOOLEAN, 0},
    {"record", PRISM_PARAM_BOOLEAN, 0},
    {"spread_subscribers", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"max_subscribers", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
};

struct codec_name {
    const char *name; /* as Janus spells it in audiocodec/videocodec */
    enum prism_sdp_codec_id id;
};

static const struct codec_name audio_codecs[] = {
    {"opus", PRISM_SDP_CODEC_OPUS},
    {"g722", PRISM_SDP_CODEC_G722},
    {"pcmu", PRISM_SDP_CODEC_PCMU},
    {"pcma", PRISM_SDP_CODEC_PCMA},
};

static const struct codec_name video_codecs[] = {
    {"vp8", PRISM_SDP_CODEC_VP8},
    {"vp9", PRISM_SDP_CODEC_VP9},
    {"h264", PRISM_SDP_CODEC_H264},
    {"av1", PRISM_SDP_CODEC_AV1},
};

struct vr_room *vr_room_new(void)
{
    struct vr_room *room = calloc(1, sizeof(*room));
    if (!room)
        return NULL;
    atomic_init(&room->refs, 1);
    g_mutex_init(&room->lock);
    room->allowed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    room->max_publishers = VR_DEFAULT_PUBLISHERS;
    room->audiocodecs[0] = PRISM_SDP_CODEC_OPUS;
    room->audiocodec_count = 1;
    room->videocodecs[0] = PRISM_SDP_CODEC_VP8;
    room->videocodec_count = 1;
    room->opus_fec = true;
    room->audiolevel_ext = true;
    room->videoorient_ext = true;
    room->playoutdelay_ext = true;
    room->transport_wide_cc_ext = true;
    room->audio_active_packets = VR_DEFAULT_AUDIO_ACTIVE_PACKETS;
    room->audio_level_average = VR_DEFAULT_AUDIO_LEVEL_AVERAGE;
    room->spread_subscribers = VR_DEFAULT_SPREAD_SUBSCRIBERS;
    room->max_subscribers = vr_rooms_default_max_subscribers();
    atomic_init(&room->subscriber_count, 0);
    room->publishers = g_hash_table_new(prism_id_hash, prism_id_equal);
    room->subscribers = g_ptr_array_new();
    room->remote_subscribers = g_ptr_array_new();
    atomic_init(&room->participant_count, 0);
    return room;
}

bool vr_room_setting_known(const char *name)
{
    if (strcmp(name, "room") == 0)
        return true;
    for (size_t i = 0; i < PRISM_PARAMS_COUNT(setting_params); i++) {
        if (strcmp(name, setting_params[i].name) == 0)
            return true;
    }
    return false;
}

int vr_params_check_range(json_t *body, const char *name, long long min, long long max,
                          char *reason, size_t size)
{
    json_t *value = json_object_get(body, name);
    if (!value)
        return 0;
    json_int_t number = json_integer_value(value);
    if (number >= min && number <= max)
        return 0;
    snprintf(reason, size, "Invalid value (%s should be between %lld and %lld)", name, min, max);
    return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
}

uint32_t vr_room_bitrate_floor(uint32_t bitrate)
{
    return bitrate > 0 && bitrate < VR_MIN_BITRATE ? VR_MIN_BITRATE : bitrate;
}

/* Parses "vp8, h264" against `table`: every name known, duplicates dropped, order kept. */
static int parse_codecs(const char *text, const struct codec_name *table, size_t table_size,
                        enum prism_sdp_codec_id *out, unsigned *count)
{
    char **names = g_strsplit(text, ",", -1);
    int rc = 0;
    *count = 0;
    for (char **name = names; *name && rc == 0; name++) {
        g_strstrip(*name);
        size_t i = 0;
        while (i < table_size && strcasecmp(*name, table[i].name) != 0)
            i++;
        if (i == table_size) {
            rc = -1;
            break;
        }
        bool seen = false;
        for (unsigned j = 0; j < *count; j++)
            seen = seen || out[j] == table[i].id;
        if (!seen && *count < VR_MAX_CODECS)
            out[(*count)++] = table[i].id;
    }
    g_strfreev(names);
    return rc == 0 && *count > 0 ? 0 : -1;
}

static const char *codec_name(enum prism_sdp_codec_id id)
{
    for (size_t i = 0; i < G_N_ELEMENTS(audio_codecs); i++) {
        if (audio_codecs[i].id == id)
            return audio_codecs[i].name;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(video_codecs); i++) {
        if (video_codecs[i].id == id)
            return video_codecs[i].name;
    }
    return "unknown";
}

void vr_room_codecs_format(const enum prism_sdp_codec_id *codecs, unsigned count, char *out,
                           size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (unsigned c = 0; c < count && used < size; c++) {
        int n = snprintf(out + used, size - used, "%s%s", c ? "," : "", codec_name(codecs[c]));
        used += n > 0 ? (size_t)n : 0;
    }
}

/* Parsed values that need checking beyond their JSON type, before anything is applied. */
struct parsed_settings {
    enum prism_sdp_codec_id audio[VR_MAX_CODECS], video[VR_MAX_CODECS];
    unsigned audio_count, video_count;
};

/* h264_profile: a profile-level-id (6 hexadecimal digits); vp9_profile: a profile-id, 0-3. */
static int check_profiles(json_t *settings, char *reason, size_t size)
{
    const char *h264 = json_string_value(json_object_get(settings, "h264_profile"));
    bool h264_ok = !h264 || !h264[0] || strlen(h264) == 6;
    for (size_t i = 0; h264_ok && h264 && h264[i]; i++)
        h264_ok = g_ascii_isxdigit(h264[i]);
    if (!h264_ok) {
        snprintf(reason, size,
                 "Invalid element (h264_profile should be a profile-level-id such "
                 "as 42e01f)");
        return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    }
    const char *vp9 = json_string_value(json_object_get(settings, "vp9_profile"));
    if (vp9 && vp9[0] && (strlen(vp9) != 1 || vp9[0] < '0' || vp9[0] > '3')) {
        snprintf(reason, size, "Invalid element (vp9_profile should be 0, 1, 2 or 3)");
        return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    }
    return 0;
}

static int check_values(json_t *settings, struct parsed_settings *parsed, char *reason, size_t size)
{
    static const struct {
        const char *name;
        long long max;
    } ranges[] = {
        {"publishers", INT_MAX},      {"bitrate", UINT32_MAX},
        {"fir_freq", UINT16_MAX},     {"audio_active_packets", INT_MAX},
        {"audio_level_average", 127}, {"spread_subscribers", INT_MAX},
        {"max_subscribers", INT_MAX},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ranges); i++) {
        int code = vr_params_check_range(settings, ranges[i].name, 0, ranges[i].max, reason, size);
        if (code)
            return code;
    }
    json_t *allowed = json_object_get(settings, "allowed");
    for (size_t i = 0; i < json_array_size(allowed); i++) {
        if (!json_is_string(json_array_get(allowed, i))) {
            snprintf(reason, size, "Invalid element in the allowed array (not a string)");
            return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
        }
    }
    if (json_is_true(json_object_get(settings, "record"))) {
        snprintf(reason, size, "Invalid element (recording is not supported by this server)");
        return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    }
    const char *audio = json_string_value(json_object_get(settings, "audiocodec"));
    parsed->audio[0] = PRISM_SDP_CODEC_OPUS;
    parsed->audio_count = 1;
    if (audio && parse_codecs(audio, audio_codecs, G_N_ELEMENTS(audio_codecs), parsed->audio,
                              &parsed->audio_count) < 0) {
        snprintf(reason, size,
                 "Invalid element (audiocodec can only be or contain opus, g722, pcmu or pcma)");
        return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    }
    const char *video = json_string_value(json_object_get(settings, "videocodec"));
    parsed->video[0] = PRISM_SDP_CODEC_VP8;
    parsed->video_count = 1;
    if (video && parse_codecs(video, video_codecs, G_N_ELEMENTS(video_codecs), parsed->video,
                              &parsed->video_count) < 0) {
        snprintf(reason, size,
                 "Invalid element (videocodec can only be or contain vp8, vp9, h264 or av1)");
        return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    }
    return check_profiles(settings, reason, size);
}

static void apply_bool(json_t *settings, const char *name, bool *field)
{
    json_t *value = json_object_get(settings, name);
    if (value)
        *field = json_is_true(value);
}

static void apply_unsigned(json_t *settings, const char *name, unsigned *field)
{
    json_t *value = json_object_get(settings, name);
    if (value)
        *field = (unsigned)json_integer_value(value);
}

static char *nonempty_copy(json_t *settings, const char *name)
{
    const char *text = json_string_value(json_object_get(settings, name));
    return text && text[0] ? g_strdup(text) : NULL;
}

int vr_room_settings_apply(struct vr_room *room, json_t *settings, char *reason, size_t size)
{
    struct parsed_settings parsed;
    int code = prism_params_validate(settings, setting_params, PRISM_PARAMS_COUNT(setting_params),
                                     &vr_param_codes, reason, size);
    if (!code)
        code = check_values(settings, &parsed, reason, size);
    if (code)
        return code;
    /* Janus: an empty description means the default one, an empty secret or pin none. */
    g_free(room->description);
    room->description = nonempty_copy(settings, "description");
    g_free(room->secret);
    room->secret = nonempty_copy(settings, "secret");
    g_free(room->pin);
    room->pin = nonempty_copy(settings, "pin");
    apply_bool(settings, "is_private", &room->is_private);
    json_t *allowed = json_object_get(settings, "allowed");
    if (allowed) {
        room->check_allowed = true;
        for (size_t i = 0; i < json_array_size(allowed); i++)
            g_hash_table_add(room->allowed,
                             g_strdup(json_string_value(json_array_get(allowed, i))));
    }
    apply_unsigned(settings, "publishers", &room->max_publishers);
    json_t *bitrate = json_object_get(settings, "bitrate");
    if (bitrate)
        room->bitrate = vr_room_bitrate_floor((uint32_t)json_integer_value(bitrate));
    apply_bool(settings, "bitrate_cap", &room->bitrate_cap);
    apply_unsigned(settings, "fir_freq", &room->fir_freq);
    memcpy(room->audiocodecs, parsed.audio, sizeof(parsed.audio));
    room->audiocodec_count = parsed.audio_count;
    memcpy(room->videocodecs, parsed.video, sizeof(parsed.video));
    room->videocodec_count = parsed.video_count;
    const char *h264 = json_string_value(json_object_get(settings, "h264_profile"));
    if (h264)
        g_strlcpy(room->h264_profile, h264, sizeof(room->h264_profile));
    const char *vp9 = json_string_value(json_object_get(settings, "vp9_profile"));
    if (vp9)
        g_strlcpy(room->vp9_profile, vp9, sizeof(room->vp9_profile));
    apply_bool(settings, "opus_fec", &room->opus_fec);
    bool has_opus = false;
    for (unsigned i = 0; i < room->audiocodec_count; i++)
        has_opus = has_opus || room->audiocodecs[i] == PRISM_SDP_CODEC_OPUS;
    room->opus_fec = room->opus_fec && has_opus; /* in-band FEC is Opus's */
    apply_bool(settings, "opus_dtx", &room->opus_dtx);
    room->opus_dtx = room->opus_dtx && has_opus;
    apply_bool(settings, "audiolevel_ext", &room->audiolevel_ext);
    apply_bool(settings, "audiolevel_event", &room->audiolevel_event);
    apply_bool(settings, "videoorient_ext", &room->videoorient_ext);
    apply_bool(settings, "playoutdelay_ext", &room->playoutdelay_ext);
    apply_bool(settings, "transport_wide_cc_ext", &room->transport_wide_cc_ext);
    apply_unsigned(settings, "audio_active_packets", &room->audio_active_packets);
    apply_unsigned(settings, "audio_level_average", &room->audio_level_average);
    apply_bool(settings, "notify_joining", &room->notify_joining);
    apply_bool(settings, "require_pvtid", &room->require_pvtid);
    apply_unsigned(settings, "spread_subscribers", &room->spread_subscribers);
    apply_unsigned(settings, "max_subscribers", &room->max_subscribers);
    return 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, so that replies and the config file are stable. */
json_t *vr_room_allowed_json(struct vr_room *room)
{
    guint count = 0;
    gpointer *tokens = g_hash_table_get_keys_as_array(room->allowed, &count);
    qsort(tokens, count, sizeof(*tokens), compare_strings);
    json_t *array = json_array();
    for (guint i = 0; i < count; i++)
        json_array_append_new(array, json_string(tokens[i]));
    g_free(tokens);
    return array;
}

static void set_if(json_t *object, bool differs, const char *name, json_t *value)
{
    if (differs)
        json_object_set_new(object, name, value);
    else
        json_decref(value);
}

json_t *vr_room_settings_to_json(struct vr_room *room)
{
    char audio[64], video[64];
    vr_room_codecs_format(room->audiocodecs, room->audiocodec_count, audio, sizeof(audio));
    vr_room_codecs_format(room->videocodecs, room->videocodec_count, video, sizeof(video));
    json_t *out = json_pack("{s:I, s:s}", "room", (json_int_t)room->id, "description",
                            room->description ? room->description : "");
    set_if(out, room->secret, "secret", json_string(room->secret ? room->secret : ""));
    set_if(out, room->pin, "pin", json_string(room->pin ? room->pin : ""));
    set_if(out, room->is_private, "is_private", json_true());
    set_if(out, room->check_allowed, "allowed", vr_room_allowed_json(room));
    set_if(out, room->max_publishers != VR_DEFAULT_PUBLISHERS, "publishers",
           json_integer(room->max_publishers));
    set_if(out, room->bitrate, "bitrate", json_integer(room->bitrate));
    set_if(out, room->bitrate_cap, "bitrate_cap", json_true());
    set_if(out, room->fir_freq, "fir_freq", json_integer(room->fir_freq));
    set_if(out, strcmp(audio, "opus") != 0, "audiocodec", json_string(audio));
    set_if(out, strcmp(video, "vp8") != 0, "videocodec", json_string(video));
    set_if(out, room->h264_profile[0], "h264_profile", json_string(room->h264_profile));
    set_if(out, room->vp9_profile[0], "vp9_profile", json_string(room->vp9_profile));
    set_if(out, !room->opus_fec, "opus_fec", json_false());
    set_if(out, room->opus_dtx, "opus_dtx", json_true());
    set_if(out, !room->audiolevel_ext, "audiolevel_ext", json_false());
    set_if(out, room->audiolevel_event, "audiolevel_event", json_true());
    set_if(out, !room->videoorient_ext, "videoorient_ext", json_false());
    set_if(out, !room->playoutdelay_ext, "playoutdelay_ext", json_false());
    set_if(out, !room->transport_wide_cc_ext, "transport_wide_cc_ext", json_false());
    set_if(out, room->audio_active_packets != VR_DEFAULT_AUDIO_ACTIVE_PACKETS,
           "audio_active_packets", json_integer(room->audio_active_packets));
    set_if(out, room->audio_level_average != VR_DEFAULT_AUDIO_LEVEL_AVERAGE, "audio_level_average",
           json_integer(room->audio_level_average));
    set_if(out, room->notify_joining, "notify_joining", json_true());
    set_if(out, room->require_pvtid, "require_pvtid", json_true());
    set_if(out, room->spread_subscribers != VR_DEFAULT_SPREAD_SUBSCRIBERS, "spread_subscribers",
           json_integer(room->spread_subscribers));
    set_if(out, room->max_subscribers != vr_rooms_default_max_subscribers(), "max_subscribers",
           json_integer(room->max_subscribers));
    return out;
}
