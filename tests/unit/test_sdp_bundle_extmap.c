/* One header extension id names one URI across a BUNDLE group: answers to aiortc's offer (which
 * gives id 2 to audio-level on audio and to abs-send-time on video), offers we build, and the
 * rejected m-lines of an answer, which aiortc still reads in full. */
#include "sdp_test_util.h"

#include <errno.h>

/* Every id used by the accepted m-lines names a single URI. */
static void assert_extmap_ids_unique(const struct prism_sdp *sdp)
{
    for (unsigned i = 0; i < sdp->media_count; i++) {
        const struct prism_sdp_media *m = &sdp->media[i];
        for (uint8_t j = 0; j < i && !prism_sdp_media_is_rejected(m); j++) {
            const struct prism_sdp_media *earlier = &sdp->media[j];
            for (uint8_t e = 0; e < m->extmap_count && !prism_sdp_media_is_rejected(earlier); e++) {
                for (uint8_t f = 0; f < earlier->extmap_count; f++) {
                    if (earlier->extmaps[f].id == m->extmaps[e].id)
                        g_assert_cmpstr(earlier->extmaps[f].uri, ==, m->extmaps[e].uri);
                }
            }
        }
    }
}

static struct prism_sdp *answer_text(const char *text, const struct prism_sdp_answer_options *o)
{
    struct prism_sdp *offer = sdp_parse_text(text), *answer = NULL;
    struct prism_sdp_error err;
    if (prism_sdp_answer_create(offer, o, &answer, &err) != 0)
        g_error("answer failed: %s", err.message);
    struct prism_sdp *back = sdp_reparse(answer, NULL);
    g_assert_cmpint(prism_sdp_validate_answer(offer, back, &err), ==, 0);
    prism_sdp_free(answer);
    prism_sdp_free(offer);
    return back;
}

static char *aiortc_offer(const char *from, const char *to)
{
    size_t length;
    char *text = sdp_fixture("aiortc-1.4-offer.sdp", &length);
    if (!from)
        return text;
    g_assert_nonnull(strstr(text, from));
    char **parts = g_strsplit(text, from, 2);
    char *edited = g_strjoinv(to, parts);
    g_strfreev(parts);
    g_free(text);
    return edited;
}

static void test_answer_aiortc_keeps_extmap_ids_unique(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    char *offer = aiortc_offer(NULL, NULL);
    struct prism_sdp *a = answer_text(offer, &o);
    g_assert_cmpuint(a->media_count, ==, 3);
    g_assert_cmpuint(a->group_count, ==, 1);
    g_assert_cmpuint(a->groups[0].count, ==, 3);
    const struct prism_sdp_media *audio = &a->media[0], *video = &a->media[1];
    g_assert_cmpuint(audio->extmap_count, ==, 2);
    g_assert_cmpuint(prism_sdp_media_extmap_id(audio, PRISM_SDP_EXT_MID), ==, 1);
    g_assert_cmpuint(prism_sdp_media_extmap_id(audio, PRISM_SDP_EXT_AUDIO_LEVEL), ==, 2);
    /* abs-send-time would be id 2 as well: left out, mid (same URI, same id) kept */
    g_assert_cmpuint(video->extmap_count, ==, 1);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_MID), ==, 1);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_ABS_SEND_TIME), ==, 0);
    assert_extmap_ids_unique(a);
    /* the rest of the answer aiortc needs: its codecs, and the data channel in its syntax */
    g_assert_cmpstr(audio->codecs[0].name, ==, "opus");
    g_assert_cmpuint(audio->codecs[0].pt, ==, 96);
    g_assert_cmpstr(video->codecs[0].name, ==, "VP8");
    g_assert_cmpuint(video->codec_count, ==, 2);
    g_assert_cmpint(prism_sdp_codec_apt(&video->codecs[1]), ==, 97);
    g_assert_cmpuint(video->codecs[0].feedback, ==,
                     PRISM_SDP_FB_NACK | PRISM_SDP_FB_NACK_PLI | PRISM_SDP_FB_GOOG_REMB);
    g_assert_true(a->media[2].sctpmap);
    g_assert_cmpstr(a->media[2].proto, ==, "DTLS/SCTP");
    g_assert_cmpuint(a->media[2].port, ==, 9);
    prism_sdp_free(a);
    g_free(offer);
}

