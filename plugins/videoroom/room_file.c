/* The VideoRoom's config file, prism.plugin.videoroom.jcfg: its rooms are created at start,
 * and "permanent" requests rewrite it. The file is regenerated whole (a fixed header, the
 * "videoroom" settings the file set, the rooms list) and replaced atomically, like Janus's
 * janus_config_save but without ever leaving a half-written file behind. */
#include "plugins/videoroom/room_internal.h"

#include "core/config.h"
#include "core/config_json.h"
#include "core/config_write.h"
#include "core/log.h"
#include "plugins/videoroom/videoroom.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The file's state, guarded by file_lock. What it lists is kept apart from the registry, as
 * Janus does: a room destroyed or edited without "permanent" stays as the file says. */
static GMutex file_lock;
static char *file_path;       /* NULL: no config directory, nothing can be permanent */
static char *admin_key;       /* NULL: "create" needs none */
static bool lock_rtp_forward; /* forwarding requests need admin_key too */
static GTree *file_rooms;     /* uint64_t id -> json_t room settings (owned) */
static json_t *file_settings; /* "videoroom" members the file sets, key -> value */

/* The start of the file, kept verbatim on every rewrite (the shipped file starts with it). */
static const char file_header[] =
    "# Prism VideoRoom plugin (janus.plugin.videoroom): rooms where participants publish\n"
    "# their media once and subscribe to the others' (libconfig syntax).\n"
    "#\n"
    "# Every setting of the \"videoroom\" section is listed with its default value, commented\n"
    "# out: remove the '#' in front of a setting to change it. Each one can also be given by\n"
    "# an environment variable PRISM_VIDEOROOM_<KEY> (e.g. PRISM_VIDEOROOM_ADMIN_KEY=...),\n"
    "# which wins over this file. See prism.jcfg.\n"
    "#\n"
    "# The \"rooms\" list holds the rooms that exist when Prism starts. Each is a group with\n"
    "# the settings of a Janus VideoRoom \"create\" request, of which only \"room\" is needed:\n"
    "#   room = <unique positive integer; write ids above 2147483647 with an L suffix>\n"
    "#   description = \"<name shown by list>\" (default \"Room <id>\")\n"
    "#   secret = \"<needed to edit or destroy the room>\" (default none)\n"
    "#   pin = \"<needed to join the room>\" (default none)\n"
    "#   is_private = true|false (left out of list; default false)\n"
    "#   allowed = [ \"<token>\", ... ] (only these tokens may join; default anyone)\n"
    "#   publishers = <most publishers at once> (default 3)\n"
    "#   bitrate = <bits/s cap for publishers, at least 64000; 0 = none> (default 0)\n"
    "#   bitrate_cap = true|false (publishers may not raise their bitrate; default false)\n"
    "#   fir_freq = <seconds between keyframe requests; 0 = none> (default 0)\n"
    "#   audiocodec = \"<opus, g722, pcmu, pcma, or a list such as opus,pcmu>\" (default opus)\n"
    "#   videocodec = \"<vp8, vp9, h264, av1, or a list such as vp8,h264>\" (default vp8)\n"
    "#   h264_profile = \"<profile-level-id preferred for H.264, e.g. 42e01f>\" (default: the\n"
    "#     first one a publisher offers)\n"
    "#   vp9_profile = \"<profile-id preferred for VP9, 0 to 3>\" (default: the first one "
    "offered)\n"
    "#   opus_fec = true|false (Opus in-band FEC; default true)\n"
    "#   opus_dtx = true|false (Opus discontinuous transmission; default false)\n"
    "#   audiolevel_ext = true|false (new publishers negotiate the audio level RTP extension;\n"
    "#     without it there are no talking events; default true)\n"
    "#   videoorient_ext = true|false (new publishers negotiate video orientation; default "
    "true)\n"
    "#   playoutdelay_ext = true|false (new publishers negotiate playout delay; default true)\n"
    "#   transport_wide_cc_ext = true|false (new publishers negotiate transport-wide CC and\n"
    "#     get its feedback; default true)\n"
    "#   audiolevel_event = true|false (\"talking\" events; default false)\n"
    "#   audio_active_packets = <packets per talking decision> (default 100)\n"
    "#   audio_level_average = <talking threshold, 1 to 127; 127 = silence> (default 25)\n"
    "#   notify_joining = true|false (announce every participant who joins; default false)\n"
    "#   require_pvtid = true|false (subscribers must give a private_id; default false)\n"
    "#   spread_subscribers = <subscribers kept on the room's worker; the next ones go to the\n"
    "#     least-loaded worker, fed through the relay; 0 = never spread> (default 100)\n"
    "#   max_subscribers = <most subscribers at once, WHEP viewers included; 0 = unlimited>\n"
    "#     (default: the max_subscribers setting below)\n"
    "#\n"
    "# Prism rewrites this file when a create, edit or destroy request has \"permanent\": true.\n"
    "# It then writes this header, the settings below and the rooms list anew: other comments\n"
    "# are not kept.\n";

