/* Codec knowledge: H.264 profile-level-id matching (RFC 6184), fmtp lookups, codec names. */
#include "media/sdp/negotiate.h"

#include <glib.h>

static void expect_match(const char *offered, const char *local, const char *answer)
{
    char out[7] = "xxxxxx";
    if (!prism_sdp_h264_profile_match(offered, local, out))
        g_error("%s vs %s should match", offered, local);
    g_assert_cmpstr(out, ==, answer);
}

static void test_h264_same_profile_takes_lower_level(void)
{
    expect_match("42e01f", "42e01f", "42e01f");
    expect_match("42e01f", "42e00a", "42e00a"); /* ours lower: our level */
    expect_match("42e00a", "42e01f", "42e00a"); /* theirs lower: theirs */
    expect_match("640c34", "640c1f", "640c1f"); /* constrained high */
    expect_match("64001f", "640032", "64001f"); /* high */
    expect_match("4d001f", "4d0028", "4d001f"); /* main */
    expect_match("42001f", "420029", "42001f"); /* baseline */
    expect_match("42E01F", "42e01f", "42e01f"); /* hex case does not matter */
}

static void test_h264_constrained_baseline_equivalence(void)
{
    /* 42e0, 42c0, 4240 (constraint_set1) and 4de0/4d80 (Main with constraint_set0 and 1) all
     * name constrained baseline; the answer keeps the offer's way of writing it. */
    expect_match("42c01f", "42e01f", "42c01f");
    expect_match("42401f", "42e01f", "42401f");
    expect_match("4de01f", "42e01f", "4de01f");
    expect_match("4d801f", "42e01f", "4d801f");
    expect_match("58c01f", "42e01f", "58c01f");
    expect_match("4de032", "42e01f", "4de01f");
}

static void test_h264_different_profiles_do_not_match(void)
{
    char out[7] = "keep!";
    g_assert_false(prism_sdp_h264_profile_match("42001f", "42e01f", out));  /* baseline vs CB */
    g_assert_false(prism_sdp_h264_profile_match("4d001f", "42e01f", out));  /* main vs CB */
    g_assert_false(prism_sdp_h264_profile_match("64001f", "640c1f", out));  /* high vs CH */
    g_assert_false(prism_sdp_h264_profile_match("f4001f", "64001f", out));  /* 444 vs high */
    g_assert_false(prism_sdp_h264_profile_match("43e01f", "42e01f", out));  /* unknown idc */
    g_assert_false(prism_sdp_h264_profile_match("42e01", "42e01f", out));   /* short */
    g_assert_false(prism_sdp_h264_profile_match("42e01fa", "42e01f", out)); /* long */
    g_assert_false(prism_sdp_h264_profile_match("42g01f", "42e01f", out));  /* not hex */
    g_assert_false(prism_sdp_h264_profile_match("42e31f", "42e01f", out));  /* reserved bits */
    g_assert_cmpstr(out, ==, "keep!");
}

static void test_h264_level_1b_and_default(void)
{
    /* Level 1b: level_idc 11 with constraint_set3 in the baseline family; below 1.1. */
    expect_match("42f00b", "42e01f", "42f00b");
    expect_match("42e01f", "42f00b", "42f00b");
    expect_match("42e00b", "42f00b", "42f00b"); /* 1.1 vs 1b: 1b is lower */
    expect_match("42f00b", "42e00a", "42e00a"); /* 1b vs 1.0: 1.0 is lower */
    expect_match("640009", "64001f", "640009"); /* high profile writes 1b as level_idc 9 */
    /* absent profile-level-id means Baseline level 1 */
    expect_match(NULL, "42001f", "42000a");
}

static void test_fmtp_lookup(void)
{
    char value[32];
    const char *fmtp = "level-asymmetry-allowed=1; packetization-mode=1;profile-level-id=42e01f";
    g_assert_true(prism_sdp_fmtp_get(fmtp, "packetization-mode", value, sizeof(value)));
    g_assert_cmpstr(value, ==, "1");
    g_assert_true(prism_sdp_fmtp_get(fmtp, "profile-level-id", value, sizeof(value)));
    g_assert_cmpstr(value, ==, "42e01f");
    g_assert_false(prism_sdp_fmtp_get(fmtp, "level", value, sizeof(value)));
    g_assert_false(prism_sdp_fmtp_get(fmtp, "profile-level-id", value, 6)); /* no room */
    g_assert_false(prism_sdp_fmtp_get("", "apt", value, sizeof(value)));
    g_assert_false(prism_sdp_fmtp_get("0-15", "apt", value, sizeof(value)));
    g_assert_false(prism_sdp_fmtp_get(NULL, "apt", value, sizeof(value)));
    struct prism_sdp_codec rtx = {.pt = 97, .id = PRISM_SDP_CODEC_RTX, .fmtp = "apt=96"};
    g_assert_cmpint(prism_sdp_codec_apt(&rtx), ==, 96);
    struct prism_sdp_codec bad = {.pt = 97, .id = PRISM_SDP_CODEC_RTX, .fmtp = "apt=300"};
    g_assert_cmpint(prism_sdp_codec_apt(&bad), ==, -1);
    struct prism_sdp_codec vp8 = {.pt = 96, .id = PRISM_SDP_CODEC_VP8, .fmtp = "apt=95"};
    g_assert_cmpint(prism_sdp_codec_apt(&vp8), ==, -1);
}

static void test_codec_names(void)
{
    g_assert_cmpint(prism_sdp_codec_id_from_name("opus"), ==, PRISM_SDP_CODEC_OPUS);
    g_assert_cmpint(prism_sdp_codec_id_from_name("OPUS"), ==, PRISM_SDP_CODEC_OPUS);
    g_assert_cmpint(prism_sdp_codec_id_from_name("h264"), ==, PRISM_SDP_CODEC_H264);
    g_assert_cmpint(prism_sdp_codec_id_from_name("av1"), ==, PRISM_SDP_CODEC_AV1);
    g_assert_cmpint(prism_sdp_codec_id_from_name("H265"), ==, PRISM_SDP_CODEC_UNKNOWN);
    g_assert_cmpint(prism_sdp_codec_id_from_name(""), ==, PRISM_SDP_CODEC_UNKNOWN);
    g_assert_cmpint(prism_sdp_codec_id_from_name(NULL), ==, PRISM_SDP_CODEC_UNKNOWN);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/codecs/h264-lower-level", test_h264_same_profile_takes_lower_level);
    g_test_add_func("/sdp/codecs/h264-constrained-baseline",
                    test_h264_constrained_baseline_equivalence);
    g_test_add_func("/sdp/codecs/h264-profile-mismatch", test_h264_different_profiles_do_not_match);
    g_test_add_func("/sdp/codecs/h264-level-1b", test_h264_level_1b_and_default);
    g_test_add_func("/sdp/codecs/fmtp-lookup", test_fmtp_lookup);
    g_test_add_func("/sdp/codecs/names", test_codec_names);
    return g_test_run();
}
