/* DCEP (RFC 8832 section 5) DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK parse and build. */
#include "media/sctp/dcep.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "media/bytes.h"

static bool is_known_channel_type(uint8_t type)
{
    switch (type) {
    case PRISM_DCEP_RELIABLE:
    case PRISM_DCEP_PARTIAL_RELIABLE_REXMIT:
    case PRISM_DCEP_PARTIAL_RELIABLE_TIMED:
    case PRISM_DCEP_RELIABLE_UNORDERED:
    case PRISM_DCEP_PARTIAL_RELIABLE_REXMIT_UNORDERED:
    case PRISM_DCEP_PARTIAL_RELIABLE_TIMED_UNORDERED:
        return true;
    default:
        return false;
    }
}

/* Label and protocol end up in JSON events, which need valid UTF-8 without NUL bytes. */
static bool is_text(const uint8_t *p, size_t len)
{
    return len == 0 || g_utf8_validate_len((const char *)p, len, NULL);
}

int prism_dcep_message_type(const uint8_t *data, size_t len)
{
    if (!data || len == 0)
        return -EBADMSG;
    return data[0];
}

int prism_dcep_open_parse(const uint8_t *data, size_t len, struct prism_dcep_open *out)
{
    if (!data || !out)
        return -EINVAL;
    if (len < PRISM_DCEP_OPEN_HEADER_LEN || data[0] != PRISM_DCEP_DATA_CHANNEL_OPEN ||
        !is_known_channel_type(data[1]))
        return -EBADMSG;
    size_t label_len = prism_read_be16(data + 8);
    size_t protocol_len = prism_read_be16(data + 10);
    if (label_len + protocol_len > len - PRISM_DCEP_OPEN_HEADER_LEN)
        return -EBADMSG;
    const uint8_t *label = data + PRISM_DCEP_OPEN_HEADER_LEN;
    const uint8_t *protocol = label + label_len;
    if (!is_text(label, label_len) || !is_text(protocol, protocol_len))
        return -EBADMSG;
    out->channel_type = data[1];
    out->priority = prism_read_be16(data + 2);
    out->reliability = prism_read_be32(data + 4);
    out->label = (const char *)label;
    out->label_len = (uint16_t)label_len;
    out->protocol = (const char *)protocol;
    out->protocol_len = (uint16_t)protocol_len;
    return 0;
}

bool prism_dcep_is_ack(const uint8_t *data, size_t len)
{
    return data && len == 1 && data[0] == PRISM_DCEP_DATA_CHANNEL_ACK;
}

int prism_dcep_build_open(uint8_t *buf, size_t cap, const struct prism_dcep_open *open)
{
    if (!buf || !open || !is_known_channel_type(open->channel_type) ||
        (open->label_len > 0 && !open->label) || (open->protocol_len > 0 && !open->protocol))
        return -EINVAL;
    size_t len = PRISM_DCEP_OPEN_HEADER_LEN + (size_t)open->label_len + open->protocol_len;
    if (len > cap)
        return -ENOSPC;
    buf[0] = PRISM_DCEP_DATA_CHANNEL_OPEN;
    buf[1] = open->channel_type;
    prism_write_be16(buf + 2, open->priority);
    prism_write_be32(buf + 4, open->reliability);
    prism_write_be16(buf + 8, open->label_len);
    prism_write_be16(buf + 10, open->protocol_len);
    if (open->label_len > 0)
        memcpy(buf + PRISM_DCEP_OPEN_HEADER_LEN, open->label, open->label_len);
    if (open->protocol_len > 0)
        memcpy(buf + PRISM_DCEP_OPEN_HEADER_LEN + open->label_len, open->protocol,
               open->protocol_len);
    return (int)len;
}

int prism_dcep_build_ack(uint8_t *buf, size_t cap)
{
    if (!buf)
        return -EINVAL;
    if (cap < 1)
        return -ENOSPC;
    buf[0] = PRISM_DCEP_DATA_CHANNEL_ACK;
    return 1;
}
