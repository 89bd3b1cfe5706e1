/* WHIP ingest (RFC 9725) into a VideoRoom and WHEP playback from one or from a streaming
 * mountpoint: each resource is an internal
 * API session with one janus.plugin.videoroom handle that joins the room as a publisher, driven
 * through the API engine exactly as a client would drive it (create, attach, joinandconfigure with
 * the offer, trickle, configure for an ICE restart, destroy). The VideoRoom logic is not
 * duplicated: the WHIP publisher is a VideoRoom publisher that janus.js and janode subscribers see.
 * A WHEP viewer is a VideoRoom subscriber that joins with the client's offer ("join" with a
 * jsep, see plugins/videoroom/viewer.c) and gets the answer; a mountpoint's WHEP viewer is a
 * janus.plugin.streaming viewer that sends "watch" with the client's offer
 * (plugins/streaming/viewer_offer.c).
 *
 * Threads: every function may be called from any thread; `done` callbacks run on whatever
 * thread finished the request (the caller's, a worker, or the tick's), exactly once. */
#ifndef PRISM_SIGNALING_WHIP_WHIP_H
#define PRISM_SIGNALING_WHIP_WHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_api;
struct prism_whip;

struct prism_whip_config {
    /* A resource whose ICE (and DTLS) has not completed this long after its answer is ended;
     * 0 takes the default, 30 s. */
    unsigned ice_timeout_s;
};

/* What to answer one HTTP request: status, body with its type, and the headers a WHIP
 * answer carries. Strings owned by the result (free with prism_whip_result_free). */
struct prism_whip_result {
    unsigned status;
    char *body;               /* SDP, sdpfrag or a JSON error; NULL for none */
    const char *content_type; /* static */
    char *location;           /* "/whip/resource/{id}" on 201 */
    char *etag;               /* on 201 and on an ICE restart's 200 */
};

void prism_whip_result_free(struct prism_whip_result *result);

/* An error result: a JSON body {"error": reason, "code": status}. */
struct prism_whip_result *prism_whip_error_result(unsigned status, const char *reason);

/* Receives the result (ownership passes) of one request. */
typedef void (*prism_whip_done_cb)(void *data, struct prism_whip_result *result);

int prism_whip_create(struct prism_whip **out, const struct prism_whip_config *config,
                      struct prism_api *api);

/* Ends every resource (their sessions are destroyed) and frees the module once the last
 * one's session is gone. Call before the engine is destroyed. */
void prism_whip_destroy(struct prism_whip *whip);

/* Ends resources whose ICE did not complete in time and keeps live ones' sessions alive.
 * Call about once a second. */
void prism_whip_tick(struct prism_whip *whip, uint64_t now_us);

/* How a POST may enter (decided by the HTTP route, see access.h): the pin it presents to
 * the room or mountpoint, the token it presents to a VideoRoom's `allowed` list, and the API
 * credential its internal session's requests carry. Strings are copied. */
struct prism_whip_access {
    const char *pin;       /* NULL: none */
    const char *token;     /* the room token (VideoRoom joins only); NULL: none */
    const char *api_field; /* "apisecret" or "token"; NULL: no API credentials configured */
    const char *api_value;
    /* The HTTP client's address key (NULL: unknown): the resource's internal session counts
     * against it as a session the client made itself would. */
    const char *client_address;
};

/* POST /whip/endpoint/{room}: `sdp` is an offer already checked by prism_whip_check_offer;
 * `display` and `access` may be NULL. Answers 201 with the answer, or the error status (404
 * no room, 401 bad pin or credentials, 400 bad SDP, 503 full). */
void prism_whip_publish(struct prism_whip *whip, uint64_t room, const char *display,
                        const struct prism_whip_access *access, const char *sdp, size_t length,
                        prism_whip_done_cb done, void *data);

/* POST /whep/endpoint/{room}: a viewer's (recvonly) offer, answered with the room's
 * publisher `feed` (0: the first whose media came up) as one audio and one video m-line.
 * 201 like WHIP with Location /whep/resource/{id}; 409 when nobody publishes yet, 404 for
 * an unknown feed or room, 401 for a bad pin. */
void prism_whep_play(struct prism_whip *whip, uint64_t room, uint64_t feed,
                     const struct prism_whip_access *access, const char *sdp, size_t length,
                     prism_whip_done_cb done, void *data);

/* POST /whep/mountpoint/{id}: a viewer's offer answered by the Streaming plugin with the
 * mountpoint's streams matched to its m-lines (a "watch" with the offer). 201 with Location
 * /whep/resource/{id}; 404 for an unknown or disabled mountpoint, 401 for a bad pin, 400 when
 * no m-line of the offer can carry a stream of the mountpoint. */
void prism_whep_play_mountpoint(struct prism_whip *whip, uint64_t mountpoint,
                                const struct prism_whip_access *access, const char *sdp,
                                size_t length, prism_whip_done_cb done, void *data);

/* PATCH /whip/resource/{id} (or /whep/resource/{id} with `playback`) with an sdpfrag: trickled
 * candidates (204) or an ICE restart (200 with the answer's sdpfrag and a new ETag). `if_match`
 * (may be NULL) must be the resource's ETag or "*" (else 412). 404 for an unknown resource, 400 for
 * a bad fragment. */
void prism_whip_patch(struct prism_whip *whip, bool playback, uint64_t id, const char *if_match,
                      const char *body, size_t length, prism_whip_done_cb done, void *data);

/* DELETE /whip/resource/{id} (or /whep/...): 200 and the publisher (viewer) leaves the
 * room, or 404. */
void prism_whip_delete(struct prism_whip *whip, bool playback, uint64_t id, prism_whip_done_cb done,
                       void *data);

/* Resources alive (set up or being set up), for tests and metrics. */
unsigned prism_whip_resource_count(struct prism_whip *whip);

#endif
