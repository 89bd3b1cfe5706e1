/* Data channels of a PeerConnection. */
#include "media/peer/peer_internal.h"

#include <errno.h>

int prism_peer_send_data(struct prism_peer *peer, const char *label, bool binary,
                         const uint8_t *data, size_t len)
{
    return -ENOTCONN;
}
