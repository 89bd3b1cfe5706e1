/* The VideoRoom's "list" and "allowed" requests: rooms as Janus lists them, and a room's
 * list of tokens allowed to join. */
#include "plugins/videoroom/room_requests.h"

#include "plugins/videoroom/room_internal.h"
#include "plugins/videoroom/videoroom.h"

#include <stdio.h>
#include <strings.h>

/* One room as Janus 1.x lists it. Recording, end-to-end encryption and dummy publishers are
 * not offered, so they are always false; the header extensions Janus lists as options are
 * always negotiated here. Caller holds room->lock. */
static json_t *list_entry(struct vr_room *room)
{
    char audio[64], video[64];
    vr_room_codecs_format(room->audiocodecs, room->audiocodec_count, audio, sizeof(audio));
    vr_room_codecs_format(room->videocodecs, room->videocodec_count, video, sizeof(video));
    json_t *entry = json_pack(
        "{s:I, s:s, s:b, s:b, s:I, s:I, s:I, s:b, s:b, s:b, s:b, s:s, s:s, s:b, s:b, s:I, s:b, "
        "s:b, s:b, s:b, s:b}",
        "room", (json_int_t)room->id, "description", room->description, "pin_required",
        room->pin != NULL, "is_private", room->is_private, "max_publishers",
        (json_int_t)room->max_publishers, "bitrate", (json_int_t)room->bitrate, "fir_freq",
        (json_int_t)room->fir_freq, "require_pvtid", room->require_pvtid, "require_e2ee", 0,
        "dummy_publisher", 0, "notify_joining", room->notify_joining, "audiocodec", audio,
        "videocodec", video, "record", 0, "lock_record", 0, "num_participants",
        (json_int_t)atomic_load(&room->participant_count), "audiolevel_ext", room->audiolevel_ext,
        "audiolevel_event", room->audiolevel_event, "videoorient_ext", room->videoorient_ext,
        "playoutdelay_ext", room->playoutdelay_ext, "transport_wide_cc_ext",
        room->transport_wide_cc_ext);
    /* Janus adds these only when they apply. */
    if (room->bitrate_cap)
        json_object_set_new(entry, "bitrate_cap", json_true());
    if (room->opus_fec)
        json_object_set_new(entry, "opus_fec", json_true());
    if (room->opus_dtx)
        json_object_set_new(entry, "opus_dtx", json_true());
    if (room->h264_profile[0])
        json_object_set_new(entry, "h264_profile", json_string(room->h264_profile));
    if (room->vp9_profile[0])
        json_object_set_new(entry, "vp9_profile", json_string(room->vp9_profile));
    if (room->audiolevel_event) {
        json_object_set_new(entry, "audio_active_packets",
                            json_integer(room->audio_active_packets));
        json_object_set_new(entry, "audio_level_average", json_integer(room->audio_level_average));
    }
    return entry;
}

static void collect_cb(struct vr_room *room, void *data)
{
    g_ptr_array_add(data, vr_room_ref(room));
}

