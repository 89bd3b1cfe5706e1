/* Per-receiver rebuild of a packet's header extension block (see ext_rewrite.h). With room for
 * the worst case (the forwarding path's scratch buffer always has it) one walk of the sender's
 * block writes the one-byte form, and a second one the two-byte form only when an element needs
 * it; short of room, a first walk sizes the block exactly and the second writes it. */
#include "media/rtp/ext_rewrite.h"

#include "media/bytes.h"

#include <errno.h>
#include <string.h>

static size_t stamp_size(enum prism_rtp_ext_stamp stamp)
{
    switch (stamp) {
    case PRISM_RTP_EXT_STAMP_ABS_SEND_TIME:
        return 3;
    default:
        return 0;
    }
}

int prism_rtp_ext_added_push(struct prism_rtp_ext_added_set *set, uint8_t id,
                             enum prism_rtp_ext_stamp stamp, const void *value, size_t len)
{
    if (!set || id == 0 || len == 0 || len > PRISM_RTP_EXT_ADDED_MAX_LEN ||
        (stamp != PRISM_RTP_EXT_STAMP_NONE && len != stamp_size(stamp)) ||
        (stamp == PRISM_RTP_EXT_STAMP_NONE && !value))
        return -EINVAL;
    for (uint8_t i = 0; i < set->count; i++) {
        if (set->items[i].id == id)
            return -EINVAL;
    }
    if (set->count == PRISM_RTP_EXT_MAX_ADDED)
        return -ENOSPC;
    struct prism_rtp_ext_added *item = &set->items[set->count++];
    memset(item, 0, sizeof(*item));
    item->id = id;
    item->len = (uint8_t)len;
    item->stamp = (uint8_t)stamp;
    if (stamp == PRISM_RTP_EXT_STAMP_NONE)
        memcpy(item->value, value, len);
    return 0;
}

static bool fits_one_byte(uint8_t id, size_t len)
{
    return id >= 1 && id <= 14 && len >= 1 && len <= 16;
}

static bool used_by_added(const struct prism_rtp_ext_added_set *added, uint8_t id)
{
    for (uint8_t i = 0; i < added->count; i++) {
        if (added->items[i].id == id)
            return true;
    }
    return false;
}

/* The receiver's id for a sender element, or 0 to drop it. */
static uint8_t receiver_id(const struct prism_rtp_ext_map *map,
                           const struct prism_rtp_ext_added_set *added, uint8_t id)
{
    uint8_t to = map->id[id];
    return to && !used_by_added(added, to) ? to : 0;
}

/* The block to write, before writing it: its form and its size without the 4-byte header
 * and the padding. */
struct block_plan {
    bool two_byte;
    size_t size;
};

static void plan_element(uint8_t id, size_t len, bool *needed, size_t *one_byte, size_t *two_byte)
{
    if (fits_one_byte(id, len))
        *one_byte += 1 + len;
    else
        *needed = true;
    *two_byte += 2 + len;
}

/* Plans the block: 0, or -EBADMSG for a malformed sender block. */
static int plan_block(const struct prism_rtp_header *in, const struct prism_rtp_ext_map *map,
                      const struct prism_rtp_ext_added_set *added, struct block_plan *plan)
{
    bool needed = false;
    size_t one_byte = 0, two_byte = 0;
    for (uint8_t i = 0; i < added->count; i++)
        plan_element(added->items[i].id, added->items[i].len, &needed, &one_byte, &two_byte);
    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    int rc;
    prism_rtp_ext_iter_init(&it, in);
    while ((rc = prism_rtp_ext_next(&it, &e)) > 0) {
        uint8_t to = receiver_id(map, added, e.id);
        if (to)
            plan_element(to, e.len, &needed, &one_byte, &two_byte);
    }
    if (rc < 0)
        return rc;
    plan->two_byte = needed && added->two_byte_allowed;
    plan->size = plan->two_byte ? two_byte : one_byte;
    return 0;
}

/* Where elements are appended: out[pos, cap), in one form. */
struct block_writer {
    uint8_t *out;
    size_t pos;
    size_t cap;
    bool two_byte;
    bool left_out; /* an element the one-byte form cannot express was left out */
};

/* Appends one element (left out when the one-byte form cannot express it): 0 or -ENOSPC. */
static int append(struct block_writer *w, uint8_t id, const uint8_t *data, size_t len)
{
    if (!w->two_byte && !fits_one_byte(id, len)) {
        w->left_out = true;
        return 0;
    }
    size_t head = w->two_byte ? 2 : 1;
    if (len > 255 || w->cap - w->pos < head + len)
        return -ENOSPC; /* cannot happen within the bounds computed before: kept as a guard */
    if (w->two_byte) {
        w->out[w->pos] = id;
        w->out[w->pos + 1] = (uint8_t)len;
    } else {
        w->out[w->pos] = (uint8_t)(id << 4 | (len - 1));
    }
    memcpy(w->out + w->pos + head, data, len);
    w->pos += head + len;
    return 0;
}

static int append_all(struct block_writer *w, const struct prism_rtp_header *in,
                      const struct prism_rtp_ext_map *map,
                      const struct prism_rtp_ext_added_set *added)
{
    for (uint8_t i = 0; i < added->count; i++) {
        const struct prism_rtp_ext_added *item = &added->items[i];
        if (append(w, item->id, item->value, item->len) < 0)
            return -ENOSPC;
    }
    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    int rc;
    prism_rtp_ext_iter_init(&it, in);
    while ((rc = prism_rtp_ext_next(&it, &e)) > 0) {
        uint8_t to = receiver_id(map, added, e.id);
        if (to && append(w, to, e.data, e.len) < 0)
            return -ENOSPC;
    }
    return rc;
}

