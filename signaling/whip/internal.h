/* Private parts of the WHIP module: the module, one resource, and the API calls that drive
 * a resource's internal session (calls.c). */
#ifndef PRISM_SIGNALING_WHIP_INTERNAL_H
#define PRISM_SIGNALING_WHIP_INTERNAL_H

#include "core/sink.h"
#include "signaling/whip/whip.h"

#include <glib.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>

/* Live keepalives go out this often, well inside the engine's session timeout. */
#define WHIP_KEEPALIVE_INTERVAL_US (10u * 1000000u)

/* The module. Refcounted: the owner holds one reference, each resource one. Everything
 * below `lock` is guarded by it, and so is each resource's state. */
struct prism_whip {
    atomic_int refs;
    struct prism_api *api;
    uint64_t ice_timeout_us;
    GMutex lock;
    GHashTable *resources; /* uint64 id -> struct whip_resource * (one reference) */
    bool stopping;
};

enum whip_step {
    WHIP_STEP_SETUP,   /* create, attach, join with the offer: POST not answered yet */
    WHIP_STEP_LIVE,    /* answered; ICE may or may not be up */
    WHIP_STEP_RESTART, /* an ICE restart's configure is out: PATCH not answered yet */
    WHIP_STEP_ENDED,   /* destroy sent or the session is gone */
};

/* One WHIP resource. Its lifetime is its event sink's refcount: the registry, the internal
 * session (through the engine), and each API call in flight hold a reference; the last one
 * frees it. `id`, `room` and `whip` never change; the rest is guarded by whip->lock. */
struct whip_resource {
    struct prism_event_sink sink; /* first member: events of the internal session */
    struct prism_whip *whip;      /* one reference */
    uint64_t id;
    uint64_t room;
    bool playback;           /* WHEP: a viewer, else a WHIP publisher */
    bool mountpoint;         /* WHEP from the streaming mountpoint `room`, else from a VideoRoom */
    json_t *credentials;     /* {"apisecret"|"token": value} added to each API request; immutable */
    char client_address[48]; /* the HTTP client's address key, "" when unknown */
    uint64_t feed;           /* WHEP: the publisher asked for, 0 = the room's first */
    uint64_t session_id;     /* 0 until created */
    uint64_t handle_id;      /* 0 until attached */
    enum whip_step step;
    bool connected;        /* "webrtcup" seen */
    uint64_t answered_us;  /* when the POST was answered: ICE has ice_timeout from here */
    uint64_t keepalive_us; /* last keepalive sent */
    char *offer;           /* the last offer applied */
    char *ufrag;           /* the client's ICE ufrag in that offer */
    char *etag;
    unsigned etag_serial;
    char *display;
    char *pin;
    char *token; /* the VideoRoom token (its `allowed` list), NULL: none; wiped when freed */
    /* The request waiting for this resource (POST or a restart PATCH) and what it trickles
     * once answered. */
    prism_whip_done_cb done;
    void *done_data;
    json_t *restart_candidates;
};

struct whip_resource *whip_resource_ref(struct whip_resource *resource);
void whip_resource_unref(struct whip_resource *resource);
/* The sink's destroy: frees the resource when its last reference goes. */
void whip_resource_free(struct whip_resource *resource);

/* A finished result: a JSON error body {"error": reason, "code": status}. */
struct prism_whip_result *whip_error_result(unsigned status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* With whip->lock held: takes the waiting request's callback, if any, off the resource. */
prism_whip_done_cb whip_take_done_locked(struct whip_resource *resource, void **data);

/* With whip->lock held: removes the resource from the registry (dropping the registry's
 * reference, so the caller must hold one) and marks it ended. Returns whether the session
 * must now be destroyed (it existed and was not gone). */
bool whip_unregister_locked(struct whip_resource *resource);

/* calls.c: the steps of a resource's internal session. */
void whip_call_create(struct whip_resource *resource);
void whip_call_keepalive(struct whip_resource *resource, uint64_t session_id);
void whip_call_destroy(struct whip_resource *resource, uint64_t session_id);
/* The HTTP status of an error code a plugin event carried (VideoRoom or Streaming). */
unsigned whip_plugin_error_status(const struct whip_resource *resource, int code);
void whip_call_trickle(struct whip_resource *resource, json_t *candidates);
void whip_call_restart(struct whip_resource *resource, const char *offer);
/* Sink ops of a resource (events of its internal session). */
extern const struct prism_event_sink_ops whip_sink_ops;

/* Ends the resource: unregistered, its waiting request (if any) answered with `result`
 * (or dropped when NULL), and its session destroyed. */
void whip_end(struct whip_resource *resource, struct prism_whip_result *result);

#endif
