/* Configuration precedence: file < environment < flag, and errors naming the variable or
 * flag; the --help listing and the effective-configuration printout. */
#include "config_fixture.h"
#include "core/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A directory whose HTTP file sets port 8081 and interface 0.0.0.0. */
static char *http_dir(void)
{
    char *dir = config_fixture_dir();
    config_fixture_write(dir, "prism.transport.http.jcfg",
                         "http: {\n\tport = 8081\n\tinterface = \"0.0.0.0\"\n}\n");
    return dir;
}

static void test_config_environment_overrides_file(void)
{
    char *dir = http_dir();
    char *environment[] = {"HOME=/root", "PRISM_HTTP_PORT=8082", "PRISM_GENERAL_LOG_LEVEL=warn",
                           "PRISM_GENERAL_LOG_JSON=yes", NULL};
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, dir, environment, error, sizeof(error)), ==, 0);
    g_assert_cmpint(prism_config_get_int(config, "http", "port"), ==, 8082);
    g_assert_cmpint(prism_config_get_source(config, "http", "port"), ==, PRISM_CONFIG_ENVIRONMENT);
    g_assert_cmpstr(prism_config_get_string(config, "http", "interface"), ==, "0.0.0.0");
    g_assert_cmpint(prism_config_get_source(config, "http", "interface"), ==, PRISM_CONFIG_FILE);
    g_assert_cmpstr(prism_config_get_string(config, "general", "log_level"), ==, "warn");
    g_assert_true(prism_config_get_bool(config, "general", "log_json"));
    prism_config_free(config);
    config_fixture_remove(dir);
}

static void test_config_flag_overrides_environment(void)
{
    char *dir = http_dir();
    char *environment[] = {"PRISM_HTTP_PORT=8082", "PRISM_WEBSOCKETS_PORT=8189", NULL};
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, dir, environment, error, sizeof(error)), ==, 0);
    g_assert_cmpint(prism_config_set_flag(config, "--http-port", "8083", error, sizeof(error)), ==,
                    0);
    g_assert_cmpint(prism_config_set_flag(config, "http-interface", "::", error, sizeof(error)), ==,
                    0);
    g_assert_cmpint(prism_config_get_int(config, "http", "port"), ==, 8083);
    g_assert_cmpint(prism_config_get_source(config, "http", "port"), ==, PRISM_CONFIG_FLAG);
    g_assert_cmpstr(prism_config_get_string(config, "http", "interface"), ==, "::");
    g_assert_cmpint(prism_config_get_int(config, "websockets", "port"), ==, 8189);
    prism_config_free(config);
    config_fixture_remove(dir);
}

static void expect_environment_error(char **environment, const char *expected)
{
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, NULL, environment, error, sizeof(error)), ==,
                    -EINVAL);
    g_assert_null(config);
    g_assert_cmpstr(error, ==, expected);
}

static void test_config_reports_bad_environment_value_naming_the_variable(void)
{
    char *port[] = {"PRISM_HTTP_PORT=web", NULL};
    expect_environment_error(port, "environment PRISM_HTTP_PORT: http.port must be an integer "
                                   "(got \"web\")");
    char *zero[] = {"PRISM_WEBSOCKETS_PORT=0", NULL};
    expect_environment_error(zero, "environment PRISM_WEBSOCKETS_PORT: websockets.port must be "
                                   "between 1 and 65535 (got 0)");
    char *huge[] = {"PRISM_GENERAL_WORKERS=99999999999999999999", NULL};
    expect_environment_error(huge, "environment PRISM_GENERAL_WORKERS: general.workers must be "
                                   "between 0 and 1024 (got 99999999999999999999)");
    char *spaced[] = {"PRISM_GENERAL_WORKERS=4 ", NULL};
    expect_environment_error(spaced, "environment PRISM_GENERAL_WORKERS: general.workers must be "
                                     "an integer (got \"4 \")");
    char *flag[] = {"PRISM_HTTP_ENABLED=maybe", NULL};
    expect_environment_error(flag, "environment PRISM_HTTP_ENABLED: http.enabled must be true or "
                                   "false (got \"maybe\")");
    char *empty[] = {"PRISM_HTTP_INTERFACE=", NULL};
    expect_environment_error(empty, "environment PRISM_HTTP_INTERFACE: http.interface must not "
                                    "be empty (got \"\")");
}

