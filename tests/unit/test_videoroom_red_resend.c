/* A VideoRoom subscriber's retransmission of a RED packet (RFC 2198) is what the live path
 * sent for it: for a subscriber that kept RED, the packet with its payload type and the
 * payload types of its blocks remapped; for one without RED, the primary block alone as a
 * plain packet of the codec. The media path keeps a history for video only (audio negotiates
 * no NACK today), so the packets go into the publisher stream's history here. */
#include "plugins/videoroom/participant.h"

#include "media/rtp/header.h"
#include "media/rtp/red.h"

#include <glib.h>
#include <string.h>

#define PUB_OPUS_PT 111
#define PUB_RED_PT 63
#define SUB_OPUS_PT 100
#define SUB_RED_PT 120
#define PUB_SSRC 0x0A0D10u
#define PACKETS 5
#define NOW_US 10000000u

struct rig {
    struct vr_pub_stream source;
    struct vr_subscriber subscriber;
    struct vr_sub_stream stream;
    uint8_t live[PACKETS][1500]; /* what the live path wrote for each packet */
    size_t live_len[PACKETS];
};

/* A subscriber audio stream of a publisher that sends Opus with RED; `red`: the subscriber's
 * answer kept RED. */
static void rig_init(struct rig *rig, bool red)
{
    memset(rig, 0, sizeof(*rig));
    rig->source.kind = PRISM_SDP_MEDIA_AUDIO;
    rig->source.codec = (struct prism_sdp_codec){
        .pt = PUB_OPUS_PT, .id = PRISM_SDP_CODEC_OPUS, .clock_rate = 48000, .channels = 2};
    rig->source.red_pt = PUB_RED_PT;
    struct prism_nack_history_config history = {.ssrc = PUB_SSRC, .slot_size = 1500};
    g_assert_cmpint(prism_nack_history_create(&history, &rig->source.history[0]), ==, 0);
    struct vr_sub_stream *stream = &rig->stream;
    stream->subscriber = &rig->subscriber;
    stream->kind = PRISM_SDP_MEDIA_AUDIO;
    stream->source = &rig->source;
    stream->forward_source = &rig->source;
    stream->codec = rig->source.codec;
    stream->codec.pt = SUB_OPUS_PT;
    stream->source_pt = PUB_OPUS_PT;
    stream->source_red_pt = PUB_RED_PT;
    stream->red_pt = SUB_RED_PT;
    stream->red_forwarded = red;
    struct prism_forward_config config = {
        .ssrc = 0x5B5B01u, .initial_seq = 4000, .initial_timestamp = 777};
    g_assert_cmpint(prism_forward_init(&stream->forward, &config), ==, 0);
    struct prism_forward_source src = {.clock_rate = 48000, .payload_type_count = 1};
    src.payload_types[0] = (struct prism_forward_payload_type){PUB_OPUS_PT, SUB_OPUS_PT,
                                                               PRISM_SDP_CODEC_OPUS};
    if (red)
        src.payload_types[src.payload_type_count++] = (struct prism_forward_payload_type){
            PUB_RED_PT, SUB_RED_PT, PRISM_SDP_CODEC_RED};
    g_assert_cmpint(prism_forward_switch(&stream->forward, &src), ==, 0);
}

static void rig_clear(struct rig *rig)
{
    vr_pub_stream_drop_history(&rig->source);
}

/* Publisher packet i: RED with the previous frame (20 ms back) as a redundant block and
 * frame i as the primary, each 30 + i bytes of (i, block) patterns. */
static size_t red_packet(unsigned i, uint8_t *buf, size_t cap)
{
    struct prism_rtp_header_fields fields = {.payload_type = PUB_RED_PT,
                                             .seq = (uint16_t)(200 + i),
                                             .timestamp = 48000u + 960u * i,
                                             .ssrc = PUB_SSRC};
    int n = prism_rtp_build_header(buf, cap, &fields);
    g_assert_cmpint(n, >, 0);
    size_t block = 30 + i;
    uint8_t *p = buf + n;
    *p++ = 0x80 | PUB_OPUS_PT; /* F: a redundant block */
    *p++ = (uint8_t)(960 >> 6);
    *p++ = (uint8_t)((960 & 0x3F) << 2 | block >> 8);
    *p++ = (uint8_t)(block & 0xFF);
    *p++ = PUB_OPUS_PT; /* the primary */
    memset(p, (int)(0x10 + i), block);
    memset(p + block, (int)(0xA0 + i), block);
    return (size_t)(p + 2 * block - buf);
}

