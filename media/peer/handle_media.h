/* The PeerConnection of an API handle: created on the handle's worker when the first SDP
 * arrives, its events turned into Janus events ("trickle", "webrtcup", "media", "slowlink",
 * "hangup") and into the plugin's media callbacks. Everything here runs on the handle's
 * worker. */
#ifndef PRISM_MEDIA_PEER_HANDLE_MEDIA_H
#define PRISM_MEDIA_PEER_HANDLE_MEDIA_H

#include "media/peer/peer.h"

#include <jansson.h>

struct prism_handle;

/* Sets the process-wide peer environment, once at start-up before any handle gets media
 * (NULL: no media; SDP is then refused with error 465). */
void prism_handle_media_set_env(const struct prism_peer_env *env);

/* PeerConnections of API handles by state, for the metrics page (any thread). */
enum prism_pc_state {
    PRISM_PC_NONE,       /* no PeerConnection: not counted */
    PRISM_PC_CONNECTING, /* created, ICE/DTLS not done yet */
    PRISM_PC_CONNECTED,  /* DTLS done (webrtcup) */
    PRISM_PC_CLOSED,     /* ended, not freed yet */
    PRISM_PC_STATE_COUNT
};
void prism_handle_media_pc_counts(unsigned counts[PRISM_PC_STATE_COUNT]);
/* PeerConnections refused because their session had general.max_peers_per_session already
 * (any thread). */
uint64_t prism_handle_media_peers_refused(void);

/* Applies a JSEP from a "message" request, before the plugin sees it: an offer is checked and
 * applied to the handle's PeerConnection (created if needed). Returns 0, or a Janus error code
 * (465 invalid SDP, 469 unexpected answer) with `reason` filled. */
int prism_handle_media_apply_jsep(struct prism_handle *handle, json_t *jsep, char *reason,
                                  size_t reason_size);

/* A "trickle" request's candidate object ({"candidate","sdpMid","sdpMLineIndex"} or
 * {"completed":true}). Candidates arriving before the offer are kept until it comes. */
void prism_handle_media_trickle(struct prism_handle *handle, json_t *candidate);

/* Ends the PeerConnection, if any: the plugin's hangup_media runs and the client gets
 * "hangup" with `reason` when media had been set up. The handle can negotiate again after. */
void prism_handle_media_hangup(struct prism_handle *handle, const char *reason);

/* The handle is being detached: like hangup, then the media state is freed. */
void prism_handle_media_free(struct prism_handle *handle, const char *reason);

/* The handle's PeerConnection, or NULL. */
struct prism_peer *prism_handle_peer(struct prism_handle *handle);

/* For plugins: makes an offer with these m-lines (a subscriber's streams), creating the
 * PeerConnection (ICE controlling) if needed. Returns a new JSEP {"type":"offer","sdp"} or NULL
 * with `reason`. The client's answer comes back as a "message" jsep and is applied by
 * prism_handle_media_apply_jsep. */
json_t *prism_handle_media_offer(struct prism_handle *handle,
                                 const struct prism_peer_offer_media *media, size_t count,
                                 char *reason, size_t reason_size);

/* For plugins: answers the offer applied last, with `options` as the plugin narrowed them
 * (start from prism_sdp_answer_options_init). Returns a new JSEP object {"type":"answer",
 * "sdp"} or NULL with `reason` filled. */
json_t *prism_handle_media_answer(struct prism_handle *handle,
                                  struct prism_sdp_answer_options *options, char *reason,
                                  size_t reason_size);

#endif
