/* VideoRoom room administration: list (private rooms, participant counts), edit, allowed
 * and destroy, with and without the room secret, answered as Janus answers them. */
#include "videoroom_rooms_fixture.h"

#include "plugins/videoroom/videoroom.h"

#include <string.h>

static void create(const char *body)
{
    json_t *reply = room_call(vr_request_create, body);
    g_assert_cmpstr(json_string_value(json_object_get(reply, "videoroom")), ==, "created");
    json_decref(reply);
}

static void test_videoroom_list_shows_public_rooms_as_janus_does(struct rooms_fixture *f,
                                                                 gconstpointer u)
{
    create("{\"room\":30,\"description\":\"Third\",\"is_private\":true}");
    create("{\"room\":20,\"description\":\"Second\",\"pin\":\"p\",\"publishers\":6,"
           "\"bitrate\":256000,\"bitrate_cap\":true,\"fir_freq\":5,\"audiocodec\":\"opus,pcmu\","
           "\"videocodec\":\"vp9,h264\",\"audiolevel_event\":true,\"audio_level_average\":30,"
           "\"notify_joining\":true,\"require_pvtid\":true}");
    create("{\"room\":10,\"opus_fec\":false,\"opus_dtx\":true,\"videoorient_ext\":false,"
           "\"transport_wide_cc_ext\":false}");
    struct vr_room *room = vr_rooms_find(20);
    atomic_store(&room->participant_count, 2);
    vr_room_unref(room);

    assert_room_reply(
        room_call(vr_request_list, "{\"request\":\"list\"}"),
        "{\"videoroom\":\"success\",\"list\":["
        "{\"room\":10,\"description\":\"Room 10\",\"pin_required\":false,\"is_private\":false,"
        "\"max_publishers\":3,\"bitrate\":0,\"fir_freq\":0,\"require_pvtid\":false,"
        "\"require_e2ee\":false,\"dummy_publisher\":false,\"notify_joining\":false,"
        "\"audiocodec\":\"opus\",\"videocodec\":\"vp8\",\"opus_dtx\":true,\"record\":false,"
        "\"lock_record\":false,\"num_participants\":0,\"audiolevel_ext\":true,\"audiolevel_event\":"
        "false,"
        "\"videoorient_ext\":false,\"playoutdelay_ext\":true,\"transport_wide_cc_ext\":false},"
        "{\"room\":20,\"description\":\"Second\",\"pin_required\":true,\"is_private\":false,"
        "\"max_publishers\":6,\"bitrate\":256000,\"bitrate_cap\":true,\"fir_freq\":5,"
        "\"require_pvtid\":true,\"require_e2ee\":false,\"dummy_publisher\":false,"
        "\"notify_joining\":true,\"audiocodec\":\"opus,pcmu\",\"videocodec\":\"vp9,h264\","
        "\"opus_fec\":true,\"record\":false,\"lock_record\":false,\"num_participants\":2,"
        "\"audiolevel_ext\":true,\"audiolevel_event\":true,\"audio_active_packets\":100,"
        "\"audio_level_average\":30,\"videoorient_ext\":true,\"playoutdelay_ext\":true,"
        "\"transport_wide_cc_ext\":true}]}");
}

static void test_videoroom_list_is_empty_without_rooms(struct rooms_fixture *f, gconstpointer u)
{
    assert_room_reply(room_call(vr_request_list, "{\"request\":\"list\"}"),
                      "{\"videoroom\":\"success\",\"list\":[]}");
    assert_room_error(room_call(vr_request_list, "{\"admin_key\":1}"),
                      PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "admin_key should be a string");
}

