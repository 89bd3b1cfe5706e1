/* Simulcast on a PeerConnection's receive side: the layers an offer announces (rids from
 * a=simulcast, lowest quality first; or a=ssrc-group:SIM), and each packet's layer, learnt
 * from the rid / repaired-rid header extensions (RFC 8852) or the SSRCs listed. */
#include "media/peer/peer_internal.h"
#include "sdp_test_util.h"

#include <stdlib.h>

#define MID_ID 4
#define RID_ID 10
#define RRID_ID 11

/* A peer with the m-lines of the exchange (offer from the remote, answered by us). */
static struct prism_peer *peer_from_offer(struct prism_sdp *offer)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    struct prism_sdp *answer = NULL;
    struct prism_sdp_error err;
    if (prism_sdp_answer_create(offer, &o, &answer, &err) != 0)
        g_error("answer failed: %s", err.message);
    struct prism_peer *peer = calloc(1, sizeof(*peer));
    g_assert_cmpint(peer_streams_from_exchange(peer, offer, answer, true), ==, 0);
    prism_sdp_free(answer);
    return peer;
}

static void peer_free(struct prism_peer *peer)
{
    peer_recovery_free(peer);
    free(peer->media);
    free(peer);
}

/* A packet of ssrc with optional mid and rid / repaired-rid elements, parsed into h. */
static void packet(uint8_t *buf, size_t cap, struct prism_rtp_header *h, uint32_t ssrc, uint8_t pt,
                   const char *mid, const char *rid, bool repaired)
{
    struct prism_rtp_ext exts[2];
    size_t count = 0;
    if (mid)
        exts[count++] = (struct prism_rtp_ext){MID_ID, (uint8_t)strlen(mid), (const uint8_t *)mid};
    if (rid)
        exts[count++] = (struct prism_rtp_ext){repaired ? RRID_ID : RID_ID, (uint8_t)strlen(rid),
                                               (const uint8_t *)rid};
    struct prism_rtp_header_fields f = {.payload_type = pt,
                                        .seq = 1,
                                        .timestamp = 2,
                                        .ssrc = ssrc,
                                        .exts = exts,
                                        .ext_count = count};
    int n = prism_rtp_build_header(buf, cap, &f);
    g_assert_cmpint(n, >, 0);
    memset(buf + n, 0x10, 20);
    g_assert_cmpint(prism_rtp_parse(buf, (size_t)n + 20, h), ==, 0);
}

static int layer_of(struct prism_peer *peer, uint32_t ssrc, const char *mid, const char *rid,
                    bool repaired, uint8_t pt)
{
    uint8_t buf[200];
    struct prism_rtp_header h;
    packet(buf, sizeof(buf), &h, ssrc, pt, mid, rid, repaired);
    int layer = -2;
    struct peer_media *media = peer_media_for_packet(peer, &h, &layer);
    return media && strcmp(media->mid, "1") == 0 ? layer : -2;
}

static void test_peer_simulcast_orders_q_h_f_rids_lowest_first(void)
{
    struct prism_sdp *offer = sdp_parse_fixture("chrome_simulcast_datachannel.sdp");
    struct prism_peer *peer = peer_from_offer(offer);
    struct peer_media *video = &peer->media[1];
    g_assert_cmpuint(video->simulcast.layer_count, ==, 3);
    g_assert_true(video->simulcast.by_rid);
    g_assert_cmpstr(video->simulcast.rids[0], ==, "q");
    g_assert_cmpstr(video->simulcast.rids[1], ==, "h");
    g_assert_cmpstr(video->simulcast.rids[2], ==, "f");
    g_assert_cmpuint(peer->rid_ext_id, ==, RID_ID);
    g_assert_cmpuint(peer->repaired_rid_ext_id, ==, RRID_ID);
    g_assert_cmpuint(peer->media[0].simulcast.layer_count, ==, 0);
    peer_free(peer);
    prism_sdp_free(offer);
}

