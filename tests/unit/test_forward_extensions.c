/* Header extensions forwarded per subscriber (media/forward/extensions.h): what a subscriber
 * is offered for a publisher stream, how the negotiated ids turn into the rewrite tables, and
 * what the subscriber's packets carry (its own mid, the publisher's audio level and video
 * orientation under its ids, abs-send-time of the moment of sending, nothing else). */
#include "forward_util.h"

#include "media/forward/extensions.h"
#include "media/sdp/negotiate.h"

#include <errno.h>

static struct prism_sdp_extmap extmap(uint8_t id, const char *uri)
{
    struct prism_sdp_extmap e = {.id = id};
    g_strlcpy(e.uri, uri, sizeof(e.uri));
    return e;
}

/* What a Chrome publisher negotiates on an audio m-line (ids as Chrome offers them). */
static void chrome_audio(struct prism_forward_ext_ids *ids)
{
    const struct prism_sdp_extmap pub[] = {
        extmap(1, PRISM_SDP_EXT_AUDIO_LEVEL), extmap(2, PRISM_SDP_EXT_ABS_SEND_TIME),
        extmap(3, PRISM_SDP_EXT_TWCC), extmap(4, PRISM_SDP_EXT_MID)};
    prism_forward_ext_ids_from_sdp(ids, pub, G_N_ELEMENTS(pub));
}

static bool offered(const struct prism_sdp_extmap *list, size_t count, const char *uri)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(list[i].uri, uri) == 0)
            return true;
    }
    return false;
}

static void test_forward_ext_offer_lists_what_the_publisher_negotiated(void)
{
    struct prism_forward_ext_ids ids;
    chrome_audio(&ids);
    struct prism_sdp_extmap out[PRISM_FORWARD_EXT_RULE_COUNT];
    size_t n = prism_forward_ext_offer(&ids, out, G_N_ELEMENTS(out));
    g_assert_cmpuint(n, ==, 3);
    g_assert_true(offered(out, n, PRISM_SDP_EXT_AUDIO_LEVEL));
    g_assert_true(offered(out, n, PRISM_SDP_EXT_MID));
    g_assert_true(offered(out, n, PRISM_SDP_EXT_ABS_SEND_TIME));
    g_assert_false(offered(out, n, PRISM_SDP_EXT_TWCC)); /* not forwarded */
    g_assert_false(offered(out, n, PRISM_SDP_EXT_VIDEO_ORIENTATION));
    g_assert_false(prism_forward_ext_wants_two_byte(&ids));
    /* Ids are unique within the offer (one BUNDLE group) and fit the one-byte form. */
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpuint(out[i].id, >=, 1);
        g_assert_cmpuint(out[i].id, <=, 14);
        for (size_t j = 0; j < i; j++)
            g_assert_cmpuint(out[i].id, !=, out[j].id);
    }
    /* A video stream with orientation and a dependency descriptor asks for two-byte headers. */
    const struct prism_sdp_extmap video[] = {
        extmap(13, PRISM_SDP_EXT_VIDEO_ORIENTATION), extmap(11, PRISM_SDP_EXT_PLAYOUT_DELAY),
        extmap(7, PRISM_SDP_EXT_ABS_CAPTURE_TIME), extmap(12, PRISM_SDP_EXT_DEPENDENCY_DESCRIPTOR)};
    prism_forward_ext_ids_from_sdp(&ids, video, G_N_ELEMENTS(video));
    n = prism_forward_ext_offer(&ids, out, G_N_ELEMENTS(out));
    g_assert_cmpuint(n, ==, 6);
    g_assert_true(prism_forward_ext_wants_two_byte(&ids));
    g_assert_cmpuint(prism_forward_ext_offer(&ids, out, 2), ==, 2);
    g_assert_cmpuint(prism_forward_ext_offer(NULL, out, G_N_ELEMENTS(out)), ==, 2);
}

/* A subscriber stream on mid "3" that negotiated mid, abs-send-time and audio level with ids
 * of its own (as a WHEP viewer's offer would set them). */
static void subscriber_source(struct prism_forward_source *src, bool with_level)
{
    struct prism_forward_ext_ids ids;
    chrome_audio(&ids);
    const struct prism_sdp_extmap sub[] = {extmap(9, PRISM_SDP_EXT_MID),
                                           extmap(10, PRISM_SDP_EXT_ABS_SEND_TIME),
                                           extmap(11, PRISM_SDP_EXT_AUDIO_LEVEL)};
    test_audio_source(src);
    prism_forward_ext_configure(src, &ids, "3", sub, with_level ? 3 : 2, false);
}

/* A Chrome publisher's Opus packet: level, abs-send-time, twcc, mid. */
static void publisher_packet(struct test_packet *p, uint16_t seq)
{
    const uint8_t level[] = {0x80 | 33}, send_time[] = {1, 2, 3}, twcc[] = {0, 9};
    const uint8_t mid[] = {'0'};
    const struct prism_rtp_ext exts[] = {
        {1, 1, level}, {2, 3, send_time}, {3, 2, twcc}, {4, 1, mid}};
    struct prism_rtp_header_fields f = {.payload_type = PUB_OPUS_PT,
                                        .seq = seq,
                                        .timestamp = 960u * seq,
                                        .ssrc = PUB_A_SSRC,
                                        .exts = exts,
                                        .ext_count = 4};
    test_build(p, &f, NULL, 0, 60);
}

