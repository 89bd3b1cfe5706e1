/* Configuration files: reading values, and reporting bad files with file, line and reason. */
#include "config_fixture.h"
#include "core/config.h"

#include <errno.h>
#include <string.h>

#define GOOD_DIR PRISM_TEST_DATA_DIR "/config/good"

/* libconfig 1.5 leaks the buffer of the string it was scanning when a parse fails (the
 * syntax-error test hits it); LeakSanitizer reads this hook. Only that buffer is excused:
 * a forgotten config_destroy would still show through libconfig's other allocations. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:strbuf_append\n";
}

/* Loads a directory holding only `name` with `text`. The error message comes back with the
 * temporary directory replaced by "DIR", so expectations can be literal. */
static int load_text(const char *name, const char *text, char *error, size_t size)
{
    char *dir = config_fixture_dir();
    config_fixture_write(dir, name, text);
    struct prism_config *config = NULL;
    error[0] = '\0';
    int rc = prism_config_load(&config, dir, NULL, error, size);
    if (rc == 0)
        prism_config_free(config);
    size_t dir_length = strlen(dir);
    if (strncmp(error, dir, dir_length) == 0) {
        memcpy(error, "DIR", 3);
        memmove(error + 3, error + dir_length, strlen(error + dir_length) + 1);
    }
    config_fixture_remove(dir);
    return rc;
}

static void expect_error(const char *name, const char *text, const char *expected)
{
    char error[512];
    g_assert_cmpint(load_text(name, text, error, sizeof(error)), ==, -EINVAL);
    g_assert_cmpstr(error, ==, expected);
}

static void test_config_reads_every_value_of_a_good_directory(void)
{
    struct prism_config *config = NULL;
    char error[512] = "";
    g_assert_cmpint(prism_config_load(&config, GOOD_DIR, NULL, error, sizeof(error)), ==, 0);
    g_assert_cmpstr(error, ==, "");
    g_assert_cmpstr(prism_config_get_string(config, "general", "server_name"), ==, "Prism test");
    g_assert_cmpstr(prism_config_get_string(config, "general", "log_level"), ==, "verbose");
    g_assert_true(prism_config_get_bool(config, "general", "log_json"));
    g_assert_cmpint(prism_config_get_int(config, "general", "workers"), ==, 3);
    g_assert_cmpint(prism_config_get_int(config, "general", "session_timeout"), ==, 120);
    g_assert_cmpint(prism_config_get_int(config, "general", "reclaim_session_timeout"), ==, 15);
    g_assert_cmpint(prism_config_get_int(config, "general", "max_sessions"), ==, 500);
    g_assert_cmpint(prism_config_get_int(config, "general", "max_handles_per_session"), ==, 8);
    g_assert_false(prism_config_get_bool(config, "http", "enabled"));
    g_assert_cmpstr(prism_config_get_string(config, "http", "interface"), ==, "0.0.0.0");
    g_assert_cmpint(prism_config_get_int(config, "http", "port"), ==, 8080);
    g_assert_cmpstr(prism_config_get_string(config, "http", "base_path"), ==, "/api");
    g_assert_cmpint(prism_config_get_int(config, "http", "max_body_size"), ==, 65536);
    g_assert_cmpint(prism_config_get_int(config, "http", "long_poll_timeout"), ==, 10);
    g_assert_cmpint(prism_config_get_int(config, "http", "max_connections"), ==, 64);
    g_assert_cmpstr(prism_config_get_string(config, "cors", "allow_origin"), ==,
                    "https://app.example.com");
    g_assert_false(prism_config_get_bool(config, "websockets", "enabled"));
    g_assert_cmpstr(prism_config_get_string(config, "websockets", "interface"), ==, "::1");
    g_assert_cmpint(prism_config_get_int(config, "websockets", "port"), ==, 0x1FF4);
    g_assert_cmpint(prism_config_get_int(config, "websockets", "max_message_size"), ==, 2048);
    g_assert_cmpint(prism_config_get_source(config, "http", "port"), ==, PRISM_CONFIG_FILE);
    g_assert_nonnull(prism_config_file(config, "prism.jcfg"));
    prism_config_free(config);
}

static void test_config_without_directory_uses_defaults(void)
{
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, NULL, NULL, error, sizeof(error)), ==, 0);
    g_assert_cmpstr(prism_config_get_string(config, "general", "server_name"), ==, "Prism");
    g_assert_cmpint(prism_config_get_int(config, "general", "session_timeout"), ==, 60);
    g_assert_cmpint(prism_config_get_int(config, "http", "port"), ==, 8088);
    g_assert_cmpint(prism_config_get_int(config, "websockets", "port"), ==, 8188);
    g_assert_cmpint(prism_config_get_source(config, "http", "port"), ==, PRISM_CONFIG_DEFAULT);
    g_assert_null(prism_config_file(config, "prism.jcfg"));
    prism_config_free(config);
}

