/* Parsing real and reconstructed browser offers: concrete values out of every fixture. */
#include "sdp_test_util.h"

static const struct prism_sdp_codec *codec(const struct prism_sdp_media *m, uint8_t pt)
{
    const struct prism_sdp_codec *c = prism_sdp_media_codec(m, pt);
    g_assert_nonnull(c);
    return c;
}

static void test_sdp_parses_chrome_simulcast_offer(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("chrome_simulcast_datachannel.sdp");
    g_assert_cmpuint(sdp->session_id, ==, 2954758912795212017ull);
    g_assert_cmpuint(sdp->session_version, ==, 2);
    g_assert_true(sdp->extmap_allow_mixed);
    g_assert_cmpstr(sdp->msid_semantic, ==, "WMS 8a1ca4a6-a01a-4466-967d-0523a563beeb");
    g_assert_cmpuint(sdp->group_count, ==, 1);
    g_assert_cmpstr(sdp->groups[0].semantics, ==, "BUNDLE");
    g_assert_cmpuint(sdp->groups[0].count, ==, 3);
    g_assert_cmpuint(sdp->media_count, ==, 3);

    const struct prism_sdp_media *audio = &sdp->media[0];
    g_assert_cmpint(audio->kind, ==, PRISM_SDP_MEDIA_AUDIO);
    g_assert_cmpstr(audio->mid, ==, "0");
    g_assert_cmpuint(audio->port, ==, 9);
    g_assert_cmpstr(audio->proto, ==, "UDP/TLS/RTP/SAVPF");
    g_assert_cmpint(audio->direction, ==, PRISM_SDP_SENDRECV);
    g_assert_true(audio->rtcp_mux && audio->rtcp_rsize);
    g_assert_cmpstr(audio->transport.ice_ufrag, ==, "4unL");
    g_assert_cmpstr(audio->transport.ice_pwd, ==, "4ZjNxtk5Zau2SfX5eT97I7JZ");
    g_assert_true(audio->transport.ice_trickle);
    g_assert_cmpint(audio->transport.setup, ==, PRISM_SDP_SETUP_ACTPASS);
    g_assert_cmpuint(audio->transport.fingerprint_count, ==, 1);
    const struct prism_sdp_fingerprint *fp = &audio->transport.fingerprints[0];
    g_assert_cmpstr(fp->algorithm, ==, "sha-256");
    g_assert_cmpuint(fp->length, ==, 32);
    g_assert_cmpuint(fp->bytes[0], ==, 0x4c);
    g_assert_cmpuint(fp->bytes[4], ==, 0xc1);
    g_assert_cmpuint(fp->bytes[31], ==, 0x88);
    g_assert_cmpuint(audio->codec_count, ==, 8);
    g_assert_cmpuint(audio->codecs[0].pt, ==, 111);
    g_assert_cmpint(audio->codecs[0].id, ==, PRISM_SDP_CODEC_OPUS);
    g_assert_cmpuint(audio->codecs[0].clock_rate, ==, 48000);
    g_assert_cmpuint(audio->codecs[0].channels, ==, 2);
    g_assert_cmpstr(audio->codecs[0].fmtp, ==, "minptime=10;useinbandfec=1");
    g_assert_cmpuint(audio->codecs[0].feedback, ==, PRISM_SDP_FB_TRANSPORT_CC);
    g_assert_cmpint(codec(audio, 63)->id, ==, PRISM_SDP_CODEC_RED);
    g_assert_cmpstr(codec(audio, 0)->name, ==, "PCMU");
    g_assert_cmpstr(codec(audio, 126)->name, ==, "telephone-event");
    g_assert_cmpuint(prism_sdp_media_extmap_id(audio, PRISM_SDP_EXT_AUDIO_LEVEL), ==, 1);
    g_assert_cmpuint(prism_sdp_media_extmap_id(audio, PRISM_SDP_EXT_MID), ==, 4);
    g_assert_true(audio->has_msid);
    g_assert_cmpstr(audio->stream_id, ==, "8a1ca4a6-a01a-4466-967d-0523a563beeb");
    g_assert_cmpstr(audio->track_id, ==, "263faf1b-abc6-46af-8dfb-820193f0cf4f");
    g_assert_cmpuint(audio->ssrc_count, ==, 1);
    g_assert_cmpuint(audio->ssrcs[0].ssrc, ==, 80881546);
    g_assert_cmpstr(audio->ssrcs[0].cname, ==, "gHLDIwHF0hGuv38F");
    g_assert_cmpstr(audio->ssrcs[0].track_id, ==, "263faf1b-abc6-46af-8dfb-820193f0cf4f");

    const struct prism_sdp_media *video = &sdp->media[1];
    g_assert_cmpint(video->direction, ==, PRISM_SDP_SENDONLY);
    g_assert_cmpuint(video->codec_count, ==, 23);
    g_assert_cmpint(codec(video, 96)->id, ==, PRISM_SDP_CODEC_VP8);
    g_assert_cmpuint(codec(video, 96)->feedback, ==, 0x1f);
    g_assert_cmpint(prism_sdp_codec_apt(codec(video, 97)), ==, 96);
    g_assert_cmpuint(prism_sdp_media_rtx_for(video, 102)->pt, ==, 103);
    g_assert_cmpstr(codec(video, 108)->fmtp, ==,
                    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
    g_assert_cmpint(codec(video, 45)->id, ==, PRISM_SDP_CODEC_AV1);
    g_assert_cmpstr(codec(video, 100)->fmtp, ==, "profile-id=2");
    g_assert_cmpint(codec(video, 120)->id, ==, PRISM_SDP_CODEC_ULPFEC);
    g_assert_cmpuint(video->extmap_count, ==, 13);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_RID), ==, 10);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_REPAIRED_RID), ==, 11);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_DEPENDENCY_DESCRIPTOR), ==, 12);
    g_assert_cmpuint(video->ssrc_count, ==, 0);
    g_assert_cmpuint(video->rid_count, ==, 3);
    g_assert_cmpstr(video->rids[0].id, ==, "q");
    g_assert_true(video->rids[0].send);
    g_assert_cmpstr(video->rids[2].id, ==, "f");
    g_assert_cmpuint(video->simulcast_send.count, ==, 3);
    g_assert_cmpstr(video->simulcast_send.streams[1].alternatives[0].rid, ==, "h");
    g_assert_cmpuint(video->simulcast_recv.count, ==, 0);

    const struct prism_sdp_media *data = &sdp->media[2];
    g_assert_cmpint(data->kind, ==, PRISM_SDP_MEDIA_APPLICATION);
    g_assert_cmpstr(data->proto, ==, "UDP/DTLS/SCTP");
    g_assert_cmpstr(data->formats, ==, "webrtc-datachannel");
    g_assert_cmpuint(data->sctp_port, ==, 5000);
    g_assert_cmpuint(data->max_message_size, ==, 262144);
    g_assert_cmpuint(data->codec_count, ==, 0);
    prism_sdp_free(sdp);
}