/* Every packet goes through the live path into rig->live and into the source's history. */
static void publish_all(struct rig *rig)
{
    for (unsigned i = 0; i < PACKETS; i++) {
        uint8_t packet[1500];
        size_t len = red_packet(i, packet, sizeof(packet));
        struct prism_rtp_header header;
        g_assert_cmpint(prism_rtp_parse(packet, len, &header), ==, 0);
        g_assert_cmpint(prism_nack_history_store(rig->source.history[0], packet, len, NOW_US), ==,
                        0);
        g_assert_cmpint(vr_forward_write(&rig->stream, -1, NULL, &header, packet, len, rig->live[i],
                                         sizeof(rig->live[i]), &rig->live_len[i], NOW_US),
                        ==, PRISM_FORWARD_SEND);
    }
}

/* Each packet the live path sent comes back byte for byte when its sequence number is asked
 * for again. */
static void check_resends(struct rig *rig)
{
    for (unsigned i = 0; i < PACKETS; i++) {
        struct prism_rtp_header sent;
        g_assert_cmpint(prism_rtp_parse(rig->live[i], rig->live_len[i], &sent), ==, 0);
        uint8_t again[1500];
        size_t len = vr_forward_resend_packet(&rig->stream, sent.seq, NOW_US + 20000, again,
                                              sizeof(again));
        g_assert_cmpuint(len, ==, rig->live_len[i]);
        g_assert_cmpmem(again, len, rig->live[i], rig->live_len[i]);
    }
}

static void test_videoroom_red_resend_keeps_red_with_remapped_blocks(void)
{
    struct rig rig;
    rig_init(&rig, true);
    publish_all(&rig);
    /* What the live path sends: RED in the subscriber's payload types, outside and inside. */
    struct prism_rtp_header sent;
    g_assert_cmpint(prism_rtp_parse(rig.live[2], rig.live_len[2], &sent), ==, 0);
    g_assert_cmpuint(sent.payload_type, ==, SUB_RED_PT);
    struct prism_rtp_red red;
    g_assert_cmpint(prism_rtp_red_parse(sent.payload, sent.payload_len, &red), ==, 0);
    g_assert_cmpuint(red.count, ==, 2);
    g_assert_cmpuint(red.blocks[0].payload_type, ==, SUB_OPUS_PT);
    g_assert_cmpuint(red.blocks[1].payload_type, ==, SUB_OPUS_PT);
    check_resends(&rig);
    rig_clear(&rig);
}

static void test_videoroom_red_resend_primary_block_without_red(void)
{
    struct rig rig;
    rig_init(&rig, false);
    publish_all(&rig);
    /* What the live path sends: the primary block as plain Opus. */
    struct prism_rtp_header sent;
    g_assert_cmpint(prism_rtp_parse(rig.live[3], rig.live_len[3], &sent), ==, 0);
    g_assert_cmpuint(sent.payload_type, ==, SUB_OPUS_PT);
    g_assert_cmpuint(sent.payload_len, ==, 33);
    for (size_t b = 0; b < sent.payload_len; b++)
        g_assert_cmpuint(sent.payload[b], ==, 0xA3);
    check_resends(&rig);
    rig_clear(&rig);
}

/* A packet the history no longer holds, or never sent under that number: nothing. */
static void test_videoroom_red_resend_nothing_unknown(void)
{
    struct rig rig;
    rig_init(&rig, false);
    publish_all(&rig);
    uint8_t out[1500];
    g_assert_cmpuint(vr_forward_resend_packet(&rig.stream, 3000, NOW_US, out, sizeof(out)), ==, 0);
    vr_pub_stream_drop_history(&rig.source);
    g_assert_cmpuint(vr_forward_resend_packet(&rig.stream, 4001, NOW_US, out, sizeof(out)), ==, 0);
    rig_clear(&rig);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/red_resend/keeps_red_with_remapped_blocks",
                    test_videoroom_red_resend_keeps_red_with_remapped_blocks);
    g_test_add_func("/videoroom/red_resend/primary_block_without_red",
                    test_videoroom_red_resend_primary_block_without_red);
    g_test_add_func("/videoroom/red_resend/nothing_unknown",
                    test_videoroom_red_resend_nothing_unknown);
    return g_test_run();
}