static void test_config_reports_misspelt_variable_of_a_known_section(void)
{
    char *typo[] = {"PRISM_HTTP_PROT=8080", NULL};
    expect_environment_error(typo, "environment PRISM_HTTP_PROT: no such setting in section "
                                   "\"http\"");
}

static void test_config_ignores_variables_of_other_programs(void)
{
    char *environment[] = {"PRISM_SOURCE_DIR=/src", "PRISM_HTTPX_PORT=1", "HTTP_PORT=1",
                           "PRISM_HTTP_PORT",       "prism_http_port=1",  NULL};
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, NULL, environment, error, sizeof(error)), ==, 0);
    g_assert_cmpint(prism_config_get_int(config, "http", "port"), ==, 8088);
    prism_config_free(config);
}

static void test_config_rejects_unknown_or_bad_flags(void)
{
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, NULL, NULL, error, sizeof(error)), ==, 0);
    g_assert_cmpint(prism_config_set_flag(config, "--htp-port", "1", error, sizeof(error)), ==,
                    -ENOENT);
    g_assert_cmpstr(error, ==, "unknown flag --htp-port");
    g_assert_cmpint(prism_config_set_flag(config, "--http-port", "70000", error, sizeof(error)), ==,
                    -EINVAL);
    g_assert_cmpstr(error, ==,
                    "flag --http-port: http.port must be between 1 and 65535 "
                    "(got 70000)");
    g_assert_cmpint(prism_config_set_flag(config, "--session-timeout", "-5", error, sizeof(error)),
                    ==, -EINVAL);
    g_assert_cmpstr(error, ==,
                    "flag --session-timeout: general.session_timeout must be at least "
                    "0 (got -5)");
    g_assert_cmpint(prism_config_set_flag(config, "--workers", NULL, error, sizeof(error)), ==,
                    -EINVAL);
    g_assert_cmpstr(error, ==, "flag --workers needs a value");
    g_assert_cmpint(prism_config_get_int(config, "http", "port"), ==, 8088);
    g_assert_cmpint(prism_config_get_source(config, "http", "port"), ==, PRISM_CONFIG_DEFAULT);
    prism_config_free(config);
}

static void test_config_takes_flags_from_argv_in_every_form(void)
{
    char *argv[] = {"prism",
                    "--http-port=9000",
                    "--ws-port",
                    "9100",
                    "--log-json",
                    "--config-dir",
                    "/etc/prism",
                    "-h",
                    "--log-level=DEBUG",
                    "--workers"};
    int argc = (int)(sizeof(argv) / sizeof(argv[0]));
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, NULL, NULL, error, sizeof(error)), ==, 0);
    int i = 1;
    g_assert_cmpint(prism_config_take_flag(config, argc, argv, &i, error, sizeof(error)), ==, 0);
    g_assert_cmpint(i, ==, 1);
    i = 2;
    g_assert_cmpint(prism_config_take_flag(config, argc, argv, &i, error, sizeof(error)), ==, 0);
    g_assert_cmpint(i, ==, 3);
    i = 4;
    g_assert_cmpint(prism_config_take_flag(config, argc, argv, &i, error, sizeof(error)), ==, 0);
    g_assert_cmpint(i, ==, 4);
    for (i = 5; i <= 7; i += 2) {
        int at = i;
        g_assert_cmpint(prism_config_take_flag(config, argc, argv, &at, error, sizeof(error)), ==,
                        -ENOENT);
        g_assert_cmpint(at, ==, i);
    }
    i = 8;
    g_assert_cmpint(prism_config_take_flag(config, argc, argv, &i, error, sizeof(error)), ==, 0);
    i = 9;
    g_assert_cmpint(prism_config_take_flag(config, argc, argv, &i, error, sizeof(error)), ==,
                    -EINVAL);
    g_assert_cmpstr(error, ==, "flag --workers needs a value");
    g_assert_cmpint(i, ==, 9);
    g_assert_cmpint(prism_config_get_int(config, "http", "port"), ==, 9000);
    g_assert_cmpint(prism_config_get_int(config, "websockets", "port"), ==, 9100);
    g_assert_true(prism_config_get_bool(config, "general", "log_json"));
    g_assert_cmpstr(prism_config_get_string(config, "general", "log_level"), ==, "debug");

    char *off[] = {"prism", "--log-json=off"};
    i = 1;
    g_assert_cmpint(prism_config_take_flag(config, 2, off, &i, error, sizeof(error)), ==, 0);
    g_assert_false(prism_config_get_bool(config, "general", "log_json"));
    prism_config_free(config);
}

