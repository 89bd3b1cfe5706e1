/* The controller's own connection to the server, used for what is not a participant's job:
 * creating and destroying the bench's room or mountpoint. Requests block the controller thread (its
 * own GMainContext is iterated until the answer arrives). */
#ifndef PRISM_BENCH_SCENARIO_CONTROL_H
#define PRISM_BENCH_SCENARIO_CONTROL_H

#include <glib.h>
#include <stdbool.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct bench_control;

/* Connects, creates a session and attaches janus.plugin.videoroom. Returns 0 or -errno. */
int bench_control_open(struct bench_control **out, const char *url, char *error, size_t error_size);
/* Creates a room for `publishers` publishers with a random id. Returns 0 or -errno. */
int bench_control_create_room(struct bench_control *control, unsigned publishers, uint64_t *room_id,
                              char *error, size_t error_size);
int bench_control_destroy_room(struct bench_control *control, uint64_t room_id);
/* The id of a publisher in the room (the first listparticipants names), for Janus API viewers
 * of a broadcaster that did not join through the API (WHIP). Returns 0 or -errno. */
int bench_control_first_publisher(struct bench_control *control, uint64_t room_id, uint64_t *feed);

/* Streaming (a janus.plugin.streaming handle is attached on first use): creates an RTP
 * mountpoint with a random id and the streams asked for, and reads back its ports. */
int bench_control_create_mountpoint(struct bench_control *control, bool audio, bool video,
                                    uint64_t *id, uint16_t *audio_port, uint16_t *video_port,
                                    char *error, size_t error_size);
/* The ports of an existing mountpoint (from "info"). */
int bench_control_mountpoint_ports(struct bench_control *control, uint64_t id, uint16_t *audio_port,
                                   uint16_t *video_port, char *error, size_t error_size);
int bench_control_destroy_mountpoint(struct bench_control *control, uint64_t id);
void bench_control_close(struct bench_control *control);

/* Runs the controller's context for `ms` milliseconds (its connection's events included). */
void bench_control_pump(struct bench_control *control, unsigned ms);

#endif