static void test_videoroom_edit_changes_the_editable_settings(struct rooms_fixture *f,
                                                              gconstpointer u)
{
    create("{\"room\":5,\"description\":\"Old\",\"pin\":\"p1\"}");
    assert_room_reply(
        room_call(vr_request_edit,
                  "{\"request\":\"edit\",\"room\":5,\"new_description\":\"New\","
                  "\"new_secret\":\"s2\",\"new_pin\":\"p2\",\"new_is_private\":true,"
                  "\"new_require_pvtid\":true,\"new_bitrate\":500000,\"new_fir_freq\":3,"
                  "\"new_publishers\":12}"),
        "{\"videoroom\":\"edited\",\"room\":5,\"permanent\":false}");
    struct vr_room *room = vr_rooms_find(5);
    g_assert_cmpstr(room->description, ==, "New");
    g_assert_cmpstr(room->secret, ==, "s2");
    g_assert_cmpstr(room->pin, ==, "p2");
    g_assert_true(room->is_private);
    g_assert_true(room->require_pvtid);
    g_assert_cmpuint(room->bitrate, ==, 500000);
    g_assert_cmpuint(room->fir_freq, ==, 3);
    g_assert_cmpuint(room->max_publishers, ==, 12);

    /* Empty strings leave the old values (Janus); a low bitrate is raised to 64 kbit/s. */
    assert_room_reply(room_call(vr_request_edit,
                                "{\"room\":5,\"secret\":\"s2\",\"new_description\":\"\","
                                "\"new_secret\":\"\",\"new_pin\":\"\",\"new_bitrate\":1}"),
                      "{\"videoroom\":\"edited\",\"room\":5,\"permanent\":false}");
    g_assert_cmpstr(room->description, ==, "New");
    g_assert_cmpstr(room->secret, ==, "s2");
    g_assert_cmpstr(room->pin, ==, "p2");
    g_assert_cmpuint(room->bitrate, ==, 64000);
    vr_room_unref(room);
}

/* Janus's secret check: 429 without one, 430 when not a string, 433 when wrong. */
static void test_videoroom_edit_needs_the_room_secret(struct rooms_fixture *f, gconstpointer u)
{
    create("{\"room\":6,\"secret\":\"adminpwd\"}");
    assert_room_error(room_call(vr_request_edit, "{\"room\":6,\"new_description\":\"x\"}"),
                      PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "Missing mandatory element (secret)");
    assert_room_error(room_call(vr_request_edit, "{\"room\":6,\"secret\":7}"),
                      PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "secret should be a string");
    assert_room_error(
        room_call(vr_request_edit, "{\"room\":6,\"secret\":\"nope\",\"new_description\":\"x\"}"),
        PRISM_VIDEOROOM_ERROR_UNAUTHORIZED, "Unauthorized (wrong secret)");
    struct vr_room *room = vr_rooms_find(6);
    g_assert_cmpstr(room->description, ==, "Room 6");
    assert_room_reply(room_call(vr_request_edit,
                                "{\"room\":6,\"secret\":\"adminpwd\",\"new_description\":\"x\"}"),
                      "{\"videoroom\":\"edited\",\"room\":6,\"permanent\":false}");
    g_assert_cmpstr(room->description, ==, "x");
    vr_room_unref(room);
    assert_room_error(room_call(vr_request_edit, "{\"room\":7,\"new_description\":\"x\"}"),
                      PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM, "No such room (7)");
    assert_room_error(room_call(vr_request_edit, "{\"room\":6,\"new_publishers\":-1}"),
                      PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "new_publishers should be");
    assert_room_error(room_call(vr_request_edit, "{\"room\":6,\"new_fir_freq\":65536}"),
                      PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "between 0 and 65535");
}

