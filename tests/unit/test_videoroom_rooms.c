/* VideoRoom rooms: create with Janus's defaults and every option, the errors Janus answers
 * (427, 429, 430, 426), exists, the registry and its references, secret/pin/token checks. */
#include "videoroom_rooms_fixture.h"

#include "core/ids.h"
#include "plugins/videoroom/videoroom.h"

#include <string.h>

static struct vr_room *find(uint64_t id)
{
    struct vr_room *room = vr_rooms_find(id);
    g_assert_nonnull(room);
    return room;
}

static void test_videoroom_create_applies_janus_defaults(struct rooms_fixture *f, gconstpointer u)
{
    assert_room_reply(room_call(vr_request_create, "{\"request\":\"create\",\"room\":1234}"),
                      "{\"videoroom\":\"created\",\"room\":1234,\"permanent\":false}");
    struct vr_room *room = find(1234);
    g_assert_cmpuint(room->id, ==, 1234);
    g_assert_cmpstr(room->description, ==, "Room 1234");
    g_assert_null(room->secret);
    g_assert_null(room->pin);
    g_assert_false(room->is_private);
    g_assert_false(room->check_allowed);
    g_assert_cmpuint(g_hash_table_size(room->allowed), ==, 0);
    g_assert_cmpuint(room->max_publishers, ==, 3);
    g_assert_cmpuint(room->bitrate, ==, 0);
    g_assert_false(room->bitrate_cap);
    g_assert_cmpuint(room->fir_freq, ==, 0);
    g_assert_cmpuint(room->audiocodec_count, ==, 1);
    g_assert_cmpint(room->audiocodecs[0], ==, PRISM_SDP_CODEC_OPUS);
    g_assert_cmpuint(room->videocodec_count, ==, 1);
    g_assert_cmpint(room->videocodecs[0], ==, PRISM_SDP_CODEC_VP8);
    g_assert_true(room->opus_fec);
    g_assert_true(room->audiolevel_ext);
    g_assert_true(room->videoorient_ext);
    g_assert_true(room->playoutdelay_ext);
    g_assert_true(room->transport_wide_cc_ext);
    g_assert_false(room->audiolevel_event);
    g_assert_cmpuint(room->audio_active_packets, ==, 100);
    g_assert_cmpuint(room->audio_level_average, ==, 25);
    g_assert_false(room->notify_joining);
    g_assert_false(room->require_pvtid);
    g_assert_false(room->permanent);
    g_assert_false(room->destroyed);
    g_assert_cmpuint(g_hash_table_size(room->publishers), ==, 0);
    g_assert_cmpuint(room->subscribers->len, ==, 0);
    g_assert_nonnull(room->worker);
    g_assert_cmpint(atomic_load(&room->refs), ==, 2); /* the registry's and ours */
    vr_room_unref(room);
}

