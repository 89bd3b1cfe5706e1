/* VideoRoom rooms and prism.plugin.videoroom.jcfg: rooms of the file exist at start, bad ones
 * stop it with their line, "permanent" requests rewrite the file atomically (parsed back
 * here), and admin_key guards create. */
#include "config_fixture.h"
#include "videoroom_rooms_fixture.h"

#include "core/config.h"
#include "plugins/videoroom/videoroom.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_NAME "prism.plugin.videoroom.jcfg"
#define SHIPPED PRISM_SOURCE_DIR "/conf/" FILE_NAME

/* Loads `dir` (NULL: none) and its rooms; returns vr_rooms_load_config's result. */
static int load(const char *dir, char *const *environment, char *error, size_t size)
{
    struct prism_config *config = NULL;
    int rc = prism_config_load(&config, dir, environment, error, size);
    g_assert_cmpstr(rc == 0 ? "" : error, ==, "");
    rc = vr_rooms_load_config(config, error, size);
    prism_config_free(config); /* the rooms keep nothing of it */
    return rc;
}

static char *read_text(const char *dir)
{
    char *path = g_build_filename(dir, FILE_NAME, NULL);
    char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_free(path);
    return text;
}

/* Parses the file back with libconfig (config_destroy it after). */
static void read_tree(config_t *tree, const char *dir)
{
    char *path = g_build_filename(dir, FILE_NAME, NULL);
    config_init(tree);
    if (config_read_file(tree, path) != CONFIG_TRUE)
        g_error("%s does not parse: line %d: %s", path, config_error_line(tree),
                config_error_text(tree));
    g_free(path);
}

/* The group of room `id` in the parsed file, or NULL. */
static const config_setting_t *find_room(config_t *tree, long long id)
{
    const config_setting_t *rooms = config_lookup(tree, "rooms");
    g_assert_nonnull(rooms);
    for (int i = 0; i < config_setting_length(rooms); i++) {
        const config_setting_t *room = config_setting_get_elem(rooms, (unsigned)i);
        long long value = 0;
        g_assert_true(config_setting_lookup_int64(room, "room", &value));
        if (value == id)
            return room;
    }
    return NULL;
}

static const char *room_string(const config_setting_t *room, const char *name)
{
    const char *value = NULL;
    return config_setting_lookup_string(room, name, &value) ? value : NULL;
}

static int room_int(const config_setting_t *room, const char *name)
{
    int value = -1;
    return config_setting_lookup_int(room, name, &value) ? value : -1;
}

static void test_videoroom_config_rooms_exist_at_start(struct rooms_fixture *f, gconstpointer u)
{
    char *dir = config_fixture_dir();
    config_fixture_write(dir, FILE_NAME,
                         "rooms = (\n"
                         "  { room = 1234; description = \"Demo\"; publishers = 6; },\n"
                         "  { room = 5000000000L; secret = \"adm\"; allowed = [\"t1\", \"t2\"];\n"
                         "    videocodec = \"vp9,vp8\"; is_private = true; }\n"
                         ")\n");
    char error[512] = "";
    g_assert_cmpint(load(dir, NULL, error, sizeof(error)), ==, 0);
    struct vr_room *room = vr_rooms_find(1234);
    g_assert_nonnull(room);
    g_assert_cmpstr(room->description, ==, "Demo");
    g_assert_cmpuint(room->max_publishers, ==, 6);
    g_assert_true(room->permanent);
    vr_room_unref(room);
    room = vr_rooms_find(5000000000ULL);
    g_assert_nonnull(room);
    g_assert_cmpstr(room->secret, ==, "adm");
    g_assert_true(vr_room_check_token(room, "t2"));
    g_assert_false(vr_room_check_token(room, "t3"));
    g_assert_cmpuint(room->videocodec_count, ==, 2);
    g_assert_cmpint(room->videocodecs[0], ==, PRISM_SDP_CODEC_VP9);
    g_assert_true(room->is_private);
    vr_room_unref(room);
    config_fixture_remove(dir);
}

