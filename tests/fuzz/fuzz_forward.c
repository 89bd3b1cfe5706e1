/* Fuzzes the forwarding engine with a script: packets (raw bytes, or built from fuzzed fields
 * over three publisher SSRCs with fuzzed sequence steps and VP8 descriptors), switches between
 * audio and video sources of every codec, pauses, resumes and clock jumps. Checks that output
 * never goes past out_cap, every packet sent parses back with the subscriber's SSRC and payload
 * type and the publisher's bytes past the descriptor, and the first packet after a switch or
 * resume continues the output sequence number by exactly one; and that every packet sent maps
 * back from its output sequence number to its own, and is rewritten for a retransmission into
 * exactly the bytes that were sent. In simulcast mode the three SSRCs are layers 0-2 (with
 * fuzzed VP8 temporal layer ids and configure calls), and a layer switch continues the output
 * sequence numbers by exactly one too. Packets with an extension block go in with a Dependency
 * Descriptor frame made from their header (temporal id, frame start, new structure), as the
 * VideoRoom passes one when the publisher negotiated the extension. The same configure calls
 * set the VP9 SVC targets, which drop spatial and temporal layers from VP9 packets with layer
 * indices and add marker bits. */
#include <stdlib.h>
#include <string.h>

#include "media/forward/forward.h"
#include "media/rtp/dependency_descriptor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_SSRC 0x0BADCAFEu
#define SUB_PT_BASE 100 /* publisher type p is sent as p + 4 */

struct cursor {
    const uint8_t *pos, *end;
};

static uint8_t take(struct cursor *c)
{
    return c->pos < c->end ? *c->pos++ : 0;
}

/* What the script knows independently of the engine. */
struct model {
    struct prism_forward_stream s;
    uint64_t now;
    uint16_t seq[3];
    uint32_t ts[3];
    bool sent_any;
    bool expect_continuation; /* a switch or resume happened: the next send is newest + 1 */
    bool paused;
    uint16_t newest_seq;
    uint16_t initial_seq;
    bool layered;       /* packets go in as simulcast layers (prism_forward_packet_layer) */
    uint32_t sent_ssrc; /* the publisher SSRC of the newest packet sent */
};

static const uint32_t ssrcs[3] = {0x11110000u, 0x22220000u, 0x33330000u};
static const enum prism_sdp_codec_id codecs[5] = {PRISM_SDP_CODEC_OPUS, PRISM_SDP_CODEC_VP8,
                                                  PRISM_SDP_CODEC_VP9, PRISM_SDP_CODEC_H264,
                                                  PRISM_SDP_CODEC_AV1};

/* A source from one byte: codec on publisher type 96 + codec index, plus a second mapped type
 * and a partial extension map. */
static void make_source(uint8_t b, struct prism_forward_source *src)
{
    memset(src, 0, sizeof(*src));
    unsigned codec = b % 5;
    src->video = codec != 0;
    src->clock_rate = codec == 0 ? 48000 : 90000;
    src->payload_types[0] = (struct prism_forward_payload_type){
        .publisher = (uint8_t)(96 + codec),
        .subscriber = (uint8_t)(100 + codec),
        .codec = codecs[codec]};
    src->payload_types[1] = (struct prism_forward_payload_type){
        .publisher = 0, .subscriber = 4, .codec = PRISM_SDP_CODEC_PCMU};
    src->payload_type_count = 2;
    for (unsigned id = 1; id < 15; id++)
        src->extensions.id[id] = (b >> 3) & (1u << (id % 5)) ? (uint8_t)(15 - id) : 0;
    /* Frame marking (0: none) on one of the ids: temporal layers of codecs without their own. */
    src->frame_marking_id = (uint8_t)((b >> 3) % 15);
}