/* Runs `print` into a string. */
static char *capture(void (*print)(const struct prism_config *, FILE *),
                     const struct prism_config *config)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    g_assert_nonnull(out);
    print(config, out);
    fclose(out);
    return text;
}

static void print_flags(const struct prism_config *config, FILE *out)
{
    prism_config_print_flags(out);
}

static void test_config_help_lists_every_flag_with_default_and_variable(void)
{
    char *text = capture(print_flags, NULL);
    const struct prism_config_schema *schema = &prism_settings_schema;
    size_t flags = 0;
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        if (!setting->flag)
            continue;
        flags++;
        char *needle = g_strdup_printf("--%s", setting->flag);
        g_assert_nonnull(strstr(text, needle));
        g_free(needle);
    }
    g_assert_cmpuint(flags, ==, 18);
    g_assert_nonnull(strstr(text, "\n  --http-port=N            TCP port of the HTTP server "
                                  "(1..65535)\n                           (default 8088; "
                                  "PRISM_HTTP_PORT)\n"));
    g_assert_nonnull(strstr(text, "--log-json[=BOOL]"));
    g_assert_nonnull(strstr(text, "--ice-mode"));
    g_assert_nonnull(strstr(text, "--udp-port=N"));
    g_assert_nonnull(strstr(text, ": fatal|error|warn|info|verbose|debug\n"));
    g_assert_null(strstr(text, "base_path"));
    free(text);
}

static void test_config_print_says_where_each_value_came_from(void)
{
    char *dir = http_dir();
    char *environment[] = {"PRISM_GENERAL_WORKERS=2", NULL};
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, dir, environment, error, sizeof(error)), ==, 0);
    g_assert_cmpint(prism_config_set_flag(config, "ws-port", "9999", error, sizeof(error)), ==, 0);
    char *text = capture(prism_config_print, config);
    char *from_file = g_strdup_printf(
        "http.port%-27s = 8081%-16s # %s/prism.transport.http.jcfg:2\n", "", "", dir);
    g_assert_nonnull(strstr(text, from_file));
    g_assert_nonnull(strstr(text, "= 2                    # environment PRISM_GENERAL_WORKERS\n"));
    g_assert_nonnull(strstr(text, "= 9999                 # flag --ws-port\n"));
    g_assert_nonnull(strstr(text, "general.server_name                  = \"Prism\"              "
                                  "# default\n"));
    g_free(from_file);
    free(text);
    prism_config_free(config);
    config_fixture_remove(dir);
}

static void test_config_print_hides_secrets(void)
{
    char *dir = http_dir();
    char *environment[] = {"PRISM_GENERAL_API_SECRET=hunter2", "PRISM_GENERAL_ADMIN_SECRET=root",
                           NULL};
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, dir, environment, error, sizeof(error)), ==, 0);
    g_assert_cmpstr(prism_config_get_string(config, "general", "api_secret"), ==, "hunter2");
    char *text = capture(prism_config_print, config);
    g_assert_null(strstr(text, "hunter2"));
    g_assert_null(strstr(text, "root"));
    g_assert_nonnull(strstr(text, "general.api_secret                   = (hidden)"));
    free(text);
    prism_config_free(config);
    config_fixture_remove(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/config/environment-overrides-file", test_config_environment_overrides_file);
    g_test_add_func("/config/flag-overrides-environment", test_config_flag_overrides_environment);
    g_test_add_func("/config/reports-bad-environment-value-naming-the-variable",
                    test_config_reports_bad_environment_value_naming_the_variable);
    g_test_add_func("/config/reports-misspelt-variable-of-a-known-section",
                    test_config_reports_misspelt_variable_of_a_known_section);
    g_test_add_func("/config/ignores-variables-of-other-programs",
                    test_config_ignores_variables_of_other_programs);
    g_test_add_func("/config/rejects-unknown-or-bad-flags",
                    test_config_rejects_unknown_or_bad_flags);
    g_test_add_func("/config/takes-flags-from-argv-in-every-form",
                    test_config_takes_flags_from_argv_in_every_form);
    g_test_add_func("/config/help-lists-every-flag-with-default-and-variable",
                    test_config_help_lists_every_flag_with_default_and_variable);
    g_test_add_func("/config/print-hides-secrets", test_config_print_hides_secrets);
    g_test_add_func("/config/print-says-where-each-value-came-from",
                    test_config_print_says_where_each_value_came_from);
    return g_test_run();
}
