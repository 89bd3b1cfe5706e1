/* Fuzzes the RTP hot path: demux, header parse, extension walk and values, payload descriptors,
 * and every in-place rewrite on a copy, checking the round trips that must hold. */
#include <stdlib.h>
#include <string.h>

#include "media/demux.h"
#include "media/rtp/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_extensions(const struct prism_rtp_header *h)
{
    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    char text[256];
    uint32_t u32;
    uint16_t u16;
    uint8_t level;
    bool voice;
    struct prism_rtp_video_orientation vo;
    prism_rtp_ext_iter_init(&it, h);
    while (prism_rtp_ext_next(&it, &e) > 0) {
        (void)prism_rtp_abs_send_time_read(&e, &u32);
        (void)prism_rtp_transport_cc_read(&e, &u16);
        (void)prism_rtp_audio_level_read(&e, &voice, &level);
        (void)prism_rtp_video_orientation_read(&e, &vo);
        (void)prism_rtp_ext_string_copy(&e, text, sizeof(text));
        (void)prism_rtp_ext_string_equals(&e, "0");
    }
}

static void read_payload(const struct prism_rtp_header *h, uint8_t *copy)
{
    struct prism_rtp_vp8 vp8;
    struct prism_rtp_vp9 vp9;
    uint8_t *payload = copy + h->header_len;
    if (prism_rtp_vp8_parse(h->payload, h->payload_len, &vp8) == 0) {
        (void)prism_rtp_vp8_set_picture_id(payload, h->payload_len, &vp8, 0x7FFF);
        (void)prism_rtp_vp8_set_tl0picidx(payload, h->payload_len, &vp8, 0xAB);
    }
    (void)prism_rtp_vp9_parse(h->payload, h->payload_len, &vp9);
    (void)prism_rtp_h264_is_keyframe(h->payload, h->payload_len);
}

/* Setting a transport-wide sequence number (as every packet we send gets it) must leave a
 * packet that parses, carries the value and keeps its payload. */
static void check_ext_set(const uint8_t *data, size_t size, const struct prism_rtp_header *h)
{
    uint8_t *copy = malloc(size + 8);
    if (!copy)
        return;
    memcpy(copy, data, size);
    uint8_t id = (uint8_t)(1 + size % 14);
    int len = prism_rtp_ext_set_u16(copy, size, size + 8, id, 0xA5C3);
    struct prism_rtp_header after;
    struct prism_rtp_ext e;
    uint16_t value;
    if (len > 0 &&
        (prism_rtp_parse(copy, (size_t)len, &after) != 0 ||
         prism_rtp_ext_find(&after, id, &e) != 0 || prism_rtp_transport_cc_read(&e, &value) != 0 ||
         value != 0xA5C3 || after.payload_len != h->payload_len ||
         memcmp(after.payload, h->payload, h->payload_len) != 0))
        __builtin_trap();
    free(copy);
}

/* Wrapping as RTX and unwrapping must give back the packet without its padding. */
static void check_rtx_round_trip(const uint8_t *data, const struct prism_rtp_header *h)
{
    size_t cap = h->header_len + 2 + h->payload_len;
    uint8_t *rtx = malloc(cap);
    if (!rtx)
        return;
    struct prism_rtp_header r;
    int len = prism_rtp_rtx_wrap(rtx, cap, h, 97, 0x5EED, 1);
    if (len < 0 || prism_rtp_parse(rtx, (size_t)len, &r) != 0)
        __builtin_trap();
    int back = prism_rtp_rtx_unwrap(rtx, &r, h->payload_type, h->ssrc);
    if (back != (int)(h->header_len + h->payload_len) || (rtx[0] & 0x20) ||
        (rtx[0] | (data[0] & 0x20)) != data[0] || memcmp(rtx + 1, data + 1, (size_t)back - 1) != 0)
        __builtin_trap();
    free(rtx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)prism_demux_classify(data, size);
    struct prism_rtp_header h;
    if (prism_rtp_parse(data, size, &h) != 0)
        return 0;
    read_extensions(&h);

    uint8_t *copy = malloc(size + 255);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    read_payload(&h, copy);

    /* The identity map must leave the block untouched; a shuffled one only changes ids. */
    struct prism_rtp_ext_map map;
    for (int i = 0; i < 256; i++)
        map.id[i] = (uint8_t)i;
    memcpy(copy, data, size);
    if (prism_rtp_ext_remap(copy, &h, &map) >= 0 && memcmp(copy, data, size) != 0)
        __builtin_trap();
    for (int i = 0; i < 256; i++)
        map.id[i] = (uint8_t)(i * 7 + (size & 0xFF));
    (void)prism_rtp_ext_remap(copy, &h, &map);
    uint8_t elem_len;
    uint8_t *twcc = prism_rtp_ext_find_mut(copy, &h, 3, &elem_len);
    if (twcc)
        (void)prism_rtp_transport_cc_write(twcc, elem_len, 0x1234);

    prism_rtp_set_ssrc(copy, 1);
    prism_rtp_set_seq(copy, 2);
    prism_rtp_set_timestamp(copy, 3);
    prism_rtp_set_payload_type(copy, 4);
    prism_rtp_set_marker(copy, true);
    struct prism_rtp_header again;
    if (prism_rtp_parse(copy, size, &again) != 0 || again.ssrc != 1 || again.seq != 2 ||
        again.payload_len != h.payload_len)
        __builtin_trap();
    if (!h.padding && prism_rtp_add_padding(copy, size, size + 255, 200) == (int)size + 200 &&
        (prism_rtp_parse(copy, size + 200, &again) != 0 || again.payload_len != h.payload_len))
        __builtin_trap();
    free(copy);

    check_ext_set(data, size, &h);
    check_rtx_round_trip(data, &h);
    return 0;
}
