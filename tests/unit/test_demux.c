/* First-byte demultiplexing (RFC 7983, RFC 5761) on every range boundary. */
#include "media/demux.h"

#include <glib.h>

static enum prism_demux_kind classify2(uint8_t first, uint8_t second)
{
    uint8_t packet[2] = {first, second};
    return prism_demux_classify(packet, sizeof(packet));
}

static void test_demux_classifies_range_boundaries(void)
{
    static const struct {
        uint8_t first;
        enum prism_demux_kind kind;
    } cases[] = {
        {0, PRISM_DEMUX_STUN},          {3, PRISM_DEMUX_STUN},
        {4, PRISM_DEMUX_UNKNOWN},       {15, PRISM_DEMUX_UNKNOWN},
        {16, PRISM_DEMUX_UNKNOWN},      {19, PRISM_DEMUX_UNKNOWN}, /* ZRTP: dropped */
        {20, PRISM_DEMUX_DTLS},         {63, PRISM_DEMUX_DTLS},
        {64, PRISM_DEMUX_TURN_CHANNEL}, {79, PRISM_DEMUX_TURN_CHANNEL},
        {80, PRISM_DEMUX_UNKNOWN},      {127, PRISM_DEMUX_UNKNOWN},
        {128, PRISM_DEMUX_RTP},         {191, PRISM_DEMUX_RTP},
        {192, PRISM_DEMUX_UNKNOWN},     {255, PRISM_DEMUX_UNKNOWN},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpint(classify2(cases[i].first, 96), ==, cases[i].kind);
}

static void test_demux_splits_rtp_and_rtcp_on_second_byte(void)
{
    g_assert_cmpint(classify2(0x80, 191), ==, PRISM_DEMUX_RTP); /* marker + PT 63 */
    g_assert_cmpint(classify2(0x80, 192), ==, PRISM_DEMUX_RTCP);
    g_assert_cmpint(classify2(0x81, 200), ==, PRISM_DEMUX_RTCP); /* SR */
    g_assert_cmpint(classify2(0x8F, 206), ==, PRISM_DEMUX_RTCP); /* PSFB */
    g_assert_cmpint(classify2(0x80, 223), ==, PRISM_DEMUX_RTCP);
    g_assert_cmpint(classify2(0x80, 224), ==, PRISM_DEMUX_RTP); /* marker + PT 96 */
    g_assert_cmpint(classify2(0x80, 0x6F), ==, PRISM_DEMUX_RTP);
}

static void test_demux_rejects_empty_and_one_byte_media(void)
{
    uint8_t one[1] = {0x80};
    uint8_t stun[1] = {0x00};
    g_assert_cmpint(prism_demux_classify(NULL, 0), ==, PRISM_DEMUX_UNKNOWN);
    g_assert_cmpint(prism_demux_classify(one, 0), ==, PRISM_DEMUX_UNKNOWN);
    g_assert_cmpint(prism_demux_classify(one, 1), ==, PRISM_DEMUX_UNKNOWN);
    /* STUN needs only its first byte to be recognised; its parser checks the rest. */
    g_assert_cmpint(prism_demux_classify(stun, 1), ==, PRISM_DEMUX_STUN);
}

static void test_demux_names_kinds(void)
{
    g_assert_cmpstr(prism_demux_kind_name(PRISM_DEMUX_RTCP), ==, "rtcp");
    g_assert_cmpstr(prism_demux_kind_name(PRISM_DEMUX_TURN_CHANNEL), ==, "turn-channel");
    g_assert_cmpstr(prism_demux_kind_name(PRISM_DEMUX_UNKNOWN), ==, "unknown");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/demux/classifies-range-boundaries", test_demux_classifies_range_boundaries);
    g_test_add_func("/demux/splits-rtp-and-rtcp-on-second-byte",
                    test_demux_splits_rtp_and_rtcp_on_second_byte);
    g_test_add_func("/demux/rejects-empty-and-one-byte-media",
                    test_demux_rejects_empty_and_one_byte_media);
    g_test_add_func("/demux/names-kinds", test_demux_names_kinds);
    return g_test_run();
}
