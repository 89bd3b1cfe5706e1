/* Plugin-owned configuration: free-form sections that a plugin reads itself through the
 * libconfig tree, next to checked sections, with a schema of the test's own. */
#include "config_fixture.h"
#include "core/config.h"

#include <errno.h>
#include <string.h>

#define PLUGIN_FILE "prism.plugin.demo.jcfg"

static const struct prism_config_section demo_sections[] = {
    {.file = PLUGIN_FILE, .name = "demo"},
    {.file = PLUGIN_FILE, .name = "rooms", .free_form = true},
    {.file = PLUGIN_FILE, .name = "defaults", .free_form = true},
};

static const struct prism_setting demo_settings[] = {
    {.section = "demo",
     .key = "max_rooms",
     .type = PRISM_SETTING_INT,
     .default_value = "10",
     .min = 1,
     .max = 1000,
     .help = "Most rooms"},
    {.section = "defaults",
     .key = "bitrate",
     .type = PRISM_SETTING_INT,
     .default_value = "256000",
     .min = 0,
     .max = 100000000,
     .help = "Default room bitrate"},
};

static const struct prism_config_schema demo_schema = {
    .sections = demo_sections,
    .section_count = sizeof(demo_sections) / sizeof(demo_sections[0]),
    .settings = demo_settings,
    .setting_count = sizeof(demo_settings) / sizeof(demo_settings[0]),
};

static const char demo_text[] = "demo: {\n"
                                "\tmax_rooms = 20\n"
                                "}\n"
                                "rooms = (\n"
                                "\t{ id = 1234; description = \"Demo room\"; publishers = 6; },\n"
                                "\t{ id = 5678; secret = \"adminpwd\"; }\n"
                                ")\n"
                                "defaults: {\n"
                                "\tbitrate = 512000\n"
                                "\taudiocodec = \"opus\"\n"
                                "\tvideocodecs = [\"vp8\", \"h264\"]\n"
                                "}\n";

static int load_demo(const char *text, struct prism_config **config, char *error, size_t size)
{
    char *dir = config_fixture_dir();
    config_fixture_write(dir, PLUGIN_FILE, text);
    char *environment[] = {"PRISM_DEFAULTS_BITRATE=128000", NULL};
    int rc = prism_config_load_schema(config, &demo_schema, dir, environment, error, size);
    config_fixture_remove(dir);
    return rc;
}

static void test_config_free_form_sections_reach_the_plugin(void)
{
    struct prism_config *config = NULL;
    char error[512];
    g_assert_cmpint(load_demo(demo_text, &config, error, sizeof(error)), ==, 0);
    g_assert_cmpint(prism_config_get_int(config, "demo", "max_rooms"), ==, 20);
    /* A table setting in a free-form section is still typed and overridable. */
    g_assert_cmpint(prism_config_get_int(config, "defaults", "bitrate"), ==, 128000);

    const config_t *tree = prism_config_file(config, PLUGIN_FILE);
    g_assert_nonnull(tree);
    const config_setting_t *rooms = config_lookup(tree, "rooms");
    g_assert_nonnull(rooms);
    g_assert_cmpint(config_setting_length(rooms), ==, 2);
    int id = 0;
    g_assert_true(config_setting_lookup_int(config_setting_get_elem(rooms, 1), "id", &id));
    g_assert_cmpint(id, ==, 5678);
    const char *codec = NULL;
    g_assert_true(config_lookup_string(tree, "defaults.audiocodec", &codec));
    g_assert_cmpstr(codec, ==, "opus");
    prism_config_free(config);
}

static void test_config_free_form_section_still_checks_table_settings(void)
{
    struct prism_config *config = NULL;
    char error[512];
    const char *text = "defaults: {\n\taudiocodec = \"opus\"\n\tbitrate = \"high\"\n}\n";
    g_assert_cmpint(load_demo(text, &config, error, sizeof(error)), ==, -EINVAL);
    g_assert_nonnull(strstr(error, "/" PLUGIN_FILE ":3: defaults.bitrate must be an integer, "
                                   "not a string"));
}

static void test_config_checked_section_of_a_plugin_rejects_unknown_keys(void)
{
    struct prism_config *config = NULL;
    char error[512];
    const char *text = "demo: {\n\tmax_rooms = 20\n\tmax_room = 5\n}\n";
    g_assert_cmpint(load_demo(text, &config, error, sizeof(error)), ==, -EINVAL);
    g_assert_nonnull(strstr(error, "/" PLUGIN_FILE ":3: unknown setting \"max_room\" in section "
                                   "\"demo\""));
    /* Only a free-form section may be a list. */
    g_assert_cmpint(load_demo("demo = ( 1, 2 )\n", &config, error, sizeof(error)), ==, -EINVAL);
    g_assert_nonnull(strstr(error, ":1: section \"demo\" must be a group"));
}

static void test_config_environment_cannot_reach_free_form_members(void)
{
    char *dir = config_fixture_dir();
    char *environment[] = {"PRISM_ROOMS_ID=1", NULL};
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(
        prism_config_load_schema(&config, &demo_schema, dir, environment, error, sizeof(error)), ==,
        -EINVAL);
    g_assert_cmpstr(error, ==, "environment PRISM_ROOMS_ID: no such setting in section \"rooms\"");
    config_fixture_remove(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/config/free-form-sections-reach-the-plugin",
                    test_config_free_form_sections_reach_the_plugin);
    g_test_add_func("/config/free-form-section-still-checks-table-settings",
                    test_config_free_form_section_still_checks_table_settings);
    g_test_add_func("/config/checked-section-of-a-plugin-rejects-unknown-keys",
                    test_config_checked_section_of_a_plugin_rejects_unknown_keys);
    g_test_add_func("/config/environment-cannot-reach-free-form-members",
                    test_config_environment_cannot_reach_free_form_members);
    return g_test_run();
}
