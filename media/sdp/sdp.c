/* Lifecycle of a session description and the names of error codes. */
#include "media/sdp/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int prism_sdp_new(struct prism_sdp **out)
{
    if (!out)
        return -EINVAL;
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
    if (sdp)
        free(sdp->media);
    free(sdp);
}

struct prism_sdp_media *sdp_add_media(struct prism_sdp *sdp)
{
    if (sdp->media_count == PRISM_SDP_MAX_MEDIA)
        return NULL;
    if (sdp->media_count == sdp->media_capacity) {
        unsigned capacity = sdp->media_capacity ? 2u * sdp->media_capacity : 4u;
        if (capacity > PRISM_SDP_MAX_MEDIA)
            capacity = PRISM_SDP_MAX_MEDIA;
        struct prism_sdp_media *grown = realloc(sdp->media, capacity * sizeof(*grown));
        if (!grown)
            return NULL;
        sdp->media = grown;
        sdp->media_capacity = (uint16_t)capacity;
    }
    struct prism_sdp_media *m = &sdp->media[sdp->media_count++];
    memset(m, 0, sizeof(*m));
    return m;
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