static void test_config_missing_optional_file_gives_defaults(void)
{
    char *dir = config_fixture_dir();
    config_fixture_write(dir, "prism.jcfg", "general: { log_level = \"debug\" }\n");
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, dir, NULL, error, sizeof(error)), ==, 0);
    g_assert_cmpstr(prism_config_get_string(config, "general", "log_level"), ==, "debug");
    g_assert_cmpint(prism_config_get_int(config, "http", "port"), ==, 8088);
    g_assert_true(prism_config_get_bool(config, "websockets", "enabled"));
    g_assert_nonnull(prism_config_file(config, "prism.jcfg"));
    g_assert_null(prism_config_file(config, "prism.transport.http.jcfg"));
    prism_config_free(config);
    config_fixture_remove(dir);
}

static void test_config_missing_directory_is_an_error(void)
{
    struct prism_config *config = NULL;
    char error[256];
    char *dir = config_fixture_dir();
    char *gone = g_build_filename(dir, "nowhere", NULL);
    g_assert_cmpint(prism_config_load(&config, gone, NULL, error, sizeof(error)), ==, -ENOENT);
    char *expected = g_strdup_printf("config directory %s: No such file or directory", gone);
    g_assert_cmpstr(error, ==, expected);
    g_assert_null(config);
    g_free(expected);

    config_fixture_write(dir, "plain", "");
    char *file = g_build_filename(dir, "plain", NULL);
    g_assert_cmpint(prism_config_load(&config, file, NULL, error, sizeof(error)), ==, -ENOTDIR);
    g_assert_null(config);
    g_free(file);
    g_free(gone);
    config_fixture_remove(dir);
}

static void test_config_reports_syntax_error_with_file_and_line(void)
{
    expect_error("prism.jcfg", "general: {\n\tworkers = 2\n\tlog_level \"info\"\n}\n",
                 "DIR/prism.jcfg:3: syntax error");
    expect_error("prism.jcfg", "general: {\n\tworkers = 2\n\tworkers = 3\n}\n",
                 "DIR/prism.jcfg:3: duplicate setting name");
}

static void test_config_reports_unknown_key_with_file_and_line(void)
{
    expect_error("prism.transport.http.jcfg", "http: {\n\tenabled = true\n\n\tprot = 8080\n}\n",
                 "DIR/prism.transport.http.jcfg:4: unknown setting \"prot\" in section \"http\"");
}

static void test_config_reports_unknown_section(void)
{
    expect_error("prism.transport.http.jcfg", "# HTTP\nhtp: {\n\tport = 8080\n}\n",
                 "DIR/prism.transport.http.jcfg:2: unknown section \"htp\" "
                 "(prism.transport.http.jcfg has: http, cors, admin_http, whip)");
    /* A section of another file is unknown here too. */
    expect_error("prism.jcfg", "websockets: { port = 9000 }\n",
                 "DIR/prism.jcfg:1: unknown section \"websockets\" "
                 "(prism.jcfg has: general, media)");
    expect_error("prism.jcfg", "general = 5\n",
                 "DIR/prism.jcfg:1: section \"general\" must be a group: general: { ... }");
}

static void test_config_rejects_values_of_the_wrong_type(void)
{
    expect_error("prism.transport.http.jcfg", "http: {\n\tport = \"8080\"\n}\n",
                 "DIR/prism.transport.http.jcfg:2: http.port must be an integer, not a string");
    expect_error("prism.transport.http.jcfg", "http: {\n\tenabled = 1\n}\n",
                 "DIR/prism.transport.http.jcfg:2: http.enabled must be true or false, "
                 "not an integer");
    expect_error("prism.jcfg", "general: { session_timeout = 1.5 }\n",
                 "DIR/prism.jcfg:1: general.session_timeout must be an integer, not a float");
    expect_error("prism.jcfg", "general: { server_name = [\"a\"] }\n",
                 "DIR/prism.jcfg:1: general.server_name must be a string, not an array");
    expect_error("prism.jcfg", "general: { log_json = \"true\" }\n",
                 "DIR/prism.jcfg:1: general.log_json must be true or false, not a string");
}

static void test_config_rejects_out_of_range_values(void)
{
    expect_error("prism.transport.http.jcfg", "http: { port = 0 }\n",
                 "DIR/prism.transport.http.jcfg:1: http.port must be between 1 and 65535 (got 0)");
    expect_error("prism.transport.websockets.jcfg", "websockets: {\n\tport = 70000\n}\n",
                 "DIR/prism.transport.websockets.jcfg:2: websockets.port must be between 1 and "
                 "65535 (got 70000)");
    expect_error("prism.jcfg", "general: { session_timeout = -1 }\n",
                 "DIR/prism.jcfg:1: general.session_timeout must be at least 0 (got -1)");
    expect_error("prism.transport.http.jcfg", "http: { long_poll_timeout = 301 }\n",
                 "DIR/prism.transport.http.jcfg:1: http.long_poll_timeout must be between 1 and "
                 "300 (got 301)");
    expect_error("prism.transport.http.jcfg", "http: { max_body_size = 1023 }\n",
                 "DIR/prism.transport.http.jcfg:1: http.max_body_size must be at least 1024 "
                 "(got 1023)");
    expect_error("prism.jcfg", "general: { workers = 1025 }\n",
                 "DIR/prism.jcfg:1: general.workers must be between 0 and 1024 (got 1025)");
}