static void test_videoroom_config_rejects_bad_rooms_with_their_line(struct rooms_fixture *f,
                                                                    gconstpointer u)
{
    static const struct {
        const char *text, *error;
    } cases[] = {
        {"rooms = (\n { room = 1; },\n { room = 2; publisher = 6; }\n)\n",
         FILE_NAME ":3: unknown room setting \"publisher\""},
        {"rooms = (\n { room = 1; videocodec = \"h265\"; }\n)\n",
         FILE_NAME ":2: room 1: Invalid element (videocodec can only be"},
        {"rooms = (\n { room = 1; },\n { room = 1; }\n)\n",
         FILE_NAME ":3: room 1: Room 1 already exists"},
        {"rooms = (\n { description = \"x\"; }\n)\n",
         FILE_NAME ":2: each room needs \"room\", a positive integer"},
        {"rooms = (\n { room = \"lobby\"; }\n)\n",
         FILE_NAME ":2: each room needs \"room\", a positive integer"},
        {"rooms = (\n { room = 3; publishers = \"6\"; }\n)\n",
         FILE_NAME ":2: room 3: Invalid element type (publishers should be"},
        {"rooms = ( 1234 )\n", FILE_NAME ":1: each room must be a group"},
        {"rooms: { room = 1; }\n", FILE_NAME ":1: rooms must be a list"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *dir = config_fixture_dir();
        config_fixture_write(dir, FILE_NAME, cases[i].text);
        char error[512] = "";
        g_assert_cmpint(load(dir, NULL, error, sizeof(error)), ==, -EINVAL);
        if (!strstr(error, cases[i].error))
            g_error("case %zu: \"%s\" lacks \"%s\"", i, error, cases[i].error);
        vr_rooms_shutdown(); /* what start-up does when it fails */
        vr_rooms_init();
        config_fixture_remove(dir);
    }
}

static void test_videoroom_config_shipped_file_has_the_demo_room(struct rooms_fixture *f,
                                                                 gconstpointer u)
{
    char error[512] = "";
    g_assert_cmpint(load(PRISM_SOURCE_DIR "/conf", NULL, error, sizeof(error)), ==, 0);
    struct vr_room *room = vr_rooms_find(1234);
    g_assert_nonnull(room);
    g_assert_cmpstr(room->description, ==, "Demo Room");
    g_assert_cmpuint(room->max_publishers, ==, 6);
    g_assert_null(room->secret);
    g_assert_false(room->is_private);
    vr_room_unref(room);
    assert_room_reply(room_call(vr_request_create, "{\"room\":1}"),
                      "{\"videoroom\":\"created\",\"room\":1,\"permanent\":false}");
}

/* The shipped file is exactly what Prism writes for its demo room: its header and layout
 * cannot drift from the writer's. */
static void test_videoroom_config_rewrite_reproduces_the_shipped_file(struct rooms_fixture *f,
                                                                      gconstpointer u)
{
    char *shipped = NULL;
    g_assert_true(g_file_get_contents(SHIPPED, &shipped, NULL, NULL));
    char *dir = config_fixture_dir();
    config_fixture_write(dir, FILE_NAME, shipped);
    char error[512] = "";
    g_assert_cmpint(load(dir, NULL, error, sizeof(error)), ==, 0);
    assert_room_reply(room_call(vr_request_create, "{\"room\":99,\"permanent\":true}"),
                      "{\"videoroom\":\"created\",\"room\":99,\"permanent\":true}");
    char *text = read_text(dir);
    g_assert_nonnull(strstr(text, "\t{\n\t\troom = 99\n\t\tdescription = \"Room 99\"\n\t},\n"));
    g_assert_cmpstr(text, !=, shipped);
    g_free(text);
    struct vr_room *removed = NULL;
    bool permanent = false;
    json_t *body = json_pack("{s:i, s:b}", "room", 99, "permanent", 1);
    g_assert_cmpint(vr_room_destroy_checked(NULL, body, &removed, &permanent, error, sizeof(error)),
                    ==, 0);
    g_assert_true(permanent);
    vr_room_unref(removed);
    json_decref(body);
    text = read_text(dir);
    g_assert_cmpstr(text, ==, shipped);
    g_free(text);
    g_free(shipped);
    config_fixture_remove(dir);
}

static void test_videoroom_config_permanent_requests_rewrite_the_file(struct rooms_fixture *f,
                                                                      gconstpointer u)
{
    char *dir = config_fixture_dir(); /* no file yet: the first write creates it */
    char error[512] = "";
    g_assert_cmpint(load(dir, NULL, error, sizeof(error)), ==, 0);
    assert_room_reply(
        room_call(vr_request_create,
                  "{\"room\":7,\"permanent\":true,\"description\":\"Kept\",\"secret\":\"s\","
                  "\"pin\":\"p\",\"publishers\":9,\"bitrate\":300000,\"videocodec\":\"h264\","
                  "\"allowed\":[\"b\",\"a\"],\"notify_joining\":true}"),
        "{\"videoroom\":\"created\",\"room\":7,\"permanent\":true}");
    json_decref(room_call(vr_request_create, "{\"room\":8,\"description\":\"Fleeting\"}"));
    config_t tree;
    read_tree(&tree, dir);
    const config_setting_t *room = find_room(&tree, 7);
    g_assert_nonnull(room);
    g_assert_cmpstr(room_string(room, "description"), ==, "Kept");
    g_assert_cmpstr(room_string(room, "secret"), ==, "s");
    g_assert_cmpstr(room_string(room, "pin"), ==, "p");
    g_assert_cmpint(room_int(room, "publishers"), ==, 9);
    g_assert_cmpint(room_int(room, "bitrate"), ==, 300000);
    g_assert_cmpstr(room_string(room, "videocodec"), ==, "h264");
    g_assert_null(room_string(room, "audiocodec")); /* defaults are left out */
    const config_setting_t *allowed = config_setting_get_member(room, "allowed");
    g_assert_cmpint(config_setting_length(allowed), ==, 2);
    g_assert_cmpstr(config_setting_get_string_elem(allowed, 0), ==, "a");
    g_assert_null(find_room(&tree, 8));
    config_destroy(&tree);

    /* An edit without "permanent" changes the room, not the file; with it, both. */
    json_decref(room_call(vr_request_edit, "{\"room\":7,\"secret\":\"s\",\"new_publishers\":2}"));
    read_tree(&tree, dir);
    room = find_room(&tree, 7);
    g_assert_cmpint(room_int(room, "publishers"), ==, 9);
    config_destroy(&tree);
    assert_room_reply(room_call(vr_request_edit, "{\"room\":7,\"secret\":\"s\","
                                                 "\"new_description\":\"Edited\","
                                                 "\"permanent\":true}"),
                      "{\"videoroom\":\"edited\",\"room\":7,\"permanent\":true}");
    read_tree(&tree, dir);
    room = find_room(&tree, 7);
    g_assert_cmpstr(room_string(room, "description"), ==, "Edited");
    g_assert_cmpint(room_int(room, "publishers"), ==, 2);
    config_destroy(&tree);

    /* A permanent edit of a passing room makes it permanent. */
    assert_room_reply(room_call(vr_request_edit, "{\"room\":8,\"permanent\":true}"),
                      "{\"videoroom\":\"edited\",\"room\":8,\"permanent\":true}");
    read_tree(&tree, dir);
    g_assert_nonnull(find_room(&tree, 8));
    config_destroy(&tree);

    /* Destroyed without "permanent", the room stays in the file (Janus); with it, it goes. */
    struct vr_room *removed = NULL;
    bool permanent = true;
    json_t *body = json_pack("{s:i}", "room", 8);
    g_assert_cmpint(vr_room_destroy_checked(NULL, body, &removed, &permanent, error, sizeof(error)),
                    ==, 0);
    g_assert_false(permanent);
    vr_room_unref(removed);
    read_tree(&tree, dir);
    g_assert_nonnull(find_room(&tree, 8));
    config_destroy(&tree);
    json_object_set_new(body, "room", json_integer(7));
    json_object_set_new(body, "secret", json_string("s"));
    json_object_set_new(body, "permanent", json_true());
    g_assert_cmpint(vr_room_destroy_checked(NULL, body, &removed, &permanent, error, sizeof(error)),
                    ==, 0);
    g_assert_true(permanent);
    g_assert_false(removed->permanent);
    vr_room_unref(removed);
    json_decref(body);
    read_tree(&tree, dir);
    g_assert_null(find_room(&tree, 7));
    g_assert_nonnull(find_room(&tree, 8));
    config_destroy(&tree);

    /* A restart from the rewritten file brings back what it says. */
    vr_rooms_shutdown();
    vr_rooms_init();
    g_assert_cmpint(load(dir, NULL, error, sizeof(error)), ==, 0);
    struct vr_room *back = vr_rooms_find(8);
    g_assert_nonnull(back);
    g_assert_cmpstr(back->description, ==, "Fleeting");
    vr_room_unref(back);
    g_assert_null(vr_rooms_find(7));
    config_fixture_remove(dir);
}

static void test_videoroom_config_rewrite_is_atomic_and_keeps_the_mode(struct rooms_fixture *f,
                                                                       gconstpointer u)
{
    char *dir = config_fixture_dir();
    config_fixture_write(dir, FILE_NAME, "rooms = ( { room = 1; } )\n");
    char *path = g_build_filename(dir, FILE_NAME, NULL);
    g_assert_cmpint(chmod(path, 0640), ==, 0);
    char error[512] = "";
    g_assert_cmpint(load(dir, NULL, error, sizeof(error)), ==, 0);
    json_decref(room_call(vr_request_create, "{\"room\":2,\"permanent\":true}"));
    struct stat info;
    g_assert_cmpint(stat(path, &info), ==, 0);
    g_assert_cmpint(info.st_mode & 0777, ==, 0640);
    /* Only the file is left in the directory: no temporary copy. */
    GDir *listing = g_dir_open(dir, 0, NULL);
    g_assert_cmpstr(g_dir_read_name(listing), ==, FILE_NAME);
    g_assert_null(g_dir_read_name(listing));
    g_dir_close(listing);

    /* When the new file cannot replace the old (a directory took its name), the request
     * says "permanent": false, and the room is created but not remembered for the file. */
    char *before = read_text(dir);
    char *aside = g_build_filename(dir, "aside", NULL);
    g_assert_cmpint(rename(path, aside), ==, 0);
    g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
    assert_room_reply(room_call(vr_request_create, "{\"room\":3,\"permanent\":true}"),
                      "{\"videoroom\":\"created\",\"room\":3,\"permanent\":false}");
    struct vr_room *room = vr_rooms_find(3);
    g_assert_false(room->permanent);
    vr_room_unref(room);
    g_assert_cmpint(g_rmdir(path), ==, 0);
    g_assert_cmpint(rename(aside, path), ==, 0);
    char *after = read_text(dir);
    g_assert_cmpstr(after, ==, before);
    /* The next successful write does not pick room 3 up. */
    json_decref(room_call(vr_request_create, "{\"room\":4,\"permanent\":true}"));
    config_t tree;
    read_tree(&tree, dir);
    g_assert_nonnull(find_room(&tree, 4));
    g_assert_nonnull(find_room(&tree, 2));
    g_assert_null(find_room(&tree, 3));
    config_destroy(&tree);
    g_free(before);
    g_free(after);
    g_free(aside);
    g_free(path);
    config_fixture_remove(dir);
}

static void test_videoroom_config_permanent_needs_a_config_directory(struct rooms_fixture *f,
                                                                     gconstpointer u)
{
    char error[512] = "";
    g_assert_cmpint(load(NULL, NULL, error, sizeof(error)), ==, 0);
    assert_room_error(room_call(vr_request_create, "{\"room\":1,\"permanent\":true}"),
                      PRISM_VIDEOROOM_ERROR_UNKNOWN,
                      "No configuration file, can't create permanent room");
    g_assert_null(vr_rooms_find(1));
    json_decref(room_call(vr_request_create, "{\"room\":1}"));
    assert_room_error(room_call(vr_request_edit, "{\"room\":1,\"permanent\":true}"),
                      PRISM_VIDEOROOM_ERROR_UNKNOWN,
                      "No configuration file, can't edit room permanently");
}

static void test_videoroom_config_admin_key_guards_create_and_list(struct rooms_fixture *f,
                                                                   gconstpointer u)
{
    char *dir = config_fixture_dir();
    config_fixture_write(dir, FILE_NAME,
                         "videoroom: { admin_key = \"from-file\" }\n"
                         "rooms = ( { room = 1; is_private = true; } )\n");
    char *environment[] = {"PRISM_VIDEOROOM_ADMIN_KEY=supersecret", NULL};
    char error[512] = "";
    g_assert_cmpint(load(dir, environment, error, sizeof(error)), ==, 0);
    assert_room_error(room_call(vr_request_create, "{\"room\":2}"),
                      PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT,
                      "Missing mandatory element (admin_key)");
    assert_room_error(room_call(vr_request_create, "{\"room\":2,\"admin_key\":\"from-file\"}"),
                      PRISM_VIDEOROOM_ERROR_UNAUTHORIZED, "Unauthorized (wrong admin_key)");
    g_assert_null(vr_rooms_find(2));
    assert_room_reply(room_call(vr_request_create, "{\"room\":2,\"admin_key\":\"supersecret\"}"),
                      "{\"videoroom\":\"created\",\"room\":2,\"permanent\":false}");
    /* list: private rooms need the key; a wrong key is refused, none shows public ones. */
    json_t *reply = room_call(vr_request_list, "{}");
    g_assert_cmpuint(json_array_size(json_object_get(reply, "list")), ==, 1);
    json_decref(reply);
    reply = room_call(vr_request_list, "{\"admin_key\":\"supersecret\"}");
    json_t *list = json_object_get(reply, "list");
    g_assert_cmpuint(json_array_size(list), ==, 2);
    g_assert_true(json_is_true(json_object_get(json_array_get(list, 0), "is_private")));
    json_decref(reply);
    assert_room_error(room_call(vr_request_list, "{\"admin_key\":\"guess\"}"),
                      PRISM_VIDEOROOM_ERROR_UNAUTHORIZED, "wrong admin_key");

    /* A rewrite keeps the file's own value, not the environment's. */
    json_decref(room_call(vr_request_create,
                          "{\"room\":3,\"admin_key\":\"supersecret\",\"permanent\":true}"));
    char *text = read_text(dir);
    g_assert_nonnull(strstr(text, "\n\tadmin_key = \"from-file\"\n"));
    g_assert_null(strstr(text, "supersecret"));
    g_free(text);
    config_fixture_remove(dir);
}

/* Strings libconfig must escape, and ids past 32 bits, come back unchanged after a rewrite
 * and a restart. */
static void test_videoroom_config_rewrite_keeps_odd_strings_and_large_ids(struct rooms_fixture *f,
                                                                          gconstpointer u)
{
    char *dir = config_fixture_dir();
    char error[512] = "";
    g_assert_cmpint(load(dir, NULL, error, sizeof(error)), ==, 0);
    const char *description = "Quote \" back\\slash\nnew line\ttab \x01 caf\xc3\xa9";
    json_t *body = json_pack("{s:I, s:s, s:s, s:[], s:b}", "room", (json_int_t)9007199254740991LL,
                             "description", description, "secret", "}; rooms = (", "allowed",
                             "permanent", 1);
    json_t *reply = vr_request_create(NULL, body);
    g_assert_true(json_is_true(json_object_get(reply, "permanent")));
    json_decref(reply);
    json_decref(body);
    vr_rooms_shutdown();
    vr_rooms_init();
    g_assert_cmpint(load(dir, NULL, error, sizeof(error)), ==, 0);
    struct vr_room *room = vr_rooms_find(9007199254740991ULL);
    g_assert_nonnull(room);
    g_assert_cmpstr(room->description, ==, description);
    g_assert_cmpstr(room->secret, ==, "}; rooms = (");
    g_assert_true(room->check_allowed); /* an empty list still shuts everybody out */
    g_assert_false(vr_room_check_token(room, ""));
    vr_room_unref(room);

    /* Destroying the last room leaves an empty list that loads. */
    struct vr_room *removed = NULL;
    bool permanent = false;
    body = json_pack("{s:I, s:s, s:b}", "room", (json_int_t)9007199254740991LL, "secret",
                     "}; rooms = (", "permanent", 1);
    g_assert_cmpint(vr_room_destroy_checked(NULL, body, &removed, &permanent, error, sizeof(error)),
                    ==, 0);
    g_assert_true(permanent);
    vr_room_unref(removed);
    json_decref(body);
    char *text = read_text(dir);
    g_assert_nonnull(g_strrstr(text, "\nrooms = (\n)\n"));
    g_free(text);
    vr_rooms_shutdown();
    vr_rooms_init();
    g_assert_cmpint(load(dir, NULL, error, sizeof(error)), ==, 0);
    json_t *list = room_call(vr_request_list, "{}");
    g_assert_cmpuint(json_array_size(json_object_get(list, "list")), ==, 0);
    json_decref(list);
    config_fixture_remove(dir);
}

#define ADD(path, test) \
    g_test_add(path, struct rooms_fixture, NULL, rooms_setup, test, rooms_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/videoroom/config-rooms-exist-at-start", test_videoroom_config_rooms_exist_at_start);
    ADD("/videoroom/config-rejects-bad-rooms-with-their-line",
        test_videoroom_config_rejects_bad_rooms_with_their_line);
    ADD("/videoroom/config-shipped-file-has-the-demo-room",
        test_videoroom_config_shipped_file_has_the_demo_room);
    ADD("/videoroom/config-rewrite-reproduces-the-shipped-file",
        test_videoroom_config_rewrite_reproduces_the_shipped_file);
    ADD("/videoroom/config-permanent-requests-rewrite-the-file",
        test_videoroom_config_permanent_requests_rewrite_the_file);
    ADD("/videoroom/config-rewrite-is-atomic-and-keeps-the-mode",
        test_videoroom_config_rewrite_is_atomic_and_keeps_the_mode);
    ADD("/videoroom/config-permanent-needs-a-config-directory",
        test_videoroom_config_permanent_needs_a_config_directory);
    ADD("/videoroom/config-admin-key-guards-create-and-list",
        test_videoroom_config_admin_key_guards_create_and_list);
    ADD("/videoroom/config-rewrite-keeps-odd-strings-and-large-ids",
        test_videoroom_config_rewrite_keeps_odd_strings_and_large_ids);
    return g_test_run();
}
