/* The VideoRoom's synchronous room requests: create, edit, exists, destroy's settings side,
 * and the room lookup and secret/pin/token checks other requests share. list and allowed are
 * in room_list.c. */
#include "plugins/videoroom/room_requests.h"

#include "core/log.h"
#include "plugins/videoroom/room_internal.h"
#include "plugins/videoroom/videoroom.h"

#include <limits.h>
#include <stdio.h>

json_t *vr_error_event(int code, const char *reason)
{
    return json_pack("{s:s, s:i, s:s}", "videoroom", "event", "error_code", code, "error", reason);
}

/* Reads body's "room" with `flags` (create lets it be absent or 0: pick one). */
static int room_id_param(json_t *body, unsigned flags, uint64_t *id, char *reason, size_t size)
{
    if (json_is_string(json_object_get(body, "room"))) {
        snprintf(reason, size,
                 "Invalid element type (room should be a positive integer: string room ids are "
                 "not supported)");
        return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    }
    const struct prism_param param = {"room", PRISM_PARAM_INTEGER, flags};
    int code = prism_params_validate(body, &param, 1, &vr_param_codes, reason, size);
    if (code == 0)
        *id = (uint64_t)json_integer_value(json_object_get(body, "room"));
    return code;
}

/* Why a secret, pin or admin key check failed, as Janus words it. */
static int key_error(json_t *body, const char *member, char *reason, size_t size)
{
    json_t *value = json_object_get(body, member);
    if (!value) {
        snprintf(reason, size, "Missing mandatory element (%s)", member);
        return PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT;
    }
    if (!json_is_string(value)) {
        snprintf(reason, size, "Invalid element type (%s should be a string)", member);
        return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    }
    snprintf(reason, size, "Unauthorized (wrong %s)", member);
    return PRISM_VIDEOROOM_ERROR_UNAUTHORIZED;
}

static const char *string_member(json_t *body, const char *member)
{
    return json_string_value(json_object_get(body, member));
}

int vr_room_access(json_t *body, bool check_secret, struct vr_room **out, char *reason,
                   size_t reason_size)
{
    uint64_t id = 0;
    unsigned flags = PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE;
    int code = room_id_param(body, flags, &id, reason, reason_size);
    if (code)
        return code;
    struct vr_room *room = vr_rooms_find(id);
    if (!room) {
        snprintf(reason, reason_size, "No such room (%" G_GUINT64_FORMAT ")", id);
        return PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM;
    }
    if (check_secret && !vr_room_check_secret(room, string_member(body, "secret"))) {
        vr_room_unref(room);
        return key_error(body, "secret", reason, reason_size);
    }
    *out = room;
    return 0;
}

int vr_room_check_join(struct vr_room *room, json_t *body, char *reason, size_t reason_size)
{
    if (!vr_room_check_pin(room, string_member(body, "pin")))
        return key_error(body, "pin", reason, reason_size);
    if (!vr_room_check_token(room, string_member(body, "token"))) {
        snprintf(reason, reason_size, "Unauthorized (not in the allowed list)");
        return PRISM_VIDEOROOM_ERROR_UNAUTHORIZED;
    }
    return 0;
}

/* Validates the request's own members after "room"; returns 0 or the code with `reason`. */
static int validate(json_t *body, const struct prism_param *params, size_t count, char *reason,
                    size_t size)
{
    return prism_params_validate(body, params, count, &vr_param_codes, reason, size);
}

/* A "permanent" request needs a config directory to write to (Janus: 499). */
static int check_permanent(json_t *body, const char *what, char *reason, size_t size)
{
    if (!json_is_true(json_object_get(body, "permanent")) || vr_room_file_available())
        return 0;
    snprintf(reason, size, "No configuration file, can't %s", what);
    return PRISM_VIDEOROOM_ERROR_UNKNOWN;
}

/* Writes the room's current settings to the config file; true when that worked. */
static bool save_room(struct vr_room *room)
{
    g_mutex_lock(&room->lock);
    json_t *settings = vr_room_settings_to_json(room);
    g_mutex_unlock(&room->lock);
    bool saved = vr_room_file_store(room->id, settings) == 0;
    g_mutex_lock(&room->lock);
    room->permanent = room->permanent || saved;
    g_mutex_unlock(&room->lock);
    return saved;
}

static int check_admin_key(json_t *body, char *reason, size_t size)
{
    const char *key = vr_rooms_admin_key();
    const char *given = string_member(body, "admin_key");
    if (!key || (given && vr_secret_equal(key, given)))
        return 0;
    return key_error(body, "admin_key", reason, size);
}

json_t *vr_request_create(struct prism_handle *handle, json_t *body)
{
    static const struct prism_param params[] = {
        {"permanent", PRISM_PARAM_BOOLEAN, 0},
        {"admin_key", PRISM_PARAM_STRING, 0},
    };
    char reason[256];
    uint64_t id = 0;
    int code = room_id_param(body, PRISM_PARAM_UNSIGNED, &id, reason, sizeof(reason));
    if (!code)
        code = validate(body, params, PRISM_PARAMS_COUNT(params), reason, sizeof(reason));
    if (!code)
        code = check_admin_key(body, reason, sizeof(reason));
    if (!code)
        code = check_permanent(body, "create permanent room", reason, sizeof(reason));
    struct vr_room *room = NULL;
    if (!code)
        code = vr_rooms_create_limited(id, body, vr_rooms_max_rooms(), &room, reason,
                                       sizeof(reason));
    if (code)
        return vr_error_event(code, reason);
    bool permanent = json_is_true(json_object_get(body, "permanent")) && save_room(room);
    prism_verbose("videoroom", "room %" G_GUINT64_FORMAT " created%s", room->id,
                  permanent ? " (permanent)" : "");
    json_t *reply = json_pack("{s:s, s:I, s:b}", "videoroom", "created", "room",
                              (json_int_t)room->id, "permanent", permanent);
    vr_room_unref(room);
    return reply;
}

