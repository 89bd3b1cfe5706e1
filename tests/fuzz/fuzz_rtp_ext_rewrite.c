/* Fuzzes the per-receiver rebuild of the header extension block (media/rtp/ext_rewrite.h).
 * Input: one flags byte (two-byte allowed, add a mid, add an abs-send-time), eight
 * (sender id, receiver id) pairs for the map, then an RTP packet. Checks that whatever is
 * written parses again, carries only the receiver's ids, keeps the payload, and that the
 * send-time stamp lands inside the packet. */
#include <stdlib.h>
#include <string.h>

#include "media/rtp/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONFIG_LEN 17

static void configure(const uint8_t *data, struct prism_rtp_ext_map *map,
                      struct prism_rtp_ext_added_set *set, bool allowed[256])
{
    memset(map, 0, sizeof(*map));
    memset(set, 0, sizeof(*set));
    memset(allowed, 0, 256 * sizeof(bool));
    set->two_byte_allowed = data[0] & 1;
    if (data[0] & 2)
        (void)prism_rtp_ext_added_push(set, (uint8_t)(data[0] >> 4 | 1), PRISM_RTP_EXT_STAMP_NONE,
                                       "mid", 3);
    if (data[0] & 4)
        (void)prism_rtp_ext_added_push(set, (uint8_t)((data[0] >> 4) + 2),
                                       PRISM_RTP_EXT_STAMP_ABS_SEND_TIME, NULL, 3);
    for (int i = 0; i < 8; i++) {
        map->id[data[1 + 2 * i]] = data[2 + 2 * i];
        allowed[data[2 + 2 * i]] = true;
    }
    for (uint8_t i = 0; i < set->count; i++)
        allowed[set->items[i].id] = true;
}

static void check_output(const uint8_t *out, size_t len, const struct prism_rtp_header *in,
                         const bool allowed[256])
{
    struct prism_rtp_header o;
    if (prism_rtp_parse(out, len, &o) != 0 || o.payload_len != in->payload_len ||
        memcmp(o.payload, in->payload, in->payload_len) != 0 || o.ssrc != in->ssrc)
        __builtin_trap();
    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    int rc;
    prism_rtp_ext_iter_init(&it, &o);
    while ((rc = prism_rtp_ext_next(&it, &e)) > 0) {
        if (!allowed[e.id])
            __builtin_trap();
    }
    if (rc < 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < CONFIG_LEN)
        return 0;
    struct prism_rtp_ext_map map;
    struct prism_rtp_ext_added_set set;
    bool allowed[256];
    configure(data, &map, &set, allowed);
    const uint8_t *packet = data + CONFIG_LEN;
    size_t len = size - CONFIG_LEN;
    struct prism_rtp_header in;
    if (prism_rtp_parse(packet, len, &in) != 0)
        return 0;
    uint8_t out[2048];
    size_t body = in.payload_len; /* padding left out: the header is what is under test */
    if (body > sizeof(out))
        return 0;
    int hl = prism_rtp_ext_rewrite(out, sizeof(out) - body, packet, &in, &map, &set);
    if (hl < 0)
        return 0;
    memcpy(out + hl, in.payload, body);
    out[0] &= (uint8_t)~0x20; /* no padding in the copy */
    size_t out_len = (size_t)hl + body;
    check_output(out, out_len, &in, allowed);
    uint8_t *at = prism_rtp_ext_stamp_at(out, out_len, &set, PRISM_RTP_EXT_STAMP_ABS_SEND_TIME);
    if (at) {
        if (at < out + 12 || at + 3 > out + hl)
            __builtin_trap();
        (void)prism_rtp_abs_send_time_write(at, 3, 0x123456);
        check_output(out, out_len, &in, allowed);
    }
    return 0;
}