static void test_sdp_parses_chrome_sendrecv_rtx_group(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("chrome_sendrecv.sdp");
    g_assert_cmpuint(sdp->media_count, ==, 2);
    const struct prism_sdp_media *video = &sdp->media[1];
    g_assert_cmpstr(video->transport.ice_ufrag, ==, "KJ0+");
    g_assert_cmpuint(video->ssrc_group_count, ==, 1);
    g_assert_cmpstr(video->ssrc_groups[0].semantics, ==, "FID");
    g_assert_cmpuint(video->ssrc_groups[0].ssrcs[0], ==, 2753127090u);
    g_assert_cmpuint(prism_sdp_media_rtx_ssrc(video, 2753127090u), ==, 2772934626u);
    g_assert_cmpuint(prism_sdp_media_rtx_ssrc(video, 2772934626u), ==, 0);
    g_assert_cmpuint(video->ssrc_count, ==, 2);
    g_assert_cmpstr(video->ssrcs[1].cname, ==, "viz9gunInrIDg9tU");
    g_assert_cmpstr(video->ssrcs[1].stream_id, ==, "be574d2a-8427-4ab1-814b-6e15450f6e2d");
    prism_sdp_free(sdp);
}

static void test_sdp_parses_chrome_recvonly_with_many_codecs(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("chrome_recvonly.sdp");
    const struct prism_sdp_media *video = &sdp->media[1];
    g_assert_cmpint(video->direction, ==, PRISM_SDP_RECVONLY);
    g_assert_false(video->has_msid);
    g_assert_cmpuint(video->codec_count, ==, 34);
    g_assert_cmpstr(codec(video, 41)->fmtp, ==,
                    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=f4001f");
    g_assert_cmpstr(codec(video, 49)->name, ==, "flexfec-03");
    g_assert_cmpint(codec(video, 49)->id, ==, PRISM_SDP_CODEC_UNKNOWN);
    g_assert_true(prism_sdp_media_primary_codec(video) == codec(video, 96));
    prism_sdp_free(sdp);
}

static void test_sdp_parses_libwebrtc_node_offer(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("libwebrtc_node_sendonly.sdp");
    g_assert_cmpstr(sdp->msid_semantic, ==, "WMS");
    const struct prism_sdp_media *audio = &sdp->media[0];
    g_assert_cmpint(audio->direction, ==, PRISM_SDP_SENDONLY);
    g_assert_cmpstr(audio->stream_id, ==, "-");
    g_assert_cmpuint(audio->codec_count, ==, 15);
    g_assert_cmpstr(codec(audio, 103)->name, ==, "ISAC");
    g_assert_cmpuint(codec(audio, 104)->clock_rate, ==, 32000);
    const struct prism_sdp_media *video = &sdp->media[1];
    g_assert_cmpuint(prism_sdp_media_rtx_ssrc(video, 2589478850u), ==, 2388346559u);
    g_assert_cmpint(codec(video, 39)->id, ==, PRISM_SDP_CODEC_AV1);
    g_assert_cmpuint(sdp->media[2].sctp_port, ==, 5000);
    prism_sdp_free(sdp);
}

static void test_sdp_firefox_inherits_session_fingerprint_and_direction(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("firefox_sendrecv.sdp");
    g_assert_cmpstr(sdp->origin_username, ==, "mozilla...THIS_IS_SDPARTA-128.0");
    g_assert_cmpstr(sdp->msid_semantic, ==, "WMS *");
    g_assert_cmpuint(sdp->transport.fingerprint_count, ==, 1);
    g_assert_true(sdp->transport.ice_trickle);
    for (int i = 0; i < 3; i++) {
        const struct prism_sdp_media *m = &sdp->media[i];
        g_assert_cmpuint(m->transport.fingerprint_count, ==, 1);
        g_assert_cmpmem(m->transport.fingerprints[0].bytes, 32,
                        sdp->transport.fingerprints[0].bytes, 32);
        g_assert_true(m->transport.ice_trickle);
        g_assert_cmpstr(m->transport.ice_ufrag, ==, "3a6f2c1d");
        g_assert_true(m->end_of_candidates);
    }
    const struct prism_sdp_media *audio = &sdp->media[0];
    g_assert_cmpuint(audio->port, ==, 54321);
    g_assert_cmpstr(audio->connection_address, ==, "198.51.100.7");
    g_assert_cmpstr(audio->stream_id, ==, "{5c3e5d4a-2b1f-4e6d-8a9b-0c1d2e3f4a5b}");
    g_assert_cmpstr(codec(audio, 9)->name, ==, "G722");
    g_assert_cmpuint(codec(audio, 9)->channels, ==, 1);
    g_assert_cmpstr(codec(audio, 101)->fmtp, ==, "0-15");
    /* a=extmap:2/recvonly */
    g_assert_cmpuint(audio->extmaps[1].id, ==, 2);
    g_assert_true(audio->extmaps[1].has_direction);
    g_assert_cmpint(audio->extmaps[1].direction, ==, PRISM_SDP_RECVONLY);
    g_assert_false(audio->extmaps[0].has_direction);
    g_assert_cmpuint(audio->candidate_count, ==, 3);
    g_assert_cmpint(audio->candidates[0].address_kind, ==, PRISM_SDP_ADDRESS_MDNS);
    g_assert_cmpint(audio->candidates[1].tcptype, ==, PRISM_SDP_TCPTYPE_ACTIVE);
    g_assert_cmpint(audio->candidates[2].type, ==, PRISM_SDP_CANDIDATE_SRFLX);
    g_assert_cmpstr(audio->candidates[2].related_address, ==, "0.0.0.0");
    const struct prism_sdp_media *video = &sdp->media[1];
    g_assert_cmpint(video->direction, ==, PRISM_SDP_SENDRECV);
    g_assert_cmpuint(codec(video, 123)->feedback, ==, 0x1f);
    g_assert_cmpint(prism_sdp_codec_apt(codec(video, 119)), ==, 122);
    g_assert_cmpuint(prism_sdp_media_rtx_ssrc(video, 1893014422u), ==, 3452786398u);
    g_assert_cmpuint(sdp->media[2].max_message_size, ==, 1073741823u);
    prism_sdp_free(sdp);
}

static void test_sdp_parses_firefox_simulcast_rids_and_ssrcs(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("firefox_simulcast.sdp");
    const struct prism_sdp_media *video = &sdp->media[1];
    g_assert_cmpint(video->direction, ==, PRISM_SDP_SENDONLY);
    g_assert_cmpuint(video->rid_count, ==, 3);
    g_assert_cmpstr(video->rids[0].restrictions, ==, "max-width=320;max-height=180");
    g_assert_cmpstr(video->rids[2].restrictions, ==, "");
    g_assert_cmpuint(video->simulcast_send.count, ==, 3);
    g_assert_cmpstr(video->simulcast_send.streams[0].alternatives[0].rid, ==, "q");
    g_assert_cmpuint(video->ssrc_count, ==, 6);
    g_assert_cmpuint(video->ssrc_group_count, ==, 3);
    g_assert_cmpuint(prism_sdp_media_rtx_ssrc(video, 1650319407u), ==, 457213390u);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_RID), ==, 8);
    prism_sdp_free(sdp);
}