static void test_videoroom_create_applies_every_option(struct rooms_fixture *f, gconstpointer u)
{
    json_t *reply = room_call(
        vr_request_create,
        "{\"request\":\"create\",\"room\":42,\"description\":\"Team\",\"secret\":\"s3\","
        "\"pin\":\"1234\",\"is_private\":true,\"allowed\":[\"a\",\"b\",\"a\"],\"publishers\":6,"
        "\"bitrate\":128000,\"bitrate_cap\":true,\"fir_freq\":10,\"audiocodec\":\"pcmu, opus\","
        "\"videocodec\":\"h264,vp8,H264,vp9,av1\",\"opus_fec\":false,\"audiolevel_ext\":false,"
        "\"audiolevel_event\":true,\"audio_active_packets\":50,\"audio_level_average\":40,"
        "\"notify_joining\":true,\"require_pvtid\":true,\"record\":false,\"videoorient_ext\":false,"
        "\"playoutdelay_ext\":false,\"transport_wide_cc_ext\":false,\"extra\":1}");
    assert_room_reply(reply, "{\"videoroom\":\"created\",\"room\":42,\"permanent\":false}");
    struct vr_room *room = find(42);
    g_assert_cmpstr(room->description, ==, "Team");
    g_assert_cmpstr(room->secret, ==, "s3");
    g_assert_cmpstr(room->pin, ==, "1234");
    g_assert_true(room->is_private);
    g_assert_true(room->check_allowed);
    g_assert_cmpuint(g_hash_table_size(room->allowed), ==, 2);
    g_assert_true(g_hash_table_contains(room->allowed, "b"));
    g_assert_cmpuint(room->max_publishers, ==, 6);
    g_assert_cmpuint(room->bitrate, ==, 128000);
    g_assert_true(room->bitrate_cap);
    g_assert_cmpuint(room->fir_freq, ==, 10);
    g_assert_cmpuint(room->audiocodec_count, ==, 2);
    g_assert_cmpint(room->audiocodecs[0], ==, PRISM_SDP_CODEC_PCMU);
    g_assert_cmpint(room->audiocodecs[1], ==, PRISM_SDP_CODEC_OPUS);
    /* Duplicates dropped, order of preference kept. */
    g_assert_cmpuint(room->videocodec_count, ==, 4);
    g_assert_cmpint(room->videocodecs[0], ==, PRISM_SDP_CODEC_H264);
    g_assert_cmpint(room->videocodecs[1], ==, PRISM_SDP_CODEC_VP8);
    g_assert_cmpint(room->videocodecs[2], ==, PRISM_SDP_CODEC_VP9);
    g_assert_cmpint(room->videocodecs[3], ==, PRISM_SDP_CODEC_AV1);
    g_assert_false(room->opus_fec);
    g_assert_false(room->audiolevel_ext);
    g_assert_false(room->videoorient_ext);
    g_assert_false(room->playoutdelay_ext);
    g_assert_false(room->transport_wide_cc_ext);
    g_assert_true(room->audiolevel_event);
    g_assert_cmpuint(room->audio_active_packets, ==, 50);
    g_assert_cmpuint(room->audio_level_average, ==, 40);
    g_assert_true(room->notify_joining);
    g_assert_true(room->require_pvtid);
    vr_room_unref(room);
}

/* Janus keeps a nonzero cap at 64 kbit/s at least, and FEC only where Opus is allowed. */
static void
test_videoroom_create_raises_low_bitrate_and_drops_fec_without_opus(struct rooms_fixture *f,
                                                                    gconstpointer u)
{
    json_decref(room_call(vr_request_create, "{\"room\":7,\"bitrate\":1000,\"audiocodec\":"
                                             "\"pcma\",\"description\":\"\"}"));
    struct vr_room *room = find(7);
    g_assert_cmpuint(room->bitrate, ==, 64000);
    g_assert_false(room->opus_fec);
    g_assert_cmpstr(room->description, ==, "Room 7"); /* empty means the default */
    vr_room_unref(room);
}

static void test_videoroom_create_without_room_draws_a_random_id(struct rooms_fixture *f,
                                                                 gconstpointer u)
{
    json_t *reply = room_call(vr_request_create, "{\"request\":\"create\"}");
    g_assert_cmpstr(json_string_value(json_object_get(reply, "videoroom")), ==, "created");
    json_int_t id = json_integer_value(json_object_get(reply, "room"));
    g_assert_cmpint(id, >=, 1);
    g_assert_cmpint(id, <=, (json_int_t)PRISM_ID_MAX);
    struct vr_room *room = find((uint64_t)id);
    char *expected = g_strdup_printf("Room %" JSON_INTEGER_FORMAT, id);
    g_assert_cmpstr(room->description, ==, expected);
    g_free(expected);
    vr_room_unref(room);
    json_decref(reply);
    /* "room": 0 also means "pick one", as in Janus. */
    reply = room_call(vr_request_create, "{\"room\":0}");
    g_assert_cmpint(json_integer_value(json_object_get(reply, "room")), >, 0);
    g_assert_cmpint(json_integer_value(json_object_get(reply, "room")), !=, id);
    json_decref(reply);
}

static void test_videoroom_create_rejects_an_existing_room(struct rooms_fixture *f, gconstpointer u)
{
    json_decref(room_call(vr_request_create, "{\"room\":5,\"description\":\"first\"}"));
    assert_room_error(room_call(vr_request_create, "{\"room\":5,\"description\":\"second\"}"),
                      PRISM_VIDEOROOM_ERROR_ROOM_EXISTS, "Room 5 already exists");
    struct vr_room *room = find(5);
    g_assert_cmpstr(room->description, ==, "first");
    vr_room_unref(room);
}

