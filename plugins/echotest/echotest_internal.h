/* Private state of the EchoTest plugin, shared by its files. */
#ifndef PRISM_PLUGINS_ECHOTEST_INTERNAL_H
#define PRISM_PLUGINS_ECHOTEST_INTERNAL_H

#include "plugins/echotest/echotest.h"

#include <stdbool.h>
#include <stdint.h>

/* What the client asked the echo to send back. Owned by the handle, worker thread only. */
struct echotest_state {
    bool audio;
    bool video;
    bool data;
    uint32_t bitrate; /* bits per second sent to the peer as REMB; 0 = no cap */
    int substream;    /* simulcast layer wanted, -1 = highest */
    int temporal;     /* temporal layer wanted, -1 = highest */
};

/* echotest_media.c: the media callbacks and the answer to an offer. */
json_t *echotest_answer(struct prism_handle *handle, char *reason, size_t reason_size);
void echotest_apply_media_settings(struct prism_handle *handle, bool keyframe);
void echotest_setup_media(struct prism_handle *handle);
void echotest_hangup_media(struct prism_handle *handle);
void echotest_incoming_rtp(struct prism_handle *handle, struct prism_peer_rtp *packet);
void echotest_incoming_rtcp(struct prism_handle *handle,
                            const struct prism_peer_feedback *feedback);
void echotest_incoming_data(struct prism_handle *handle, const struct prism_peer_data *message);

#endif