static unsigned element_count(const struct prism_rtp_header *h)
{
    struct prism_rtp_ext_iter it;
    struct prism_rtp_ext e;
    unsigned n = 0;
    prism_rtp_ext_iter_init(&it, h);
    while (prism_rtp_ext_next(&it, &e) > 0)
        n++;
    return n;
}

static void test_forward_subscriber_gets_its_mid_level_and_send_time(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    subscriber_source(&src, true);
    test_stream(&s, &src, 100, 0);
    publisher_packet(&p, 1);
    g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_SEND);
    prism_forward_stamp(&s, out.data, out.len, 2000000); /* 2 s: 2 << 18 */
    g_assert_cmpint(prism_rtp_parse(out.data, out.len, &out.h), ==, 0);

    g_assert_cmpuint(element_count(&out.h), ==, 3);
    struct prism_rtp_ext e;
    g_assert_cmpint(prism_rtp_ext_find(&out.h, 9, &e), ==, 0);
    g_assert_true(prism_rtp_ext_string_equals(&e, "3"));
    bool voice = false;
    uint8_t level = 0;
    g_assert_cmpint(prism_rtp_ext_find(&out.h, 11, &e), ==, 0);
    g_assert_cmpint(prism_rtp_audio_level_read(&e, &voice, &level), ==, 0);
    g_assert_true(voice);
    g_assert_cmpuint(level, ==, 33);
    uint32_t send_time = 0;
    g_assert_cmpint(prism_rtp_ext_find(&out.h, 10, &e), ==, 0);
    g_assert_cmpint(prism_rtp_abs_send_time_read(&e, &send_time), ==, 0);
    g_assert_cmpuint(send_time, ==, 2u << 18);

    /* A retransmission carries the same elements, stamped when it is resent. */
    struct test_packet again;
    size_t len = 0;
    g_assert_cmpint(
        prism_forward_resend(&s, 100, &p.h, p.data, p.len, again.data, sizeof(again.data), &len),
        ==, PRISM_FORWARD_SEND);
    prism_forward_stamp(&s, again.data, len, 3000000);
    g_assert_cmpint(prism_rtp_parse(again.data, len, &again.h), ==, 0);
    g_assert_cmpint(prism_rtp_ext_find(&again.h, 10, &e), ==, 0);
    g_assert_cmpint(prism_rtp_abs_send_time_read(&e, &send_time), ==, 0);
    g_assert_cmpuint(send_time, ==, 3u << 18);
    g_assert_cmpint(prism_rtp_ext_find(&again.h, 9, &e), ==, 0);
    g_assert_true(prism_rtp_ext_string_equals(&e, "3"));
}

static void test_forward_drops_what_the_subscriber_did_not_negotiate(void)
{
    struct prism_forward_source src;
    struct prism_forward_stream s;
    struct test_packet p, out;
    subscriber_source(&src, false); /* its answer left the audio level out */
    test_stream(&s, &src, 0, 0);
    publisher_packet(&p, 1);
    g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_SEND);
    g_assert_cmpuint(element_count(&out.h), ==, 2);
    struct prism_rtp_ext e;
    g_assert_cmpint(prism_rtp_ext_find(&out.h, 11, &e), ==, -ENOENT);
    for (uint8_t id = 1; id <= 4; id++) /* none of the publisher's ids survive */
        g_assert_cmpint(prism_rtp_ext_find(&out.h, id, &e), ==, -ENOENT);

    /* Nothing negotiated at all (before the answer): no extension block. */
    test_audio_source(&src);
    test_stream(&s, &src, 0, 0);
    g_assert_cmpint(test_forward(&s, &p, &out, 0), ==, PRISM_FORWARD_SEND);
    g_assert_false(out.h.extension);
    prism_forward_stamp(&s, out.data, out.len, 1); /* nothing to stamp: no change */
    g_assert_false(out.h.extension);
}

static void test_forward_ext_configure_skips_a_mid_too_long_for_an_element(void)
{
    struct prism_forward_source src;
    const struct prism_sdp_extmap sub[] = {extmap(1, PRISM_SDP_EXT_MID)};
    test_audio_source(&src);
    prism_forward_ext_configure(&src, NULL, "0123456789abcdefg", sub, 1, true);
    g_assert_cmpuint(src.added_extensions.count, ==, 0);
    g_assert_true(src.added_extensions.two_byte_allowed);
    prism_forward_ext_configure(&src, NULL, "0123456789abcdef", sub, 1, false);
    g_assert_cmpuint(src.added_extensions.count, ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/extensions/offer_lists_what_the_publisher_negotiated",
                    test_forward_ext_offer_lists_what_the_publisher_negotiated);
    g_test_add_func("/forward/extensions/subscriber_gets_its_mid_level_and_send_time",
                    test_forward_subscriber_gets_its_mid_level_and_send_time);
    g_test_add_func("/forward/extensions/drops_what_the_subscriber_did_not_negotiate",
                    test_forward_drops_what_the_subscriber_did_not_negotiate);
    g_test_add_func("/forward/extensions/configure_skips_a_mid_too_long_for_an_element",
                    test_forward_ext_configure_skips_a_mid_too_long_for_an_element);
    return g_test_run();
}