static gint by_id(gconstpointer a, gconstpointer b)
{
    const struct vr_room *x = *(struct vr_room *const *)a, *y = *(struct vr_room *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* With the configured admin_key, list shows private rooms too (Janus 1.x). Returns 0, or
 * 433 when a key is given and wrong. */
static int check_list_key(json_t *body, bool *show_private, char *reason, size_t size)
{
    const char *key = vr_rooms_admin_key();
    const char *given = json_string_value(json_object_get(body, "admin_key"));
    *show_private = false;
    if (!key || !given || !given[0])
        return 0;
    if (!vr_secret_equal(key, given)) {
        snprintf(reason, size, "Unauthorized (wrong admin_key)");
        return PRISM_VIDEOROOM_ERROR_UNAUTHORIZED;
    }
    *show_private = true;
    return 0;
}

json_t *vr_request_list(struct prism_handle *handle, json_t *body)
{
    static const struct prism_param params[] = {{"admin_key", PRISM_PARAM_STRING, 0}};
    char reason[256];
    bool show_private;
    int code = prism_params_validate(body, params, PRISM_PARAMS_COUNT(params), &vr_param_codes,
                                     reason, sizeof(reason));
    if (!code)
        code = check_list_key(body, &show_private, reason, sizeof(reason));
    if (code)
        return vr_error_event(code, reason);
    return vr_list_rooms(show_private);
}

json_t *vr_list_rooms(bool show_private)
{
    /* Entries are built outside the registry lock, which list must not hold for long. */
    GPtrArray *rooms = g_ptr_array_new_with_free_func((GDestroyNotify)vr_room_unref);
    vr_rooms_foreach(collect_cb, rooms);
    g_ptr_array_sort(rooms, by_id);
    json_t *list = json_array();
    for (guint i = 0; i < rooms->len; i++) {
        struct vr_room *room = g_ptr_array_index(rooms, i);
        g_mutex_lock(&room->lock);
        if (!room->is_private || show_private)
            json_array_append_new(list, list_entry(room));
        g_mutex_unlock(&room->lock);
    }
    g_ptr_array_free(rooms, TRUE);
    return json_pack("{s:s, s:o}", "videoroom", "success", "list", list);
}

enum allowed_action { ALLOWED_ENABLE, ALLOWED_DISABLE, ALLOWED_ADD, ALLOWED_REMOVE };

static int check_allowed_request(json_t *body, enum allowed_action *action, char *reason,
                                 size_t size)
{
    static const struct prism_param params[] = {
        {"secret", PRISM_PARAM_STRING, 0},
        {"action", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
        {"allowed", PRISM_PARAM_ARRAY, 0},
    };
    static const char *const names[] = {"enable", "disable", "add", "remove"};
    int code = prism_params_validate(body, params, PRISM_PARAMS_COUNT(params), &vr_param_codes,
                                     reason, size);
    if (code)
        return code;
    const char *text = json_string_value(json_object_get(body, "action"));
    size_t i = 0;
    while (i < G_N_ELEMENTS(names) && strcasecmp(text, names[i]) != 0)
        i++;
    if (i == G_N_ELEMENTS(names)) {
        snprintf(reason, size, "Unsupported action '%s' (allowed)", text);
        return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    }
    *action = (enum allowed_action)i;
    json_t *allowed = json_object_get(body, "allowed");
    for (size_t t = 0; t < json_array_size(allowed); t++) {
        if (!json_is_string(json_array_get(allowed, t))) {
            snprintf(reason, size, "Invalid element in the allowed array (not a string)");
            return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
        }
    }
    return 0;
}

/* Applies the action and returns the reply. Caller holds room->lock. */
static json_t *apply_allowed(struct vr_room *room, enum allowed_action action, json_t *tokens)
{
    if (action == ALLOWED_ENABLE || action == ALLOWED_DISABLE)
        room->check_allowed = action == ALLOWED_ENABLE;
    for (size_t i = 0; action >= ALLOWED_ADD && i < json_array_size(tokens); i++) {
        const char *token = json_string_value(json_array_get(tokens, i));
        if (action == ALLOWED_ADD)
            g_hash_table_add(room->allowed, g_strdup(token));
        else
            g_hash_table_remove(room->allowed, token);
    }
    json_t *reply = json_pack("{s:s, s:I}", "videoroom", "success", "room", (json_int_t)room->id);
    if (action != ALLOWED_DISABLE)
        json_object_set_new(reply, "allowed", vr_room_allowed_json(room));
    return reply;
}

json_t *vr_request_allowed(struct prism_handle *handle, json_t *body)
{
    char reason[256];
    enum allowed_action action = ALLOWED_ENABLE;
    struct vr_room *room = NULL;
    int code = check_allowed_request(body, &action, reason, sizeof(reason));
    if (!code)
        code = vr_room_access(body, true, &room, reason, sizeof(reason));
    if (code)
        return vr_error_event(code, reason);
    g_mutex_lock(&room->lock);
    json_t *reply = apply_allowed(room, action, json_object_get(body, "allowed"));
    g_mutex_unlock(&room->lock);
    vr_room_unref(room);
    return reply;
}