/* libconfig 1.5 reads 4294975384 as 8088 (it wraps at 32 bits); that must not pass. */
static void test_config_rejects_integers_that_do_not_fit(void)
{
    expect_error("prism.transport.http.jcfg", "http: { port = 4294975384 }\n",
                 "DIR/prism.transport.http.jcfg:1: http.port must be between 1 and 65535 "
                 "(got 4294975384)");
    expect_error("prism.jcfg", "general: {\n\tsession_timeout = -2147483649\n}\n",
                 "DIR/prism.jcfg:2: general.session_timeout must be at least 0 "
                 "(got -2147483649)");
    expect_error("prism.jcfg", "general: { max_sessions = 70000000000L }\n",
                 "DIR/prism.jcfg:1: general.max_sessions must be at least 0 (got 70000000000)");
}

static void test_config_checks_string_values(void)
{
    expect_error("prism.jcfg", "general: { log_level = \"loud\" }\n",
                 "DIR/prism.jcfg:1: general.log_level must be one of "
                 "fatal|error|warn|info|verbose|debug (got \"loud\")");
    expect_error("prism.transport.http.jcfg", "http: { base_path = \"janus\" }\n",
                 "DIR/prism.transport.http.jcfg:1: http.base_path must start with '/' "
                 "(got \"janus\")");
    expect_error("prism.transport.http.jcfg", "http: { interface = \"\" }\n",
                 "DIR/prism.transport.http.jcfg:1: http.interface must not be empty (got \"\")");
}

static void test_config_stores_choices_in_canonical_case(void)
{
    char *dir = config_fixture_dir();
    config_fixture_write(dir, "prism.jcfg", "general: { log_level = \"DeBuG\" }\n");
    struct prism_config *config = NULL;
    char error[256];
    g_assert_cmpint(prism_config_load(&config, dir, NULL, error, sizeof(error)), ==, 0);
    g_assert_cmpstr(prism_config_get_string(config, "general", "log_level"), ==, "debug");
    prism_config_free(config);
    config_fixture_remove(dir);
}

static void test_config_reports_a_config_file_that_is_a_directory(void)
{
    char *dir = config_fixture_dir();
    char *sub = g_build_filename(dir, "prism.jcfg", NULL);
    g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
    struct prism_config *config = NULL;
    char error[512];
    g_assert_cmpint(prism_config_load(&config, dir, NULL, error, sizeof(error)), ==, -EINVAL);
    char *expected = g_strdup_printf("%s: not a regular file", sub);
    g_assert_cmpstr(error, ==, expected);
    g_free(expected);
    g_free(sub);
    config_fixture_remove(dir);
}

static void test_config_getter_aborts_on_unknown_setting(void)
{
    if (g_test_subprocess()) {
        struct prism_config *config = NULL;
        g_assert_cmpint(prism_config_load(&config, NULL, NULL, NULL, 0), ==, 0);
        prism_config_get_int(config, "http", "prot");
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*no setting http.prot*");
}

static void test_config_getter_aborts_on_wrong_type(void)
{
    if (g_test_subprocess()) {
        struct prism_config *config = NULL;
        g_assert_cmpint(prism_config_load(&config, NULL, NULL, NULL, 0), ==, 0);
        prism_config_get_string(config, "http", "port");
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*wrong type for http.port*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/config/reads-every-value-of-a-good-directory",
                    test_config_reads_every_value_of_a_good_directory);
    g_test_add_func("/config/without-directory-uses-defaults",
                    test_config_without_directory_uses_defaults);
    g_test_add_func("/config/missing-optional-file-gives-defaults",
                    test_config_missing_optional_file_gives_defaults);
    g_test_add_func("/config/missing-directory-is-an-error",
                    test_config_missing_directory_is_an_error);
    g_test_add_func("/config/reports-syntax-error-with-file-and-line",
                    test_config_reports_syntax_error_with_file_and_line);
    g_test_add_func("/config/reports-unknown-key-with-file-and-line",
                    test_config_reports_unknown_key_with_file_and_line);
    g_test_add_func("/config/reports-unknown-section", test_config_reports_unknown_section);
    g_test_add_func("/config/rejects-values-of-the-wrong-type",
                    test_config_rejects_values_of_the_wrong_type);
    g_test_add_func("/config/rejects-out-of-range-values", test_config_rejects_out_of_range_values);
    g_test_add_func("/config/rejects-integers-that-do-not-fit",
                    test_config_rejects_integers_that_do_not_fit);
    g_test_add_func("/config/checks-string-values", test_config_checks_string_values);
    g_test_add_func("/config/stores-choices-in-canonical-case",
                    test_config_stores_choices_in_canonical_case);
    g_test_add_func("/config/reports-a-config-file-that-is-a-directory",
                    test_config_reports_a_config_file_that_is_a_directory);
    g_test_add_func("/config/getter-aborts-on-unknown-setting",
                    test_config_getter_aborts_on_unknown_setting);
    g_test_add_func("/config/getter-aborts-on-wrong-type", test_config_getter_aborts_on_wrong_type);
    return g_test_run();
}