/* abs-send-time stays accepted whenever its id is free. */
static void test_answer_keeps_abs_send_time_on_a_free_id(void)
{
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    char *offer = aiortc_offer("a=extmap:2 http://", "a=extmap:3 http://");
    struct prism_sdp *a = answer_text(offer, &o);
    g_assert_cmpuint(prism_sdp_media_extmap_id(&a->media[0], PRISM_SDP_EXT_AUDIO_LEVEL), ==, 2);
    g_assert_cmpuint(prism_sdp_media_extmap_id(&a->media[1], PRISM_SDP_EXT_ABS_SEND_TIME), ==, 3);
    assert_extmap_ids_unique(a);
    prism_sdp_free(a);
    g_free(offer);
}

/* Only accepted m-lines claim ids: with audio rejected, video may have id 2 for abs-send-time,
 * and an extension we do not accept on audio claims nothing either. */
static void test_answer_ids_claimed_only_by_accepted_extensions(void)
{
    static const struct prism_sdp_codec_pref g722[] = {{PRISM_SDP_CODEC_G722, NULL}};
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    o.audio_codecs = g722;
    o.audio_codec_count = 1;
    char *offer = aiortc_offer(NULL, NULL);
    struct prism_sdp *a = answer_text(offer, &o);
    g_assert_true(prism_sdp_media_is_rejected(&a->media[0]));
    g_assert_cmpuint(prism_sdp_media_extmap_id(&a->media[1], PRISM_SDP_EXT_ABS_SEND_TIME), ==, 2);
    prism_sdp_free(a);

    static const char *const no_audio_level[] = {PRISM_SDP_EXT_MID, PRISM_SDP_EXT_ABS_SEND_TIME};
    sdp_test_answer_options(&o);
    o.extensions = no_audio_level;
    o.extension_count = G_N_ELEMENTS(no_audio_level);
    a = answer_text(offer, &o);
    g_assert_cmpuint(a->media[0].extmap_count, ==, 1);
    g_assert_cmpuint(prism_sdp_media_extmap_id(&a->media[1], PRISM_SDP_EXT_ABS_SEND_TIME), ==, 2);
    prism_sdp_free(a);
    g_free(offer);
}

/* A rejected m-line still carries what aiortc reads on every m-line: ICE credentials, the
 * fingerprint, a=setup, and for RTP rtcp-mux and a codec it knows; it is not bundled and holds
 * no candidates. */
static void test_answer_rejected_m_lines_stay_readable(void)
{
    static const struct prism_sdp_codec_pref av1[] = {{PRISM_SDP_CODEC_AV1, NULL}};
    static const char *const candidate[] = {
        "candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host"};
    struct prism_sdp_answer_options o;
    sdp_test_answer_options(&o);
    o.video_codecs = av1;
    o.video_codec_count = 1;
    o.accept_data_channels = false;
    o.transport.candidates = candidate;
    o.transport.candidate_count = 1;
    char *offer = aiortc_offer(NULL, NULL);
    struct prism_sdp *a = answer_text(offer, &o);
    g_assert_cmpuint(a->group_count, ==, 1);
    g_assert_cmpuint(a->groups[0].count, ==, 1);
    g_assert_cmpstr(a->groups[0].mids[0], ==, "0");
    g_assert_cmpuint(a->media[0].candidate_count, ==, 1);
    for (uint8_t i = 1; i < 3; i++) {
        const struct prism_sdp_media *m = &a->media[i];
        g_assert_true(prism_sdp_media_is_rejected(m));
        g_assert_cmpstr(m->transport.ice_ufrag, ==, "Pr1s");
        g_assert_cmpstr(m->transport.ice_pwd, ==, "prismprismprismprismpr+/");
        g_assert_cmpuint(m->transport.fingerprint_count, ==, 1);
        g_assert_cmpint(m->transport.setup, ==, PRISM_SDP_SETUP_PASSIVE);
        g_assert_cmpuint(m->candidate_count, ==, 0);
        g_assert_cmpuint(m->extmap_count, ==, 0);
    }
    const struct prism_sdp_media *video = &a->media[1];
    g_assert_true(video->rtcp_mux);
    g_assert_cmpint(video->direction, ==, PRISM_SDP_INACTIVE);
    g_assert_cmpuint(video->codec_count, ==, 1);
    g_assert_cmpuint(video->codecs[0].pt, ==, 97);
    g_assert_cmpstr(video->codecs[0].name, ==, "VP8");
    g_assert_cmpuint(video->codecs[0].feedback, ==, 0);
    g_assert_cmpstr(a->media[2].formats, ==, "5000");
    g_assert_false(a->media[2].sctpmap);
    prism_sdp_free(a);
    g_free(offer);
}

static const struct prism_sdp_codec opus = {
    .pt = 111, .name = "opus", .clock_rate = 48000, .channels = 2};