static void test_sdp_parses_safari_h264_first(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("safari_sendrecv.sdp");
    const struct prism_sdp_media *video = &sdp->media[1];
    g_assert_cmpuint(video->codecs[0].pt, ==, 96);
    g_assert_cmpint(video->codecs[0].id, ==, PRISM_SDP_CODEC_H264);
    g_assert_cmpstr(codec(video, 100)->name, ==, "H265");
    g_assert_cmpint(codec(video, 100)->id, ==, PRISM_SDP_CODEC_UNKNOWN);
    g_assert_cmpuint(prism_sdp_media_extmap_id(video, PRISM_SDP_EXT_VIDEO_ORIENTATION), ==, 13);
    prism_sdp_free(sdp);
}

static void test_sdp_parses_gstreamer_candidates_and_bundle_only(void)
{
    /* This fixture uses bare LF line ends. */
    struct prism_sdp *sdp = sdp_parse_fixture("whip_gstreamer_candidates.sdp");
    g_assert_cmpstr(sdp->groups[0].mids[0], ==, "video0");
    const struct prism_sdp_media *video = prism_sdp_find_media(sdp, "video0");
    const struct prism_sdp_media *audio = prism_sdp_find_media(sdp, "audio1");
    g_assert_nonnull(video);
    g_assert_nonnull(audio);
    g_assert_true(video->transport.ice_trickle); /* from the session level */
    g_assert_cmpstr(video->ssrcs[0].stream_id, ==, "user1451962581@host-5b2d4c0e");
    g_assert_cmpuint(video->candidate_count, ==, 8);
    const struct prism_sdp_candidate *c = video->candidates;
    g_assert_cmpstr(c[0].foundation, ==, "1");
    g_assert_cmpuint(c[0].priority, ==, 2015363327u);
    g_assert_cmpint(c[0].address_kind, ==, PRISM_SDP_ADDRESS_IPV4);
    g_assert_true(c[1].tcp);
    g_assert_cmpuint(c[1].port, ==, 9);
    g_assert_cmpint(c[2].tcptype, ==, PRISM_SDP_TCPTYPE_PASSIVE);
    g_assert_cmpint(c[3].tcptype, ==, PRISM_SDP_TCPTYPE_SO);
    g_assert_cmpint(c[4].address_kind, ==, PRISM_SDP_ADDRESS_IPV6);
    g_assert_cmpstr(c[4].address, ==, "2001:db8::10");
    g_assert_cmpint(c[6].type, ==, PRISM_SDP_CANDIDATE_PRFLX);
    g_assert_cmpint(c[7].type, ==, PRISM_SDP_CANDIDATE_RELAY);
    g_assert_cmpstr(c[7].related_address, ==, "203.0.113.25");
    g_assert_cmpuint(c[7].related_port, ==, 50345);
    g_assert_true(video->end_of_candidates);
    g_assert_cmpuint(audio->port, ==, 0);
    g_assert_true(audio->bundle_only);
    g_assert_false(prism_sdp_media_is_rejected(audio));
    g_assert_cmpint(audio->codecs[0].id, ==, PRISM_SDP_CODEC_OPUS); /* "OPUS" */
    prism_sdp_free(sdp);
}

