/* Fuzzes the VideoRoom forwarding requests (sans-IO): arbitrary bytes as a JSON body, checked as
 * rtp_forward (with and without a required admin_key) and stop_rtp_forward. A body that passes
 * must describe forwarders that can be made: ports set, SRTP only with a suite of 32 or 80. */
#include "plugins/videoroom/forwarder.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(json_t *body, const char *admin_key)
{
    struct vr_forward_request request;
    char reason[256];
    if (vr_forward_request_parse(body, admin_key, &request, reason, sizeof(reason)) != 0) {
        if (!memchr(reason, '\0', sizeof(reason)) || !reason[0])
            abort();
        return;
    }
    if (request.target_count == 0 || request.target_count > VR_FORWARD_MAX_STREAMS ||
        (request.srtp_suite != 0 && request.srtp_suite != 32 && request.srtp_suite != 80))
        abort();
    for (unsigned i = 0; i < request.target_count; i++) {
        struct vr_forwarder *forwarder = NULL;
        if (request.targets[i].port == 0 || request.targets[i].pt > 127)
            abort();
        if (vr_forwarder_new(&request, &request.targets[i], PRISM_SDP_MEDIA_VIDEO, i, i + 1,
                             &forwarder) != 0)
            abort();
        json_decref(vr_forwarder_summary(forwarder));
        vr_forwarder_free(forwarder);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, 0, NULL);
    if (json_is_object(body)) {
        check_request(body, NULL);
        check_request(body, "key");
        uint64_t room, publisher;
        uint32_t stream;
        char reason[256];
        vr_forward_stop_parse(body, NULL, &room, &publisher, &stream, reason, sizeof(reason));
    }
    json_decref(body);
    return 0;
}
