/* The frame-marking header extension's value (see frame_marking.h). */
#include "media/rtp/frame_marking.h"

#include <errno.h>
#include <string.h>

#define FM_START 0x80
#define FM_END 0x40
#define FM_INDEPENDENT 0x20
#define FM_DISCARDABLE 0x10
#define FM_BASE_SYNC 0x08
#define FM_TID_MASK 0x07

int prism_rtp_frame_marking_parse(const uint8_t *data, size_t len,
                                  struct prism_rtp_frame_marking *out)
{
    if (!data || !out)
        return -EINVAL;
    if (len < 1 || len > 3)
        return -EBADMSG;
    struct prism_rtp_frame_marking m;
    memset(&m, 0, sizeof(m));
    uint8_t flags = data[0];
    m.start = (flags & FM_START) != 0;
    m.end = (flags & FM_END) != 0;
    m.independent = (flags & FM_INDEPENDENT) != 0;
    m.discardable = (flags & FM_DISCARDABLE) != 0;
    m.base_sync = (flags & FM_BASE_SYNC) != 0;
    m.tid = flags & FM_TID_MASK;
    if (len >= 2) {
        m.has_lid = true;
        m.lid = data[1];
    }
    if (len == 3) {
        m.has_tl0picidx = true;
        m.tl0picidx = data[2];
    }
    *out = m;
    return 0;
}

int prism_rtp_frame_marking_write(const struct prism_rtp_frame_marking *m, uint8_t *data,
                                  size_t cap)
{
    if (!m || !data || m->tid > FM_TID_MASK || (m->has_tl0picidx && !m->has_lid))
        return -EINVAL;
    size_t len = 1 + (m->has_lid ? 1 : 0) + (m->has_tl0picidx ? 1 : 0);
    if (cap < len)
        return -ENOSPC;
    data[0] = (uint8_t)((m->start ? FM_START : 0) | (m->end ? FM_END : 0) |
                        (m->independent ? FM_INDEPENDENT : 0) |
                        (m->discardable ? FM_DISCARDABLE : 0) | (m->base_sync ? FM_BASE_SYNC : 0) |
                        m->tid);
    if (m->has_lid)
        data[1] = m->lid;
    if (m->has_tl0picidx)
        data[2] = m->tl0picidx;
    return (int)len;
}