static void test_sdp_session_extmap_applies_to_media(void)
{
    struct prism_sdp *sdp = sdp_parse_text(
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
        "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
        "a=rtcp-fb:* nack\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
        "a=rtcp-fb:* nack pli\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 VP9/90000\r\n"
        "a=extmap:4 urn:3gpp:video-orientation\r\n");
    const struct prism_sdp_media *m = &sdp->media[0];
    g_assert_cmpuint(prism_sdp_media_extmap_id(m, PRISM_SDP_EXT_MID), ==, 3);
    g_assert_cmpuint(prism_sdp_media_extmap_id(m, PRISM_SDP_EXT_VIDEO_ORIENTATION), ==, 4);
    /* rtcp-fb:* applies to every codec of its m-line */
    g_assert_cmpuint(m->codecs[0].feedback, ==, PRISM_SDP_FB_NACK_PLI);
    g_assert_cmpuint(m->codecs[1].feedback, ==, PRISM_SDP_FB_NACK_PLI);
    prism_sdp_free(sdp);
}

static void test_sdp_parses_simulcast_alternatives_and_paused(void)
{
    struct prism_sdp *sdp = sdp_parse_text(
        "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96\n"
        "a=rid:a send pt=96;max-fps=30\na=rid:b send\na=rid:c send\na=rid:r recv\n"
        "a=simulcast:send a,b;~c recv r\n");
    const struct prism_sdp_media *m = &sdp->media[0];
    g_assert_cmpstr(m->rids[0].restrictions, ==, "pt=96;max-fps=30");
    g_assert_false(m->rids[3].send);
    g_assert_cmpuint(m->simulcast_send.count, ==, 2);
    g_assert_cmpuint(m->simulcast_send.streams[0].count, ==, 2);
    g_assert_cmpstr(m->simulcast_send.streams[0].alternatives[1].rid, ==, "b");
    g_assert_true(m->simulcast_send.streams[1].alternatives[0].paused);
    g_assert_cmpstr(m->simulcast_send.streams[1].alternatives[0].rid, ==, "c");
    g_assert_cmpuint(m->simulcast_recv.count, ==, 1);
    g_assert_cmpstr(m->simulcast_recv.streams[0].alternatives[0].rid, ==, "r");
    /* and it writes back the same way */
    struct prism_sdp *back = sdp_reparse(sdp, NULL);
    g_assert_cmpmem(&back->media[0].simulcast_send, sizeof(m->simulcast_send), &m->simulcast_send,
                    sizeof(m->simulcast_send));
    g_assert_cmpstr(back->media[0].rids[0].restrictions, ==, "pt=96;max-fps=30");
    prism_sdp_free(back);
    prism_sdp_free(sdp);
}