/* Builds a packet from fuzzed fields into p; returns its length or 0. */
static size_t build_packet(struct cursor *c, struct model *m, uint8_t *p, size_t cap)
{
    unsigned who = take(c) % 3;
    m->seq[who] = (uint16_t)(m->seq[who] + (int8_t)take(c));
    m->ts[who] += (uint32_t)take(c) * 100u;
    uint8_t flags = take(c);
    uint8_t payload_type = (uint8_t)(96 + take(c) % 6);
    const uint8_t level = 0x90, mid[2] = {'v', '1'};
    const struct prism_rtp_ext exts[2] = {{1, 1, &level}, {(uint8_t)(2 + flags % 4), 2, mid}};
    struct prism_rtp_header_fields f = {.marker = flags & 0x80,
                                        .payload_type = payload_type,
                                        .seq = m->seq[who],
                                        .timestamp = m->ts[who],
                                        .ssrc = ssrcs[who],
                                        .exts = exts,
                                        .ext_count = flags & 0x40 ? 2 : 0};
    int len = prism_rtp_build_header(p, cap, &f);
    if (len < 0)
        return 0;
    if (flags & 0x20) { /* a VP8 descriptor and payload header */
        struct prism_rtp_vp8 d = {.start_of_partition = flags & 0x10,
                                  .has_picture_id = flags & 0x08,
                                  .long_picture_id = flags & 0x04,
                                  .has_tl0picidx = flags & 0x02};
        uint8_t tid = take(c);
        d.has_tid = tid & 0x80;
        d.tid = tid & 0x03;
        d.layer_sync = tid & 0x40;
        d.picture_id = (uint16_t)(take(c) << 7);
        d.picture_id |= take(c);
        d.tl0picidx = take(c);
        int n = prism_rtp_vp8_build(p + len, cap - (size_t)len, &d);
        if (n < 0)
            return 0;
        len += n;
        p[len++] = flags & 0x01 ? 0x11 : 0x10;
    }
    size_t payload = take(c) % 64;
    for (size_t i = 0; i < payload && (size_t)len < cap; i++)
        p[len++] = take(c);
    if (flags & 0x01 && payload == 0)
        len = prism_rtp_add_padding(p, (size_t)len, cap, 17);
    return len > 0 ? (size_t)len : 0;
}

static void check_sent(struct model *m, const struct prism_rtp_header *in, const uint8_t *out,
                       size_t len)
{
    struct prism_rtp_header h;
    /* The extension block may shrink (elements dropped) but never grows here (nothing added). */
    if (prism_rtp_parse(out, len, &h) != 0 || h.ssrc != OUT_SSRC || h.header_len > in->header_len ||
        h.payload_len != in->payload_len || h.padding_len != in->padding_len)
        __builtin_trap();
    if (h.payload_type != (in->payload_type == 0 ? 4 : in->payload_type + 4))
        __builtin_trap();
    /* Only a VP8 descriptor (at most 6 bytes) may differ in the payload. */
    size_t skip = in->payload_len < 6 ? in->payload_len : 6;
    if (memcmp(h.payload + skip, in->payload + skip, in->payload_len - skip) != 0)
        __builtin_trap();
    if (m->expect_continuation) {
        uint16_t want = m->sent_any ? (uint16_t)(m->newest_seq + 1) : m->initial_seq;
        if (h.seq != want)
            __builtin_trap();
        m->expect_continuation = false;
    }
    if (!m->sent_any || prism_rtp_seq_newer(h.seq, m->newest_seq))
        m->newest_seq = h.seq;
    m->sent_any = true;
}

/* The retransmission path reproduces what was just sent, byte for byte. */
static void check_resend(const struct model *m, const struct prism_rtp_header *in,
                         const uint8_t *packet, size_t len, const uint8_t *out, size_t out_len)
{
    uint16_t out_seq = (uint16_t)(out[2] << 8 | out[3]);
    uint16_t source_seq;
    if (prism_forward_source_seq(&m->s, out_seq, &source_seq) != 0 || source_seq != in->seq)
        __builtin_trap();
    uint8_t again[1600];
    size_t again_len = 0;
    if (prism_forward_resend(&m->s, out_seq, in, packet, len, again, sizeof(again), &again_len) !=
            PRISM_FORWARD_SEND ||
        again_len != out_len || memcmp(again, out, out_len) != 0)
        __builtin_trap();
}

/* SVC asks for a keyframe when it drops a spatial layer it wants. */
static bool svc_asked_now(const struct model *m)
{
    const struct prism_forward_svc *svc = prism_forward_svc_state(&m->s);
    return svc->asked && svc->asked_us == m->now;
}

