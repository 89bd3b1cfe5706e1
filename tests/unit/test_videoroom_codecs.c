/* VideoRoom codecs through the API engine, with real SDP from Prism peers acting as the clients
 * (no connectivity needed): the room's videocodec/audiocodec lists decide what a publisher may
 * send, and a subscriber's offer carries the publisher's codec as negotiated, H.264
 * profile-level-id and Opus fmtp (useinbandfec, usedtx, stereo) included, as Janus does; the
 * room's *_ext settings decide which header extensions a publisher negotiates. */
#include "videoroom_api_rig.h"

/* A room of the rig's session created with `settings` (JSON members after "create"). */
static uint64_t create_room(struct rig *rig, const char *settings)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"request\":\"create\",%s}", settings);
    json_t *created = room_request(rig, attach(rig), body);
    uint64_t room = (uint64_t)json_integer_value(json_object_get(created, "room"));
    json_decref(created);
    g_assert_cmpuint(room, >, 0);
    return room;
}

/* An offer with one audio and one video m-line of the given codecs, each m-line with three
 * header extensions of `extmaps` (audio the first three, video the last three; NULL: none), as
 * a JSEP. */
static json_t *offer_with_extmaps(struct prism_peer *client, const struct prism_sdp_codec *audio,
                                  size_t audio_count, const struct prism_sdp_codec *video,
                                  size_t video_count, const struct prism_sdp_extmap *extmaps)
{
    struct prism_peer_offer_media media[2] = {
        {.kind = PRISM_SDP_MEDIA_AUDIO,
         .mid = "0",
         .direction = PRISM_SDP_SENDONLY,
         .codecs = audio,
         .codec_count = audio_count,
         .extmaps = extmaps,
         .extmap_count = extmaps ? 3 : 0},
        {.kind = PRISM_SDP_MEDIA_VIDEO,
         .mid = "1",
         .direction = PRISM_SDP_SENDONLY,
         .codecs = video,
         .codec_count = video_count,
         .extmaps = extmaps ? extmaps + 1 : NULL,
         .extmap_count = extmaps ? 3 : 0},
    };
    char *offer = NULL;
    struct prism_sdp_error err = {0};
    g_assert_cmpint(prism_peer_offer(client, media, 2, &offer, &err), ==, 0);
    json_t *jsep = json_pack("{s:s, s:s}", "type", "offer", "sdp", offer);
    free(offer);
    return jsep;
}

static json_t *offer_with(struct prism_peer *client, const struct prism_sdp_codec *audio,
                          size_t audio_count, const struct prism_sdp_codec *video,
                          size_t video_count)
{
    return offer_with_extmaps(client, audio, audio_count, video, video_count, NULL);
}

/* Publishes `jsep` in `room` on a new handle; returns the one event that answered it (a new
 * reference) and the publisher's feed id in *feed. */