static const char *const fixtures[] = {
    "chrome_simulcast_datachannel.sdp",
    "chrome_sendrecv.sdp",
    "chrome_recvonly.sdp",
    "libwebrtc_node_sendonly.sdp",
    "firefox_sendrecv.sdp",
    "firefox_simulcast.sdp",
    "safari_sendrecv.sdp",
    "whip_gstreamer_candidates.sdp",
    "h264_mode0_only.sdp",
};

/* Writing a parsed offer and parsing it again loses nothing this module models. */
static void test_sdp_write_round_trips_every_fixture(void)
{
    for (size_t f = 0; f < G_N_ELEMENTS(fixtures); f++) {
        struct prism_sdp *sdp = sdp_parse_fixture(fixtures[f]);
        struct prism_sdp *back = sdp_reparse(sdp, NULL);
        g_assert_cmpuint(back->media_count, ==, sdp->media_count);
        g_assert_cmpuint(back->session_id, ==, sdp->session_id);
        g_assert_cmpmem(back->groups, sizeof(back->groups), sdp->groups, sizeof(sdp->groups));
        for (unsigned i = 0; i < sdp->media_count; i++) {
            const struct prism_sdp_media *a = &sdp->media[i], *b = &back->media[i];
            g_assert_cmpmem(b, sizeof(*b), a, sizeof(*a));
        }
        prism_sdp_free(back);
        prism_sdp_free(sdp);
    }
}

