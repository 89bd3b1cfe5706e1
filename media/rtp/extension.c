/* RTP header extension elements (RFC 8285): iteration, lookup and in-place id remapping. */
#include "media/rtp/extension.h"

#include <errno.h>
#include <string.h>

void prism_rtp_ext_iter_init(struct prism_rtp_ext_iter *it, const struct prism_rtp_header *h)
{
    it->pos = NULL;
    it->end = NULL;
    it->two_byte = false;
    if (!h->extension || !h->ext_data)
        return;
    if (h->ext_profile == PRISM_RTP_EXT_PROFILE_ONE_BYTE) {
        it->two_byte = false;
    } else if ((h->ext_profile & PRISM_RTP_EXT_PROFILE_TWO_BYTE_MASK) ==
               PRISM_RTP_EXT_PROFILE_TWO_BYTE) {
        it->two_byte = true;
    } else {
        return;
    }
    it->pos = h->ext_data;
    it->end = h->ext_data + h->ext_len;
}

int prism_rtp_ext_next(struct prism_rtp_ext_iter *it, struct prism_rtp_ext *out)
{
    while (it->pos < it->end) {
        const uint8_t *p = it->pos;
        size_t left = (size_t)(it->end - p);
        uint8_t id;
        size_t len, head;
        if (it->two_byte) {
            if (p[0] == 0) { /* padding byte */
                it->pos++;
                continue;
            }
            if (left < 2)
                goto malformed;
            id = p[0];
            len = p[1];
            head = 2;
        } else {
            id = p[0] >> 4;
            if (id == 0) { /* padding byte; its length nibble is ignored */
                it->pos++;
                continue;
            }
            if (id == 15) /* reserved: stop processing the block here */
                break;
            len = (size_t)(p[0] & 0x0F) + 1;
            head = 1;
        }
        if (len > left - head)
            goto malformed;
        out->id = id;
        out->len = (uint8_t)len;
        out->data = p + head;
        it->pos = p + head + len;
        return 1;
    }
    it->pos = it->end;
    return 0;

malformed:
    it->pos = it->end;
    return -EBADMSG;
}

int prism_rtp_ext_find(const struct prism_rtp_header *h, uint8_t id, struct prism_rtp_ext *out)
{
    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    int rc;
    prism_rtp_ext_iter_init(&it, h);
    while ((rc = prism_rtp_ext_next(&it, &e)) > 0) {
        if (e.id == id) {
            *out = e;
            return 0;
        }
    }
    return rc < 0 ? rc : -ENOENT;
}

/* Where element e (found through h) lives in a writable buffer laid out like h's packet. */
static uint8_t *mutable_at(uint8_t *packet, const struct prism_rtp_header *h, const uint8_t *p)
{
    return packet + (h->header_len - h->ext_len) + (size_t)(p - h->ext_data);
}

uint8_t *prism_rtp_ext_find_mut(uint8_t *packet, const struct prism_rtp_header *h, uint8_t id,
                                uint8_t *len)
{
    struct prism_rtp_ext e;
    if (!packet || prism_rtp_ext_find(h, id, &e) != 0)
        return NULL;
    if (len)
        *len = e.len;
    return mutable_at(packet, h, e.data);
}

int prism_rtp_ext_remap(uint8_t *packet, const struct prism_rtp_header *h,
                        const struct prism_rtp_ext_map *map)
{
    if (!packet || !h || !map)
        return -EINVAL;
    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    int rc, kept = 0;
    prism_rtp_ext_iter_init(&it, h);
    while ((rc = prism_rtp_ext_next(&it, &e)) > 0) {
        size_t head = it.two_byte ? 2 : 1;
        uint8_t *elem = mutable_at(packet, h, e.data) - head;
        uint8_t to = map->id[e.id];
        if (to == 0 || (!it.two_byte && to > 14)) {
            /* All-zero bytes are padding in both forms, so the element simply disappears. */
            memset(elem, 0, head + e.len);
            continue;
        }
        if (it.two_byte)
            elem[0] = to;
        else
            elem[0] = (uint8_t)(to << 4 | (elem[0] & 0x0F));
        kept++;
    }
    return rc < 0 ? rc : kept;
}