static void forward(struct model *m, const uint8_t *packet, size_t len, uint8_t cap_byte)
{
    struct prism_rtp_header in;
    if (prism_rtp_parse(packet, len, &in) != 0)
        return;
    /* Usually room to spare; sometimes exactly too little. */
    size_t cap = cap_byte < 0xF0 ? len + cap_byte : len - (cap_byte & 0x0F) % (len + 1);
    uint8_t *out = malloc(cap ? cap : 1);
    if (!out)
        return;
    int layer = -1;
    for (int i = 0; m->layered && i < 3; i++)
        layer = in.ssrc == ssrcs[i] ? i : layer;
    uint64_t layer_switches = prism_forward_counters(&m->s)->layer_switches;
    size_t out_len = 0;
    struct prism_dd_frame dd = {.start_of_frame = in.timestamp & 1,
                                .temporal_id = (uint8_t)(in.timestamp >> 1 & 7),
                                .new_structure = (in.timestamp >> 4 & 7) == 0};
    /* What the automatic layer choice counts the packet under: a spatial id (VP9's has 3 bits)
     * or none. */
    enum prism_sdp_codec_id codec = in.payload_type >= 96 && in.payload_type < 101
                                        ? codecs[in.payload_type - 96]
                                        : PRISM_SDP_CODEC_UNKNOWN;
    int spatial = prism_forward_svc_spatial_layer(codec, in.extension ? &dd : NULL, &in);
    if (spatial < -1 || spatial > 7)
        __builtin_trap();
    enum prism_forward_result r = prism_forward_packet_dd(
        &m->s, layer, in.extension ? &dd : NULL, &in, packet, len, out, cap, &out_len, m->now);
    if (r == PRISM_FORWARD_SEND) {
        if (m->paused || out_len > len || out_len > cap)
            __builtin_trap();
        /* A layer switch onto another SSRC starts a segment; onto the SSRC being forwarded
         * already (the stream was not layered before) it goes on, gaps and all. */
        m->expect_continuation |= prism_forward_counters(&m->s)->layer_switches != layer_switches &&
                                  m->sent_any && in.ssrc != m->sent_ssrc;
        m->sent_ssrc = in.ssrc;
        check_sent(m, &in, out, out_len);
        check_resend(m, &in, packet, len, out, out_len);
    } else if (r == PRISM_FORWARD_DROP_NEED_KEYFRAME && layer < 0 &&
               !prism_forward_waiting_keyframe(&m->s) && !svc_asked_now(m)) {
        __builtin_trap();
    }
    free(out);
}

static void step(struct cursor *c, struct model *m)
{
    uint8_t packet[1600];
    struct prism_forward_source src;
    switch (take(c) % 10) {
    case 0: {
        size_t n = take(c);
        size_t avail = (size_t)(c->end - c->pos);
        n = n < avail ? n : avail;
        memcpy(packet, c->pos, n);
        c->pos += n;
        forward(m, packet, n, take(c));
        break;
    }
    case 1:
    case 2: {
        size_t n = build_packet(c, m, packet, sizeof(packet));
        if (n > 0)
            forward(m, packet, n, take(c));
        break;
    }
    case 3:
        make_source(take(c), &src);
        if (prism_forward_switch(&m->s, &src) != 0)
            __builtin_trap();
        m->expect_continuation = true;
        break;
    case 4:
        m->expect_continuation |= m->paused;
        m->paused = !m->paused;
        prism_forward_pause(&m->s, m->paused);
        break;
    case 5:
        m->now += (uint64_t)take(c) * 1000;
        break;
    case 6: {
        uint64_t back = (uint64_t)take(c) * 200;
        m->now = m->now > back ? m->now - back : 0;
        break;
    }
    case 8:
        m->layered = !m->layered;
        break;
    case 9: {
        int substream = take(c) % 5 - 1, temporal = take(c) % 5 - 1;
        prism_forward_simulcast_configure(&m->s, substream, temporal, (uint64_t)take(c) * 1000);
        prism_forward_svc_configure(&m->s, substream, temporal); /* VP9 SVC targets */
        break;
    }
    default:
        make_source(take(c), &src);
        (void)prism_forward_update_source(&m->s, &src);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cursor c = {data, data + size};
    struct model *m = calloc(1, sizeof(*m));
    if (!m)
        return 0;
    struct prism_forward_config cfg = {.ssrc = OUT_SSRC};
    cfg.initial_seq = (uint16_t)(take(&c) << 8);
    cfg.initial_seq |= take(&c);
    cfg.initial_timestamp = (uint32_t)take(&c) << 24;
    cfg.keyframe_retry_us = (uint64_t)take(&c) * 10000;
    m->initial_seq = cfg.initial_seq;
    if (prism_forward_init(&m->s, &cfg) != 0)
        __builtin_trap();
    m->now = 1000000;
    while (c.pos < c.end)
        step(&c, m);
    free(m);
    return 0;
}