/* Closes the block written up to w->pos after the 4-byte block header at out + fixed: zero
 * padding to a word, the X bit, the profile and the length. Returns the header length. */
static int finish_block(uint8_t *out, size_t fixed, const struct block_writer *w)
{
    size_t block = w->pos - (fixed + 4);
    if (block == 0) {
        out[0] &= (uint8_t)~0x10;
        return (int)fixed;
    }
    size_t padded = (block + 3) & ~(size_t)3;
    memset(out + w->pos, 0, padded - block);
    out[0] |= 0x10;
    prism_write_be16(out + fixed,
                     w->two_byte ? PRISM_RTP_EXT_PROFILE_TWO_BYTE : PRISM_RTP_EXT_PROFILE_ONE_BYTE);
    prism_write_be16(out + fixed + 2, (uint16_t)(padded / 4));
    return (int)(fixed + 4 + padded);
}

/* The most the block can take: an element grows by at most one byte (one-byte head to
 * two-byte head) and takes at least two bytes of the sender's block, plus the added ones. */
static size_t worst_case_block(const struct prism_rtp_header *in,
                               const struct prism_rtp_ext_added_set *added)
{
    size_t size = in->extension ? in->ext_len + in->ext_len / 2 : 0;
    for (uint8_t i = 0; i < added->count; i++)
        size += 2 + (size_t)added->items[i].len;
    return size + 3; /* padding */
}

/* The common case, in one walk: room for the worst case, so the block is written straight
 * away in the one-byte form, and again in the two-byte form only when an element needs it
 * and the receiver takes it. */
static int rewrite_with_room(uint8_t *out, size_t fixed, const struct prism_rtp_header *in,
                             const struct prism_rtp_ext_map *map,
                             const struct prism_rtp_ext_added_set *added)
{
    struct block_writer w = {out, fixed + 4, fixed + 4 + worst_case_block(in, added), false, false};
    int rc = append_all(&w, in, map, added);
    if (rc == 0 && w.left_out && added->two_byte_allowed) {
        w = (struct block_writer){out, fixed + 4, w.cap, true, false};
        rc = append_all(&w, in, map, added);
    }
    return rc < 0 ? rc : finish_block(out, fixed, &w);
}

int prism_rtp_ext_rewrite(uint8_t *out, size_t cap, const uint8_t *in_packet,
                          const struct prism_rtp_header *in, const struct prism_rtp_ext_map *map,
                          const struct prism_rtp_ext_added_set *added)
{
    if (!out || !in_packet || !in || !map || !added || in->csrc_count > PRISM_RTP_MAX_CSRCS)
        return -EINVAL;
    size_t fixed = PRISM_RTP_FIXED_HEADER_LEN + 4 * (size_t)in->csrc_count;
    size_t worst = worst_case_block(in, added);
    if (cap >= fixed + 4 + worst && worst / 4 <= 0xFFFF) {
        memcpy(out, in_packet, fixed);
        return rewrite_with_room(out, fixed, in, map, added);
    }
    /* Short of room: plan the exact size first, so that nothing is written unless it fits. */
    struct block_plan plan;
    int rc = plan_block(in, map, added, &plan);
    if (rc < 0)
        return rc;
    size_t padded = (plan.size + 3) & ~(size_t)3;
    if (padded / 4 > 0xFFFF || cap < fixed + (padded ? 4 + padded : 0))
        return -ENOSPC;
    memcpy(out, in_packet, fixed);
    struct block_writer w = {out, fixed + 4, fixed + 4 + padded, plan.two_byte, false};
    rc = append_all(&w, in, map, added);
    return rc < 0 ? rc : finish_block(out, fixed, &w);
}

uint8_t *prism_rtp_ext_stamp_at(uint8_t *packet, size_t len,
                                const struct prism_rtp_ext_added_set *added,
                                enum prism_rtp_ext_stamp stamp)
{
    if (!packet || !added || stamp == PRISM_RTP_EXT_STAMP_NONE ||
        len < PRISM_RTP_FIXED_HEADER_LEN || !(packet[0] & 0x10))
        return NULL;
    size_t pos = PRISM_RTP_FIXED_HEADER_LEN + 4 * (size_t)(packet[0] & 0x0F);
    if (len < pos + 4)
        return NULL;
    uint16_t profile = prism_read_be16(packet + pos);
    size_t end = pos + 4 + 4 * (size_t)prism_read_be16(packet + pos + 2);
    bool two_byte = profile == PRISM_RTP_EXT_PROFILE_TWO_BYTE;
    if ((!two_byte && profile != PRISM_RTP_EXT_PROFILE_ONE_BYTE) || end > len)
        return NULL;
    pos += 4;
    /* The added elements lead the block in set order; those the form could not express were
     * left out exactly as append() leaves them out. */
    for (uint8_t i = 0; i < added->count; i++) {
        const struct prism_rtp_ext_added *item = &added->items[i];
        if (!two_byte && !fits_one_byte(item->id, item->len))
            continue;
        size_t head = two_byte ? 2 : 1;
        if (end - pos < head + item->len)
            return NULL;
        uint8_t id = two_byte ? packet[pos] : packet[pos] >> 4;
        if (id != item->id)
            return NULL;
        if (item->stamp == stamp)
            return packet + pos + head;
        pos += head + item->len;
    }
    return NULL;
}