static void test_peer_simulcast_learns_layer_ssrcs_from_rid(void)
{
    struct prism_sdp *offer = sdp_parse_fixture("chrome_simulcast_datachannel.sdp");
    struct prism_peer *peer = peer_from_offer(offer);
    uint8_t vp8 = peer->media[1].recv_pt, rtx = peer->media[1].rtx_pt;
    g_assert_cmpuint(rtx, !=, 0);
    /* Unknown SSRC without a rid: not placed on the simulcast m-line (no mid guessing). */
    g_assert_cmpint(layer_of(peer, 0x1111, "1", NULL, false, vp8), ==, -2);
    g_assert_cmpint(layer_of(peer, 0xF000, "1", "f", false, vp8), ==, 2);
    g_assert_cmpint(layer_of(peer, 0x9000, "1", "q", false, vp8), ==, 0);
    g_assert_cmpint(layer_of(peer, 0xA000, NULL, "h", false, vp8), ==, 1);
    /* Known from then on, without extensions. */
    g_assert_cmpint(layer_of(peer, 0xF000, NULL, NULL, false, vp8), ==, 2);
    g_assert_cmpint(layer_of(peer, 0xA000, NULL, NULL, false, vp8), ==, 1);
    /* RTX: the repaired rid names the layer it repairs. */
    g_assert_cmpint(layer_of(peer, 0xF001, "1", "f", true, rtx), ==, 2);
    g_assert_cmpint(layer_of(peer, 0xF001, NULL, NULL, false, rtx), ==, 2);
    /* An unknown rid names no layer; a packet of another m-line is not this one's. */
    g_assert_cmpint(layer_of(peer, 0xB000, "1", "x", false, vp8), ==, -2);
    g_assert_cmpint(layer_of(peer, 0xB001, "0", "q", false, vp8), ==, -2);
    struct peer_media *video = &peer->media[1];
    g_assert_cmpuint(video->remote_ssrc, ==, 0x9000); /* the lowest layer is the primary */
    g_assert_cmpuint(video->simulcast.rtx_ssrcs[2], ==, 0xF001);
    uint32_t ssrcs[PEER_MAX_LAYERS];
    g_assert_cmpuint(peer_simulcast_ssrcs(video, ssrcs), ==, 3);
    g_assert_cmpuint(ssrcs[0], ==, 0x9000);
    g_assert_cmpuint(ssrcs[2], ==, 0xF000);
    peer_free(peer);
    prism_sdp_free(offer);
}

/* janus.js names its encodings h, m, l (full resolution first). */
static void test_peer_simulcast_orders_h_m_l_and_unnamed_rids(void)
{
    struct prism_sdp *offer = sdp_parse_fixture("chrome_simulcast_datachannel.sdp");
    struct prism_sdp_media *m = &offer->media[1];
    const char *hml[] = {"h", "m", "l"}, *named[] = {"hi", "mid", "lo"};
    for (int round = 0; round < 2; round++) {
        const char **rids = round == 0 ? hml : named;
        for (int i = 0; i < 3; i++) {
            g_strlcpy(m->rids[i].id, rids[i], sizeof(m->rids[i].id));
            g_strlcpy(m->simulcast_send.streams[i].alternatives[0].rid, rids[i],
                      sizeof(m->simulcast_send.streams[i].alternatives[0].rid));
        }
        struct prism_peer *peer = peer_from_offer(offer);
        /* Either way the list reads highest first, as Janus reads it by default. */
        g_assert_cmpstr(peer->media[1].simulcast.rids[0], ==, rids[2]);
        g_assert_cmpstr(peer->media[1].simulcast.rids[1], ==, rids[1]);
        g_assert_cmpstr(peer->media[1].simulcast.rids[2], ==, rids[0]);
        peer_free(peer);
    }
    prism_sdp_free(offer);
}

