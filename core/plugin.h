/* The plugin ABI: a versioned const table of functions. A plugin decides who
 * receives what; it never touches sockets or crypto. Every per-handle call
 * runs on the handle's worker thread; init and destroy run on the main thread
 * before the transports open and after they close. */
#ifndef PRISM_CORE_PLUGIN_H
#define PRISM_CORE_PLUGIN_H

#include <jansson.h>
#include <stdbool.h>

#define PRISM_PLUGIN_ABI_VERSION 1

struct prism_config;
struct prism_handle;
struct prism_worker;
struct prism_worker_pool;
struct prism_peer_rtp;
struct prism_peer_feedback;
struct prism_peer_data;
struct prism_metrics_gauges;

enum prism_plugin_result_kind {
    /* Handled synchronously: `content` is the reply's plugindata.data. */
    PRISM_PLUGIN_OK,
    /* Accepted; the answer comes later as an event. The API replies "ack". */
    PRISM_PLUGIN_OK_WAIT,
    /* The core could not hand the message to the plugin (Janus error 462). */
    PRISM_PLUGIN_ERROR,
};

struct prism_plugin_result {
    enum prism_plugin_result_kind kind;
    json_t *content;   /* OK: stolen by the core */
    const char *hint;  /* OK_WAIT: optional text for the ack, static */
    const char *error; /* ERROR: static reason */
};

struct prism_plugin {
    int abi_version;     /* PRISM_PLUGIN_ABI_VERSION */
    const char *package; /* e.g. "janus.plugin.echotest", as clients attach to it */
    const char *name;
    const char *description;
    const char *author;
    int version;
    const char *version_string;

    /* Process start: read the plugin's settings; `workers` is where it may pin long-lived
     * state (rooms). 0 or -errno (start fails). */
    int (*init)(const struct prism_config *config, struct prism_worker_pool *workers);
    /* Process end, after every handle is gone. */
    void (*destroy)(void);

    /* A client attached: set up per-handle state (prism_handle_set_plugin_data).
     * 0 or -errno (the attach fails with Janus error 461). */
    int (*create_session)(struct prism_handle *handle);
    /* Optional: the worker a "message" must run on, e.g. that of the room it names; NULL for
     * the handle's own. With *migrate set, the handle itself moves there first (allowed only
     * while it has no media state; otherwise the message runs there without moving). Runs
     * on the handle's worker before anything else of the message, SDP included. */
    struct prism_worker *(*message_worker)(struct prism_handle *handle, json_t *body, json_t *jsep,
                                           bool *migrate);
    /* Optional: refuses a message before its SDP reaches the PeerConnection (e.g. a second
     * "publish"): returns the plugin's error event (the API then acks and pushes it), or NULL
     * to go on. Runs on the worker the message runs on. */
    json_t *(*precheck_message)(struct prism_handle *handle, json_t *body, json_t *jsep);
    /* A "message" request. `body` is an object and `jsep` NULL or an object
     * with "type" and "sdp" strings; both are borrowed. */
    struct prism_plugin_result (*handle_message)(struct prism_handle *handle,
                                                 const char *transaction, json_t *body,
                                                 json_t *jsep);
    /* The PeerConnection is up (DTLS done). Optional. */
    void (*setup_media)(struct prism_handle *handle);
    /* The PeerConnection ended (hangup request, ICE/DTLS failure). Optional. */
    void (*hangup_media)(struct prism_handle *handle);
    /* Media from the handle's PeerConnection, on the handle's worker, once per packet:
     * no allocation, no lock, no logging. The packet may be rewritten in place and sent on
     * (see media/peer/peer.h). Optional. */
    void (*incoming_rtp)(struct prism_handle *handle, struct prism_peer_rtp *packet);
    /* Feedback about what the handle's PeerConnection sends: keyframe requests, REMB. */
    void (*incoming_rtcp)(struct prism_handle *handle, const struct prism_peer_feedback *feedback);
    /* A data channel message. Optional. */
    void (*incoming_data)(struct prism_handle *handle, const struct prism_peer_data *message);
    /* The handle is being detached: free its state. */
    void (*destroy_session)(struct prism_handle *handle);
    /* State of one handle for the admin API; a new object or NULL. Optional. */
    json_t *(*query_session)(struct prism_handle *handle);
    /* Answers the Admin API's message_plugin (the admin secret was checked, so
     * the request is trusted), on the calling signaling thread; a new object,
     * or NULL. Optional: without it the request is error 490, as in Janus. */
    json_t *(*handle_admin_message)(json_t *request);
    /* Adds the plugin's figures (rooms, participants, ...) to the metrics page, on the
     * scraping thread: read only what is safe from any thread. Optional. */
    void (*collect_metrics)(struct prism_metrics_gauges *out);
};

/* Builds the common results. */
struct prism_plugin_result prism_plugin_ok(json_t *content);
struct prism_plugin_result prism_plugin_ok_wait(const char *hint);
struct prism_plugin_result prism_plugin_error(const char *reason);

#endif