static void test_videoroom_allowed_enables_adds_removes_and_disables(struct rooms_fixture *f,
                                                                     gconstpointer u)
{
    create("{\"room\":4,\"secret\":\"s\"}");
    struct vr_room *room = vr_rooms_find(4);
    g_assert_true(vr_room_check_token(room, NULL));
    assert_room_reply(room_call(vr_request_allowed, "{\"request\":\"allowed\",\"room\":4,"
                                                    "\"secret\":\"s\",\"action\":\"enable\"}"),
                      "{\"videoroom\":\"success\",\"room\":4,\"allowed\":[]}");
    g_assert_false(vr_room_check_token(room, "alice"));
    assert_room_reply(room_call(vr_request_allowed,
                                "{\"room\":4,\"secret\":\"s\",\"action\":\"add\","
                                "\"allowed\":[\"bob\",\"alice\",\"carol\"]}"),
                      "{\"videoroom\":\"success\",\"room\":4,"
                      "\"allowed\":[\"alice\",\"bob\",\"carol\"]}");
    g_assert_true(vr_room_check_token(room, "alice"));
    assert_room_reply(room_call(vr_request_allowed,
                                "{\"room\":4,\"secret\":\"s\",\"action\":\"REMOVE\","
                                "\"allowed\":[\"alice\",\"nobody\"]}"),
                      "{\"videoroom\":\"success\",\"room\":4,\"allowed\":[\"bob\",\"carol\"]}");
    g_assert_false(vr_room_check_token(room, "alice"));
    g_assert_true(vr_room_check_token(room, "bob"));
    assert_room_reply(
        room_call(vr_request_allowed, "{\"room\":4,\"secret\":\"s\",\"action\":\"disable\"}"),
        "{\"videoroom\":\"success\",\"room\":4}");
    g_assert_true(vr_room_check_token(room, "alice"));
    g_assert_true(vr_room_check_token(room, NULL));
    /* The list survives a disable: enabling again restores it. */
    assert_room_reply(
        room_call(vr_request_allowed, "{\"room\":4,\"secret\":\"s\",\"action\":\"enable\"}"),
        "{\"videoroom\":\"success\",\"room\":4,\"allowed\":[\"bob\",\"carol\"]}");
    g_assert_false(vr_room_check_token(room, "alice"));
    vr_room_unref(room);
}

static void test_videoroom_allowed_checks_secret_action_and_tokens(struct rooms_fixture *f,
                                                                   gconstpointer u)
{
    create("{\"room\":4,\"secret\":\"s\"}");
    assert_room_error(room_call(vr_request_allowed, "{\"room\":4,\"action\":\"enable\"}"),
                      PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, "(secret)");
    assert_room_error(
        room_call(vr_request_allowed, "{\"room\":4,\"secret\":\"x\",\"action\":\"enable\"}"),
        PRISM_VIDEOROOM_ERROR_UNAUTHORIZED, "wrong secret");
    assert_room_error(
        room_call(vr_request_allowed, "{\"room\":4,\"secret\":\"s\",\"action\":\"ban\"}"),
        PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "Unsupported action 'ban' (allowed)");
    assert_room_error(room_call(vr_request_allowed, "{\"room\":4,\"secret\":\"s\","
                                                    "\"action\":\"add\",\"allowed\":[1]}"),
                      PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, "not a string");
    assert_room_error(room_call(vr_request_allowed, "{\"room\":5,\"action\":\"enable\"}"),
                      PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM, "No such room (5)");
    struct vr_room *room = vr_rooms_find(4);
    g_assert_false(room->check_allowed);
    g_assert_cmpuint(g_hash_table_size(room->allowed), ==, 0);
    vr_room_unref(room);
}

static int destroy(const char *text, struct vr_room **removed, bool *permanent, char *reason,
                   size_t size)
{
    json_t *body = json_loads(text, 0, NULL);
    g_assert_nonnull(body);
    int code = vr_room_destroy_checked(NULL, body, removed, permanent, reason, size);
    json_decref(body);
    return code;
}

