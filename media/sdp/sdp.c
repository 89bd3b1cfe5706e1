/* Lifecycle of a session description and the names of error codes. */
#include "media/sdp/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int prism_sdp_new(struct prism_sdp **out)
{
    if (!out)
        return -EINVAL;
    /* calloc: a large zeroed block comes straight from the kernel, so untouched bounds cost
     * address space, not memory. */
    struct prism_sdp *sdp = calloc(1, sizeof(*sdp));
    if (!sdp)
        return -ENOMEM;
    memcpy(sdp->origin_username, "-", 2);
    memcpy(sdp->origin_address, "127.0.0.1", 10);
    memcpy(sdp->session_name, "-", 2);
    *out = sdp;
    return 0;
}

void prism_sdp_free(struct prism_sdp *sdp)
{
    free(sdp);
}

const char *prism_sdp_error_string(enum prism_sdp_error_code code)
{
    switch (code) {
    case PRISM_SDP_OK:
        return "no error";
    case PRISM_SDP_ERR_SYNTAX:
        return "malformed SDP";
    case PRISM_SDP_ERR_LIMIT:
        return "SDP exceeds a supported limit";
    case PRISM_SDP_ERR_NO_MEDIA:
        return "no media";
    case PRISM_SDP_ERR_NO_BUNDLE:
        return "offer without BUNDLE";
    case PRISM_SDP_ERR_NO_RTCP_MUX:
        return "rtcp-mux required";
    case PRISM_SDP_ERR_NO_MID:
        return "missing or duplicate mid";
    case PRISM_SDP_ERR_NO_ICE:
        return "missing ICE credentials";
    case PRISM_SDP_ERR_NO_FINGERPRINT:
        return "missing DTLS fingerprint";
    case PRISM_SDP_ERR_BAD_SETUP:
        return "invalid DTLS setup role";
    case PRISM_SDP_ERR_MISMATCH:
        return "answer does not match offer";
    case PRISM_SDP_ERR_INVALID_ARGUMENT:
        return "invalid argument";
    }
    return "unknown error";
}