static const struct prism_sdp_codec vp8 = {.pt = 96, .name = "VP8", .clock_rate = 90000};

static int build_offer(const struct prism_sdp_extmap *audio_ext, size_t audio_count,
                       const struct prism_sdp_extmap *video_ext, size_t video_count,
                       bool video_rejected, struct prism_sdp **out, struct prism_sdp_error *err)
{
    const struct prism_sdp_offer_media media[] = {
        {.kind = PRISM_SDP_MEDIA_AUDIO,
         .mid = "a",
         .direction = PRISM_SDP_SENDONLY,
         .codecs = &opus,
         .codec_count = 1,
         .extmaps = audio_ext,
         .extmap_count = audio_count},
        {.kind = PRISM_SDP_MEDIA_VIDEO,
         .mid = "v",
         .direction = PRISM_SDP_SENDONLY,
         .rejected = video_rejected,
         .codecs = &vp8,
         .codec_count = 1,
         .extmaps = video_ext,
         .extmap_count = video_count},
    };
    struct prism_sdp_offer_options o = {.session_id = 9, .session_version = 1};
    o.transport.ice_ufrag = "Sub1";
    o.transport.ice_pwd = "subscribersubscriber22";
    memcpy(o.transport.fingerprint.algorithm, "sha-256", 8);
    o.transport.fingerprint.length = 32;
    o.media = media;
    o.media_count = G_N_ELEMENTS(media);
    return prism_sdp_offer_create(&o, out, err);
}

static void test_offer_create_refuses_one_id_for_two_uris(void)
{
    const struct prism_sdp_extmap audio[] = {{.id = 1, .uri = PRISM_SDP_EXT_MID},
                                             {.id = 2, .uri = PRISM_SDP_EXT_AUDIO_LEVEL}};
    const struct prism_sdp_extmap clash[] = {{.id = 1, .uri = PRISM_SDP_EXT_MID},
                                             {.id = 2, .uri = PRISM_SDP_EXT_ABS_SEND_TIME}};
    const struct prism_sdp_extmap fine[] = {{.id = 1, .uri = PRISM_SDP_EXT_MID},
                                            {.id = 3, .uri = PRISM_SDP_EXT_ABS_SEND_TIME}};
    struct prism_sdp *offer = (struct prism_sdp *)0x1;
    struct prism_sdp_error err;
    g_assert_cmpint(build_offer(audio, 2, clash, 2, false, &offer, &err), ==, -EINVAL);
    g_assert_cmpint(err.code, ==, PRISM_SDP_ERR_INVALID_ARGUMENT);
    g_assert_nonnull(strstr(err.message, "mid v: extmap id 2"));
    g_assert_nonnull(strstr(err.message, "on mid a"));
    g_assert_nonnull(strstr(err.message, "BUNDLE"));
    g_assert_true(offer == (struct prism_sdp *)0x1);

    /* distinct ids, or the same URI under the same id, are fine */
    g_assert_cmpint(build_offer(audio, 2, fine, 2, false, &offer, &err), ==, 0);
    assert_extmap_ids_unique(offer);
    g_assert_cmpuint(prism_sdp_media_extmap_id(&offer->media[1], PRISM_SDP_EXT_MID), ==, 1);
    prism_sdp_free(offer);
    /* a rejected slot is outside the group and carries no extmap */
    g_assert_cmpint(build_offer(audio, 2, clash, 2, true, &offer, &err), ==, 0);
    g_assert_cmpuint(offer->media[1].extmap_count, ==, 0);
    g_assert_cmpstr(offer->media[1].transport.ice_ufrag, ==, "Sub1");
    g_assert_cmpint(offer->media[1].transport.setup, ==, PRISM_SDP_SETUP_ACTPASS);
    prism_sdp_free(offer);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/bundle-extmap/aiortc-ids-unique",
                    test_answer_aiortc_keeps_extmap_ids_unique);
    g_test_add_func("/sdp/bundle-extmap/abs-send-time-on-free-id",
                    test_answer_keeps_abs_send_time_on_a_free_id);
    g_test_add_func("/sdp/bundle-extmap/only-accepted-claim-ids",
                    test_answer_ids_claimed_only_by_accepted_extensions);
    g_test_add_func("/sdp/bundle-extmap/rejected-m-lines-readable",
                    test_answer_rejected_m_lines_stay_readable);
    g_test_add_func("/sdp/bundle-extmap/offer-refuses-id-clash",
                    test_offer_create_refuses_one_id_for_two_uris);
    return g_test_run();
}
