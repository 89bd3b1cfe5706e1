/* The VideoRoom's synchronous requests about rooms themselves (create, edit, exists, list,
 * allowed, and the settings side of destroy), plus the room checks the participant requests
 * share (room lookup with its secret, join's pin and token).
 *
 * Each vr_request_<name> takes the request body (borrowed; it has already been checked to be
 * an object with a "request" string) and returns the reply's plugin data, a new reference:
 * Janus's success object, or {"videoroom":"event","error_code":N,"error":"..."}. They may run
 * on any thread: they only take the registry's, a room's and the config file's locks, never
 * touch participants, and block only while a "permanent" request rewrites the config file. */
#ifndef PRISM_PLUGINS_VIDEOROOM_ROOM_REQUESTS_H
#define PRISM_PLUGINS_VIDEOROOM_ROOM_REQUESTS_H

#include "plugins/videoroom/room.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct prism_handle;

/* {"videoroom":"event","error_code":code,"error":reason}. */
json_t *vr_error_event(int code, const char *reason);

/* Finds the room of body's "room" (a positive integer; 429/430 otherwise, with a clear reason
 * for Janus's string ids, which Prism does not support) and, with `check_secret`, checks
 * body's "secret" against the room's as Janus does: 429 when missing, 430 when not a string,
 * 433 when wrong. Returns 0 with a new reference in *out, or the error code with `reason`
 * (426 "No such room (<id>)"). For kick, moderate, listparticipants, join. */
int vr_room_access(json_t *body, bool check_secret, struct vr_room **out, char *reason,
                   size_t reason_size);

/* Join's checks, after vr_room_access: body's "pin" (429/430/433 as for the secret), then
 * body's "token" when the room checks tokens (433 "Unauthorized (not in the allowed list)").
 * Returns 0 or the error code with `reason`. */
int vr_room_check_join(struct vr_room *room, json_t *body, char *reason, size_t reason_size);

/* create: {"videoroom":"created","room":id,"permanent":bool}. Needs "admin_key" when one is
 * configured; "permanent": true also writes the room to the config file. */
json_t *vr_request_create(struct prism_handle *handle, json_t *body);
/* edit (new_description, new_secret, new_pin, new_is_private, new_require_pvtid,
 * new_bitrate, new_fir_freq, new_publishers; secret when the room has one):
 * {"videoroom":"edited","room":id,"permanent":bool}. */
json_t *vr_request_edit(struct prism_handle *handle, json_t *body);
/* exists: {"videoroom":"success","room":id,"exists":bool}. */
json_t *vr_request_exists(struct prism_handle *handle, json_t *body);
/* list: {"videoroom":"success","list":[...]}, public rooms by id (private ones too with the
 * right admin_key), each with Janus's fields and "num_participants". */
json_t *vr_request_list(struct prism_handle *handle, json_t *body);
/* The "list" answer: every room, the private ones too when `show_private`. */
json_t *vr_list_rooms(bool show_private);
/* allowed (action enable|disable|add|remove, "allowed" tokens, secret):
 * {"videoroom":"success","room":id,"allowed":[...]} ("allowed" left out for disable). */
json_t *vr_request_allowed(struct prism_handle *handle, json_t *body);

/* destroy, settings side: checks the body and the room's secret, removes the room from the
 * registry (nobody finds it any more) and, with "permanent": true, from the config file.
 * Returns 0 with the registry's reference in *removed and whether the file was rewritten in
 * *permanent, or an error code with `reason` (nothing changed). The caller then ends the
 * room's participants on its worker (setting room->destroyed and sending them
 * {"videoroom":"destroyed","room":id}), answers with vr_destroyed_reply and drops *removed. */
int vr_room_destroy_checked(struct prism_handle *handle, json_t *body, struct vr_room **removed,
                            bool *permanent, char *reason, size_t reason_size);
/* {"videoroom":"destroyed","room":id,"permanent":bool}. */
json_t *vr_destroyed_reply(uint64_t room_id, bool permanent);

#endif