static void test_videoroom_destroy_needs_the_secret_and_hands_over_the_room(struct rooms_fixture *f,
                                                                            gconstpointer u)
{
    create("{\"room\":3,\"secret\":\"s\"}");
    char reason[256];
    struct vr_room *removed = NULL;
    bool permanent = true;
    g_assert_cmpint(destroy("{\"room\":3}", &removed, &permanent, reason, sizeof(reason)), ==,
                    PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT);
    g_assert_cmpint(
        destroy("{\"room\":3,\"secret\":\"S\"}", &removed, &permanent, reason, sizeof(reason)), ==,
        PRISM_VIDEOROOM_ERROR_UNAUTHORIZED);
    g_assert_cmpstr(reason, ==, "Unauthorized (wrong secret)");
    g_assert_null(removed);
    struct vr_room *room = vr_rooms_find(3);
    g_assert_nonnull(room);
    g_assert_cmpint(destroy("{\"request\":\"destroy\",\"room\":3,\"secret\":\"s\"}", &removed,
                            &permanent, reason, sizeof(reason)),
                    ==, 0);
    g_assert_true(removed == room);
    g_assert_false(permanent);
    g_assert_null(vr_rooms_find(3));
    assert_room_reply(room_call(vr_request_exists, "{\"room\":3}"),
                      "{\"videoroom\":\"success\",\"room\":3,\"exists\":false}");
    assert_room_reply(vr_destroyed_reply(removed->id, permanent),
                      "{\"videoroom\":\"destroyed\",\"room\":3,\"permanent\":false}");
    g_assert_cmpint(atomic_load(&room->refs), ==, 2); /* ours from find, the registry's */
    vr_room_unref(removed);
    vr_room_unref(room);
    g_assert_cmpint(
        destroy("{\"room\":3,\"secret\":\"s\"}", &removed, &permanent, reason, sizeof(reason)), ==,
        PRISM_VIDEOROOM_ERROR_NO_SUCH_ROOM);
    g_assert_cmpstr(reason, ==, "No such room (3)");
    /* The id is free again. */
    create("{\"room\":3}");
}

static void test_videoroom_destroy_without_secret_needs_none(struct rooms_fixture *f,
                                                             gconstpointer u)
{
    create("{\"room\":2}");
    char reason[256];
    struct vr_room *removed = NULL;
    bool permanent = true;
    g_assert_cmpint(destroy("{\"room\":2}", &removed, &permanent, reason, sizeof(reason)), ==, 0);
    g_assert_nonnull(removed);
    g_assert_cmpuint(removed->id, ==, 2);
    vr_room_unref(removed);
    /* Asking for a permanent destroy without a config directory fails as in Janus. */
    create("{\"room\":2}");
    g_assert_cmpint(
        destroy("{\"room\":2,\"permanent\":true}", &removed, &permanent, reason, sizeof(reason)),
        ==, PRISM_VIDEOROOM_ERROR_UNKNOWN);
    g_assert_cmpstr(reason, ==, "No configuration file, can't destroy room permanently");
    struct vr_room *room = vr_rooms_find(2);
    g_assert_nonnull(room);
    vr_room_unref(room);
}

#define ADD(path, test) \
    g_test_add(path, struct rooms_fixture, NULL, rooms_setup, test, rooms_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/videoroom/list-shows-public-rooms-as-janus-does",
        test_videoroom_list_shows_public_rooms_as_janus_does);
    ADD("/videoroom/list-is-empty-without-rooms", test_videoroom_list_is_empty_without_rooms);
    ADD("/videoroom/edit-changes-the-editable-settings",
        test_videoroom_edit_changes_the_editable_settings);
    ADD("/videoroom/edit-needs-the-room-secret", test_videoroom_edit_needs_the_room_secret);
    ADD("/videoroom/allowed-enables-adds-removes-and-disables",
        test_videoroom_allowed_enables_adds_removes_and_disables);
    ADD("/videoroom/allowed-checks-secret-action-and-tokens",
        test_videoroom_allowed_checks_secret_action_and_tokens);
    ADD("/videoroom/destroy-needs-the-secret-and-hands-over-the-room",
        test_videoroom_destroy_needs_the_secret_and_hands_over_the_room);
    ADD("/videoroom/destroy-without-secret-needs-none",
        test_videoroom_destroy_without_secret_needs_none);
    return g_test_run();
}