void vr_room_file_reset(void)
{
    g_mutex_lock(&file_lock);
    g_clear_pointer(&file_path, g_free);
    g_clear_pointer(&admin_key, g_free);
    lock_rtp_forward = false;
    vr_rooms_set_limits(0, 0);
    g_clear_pointer(&file_rooms, g_tree_destroy);
    g_clear_pointer(&file_settings, json_decref);
    g_mutex_unlock(&file_lock);
}

bool vr_room_file_available(void)
{
    g_mutex_lock(&file_lock);
    bool available = file_path != NULL;
    g_mutex_unlock(&file_lock);
    return available;
}

const char *vr_rooms_admin_key(void)
{
    return admin_key;
}

const char *vr_rooms_rtp_forward_key(void)
{
    return lock_rtp_forward ? admin_key : NULL;
}

/* Creates one room of the list. Returns 0 or -EINVAL with `error`. */
static int load_room(const config_setting_t *node, const char *path, char *error, size_t size)
{
    const char *where = config_setting_source_file(node) ? config_setting_source_file(node) : path;
    unsigned line = config_setting_source_line(node);
    if (!config_setting_is_group(node)) {
        snprintf(error, size, "%s:%u: each room must be a group: { room = 1234; ... }", where,
                 line);
        return -EINVAL;
    }
    json_t *settings = prism_config_node_to_json(node);
    int rc = 0;
    for (void *it = json_object_iter(settings); it && rc == 0;
         it = json_object_iter_next(settings, it)) {
        if (!vr_room_setting_known(json_object_iter_key(it))) {
            snprintf(error, size, "%s:%u: unknown room setting \"%s\"", where, line,
                     json_object_iter_key(it));
            rc = -EINVAL;
        }
    }
    json_t *id = json_object_get(settings, "room");
    if (rc == 0 && !(json_is_integer(id) && json_integer_value(id) > 0)) {
        snprintf(error, size, "%s:%u: each room needs \"room\", a positive integer", where, line);
        rc = -EINVAL;
    }
    char reason[256];
    struct vr_room *room = NULL;
    if (rc == 0 && vr_rooms_create((uint64_t)json_integer_value(id), settings, &room, reason,
                                   sizeof(reason)) != 0) {
        snprintf(error, size, "%s:%u: room %" JSON_INTEGER_FORMAT ": %s", where, line,
                 json_integer_value(id), reason);
        rc = -EINVAL;
    }
    json_decref(settings);
    if (rc < 0)
        return rc;
    g_mutex_lock(&room->lock);
    room->permanent = true;
    json_t *stored = vr_room_settings_to_json(room);
    g_mutex_unlock(&room->lock);
    g_tree_insert(file_rooms, g_memdup2(&room->id, sizeof(room->id)), stored);
    vr_room_unref(room);
    return 0;
}

static int load_rooms(const config_t *tree, const char *path, char *error, size_t size)
{
    const config_setting_t *rooms = config_lookup(tree, "rooms");
    if (!rooms)
        return 0;
    if (!config_setting_is_list(rooms)) {
        snprintf(error, size, "%s:%u: rooms must be a list: rooms = ( { room = 1234; ... } )", path,
                 config_setting_source_line(rooms));
        return -EINVAL;
    }
    for (int i = 0; i < config_setting_length(rooms); i++) {
        int rc = load_room(config_setting_get_elem(rooms, (unsigned)i), path, error, size);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int vr_rooms_load_config(const struct prism_config *config, char *error, size_t error_size)
{
    const char *key = prism_config_get_string(config, "videoroom", "admin_key");
    const char *path = prism_config_file_path(config, VR_CONFIG_FILE);
    const config_t *tree = prism_config_file(config, VR_CONFIG_FILE);
    g_mutex_lock(&file_lock);
    g_free(file_path);
    file_path = g_strdup(path);
    g_free(admin_key);
    admin_key = key[0] ? g_strdup(key) : NULL;
    lock_rtp_forward = prism_config_get_bool(config, "videoroom", "lock_rtp_forward");
    vr_rooms_set_limits((unsigned)prism_config_get_int(config, "videoroom", "max_rooms"),
                        (unsigned)prism_config_get_int(config, "videoroom", "max_subscribers"));
    if (file_rooms)
        g_tree_destroy(file_rooms);
    file_rooms = prism_config_entries_new();
    if (file_settings)
        json_decref(file_settings);
    file_settings = prism_config_section_values(tree, "videoroom");
    int rc = tree ? load_rooms(tree, path ? path : VR_CONFIG_FILE, error, error_size) : 0;
    g_mutex_unlock(&file_lock);
    return rc;
}

/* Rewrites the file from the state under file_lock; readers see the old file or the new one. */
static int write_file(void *unused)
{
    GString *out = g_string_new(file_header);
    prism_config_append_section(out, "videoroom", file_settings);
    prism_config_append_entries(out, "rooms", file_rooms);
    int rc = prism_config_replace_file(file_path, out->str, "videoroom");
    g_string_free(out, TRUE);
    return rc;
}

int vr_room_file_store(uint64_t id, json_t *settings)
{
    g_mutex_lock(&file_lock);
    if (!file_path || !file_rooms) {
        g_mutex_unlock(&file_lock);
        json_decref(settings);
        return -ENOENT;
    }
    int rc = prism_config_entries_change(file_rooms, id, settings, write_file, NULL);
    g_mutex_unlock(&file_lock);
    return rc;
}
