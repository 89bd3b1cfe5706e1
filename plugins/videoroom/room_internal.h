/* Private to the VideoRoom's room files (rooms.c, room_settings.c, room_file.c,
 * room_requests.c): settings parsing and writing, the config file's state, shared checks. */
#ifndef PRISM_PLUGINS_VIDEOROOM_ROOM_INTERNAL_H
#define PRISM_PLUGINS_VIDEOROOM_ROOM_INTERNAL_H

#include "core/params.h"
#include "plugins/videoroom/room.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VR_CONFIG_FILE "prism.plugin.videoroom.jcfg"

/* Janus's defaults for a new room. */
#define VR_DEFAULT_PUBLISHERS 3
#define VR_DEFAULT_AUDIO_ACTIVE_PACKETS 100
#define VR_DEFAULT_AUDIO_LEVEL_AVERAGE 25
/* Subscribers a room keeps on its own worker before it places new ones on the least-loaded
 * worker and relays its publishers' packets there (Prism's own setting). */
#define VR_DEFAULT_SPREAD_SUBSCRIBERS 100
/* Janus raises a bitrate cap below this (but not 0) to it. */
#define VR_MIN_BITRATE 64000

/* Validation codes of every VideoRoom request: 429 missing, 430 invalid. */
extern const struct prism_param_codes vr_param_codes;

/* A room with Janus's defaults, one reference, no id, worker or description yet. */
struct vr_room *vr_room_new(void);

/* Checks every room setting of `settings` (a "create" body or a room of the config file),
 * then applies them to `room`, which nobody else sees yet. Members that are not settings are
 * ignored. Returns 0, or 429/430 with `reason` and the room untouched. */
int vr_room_settings_apply(struct vr_room *room, json_t *settings, char *reason, size_t size);

/* True when `name` is a room setting (or "room"): the config file accepts nothing else. */
bool vr_room_setting_known(const char *name);

/* The room as a "create" body: room, description, then the settings that differ from the
 * defaults. Caller holds room->lock (or nobody else sees the room). New reference. */
json_t *vr_room_settings_to_json(struct vr_room *room);

/* The room's allowed tokens, sorted. Caller holds room->lock. New reference. */
json_t *vr_room_allowed_json(struct vr_room *room);

/* "opus,pcmu": Janus's names for a codec list, comma-separated. */
void vr_room_codecs_format(const enum prism_sdp_codec_id *codecs, unsigned count, char *out,
                           size_t size);

/* Janus keeps a nonzero bitrate cap at VR_MIN_BITRATE or above. */
uint32_t vr_room_bitrate_floor(uint32_t bitrate);

/* When `name` is present (its type already checked as an integer), checks min <= value <= max.
 * Returns 0, or 430 with `reason`. */
int vr_params_check_range(json_t *body, const char *name, long long min, long long max,
                          char *reason, size_t size);

/* Removes `room` itself from the registry (not another room that took its id meanwhile).
 * True when it was there: the registry's reference then passes to the caller. */
bool vr_rooms_remove_exact(struct vr_room *room);

/* Compares without an early exit, so the time taken does not tell how much of `given`
 * matched `expected`. */
bool vr_secret_equal(const char *expected, const char *given);

/* The config file (room_file.c). Any thread; these serialise on the file's own lock. */
/* True when vr_rooms_load_config saw a config directory, so rooms can be made permanent. */
bool vr_room_file_available(void);
/* The configured admin_key, or NULL when none is needed. Fixed after vr_rooms_load_config. */
const char *vr_rooms_admin_key(void);
/* The admin_key rtp_forward and stop_rtp_forward must carry: the configured admin_key when
 * lock_rtp_forward is on (Janus), else NULL. Fixed after vr_rooms_load_config. */
const char *vr_rooms_rtp_forward_key(void);
/* Puts the room `id` with `settings` (stolen; NULL removes it) in the file's room list and
 * rewrites the file atomically. Returns 0, -ENOENT without a config directory, or -errno
 * (the file and the list are then unchanged). */
int vr_room_file_store(uint64_t id, json_t *settings);
/* Forgets the file's state (vr_rooms_shutdown). */
void vr_room_file_reset(void);

#endif