/* Loss on every layer is tracked (NACKs, receiver reports), not only on the primary SSRC. */
static void test_peer_simulcast_tracks_loss_per_layer(void)
{
    struct prism_sdp *offer = sdp_parse_fixture("chrome_simulcast_datachannel.sdp");
    struct prism_peer *peer = peer_from_offer(offer);
    struct peer_media *video = &peer->media[1];
    uint8_t vp8 = video->recv_pt;
    g_assert_cmpint(layer_of(peer, 0x9000, "1", "q", false, vp8), ==, 0);
    g_assert_cmpint(layer_of(peer, 0xA000, "1", "h", false, vp8), ==, 1);
    g_assert_cmpuint(peer_recovery_next_deadline(peer), ==, UINT64_MAX);
    const uint16_t seqs[] = {10, 11, 14}; /* 12 and 13 lost on layer 1 */
    for (unsigned i = 0; i < 3; i++) {
        uint8_t buf[200];
        struct prism_rtp_header h;
        packet(buf, sizeof(buf), &h, 0xA000, vp8, NULL, NULL, false);
        h.seq = seqs[i];
        g_assert_true(peer_recovery_on_receive(peer, video, &h, false, 1000000 + i * 33000));
        packet(buf, sizeof(buf), &h, 0x9000, vp8, NULL, NULL, false);
        h.seq = (uint16_t)(500 + i);
        g_assert_true(peer_recovery_on_receive(peer, video, &h, false, 1000000 + i * 33000));
    }
    g_assert_nonnull(video->receiver);
    g_assert_nonnull(video->layer_receivers[1]);
    g_assert_null(video->layer_receivers[2]);
    g_assert_cmpuint(peer_recovery_next_deadline(peer), <, UINT64_MAX); /* a NACK to send */
    struct prism_rtcp_report_block blocks[4];
    g_assert_cmpuint(peer_recovery_report_blocks(peer, 2000000, blocks, 4), ==, 2);
    g_assert_cmpuint(blocks[0].ssrc, ==, 0x9000);
    g_assert_cmpuint(blocks[1].ssrc, ==, 0xA000);
    g_assert_cmpint(blocks[1].cumulative_lost, ==, 2);
    /* A layer re-learnt on a new SSRC starts its tracking over. */
    g_assert_cmpint(layer_of(peer, 0xA100, "1", "h", false, vp8), ==, 1);
    g_assert_null(video->layer_receivers[1]);
    peer_free(peer);
    prism_sdp_free(offer);
}

static const char *sim_offer =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
    "a=fingerprint:sha-256 "
    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:"
    "EE:FF\r\n"
    "a=setup:actpass\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\na=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=ssrc-group:SIM 100 200 300\r\na=ssrc-group:FID 100 101\r\na=ssrc-group:FID 200 201\r\n"
    "a=ssrc-group:FID 300 301\r\n"
    "a=ssrc:100 cname:x\r\na=ssrc:101 cname:x\r\na=ssrc:200 cname:x\r\na=ssrc:201 cname:x\r\n"
    "a=ssrc:300 cname:x\r\na=ssrc:301 cname:x\r\n";

static void test_peer_simulcast_reads_ssrc_group_sim(void)
{
    struct prism_sdp *offer = sdp_parse_text(sim_offer);
    struct prism_peer *peer = peer_from_offer(offer);
    struct peer_media *video = &peer->media[0];
    g_assert_cmpuint(video->simulcast.layer_count, ==, 3);
    g_assert_false(video->simulcast.by_rid);
    g_assert_cmpuint(video->remote_ssrc, ==, 100);
    g_assert_cmpuint(video->remote_rtx_ssrc, ==, 101);
    const uint32_t ssrcs[] = {100, 101, 200, 201, 300, 301, 400};
    const int layers[] = {0, 0, 1, 1, 2, 2, -2};
    for (unsigned i = 0; i < 7; i++) {
        uint8_t buf[200];
        struct prism_rtp_header h;
        packet(buf, sizeof(buf), &h, ssrcs[i], 96, NULL, NULL, false);
        int layer = -2;
        struct peer_media *media = peer_media_for_packet(peer, &h, &layer);
        g_assert_cmpint(media ? layer : -2, ==, layers[i]);
    }
    peer_free(peer);
    prism_sdp_free(offer);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/peer/simulcast/orders_q_h_f_rids_lowest_first",
                    test_peer_simulcast_orders_q_h_f_rids_lowest_first);
    g_test_add_func("/peer/simulcast/learns_layer_ssrcs_from_rid",
                    test_peer_simulcast_learns_layer_ssrcs_from_rid);
    g_test_add_func("/peer/simulcast/orders_h_m_l_and_unnamed_rids",
                    test_peer_simulcast_orders_h_m_l_and_unnamed_rids);
    g_test_add_func("/peer/simulcast/reads_ssrc_group_sim",
                    test_peer_simulcast_reads_ssrc_group_sim);
    g_test_add_func("/peer/simulcast/tracks_loss_per_layer",
                    test_peer_simulcast_tracks_loss_per_layer);
    return g_test_run();
}