static void test_videoroom_create_rejects_bad_types(struct rooms_fixture *f, gconstpointer u)
{
    static const struct {
        const char *body, *reason;
    } cases[] = {
        {"{\"room\":\"lobby\"}", "string room ids are not supported"},
        {"{\"room\":-1}", "room should be a non-negative integer"},
        {"{\"room\":9,\"publishers\":\"6\"}", "publishers should be a non-negative integer"},
        {"{\"room\":9,\"is_private\":\"yes\"}", "is_private should be a boolean"},
        {"{\"room\":9,\"description\":5}", "description should be a string"},
        {"{\"room\":9,\"bitrate\":-5}", "bitrate should be a non-negative integer"},
        {"{\"room\":9,\"bitrate\":4294967296}", "bitrate should be between 0 and 4294967295"},
        {"{\"room\":9,\"fir_freq\":70000}", "fir_freq should be between 0 and 65535"},
        {"{\"room\":9,\"audio_level_average\":128}", "between 0 and 127"},
        {"{\"room\":9,\"audio_active_packets\":0}", "should be a positive integer"},
        {"{\"room\":9,\"allowed\":\"a\"}", "allowed should be an array"},
        {"{\"room\":9,\"allowed\":[\"a\",3]}", "allowed array (not a string)"},
        {"{\"room\":9,\"permanent\":\"true\"}", "permanent should be a boolean"},
        {"{\"room\":9,\"record\":true}", "recording is not supported"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        assert_room_error(room_call(vr_request_create, cases[i].body),
                          PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, cases[i].reason);
        g_assert_null(vr_rooms_find(9));
    }
}

static void test_videoroom_create_rejects_unknown_codecs(struct rooms_fixture *f, gconstpointer u)
{
    static const char *const bodies[] = {
        "{\"room\":9,\"audiocodec\":\"opus,isac16\"}",
        "{\"room\":9,\"audiocodec\":\"vp8\"}",
        "{\"room\":9,\"audiocodec\":\"\"}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bodies); i++)
        assert_room_error(room_call(vr_request_create, bodies[i]),
                          PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT,
                          "audiocodec can only be or contain opus, g722, pcmu or pcma");
    static const char *const video[] = {
        "{\"room\":9,\"videocodec\":\"h265\"}",
        "{\"room\":9,\"videocodec\":\"vp8,\"}",
        "{\"room\":9,\"videocodec\":\"opus\"}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(video); i++)
        assert_room_error(room_call(vr_request_create, video[i]),
                          PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT,
                          "videocodec can only be or contain vp8, vp9, h264 or av1");
    g_assert_null(vr_rooms_find(9));
}

static void test_videoroom_requests_report_missing_elements(struct rooms_fixture *f,
                                                            gconstpointer u)
{
    assert_room_error(room_call(vr_request_exists, "{\"request\":\"exists\"}"),
                      PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "Missing mandatory element (room)");
    assert_room_error(room_call(vr_request_edit, "{\"new_description\":\"x\"}"),
                      PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "Missing mandatory element (room)");
    json_decref(room_call(vr_request_create, "{\"room\":3}"));
    assert_room_error(room_call(vr_request_allowed, "{\"room\":3}"),
                      PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "Missing mandatory element (action)");
    char reason[256];
    struct vr_room *removed = NULL;
    bool permanent = true;
    json_t *body = json_pack("{s:s}", "request", "destroy");
    g_assert_cmpint(
        vr_room_destroy_checked(NULL, body, &removed, &permanent, reason, sizeof(reason)), ==,
        PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT);
    g_assert_cmpstr(reason, ==, "Missing mandatory element (room)");
    g_assert_null(removed);
    json_decref(body);
}

static void test_videoroom_exists_tells_whether_a_room_exists(struct rooms_fixture *f,
                                                              gconstpointer u)
{
    json_decref(room_call(vr_request_create, "{\"room\":11}"));
    assert_room_reply(room_call(vr_request_exists, "{\"request\":\"exists\",\"room\":11}"),
                      "{\"videoroom\":\"success\",\"room\":11,\"exists\":true}");
    assert_room_reply(room_call(vr_request_exists, "{\"request\":\"exists\",\"room\":12}"),
                      "{\"videoroom\":\"success\",\"room\":12,\"exists\":false}");
    assert_room_error(room_call(vr_request_exists, "{\"room\":\"11\"}"),
                      PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "string room ids are not supported");
    assert_room_error(room_call(vr_request_exists, "{\"room\":0}"),
                      PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "room should be a positive integer");
}

static void test_videoroom_registry_finds_removes_and_counts_references(struct rooms_fixture *f,
                                                                        gconstpointer u)
{
    char reason[128];
    struct vr_room *room = NULL;
    json_t *settings = json_pack("{s:s}", "description", "direct");
    g_assert_cmpint(vr_rooms_create(77, settings, &room, reason, sizeof(reason)), ==, 0);
    struct prism_worker *worker = room->worker;
    g_assert_cmpuint(prism_worker_load(worker), ==, 1);
    g_assert_true(vr_rooms_find(77) == room);
    vr_room_unref(room); /* the find's */
    g_assert_cmpint(
        vr_rooms_create(77, settings, &(struct vr_room *){NULL}, reason, sizeof(reason)), ==,
        PRISM_VIDEOROOM_ERROR_ROOM_EXISTS);
    g_assert_cmpuint(prism_worker_load(worker), ==, 1);
    g_assert_true(vr_rooms_remove(77) == room);
    g_assert_null(vr_rooms_find(77));
    g_assert_null(vr_rooms_remove(77));
    g_assert_cmpint(atomic_load(&room->refs), ==, 2); /* create's, and the registry's now ours */
    vr_room_unref(room);
    g_assert_cmpuint(prism_worker_load(worker), ==, 1); /* still referenced */
    vr_room_unref(room);
    g_assert_cmpuint(prism_worker_load(worker), ==, 0); /* freed: the worker is released */
    json_decref(settings);
}

static void test_videoroom_create_needs_a_worker_pool(struct rooms_fixture *f, gconstpointer u)
{
    vr_rooms_set_workers(NULL);
    assert_room_error(room_call(vr_request_create, "{\"room\":1}"), PRISM_VIDEOROOM_ERROR_UNKNOWN,
                      "not initialised");
    g_assert_null(vr_rooms_find(1));
}

static void test_videoroom_secrets_compare_exactly(struct rooms_fixture *f, gconstpointer u)
{
    json_decref(room_call(vr_request_create, "{\"room\":8,\"secret\":\"adminpwd\",\"pin\":\"12\","
                                             "\"allowed\":[\"tok-a\",\"tok-b\"]}"));
    struct vr_room *room = find(8);
    g_assert_true(vr_room_check_secret(room, "adminpwd"));
    static const char *const wrong[] = {NULL,       "",         "adminpw",         "adminpwd ",
                                        "Adminpwd", "adminpwe", "adminpwdadminpwd"};
    for (size_t i = 0; i < G_N_ELEMENTS(wrong); i++)
        g_assert_false(vr_room_check_secret(room, wrong[i]));
    g_assert_true(vr_room_check_pin(room, "12"));
    g_assert_false(vr_room_check_pin(room, "1"));
    g_assert_false(vr_room_check_pin(room, "123"));
    g_assert_true(vr_room_check_token(room, "tok-b"));
    g_assert_false(vr_room_check_token(room, "tok-"));
    g_assert_false(vr_room_check_token(room, "tok-c"));
    g_assert_false(vr_room_check_token(room, NULL));
    vr_room_unref(room);

    /* A room without secret, pin or token list takes anything. */
    json_decref(room_call(vr_request_create, "{\"room\":9}"));
    room = find(9);
    g_assert_true(vr_room_check_secret(room, NULL));
    g_assert_true(vr_room_check_secret(room, "whatever"));
    g_assert_true(vr_room_check_pin(room, NULL));
    g_assert_true(vr_room_check_token(room, NULL));
    vr_room_unref(room);
}

static void test_videoroom_join_checks_pin_then_token(struct rooms_fixture *f, gconstpointer u)
{
    json_decref(room_call(vr_request_create, "{\"room\":8,\"pin\":\"12\",\"allowed\":[\"t\"]}"));
    struct vr_room *room = find(8);
    static const struct {
        const char *body;
        int code;
        const char *reason;
    } cases[] = {
        {"{\"token\":\"t\"}", PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "(pin)"},
        {"{\"pin\":12,\"token\":\"t\"}", PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "pin should be"},
        {"{\"pin\":\"13\",\"token\":\"t\"}", PRISM_VIDEOROOM_ERROR_UNAUTHORIZED, "wrong pin"},
        {"{\"pin\":\"12\"}", PRISM_VIDEOROOM_ERROR_UNAUTHORIZED, "not in the allowed list"},
        {"{\"pin\":\"12\",\"token\":\"u\"}", PRISM_VIDEOROOM_ERROR_UNAUTHORIZED, "allowed list"},
        {"{\"pin\":\"12\",\"token\":\"t\"}", 0, ""},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char reason[256] = "";
        json_t *body = json_loads(cases[i].body, 0, NULL);
        g_assert_cmpint(vr_room_check_join(room, body, reason, sizeof(reason)), ==, cases[i].code);
        g_assert_nonnull(strstr(reason, cases[i].reason));
        json_decref(body);
    }
    vr_room_unref(room);
}

static void test_videoroom_access_finds_the_room_and_checks_its_secret(struct rooms_fixture *f,
                                                                       gconstpointer u)
{
    json_decref(room_call(vr_request_create, "{\"room\":8,\"secret\":\"s\"}"));
    char reason[256];
    struct vr_room *room = NULL;
    json_t *body = json_pack("{s:i}", "room", 99);
    g_assert_cmpint(vr_room_access(body, false, &room, reason, sizeof(reason)), ==,
                    PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM);
    g_assert_cmpstr(reason, ==, "No such room (99)");
    json_object_set_new(body, "room", json_integer(8));
    g_assert_cmpint(vr_room_access(body, true, &room, reason, sizeof(reason)), ==,
                    PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT);
    g_assert_cmpint(vr_room_access(body, false, &room, reason, sizeof(reason)), ==, 0);
    g_assert_cmpuint(room->id, ==, 8);
    vr_room_unref(room);
    json_object_set_new(body, "secret", json_string("t"));
    g_assert_cmpint(vr_room_access(body, true, &room, reason, sizeof(reason)), ==,
                    PRISM_VIDEOROOM_ERROR_UNAUTHORIZED);
    g_assert_cmpstr(reason, ==, "Unauthorized (wrong secret)");
    json_object_set_new(body, "secret", json_string("s"));
    room = NULL;
    g_assert_cmpint(vr_room_access(body, true, &room, reason, sizeof(reason)), ==, 0);
    g_assert_nonnull(room);
    vr_room_unref(room);
    json_decref(body);
}

#define ADD(path, test) \
    g_test_add(path, struct rooms_fixture, NULL, rooms_setup, test, rooms_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/videoroom/create-applies-janus-defaults", test_videoroom_create_applies_janus_defaults);
    ADD("/videoroom/create-applies-every-option", test_videoroom_create_applies_every_option);
    ADD("/videoroom/create-raises-low-bitrate-and-drops-fec-without-opus",
        test_videoroom_create_raises_low_bitrate_and_drops_fec_without_opus);
    ADD("/videoroom/create-without-room-draws-a-random-id",
        test_videoroom_create_without_room_draws_a_random_id);
    ADD("/videoroom/create-rejects-an-existing-room",
        test_videoroom_create_rejects_an_existing_room);
    ADD("/videoroom/create-rejects-bad-types", test_videoroom_create_rejects_bad_types);
    ADD("/videoroom/create-rejects-unknown-codecs", test_videoroom_create_rejects_unknown_codecs);
    ADD("/videoroom/requests-report-missing-elements",
        test_videoroom_requests_report_missing_elements);
    ADD("/videoroom/exists-tells-whether-a-room-exists",
        test_videoroom_exists_tells_whether_a_room_exists);
    ADD("/videoroom/registry-finds-removes-and-counts-references",
        test_videoroom_registry_finds_removes_and_counts_references);
    ADD("/videoroom/create-needs-a-worker-pool", test_videoroom_create_needs_a_worker_pool);
    ADD("/videoroom/secrets-compare-exactly", test_videoroom_secrets_compare_exactly);
    ADD("/videoroom/join-checks-pin-then-token", test_videoroom_join_checks_pin_then_token);
    ADD("/videoroom/access-finds-the-room-and-checks-its-secret",
        test_videoroom_access_finds_the_room_and_checks_its_secret);
    return g_test_run();
}