static const struct prism_param edit_params[] = {
    {"secret", PRISM_PARAM_STRING, 0},
    {"new_description", PRISM_PARAM_STRING, 0},
    {"new_secret", PRISM_PARAM_STRING, 0},
    {"new_pin", PRISM_PARAM_STRING, 0},
    {"new_is_private", PRISM_PARAM_BOOLEAN, 0},
    {"new_require_pvtid", PRISM_PARAM_BOOLEAN, 0},
    {"new_bitrate", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"new_fir_freq", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"new_publishers", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"permanent", PRISM_PARAM_BOOLEAN, 0},
};

static int check_edit(json_t *body, char *reason, size_t size)
{
    int code = validate(body, edit_params, PRISM_PARAMS_COUNT(edit_params), reason, size);
    if (!code)
        code = vr_params_check_range(body, "new_bitrate", 0, UINT32_MAX, reason, size);
    if (!code)
        code = vr_params_check_range(body, "new_fir_freq", 0, UINT16_MAX, reason, size);
    if (!code)
        code = vr_params_check_range(body, "new_publishers", 0, INT_MAX, reason, size);
    if (!code)
        code = check_permanent(body, "edit room permanently", reason, size);
    return code;
}

/* Janus: an empty new_description, new_secret or new_pin leaves the old one. */
static void replace_text(char **field, json_t *body, const char *member)
{
    const char *text = string_member(body, member);
    if (text && text[0]) {
        g_free(*field);
        *field = g_strdup(text);
    }
}

static void apply_edit(struct vr_room *room, json_t *body)
{
    json_t *value;
    g_mutex_lock(&room->lock);
    replace_text(&room->description, body, "new_description");
    replace_text(&room->secret, body, "new_secret");
    replace_text(&room->pin, body, "new_pin");
    if ((value = json_object_get(body, "new_is_private")))
        room->is_private = json_is_true(value);
    if ((value = json_object_get(body, "new_require_pvtid")))
        room->require_pvtid = json_is_true(value);
    if ((value = json_object_get(body, "new_bitrate")))
        room->bitrate = vr_room_bitrate_floor((uint32_t)json_integer_value(value));
    if ((value = json_object_get(body, "new_fir_freq")))
        room->fir_freq = (unsigned)json_integer_value(value);
    if ((value = json_object_get(body, "new_publishers")))
        room->max_publishers = (unsigned)json_integer_value(value);
    g_mutex_unlock(&room->lock);
}

json_t *vr_request_edit(struct prism_handle *handle, json_t *body)
{
    char reason[256];
    struct vr_room *room = NULL;
    uint64_t id = 0;
    int code = room_id_param(body, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE, &id, reason,
                             sizeof(reason));
    if (!code)
        code = check_edit(body, reason, sizeof(reason));
    if (!code)
        code = vr_room_access(body, true, &room, reason, sizeof(reason));
    if (code)
        return vr_error_event(code, reason);
    apply_edit(room, body);
    bool permanent = json_is_true(json_object_get(body, "permanent")) && save_room(room);
    json_t *reply = json_pack("{s:s, s:I, s:b}", "videoroom", "edited", "room", (json_int_t)id,
                              "permanent", permanent);
    vr_room_unref(room);
    return reply;
}

json_t *vr_request_exists(struct prism_handle *handle, json_t *body)
{
    char reason[256];
    uint64_t id = 0;
    int code = room_id_param(body, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE, &id, reason,
                             sizeof(reason));
    if (code)
        return vr_error_event(code, reason);
    struct vr_room *room = vr_rooms_find(id);
    vr_room_unref(room);
    return json_pack("{s:s, s:I, s:b}", "videoroom", "success", "room", (json_int_t)id, "exists",
                     room != NULL);
}

int vr_room_destroy_checked(struct prism_handle *handle, json_t *body, struct vr_room **removed,
                            bool *permanent, char *reason, size_t reason_size)
{
    static const struct prism_param params[] = {
        {"secret", PRISM_PARAM_STRING, 0},
        {"permanent", PRISM_PARAM_BOOLEAN, 0},
    };
    struct vr_room *room = NULL;
    uint64_t id = 0;
    int code = room_id_param(body, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE, &id, reason,
                             reason_size);
    if (!code)
        code = validate(body, params, PRISM_PARAMS_COUNT(params), reason, reason_size);
    if (!code)
        code = check_permanent(body, "destroy room permanently", reason, reason_size);
    if (!code)
        code = vr_room_access(body, true, &room, reason, reason_size);
    if (code)
        return code;
    if (!vr_rooms_remove_exact(room)) { /* another destroy got there first */
        vr_room_unref(room);
        snprintf(reason, reason_size, "No such room (%" G_GUINT64_FORMAT ")", id);
        return PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM;
    }
    vr_room_unref(room); /* the access reference; the registry's passes to the caller */
    bool saved = json_is_true(json_object_get(body, "permanent")) &&
                 vr_room_file_store(id, NULL) == 0;
    if (saved) {
        g_mutex_lock(&room->lock);
        room->permanent = false;
        g_mutex_unlock(&room->lock);
    }
    prism_verbose("videoroom", "room %" G_GUINT64_FORMAT " destroyed%s", id,
                  saved ? " (permanently)" : "");
    *removed = room;
    *permanent = saved;
    return 0;
}

json_t *vr_destroyed_reply(uint64_t room_id, bool permanent)
{
    return json_pack("{s:s, s:I, s:b}", "videoroom", "destroyed", "room", (json_int_t)room_id,
                     "permanent", permanent);
}