static void test_sdp_write_reports_short_buffer(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("h264_mode0_only.sdp");
    char small[64];
    size_t length = 7;
    g_assert_cmpint(prism_sdp_write(sdp, small, sizeof(small), &length), ==, -ENOSPC);
    g_assert_cmpuint(length, ==, 7);
    char big[4096];
    g_assert_cmpint(prism_sdp_write(sdp, big, sizeof(big), &length), ==, 0);
    g_assert_cmpuint(length, ==, strlen(big));
    g_assert_true(g_str_has_prefix(big, "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"));
    /* exactly the needed size plus the NUL fits; one byte less does not */
    char *exact = g_malloc(length + 1);
    size_t again = 0;
    g_assert_cmpint(prism_sdp_write(sdp, exact, length + 1, &again), ==, 0);
    g_assert_cmpuint(again, ==, length);
    g_assert_cmpint(prism_sdp_write(sdp, exact, length, &again), ==, -ENOSPC);
    g_free(exact);
    prism_sdp_free(sdp);
}

static void test_sdp_write_refuses_injected_line(void)
{
    struct prism_sdp *sdp = sdp_parse_fixture("h264_mode0_only.sdp");
    memcpy(sdp->media[0].codecs[0].fmtp, "x=1\r\na=evil", 12);
    char buf[4096];
    size_t length;
    g_assert_cmpint(prism_sdp_write(sdp, buf, sizeof(buf), &length), ==, -EINVAL);
    prism_sdp_free(sdp);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/parse/chrome-simulcast-offer", test_sdp_parses_chrome_simulcast_offer);
    g_test_add_func("/sdp/parse/chrome-sendrecv-rtx-group",
                    test_sdp_parses_chrome_sendrecv_rtx_group);
    g_test_add_func("/sdp/parse/chrome-recvonly-many-codecs",
                    test_sdp_parses_chrome_recvonly_with_many_codecs);
    g_test_add_func("/sdp/parse/libwebrtc-node-offer", test_sdp_parses_libwebrtc_node_offer);
    g_test_add_func("/sdp/parse/firefox-inherits-session-level",
                    test_sdp_firefox_inherits_session_fingerprint_and_direction);
    g_test_add_func("/sdp/parse/firefox-simulcast",
                    test_sdp_parses_firefox_simulcast_rids_and_ssrcs);
    g_test_add_func("/sdp/parse/safari-h264-first", test_sdp_parses_safari_h264_first);
    g_test_add_func("/sdp/parse/gstreamer-candidates-bundle-only",
                    test_sdp_parses_gstreamer_candidates_and_bundle_only);
    g_test_add_func("/sdp/parse/session-extmap-and-wildcard-feedback",
                    test_sdp_session_extmap_applies_to_media);
    g_test_add_func("/sdp/parse/simulcast-alternatives-paused",
                    test_sdp_parses_simulcast_alternatives_and_paused);
    g_test_add_func("/sdp/write/round-trips-fixtures", test_sdp_write_round_trips_every_fixture);
    g_test_add_func("/sdp/write/short-buffer", test_sdp_write_reports_short_buffer);
    g_test_add_func("/sdp/write/refuses-injected-line", test_sdp_write_refuses_injected_line);
    return g_test_run();
}
