/* The settings table is consistent, and the shipped conf/ files document exactly its
 * settings with their defaults, so the two cannot drift apart. */
#include "config_fixture.h"
#include "core/config.h"

#include <limits.h>
#include <string.h>

#define SHIPPED_DIR PRISM_SOURCE_DIR "/conf"

static const struct prism_config_schema *schema = &prism_settings_schema;

static bool is_lower_name(const char *name)
{
    if (!name[0])
        return false;
    for (const char *c = name; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return false;
    }
    return true;
}

static void test_config_table_names_are_unique_and_well_formed(void)
{
    for (size_t s = 0; s < schema->section_count; s++) {
        g_assert_true(is_lower_name(schema->sections[s].name));
        g_assert_true(g_str_has_prefix(schema->sections[s].file, "prism."));
        g_assert_true(g_str_has_suffix(schema->sections[s].file, ".jcfg"));
        for (size_t t = s + 1; t < schema->section_count; t++)
            g_assert_cmpstr(schema->sections[s].name, !=, schema->sections[t].name);
    }
    char a[128], b[128];
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *one = &schema->settings[i];
        g_assert_true(is_lower_name(one->key));
        g_assert_true(one->help && one->help[0]);
        prism_setting_env_name(one, a, sizeof(a));
        for (size_t j = i + 1; j < schema->setting_count; j++) {
            const struct prism_setting *other = &schema->settings[j];
            prism_setting_env_name(other, b, sizeof(b));
            g_assert_cmpstr(a, !=, b); /* also rules out a duplicate section/key */
            if (one->flag && other->flag)
                g_assert_cmpstr(one->flag, !=, other->flag);
        }
    }
}

static void test_config_table_limits_fit_the_getters(void)
{
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        if (setting->type != PRISM_SETTING_INT) {
            g_assert_cmpint(setting->min, ==, 0);
            g_assert_cmpint(setting->max, ==, 0);
            continue;
        }
        g_assert_cmpint(setting->min, >=, INT_MIN);
        g_assert_cmpint(setting->max, <=, INT_MAX);
        g_assert_cmpint(setting->min, <=, setting->max);
        g_assert_null(setting->choices);
        g_assert_null(setting->check);
    }
}

/* Loading without a directory applies every default, so a default that fails its own
 * checks aborts here; each must also read back as written. */
static void test_config_table_defaults_are_valid(void)
{
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, NULL, NULL, error, sizeof(error)), ==, 0);
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        char *value = NULL;
        if (setting->type == PRISM_SETTING_INT)
            value = g_strdup_printf("%d",
                                    prism_config_get_int(config, setting->section, setting->key));
        else if (setting->type == PRISM_SETTING_BOOL)
            value = g_strdup(
                prism_config_get_bool(config, setting->section, setting->key) ? "true" : "false");
        else
            value = g_strdup(prism_config_get_string(config, setting->section, setting->key));
        g_assert_cmpstr(value, ==, setting->default_value);
        g_free(value);
    }
    prism_config_free(config);
}

static void test_config_shipped_directory_loads_with_defaults(void)
{
    struct prism_config *config = NULL;
    char error[512] = "";
    int rc = prism_config_load(&config, SHIPPED_DIR, NULL, error, sizeof(error));
    g_assert_cmpstr(error, ==, "");
    g_assert_cmpint(rc, ==, 0);
    for (size_t s = 0; s < schema->section_count; s++)
        g_assert_nonnull(prism_config_file(config, schema->sections[s].file));
    prism_config_free(config);
}

/* Copies every shipped file into `dir` with its commented-out settings ("#key = value")
 * enabled; prose comments ("# text") stay comments. */
static void uncomment_shipped_files(const char *dir)
{
    GRegex *setting = g_regex_new("^(\\s*)#([a-z_][a-z0-9_]*\\s*[=:])", G_REGEX_MULTILINE, 0, NULL);
    g_assert_nonnull(setting);
    for (size_t s = 0; s < schema->section_count; s++) {
        const char *name = schema->sections[s].file;
        char *path = g_build_filename(SHIPPED_DIR, name, NULL);
        char *text = NULL;
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        char *enabled = g_regex_replace(setting, text, -1, 0, "\\1\\2", 0, NULL);
        g_assert_nonnull(enabled);
        config_fixture_write(dir, name, enabled);
        g_free(enabled);
        g_free(text);
        g_free(path);
    }
    g_regex_unref(setting);
}

static void test_config_shipped_files_document_every_setting_with_its_default(void)
{
    char *dir = config_fixture_dir();
    uncomment_shipped_files(dir);
    struct prism_config *config = NULL;
    char error[512] = "";
    /* Fails on any documented setting that is unknown, misspelt or invalid. */
    int rc = prism_config_load(&config, dir, NULL, error, sizeof(error));
    g_assert_cmpstr(error, ==, "");
    g_assert_cmpint(rc, ==, 0);

    struct prism_config *defaults = NULL;
    g_assert_cmpint(prism_config_load(&defaults, NULL, NULL, error, sizeof(error)), ==, 0);
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        const char *section = setting->section, *key = setting->key;
        if (prism_config_get_source(config, section, key) != PRISM_CONFIG_FILE)
            g_error("%s.%s is not documented in conf/", section, key);
        if (setting->type == PRISM_SETTING_INT)
            g_assert_cmpint(prism_config_get_int(config, section, key), ==,
                            prism_config_get_int(defaults, section, key));
        else if (setting->type == PRISM_SETTING_BOOL)
            g_assert_cmpint(prism_config_get_bool(config, section, key), ==,
                            prism_config_get_bool(defaults, section, key));
        else
            g_assert_cmpstr(prism_config_get_string(config, section, key), ==,
                            prism_config_get_string(defaults, section, key));
    }
    prism_config_free(defaults);
    prism_config_free(config);
    config_fixture_remove(dir);
}

static void test_config_shipped_files_mention_every_flag(void)
{
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        if (!setting->flag)
            continue;
        long s = -1;
        for (size_t j = 0; j < schema->section_count && s < 0; j++)
            s = strcmp(schema->sections[j].name, setting->section) == 0 ? (long)j : -1;
        g_assert_cmpint(s, >=, 0);
        char *path = g_build_filename(SHIPPED_DIR, schema->sections[s].file, NULL);
        char *text = NULL;
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        char *needle = g_strdup_printf("Flag --%s.", setting->flag);
        if (!strstr(text, needle))
            g_error("%s does not mention \"%s\"", schema->sections[s].file, needle);
        g_free(needle);
        g_free(text);
        g_free(path);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/config/table-names-are-unique-and-well-formed",
                    test_config_table_names_are_unique_and_well_formed);
    g_test_add_func("/config/table-limits-fit-the-getters",
                    test_config_table_limits_fit_the_getters);
    g_test_add_func("/config/table-defaults-are-valid", test_config_table_defaults_are_valid);
    g_test_add_func("/config/shipped-directory-loads-with-defaults",
                    test_config_shipped_directory_loads_with_defaults);
    g_test_add_func("/config/shipped-files-document-every-setting-with-its-default",
                    test_config_shipped_files_document_every_setting_with_its_default);
    g_test_add_func("/config/shipped-files-mention-every-flag",
                    test_config_shipped_files_mention_every_flag);
    return g_test_run();
}
