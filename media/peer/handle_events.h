/* What a handle's PeerConnection tells the event webhook (core/events.h), in Janus's event
 * handler shapes: connection up and down (type webrtc), media starting and stopping, slow
 * links and periodic statistics (type media), and the SDP exchanged (type jsep). Each does
 * nothing unless an event queue wants that type. Worker thread of the handle. */
#ifndef PRISM_MEDIA_PEER_HANDLE_EVENTS_H
#define PRISM_MEDIA_PEER_HANDLE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

struct prism_handle;
struct prism_peer;

void handle_events_connection(struct prism_handle *handle, const char *state, const char *reason);
void handle_events_media(struct prism_handle *handle, const char *mid, bool video, bool receiving);
void handle_events_slowlink(struct prism_handle *handle, const char *mid, bool video, bool uplink,
                            unsigned lost);
void handle_events_jsep(struct prism_handle *handle, const char *owner, const char *type,
                        const char *sdp);
/* One statistics event for the PeerConnection: its m-lines and its counters. */
void handle_events_stats(struct prism_handle *handle, const struct prism_peer *peer);

/* How often statistics are sent (0: never); set once at start. */
void handle_events_set_stats_period(uint64_t period_us);
uint64_t handle_events_stats_period(void);

#endif