static json_t *publish_offer(struct rig *rig, uint64_t room, json_t *jsep, uint64_t *feed)
{
    struct publisher publisher = join_publisher(rig, rig->session, room);
    guint from = send_message(rig, publisher.handle, "{\"request\":\"publish\"}", jsep);
    GPtrArray *events = events_since(rig, publisher.handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    json_t *event = json_incref(events->pdata[0]);
    g_ptr_array_free(events, TRUE);
    *feed = publisher.feed;
    return event;
}

static const char *sdp_of(json_t *event)
{
    return json_string_value(json_object_get(json_object_get(event, "jsep"), "sdp"));
}

/* The offer a new subscriber to every stream of `feed` in `room` gets (g_free it). */
static char *subscriber_offer(struct rig *rig, uint64_t room, uint64_t feed)
{
    uint64_t handle = attach(rig);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":%" G_GUINT64_FORMAT
             ",\"streams\":[{\"feed\":%" G_GUINT64_FORMAT "}]}",
             room, feed);
    guint from = send_message(rig, handle, body, NULL);
    GPtrArray *events = events_since(rig, handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_cmpstr(event_name(events->pdata[0]), ==, "attached");
    char *sdp = g_strdup(sdp_of(events->pdata[0]));
    g_ptr_array_free(events, TRUE);
    g_assert_nonnull(sdp);
    return sdp;
}

/* The value of the SDP line that starts with `prefix` ("a=fmtp:102 "), up to the line end. */
static char *sdp_line(const char *sdp, const char *prefix)
{
    const char *start = strstr(sdp, prefix);
    if (!start)
        return NULL;
    start += strlen(prefix);
    return g_strndup(start, strcspn(start, "\r\n"));
}

static void test_videoroom_h264_profile_reaches_subscriber_offer(void)
{
    struct rig rig;
    rig_start(&rig);
    uint64_t room = create_room(&rig, "\"videocodec\":\"h264\",\"audiocodec\":\"opus\"");
    static const struct prism_sdp_codec opus = {
        .pt = 111, .name = "opus", .clock_rate = 48000, .channels = 2};
    /* As Chromium lists them: mode 0 first, which the SFU cannot forward, then mode 1. */
    static const struct prism_sdp_codec h264[] = {
        {.pt = 96,
         .name = "H264",
         .clock_rate = 90000,
         .fmtp = "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f"},
        {.pt = 102,
         .name = "H264",
         .clock_rate = 90000,
         .fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
    };
    struct prism_peer *client = client_peer(&rig, true);
    uint64_t feed = 0;
    json_t *event = publish_offer(&rig, room, offer_with(client, &opus, 1, h264, 2), &feed);
    g_assert_cmpstr(json_string_value(json_object_get(data_of(event), "video_codec")), ==, "h264");
    const char *answer = sdp_of(event);
    g_assert_nonnull(strstr(answer, "m=video 9 "));
    g_assert_nonnull(strstr(answer, "a=rtpmap:102 H264/90000"));
    g_assert_null(strstr(answer, "a=rtpmap:96 H264/90000"));
    char *fmtp = sdp_line(answer, "a=fmtp:102 ");
    g_assert_nonnull(fmtp);
    g_assert_nonnull(strstr(fmtp, "packetization-mode=1"));
    g_assert_nonnull(strstr(fmtp, "profile-level-id=42e01f"));
    g_free(fmtp);
    json_decref(event);

    char *offer = subscriber_offer(&rig, room, feed);
    g_assert_nonnull(strstr(offer, "a=rtpmap:102 H264/90000"));
    fmtp = sdp_line(offer, "a=fmtp:102 ");
    g_assert_nonnull(fmtp);
    g_assert_nonnull(strstr(fmtp, "packetization-mode=1"));
    g_assert_nonnull(strstr(fmtp, "profile-level-id=42e01f"));
    g_free(fmtp);
    g_free(offer);
    rig_stop(&rig);
    prism_peer_destroy(client);
}

/* Janus's h264_profile: the room's profile when the publisher offers it, else the first. */
static void test_videoroom_h264_profile_setting_prefers_that_profile(void)
{
    struct rig rig;
    rig_start(&rig);
    uint64_t room = create_room(&rig, "\"videocodec\":\"h264\",\"h264_profile\":\"42e01f\"");
    static const struct prism_sdp_codec opus = {
        .pt = 111, .name = "opus", .clock_rate = 48000, .channels = 2};
    static const struct prism_sdp_codec h264[] = {
        {.pt = 102,
         .name = "H264",
         .clock_rate = 90000,
         .fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"},
        {.pt = 106,
         .name = "H264",
         .clock_rate = 90000,
         .fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
    };
    struct prism_peer *clients[2] = {client_peer(&rig, true), client_peer(&rig, true)};
    uint64_t feed = 0;
    json_t *event = publish_offer(&rig, room, offer_with(clients[0], &opus, 1, h264, 2), &feed);
    g_assert_nonnull(strstr(sdp_of(event), "a=rtpmap:106 H264/90000"));
    g_assert_null(strstr(sdp_of(event), "a=rtpmap:102 H264/90000"));
    json_decref(event);
    /* A publisher without that profile still publishes H.264, in its own. */
    event = publish_offer(&rig, room, offer_with(clients[1], &opus, 1, h264, 1), &feed);
    g_assert_nonnull(strstr(sdp_of(event), "a=rtpmap:102 H264/90000"));
    json_decref(event);

    json_t *listed = room_request(&rig, attach(&rig), "{\"request\":\"list\"}");
    bool found = false;
    for (size_t i = 0; i < json_array_size(json_object_get(listed, "list")); i++) {
        json_t *entry = json_array_get(json_object_get(listed, "list"), i);
        if ((uint64_t)json_integer_value(json_object_get(entry, "room")) != room)
            continue;
        g_assert_cmpstr(json_string_value(json_object_get(entry, "h264_profile")), ==, "42e01f");
        found = true;
    }
    g_assert_true(found);
    json_decref(listed);

    json_t *reply = send_message_reply(&rig, rig.session, attach(&rig),
                                       "{\"request\":\"create\",\"h264_profile\":\"42e0\"}", NULL);
    g_assert_cmpint(json_integer_value(json_object_get(data_of(reply), "error_code")), ==, 430);
    json_decref(reply);
    reply = send_message_reply(&rig, rig.session, attach(&rig),
                               "{\"request\":\"create\",\"vp9_profile\":\"7\"}", NULL);
    g_assert_cmpint(json_integer_value(json_object_get(data_of(reply), "error_code")), ==, 430);
    json_decref(reply);
    rig_stop(&rig);
    prism_peer_destroy(clients[0]);
    prism_peer_destroy(clients[1]);
}

/* Publishes an Opus offer with useinbandfec, usedtx, stereo and sprop-stereo in `room` and returns
 * the fmtp line of Prism's answer; *offer gets the subscriber offer for that publisher. */
static char *publish_opus(struct rig *rig, uint64_t room, char **offer)
{
    static const struct prism_sdp_codec opus = {.pt = 111,
                                                .name = "opus",
                                                .clock_rate = 48000,
                                                .channels = 2,
                                                .fmtp = "minptime=10;useinbandfec=1;usedtx=1;"
                                                        "stereo=1;sprop-stereo=1"};
    static const struct prism_sdp_codec vp8 = {.pt = 96, .name = "VP8", .clock_rate = 90000};
    struct prism_peer *client = client_peer(rig, true);
    uint64_t feed = 0;
    json_t *event = publish_offer(rig, room, offer_with(client, &opus, 1, &vp8, 1), &feed);
    char *fmtp = sdp_line(sdp_of(event), "a=fmtp:111 ");
    g_assert_nonnull(fmtp);
    json_t *audio = json_array_get(json_object_get(data_of(event), "streams"), 0);
    g_assert_cmpstr(json_string_value(json_object_get(audio, "type")), ==, "audio");
    g_assert_true(json_is_true(json_object_get(audio, "opus-fec")) ==
                  (strstr(fmtp, "useinbandfec=1") != NULL));
    json_decref(event);
    *offer = subscriber_offer(rig, room, feed);
    g_assert_nonnull(strstr(*offer, "a=rtpmap:111 opus/48000/2"));
    prism_peer_destroy(client);
    return fmtp;
}

/* As Janus: the room's opus_fec (default true) and opus_dtx (default false) decide what Prism's
 * answer asks of the publisher; stereo and sprop-stereo stay as offered. Subscribers are offered
 * what the publisher was asked to send. */
static void test_videoroom_opus_fec_dtx_stereo_reach_subscriber_offer(void)
{
    struct rig rig;
    rig_start(&rig);
    char *offer = NULL;
    char *answer = publish_opus(&rig, rig.room, &offer);
    g_assert_nonnull(strstr(answer, "useinbandfec=1"));
    g_assert_null(strstr(answer, "usedtx"));
    g_assert_nonnull(strstr(answer, "stereo=1"));
    char *fmtp = sdp_line(offer, "a=fmtp:111 ");
    g_assert_nonnull(fmtp);
    g_assert_nonnull(strstr(fmtp, "useinbandfec=1"));
    g_assert_null(strstr(fmtp, "usedtx"));
    g_assert_nonnull(strstr(fmtp, ";stereo=1"));
    g_assert_nonnull(strstr(fmtp, "sprop-stereo=1"));
    g_free(fmtp);
    g_free(offer);
    g_free(answer);

    uint64_t dtx_room = create_room(&rig, "\"opus_fec\":false,\"opus_dtx\":true");
    answer = publish_opus(&rig, dtx_room, &offer);
    g_assert_null(strstr(answer, "useinbandfec"));
    g_assert_nonnull(strstr(answer, "usedtx=1"));
    fmtp = sdp_line(offer, "a=fmtp:111 ");
    g_assert_nonnull(fmtp);
    g_assert_null(strstr(fmtp, "useinbandfec"));
    g_assert_nonnull(strstr(fmtp, "usedtx=1"));
    g_assert_nonnull(strstr(fmtp, "sprop-stereo=1"));
    g_free(fmtp);
    g_free(offer);
    g_free(answer);
    rig_stop(&rig);
}

/* Janus answers an m-line whose codecs the room does not allow as inactive, lists the stream
 * as "disabled" and publishes the rest: a subscriber gets no m-line for it. */
static void test_videoroom_codec_outside_room_list_is_not_published(void)
{
    struct rig rig;
    rig_start(&rig);
    uint64_t room = create_room(&rig, "\"videocodec\":\"h264\"");
    static const struct prism_sdp_codec opus = {
        .pt = 111, .name = "opus", .clock_rate = 48000, .channels = 2};
    static const struct prism_sdp_codec vp8 = {.pt = 96, .name = "VP8", .clock_rate = 90000};
    struct prism_peer *client = client_peer(&rig, true);
    uint64_t feed = 0;
    json_t *event = publish_offer(&rig, room, offer_with(client, &opus, 1, &vp8, 1), &feed);
    json_t *data = data_of(event);
    g_assert_cmpstr(json_string_value(json_object_get(data, "configured")), ==, "ok");
    g_assert_null(json_object_get(data, "video_codec"));
    g_assert_nonnull(strstr(sdp_of(event), "m=video 0 "));
    json_t *streams = json_object_get(data, "streams");
    bool video_disabled = false, audio_listed = false;
    for (size_t i = 0; i < json_array_size(streams); i++) {
        json_t *s = json_array_get(streams, i);
        const char *type = json_string_value(json_object_get(s, "type"));
        if (strcmp(type, "video") == 0) {
            video_disabled = json_is_true(json_object_get(s, "disabled"));
            g_assert_null(json_object_get(s, "codec"));
        }
        audio_listed |= strcmp(type, "audio") == 0;
    }
    g_assert_true(video_disabled);
    g_assert_true(audio_listed);
    json_decref(event);

    char *offer = subscriber_offer(&rig, room, feed);
    g_assert_nonnull(strstr(offer, "m=audio 9 "));
    g_assert_null(strstr(offer, "m=video"));
    g_free(offer);
    rig_stop(&rig);
    prism_peer_destroy(client);
}

/* Asserts that no payload type of `text` has two meanings across its m-lines (one BUNDLE
 * group); returns how many m-lines use `pt`. */
static unsigned assert_payload_types_unique(const char *text, uint8_t pt)
{
    struct prism_sdp *sdp = NULL;
    struct prism_sdp_error err = {0};
    g_assert_cmpint(prism_sdp_parse(text, strlen(text), &sdp, &err), ==, 0);
    unsigned users = 0;
    for (unsigned m = 0; m < sdp->media_count; m++) {
        for (uint8_t c = 0; c < sdp->media[m].codec_count; c++) {
            const struct prism_sdp_codec *a = &sdp->media[m].codecs[c];
            users += a->pt == pt;
            for (unsigned n = m + 1; n < sdp->media_count; n++) {
                for (uint8_t d = 0; d < sdp->media[n].codec_count; d++) {
                    const struct prism_sdp_codec *b = &sdp->media[n].codecs[d];
                    if (a->pt != b->pt)
                        continue;
                    g_assert_cmpstr(a->name, ==, b->name);
                    g_assert_cmpuint(a->clock_rate, ==, b->clock_rate);
                    g_assert_cmpstr(a->fmtp, ==, b->fmtp);
                }
            }
        }
    }
    prism_sdp_free(sdp);
    return users;
}

/* aiortc sends Opus as 96, Chromium and libwebrtc send VP8 as 96: a subscriber to both gets
 * one meaning per payload type in its offer (one BUNDLE group), RTX included. */
static void test_videoroom_subscriber_offer_never_reuses_a_payload_type(void)
{
    struct rig rig;
    rig_start(&rig);
    uint64_t room = create_room(&rig, "\"videocodec\":\"vp8,h264\"");
    static const struct prism_sdp_codec opus96 = {
        .pt = 96, .name = "opus", .clock_rate = 48000, .channels = 2};
    static const struct prism_sdp_codec h264 = {
        .pt = 99,
        .name = "H264",
        .clock_rate = 90000,
        .fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"};
    static const struct prism_sdp_codec opus111 = {
        .pt = 111, .name = "opus", .clock_rate = 48000, .channels = 2};
    static const struct prism_sdp_codec vp8 = {.pt = 96, .name = "VP8", .clock_rate = 90000};
    struct prism_peer *clients[2] = {client_peer(&rig, true), client_peer(&rig, true)};
    uint64_t feeds[2];
    json_decref(publish_offer(&rig, room, offer_with(clients[0], &opus96, 1, &h264, 1), &feeds[0]));
    json_decref(publish_offer(&rig, room, offer_with(clients[1], &opus111, 1, &vp8, 1), &feeds[1]));

    uint64_t handle = attach(&rig);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":%" G_GUINT64_FORMAT
             ",\"streams\":[{\"feed\":%" G_GUINT64_FORMAT "},{\"feed\":%" G_GUINT64_FORMAT "}]}",
             room, feeds[0], feeds[1]);
    guint from = send_message(&rig, handle, body, NULL);
    GPtrArray *events = events_since(&rig, handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    const char *offer = sdp_of(events->pdata[0]);
    g_assert_nonnull(offer);
    /* The first publisher keeps its payload types; VP8 moves off 96, and each RTX has its own. */
    g_assert_nonnull(strstr(offer, "a=rtpmap:96 opus/48000/2"));
    g_assert_nonnull(strstr(offer, "a=rtpmap:99 H264/90000"));
    g_assert_null(strstr(offer, "a=rtpmap:96 VP8/90000"));
    g_assert_nonnull(strstr(offer, " VP8/90000"));
    g_assert_cmpuint(assert_payload_types_unique(offer, 96), ==, 1);
    g_assert_cmpuint(assert_payload_types_unique(offer, 97), <=, 1);
    g_ptr_array_free(events, TRUE);
    rig_stop(&rig);
    prism_peer_destroy(clients[0]);
    prism_peer_destroy(clients[1]);
}

/* The payload type of the first codec `name` in the m-line with this mid, and its fmtp. */
static int payload_type_of(const char *text, const char *mid, const char *name, char *fmtp,
                           size_t size)
{
    struct prism_sdp *sdp = NULL;
    struct prism_sdp_error err = {0};
    g_assert_cmpint(prism_sdp_parse(text, strlen(text), &sdp, &err), ==, 0);
    const struct prism_sdp_media *m = prism_sdp_find_media(sdp, mid);
    int pt = -1;
    for (uint8_t c = 0; m && c < m->codec_count && pt < 0; c++) {
        if (strcmp(m->codecs[c].name, name) == 0) {
            pt = m->codecs[c].pt;
            g_strlcpy(fmtp, m->codecs[c].fmtp, size);
        }
    }
    prism_sdp_free(sdp);
    return pt;
}

/* RED (RFC 2198) over Opus, as Chrome offers it, is answered to publishers (first, so libwebrtc
 * sends it) and offered to subscribers (after Opus) with the subscriber's payload types: where one
 * publisher's RED payload type is another's Opus, the second Opus moves and its RED's fmtp
 * names the new payload type. */
static void test_videoroom_audio_red_reaches_subscriber_offer_remapped(void)
{
    struct rig rig;
    rig_start(&rig);
    uint64_t room = create_room(&rig, "\"videocodec\":\"vp8\"");
    static const struct prism_sdp_codec red_a[] = {
        {.pt = 111, .name = "red", .clock_rate = 48000, .channels = 2, .fmtp = "96/96"},
        {.pt = 96, .name = "opus", .clock_rate = 48000, .channels = 2},
    };
    static const struct prism_sdp_codec red_b[] = {
        {.pt = 111, .name = "opus", .clock_rate = 48000, .channels = 2},
        {.pt = 63, .name = "red", .clock_rate = 48000, .channels = 2, .fmtp = "111/111"},
    };
    static const struct prism_sdp_codec vp8 = {.pt = 97, .name = "VP8", .clock_rate = 90000};
    struct prism_peer *clients[2] = {client_peer(&rig, true), client_peer(&rig, true)};
    uint64_t feeds[2];
    json_t *answer = publish_offer(&rig, room, offer_with(clients[1], red_b, 2, &vp8, 1),
                                   &feeds[1]);
    g_assert_nonnull(strstr(sdp_of(answer), "m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\n"));
    g_assert_nonnull(strstr(sdp_of(answer), "a=fmtp:63 111/111"));
    json_decref(answer);
    json_decref(publish_offer(&rig, room, offer_with(clients[0], red_a, 2, &vp8, 1), &feeds[0]));

    uint64_t handle = attach(&rig);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":%" G_GUINT64_FORMAT
             ",\"streams\":[{\"feed\":%" G_GUINT64_FORMAT "},{\"feed\":%" G_GUINT64_FORMAT "}]}",
             room, feeds[0], feeds[1]);
    guint from = send_message(&rig, handle, body, NULL);
    GPtrArray *events = events_since(&rig, handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    const char *offer = sdp_of(events->pdata[0]);
    char fmtp[64];
    /* The first publisher keeps its payload types, Opus first. */
    g_assert_nonnull(strstr(offer, "m=audio 9 UDP/TLS/RTP/SAVPF 96 111\r\n"));
    g_assert_cmpint(payload_type_of(offer, "0", "red", fmtp, sizeof(fmtp)), ==, 111);
    g_assert_cmpstr(fmtp, ==, "96/96");
    /* The second one's Opus cannot be 111 any more; its RED follows it. */
    int opus = payload_type_of(offer, "2", "opus", fmtp, sizeof(fmtp));
    g_assert_cmpint(opus, >, 0);
    g_assert_cmpint(opus, !=, 111);
    int red = payload_type_of(offer, "2", "red", fmtp, sizeof(fmtp));
    g_assert_cmpint(red, >, 0);
    char expected[16];
    snprintf(expected, sizeof(expected), "%d/%d", opus, opus);
    g_assert_cmpstr(fmtp, ==, expected);
    /* One meaning per payload type (the Opus of both may share one: the same codec). */
    g_assert_cmpuint(assert_payload_types_unique(offer, 111), ==, 1);
    g_assert_cmpuint(assert_payload_types_unique(offer, (uint8_t)opus), >=, 1);
    g_assert_cmpuint(assert_payload_types_unique(offer, (uint8_t)red), >=, 1);
    g_ptr_array_free(events, TRUE);
    rig_stop(&rig);
    prism_peer_destroy(clients[0]);
    prism_peer_destroy(clients[1]);
}

/* The subscriber's mid of its stream of `type` in an event's "streams" list. */
static const char *sub_mid_of(json_t *event, const char *type)
{
    json_t *streams = json_object_get(data_of(event), "streams");
    for (size_t i = 0; i < json_array_size(streams); i++) {
        json_t *s = json_array_get(streams, i);
        if (strcmp(json_string_value(json_object_get(s, "type")), type) == 0)
            return json_string_value(json_object_get(s, "mid"));
    }
    return NULL;
}

/* switch sends no new offer, so, as in Janus, a stream only switches to a source of its codec;
 * another codec leaves it on its current source ("changes" counts what switched). */
static int switch_to(struct rig *rig, uint64_t handle, uint64_t feed, const char *mid,
                     const char *sub_mid)
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"request\":\"switch\",\"streams\":[{\"feed\":%" G_GUINT64_FORMAT
             ",\"mid\":\"%s\",\"sub_mid\":\"%s\"}]}",
             feed, mid, sub_mid);
    guint from = send_message(rig, handle, body, NULL);
    GPtrArray *events = events_since(rig, handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    json_t *data = data_of(events->pdata[0]);
    g_assert_cmpstr(json_string_value(json_object_get(data, "switched")), ==, "ok");
    int changes = (int)json_integer_value(json_object_get(data, "changes"));
    g_ptr_array_free(events, TRUE);
    return changes;
}

static void test_videoroom_switch_keeps_to_one_codec(void)
{
    struct rig rig;
    rig_start(&rig);
    uint64_t room = create_room(&rig, "\"videocodec\":\"vp8,h264\"");
    static const struct prism_sdp_codec opus = {
        .pt = 111, .name = "opus", .clock_rate = 48000, .channels = 2};
    static const struct prism_sdp_codec vp8 = {.pt = 96, .name = "VP8", .clock_rate = 90000};
    static const struct prism_sdp_codec h264 = {
        .pt = 102,
        .name = "H264",
        .clock_rate = 90000,
        .fmtp = "packetization-mode=1;profile-level-id=42e01f"};
    struct prism_peer *clients[3] = {client_peer(&rig, true), client_peer(&rig, true),
                                     client_peer(&rig, false)};
    uint64_t feeds[2];
    json_decref(publish_offer(&rig, room, offer_with(clients[0], &opus, 1, &vp8, 1), &feeds[0]));
    json_decref(publish_offer(&rig, room, offer_with(clients[1], &opus, 1, &h264, 1), &feeds[1]));

    uint64_t handle = attach(&rig);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":%" G_GUINT64_FORMAT
             ",\"streams\":[{\"feed\":%" G_GUINT64_FORMAT "}]}",
             room, feeds[0]);
    guint from = send_message(&rig, handle, body, NULL);
    GPtrArray *events = events_since(&rig, handle, from);
    g_assert_cmpuint(events->len, ==, 1);
    json_t *attached = json_incref(events->pdata[0]);
    g_ptr_array_free(events, TRUE);
    send_message(&rig, handle, "{\"request\":\"start\"}", answer_to(clients[2], attached));
    char video_mid[16], audio_mid[16];
    g_strlcpy(video_mid, sub_mid_of(attached, "video"), sizeof(video_mid));
    g_strlcpy(audio_mid, sub_mid_of(attached, "audio"), sizeof(audio_mid));
    json_decref(attached);

    g_assert_cmpint(switch_to(&rig, handle, feeds[1], "1", video_mid), ==, 0);
    g_assert_cmpint(switch_to(&rig, handle, feeds[1], "0", audio_mid), ==, 1);
    rig_stop(&rig);
    for (unsigned i = 0; i < 3; i++)
        prism_peer_destroy(clients[i]);
}

/* Publishes Opus + VP8 with the audio level, video orientation and transport-wide CC
 * extensions offered on both m-lines; returns Prism's answer and the subscriber offer. */
static char *publish_with_extensions(struct rig *rig, uint64_t room, char **offer)
{
    static const struct prism_sdp_codec opus = {.pt = 111,
                                                .name = "opus",
                                                .clock_rate = 48000,
                                                .channels = 2,
                                                .feedback = PRISM_SDP_FB_TRANSPORT_CC};
    static const struct prism_sdp_codec vp8 = {
        .pt = 96, .name = "VP8", .clock_rate = 90000, .feedback = PRISM_SDP_FB_TRANSPORT_CC};
    static const struct prism_sdp_extmap extmaps[] = {
        {.id = 1, .uri = PRISM_SDP_EXT_AUDIO_LEVEL},
        {.id = 3, .uri = PRISM_SDP_EXT_TWCC},
        {.id = 4, .uri = PRISM_SDP_EXT_MID},
        {.id = 13, .uri = PRISM_SDP_EXT_VIDEO_ORIENTATION},
    };
    struct prism_peer *client = client_peer(rig, true);
    uint64_t feed = 0;
    json_t *event = publish_offer(rig, room, offer_with_extmaps(client, &opus, 1, &vp8, 1, extmaps),
                                  &feed);
    char *answer = g_strdup(sdp_of(event));
    g_assert_nonnull(answer);
    json_decref(event);
    *offer = subscriber_offer(rig, room, feed);
    prism_peer_destroy(client);
    return answer;
}

/* As Janus: audiolevel_ext, videoorient_ext, playoutdelay_ext and transport_wide_cc_ext (all
 * true by default) decide what a new publisher's answer accepts; a subscriber is offered only
 * what its publisher negotiated, and no transport-cc feedback is asked without the extension. */
static void test_videoroom_room_ext_settings_decide_publisher_extensions(void)
{
    struct rig rig;
    rig_start(&rig);
    char *offer = NULL;
    char *answer = publish_with_extensions(&rig, rig.room, &offer);
    g_assert_nonnull(strstr(answer, "a=extmap:1 " PRISM_SDP_EXT_AUDIO_LEVEL));
    g_assert_nonnull(strstr(answer, "a=extmap:3 " PRISM_SDP_EXT_TWCC));
    g_assert_nonnull(strstr(answer, "a=extmap:13 " PRISM_SDP_EXT_VIDEO_ORIENTATION));
    g_assert_nonnull(strstr(answer, "transport-cc"));
    g_assert_nonnull(strstr(offer, PRISM_SDP_EXT_AUDIO_LEVEL));
    g_assert_nonnull(strstr(offer, PRISM_SDP_EXT_VIDEO_ORIENTATION));
    g_free(offer);
    g_free(answer);

    uint64_t room = create_room(&rig, "\"audiolevel_ext\":false,\"videoorient_ext\":false,"
                                      "\"transport_wide_cc_ext\":false");
    answer = publish_with_extensions(&rig, room, &offer);
    g_assert_null(strstr(answer, PRISM_SDP_EXT_AUDIO_LEVEL));
    g_assert_null(strstr(answer, PRISM_SDP_EXT_TWCC));
    g_assert_null(strstr(answer, PRISM_SDP_EXT_VIDEO_ORIENTATION));
    g_assert_null(strstr(answer, "transport-cc"));
    g_assert_nonnull(strstr(answer, "a=extmap:4 " PRISM_SDP_EXT_MID));
    g_assert_null(strstr(offer, PRISM_SDP_EXT_AUDIO_LEVEL));
    g_assert_null(strstr(offer, PRISM_SDP_EXT_VIDEO_ORIENTATION));
    g_free(offer);
    g_free(answer);
    rig_stop(&rig);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/videoroom/h264-profile-reaches-subscriber-offer",
                    test_videoroom_h264_profile_reaches_subscriber_offer);
    g_test_add_func("/videoroom/h264-profile-setting-prefers-that-profile",
                    test_videoroom_h264_profile_setting_prefers_that_profile);
    g_test_add_func("/videoroom/opus-fec-dtx-stereo-reach-subscriber-offer",
                    test_videoroom_opus_fec_dtx_stereo_reach_subscriber_offer);
    g_test_add_func("/videoroom/codec-outside-room-list-is-not-published",
                    test_videoroom_codec_outside_room_list_is_not_published);
    g_test_add_func("/videoroom/subscriber-offer-never-reuses-a-payload-type",
                    test_videoroom_subscriber_offer_never_reuses_a_payload_type);
    g_test_add_func("/videoroom/audio-red-reaches-subscriber-offer-remapped",
                    test_videoroom_audio_red_reaches_subscriber_offer_remapped);
    g_test_add_func("/videoroom/switch-keeps-to-one-codec",
                    test_videoroom_switch_keeps_to_one_codec);
    g_test_add_func("/videoroom/room-ext-settings-decide-publisher-extensions",
                    test_videoroom_room_ext_settings_decide_publisher_extensions);
    return g_test_run();
}
